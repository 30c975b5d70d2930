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
//! - `cells_5000`: Voronoi cells, clipping and the neighbour graph;
//! - `longtan_co_located`: `sunshine zones` without file writing on the
//!   bundled Longtan data with 0, 50, 200 and 1,000 extra blocks at the
//!   coordinates of block U002 (several 小区 geocoded to one address): the
//!   copies share one node of the neighbour graph, so they must cost about
//!   nothing (issue 12 item 15: 8 s → 49 s at 200 copies before).
//!
//! `cargo bench --bench zones` (add `--features highs` for the LP).

use std::time::Duration;

use sunshine::domain::model::{Dataset, Grade};
use sunshine::domain::scenario::Scenario;
use sunshine::planning::zones::{self, Method, Problem, ZoneSettings};
use sunshine::spatial::distance::GreatCircle;
use sunshine::synth;

fn main() {
    divan::main();
}

/// About 100,000 applicants in 5,000 blocks and 100 primary schools
/// ([`synth::zoning_district`]: seats 0.85–1.30 × the nearest blocks'
/// applicants, so zones must shift and the district still fits).
fn district() -> (Dataset, Scenario) {
    let data = synth::zoning_district(5, 5000, 100);
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

/// Longtan with `copies` extra blocks at U002's coordinates.
fn longtan_with_copies(
    copies: usize,
) -> (
    Dataset,
    Scenario,
    Option<sunshine::spatial::geography::Boundary>,
) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/longtan-2025.toml");
    let input = sunshine::io::load(&path, None).unwrap();
    let mut data = input.data;
    let host = data
        .blocks
        .iter()
        .find(|b| b.id.as_str() == "U002")
        .unwrap()
        .clone();
    for i in 1..=copies {
        let mut b = host.clone();
        b.id = sunshine::domain::model::BlockId(format!("C{i:04}").into());
        data.blocks.push(b);
    }
    (data, input.scenario, input.boundary)
}

#[divan::bench(args = [0, 50, 200, 1000], sample_count = 3, sample_size = 1)]
fn longtan_co_located(bencher: divan::Bencher, copies: usize) {
    let (data, scenario, boundary) = longtan_with_copies(copies);
    bencher.bench(|| {
        let p = zones::build(
            &data,
            &scenario,
            boundary.as_ref(),
            &ZoneSettings::default(),
            &GreatCircle,
        )
        .unwrap();
        assert_eq!(p.instance.blocks(), 392 + copies);
        let s = zones::solve(&p.instance, Method::Heuristic, Duration::from_secs(60));
        assert_eq!(p.instance.overload(&s.zone), 0);
        sunshine::report::zones::zone_rows(&data, &p, &s.zone)
    });
}
