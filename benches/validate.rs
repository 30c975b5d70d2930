//! Validation of a 1,000,000-applicant dataset (2,000 schools, 50,000
//! blocks) from CSV files on disk: decoding, parsing, every check, and the
//! scenario applied. Target: under 3 s in release mode.
//! `cargo bench --bench validate`.

use sunshine::io::{self, dataset, output::OutputSet};
use sunshine::synth;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn load_1m(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let data = synth::large(1, 1_000_000, 2_000);
    let mut files = OutputSet::new();
    files.add("schools.csv", dataset::schools_csv(&data.schools));
    files.add("blocks.csv", dataset::blocks_csv(&data.blocks));
    files.add("students.csv", dataset::students_csv(&data));
    files.add(
        "zones.csv",
        dataset::zones_csv(&data, data.zones.as_ref().unwrap()),
    );
    files.add(
        "scenario.toml",
        b"name = \"bench\"\nyear = 2025\ndataset = \".\"\nlevel = \"primary\"\n".to_vec(),
    );
    files.commit(dir.path()).unwrap();
    let scenario = dir.path().join("scenario.toml");
    bencher.bench(|| {
        let input = io::load(&scenario, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(input.data.students.len(), 1_000_000);
        input
    });
}
