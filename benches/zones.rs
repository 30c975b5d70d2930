//! Zoning benchmarks (divan; README.md quotes the medians):
//! - `end_to_end_5000x100`: `sunshine zones` without file writing on a
//!   synthetic district of 5,000 blocks and 100 schools — candidates,
//!   Voronoi cells and neighbours, the heuristic (relaxation, dive, repair,
//!   local search, 20,000 kicks) and the zone shapes;
//! - `heuristic_5000x100`: the heuristic alone on the built instance;
//! - `relaxation_flow_5000x100`: its min-cost-flow relaxation (the LP
//!   bound, one solve) alone, `relaxation_and_dive_5000x100` with the
//!   rounding dive, and `relaxation_lp_5000x100`, the same LP through
//!   good_lp, the reference for the ratio (with `--features highs`; skipped
//!   with microlp, which takes minutes);
//! - `cells_5000`: Voronoi cells, clipping and the neighbour graph.
//!
//! `cargo bench --bench zones` (add `--features highs` for the LP).

use std::time::Duration;

use sunshine::distance::GreatCircle;
use sunshine::generate;
use sunshine::model::{Dataset, Grade};
use sunshine::scenario::Scenario;
use sunshine::zones::{self, Method, Problem, ZoneSettings};

fn main() {
    divan::main();
}

/// About 100,000 applicants in 5,000 blocks and 100 primary schools
/// ([`generate::zoning_district`]: seats 0.85–1.30 × the nearest blocks'
/// applicants, so zones must shift and the district still fits).
fn district() -> (Dataset, Scenario) {
    let data = generate::zoning_district(5, 5000, 100);
    let scenario = Scenario::plain("bench", Grade::One, 1);
    (data, scenario)
}

fn problem(data: &Dataset, scenario: &Scenario) -> Problem {
    zones::build(data, scenario, None, &ZoneSettings::default(), &GreatCircle).unwrap()
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn end_to_end_5000x100(bencher: divan::Bencher) {
    let (data, scenario) = district();
    bencher.bench(|| {
        let p = problem(&data, &scenario);
        assert_eq!((p.instance.blocks(), p.instance.schools()), (5000, 100));
        let s = zones::solve(&p.instance, Method::Heuristic, Duration::from_secs(60));
        sunshine::report::zones::zone_rows(&data, &p, &s.zone)
    });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn heuristic_5000x100(bencher: divan::Bencher) {
    let (data, scenario) = district();
    let p = problem(&data, &scenario);
    bencher.bench(|| zones::heuristic(&p.instance));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn relaxation_flow_5000x100(bencher: divan::Bencher) {
    let (data, scenario) = district();
    let p = problem(&data, &scenario);
    bencher.bench(|| zones::heuristic::lower_bound(&p.instance));
}

/// The relaxation with the dive that rounds split blocks (48 flow solves).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn relaxation_and_dive_5000x100(bencher: divan::Bencher) {
    let (data, scenario) = district();
    let p = problem(&data, &scenario);
    bencher.bench(|| zones::heuristic::relaxation(&p.instance));
}

#[divan::bench(sample_count = 5, sample_size = 1, ignore = !cfg!(feature = "highs"))]
fn relaxation_lp_5000x100(bencher: divan::Bencher) {
    let (data, scenario) = district();
    let p = problem(&data, &scenario);
    bencher.bench(|| zones::lp_relaxation(&p.instance));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn cells_5000(bencher: divan::Bencher) {
    let (data, _) = district();
    let pts: Vec<geo::Point<f64>> = data.blocks.iter().map(|b| b.location).collect();
    bencher.bench(|| zones::cells::cells(&pts, None).unwrap());
}
