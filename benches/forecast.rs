//! Cohort-survival projection and shortfall for 2,000 nine-year schools ×
//! 9 grades × 10 years (history of 3 years, births per block). Target:
//! under 1 s. `cargo bench --bench forecast`.

use sunshine::domain::model::{BlockIx, Grade, Level, SchoolIx};
use sunshine::domain::scenario::{ForecastPolicy, Scenario};
use sunshine::planning::forecast::{
    feeds, project_scenario, shortfall, Births, Enrollment, Housing, Inputs,
};

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn forecast_2000_schools_9_grades_10_years(bencher: divan::Bencher) {
    let mut data = sunshine::synth::large(5, 40_000, 2_000);
    for s in &mut data.schools {
        s.level = Level::NineYear;
    }
    let f = feeds(&data);
    let mut births = Births::new();
    for b in 0..data.blocks.len() {
        for y in 2004..=2025 {
            births.insert(
                (BlockIx::from_ix(b), y),
                10.0 + ((b * 7 + y as usize) % 5) as f64,
            );
        }
    }
    let mut history = Enrollment::new();
    for s in 0..data.schools.len() {
        for g in 1..=9u8 {
            for y in 2023..=2025 {
                history.insert(
                    (SchoolIx::from_ix(s), g, y),
                    40.0 + f64::from(g) + f64::from((y - 2023) as u8),
                );
            }
        }
    }
    let policy = ForecastPolicy::default();
    let housing = Housing::new();
    bencher.bench(|| {
        let inputs = Inputs {
            data: &data,
            feeds: &f,
            births: &births,
            history: &history,
            housing: &housing,
            new_schools: &[],
        };
        let plain = Scenario::plain("bench", Grade::One, 1);
        let sp = project_scenario(&inputs, &plain, 10, &policy).unwrap();
        shortfall(&sp.timeline, &sp.projection, &policy)
    });
}
