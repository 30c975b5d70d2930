//! The fast zoning heuristic for large districts, or when no MIP solver
//! can prove optimality in time.
//!
//! 1. Relaxation: drop contiguity and let blocks split; what remains is a
//!    transportation problem, solved exactly by min-cost flow. Its cost is
//!    a lower bound on every zoning (the LP bound the gap is measured
//!    against), and in an optimal basic solution at most one block per
//!    full school is split.
//! 2. Rounding: each block goes to the school that took most of it.
//! 3. Contiguity repair: blocks cut off from their school's root join an
//!    adjacent zone they may belong to, cheapest first.
//! 4. Local search ([`super::search`]): move a boundary block to an
//!    adjacent zone, swap two neighbouring blocks, or move a block with a
//!    neighbour, while it lowers first the seats exceeded and then the
//!    objective, never breaking a zone apart; once within seats, ejection
//!    chains and cyclic exchanges through several full zones (Ahuja,
//!    Orlin & Sharma 2001); then an iterated local search of random kicks,
//!    each followed by the same descent and chains.
//!
//! With a previous zoning that is still valid, the search also starts from
//! it and the better end point is kept, so an unchanged district keeps its
//! zones.

use super::search::Search;
use super::{Assignment, Instance, Stage};
use crate::solve::transport::Transport;

/// Costs enter the flow in thousandths of an applicant-metre.
const SCALE: f64 = 1000.0;

/// The heuristic's zoning and how good it is.
#[derive(Clone, Debug, PartialEq)]
pub struct HeuristicOutcome {
    pub zone: Assignment,
    pub objective: f64,
    /// The relaxation's cost, a lower bound on every zoning; `None` when
    /// even split blocks cannot keep every school within its seats.
    pub bound: Option<f64>,
}

impl HeuristicOutcome {
    /// Relative gap to the bound, (objective − bound) / objective.
    pub fn gap(&self) -> Option<f64> {
        self.bound.map(|b| super::rel_gap(self.objective, b))
    }
}

/// Relaxation, rounding, repair and local search.
pub fn heuristic(inst: &Instance) -> HeuristicOutcome {
    heuristic_with(inst, &mut |_| {})
}

/// [`heuristic`], telling `progress` how far it is.
pub fn heuristic_with(inst: &Instance, progress: &mut dyn FnMut(Stage)) -> HeuristicOutcome {
    progress(Stage::Relaxation);
    let Rounded {
        start: mut z,
        bound,
        min_overflow,
    } = rounded_relaxation(inst);
    repair(inst, &mut z);
    let mut search = Search::new(inst, z);
    search.least_over = min_overflow;
    search.chain_kicks = inst.neighbours.nodes() <= CHAIN_KICK_NODES;
    let rounds = kick_rounds(inst.neighbours.nodes());
    let report = |round: u64, progress: &mut dyn FnMut(Stage), done: usize| {
        progress(Stage::Search {
            round,
            done,
            total: rounds,
        })
    };
    search.kicks(rounds, 0x5a_0e5, &mut |d| report(0, progress, d));
    // seats still exceeded: tight districts get more kicks, from new streams
    for round in 1..=SEAT_ROUNDS {
        // no zoning exceeds seats by fewer than the relaxation does
        if search.over <= min_overflow {
            break;
        }
        search.kicks(rounds, 0x5a_0e5 + round, &mut |d| {
            report(round, progress, d)
        });
    }
    if !search.chain_kicks {
        search.descend_with_chains();
    }
    let mut best = search.z;
    if let Some(prev) = previous_zoning(inst) {
        let mut search = Search::new(inst, prev);
        search.least_over = min_overflow;
        search.descend_with_chains();
        if key(inst, &search.z) < key(inst, &best) {
            best = search.z;
        }
    }
    HeuristicOutcome {
        objective: inst.objective(&best),
        zone: best,
        bound,
    }
}

/// Extra rounds of kicks while seats are still exceeded.
const SEAT_ROUNDS: u64 = 4;

/// Kicks of the iterated local search, by nodes of the neighbour graph (a
/// block, or the blocks at one address, which a kick picks as one place).
/// Up to [`CHAIN_KICK_NODES`] nodes every kick ends with the ejection
/// chains of [`Search::chain_step`], a search over the whole district:
/// 10 kicks per node, 1,000 to 4,000; on Longtan grade 1 (392 blocks)
/// 3,920 kicks with chains end at 5,162,330 applicant-m, 9,800 without
/// them at 5,184,530 (HiGHS's best in 300 s: 5,153,650). Larger districts
/// get 25 plain kicks per node, 3,000 to 20,000, and the chains once at
/// the end.
fn kick_rounds(nodes: usize) -> usize {
    if nodes <= CHAIN_KICK_NODES {
        (10 * nodes).clamp(1_000, 4_000)
    } else {
        (25 * nodes).clamp(3_000, 20_000)
    }
}

/// Districts up to this many nodes run the chains after every kick.
const CHAIN_KICK_NODES: usize = 1_000;

/// Lexicographic quality: seats exceeded, blocks cut off, then objective.
fn key(inst: &Instance, z: &[usize]) -> (u32, usize, f64) {
    let cut = inst.reached_from_roots(z).iter().filter(|&&r| !r).count();
    (inst.overload(z), cut, inst.objective(z))
}

/// The order repairs are compared in: blocks cut off first, since the
/// local search can move blocks between zones to free seats but never
/// reattach a cut-off block; then seats exceeded and the objective.
fn repair_key(inst: &Instance, z: &[usize]) -> (usize, u32, f64) {
    let (over, cut, obj) = key(inst, z);
    (cut, over, obj)
}

/// Last year's zones when every block has one it may still join and the
/// roots are in place.
fn previous_zoning(inst: &Instance) -> Option<Assignment> {
    let z: Option<Assignment> = (0..inst.blocks())
        .map(|b| inst.previous[b].filter(|&s| inst.metres(b, s).is_some()))
        .collect();
    let z = z?;
    inst.root
        .iter()
        .enumerate()
        .all(|(s, &r)| z[r] == s)
        .then_some(z)
}

/// A solved relaxation: per block, the applicants sent to each school.
struct Relaxed {
    split: Vec<Vec<(usize, i64, u32)>>,
    /// Cost in thousandths of an applicant-metre.
    cost: i128,
    /// Applicants sent beyond capacity.
    overflow: i64,
}

/// The transportation relaxation with some blocks fixed to one school.
fn solve_flow(inst: &Instance, fixed: &[Option<usize>]) -> Relaxed {
    let n = inst.blocks();
    let k = inst.schools();
    let mut t = Transport::new(inst.capacity.iter().map(|&c| i64::from(c)).collect());
    let mut arcs = Vec::new();
    let mut max_cost = 0i64;
    for (b, (&demand, fix)) in inst.demand.iter().zip(fixed).enumerate() {
        t.add_source(i64::from(demand));
        if demand == 0 {
            continue;
        }
        for &(s, m) in &inst.cands[b] {
            if fix.is_some_and(|f| f != s) {
                continue;
            }
            let per_unit = f64::from(m) + inst.move_cost(b, s) / f64::from(demand);
            // floored, so the flow's optimum never exceeds the true relaxation's
            let c = (per_unit * SCALE).floor() as i64;
            max_cost = max_cost.max(c);
            arcs.push((b, s, m, t.add_lane(b, s, c)));
        }
    }
    let over_penalty = (max_cost + 1) * (k as i64 + 2);
    let flow = t
        .overflow_at(over_penalty)
        .solve()
        .expect("over-capacity arcs make the relaxation feasible");
    let overflow: i64 = flow.overflow.iter().sum();
    let mut split = vec![Vec::new(); n];
    for &(b, s, m, l) in &arcs {
        if flow.flow[l] > 0 {
            split[b].push((s, flow.flow[l], m));
        }
    }
    Relaxed {
        split,
        cost: flow.cost - i128::from(overflow) * i128::from(over_penalty),
        overflow,
    }
}

/// The LP bound alone: one min-cost-flow solve of the relaxation.
pub fn lower_bound(inst: &Instance) -> Option<f64> {
    let mut fixed: Vec<Option<usize>> = vec![None; inst.blocks()];
    for (s, &r) in inst.root.iter().enumerate() {
        fixed[r] = Some(s);
    }
    let r = solve_flow(inst, &fixed);
    (r.overflow == 0).then(|| r.cost as f64 / SCALE + empty_blocks_bound(inst))
}

/// The least cost of each block without applicants (they carry no flow).
fn empty_blocks_bound(inst: &Instance) -> f64 {
    (0..inst.blocks())
        .filter(|&b| inst.demand[b] == 0)
        .map(|b| match inst.root.iter().position(|&r| r == b) {
            Some(s) => inst.cost(b, s),
            None => inst.cands[b]
                .iter()
                .map(|&(s, _)| inst.cost(b, s))
                .fold(f64::INFINITY, f64::min),
        })
        .sum()
}

/// Flow solves spent on diving; beyond it split blocks are rounded to
/// their largest part. Keeps large districts fast and the result
/// independent of the machine.
const DIVE_SOLVES: usize = 48;

/// The min-cost-flow relaxation (roots fixed to their schools): a rounded
/// start and the lower bound. Rounding dives: the largest split block is
/// fixed to whichever of its schools gives the cheapest relaxation without
/// exceeding seats, the flow re-solved, and so on; blocks split after the
/// dive budget go to the school that took most of them.
pub fn relaxation(inst: &Instance) -> (Assignment, Option<f64>) {
    let r = rounded_relaxation(inst);
    (r.start, r.bound)
}

/// The relaxation's rounded start, its bound and the fewest applicants
/// over the limits that even split blocks leave.
struct Rounded {
    start: Assignment,
    bound: Option<f64>,
    /// Applicants beyond capacity in the relaxation (0 when it fits): no
    /// zoning exceeds seats by fewer.
    min_overflow: u32,
}

fn rounded_relaxation(inst: &Instance) -> Rounded {
    let n = inst.blocks();
    let mut fixed: Vec<Option<usize>> = vec![None; n];
    for (s, &r) in inst.root.iter().enumerate() {
        fixed[r] = Some(s);
    }
    let first = solve_flow(inst, &fixed);
    let min_overflow = u32::try_from(first.overflow).expect("at most the applicants");
    let mut bound = (first.overflow == 0).then(|| first.cost as f64 / SCALE);
    let mut current = first;
    let mut solves = 0;
    while solves < DIVE_SOLVES {
        let Some(b) = (0..n)
            .filter(|&b| current.split[b].len() > 1)
            .max_by_key(|&b| (inst.demand[b], std::cmp::Reverse(b)))
        else {
            break;
        };
        let mut best: Option<((i64, i128), usize, Relaxed)> = None;
        for &(s, _, _) in &current.split[b] {
            fixed[b] = Some(s);
            let r = solve_flow(inst, &fixed);
            solves += 1;
            let key = (r.overflow, r.cost);
            if best
                .as_ref()
                .is_none_or(|(bk, bs, _)| key < *bk || (key == *bk && s < *bs))
            {
                best = Some((key, s, r));
            }
        }
        let (_, s, r) = best.expect("a split block has schools");
        fixed[b] = Some(s);
        current = r;
    }
    let z: Assignment = (0..n)
        .map(|b| {
            if let Some(s) = fixed[b] {
                return s;
            }
            let largest = current.split[b].iter().max_by(|x, y| {
                (x.1, std::cmp::Reverse(x.2), std::cmp::Reverse(x.0)).cmp(&(
                    y.1,
                    std::cmp::Reverse(y.2),
                    std::cmp::Reverse(y.0),
                ))
            });
            match largest {
                Some(&(s, _, _)) => s,
                None => cheapest(
                    inst,
                    b,
                    &inst.cands[b].iter().map(|c| c.0).collect::<Vec<_>>(),
                )
                .unwrap_or(0),
            }
        })
        .collect();
    if let Some(bd) = bound.as_mut() {
        *bd += empty_blocks_bound(inst);
    }
    Rounded {
        start: z,
        bound: bound.filter(|b| b.is_finite()),
        min_overflow,
    }
}

/// The cheapest school for `b` among `options` that it may join.
fn cheapest(inst: &Instance, b: usize, options: &[usize]) -> Option<usize> {
    options
        .iter()
        .copied()
        .filter(|&s| inst.metres(b, s).is_some())
        .min_by(|&x, &y| inst.cost(b, x).total_cmp(&inst.cost(b, y)).then(x.cmp(&y)))
}

/// Reattach blocks cut off from their school's root. For each cut-off
/// piece of a zone, two repairs are tried and the better result kept
/// (fewer seats exceeded, fewer blocks cut off, lower objective):
/// reconnect it to its zone along the cheapest path of blocks that may
/// join that zone (often an empty village between a compound and its
/// school), or dissolve it into the adjacent zones, cheapest first.
pub fn repair(inst: &Instance, z: &mut [usize]) {
    let n = inst.blocks();
    for _ in 0..2 * n + 10 {
        let reached = inst.reached_from_roots(z);
        let Some(u) = (0..n).find(|&b| !reached[b]) else {
            return;
        };
        let piece = component(inst, z, u);
        let mut a = z.to_vec();
        let reconnected = reconnect(inst, &mut a, &piece, &reached);
        let mut b = z.to_vec();
        dissolve(inst, &mut b, &piece);
        let next = if reconnected && repair_key(inst, &a) <= repair_key(inst, &b) {
            a
        } else {
            b
        };
        if next == z {
            break;
        }
        z.copy_from_slice(&next);
    }
    // whatever is still cut off: dissolve piece by piece while it helps
    loop {
        let reached = inst.reached_from_roots(z);
        let before = reached.iter().filter(|&&r| !r).count();
        if before == 0 {
            return;
        }
        let cut: Vec<usize> = (0..n).filter(|&b| !reached[b]).collect();
        dissolve(inst, z, &cut);
        let after = inst.reached_from_roots(z).iter().filter(|&&r| !r).count();
        if after >= before {
            return;
        }
    }
}

/// The blocks of `u`'s zone connected to `u` within the zone: the zone's
/// blocks at the nodes reached from `u`'s node through nodes the zone
/// occupies (co-located blocks are one node, expanded once).
fn component(inst: &Instance, z: &[usize], u: usize) -> Vec<usize> {
    let g = &inst.neighbours;
    let s = z[u];
    let occupied = |x: usize| g.at(x).iter().any(|&b| z[b] == s);
    let mut seen = vec![false; g.nodes()];
    let start = g.node(u);
    seen[start] = true;
    let mut stack = vec![start];
    let mut out = Vec::new();
    while let Some(x) = stack.pop() {
        out.extend(g.at(x).iter().copied().filter(|&b| z[b] == s));
        for &y in g.adjacent(x) {
            if !seen[y] && occupied(y) {
                seen[y] = true;
                stack.push(y);
            }
        }
    }
    out.sort_unstable();
    out
}

/// Join `piece` to its zone's root part through the cheapest path of
/// blocks that may join the zone (Dijkstra on the extra cost of moving each
/// path block, blocks that would overfill the zone last). Returns whether
/// a path was found.
fn reconnect(inst: &Instance, z: &mut [usize], piece: &[usize], reached: &[bool]) -> bool {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let n = inst.blocks();
    let s = z[piece[0]];
    let mut is_root = vec![false; n];
    for &r in &inst.root {
        is_root[r] = true;
    }
    let load_s: u32 = (0..n).filter(|&b| z[b] == s).map(|b| inst.demand[b]).sum();
    let mut best = vec![f64::INFINITY; n];
    let mut back = vec![usize::MAX; n];
    let mut heap = BinaryHeap::new();
    for &p in piece {
        best[p] = 0.0;
        heap.push((Reverse(Ord(0.0)), p));
    }
    let in_piece = |x: usize| piece.binary_search(&x).is_ok();
    // every block of a node has the same neighbours and an arc's weight
    // depends on its head only, so a node is expanded from its first
    // settled block alone
    let mut expanded = vec![false; inst.neighbours.nodes()];
    while let Some((Reverse(Ord(d)), x)) = heap.pop() {
        if d > best[x] {
            continue;
        }
        if z[x] == s && reached[x] {
            // walk back and move the path into the zone
            let mut y = back[x];
            while y != usize::MAX && !in_piece(y) {
                z[y] = s;
                y = back[y];
            }
            return true;
        }
        let node = inst.neighbours.node(x);
        if std::mem::replace(&mut expanded[node], true) {
            continue;
        }
        for y in inst.neighbours.of(x) {
            let target = z[y] == s && reached[y];
            if !target && (is_root[y] || in_piece(y) || inst.metres(y, s).is_none()) {
                continue;
            }
            let w = if target {
                0.0
            } else {
                // a path block that would push the zone over its limit
                // costs more than any path that keeps it within
                let over = (load_s + inst.demand[y]).saturating_sub(inst.capacity[s]);
                (inst.cost(y, s) - inst.cost(y, z[y])).max(0.0)
                    + 1e-6
                    + OVER_PENALTY * f64::from(over)
            };
            if d + w < best[y] {
                best[y] = d + w;
                back[y] = x;
                heap.push((Reverse(Ord(d + w)), y));
            }
        }
    }
    false
}

/// Move the blocks of `piece` to adjacent zones connected to their roots,
/// cheapest first, spreading inward from the piece's edge. The zones a
/// block may join are those of the reached blocks at its node and the
/// adjacent nodes, kept per node as blocks are reached.
fn dissolve(inst: &Instance, z: &mut [usize], piece: &[usize]) {
    let g = &inst.neighbours;
    let mut reached = inst.reached_from_roots(z);
    // per node: the zones of its reached blocks
    let mut own: Vec<Vec<usize>> = vec![Vec::new(); g.nodes()];
    for b in 0..inst.blocks() {
        if reached[b] && !own[g.node(b)].contains(&z[b]) {
            own[g.node(b)].push(z[b]);
        }
    }
    loop {
        let mut changed = false;
        for &b in piece {
            if reached[b] {
                continue;
            }
            let x = g.node(b);
            let options: Vec<usize> = std::iter::once(x)
                .chain(g.adjacent(x).iter().copied())
                .flat_map(|y| own[y].iter().copied())
                .collect();
            if let Some(s) = cheapest(inst, b, &options) {
                z[b] = s;
                reached[b] = true;
                if !own[x].contains(&s) {
                    own[x].push(s);
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Weight of one applicant over a zone's limit on a reconnecting path:
/// above any applicant-metre cost, so seats come before distance.
const OVER_PENALTY: f64 = 1e12;

/// A total order on finite costs for the heap.
#[derive(Clone, Copy, PartialEq)]
struct Ord(f64);
impl Eq for Ord {}
impl PartialOrd for Ord {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl std::cmp::Ord for Ord {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::zones::brute_force;

    #[test]
    fn a_row_is_split_in_the_middle_with_a_tight_bound() {
        let inst = crate::planning::zones::tests::row();
        let h = heuristic(&inst);
        let (z, opt) = brute_force(&inst).unwrap();
        assert_eq!(h.zone, z);
        assert_eq!(h.objective, opt);
        assert_eq!(h.bound, Some(opt));
        assert_eq!(h.gap(), Some(0.0));
    }

    /// Found by the property test: a piece of zone 0 cut off by rounding
    /// can be reconnected through block 5 (cheaper, but it would overfill
    /// the zone) or through the empty block 10. The repair must take block
    /// 10, or it dissolves the piece and leaves block 8 cut off.
    #[test]
    fn reconnecting_prefers_a_path_within_the_limit() {
        let grid = |b: usize| -> Vec<usize> {
            let (x, y) = (b % 4, b / 4);
            let mut v = Vec::new();
            if y > 0 {
                v.push(b - 4)
            }
            if x > 0 {
                v.push(b - 1)
            }
            if x < 3 {
                v.push(b + 1)
            }
            if y < 2 {
                v.push(b + 4)
            }
            v
        };
        let inst = Instance {
            demand: vec![0, 4, 13, 0, 0, 8, 1, 1, 11, 3, 0, 1],
            capacity: vec![21, 5, 25],
            cands: vec![
                vec![(2, 1000), (0, 2236)],
                vec![(2, 0), (0, 1414)],
                vec![(0, 1000), (2, 1000), (1, 2236)],
                vec![(0, 1414), (1, 2000), (2, 2000)],
                vec![(2, 1414), (0, 2000)],
                vec![(0, 1000), (2, 1000), (1, 2236)],
                vec![(0, 0), (1, 1414), (2, 1414)],
                vec![(0, 1000), (1, 1000), (2, 2236)],
                vec![(0, 2236)],
                vec![(0, 1414), (1, 2000), (2, 2000)],
                vec![(0, 1000), (1, 1000), (2, 2236)],
                vec![(1, 0), (0, 1414)],
            ],
            previous: [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0].map(Some).to_vec(),
            move_penalty: 1.0,
            neighbours: (0..12).map(grid).collect::<Vec<_>>().into(),
            root: vec![6, 11, 1],
        };
        let h = heuristic(&inst);
        let (z, opt) = brute_force(&inst).unwrap();
        assert!(inst.is_feasible(&h.zone), "{h:?}");
        assert_eq!(h.zone, z);
        assert!((h.objective - opt).abs() < 1e-9);
    }
}
