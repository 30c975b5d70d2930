//! Issue 12, "nothing lost, nothing invented", on files as planners save
//! them: Excel's CRLF, old Mac CR, mixed endings, GB18030, stray quotes,
//! comma-only lines, renamed or repeated headers, and several planted
//! problems at once.

mod common;

use std::path::Path;
use std::process::Output;

use common::{root, stderr, sunshine_in};

/// A copy of `data/longtan` and `scenarios/` under a temporary folder, each
/// CSV passed through `f`.
fn copy_dataset(f: &dyn Fn(&str) -> Vec<u8>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data/longtan");
    std::fs::create_dir_all(&data).unwrap();
    for e in std::fs::read_dir(root().join("data/longtan")).unwrap() {
        let p = e.unwrap().path();
        let to = data.join(p.file_name().unwrap());
        if p.extension().is_some_and(|x| x == "csv") {
            std::fs::write(to, f(&std::fs::read_to_string(&p).unwrap())).unwrap();
        } else {
            std::fs::copy(&p, to).unwrap();
        }
    }
    let sc = dir.path().join("scenarios");
    std::fs::create_dir_all(&sc).unwrap();
    for e in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, sc.join(p.file_name().unwrap())).unwrap();
    }
    dir
}

/// Run the binary in `cwd` with relative paths, so outputs that name their
/// inputs are the same in every copy.
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    sunshine_in(cwd, args, &[])
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Output files by name, per command.
type Files = Vec<(String, Vec<u8>)>;
type Outputs = Vec<(String, Files)>;

/// Every file of an output folder, by name.
fn files(dir: &Path) -> Files {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn with_endings(text: &str, endings: &[&str]) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        out.push_str(endings[i % endings.len()]);
    }
    out
}

/// What each command writes, for one copy of the data.
fn outputs(cwd: &Path, zones: bool, convert: &dyn Fn(&str) -> Vec<u8>) -> Outputs {
    let sc = "scenarios/longtan-2025.toml";
    ok(&run_in(cwd, &["place", sc, "--out", "out/place"]));
    // the classes command reads the placements as a planner would have
    // re-saved them
    let placements = std::fs::read_to_string(cwd.join("out/place/placements.csv")).unwrap();
    std::fs::write(cwd.join("placements.csv"), convert(&placements)).unwrap();
    ok(&run_in(
        cwd,
        &[
            "classes",
            sc,
            "--placements",
            "placements.csv",
            "--out",
            "out/classes",
        ],
    ));
    ok(&run_in(cwd, &["forecast", sc, "--out", "out/forecast"]));
    let mut v = vec![];
    for d in ["place", "classes", "forecast"] {
        v.push((d.to_string(), files(&cwd.join("out").join(d))));
    }
    if zones {
        ok(&run_in(cwd, &["zones", sc, "--out", "out/zones"]));
        v.push(("zones".into(), files(&cwd.join("out/zones"))));
    }
    v
}

/// CRLF (Excel on Windows), CR only (old Mac Excel), mixed endings and
/// GB18030 with CRLF give byte-identical outputs to LF for place, classes,
/// forecast and zones. (Before the fix CRLF lost the first row of every
/// file: 3,081 → 3,080 applicants, and LT-N01 from schools.csv.)
#[test]
fn every_line_ending_gives_identical_outputs() {
    type Conv = Box<dyn Fn(&str) -> Vec<u8> + Send + Sync>;
    let variants: Vec<(&str, Conv, bool)> = vec![
        ("lf", Box::new(|t: &str| t.as_bytes().to_vec()), true),
        (
            "crlf",
            Box::new(|t: &str| with_endings(t, &["\r\n"]).into_bytes()),
            true,
        ),
        (
            "cr",
            Box::new(|t: &str| with_endings(t, &["\r"]).into_bytes()),
            true,
        ),
        (
            "mixed",
            Box::new(|t: &str| with_endings(t, &["\n", "\r\n", "\r", "\r\n"]).into_bytes()),
            true,
        ),
        (
            "gb18030-crlf",
            Box::new(|t: &str| {
                let t = with_endings(t, &["\r\n"]);
                encoding_rs::GB18030.encode(&t).0.into_owned()
            }),
            false,
        ),
    ];
    let results: Vec<(String, Outputs)> = std::thread::scope(|s| {
        let handles: Vec<_> = variants
            .iter()
            .map(|(name, conv, zones)| {
                s.spawn(move || {
                    let dir = copy_dataset(conv.as_ref());
                    (name.to_string(), outputs(dir.path(), *zones, conv.as_ref()))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (_, lf) = &results[0];
    let placements = lf[0].1.iter().find(|f| f.0 == "placements.csv").unwrap();
    let rows = String::from_utf8_lossy(&placements.1).lines().count() - 1;
    assert_eq!(rows, 3081, "every grade-1 applicant has a row");
    for (name, out) in &results[1..] {
        for (cmd, files) in out {
            let base = &lf.iter().find(|(c, _)| c == cmd).unwrap().1;
            assert_eq!(
                files.iter().map(|f| &f.0).collect::<Vec<_>>(),
                base.iter().map(|f| &f.0).collect::<Vec<_>>(),
                "{name} {cmd}"
            );
            for (a, b) in files.iter().zip(base) {
                if a.0 == "audit.json" || a.0 == "summary.json" {
                    // the audit and the summary record the digests of the
                    // input files as saved (they differ by line ending); all
                    // else is equal
                    let strip = |b: &[u8]| {
                        let mut v: serde_json::Value = serde_json::from_slice(b).unwrap();
                        v.as_object_mut().unwrap().remove("inputs").unwrap();
                        v
                    };
                    assert_eq!(strip(&a.1), strip(&b.1), "{name}: {cmd}/{}", a.0);
                    continue;
                }
                if a.0 == "manifest.json" {
                    // the manifest lists the inputs' digests and hashes
                    // audit.json and summary.json, which hold them; every
                    // other file's entry is equal
                    let strip = |b: &[u8]| {
                        let mut v: serde_json::Value = serde_json::from_slice(b).unwrap();
                        v.as_object_mut().unwrap().remove("inputs");
                        let files = v["files"].as_array_mut().unwrap();
                        files.retain(|f| f["name"] != "audit.json" && f["name"] != "summary.json");
                        v
                    };
                    assert_eq!(strip(&a.1), strip(&b.1), "{name}: {cmd}/manifest.json");
                    continue;
                }
                assert!(a.1 == b.1, "{name}: {cmd}/{} differs from LF", a.0);
            }
        }
    }
}

/// A copy of the Longtan data with students.csv edited by `f` (lines
/// without their ending, header first), saved with CRLF.
fn with_students(f: impl Fn(&mut Vec<String>)) -> tempfile::TempDir {
    let dir = copy_dataset(&|t: &str| t.as_bytes().to_vec());
    let p = dir.path().join("data/longtan/students.csv");
    let mut lines: Vec<String> = std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    f(&mut lines);
    std::fs::write(&p, lines.join("\r\n") + "\r\n").unwrap();
    dir
}

fn set_cell(line: &str, col: usize, value: &str) -> String {
    let mut cells: Vec<&str> = line.split(',').collect();
    cells[col] = value;
    cells.join(",")
}

fn column_of(header: &str, name: &str) -> usize {
    header.split(',').position(|h| h == name).unwrap()
}

/// A typed `"F0026` no longer swallows every later row (3,081 → 514
/// applicants, exit 0): it is an error at its physical line, and the run
/// lists the second stray quote too.
#[test]
fn a_stray_quote_is_an_error_at_its_line() {
    let dir = with_students(|l| {
        let c = column_of(&l[0], "family_id");
        l[10] = set_cell(&l[10], c, "\"F0026");
        l[20] = set_cell(&l[20], c, "F0\"027");
    });
    let o = run_in(dir.path(), &["validate", "scenarios/longtan-2025.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("students.csv:11: column 13 (family_id): a quote `\"` opens a cell that does not close on this line"),
        "{err}"
    );
    assert!(
        err.contains("students.csv:21: column 13 (family_id): a quote `\"` inside a cell"),
        "{err}"
    );
    // the books show the two rejected lines even though validate stops
    assert!(
        err.contains("students.csv: 6117 lines after the header: 6115 rows read, 0 blank, 0 commas only, 2 rejected"),
        "{err}"
    );
    // no student row is echoed: only the id-free message
    assert!(!err.contains(",F,") && !err.contains(",M,"), "{err}");
}

/// validate prints the books of every file; comma-only and blank lines are
/// counted, the comma-only ones in a warning naming their lines.
#[test]
fn validate_prints_lines_and_rows_per_file() {
    let dir = with_students(|l| {
        let width = l[0].split(',').count();
        l.insert(5, ",".repeat(width - 1));
        l.push(String::new());
        l.push(",".repeat(width - 1));
    });
    let o = run_in(dir.path(), &["validate", "scenarios/longtan-2025.toml"]);
    let out = ok(&o);
    let row = out.lines().find(|l| l.contains("students.csv")).unwrap();
    let nums: Vec<&str> = row
        .split(['│', '┆'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        nums,
        ["students.csv", "6120", "6117", "1", "2", "0"],
        "{row}"
    );
    let err = stderr(&o);
    assert!(
        err.contains("students.csv:6: warning: 2 line(s) of commas only skipped (line 6, 6121)"),
        "{err}"
    );
}

/// A repeated column name is an error; a look-alike of a known optional
/// column warns with "did you mean"; case and spaces do not matter.
#[test]
fn header_repeats_and_look_alikes() {
    let dir = with_students(|l| {
        l[0] = l[0]
            .replace("student_id", " Student_ID ")
            .replace("family_id", "famly_id");
    });
    let o = run_in(dir.path(), &["validate", "scenarios/longtan-2025.toml"]);
    ok(&o);
    let err = stderr(&o);
    assert!(
        err.contains("students.csv:1: column 13 (famly_id): warning: unknown column `famly_id` is ignored; did you mean `family_id`?"),
        "{err}"
    );
    let dir = with_students(|l| {
        l[0] = l[0].replace("migrant", "gender");
    });
    let o = run_in(dir.path(), &["validate", "scenarios/longtan-2025.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "students.csv:1: column 7 repeats column 4 (`gender`); expected each column name once"
        ),
        "{}",
        stderr(&o)
    );
}

/// Four planted problems (a scenario key, a schools.csv value, a zones.csv
/// reference, a duplicate student id beside another bad student row) are
/// all reported by one run; before, this took three runs.
#[test]
fn every_planted_problem_in_one_run() {
    let dir = with_students(|l| {
        let id = column_of(&l[0], "student_id");
        let g = column_of(&l[0], "gender");
        let first = l[1].split(',').nth(id).unwrap().to_string();
        l[3] = set_cell(&l[3], id, &first);
        l[7] = set_cell(&l[7], g, "X");
    });
    let d = dir.path().join("data/longtan");
    let schools = std::fs::read_to_string(d.join("schools.csv")).unwrap();
    let mut lines: Vec<String> = schools.lines().map(String::from).collect();
    let seats = column_of(&lines[0], "entry_seats");
    lines[4] = set_cell(&lines[4], seats, "many");
    std::fs::write(d.join("schools.csv"), lines.join("\n") + "\n").unwrap();
    let zones = std::fs::read_to_string(d.join("zones.csv")).unwrap();
    let mut lines: Vec<String> = zones.lines().map(String::from).collect();
    let b = column_of(&lines[0], "block_id");
    lines[2] = set_cell(&lines[2], b, "NO-SUCH-BLOCK");
    std::fs::write(d.join("zones.csv"), lines.join("\n") + "\n").unwrap();
    let sc = dir.path().join("scenarios/longtan-2025.toml");
    let text = std::fs::read_to_string(&sc).unwrap();
    std::fs::write(
        &sc,
        text.replace("candidates = 15", "candidates = 15\ncandidate = 3"),
    )
    .unwrap();
    let o = run_in(dir.path(), &["validate", "scenarios/longtan-2025.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for want in [
        "longtan-2025.toml:",
        "unknown key `policy.candidate`",
        "schools.csv:5: column 7 (entry_seats): `many` is not a whole number",
        "zones.csv:3: column 1 (block_id): unknown block `NO-SUCH-BLOCK`",
        "students.csv:4: column 1 (student_id): duplicate student_id",
        "students.csv:8: column 4 (gender): `X` is not a gender",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
}

/// `--encoding` reaches every reader: a GB18030 births.csv with
/// `--encoding utf-8` is an error naming the line of the first bad byte
/// (not a byte offset), and with `--encoding gb18030` the forecast reads it.
#[test]
fn encoding_reaches_the_forecast_readers() {
    let dir = copy_dataset(&|t: &str| t.as_bytes().to_vec());
    let d = dir.path().join("data/longtan");
    // a town name in births.csv is Chinese: re-save every file as GB18030
    for f in [
        "births.csv",
        "enrollment_history.csv",
        "housing.csv",
        "schools.csv",
        "blocks.csv",
        "students.csv",
        "zones.csv",
        "zone_groups.csv",
        "feeders.csv",
        "districts.csv",
    ] {
        let t = std::fs::read_to_string(d.join(f)).unwrap();
        std::fs::write(d.join(f), &encoding_rs::GB18030.encode(&t).0).unwrap();
    }
    let o = run_in(
        dir.path(),
        &[
            "--encoding",
            "gb18030",
            "forecast",
            "scenarios/longtan-2025.toml",
            "--out",
            "out",
        ],
    );
    ok(&o);
    let o = run_in(
        dir.path(),
        &[
            "--encoding",
            "utf-8",
            "forecast",
            "scenarios/longtan-2025.toml",
            "--out",
            "out2",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let schools = std::fs::read_to_string(root().join("data/longtan/schools.csv")).unwrap();
    let first_cjk = schools.lines().position(|l| !l.is_ascii()).unwrap() + 1;
    assert!(
        err.contains(&format!("schools.csv:{first_cjk}: invalid UTF-8")),
        "{err}"
    );
    assert!(!err.contains("byte"), "{err}");
}

/// A huge cell is cut to 60 characters in messages.
#[test]
fn long_cells_are_cut_in_messages() {
    let dir = with_students(|l| {
        let g = column_of(&l[0], "gender");
        let long = "女".repeat(100_000);
        l[2] = set_cell(&l[2], g, &long);
    });
    let o = run_in(dir.path(), &["validate", "scenarios/longtan-2025.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.len() < 2_000, "{} bytes", err.len());
    assert!(err.contains("女…` is not a gender"), "{err}");
}

/// Names from the input are escaped in every part of compare.md, the
/// "pushed past the class-size cap" list included (found by the planner
/// check: raw `<img …>` and Markdown links went through there).
#[test]
fn compare_md_escapes_names_in_the_cap_list() {
    let dir = copy_dataset(&|t: &str| t.as_bytes().to_vec());
    let p = dir.path().join("data/longtan/schools.csv");
    let fixed: Vec<String> = std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with("LT-P24,") {
                set_cell(
                    l,
                    1,
                    "<img src=x onerror=alert(2)> [link](http://evil) *bold*",
                )
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&p, fixed.join("\n") + "\n").unwrap();
    std::fs::write(
        dir.path().join("scenarios/evil.toml"),
        "extends = \"longtan-2025.toml\"\nname = \"<b>evil</b> *x*\"\nclosures = [\"LT-P08\", \"LT-P09\"]\n",
    )
    .unwrap();
    ok(&run_in(
        dir.path(),
        &[
            "compare",
            "scenarios/longtan-2025.toml",
            "scenarios/evil.toml",
            "--out",
            "c",
        ],
    ));
    let md = std::fs::read_to_string(dir.path().join("c/compare.md")).unwrap();
    assert!(md.contains("pushed past the class-size cap"), "{md}");
    assert!(!md.contains("<img") && !md.contains("<b>"), "{md}");
    assert!(!md.contains("[link](http"), "{md}");
}

/// A schools.csv line rejected for its shape (a stray quote in a name) is
/// one error: its id still counts as known, so students.csv and zones.csv
/// do not add hundreds of "unknown school" errors (planner check: 204).
#[test]
fn a_rejected_school_line_is_one_error() {
    let dir = copy_dataset(&|t: &str| t.as_bytes().to_vec());
    let p = dir.path().join("data/longtan/schools.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("LT-N04,") {
                set_cell(l, 1, "城区\"第四\"实验学校")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&p, lines.join("\r\n") + "\r\n").unwrap();
    let o = run_in(
        dir.path(),
        &[
            "--max-errors",
            "0",
            "validate",
            "scenarios/longtan-2025.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("schools.csv:5: column 2 (name): a quote"),
        "{err}"
    );
}

/// `place --out .` from inside the folder of an Excel-saved (CRLF) copy
/// of the bundled data: the set is moved in under a journal (the folder
/// cannot be renamed under the planner's shell) and equals the LF run; a
/// run killed before its journal leaves the previous set, one killed while
/// moving the files in is finished by the next run.
#[test]
fn place_into_the_current_folder_of_a_crlf_copy() {
    let lf = copy_dataset(&|t: &str| t.as_bytes().to_vec());
    ok(&run_in(
        lf.path(),
        &["place", "scenarios/longtan-2025.toml", "--out", "out"],
    ));
    // summary.json and manifest.json record the inputs' digests, which
    // differ by line ending: compared without them
    let want = without_input_digests(files(&lf.path().join("out")));
    let dir = copy_dataset(&|t: &str| with_endings(t, &["\r\n"]).into_bytes());
    let here = dir.path().join("results");
    std::fs::create_dir(&here).unwrap();
    std::fs::write(here.join("notes.txt"), "the planner's own file").unwrap();
    let place = |fail: Option<&str>| {
        let env: Vec<(&str, &str)> = fail
            .map(|f| ("SUNSHINE_FAILPOINT", f))
            .into_iter()
            .collect();
        sunshine_in(
            &here,
            &["place", "../scenarios/longtan-2025.toml", "--out", "."],
            &env,
        )
    };
    ok(&place(None));
    let mine = |names: &[(String, Vec<u8>)]| -> Vec<(String, Vec<u8>)> {
        let set: Vec<&String> = want.iter().map(|w| &w.0).collect();
        without_input_digests(
            names
                .iter()
                .filter(|f| set.contains(&&f.0))
                .cloned()
                .collect(),
        )
    };
    assert_eq!(mine(&files(&here)), want, "--out . equals the LF run");
    // killed before the journal: the folder keeps the whole previous set
    assert!(!place(Some("staged")).status.success());
    assert_eq!(mine(&files(&here)), want);
    // killed after moving the first file: the next run finishes the move
    // (with another seed, so a mix would show)
    let sc = dir.path().join("scenarios/longtan-2025.toml");
    let text = std::fs::read_to_string(&sc).unwrap();
    std::fs::write(
        &sc,
        text.replace("lottery_seed = 20250715", "lottery_seed = 7"),
    )
    .unwrap();
    assert!(!place(Some("moved-first")).status.success());
    let o = place(None);
    assert!(
        stderr(&o).contains("finished moving in the files of an interrupted run"),
        "{}",
        stderr(&o)
    );
    let names: Vec<String> = std::fs::read_dir(&here)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".sunshine")),
        "{names:?}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(here.join("manifest.json")).unwrap()).unwrap();
    for f in manifest["files"].as_array().unwrap() {
        let bytes = std::fs::read(here.join(f["name"].as_str().unwrap())).unwrap();
        assert_eq!(f["bytes"].as_u64(), Some(bytes.len() as u64), "{f}");
    }
    // the planner's own file is kept
    assert_eq!(
        std::fs::read_to_string(here.join("notes.txt")).unwrap(),
        "the planner's own file"
    );
}

/// The files of an output set with the inputs' digests left out of
/// summary.json and manifest.json (and the manifest's entry of
/// summary.json, which holds them): what must equal between copies of the
/// data that differ only in line endings.
fn without_input_digests(files: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    files
        .into_iter()
        .map(|(name, bytes)| {
            if name != "summary.json" && name != "manifest.json" {
                return (name, bytes);
            }
            let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            v.as_object_mut().unwrap().remove("inputs");
            if let Some(f) = v.get_mut("files").and_then(|f| f.as_array_mut()) {
                f.retain(|e| e["name"] != "summary.json");
            }
            (name, serde_json::to_vec(&v).unwrap())
        })
        .collect()
}
