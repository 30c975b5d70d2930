//! Exact minimum-cost flow by cost scaling (push–relabel), after Goldberg
//! and Tarjan, "Finding minimum-cost circulations by successive
//! approximation" (1990), and Goldberg, "An efficient implementation of a
//! scaling minimum-cost flow algorithm" (1997): costs are multiplied by
//! `n + 1`, and each phase turns an `ε`-optimal flow into an `ε/α`-optimal
//! one by pushing excess along admissible arcs (negative reduced cost) and
//! relabelling; a 1-optimal flow of the scaled costs is optimal for the
//! integer costs. This is the fast path for placement networks, which are
//! always feasible (every home has an "unplaced" arc to the sink); the
//! network simplex in [`super::mcf`] remains the general solver.
//!
//! Infeasibility is detected by the price bound of Goldberg–Tarjan (a
//! feasible refine lowers no price by more than `3nε`); the solver then
//! reports [`Solution::Infeasible`].

use super::mcf::{Flow, Network, Solution};

const ALPHA: i64 = 8;

struct Graph {
    /// CSR: arcs of node v are `first[v]..first[v+1]`.
    first: Vec<usize>,
    head: Vec<u32>,
    rev: Vec<u32>,
    rescap: Vec<i64>,
    cost: Vec<i64>,
    /// residual arc of each network arc (the forward copy)
    fwd: Vec<u32>,
}

fn build(net: &Network, scale: i64) -> Graph {
    let n = net.node_count();
    // No arc carries more than all supply together (costs are bounded below
    // on every cycle in our networks), so "unbounded" becomes that amount and
    // saturating pushes stay finite.
    let total: i64 = (0..n).map(|v| net.supply(v).max(0)).sum();
    let m = net.arc_count();
    let mut deg = vec![0usize; n + 1];
    for (a, b, _, _) in net.arcs() {
        deg[a] += 1;
        deg[b] += 1;
    }
    let mut first = vec![0usize; n + 1];
    for v in 0..n {
        first[v + 1] = first[v] + deg[v];
    }
    let mut pos = first.clone();
    let mut g = Graph {
        head: vec![0; 2 * m],
        rev: vec![0; 2 * m],
        rescap: vec![0; 2 * m],
        cost: vec![0; 2 * m],
        fwd: vec![0; m],
        first,
    };
    for (e, (a, b, cap, c)) in net.arcs().enumerate() {
        let i = pos[a];
        pos[a] += 1;
        let j = pos[b];
        pos[b] += 1;
        g.head[i] = b as u32;
        g.head[j] = a as u32;
        g.rev[i] = j as u32;
        g.rev[j] = i as u32;
        g.rescap[i] = cap.min(total);
        g.rescap[j] = 0;
        g.cost[i] = c * scale;
        g.cost[j] = -c * scale;
        g.fwd[e] = i as u32;
    }
    g
}

/// Solve `net`, which should be feasible (see the module docs).
pub fn solve(net: &Network) -> Solution {
    let n = net.node_count();
    if (0..n).map(|v| i128::from(net.supply(v))).sum::<i128>() != 0 {
        return Solution::Infeasible;
    }
    let scale = n as i64 + 1;
    let mut g = build(net, scale);
    let mut excess: Vec<i64> = (0..n).map(|v| net.supply(v)).collect();
    let mut price = vec![0i64; n];
    let max_cost = g.cost.iter().map(|c| c.abs()).max().unwrap_or(0);
    let mut eps = max_cost.max(1);
    let mut current: Vec<usize> = g.first[..n].to_vec();
    let mut queue = std::collections::VecDeque::new();
    let mut active = vec![false; n];
    loop {
        eps = (eps / ALPHA).max(1);
        // saturate every residual arc of negative reduced cost
        for v in 0..n {
            for i in g.first[v]..g.first[v + 1] {
                if g.rescap[i] > 0 {
                    let w = g.head[i] as usize;
                    if g.cost[i] + price[v] - price[w] < 0 {
                        let f = g.rescap[i];
                        g.rescap[i] = 0;
                        g.rescap[g.rev[i] as usize] += f;
                        excess[v] -= f;
                        excess[w] += f;
                    }
                }
            }
        }
        let start_price = price.clone();
        // a refine from an (αε)-optimal pseudoflow lowers no price by more than
        // (α + 1)·n·ε when the problem is feasible; twice that is our alarm
        let bound = 2 * (ALPHA + 1) * (n as i64 + 1) * eps;
        for v in 0..n {
            current[v] = g.first[v];
            if excess[v] > 0 && !active[v] {
                active[v] = true;
                queue.push_back(v);
            }
        }
        while let Some(v) = queue.pop_front() {
            active[v] = false;
            // discharge v
            while excess[v] > 0 {
                let end = g.first[v + 1];
                let mut i = current[v];
                while i < end {
                    if g.rescap[i] > 0 {
                        let w = g.head[i] as usize;
                        if g.cost[i] + price[v] - price[w] < 0 {
                            let f = excess[v].min(g.rescap[i]);
                            g.rescap[i] -= f;
                            g.rescap[g.rev[i] as usize] += f;
                            excess[v] -= f;
                            excess[w] += f;
                            if excess[w] > 0 && !active[w] {
                                active[w] = true;
                                queue.push_back(w);
                            }
                            if excess[v] == 0 {
                                break;
                            }
                        }
                    }
                    i += 1;
                }
                current[v] = i.min(end);
                if excess[v] > 0 {
                    // relabel: the highest price keeping every residual arc
                    // at reduced cost >= -eps
                    let mut best = i64::MIN;
                    for i in g.first[v]..end {
                        if g.rescap[i] > 0 {
                            let w = g.head[i] as usize;
                            best = best.max(price[w] - g.cost[i]);
                        }
                    }
                    if best == i64::MIN {
                        if std::env::var("MCF_DEBUG").is_ok() {
                            eprintln!("no residual arc at {v}, eps {eps}");
                        }
                        return Solution::Infeasible;
                    }
                    price[v] = best - eps;
                    if start_price[v] - price[v] > bound {
                        if std::env::var("MCF_DEBUG").is_ok() {
                            eprintln!(
                                "bound at {v}, eps {eps}, drop {}",
                                start_price[v] - price[v]
                            );
                        }
                        return Solution::Infeasible;
                    }
                    current[v] = g.first[v];
                }
            }
        }
        if eps == 1 {
            break;
        }
    }
    let flow: Vec<i64> = (0..net.arc_count())
        .map(|e| g.rescap[g.rev[g.fwd[e] as usize] as usize])
        .collect();
    let cost: i128 = net
        .arcs()
        .zip(&flow)
        .map(|((_, _, _, c), &f)| i128::from(c) * i128::from(f))
        .sum();
    Solution::Optimal(Flow { flow, cost })
}
