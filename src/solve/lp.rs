//! The min-cost-flow problem as a linear program through good_lp: the
//! independent reference the network simplex is checked against (microlp by
//! default, HiGHS with the `highs` feature). Slow, but a different method.

use good_lp::{constraint, variable, Expression, ProblemVariables, Solution, SolverModel};

use super::mcf::{Network, INF};

/// Optimal cost of `net` solved as an LP, or `None` when infeasible.
pub fn min_cost(net: &Network) -> Option<f64> {
    if net.arc_count() == 0 {
        // some LP solvers reject a model without variables; the answer is plain
        return (0..net.node_count())
            .all(|v| net.supply(v) == 0)
            .then_some(0.0);
    }
    let mut vars = ProblemVariables::new();
    let x: Vec<_> = net
        .arcs()
        .map(|(_, _, cap, _)| {
            let v = variable().min(0.0);
            vars.add(if cap >= INF { v } else { v.max(cap as f64) })
        })
        .collect();
    let mut objective = Expression::with_capacity(x.len());
    let mut balance: Vec<Expression> = (0..net.node_count())
        .map(|_| Expression::default())
        .collect();
    for (e, (a, b, _, c)) in net.arcs().enumerate() {
        objective.add_mul(c as f64, x[e]);
        balance[a].add_mul(1.0, x[e]);
        balance[b].add_mul(-1.0, x[e]);
    }
    let mut model = make_model(vars.minimise(objective));
    for (v, expr) in balance.into_iter().enumerate() {
        let s = net.supply(v) as f64;
        model = model.with(constraint!(expr == s));
    }
    let sol = model.solve().ok()?;
    Some(
        net.arcs()
            .enumerate()
            .map(|(e, (_, _, _, c))| c as f64 * sol.value(x[e]))
            .sum(),
    )
}

/// The LP/MIP solver compiled in: HiGHS (one thread) with the `highs`
/// feature, else microlp.
#[cfg(feature = "highs")]
pub(crate) fn make_model(p: good_lp::variable::UnsolvedProblem) -> impl SolverModel {
    let mut m = good_lp::solvers::highs::highs(p).set_threads(1);
    m.set_verbose(false);
    m
}

#[cfg(not(feature = "highs"))]
pub(crate) fn make_model(p: good_lp::variable::UnsolvedProblem) -> impl SolverModel {
    good_lp::solvers::microlp::microlp(p)
}

/// A MIP model stopping at `time_limit`. HiGHS runs to a relative gap of
/// 1e-6 (its default, 1e-4, would call a solution 0.01% above the optimum
/// optimal); microlp proves optimality exactly.
#[cfg(feature = "highs")]
pub(crate) fn make_mip_model(
    p: good_lp::variable::UnsolvedProblem,
    time_limit: std::time::Duration,
) -> impl SolverModel<Error = good_lp::ResolutionError> {
    let mut m = good_lp::solvers::highs::highs(p)
        .set_threads(1)
        .set_time_limit(time_limit.as_secs_f64())
        .set_mip_rel_gap(1e-6)
        .expect("a valid gap");
    m.set_verbose(false);
    m
}

#[cfg(not(feature = "highs"))]
pub(crate) fn make_mip_model(
    p: good_lp::variable::UnsolvedProblem,
    time_limit: std::time::Duration,
) -> impl SolverModel<Error = good_lp::ResolutionError> {
    use good_lp::WithTimeLimit;
    good_lp::solvers::microlp::microlp(p).with_time_limit(time_limit.as_secs_f64())
}

/// The name of the LP solver compiled in.
pub fn solver_name() -> &'static str {
    if cfg!(feature = "highs") {
        "HiGHS"
    } else {
        "microlp"
    }
}
