//! Applying a scenario's changes to the school network: new schools,
//! capacity overrides, conversions, mergers (chains and branch campuses)
//! and closures, then the class-size cap.
//!
//! The rules (README, "Scenario file"):
//!
//! - `[[capacity]]` and `[[conversions]]` change a campus's own seats, in
//!   list order (a child scenario's entries come after its base's, so they
//!   win).
//! - A merger closes `from` and moves its zone to the school at the end of
//!   its chain (A → B and B → C send A's zone to C, whatever the order of
//!   the two entries). With `move_seats` (the default) the campus's seats
//!   and classes move with it, so A → B → C adds A's and B's seats to C.
//!   With `branch_seats = N` the campus stays open with N seats *instead of*
//!   its own, keeps its zone and moves nothing.
//! - Impossible combinations are errors, never silently resolved: a school
//!   merged twice, a cycle, a merger into a closed school or into a school
//!   that does not admit every grade the merged one admits, a school both
//!   merged and closed, a branch campus whose seats another change also
//!   sets, a change to a closed school, and seats or classes beyond what a
//!   school can have ([`MAX_SEATS`], [`MAX_CLASSES`]).
//! - Finally the seats placement uses are min(entry seats, classes ×
//!   min(max_class_size, `policy.max_class_size_cap`)): seats without
//!   classrooms and teachers to hold them are not seats (国家标准: at most 55
//!   a class). Every school where that differs is listed in
//!   [`Applied::capped`].

use std::cmp::Reverse;

use super::Scenario;
use crate::domain::model::{
    Dataset, Level, School, SchoolId, SchoolIx, Seats, Status, MAX_CLASSES, MAX_SEATS,
};

/// Which entry of the scenario a problem or a seat count comes from, by its
/// position in the scenario's lists (a base scenario's entries first), so
/// the reader can point at the file, line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeAt {
    /// An entry of `closures`.
    Closure(usize),
    /// The `from` key of a merger.
    MergerFrom(usize),
    /// The `into` key of a merger.
    MergerInto(usize),
    /// The `branch_seats` key of a merger.
    MergerBranch(usize),
    /// A `[[capacity]]` entry.
    Capacity(usize),
    /// A `[[conversions]]` entry.
    Conversion(usize),
    /// A `[[new_schools]]` entry.
    NewSchool(usize),
}

/// A change that cannot be applied.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeError {
    /// The entry at fault, which the reader locates in the file.
    pub at: ChangeAt,
    /// What is wrong and what was expected, for the planner.
    pub message: String,
}

/// A school whose entry seats exceed what its classes hold at the class-size
/// cap; placement uses `effective`.
#[derive(Clone, Debug, PartialEq)]
pub struct Capped {
    /// The school whose seats were lowered.
    pub school: SchoolIx,
    /// Entry seats after the scenario's changes.
    pub stated: u32,
    /// classes × class_size: the seats placement uses.
    pub effective: u32,
    /// Entry classes after the scenario's changes.
    pub classes: u32,
    /// min(the school's max_class_size, `policy.max_class_size_cap`).
    pub class_size: u32,
    /// The last change that set the school's seats or classes (`None`:
    /// as in schools.csv).
    pub by: Option<ChangeAt>,
}

/// A dataset with a scenario's changes applied.
#[derive(Clone, Debug)]
pub struct Applied {
    /// The dataset after every valid change and the cap: closed and merged
    /// schools are closing, zones point at the receiving schools.
    pub data: Dataset,
    /// Schools whose seats the class-size cap lowered, in school order.
    pub capped: Vec<Capped>,
    /// Changes that cannot be applied (they were skipped).
    pub errors: Vec<ChangeError>,
}

/// Whether a school of level `into` admits every entry grade a school of
/// level `from` admits (a special school takes only a special school).
fn receives(from: Level, into: Level) -> bool {
    match (from, into) {
        (Level::Special, Level::Special) => true,
        (Level::Special, _) | (_, Level::Special) => false,
        (_, Level::NineYear) => true,
        (a, b) => a == b,
    }
}

/// The levels that can receive a school of level `from`.
fn receivers(from: Level) -> &'static str {
    match from {
        Level::Primary => "primary or nine_year",
        Level::Junior => "junior or nine_year",
        Level::NineYear => "nine_year",
        Level::Special => "special",
    }
}

/// Close schools: they take no entrants and their blocks lose their zone
/// (they are zoned by distance). Used for `closures` and by
/// `optimize-closures` on a network the scenario already changed.
pub fn close_schools(data: &mut Dataset, schools: &[SchoolIx]) {
    for &s in schools {
        data.schools[s.ix()].status = Status::Closing;
        if let Some(zones) = &mut data.zones {
            zones.replace_school(s, None);
        }
    }
}

/// What [`Scenario::applied_as_of`] does with a new school that opens
/// after the year asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutureSchools {
    /// Leave it out: the network of that year, as `place` uses it.
    Omit,
    /// Add it as not yet open ([`Status::Closing`]), so that every year's
    /// network has the same schools at the same positions (the forecast
    /// compares them year by year).
    NotYetOpen,
}

impl Scenario {
    /// Apply the scenario's changes that take effect by its year to a
    /// dataset as read (see the module documentation for the rules), as
    /// `place`, `zones` and `compare` use the network. Changes that cannot
    /// be applied are listed in [`Applied::errors`] and skipped; the reader
    /// turns them into located errors, so no run uses such a network.
    pub fn applied(&self, data: Dataset) -> Applied {
        self.applied_as_of(data, self.year, FutureSchools::Omit)
    }

    /// The network of `year`: the changes whose effective year (`year`
    /// key, else the scenario's) is `year` or earlier; later ones are left
    /// out as if not written (issue 16).
    pub fn applied_as_of(&self, data: Dataset, year: i32, future: FutureSchools) -> Applied {
        let mut net = Applying::new(self, data, year, future);
        net.change_capacity();
        net.convert();
        let link = net.checked_mergers();
        let (link, next) = net.without_cycles(link);
        net.merge(&link, &next);
        net.close();
        net.cap_class_sizes()
    }
}

/// A merger that can be applied: `(from, into)` as school positions, by the
/// merger's position in the scenario's list (`None`: skipped).
type Links = Vec<Option<(usize, usize)>>;

/// The network while [`Scenario::applied`] applies the changes, one kind
/// at a time in the order of the rules: each school's seats and classes
/// (in u64: sums of bounded values cannot overflow), the change that last
/// set them, and the problems found so far, in the order they are found.
struct Applying<'a> {
    scenario: &'a Scenario,
    data: Dataset,
    /// The school each capacity change names (`None`: unknown, the reader
    /// reports it).
    capacity_at: Vec<Option<usize>>,
    /// The school each conversion names.
    conversion_at: Vec<Option<usize>>,
    /// The schools each merger names: `from`, `into`.
    merger_at: Vec<(Option<usize>, Option<usize>)>,
    seats: Vec<u64>,
    classes: Vec<u64>,
    last: Vec<Option<ChangeAt>>,
    /// The first closure that closes each school.
    closed_by: Vec<Option<usize>>,
    /// Schools closing in schools.csv (or new schools not yet open).
    csv_closing: Vec<bool>,
    /// New schools that open after the year applied.
    not_yet_open: Vec<bool>,
    errors: Vec<ChangeError>,
}

impl<'a> Applying<'a> {
    /// The dataset with the scenario's new schools added (after the
    /// schools of schools.csv), and the schools every change names.
    fn new(scenario: &'a Scenario, mut data: Dataset, until: i32, future: FutureSchools) -> Self {
        let due = |y: Option<i32>| scenario.effective(y) <= until;
        let mut added: Vec<usize> = Vec::new();
        for (i, ns) in scenario.new_schools.iter().enumerate() {
            let open = due(ns.year);
            if !open && future == FutureSchools::Omit {
                continue;
            }
            added.push(i);
            data.schools.push(School {
                id: ns.id.clone(),
                name: ns.name.clone(),
                level: ns.level,
                location: ns.location,
                town: ns.town.clone(),
                entry_seats: ns.entry_seats,
                classes: ns.classes,
                max_class_size: scenario.policy.max_class_size,
                boarding: ns.boarding,
                status: if open { Status::Open } else { Status::Closing },
                annual_cost: None,
                sector: Default::default(),
                district: None,
            });
        }
        let n = data.schools.len();
        let base_len = n - added.len();
        let (capacity_at, conversion_at, merger_at, closed_by) = {
            let lookup = data.school_lookup();
            let find = |id: &SchoolId| lookup.get(id.as_str()).map(|s| s.ix());
            let mut closed_by: Vec<Option<usize>> = vec![None; n];
            // a change not yet in effect names no school: it is skipped
            for (i, c) in scenario.closures.iter().enumerate() {
                if let Some(s) = find(&c.school).filter(|_| due(c.year)) {
                    closed_by[s].get_or_insert(i);
                }
            }
            (
                scenario
                    .capacity
                    .iter()
                    .map(|c| find(&c.school).filter(|_| due(c.year)))
                    .collect(),
                scenario
                    .conversions
                    .iter()
                    .map(|c| find(&c.school).filter(|_| due(c.year)))
                    .collect(),
                scenario
                    .mergers
                    .iter()
                    .map(|m| {
                        if due(m.year) {
                            (find(&m.from), find(&m.into))
                        } else {
                            (None, None)
                        }
                    })
                    .collect(),
                closed_by,
            )
        };
        let seats: Vec<u64> = data
            .schools
            .iter()
            .map(|s| u64::from(s.entry_seats.0))
            .collect();
        let classes: Vec<u64> = data.schools.iter().map(|s| u64::from(s.classes)).collect();
        let mut last: Vec<Option<ChangeAt>> = vec![None; n];
        for (k, &i) in added.iter().enumerate() {
            last[base_len + k] = Some(ChangeAt::NewSchool(i));
        }
        let csv_closing: Vec<bool> = data
            .schools
            .iter()
            .map(|s| s.status == Status::Closing)
            .collect();
        let not_yet_open: Vec<bool> = (0..n).map(|s| s >= base_len && csv_closing[s]).collect();
        Applying {
            not_yet_open,
            scenario,
            data,
            capacity_at,
            conversion_at,
            merger_at,
            seats,
            classes,
            last,
            closed_by,
            csv_closing,
            errors: Vec::new(),
        }
    }

    fn err(&mut self, at: ChangeAt, message: String) {
        self.errors.push(ChangeError { at, message });
    }

    /// Why school `s` takes no change (closed by this scenario or in
    /// schools.csv); `None`: it is open.
    fn closed(&self, s: usize) -> Option<&'static str> {
        if self.closed_by[s].is_some() {
            Some("which this scenario closes (`closures`)")
        } else if self.not_yet_open[s] {
            Some("which opens later (its `new_schools` year)")
        } else if self.csv_closing[s] {
            Some("which is closing in schools.csv")
        } else {
            None
        }
    }

    /// `[[capacity]]`, in list order: classes set the seats at the class
    /// size, entry seats then set them outright.
    fn change_capacity(&mut self) {
        let scenario = self.scenario;
        for (i, c) in scenario.capacity.iter().enumerate() {
            let Some(s) = self.capacity_at[i] else {
                continue;
            };
            if let Some(why) = self.closed(s) {
                self.err(
                    ChangeAt::Capacity(i),
                    format!(
                        "capacity change of `{}`, {why}; expected an open school",
                        c.school
                    ),
                );
                continue;
            }
            let school = &self.data.schools[s];
            if let Some(cl) = c.classes {
                self.classes[s] = u64::from(cl);
                let size = school.max_class_size.min(scenario.policy.max_class_size);
                self.seats[s] = u64::from(cl) * u64::from(size);
            }
            if let Some(e) = c.entry_seats {
                self.seats[s] = u64::from(e.0);
            }
            self.last[s] = Some(ChangeAt::Capacity(i));
        }
    }

    /// `[[conversions]]`, in list order: the freed seats are added.
    fn convert(&mut self) {
        let scenario = self.scenario;
        for (i, c) in scenario.conversions.iter().enumerate() {
            let Some(s) = self.conversion_at[i] else {
                continue;
            };
            if let Some(why) = self.closed(s) {
                self.err(
                    ChangeAt::Conversion(i),
                    format!(
                        "conversion of `{}`, {why}; expected an open school",
                        c.school
                    ),
                );
                continue;
            }
            self.seats[s] += u64::from(c.freed_seats.0);
            self.last[s] = Some(ChangeAt::Conversion(i));
        }
    }

    /// The mergers that can be applied, each a link from → into; every
    /// problem with one is an error (all of them, not only the first).
    fn checked_mergers(&mut self) -> Links {
        // capacity or conversion changes, which a branch campus cannot take
        let own_change: Vec<Option<ChangeAt>> = self
            .last
            .iter()
            .map(|l| l.filter(|a| matches!(a, ChangeAt::Capacity(_) | ChangeAt::Conversion(_))))
            .collect();
        let mut merged_by: Vec<Option<usize>> = vec![None; self.data.schools.len()];
        let mut link: Links = vec![None; self.scenario.mergers.len()];
        // a copy, as the checks below change `self` (a few pairs)
        let merger_at = self.merger_at.clone();
        for (j, ends) in merger_at.into_iter().enumerate() {
            let (Some(f), Some(t)) = ends else {
                continue;
            };
            if f == t {
                continue; // reported by the reader
            }
            // every check runs, so every problem is reported
            let from_ok = self.check_merged(j, f, &mut merged_by);
            let into_ok = self.check_receiver(j, f, t);
            let branch_ok = self.check_branch(j, own_change[f]);
            if from_ok && into_ok && branch_ok {
                link[j] = Some((f, t));
            }
        }
        link
    }

    /// Merger `j` from school `f`: merged once, and open.
    fn check_merged(&mut self, j: usize, f: usize, merged_by: &mut [Option<usize>]) -> bool {
        let m = &self.scenario.mergers[j];
        let mut ok = true;
        match merged_by[f] {
            Some(k) => {
                self.err(
                    ChangeAt::MergerFrom(j),
                    format!(
                        "`{}` is merged twice (also into `{}`); expected one merger per school",
                        m.from, self.scenario.mergers[k].into
                    ),
                );
                ok = false;
            }
            None => merged_by[f] = Some(j),
        }
        if self.closed_by[f].is_some() {
            let (at, msg) = match m.branch_seats {
                Some(_) => (
                    ChangeAt::MergerBranch(j),
                    format!("`{}` stays open as a branch campus (branch_seats) and is also in `closures`; expected one of the two", m.from),
                ),
                None => (
                    ChangeAt::MergerFrom(j),
                    format!("`{}` is merged into `{}` and also in `closures`; expected one of the two (a merger already closes the school and gives its zone to `{}`)", m.from, m.into, m.into),
                ),
            };
            self.err(at, msg);
            ok = false;
        } else if self.csv_closing[f] && !self.not_yet_open[f] {
            self.err(
                ChangeAt::MergerFrom(j),
                format!(
                    "`{}` is closing in schools.csv; expected an open school to merge",
                    m.from
                ),
            );
            ok = false;
        }
        ok
    }

    /// Merger `j` of school `f` into school `t`: `t` is open and admits
    /// every grade `f` admits.
    fn check_receiver(&mut self, j: usize, f: usize, t: usize) -> bool {
        let m = &self.scenario.mergers[j];
        let mut ok = true;
        if let Some(why) = self.closed(t) {
            self.err(
                ChangeAt::MergerInto(j),
                format!(
                    "merger into `{}`, {why}; expected an open school to receive `{}`",
                    m.into, m.from
                ),
            );
            ok = false;
        }
        let (lf, lt) = (self.data.schools[f].level, self.data.schools[t].level);
        if !receives(lf, lt) {
            self.err(
                ChangeAt::MergerInto(j),
                format!(
                    "`{}` is a {} school and cannot receive the {} school `{}`; expected a {} school, one that admits every grade `{}` admits",
                    m.into,
                    lt.as_str(),
                    lf.as_str(),
                    m.from,
                    receivers(lf),
                    m.from
                ),
            );
            ok = false;
        }
        ok
    }

    /// Merger `j`: a branch campus's seats are set by `branch_seats` alone,
    /// not also by `own_change` (a capacity change or conversion of it).
    fn check_branch(&mut self, j: usize, own_change: Option<ChangeAt>) -> bool {
        let m = &self.scenario.mergers[j];
        if let (Some(_), Some(c)) = (m.branch_seats, own_change) {
            let what = match c {
                ChangeAt::Conversion(_) => "a conversion",
                _ => "a capacity change",
            };
            self.err(
                ChangeAt::MergerBranch(j),
                format!(
                    "branch_seats sets the seats of `{}`, which {what} also changes; expected one of the two",
                    m.from
                ),
            );
            return false;
        }
        true
    }

    /// The links without those on a cycle (A → B → A has no school that
    /// stays open to receive it: an error at the cycle's last merger), and
    /// each school's link `(into, merger)` out of it.
    fn without_cycles(&mut self, mut link: Links) -> (Links, Links) {
        let n = self.data.schools.len();
        let mut next: Links = vec![None; n];
        for (j, l) in link.iter().enumerate() {
            if let Some((f, t)) = *l {
                next[f] = Some((t, j));
            }
        }
        let mut state = vec![0u8; n]; // 0 new, 1 on the current path, 2 done
        for start in 0..n {
            let mut path = Vec::new();
            let mut x = start;
            while state[x] == 0 {
                state[x] = 1;
                path.push(x);
                match next[x] {
                    Some((t, _)) => x = t,
                    None => break,
                }
            }
            if state[x] == 1 && next[x].is_some() {
                // x is on the current path: the cycle runs from x back to x
                let at = path.iter().position(|&p| p == x).unwrap_or(0);
                let cycle = &path[at..];
                let worst = cycle
                    .iter()
                    .filter_map(|&p| next[p].map(|(_, j)| j))
                    .max()
                    .unwrap_or(0);
                let mut names: Vec<&str> = cycle
                    .iter()
                    .map(|&p| self.data.schools[p].id.as_str())
                    .collect();
                names.push(self.data.schools[x].id.as_str());
                let message = format!(
                    "mergers form a cycle {}; expected a chain of mergers that ends at a school that stays open",
                    names.join(" → ")
                );
                self.err(ChangeAt::MergerInto(worst), message);
                for &p in cycle {
                    if let Some((_, j)) = next[p].take() {
                        link[j] = None;
                    }
                }
            }
            for p in path {
                state[p] = 2;
            }
        }
        (link, next)
    }

    /// Apply the mergers: a branch campus takes its seats and its new
    /// name; a closed campus's zone, and with `move_seats` its seats and
    /// classes, go to the school at the end of its chain.
    fn merge(&mut self, link: &Links, next: &Links) {
        let n = self.data.schools.len();
        let mergers = &self.scenario.mergers;
        // chains: a closed campus's zone and seats go up its chain
        let up: Vec<Option<usize>> = (0..n)
            .map(|s| {
                next[s]
                    .filter(|&(_, j)| mergers[j].branch_seats.is_none())
                    .map(|(t, _)| t)
            })
            .collect();
        let root = |mut s: usize| {
            while let Some(t) = up[s] {
                s = t;
            }
            s
        };
        let depth = |mut s: usize| {
            let mut d = 0usize;
            while let Some(t) = up[s] {
                s = t;
                d += 1;
            }
            d
        };
        let names: Vec<String> = self.data.schools.iter().map(|s| s.name.clone()).collect();
        let mut moves: Vec<(Reverse<usize>, usize)> = Vec::new();
        for (j, l) in link.iter().enumerate() {
            let Some((f, t)) = *l else { continue };
            match mergers[j].branch_seats {
                Some(b) => {
                    // the campus stays, as a branch of the school its target
                    // ends up in, with these seats instead of its own
                    self.seats[f] = u64::from(b.0);
                    self.last[f] = Some(ChangeAt::MergerBranch(j));
                    self.data.schools[f].name = format!("{}（{}校区）", names[root(t)], names[f]);
                }
                None => moves.push((Reverse(depth(f)), j)),
            }
        }
        // deepest campuses first, so a chain adds up whatever the order of
        // its entries
        moves.sort_unstable();
        for &(_, j) in &moves {
            let Some((f, t)) = link[j] else { continue };
            if mergers[j].move_seats {
                self.seats[t] += self.seats[f];
                self.classes[t] += self.classes[f];
                self.last[t] = Some(ChangeAt::MergerInto(j));
            }
        }
        for &(_, j) in &moves {
            let Some((f, _)) = link[j] else { continue };
            self.data.schools[f].status = Status::Closing;
            if let Some(zones) = &mut self.data.zones {
                zones.replace_school(SchoolIx::from_ix(f), Some(SchoolIx::from_ix(root(f))));
            }
        }
    }

    /// `closures`.
    fn close(&mut self) {
        let shut: Vec<SchoolIx> = (0..self.data.schools.len())
            .filter(|&s| self.closed_by[s].is_some())
            .map(SchoolIx::from_ix)
            .collect();
        close_schools(&mut self.data, &shut);
    }

    /// The bounds of what a school can have, then the class-size cap.
    fn cap_class_sizes(mut self) -> Applied {
        let cap = self.scenario.policy.max_class_size_cap;
        let mut capped = Vec::new();
        for s in 0..self.data.schools.len() {
            let open = self.data.schools[s].status == Status::Open;
            if open {
                if let Some(at) = self.last[s] {
                    let id = &self.data.schools[s].id;
                    let (seats, classes) = (self.seats[s], self.classes[s]);
                    if seats > u64::from(MAX_SEATS) {
                        let message = format!("`{id}` would have {seats} entry seats after the scenario's changes; expected at most {MAX_SEATS} (what one school can have)");
                        self.errors.push(ChangeError { at, message });
                    }
                    if classes > u64::from(MAX_CLASSES) {
                        let message = format!("`{id}` would have {classes} classes after the scenario's changes; expected at most {MAX_CLASSES} (what one school can have)");
                        self.errors.push(ChangeError { at, message });
                    }
                }
            }
            let stated = self.seats[s].min(u64::from(MAX_SEATS)) as u32;
            let cl = self.classes[s].min(u64::from(MAX_CLASSES)) as u32;
            let school = &mut self.data.schools[s];
            school.classes = cl;
            school.entry_seats = Seats(stated);
            let size = school.max_class_size.min(cap);
            let hold = u64::from(cl) * u64::from(size);
            if open && u64::from(stated) > hold {
                // hold < stated <= MAX_SEATS
                let effective = hold as u32;
                school.entry_seats = Seats(effective);
                capped.push(Capped {
                    school: SchoolIx::from_ix(s),
                    stated,
                    effective,
                    classes: cl,
                    class_size: size,
                    by: self.last[s],
                });
            }
        }
        Applied {
            data: self.data,
            capped,
            errors: self.errors,
        }
    }
}

#[cfg(test)]
mod tests {
    use geo::Point;

    use super::*;
    use crate::domain::model::{Grade, Zones};
    use crate::domain::scenario::{CapacityOverride, Conversion, Merger};

    fn data(levels: &[Level]) -> Dataset {
        let mut z = Zones::new(levels.len());
        z.school.one = (0..levels.len())
            .map(|i| Some(SchoolIx::from_ix(i)))
            .collect();
        Dataset {
            schools: levels
                .iter()
                .enumerate()
                .map(|(i, &level)| School {
                    id: SchoolId::new(&format!("S{i}")),
                    name: format!("n{i}"),
                    level,
                    location: Point::new(126.5, 43.9),
                    town: "t".into(),
                    entry_seats: Seats(90),
                    classes: 2,
                    max_class_size: 45,
                    boarding: false,
                    status: Status::Open,
                    annual_cost: None,
                    sector: Default::default(),
                    district: None,
                })
                .collect(),
            blocks: vec![],
            students: vec![],
            zones: Some(z),
            seat_history: Vec::new(),
            feeders: Vec::new(),
            district_names: Vec::new(),
        }
    }

    fn merger(from: usize, into: usize) -> Merger {
        Merger {
            from: SchoolId::new(&format!("S{from}")),
            into: SchoolId::new(&format!("S{into}")),
            move_seats: true,
            branch_seats: None,
            year: None,
            phase_out: Default::default(),
        }
    }

    fn id(i: usize) -> SchoolId {
        SchoolId::new(&format!("S{i}"))
    }

    #[test]
    fn seats_beyond_the_classes_are_capped_after_every_change() {
        let mut sc = Scenario::plain("t", Grade::One, 1);
        // S0: capacity 400 seats on its 2 classes; S1: a conversion; S2:
        // 3 classes at a cap of 40
        sc.capacity = vec![CapacityOverride {
            school: id(0),
            entry_seats: Some(Seats(400)),
            classes: None,
            year: None,
        }];
        sc.conversions = vec![Conversion {
            school: id(1),
            freed_seats: Seats(10),
            year: None,
        }];
        sc.policy.max_class_size_cap = 40;
        let a = sc.applied(data(&[Level::Primary; 3]));
        assert!(a.errors.is_empty(), "{:?}", a.errors);
        let seats: Vec<u32> = a.data.schools.iter().map(|s| s.entry_seats.0).collect();
        assert_eq!(seats, vec![80, 80, 80]);
        assert_eq!(a.capped.len(), 3);
        assert_eq!(
            a.capped[0],
            Capped {
                school: SchoolIx(0),
                stated: 400,
                effective: 80,
                classes: 2,
                class_size: 40,
                by: Some(ChangeAt::Capacity(0)),
            }
        );
        assert_eq!(a.capped[1].stated, 100);
        assert_eq!(a.capped[2].by, None);
    }

    #[test]
    fn a_merger_moves_seats_and_classes_so_the_cap_keeps_them() {
        let mut sc = Scenario::plain("t", Grade::One, 1);
        sc.mergers = vec![merger(0, 1)];
        let a = sc.applied(data(&[Level::Primary, Level::NineYear]));
        assert!(a.errors.is_empty() && a.capped.is_empty());
        assert_eq!(a.data.schools[1].entry_seats, Seats(180));
        assert_eq!(a.data.schools[1].classes, 4);
    }

    #[test]
    fn impossible_changes_are_errors_at_the_change() {
        let mut sc = Scenario::plain("t", Grade::One, 1);
        sc.closures = vec![crate::domain::scenario::Closure::new(id(2))];
        sc.capacity = vec![CapacityOverride {
            school: id(2),
            entry_seats: Some(Seats(10)),
            classes: None,
            year: None,
        }];
        sc.conversions = vec![Conversion {
            school: id(0),
            freed_seats: Seats(10),
            year: None,
        }];
        sc.mergers = vec![
            // a nine-year school into a primary one loses its grade 7
            merger(1, 0),
            Merger {
                branch_seats: Some(Seats(5)),
                ..merger(0, 3)
            },
            merger(3, 2),
        ];
        let mut d = data(&[
            Level::Primary,
            Level::NineYear,
            Level::Primary,
            Level::Primary,
        ]);
        d.schools[3].status = Status::Open;
        let a = sc.applied(d);
        let at: Vec<ChangeAt> = a.errors.iter().map(|e| e.at).collect();
        assert_eq!(
            at,
            vec![
                ChangeAt::Capacity(0),
                ChangeAt::MergerInto(0),
                ChangeAt::MergerBranch(1),
                ChangeAt::MergerInto(2),
            ],
            "{:?}",
            a.errors
        );
        assert!(a.errors[1].message.contains("expected a nine_year school"));
    }

    #[test]
    fn sums_beyond_what_a_school_can_have_are_errors() {
        let mut sc = Scenario::plain("t", Grade::One, 1);
        sc.capacity = vec![CapacityOverride {
            school: id(0),
            entry_seats: Some(Seats(MAX_SEATS)),
            classes: None,
            year: None,
        }];
        sc.conversions = vec![Conversion {
            school: id(0),
            freed_seats: Seats(1),
            year: None,
        }];
        let a = sc.applied(data(&[Level::Primary]));
        assert_eq!(a.errors.len(), 1);
        assert_eq!(a.errors[0].at, ChangeAt::Conversion(0));
        assert!(a.errors[0].message.contains("100001 entry seats"));
    }
}
