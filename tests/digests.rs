//! Every README command on the bundled data, and a road-distance run on the
//! Helsinki fixture, gives the same files as recorded in
//! `tests/fixtures/digests.txt` (SHA-256 of each output file, and of what the
//! command printed with the output folder written as `$OUT`).
//!
//! This guards restructuring (issue 13: no change in behaviour). When an
//! issue asks for an output to change, re-record in the same commit and say
//! why in the message: `UPDATE_DIGESTS=1 cargo test --test digests`.

mod common;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

const FIXTURE: &str = "tests/fixtures/digests.txt";

/// `(name, arguments)`; `$OUT` is the run's scratch folder, `$ROOT` the
/// repository.
const COMMANDS: &[(&str, &[&str])] = &[
    (
        "validate",
        &["validate", "$ROOT/scenarios/longtan-2025.toml"],
    ),
    (
        "place",
        &[
            "place",
            "$ROOT/scenarios/longtan-2025.toml",
            "--out",
            "$OUT/out",
        ],
    ),
    (
        "place7",
        &[
            "place",
            "$ROOT/scenarios/longtan-2025-junior.toml",
            "--out",
            "$OUT/out7",
        ],
    ),
    (
        "place7routes",
        &[
            "place",
            "$ROOT/scenarios/longtan-2025-junior-routes.toml",
            "--out",
            "$OUT/outroutes",
        ],
    ),
    (
        "placerules",
        &[
            "place",
            "$ROOT/scenarios/longtan-2025-rules.toml",
            "--out",
            "$OUT/outrules",
            "--write-seat-history",
        ],
    ),
    (
        "place-publish",
        &[
            "place",
            "$ROOT/scenarios/longtan-2025.toml",
            "--out",
            "$OUT/outpub",
            "--publish",
            "$OUT/publish",
        ],
    ),
    (
        "explain",
        &[
            "explain",
            "$ROOT/scenarios/longtan-2025.toml",
            "100017",
            "--out",
            "$OUT/explain",
        ],
    ),
    (
        "zones",
        &[
            "zones",
            "$ROOT/scenarios/longtan-2025.toml",
            "--out",
            "$OUT/zones",
        ],
    ),
    (
        "zones2026",
        &[
            "zones",
            "$ROOT/scenarios/longtan-2025.toml",
            "--out",
            "$OUT/zones2026",
            "--previous",
            "$OUT/zones/zones.csv",
        ],
    ),
    (
        "place-min-distance",
        &[
            "place",
            "$ROOT/scenarios/longtan-2025.toml",
            "--out",
            "$OUT/outmd",
            "--mechanism",
            "min-distance",
        ],
    ),
    (
        "place-da-single",
        &[
            "place",
            "$ROOT/scenarios/longtan-2025.toml",
            "--out",
            "$OUT/outda",
            "--mechanism",
            "deferred-acceptance",
            "--tie-breaking",
            "single",
        ],
    ),
    (
        "place-da-multiple",
        &[
            "place",
            "$ROOT/scenarios/longtan-2025.toml",
            "--out",
            "$OUT/outdam",
            "--mechanism",
            "deferred-acceptance",
            "--tie-breaking",
            "multiple",
        ],
    ),
    (
        "place-boston",
        &[
            "place",
            "$ROOT/scenarios/longtan-2025.toml",
            "--out",
            "$OUT/outb",
            "--mechanism",
            "boston",
        ],
    ),
    (
        "place-closure",
        &[
            "place",
            "$ROOT/scenarios/close-tianchang-liushu.toml",
            "--out",
            "$OUT/outclose",
        ],
    ),
    (
        "place-wulajie",
        &[
            "place",
            "$ROOT/scenarios/wulajie-middle.toml",
            "--out",
            "$OUT/outwu",
        ],
    ),
    (
        "odds",
        &[
            "odds",
            "$ROOT/scenarios/longtan-2025.toml",
            "--draws",
            "1000",
            "--out",
            "$OUT/odds",
        ],
    ),
    (
        "classes",
        &[
            "classes",
            "$ROOT/scenarios/longtan-2025.toml",
            "--placements",
            "$OUT/out/placements.csv",
            "--out",
            "$OUT/classes",
        ],
    ),
    (
        "compare",
        &[
            "compare",
            "$ROOT/scenarios/longtan-2025.toml",
            "$ROOT/scenarios/close-tianchang-liushu.toml",
            "--out",
            "$OUT/compare",
        ],
    ),
    (
        "sweep",
        &[
            "sweep",
            "$ROOT/scenarios/close-tianchang-liushu.toml",
            "$ROOT/scenarios/longtan-2025-junior.toml",
            "$ROOT/scenarios/longtan-2025.toml",
            "$ROOT/scenarios/wulajie-middle.toml",
            "--sort",
            "mean_km",
        ],
    ),
    (
        "optimize-closures",
        &[
            "optimize-closures",
            "$ROOT/scenarios/longtan-2025.toml",
            "--close",
            "2",
        ],
    ),
    (
        "forecast",
        &[
            "forecast",
            "$ROOT/scenarios/longtan-2025.toml",
            "--years",
            "5",
            "--backtest",
            "2",
            "--out",
            "$OUT/forecast",
        ],
    ),
    (
        "forecast-close",
        &[
            "forecast",
            "$ROOT/scenarios/close-tianchang-liushu.toml",
            "--years",
            "5",
            "--out",
            "$OUT/forecast-close",
        ],
    ),
    (
        "forecast-plan",
        &[
            "forecast",
            "$ROOT/scenarios/plan-2026-2030.toml",
            "--years",
            "5",
            "--out",
            "$OUT/forecast-plan",
        ],
    ),
    (
        "compare-years",
        &[
            "compare",
            "--years",
            "5",
            "$ROOT/scenarios/longtan-2025.toml",
            "$ROOT/scenarios/close-tianchang-liushu.toml",
            "--out",
            "$OUT/compare-years",
        ],
    ),
    (
        "sweep-years",
        &[
            "sweep",
            "--years",
            "5",
            "$ROOT/scenarios/close-tianchang-liushu.toml",
            "$ROOT/scenarios/longtan-2025.toml",
            "$ROOT/scenarios/plan-2026-2030.toml",
            "--out",
            "$OUT/sweep-years",
        ],
    ),
    (
        "zones2027",
        &[
            "zones",
            "$ROOT/scenarios/longtan-2025.toml",
            "--year",
            "2027",
            "--out",
            "$OUT/zones2027",
        ],
    ),
    (
        "generate-longtan",
        &["generate", "longtan", "--out", "$OUT/gen", "--seed", "2025"],
    ),
    (
        "generate-large",
        &[
            "generate",
            "large",
            "--out",
            "$OUT/big",
            "--students",
            "20000",
            "--schools",
            "100",
        ],
    ),
    (
        "place-road",
        &[
            "place",
            "$OUT/fixtures/helsinki/road.toml",
            "--out",
            "$OUT/road",
        ],
    ),
    (
        "place-road-minutes",
        &[
            "place",
            "$OUT/fixtures/helsinki/minutes.toml",
            "--out",
            "$OUT/roadmin",
        ],
    ),
    (
        "compare-road",
        &[
            "compare",
            "$OUT/fixtures/helsinki/road.toml",
            "$OUT/fixtures/helsinki/close-p3.toml",
            "--out",
            "$OUT/roadcompare",
        ],
    ),
];

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir`, by path relative to `base`.
fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(base, &p, out);
        } else {
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            out.insert(rel, sha256(&std::fs::read(&p).unwrap()));
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

/// Run every command in a fresh folder and digest what it left.
fn digests(threads: &str) -> BTreeMap<String, String> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let root = common::root();
    // `generate longtan` draws around the district boundary in its folder
    std::fs::create_dir_all(out.join("gen")).unwrap();
    std::fs::copy(
        root.join("data/longtan/boundary.geojson"),
        out.join("gen/boundary.geojson"),
    )
    .unwrap();
    copy_dir(
        &root.join("tests/fixtures/helsinki"),
        &out.join("fixtures/helsinki"),
    );
    copy_dir(
        &root.join("tests/fixtures/roads"),
        &out.join("fixtures/roads"),
    );
    let out_s = out.to_str().unwrap();
    let root_s = root.to_str().unwrap();
    let mut printed = BTreeMap::new();
    for (name, args) in COMMANDS {
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("$OUT", out_s).replace("$ROOT", root_s))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = common::sunshine_as_is_in(out, &args, &[("RAYON_NUM_THREADS", threads)]);
        assert!(o.status.success(), "{name} failed: {}", common::stderr(&o));
        let norm = |b: &[u8]| {
            String::from_utf8_lossy(b)
                .replace(out_s, "$OUT")
                .replace(root_s, "$ROOT")
        };
        printed.insert(format!("{name}.stdout"), sha256(norm(&o.stdout).as_bytes()));
        printed.insert(format!("{name}.stderr"), sha256(norm(&o.stderr).as_bytes()));
    }
    let mut all = BTreeMap::new();
    walk(out, out, &mut all);
    // the inputs copied in are not outputs
    all.retain(|k, _| !k.starts_with("fixtures/") || k.contains(".sunshine-cache"));
    all.remove("gen/boundary.geojson");
    for (k, v) in printed {
        all.insert(format!("(printed) {k}"), v);
    }
    all
}

fn render(d: &BTreeMap<String, String>) -> String {
    let mut s = String::from(
        "# SHA-256 of every output of the README commands (tests/digests.rs).\n\
         # Re-record only when an issue asks for an output to change:\n\
         # UPDATE_DIGESTS=1 cargo test --test digests\n",
    );
    for (k, v) in d {
        s.push_str(&format!("{v}  {k}\n"));
    }
    s
}

fn check(threads: &str) {
    let got = digests(threads);
    let path = common::root().join(FIXTURE);
    if std::env::var_os("UPDATE_DIGESTS").is_some() {
        std::fs::write(&path, render(&got)).unwrap();
        return;
    }
    let want: BTreeMap<String, String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (h, k) = l.split_once("  ").unwrap();
            (k.to_string(), h.to_string())
        })
        .collect();
    assert!(
        want.len() > 100,
        "{FIXTURE} lists only {} files",
        want.len()
    );
    let mut diffs = Vec::new();
    for (k, h) in &want {
        match got.get(k) {
            None => diffs.push(format!("missing: {k}")),
            Some(g) if g != h => diffs.push(format!("changed: {k}")),
            _ => {}
        }
    }
    for k in got.keys().filter(|k| !want.contains_key(*k)) {
        diffs.push(format!("new: {k}"));
    }
    assert!(
        diffs.is_empty(),
        "{} output(s) with {threads} thread(s) differ from {FIXTURE}:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn every_readme_command_gives_the_recorded_outputs() {
    check("2");
}

/// Outputs do not depend on the thread count.
#[test]
fn the_same_outputs_with_one_thread() {
    if std::env::var_os("UPDATE_DIGESTS").is_none() {
        check("1");
    }
}
