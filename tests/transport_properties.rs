//! The transportation solver by successive shortest paths
//! ([`Transport::solve_by_ssp`], and warm-started from an optimum without
//! some lanes, [`Transport::solve_from`]) checked against the network
//! simplex ([`Transport::solve`], an independent method) on random instances, degenerate ones included:
//! ties in costs, destinations without seats, sources without lanes or
//! units, infeasible problems without an escape arc, per-source unplaced
//! costs, overflow arcs and minimum loads. Both must agree on feasibility
//! and on the optimal cost; the flow returned must be feasible and cost
//! what it says, and its potentials must certify it optimal (every arc that
//! can carry more has a reduced cost ≥ 0, every arc with flow ≤ 0: AMO,
//! *Network Flows*, Theorem 9.3).

use proptest::prelude::*;
use sunshine::solve::transport::{Shipment, Transport};

#[derive(Debug, Clone)]
struct Instance {
    capacity: Vec<i64>,
    min_load: Option<Vec<i64>>,
    supply: Vec<i64>,
    /// Per source: its own unplaced cost, if any.
    unplaced_of: Vec<Option<i64>>,
    /// (source, destination, cost), in the order added.
    lanes: Vec<(usize, usize, i64)>,
    unplaced: Option<i64>,
    overflow: Option<i64>,
}

impl Instance {
    fn build(&self) -> Transport {
        let mut t = Transport::new(self.capacity.clone());
        if let Some(low) = &self.min_load {
            t = t.with_min_load(low.clone());
        }
        if let Some(u) = self.unplaced {
            t = t.unplaced_at(u);
        }
        if let Some(o) = self.overflow {
            t = t.overflow_at(o);
        }
        for (g, &b) in self.supply.iter().enumerate() {
            match (self.unplaced, self.unplaced_of[g]) {
                (Some(_), Some(u)) => t.add_source_unplaced_at(b, u),
                _ => t.add_source(b),
            };
        }
        for &(g, d, c) in &self.lanes {
            t.add_lane(g, d, c);
        }
        t
    }
}

/// Small instances with few distinct costs (many ties), `max_cost` the
/// largest lane cost.
fn instance(
    max_src: usize,
    max_dst: usize,
    max_units: i64,
    max_cost: i64,
) -> impl Strategy<Value = Instance> {
    (0..=max_src, 1..=max_dst).prop_flat_map(move |(ns, nd)| {
        (
            prop::collection::vec(0..=max_units * 2, nd),
            prop::option::weighted(0.25, prop::collection::vec(0..=max_units, nd)),
            prop::collection::vec(0..=max_units, ns),
            prop::collection::vec(prop::option::weighted(0.3, 0..=max_cost * 4), ns),
            prop::collection::vec((0..ns.max(1), 0..nd, 0..=max_cost), 0..=ns * nd + 1),
            prop::option::weighted(0.6, 0..=max_cost * 4),
            prop::option::weighted(0.3, 0..=max_cost * 4),
        )
            .prop_map(
                move |(capacity, min_load, supply, unplaced_of, lanes, unplaced, overflow)| {
                    Instance {
                        capacity,
                        min_load,
                        lanes: if ns == 0 { Vec::new() } else { lanes },
                        supply,
                        unplaced_of,
                        unplaced,
                        overflow,
                    }
                },
            )
    })
}

/// The flow is feasible, costs what it says, and its potentials certify it.
fn check_certified(inst: &Instance, s: &Shipment) -> Result<(), TestCaseError> {
    let (ns, nd) = (inst.supply.len(), inst.capacity.len());
    let low = inst.min_load.clone().unwrap_or(vec![0; nd]);
    let mut out = vec![0i64; ns];
    let mut into = vec![0i64; nd];
    let mut cost: i128 = 0;
    let (pg, pd, pt) = (
        &s.source_potential,
        &s.destination_potential,
        s.sink_potential,
    );
    for (l, &(g, d, c)) in inst.lanes.iter().enumerate() {
        let f = s.flow[l];
        prop_assert!(f >= 0, "negative flow on lane {}", l);
        out[g] += f;
        into[d] += f;
        cost += i128::from(f) * i128::from(c);
        let rc = c - pg[g] + pd[d];
        prop_assert!(rc >= 0, "lane {} has reduced cost {}", l, rc);
        prop_assert!(
            f == 0 || rc == 0,
            "lane {} carries flow at reduced cost {}",
            l,
            rc
        );
    }
    for g in 0..ns {
        let left = s.unplaced[g];
        prop_assert!(left >= 0);
        prop_assert_eq!(
            out[g] + left,
            inst.supply[g],
            "source {} ships its supply",
            g
        );
        match inst.unplaced.map(|u| inst.unplaced_of[g].unwrap_or(u)) {
            None => prop_assert_eq!(left, 0),
            Some(u) => {
                cost += i128::from(left) * i128::from(u);
                let rc = u - pg[g] + pt;
                prop_assert!(
                    rc >= 0 && (left == 0 || rc == 0),
                    "unplaced {} at {}",
                    g,
                    rc
                );
            }
        }
    }
    for d in 0..nd {
        let (load, over) = (s.load[d], s.overflow[d]);
        prop_assert_eq!(
            load + over,
            into[d],
            "destination {} passes on what it gets",
            d
        );
        prop_assert!(load >= low[d], "minimum load of {}", d);
        prop_assert!(load <= inst.capacity[d].max(low[d]), "capacity of {}", d);
        prop_assert!(over >= 0);
        // the capacity arc carries load − minimum, within capacity − minimum
        let (on_cap, room) = (load - low[d], (inst.capacity[d] - low[d]).max(0));
        let rc = -pd[d] + pt;
        prop_assert!(on_cap == room || rc >= 0, "capacity arc {} at {}", d, rc);
        prop_assert!(on_cap == 0 || rc <= 0, "capacity arc {} at {}", d, rc);
        match inst.overflow {
            None => prop_assert_eq!(over, 0),
            Some(o) => {
                cost += i128::from(over) * i128::from(o);
                let rc = o - pd[d] + pt;
                prop_assert!(
                    rc >= 0 && (over == 0 || rc == 0),
                    "overflow {} at {}",
                    d,
                    rc
                );
            }
        }
    }
    prop_assert_eq!(cost, s.cost, "the reported cost is the flow's");
    Ok(())
}

fn agree(inst: &Instance) -> Result<(), TestCaseError> {
    let t = inst.build();
    let new = t.solve_by_ssp();
    let reference = t.solve();
    prop_assert_eq!(new.is_some(), reference.is_some(), "feasibility");
    if let (Some(a), Some(b)) = (&new, &reference) {
        prop_assert_eq!(a.cost, b.cost, "optimal cost");
        check_certified(inst, a)?;
        check_certified(inst, b)?;
    }
    // a pure function of the problem
    prop_assert_eq!(&t.solve_by_ssp(), &new);
    // column generation: the optimum without the last lanes, repaired
    // once they are added
    let mut first = inst.clone();
    first.lanes.truncate(inst.lanes.len() * 2 / 3);
    if let Some(previous) = first.build().solve() {
        let warm = t.solve_from(&previous);
        prop_assert_eq!(warm.is_some(), reference.is_some(), "feasibility, warm");
        if let (Some(w), Some(b)) = (&warm, &reference) {
            prop_assert_eq!(w.cost, b.cost, "optimal cost, warm");
            check_certified(inst, w)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Tiny instances, costs 0–3: ties everywhere, and often infeasible.
    #[test]
    fn tiny_instances_agree(inst in instance(5, 4, 4, 3)) {
        agree(&inst)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Larger instances, where repairs chain through several destinations.
    #[test]
    fn larger_instances_agree(inst in instance(40, 8, 30, 50)) {
        agree(&inst)?;
    }
}

/// A placement-shaped instance: every source has an unplaced arc at a
/// big-M penalty and lanes to its few nearest destinations on a line.
fn placement(ns: usize, nd: usize) -> impl Strategy<Value = Instance> {
    (
        prop::collection::vec((0u32..1000, 0i64..30), ns),
        prop::collection::vec((0u32..1000, 0i64..60), nd),
        prop::option::weighted(0.3, 1i64..1_000_000),
        1usize..=4,
    )
        .prop_map(move |(homes, schools, hard, k)| {
            let mut lanes = Vec::new();
            for (g, &(x, _)) in homes.iter().enumerate() {
                let mut near: Vec<(i64, usize)> = schools
                    .iter()
                    .enumerate()
                    .map(|(d, &(y, _))| ((i64::from(x) - i64::from(y)).abs(), d))
                    .collect();
                near.sort_unstable();
                lanes.extend(near.iter().take(k).map(|&(c, d)| (g, d, c)));
            }
            Instance {
                capacity: schools.iter().map(|&(_, c)| c).collect(),
                min_load: None,
                supply: homes.iter().map(|&(_, b)| b).collect(),
                unplaced_of: (0..ns)
                    .map(|g| hard.filter(|_| g % 3 == 0).map(|h| h * 2))
                    .collect(),
                lanes,
                unplaced: Some(1_000_000),
                overflow: None,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn placement_shaped_instances_agree(inst in placement(120, 12)) {
        agree(&inst)?;
    }
}
