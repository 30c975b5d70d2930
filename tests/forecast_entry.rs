//! The entry-grade expected applicants of three Longtan schools,
//! recomputed here from `births.csv`, `enrollment_history.csv`,
//! `zones.csv` and `housing.csv` by the documented cohort formula
//! (planning::forecast's module documentation; README "Forecast"), and
//! compared with the library's entry warnings (issue 16's acceptance: "an
//! independent recomputation in a test of the entry-grade expected
//! applicants for three schools").
//!
//! For a school alone in its grade-1 zone (share 1):
//! - its zone's births in year t: the sum over the blocks `zones.csv` gives
//!   it for grade 1;
//! - its birth-to-entry ratio: the plain mean (`recent_weight = 1`) over
//!   the last `years_back = 3` years t of history of grade 1 in t ÷ the
//!   zone's births in t − 6;
//! - expected grade 1 in year y = ratio × the zone's births in y − 6, plus
//!   new housing of its zone: households × 0.02 (`commercial`) in the
//!   year of completion c and each of the five years after.

mod common;

use std::collections::HashMap;

use common::{records, root};
use sunshine::domain::model::Grade;
use sunshine::planning::forecast::{entry_warnings, feeds, project_scenario, Inputs};

/// Three schools: an urban primary with new housing completed in 2026, an
/// urban primary without, and a rural nine-year school.
const SCHOOLS: [&str; 3] = ["LT-P21", "LT-P20", "LT-N12"];

fn recomputed(school: &str, years: std::ops::RangeInclusive<i32>) -> Vec<(i32, f64)> {
    let data = root().join("data/longtan");
    let zone: Vec<String> = records(&data.join("zones.csv"))
        .into_iter()
        .filter(|r| r["grade"] == "1" && r["school_id"] == school)
        .map(|r| r["block_id"].clone())
        .collect();
    assert!(!zone.is_empty(), "{school} zones blocks");
    let mut births: HashMap<i32, f64> = HashMap::new();
    for r in records(&data.join("births.csv")) {
        if zone.contains(&r["block_id"]) {
            *births.entry(r["year"].parse().unwrap()).or_default() +=
                r["births"].parse::<f64>().unwrap();
        }
    }
    let mut grade1: HashMap<i32, f64> = HashMap::new();
    for r in records(&data.join("enrollment_history.csv")) {
        if r["school_id"] == school && r["grade"] == "1" {
            grade1.insert(r["year"].parse().unwrap(), r["enrolled"].parse().unwrap());
        }
    }
    let last = *grade1.keys().max().unwrap();
    let window = last - 2..=last;
    let ratio = window
        .clone()
        .map(|t| grade1[&t] / births[&(t - 6)])
        .sum::<f64>()
        / 3.0;
    let mut housing: Vec<(i32, f64)> = Vec::new();
    for r in records(&data.join("housing.csv")) {
        if zone.contains(&r["block_id"]) {
            let kind = r.get("type").map_or("commercial", |t| t.as_str());
            assert!(kind.is_empty() || kind == "commercial", "{kind}");
            housing.push((
                r["year"].parse().unwrap(),
                r["new_households"].parse().unwrap(),
            ));
        }
    }
    years
        .map(|y| {
            let stock: f64 = housing
                .iter()
                .filter(|&&(c, _)| c <= y && y <= c + 5)
                .map(|&(_, h)| h * 0.02)
                .sum();
            (y, ratio * births[&(y - 6)] + stock)
        })
        .collect()
}

#[test]
fn expected_entrants_of_three_schools_recomputed_from_the_csvs() {
    let input = sunshine::io::load(&root().join("scenarios/longtan-2025.toml"), None).unwrap();
    let mut diags = sunshine::Diagnostics::new();
    let (births, history, housing) = sunshine::io::forecast::read(
        &input.scenario.dataset,
        &input.base,
        input.encoding,
        &input.scenario.forecast.housing_types(),
        &mut diags,
    )
    .expect("the bundled forecast inputs");
    let f = feeds(&input.base);
    let inputs = Inputs {
        data: &input.base,
        feeds: &f,
        births: &births,
        history: &history,
        housing: &housing,
        new_schools: &[],
    };
    let policy = &input.scenario.forecast;
    let p = project_scenario(&inputs, &input.scenario, 5, policy).unwrap();
    let w = entry_warnings(
        &input.base,
        &input.scenario,
        &p.projection,
        &p.timeline,
        policy,
    );
    let lookup = input.base.school_lookup();
    for id in SCHOOLS {
        let s = lookup[id];
        let rows: Vec<_> = w
            .rows
            .iter()
            .filter(|r| r.school == s && r.grade == Grade::One)
            .collect();
        assert_eq!(rows.len(), 3, "{id}: the next three intakes");
        let want = recomputed(id, rows[0].year..=rows[2].year);
        for (r, (y, e)) in rows.iter().zip(want) {
            assert_eq!(r.year, y);
            assert!(
                (r.expected - e).abs() < 1e-6,
                "{id} {y}: library {}, recomputed {e}",
                r.expected
            );
            let by: f64 = r.by_category.iter().sum();
            assert!(
                (by - r.expected).abs() < 1e-6,
                "{id} {y}: categories sum to {by}"
            );
        }
    }
}
