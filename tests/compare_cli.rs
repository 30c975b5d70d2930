//! `sunshine compare` and `sweep` on the Longtan scenarios: a scenario
//! without changes equals its base, closing a school without applicants
//! changes nothing else, and every displaced applicant appears once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_sunshine"))
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
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
    let displaced = rows(&dir.path().join("displaced.csv"));
    assert!(!displaced.is_empty());
    // every displaced applicant once, and only from the closed schools' zones
    let ids: HashSet<&String> = displaced.iter().map(|r| &r[1]).collect();
    assert_eq!(ids.len(), displaced.len());
    assert!(
        displaced
            .iter()
            .all(|r| r[3] == "LT-P08" || r[3] == "LT-P09"),
        "{displaced:?}"
    );
    let md = std::fs::read_to_string(dir.path().join("compare.md")).unwrap();
    assert!(
        md.contains(&format!("| {} |", displaced.len()))
            || md.contains(&format!("| {} | ", displaced.len()))
    );
    let compare = rows(&dir.path().join("compare.csv"));
    let tianchang = compare.iter().find(|r| r[0] == "LT-P08").unwrap();
    assert_eq!(tianchang[13], "closed");
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
    let totals = rows(&out.join("totals.csv"));
    for t in &totals[1..3] {
        assert_eq!(t[1..9], totals[0][1..9], "{t:?}");
    }
    // without_x differs from with_x only in X's status and the school count
    assert_eq!(totals[3][1..9], totals[2][1..9]);
    assert!(rows(&out.join("displaced.csv")).is_empty());
    for r in rows(&out.join("compare.csv")) {
        let cols = |i: usize| r[2 + 6 * i..2 + 6 * i + 5].to_vec();
        if r[0] == "X" {
            assert_eq!(r[2 + 6 * 3 + 5], "closed");
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
    let r = rows(&dir.path().join("sweep.csv"));
    assert_eq!(r.len(), 2);
    let km: Vec<f64> = r.iter().map(|x| x[4].parse().unwrap()).collect();
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
    let sets = rows(&dir.path().join("closures.csv"));
    assert_eq!(sets.len(), 3);
    let obj: Vec<f64> = sets.iter().map(|r| r[2].parse().unwrap()).collect();
    assert!(obj.windows(2).all(|w| w[0] <= w[1]));
    // on the demo data the plan's own proposal is the best pair to close
    assert_eq!(sets[0][1], "LT-P08 天昌小学; LT-P09 江北乡柳树小学");
    let heuristic_gap = out
        .lines()
        .find(|l| l.contains("heuristic's best set"))
        .unwrap();
    assert!(heuristic_gap.contains("0.00%"), "{heuristic_gap}");
}
