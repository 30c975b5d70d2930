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

impl Scenario {
    /// Apply the scenario's changes to a dataset as read (see the module
    /// documentation for the rules). Changes that cannot be applied are
    /// listed in [`Applied::errors`] and skipped; the reader turns them into
    /// located errors, so no run uses such a network.
    pub fn applied(&self, mut data: Dataset) -> Applied {
        let mut errors: Vec<ChangeError> = Vec::new();
        let mut err = |at: ChangeAt, message: String| errors.push(ChangeError { at, message });
        for ns in &self.new_schools {
            data.schools.push(School {
                id: ns.id.clone(),
                name: ns.name.clone(),
                level: ns.level,
                location: ns.location,
                town: ns.town.clone(),
                entry_seats: ns.entry_seats,
                classes: ns.classes,
                max_class_size: self.policy.max_class_size,
                boarding: ns.boarding,
                status: Status::Open,
                annual_cost: None,
            });
        }
        let n = data.schools.len();
        let base_len = n - self.new_schools.len();
        let lookup = data.school_lookup();
        let find = |id: &SchoolId| lookup.get(id.as_str()).map(|s| s.ix());
        // seats and classes in u64: sums of bounded values cannot overflow
        let mut seats: Vec<u64> = data
            .schools
            .iter()
            .map(|s| u64::from(s.entry_seats.0))
            .collect();
        let mut classes: Vec<u64> = data.schools.iter().map(|s| u64::from(s.classes)).collect();
        let mut last: Vec<Option<ChangeAt>> = vec![None; n];
        for i in 0..self.new_schools.len() {
            last[base_len + i] = Some(ChangeAt::NewSchool(i));
        }
        let mut closed_by: Vec<Option<usize>> = vec![None; n];
        for (i, id) in self.closures.iter().enumerate() {
            if let Some(s) = find(id) {
                closed_by[s].get_or_insert(i);
            }
        }
        let csv_closing: Vec<bool> = data
            .schools
            .iter()
            .map(|s| s.status == Status::Closing)
            .collect();
        let closed = |s: usize| -> Option<&'static str> {
            if closed_by[s].is_some() {
                Some("which this scenario closes (`closures`)")
            } else if csv_closing[s] {
                Some("which is closing in schools.csv")
            } else {
                None
            }
        };

        for (i, c) in self.capacity.iter().enumerate() {
            let Some(s) = find(&c.school) else { continue };
            if let Some(why) = closed(s) {
                err(
                    ChangeAt::Capacity(i),
                    format!(
                        "capacity change of `{}`, {why}; expected an open school",
                        c.school
                    ),
                );
                continue;
            }
            let school = &data.schools[s];
            if let Some(cl) = c.classes {
                classes[s] = u64::from(cl);
                let size = school.max_class_size.min(self.policy.max_class_size);
                seats[s] = u64::from(cl) * u64::from(size);
            }
            if let Some(e) = c.entry_seats {
                seats[s] = u64::from(e.0);
            }
            last[s] = Some(ChangeAt::Capacity(i));
        }
        for (i, c) in self.conversions.iter().enumerate() {
            let Some(s) = find(&c.school) else { continue };
            if let Some(why) = closed(s) {
                err(
                    ChangeAt::Conversion(i),
                    format!(
                        "conversion of `{}`, {why}; expected an open school",
                        c.school
                    ),
                );
                continue;
            }
            seats[s] += u64::from(c.freed_seats.0);
            last[s] = Some(ChangeAt::Conversion(i));
        }
        // capacity or conversion changes, which a branch campus cannot take
        let own_change: Vec<Option<ChangeAt>> = last
            .iter()
            .map(|l| l.filter(|a| matches!(a, ChangeAt::Capacity(_) | ChangeAt::Conversion(_))))
            .collect();

        // mergers: each valid one is a link from → into
        let mut merged_by: Vec<Option<usize>> = vec![None; n];
        let mut link: Vec<Option<(usize, usize)>> = vec![None; self.mergers.len()];
        for (j, m) in self.mergers.iter().enumerate() {
            let (Some(f), Some(t)) = (find(&m.from), find(&m.into)) else {
                continue;
            };
            if f == t {
                continue; // reported by the reader
            }
            let mut ok = true;
            match merged_by[f] {
                Some(k) => {
                    err(
                        ChangeAt::MergerFrom(j),
                        format!(
                            "`{}` is merged twice (also into `{}`); expected one merger per school",
                            m.from, self.mergers[k].into
                        ),
                    );
                    ok = false;
                }
                None => merged_by[f] = Some(j),
            }
            if closed_by[f].is_some() {
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
                err(at, msg);
                ok = false;
            } else if csv_closing[f] {
                err(
                    ChangeAt::MergerFrom(j),
                    format!(
                        "`{}` is closing in schools.csv; expected an open school to merge",
                        m.from
                    ),
                );
                ok = false;
            }
            if let Some(why) = closed(t) {
                err(
                    ChangeAt::MergerInto(j),
                    format!(
                        "merger into `{}`, {why}; expected an open school to receive `{}`",
                        m.into, m.from
                    ),
                );
                ok = false;
            }
            let (lf, lt) = (data.schools[f].level, data.schools[t].level);
            if !receives(lf, lt) {
                err(
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
            if let (Some(_), Some(c)) = (m.branch_seats, own_change[f]) {
                let what = match c {
                    ChangeAt::Conversion(_) => "a conversion",
                    _ => "a capacity change",
                };
                err(
                    ChangeAt::MergerBranch(j),
                    format!(
                        "branch_seats sets the seats of `{}`, which {what} also changes; expected one of the two",
                        m.from
                    ),
                );
                ok = false;
            }
            if ok {
                link[j] = Some((f, t));
            }
        }
        // a cycle (A → B → A) has no school that stays open to receive it
        let mut next: Vec<Option<(usize, usize)>> = vec![None; n];
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
                let mut names: Vec<&str> =
                    cycle.iter().map(|&p| data.schools[p].id.as_str()).collect();
                names.push(data.schools[x].id.as_str());
                err(
                    ChangeAt::MergerInto(worst),
                    format!(
                        "mergers form a cycle {}; expected a chain of mergers that ends at a school that stays open",
                        names.join(" → ")
                    ),
                );
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
        // chains: a closed campus's zone and seats go up its chain
        let up: Vec<Option<usize>> = (0..n)
            .map(|s| {
                next[s]
                    .filter(|&(_, j)| self.mergers[j].branch_seats.is_none())
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
        let names: Vec<String> = data.schools.iter().map(|s| s.name.clone()).collect();
        let mut moves: Vec<(Reverse<usize>, usize)> = Vec::new();
        for (j, l) in link.iter().enumerate() {
            let Some((f, t)) = *l else { continue };
            match self.mergers[j].branch_seats {
                Some(b) => {
                    // the campus stays, as a branch of the school its target
                    // ends up in, with these seats instead of its own
                    seats[f] = u64::from(b.0);
                    last[f] = Some(ChangeAt::MergerBranch(j));
                    data.schools[f].name = format!("{}（{}校区）", names[root(t)], names[f]);
                }
                None => moves.push((Reverse(depth(f)), j)),
            }
        }
        // deepest campuses first, so a chain adds up whatever the order of
        // its entries
        moves.sort_unstable();
        for &(_, j) in &moves {
            let Some((f, t)) = link[j] else { continue };
            if self.mergers[j].move_seats {
                seats[t] += seats[f];
                classes[t] += classes[f];
                last[t] = Some(ChangeAt::MergerInto(j));
            }
        }
        for &(_, j) in &moves {
            let Some((f, _)) = link[j] else { continue };
            data.schools[f].status = Status::Closing;
            if let Some(zones) = &mut data.zones {
                zones.replace_school(SchoolIx::from_ix(f), Some(SchoolIx::from_ix(root(f))));
            }
        }
        let shut: Vec<SchoolIx> = (0..n)
            .filter(|&s| closed_by[s].is_some())
            .map(SchoolIx::from_ix)
            .collect();
        close_schools(&mut data, &shut);

        // bounds, then the class-size cap
        let cap = self.policy.max_class_size_cap;
        let mut capped = Vec::new();
        for s in 0..n {
            let open = data.schools[s].status == Status::Open;
            if open {
                if let Some(at) = last[s] {
                    let id = &data.schools[s].id;
                    if seats[s] > u64::from(MAX_SEATS) {
                        err(at, format!("`{id}` would have {} entry seats after the scenario's changes; expected at most {MAX_SEATS} (what one school can have)", seats[s]));
                    }
                    if classes[s] > u64::from(MAX_CLASSES) {
                        err(at, format!("`{id}` would have {} classes after the scenario's changes; expected at most {MAX_CLASSES} (what one school can have)", classes[s]));
                    }
                }
            }
            let stated = seats[s].min(u64::from(MAX_SEATS)) as u32;
            let cl = classes[s].min(u64::from(MAX_CLASSES)) as u32;
            let school = &mut data.schools[s];
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
                    by: last[s],
                });
            }
        }
        Applied {
            data,
            capped,
            errors,
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
                })
                .collect(),
            blocks: vec![],
            students: vec![],
            zones: Some(z),
        }
    }

    fn merger(from: usize, into: usize) -> Merger {
        Merger {
            from: SchoolId::new(&format!("S{from}")),
            into: SchoolId::new(&format!("S{into}")),
            move_seats: true,
            branch_seats: None,
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
        }];
        sc.conversions = vec![Conversion {
            school: id(1),
            freed_seats: Seats(10),
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
        sc.closures = vec![id(2)];
        sc.capacity = vec![CapacityOverride {
            school: id(2),
            entry_seats: Some(Seats(10)),
            classes: None,
        }];
        sc.conversions = vec![Conversion {
            school: id(0),
            freed_seats: Seats(10),
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
        }];
        sc.conversions = vec![Conversion {
            school: id(0),
            freed_seats: Seats(1),
        }];
        let a = sc.applied(data(&[Level::Primary]));
        assert_eq!(a.errors.len(), 1);
        assert_eq!(a.errors[0].at, ChangeAt::Conversion(0));
        assert!(a.errors[0].message.contains("100001 entry seats"));
    }
}
