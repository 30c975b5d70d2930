//! The transportation problem every placement flow solves: sources (homes,
//! blocks) with units to send, destinations (schools) with capacities, and
//! the lanes between them with a cost per unit, solved exactly as a
//! min-cost flow sources → destinations → one sink ([`super::mcf`]).
//!
//! Optional arcs make the flow feasible whatever the capacities:
//! - an **unplaced** arc from each source straight to the sink (overflow
//!   placement, closures: a unit left unplaced at a penalty);
//! - an **overflow** arc from each destination to the sink beyond its
//!   capacity (the zoning relaxation: seats exceeded at a penalty).
//!
//! A destination may also have a **minimum load** (a lower bound on its
//! capacity arc, moved into the node balances as in Ahuja, Magnanti and
//! Orlin, *Network Flows*, §2.4): the closures' minimum utilisation.
//!
//! The network simplex may return a different optimum of equal cost when
//! the arcs come in another order, and outputs must not depend on how a
//! caller happens to build its problem, so the order is fixed here: nodes
//! are the sources, the destinations, then the sink; arcs are, source by
//! source, its lanes in the order they were added and then its unplaced
//! arc; then, destination by destination, its capacity arc and then its
//! overflow arc.
//!
//! ```
//! use sunshine::solve::transport::Transport;
//! // two schools with 1 and 5 seats; a home of 2 pupils, 700 m from the
//! // first and 900 m from the second; leaving one unplaced costs 10 km
//! let mut t = Transport::new(vec![1, 5]).unplaced_at(10_000);
//! let home = t.add_source(2);
//! let near = t.add_lane(home, 0, 700);
//! let far = t.add_lane(home, 1, 900);
//! let s = t.solve().expect("the unplaced arc makes it feasible");
//! assert_eq!((s.flow[near], s.flow[far]), (1, 1));
//! assert_eq!(s.unplaced, vec![0]);
//! assert_eq!(s.load, vec![1, 1]);
//! assert_eq!(s.cost, 700 + 900);
//! ```

use super::mcf::{Network, Solution, INF};
use super::ssp;

/// A transportation problem, built source by source.
#[derive(Clone, Debug, Default)]
pub struct Transport {
    /// Units at each source.
    supply: Vec<i64>,
    /// Units each destination can take.
    capacity: Vec<i64>,
    /// Units each destination must take (all 0 unless given).
    min_load: Vec<i64>,
    /// Lanes as (source, destination, cost per unit), in the order added.
    lanes: Vec<(usize, usize, i64)>,
    /// Cost per unit left at its source, if units may be left.
    unplaced: Option<i64>,
    /// Per source: its own cost per unit left, replacing `unplaced`.
    unplaced_of: Vec<Option<i64>>,
    /// Cost per unit beyond a destination's capacity, if allowed.
    overflow: Option<i64>,
}

/// An optimal shipment. Units are whole: the network simplex returns an
/// integral optimum for integral supplies and capacities.
#[derive(Clone, Debug, PartialEq)]
pub struct Shipment {
    /// Units on each lane, indexed as returned by [`Transport::add_lane`].
    pub flow: Vec<i64>,
    /// Units left at each source (all 0 without an unplaced arc).
    pub unplaced: Vec<i64>,
    /// Units each destination takes within its capacity, its minimum load
    /// included.
    pub load: Vec<i64>,
    /// Units each destination takes beyond its capacity (all 0 without an
    /// overflow arc).
    pub overflow: Vec<i64>,
    /// Total cost, the penalties of unplaced and overflow units included.
    pub cost: i128,
    /// Node potentials (duals) of the sources and of the destinations: a
    /// lane not offered from source `g` to destination `s` at cost `c`
    /// would lower the cost iff `c − source_potential[g] +
    /// destination_potential[s] < 0` (see [`super::mcf::Flow::potential`]).
    pub source_potential: Vec<i64>,
    pub destination_potential: Vec<i64>,
    /// The sink's potential: with it the potentials price every arc (an
    /// unplaced unit of `g` at cost `u`: `u − source_potential[g] +
    /// sink_potential`; a destination's capacity arc: `−
    /// destination_potential[s] + sink_potential`).
    pub sink_potential: i64,
}

impl Transport {
    /// A problem with these destinations (index = position) and their
    /// capacities, and no sources yet.
    pub fn new(capacity: Vec<i64>) -> Self {
        assert!(capacity.iter().all(|&c| c >= 0), "negative capacity");
        Transport {
            min_load: vec![0; capacity.len()],
            capacity,
            ..Self::default()
        }
    }

    /// Every destination must take at least `min_load` units (indexed like
    /// the capacities). A minimum above the capacity is taken and the
    /// capacity then allows nothing more.
    pub fn with_min_load(mut self, min_load: Vec<i64>) -> Self {
        assert_eq!(
            min_load.len(),
            self.capacity.len(),
            "a minimum per destination"
        );
        assert!(min_load.iter().all(|&l| l >= 0), "negative minimum load");
        self.min_load = min_load;
        self
    }

    /// Units may stay at their source at `cost` each (an arc from every
    /// source to the sink).
    pub fn unplaced_at(mut self, cost: i64) -> Self {
        self.unplaced = Some(cost);
        self
    }

    /// Destinations may take units beyond their capacity at `cost` each
    /// (a second, unbounded arc from every destination to the sink).
    pub fn overflow_at(mut self, cost: i64) -> Self {
        self.overflow = Some(cost);
        self
    }

    /// A source with `supply` units (≥ 0); returns its index.
    pub fn add_source(&mut self, supply: i64) -> usize {
        assert!(supply >= 0, "negative supply");
        self.supply.push(supply);
        self.unplaced_of.push(None);
        self.supply.len() - 1
    }

    /// A source whose units left unplaced cost `cost` each instead of the
    /// problem's [`Transport::unplaced_at`] (which must be set): units that
    /// must be placed before others are (a larger cost) — 大学区-first
    /// overflow keeps the higher tiers placed this way.
    pub fn add_source_unplaced_at(&mut self, supply: i64, cost: i64) -> usize {
        let g = self.add_source(supply);
        self.unplaced_of[g] = Some(cost);
        g
    }

    /// A lane from `source` to `destination` at `cost` per unit, unbounded;
    /// returns its index into [`Shipment::flow`]. A source's lanes enter the
    /// network in the order they are added, whatever lanes of other sources
    /// come between.
    pub fn add_lane(&mut self, source: usize, destination: usize, cost: i64) -> usize {
        assert!(
            source < self.supply.len() && destination < self.capacity.len(),
            "lane to an unknown node"
        );
        self.lanes.push((source, destination, cost));
        self.lanes.len() - 1
    }

    pub fn lanes(&self) -> usize {
        self.lanes.len()
    }

    pub fn sources(&self) -> usize {
        self.supply.len()
    }

    pub fn destinations(&self) -> usize {
        self.capacity.len()
    }

    /// [`Transport::solve`] by successive shortest paths from the
    /// nearest-lane assignment ([`super::ssp`], whose module documentation
    /// states which optimum it returns among equal-cost ones): the same
    /// optimal cost, and potentials that prove it.
    pub fn solve_by_ssp(&self) -> Option<Shipment> {
        let (net, order) = self.ssp_network();
        ssp::solve(&net).map(|f| self.shipment(f, &order))
    }

    /// [`Transport::solve`] warm-started from `previous`, an optimal
    /// shipment of this problem before the lanes added since (column
    /// generation): successive shortest paths repair only what the new
    /// lanes change ([`ssp::solve_from`]). Its potentials must price every
    /// lane it had (as [`Transport::solve`]'s do).
    pub fn solve_from(&self, previous: &Shipment) -> Option<Shipment> {
        let (net, order) = self.ssp_network();
        let (n_src, n_dst) = (self.supply.len(), self.capacity.len());
        assert!(
            previous.flow.len() <= self.lanes.len()
                && previous.unplaced.len() == n_src
                && previous.load.len() == n_dst,
            "a shipment of this problem"
        );
        let mut potential = previous.source_potential.clone();
        potential.extend_from_slice(&previous.destination_potential);
        potential.push(previous.sink_potential);
        let start = ssp::Optimum {
            lane_flow: order
                .iter()
                .map(|&l| previous.flow.get(l).copied().unwrap_or(0))
                .collect(),
            unplaced: previous.unplaced.clone(),
            capacity_flow: previous
                .load
                .iter()
                .zip(&self.min_load)
                .map(|(&x, &low)| x - low)
                .collect(),
            overflow: previous.overflow.clone(),
            cost: previous.cost,
            potential,
        };
        ssp::solve_from(&net, &start).map(|f| self.shipment(f, &order))
    }

    /// The problem as an [`ssp::Network`] (lanes source by source, each
    /// source's in the order added), and the lane added at each of its
    /// lane positions.
    fn ssp_network(&self) -> (ssp::Network, Vec<usize>) {
        let mut net =
            ssp::Network::new(self.capacity.clone(), self.min_load.clone(), self.overflow);
        let mut order = Vec::with_capacity(self.lanes.len());
        let mut lanes = Vec::new();
        for (g, ls) in self.lanes_by_source().iter().enumerate() {
            lanes.clear();
            lanes.extend(ls.iter().map(|&l| (self.lanes[l].1, self.lanes[l].2)));
            order.extend_from_slice(ls);
            let unplaced = self.unplaced.map(|c| self.unplaced_of[g].unwrap_or(c));
            net.add_source(self.supply[g], unplaced, &lanes);
        }
        (net, order)
    }

    /// An [`ssp::Optimum`] of [`Transport::ssp_network`] as a shipment.
    fn shipment(&self, f: ssp::Optimum, order: &[usize]) -> Shipment {
        let (n_src, n_dst) = (self.supply.len(), self.capacity.len());
        let mut flow = vec![0; self.lanes.len()];
        for (&l, &x) in order.iter().zip(&f.lane_flow) {
            flow[l] = x;
        }
        Shipment {
            flow,
            unplaced: f.unplaced,
            load: f
                .capacity_flow
                .iter()
                .zip(&self.min_load)
                .map(|(&x, &low)| x + low)
                .collect(),
            overflow: f.overflow,
            cost: f.cost,
            source_potential: f.potential[..n_src].to_vec(),
            destination_potential: f.potential[n_src..n_src + n_dst].to_vec(),
            sink_potential: f.potential[n_src + n_dst],
        }
    }

    /// The least-cost shipment of every unit, or `None` when the units
    /// cannot all be shipped within the capacities (never with an
    /// unplaced or an overflow arc, unless a minimum load cannot be met):
    /// by the network simplex ([`super::mcf`]).
    pub fn solve(&self) -> Option<Shipment> {
        let (n_src, n_dst) = (self.supply.len(), self.capacity.len());
        let total = sum(&self.supply);
        let least = sum(&self.min_load);
        let arcs = self.lanes.len()
            + if self.unplaced.is_some() { n_src } else { 0 }
            + n_dst * if self.overflow.is_some() { 2 } else { 1 };
        let mut net = Network::with_capacity(n_src + n_dst + 1, arcs);
        let src: Vec<usize> = self.supply.iter().map(|&s| net.add_node(s)).collect();
        let dst: Vec<usize> = self.min_load.iter().map(|&l| net.add_node(-l)).collect();
        let sink = net.add_node(least.checked_sub(total).expect("units fit an i64"));
        // arcs in the order of the module documentation
        let mut lane_arc = vec![0; self.lanes.len()];
        let mut unplaced_arc = Vec::with_capacity(n_src);
        for (g, lanes) in self.lanes_by_source().iter().enumerate() {
            for &l in lanes {
                let (_, d, cost) = self.lanes[l];
                lane_arc[l] = net.add_arc(src[g], dst[d], INF, cost);
            }
            if let Some(cost) = self.unplaced {
                let cost = self.unplaced_of[g].unwrap_or(cost);
                unplaced_arc.push(net.add_arc(src[g], sink, INF, cost));
            }
        }
        let mut capacity_arc = Vec::with_capacity(n_dst);
        let mut overflow_arc = Vec::with_capacity(n_dst);
        for (d, (&cap, &low)) in self.capacity.iter().zip(&self.min_load).enumerate() {
            capacity_arc.push(net.add_arc(dst[d], sink, (cap - low).max(0), 0));
            if let Some(cost) = self.overflow {
                overflow_arc.push(net.add_arc(dst[d], sink, INF, cost));
            }
        }
        let Solution::Optimal(f) = net.solve() else {
            return None;
        };
        let on = |arcs: &[usize], n: usize| -> Vec<i64> {
            if arcs.is_empty() {
                vec![0; n]
            } else {
                arcs.iter().map(|&e| f.flow[e]).collect()
            }
        };
        Some(Shipment {
            flow: lane_arc.iter().map(|&e| f.flow[e]).collect(),
            unplaced: on(&unplaced_arc, n_src),
            load: capacity_arc
                .iter()
                .zip(&self.min_load)
                .map(|(&e, &low)| f.flow[e] + low)
                .collect(),
            overflow: on(&overflow_arc, n_dst),
            cost: f.cost,
            source_potential: src.iter().map(|&v| f.potential[v]).collect(),
            destination_potential: dst.iter().map(|&v| f.potential[v]).collect(),
            sink_potential: f.potential[sink],
        })
    }

    /// The problem in the DIMACS min-cost flow format (`p min`, `n`, `a`
    /// lines, nodes from 1), nodes and arcs in the order of the module
    /// documentation, so that another solver (benches/peers) solves the
    /// very same network. Unbounded arcs get the total supply as capacity,
    /// which no flow can exceed.
    pub fn write_dimacs(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let (n_src, n_dst) = (self.supply.len(), self.capacity.len());
        let total = sum(&self.supply);
        let least = sum(&self.min_load);
        let by_source = self.lanes_by_source();
        let arcs = self.lanes.len()
            + if self.unplaced.is_some() { n_src } else { 0 }
            + n_dst * if self.overflow.is_some() { 2 } else { 1 };
        let sink = n_src + n_dst + 1;
        writeln!(
            out,
            "c sunshine transport: {n_src} sources, {n_dst} destinations, 1 sink"
        )?;
        writeln!(out, "p min {sink} {arcs}")?;
        for (g, &b) in self.supply.iter().enumerate() {
            if b != 0 {
                writeln!(out, "n {} {b}", g + 1)?;
            }
        }
        for (d, &l) in self.min_load.iter().enumerate() {
            if l != 0 {
                writeln!(out, "n {} {}", n_src + d + 1, -l)?;
            }
        }
        writeln!(out, "n {sink} {}", least - total)?;
        let inf = total.max(1);
        for (g, lanes) in by_source.iter().enumerate() {
            for &l in lanes {
                let (_, d, cost) = self.lanes[l];
                writeln!(out, "a {} {} 0 {inf} {cost}", g + 1, n_src + d + 1)?;
            }
            if let Some(cost) = self.unplaced {
                let cost = self.unplaced_of[g].unwrap_or(cost);
                writeln!(out, "a {} {sink} 0 {inf} {cost}", g + 1)?;
            }
        }
        for (d, (&cap, &low)) in self.capacity.iter().zip(&self.min_load).enumerate() {
            writeln!(out, "a {} {sink} 0 {} 0", n_src + d + 1, (cap - low).max(0))?;
            if let Some(cost) = self.overflow {
                writeln!(out, "a {} {sink} 0 {inf} {cost}", n_src + d + 1)?;
            }
        }
        Ok(())
    }

    /// Lane indices per source, each in the order added.
    fn lanes_by_source(&self) -> Vec<Vec<usize>> {
        let mut by = vec![Vec::new(); self.supply.len()];
        for (l, &(g, _, _)) in self.lanes.iter().enumerate() {
            by[g].push(l);
        }
        by
    }
}

/// The sum of nonnegative unit counts; beyond an i64 no flow could be
/// solved anyway.
fn sum(units: &[i64]) -> i64 {
    units
        .iter()
        .try_fold(0i64, |a, &u| a.checked_add(u))
        .expect("units fit an i64")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source with its own unplaced cost keeps its units placed: one
    /// seat, two sources; the dearer one to leave gets it although its
    /// lane costs more.
    #[test]
    fn a_source_with_a_dearer_unplaced_cost_is_placed_first() {
        let mut t = Transport::new(vec![1]).unplaced_at(1_000);
        let cheap = t.add_source(1);
        let dear = t.add_source_unplaced_at(1, 5_000);
        let a = t.add_lane(cheap, 0, 10);
        let b = t.add_lane(dear, 0, 900);
        let s = t.solve().expect("feasible");
        assert_eq!((s.flow[a], s.flow[b]), (0, 1));
        assert_eq!(s.unplaced, vec![1, 0]);
        assert_eq!(s.cost, 900 + 1_000);
    }

    /// The textbook transportation problem of `mcf`'s tests, through the
    /// builder: 2 sources (20, 30) → 3 destinations (10, 25, 15).
    #[test]
    fn textbook_instance() {
        let mut t = Transport::new(vec![10, 25, 15]);
        let c = [[8, 6, 10], [9, 12, 13]];
        for (i, row) in c.iter().enumerate() {
            let g = t.add_source([20, 30][i]);
            for (j, &cost) in row.iter().enumerate() {
                t.add_lane(g, j, cost);
            }
        }
        let s = t.solve().expect("balanced");
        assert_eq!(s.cost, 120 + 90 + 60 + 195);
        assert_eq!(s.flow, vec![0, 20, 0, 10, 5, 15]);
        assert_eq!(s.load, vec![10, 25, 15]);
    }

    #[test]
    fn infeasible_without_an_escape_arc() {
        let mut t = Transport::new(vec![2]);
        let g = t.add_source(3);
        t.add_lane(g, 0, 1);
        assert_eq!(t.solve(), None);
        let s = t.clone().unplaced_at(100).solve().expect("unplaced arc");
        assert_eq!((s.flow, s.unplaced), (vec![2], vec![1]));
        let s = t.overflow_at(100).solve().expect("overflow arc");
        assert_eq!((s.load, s.overflow), (vec![2], vec![1]));
        assert_eq!(s.cost, 3 + 100);
    }

    /// A minimum load draws units to a farther destination; the load
    /// reported includes it.
    #[test]
    fn minimum_load_is_met() {
        let mut t = Transport::new(vec![5, 5]).with_min_load(vec![0, 2]);
        let g = t.add_source(4);
        let near = t.add_lane(g, 0, 1);
        let far = t.add_lane(g, 1, 10);
        let s = t.solve().expect("feasible");
        assert_eq!((s.flow[near], s.flow[far]), (2, 2));
        assert_eq!(s.load, vec![2, 2]);
        assert_eq!(s.cost, 2 + 20);
    }

    /// Lanes added source by source or interleaved give the same network,
    /// so the same optimum among ties.
    #[test]
    fn lane_order_is_per_source() {
        let build = |interleave: bool| {
            let mut t = Transport::new(vec![1, 1, 1]).unplaced_at(50);
            let a = t.add_source(1);
            let b = t.add_source(1);
            let mut lanes = Vec::new();
            if interleave {
                for d in 0..3 {
                    lanes.push(t.add_lane(a, d, 5));
                    lanes.push(t.add_lane(b, d, 5));
                }
            } else {
                for (g, d) in [(a, 0), (a, 1), (a, 2), (b, 0), (b, 1), (b, 2)] {
                    lanes.push(t.add_lane(g, d, 5));
                }
            }
            let s = t.solve().expect("feasible");
            let mut per: Vec<(usize, usize, i64)> = Vec::new();
            for (i, &l) in lanes.iter().enumerate() {
                let (g, d) = if interleave {
                    (i % 2, i / 2)
                } else {
                    (i / 3, i % 3)
                };
                per.push((g, d, s.flow[l]));
            }
            per.sort_unstable();
            per
        };
        assert_eq!(build(true), build(false));
    }

    /// The potentials price a lane not offered: adding a lane with a
    /// negative reduced cost lowers the cost.
    #[test]
    fn potentials_price_missing_lanes() {
        let mut t = Transport::new(vec![1, 1]).unplaced_at(1_000);
        let a = t.add_source(1);
        let b = t.add_source(1);
        t.add_lane(a, 0, 10);
        t.add_lane(b, 0, 1);
        let s = t.solve().expect("feasible");
        let reduced = 20 - s.source_potential[a] + s.destination_potential[1];
        assert!(reduced < 0, "{s:?}");
        t.add_lane(a, 1, 20);
        assert!(t.solve().expect("feasible").cost < s.cost);
    }
}
