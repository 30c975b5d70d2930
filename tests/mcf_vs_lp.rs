//! The network simplex against the LP reference (good_lp) on random
//! instances, including infeasible and degenerate ones.

use proptest::prelude::*;
use sunshine::solve::{lp, mcf};

#[derive(Debug, Clone)]
struct Instance {
    supplies: Vec<i64>,
    seats: Vec<i64>,
    /// (home, school, cost)
    arcs: Vec<(usize, usize, i64)>,
    with_unplaced: bool,
}

/// Transportation instances shaped like placement: homes → schools → sink,
/// optionally with an "unplaced" arc per home. Small cost ranges make many
/// ties (degenerate pivots); without the unplaced arcs many are infeasible.
fn instance() -> impl Strategy<Value = Instance> {
    (1usize..8, 1usize..6, any::<bool>(), 0usize..4).prop_flat_map(|(h, s, unplaced, span)| {
        let max_cost = [1i64, 3, 50, 5000][span];
        (
            prop::collection::vec(0i64..6, h),
            prop::collection::vec(0i64..8, s),
            prop::collection::vec((0..h, 0..s, 0..=max_cost), 0..(h * s + 4)),
            Just(unplaced),
        )
            .prop_map(|(supplies, seats, arcs, with_unplaced)| Instance {
                supplies,
                seats,
                arcs,
                with_unplaced,
            })
    })
}

fn network(inst: &Instance) -> mcf::Network {
    let mut net = mcf::Network::new();
    let homes: Vec<usize> = inst.supplies.iter().map(|&s| net.add_node(s)).collect();
    let schools: Vec<usize> = inst.seats.iter().map(|_| net.add_node(0)).collect();
    let total: i64 = inst.supplies.iter().sum();
    let sink = net.add_node(-total);
    for &(h, s, c) in &inst.arcs {
        net.add_arc(homes[h], schools[s], mcf::INF, c);
    }
    for (i, &cap) in inst.seats.iter().enumerate() {
        net.add_arc(schools[i], sink, cap, 0);
    }
    if inst.with_unplaced {
        for &h in &homes {
            net.add_arc(h, sink, mcf::INF, 1_000_000);
        }
    }
    net
}

fn check(net: &mcf::Network) -> Result<bool, TestCaseError> {
    let flow = net.solve();
    let reference = lp::min_cost(net);
    match (&flow, reference) {
        (mcf::Solution::Optimal(f), Some(c)) => {
            prop_assert!(
                (f.cost as f64 - c).abs() < 1e-6 * (1.0 + c.abs()),
                "simplex {} vs LP {}",
                f.cost,
                c
            );
            let mut bal: Vec<i64> = (0..net.node_count()).map(|v| net.supply(v)).collect();
            for (e, (a, b, cap, _)) in net.arcs().enumerate() {
                prop_assert!(f.flow[e] >= 0 && f.flow[e] <= cap);
                bal[a] -= f.flow[e];
                bal[b] += f.flow[e];
            }
            prop_assert!(bal.iter().all(|&x| x == 0), "flow not conserved");
            Ok(true)
        }
        (mcf::Solution::Infeasible, None) => Ok(false),
        (a, b) => {
            prop_assert!(false, "disagree: simplex {:?}, LP {:?}", a, b);
            unreachable!()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn simplex_matches_lp_on_placement_instances(inst in instance()) {
        check(&network(&inst))?;
    }

    /// General networks (not only bipartite): arcs between any nodes, with
    /// capacities and negative costs.
    #[test]
    fn simplex_matches_lp_on_general_networks(
        (mut supply, arcs) in (2usize..9).prop_flat_map(|n| (
            prop::collection::vec(-4i64..5, n),
            prop::collection::vec((0..n, 0..n, 0i64..6, -3i64..20), 0..(3 * n)),
        ))
    ) {
        let sum: i64 = supply.iter().sum();
        supply[0] -= sum;
        let mut net = mcf::Network::new();
        for &s in &supply {
            net.add_node(s);
        }
        for &(a, b, cap, c) in &arcs {
            if a != b {
                net.add_arc(a, b, cap, c);
            }
        }
        check(&net)?;
    }
}

/// Both feasible and infeasible cases must actually occur in the sample.
#[test]
fn sample_has_both_outcomes() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut feasible, mut infeasible) = (0, 0);
    for _ in 0..200 {
        let inst = instance().new_tree(&mut runner).unwrap().current();
        match network(&inst).solve() {
            mcf::Solution::Optimal(_) => feasible += 1,
            mcf::Solution::Infeasible => infeasible += 1,
        }
    }
    assert!(
        feasible > 20 && infeasible > 20,
        "{feasible} feasible, {infeasible} infeasible"
    );
}
