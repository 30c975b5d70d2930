//! The default rules written out in full place exactly as today (issue 14,
//! acceptance: existing scenarios give byte-identical outputs).

use std::path::Path;

mod common;

fn place(scenario: &Path, out: &Path) {
    let o = common::command()
        .arg("place")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::stderr(&o));
}

#[test]
fn default_rules_spelled_out_place_identically() {
    let root = common::root();
    let base = std::fs::read_to_string(root.join("scenarios/longtan-2025.toml")).unwrap();
    let priority = "priority = [\"hukou_and_property\", \"property_only\", \"hukou_only\", \"migrant_resident\", \"other\"]";
    assert!(base.contains(priority) && base.contains("dataset = \"../data/longtan\""));
    // the same scenario: `order` spelled out, and the five categories of
    // `priority` (in its order) as conditions on default_category
    let dataset = root.join("data/longtan");
    let mut explicit = base
        .replace(
            "dataset = \"../data/longtan\"",
            &format!("dataset = {:?}", dataset.to_str().unwrap()),
        )
        .replace(priority, "order = [\"category\", \"lottery\"]");
    for c in [
        "hukou_and_property",
        "property_only",
        "hukou_only",
        "migrant_resident",
        "other",
    ] {
        explicit.push_str(&format!(
            "\n[[policy.categories]]\nname = \"{c}\"\nwhen = {{ default_category = \"{c}\" }}\n"
        ));
    }
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("explicit.toml");
    std::fs::write(&scenario, &explicit).unwrap();
    place(
        &root.join("scenarios/longtan-2025.toml"),
        &tmp.path().join("a"),
    );
    place(&scenario, &tmp.path().join("b"));
    for f in ["placements.csv", "schools.csv"] {
        let a = std::fs::read(tmp.path().join("a").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("b").join(f)).unwrap();
        assert!(a == b, "{f} differs with the default rules spelled out");
    }
}
