//! Exact transportation problems by successive shortest paths from the
//! nearest-arc assignment (a primal–dual method: Ahuja, Magnanti and Orlin,
//! *Network Flows*, 1993, §9.7 "successive shortest path algorithm", with
//! the reduced-cost potentials of §9.4 and Dijkstra's algorithm, §4.5).
//!
//! The network is that of [`super::transport`]: sources with supplies,
//! destinations with capacities (a lower bound each, the minimum load, as a
//! node demand, AMO §2.4), one sink; lanes source → destination, an optional
//! unplaced arc source → sink per source, a capacity arc and an optional
//! overflow arc destination → sink per destination.
//!
//! **Start.** Potentials are the distances to the sink when no arc is
//! capacitated: π(sink) = 0, π(destination) = 0 (or the overflow cost when
//! that is negative), π(source) = its cheapest arc's cost plus its head's
//! potential. Every source sends all its units along that arc (the first
//! such arc in order: its lanes in the order given, then its unplaced arc),
//! and every destination passes what it receives on to the sink through its
//! capacity arc as far as it has room. This pseudo-flow has every residual
//! arc at a reduced cost `c − π(tail) + π(head) ≥ 0`; it is already optimal
//! where the nearest destination has room.
//!
//! **Repair.** What is left is excess at overfull destinations (and deficits
//! at the sink and at destinations below their minimum load). Taking excess
//! nodes in index order (destinations, then the sink), Dijkstra's algorithm
//! over the residual graph with reduced costs finds a shortest path from
//! one to the nearest deficit; the potentials are lowered by the distances
//! (π(v) += D(target) − D(v) for the nodes settled), which keeps every
//! reduced cost ≥ 0 and makes the path's zero, and the path's bottleneck is
//! pushed (AMO Theorem 9.12). Residual arcs into a source are reversed
//! lanes or unplaced arcs with flow; such arcs are uncapacitated, so their
//! reduced cost is 0 and a source is settled at its predecessor's distance
//! without entering the heap: the heap holds destinations and the sink
//! only, and paths alternate destination → source → destination. Dijkstra
//! stops at the first deficit it settles, so a path explores the
//! neighbourhood of its overfull destination only.
//!
//! **Cost.** Each path re-explores the ball around its overfull destination,
//! which grows as the neighbourhood fills: where a fifth of the units are
//! contested (benches/transport.rs, 98% of the seats taken) solving from
//! scratch is slower than the network simplex ([`super::mcf`]). Its use is
//! the warm start ([`solve_from`]): column generation's later rounds move
//! a few sources, and repairing them is far cheaper than solving again.
//!
//! **Result.** When no excess is left the flow is feasible, and as every
//! residual arc has a nonnegative reduced cost, it is optimal and the
//! potentials prove it (AMO Theorem 9.3): a lane not in the network at cost
//! `c` from `g` to `d` could lower the cost only if `c − π(g) + π(d) < 0`,
//! which is what column generation prices ([`super::transport::Shipment`]).
//! When an excess node reaches no deficit the problem is infeasible.
//!
//! **Ties.** Among optima of equal cost, the one returned is the one these
//! steps reach: every source starts on its cheapest arc (the first added
//! among equals), overfull destinations are repaired in index order, each
//! by shortest paths, equal distances broken by the lower node index
//! (destinations before the sink), a destination's sources in the order
//! their lanes first carried flow into it. It is a pure function of the
//! problem as built, and it usually differs from the network simplex's
//! choice only where two placements cost exactly the same.
//!
//! ```
//! use sunshine::solve::ssp::{Network, solve};
//! // two schools with 1 and 5 seats; a home of 2 pupils, 700 m from the
//! // first and 900 m from the second; leaving one unplaced costs 10 km
//! let mut net = Network::new(vec![1, 5], vec![0, 0], None);
//! net.add_source(2, Some(10_000), &[(0, 700), (1, 900)]);
//! let f = solve(&net).expect("the unplaced arc makes it feasible");
//! assert_eq!(f.lane_flow, vec![1, 1]);
//! assert_eq!(f.cost, 700 + 900);
//! // the potentials certify it: both lanes at reduced cost 0
//! let (pg, pd) = (f.potential[0], &f.potential[1..3]);
//! assert_eq!((700 - pg + pd[0], 900 - pg + pd[1]), (0, 0));
//! ```

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A transportation network in compressed rows: the lanes of source `g`
/// are `start[g]..start[g + 1]`.
#[derive(Clone, Debug, Default)]
pub struct Network {
    supply: Vec<i64>,
    unplaced: Vec<Option<i64>>,
    start: Vec<usize>,
    from: Vec<u32>,
    to: Vec<u32>,
    cost: Vec<i64>,
    capacity: Vec<i64>,
    min_load: Vec<i64>,
    overflow: Option<i64>,
}

impl Network {
    /// Destinations with capacities and minimum loads (a minimum above the
    /// capacity is taken, and nothing more), and an optional cost per unit
    /// beyond a destination's capacity. No sources yet.
    pub fn new(capacity: Vec<i64>, min_load: Vec<i64>, overflow: Option<i64>) -> Self {
        assert_eq!(capacity.len(), min_load.len(), "a minimum per destination");
        assert!(capacity.len() < u32::MAX as usize, "destinations fit a u32");
        assert!(
            capacity.iter().chain(&min_load).all(|&c| c >= 0),
            "negative capacity or minimum load"
        );
        Network {
            start: vec![0],
            capacity,
            min_load,
            overflow,
            ..Self::default()
        }
    }

    /// A source with `supply` units, an optional cost per unit left
    /// unplaced, and its lanes as (destination, cost per unit), in order.
    /// Returns its index; its lanes' indices into [`Optimum::lane_flow`]
    /// follow those of the sources before it.
    pub fn add_source(
        &mut self,
        supply: i64,
        unplaced: Option<i64>,
        lanes: &[(usize, i64)],
    ) -> usize {
        assert!(supply >= 0, "negative supply");
        let g = self.supply.len();
        assert!(g < u32::MAX as usize, "sources fit a u32");
        for &(d, c) in lanes {
            assert!(d < self.capacity.len(), "lane to an unknown destination");
            self.from.push(g as u32);
            self.to.push(d as u32);
            self.cost.push(c);
        }
        self.supply.push(supply);
        self.unplaced.push(unplaced);
        self.start.push(self.to.len());
        g
    }

    pub fn sources(&self) -> usize {
        self.supply.len()
    }

    pub fn destinations(&self) -> usize {
        self.capacity.len()
    }

    pub fn lanes(&self) -> usize {
        self.to.len()
    }

    /// A bound on the magnitude of every cost, so that sums of `nodes`
    /// of them (path lengths, potentials) fit an i64.
    fn costs_fit(&self) -> bool {
        let n = (self.supply.len() + self.capacity.len() + 2) as u128;
        let most = self
            .cost
            .iter()
            .chain(self.unplaced.iter().flatten())
            .chain(&self.overflow)
            .map(|c| u128::from(c.unsigned_abs()))
            .max()
            .unwrap_or(0);
        most.saturating_mul(4 * n) < i64::MAX as u128
    }
}

/// An optimal flow and the potentials that prove it.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimum {
    /// Units on each lane, sources' lanes in the order added.
    pub lane_flow: Vec<i64>,
    /// Units left at each source.
    pub unplaced: Vec<i64>,
    /// Units through each destination's capacity arc, its minimum load
    /// not included.
    pub capacity_flow: Vec<i64>,
    /// Units through each destination's overflow arc.
    pub overflow: Vec<i64>,
    pub cost: i128,
    /// Potentials: the sources, then the destinations, then the sink. Every
    /// arc `u → v` of cost `c` has `c − π(u) + π(v) ≥ 0` if it can carry
    /// more, and `≤ 0` if it carries flow.
    pub potential: Vec<i64>,
}

/// A residual arc by which Dijkstra reached a node.
#[derive(Clone, Copy, Debug)]
enum Via {
    None,
    /// Lane forward (source → destination).
    Lane(u32),
    /// Lane backward (destination → source).
    LaneBack(u32),
    /// Capacity arc forward (destination → sink) and backward.
    Capacity(u32),
    CapacityBack(u32),
    Overflow(u32),
    OverflowBack(u32),
    /// Unplaced arc forward (source → sink) and backward.
    Unplaced(u32),
    UnplacedBack(u32),
}

/// The optimal flow, or `None` when the supplies cannot all be routed.
pub fn solve(net: &Network) -> Option<Optimum> {
    assert!(net.costs_fit(), "costs too large to add up in an i64");
    let mut s = Solver::start(net)?;
    s.repair()?;
    Some(s.finish())
}

/// [`solve`] warm-started from `previous`, an optimum (flow and
/// potentials, e.g. the network simplex's) of this network before lanes
/// were added, given with 0 on the new lanes: column generation's rounds
/// repair only what the new lanes change ([`Solver::warm`]).
pub fn solve_from(net: &Network, previous: &Optimum) -> Option<Optimum> {
    assert!(net.costs_fit(), "costs too large to add up in an i64");
    let mut s = Solver::warm(net, previous)?;
    s.repair()?;
    Some(s.finish())
}

struct Solver<'a> {
    net: &'a Network,
    /// Node numbering: sources, destinations, sink.
    ns: usize,
    sink: usize,
    pi: Vec<i64>,
    /// Supply minus outflow (> 0 excess, < 0 deficit), per node.
    excess: Vec<i64>,
    lane_flow: Vec<i64>,
    unplaced: Vec<i64>,
    cap_flow: Vec<i64>,
    over_flow: Vec<i64>,
    /// Room on each capacity arc: capacity − minimum load, at least 0.
    room: Vec<i64>,
    /// Per destination, lanes that carry (or carried) flow into it, in the
    /// order they first did; `listed` marks them.
    into: Vec<Vec<u32>>,
    listed: Vec<bool>,
    /// Sources that send (or sent) units to the sink unplaced.
    left: Vec<u32>,
    left_listed: Vec<bool>,
    // Dijkstra scratch, valid where `seen`/`done` equal `epoch`
    dist: Vec<i64>,
    via: Vec<Via>,
    seen: Vec<u32>,
    done: Vec<u32>,
    epoch: u32,
    settled: Vec<usize>,
    heap: BinaryHeap<Reverse<(i64, usize)>>,
}

impl<'a> Solver<'a> {
    /// The nearest-arc pseudo-flow and its potentials (module doc); `None`
    /// when a source with units has no arc at all.
    fn start(net: &'a Network) -> Option<Self> {
        let (ns, nd) = (net.supply.len(), net.capacity.len());
        let mut pi = vec![0i64; ns + nd + 1];
        for d in 0..nd {
            pi[ns + d] = net.overflow.map_or(0, |o| o.min(0));
        }
        let mut lane_flow = vec![0i64; net.to.len()];
        let mut unplaced = vec![0i64; ns];
        for g in 0..ns {
            match cheapest(net, &pi, g) {
                None if net.supply[g] > 0 => return None,
                None => {}
                Some((c, arc)) => {
                    pi[g] = c;
                    match arc {
                        Some(l) => lane_flow[l] = net.supply[g],
                        None => unplaced[g] = net.supply[g],
                    }
                }
            }
        }
        // destinations pass what they get beyond their minimum on to the
        // sink along arcs at reduced cost 0
        let mut inflow = vec![0i64; nd];
        for (l, &f) in lane_flow.iter().enumerate() {
            inflow[net.to[l] as usize] += f;
        }
        let mut cap_flow = vec![0i64; nd];
        let mut over_flow = vec![0i64; nd];
        for d in 0..nd {
            let mut more = (inflow[d] - net.min_load[d]).max(0);
            if pi[ns + d] == 0 {
                cap_flow[d] = more.min((net.capacity[d] - net.min_load[d]).max(0));
                more -= cap_flow[d];
            }
            if net.overflow == Some(pi[ns + d]) {
                over_flow[d] = more;
            }
        }
        Some(Self::with_flow(
            net, pi, lane_flow, unplaced, cap_flow, over_flow,
        ))
    }

    /// Start from a previous optimum of the same network with lanes added
    /// (column generation): its flow and potentials, except that every
    /// source with a new lane at a negative reduced cost moves all its
    /// units to its cheapest arc (the first among equals) and takes that
    /// arc's price, which leaves excess where they arrive and deficits
    /// where they left, for [`Solver::repair`].
    fn warm(net: &'a Network, previous: &Optimum) -> Option<Self> {
        let (ns, nd) = (net.supply.len(), net.capacity.len());
        assert!(
            previous.lane_flow.len() == net.to.len()
                && previous.unplaced.len() == ns
                && previous.capacity_flow.len() == nd
                && previous.overflow.len() == nd
                && previous.potential.len() == ns + nd + 1,
            "a previous optimum of this network"
        );
        let mut pi = previous.potential.clone();
        let mut lane_flow = previous.lane_flow.clone();
        let mut unplaced = previous.unplaced.clone();
        for g in 0..ns {
            let Some((c, arc)) = cheapest(net, &pi, g) else {
                if net.supply[g] > 0 {
                    return None;
                }
                continue;
            };
            if c == pi[g] {
                continue;
            }
            pi[g] = c;
            lane_flow[net.start[g]..net.start[g + 1]].fill(0);
            unplaced[g] = 0;
            match arc {
                Some(l) => lane_flow[l] = net.supply[g],
                None => unplaced[g] = net.supply[g],
            }
        }
        Some(Self::with_flow(
            net,
            pi,
            lane_flow,
            unplaced,
            previous.capacity_flow.clone(),
            previous.overflow.clone(),
        ))
    }

    /// The solver's state for this pseudo-flow and these potentials: the
    /// excess of every node and the lists of arcs with flow.
    fn with_flow(
        net: &'a Network,
        pi: Vec<i64>,
        lane_flow: Vec<i64>,
        unplaced: Vec<i64>,
        cap_flow: Vec<i64>,
        over_flow: Vec<i64>,
    ) -> Self {
        let (ns, nd) = (net.supply.len(), net.capacity.len());
        let n = ns + nd + 1;
        let sink = ns + nd;
        let total = sum(&net.supply);
        let least = sum(&net.min_load);
        let mut excess = vec![0i64; n];
        excess[..ns].copy_from_slice(&net.supply);
        excess[sink] = least.checked_sub(total).expect("units fit an i64");
        let mut into: Vec<Vec<u32>> = vec![Vec::new(); nd];
        let mut listed = vec![false; net.to.len()];
        for (l, &f) in lane_flow.iter().enumerate() {
            if f > 0 {
                let (g, d) = (net.from[l] as usize, net.to[l] as usize);
                excess[g] -= f;
                excess[ns + d] += f;
                listed[l] = true;
                into[d].push(l as u32);
            }
        }
        let mut left = Vec::new();
        let mut left_listed = vec![false; ns];
        for (g, &f) in unplaced.iter().enumerate() {
            if f > 0 {
                excess[g] -= f;
                excess[sink] += f;
                left_listed[g] = true;
                left.push(g as u32);
            }
        }
        let room: Vec<i64> = (0..nd)
            .map(|d| (net.capacity[d] - net.min_load[d]).max(0))
            .collect();
        for d in 0..nd {
            assert!(
                (0..=room[d]).contains(&cap_flow[d]) && over_flow[d] >= 0,
                "capacity flow within the capacity"
            );
            let out = net.min_load[d] + cap_flow[d] + over_flow[d];
            excess[ns + d] -= out;
            excess[sink] += cap_flow[d] + over_flow[d];
        }
        Solver {
            net,
            ns,
            sink,
            pi,
            excess,
            lane_flow,
            unplaced,
            cap_flow,
            over_flow,
            room,
            into,
            listed,
            left,
            left_listed,
            dist: vec![0; n],
            via: vec![Via::None; n],
            seen: vec![0; n],
            done: vec![0; n],
            epoch: 0,
            settled: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Route every excess to a deficit by shortest paths; `None` when some
    /// excess reaches no deficit.
    fn repair(&mut self) -> Option<()> {
        for root in self.ns..=self.sink {
            while self.excess[root] > 0 {
                let target = self.shortest_path(root)?;
                self.augment(root, target);
            }
        }
        Some(())
    }

    /// Dijkstra from `root` to the nearest deficit node, whose index it
    /// returns after lowering the potentials of the settled nodes.
    fn shortest_path(&mut self, root: usize) -> Option<usize> {
        self.epoch += 1;
        self.settled.clear();
        self.heap.clear();
        self.relax(root, 0, Via::None);
        let mut target = None;
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if self.done[v] == self.epoch || self.dist[v] != d {
                continue;
            }
            self.done[v] = self.epoch;
            self.settled.push(v);
            if self.excess[v] < 0 {
                target = Some(v);
                break;
            }
            if v == self.sink {
                self.scan_sink(d);
            } else {
                self.scan_destination(v - self.ns, d);
            }
        }
        let t = target?;
        let dt = self.dist[t];
        for &v in &self.settled {
            self.pi[v] += dt - self.dist[v];
        }
        Some(t)
    }

    /// Offer `v` the distance `d` by the arc `via`.
    fn relax(&mut self, v: usize, d: i64, via: Via) {
        if self.done[v] == self.epoch {
            return;
        }
        if self.seen[v] != self.epoch || d < self.dist[v] {
            self.seen[v] = self.epoch;
            self.dist[v] = d;
            self.via[v] = via;
            self.heap.push(Reverse((d, v)));
        }
    }

    /// Settle source `g` at distance `d` (reached by a reversed arc of
    /// reduced cost 0) and relax its arcs.
    fn settle_source(&mut self, g: usize, d: i64, via: Via) {
        self.done[g] = self.epoch;
        self.seen[g] = self.epoch;
        self.dist[g] = d;
        self.via[g] = via;
        self.settled.push(g);
        let net = self.net;
        let pg = self.pi[g];
        for l in net.start[g]..net.start[g + 1] {
            let v = self.ns + net.to[l] as usize;
            let rc = net.cost[l] - pg + self.pi[v];
            debug_assert!(rc >= 0, "reduced cost {rc} on lane {l}");
            self.relax(v, d + rc, Via::Lane(l as u32));
        }
        if let Some(u) = net.unplaced[g] {
            let rc = u - pg + self.pi[self.sink];
            debug_assert!(rc >= 0, "reduced cost {rc} on unplaced {g}");
            self.relax(self.sink, d + rc, Via::Unplaced(g as u32));
        }
    }

    /// The residual arcs out of destination `dst`, settled at `d`: back to
    /// the sources whose lanes carry flow into it (the list is compacted
    /// on the way), on to the sink.
    fn scan_destination(&mut self, dst: usize, d: i64) {
        let mut lanes = std::mem::take(&mut self.into[dst]);
        let mut kept = 0;
        for i in 0..lanes.len() {
            let l = lanes[i];
            if self.lane_flow[l as usize] == 0 {
                self.listed[l as usize] = false;
                continue;
            }
            lanes[kept] = l;
            kept += 1;
            let g = self.net.from[l as usize] as usize;
            if self.done[g] != self.epoch {
                self.settle_source(g, d, Via::LaneBack(l));
            }
        }
        lanes.truncate(kept);
        self.into[dst] = lanes;
        let v = self.ns + dst;
        let sink_pi = self.pi[self.sink];
        if self.cap_flow[dst] < self.room[dst] {
            let rc = -self.pi[v] + sink_pi;
            self.relax(self.sink, d + rc, Via::Capacity(dst as u32));
        }
        if let Some(o) = self.net.overflow {
            let rc = o - self.pi[v] + sink_pi;
            self.relax(self.sink, d + rc, Via::Overflow(dst as u32));
        }
    }

    /// The residual arcs out of the sink, settled at `d`: back along
    /// capacity and overflow arcs with flow, back to unplaced sources.
    fn scan_sink(&mut self, d: i64) {
        let sink_pi = self.pi[self.sink];
        for dst in 0..self.cap_flow.len() {
            let v = self.ns + dst;
            if self.cap_flow[dst] > 0 {
                let rc = self.pi[v] - sink_pi;
                self.relax(v, d + rc, Via::CapacityBack(dst as u32));
            }
            if let (Some(o), true) = (self.net.overflow, self.over_flow[dst] > 0) {
                let rc = -(o - self.pi[v] + sink_pi);
                self.relax(v, d + rc, Via::OverflowBack(dst as u32));
            }
        }
        let mut left = std::mem::take(&mut self.left);
        left.retain(|&g| {
            let keep = self.unplaced[g as usize] > 0;
            self.left_listed[g as usize] = keep;
            keep
        });
        for &g in &left {
            if self.done[g as usize] != self.epoch {
                self.settle_source(g as usize, d, Via::UnplacedBack(g));
            }
        }
        self.left = left;
    }

    /// The tail of the arc by which `v` was reached, and how many more
    /// units that arc can carry in that direction.
    fn step_back(&self, v: usize) -> (usize, i64) {
        let ns = self.ns;
        match self.via[v] {
            Via::None => unreachable!("the root has no arc"),
            Via::Lane(l) => (self.net.from[l as usize] as usize, i64::MAX),
            Via::LaneBack(l) => (
                ns + self.net.to[l as usize] as usize,
                self.lane_flow[l as usize],
            ),
            Via::Capacity(d) => (
                ns + d as usize,
                self.room[d as usize] - self.cap_flow[d as usize],
            ),
            Via::CapacityBack(d) => (self.sink, self.cap_flow[d as usize]),
            Via::Overflow(d) => (ns + d as usize, i64::MAX),
            Via::OverflowBack(d) => (self.sink, self.over_flow[d as usize]),
            Via::Unplaced(g) => (g as usize, i64::MAX),
            Via::UnplacedBack(g) => (self.sink, self.unplaced[g as usize]),
        }
    }

    /// Push the bottleneck along the path Dijkstra found to `target`.
    fn augment(&mut self, root: usize, target: usize) {
        let mut delta = self.excess[root].min(-self.excess[target]);
        let mut v = target;
        while v != root {
            let (u, r) = self.step_back(v);
            delta = delta.min(r);
            v = u;
        }
        debug_assert!(delta > 0, "a shortest path carries flow");
        let mut v = target;
        while v != root {
            let (u, _) = self.step_back(v);
            match self.via[v] {
                Via::None => unreachable!("the root has no arc"),
                Via::Lane(l) => {
                    self.lane_flow[l as usize] += delta;
                    if !self.listed[l as usize] {
                        self.listed[l as usize] = true;
                        self.into[self.net.to[l as usize] as usize].push(l);
                    }
                }
                Via::LaneBack(l) => self.lane_flow[l as usize] -= delta,
                Via::Capacity(d) => self.cap_flow[d as usize] += delta,
                Via::CapacityBack(d) => self.cap_flow[d as usize] -= delta,
                Via::Overflow(d) => self.over_flow[d as usize] += delta,
                Via::OverflowBack(d) => self.over_flow[d as usize] -= delta,
                Via::Unplaced(g) => {
                    self.unplaced[g as usize] += delta;
                    if !self.left_listed[g as usize] {
                        self.left_listed[g as usize] = true;
                        self.left.push(g);
                    }
                }
                Via::UnplacedBack(g) => self.unplaced[g as usize] -= delta,
            }
            v = u;
        }
        self.excess[root] -= delta;
        self.excess[target] += delta;
    }

    fn finish(self) -> Optimum {
        let net = self.net;
        let mut cost: i128 = 0;
        for (&f, &c) in self.lane_flow.iter().zip(&net.cost) {
            cost += i128::from(f) * i128::from(c);
        }
        for (&f, c) in self.unplaced.iter().zip(&net.unplaced) {
            cost += i128::from(f) * i128::from(c.unwrap_or(0));
        }
        let o = i128::from(net.overflow.unwrap_or(0));
        cost += self
            .over_flow
            .iter()
            .map(|&f| i128::from(f) * o)
            .sum::<i128>();
        Optimum {
            lane_flow: self.lane_flow,
            unplaced: self.unplaced,
            capacity_flow: self.cap_flow,
            overflow: self.over_flow,
            cost,
            potential: self.pi,
        }
    }
}

/// The cheapest arc of source `g` at potentials `pi`, as (its cost plus
/// its head's potential, the lane or `None` for the unplaced arc): the
/// first among equals, lanes before the unplaced arc.
fn cheapest(net: &Network, pi: &[i64], g: usize) -> Option<(i64, Option<usize>)> {
    let ns = net.supply.len();
    let mut best: Option<(i64, Option<usize>)> = None;
    for l in net.start[g]..net.start[g + 1] {
        let c = net.cost[l] + pi[ns + net.to[l] as usize];
        if best.is_none_or(|(b, _)| c < b) {
            best = Some((c, Some(l)));
        }
    }
    if let Some(u) = net.unplaced[g] {
        let c = u + pi[ns + net.capacity.len()];
        if best.is_none_or(|(b, _)| c < b) {
            best = Some((c, None));
        }
    }
    best
}

/// The sum of nonnegative unit counts; beyond an i64 no flow could be
/// solved anyway.
fn sum(units: &[i64]) -> i64 {
    units
        .iter()
        .try_fold(0i64, |a, &u| a.checked_add(u))
        .expect("units fit an i64")
}
