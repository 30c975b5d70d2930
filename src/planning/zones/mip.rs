//! Exact zoning as a mixed-integer program (good_lp: HiGHS with the
//! `highs` feature, microlp otherwise).
//!
//! Variables: binary `x[b][s]` (block b in zone s) for candidate pairs.
//! Contiguity by single-commodity flows (Shirabe 2005): for each school s,
//! its root block is the source and every other block of the zone consumes
//! one unit, carried only along neighbour edges between blocks of the zone:
//!
//! ```text
//! Σ_s x[b][s] = 1 for every block;  x[root_s][s] = 1
//! Σ_b d_b·x[b][s] ≤ cap_s
//! for b ≠ root_s:  Σ_in f^s − Σ_out f^s = x[b][s]
//! f^s(i→j) ≤ M_s·x[i][s] and ≤ M_s·x[j][s],  M_s = blocks that may join s
//! ```
//!
//! A zoning satisfies the flow constraints exactly when each zone is
//! connected and contains its root. Flows run between the nodes of the
//! neighbour graph: co-located blocks share a node whose occupancy
//! `y[X][s]` (`x[b][s]` itself for a node of one block) is 1 exactly when one
//! of its blocks is in zone s (y ≥ x_b, y ≤ Σ x_b), and stands for x in the
//! flow constraints above, with M_s the nodes that may join s.

use std::time::Duration;

use good_lp::{
    constraint, variable, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus,
    SolverModel, Variable,
};

use super::{Assignment, Instance};

/// What the MIP solver returned.
#[derive(Clone, Debug, PartialEq)]
pub enum MipOutcome {
    /// The optimum, proven.
    Optimal(Assignment, f64),
    /// A feasible zoning found before the time limit, not proven optimal.
    Feasible(Assignment, f64),
    /// No zoning keeps every school within its seats with connected zones.
    Infeasible,
    /// The time limit passed without a feasible zoning, or the solver failed.
    Unsolved(String),
}

/// Solve `inst` exactly within `time_limit`. The model is built in the
/// order of the module's formulation: the variables (x, node occupancy,
/// flows), then the constraints of the zoning, then those of contiguity.
pub fn mip(inst: &Instance, time_limit: Duration) -> MipOutcome {
    let Some(root_of) = roots(inst) else {
        return MipOutcome::Infeasible;
    };
    let mut vars = ProblemVariables::new();
    let Some((x, objective)) = assignment_vars(inst, &root_of, &mut vars) else {
        return MipOutcome::Infeasible;
    };
    let (occ, tie) = occupancy_vars(inst, &x, &mut vars);
    let (flows, members) = flow_vars(inst, &occ, &mut vars);
    let f = Formulation {
        x,
        occ,
        tie,
        flows,
        members,
    };
    let model = crate::solve::lp::make_mip_model(vars.minimise(objective), time_limit);
    let model = zoning_constraints(model, inst, &f);
    let model = contiguity_constraints(model, inst, &f);
    outcome(inst, &f.x, model.solve())
}

/// Per block or node: (school, variable) for the schools it may join.
type Row = Vec<(usize, Variable)>;
/// The occupancy y of a node of co-located blocks, with their x.
type Tie = (Variable, Vec<Variable>);
/// (school, from node, to node, flow variable).
type Flow = (usize, usize, usize, Variable);

/// The variables of the model, each list in the order it was created.
struct Formulation {
    /// x[b] = (school, variable) for b's candidates.
    x: Vec<Row>,
    /// Per node of the neighbour graph: (school, occupancy) for the
    /// schools some block of the node may join.
    occ: Vec<Row>,
    /// The occupancy y of each node of co-located blocks, with their x.
    tie: Vec<Tie>,
    /// (school, from node, to node, flow) along the edges between nodes
    /// that may both join the school.
    flows: Vec<Flow>,
    /// Per school: M_s, the nodes that may join it.
    members: Vec<usize>,
}

impl Formulation {
    fn var(&self, b: usize, s: usize) -> Option<Variable> {
        find(&self.x[b], s)
    }

    fn occupancy(&self, node: usize, s: usize) -> Option<Variable> {
        find(&self.occ[node], s)
    }
}

/// The variable of school `s` in a row of (school, variable).
fn find(row: &[(usize, Variable)], s: usize) -> Option<Variable> {
    row.iter().find(|e| e.0 == s).map(|e| e.1)
}

/// Per block, the school whose root it is; `None` (infeasible) if two
/// schools share a root block.
fn roots(inst: &Instance) -> Option<Vec<Option<usize>>> {
    let mut root_of = vec![None; inst.blocks()];
    for (s, &r) in inst.root.iter().enumerate() {
        if root_of[r].is_some() {
            return None;
        }
        root_of[r] = Some(s);
    }
    Some(root_of)
}

/// The binary x[b][s] of each candidate pair (a root block only for its
/// own school) and the objective, Σ cost·x; `None` (infeasible) if a
/// school's own block cannot join it.
// x and the instance's lists are all indexed by block
#[allow(clippy::needless_range_loop)]
fn assignment_vars(
    inst: &Instance,
    root_of: &[Option<usize>],
    vars: &mut ProblemVariables,
) -> Option<(Vec<Row>, Expression)> {
    let n = inst.blocks();
    let mut x: Vec<Row> = Vec::with_capacity(n);
    let mut objective = Expression::default();
    for b in 0..n {
        let mut row = Vec::new();
        for &(s, _) in &inst.cands[b] {
            if root_of[b].is_some_and(|r| r != s) {
                continue;
            }
            let v = vars.add(variable().binary());
            objective.add_mul(inst.cost(b, s), v);
            row.push((s, v));
        }
        if let Some(r) = root_of[b] {
            if row.is_empty() {
                // a school's own block must be able to join it
                return None;
            }
            debug_assert_eq!(row[0].0, r);
        }
        x.push(row);
    }
    Some((x, objective))
}

/// Per node and school: whether the zone occupies the node. A node of one
/// block is its x; co-located blocks share a node whose occupancy
/// y ∈ [0, 1] is tied to theirs (y ≥ x_b for each, y ≤ Σ x_b), so flows
/// run between nodes and n blocks at one address add n, not n², terms.
/// Returns the occupancies and the ties.
fn occupancy_vars(inst: &Instance, x: &[Row], vars: &mut ProblemVariables) -> (Vec<Row>, Vec<Tie>) {
    let g = &inst.neighbours;
    let mut tie: Vec<Tie> = Vec::new();
    let mut occ: Vec<Row> = vec![Vec::new(); g.nodes()];
    for (node, row) in occ.iter_mut().enumerate() {
        for s in 0..inst.schools() {
            let xs: Vec<Variable> = g.at(node).iter().filter_map(|&b| find(&x[b], s)).collect();
            match xs.as_slice() {
                [] => {}
                [v] => row.push((s, *v)),
                _ => {
                    let y = vars.add(variable().min(0.0).max(1.0));
                    row.push((s, y));
                    tie.push((y, xs));
                }
            }
        }
    }
    (occ, tie)
}

/// The flows per school along edges between nodes that may both join it
/// (none into its root's node), and per school M_s, the nodes that may
/// join it.
fn flow_vars(inst: &Instance, occ: &[Row], vars: &mut ProblemVariables) -> (Vec<Flow>, Vec<usize>) {
    let g = &inst.neighbours;
    let mut flows: Vec<Flow> = Vec::new();
    let mut members = vec![0usize; inst.schools()];
    for row in occ {
        for &(s, _) in row {
            members[s] += 1;
        }
    }
    for i in 0..g.nodes() {
        for &j in g.adjacent(i) {
            for &(s, _) in &occ[i] {
                if find(&occ[j], s).is_some() && j != g.node(inst.root[s]) {
                    flows.push((s, i, j, vars.add(variable().min(0.0))));
                }
            }
        }
    }
    (flows, members)
}

/// Σ_s x[b][s] = 1 for every block; x[root_s][s] = 1; Σ_b d_b·x[b][s] ≤
/// cap_s.
fn zoning_constraints<M: SolverModel>(mut model: M, inst: &Instance, f: &Formulation) -> M {
    for row in &f.x {
        let e: Expression = row.iter().map(|e| e.1).sum();
        model = model.with(constraint!(e == 1));
    }
    for (s, &r) in inst.root.iter().enumerate() {
        let v = f.var(r, s).expect("checked above");
        model = model.with(constraint!(v == 1));
    }
    let mut cap: Vec<Expression> = vec![Expression::default(); inst.schools()];
    for (b, row) in f.x.iter().enumerate() {
        for &(s, v) in row {
            cap[s].add_mul(f64::from(inst.demand[b]), v);
        }
    }
    for (s, e) in cap.into_iter().enumerate() {
        model = model.with(constraint!(e <= f64::from(inst.capacity[s])));
    }
    model
}

/// The ties of shared nodes (y ≤ Σ x_b, y ≥ x_b); f^s(i→j) ≤ M_s·y[i][s]
/// and ≤ M_s·y[j][s]; for every node but the root's: Σ_in f^s − Σ_out f^s
/// = y[node][s].
fn contiguity_constraints<M: SolverModel>(mut model: M, inst: &Instance, f: &Formulation) -> M {
    let g = &inst.neighbours;
    for (y, xs) in &f.tie {
        let sum: Expression = xs.iter().copied().sum();
        model = model.with(constraint!(*y <= sum));
        for &v in xs {
            model = model.with(constraint!(*y >= v));
        }
    }
    let mut balance: Vec<Vec<Expression>> = vec![Vec::new(); g.nodes()];
    for row in &mut balance {
        *row = vec![Expression::default(); inst.schools()];
    }
    for &(s, i, j, flow) in &f.flows {
        balance[j][s].add_mul(1.0, flow);
        balance[i][s].add_mul(-1.0, flow);
        let big = f.members[s] as f64;
        let yi = f.occupancy(i, s).expect("flow only between candidates");
        let yj = f.occupancy(j, s).expect("flow only between candidates");
        model = model.with(constraint!(flow <= big * yi));
        model = model.with(constraint!(flow <= big * yj));
    }
    for (node, row) in f.occ.iter().enumerate() {
        for &(s, y) in row {
            if g.node(inst.root[s]) == node {
                continue;
            }
            let e = std::mem::take(&mut balance[node][s]);
            model = model.with(constraint!(e == y));
        }
    }
    model
}

/// The zoning the solver returned (each block in its largest x), checked
/// against the instance.
fn outcome<S: Solution>(
    inst: &Instance,
    x: &[Row],
    solved: Result<S, ResolutionError>,
) -> MipOutcome {
    match solved {
        Ok(sol) => {
            let z: Assignment = x
                .iter()
                .map(|row| {
                    row.iter()
                        .max_by(|a, b| sol.value(a.1).total_cmp(&sol.value(b.1)))
                        .map(|e| e.0)
                        .unwrap_or(0)
                })
                .collect();
            let obj = inst.objective(&z);
            if !inst.is_feasible(&z) {
                return MipOutcome::Unsolved("the solver stopped without a feasible zoning".into());
            }
            match sol.status() {
                SolutionStatus::Optimal => MipOutcome::Optimal(z, obj),
                _ => MipOutcome::Feasible(z, obj),
            }
        }
        Err(ResolutionError::Infeasible) => MipOutcome::Infeasible,
        Err(e) => MipOutcome::Unsolved(e.to_string()),
    }
}

/// The LP relaxation (blocks may split, no contiguity) through good_lp:
/// the reference the min-cost-flow bound of the heuristic is checked and
/// timed against. `None` when even split blocks exceed some school's seats.
pub fn lp_relaxation(inst: &Instance) -> Option<f64> {
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::default();
    let mut rows: Vec<Vec<(usize, Variable)>> = Vec::with_capacity(inst.blocks());
    for b in 0..inst.blocks() {
        let root = inst.root.iter().position(|&r| r == b);
        let mut row = Vec::new();
        for &(s, _) in &inst.cands[b] {
            if root.is_some_and(|r| r != s) {
                continue;
            }
            let v = vars.add(variable().min(0.0).max(1.0));
            objective.add_mul(inst.cost(b, s), v);
            row.push((s, v));
        }
        rows.push(row);
    }
    let mut model = crate::solve::lp::make_model(vars.minimise(objective.clone()));
    let mut cap: Vec<Expression> = vec![Expression::default(); inst.schools()];
    for (b, row) in rows.iter().enumerate() {
        let e: Expression = row.iter().map(|e| e.1).sum();
        model = model.with(constraint!(e == 1));
        for &(s, v) in row {
            cap[s].add_mul(f64::from(inst.demand[b]), v);
        }
    }
    for (s, e) in cap.into_iter().enumerate() {
        model = model.with(constraint!(e <= f64::from(inst.capacity[s])));
    }
    let sol = model.solve().ok()?;
    Some(sol.eval(&objective))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::zones::brute_force;

    #[test]
    fn contiguity_rules_out_the_cheaper_cut_zone() {
        // a ring of five blocks; block 2 is nearest to school 0 but can only
        // reach it through school 1's blocks
        let inst = Instance {
            demand: vec![5, 5, 5, 5, 5],
            capacity: vec![15, 15],
            cands: vec![
                vec![(0, 100), (1, 900)],
                vec![(1, 300), (0, 400)],
                vec![(0, 200), (1, 800)],
                vec![(1, 100), (0, 900)],
                vec![(0, 300), (1, 350)],
            ],
            previous: vec![None; 5],
            move_penalty: 0.0,
            neighbours: vec![vec![1, 4], vec![0, 2], vec![1, 3], vec![2, 4], vec![0, 3]].into(),
            root: vec![0, 3],
        };
        let (bz, bc) = brute_force(&inst).unwrap();
        match mip(&inst, Duration::from_secs(30)) {
            MipOutcome::Optimal(z, c) => {
                assert!((c - bc).abs() < 1e-6, "{c} vs {bc}");
                assert!(inst.is_feasible(&z));
                assert_eq!(inst.objective(&z), inst.objective(&bz));
            }
            other => panic!("{other:?}"),
        }
    }
}
