//! Exact flow-based placement: overflow (统筹) to schools with seats, and
//! capacity-aware zoning of whole blocks.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::domain::model::*;
use crate::solve::transport::{Shipment, Transport};
use crate::spatial::distance::{DistanceSource, SchoolIndex};

/// How far overflow placement and zoning look: all schools within `max`.
/// `candidates` only sets how many of each home's nearest schools the first
/// flow is offered (its size, so its speed): schools beyond them are priced
/// in until the flow is optimal over every school within `max`.
#[derive(Clone, Copy, Debug)]
pub struct Reach {
    pub candidates: usize,
    pub max: Metres,
}

/// A group of applicants with the same home and tier: one source of the flow.
struct Group {
    home: Point,
    members: Vec<usize>,
}

type Point = geo::Point<f64>;

/// A source of the flow: its home ([`home_key`]), its 大学区 and whether
/// it must stay placed (大学区-first overflow).
type GroupKey = ((u32, u32), Option<u32>, bool);

/// Homes are grouped by block; a geocoded applicant is its own group.
fn home_key(st: &Student) -> (u32, u32) {
    match st.home {
        Home::Block(b) => (0, b.0),
        Home::Point(_) => (1, 0),
    }
}

/// The arcs of one source with their flow: (school, distance, flow),
/// nearest first.
type Offered = Vec<(SchoolIx, Metres, i64)>;

/// The exact transportation problem sources → schools → sink over every
/// school within `reach.max`: first as many units placed as possible, then
/// the least total distance.
///
/// The first flow offers each source its `reach.candidates` nearest
/// schools. Then, with the optimal flow's node potentials π, every pair not
/// offered whose reduced cost `d − π(source) + π(school)` is negative is
/// added and the flow solved again, until no pair is: then π proves the
/// flow optimal over all pairs (LP duality; column generation, Ahuja,
/// Magnanti and Orlin, *Network Flows*, §11 and §17.3). Schools are searched
/// in great-circle order and the search stops where the great circle
/// (below every source's distance) reaches `π(source) − min π(school)` or
/// `max`, so a road source is only asked about pairs that could matter.
/// Issue 12, item 14: with a few candidates, rounds of the nearest schools
/// placed fewer than fit and at a longer total distance.
fn solve_exact(
    sources: &[(Point, i64)],
    schools: &[SchoolIx],
    seats: &dyn Fn(SchoolIx) -> u32,
    data: &Dataset,
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Vec<Offered> {
    solve_scoped(sources, None, schools, seats, data, reach, dist)
}

/// What 大学区-first overflow adds to the flow, per source: its 大学区,
/// and whether its units must stay placed (placed by a higher tier).
#[derive(Clone, Copy)]
struct Scope<'a> {
    districts: &'a [Option<u32>],
    must: &'a [bool],
}

/// [`solve_exact`] where a pair whose school is outside the source's
/// 大学区 (`districts[g]`, compared with [`School::district`]) costs
/// `outside` more than its distance, an unplaced unit more than any chain
/// of such pairs could save, and an unplaced unit of a source that must
/// stay placed more than an unplaced one of the others and such a chain:
/// the flow keeps every unit that must stay placed, places as many others
/// as possible, then as many as possible inside their 大学区, then the
/// least total distance (lexicographic costs, as in Ahuja, Magnanti and
/// Orlin, *Network Flows*, §9.1's big-M weights: an improving cycle passes
/// the sink at most once and uses at most `chain` lanes, so a weight above
/// what such a cycle can save on the weights below it decides first).
// long: the column generation loop of `solve_exact`, with the scope's
// extra cost on every pair it prices
fn solve_scoped(
    sources: &[(Point, i64)],
    scope: Option<Scope<'_>>,
    schools: &[SchoolIx],
    seats: &dyn Fn(SchoolIx) -> u32,
    data: &Dataset,
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Vec<Offered> {
    let max = reach.max;
    let First {
        mut t,
        mut cands,
        mut lanes,
        index,
        dest,
        outside,
    } = first_round(sources, scope, schools, seats, data, reach, dist);
    let extra = |g: usize, s: SchoolIx| outside_cost(scope, outside, data, g, s);
    // the first round by the network simplex; a later one repaired from
    // the round before (its flow and potentials) by successive shortest
    // paths when few sources were offered a better lane ([`warm_start`]),
    // else solved again by the simplex
    let mut previous: Option<Shipment> = None;
    loop {
        let flow = match &previous {
            None => t.solve(),
            Some(p) => t.solve_from(p),
        }
        .expect("every source has an unplaced arc, so the flow is feasible");
        let (pi_g, pi_s) = (&flow.source_potential, &flow.destination_potential);
        let min_school = pi_s.iter().copied().min();
        let priced: Vec<Vec<(SchoolIx, Metres)>> = sources
            .par_iter()
            .enumerate()
            .map(|(g, &(home, supply))| {
                let Some(min_school) = min_school else {
                    return Vec::new();
                };
                // an improving pair needs d < π(source) − π(school)
                let bound = i128::from(pi_g[g]) - i128::from(min_school);
                if supply <= 0 || bound <= 0 {
                    return Vec::new();
                }
                let reach_m = (bound as f64).min(f64::from(max.0) + 0.5);
                let mut add = Vec::new();
                for (s, p, gc) in index.by_great_circle(home) {
                    if gc > reach_m + 1.0 {
                        break;
                    }
                    // the great circle is below the distance: skip the
                    // query where even it cannot give a negative reduced cost
                    let floor = gc.floor() as i128 - 1;
                    if floor - i128::from(pi_g[g]) + i128::from(pi_s[dest[s.ix()]]) >= 0
                        || cands[g].iter().any(|c| c.0 == s)
                    {
                        continue;
                    }
                    let Some(m) = dist.metres(home, p).filter(|&m| m <= max) else {
                        continue;
                    };
                    let reduced = i128::from(m.0) + i128::from(extra(g, s)) - i128::from(pi_g[g])
                        + i128::from(pi_s[dest[s.ix()]]);
                    if reduced < 0 {
                        add.push((s, m));
                    }
                }
                add
            })
            .collect();
        if priced.iter().all(Vec::is_empty) {
            return cands
                .into_iter()
                .zip(lanes)
                .map(|(cs, ls)| {
                    let mut o: Offered = cs
                        .into_iter()
                        .zip(ls)
                        .map(|((s, m), l)| (s, m, flow.flow[l]))
                        .collect();
                    o.sort_by_key(|&(s, m, _)| (m, s));
                    o
                })
                .collect();
        }
        let offered = priced.iter().filter(|add| !add.is_empty()).count();
        for (g, add) in priced.into_iter().enumerate() {
            for (s, m) in add {
                lanes[g].push(t.add_lane(g, dest[s.ix()], i64::from(m.0) + extra(g, s)));
                cands[g].push((s, m));
            }
        }
        previous = warm_start(flow, offered, sources.len());
    }
}

/// The round to repair the next one from, if any: successive shortest
/// paths from the previous optimum ([`Transport::solve_from`]) move only
/// the sources offered a better lane, so they pay when those are few (a
/// last round of column generation on the generated 1M district: 22 of
/// 50,000 homes, 0.4 s against 15.9 s by the simplex) and lose when many
/// are (its second round, 2,225 homes: 18.8 s against 16.0 s; the fourth
/// overflow tier of the zoned 1M run, 4,924 of 26,841 homes: 44 s against
/// 3 s, issue 18's planner check). Up to 1% of the
/// sources the repair is used, beyond it the simplex solves again; both are
/// exact, and the choice depends only on the problem, so the result stays
/// a pure function of the input.
fn warm_start(flow: Shipment, offered: usize, sources: usize) -> Option<Shipment> {
    (offered.saturating_mul(100) <= sources).then_some(flow)
}

/// What the pair of source `g` and school `s` costs beyond its distance:
/// `outside` when a scope is given and `s` is not in `g`'s 大学区 (a source
/// without one has every school outside), else 0.
fn outside_cost(
    scope: Option<Scope<'_>>,
    outside: i64,
    data: &Dataset,
    g: usize,
    s: SchoolIx,
) -> i64 {
    match scope {
        Some(sc) if sc.districts[g].is_none() || sc.districts[g] != data.school(s).district => {
            outside
        }
        _ => 0,
    }
}

/// The first round of [`solve_scoped`]: the transportation problem with
/// each source's `reach.candidates` nearest schools, and what the later
/// rounds price with.
struct First {
    t: Transport,
    /// Per source, the schools offered and their distances, like `lanes`.
    cands: Vec<Vec<(SchoolIx, Metres)>>,
    lanes: Vec<Vec<usize>>,
    index: SchoolIndex,
    /// Each school's position among the flow's destinations.
    dest: Vec<usize>,
    /// What a pair outside the source's 大学区 costs more.
    outside: i64,
}

fn first_round(
    sources: &[(Point, i64)],
    scope: Option<Scope<'_>>,
    schools: &[SchoolIx],
    seats: &dyn Fn(SchoolIx) -> u32,
    data: &Dataset,
    reach: Reach,
    dist: &dyn DistanceSource,
) -> First {
    let Reach { candidates: k, max } = reach;
    let index = SchoolIndex::new(schools.iter().map(|&s| (s, data.school(s).location)));
    let cands: Vec<Vec<(SchoolIx, Metres)>> = sources
        .par_iter()
        .map(|&(home, supply)| {
            if supply > 0 {
                index.nearest(home, k, max, dist)
            } else {
                // no flow to route: only its nearest school, for zoning
                index.nearest(home, 1, max, dist)
            }
        })
        .collect();
    // An unplaced unit costs more than any chain of reassignments could
    // save, so the flow first places as many as possible; with a scope, a
    // pair outside the 大学区 costs more than any chain of in-district
    // reassignments could save, and the unplaced penalty covers both.
    let chain = schools.len() as i64 + 2;
    let step = i64::from(max.0) + 1;
    let outside = if scope.is_some() { chain * step } else { 0 };
    let penalty = chain
        .checked_mul(step + outside)
        .expect("schools × reach fit an i64");
    let hard = penalty
        .checked_mul(2)
        .and_then(|p| p.checked_add(1))
        .expect("schools × reach fit an i64");
    let extra = |g: usize, s: SchoolIx| outside_cost(scope, outside, data, g, s);
    // each school's position among the flow's destinations
    let mut dest = vec![usize::MAX; data.schools.len()];
    for (d, &s) in schools.iter().enumerate() {
        dest[s.ix()] = d;
    }
    let mut t =
        Transport::new(schools.iter().map(|&s| i64::from(seats(s))).collect()).unplaced_at(penalty);
    for (g, &(_, supply)) in sources.iter().enumerate() {
        if scope.is_some_and(|sc| sc.must[g]) {
            t.add_source_unplaced_at(supply, hard);
        } else {
            t.add_source(supply);
        }
    }
    // the lanes of each source, like `cands`
    let lanes: Vec<Vec<usize>> = cands
        .iter()
        .enumerate()
        .map(|(g, cs)| {
            cs.iter()
                .map(|&(s, m)| t.add_lane(g, dest[s.ix()], i64::from(m.0) + extra(g, s)))
                .collect()
        })
        .collect();
    First {
        t,
        cands,
        lanes,
        index,
        dest,
        outside,
    }
}

/// The first transportation problem [`assign_by_flow`] solves for these
/// applicants (grouped by home as it groups them): each group offered its
/// `reach.candidates` nearest schools with seats, plus an unplaced arc at
/// the big-M penalty. `place --mechanism min-distance` solves this for all
/// applicants of the grade; benches/transport.rs times solvers on it.
pub fn first_flow(
    data: &Dataset,
    applicants: &[usize],
    schools: &[SchoolIx],
    seats_left: &[u32],
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Transport {
    let open: Vec<SchoolIx> = schools
        .iter()
        .copied()
        .filter(|s| seats_left[s.ix()] > 0)
        .collect();
    let (groups, _, _) = group_applicants(data, applicants, None);
    let sources: Vec<(Point, i64)> = groups
        .iter()
        .map(|g| (g.home, g.members.len() as i64))
        .collect();
    let seats = |s: SchoolIx| seats_left[s.ix()];
    first_round(&sources, None, &open, &seats, data, reach, dist).t
}

/// Place applicants (indices into `data.students`, in priority order within
/// each group) into `schools` with `seats_left`, by one exact min-cost flow
/// over every school within `reach.max` that has seats: maximise the number
/// placed, then minimise total distance ([`solve_exact`]). Returns the
/// school and distance per applicant.
pub fn assign_by_flow(
    data: &Dataset,
    applicants: &[usize],
    schools: &[SchoolIx],
    seats_left: &mut [u32],
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Vec<Option<(SchoolIx, Metres)>> {
    assign_in_districts(data, applicants, None, schools, seats_left, reach, dist)
}

/// [`assign_by_flow`] with 大学区-first overflow (`overflow_scope =
/// "district_first"`) when `districts` gives each applicant's 大学区 (that
/// of its zone school; `None`: it has none, and every school is outside)
/// and the first `keep` applicants must stay placed (a higher tier's, placed
/// by an earlier flow): those kept, then as many others as possible, then
/// as many as possible inside their 大学区, then the least total distance
/// ([`solve_scoped`]).
pub fn assign_in_districts(
    data: &Dataset,
    applicants: &[usize],
    districts: Option<(&[Option<u32>], usize)>,
    schools: &[SchoolIx],
    seats_left: &mut [u32],
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Vec<Option<(SchoolIx, Metres)>> {
    let mut result = vec![None; applicants.len()];
    let open: Vec<SchoolIx> = schools
        .iter()
        .copied()
        .filter(|s| seats_left[s.ix()] > 0)
        .collect();
    if open.is_empty() || applicants.is_empty() {
        return result;
    }
    let (groups, group_district, group_must) = group_applicants(data, applicants, districts);
    let sources: Vec<(Point, i64)> = groups
        .iter()
        .map(|g| (g.home, g.members.len() as i64))
        .collect();
    let seats = |s: SchoolIx| seats_left[s.ix()];
    let scope = districts.map(|_| Scope {
        districts: &group_district,
        must: &group_must,
    });
    let offered = solve_scoped(&sources, scope, &open, &seats, data, reach, dist);
    // hand each group's seats to its members in order, nearest first
    for (g, arcs) in offered.iter().enumerate() {
        let mut members = groups[g].members.iter();
        for &(s, m, f) in arcs {
            for _ in 0..f {
                let &i = members.next().expect("flow out of a group is its size");
                result[i] = Some((s, m));
                seats_left[s.ix()] -= 1;
            }
        }
    }
    result
}

/// Applicants grouped by home (and 大学区, and whether they must stay
/// placed), keeping their order: the flow's sources, with each group's
/// 大学区 and must-stay flag.
fn group_applicants(
    data: &Dataset,
    applicants: &[usize],
    districts: Option<(&[Option<u32>], usize)>,
) -> (Vec<Group>, Vec<Option<u32>>, Vec<bool>) {
    let mut groups: Vec<Group> = Vec::new();
    let mut group_district: Vec<Option<u32>> = Vec::new();
    let mut group_must: Vec<bool> = Vec::new();
    let mut by_key: BTreeMap<GroupKey, usize> = BTreeMap::new();
    for (i, &a) in applicants.iter().enumerate() {
        let st = &data.students[a];
        let d = districts.and_then(|(d, _)| d[i]);
        let must = districts.is_some_and(|(_, keep)| i < keep);
        let key = (home_key(st), d, must);
        let g = match (key.0 .0, by_key.get(&key)) {
            (0, Some(&g)) => g,
            _ => {
                groups.push(Group {
                    home: data.home_point(st.home),
                    members: Vec::new(),
                });
                group_district.push(d);
                group_must.push(must);
                by_key.insert(key, groups.len() - 1);
                groups.len() - 1
            }
        };
        groups[g].members.push(i);
    }
    (groups, group_district, group_must)
}

/// Capacity-aware minimum-distance zones: whole blocks to schools. The flow
/// (exact over every school within reach, [`solve_exact`]) may split a
/// block; its zone is the school that takes most of its applicants (ties:
/// the nearer). Blocks with no applicants, or none placed, go to their
/// nearest school.
pub fn compute_zones(
    data: &Dataset,
    blocks: &[BlockIx],
    schools: &[SchoolIx],
    seats_left: &[u32],
    applicants_per_block: &[u32],
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Vec<Option<SchoolIx>> {
    let sources: Vec<(Point, i64)> = blocks
        .iter()
        .map(|&b| {
            (
                data.block(b).location,
                i64::from(applicants_per_block[b.ix()]),
            )
        })
        .collect();
    let seats = |s: SchoolIx| seats_left[s.ix()];
    let offered = solve_exact(&sources, schools, &seats, data, reach, dist);
    offered
        .iter()
        .map(|arcs| {
            let mut best: Option<(i64, Metres, SchoolIx)> = None;
            for &(s, m, f) in arcs {
                if f > 0 && best.is_none_or(|(bf, bm, _)| f > bf || (f == bf && m < bm)) {
                    best = Some((f, m, s));
                }
            }
            best.map(|(_, _, s)| s)
                .or_else(|| arcs.first().map(|&(s, _, _)| s))
        })
        .collect()
}
