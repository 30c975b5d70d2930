//! `sunshine compare` and `sweep` on the Longtan scenarios: a scenario
//! without changes equals its base, closing a school without applicants
//! changes nothing else, and every displaced applicant appears once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

mod common;
use common::{records, root};

fn run(args: &[&str]) -> String {
    let o = common::sunshine(args);
    assert!(o.status.success(), "{}", common::stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The district totals of a `totals.csv` row that two equal runs share
/// (all but the scenario name and the open-school count).
fn same_totals(r: &std::collections::HashMap<String, String>) -> Vec<&str> {
    [
        "applicants",
        "placed",
        "unplaced",
        "mean_km",
        "p90_km",
        "within_radius_share",
        "seats",
        "seats_spare",
    ]
    .iter()
    .map(|c| r[*c].as_str())
    .collect()
}

fn scenario(dir: &Path, name: &str, body: &str) -> PathBuf {
    let base = root().join("scenarios/longtan-2025.toml");
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(
        &p,
        format!(
            "extends = {:?}\nname = {name:?}\n{body}",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    p
}

#[test]
fn the_plan_compares_on_the_bundled_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "compare",
        root().join("scenarios/longtan-2025.toml").to_str().unwrap(),
        root()
            .join("scenarios/close-tianchang-liushu.toml")
            .to_str()
            .unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.contains("District totals"), "{out}");
    assert!(out.contains("天昌小学"), "{out}");
    let displaced = records(&dir.path().join("displaced.csv"));
    assert!(!displaced.is_empty());
    // every displaced applicant once, and only from the closed schools' zones
    let ids: HashSet<&String> = displaced.iter().map(|r| &r["student_id"]).collect();
    assert_eq!(ids.len(), displaced.len());
    assert!(
        displaced
            .iter()
            .all(|r| r["from_zone"] == "LT-P08" || r["from_zone"] == "LT-P09"),
        "{displaced:?}"
    );
    let md = std::fs::read_to_string(dir.path().join("compare.md")).unwrap();
    assert!(
        md.contains(&format!("| {} |", displaced.len()))
            || md.contains(&format!("| {} | ", displaced.len()))
    );
    let compare = records(&dir.path().join("compare.csv"));
    let tianchang = compare.iter().find(|r| r["school_id"] == "LT-P08").unwrap();
    assert_eq!(tianchang["status_1"], "closed");
}

#[test]
fn no_change_compares_equal_and_an_empty_closure_changes_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let same = scenario(dir.path(), "same", "");
    // a junior school takes no grade-1 applicants; opening and closing it
    // must leave the grade-1 placement as it is
    let with_x = scenario(
        dir.path(),
        "with_x",
        "[[new_schools]]\nid = \"X\"\nname = \"x\"\nlevel = \"junior\"\nlon = 126.56\nlat = 43.91\nentry_seats = 100\n",
    );
    let without_x = scenario(
        dir.path(),
        "without_x",
        "closures = [\"X\"]\n[[new_schools]]\nid = \"X\"\nname = \"x\"\nlevel = \"junior\"\nlon = 126.56\nlat = 43.91\nentry_seats = 100\n",
    );
    let out = dir.path().join("out");
    run(&[
        "compare",
        root().join("scenarios/longtan-2025.toml").to_str().unwrap(),
        same.to_str().unwrap(),
        with_x.to_str().unwrap(),
        without_x.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let totals = records(&out.join("totals.csv"));
    for t in &totals[1..3] {
        assert_eq!(same_totals(t), same_totals(&totals[0]), "{t:?}");
    }
    // without_x differs from with_x only in X's status and the school count
    assert_eq!(same_totals(&totals[3]), same_totals(&totals[2]));
    assert!(records(&out.join("displaced.csv")).is_empty());
    for r in records(&out.join("compare.csv")) {
        let cols = |i: usize| {
            [
                "seats",
                "applicants",
                "admitted",
                "utilisation",
                "classes_needed",
            ]
            .map(|c| r[&format!("{c}_{i}")].clone())
        };
        if r["school_id"] == "X" {
            assert_eq!(r["status_3"], "closed");
            continue;
        }
        assert_eq!(cols(1), cols(0), "{r:?}");
        assert_eq!(cols(3), cols(0), "{r:?}");
    }
}

#[test]
fn sweep_lists_every_scenario_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<String> = ["longtan-2025.toml", "close-tianchang-liushu.toml"]
        .iter()
        .map(|f| {
            root()
                .join("scenarios")
                .join(f)
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut args = vec!["sweep"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["--sort", "mean_km", "--out", dir.path().to_str().unwrap()]);
    run(&args);
    let r = records(&dir.path().join("sweep.csv"));
    assert_eq!(r.len(), 2);
    let km: Vec<f64> = r.iter().map(|x| x["mean_km"].parse().unwrap()).collect();
    assert!(km[0] <= km[1]);
}

#[test]
fn optimiser_ranks_closure_sets_on_the_bundled_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "optimize-closures",
        root().join("scenarios/longtan-2025.toml").to_str().unwrap(),
        "--close",
        "2",
        "--top",
        "3",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.contains("proven optimal"), "{out}");
    let sets = records(&dir.path().join("closures.csv"));
    assert_eq!(sets.len(), 3);
    let obj: Vec<f64> = sets
        .iter()
        .map(|r| r["objective"].parse().unwrap())
        .collect();
    assert!(obj.windows(2).all(|w| w[0] <= w[1]));
    // on the demo data the plan's own proposal is the best pair to close
    assert_eq!(sets[0]["closed"], "LT-P08 天昌小学; LT-P09 江北乡柳树小学");
    let heuristic_gap = out
        .lines()
        .find(|l| l.contains("heuristic's best set"))
        .unwrap();
    assert!(heuristic_gap.contains("0.00%"), "{heuristic_gap}");
}
