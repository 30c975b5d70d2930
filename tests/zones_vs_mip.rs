//! The zoning solvers against each other on random small districts (a grid
//! of blocks, two or three schools): the MIP's optimum equals brute force
//! over every assignment, and the heuristic is feasible and within 2% of it
//! whenever a feasible zoning exists.

use std::time::Duration;

use proptest::prelude::*;
use sunshine::planning::zones::heuristic::relaxation;
use sunshine::planning::zones::{
    brute_force, heuristic, lp_relaxation, mip, Graph, Instance, MipOutcome,
};

fn grid_instance() -> impl Strategy<Value = Instance> {
    (2usize..=3, 3usize..=4, 2usize..=3)
        .prop_flat_map(|(rows, cols, k)| {
            let n = rows * cols;
            (
                prop::collection::vec(0u32..15, n),
                Just(rows),
                Just(cols),
                prop::sample::subsequence((0..n).collect::<Vec<_>>(), k).prop_shuffle(),
                prop::collection::vec(0u32..400, n * k),
                prop::collection::vec(1u32..10, k),
                100u32..160,
                prop::option::of(prop::collection::vec(0usize..k, n)),
                0u32..3000,
                prop::option::of(1500u32..3000),
            )
        })
        .prop_map(
            |(demand, rows, cols, roots, jitter, share, spare, prev, penalty, radius)| {
                let n = rows * cols;
                let k = roots.len();
                let pos = |b: usize| ((b % cols) as i64, (b / cols) as i64);
                let mut cands = Vec::with_capacity(n);
                for b in 0..n {
                    let (x, y) = pos(b);
                    let mut all: Vec<(usize, u32)> = (0..k)
                        .map(|s| {
                            let (sx, sy) = pos(roots[s]);
                            let d = (((x - sx).pow(2) + (y - sy).pow(2)) as f64).sqrt() * 1000.0;
                            (s, d as u32 + jitter[b * k + s])
                        })
                        .collect();
                    all.sort_by_key(|&(s, m)| (m, s));
                    // the service-radius rule: within the radius when any school is
                    let within: Vec<(usize, u32)> = match radius {
                        Some(r) => all.iter().copied().filter(|&(_, m)| m <= r).collect(),
                        None => Vec::new(),
                    };
                    let mut c = if within.is_empty() { all } else { within };
                    if let Some(s) = roots.iter().position(|&r| r == b) {
                        if !c.iter().any(|e| e.0 == s) {
                            c.push((s, jitter[b * k + s]));
                        }
                    }
                    cands.push(c);
                }
                let total: u32 = demand.iter().sum();
                let share_sum: u32 = share.iter().sum();
                let capacity = share
                    .iter()
                    .map(|&w| (total * spare / 100) * w / share_sum + 1)
                    .collect();
                let neighbours: Vec<Vec<usize>> = (0..n)
                    .map(|b| {
                        let (x, y) = pos(b);
                        (0..n)
                            .filter(|&c| {
                                let (cx, cy) = pos(c);
                                (x - cx).abs() + (y - cy).abs() == 1
                            })
                            .collect()
                    })
                    .collect();
                Instance {
                    demand,
                    capacity,
                    cands,
                    previous: prev.map_or(vec![None; n], |p| p.into_iter().map(Some).collect()),
                    move_penalty: f64::from(penalty),
                    neighbours: neighbours.into(),
                    root: roots,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn mip_is_brute_force_and_heuristic_is_within_2_percent(inst in grid_instance()) {
        let exact = brute_force(&inst);
        let by_mip = mip(&inst, Duration::from_secs(60));
        match (&exact, &by_mip) {
            (Some((_, best)), MipOutcome::Optimal(z, obj)) => {
                prop_assert!(inst.is_feasible(z));
                prop_assert!((best - obj).abs() <= 1e-6 * (1.0 + best), "brute force {best} vs MIP {obj}");
                let h = heuristic(&inst);
                prop_assert!(inst.is_feasible(&h.zone), "heuristic infeasible: {:?}", h);
                prop_assert!(h.objective <= best * 1.02 + 1e-6, "heuristic {} vs optimum {best}", h.objective);
                if let Some(bound) = h.bound {
                    prop_assert!(bound <= best + 1e-6, "bound {bound} above the optimum {best}");
                }
            }
            (None, MipOutcome::Infeasible) => {}
            (a, b) => prop_assert!(false, "brute force {:?} vs MIP {:?}", a, b),
        }
    }
}

/// A grid district with one or two extra blocks at the positions of
/// grid blocks (co-located: one node of the graph), each with its own
/// applicants and last year's school, and the host's distances.
fn co_located_instance() -> impl Strategy<Value = Instance> {
    (
        grid_instance(),
        prop::collection::vec(
            (any::<prop::sample::Index>(), 0u32..12, any::<bool>()),
            1..=2,
        ),
    )
        .prop_map(|(mut inst, extra)| {
            let n = inst.blocks();
            let lists = inst.neighbours.lists();
            let mut node_of: Vec<usize> = (0..n).collect();
            for (host, demand, keep_previous) in extra {
                let h = host.index(n);
                node_of.push(h);
                inst.demand.push(demand);
                let c = inst.cands[h].clone();
                // a root's own school may be no candidate of its copies' radius
                inst.cands.push(c);
                let p = if keep_previous {
                    inst.previous[h]
                } else {
                    None
                };
                inst.previous.push(p);
            }
            inst.neighbours = Graph::new(node_of, lists);
            inst
        })
}

/// Connectedness by walking the block-level neighbour lists, not the
/// node-level search the library uses.
fn connected_by_lists(inst: &Instance, z: &[usize]) -> Vec<bool> {
    let lists = inst.neighbours.lists();
    (0..inst.schools())
        .map(|s| {
            let r = inst.root[s];
            if z[r] != s {
                return false;
            }
            let mut seen = vec![false; inst.blocks()];
            seen[r] = true;
            let mut stack = vec![r];
            while let Some(x) = stack.pop() {
                for &y in &lists[x] {
                    if !seen[y] && z[y] == s {
                        seen[y] = true;
                        stack.push(y);
                    }
                }
            }
            (0..inst.blocks()).all(|b| z[b] != s || seen[b])
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// Co-located blocks: the node-level connectivity agrees with the
    /// block-level lists, the MIP (flows between nodes) equals brute force,
    /// and the heuristic is feasible and within 2% of it.
    #[test]
    fn co_located_blocks_mip_is_brute_force_and_heuristic_is_close(
        inst in co_located_instance(),
        zs in prop::collection::vec(prop::collection::vec(0usize..3, 14), 5),
    ) {
        for z in &zs {
            let z: Vec<usize> = z[..inst.blocks()].iter().map(|&s| s % inst.schools()).collect();
            prop_assert_eq!(inst.connected(&z), connected_by_lists(&inst, &z));
        }
        let exact = brute_force(&inst);
        let by_mip = mip(&inst, Duration::from_secs(60));
        match (&exact, &by_mip) {
            (Some((_, best)), MipOutcome::Optimal(z, obj)) => {
                prop_assert!(connected_by_lists(&inst, z).iter().all(|&c| c));
                prop_assert!((best - obj).abs() <= 1e-6 * (1.0 + best), "brute force {best} vs MIP {obj}");
                let h = heuristic(&inst);
                prop_assert!(inst.is_feasible(&h.zone), "heuristic infeasible: {:?}", h);
                prop_assert!(connected_by_lists(&inst, &h.zone).iter().all(|&c| c));
                prop_assert!(h.objective <= best * 1.02 + 1e-6, "heuristic {} vs optimum {best}", h.objective);
            }
            (None, MipOutcome::Infeasible) => {}
            (a, b) => prop_assert!(false, "brute force {:?} vs MIP {:?}", a, b),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The heuristic's bound is the LP relaxation, solved as a min-cost
    /// flow: it matches good_lp's LP to the flooring of costs to
    /// thousandths of a metre, and never exceeds it.
    #[test]
    fn flow_bound_is_the_lp_relaxation(inst in grid_instance()) {
        let (_, flow) = relaxation(&inst);
        let lp = lp_relaxation(&inst);
        match (flow, lp) {
            (Some(f), Some(l)) => {
                let demand: u32 = inst.demand.iter().sum();
                prop_assert!(f <= l + 1e-6 * (1.0 + l), "flow {f} above LP {l}");
                prop_assert!(l - f <= 1e-3 * f64::from(demand) + 1e-6 * (1.0 + l), "flow {f} vs LP {l}");
            }
            (None, None) => {}
            (f, l) => prop_assert!(false, "flow {:?} vs LP {:?}", f, l),
        }
    }
}

/// The comparison is not vacuous: most sampled districts can be zoned.
#[test]
fn most_samples_are_feasible() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut feasible = 0;
    for _ in 0..60 {
        let inst = grid_instance().new_tree(&mut runner).unwrap().current();
        feasible += usize::from(brute_force(&inst).is_some());
    }
    assert!(feasible >= 30, "{feasible} of 60 feasible");
}
