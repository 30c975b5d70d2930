//! Fuzzing the readers with the mistakes planners' files really have
//! (issue 12): the Longtan CSVs and scenario are mutated — byte flips,
//! truncation, stray quotes, CR/LF changes, duplicated and deleted rows and
//! columns, huge numbers — and `sunshine place` is run on each. Every case
//! must end in one of two ways:
//!
//! * exit 2, every error naming its file and, where it is about a line, a
//!   physical line that exists in that file; or
//! * exit 0 with placements.csv holding exactly one row per applicant line of
//!   the grade, counted here by an independent reader (the `csv` crate, one
//!   physical line at a time).
//!
//! Never a panic, never another exit code, never more than
//! [`CASE_LIMIT`] per case. CI fixes `PROPTEST_RNG_SEED`; `FUZZ_CASES`
//! changes the number of cases (default 2,000).

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use common::root;

const CASE_LIMIT: Duration = Duration::from_secs(60);

const FILES: [&str; 5] = [
    "students.csv",
    "schools.csv",
    "blocks.csv",
    "zones.csv",
    "zone_groups.csv",
];

#[derive(Clone, Debug)]
enum Mutation {
    FlipByte {
        at: usize,
        byte: u8,
    },
    Truncate {
        at: usize,
    },
    InsertQuote {
        at: usize,
    },
    InsertBreak {
        at: usize,
        cr: bool,
        lf: bool,
    },
    AllCr,
    DuplicateRow {
        row: usize,
    },
    DeleteRow {
        row: usize,
    },
    DeleteColumn {
        col: usize,
    },
    DuplicateColumn {
        col: usize,
    },
    HugeNumber {
        row: usize,
        col: usize,
        which: usize,
    },
    CommaOnlyLines {
        row: usize,
    },
}

const HUGE: [&str; 6] = [
    "4294967296",
    "18446744073709551616",
    "99999999999999999999999",
    "-1",
    "1e300",
    "NaN",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0usize..1_000_000;
    prop_oneof![
        (at.clone(), any::<u8>()).prop_map(|(at, byte)| Mutation::FlipByte { at, byte }),
        at.clone().prop_map(|at| Mutation::Truncate { at }),
        at.clone().prop_map(|at| Mutation::InsertQuote { at }),
        (at.clone(), any::<bool>(), any::<bool>()).prop_map(|(at, cr, lf)| Mutation::InsertBreak {
            at,
            cr,
            lf
        }),
        Just(Mutation::AllCr),
        at.clone().prop_map(|row| Mutation::DuplicateRow { row }),
        at.clone().prop_map(|row| Mutation::DeleteRow { row }),
        (0usize..20).prop_map(|col| Mutation::DeleteColumn { col }),
        (0usize..20).prop_map(|col| Mutation::DuplicateColumn { col }),
        (at.clone(), 0usize..20, 0usize..HUGE.len())
            .prop_map(|(row, col, which)| Mutation::HugeNumber { row, col, which }),
        at.prop_map(|row| Mutation::CommaOnlyLines { row }),
    ]
}

fn lines(text: &[u8]) -> Vec<Vec<u8>> {
    text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn apply(m: &Mutation, bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let n = b.len().max(1);
    let rows = |b: &[u8]| lines(b);
    let join = |ls: Vec<Vec<u8>>| ls.join(&b'\n');
    let cols = |l: &[u8]| {
        l.split(|&c| c == b',')
            .map(<[u8]>::to_vec)
            .collect::<Vec<_>>()
    };
    match *m {
        Mutation::FlipByte { at, byte } => {
            if !b.is_empty() {
                b[at % n] = byte;
            }
            b
        }
        Mutation::Truncate { at } => {
            b.truncate(at % n);
            b
        }
        Mutation::InsertQuote { at } => {
            b.insert(at % n, b'"');
            b
        }
        Mutation::InsertBreak { at, cr, lf } => {
            let mut ins = Vec::new();
            if cr {
                ins.push(b'\r');
            }
            if lf || !cr {
                ins.push(b'\n');
            }
            let at = at % n;
            b.splice(at..at, ins);
            b
        }
        Mutation::AllCr => b
            .iter()
            .map(|&c| if c == b'\n' { b'\r' } else { c })
            .collect(),
        Mutation::DuplicateRow { row } => {
            let mut ls = rows(&b);
            let r = row % ls.len();
            let l = ls[r].clone();
            ls.insert(r, l);
            join(ls)
        }
        Mutation::DeleteRow { row } => {
            let mut ls = rows(&b);
            ls.remove(row % ls.len());
            join(ls)
        }
        Mutation::DeleteColumn { col } => join(
            rows(&b)
                .into_iter()
                .map(|l| {
                    let mut c = cols(&l);
                    if col < c.len() {
                        c.remove(col);
                    }
                    c.join(&b',')
                })
                .collect(),
        ),
        Mutation::DuplicateColumn { col } => join(
            rows(&b)
                .into_iter()
                .map(|l| {
                    let mut c = cols(&l);
                    if col < c.len() {
                        let v = c[col].clone();
                        c.insert(col, v);
                    }
                    c.join(&b',')
                })
                .collect(),
        ),
        Mutation::HugeNumber { row, col, which } => {
            let mut ls = rows(&b);
            let r = 1 + row % ls.len().saturating_sub(1).max(1);
            if r < ls.len() {
                let mut c = cols(&ls[r]);
                if col < c.len() {
                    c[col] = HUGE[which].as_bytes().to_vec();
                }
                ls[r] = c.join(&b',');
            }
            join(ls)
        }
        Mutation::CommaOnlyLines { row } => {
            let mut ls = rows(&b);
            let width = ls.first().map_or(1, |h| cols(h).len());
            let r = row % ls.len();
            ls.insert(r.max(1).min(ls.len()), vec![b','; width - 1]);
            join(ls)
        }
    }
}

/// Physical lines of a file (CRLF, LF or CR end a line).
fn physical_lines(b: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            out.push(&b[start..i]);
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    if start < b.len() {
        out.push(&b[start..]);
    }
    out
}

/// Applicant lines of grade 1 in a students.csv that the tool accepted,
/// counted with the `csv` crate line by line (an independent reader).
fn grade1_lines(bytes: &[u8]) -> usize {
    let text = encoding_rs::GB18030.decode(bytes).0.into_owned();
    let text = String::from_utf8(bytes.to_vec()).unwrap_or(text);
    let text = text.trim_start_matches('\u{feff}');
    let split = |l: &str| -> Vec<String> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(l.as_bytes());
        r.records().next().map_or(vec![], |x| {
            x.unwrap().iter().map(|s| s.trim().to_string()).collect()
        })
    };
    let mut header: Option<Vec<String>> = None;
    let mut n = 0;
    for l in physical_lines(text.as_bytes()) {
        let l = std::str::from_utf8(l).unwrap();
        let cells = split(l);
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        match &header {
            None => header = Some(cells.iter().map(|c| c.to_lowercase()).collect()),
            Some(h) => {
                let g = h.iter().position(|c| c == "entry_grade").unwrap();
                if cells[g] == "1" {
                    n += 1;
                }
            }
        }
    }
    n
}

struct Fixture {
    dir: tempfile::TempDir,
    originals: Vec<(PathBuf, Vec<u8>)>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data/longtan");
        std::fs::create_dir_all(&data).unwrap();
        let mut originals = Vec::new();
        for e in std::fs::read_dir(root().join("data/longtan")).unwrap() {
            let p = e.unwrap().path();
            let to = data.join(p.file_name().unwrap());
            std::fs::copy(&p, &to).unwrap();
            originals.push((to, std::fs::read(&p).unwrap()));
        }
        let sc = dir.path().join("scenarios");
        std::fs::create_dir_all(&sc).unwrap();
        let s = std::fs::read(root().join("scenarios/longtan-2025.toml")).unwrap();
        std::fs::write(sc.join("longtan-2025.toml"), &s).unwrap();
        originals.push((sc.join("longtan-2025.toml"), s));
        Fixture { dir, originals }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn restore(&self) {
        for (p, b) in &self.originals {
            std::fs::write(p, b).unwrap();
        }
        let _ = std::fs::remove_dir_all(self.path().join("out"));
    }
}

fn check_case(fx: &Fixture, muts: &[(usize, Mutation)]) -> Result<(), TestCaseError> {
    fx.restore();
    let targets: Vec<PathBuf> = FILES
        .iter()
        .map(|f| fx.path().join("data/longtan").join(f))
        .chain([fx.path().join("scenarios/longtan-2025.toml")])
        .collect();
    for (file, m) in muts {
        let p = &targets[file % targets.len()];
        let b = std::fs::read(p).unwrap();
        std::fs::write(p, apply(m, &b)).unwrap();
    }
    let mut child = common::command()
        .args([
            "place",
            "scenarios/longtan-2025.toml",
            "--out",
            "out",
            "--threads",
            "1",
        ])
        .current_dir(fx.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > CASE_LIMIT {
            let _ = child.kill();
            return Err(TestCaseError::fail(format!(
                "no result in {CASE_LIMIT:?}: {muts:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    match status.code() {
        Some(0) => {
            let students = std::fs::read(fx.path().join("data/longtan/students.csv")).unwrap();
            let want = grade1_lines(&students);
            let placed = std::fs::read_to_string(fx.path().join("out/placements.csv")).unwrap();
            let got = placed.lines().count() - 1;
            prop_assert_eq!(
                got,
                want,
                "placements rows vs applicant lines: {:?}\n{}",
                muts,
                stderr
            );
        }
        Some(2) => {
            let errors: Vec<&str> = stderr
                .lines()
                .filter(|l| l.starts_with("error: "))
                .collect();
            prop_assert!(
                !errors.is_empty(),
                "exit 2 without an error line: {:?}\n{}",
                muts,
                stderr
            );
            for e in errors {
                let Some(rest) = e.strip_prefix("error: ") else {
                    continue;
                };
                if !rest.contains(".csv") && !rest.contains(".toml") && !rest.contains(".geojson") {
                    continue; // a summary or option error
                }
                // `file:line: ...`: the line must exist in that file
                let file_end = rest
                    .find(".csv")
                    .map(|i| i + 4)
                    .or_else(|| rest.find(".toml").map(|i| i + 5))
                    .or_else(|| rest.find(".geojson").map(|i| i + 8))
                    .unwrap();
                let file = &rest[..file_end];
                let after = &rest[file_end..];
                let Some(num) = after
                    .strip_prefix(':')
                    .map(|a| a.split(|c: char| !c.is_ascii_digit()).next().unwrap())
                else {
                    continue;
                };
                if num.is_empty() {
                    // a problem of the whole file: only these may go without a line
                    prop_assert!(
                        [
                            "file is empty",
                            "header but no rows",
                            "cannot read",
                            "not found",
                            "boundary"
                        ]
                        .iter()
                        .any(|w| after.contains(w)),
                        "error without a line: {}\n{:?}",
                        e,
                        muts
                    );
                    continue;
                }
                let line: usize = num.parse().unwrap();
                let bytes = std::fs::read(fx.path().join(file)).unwrap();
                let n = physical_lines(&bytes).len().max(1);
                prop_assert!(
                    line >= 1 && line <= n,
                    "line {} beyond the {} lines of {}: {}\n{:?}",
                    line,
                    n,
                    file,
                    e,
                    muts
                );
            }
            prop_assert!(
                !fx.path().join("out/placements.csv").exists(),
                "bad input wrote output"
            );
        }
        other => {
            return Err(TestCaseError::fail(format!(
                "exit {other:?}: {muts:?}\n{stderr}"
            )));
        }
    }
    Ok(())
}

#[test]
fn mutated_longtan_inputs_fail_cleanly_or_place_everyone() {
    let cases: u32 = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let fx = Fixture::new();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    });
    let strategy = proptest::collection::vec((0usize..6, mutation()), 1..4);
    let result = runner.run(&strategy, |muts| check_case(&fx, &muts));
    if let Err(e) = result {
        panic!("{e}");
    }
}
