//! Road-distance benchmarks (divan; README.md quotes the medians):
//! - `table_50k_blocks_20_nearest_1m_grid`: the distance table for 50,000
//!   blocks × their 20 nearest of 2,500 schools on a 1,000 × 1,000 grid
//!   (1,000,000 nodes, 3,996,000 edges): snapping, one bounded search per
//!   school over the reversed graph, in parallel on every core;
//! - `reference_full_dijkstra_25_schools`: the plain method for 25 of those
//!   schools (1%): one full Dijkstra from each over the whole graph; times
//!   100 it is the reference for the ratio;
//! - `read_helsinki_pbf`: reading the test extract into a walking graph.
//!
//! `cargo bench --bench roads`.

use sunshine::spatial::roads::{dijkstra, table::Request, Profile, RoadDistances};
use sunshine::synth;

fn main() {
    divan::main();
}

const SIDE: usize = 1000;

fn request() -> Request {
    Request {
        pbf: "synthetic-grid".into(),
        profile: Profile::driving(),
        homes: synth::grid_points(1, SIDE, 50_000),
        schools: synth::grid_points(2, SIDE, 2_500),
        candidates: 20,
        max: 30_000,
        cache_dir: None,
    }
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn table_50k_blocks_20_nearest_1m_grid(bencher: divan::Bencher) {
    let graph = synth::road_grid(1, SIDE);
    assert_eq!(graph.nodes(), 1_000_000);
    let req = request();
    bencher
        .with_inputs(|| (req.clone(), graph.clone()))
        .bench_values(|(req, graph)| {
            let (_, report) = RoadDistances::with_graph(req, graph);
            assert_eq!(report.pairs, 1_000_000);
            report
        });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn reference_full_dijkstra_25_schools(bencher: divan::Bencher) {
    let graph = synth::road_grid(1, SIDE);
    let sources: Vec<u32> = (0..25u32).map(|i| i * 39_989 % 1_000_000).collect();
    bencher.bench(|| {
        sources
            .iter()
            .map(|&s| dijkstra(&graph, s, &[], u64::MAX).len())
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn read_helsinki_pbf(bencher: divan::Bencher) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roads/helsinki.osm.pbf");
    bencher.bench(|| sunshine::spatial::roads::read_pbf(&path, &Profile::walking()).unwrap());
}
