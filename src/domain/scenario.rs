//! A scenario: one year's placement run over a dataset, with the bureau's
//! policy and planned changes to the school network (closures, mergers,
//! capacity changes, new schools).

use std::path::PathBuf;

use geo::Point;

use crate::domain::model::{ByGrade, Dataset, Grade, Level, SchoolId, Seats, STANDARD_CLASS_SIZE};

mod network;
pub use crate::domain::priority::Category;
use crate::domain::priority::Rules;
pub use network::{close_schools, Applied, Capped, ChangeAt, ChangeError, FutureSchools};

/// The published rules of one year's enrollment. Every local threshold is a
/// key here, with the defaults of `shared/notes/enrollment-rules.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Categories in priority order: the first is tier 1 (today's five;
    /// [`Policy::rules`] is built from them unless the scenario defines its
    /// own `[[policy.categories]]`).
    pub priority: Vec<Category>,
    /// The priority rules (categories, sub-tables, keys, reserved seats,
    /// seat lock, twins): [`Rules::from_priority`] by default.
    pub rules: Rules,
    /// Tiers an applicant moves up when a sibling attends the zone school.
    pub sibling_bonus: u8,
    /// The published lottery seed (电脑派位).
    pub lottery_seed: u64,
    /// The procedure that turns the seed into lottery numbers
    /// (`lottery_algorithm`; [`crate::solve::lottery`] documents both).
    pub lottery_algorithm: LotteryAlgorithm,
    /// Planned class size (standard 45 primary, 50 junior; never above 55).
    pub max_class_size: u32,
    /// No class holds more: a school's seats count only up to classes ×
    /// min(its max_class_size, this) (at most
    /// [`LARGE_CLASS_ABOVE`](crate::domain::model::LARGE_CLASS_ABOVE): 大班额
    /// begins at 56).
    pub max_class_size_cap: u32,
    /// Service radius per grade, km (city norm 0.5 km for primary
    /// applicants; rural much larger).
    pub service_radius_km: ByGrade<f64>,
    /// Service radius in minutes of travel (road distances only), replacing
    /// the radius in km where given.
    pub service_radius_min: ByGrade<Option<f64>>,
    /// Overflow placement (统筹) never sends a child farther than this, km.
    pub overflow_max_km: f64,
    /// Candidate schools per home considered in overflow placement.
    pub candidates: usize,
    /// Zoning: a zone may hold expected applicants up to seats × (1 + slack).
    pub zone_slack: f64,
    /// Zoning: cost of moving a block from last year's zone, in
    /// applicant-metres (2000 = one applicant travelling 2 km farther).
    pub zone_move_penalty: f64,
    /// Where distances come from: great circle, or roads.
    pub distance: DistancePolicy,
    /// Feeder and private routes, fallbacks, overflow scope (issue 15).
    pub routes: crate::domain::routes::Routes,
}

/// The published procedure of the draw (`[policy] lottery_algorithm`):
/// how the seed becomes each applicant's numbers. Kept selectable by name
/// so that a past year's draw can be replayed exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LotteryAlgorithm {
    /// `sunshine-lottery-v1`: one ChaCha20 stream drawn by the applicants in
    /// `student_id` order, so every number depends on the whole list (the
    /// default until issue 17; kept byte-identical for replays).
    V1,
    /// `sunshine-lottery-v2`: each number is a keyed hash (HMAC-SHA256) of
    /// the seed and the applicant's own id, so a withdrawal or a late
    /// correction changes nobody else's number, and anyone can recompute
    /// one number with a few lines of code.
    #[default]
    V2,
}

impl LotteryAlgorithm {
    /// Every algorithm, oldest first.
    pub const ALL: [LotteryAlgorithm; 2] = [LotteryAlgorithm::V1, LotteryAlgorithm::V2];

    /// The published name, as `lottery_algorithm` and `summary.json` write it.
    pub fn name(self) -> &'static str {
        match self {
            LotteryAlgorithm::V1 => "sunshine-lottery-v1",
            LotteryAlgorithm::V2 => "sunshine-lottery-v2",
        }
    }
}

impl std::str::FromStr for LotteryAlgorithm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        LotteryAlgorithm::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                format!("lottery_algorithm `{s}`; expected \"sunshine-lottery-v2\" (the default) or \"sunshine-lottery-v1\" (replays of draws before issue 17)")
            })
    }
}

/// A service radius: a distance, or a travel time along the roads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Radius {
    /// Kilometres of distance (great circle or road), `service_radius_km`.
    Km(f64),
    /// Minutes of travel along the roads, `service_radius_min` (road
    /// distances only).
    Minutes(f64),
}

impl std::fmt::Display for Radius {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Radius::Km(k) => write!(f, "{k} km"),
            Radius::Minutes(m) => write!(f, "{m} min"),
        }
    }
}

/// How distances are measured (`policy.distance`).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum DistancePolicy {
    /// The great-circle distance.
    #[default]
    GreatCircle,
    /// Shortest paths along an OpenStreetMap road network
    /// (`distance = "road"`).
    Road(RoadPolicy),
}

/// Road distances from an OpenStreetMap extract.
#[derive(Clone, Debug, PartialEq)]
pub struct RoadPolicy {
    /// The `.osm.pbf` extract, resolved against the scenario's folder.
    pub network: std::path::PathBuf,
    /// Mode of travel per grade.
    pub mode: ByGrade<RoadMode>,
    /// Snaps longer than this (metres) are warned about.
    pub max_snap_m: f64,
    /// `highway=*` values the walk mode keeps (`policy.walk_highways`);
    /// `None`: the walk profile's defaults.
    pub walk_highways: Option<Vec<String>>,
    /// `highway=*` values the drive mode keeps (`policy.drive_highways`);
    /// `None`: the drive profile's defaults.
    pub drive_highways: Option<Vec<String>>,
    /// Walking speed, km/h (travel times on foot); `None`: 4.5 km/h.
    pub walk_speed_kmh: Option<f64>,
    /// Driving speeds per highway type, km/h, over the defaults.
    pub drive_speeds_kmh: Vec<(String, f64)>,
}

/// How a grade's children travel on the road network (`policy.road_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoadMode {
    /// On foot: footways and streets in both directions, at the walking
    /// speed. The default for grade 1.
    Walk,
    /// By school bus or car: one-way rules, speeds per road type. The
    /// default for grade 7.
    Drive,
}

impl RoadPolicy {
    /// Road distances on `network` with the defaults (README, scenario
    /// keys): grade 1 walks and grade 7 is driven (school bus or car),
    /// snaps beyond 300 m are warned about, and each mode keeps its travel
    /// profile's highways and speeds (`spatial::roads::Profile`).
    pub fn new(network: PathBuf) -> Self {
        RoadPolicy {
            network,
            mode: ByGrade::new(RoadMode::Walk, RoadMode::Drive),
            max_snap_m: 300.0,
            walk_highways: None,
            drive_highways: None,
            walk_speed_kmh: None,
            drive_speeds_kmh: Vec::new(),
        }
    }
}

impl Policy {
    /// The documented defaults for a run of `grade` (README, scenario
    /// keys): the five categories in order, one tier of sibling bonus,
    /// seed 0, the grade's standard class size (45 / 50) under a cap of 55,
    /// radii 3 km / 10 km, overflow within 30 km, 15 candidates, great-circle
    /// distances.
    pub fn defaults(grade: Grade) -> Policy {
        Policy {
            priority: Category::ALL.to_vec(),
            rules: Rules::from_priority(&Category::ALL),
            sibling_bonus: 1,
            lottery_seed: 0,
            lottery_algorithm: LotteryAlgorithm::default(),
            max_class_size: *STANDARD_CLASS_SIZE.get(grade),
            max_class_size_cap: crate::domain::model::LARGE_CLASS_ABOVE,
            service_radius_km: ByGrade::new(3.0, 10.0),
            service_radius_min: ByGrade::default(),
            overflow_max_km: 30.0,
            candidates: 15,
            zone_slack: 0.0,
            zone_move_penalty: 2000.0,
            distance: DistancePolicy::GreatCircle,
            routes: crate::domain::routes::Routes::default(),
        }
    }

    /// The service radius for `grade`: minutes of travel where given,
    /// else kilometres.
    pub fn service_radius(&self, grade: Grade) -> Radius {
        match *self.service_radius_min.get(grade) {
            Some(m) => Radius::Minutes(m),
            None => Radius::Km(*self.service_radius_km.get(grade)),
        }
    }

    /// The number of priority tiers: one per category of the rules (5 by
    /// default; the scenario reader allows at most 200).
    pub fn tier_count(&self) -> u8 {
        u8::try_from(self.rules.categories.len()).expect("at most 200 categories")
    }
}

/// What happens to the pupils already enrolled (grades 2–6, 8–9) at a
/// school that a closure or merger closes (issue 16, the forecast's
/// 布局调整 phase-out rule). Entrants never go to a closed school.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PhaseOut {
    /// `all_grades` (the default): every pupil moves in the change's year,
    /// to the receiving school of a merger, or by zone (the school that now
    /// zones each block of the closed school) after a closure.
    #[default]
    AllGrades,
    /// `entry_only`: the old campus takes no entrants from the change's
    /// year and keeps its current grades until they finish.
    EntryOnly,
}

impl PhaseOut {
    /// The scenario file's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseOut::AllGrades => "all_grades",
            PhaseOut::EntryOnly => "entry_only",
        }
    }
}

impl std::str::FromStr for PhaseOut {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "all_grades" => Ok(PhaseOut::AllGrades),
            "entry_only" => Ok(PhaseOut::EntryOnly),
            other => Err(format!(
                "phase_out `{other}`; expected all_grades or entry_only"
            )),
        }
    }
}

/// A `closures` entry: the school takes no entrants from `year` on, and
/// its blocks lose their zone (they are zoned by distance).
#[derive(Clone, Debug, PartialEq)]
pub struct Closure {
    /// The closed school.
    pub school: SchoolId,
    /// The year the closure takes effect; `None`: the scenario's year.
    pub year: Option<i32>,
    /// What happens to its current pupils (for `forecast`).
    pub phase_out: PhaseOut,
}

impl Closure {
    /// A closure in the scenario's year, moving every pupil.
    pub fn new(school: SchoolId) -> Closure {
        Closure {
            school,
            year: None,
            phase_out: PhaseOut::AllGrades,
        }
    }
}

/// A `[[mergers]]` entry (撤并): `from` closes and its zone goes to the
/// end of its merger chain, or it stays open as a branch campus.
#[derive(Clone, Debug, PartialEq)]
pub struct Merger {
    /// The merged school: open, merged at most once, not also closed.
    pub from: SchoolId,
    /// The receiving school: open, admitting every grade `from` admits.
    pub into: SchoolId,
    /// Whether the closed school's entry seats are added to the receiving school.
    pub move_seats: bool,
    /// The merged campus stays open as a branch campus (分校区) of the
    /// receiving school with this many entry seats, keeping its own zone.
    pub branch_seats: Option<Seats>,
    /// The year the merger takes effect; `None`: the scenario's year.
    pub year: Option<i32>,
    /// What happens to the merged school's current pupils (for `forecast`).
    pub phase_out: PhaseOut,
}

/// 校带园剥离 and similar: a school frees entry seats by moving other classes
/// (e.g. its kindergarten) out.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversion {
    /// The converting school; it must be open.
    pub school: SchoolId,
    /// Entry seats added to the school's own (after `[[capacity]]`), still
    /// subject to the class-size cap.
    pub freed_seats: Seats,
    /// The year the seats are freed; `None`: the scenario's year.
    pub year: Option<i32>,
}

/// A `[[capacity]]` entry: a new seat count or class count for one open
/// school (expansion, 扩班, or reduction).
#[derive(Clone, Debug, PartialEq)]
pub struct CapacityOverride {
    /// The school changed; it must be open.
    pub school: SchoolId,
    /// Its new entry seats; `None`: unchanged, or classes × size when
    /// `classes` is given.
    pub entry_seats: Option<Seats>,
    /// Its new entry classes, which also set its seats to classes ×
    /// min(max_class_size, `policy.max_class_size`) unless `entry_seats`
    /// is given; `None`: unchanged.
    pub classes: Option<u32>,
    /// The year the change takes effect; `None`: the scenario's year.
    pub year: Option<i32>,
}

/// A `[[new_schools]]` entry: a school that opens in the scenario year. It
/// is open, plans `policy.max_class_size` pupils a class and has no cost.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSchool {
    /// Its id, which no school of the dataset may already have.
    pub id: SchoolId,
    /// Name shown in reports.
    pub name: String,
    /// Which entry grades it admits.
    pub level: Level,
    /// WGS 84 longitude (x) and latitude (y).
    pub location: Point<f64>,
    /// Town or subdistrict (镇/街道), for reports.
    pub town: String,
    /// Entry seats, 1 to [`MAX_SEATS`](crate::domain::model::MAX_SEATS),
    /// subject to the class-size cap.
    pub entry_seats: Seats,
    /// Entry-grade classes, 1 to
    /// [`MAX_CLASSES`](crate::domain::model::MAX_CLASSES).
    pub classes: u32,
    /// 寄宿制: whether it boards pupils (informational).
    pub boarding: bool,
    /// The year it opens; `None`: the scenario's year.
    pub year: Option<i32>,
}

/// One scenario file with its `extends` bases merged in: which grade to
/// place in which year, under which policy, on which changed network.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Scenario name, shown in reports and `compare` columns.
    pub name: String,
    /// Enrollment year, within [`YEARS`](crate::domain::model::YEARS).
    pub year: i32,
    /// Dataset folder, resolved against the scenario file's folder.
    pub dataset: PathBuf,
    /// The entry grade placed (`level = "primary"`: grade 1, `"junior"`:
    /// grade 7).
    pub grade: Grade,
    /// The year's published rules (`[policy]`).
    pub policy: Policy,
    /// Schools closed: no entrants from their year on, and their blocks
    /// lose their zone (zoned by distance).
    pub closures: Vec<Closure>,
    /// `[[mergers]]`, a base scenario's first.
    pub mergers: Vec<Merger>,
    /// `[[capacity]]` overrides, in order: a later one wins.
    pub capacity: Vec<CapacityOverride>,
    /// `[[new_schools]]`, appended to the dataset's schools.
    pub new_schools: Vec<NewSchool>,
    /// `[[conversions]]` (校带园剥离), in order.
    pub conversions: Vec<Conversion>,
    /// How classes are drawn after placement (阳光分班).
    pub classes: ClassPolicy,
    /// Projection settings and warning thresholds (学位预警).
    pub forecast: ForecastPolicy,
    /// How the 公示 lists are published (`[publish]`, `place --publish`).
    pub publish: PublishPolicy,
}

impl Scenario {
    /// A scenario with the default policy for `grade`, the given lottery
    /// seed, and no changes to the network (for synthetic data and tests).
    pub fn plain(name: &str, grade: Grade, lottery_seed: u64) -> Scenario {
        Scenario {
            name: name.into(),
            year: 2025,
            dataset: ".".into(),
            grade,
            policy: Policy {
                lottery_seed,
                ..Policy::defaults(grade)
            },
            closures: vec![],
            mergers: vec![],
            capacity: vec![],
            new_schools: vec![],
            conversions: vec![],
            classes: Default::default(),
            forecast: Default::default(),
            publish: Default::default(),
        }
    }

    /// The year a change takes effect: its own `year`, else the
    /// scenario's (issue 16: every change may name its year).
    pub fn effective(&self, year: Option<i32>) -> i32 {
        year.unwrap_or(self.year)
    }

    /// Every change's effective year, oldest first, without repeats.
    pub fn change_years(&self) -> Vec<i32> {
        let mut v: Vec<i32> = self
            .closures
            .iter()
            .map(|c| c.year)
            .chain(self.mergers.iter().map(|m| m.year))
            .chain(self.capacity.iter().map(|c| c.year))
            .chain(self.conversions.iter().map(|c| c.year))
            .chain(self.new_schools.iter().map(|n| n.year))
            .map(|y| self.effective(y))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Apply the scenario's network changes (see [`Scenario::applied`]);
    /// changes that [`Scenario::applied`] reports as errors are skipped.
    pub fn apply(&self, data: Dataset) -> Dataset {
        self.applied(data).data
    }
}

/// Whether twins share a class in the class draw (`[classes] twins`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Twins {
    /// Children sharing a `family_id` go to one class (the default).
    Together,
    /// Children sharing a `family_id` go to different classes.
    Apart,
}

/// How the admission lists (录取名单公示) are published: the bureau's
/// title and date printed on every page (from the scenario, never the
/// clock, so the files are the same for the same run), and how student ids
/// are masked: the first `keep_first` and last `keep_last` characters are
/// shown, the rest written `*` (personal information is not published in
/// full; the bureau chooses how much identifies a child to its family).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishPolicy {
    /// `title`: the bureau's heading, e.g. `龙潭区教育局2025年小学一年级新生录取名单公示`.
    pub title: Option<String>,
    /// `date`: the date printed under the title, as written.
    pub date: Option<String>,
    /// `keep_first`: characters of the id shown at its start (default 0).
    pub keep_first: u32,
    /// `keep_last`: characters of the id shown at its end (default 4).
    pub keep_last: u32,
}

impl Default for PublishPolicy {
    fn default() -> Self {
        PublishPolicy {
            title: None,
            date: None,
            keep_first: 0,
            keep_last: 4,
        }
    }
}

impl PublishPolicy {
    /// `id` masked: the first `keep_first` and the last `keep_last`
    /// characters kept, every other one `*`. At least one character is
    /// masked whenever the id has two or more (the kept ends give way,
    /// the start first), so a full id is never published.
    pub fn mask(&self, id: &str) -> String {
        let chars: Vec<char> = id.chars().collect();
        let n = chars.len();
        let room = n.saturating_sub(1);
        let last = (self.keep_last as usize).min(room);
        let first = (self.keep_first as usize).min(room - last);
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| if i < first || i >= n - last { c } else { '*' })
            .collect()
    }
}

/// How a district draws classes (the scenario's `[classes]` table).
#[derive(Clone, Debug, PartialEq)]
pub struct ClassPolicy {
    /// Class size; default: each school's `max_class_size`.
    pub class_size: Option<u32>,
    /// At most this many mildly disabled pupils (随班就读) per class, where
    /// the school's total allows; default 3.
    pub max_mild_per_class: u32,
    /// Whether children of one family share a class; default together.
    pub twins: Twins,
    /// The published seed of the class draw; default: the lottery seed.
    pub seed: Option<u64>,
}

impl Default for ClassPolicy {
    fn default() -> Self {
        ClassPolicy {
            class_size: None,
            max_mild_per_class: 3,
            twins: Twins::Together,
            seed: None,
        }
    }
}

/// How `forecast` projects enrolment (the scenario's `[forecast]` table).
#[derive(Clone, Debug, PartialEq)]
pub struct ForecastPolicy {
    /// Years of history each ratio averages (1 to [`crate::planning::forecast::MAX_YEARS_BACK`]).
    pub years_back: usize,
    /// Weight `w` of the year k back (`w^k`), 0 to 1: 1 = plain mean, 0 =
    /// the last year only. Bounded so that `w^k` stays finite.
    pub recent_weight: f64,
    /// Pupils per new household per grade of `commercial` (商品房) and
    /// `affordable` (保障性住房) housing; `resettlement` (安置房) yields half
    /// (README "Housing": most of its families are already counted where
    /// they lived).
    pub yield_per_grade: f64,
    /// `[forecast.housing_yield]`: pupils per household in grades 1–9 per
    /// housing type, over the defaults of [`ForecastPolicy::yield_of`].
    pub housing_yield: std::collections::BTreeMap<String, [f64; 9]>,
    /// Standard class size of each stage (seats = classes × size), keyed by
    /// the stage's entry grade.
    pub class_size: ByGrade<u32>,
    /// Utilisation thresholds of the warning levels (学位预警): projected
    /// entrants ÷ seats at or above this is yellow (default 0.90).
    pub yellow: f64,
    /// Utilisation at or above this is orange (default 0.95).
    pub orange: f64,
    /// Utilisation at or above this is red: the seats are full (default
    /// 1.00).
    pub red: f64,
}

/// The housing types with a default yield (`housing.csv` `type`).
pub const HOUSING_TYPES: [&str; 3] = ["commercial", "resettlement", "affordable"];

impl ForecastPolicy {
    /// Pupils per household of housing type `t` in grade `g` (1–9): the
    /// scenario's `[forecast.housing_yield]`, else the defaults
    /// (`commercial` and `affordable`: `yield_per_grade`; `resettlement`:
    /// half of it); `None` for a type without a yield.
    pub fn yield_of(&self, t: &str, g: u8) -> Option<f64> {
        let i = usize::from(g.checked_sub(1)?);
        if let Some(v) = self.housing_yield.get(t) {
            return v.get(i).copied();
        }
        match t {
            "commercial" | "affordable" => Some(self.yield_per_grade),
            "resettlement" => Some(self.yield_per_grade / 2.0),
            _ => None,
        }
    }

    /// Every housing type with a yield: the defaults, then the scenario's.
    pub fn housing_types(&self) -> Vec<String> {
        let mut v: Vec<String> = HOUSING_TYPES.iter().map(|s| s.to_string()).collect();
        for k in self.housing_yield.keys() {
            if !v.contains(k) {
                v.push(k.clone());
            }
        }
        v
    }
}

impl Default for ForecastPolicy {
    fn default() -> Self {
        ForecastPolicy {
            years_back: 3,
            recent_weight: 1.0,
            yield_per_grade: 0.02,
            housing_yield: Default::default(),
            class_size: STANDARD_CLASS_SIZE,
            yellow: 0.90,
            orange: 0.95,
            red: 1.00,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_disjoint_and_cover_all() {
        for h in [false, true] {
            for p in [false, true] {
                for m in [false, true] {
                    let c = Category::of(h, p, m);
                    assert_eq!(Category::parse(c.key()), Some(c));
                }
            }
        }
        assert_eq!(Category::of(true, true, true), Category::HukouAndProperty);
        assert_eq!(Category::of(false, false, true), Category::MigrantResident);
    }
}
