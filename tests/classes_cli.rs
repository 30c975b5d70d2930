//! `sunshine classes` on the Longtan placements: everyone in exactly one
//! class, balanced, repeatable from the seed, and documented in the audit.

use std::collections::{HashMap, HashSet};
use std::path::Path;

mod common;
use common::root;

fn run(args: &[&str]) {
    let o = common::sunshine(args);
    assert!(o.status.success(), "{}", common::stderr(&o));
}

fn classes(placements: &Path, out: &Path, scenario: &Path, seed: &str) {
    run(&[
        "classes",
        scenario.to_str().unwrap(),
        "--placements",
        placements.to_str().unwrap(),
        "--seed",
        seed,
        "--out",
        out.to_str().unwrap(),
    ]);
}

#[test]
fn longtan_classes_are_balanced_and_repeatable() {
    for scenario in [
        "scenarios/longtan-2025.toml",
        "scenarios/longtan-2025-junior.toml",
    ] {
        let scenario = root().join(scenario);
        let dir = tempfile::tempdir().unwrap();
        let placed = dir.path().join("placed");
        run(&[
            "place",
            scenario.to_str().unwrap(),
            "--out",
            placed.to_str().unwrap(),
        ]);
        let pfile = placed.join("placements.csv");
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        classes(&pfile, &a, &scenario, "11");
        classes(&pfile, &b, &scenario, "11");
        classes(&pfile, &c, &scenario, "12");

        // every admitted student in exactly one class of its school
        let admitted: HashMap<String, String> = common::records(&pfile)
            .into_iter()
            .filter(|r| !r["placed_school_id"].is_empty())
            .map(|r| (r["student_id"].clone(), r["placed_school_id"].clone()))
            .collect();
        let assigned = common::records(&a.join("classes.csv"));
        let ids: HashSet<&String> = assigned.iter().map(|r| &r["student_id"]).collect();
        assert_eq!(ids.len(), assigned.len(), "a student in two classes");
        assert_eq!(ids.len(), admitted.len());
        for r in &assigned {
            assert_eq!(
                admitted[&r["student_id"]], r["school_id"],
                "{} in the wrong school",
                r["student_id"]
            );
        }

        // sizes and counts within one in every school (the totals allow it here)
        let summary = common::records(&a.join("classes_summary.csv"));
        let mut by_school: HashMap<&str, Vec<&HashMap<String, String>>> = HashMap::new();
        for r in &summary {
            by_school
                .entry(r["school_id"].as_str())
                .or_default()
                .push(r);
        }
        for (school, cls) in &by_school {
            for col in [
                "size",
                "girls",
                "boys",
                "mild_disability",
                "migrant",
                "left_behind",
            ] {
                let v: Vec<u32> = cls.iter().map(|r| r[col].parse().unwrap()).collect();
                let gap = v.iter().max().unwrap() - v.iter().min().unwrap();
                assert!(gap <= 1, "{school}: column {col} differs by {gap}");
            }
            let mild: u32 = cls
                .iter()
                .map(|r| r["mild_disability"].parse::<u32>().unwrap())
                .max()
                .unwrap();
            assert!(mild <= 3, "{school}: {mild} mildly disabled in one class");
        }

        // same seed, same files; another seed, another but as balanced draw
        for f in ["classes.csv", "classes_summary.csv", "audit.json"] {
            assert!(
                std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
                "{f}"
            );
        }
        assert!(
            std::fs::read(a.join("classes.csv")).unwrap()
                != std::fs::read(c.join("classes.csv")).unwrap()
        );
        let audit_c: serde_json::Value =
            serde_json::from_slice(&std::fs::read(c.join("audit.json")).unwrap()).unwrap();
        for s in audit_c["schools"].as_array().unwrap() {
            assert!(s["size_gap"].as_u64().unwrap() <= 1);
            assert!(
                s["gaps"]
                    .as_object()
                    .unwrap()
                    .values()
                    .all(|g| g.as_u64().unwrap() <= 1),
                "{s}"
            );
        }

        // the audit names the seed, the algorithm and the inputs' digests
        let audit: serde_json::Value =
            serde_json::from_slice(&std::fs::read(a.join("audit.json")).unwrap()).unwrap();
        assert_eq!(audit["seed"], 11);
        assert!(audit["algorithm"]
            .as_str()
            .unwrap()
            .starts_with("sunshine-classes-v1"));
        assert_eq!(audit["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn twins_stay_together_by_default() {
    let scenario = root().join("scenarios/longtan-2025-junior.toml");
    let dir = tempfile::tempdir().unwrap();
    let placed = dir.path().join("placed");
    run(&[
        "place",
        scenario.to_str().unwrap(),
        "--out",
        placed.to_str().unwrap(),
    ]);
    classes(
        &placed.join("placements.csv"),
        &dir.path().join("c"),
        &scenario,
        "3",
    );
    let input = sunshine::io::load(&scenario, None).unwrap();
    let family: HashMap<&str, &str> = input
        .data
        .students
        .iter()
        .filter_map(|s| s.family.as_deref().map(|f| (s.id.as_str(), f)))
        .collect();
    let mut class_of_family: HashMap<(&str, String), HashSet<String>> = HashMap::new();
    for r in common::records(&dir.path().join("c/classes.csv")) {
        if let Some(&f) = family.get(r["student_id"].as_str()) {
            class_of_family
                .entry((f, r["school_id"].clone()))
                .or_default()
                .insert(r["class_no"].clone());
        }
    }
    assert!(
        class_of_family.len() > 10,
        "the demo has twins in the same school"
    );
    assert!(class_of_family.values().all(|c| c.len() == 1));
}

#[test]
fn bad_placements_file_is_reported_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("placements.csv");
    std::fs::write(
        &p,
        "student_id,block_id,zone_school_id,zone_group_id,placed_school_id\nnobody,U001,,,LT-P21\n100001,U001,,,NOPE\n100001,U001,,,LT-P21\n",
    )
    .unwrap();
    let o = common::command()
        .args([
            "classes",
            root().join("scenarios/longtan-2025.toml").to_str().unwrap(),
            "--placements",
            p.to_str().unwrap(),
            "--out",
            dir.path().join("out").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("placements.csv:2: column 1 (student_id): unknown student `nobody`"),
        "{err}"
    );
    assert!(
        err.contains("placements.csv:3: column 5 (placed_school_id): unknown school `NOPE`"),
        "{err}"
    );
    assert!(err.contains("placements.csv:4: column 1 (student_id): student `100001` appears twice (first on line 3)"), "{err}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn head_teachers_from_a_file() {
    let scenario = root().join("scenarios/longtan-2025.toml");
    let dir = tempfile::tempdir().unwrap();
    let placed = dir.path().join("placed");
    run(&[
        "place",
        scenario.to_str().unwrap(),
        "--out",
        placed.to_str().unwrap(),
    ]);
    let teachers = dir.path().join("teachers.csv");
    let mut t = String::from("teacher_id,school_id\n");
    for i in 1..=10 {
        t.push_str(&format!("T{i:02},LT-P21\n"));
    }
    std::fs::write(&teachers, t).unwrap();
    let out = dir.path().join("c");
    run(&[
        "classes",
        scenario.to_str().unwrap(),
        "--placements",
        placed.join("placements.csv").to_str().unwrap(),
        "--teachers",
        teachers.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let summary = common::records(&out.join("classes_summary.csv"));
    let heads: Vec<&String> = summary
        .iter()
        .filter(|r| r["school_id"] == "LT-P21")
        .map(|r| &r["head_teacher_id"])
        .collect();
    assert_eq!(heads.len(), 5);
    let distinct: HashSet<&&String> = heads.iter().collect();
    assert_eq!(distinct.len(), 5, "{heads:?}");
    assert!(heads.iter().all(|h| h.starts_with('T')));
    assert!(summary
        .iter()
        .filter(|r| r["school_id"] != "LT-P21")
        .all(|r| r["head_teacher_id"].is_empty()));
    let audit = std::fs::read_to_string(out.join("audit.json")).unwrap();
    assert!(audit.contains("teachers.csv"));
}
