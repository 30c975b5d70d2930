//! The transportation core on the instance `place --mechanism min-distance`
//! solves first on a 1,000,000-applicant, 2,000-school synthetic district
//! (`synth::large(1, 1_000_000, 2_000)`, as `sunshine generate large`):
//! 50,000 block sources, each offered its 15 nearest schools with seats and
//! an unplaced arc at the big-M penalty ([`first_flow`]), 750,000 lanes.
//!
//! - `simplex_l1m`: the network simplex ([`Transport::solve`]);
//! - `ssp_l1m` (ignored by default: minutes): successive shortest paths
//!   from the nearest-lane assignment ([`Transport::solve_by_ssp`]), from
//!   scratch;
//! - `ssp_warm_l1m`: the same warm-started from the simplex's optimum with
//!   one lane more (1 km, to a school spread over the district) for every
//!   500th source, as a column-generation round adds ([`Transport::solve_from`]).
//!
//! The instance is also written in DIMACS format to `$TRANSPORT_DIMACS`
//! (default `target/transport_l1m.dimacs`) for the OR-Tools peer:
//! `python3 benches/peers/ortools_mcf.py target/transport_l1m.dimacs`
//! (benches/peers/README.md).
//!
//! `cargo bench --bench transport`

use std::sync::OnceLock;

use sunshine::domain::model::{Grade, Metres};
use sunshine::rules::place::{first_flow, Reach};
use sunshine::solve::transport::{Shipment, Transport};
use sunshine::spatial::distance::GreatCircle;
use sunshine::synth;

fn main() {
    divan::main();
}

fn instance() -> &'static Transport {
    static T: OnceLock<Transport> = OnceLock::new();
    T.get_or_init(|| {
        let data = synth::large(1, 1_000_000, 2_000);
        let scenario = sunshine::domain::scenario::Scenario::plain("bench", Grade::One, 1);
        let reach = Reach {
            candidates: scenario.policy.candidates,
            max: Metres::from_km(scenario.policy.overflow_max_km),
        };
        let applicants: Vec<usize> = (0..data.students.len()).collect();
        let schools = data.mainstream_schools(Grade::One);
        let seats: Vec<u32> = data.schools.iter().map(|s| s.entry_seats.0).collect();
        let t = first_flow(&data, &applicants, &schools, &seats, reach, &GreatCircle);
        let path = std::env::var("TRANSPORT_DIMACS").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/target/transport_l1m.dimacs").to_string()
        });
        let path = std::path::Path::new(&path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("a folder for the DIMACS file");
        }
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("DIMACS file"));
        t.write_dimacs(&mut out).expect("DIMACS written");
        eprintln!(
            "{} sources, {} destinations, {} lanes; DIMACS in {}",
            t.sources(),
            t.destinations(),
            t.lanes(),
            path.display()
        );
        t
    })
}

fn simplex_optimum() -> &'static Shipment {
    static S: OnceLock<Shipment> = OnceLock::new();
    S.get_or_init(|| {
        let s = instance().solve().expect("feasible");
        eprintln!("optimal cost {}", s.cost);
        s
    })
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn simplex_l1m(bencher: divan::Bencher) {
    let t = instance();
    bencher.bench(|| t.solve());
}

/// Ignored by default: from scratch it takes minutes on this instance (a
/// fifth of the units contested; see the `solve::ssp` module doc). Run it
/// with `cargo bench --bench transport -- --ignored ssp_l1m`.
#[divan::bench(sample_count = 1, sample_size = 1, ignore)]
fn ssp_l1m(bencher: divan::Bencher) {
    let t = instance();
    let cost = simplex_optimum().cost;
    bencher.bench(|| {
        let s = t.solve_by_ssp().expect("feasible");
        assert_eq!(s.cost, cost, "the same optimum");
    });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn ssp_warm_l1m(bencher: divan::Bencher) {
    let previous = simplex_optimum();
    let mut t = instance().clone();
    // a column-generation round: every 500th source offered one more
    // school (spread over the district) at 1 km
    let n = t.destinations();
    for g in (0..t.sources()).step_by(500) {
        let d = (g * 7919) % n;
        t.add_lane(g, d, 1_000);
    }
    bencher.bench(|| t.solve_from(previous));
}
