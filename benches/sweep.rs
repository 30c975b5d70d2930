//! A sweep of 100 Longtan scenarios in parallel (rayon), as `sunshine
//! sweep` runs them: each closes one or two of the schools and changes one
//! school's seats, is applied to the dataset, placed, and summarised.
//! Target: under 20 s on 2 cores. `cargo bench --bench sweep`.

use rayon::prelude::*;
use sunshine::domain::scenario::{CapacityOverride, Closure};
use sunshine::planning::compare::{totals, Run};
use sunshine::rules::place::{place, Mechanism};
use sunshine::spatial::distance::GreatCircle;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn sweep_100_longtan(bencher: divan::Bencher) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/longtan-2025.toml");
    let input = sunshine::io::load(&path, None).unwrap();
    let ids: Vec<_> = input.base.schools.iter().map(|s| s.id.clone()).collect();
    let scenarios: Vec<_> = (0..100)
        .map(|i| {
            let mut s = input.scenario.clone();
            s.name = format!("variant {i}");
            s.closures = vec![Closure::new(ids[i % ids.len()].clone())];
            if i % 3 == 0 {
                s.closures
                    .push(Closure::new(ids[(i * 7 + 3) % ids.len()].clone()));
            }
            s.capacity = vec![CapacityOverride {
                school: ids[(i * 11 + 5) % ids.len()].clone(),
                entry_seats: Some(sunshine::domain::model::Seats(45 + (i as u32 % 5) * 45)),
                classes: None,
                year: None,
            }];
            s
        })
        .collect();
    bencher.bench(|| {
        scenarios
            .par_iter()
            .map(|s| {
                let data = s.apply(input.base.clone());
                let r = place(&data, s, Mechanism::Zoned, &GreatCircle);
                totals(&Run {
                    scenario: s,
                    data: &data,
                    result: &r,
                })
            })
            .collect::<Vec<_>>()
    });
}
