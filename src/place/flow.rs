//! Exact flow-based placement: overflow (统筹) to schools with seats, and
//! capacity-aware zoning of whole blocks.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::distance::{DistanceSource, SchoolIndex};
use crate::model::*;
use crate::solve::mcf::{Network, Solution, INF};

/// How far overflow placement and zoning look: the `candidates` nearest
/// schools with seats, none farther than `max`.
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

/// Homes are grouped by block; a geocoded applicant is its own group.
fn home_key(st: &Student) -> (u32, u32) {
    match st.home {
        Home::Block(b) => (0, b.0),
        Home::Point(_) => (1, 0),
    }
}

/// Place applicants (indices into `data.students`, in priority order within
/// each group) into `schools` with `seats_left`, one exact min-cost flow per
/// round: maximise the number placed, then minimise total distance. A round
/// offers each home its `k` nearest schools that still have seats within
/// `max`; rounds repeat while they place anyone (a home whose candidates all
/// filled gets the next ones). Returns the school and distance per applicant.
pub fn assign_by_flow(
    data: &Dataset,
    applicants: &[usize],
    schools: &[SchoolIx],
    seats_left: &mut [u32],
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Vec<Option<(SchoolIx, Metres)>> {
    let Reach { candidates: k, max } = reach;
    let mut result = vec![None; applicants.len()];
    let mut pending: Vec<usize> = (0..applicants.len()).collect();
    loop {
        let open: Vec<SchoolIx> = schools
            .iter()
            .copied()
            .filter(|s| seats_left[s.ix()] > 0)
            .collect();
        if open.is_empty() || pending.is_empty() {
            break;
        }
        let index = SchoolIndex::new(open.iter().map(|&s| (s, data.school(s).location)));
        // group pending applicants by home, keeping their order
        let mut groups: Vec<Group> = Vec::new();
        let mut by_key: BTreeMap<(u32, u32), usize> = BTreeMap::new();
        for &i in &pending {
            let st = &data.students[applicants[i]];
            let key = home_key(st);
            let g = match (key.0, by_key.get(&key)) {
                (0, Some(&g)) => g,
                _ => {
                    groups.push(Group {
                        home: data.home_point(st.home),
                        members: Vec::new(),
                    });
                    by_key.insert(key, groups.len() - 1);
                    groups.len() - 1
                }
            };
            groups[g].members.push(i);
        }
        let cands: Vec<Vec<(SchoolIx, Metres)>> = groups
            .par_iter()
            .map(|g| index.nearest(g.home, k, max, dist))
            .collect();
        let n_cands: usize = cands.iter().map(Vec::len).sum();
        if n_cands == 0 {
            break;
        }
        let mut net = Network::with_capacity(
            groups.len() + open.len() + 1,
            n_cands + groups.len() + open.len(),
        );
        let total: i64 = pending.len() as i64;
        let gnode: Vec<usize> = groups
            .iter()
            .map(|g| net.add_node(g.members.len() as i64))
            .collect();
        let mut snode = vec![usize::MAX; data.schools.len()];
        for &s in &open {
            snode[s.ix()] = net.add_node(0);
        }
        let sink = net.add_node(-total);
        // An unplaced unit costs more than any chain of reassignments could
        // save, so the flow first places as many applicants as possible.
        let penalty = (open.len() as i64 + 2) * (i64::from(max.0) + 1);
        let mut arcs = Vec::with_capacity(n_cands);
        for (g, cs) in cands.iter().enumerate() {
            for &(s, m) in cs {
                arcs.push((
                    g,
                    s,
                    m,
                    net.add_arc(gnode[g], snode[s.ix()], INF, i64::from(m.0)),
                ));
            }
            net.add_arc(gnode[g], sink, INF, penalty);
        }
        for &s in &open {
            net.add_arc(snode[s.ix()], sink, i64::from(seats_left[s.ix()]), 0);
        }
        let Solution::Optimal(flow) = net.solve() else {
            unreachable!("every group has an unplaced arc, so the flow is feasible")
        };
        // hand each group's seats to its members in order, nearest first
        let mut placed_any = false;
        let mut next_member = vec![0usize; groups.len()];
        for &(g, s, m, e) in &arcs {
            let f = flow.flow[e] as usize;
            for _ in 0..f {
                let i = groups[g].members[next_member[g]];
                next_member[g] += 1;
                result[i] = Some((s, m));
                seats_left[s.ix()] -= 1;
                placed_any = true;
            }
        }
        pending.retain(|&i| result[i].is_none());
        if !placed_any {
            break;
        }
    }
    result
}

/// Capacity-aware minimum-distance zones: whole blocks to schools. The flow
/// may split a block; its zone is the school that takes most of its
/// applicants (ties: the nearer). Blocks with no applicants, or none placed,
/// go to their nearest school.
pub fn compute_zones(
    data: &Dataset,
    blocks: &[BlockIx],
    schools: &[SchoolIx],
    seats_left: &[u32],
    applicants_per_block: &[u32],
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Vec<Option<SchoolIx>> {
    let Reach { candidates: k, max } = reach;
    let index = SchoolIndex::new(schools.iter().map(|&s| (s, data.school(s).location)));
    let cands: Vec<Vec<(SchoolIx, Metres)>> = blocks
        .par_iter()
        .map(|&b| index.nearest(data.block(b).location, k, max, dist))
        .collect();
    let mut net = Network::new();
    let total: i64 = blocks
        .iter()
        .map(|b| i64::from(applicants_per_block[b.ix()]))
        .sum();
    let bnode: Vec<usize> = blocks
        .iter()
        .map(|b| net.add_node(i64::from(applicants_per_block[b.ix()])))
        .collect();
    let mut snode = vec![usize::MAX; data.schools.len()];
    for &s in schools {
        snode[s.ix()] = net.add_node(0);
    }
    let sink = net.add_node(-total);
    let penalty = (schools.len() as i64 + 2) * (i64::from(max.0) + 1);
    let mut arcs = Vec::new();
    for (i, cs) in cands.iter().enumerate() {
        for &(s, m) in cs {
            arcs.push((
                i,
                s,
                m,
                net.add_arc(bnode[i], snode[s.ix()], INF, i64::from(m.0)),
            ));
        }
        net.add_arc(bnode[i], sink, INF, penalty);
    }
    for &s in schools {
        net.add_arc(snode[s.ix()], sink, i64::from(seats_left[s.ix()]), 0);
    }
    let Solution::Optimal(flow) = net.solve() else {
        unreachable!("every block has an unplaced arc")
    };
    let mut best: Vec<Option<(i64, Metres, SchoolIx)>> = vec![None; blocks.len()];
    for &(i, s, m, e) in &arcs {
        let f = flow.flow[e];
        if f > 0 && best[i].is_none_or(|(bf, bm, _)| f > bf || (f == bf && m < bm)) {
            best[i] = Some((f, m, s));
        }
    }
    best.iter()
        .zip(&cands)
        .map(|(b, cs)| b.map(|(_, _, s)| s).or_else(|| cs.first().map(|&(s, _)| s)))
        .collect()
}
