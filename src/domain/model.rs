//! The domain model: schools, blocks (小区 / 村 / 屯), applicants and the
//! identifiers that tie them together.
//!
//! Everything here is already validated: the `io` module parses and checks
//! input at the edge, so code that takes these types never re-checks them.

use std::fmt;

use geo::Point;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub Box<str>);

        impl $name {
            /// The id as written in its input file (already trimmed and
            /// checked by the reader).
            pub fn new(s: &str) -> Self {
                Self(s.into())
            }
            /// The id's text, for lookups, messages and output files.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// A school's identifier as written in `schools.csv`.
    SchoolId
);
string_id!(
    /// A block's identifier as written in `blocks.csv`.
    BlockId
);
string_id!(
    /// An applicant's identifier. It is the only thing about a student that
    /// may appear in logs and outputs (the records are about minors).
    StudentId
);

macro_rules! index {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The position, to index the dataset's vector.
            pub fn ix(self) -> usize {
                self.0 as usize
            }
            /// The index of position `i` in the dataset's vector (a
            /// position fits a `u32`: inputs are far smaller).
            pub fn from_ix(i: usize) -> Self {
                Self(i as u32)
            }
        }
    };
}

index!(
    /// Position of a school in [`Dataset::schools`].
    SchoolIx
);
index!(
    /// Position of a block in [`Dataset::blocks`].
    BlockIx
);

/// The most entry seats one school can have. Every seat count read from
/// input (schools.csv, the scenario's changes, and their sums after mergers
/// and conversions) is checked against it, so seat arithmetic never
/// overflows (issue 12: `freed_seats = 4294967295` wrapped to 224 seats).
pub const MAX_SEATS: u32 = 100_000;
/// The most entry-grade classes one school can have.
pub const MAX_CLASSES: u32 = 1_000;
/// The largest `max_class_size` a school can state: far above any norm
/// (56 is 大班额), yet small enough that classes × size fits any count.
pub const MAX_CLASS_SIZE: u32 = 100;

/// A class of more pupils than this is 大班额 (a large class: 56 or more),
/// the national standard the bureau must eliminate (教育部《关于做好消除
/// 义务教育阶段大班额工作的通知》, 2018); 55 is also the largest class size a
/// policy or a school may plan.
pub const LARGE_CLASS_ABOVE: u32 = 55;
/// A class of more pupils than this is 超大班额 (a very large class: 66 or
/// more), by the same standard.
pub const VERY_LARGE_CLASS_ABOVE: u32 = 65;

/// How far a class is over the national standard
/// ([`LARGE_CLASS_ABOVE`], [`VERY_LARGE_CLASS_ABOVE`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LargeClass {
    /// 大班额: 56 to 65 pupils.
    Large,
    /// 超大班额: 66 pupils or more.
    VeryLarge,
}

impl LargeClass {
    /// The band of a class of `pupils` (a mean over a school's classes may
    /// be fractional: 55.5 means some class has 56), or `None` within the
    /// standard.
    pub fn of(pupils: f64) -> Option<LargeClass> {
        if pupils > f64::from(VERY_LARGE_CLASS_ABOVE) {
            Some(LargeClass::VeryLarge)
        } else if pupils > f64::from(LARGE_CLASS_ABOVE) {
            Some(LargeClass::Large)
        } else {
            None
        }
    }

    /// The term the bureau uses.
    pub fn label(self) -> &'static str {
        match self {
            LargeClass::Large => "大班额",
            LargeClass::VeryLarge => "超大班额",
        }
    }
}
/// Enrollment years a scenario may name (the People's Republic's school
/// system to a planning horizon).
pub const YEARS: std::ops::RangeInclusive<i32> = 1949..=2100;

/// The longest list of schools one applicant can rank (stated preferences,
/// or a multi-school zone's schools): a list position is a `u8` in the
/// outcome `choice_k` and in the multiple tie-breaking streams.
pub const MAX_PREFERENCES: usize = u8::MAX as usize;

/// A number of seats in the entry grade.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seats(pub u32);

/// A priority tier: 1 is served first. Tiers come from the policy's ordered
/// list of categories, so the meaning of "tier 2" is whatever the bureau
/// published as its second category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tier(pub u8);

impl Tier {
    /// The tier of the policy's category at `position` (0-based): tier 1 is
    /// the first category. At most 200 categories (the scenario reader's
    /// bound), so it fits.
    pub fn of_category(position: usize) -> Tier {
        Tier(u8::try_from(position + 1).expect("at most 200 categories"))
    }

    /// The 0-based position of this tier's category in the policy's list.
    pub fn category(self) -> usize {
        usize::from(self.0) - 1
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A distance in whole metres: flow costs must be integers to be exact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Metres(pub u32);

impl Metres {
    /// The distance in kilometres, for reports and km-valued policy keys.
    pub fn km(self) -> f64 {
        f64::from(self.0) / 1000.0
    }
    /// Kilometres rounded to whole metres; negative values become 0 and
    /// values beyond `u32::MAX` metres saturate.
    pub fn from_km(km: f64) -> Self {
        Metres((km * 1000.0).round().clamp(0.0, f64::from(u32::MAX)) as u32)
    }
}

/// A travel time in whole seconds, for a service radius given in minutes
/// of travel (`policy.service_radius_min`). Never a distance: road tables
/// measured in time answer in `Seconds`, those measured in length in
/// [`Metres`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seconds(pub u32);

/// School level, as in `schools.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// 小学: admits grade 1 only.
    Primary,
    /// 初中: admits grade 7 only.
    Junior,
    /// 九年一贯制: admits both grade 1 and grade 7.
    NineYear,
    /// 特殊教育学校: admits children with severe disability of either grade.
    Special,
}

impl Level {
    /// Every level, primary first: the values `schools.csv` accepts.
    pub const ALL: [Level; 4] = [
        Level::Primary,
        Level::Junior,
        Level::NineYear,
        Level::Special,
    ];

    /// The level named in `schools.csv` or a new school's `level`, in
    /// English or Chinese (小学, 初中/中学, 九年一贯制, 特殊教育), any case;
    /// `None` for anything else (the reader reports it).
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "primary" | "小学" => Some(Level::Primary),
            "junior" | "初中" | "中学" => Some(Level::Junior),
            "nine_year" | "nine-year" | "九年一贯制" => Some(Level::NineYear),
            "special" | "特殊教育" => Some(Level::Special),
            _ => None,
        }
    }

    /// The level's key as written in `schools.csv` and in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Primary => "primary",
            Level::Junior => "junior",
            Level::NineYear => "nine_year",
            Level::Special => "special",
        }
    }

    /// Whether a mainstream school of this level admits the given entry grade.
    pub fn admits(self, grade: Grade) -> bool {
        matches!(
            (self, grade),
            (Level::Primary, Grade::One) | (Level::Junior, Grade::Seven) | (Level::NineYear, _)
        )
    }
}

/// The entry grade a scenario places: grade 1 (小学一年级) or grade 7 (初一).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    /// 小学一年级: entry to primary school (scenario `level = primary`).
    One,
    /// 初一: entry to junior school (scenario `level = junior`).
    Seven,
}

impl Grade {
    /// Both entry grades, grade 1 first (the order of every per-grade
    /// listing and message).
    pub const ALL: [Grade; 2] = [Grade::One, Grade::Seven];

    /// The grade as the bureau numbers it (1 or 7): the `entry_grade`
    /// column of `students.csv` and the grade shown in reports.
    pub fn number(self) -> u8 {
        match self {
            Grade::One => 1,
            Grade::Seven => 7,
        }
    }

    /// The stage of schooling the grade enters: primary (小学) for grade 1,
    /// junior (初中) for grade 7. Nine-year schools teach both.
    pub fn level(self) -> Level {
        match self {
            Grade::One => Level::Primary,
            Grade::Seven => Level::Junior,
        }
    }

    /// The entry grade of the stage a school grade (1 to 9) belongs to:
    /// grades 1–6 are primary school, entered at grade 1; 7–9 junior
    /// school, entered at grade 7.
    pub fn stage_of(school_grade: u8) -> Grade {
        if school_grade <= 6 {
            Grade::One
        } else {
            Grade::Seven
        }
    }
}

/// One value per entry grade, where the two grades have their own setting
/// or table: a road mode, a service radius, a standard class size, a zone
/// per block. Written once instead of a pair of fields per grade, so code
/// reaches a grade's value with [`ByGrade::get`] rather than a `match` on
/// [`Grade`], and both grades with [`ByGrade::iter`].
///
/// ```
/// use sunshine::domain::model::{ByGrade, Grade};
///
/// let mut radius_km = ByGrade::new(3.0, 10.0);
/// *radius_km.get_mut(Grade::Seven) = 12.0;
/// assert_eq!(*radius_km.get(Grade::One), 3.0);
/// assert_eq!(radius_km.map(|km| km * 1000.0), ByGrade::new(3000.0, 12000.0));
/// let keys: Vec<String> = radius_km
///     .iter()
///     .map(|(g, km)| format!("{}={km}", g.level().as_str()))
///     .collect();
/// assert_eq!(keys, ["primary=3", "junior=12"]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ByGrade<T> {
    /// Grade 1's value (小学一年级, the scenario's `primary`).
    pub one: T,
    /// Grade 7's value (初一, the scenario's `junior`).
    pub seven: T,
}

impl<T> ByGrade<T> {
    /// Grade 1's value, then grade 7's.
    pub const fn new(one: T, seven: T) -> Self {
        ByGrade { one, seven }
    }

    /// Each grade's value computed from the grade, grade 1 first.
    pub fn from_fn(mut f: impl FnMut(Grade) -> T) -> Self {
        let one = f(Grade::One);
        ByGrade::new(one, f(Grade::Seven))
    }

    /// The value of `grade`.
    pub fn get(&self, grade: Grade) -> &T {
        match grade {
            Grade::One => &self.one,
            Grade::Seven => &self.seven,
        }
    }

    /// The value of `grade`, to change (e.g. a scenario key overriding
    /// one grade's default).
    pub fn get_mut(&mut self, grade: Grade) -> &mut T {
        match grade {
            Grade::One => &mut self.one,
            Grade::Seven => &mut self.seven,
        }
    }

    /// Both values through `f`, grade 1 first.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> ByGrade<U> {
        let one = f(self.one);
        ByGrade::new(one, f(self.seven))
    }

    /// Both grades with their values, grade 1 first.
    pub fn iter(&self) -> impl Iterator<Item = (Grade, &T)> {
        [(Grade::One, &self.one), (Grade::Seven, &self.seven)].into_iter()
    }

    /// Both grades with their values to change, grade 1 first.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (Grade, &mut T)> {
        [(Grade::One, &mut self.one), (Grade::Seven, &mut self.seven)].into_iter()
    }
}

/// The standard entry class size of each stage (45 in primary, 50 in junior
/// school): the default of the policy's `max_class_size` and of the
/// forecast's class sizes.
pub const STANDARD_CLASS_SIZE: ByGrade<u32> = ByGrade::new(45, 50);

/// Whether a school takes applicants in the scenario year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Takes entrants in the scenario year.
    Open,
    /// Announced for closure; still listed, but takes no new entrants.
    Closing,
}

/// An applicant's gender (`students.csv`: F/M, 女/男): balanced between
/// classes in the class draw and counted in reports; never a priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gender {
    /// 女: a girl.
    Female,
    /// 男: a boy.
    Male,
}

/// Disability as recorded for "一人一案" placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Disability {
    /// No recorded disability (also an empty cell).
    None,
    /// Placed normally and taught in a mainstream class (随班就读).
    Mild,
    /// Placed in a special-education school, or taught at home (送教上门).
    Severe,
}

/// A school as in `schools.csv` (or a scenario's `[[new_schools]]`): where
/// it is, which entry grades it admits and how many entry seats it offers.
#[derive(Clone, Debug)]
pub struct School {
    /// Unique id; the key zones, preferences and scenario changes use.
    pub id: SchoolId,
    /// Name shown in reports; a branch campus (分校区) after a merger reads
    /// "receiving school（campus校区）".
    pub name: String,
    /// Which entry grades the school admits ([`Level::admits`]).
    pub level: Level,
    /// WGS 84 longitude (x) and latitude (y).
    pub location: Point<f64>,
    /// Town or subdistrict (镇/街道), for grouping in reports.
    pub town: String,
    /// Seats in the entry grade, 1 to [`MAX_SEATS`]. After a scenario is
    /// applied, at most classes × min(max_class_size, the policy's cap).
    pub entry_seats: Seats,
    /// Entry-grade classes, 1 to [`MAX_CLASSES`]: with the class size they
    /// bound the seats placement may use (no 大班额).
    pub classes: u32,
    /// Pupils the school plans per class, 1 to [`MAX_CLASS_SIZE`] (above
    /// [`LARGE_CLASS_ABOVE`] is warned about as 大班额); the class-size
    /// cap and the default class size of the class draw.
    pub max_class_size: u32,
    /// 寄宿制: whether the school boards pupils. Read and written back; no
    /// placement rule uses it yet.
    pub boarding: bool,
    /// Whether the school takes entrants this year (a closing school keeps
    /// its row but offers no seats).
    pub status: Status,
    /// Yearly operating cost (optional `annual_cost` column), for the
    /// closure optimiser.
    pub annual_cost: Option<f64>,
    /// 公办 or 民办 (optional `sector` column, default public): a private
    /// school has no zone, takes no overflow and admits those who list it.
    pub sector: Sector,
    /// Its 大学区 / 学区 / 教育集团 (`districts.csv`): a position in
    /// [`Dataset::district_names`]; `None` outside any.
    pub district: Option<u32>,
}

/// A residential block (小区, 村, 屯) from `blocks.csv`: the unit zones are
/// drawn on and where most applicants live.
#[derive(Clone, Debug)]
pub struct Block {
    /// Unique id; `students.csv` and `zones.csv` refer to it.
    pub id: BlockId,
    /// Name shown in reports and zone maps.
    pub name: String,
    /// Town or subdistrict (镇/街道): reports group by it and the forecast
    /// spreads a town's births over its blocks.
    pub town: String,
    /// WGS 84 longitude (x) and latitude (y): the home point of its
    /// applicants for distances.
    pub location: Point<f64>,
    /// Households living in the block: the forecast's weight when it
    /// spreads a town's births over its blocks and splits feeder flows
    /// from grade-1 to grade-7 zones.
    pub households: u32,
}

/// Where an applicant lives: a known block, or a bare coordinate that is
/// zoned with its nearest block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Home {
    /// A block of `blocks.csv` (`block_id` column): zoned as the block is.
    Block(BlockIx),
    /// A geocoded address (`lon`, `lat` columns, WGS 84) outside any listed
    /// block.
    Point(Point<f64>),
}

/// An applicant from `students.csv`: where the child lives, the facts the
/// priority tiers are drawn from, and the optional inputs of choice and
/// class draws.
#[derive(Clone, Debug)]
pub struct Student {
    /// The only field that may appear in logs and outputs.
    pub id: StudentId,
    /// Where the child lives: decides the zone and every distance.
    pub home: Home,
    /// Grade 1 or 7; a run places only its scenario's grade.
    pub entry_grade: Grade,
    /// Balanced between classes and counted in reports; never a priority.
    pub gender: Gender,
    /// 户籍在片区.
    pub hukou_in_block: bool,
    /// 房产在片区.
    pub property_in_block: bool,
    /// 随迁子女.
    pub migrant: bool,
    /// 留守儿童: counted, never a priority.
    pub left_behind: bool,
    /// Mild: placed as others, spread between classes (随班就读); severe:
    /// placed by 一人一案 at a special-education school or 送教上门.
    pub disability: Disability,
    /// The school an older sibling attends: when it is the applicant's
    /// zone school, the applicant moves `policy.sibling_bonus` tiers up.
    /// `None`: no sibling stated.
    pub sibling_school: Option<SchoolIx>,
    /// Schools the family ranks, most wanted first (at most
    /// [`MAX_PREFERENCES`]): used by the choice mechanisms and inside a
    /// multi-school zone. Empty: no stated preference.
    pub preferences: Vec<SchoolIx>,
    /// An entrance score (e.g. for grade 7), used to balance classes.
    pub score: Option<f64>,
    /// Children of one family (twins, siblings) share an id.
    pub family: Option<Box<str>>,
    /// The home's property (房产证) id, for the seat lock (学位锁定).
    pub property_id: Option<Box<str>>,
    /// Whether the family accepts 统筹 when not admitted where it applied
    /// (`accept_overflow`; `None`: not stated, the category's default).
    pub accept_overflow: Option<bool>,
    /// Values of the columns the scenario declares (`[policy.columns]`), in
    /// declaration order; empty without declarations.
    pub extra: Box<[crate::domain::value::Value]>,
    /// The school attended now (`current_school_id`; for a grade-7
    /// applicant, its primary school): the feeder routes (对口直升) start
    /// here.
    pub current_school: Option<SchoolIx>,
}

/// A whole validated dataset folder.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// Every school of every level, open or closing, in file order (a
    /// scenario's new schools after them); [`SchoolIx`] points here.
    pub schools: Vec<School>,
    /// Every block in file order; [`BlockIx`] points here.
    pub blocks: Vec<Block>,
    /// Every applicant of both entry grades, in file order.
    pub students: Vec<Student>,
    /// Admission zones (划片) from `zones.csv`, when given.
    pub zones: Option<Zones>,
    /// Past admissions by property (`seat_history.csv`), for the seat lock
    /// (学位锁定); empty without the file.
    pub seat_history: Vec<SeatUse>,
    /// Feeder routes and shares (`feeders.csv`); empty without the file.
    pub feeders: Vec<Feeder>,
    /// The 大学区 named in `districts.csv`, in order of first appearance
    /// ([`School::district`] points here); empty without the file.
    pub district_names: Vec<Box<str>>,
}

/// One row of `seat_history.csv`: a property gave a seat at a school in a
/// year (`student_id` is kept only to write the history back out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeatUse {
    /// The property (房产证) id.
    pub property: Box<str>,
    /// The school where the seat was given.
    pub school: SchoolIx,
    /// The year of admission.
    pub year: i32,
    /// The pupil admitted (an id only).
    pub student: StudentId,
}

/// One zone per block and entry grade (a block's grade-1 and grade-7
/// schools usually differ; a nine-year school can serve both). A zone is a
/// single school (单校划片) or a group of schools (多校划片), never both.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Zones {
    /// Per grade and block: the zone's single school.
    pub school: ByGrade<Vec<Option<SchoolIx>>>,
    /// Multi-school zones, from `zone_groups.csv`.
    pub groups: Vec<ZoneGroup>,
    /// Per grade and block: the zone's group (a position in `groups`).
    pub group: ByGrade<Vec<Option<u32>>>,
}

/// A multi-school zone (多校划片).
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneGroup {
    /// The `group_id` of `zone_groups.csv`.
    pub id: String,
    /// The group's schools, without repeats (at most [`MAX_PREFERENCES`]):
    /// applicants choose among them by their preferences (nearest first
    /// when they state none), with deferred acceptance and the lottery.
    pub schools: Vec<SchoolIx>,
}

impl Zones {
    /// No zone for any of `blocks` blocks.
    pub fn new(blocks: usize) -> Self {
        Zones {
            school: ByGrade::from_fn(|_| vec![None; blocks]),
            groups: Vec::new(),
            group: ByGrade::from_fn(|_| vec![None; blocks]),
        }
    }
    /// Replace a school in every zone and group (`None` removes it).
    pub fn replace_school(&mut self, from: SchoolIx, to: Option<SchoolIx>) {
        let every = self.school.iter_mut().flat_map(|(_, zs)| zs.iter_mut());
        for z in every.filter(|z| **z == Some(from)) {
            *z = to;
        }
        for g in &mut self.groups {
            let mut schools = Vec::with_capacity(g.schools.len());
            for s in g
                .schools
                .iter()
                .filter_map(|&s| if s == from { to } else { Some(s) })
            {
                if !schools.contains(&s) {
                    schools.push(s);
                }
            }
            g.schools = schools;
        }
    }
}

impl Dataset {
    /// The school at `ix`.
    pub fn school(&self, ix: SchoolIx) -> &School {
        &self.schools[ix.ix()]
    }
    /// The block at `ix`.
    pub fn block(&self, ix: BlockIx) -> &Block {
        &self.blocks[ix.ix()]
    }
    /// Schools by their id, for resolving references in input files and
    /// scenarios. Ids are unique once read; should one repeat (a scenario's
    /// new school with an existing id, which is reported), the first
    /// school with it is found.
    pub fn school_lookup(&self) -> std::collections::HashMap<&str, SchoolIx> {
        let mut lookup = std::collections::HashMap::with_capacity(self.schools.len());
        for (i, s) in self.schools.iter().enumerate() {
            lookup.entry(s.id.as_str()).or_insert(SchoolIx::from_ix(i));
        }
        lookup
    }
    /// Blocks by their id.
    pub fn block_lookup(&self) -> std::collections::HashMap<&str, BlockIx> {
        self.blocks
            .iter()
            .enumerate()
            .map(|(i, b)| (b.id.as_str(), BlockIx::from_ix(i)))
            .collect()
    }
    /// The coordinate of an applicant's home.
    pub fn home_point(&self, home: Home) -> Point<f64> {
        match home {
            Home::Block(b) => self.blocks[b.ix()].location,
            Home::Point(p) => p,
        }
    }
}

impl School {
    /// Whether the school belongs to a run of `grade`: a mainstream school
    /// of a level that admits the grade, or a special-education school (it
    /// takes the grade's children with severe disability). Open or closing;
    /// the others (junior schools in a grade-1 run) are neither counted nor
    /// listed.
    pub fn of_grade(&self, grade: Grade) -> bool {
        self.level.admits(grade) || self.level == Level::Special
    }

    /// Seats the school offers in a run of `grade`: its entry seats when it
    /// is open and of the grade ([`School::of_grade`]), else none (a
    /// closing school takes no entrants; issue 12: a grade-1 run counted
    /// the junior schools' seats).
    pub fn open_seats(&self, grade: Grade) -> u32 {
        if self.status == Status::Open && self.of_grade(grade) {
            self.entry_seats.0
        } else {
            0
        }
    }
}

impl Dataset {
    /// Public schools open to `grade` (mainstream, not closing), in dataset
    /// order: the schools zones, overflow and every planning tool use.
    pub fn mainstream_schools(&self, grade: Grade) -> Vec<SchoolIx> {
        self.schools
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.status == Status::Open && s.level.admits(grade) && s.sector == Sector::Public
            })
            .map(|(i, _)| SchoolIx::from_ix(i))
            .collect()
    }

    /// The open private schools (民办) admitting `grade`: they admit only
    /// the applicants who list them (公民同招), never by zone or overflow.
    pub fn private_schools(&self, grade: Grade) -> Vec<SchoolIx> {
        self.schools
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.status == Status::Open && s.level.admits(grade) && s.sector == Sector::Private
            })
            .map(|(i, _)| SchoolIx::from_ix(i))
            .collect()
    }
}

/// Who runs a school (`schools.csv` `sector`): a public school has a zone
/// and takes overflow (统筹); a private school (民办) admits only those who
/// list it, by lottery when oversubscribed, and takes no overflow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sector {
    /// 公办 (the default when the column is missing or empty).
    #[default]
    Public,
    /// 民办.
    Private,
}

impl Sector {
    /// The sector named in `schools.csv`: `public`/`公办` or
    /// `private`/`民办`, any case; `None` for anything else.
    pub fn parse(s: &str) -> Option<Sector> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" | "公办" => Some(Sector::Public),
            "private" | "民办" => Some(Sector::Private),
            _ => None,
        }
    }

    /// The key written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Public => "public",
            Sector::Private => "private",
        }
    }
}

/// What a row of `feeders.csv` says a primary school's grade 6 gets at a
/// junior school (`route`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeederRoute {
    /// 对口直升: a guaranteed seat, admitted before the zone round.
    Direct,
    /// A priority category at the junior school (`policy.feeder_category`).
    Priority,
    /// No admission route: the row only tells `forecast` where the pupils
    /// go on to (its `share`).
    None,
}

impl FeederRoute {
    /// `direct`, `priority`, or empty / `none` (a forecast-only row).
    pub fn parse(s: &str) -> Option<FeederRoute> {
        match s.trim().to_ascii_lowercase().as_str() {
            "direct" | "直升" | "对口直升" => Some(FeederRoute::Direct),
            "priority" | "优先" => Some(FeederRoute::Priority),
            "" | "none" => Some(FeederRoute::None),
            _ => None,
        }
    }

    /// The key written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            FeederRoute::Direct => "direct",
            FeederRoute::Priority => "priority",
            FeederRoute::None => "none",
        }
    }
}

/// One row of `feeders.csv`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Feeder {
    /// The primary school (or a nine-year school's primary section) whose
    /// grade 6 goes on.
    pub primary: SchoolIx,
    /// The junior (or nine-year) school it feeds.
    pub junior: SchoolIx,
    /// The admission route; [`FeederRoute::None`] for a forecast-only row.
    pub route: FeederRoute,
    /// The share of the primary's grade 6 going on to `junior`, for the
    /// forecast; `None`: the forecast computes it from the zones.
    pub share: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The national standard's boundaries: 56 or more pupils is 大班额, 66
    /// or more 超大班额.
    #[test]
    fn large_class_boundaries() {
        assert_eq!(LargeClass::of(55.0), None);
        assert_eq!(LargeClass::of(56.0), Some(LargeClass::Large));
        assert_eq!(LargeClass::of(65.0), Some(LargeClass::Large));
        assert_eq!(LargeClass::of(66.0), Some(LargeClass::VeryLarge));
        assert_eq!(LargeClass::of(55.5).map(LargeClass::label), Some("大班额"));
        assert_eq!(
            LargeClass::of(66.0).map(LargeClass::label),
            Some("超大班额")
        );
    }
}
