//! `sunshine zones --year Y` (issue 16 item 4) on the bundled Longtan data:
//! the applicants per block are the forecast's entrants of year Y, every
//! block with projected entrants is zoned, the total recorded and printed
//! is the rounded sum of the library's `block_entrants`, and a year
//! outside the forecast's range is refused (exit 2) with the range.

use std::collections::HashMap;

mod common;
use common::{json, records, root, stderr, sunshine};

use sunshine::domain::model::BlockIx;
use sunshine::io::forecast::{feeder_shares, read};
use sunshine::planning::forecast as fc;

const SCENARIO: &str = "scenarios/longtan-2025.toml";

/// The projected grade-1 entrants per block of `year`, through the library
/// (as `forecast` projects them), by block id.
fn block_entrants(year: i32) -> HashMap<String, f64> {
    let input = sunshine::io::load(&root().join(SCENARIO), None).unwrap();
    let mut diags = sunshine::Diagnostics::new();
    let (births, history, housing) = read(
        &input.scenario.dataset,
        &input.base,
        input.encoding,
        &input.scenario.forecast.housing_types(),
        &mut diags,
    )
    .unwrap();
    let mut feeds = fc::feeds(&input.base);
    if let Some(f) = feeder_shares(&input.base.feeders, &feeds.feeder) {
        feeds.feeder = f;
    }
    let inputs = fc::Inputs {
        data: &input.base,
        feeds: &feeds,
        births: &births,
        history: &history,
        housing: &housing,
        new_schools: &[],
    };
    let last = history.keys().map(|k| k.2).max().unwrap();
    let years = u32::try_from(year - last).unwrap();
    let baseline = fc::project(&inputs, years, &input.scenario.forecast).unwrap();
    let (per_block, _) = fc::block_entrants(
        &input.base,
        &feeds,
        &births,
        &baseline,
        input.scenario.grade,
        year,
    );
    per_block
        .iter()
        .enumerate()
        .map(|(b, &v)| (input.base.block(BlockIx::from_ix(b)).id.to_string(), v))
        .collect()
}

#[test]
fn projected_zones_cover_every_block_with_entrants_and_keep_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let o = sunshine(&[
        "zones",
        SCENARIO,
        "--year",
        "2027",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();

    let expected = block_entrants(2027);
    let total = expected.values().sum::<f64>().round() as u64;
    assert!(total > 0);

    // every block with projected entrants is zoned, to a school
    let zoned: HashMap<String, String> = records(&dir.path().join("zones.csv"))
        .into_iter()
        .map(|r| (r["block_id"].clone(), r["school_id"].clone()))
        .collect();
    for (b, &v) in &expected {
        if v > 0.0 {
            assert!(
                zoned.get(b).is_some_and(|s| !s.is_empty()),
                "block {b} with {v} projected entrants is not zoned"
            );
        }
    }

    // the applicants per block are the entrants rounded: each within 1,
    // summing to the rounded total
    let mut sum = 0u64;
    for r in records(&dir.path().join("block_zones.csv")) {
        let n: u64 = r["applicants"].parse().unwrap();
        let v = expected[&r["block_id"]];
        assert!((n as f64 - v).abs() < 1.0, "{}: {n} for {v}", r["block_id"]);
        sum += n;
    }
    assert_eq!(sum, total);

    // recorded and printed
    let summary = json(&dir.path().join("zones.json"));
    assert_eq!(summary["applicants"].as_u64(), Some(total));
    assert_eq!(summary["applicants_year"].as_i64(), Some(2027));
    let line = format!(
        "Applicants: {total} projected for 2027 from the forecast (births, cohorts, housing)"
    );
    assert!(text.contains(&line), "{text}");
    let zones_total: u64 = records(&dir.path().join("zones_summary.csv"))
        .iter()
        .map(|r| r["applicants"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(zones_total, total);
}

#[test]
fn a_year_outside_the_forecast_is_refused_with_the_range() {
    for year in ["2025", "2076"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("z");
        let o = sunshine(&[
            "zones",
            SCENARIO,
            "--year",
            year,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("expected a year from 2026 to 2075"), "{err}");
        assert!(!out.exists(), "nothing is written");
    }
}

#[test]
fn a_later_change_applies_from_its_year() {
    // 天昌小学 closes in 2027: zoned for 2026, not for 2027
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("later.toml");
    std::fs::write(
        &scenario,
        format!(
            "extends = {:?}\nname = \"Close LT-P08 in 2027\"\nclosures = [{{ school = \"LT-P08\", year = 2027 }}]\n",
            root().join(SCENARIO).to_str().unwrap()
        ),
    )
    .unwrap();
    for (year, zoned) in [("2026", true), ("2027", false)] {
        let out = dir.path().join(year);
        let o = sunshine(&[
            "zones",
            scenario.to_str().unwrap(),
            "--year",
            year,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let has = records(&out.join("zones_summary.csv"))
            .iter()
            .any(|r| r["school_id"] == "LT-P08");
        assert_eq!(has, zoned, "{year}");
        assert_eq!(
            stderr(&o).contains(&format!("zoning the network of {year}")),
            !zoned,
            "{}",
            stderr(&o)
        );
    }
}
