//! Placement benchmarks:
//! - `mcf/simplex-20k-500-15`: the network simplex on 20,000 homes × 500
//!   schools with 15 nearest candidates each (about 320,000 arcs);
//! - `mcf/lp-20k-500-15`: the same instance as an LP through good_lp
//!   (HiGHS with `--features highs`; skipped with microlp, which takes
//!   minutes), the reference for the ratio in README.md;
//! - `place/zoned-1M`: `place` end to end on a 1,000,000-applicant, 2,000-school
//!   synthetic district (data in memory; reading is in the `validate` bench).

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;
use sunshine::distance::GreatCircle;
use sunshine::generate;
use sunshine::place::{place, Mechanism};
use sunshine::scenario::{Policy, Scenario};

fn mcf(c: &mut Criterion) {
    let net = generate::transport_instance(7, 20_000, 500, 15);
    let mut g = c.benchmark_group("mcf");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("simplex-20k-500-15", |b| b.iter(|| net.solve()));
    if cfg!(feature = "highs") {
        g.bench_function("lp-20k-500-15", |b| {
            b.iter(|| sunshine::solve::lp::min_cost(&net))
        });
    } else {
        eprintln!("mcf/lp-20k-500-15 skipped: build with --features highs for the HiGHS reference");
    }
    g.finish();
}

fn place_1m(c: &mut Criterion) {
    let data = generate::large(1, 1_000_000, 2_000);
    let scenario = Scenario {
        name: "bench".into(),
        year: 2025,
        dataset: ".".into(),
        grade: sunshine::model::Grade::One,
        policy: Policy {
            lottery_seed: 1,
            ..Policy::defaults(sunshine::model::Grade::One)
        },
        closures: vec![],
        mergers: vec![],
        capacity: vec![],
        new_schools: vec![],
    };
    let mut g = c.benchmark_group("place");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    g.bench_function("zoned-1M", |b| {
        b.iter(|| place(&data, &scenario, Mechanism::Zoned, &GreatCircle))
    });
    g.finish();
}

criterion_group!(benches, mcf, place_1m);
criterion_main!(benches);
