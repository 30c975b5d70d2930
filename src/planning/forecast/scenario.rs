//! The forecast under a scenario's changes (issue 16): closures, mergers,
//! capacity changes and new schools from their effective year, with the
//! pupils of a closed school followed to where they go.
//!
//! The method keeps the district's pupils by construction. The cohort
//! projection runs once, on the network as read (the *baseline*: every
//! school's births, ratios and history as observed). Each year's pupils of
//! each baseline school (its *origin* pupils) are then placed on that
//! year's network ([`Timeline`]):
//!
//! - **Entrants** (grades 1 and 7) live in the origin school's blocks. A
//!   block stays with its school while the school still zones it; a block
//!   whose school closed or merged goes to the block's zone school(s) in
//!   that year's network: the receiving school of a merger, or, after a
//!   closure, the nearest open school of the level (the zoning by distance
//!   `place` gives the blocks of a closed school, without the seat limit).
//!   The blocks are weighted by their births six years before (grade 1)
//!   or their households (grade 7).
//! - **Enrolled pupils** (grades 2–6, 8–9) stay where their cohort entered.
//!   When that school closes with `phase_out = "all_grades"` they move in
//!   the change's year as its entrants would (to the receiving school, or
//!   by block to the new zone schools); with `"entry_only"` they stay and
//!   finish there.
//!
//! Every origin's pupils are split by shares that sum to 1, so the
//! district's pupils per grade and year equal the baseline's (tested in
//! `tests/forecast_scenario.rs`), and every share that leaves its origin
//! is a [`Move`], which the report lists as "where the pupils went".

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;

use super::{feeds, grades, Births, Enrollment, Feeds, Projection};
use crate::domain::model::{Dataset, Grade, Level, SchoolIx, Status};
use crate::domain::routes::Sector;
use crate::domain::scenario::{FutureSchools, PhaseOut, Scenario};
use crate::spatial::distance::{DistanceSource, GreatCircle};

/// One year's school network under the scenario.
pub struct Network {
    /// The dataset with the changes due by that year, with every new school
    /// at its place (not yet open before its year), class-size cap applied.
    pub data: Dataset,
    /// Its zones as the projection reads them.
    pub feeds: Feeds,
    /// Per school: the phase-out rule of the change that closed it (`None`:
    /// open, or closing in schools.csv).
    pub phase_out: Vec<Option<PhaseOut>>,
    /// Whether any change is due in this network (else pupils stay at
    /// their origin school; the fast path of a scenario without changes).
    pub changed: bool,
}

/// The networks of the projected years.
pub struct Timeline {
    networks: Vec<Network>,
    /// Per projected year (from `years.start()`), its network.
    year_ix: Vec<usize>,
    years: RangeInclusive<i32>,
}

impl Timeline {
    /// The network of every year of `years`: one per distinct set of
    /// changes in effect (a change applies from its effective year on).
    pub fn new(base: &Dataset, scenario: &Scenario, years: RangeInclusive<i32>) -> Timeline {
        // the networks need schools and zones, not the applicants
        let mut lean = base.clone();
        lean.students = Vec::new();
        lean.seat_history = Vec::new();
        let change_years = scenario.change_years();
        let mut networks: Vec<Network> = Vec::new();
        let mut by_due: HashMap<usize, usize> = HashMap::new();
        let mut year_ix = Vec::new();
        for y in years.clone() {
            let due = change_years.iter().filter(|&&c| c <= y).count();
            let ix = *by_due.entry(due).or_insert_with(|| {
                networks.push(network(&lean, scenario, y, due > 0));
                networks.len() - 1
            });
            year_ix.push(ix);
        }
        Timeline {
            networks,
            year_ix,
            years,
        }
    }

    /// The network of projected year `y`.
    pub fn at(&self, y: i32) -> &Network {
        let i = usize::try_from(y - self.years.start()).expect("a projected year");
        &self.networks[self.year_ix[i]]
    }

    /// The projected years.
    pub fn years(&self) -> RangeInclusive<i32> {
        self.years.clone()
    }

    /// The schools of every network (the baseline's, then the scenario's
    /// new ones), from the last year's network.
    pub fn last(&self) -> &Network {
        self.at(*self.years.end())
    }
}

/// The network of year `y`, with the phase-out rule of each closed school.
fn network(lean: &Dataset, scenario: &Scenario, y: i32, changed: bool) -> Network {
    let applied = scenario.applied_as_of(lean.clone(), y, FutureSchools::NotYetOpen);
    let data = applied.data;
    let lookup = data.school_lookup();
    let mut phase_out: Vec<Option<PhaseOut>> = vec![None; data.schools.len()];
    let mut set = |id: &str, p: PhaseOut| {
        if let Some(&s) = lookup.get(id) {
            if data.school(s).status != Status::Open {
                phase_out[s.ix()] = Some(p);
            }
        }
    };
    for c in &scenario.closures {
        if scenario.effective(c.year) <= y {
            set(c.school.as_str(), c.phase_out);
        }
    }
    for m in &scenario.mergers {
        if scenario.effective(m.year) <= y && m.branch_seats.is_none() {
            set(m.from.as_str(), m.phase_out);
        }
    }
    drop(lookup);
    let feeds = feeds(&data);
    Network {
        data,
        feeds,
        phase_out,
        changed,
    }
}

/// Pupils a change moved away from a school in one year.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    pub year: i32,
    /// Where they would be without the scenario (the origin school), or,
    /// for enrolled pupils, the school that closed under them.
    pub from: SchoolIx,
    pub to: SchoolIx,
    pub grade: u8,
    pub pupils: f64,
    pub kind: MoveKind,
}

/// Who moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MoveKind {
    /// Entrants of a closed or merged school's blocks, zoned elsewhere.
    Entrants,
    /// Pupils already enrolled, moved when their school closed
    /// (`phase_out = "all_grades"`).
    Enrolled,
}

impl MoveKind {
    /// The spelling of `moves.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            MoveKind::Entrants => "entrants",
            MoveKind::Enrolled => "enrolled",
        }
    }
}

/// Where a share of pupils is: (school, share), shares summing to 1.
type Split = Vec<(SchoolIx, f64)>;

/// One year's entrant splits per school and stage.
type Memo = HashMap<(SchoolIx, Grade), Split>;

/// The blocks of each baseline school's zone per stage, with the school's
/// share of each (a multi-school zone splits its blocks by seats).
struct Origins {
    blocks: HashMap<(SchoolIx, Grade), Vec<(usize, f64)>>,
}

impl Origins {
    fn new(base: &Feeds) -> Origins {
        let mut blocks: HashMap<(SchoolIx, Grade), Vec<(usize, f64)>> = HashMap::new();
        for (g, zone) in base.zone.iter() {
            for (b, shares) in zone.iter().enumerate() {
                for &(s, share) in shares {
                    blocks.entry((s, g)).or_default().push((b, share));
                }
            }
        }
        Origins { blocks }
    }
}

/// What the redistribution reads.
struct Redistribute<'a> {
    base: &'a Dataset,
    timeline: &'a Timeline,
    births: &'a Births,
    births_last: i32,
    origins: Origins,
}

impl Redistribute<'_> {
    /// The weight of block `b` among the entrants of stage `e` in year `y`:
    /// its births six years before (the last year of births.csv for later
    /// years) for grade 1, its households for grade 7.
    fn weight(&self, b: usize, e: Grade, y: i32) -> f64 {
        match e {
            Grade::One => {
                let by = (y - 6).min(self.births_last);
                self.births
                    .get(&(crate::domain::model::BlockIx::from_ix(b), by))
                    .copied()
                    .unwrap_or(0.0)
            }
            Grade::Seven => f64::from(self.base.blocks[b].households.max(1)),
        }
    }

    /// Where the entrants of stage `e` of school `s`'s blocks go in year
    /// `y` (see the module documentation).
    fn entrants(&self, s: SchoolIx, e: Grade, y: i32) -> Split {
        let net = self.timeline.at(y);
        if !net.changed {
            return vec![(s, 1.0)];
        }
        let mut acc: BTreeMap<SchoolIx, f64> = BTreeMap::new();
        let mut total = 0.0;
        let zone = net.feeds.zone.get(e);
        for &(b, share) in self.origins.blocks.get(&(s, e)).map_or(&[][..], |v| &v[..]) {
            let w = self.weight(b, e, y) * share;
            if w <= 0.0 {
                continue;
            }
            total += w;
            let z = &zone[b];
            if z.is_empty() || z.iter().any(|&(d, _)| d == s) {
                // still its school's (or no school of the level is open:
                // the pupils stay where they are, and the report shows it)
                *acc.entry(s).or_insert(0.0) += w;
            } else {
                for &(d, sh) in z {
                    *acc.entry(d).or_insert(0.0) += w * sh;
                }
            }
        }
        if total <= 0.0 {
            return vec![(self.without_blocks(s, e, net), 1.0)];
        }
        acc.into_iter().map(|(d, w)| (d, w / total)).collect()
    }

    /// [`Redistribute::entrants`], computed once per school and stage in
    /// a year (`memo` holds one year's): every cohort of a closed school
    /// asks for the same split.
    fn entrants_memo<'m>(&self, s: SchoolIx, e: Grade, y: i32, memo: &'m mut Memo) -> &'m Split {
        memo.entry((s, e)).or_insert_with(|| self.entrants(s, e, y))
    }

    /// Where pupils of a school without weighted blocks go: the school if
    /// it is open, else the nearest open public school teaching the stage,
    /// else nowhere else (they stay).
    fn without_blocks(&self, s: SchoolIx, e: Grade, net: &Network) -> SchoolIx {
        let school = net.data.school(s);
        if school.status == Status::Open {
            return s;
        }
        net.data
            .mainstream_schools(e)
            .into_iter()
            .filter(|&d| net.data.school(d).level != Level::Special)
            .min_by(|&a, &b| {
                let d = |x: SchoolIx| {
                    GreatCircle
                        .metres(school.location, net.data.school(x).location)
                        .map_or(u32::MAX, |m| m.0)
                };
                d(a).cmp(&d(b)).then(a.cmp(&b))
            })
            .unwrap_or(s)
    }

    /// Enrolled pupils of grade `g` in year `y`, split as `from` the year
    /// before: each share at a school that closed with `all_grades` moves
    /// like that school's entrants; the moves are added to `moves` (per
    /// pupil of the origin: × the origin's pupils by the caller).
    fn carry(
        &self,
        from: &Split,
        g: u8,
        y: i32,
        memo: &mut Memo,
        moved: &mut Vec<(SchoolIx, SchoolIx, f64)>,
    ) -> Split {
        let net = self.timeline.at(y);
        if !net.changed {
            return from.clone();
        }
        let mut acc: BTreeMap<SchoolIx, f64> = BTreeMap::new();
        for &(d, sh) in from {
            let stays = net.data.school(d).status == Status::Open
                || net.phase_out[d.ix()] == Some(PhaseOut::EntryOnly);
            if stays {
                *acc.entry(d).or_insert(0.0) += sh;
                continue;
            }
            for &(t, sh2) in self.entrants_memo(d, Grade::stage_of(g), y, memo) {
                if t != d {
                    moved.push((d, t, sh * sh2));
                }
                *acc.entry(t).or_insert(0.0) += sh * sh2;
            }
        }
        acc.into_iter().collect()
    }
}

/// The baseline's pupils placed on the timeline's networks: the scenario's
/// projected pupils per (school, grade, year), and the moves.
///
/// Rows: every open public school (not special) of each year's network,
/// every grade it teaches (0 when none), and every school still holding
/// pupils (a campus phasing out with `entry_only`).
pub fn redistribute(
    base: &Dataset,
    base_feeds: &Feeds,
    births: &Births,
    baseline: &Projection,
    timeline: &Timeline,
) -> (Enrollment, Vec<Move>) {
    let births_last = births.keys().map(|k| k.1).max().unwrap_or(i32::MIN);
    let r = Redistribute {
        base,
        timeline,
        births,
        births_last,
        origins: Origins::new(base_feeds),
    };
    let mut origins: Vec<SchoolIx> = baseline.enrolled.keys().map(|k| k.0).collect();
    origins.dedup();
    let mut out = Enrollment::new();
    let mut moves: BTreeMap<(i32, SchoolIx, SchoolIx, u8, MoveKind), f64> = BTreeMap::new();
    // per origin and grade: where last year's cohort was
    let mut was: HashMap<(SchoolIx, u8), Split> = HashMap::new();
    for y in baseline.first_year..=baseline.last_year {
        let net = timeline.at(y);
        if !net.changed {
            // no change in effect yet: every pupil is at its origin school
            // (the same rows: the network's open schools are the baseline's)
            for (k, v) in baseline.enrolled.iter().filter(|(k, _)| k.2 == y) {
                out.insert(*k, *v);
            }
            was.clear();
            continue;
        }
        for (s, school) in net.data.schools.iter().enumerate() {
            if school.status == Status::Open
                && school.level != Level::Special
                && school.sector == Sector::Public
            {
                for g in grades(school.level) {
                    out.entry((SchoolIx::from_ix(s), g, y)).or_insert(0.0);
                }
            }
        }
        let mut now: HashMap<(SchoolIx, u8), Split> = HashMap::new();
        let mut memo = Memo::new();
        for &s in &origins {
            for g in grades(base.school(s).level) {
                let pupils = baseline.enrolled.get(&(s, g, y)).copied().unwrap_or(0.0);
                let split = if g == 1 || g == 7 {
                    let split = r.entrants_memo(s, Grade::stage_of(g), y, &mut memo).clone();
                    for &(d, sh) in &split {
                        if d != s {
                            *moves.entry((y, s, d, g, MoveKind::Entrants)).or_insert(0.0) +=
                                pupils * sh;
                        }
                    }
                    split
                } else {
                    let before = was
                        .get(&(s, g - 1))
                        .cloned()
                        .unwrap_or_else(|| vec![(s, 1.0)]);
                    let mut moved = Vec::new();
                    let split = r.carry(&before, g, y, &mut memo, &mut moved);
                    for (from, to, sh) in moved {
                        *moves
                            .entry((y, from, to, g, MoveKind::Enrolled))
                            .or_insert(0.0) += pupils * sh;
                    }
                    split
                };
                for &(d, sh) in &split {
                    *out.entry((d, g, y)).or_insert(0.0) += pupils * sh;
                }
                now.insert((s, g), split);
            }
        }
        was = now;
    }
    let moves = moves
        .into_iter()
        .filter(|(_, p)| *p > 0.0)
        .map(|((year, from, to, grade, kind), pupils)| Move {
            year,
            from,
            to,
            grade,
            pupils,
            kind,
        })
        .collect();
    (out, moves)
}

/// The projected entrants of stage `e` living in each block in year `y`
/// (for `zones --year`): each baseline school's projected entrants split
/// over its zone's blocks by the same weights as [`redistribute`] (births
/// six years before for grade 1, households for grade 7). With the second
/// value (the entrants of schools whose zone has no block, which no block
/// can carry; the caller reports them), the total is the baseline's
/// entrants of the stage.
pub fn block_entrants(
    base: &Dataset,
    base_feeds: &Feeds,
    births: &Births,
    baseline: &Projection,
    e: Grade,
    y: i32,
) -> (Vec<f64>, f64) {
    let births_last = births.keys().map(|k| k.1).max().unwrap_or(i32::MIN);
    let empty = Timeline {
        networks: Vec::new(),
        year_ix: Vec::new(),
        years: y..=y,
    };
    let r = Redistribute {
        base,
        timeline: &empty,
        births,
        births_last,
        origins: Origins::new(base_feeds),
    };
    let g = match e {
        Grade::One => 1,
        Grade::Seven => 7,
    };
    let mut out = vec![0.0; base.blocks.len()];
    let mut homeless = 0.0;
    let mut schools: Vec<SchoolIx> = baseline.enrolled.keys().map(|k| k.0).collect();
    schools.dedup();
    for s in schools {
        let pupils = baseline.enrolled.get(&(s, g, y)).copied().unwrap_or(0.0);
        let blocks = r.origins.blocks.get(&(s, e)).map_or(&[][..], |v| &v[..]);
        let w: Vec<f64> = blocks
            .iter()
            .map(|&(b, sh)| r.weight(b, e, y) * sh)
            .collect();
        let total: f64 = w.iter().sum();
        if total > 0.0 {
            for (&(b, _), wb) in blocks.iter().zip(&w) {
                out[b] += pupils * wb / total;
            }
        } else if let Some(&(b, _)) = blocks.first() {
            // no weight anywhere: the zone's first block carries them,
            // so the total stays the baseline's
            out[b] += pupils;
        } else {
            homeless += pupils;
        }
    }
    (out, homeless)
}
