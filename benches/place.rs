//! Placement benchmarks (divan; medians are what README.md quotes):
//! - `simplex_20k_500_15`: the network simplex on 20,000 homes × 500 schools
//!   with 15 nearest candidates each (320,500 arcs);
//! - `lp_20k_500_15`: the same instance as an LP through good_lp, the
//!   reference for the ratio (run with `--features highs` for HiGHS; with
//!   microlp it is skipped, as it takes many minutes);
//! - `place_zoned_1m`: `place` end to end on a 1,000,000-applicant,
//!   2,000-school synthetic district (data in memory; reading and checking
//!   the files is the `validate` bench).
//!
//! `cargo bench --bench place` (add `--features highs` for the LP).

use sunshine::distance::GreatCircle;
use sunshine::generate;
use sunshine::model::Grade;
use sunshine::place::{place, Mechanism};
use sunshine::scenario::{Policy, Scenario};

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn simplex_20k_500_15(bencher: divan::Bencher) {
    let net = generate::transport_instance(7, 20_000, 500, 15);
    bencher.bench(|| net.solve());
}

#[divan::bench(sample_count = 3, sample_size = 1, ignore = !cfg!(feature = "highs"))]
fn lp_20k_500_15(bencher: divan::Bencher) {
    let net = generate::transport_instance(7, 20_000, 500, 15);
    bencher.bench(|| sunshine::solve::lp::min_cost(&net));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn place_zoned_1m(bencher: divan::Bencher) {
    let data = generate::large(1, 1_000_000, 2_000);
    let scenario = Scenario {
        name: "bench".into(),
        year: 2025,
        dataset: ".".into(),
        grade: Grade::One,
        policy: Policy {
            lottery_seed: 1,
            ..Policy::defaults(Grade::One)
        },
        closures: vec![],
        mergers: vec![],
        capacity: vec![],
        new_schools: vec![],
    };
    bencher.bench(|| place(&data, &scenario, Mechanism::Zoned, &GreatCircle));
}
