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
//! 4. Local search: move a boundary block to an adjacent zone, or swap two
//!    neighbouring blocks between their zones, while it lowers first the
//!    seats exceeded and then the objective, never breaking a zone apart.
//!
//! With a previous zoning that is still valid, the search also starts from
//! it and the better end point is kept, so an unchanged district keeps its
//! zones.

use super::{Assignment, Instance};
use crate::solve::mcf::{Network, Solution, INF};

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
        self.bound.map(|b| {
            if self.objective > 0.0 {
                ((self.objective - b) / self.objective).max(0.0)
            } else {
                0.0
            }
        })
    }
}

/// Relaxation, rounding, repair and local search.
pub fn heuristic(inst: &Instance) -> HeuristicOutcome {
    let (start, bound) = relaxation(inst);
    let mut z = start;
    repair(inst, &mut z);
    local_search(inst, &mut z);
    kicks(inst, &mut z, KICKS);
    let mut best = z;
    if let Some(prev) = previous_zoning(inst) {
        let mut p = prev;
        local_search(inst, &mut p);
        if key(inst, &p) < key(inst, &best) {
            best = p;
        }
    }
    HeuristicOutcome {
        objective: inst.objective(&best),
        zone: best,
        bound,
    }
}

/// Perturbation rounds of the iterated local search.
const KICKS: usize = 300;

/// Iterated local search (Lourenço, Martin & Stützle 2003): from the best
/// zoning so far, move one to four random boundary blocks to an adjacent
/// zone (keeping zones connected), search locally again, and keep the
/// result when it is better. The kicks let the search leave a local
/// optimum that only a chain of moves through worse zonings improves, as
/// when seats are tight. The random stream is ChaCha8 from a fixed seed,
/// so the result is the same on every run and machine.
fn kicks(inst: &Instance, z: &mut Assignment, rounds: usize) {
    use rand_chacha::rand_core::{RngCore, SeedableRng};
    let n = inst.blocks();
    if n == 0 || inst.schools() < 2 {
        return;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5a_0e5);
    let mut is_root = vec![false; n];
    for &r in &inst.root {
        is_root[r] = true;
    }
    let mut best_key = key(inst, z);
    for _ in 0..rounds {
        let mut cur = z.clone();
        let reached = inst.reached_from_roots(&cur);
        let moves = 1 + (rng.next_u32() % 4) as usize;
        let mut done = 0;
        for _ in 0..20 * moves {
            if done == moves {
                break;
            }
            let b = (rng.next_u64() % n as u64) as usize;
            if is_root[b] || !reached[b] {
                continue;
            }
            let a = cur[b];
            let options: Vec<usize> = inst.neighbours[b]
                .iter()
                .map(|&x| cur[x])
                .filter(|&t| t != a && inst.metres(b, t).is_some())
                .collect();
            if options.is_empty() {
                continue;
            }
            let t = options[(rng.next_u32() as usize) % options.len()];
            cur[b] = t;
            if inst.connected(&cur)[a] {
                done += 1;
            } else {
                cur[b] = a;
            }
        }
        local_search(inst, &mut cur);
        let k = key(inst, &cur);
        if k <= best_key {
            best_key = k;
            *z = cur;
        }
    }
}

/// Lexicographic quality: seats exceeded, blocks cut off, then objective.
fn key(inst: &Instance, z: &[usize]) -> (u32, usize, f64) {
    let cut = inst.reached_from_roots(z).iter().filter(|&&r| !r).count();
    (inst.overload(z), cut, inst.objective(z))
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
    let mut net = Network::new();
    let total: i64 = inst.demand.iter().map(|&d| i64::from(d)).sum();
    let bnode: Vec<usize> = inst
        .demand
        .iter()
        .map(|&d| net.add_node(i64::from(d)))
        .collect();
    let snode: Vec<usize> = (0..k).map(|_| net.add_node(0)).collect();
    let sink = net.add_node(-total);
    let mut arcs = Vec::new();
    let mut max_cost = 0i64;
    for b in 0..n {
        if inst.demand[b] == 0 {
            continue;
        }
        for &(s, m) in &inst.cands[b] {
            if fixed[b].is_some_and(|f| f != s) {
                continue;
            }
            let per_unit = f64::from(m) + inst.move_cost(b, s) / f64::from(inst.demand[b]);
            // floored, so the flow's optimum never exceeds the true relaxation's
            let c = (per_unit * SCALE).floor() as i64;
            max_cost = max_cost.max(c);
            arcs.push((b, s, m, net.add_arc(bnode[b], snode[s], INF, c)));
        }
    }
    let over_penalty = (max_cost + 1) * (k as i64 + 2);
    let mut over_arcs = Vec::new();
    for (&node, &cap) in snode.iter().zip(&inst.capacity) {
        net.add_arc(node, sink, i64::from(cap), 0);
        over_arcs.push(net.add_arc(node, sink, INF, over_penalty));
    }
    let Solution::Optimal(flow) = net.solve() else {
        unreachable!("over-capacity arcs make the relaxation feasible")
    };
    let overflow: i64 = over_arcs.iter().map(|&e| flow.flow[e]).sum();
    let mut split = vec![Vec::new(); n];
    for &(b, s, m, e) in &arcs {
        if flow.flow[e] > 0 {
            split[b].push((s, flow.flow[e], m));
        }
    }
    Relaxed {
        split,
        cost: flow.cost - i128::from(overflow) * i128::from(over_penalty),
        overflow,
    }
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
    let n = inst.blocks();
    let k = inst.schools();
    let mut fixed: Vec<Option<usize>> = vec![None; n];
    for (s, &r) in inst.root.iter().enumerate() {
        fixed[r] = Some(s);
    }
    let first = solve_flow(inst, &fixed);
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
                None => cheapest(inst, b, &(0..k).collect::<Vec<_>>()).unwrap_or(0),
            }
        })
        .collect();
    if let Some(bd) = bound.as_mut() {
        let is_root = |b: usize| inst.root.iter().position(|&r| r == b);
        for b in (0..n).filter(|&b| inst.demand[b] == 0) {
            *bd += match is_root(b) {
                Some(s) => inst.cost(b, s),
                None => inst.cands[b]
                    .iter()
                    .map(|&(s, _)| inst.cost(b, s))
                    .fold(f64::INFINITY, f64::min),
            };
        }
    }
    (z, bound.filter(|b| b.is_finite()))
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
        let next = if reconnected && key(inst, &a) <= key(inst, &b) {
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

/// The blocks of `u`'s zone connected to `u` within the zone.
fn component(inst: &Instance, z: &[usize], u: usize) -> Vec<usize> {
    let mut seen = vec![false; inst.blocks()];
    seen[u] = true;
    let mut stack = vec![u];
    let mut out = vec![u];
    while let Some(x) = stack.pop() {
        for &y in &inst.neighbours[x] {
            if !seen[y] && z[y] == z[u] {
                seen[y] = true;
                stack.push(y);
                out.push(y);
            }
        }
    }
    out.sort_unstable();
    out
}

/// Join `piece` to its zone's root part through the cheapest path of
/// blocks that may join the zone (Dijkstra on the extra cost of moving each
/// path block). Returns whether a path was found.
fn reconnect(inst: &Instance, z: &mut [usize], piece: &[usize], reached: &[bool]) -> bool {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let n = inst.blocks();
    let s = z[piece[0]];
    let mut is_root = vec![false; n];
    for &r in &inst.root {
        is_root[r] = true;
    }
    let mut best = vec![f64::INFINITY; n];
    let mut back = vec![usize::MAX; n];
    let mut heap = BinaryHeap::new();
    for &p in piece {
        best[p] = 0.0;
        heap.push((Reverse(Ord(0.0)), p));
    }
    let in_piece = |x: usize| piece.binary_search(&x).is_ok();
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
        for &y in &inst.neighbours[x] {
            let target = z[y] == s && reached[y];
            if !target && (is_root[y] || in_piece(y) || inst.metres(y, s).is_none()) {
                continue;
            }
            let w = if target {
                0.0
            } else {
                (inst.cost(y, s) - inst.cost(y, z[y])).max(0.0) + 1e-6
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
/// cheapest first, spreading inward from the piece's edge.
fn dissolve(inst: &Instance, z: &mut [usize], piece: &[usize]) {
    let mut reached = inst.reached_from_roots(z);
    loop {
        let mut changed = false;
        for &b in piece {
            if reached[b] {
                continue;
            }
            let options: Vec<usize> = inst.neighbours[b]
                .iter()
                .filter(|&&n| reached[n])
                .map(|&n| z[n])
                .collect();
            if let Some(s) = cheapest(inst, b, &options) {
                z[b] = s;
                reached[b] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

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

struct State<'a> {
    inst: &'a Instance,
    load: Vec<u32>,
    size: Vec<usize>,
    is_root: Vec<bool>,
    mark: Vec<u32>,
    stamp: u32,
}

impl State<'_> {
    fn over(&self, s: usize, load: u32) -> u32 {
        load.saturating_sub(self.inst.capacity[s])
    }

    /// Whether zone `a` stays connected to its root once the blocks in
    /// `out` leave it and the blocks in `into` join it.
    fn stays_connected(&mut self, z: &[usize], a: usize, out: &[usize], into: &[usize]) -> bool {
        let inst = self.inst;
        let root = inst.root[a];
        if out.contains(&root) {
            return false;
        }
        self.stamp += 1;
        let stamp = self.stamp;
        let leaving = out.iter().filter(|&&x| z[x] == a).count();
        let joining = into.iter().filter(|&&x| z[x] != a).count();
        let member = |x: usize| (z[x] == a && !out.contains(&x)) || into.contains(&x);
        let expected = self.size[a] + joining - leaving;
        let mut stack = vec![root];
        self.mark[root] = stamp;
        let mut count = 1;
        while let Some(x) = stack.pop() {
            for &n in &inst.neighbours[x] {
                if self.mark[n] != stamp && member(n) {
                    self.mark[n] = stamp;
                    count += 1;
                    stack.push(n);
                }
            }
        }
        count == expected
    }

    /// Whether `b` can leave its zone without cutting it: a block with at
    /// most one neighbour in its zone never cuts it.
    fn can_leave(&mut self, z: &[usize], b: usize) -> bool {
        let a = z[b];
        let inside = self.inst.neighbours[b]
            .iter()
            .filter(|&&n| z[n] == a)
            .count();
        inside <= 1 || self.stays_connected(z, a, &[b], &[])
    }
}

/// Improving moves and swaps of boundary blocks until none is left.
pub fn local_search(inst: &Instance, z: &mut [usize]) {
    let n = inst.blocks();
    let k = inst.schools();
    let mut st = State {
        inst,
        load: inst.load(z),
        size: vec![0; k],
        is_root: vec![false; n],
        mark: vec![0; n],
        stamp: 0,
    };
    for &s in z.iter() {
        st.size[s] += 1;
    }
    for &r in &inst.root {
        st.is_root[r] = true;
    }
    // only blocks attached to their root take part, so moves keep every
    // connected zone connected
    let attached = inst.reached_from_roots(z);
    for _pass in 0..10_000 {
        let mut improved = false;
        for b in 0..n {
            if st.is_root[b] || !attached[b] {
                continue;
            }
            if try_move(&mut st, z, b)
                || try_swap(&mut st, z, b, &attached)
                || try_pair_move(&mut st, z, b, &attached)
            {
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
}

/// (seats exceeded change, cost change) of moving `b` from `a` to `t`.
fn move_delta(st: &State, z: &[usize], b: usize, t: usize) -> (i64, f64) {
    let inst = st.inst;
    let a = z[b];
    let d = inst.demand[b];
    let before = st.over(a, st.load[a]) + st.over(t, st.load[t]);
    let after = st.over(a, st.load[a] - d) + st.over(t, st.load[t] + d);
    (
        i64::from(after) - i64::from(before),
        inst.cost(b, t) - inst.cost(b, a),
    )
}

fn better(d: (i64, f64)) -> bool {
    d.0 < 0 || (d.0 == 0 && d.1 < -1e-9)
}

fn try_move(st: &mut State, z: &mut [usize], b: usize) -> bool {
    let inst = st.inst;
    let a = z[b];
    let mut best: Option<((i64, f64), usize)> = None;
    for &nb in &inst.neighbours[b] {
        let t = z[nb];
        if t == a || inst.metres(b, t).is_none() {
            continue;
        }
        let d = move_delta(st, z, b, t);
        if better(d)
            && best.is_none_or(|(bd, bt)| {
                d.0 < bd.0 || (d.0 == bd.0 && (d.1 < bd.1 - 1e-9 || (d.1 <= bd.1 + 1e-9 && t < bt)))
            })
        {
            best = Some((d, t));
        }
    }
    let Some((_, t)) = best else { return false };
    if !st.can_leave(z, b) {
        return false;
    }
    let d = inst.demand[b];
    st.load[a] -= d;
    st.load[t] += d;
    st.size[a] -= 1;
    st.size[t] += 1;
    z[b] = t;
    true
}

/// Exchange `b` with a neighbouring block of another zone when both may
/// join the other's zone, both zones stay connected and it improves.
fn try_swap(st: &mut State, z: &mut [usize], b: usize, attached: &[bool]) -> bool {
    let inst = st.inst;
    let a = z[b];
    for i in 0..inst.neighbours[b].len() {
        let c = inst.neighbours[b][i];
        let t = z[c];
        if t == a || st.is_root[c] || !attached[c] {
            continue;
        }
        if inst.metres(b, t).is_none() || inst.metres(c, a).is_none() {
            continue;
        }
        let (db, dc) = (inst.demand[b], inst.demand[c]);
        let before = st.over(a, st.load[a]) + st.over(t, st.load[t]);
        let after = st.over(a, st.load[a] - db + dc) + st.over(t, st.load[t] - dc + db);
        let dcost = inst.cost(b, t) - inst.cost(b, a) + inst.cost(c, a) - inst.cost(c, t);
        let d = (i64::from(after) - i64::from(before), dcost);
        if !better(d) {
            continue;
        }
        if !st.stays_connected(z, a, &[b], &[c]) || !st.stays_connected(z, t, &[c], &[b]) {
            continue;
        }
        st.load[a] = st.load[a] - db + dc;
        st.load[t] = st.load[t] - dc + db;
        z[b] = t;
        z[c] = a;
        return true;
    }
    false
}

/// Move `b` into an adjacent zone together with one of its neighbours:
/// the two-step chain a single move cannot find when its first step alone
/// costs more (e.g. an empty block that connects a large one to the zone
/// it should join).
fn try_pair_move(st: &mut State, z: &mut [usize], b: usize, attached: &[bool]) -> bool {
    let inst = st.inst;
    let a = z[b];
    let mut targets: Vec<usize> = inst.neighbours[b]
        .iter()
        .map(|&n| z[n])
        .filter(|&t| t != a)
        .collect();
    targets.sort_unstable();
    targets.dedup();
    for t in targets {
        if inst.metres(b, t).is_none() {
            continue;
        }
        for i in 0..inst.neighbours[b].len() {
            let c = inst.neighbours[b][i];
            let cz = z[c];
            if cz == t || st.is_root[c] || !attached[c] || inst.metres(c, t).is_none() {
                continue;
            }
            let (db, dc) = (inst.demand[b], inst.demand[c]);
            let load = |s: usize| -> i64 {
                let mut l = i64::from(st.load[s]);
                if s == a {
                    l -= i64::from(db);
                }
                if s == cz {
                    l -= i64::from(dc);
                }
                if s == t {
                    l += i64::from(db + dc);
                }
                l
            };
            let over = |s: usize, l: i64| (l - i64::from(inst.capacity[s])).max(0);
            let mut zones = vec![a, cz, t];
            zones.sort_unstable();
            zones.dedup();
            let before: i64 = zones.iter().map(|&s| over(s, i64::from(st.load[s]))).sum();
            let after: i64 = zones.iter().map(|&s| over(s, load(s))).sum();
            let dcost = inst.cost(b, t) - inst.cost(b, a) + inst.cost(c, t) - inst.cost(c, cz);
            if !better((after - before, dcost)) {
                continue;
            }
            let ok = st.stays_connected(z, a, &[b, c], &[])
                && (cz == a || st.stays_connected(z, cz, &[c], &[]))
                && st.stays_connected(z, t, &[], &[b, c]);
            if !ok {
                continue;
            }
            for (x, from) in [(b, a), (c, cz)] {
                st.load[from] -= inst.demand[x];
                st.load[t] += inst.demand[x];
                st.size[from] -= 1;
                st.size[t] += 1;
                z[x] = t;
            }
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zones::brute_force;

    #[test]
    fn a_row_is_split_in_the_middle_with_a_tight_bound() {
        let inst = Instance {
            demand: vec![10, 10, 10, 10],
            capacity: vec![20, 25],
            cands: vec![
                vec![(0, 100), (1, 1500)],
                vec![(0, 500), (1, 1000)],
                vec![(1, 500), (0, 1000)],
                vec![(1, 100), (0, 1500)],
            ],
            previous: vec![None; 4],
            move_penalty: 0.0,
            neighbours: vec![vec![1], vec![0, 2], vec![1, 3], vec![2]],
            root: vec![0, 3],
        };
        let h = heuristic(&inst);
        let (z, opt) = brute_force(&inst).unwrap();
        assert_eq!(h.zone, z);
        assert_eq!(h.objective, opt);
        assert_eq!(h.bound, Some(opt));
        assert_eq!(h.gap(), Some(0.0));
    }
}
