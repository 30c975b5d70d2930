//! Issue 12, outputs and command line: output sets complete or not at all
//! (16), no formulas or markup from names (17), a checked road-distance
//! cache (18), bounded options and exit code 2 for bad input (23), and
//! a replayable odds draw (24).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{records, root, stderr, sunshine, sunshine_in};

fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    sunshine_in(&root(), args, env)
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn fixture() -> PathBuf {
    root().join("tests/fixtures/good")
}

/// The fixture's scenario with another seed, written to `dir`.
fn scenario_with_seed(dir: &Path, seed: u64) -> PathBuf {
    let p = dir.join(format!("seed{seed}.toml"));
    fs::write(
        &p,
        format!(
            "name = \"fixture {seed}\"\nyear = 2025\ndataset = {:?}\nlevel = \"primary\"\n\n[policy]\nlottery_seed = {seed}\noverflow_max_km = 30.0\n",
            fixture().display()
        ),
    )
    .unwrap();
    p
}

/// Every file of the folder's manifest, with the hashes checked by hand
/// (not by the library), and the names in the manifest.
fn whole_set(dir: &Path) -> Result<Vec<String>, String> {
    use sha2::{Digest, Sha256};
    let m: serde_json::Value = serde_json::from_slice(
        &fs::read(dir.join("manifest.json")).map_err(|e| format!("manifest: {e}"))?,
    )
    .map_err(|e| e.to_string())?;
    let mut names = Vec::new();
    for f in m["files"].as_array().ok_or("no files")? {
        let name = f["name"].as_str().unwrap();
        let bytes = fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"))?;
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if f["sha256"].as_str() != Some(hex.as_str()) {
            return Err(format!("{name}: hash differs from the manifest"));
        }
        names.push(name.to_string());
    }
    Ok(names)
}

/// Entries of `dir` other than `keep`.
fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect();
    v.sort();
    v
}

fn place(scenario: &Path, out: &Path, env: &[(&str, &str)]) -> Output {
    run_env(
        &[
            "place",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        env,
    )
}

/// Item 16: a kill at every step of the switch leaves the folder with the
/// whole previous set or the whole new set, and the next run cleans up and
/// keeps the planner's own files.
#[test]
fn a_kill_at_any_step_leaves_one_whole_set() {
    let sc = tempfile::tempdir().unwrap();
    let a = scenario_with_seed(sc.path(), 42);
    let b = scenario_with_seed(sc.path(), 7);
    let refs = tempfile::tempdir().unwrap();
    ok(&place(&a, &refs.path().join("a"), &[]));
    ok(&place(&b, &refs.path().join("b"), &[]));
    let bytes_a = fs::read(refs.path().join("a/placements.csv")).unwrap();
    let bytes_b = fs::read(refs.path().join("b/placements.csv")).unwrap();
    assert_ne!(bytes_a, bytes_b, "the two seeds must give different files");
    let names = whole_set(&refs.path().join("a")).unwrap();
    assert!(names.contains(&"summary.json".to_string()), "{names:?}");

    for step in [
        "staged",
        "carried",
        "switched",
        "moved-back",
        "exchange=error,moved-out",
        "exchange=error,switched",
    ] {
        let top = tempfile::tempdir().unwrap();
        let out = top.path().join("out");
        ok(&place(&a, &out, &[]));
        fs::write(out.join("notes.txt"), "the planner's").unwrap();
        fs::create_dir(out.join("maps")).unwrap();
        fs::write(out.join("maps/keep.txt"), "mine").unwrap();
        let o = place(&b, &out, &[("SUNSHINE_FAILPOINT", step)]);
        assert!(
            !o.status.success(),
            "{step}: the injected kill must stop the run"
        );
        if out.exists() {
            let set = whole_set(&out).unwrap_or_else(|e| panic!("{step}: {e}"));
            assert_eq!(set, names, "{step}");
            let p = fs::read(out.join("placements.csv")).unwrap();
            assert!(p == bytes_a || p == bytes_b, "{step}: a mixed set");
            assert_eq!(
                fs::read_to_string(out.join("notes.txt")).unwrap(),
                "the planner's",
                "{step}"
            );
        } else {
            // only between the two renames of the fallback without exchange
            assert_eq!(step, "exchange=error,moved-out");
        }
        // the next run recovers, cleans up and writes its whole set
        let e = ok(&place(&a, &out, &[]));
        assert!(e.contains("interrupted run"), "{step}: {e}");
        whole_set(&out).unwrap();
        assert_eq!(fs::read(out.join("placements.csv")).unwrap(), bytes_a);
        assert_eq!(
            fs::read_to_string(out.join("maps/keep.txt")).unwrap(),
            "mine",
            "{step}"
        );
        assert_eq!(
            fs::read_to_string(out.join("notes.txt")).unwrap(),
            "the planner's"
        );
        assert_eq!(others(top.path(), &["out"]), Vec::<String>::new(), "{step}");
        let mut inside = names.clone();
        inside.extend(["manifest.json", "notes.txt", "maps"].map(String::from));
        let keep: Vec<&str> = inside.iter().map(String::as_str).collect();
        assert_eq!(others(&out, &keep), Vec::<String>::new(), "{step}");
    }
}

/// Item 16: a failing rename or write keeps the previous set, whole, and
/// leaves nothing behind.
#[test]
fn a_failing_step_keeps_the_previous_set() {
    let sc = tempfile::tempdir().unwrap();
    let a = scenario_with_seed(sc.path(), 42);
    let b = scenario_with_seed(sc.path(), 7);
    for step in [
        "staged=error",
        "carried=error",
        "exchange=error,moved-out=error",
    ] {
        let top = tempfile::tempdir().unwrap();
        let out = top.path().join("out");
        ok(&place(&a, &out, &[]));
        let before = fs::read(out.join("placements.csv")).unwrap();
        let o = place(&b, &out, &[("SUNSHINE_FAILPOINT", step)]);
        assert_eq!(o.status.code(), Some(1), "{step}: {}", stderr(&o));
        assert!(stderr(&o).contains("injected failure"), "{}", stderr(&o));
        whole_set(&out).unwrap();
        assert_eq!(fs::read(out.join("placements.csv")).unwrap(), before);
        assert_eq!(others(top.path(), &["out"]), Vec::<String>::new(), "{step}");
    }
}

/// Item 16: concurrent runs into one folder take turns (the last one's set
/// is there, whole); a live lock makes a run wait and then fail with a
/// clear message; a dead owner's lock and staging are removed.
#[test]
fn runs_into_one_folder_take_turns() {
    let sc = tempfile::tempdir().unwrap();
    let a = scenario_with_seed(sc.path(), 42);
    let b = scenario_with_seed(sc.path(), 7);
    let top = tempfile::tempdir().unwrap();
    let out = top.path().join("out");
    let spawn = |s: &Path| {
        common::command()
            .args(["place", s.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .current_dir(root())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    for _ in 0..3 {
        let mut runs: Vec<_> = [&a, &b, &a, &b].iter().map(|s| spawn(s)).collect();
        for r in &mut runs {
            assert!(r.wait().unwrap().success());
        }
        whole_set(&out).unwrap();
        assert_eq!(others(top.path(), &["out"]), Vec::<String>::new());
    }

    // a live owner (this test process): wait, then a clear failure
    let lock = top.path().join(".out.sunshine-lock");
    fs::write(&lock, format!("{}\n", std::process::id())).unwrap();
    let o = place(&b, &out, &[("SUNSHINE_LOCK_WAIT_MS", "300")]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("in use by sunshine process") && e.contains(".out.sunshine-lock"),
        "{e}"
    );
    whole_set(&out).unwrap();

    // a dead owner, with its staging beside and an old-style one inside
    let mut child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    fs::write(&lock, format!("{dead}\n")).unwrap();
    let staged = top.path().join(format!(".out.sunshine-new-{dead}"));
    fs::create_dir(&staged).unwrap();
    fs::write(staged.join(".sunshine-staged"), format!("{dead}\n")).unwrap();
    fs::write(staged.join("placements.csv"), "half").unwrap();
    let legacy = out.join(format!(".sunshine-staging-{dead}"));
    fs::create_dir(&legacy).unwrap();
    fs::write(legacy.join("placements.csv"), "half").unwrap();
    ok(&place(&a, &out, &[]));
    assert!(!lock.exists() && !staged.exists() && !legacy.exists());
    assert_eq!(others(top.path(), &["out"]), Vec::<String>::new());
    whole_set(&out).unwrap();
}

/// Item 17: names and ids that a spreadsheet would run as formulas are
/// neutralised in every CSV, markup is escaped in Markdown, and files that
/// sunshine reads back (placements.csv) read as they were.
#[test]
fn names_cannot_become_formulas_or_markup() {
    let data = tempfile::tempdir().unwrap();
    for f in fs::read_dir(fixture()).unwrap() {
        let f = f.unwrap().path();
        fs::copy(&f, data.path().join(f.file_name().unwrap())).unwrap();
    }
    let schools = fs::read_to_string(data.path().join("schools.csv"))
        .unwrap()
        .replacen("天昌小学", "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", 1)
        .replacen("第二实验小学", "<script>alert(1)</script>", 1);
    fs::write(data.path().join("schools.csv"), schools).unwrap();
    let students = fs::read_to_string(data.path().join("students.csv"))
        .unwrap()
        .replace("s01,", "@s01,")
        .replace("s02,", "-s02+1,");
    fs::write(data.path().join("students.csv"), students).unwrap();
    let sc = data.path().join("scenario.toml");
    let toml = fs::read_to_string(&sc)
        .unwrap()
        .replace("name = \"fixture\"", "name = \"+cmd|' /C calc'!A0\"");
    fs::write(&sc, &toml).unwrap();
    let other = data.path().join("other.toml");
    fs::write(&other, toml.replace("+cmd", "-2+3 <b>x</b>")).unwrap();

    let top = tempfile::tempdir().unwrap();
    let s = sc.to_str().unwrap();
    let dir = |n: &str| top.path().join(n);
    ok(&sunshine(&[
        "place",
        s,
        "--out",
        dir("place").to_str().unwrap(),
    ]));
    ok(&sunshine(&[
        "compare",
        s,
        other.to_str().unwrap(),
        "--out",
        dir("compare").to_str().unwrap(),
    ]));
    ok(&sunshine(&[
        "odds",
        s,
        "--draws",
        "20",
        "--out",
        dir("odds").to_str().unwrap(),
    ]));
    ok(&sunshine(&[
        "classes",
        s,
        "--placements",
        dir("place/placements.csv").to_str().unwrap(),
        "--out",
        dir("classes").to_str().unwrap(),
    ]));
    let mut checked = 0;
    for sub in ["place", "compare", "odds", "classes"] {
        for f in fs::read_dir(dir(sub)).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "csv") {
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_path(&f)
                    .unwrap();
                for rec in r.records() {
                    for cell in rec.unwrap().iter() {
                        let number = cell.parse::<f64>().is_ok();
                        assert!(
                            number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                            "{}: a formula cell {cell:?}",
                            f.display()
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 100);
    let schools = records(&dir("place/schools.csv"));
    assert!(schools
        .iter()
        .any(|r| r["name"] == "'=HYPERLINK(\"http://x\",\"y\")"));
    let placements = records(&dir("place/placements.csv"));
    assert!(placements.iter().any(|r| r["student_id"] == "'@s01"));
    // classes read the neutralised ids back as the students' own
    let classes = records(&dir("classes/classes.csv"));
    assert!(classes.iter().any(|r| r["student_id"] == "'-s02+1"));
    let md = fs::read_to_string(dir("compare/compare.md")).unwrap();
    assert!(!md.contains("<script>") && !md.contains("<b>"), "{md}");
    assert!(md.contains("&lt;script&gt;"), "{md}");
    assert!(md.contains("\\|"), "a `|` in a name is escaped: {md}");
}

/// Item 17: report.md of the forecast escapes names too (Longtan copy
/// with a school renamed).
#[test]
fn forecast_report_escapes_names() {
    let data = tempfile::tempdir().unwrap();
    for f in fs::read_dir(root().join("data/longtan")).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            fs::copy(&f, data.path().join(f.file_name().unwrap())).unwrap();
        }
    }
    let text = fs::read_to_string(data.path().join("schools.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let name_col = lines[0].split(',').position(|h| h == "name").unwrap();
    for l in lines.iter_mut().skip(1) {
        let mut cells: Vec<String> = l.split(',').map(String::from).collect();
        cells[name_col] = format!("=1+1<script>{}", cells[name_col]);
        *l = cells.join(",");
    }
    fs::write(data.path().join("schools.csv"), lines.join("\n") + "\n").unwrap();
    let sc = data.path().join("s.toml");
    let base = fs::read_to_string(root().join("scenarios/longtan-2025.toml")).unwrap();
    let toml: String = base
        .lines()
        .map(|l| {
            if l.starts_with("dataset") {
                format!("dataset = {:?}", data.path().display())
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(&sc, toml).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("f");
    ok(&sunshine(&[
        "forecast",
        sc.to_str().unwrap(),
        "--out",
        o.to_str().unwrap(),
    ]));
    let md = fs::read_to_string(o.join("report.md")).unwrap();
    assert!(md.contains("=1+1&lt;script&gt;"), "{md}");
    assert!(!md.contains("<script>"));
    for r in records(&o.join("shortfall.csv")) {
        assert!(r["name"].starts_with("'=1+1<script>"), "{:?}", r["name"]);
    }
}

// ---- item 18: the road-distance cache ----

const ROAD: &str = "tests/fixtures/helsinki/road.toml";

/// A damaged cache is rebuilt with a warning and never changes a
/// placement nor aborts the run.
#[test]
fn a_damaged_distance_cache_is_rebuilt() {
    let top = tempfile::tempdir().unwrap();
    let first = top.path().join("first");
    ok(&sunshine(&[
        "place",
        ROAD,
        "--out",
        first.to_str().unwrap(),
    ]));
    let reference = fs::read(first.join("placements.csv")).unwrap();
    let cache_dir = top.path().join(".sunshine-cache");
    let cache = fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "bin"))
        .unwrap();
    let good = fs::read(&cache).unwrap();
    // layout: tag (22 bytes), homes, schools (u64), snaps (12 bytes each), rows
    let u64_at = |at: usize| u64::from_le_bytes(good[at..at + 8].try_into().unwrap()) as usize;
    let (homes, schools) = (u64_at(22), u64_at(30));
    let row = 38 + (homes + schools) * 12;
    type Corrupt = Box<dyn Fn(&mut Vec<u8>)>;
    let corruptions: Vec<(&str, Corrupt)> = vec![
        (
            "a huge row length",
            Box::new(move |b: &mut Vec<u8>| {
                b[row..row + 4].copy_from_slice(&0x7fff_ffffu32.to_le_bytes())
            }),
        ),
        (
            "a distance of 0 m",
            Box::new(move |b: &mut Vec<u8>| {
                b[row + 8..row + 12].copy_from_slice(&0u32.to_le_bytes())
            }),
        ),
        (
            "a school index out of range",
            Box::new(move |b: &mut Vec<u8>| {
                b[row + 4..row + 8].copy_from_slice(&u32::MAX.to_le_bytes()[..])
            }),
        ),
        (
            "a snap distance",
            Box::new(|b: &mut Vec<u8>| b[42..50].copy_from_slice(&(-5.0f64).to_le_bytes())),
        ),
        (
            "truncated",
            Box::new(|b: &mut Vec<u8>| b.truncate(b.len() - 7)),
        ),
    ];
    for (what, corrupt) in corruptions {
        let mut bad = good.clone();
        corrupt(&mut bad);
        fs::write(&cache, &bad).unwrap();
        let out = top.path().join("again");
        let o = sunshine(&["place", ROAD, "--out", out.to_str().unwrap()]);
        let e = ok(&o);
        assert!(
            e.contains("warning") && e.contains("rebuilt"),
            "{what}: {e}"
        );
        assert_eq!(
            fs::read(out.join("placements.csv")).unwrap(),
            reference,
            "{what}: placements changed"
        );
        // the rebuilt cache is good again
        let e = ok(&sunshine(&["place", ROAD, "--out", out.to_str().unwrap()]));
        assert!(e.contains("from the cache"), "{what}: {e}");
    }
}

/// Item 18: 200 random byte flips of a cache: each is noticed, and the
/// table rebuilt is the same as the original.
#[test]
fn random_cache_damage_is_always_noticed() {
    use sunshine::spatial::distance::DistanceSource;
    use sunshine::spatial::roads::{Profile, RoadDistances};
    let dir = tempfile::tempdir().unwrap();
    let pts = |seed: u64, n: usize| -> Vec<geo::Point<f64>> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                let mut next = || {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 11) as f64 / (1u64 << 53) as f64
                };
                geo::Point::new(24.9352 + next() * 0.0182, 60.1642 + next() * 0.0149)
            })
            .collect()
    };
    let (homes, schools) = (pts(3, 12), pts(5, 4));
    let req = sunshine::spatial::roads::table::Request {
        pbf: root().join("tests/fixtures/roads/helsinki.osm.pbf"),
        profile: Profile::walking(),
        homes: homes.clone(),
        schools: schools.clone(),
        candidates: 4,
        max: 5_000,
        cache_dir: Some(dir.path().to_path_buf()),
    };
    let table = |t: &RoadDistances| -> Vec<Option<u32>> {
        homes
            .iter()
            .flat_map(|&h| schools.iter().map(move |&s| (h, s)))
            .map(|(h, s)| t.metres(h, s).map(|m| m.0))
            .collect()
    };
    let (t0, r0) = RoadDistances::build(req.clone()).unwrap();
    let reference = table(&t0);
    let file = r0.cache_file.unwrap();
    let good = fs::read(&file).unwrap();
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for case in 0..200 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut bad = good.clone();
        let at = (x as usize) % bad.len();
        let flip = ((x >> 32) as u8) | 1;
        bad[at] ^= flip;
        fs::write(&file, &bad).unwrap();
        let (t, r) = RoadDistances::build(req.clone()).unwrap();
        assert!(
            !r.from_cache,
            "case {case}: damage at byte {at} not noticed"
        );
        assert!(r.cache_rebuilt.is_some(), "case {case}");
        assert_eq!(table(&t), reference, "case {case}");
        assert_eq!(fs::read(&file).unwrap(), good, "case {case}: rewritten");
    }
}

// ---- item 23: bounded options, exit code 2 for bad input ----

#[test]
fn options_are_bounded_with_clear_errors() {
    let s = fixture().join("scenario.toml");
    let s = s.to_str().unwrap();
    let top = tempfile::tempdir().unwrap();
    let out = top.path().join("o");
    let out = out.to_str().unwrap();
    for (args, expect) in [
        (
            vec!["odds", s, "--out", out, "--draws", "18446744073709551615"],
            "expected 1 to 100000",
        ),
        (
            vec!["odds", s, "--out", out, "--draws", "100000000"],
            "expected 1 to 100000",
        ),
        (
            vec!["odds", s, "--out", out, "--draws", "0"],
            "expected 1 to 100000",
        ),
        (
            vec!["odds", s, "--out", out, "--threads", "10000"],
            "expected 1 to 256",
        ),
        (
            vec!["place", s, "--out", out, "--threads", "0"],
            "expected 1 to 256",
        ),
        (
            vec!["zones", s, "--out", out, "--threads", "100000"],
            "expected 1 to 256",
        ),
    ] {
        let t = std::time::Instant::now();
        let o = sunshine(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{args:?}: {}", stderr(&o));
        assert!(t.elapsed().as_secs() < 10, "{args:?}");
    }
    assert!(!Path::new(out).exists(), "nothing written");
}

#[test]
fn bad_input_exits_2() {
    let top = tempfile::tempdir().unwrap();
    // --out naming a file
    let file = top.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let s = fixture().join("scenario.toml");
    let o = sunshine(&[
        "place",
        s.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a file"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");

    // a corrupt PBF: the message names the file
    let data = top.path().join("helsinki");
    fs::create_dir(&data).unwrap();
    for f in ["blocks.csv", "schools.csv", "students.csv", "road.toml"] {
        fs::copy(root().join("tests/fixtures/helsinki").join(f), data.join(f)).unwrap();
    }
    let pbf = top.path().join("broken.osm.pbf");
    let mut bytes = fs::read(root().join("tests/fixtures/roads/helsinki.osm.pbf")).unwrap();
    bytes.truncate(bytes.len() / 3);
    for b in bytes.iter_mut().skip(200).step_by(97) {
        *b ^= 0x5a;
    }
    fs::write(&pbf, bytes).unwrap();
    let toml = fs::read_to_string(data.join("road.toml"))
        .unwrap()
        .replace("../roads/helsinki.osm.pbf", pbf.to_str().unwrap());
    fs::write(data.join("road.toml"), toml).unwrap();
    let o = sunshine(&[
        "place",
        data.join("road.toml").to_str().unwrap(),
        "--out",
        top.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("broken.osm.pbf"), "{}", stderr(&o));

    // zones with no open school of the grade (the fixture's one junior
    // school closing)
    let closed = top.path().join("closed");
    fs::create_dir(&closed).unwrap();
    for f in fs::read_dir(fixture()).unwrap() {
        let f = f.unwrap().path();
        fs::copy(&f, closed.join(f.file_name().unwrap())).unwrap();
    }
    let schools = fs::read_to_string(closed.join("schools.csv")).unwrap();
    let schools = schools.replace(
        "十六中学,junior,126.52,43.95,城区,10,1,50,false,open",
        "十六中学,junior,126.52,43.95,城区,10,1,50,false,closing",
    );
    fs::write(closed.join("schools.csv"), schools).unwrap();
    let junior = top.path().join("junior.toml");
    fs::write(
        &junior,
        format!(
            "name = \"j\"\nyear = 2025\ndataset = {:?}\nlevel = \"junior\"\n\n[policy]\nlottery_seed = 1\n",
            closed.display()
        ),
    )
    .unwrap();
    let o = sunshine(&[
        "zones",
        junior.to_str().unwrap(),
        "--out",
        top.path().join("z").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("schools.csv") && stderr(&o).contains("no open school admits grade 7"),
        "{}",
        stderr(&o)
    );
}

// ---- item 24: the odds draws can be replayed from the README ----

/// ChaCha20 keyed as the README says: `Draws::new(seed)` is the key
/// `seed LE ‖ 24 zero bytes`; `Draws::sub(seed, stream)` is
/// `seed LE ‖ stream LE ‖ 0x01 ‖ 15 zero bytes`. Written here from the
/// README, not from the library.
fn chacha(key: [u8; 32]) -> rand_chacha::ChaCha20Rng {
    use rand_core::SeedableRng;
    rand_chacha::ChaCha20Rng::from_seed(key)
}

fn sub_key(seed: u64, stream: u64) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[..8].copy_from_slice(&seed.to_le_bytes());
    k[8..16].copy_from_slice(&stream.to_le_bytes());
    k[16] = 1;
    k
}

#[test]
fn odds_readme_states_the_seeding_the_draws_use() {
    use rand_core::RngCore;
    let top = tempfile::tempdir().unwrap();
    let out = top.path().join("odds");
    let s = fixture().join("scenario.toml");
    ok(&sunshine(&[
        "odds",
        s.to_str().unwrap(),
        "--draws",
        "6",
        "--out",
        out.to_str().unwrap(),
    ]));
    let readme = fs::read_to_string(out.join("README.txt")).unwrap();
    assert!(
        !readme.contains("Draws::sub(seed, d).next_u64()"),
        "the old, wrong seeding: {readme}"
    );
    assert!(readme.contains("Draws::sub(42, floor(d / 2))"), "{readme}");
    assert!(readme.contains("1 - u"), "{readme}");
    // the README's procedure gives the library's draw seeds
    for d in 0..6usize {
        let expected = chacha(sub_key(42, (d / 2) as u64)).next_u64();
        assert_eq!(
            sunshine::rules::odds::draw_seed(42, d),
            (expected, d % 2 == 1),
            "draw {d}"
        );
    }
    // and a lottery number is the README's too: (u >> 11) / 2^53
    let mut k = [0u8; 32];
    k[..8].copy_from_slice(&7u64.to_le_bytes());
    let u = chacha(k).next_u64();
    let ids = ["a"];
    assert_eq!(
        sunshine::solve::lottery::lottery_numbers(7, &ids)[0],
        (u >> 11) as f64 / (1u64 << 53) as f64
    );
}

// ---- item 19: zone shapes ----

/// Area (m²) of a lon/lat ring, on a local flat projection.
fn ring_area_m2(ring: &[serde_json::Value]) -> f64 {
    let pts: Vec<(f64, f64)> = ring
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .collect();
    let k = pts[0].1.to_radians().cos();
    let xy: Vec<(f64, f64)> = pts
        .iter()
        .map(|&(x, y)| (x * k * 111_320.0, y * 110_540.0))
        .collect();
    let twice: f64 = xy
        .windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum();
    twice.abs() / 2.0
}

/// Shortest distance (m) between the vertices of two lon/lat rings.
fn ring_gap_m(a: &[serde_json::Value], b: &[serde_json::Value]) -> f64 {
    let k = a[0][1].as_f64().unwrap().to_radians().cos();
    let xy = |c: &serde_json::Value| {
        (
            c[0].as_f64().unwrap() * k * 111_320.0,
            c[1].as_f64().unwrap() * 110_540.0,
        )
    };
    let mut best = f64::INFINITY;
    for p in a {
        let p = xy(p);
        for q in b {
            let q = xy(q);
            best = best.min(((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt());
        }
    }
    best
}

/// A connected zone is one polygon: no parts that touch (a hairline crack
/// splits a zone into parts meeting at a vertex), no sliver holes or parts.
/// (A second part far from the first is a piece of a block's cell that the
/// district boundary cuts off, as LT-J14 has for grade 7.) Every connected
/// grade-1 zone is one part.
#[test]
fn connected_zones_are_one_polygon_without_slivers() {
    for scenario in [
        "scenarios/longtan-2025.toml",
        "scenarios/longtan-2025-junior.toml",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("z");
        ok(&sunshine(&[
            "zones",
            scenario,
            "--out",
            out.to_str().unwrap(),
        ]));
        let gj = common::json(&out.join("zones.geojson"));
        let mut problems = Vec::new();
        for f in gj["features"].as_array().unwrap() {
            let id = f["properties"]["school_id"].as_str().unwrap();
            let parts = f["geometry"]["coordinates"].as_array().unwrap();
            let connected = f["properties"]["connected"] == true;
            if connected && parts.len() != 1 && scenario.ends_with("longtan-2025.toml") {
                problems.push(format!("{id}: connected, but {} parts", parts.len()));
            }
            for (i, a) in parts.iter().enumerate() {
                for b in &parts[i + 1..] {
                    let gap = ring_gap_m(a[0].as_array().unwrap(), b[0].as_array().unwrap());
                    if connected && gap < 1.0 {
                        problems.push(format!("{id}: parts {gap:.3} m apart (a crack)"));
                    }
                }
            }
            for (i, part) in parts.iter().enumerate() {
                for (r, ring) in part.as_array().unwrap().iter().enumerate() {
                    let a = ring_area_m2(ring.as_array().unwrap());
                    if a < 1.0 {
                        problems.push(format!("{id}: part {i} ring {r} of {a:.3} m²"));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{scenario}: {problems:#?}");
    }
}
