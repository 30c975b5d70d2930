//! Cohort-survival projection and shortfall for 2,000 nine-year schools ×
//! 9 grades × 10 years (history of 3 years, births per block), without
//! changes and under a scenario of 50 changes spread over 2026–2035 (issue
//! 16's acceptance: under 1 s). `cargo bench --bench forecast`.

use sunshine::domain::model::{BlockIx, Dataset, Grade, Level, SchoolId, SchoolIx, Seats};
use sunshine::domain::scenario::{
    CapacityOverride, Closure, ForecastPolicy, FutureSchools, Merger, NewSchool, PhaseOut, Scenario,
};
use sunshine::planning::forecast::{
    feeds, project_scenario, shortfall, Births, Enrollment, Housing, Inputs,
};

fn main() {
    divan::main();
}

/// The bench district: 2,000 nine-year schools, births per block
/// 2004–2025, three years of history.
fn district() -> (Dataset, Births, Enrollment) {
    let mut data = sunshine::synth::large(5, 40_000, 2_000);
    for s in &mut data.schools {
        s.level = Level::NineYear;
    }
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
    (data, births, history)
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn forecast_2000_schools_9_grades_10_years(bencher: divan::Bencher) {
    let (data, births, history) = district();
    let f = feeds(&data);
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

/// 50 changes spread over 2026–2035: 15 closures (5 with `entry_only`),
/// 15 mergers (4 with `entry_only`), 12 capacity changes and 8 new schools.
fn fifty_changes(data: &Dataset) -> Scenario {
    let mut sc = Scenario::plain("bench: 50 changes", Grade::One, 1);
    let id = |i: usize| data.schools[i].id.clone();
    let year = |k: usize| 2026 + (k % 10) as i32;
    for k in 0..15 {
        sc.closures.push(Closure {
            school: id(100 * k + 11),
            year: Some(year(k)),
            phase_out: if k % 3 == 0 {
                PhaseOut::EntryOnly
            } else {
                PhaseOut::AllGrades
            },
        });
        sc.mergers.push(Merger {
            from: id(100 * k + 21),
            into: id(100 * k + 22),
            move_seats: true,
            branch_seats: None,
            year: Some(year(k + 3)),
            phase_out: if k % 4 == 0 {
                PhaseOut::EntryOnly
            } else {
                PhaseOut::AllGrades
            },
        });
    }
    for k in 0..12 {
        sc.capacity.push(CapacityOverride {
            school: id(100 * k + 31),
            entry_seats: None,
            classes: Some(8),
            year: Some(year(k + 5)),
        });
    }
    for k in 0..8 {
        let near = data.schools[200 * k + 41].location;
        sc.new_schools.push(NewSchool {
            id: SchoolId::new(&format!("NEW{k}")),
            name: format!("new school {k}"),
            level: Level::NineYear,
            location: geo::Point::new(near.x() + 0.01, near.y()),
            town: "new".into(),
            entry_seats: Seats(90),
            classes: 2,
            boarding: false,
            year: Some(2027 + k as i32),
        });
    }
    assert_eq!(
        sc.closures.len() + sc.mergers.len() + sc.capacity.len() + sc.new_schools.len(),
        50
    );
    // every change applies (none is skipped as an error)
    let last = sc.applied_as_of(data.clone(), 2035, FutureSchools::NotYetOpen);
    assert!(last.errors.is_empty(), "{:?}", last.errors.len());
    sc
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn forecast_2000_schools_10_years_50_changes(bencher: divan::Bencher) {
    let (data, births, history) = district();
    let f = feeds(&data);
    let policy = ForecastPolicy::default();
    let housing = Housing::new();
    let scenario = fifty_changes(&data);
    bencher.bench(|| {
        let inputs = Inputs {
            data: &data,
            feeds: &f,
            births: &births,
            history: &history,
            housing: &housing,
            new_schools: &[],
        };
        let sp = project_scenario(&inputs, &scenario, 10, &policy).unwrap();
        shortfall(&sp.timeline, &sp.projection, &policy)
    });
}
