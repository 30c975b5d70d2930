//! Enrollment projection by cohort survival (grade progression ratios), the
//! method school planners use, and the capacity-shortfall (学位预警) table.
//!
//! For each school and year after the last year of history:
//! - grade 1 = births six years earlier in the school's grade-1 zone × the
//!   school's share of that zone (1 for a single-school zone; a multi-school
//!   zone 多校划片 splits its births among its open schools by entry seats)
//!   × the school's birth-to-entry ratio;
//! - grade g (2–6, 8–9) = last year's grade g − 1 × the progression ratio;
//! - grade 7 = Σ over primary schools p of (share of p's zone households
//!   whose grade-7 zone is this school) × p's grade 6 last year × the
//!   school's progression ratio into grade 7;
//! - plus new housing: households completed up to that year × the policy's
//!   pupils per household per grade, at the block's zone school(s).
//!
//! Each ratio is the weighted mean of the observed ratios of the last `N`
//! years of history, the year `k` back weighted `w^k` (`w = 1`: plain mean).
//!
//! Nothing is dropped silently (issue 12, items 20–22): births after the
//! last year of `births.csv` are extrapolated by the zone's mean yearly
//! change, with a warning; a school without history starts from its share
//! of its zone's births × the district's ratios, with a warning; a missing
//! row of a school that has history is an error naming school, grade and
//! year; a history of one year is an error.

mod entry;
mod scenario;
pub use entry::{entry_level, entry_warnings, EntryWarning, EntryWarnings, INTAKES_AHEAD};
pub use scenario::{block_entrants, redistribute, Move, MoveKind, Network, Timeline};

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::RangeInclusive;

use crate::domain::model::{BlockIx, ByGrade, Dataset, Grade, Level, SchoolIx, Status};
use crate::domain::scenario::ForecastPolicy;

/// Births per block and year.
pub type Births = HashMap<(BlockIx, i32), f64>;
/// Enrolled per school, grade and year.
pub type Enrollment = BTreeMap<(SchoolIx, u8, i32), f64>;
/// New households per block, year of completion and housing type.
pub type Housing = BTreeMap<(BlockIx, i32, HousingType), f64>;

/// A housing type of `housing.csv` (`commercial`, `resettlement`,
/// `affordable`, or one the scenario gives a yield).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HousingType(pub String);

impl HousingType {
    /// 商品房, the type of a row without one.
    pub fn commercial() -> HousingType {
        HousingType("commercial".into())
    }
}

/// The longest projection (`--years`): a planning horizon; cohort ratios
/// measured on a few years say nothing useful 50 years ahead, and the bound
/// keeps every year within `i32` and the reader's year range.
pub const MAX_YEARS: u32 = 50;
/// The most years of history a ratio may average (`years_back`).
pub const MAX_YEARS_BACK: usize = 50;
/// Births after the last year of `births.csv` follow the zone's mean yearly
/// change over this many years before it (or all years, if fewer).
pub const TREND_YEARS: i32 = 5;

/// The grades a school teaches (none for special schools, which are not
/// projected by cohort).
#[allow(clippy::reversed_empty_ranges)]
pub fn grades(level: Level) -> std::ops::RangeInclusive<u8> {
    match level {
        Level::Primary => 1..=6,
        Level::Junior => 7..=9,
        Level::NineYear => 1..=9,
        Level::Special => 1..=0,
    }
}

/// A zone as the projection sees it: its schools, each with its share of
/// the zone's children (the shares sum to 1).
pub type ZoneShares = Vec<(SchoolIx, f64)>;

/// The zones the projection works with: per block the grade-1 and grade-7
/// schools (from `zones.csv` and `zone_groups.csv`, else the nearest school
/// of the level).
pub struct Feeds {
    /// Per grade and block: one school with share 1, or the open schools of
    /// a multi-school zone with their shares by entry seats.
    pub zone: ByGrade<Vec<ZoneShares>>,
    /// Share of primary p's zone households going to junior j for grade 7.
    pub feeder: HashMap<SchoolIx, Vec<(SchoolIx, f64)>>,
}

/// The open schools of a multi-school zone with their shares by entry
/// seats (equal shares if none has seats); `None` if none is open. A
/// planner splits a shared zone's children the way the schools admit them:
/// by their places, not all to the first school listed.
pub fn split_by_seats(data: &Dataset, schools: &[SchoolIx]) -> Option<ZoneShares> {
    let open: Vec<SchoolIx> = schools
        .iter()
        .copied()
        .filter(|&s| data.school(s).status == Status::Open)
        .collect();
    if open.is_empty() {
        return None;
    }
    let total: f64 = open
        .iter()
        .map(|&s| f64::from(data.school(s).entry_seats.0))
        .sum();
    Some(
        open.iter()
            .map(|&s| {
                let share = if total > 0.0 {
                    f64::from(data.school(s).entry_seats.0) / total
                } else {
                    1.0 / open.len() as f64
                };
                (s, share)
            })
            .collect(),
    )
}

pub fn feeds(data: &Dataset) -> Feeds {
    let nearest = crate::spatial::distance::nearest_zones(data);
    let pick = |g: Grade, b: usize| -> ZoneShares {
        let given = data.zones.as_ref().and_then(|z| {
            z.school.get(g)[b].map(|s| vec![(s, 1.0)]).or_else(|| {
                z.group.get(g)[b]
                    .and_then(|gi| split_by_seats(data, &z.groups[gi as usize].schools))
            })
        });
        given
            .or_else(|| nearest.school.get(g)[b].map(|s| vec![(s, 1.0)]))
            .unwrap_or_default()
    };
    let zone = ByGrade::from_fn(|g| -> Vec<ZoneShares> {
        (0..data.blocks.len()).map(|b| pick(g, b)).collect()
    });
    let mut weights: BTreeMap<SchoolIx, BTreeMap<SchoolIx, f64>> = BTreeMap::new();
    for b in 0..data.blocks.len() {
        let hh = f64::from(data.blocks[b].households.max(1));
        for &(p, sp) in &zone.one[b] {
            for &(j, sj) in &zone.seven[b] {
                *weights.entry(p).or_default().entry(j).or_default() += hh * sp * sj;
            }
        }
    }
    let feeder = weights
        .into_iter()
        .map(|(p, m)| {
            let total: f64 = m.values().sum();
            (p, m.into_iter().map(|(j, w)| (j, w / total)).collect())
        })
        .collect();
    Feeds { zone, feeder }
}

/// The ratios used, so a planner can check them.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    pub school: SchoolIx,
    pub grade: u8,
    /// `births` for grade 1, `progression` otherwise.
    pub kind: &'static str,
    pub value: f64,
    /// `school`: measured on the school's own history; `district`: the
    /// district's pooled ratio, for a school without history or without a
    /// year to measure this grade on.
    pub source: &'static str,
}

/// The input file a note is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Births,
    History,
}

impl Source {
    pub fn file(self) -> &'static str {
        match self {
            Source::Births => "births.csv",
            Source::History => "enrollment_history.csv",
        }
    }
}

/// A warning (in [`Projection::notes`]) or an error (from [`project`])
/// about the projection's inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub source: Source,
    pub message: String,
}

impl Note {
    fn new(source: Source, message: impl Into<String>) -> Note {
        Note {
            source,
            message: message.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// (school, grade, year) → projected pupils: every open school of the
    /// projected levels, every grade it teaches, every projected year.
    pub enrolled: Enrollment,
    pub ratios: Vec<Ratio>,
    pub first_year: i32,
    pub last_year: i32,
    /// What the projection assumed where the inputs stop (extrapolated
    /// births, schools without history, district ratios): warnings.
    pub notes: Vec<Note>,
}

/// What [`project`] reads.
pub struct Inputs<'a> {
    pub data: &'a Dataset,
    pub feeds: &'a Feeds,
    pub births: &'a Births,
    pub history: &'a Enrollment,
    pub housing: &'a Housing,
    /// Schools the scenario adds (`new_schools`): they start empty.
    pub new_schools: &'a [SchoolIx],
}

/// Births per school (its share of each block's births) and year, with the
/// years `births.csv` covers.
struct BirthSeries {
    by: HashMap<(SchoolIx, i32), f64>,
    first: i32,
    last: i32,
}

impl BirthSeries {
    fn new(feeds: &Feeds, births: &Births) -> Option<BirthSeries> {
        let first = births.keys().map(|k| k.1).min()?;
        let last = births.keys().map(|k| k.1).max()?;
        let mut by = HashMap::new();
        // a fixed order, so sums of fractional births are the same every run
        let sorted: BTreeMap<(BlockIx, i32), f64> = births.iter().map(|(k, v)| (*k, *v)).collect();
        for (&(b, y), &n) in &sorted {
            for &(s, share) in &feeds.zone.one[b.ix()] {
                *by.entry((s, y)).or_insert(0.0) += n * share;
            }
        }
        Some(BirthSeries { by, first, last })
    }

    /// Births of a year `births.csv` covers; `None` outside them.
    fn observed(&self, s: SchoolIx, y: i32) -> Option<f64> {
        (self.first..=self.last)
            .contains(&y)
            .then(|| self.by.get(&(s, y)).copied().unwrap_or(0.0))
    }

    /// The years whose births follow the trend: `TREND_YEARS` before the
    /// last (fewer if the file is shorter).
    fn trend_span(&self) -> i32 {
        TREND_YEARS.min(self.last - self.first)
    }

    /// Births for a projection. After the last year of `births.csv`: that
    /// year's births plus the mean yearly change over the `TREND_YEARS`
    /// years before it, per year, never below 0 (a zone's births cannot be
    /// negative; a shrinking zone levels off at none). Before the first
    /// year (only to start a school without history): the first year's.
    fn projected(&self, s: SchoolIx, y: i32) -> f64 {
        let at = |y| self.by.get(&(s, y)).copied().unwrap_or(0.0);
        if y > self.last {
            let k = self.trend_span();
            let slope = if k > 0 {
                (at(self.last) - at(self.last - k)) / f64::from(k)
            } else {
                0.0
            };
            (at(self.last) + f64::from(y - self.last) * slope).max(0.0)
        } else {
            at(y.max(self.first))
        }
    }
}

/// The pupils new housing brings, per zone school, grade and year: a
/// stock, not a flow on top of the cohorts (issue 16). In its year of
/// completion `c` a block's new households bring households × yield(type,
/// g) pupils in every grade g, at the block's zone school(s) of the grade's
/// stage; these then age with their cohorts (the progression ratios carry
/// them). In each of the next five years grade 1 gets households ×
/// yield(type, 1) more: the estate's children who were under six at
/// completion. Its later children are born in the block, so `births.csv`
/// counts them where it covers their year (the trend beyond it does not:
/// README "Housing"). Grade 7 gets the estate's pupils through grade 6.
/// Completion years of the history are in the history already: only
/// their later entrants are added.
fn housing_by_school(
    feeds: &Feeds,
    housing: &Housing,
    policy: &ForecastPolicy,
) -> HashMap<(SchoolIx, u8, i32), f64> {
    let mut out = HashMap::new();
    for ((b, c, kind), &h) in housing {
        for g in 1..=9u8 {
            let Some(y1) = policy.yield_of(&kind.0, g) else {
                continue; // a type without a yield is refused by the reader
            };
            for &(s, share) in &feeds.zone.get(Grade::stage_of(g))[b.ix()] {
                let add = h * share * y1;
                *out.entry((s, g, *c)).or_insert(0.0) += add;
                if g == 1 {
                    for later in 1..=5 {
                        *out.entry((s, 1, c + later)).or_insert(0.0) += add;
                    }
                }
            }
        }
    }
    out
}

/// Observations of one ratio: (age in years, pupils, base).
type Obs = Vec<(f64, f64, f64)>;

/// The weighted mean of the observed ratios (`w^age` each).
fn weighted_mean(obs: &Obs, w: f64) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for &(age, now, base) in obs {
        let k = w.powf(age);
        num += k * now / base;
        den += k;
    }
    (den > 0.0).then(|| num / den)
}

/// The district's ratio: all schools' pupils over all their bases, each
/// year weighted `w^age` (a pooled ratio, so a small school's noisy year
/// does not count as much as a large school's).
fn pooled(obs: &[&Obs], w: f64) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for list in obs {
        for &(age, now, base) in *list {
            let k = w.powf(age);
            num += k * now;
            den += k * base;
        }
    }
    (den > 0.0).then(|| num / den)
}

/// The distinct years of a history, oldest first.
pub fn history_years(history: &Enrollment) -> Vec<i32> {
    let set: BTreeSet<i32> = history.keys().map(|k| k.2).collect();
    set.into_iter().collect()
}

/// Every row a school with history must have: every grade it teaches, in
/// every year from its first row to the last year of the file. A missing
/// row would otherwise drop a cohort silently; 0 is written for a grade
/// without pupils.
fn missing_rows(
    data: &Dataset,
    schools: &[SchoolIx],
    history: &Enrollment,
    last: i32,
) -> Vec<Note> {
    let mut first_of: HashMap<SchoolIx, i32> = HashMap::new();
    for &(s, _, y) in history.keys() {
        let f = first_of.entry(s).or_insert(y);
        *f = (*f).min(y);
    }
    let mut out = Vec::new();
    for &s in schools {
        let Some(&first) = first_of.get(&s) else {
            continue;
        };
        for y in first..=last {
            for g in grades(data.school(s).level) {
                if !history.contains_key(&(s, g, y)) {
                    out.push(Note::new(
                        Source::History,
                        format!(
                            "school `{}` grade {g} has no row for {y}; expected one row per grade and year from {first} (its first year) to {last} (write 0 for a grade without pupils)",
                            data.school(s).id
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Project `years` (1 to [`MAX_YEARS`]) years after the last year of the
/// history. Errors: a history of fewer than 2 years, a missing row of a
/// school with history, a ratio no school's history can measure.
pub fn project(
    inp: &Inputs<'_>,
    years: u32,
    policy: &ForecastPolicy,
) -> Result<Projection, Vec<Note>> {
    assert!(
        (1..=MAX_YEARS).contains(&years),
        "years checked by the caller"
    );
    assert!(
        (0.0..=1.0).contains(&policy.recent_weight)
            && (1..=MAX_YEARS_BACK).contains(&policy.years_back),
        "policy checked by the scenario reader"
    );
    let (setup, mut notes) = Setup::new(inp, policy)?;
    let mut all = setup.start();
    let measured = setup.measure(&mut all)?;
    let (ratio_of, ratios) = setup.school_ratios(&measured, &mut notes);
    let end = setup.last + years as i32;
    notes.extend(extrapolated_births(&setup.bs, setup.last, end));
    let enrolled = setup.roll_forward(inp, &ratio_of, end, &mut all);
    Ok(Projection {
        enrolled,
        ratios,
        first_year: setup.last + 1,
        last_year: end,
        notes,
    })
}

/// Pupils of a school, grade and year, if the table has the row.
fn pupils(m: &Enrollment, s: SchoolIx, g: u8, y: i32) -> Option<f64> {
    m.get(&(s, g, y)).copied()
}

/// The first and last years of the history; an error unless it has at
/// least 2 (a ratio from one year to the next needs both).
fn history_span(history: &Enrollment) -> Result<(i32, i32), Vec<Note>> {
    match history_years(history).as_slice() {
        [] => Err(vec![Note::new(
            Source::History,
            "no rows; expected at least 2 years of pupils per school and grade",
        )]),
        [y] => Err(vec![Note::new(
            Source::History,
            format!("one year of history ({y}); expected at least 2 consecutive years, so that the ratios from one year to the next can be measured"),
        )]),
        [f, .., l] => Ok((*f, *l)),
    }
}

/// The feeders of each junior school: (primary, share), in a fixed order
/// (so the sum of their grade 6 is the same every run).
struct Feeders(HashMap<SchoolIx, Vec<(SchoolIx, f64)>>);

impl Feeders {
    fn new(feeds: &Feeds) -> Feeders {
        let mut into: HashMap<SchoolIx, Vec<(SchoolIx, f64)>> = HashMap::new();
        for (&p, list) in &feeds.feeder {
            for &(j, share) in list {
                into.entry(j).or_default().push((p, share));
            }
        }
        for v in into.values_mut() {
            v.sort_by_key(|x| x.0);
        }
        Feeders(into)
    }

    /// The pupils junior school `j` takes into grade 7 in year `y + 1`:
    /// its feeders' grade 6 of year `y`, each × its share.
    fn input(&self, m: &Enrollment, j: SchoolIx, y: i32) -> f64 {
        self.0.get(&j).map_or(0.0, |l| {
            l.iter()
                .map(|&(p, share)| share * pupils(m, p, 6, y).unwrap_or(0.0))
                .sum()
        })
    }
}

/// The ratios measured on the history: per school and grade its
/// observations, per grade the district's pooled ratio.
struct Measured {
    obs: BTreeMap<(SchoolIx, u8), Obs>,
    district: BTreeMap<u8, f64>,
}

/// What the projection works from once its inputs are checked.
struct Setup<'a> {
    data: &'a Dataset,
    history: &'a Enrollment,
    policy: &'a ForecastPolicy,
    bs: BirthSeries,
    feeders: Feeders,
    /// The open schools projected (every level but special).
    schools: Vec<SchoolIx>,
    /// Schools new in the scenario: they start empty.
    new: HashSet<SchoolIx>,
    /// Schools with pupils in their history.
    real: Vec<SchoolIx>,
    /// Schools without (or with only 0): they start from births.
    started: Vec<SchoolIx>,
    first: i32,
    last: i32,
    /// The years whose ratios are averaged, newest first.
    window: Vec<i32>,
}

impl<'a> Setup<'a> {
    /// Checks the history and births, and sorts the schools by how they
    /// start; with the warnings about schools without history.
    fn new(
        inp: &Inputs<'a>,
        policy: &'a ForecastPolicy,
    ) -> Result<(Setup<'a>, Vec<Note>), Vec<Note>> {
        let (data, history) = (inp.data, inp.history);
        let (first, last) = history_span(history)?;
        let Some(bs) = BirthSeries::new(inp.feeds, inp.births) else {
            return Err(vec![Note::new(
                Source::Births,
                "no rows; expected births per block (or town) and year",
            )]);
        };
        // a private school (民办, issue 15) has no zone and admits those who
        // apply to it, so births and feeders do not project its intake; the
        // forecast (学位预警) is of the public schools
        let schools: Vec<SchoolIx> = (0..data.schools.len())
            .map(SchoolIx::from_ix)
            .filter(|&s| {
                let school = data.school(s);
                school.status == Status::Open
                    && school.level != Level::Special
                    && school.sector == crate::domain::routes::Sector::Public
            })
            .collect();
        let missing = missing_rows(data, &schools, history, last);
        if !missing.is_empty() {
            return Err(missing);
        }
        let new: HashSet<SchoolIx> = inp.new_schools.iter().copied().collect();
        let (real, started, notes) = sort_by_history(data, &schools, history, &new, last);
        let window: Vec<i32> = (0..policy.years_back as i32)
            .map(|k| last - k)
            .filter(|&y| y > first)
            .collect();
        let setup = Setup {
            data,
            history,
            policy,
            bs,
            feeders: Feeders::new(inp.feeds),
            schools,
            new,
            real,
            started,
            first,
            last,
            window,
        };
        Ok((setup, notes))
    }

    /// The history plus the start of the new schools: 0 in every grade in
    /// the last year of the history.
    fn start(&self) -> Enrollment {
        let mut all: Enrollment = self.history.clone();
        for &s in &self.schools {
            if self.new.contains(&s) && !self.real.contains(&s) {
                for g in grades(self.data.school(s).level) {
                    all.insert((s, g, self.last), 0.0);
                }
            }
        }
        all
    }

    /// Measures the ratios, grades 1–6 first: the grade 6 of every primary
    /// school, measured or started, is the base of grade 7. Adds to `all`
    /// the start of the schools without history.
    fn measure(&self, all: &mut Enrollment) -> Result<Measured, Vec<Note>> {
        let mut m = Measured {
            obs: BTreeMap::new(),
            district: BTreeMap::new(),
        };
        for phase in [1..=6u8, 7..=9u8] {
            self.observe(&phase, all, &mut m.obs);
            let errors = self.pool(&phase, &m.obs, &mut m.district);
            if !errors.is_empty() {
                return Err(errors);
            }
            self.start_without_history(&phase, &m.district, all);
        }
        Ok(m)
    }

    /// The observed ratios of the grades of `phase` of each school with
    /// history, in the window's years.
    fn observe(
        &self,
        phase: &RangeInclusive<u8>,
        all: &Enrollment,
        obs: &mut BTreeMap<(SchoolIx, u8), Obs>,
    ) {
        let (history, last) = (self.history, self.last);
        for &s in &self.real {
            for g in grades(self.data.school(s).level).filter(|g| phase.contains(g)) {
                let list: Obs = self
                    .window
                    .iter()
                    .filter_map(|&y| {
                        let now = pupils(history, s, g, y)?;
                        let base = match g {
                            1 => self.bs.observed(s, y - 6)?,
                            7 => self.feeders.input(all, s, y - 1),
                            _ => pupils(history, s, g - 1, y - 1)?,
                        };
                        (base > 0.0).then_some((f64::from(last - y), now, base))
                    })
                    .collect();
                obs.insert((s, g), list);
            }
        }
    }

    /// The district's ratio of each grade of `phase`, pooled over the
    /// schools; an error for a grade some school teaches but none measures.
    fn pool(
        &self,
        phase: &RangeInclusive<u8>,
        obs: &BTreeMap<(SchoolIx, u8), Obs>,
        district: &mut BTreeMap<u8, f64>,
    ) -> Vec<Note> {
        let (bs, last, policy) = (&self.bs, self.last, self.policy);
        let mut errors = Vec::new();
        for g in phase.clone() {
            let lists: Vec<&Obs> = obs
                .iter()
                .filter(|(k, _)| k.1 == g)
                .map(|(_, v)| v)
                .collect();
            let taught = self
                .schools
                .iter()
                .any(|&s| grades(self.data.school(s).level).contains(&g));
            match pooled(&lists, policy.recent_weight) {
                Some(r) => {
                    district.insert(g, r);
                }
                None if taught => errors.push(Note::new(
                    if g == 1 { Source::Births } else { Source::History },
                    if g == 1 {
                        format!("no school's grade 1 in {}–{last} has births six years before it in births.csv ({}–{}); expected births up to at least {} to measure the entry ratios", self.window.iter().min().unwrap_or(&last), bs.first, bs.last, last - 6)
                    } else {
                        format!("no school has pupils in grade {} and the next year's grade {g} in the last {} years; expected them to measure the progression ratio into grade {g}", if g == 7 { 6 } else { g - 1 }, policy.years_back)
                    },
                )),
                None => {}
            }
        }
        errors
    }

    /// The start of each school without history in the grades of `phase`,
    /// every year of the history: the cohort its share of the zone's
    /// births makes under the district's ratios (grade 7: its feeders'
    /// grade 6).
    fn start_without_history(
        &self,
        phase: &RangeInclusive<u8>,
        district: &BTreeMap<u8, f64>,
        all: &mut Enrollment,
    ) {
        let ratio = |g: u8| district.get(&g).copied().unwrap_or(0.0);
        for &s in &self.started {
            for y in self.first..=self.last {
                for g in grades(self.data.school(s).level).filter(|g| phase.contains(g)) {
                    let v = if g <= 6 {
                        self.bs.projected(s, y - 5 - i32::from(g))
                            * (1..=g).map(ratio).product::<f64>()
                    } else {
                        let from = (y - i32::from(g - 6)).max(self.first);
                        self.feeders.input(all, s, from) * (7..=g).map(ratio).product::<f64>()
                    };
                    all.insert((s, g, y), v);
                }
            }
        }
    }

    /// Each school's ratios: its own, else the district's (with a warning
    /// for a school with history).
    fn school_ratios(
        &self,
        m: &Measured,
        notes: &mut Vec<Note>,
    ) -> (HashMap<(SchoolIx, u8), f64>, Vec<Ratio>) {
        let mut ratio_of: HashMap<(SchoolIx, u8), f64> = HashMap::new();
        let mut ratios = Vec::new();
        for &s in &self.schools {
            for g in grades(self.data.school(s).level) {
                let own = m
                    .obs
                    .get(&(s, g))
                    .and_then(|o| weighted_mean(o, self.policy.recent_weight));
                let (value, source) = match own {
                    Some(r) => (r, "school"),
                    None => {
                        let r = m.district[&g];
                        if self.real.contains(&s) {
                            notes.push(Note::new(
                                Source::History,
                                format!("school `{}` grade {g}: no year of the last {} has a base above 0 to measure its ratio; the district's ratio {r:.4} is used", self.data.school(s).id, self.policy.years_back),
                            ));
                        }
                        (r, "district")
                    }
                };
                ratio_of.insert((s, g), value);
                ratios.push(Ratio {
                    school: s,
                    grade: g,
                    kind: if g == 1 { "births" } else { "progression" },
                    value,
                    source,
                });
            }
        }
        (ratio_of, ratios)
    }

    /// The projected years, `last + 1` to `end`, one after the other: each
    /// grade from the year before under the school's ratio, plus new
    /// housing. Adds them to `all` and returns them alone.
    fn roll_forward(
        &self,
        inp: &Inputs<'_>,
        ratio_of: &HashMap<(SchoolIx, u8), f64>,
        end: i32,
        all: &mut Enrollment,
    ) -> Enrollment {
        let hb = housing_by_school(inp.feeds, inp.housing, self.policy);
        let mut out = Enrollment::new();
        for y in self.last + 1..=end {
            for &s in &self.schools {
                for g in grades(self.data.school(s).level) {
                    let r = ratio_of[&(s, g)];
                    let mut v = r * match g {
                        1 => self.bs.projected(s, y - 6),
                        7 => self.feeders.input(all, s, y - 1),
                        // present: checked by `missing_rows`, or started above
                        _ => pupils(all, s, g - 1, y - 1).unwrap_or(0.0),
                    };
                    // new housing of the school's zone: its stock in the
                    // year of completion, then its young children entering
                    if let Some(h) = hb.get(&(s, g, y)) {
                        v += h;
                    }
                    all.insert((s, g, y), v);
                    out.insert((s, g, y), v);
                }
            }
        }
        out
    }
}

/// The schools with pupils in their history, and those without, which
/// start from births (a new school starts empty instead); with a warning
/// for each school without history.
fn sort_by_history(
    data: &Dataset,
    schools: &[SchoolIx],
    history: &Enrollment,
    new: &HashSet<SchoolIx>,
    last: i32,
) -> (Vec<SchoolIx>, Vec<SchoolIx>, Vec<Note>) {
    let mut rows_of: HashMap<SchoolIx, (usize, f64)> = HashMap::new();
    for (&(s, _, _), &v) in history {
        let e = rows_of.entry(s).or_default();
        e.0 += 1;
        e.1 += v;
    }
    let mut notes = Vec::new();
    let mut real: Vec<SchoolIx> = Vec::new();
    let mut started: Vec<SchoolIx> = Vec::new();
    for &s in schools {
        let id = &data.school(s).id;
        match rows_of.get(&s) {
            Some(&(_, total)) if total > 0.0 => real.push(s),
            _ if new.contains(&s) => notes.push(Note::new(
                Source::History,
                format!("school `{id}` is new in the scenario; it starts empty in {last} and takes grade 1 from its share of its zone's births × the district's entry ratio"),
            )),
            rows => {
                let why = if rows.is_some() { " (every row is 0)" } else { "" };
                notes.push(Note::new(
                    Source::History,
                    format!("school `{id}` has no history{why}; it starts in {last} from its share of its zone's births × the district's ratios (source `district` in ratios.csv)"),
                ));
                started.push(s);
            }
        }
    }
    (real, started, notes)
}

/// The warning that grade 1 of some projected year needs births after the
/// last year of `births.csv`, and how they are extrapolated; `None` if
/// the file covers them all.
fn extrapolated_births(bs: &BirthSeries, last: i32, end: i32) -> Option<Note> {
    if end - 6 <= bs.last {
        return None;
    }
    let from = (bs.last + 1).max(last + 1 - 6);
    let span = |a: i32, b: i32| {
        if a == b {
            a.to_string()
        } else {
            format!("{a}–{b}")
        }
    };
    Some(Note::new(
        Source::Births,
        format!(
            "births end in {}; grade 1 of {} needs the births of {}, extrapolated for each zone as its births of {} plus its mean yearly change over {}–{} per year (never below 0)",
            bs.last,
            span(from + 6, end),
            span(from, end - 6),
            bs.last,
            bs.last - bs.trend_span(),
            bs.last,
        ),
    ))
}

/// Warning levels of 学位预警.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Warning {
    None,
    Yellow,
    Orange,
    Red,
}

impl Warning {
    pub fn as_str(self) -> &'static str {
        match self {
            Warning::None => "",
            Warning::Yellow => "yellow",
            Warning::Orange => "orange",
            Warning::Red => "red",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShortfallRow {
    pub school: SchoolIx,
    pub year: i32,
    pub projected: f64,
    pub seats: u32,
    /// Projected minus seats: positive is a shortage, negative spare seats.
    pub shortfall: f64,
    pub classes_needed: u32,
    pub classes: u32,
    pub utilisation: f64,
    pub warning: Warning,
    /// Pupils per class if the school keeps its classes: above 55 is 大班额,
    /// above 65 超大班额 ([`crate::domain::model::LargeClass`]).
    pub pupils_per_class: f64,
}

/// Seats, shortfall and warning per school and projected year, on each
/// year's network. Seats are the entry seats after the class-size cap in
/// the entry grade (as `place` admits) and entry classes × standard class
/// size in every other grade the school teaches.
pub fn shortfall(tl: &Timeline, p: &Projection, policy: &ForecastPolicy) -> Vec<ShortfallRow> {
    let mut rows = Vec::new();
    let mut schools: Vec<SchoolIx> = p.enrolled.keys().map(|k| k.0).collect();
    schools.sort_unstable();
    schools.dedup();
    for s in schools {
        for y in p.first_year..=p.last_year {
            let school = tl.at(y).data.school(s);
            if !(0..=9).any(|g| p.enrolled.contains_key(&(s, g, y))) {
                continue;
            }
            let (mut projected, mut seats, mut needed, mut classes) = (0.0, 0u32, 0u32, 0u32);
            for g in grades(school.level) {
                let size = *policy.class_size.get(Grade::stage_of(g));
                let v = p.enrolled.get(&(s, g, y)).copied().unwrap_or(0.0);
                projected += v;
                // one notion of seats with `place` (issue 16): the entry
                // grade has the entry seats after the class-size cap (none
                // at a closed campus), the others their classes at the
                // standard size
                let open = school.status == Status::Open;
                // a campus phasing out (`entry_only`) keeps only the
                // classes of the grades it still teaches
                if !open && v <= 0.0 {
                    continue;
                }
                seats += if (g == 1 || g == 7) && open {
                    school.entry_seats.0
                } else {
                    school.classes * size
                };
                needed += (v.round() as u32).div_ceil(size);
                classes += school.classes;
            }
            let utilisation = if seats == 0 {
                0.0
            } else {
                projected / f64::from(seats)
            };
            let warning = if utilisation >= policy.red {
                Warning::Red
            } else if utilisation >= policy.orange {
                Warning::Orange
            } else if utilisation >= policy.yellow {
                Warning::Yellow
            } else {
                Warning::None
            };
            rows.push(ShortfallRow {
                school: s,
                year: y,
                projected,
                seats,
                shortfall: projected - f64::from(seats),
                classes_needed: needed,
                classes,
                utilisation,
                warning,
                pupils_per_class: if classes == 0 {
                    0.0
                } else {
                    projected / f64::from(classes)
                },
            });
        }
    }
    rows
}

/// Mean absolute percentage error of school totals per year (in %), per
/// school and over the district (all school-years pooled); `None` for the
/// district if no school had pupils in the years compared (no error can
/// be measured: "0%" would read as a perfect projection).
pub fn mape(actual: &Enrollment, projected: &Enrollment) -> (BTreeMap<SchoolIx, f64>, Option<f64>) {
    let mut totals: BTreeMap<(SchoolIx, i32), (f64, f64)> = BTreeMap::new();
    for (&(s, _, y), &p) in projected {
        totals.entry((s, y)).or_default().1 += p;
    }
    for (&(s, _, y), &a) in actual {
        if let Some(t) = totals.get_mut(&(s, y)) {
            t.0 += a;
        }
    }
    let mut per: BTreeMap<SchoolIx, (f64, usize)> = BTreeMap::new();
    let (mut sum, mut n) = (0.0, 0usize);
    for (&(s, _), &(a, p)) in &totals {
        if a > 0.0 {
            let e = 100.0 * (p - a).abs() / a;
            let x = per.entry(s).or_default();
            x.0 += e;
            x.1 += 1;
            sum += e;
            n += 1;
        }
    }
    (
        per.into_iter()
            .map(|(s, (e, k))| (s, e / k as f64))
            .collect(),
        (n > 0).then(|| sum / n as f64),
    )
}

/// Whether `--backtest k` can be run on this history: at least one year
/// hidden, and at least 2 years kept to measure the ratios on.
pub fn check_backtest(history: &Enrollment, k: u32) -> Result<(), String> {
    let years = history_years(history);
    let n = years.len();
    let max = n.saturating_sub(2);
    let (a, b) = (
        years.first().copied().unwrap_or(0),
        years.last().copied().unwrap_or(0),
    );
    if max == 0 {
        return Err(format!(
            "--backtest {k}; the history has {n} years ({a}–{b}), expected at least 3: 2 kept to measure the ratios and 1 hidden"
        ));
    }
    if k == 0 || k as usize > max {
        return Err(format!(
            "--backtest {k}; expected 1 to {max} (the history has {n} years, {a}–{b}, and 2 must stay to measure the ratios)"
        ));
    }
    Ok(())
}

/// Hide the last `k` years of history (checked by [`check_backtest`]),
/// project them, and score the projection (MAPE per school and for the
/// district).
pub fn backtest(inp: &Inputs<'_>, k: u32, policy: &ForecastPolicy) -> Result<Backtest, Vec<Note>> {
    let last = inp.history.keys().map(|x| x.2).max().unwrap_or(0);
    let cut = last - k as i32;
    let known: Enrollment = inp
        .history
        .iter()
        .filter(|(x, _)| x.2 <= cut)
        .map(|(x, v)| (*x, *v))
        .collect();
    let hidden: Enrollment = inp
        .history
        .iter()
        .filter(|(x, _)| x.2 > cut)
        .map(|(x, v)| (*x, *v))
        .collect();
    let p = project(
        &Inputs {
            history: &known,
            ..*inp
        },
        k,
        policy,
    )?;
    // the error by lead time: the district's MAPE of each hidden year
    // alone (a planner reads "one year ahead x%, three years ahead y%")
    let of_year = |m: &Enrollment, y: i32| -> Enrollment {
        m.iter()
            .filter(|(x, _)| x.2 == y)
            .map(|(x, v)| (*x, *v))
            .collect()
    };
    let by_lead: Vec<(u32, f64)> = (1..=k)
        .filter_map(|lead| {
            let y = cut + lead as i32;
            mape(&of_year(&hidden, y), &of_year(&p.enrolled, y))
                .1
                .map(|e| (lead, e))
        })
        .collect();
    match mape(&hidden, &p.enrolled) {
        (per_school, Some(district)) => Ok(Backtest {
            per_school,
            district,
            by_lead,
            years: k,
        }),
        (_, None) => Err(vec![Note::new(
            Source::History,
            format!("no school has pupils in {}–{last}, the years the backtest hides; expected pupils to compare the projection with", cut + 1),
        )]),
    }
}

/// A backtest's score: the last `years` years of history hidden and
/// projected ([`backtest`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    /// MAPE (%) per school.
    pub per_school: BTreeMap<SchoolIx, f64>,
    /// MAPE (%) of the district.
    pub district: f64,
    /// MAPE (%) of the district per lead time: (years ahead, MAPE).
    pub by_lead: Vec<(u32, f64)>,
    pub years: u32,
}

/// What `sunshine forecast` computes: the projection, its shortfall rows,
/// and the backtest when one was asked for.
pub struct Forecast {
    /// The projection on the scenario's networks.
    pub projection: Projection,
    /// The projection of the network as read (equal to `projection` for a
    /// scenario without changes).
    pub baseline: Projection,
    /// Pupils the scenario's changes moved, per year.
    pub moves: Vec<Move>,
    /// The network of each projected year.
    pub timeline: Timeline,
    /// Entry-grade warnings of the next three intakes.
    pub entry_warnings: EntryWarnings,
    pub shortfall: Vec<ShortfallRow>,
    /// The backtest's score, or the notes on why its projection failed.
    /// Kept apart from the projection's result so that the projection's
    /// warnings are reported before a failed backtest's errors.
    pub backtest: Option<Result<Backtest, Vec<Note>>>,
}

/// Why there is no forecast at all.
#[derive(Clone, Debug, PartialEq)]
pub enum ForecastError {
    /// The projection failed on its inputs ([`project`]).
    Inputs(Vec<Note>),
    /// The history is too short for the backtest asked for
    /// ([`check_backtest`]; a usage error).
    Backtest(String),
}

/// A forecast under a scenario (issue 16): the baseline projection (the
/// network as read), its pupils placed on each year's network, and the
/// moves the scenario's changes cause ([`redistribute`]).
pub struct ScenarioProjection {
    /// The projection of the network as read.
    pub baseline: Projection,
    /// The same pupils on the scenario's networks: the district's pupils
    /// per grade and year are the baseline's.
    pub projection: Projection,
    pub moves: Vec<Move>,
    pub timeline: Timeline,
}

/// Project `years` years on the network as read (`inp.data`, the dataset
/// before the scenario's changes), then place the pupils on the
/// scenario's network of each year.
pub fn project_scenario(
    inp: &Inputs<'_>,
    scenario: &crate::domain::scenario::Scenario,
    years: u32,
    policy: &ForecastPolicy,
) -> Result<ScenarioProjection, Vec<Note>> {
    let baseline = project(inp, years, policy)?;
    let timeline = Timeline::new(inp.data, scenario, baseline.first_year..=baseline.last_year);
    let (enrolled, moves) = redistribute(inp.data, inp.feeds, inp.births, &baseline, &timeline);
    let projection = Projection {
        enrolled,
        ..baseline.clone()
    };
    Ok(ScenarioProjection {
        baseline,
        projection,
        moves,
        timeline,
    })
}

/// Project `years` years, then the shortfall, then (for `backtest = Some(k)`)
/// the backtest hiding `k` years. The projection's errors come first; the
/// backtest's bound is checked only on a history the projection accepted.
pub fn run(
    inp: &Inputs<'_>,
    scenario: &crate::domain::scenario::Scenario,
    years: u32,
    backtest: Option<u32>,
    policy: &ForecastPolicy,
) -> Result<Forecast, ForecastError> {
    let sp = project_scenario(inp, scenario, years, policy).map_err(ForecastError::Inputs)?;
    if let Some(k) = backtest {
        check_backtest(inp.history, k).map_err(ForecastError::Backtest)?;
    }
    let shortfall = shortfall(&sp.timeline, &sp.projection, policy);
    let entry = entry_warnings(inp.data, scenario, &sp.projection, &sp.timeline, policy);
    let backtest = backtest.map(|k| self::backtest(inp, k, policy));
    Ok(Forecast {
        projection: sp.projection,
        baseline: sp.baseline,
        moves: sp.moves,
        timeline: sp.timeline,
        shortfall,
        entry_warnings: entry,
        backtest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::*;

    /// The one block of the hand-worked examples.
    fn one_block() -> Block {
        Block {
            id: BlockId::new("b"),
            name: "b".into(),
            town: "t".into(),
            location: geo::Point::new(126.505, 43.9),
            households: 100,
        }
    }

    fn school(id: &str, level: Level, lon: f64) -> School {
        School {
            id: SchoolId::new(id),
            name: id.into(),
            level,
            location: geo::Point::new(lon, 43.9),
            town: "t".into(),
            entry_seats: Seats(45),
            classes: 1,
            max_class_size: 45,
            boarding: false,
            status: Status::Open,
            annual_cost: None,
            sector: Default::default(),
            district: None,
        }
    }

    fn inputs<'a>(
        data: &'a Dataset,
        feeds: &'a Feeds,
        births: &'a Births,
        history: &'a Enrollment,
        housing: &'a Housing,
    ) -> Inputs<'a> {
        Inputs {
            data,
            feeds,
            births,
            history,
            housing,
            new_schools: &[],
        }
    }

    /// One primary school P, one junior J, one block; worked by hand.
    fn tiny() -> (Dataset, Births, Enrollment) {
        let data = Dataset {
            schools: vec![
                school("P", Level::Primary, 126.5),
                school("J", Level::Junior, 126.51),
            ],
            blocks: vec![one_block()],
            students: vec![],
            zones: None,
            seat_history: Vec::new(),
            feeders: Vec::new(),
            district_names: Vec::new(),
        };
        let b = BlockIx(0);
        let births: Births = [(2017, 50.0), (2018, 40.0), (2019, 44.0), (2020, 30.0)]
            .into_iter()
            .map(|(y, n)| ((b, y), n))
            .collect();
        let (p, j) = (SchoolIx(0), SchoolIx(1));
        let mut h = Enrollment::new();
        // grade 1 = 0.9 × births six years before
        h.insert((p, 1, 2023), 45.0); // births 2017: 50 → ratio 0.9
        h.insert((p, 1, 2024), 36.0); // births 2018: 40 → 0.9
        for g in 2..=6u8 {
            h.insert((p, g, 2023), 40.0);
            h.insert((p, g, 2024), 38.0); // from 40 → progression 0.95
        }
        h.insert((p, 2, 2024), 42.75); // from grade 1's 45 → 0.95
        h.insert((j, 7, 2023), 40.0);
        h.insert((j, 7, 2024), 40.0); // from P's grade 6 in 2023 (40) → 1.0
        for g in 8..=9u8 {
            h.insert((j, g, 2023), 40.0);
            h.insert((j, g, 2024), 36.0); // 0.9
        }
        (data, births, h)
    }

    #[test]
    fn cohort_survival_by_hand() {
        let (data, births, h) = tiny();
        let feeds = feeds(&data);
        let policy = ForecastPolicy {
            years_back: 1,
            ..Default::default()
        };
        let housing = Housing::new();
        let p = project(&inputs(&data, &feeds, &births, &h, &housing), 2, &policy).unwrap();
        assert!(p.notes.is_empty(), "{:?}", p.notes);
        let (ps, js) = (SchoolIx(0), SchoolIx(1));
        let at = |s, g, y| p.enrolled[&(s, g, y)];
        // 2025: grade 1 = births 2019 (44) × 0.9 = 39.6; grade 2 = 36 × 0.95 = 34.2
        assert!((at(ps, 1, 2025) - 39.6).abs() < 1e-9);
        assert!((at(ps, 2, 2025) - 34.2).abs() < 1e-9);
        // grade 7 = P's grade 6 in 2024 (38) × 1.0; grade 8 = 40 × 0.9
        assert!((at(js, 7, 2025) - 38.0).abs() < 1e-9);
        assert!((at(js, 8, 2025) - 36.0).abs() < 1e-9);
        // 2026: grade 1 = births 2020 (30) × 0.9 = 27; grade 2 = 39.6 × 0.95 = 37.62
        assert!((at(ps, 1, 2026) - 27.0).abs() < 1e-9);
        assert!((at(ps, 2, 2026) - 37.62).abs() < 1e-9);
        // grade 7 in 2026 = P's projected grade 6 in 2025 (38 × 0.95 = 36.1)
        assert!((at(js, 7, 2026) - 36.1).abs() < 1e-9);
        // the shortfall is projected minus seats (1 class × 45 per grade)
        let plain = crate::domain::scenario::Scenario::plain("t", Grade::One, 1);
        let tl = Timeline::new(&data, &plain, p.first_year..=p.last_year);
        for r in shortfall(&tl, &p, &policy) {
            let sum: f64 = grades(data.school(r.school).level)
                .map(|g| p.enrolled[&(r.school, g, r.year)])
                .sum();
            assert!((r.projected - sum).abs() < 1e-9);
            assert!((r.shortfall - (sum - f64::from(r.seats))).abs() < 1e-9);
        }
    }

    #[test]
    fn mape_on_a_constructed_series() {
        let s = SchoolIx(0);
        let actual: Enrollment = [
            ((s, 1, 2024), 100.0),
            ((s, 2, 2024), 100.0),
            ((s, 1, 2025), 50.0),
        ]
        .into_iter()
        .collect();
        let projected: Enrollment = [
            ((s, 1, 2024), 110.0),
            ((s, 2, 2024), 110.0),
            ((s, 1, 2025), 40.0),
        ]
        .into_iter()
        .collect();
        // 2024: |220 - 200| / 200 = 10%; 2025: |40 - 50| / 50 = 20%; mean 15%
        let (per, district) = mape(&actual, &projected);
        assert!((per[&s] - 15.0).abs() < 1e-9);
        assert!((district.unwrap() - 15.0).abs() < 1e-9);
        // nothing to compare with is no measurement, not 0%
        let zero: Enrollment = [((s, 1, 2024), 0.0)].into_iter().collect();
        assert_eq!(mape(&zero, &projected).1, None);
    }

    /// Two primary schools P (90 seats) and Q (45) share the multi-school
    /// zone of the only block; J is the junior school.
    fn shared_zone() -> (Dataset, Births, Enrollment) {
        let mut p = school("P", Level::Primary, 126.5);
        p.entry_seats = Seats(90);
        let q = school("Q", Level::Primary, 126.502);
        let mut data = Dataset {
            schools: vec![p, q, school("J", Level::Junior, 126.51)],
            blocks: vec![one_block()],
            students: vec![],
            zones: None,
            seat_history: Vec::new(),
            feeders: Vec::new(),
            district_names: Vec::new(),
        };
        let mut z = Zones::new(1);
        z.groups.push(ZoneGroup {
            id: "G".into(),
            schools: vec![SchoolIx(0), SchoolIx(1)],
        });
        z.group.one[0] = Some(0);
        z.school.seven[0] = Some(SchoolIx(2));
        data.zones = Some(z);
        let b = BlockIx(0);
        // 2010: 300, falling by 10 a year to 2020: 200
        let births: Births = (2010..=2020)
            .map(|y| ((b, y), f64::from(300 - 10 * (y - 2010))))
            .collect();
        let mut h = Enrollment::new();
        for y in 2023..=2024 {
            let born = f64::from(300 - 10 * (y - 6 - 2010));
            // P admits 0.9 of its 2/3, Q 0.6 of its 1/3
            h.insert((SchoolIx(0), 1, y), born * 2.0 / 3.0 * 0.9);
            h.insert((SchoolIx(1), 1, y), born / 3.0 * 0.6);
            for g in 2..=6 {
                h.insert((SchoolIx(0), g, y), 100.0);
                h.insert((SchoolIx(1), g, y), 50.0);
            }
            for g in 7..=9 {
                h.insert((SchoolIx(2), g, y), 150.0);
            }
        }
        // grade 2 of 2024 is all of grade 1 of 2023: progression 1
        for s in [SchoolIx(0), SchoolIx(1)] {
            let g1 = h[&(s, 1, 2023)];
            h.insert((s, 2, 2024), g1);
        }
        (data, births, h)
    }

    #[test]
    fn a_multi_school_zone_splits_its_births_by_seats() {
        let (data, births, h) = shared_zone();
        let f = feeds(&data);
        assert_eq!(
            f.zone.one[0],
            vec![(SchoolIx(0), 2.0 / 3.0), (SchoolIx(1), 1.0 / 3.0)]
        );
        // the grade-7 input of J is both schools' grade 6
        assert_eq!(f.feeder.len(), 2);
        let housing = Housing::new();
        let policy = ForecastPolicy::default();
        let p = project(&inputs(&data, &f, &births, &h, &housing), 3, &policy).unwrap();
        for y in 2025..=2027 {
            let born = f64::from(300 - 10 * (y - 6 - 2010));
            let (gp, gq) = (
                p.enrolled[&(SchoolIx(0), 1, y)],
                p.enrolled[&(SchoolIx(1), 1, y)],
            );
            assert!((gp - born * 2.0 / 3.0 * 0.9).abs() < 1e-9, "{y}: {gp}");
            assert!((gq - born / 3.0 * 0.6).abs() < 1e-9, "{y}: {gq}");
            // nothing lost: the zone's grade 1 is its births × the ratios
            assert!((gp + gq - born * (0.6 + 0.2)).abs() < 1e-9);
        }
    }

    /// A private school (民办, issue 15) has no zone and no history: the
    /// forecast leaves it out (no warning, no row) and projects the public
    /// schools as before.
    #[test]
    fn a_private_school_is_not_projected() {
        let (mut data, births, h) = shared_zone();
        let f = feeds(&data);
        let housing = Housing::new();
        let policy = ForecastPolicy::default();
        let before = project(&inputs(&data, &f, &births, &h, &housing), 3, &policy).unwrap();
        let mut m = school("M", Level::Junior, 126.6);
        m.sector = crate::domain::routes::Sector::Private;
        data.schools.push(m);
        let f = feeds(&data);
        let p = project(&inputs(&data, &f, &births, &h, &housing), 3, &policy).unwrap();
        assert!(p.enrolled.keys().all(|k| k.0 != SchoolIx(3)));
        assert_eq!(p.enrolled, before.enrolled);
        assert_eq!(p.notes.len(), before.notes.len());
    }

    #[test]
    fn births_after_the_file_follow_the_zones_mean_yearly_change() {
        let (data, births, h) = shared_zone();
        let f = feeds(&data);
        let housing = Housing::new();
        let policy = ForecastPolicy::default();
        // 2024 + 36 = 2060: births of 2021–2054 are extrapolated
        let p = project(&inputs(&data, &f, &births, &h, &housing), 36, &policy).unwrap();
        let note = p
            .notes
            .iter()
            .find(|n| n.source == Source::Births)
            .expect("a warning");
        assert!(
            note.message.contains("births end in 2020; grade 1 of 2027–2060 needs the births of 2021–2054, extrapolated")
                && note.message.contains("2015–2020"),
            "{}",
            note.message
        );
        // the zone lost 10 births a year over 2015–2020: 190 in 2021, …,
        // 0 from 2040 on (never negative)
        for (y, born) in [
            (2027, 190.0),
            (2030, 160.0),
            (2045, 10.0),
            (2046, 0.0),
            (2060, 0.0),
        ] {
            let g1 = p.enrolled[&(SchoolIx(0), 1, y)] + p.enrolled[&(SchoolIx(1), 1, y)];
            assert!((g1 - born * 0.8).abs() < 1e-9, "{y}: {g1}");
        }
    }

    #[test]
    fn schools_without_history_start_from_their_share_of_births() {
        let (mut data, births, mut h) = shared_zone();
        h.retain(|k, _| k.0 != SchoolIx(1));
        // a new school of the scenario, alone in its zone far away
        let mut n = school("N", Level::Primary, 127.5);
        n.entry_seats = Seats(45);
        data.schools.push(n);
        data.blocks.push(Block {
            id: BlockId::new("far"),
            name: "far".into(),
            town: "t".into(),
            location: geo::Point::new(127.5, 43.9),
            households: 10,
        });
        let z = data.zones.as_mut().unwrap();
        z.school.one.push(Some(SchoolIx(3)));
        z.school.seven.push(Some(SchoolIx(2)));
        z.group.one.push(None);
        z.group.seven.push(None);
        let births: Births = births
            .into_iter()
            .chain((2010..=2020).map(|y| ((BlockIx(1), y), 30.0)))
            .collect();
        let f = feeds(&data);
        let housing = Housing::new();
        let policy = ForecastPolicy::default();
        let inp = Inputs {
            new_schools: &[SchoolIx(3)],
            ..inputs(&data, &f, &births, &h, &housing)
        };
        let p = project(&inp, 2, &policy).unwrap();
        let messages: Vec<&str> = p.notes.iter().map(|n| n.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("school `Q` has no history; it starts in 2024")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("school `N` is new in the scenario")),
            "{messages:?}"
        );
        // Q takes P's ratios (the district's, P being the only school with
        // history): entry 0.9, progression 100/100 = 1
        let q = |g, y| p.enrolled[&(SchoolIx(1), g, y)];
        let born = |y: i32| f64::from(300 - 10 * (y - 2010));
        assert!((q(1, 2025) - born(2019) / 3.0 * 0.9).abs() < 1e-9);
        // grade 2 of 2025 is the grade 1 of 2024 it starts from
        assert!((q(2, 2025) - born(2018) / 3.0 * 0.9).abs() < 1e-9);
        // grade 6 of 2025: births of 2014 (grade 1 of 2020)
        assert!((q(6, 2025) - born(2014) / 3.0 * 0.9).abs() < 1e-9);
        let r = p
            .ratios
            .iter()
            .find(|r| r.school == SchoolIx(1) && r.grade == 1)
            .unwrap();
        assert_eq!(r.source, "district");
        // N starts empty: grade 1 from its births, grade 2 from its grade 1
        let nn = |g, y| p.enrolled[&(SchoolIx(3), g, y)];
        assert!((nn(1, 2025) - 30.0 * 0.9).abs() < 1e-9);
        assert_eq!(nn(2, 2025), 0.0);
        assert!((nn(2, 2026) - 30.0 * 0.9).abs() < 1e-9);
        assert_eq!(nn(6, 2026), 0.0);
    }

    #[test]
    fn a_missing_row_and_a_single_year_are_errors() {
        let (data, births, mut h) = shared_zone();
        let f = feeds(&data);
        let housing = Housing::new();
        let policy = ForecastPolicy::default();
        h.remove(&(SchoolIx(0), 4, 2024));
        let e = project(&inputs(&data, &f, &births, &h, &housing), 2, &policy).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].source, Source::History);
        assert!(
            e[0].message.starts_with("school `P` grade 4 has no row for 2024; expected one row per grade and year from 2023"),
            "{}",
            e[0].message
        );
        h.retain(|k, _| k.2 == 2024);
        let e = project(&inputs(&data, &f, &births, &h, &housing), 2, &policy).unwrap_err();
        assert!(
            e[0].message
                .starts_with("one year of history (2024); expected at least 2"),
            "{e:?}"
        );
        // a backtest needs 2 kept years and 1 hidden
        let (_, _, h) = shared_zone();
        assert!(check_backtest(&h, 1)
            .unwrap_err()
            .contains("expected at least 3"));
    }
}
