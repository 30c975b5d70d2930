//! Which schools to keep open (布局调整): a capacitated facility-location
//! problem. Every applicant must keep a seat within reach
//! (`overflow_max_km`); among the closure sets that allow it, minimise the
//! total applicant distance plus, optionally, a weight times the yearly
//! operating cost of the schools kept open.
//!
//! - [`mip`]: exact, with good_lp (binary `y_s` open, continuous `x_bs`
//!   assignment, which is integral once `y` is fixed since the rest is a
//!   transportation problem); the next-best sets by no-good cuts.
//! - [`heuristic`]: greedy drop (close, one at a time, the school whose
//!   closure costs least, backing out of dead ends), from the plain start and from each possible
//!   first closure, then swaps of a closed and an open school while they
//!   help; every set is evaluated exactly by min-cost flow ([`evaluate`]).
//! - [`brute_force`]: every closure set, for tests.
//! - [`choose`]: the heuristic, and the MIP where `--method` asks for it;
//!   [`compare_sets`]: the chosen sets placed by the rules and compared.

use std::collections::HashSet;

use good_lp::{constraint, variable, Expression, ProblemVariables, Solution, SolverModel};

use super::compare::{compare, Comparison, Run};
use super::Method;
use crate::domain::model::{Dataset, SchoolIx};
use crate::domain::scenario::{close_schools, Scenario};
use crate::rules::place::{place, Mechanism, PlacementResult};
use crate::solve::lp::make_model;
use crate::solve::transport::Transport;
use crate::spatial::distance::DistanceSource;

/// A closure problem over candidate schools.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Applicants per home (block).
    pub demand: Vec<u32>,
    /// Seats per candidate school.
    pub capacity: Vec<u32>,
    /// Weighted yearly cost per candidate (already multiplied by the weight, in km).
    pub cost: Vec<f64>,
    /// Per home: (candidate, metres) within reach.
    pub reach: Vec<Vec<(usize, u32)>>,
    pub must_keep: Vec<bool>,
    pub must_close: Vec<bool>,
}

/// Position of a school among a closure problem's candidates (the
/// entries of [`Instance::capacity`], `cost`, `must_keep`…), not its
/// [`SchoolIx`](crate::domain::model::SchoolIx) in the dataset: [`instance`]
/// returns the dataset school of each candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Candidate(pub u32);

impl Candidate {
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// Close exactly this many schools.
    Close(usize),
    /// Keep only schools at least this utilised (0–1); close as many as needed.
    MinUtilisation(f64),
}

/// A closure set and its objective (km of travel plus weighted cost).
#[derive(Clone, Debug, PartialEq)]
pub struct ClosureSet {
    /// Candidates closed, ascending.
    pub closed: Vec<usize>,
    pub objective: f64,
    pub distance_km: f64,
}

/// Total distance (km) and per-school use of the best assignment with the
/// given schools open, or `None` when someone has no open school with a
/// seat in reach.
pub fn evaluate(inst: &Instance, open: &[bool]) -> Option<(f64, Vec<u32>)> {
    evaluate_with(inst, open, None)
}

/// Seats an open school must fill under a minimum utilisation: ⌈u·capacity⌉
/// (whole children, so the assignment stays integral).
pub fn min_load(u: f64, capacity: u32) -> u32 {
    ((u * f64::from(capacity)) - 1e-9).ceil().max(0.0) as u32
}

/// [`evaluate`], with every open school filled to at least
/// [`min_load`]`(u, capacity)` when `min_utilisation` is given (a lower
/// bound on its arc to the sink, moved into the node balances).
pub fn evaluate_with(
    inst: &Instance,
    open: &[bool],
    min_utilisation: Option<f64>,
) -> Option<(f64, Vec<u32>)> {
    let lower: Vec<i64> = (0..inst.capacity.len())
        .map(|s| match (open[s], min_utilisation) {
            (true, Some(u)) => i64::from(min_load(u, inst.capacity[s])),
            _ => 0,
        })
        .collect();
    let capacity = (0..inst.capacity.len())
        .map(|s| {
            if open[s] {
                i64::from(inst.capacity[s])
            } else {
                0
            }
        })
        .collect();
    // a child without a seat costs more than any distance: the flow seats
    // everyone it can, and a set that leaves one unseated is infeasible
    let mut t = Transport::new(capacity)
        .with_min_load(lower)
        .unplaced_at(i64::from(u32::MAX));
    let mut lanes = Vec::new();
    for (list, &d) in inst.reach.iter().zip(&inst.demand) {
        let h = t.add_source(i64::from(d));
        for &(s, m) in list {
            if open[s] {
                lanes.push((m, t.add_lane(h, s, i64::from(m))));
            }
        }
    }
    let f = t.solve()?;
    if f.unplaced.iter().any(|&u| u > 0) {
        return None;
    }
    let metres: i128 = lanes
        .iter()
        .map(|&(m, l)| i128::from(f.flow[l]) * i128::from(m))
        .sum();
    Some((
        metres as f64 / 1000.0,
        f.load.iter().map(|&l| l as u32).collect(),
    ))
}

fn objective(inst: &Instance, open: &[bool], km: f64) -> f64 {
    km + (0..open.len())
        .filter(|&s| open[s])
        .map(|s| inst.cost[s])
        .sum::<f64>()
}

fn satisfies(inst: &Instance, target: Target, open: &[bool], used: &[u32]) -> bool {
    match target {
        Target::Close(k) => open.iter().filter(|&&o| !o).count() == k,
        Target::MinUtilisation(u) => (0..open.len())
            .filter(|&s| open[s])
            .all(|s| used[s] >= min_load(u, inst.capacity[s])),
    }
}

fn lower_of(target: Target) -> Option<f64> {
    match target {
        Target::MinUtilisation(u) => Some(u),
        Target::Close(_) => None,
    }
}

fn set_of(open: &[bool]) -> Vec<usize> {
    (0..open.len()).filter(|&s| !open[s]).collect()
}

/// Every closure set (small instances only): the best feasible one.
pub fn brute_force(inst: &Instance, target: Target) -> Option<ClosureSet> {
    let n = inst.capacity.len();
    assert!(n <= 20, "brute force is for small instances");
    let mut best: Option<ClosureSet> = None;
    for mask in 0u32..(1 << n) {
        let open: Vec<bool> = (0..n).map(|s| mask & (1 << s) == 0).collect();
        if (0..n).any(|s| (inst.must_keep[s] && !open[s]) || (inst.must_close[s] && open[s])) {
            continue;
        }
        if let Target::Close(k) = target {
            if open.iter().filter(|&&o| !o).count() != k {
                continue;
            }
        }
        let Some((km, used)) = evaluate_with(inst, &open, lower_of(target)) else {
            continue;
        };
        if !satisfies(inst, target, &open, &used) {
            continue;
        }
        let obj = objective(inst, &open, km);
        if best.as_ref().is_none_or(|b| obj < b.objective - 1e-9) {
            best = Some(ClosureSet {
                closed: set_of(&open),
                objective: obj,
                distance_km: km,
            });
        }
    }
    best
}

/// Greedy drop then swaps. Returns up to `top` best distinct sets seen,
/// best first.
pub fn heuristic(inst: &Instance, target: Target, top: usize) -> Vec<ClosureSet> {
    let n = inst.capacity.len();
    let mut seen: Vec<ClosureSet> = Vec::new();
    let consider = |open: &[bool], seen: &mut Vec<ClosureSet>| -> Option<f64> {
        let (km, used) = evaluate_with(inst, open, lower_of(target))?;
        let obj = objective(inst, open, km);
        let set = set_of(open);
        if satisfies(inst, target, open, &used) && !seen.iter().any(|x| x.closed == set) {
            seen.push(ClosureSet {
                closed: set,
                objective: obj,
                distance_km: km,
            });
        }
        Some(obj)
    };
    let closable = |open: &[bool], s: usize| open[s] && !inst.must_keep[s];
    let mut dead: HashSet<Vec<bool>> = HashSet::new();
    let initial: Vec<bool> = (0..n).map(|s| !inst.must_close[s]).collect();
    // one greedy path from the plain start, and one from each first closure
    let firsts: Vec<Option<usize>> = std::iter::once(None)
        .chain((0..n).filter(|&s| closable(&initial, s)).map(Some))
        .collect();
    for first in firsts {
        let mut open = initial.clone();
        if let Some(f) = first {
            open[f] = false;
            if matches!(target, Target::Close(k) if k == 0) {
                continue;
            }
        }
        // greedy drop, backtracking out of dead ends
        let mut budget = 2 * n * n;
        descend(
            inst,
            target,
            &mut open,
            &mut budget,
            &mut dead,
            &mut |o: &[bool]| {
                consider(o, &mut seen);
            },
        );
        consider(&open, &mut seen);
        // swaps: close an open school and reopen a closed one while it helps
        let mut current = evaluate_with(inst, &open, lower_of(target))
            .filter(|(_, used)| satisfies(inst, target, &open, used))
            .map(|(km, _)| objective(inst, &open, km));
        while let Some(cur) = current {
            let closed_now: Vec<usize> = (0..n)
                .filter(|&c| !open[c] && !inst.must_close[c])
                .collect();
            let open_now: Vec<usize> = (0..n).filter(|&o| closable(&open, o)).collect();
            let mut best: Option<(f64, usize, usize)> = None;
            for &c in &closed_now {
                for &o in &open_now {
                    open[c] = true;
                    open[o] = false;
                    let ok = evaluate_with(inst, &open, lower_of(target))
                        .filter(|(_, used)| satisfies(inst, target, &open, used));
                    if let Some((km, _)) = ok {
                        let obj = objective(inst, &open, km);
                        consider(&open, &mut seen);
                        if obj < cur - 1e-9 && best.is_none_or(|(b, _, _)| obj < b) {
                            best = Some((obj, c, o));
                        }
                    }
                    open[c] = false;
                    open[o] = true;
                }
            }
            match best {
                Some((obj, c, o)) => {
                    open[c] = true;
                    open[o] = false;
                    current = Some(obj);
                }
                None => break,
            }
        }
    }
    seen.sort_by(|a, b| {
        a.objective
            .total_cmp(&b.objective)
            .then(a.closed.cmp(&b.closed))
    });
    seen.truncate(top);
    seen
}

/// Greedy drop as a depth-first descent: close, one at a time, the school
/// whose closure costs least, and when a path reaches a set from which no
/// closure keeps everyone seated before the target is met (a dead end,
/// e.g. a small school closed early that a tight district later needs),
/// back up and take the next cheapest closure instead. Dead sets are
/// remembered; `budget` caps the evaluations spent, so large districts
/// stay fast while small ones are searched to a feasible set whenever one
/// lies below the path. Returns whether `open` ends at a finished set.
fn descend(
    inst: &Instance,
    target: Target,
    open: &mut Vec<bool>,
    budget: &mut usize,
    dead: &mut HashSet<Vec<bool>>,
    seen: &mut dyn FnMut(&[bool]),
) -> bool {
    let done = match target {
        Target::Close(k) => open.iter().filter(|&&o| !o).count() >= k,
        // close while some open school cannot be filled to the bar
        Target::MinUtilisation(_) => evaluate_with(inst, open, lower_of(target)).is_some(),
    };
    if done {
        return true;
    }
    if dead.contains(open.as_slice()) {
        return false;
    }
    let mut options: Vec<(f64, usize)> = Vec::new();
    for s in 0..open.len() {
        if !open[s] || inst.must_keep[s] || *budget == 0 {
            continue;
        }
        *budget -= 1;
        open[s] = false;
        if let Some((km, _)) = evaluate(inst, open) {
            options.push((objective(inst, open, km), s));
            seen(open);
        }
        open[s] = true;
    }
    options.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (_, s) in options {
        open[s] = false;
        if descend(inst, target, open, budget, dead, seen) {
            return true;
        }
        open[s] = true;
        if *budget == 0 {
            break;
        }
    }
    if *budget > 0 {
        dead.insert(open.clone());
    }
    false
}

/// The exact optimum and the next best sets (up to `top`), by MIP with
/// no-good cuts. `None` when no set is feasible or the solver fails.
// y, x, capacities and flags are all indexed by candidate
#[allow(clippy::needless_range_loop)]
pub fn mip(inst: &Instance, target: Target, top: usize) -> Option<Vec<ClosureSet>> {
    let n = inst.capacity.len();
    let mut found: Vec<ClosureSet> = Vec::new();
    while found.len() < top {
        let mut vars = ProblemVariables::new();
        let y: Vec<_> = (0..n).map(|_| vars.add(variable().binary())).collect();
        let x: Vec<Vec<(usize, _, u32)>> = inst
            .reach
            .iter()
            .map(|list| {
                list.iter()
                    .map(|&(s, m)| (s, vars.add(variable().min(0.0)), m))
                    .collect()
            })
            .collect();
        let mut obj = Expression::default();
        for row in &x {
            for &(_, v, m) in row {
                obj.add_mul(f64::from(m) / 1000.0, v);
            }
        }
        for s in 0..n {
            obj.add_mul(inst.cost[s], y[s]);
        }
        let mut model = make_model(vars.minimise(obj));
        for (h, row) in x.iter().enumerate() {
            let e: Expression = row.iter().map(|&(_, v, _)| v).sum();
            model = model.with(constraint!(e == f64::from(inst.demand[h])));
        }
        for s in 0..n {
            let mut load = Expression::default();
            for row in &x {
                for &(t, v, _) in row {
                    if t == s {
                        load.add_mul(1.0, v);
                    }
                }
            }
            let cap = f64::from(inst.capacity[s]);
            model = model.with(constraint!(load.clone() <= cap * y[s]));
            if let Target::MinUtilisation(u) = target {
                let need = f64::from(min_load(u, inst.capacity[s]));
                model = model.with(constraint!(load >= need * y[s]));
            }
            if inst.must_keep[s] {
                model = model.with(constraint!(y[s] == 1));
            }
            if inst.must_close[s] {
                model = model.with(constraint!(y[s] == 0));
            }
        }
        if let Target::Close(k) = target {
            let open: Expression = y.iter().copied().sum();
            model = model.with(constraint!(open == (n - k) as f64));
        }
        for f in &found {
            // exclude sets already found
            let mut diff = Expression::default();
            let mut constant = 0.0;
            for s in 0..n {
                if f.closed.contains(&s) {
                    diff.add_mul(1.0, y[s]);
                } else {
                    diff.add_mul(-1.0, y[s]);
                    constant += 1.0;
                }
            }
            model = model.with(constraint!(diff + constant >= 1.0));
        }
        let Ok(sol) = model.solve() else { break };
        let open: Vec<bool> = y.iter().map(|&v| sol.value(v) > 0.5).collect();
        // the assignment of an integral y is evaluated exactly by flow
        let Some((km, _)) = evaluate_with(inst, &open, lower_of(target)) else {
            break;
        };
        found.push(ClosureSet {
            closed: set_of(&open),
            objective: objective(inst, &open, km),
            distance_km: km,
        });
    }
    (!found.is_empty()).then_some(found)
}

/// The closure problem of a scenario: homes are blocks (and geocoded
/// applicants) with the grade's applicants, severe disability excluded;
/// candidates are the open mainstream schools of the grade; reach is
/// `overflow_max_km`; each school's `annual_cost` times `cost_weight`
/// (km per unit of cost) enters the objective.
pub fn instance(
    data: &crate::domain::model::Dataset,
    scenario: &crate::domain::scenario::Scenario,
    must_keep: &[crate::domain::model::SchoolIx],
    must_close: &[crate::domain::model::SchoolIx],
    cost_weight: f64,
    dist: &dyn crate::spatial::distance::DistanceSource,
) -> (Instance, Vec<crate::domain::model::SchoolIx>) {
    use crate::domain::model::{Disability, Home, Metres};
    use std::collections::BTreeMap;
    let candidates = data.mainstream_schools(scenario.grade);
    let index = crate::spatial::distance::SchoolIndex::new(
        (0u32..)
            .zip(&candidates)
            .map(|(c, &s)| (Candidate(c), data.school(s).location)),
    );
    let mut homes: BTreeMap<(u32, u32), (geo::Point<f64>, u32)> = BTreeMap::new();
    for (i, st) in data.students.iter().enumerate() {
        if st.entry_grade != scenario.grade || st.disability == Disability::Severe {
            continue;
        }
        let key = match st.home {
            Home::Block(b) => (0, b.0),
            Home::Point(_) => (1, i as u32),
        };
        homes.entry(key).or_insert((data.home_point(st.home), 0)).1 += 1;
    }
    let max = Metres::from_km(scenario.policy.overflow_max_km);
    let (demand, reach): (Vec<u32>, Vec<Vec<(usize, u32)>>) = homes
        .values()
        .map(|&(p, n)| {
            let r = index
                .nearest(p, candidates.len(), max, dist)
                .into_iter()
                .map(|(c, m)| (c.ix(), m.0))
                .collect();
            (n, r)
        })
        .unzip();
    let inst = Instance {
        demand,
        capacity: candidates
            .iter()
            .map(|&s| data.school(s).entry_seats.0)
            .collect(),
        cost: candidates
            .iter()
            .map(|&s| data.school(s).annual_cost.unwrap_or(0.0) * cost_weight)
            .collect(),
        reach,
        must_keep: candidates.iter().map(|s| must_keep.contains(s)).collect(),
        must_close: candidates.iter().map(|s| must_close.contains(s)).collect(),
    };
    (inst, candidates)
}

/// Candidate schools up to which [`Method::Auto`] runs the MIP besides the
/// heuristic. The MIP has one binary variable per candidate and its branch
/// and bound can grow exponentially with them; up to this many it proves
/// the sets optimal and measures the heuristic's gap (README,
/// "optimize-closures"), beyond it `auto` keeps to the heuristic so that a
/// large district still gets an answer in seconds. `--method mip` runs the
/// MIP at any size.
pub const MIP_AUTO_CANDIDATES: usize = 40;

/// Which search the reported closure sets come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// The MIP with no-good cuts: proven optimal.
    Mip,
    /// Greedy drop and swaps ([`heuristic`]).
    Heuristic,
}

/// The best closure sets and how they were found.
#[derive(Clone, Debug, PartialEq)]
pub struct Chosen {
    /// Best first; empty when no set keeps every applicant within reach.
    pub sets: Vec<ClosureSet>,
    pub found: Found,
    /// How far (in percent) the heuristic's best set lies above the MIP
    /// optimum, when the MIP ran and its optimum is above 0.
    pub heuristic_gap_pct: Option<f64>,
}

/// The best `top` closure sets by `method`. The heuristic always runs; the
/// MIP runs for [`Method::Mip`], and for [`Method::Auto`] up to
/// [`MIP_AUTO_CANDIDATES`] candidates. The MIP's sets are reported when it
/// finds any, else the heuristic's.
pub fn choose(inst: &Instance, target: Target, top: usize, method: Method) -> Chosen {
    let use_mip = match method {
        Method::Mip => true,
        Method::Heuristic => false,
        Method::Auto => inst.capacity.len() <= MIP_AUTO_CANDIDATES,
    };
    let heur = heuristic(inst, target, top);
    let exact = if use_mip {
        mip(inst, target, top)
    } else {
        None
    };
    let heuristic_gap_pct = match (exact.as_ref().and_then(|e| e.first()), heur.first()) {
        (Some(e), Some(h)) if e.objective > 0.0 => {
            Some(100.0 * (h.objective - e.objective) / e.objective)
        }
        _ => None,
    };
    match exact {
        Some(sets) => Chosen {
            sets,
            found: Found::Mip,
            heuristic_gap_pct,
        },
        None => Chosen {
            sets: heur,
            found: Found::Heuristic,
            heuristic_gap_pct,
        },
    }
}

/// The scenario as it is (run 0) and each closure set (run i, named
/// `set i`), placed with the full zoned rules and compared. The optimiser's
/// reach condition is about seats only, so the rules' tier order can still
/// leave children unplaced: the comparison shows what a set really does.
/// `candidates` maps the instance's candidates to schools ([`instance`]).
pub fn compare_sets(
    data: &Dataset,
    scenario: &Scenario,
    candidates: &[SchoolIx],
    sets: &[ClosureSet],
    dist: &dyn DistanceSource,
) -> Comparison {
    let base = place(data, scenario, Mechanism::Zoned, dist);
    let variants: Vec<(Scenario, Dataset, PlacementResult)> = sets
        .iter()
        .enumerate()
        .map(|(i, set)| {
            let shut: Vec<SchoolIx> = set.closed.iter().map(|&c| candidates[c]).collect();
            let mut sc = scenario.clone();
            sc.name = format!("set {}", i + 1);
            sc.closures.extend(
                shut.iter()
                    .map(|&s| crate::domain::scenario::Closure::new(data.school(s).id.clone())),
            );
            // close the set on the network the scenario already changed (a
            // merger's receiving school may be in the set)
            let mut changed = data.clone();
            close_schools(&mut changed, &shut);
            let r = place(&changed, &sc, Mechanism::Zoned, dist);
            (sc, changed, r)
        })
        .collect();
    let mut runs = vec![Run {
        scenario,
        data,
        result: &base,
    }];
    runs.extend(variants.iter().map(|(sc, d, r)| Run {
        scenario: sc,
        data: d,
        result: r,
    }));
    compare(&runs)
}
