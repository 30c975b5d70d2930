//! Exact class balance as a mixed-integer program (good_lp; HiGHS with
//! `--features highs`, microlp otherwise), for schools small enough and as
//! the reference the heuristic is tested against.
//!
//! Variables `x[i][c]` ∈ {0, 1}. Every entrant in one class; class `c` has
//! exactly `sizes(n, k)[c]` entrants; each attribute's count in every class
//! between ⌊total/k⌋ and ⌈total/k⌉; mildly disabled at most the cap. The
//! objective is the range of class score means, `hi - lo` with
//! `lo ≤ Σ score·x / size_c ≤ hi`, which is linear because sizes are fixed.

use good_lp::{constraint, variable, Expression, ProblemVariables, Solution, SolverModel};

use super::{sizes, Entrant};
use crate::solve::lp::make_model;

/// An optimal assignment and its score-mean range, or `None` when the
/// constraints cannot all hold (or the solver fails).
pub fn balance(entrants: &[Entrant], k: usize, max_mild: u32) -> Option<(Vec<usize>, f64)> {
    let n = entrants.len();
    if n == 0 || k == 0 {
        return None;
    }
    let size = sizes(n, k);
    let mut vars = ProblemVariables::new();
    let x: Vec<Vec<_>> = (0..n)
        .map(|_| (0..k).map(|_| vars.add(variable().binary())).collect())
        .collect();
    let hi = vars.add(variable());
    let lo = vars.add(variable());
    let mut model = make_model(vars.minimise(hi - lo));
    for row in &x {
        let e: Expression = row.iter().copied().sum();
        model = model.with(constraint!(e == 1));
    }
    for c in 0..k {
        let e: Expression = x.iter().map(|row| row[c]).sum();
        model = model.with(constraint!(e == f64::from(size[c])));
        for a in 0..5 {
            let total = entrants.iter().filter(|e| e.attrs[a]).count();
            let mut cnt = Expression::default();
            for (i, en) in entrants.iter().enumerate() {
                if en.attrs[a] {
                    cnt.add_mul(1.0, x[i][c]);
                }
            }
            let (min, max) = ((total / k) as f64, total.div_ceil(k) as f64);
            model = model.with(constraint!(cnt.clone() >= min));
            model = model.with(constraint!(cnt.clone() <= max));
            if a == super::MILD {
                model = model.with(constraint!(cnt <= f64::from(max_mild).max(max)));
            }
        }
        let mut mean = Expression::default();
        for (i, en) in entrants.iter().enumerate() {
            mean.add_mul(en.score.unwrap_or(0.0) / f64::from(size[c]), x[i][c]);
        }
        model = model.with(constraint!(mean.clone() <= hi));
        model = model.with(constraint!(mean >= lo));
    }
    let sol = model.solve().ok()?;
    let class: Vec<usize> = x
        .iter()
        .map(|row| {
            (0..k)
                .max_by(|&a, &b| sol.value(row[a]).total_cmp(&sol.value(row[b])))
                .expect("k > 0")
        })
        .collect();
    Some((class, sol.value(hi) - sol.value(lo)))
}
