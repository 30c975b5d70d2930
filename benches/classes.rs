//! Balanced classes for 3,000 schools with 300 entrants each (900,000
//! students, 7 classes of at most 45 per school): `assign_all` as the
//! `classes` command runs it (parallel over schools). Target: under 5 s.
//! `cargo bench --bench classes`.

use sunshine::domain::model::SchoolIx;
use sunshine::domain::scenario::ClassPolicy;
use sunshine::planning::classes::assign_all;
use sunshine::synth;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn classes_3000_schools_300_each(bencher: divan::Bencher) {
    let mut data = synth::large(3, 900_000, 3_000);
    // entrance scores, so the score balance works too
    for (i, s) in data.students.iter_mut().enumerate() {
        s.score = Some(((i * 7919) % 1000) as f64 / 10.0);
    }
    let admitted: Vec<(usize, SchoolIx)> = (0..data.students.len())
        .map(|i| (i, SchoolIx::from_ix(i % 3_000)))
        .collect();
    let teachers = vec![Vec::new(); data.schools.len()];
    bencher.bench(|| assign_all(&data, &admitted, &ClassPolicy::default(), 1, &teachers));
}
