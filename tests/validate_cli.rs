//! `sunshine validate` on good and broken inputs. Each folder in
//! `tests/fixtures/bad/` holds the files that differ from
//! `tests/fixtures/good/` (one kind of problem each) and `expected.txt`, the
//! exact error output (`{dir}` stands for the dataset folder). Set
//! `SUNSHINE_BLESS=1` to rewrite the expected files after a deliberate change
//! of wording.

use std::fs;
use std::path::{Path, PathBuf};
mod common;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copy the good fixture into a temp folder, then the case's files over it.
fn prepare(case: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in fs::read_dir(fixtures().join("good")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    if let Some(case) = case {
        for e in fs::read_dir(fixtures().join("bad").join(case)).unwrap() {
            let e = e.unwrap();
            if e.file_name() != "expected.txt" {
                fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
            }
        }
    }
    dir
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = common::command().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn good_fixture_validates() {
    let dir = prepare(None);
    let scenario = dir.path().join("scenario.toml");
    let (code, stdout, stderr) = run(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("OK: no errors"), "{stdout}");
    assert!(stdout.contains("applicants, grade 1"), "{stdout}");
}

#[test]
fn every_bad_fixture_gives_its_exact_errors_and_exit_2() {
    let mut cases: Vec<String> = fs::read_dir(fixtures().join("bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 12, "{cases:?}");
    let bless = std::env::var("SUNSHINE_BLESS").is_ok();
    let mut failures = Vec::new();
    for case in &cases {
        let dir = prepare(Some(case));
        let scenario = dir.path().join("scenario.toml");
        let (code, stdout, stderr) = run(&["validate", scenario.to_str().unwrap()]);
        let got = stderr.replace(dir.path().to_str().unwrap(), "{dir}");
        let expected_path = fixtures().join("bad").join(case).join("expected.txt");
        if bless {
            fs::write(&expected_path, &got).unwrap();
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if code != 2 || got != expected || !stdout.is_empty() {
            failures.push(format!(
                "case {case}: exit {code}\n--- expected\n{expected}--- got\n{got}--- stdout\n{stdout}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gb18030_schools_read_the_same_as_utf8() {
    let utf8 = prepare(None);
    let gbk = prepare(None);
    let text = fs::read_to_string(utf8.path().join("schools.csv")).unwrap();
    let (bytes, _, lossy) = encoding_rs::GB18030.encode(&text);
    assert!(!lossy);
    assert_ne!(
        bytes.as_ref(),
        text.as_bytes(),
        "the fixture has Chinese names"
    );
    fs::write(gbk.path().join("schools.csv"), bytes.as_ref()).unwrap();
    let mut d = sunshine::Diagnostics::new();
    let a = sunshine::io::dataset::read_schools(
        &utf8.path().join("schools.csv"),
        sunshine::io::Encoding::Auto,
        None,
        &mut d,
    )
    .unwrap();
    let b = sunshine::io::dataset::read_schools(
        &gbk.path().join("schools.csv"),
        sunshine::io::Encoding::Auto,
        None,
        &mut d,
    )
    .unwrap();
    assert!(d.is_empty());
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(b[0].name, "天昌小学");
    // a BOM-prefixed UTF-8 copy reads the same too
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    fs::write(gbk.path().join("schools.csv"), bom).unwrap();
    let c = sunshine::io::dataset::read_schools(
        &gbk.path().join("schools.csv"),
        sunshine::io::Encoding::Auto,
        None,
        &mut d,
    )
    .unwrap();
    assert_eq!(format!("{a:?}"), format!("{c:?}"));
    // and the whole scenario validates with the GB18030 file in place
    fs::write(
        gbk.path().join("schools.csv"),
        encoding_rs::GB18030.encode(&text).0.as_ref(),
    )
    .unwrap();
    let (code, _, stderr) = run(&[
        "validate",
        gbk.path().join("scenario.toml").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
}

/// A generated benchmark district validates as it is written.
#[test]
fn generated_large_district_validates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("big");
    let o = common::command()
        .args([
            "generate",
            "large",
            "--students",
            "5000",
            "--schools",
            "40",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (code, stdout, stderr) = run(&["validate", out.join("scenario.toml").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("OK: no errors"));
}
