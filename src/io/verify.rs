//! `sunshine verify`'s comparisons: a published output folder against its
//! inputs and against a fresh run. Reading what the folder records
//! ([`Recorded`]), checking the recorded inputs' SHA-256 ([`check_inputs`],
//! [`new_inputs`]) and comparing every file of the recorded set with the
//! files a fresh run gives, byte by byte ([`compare_outputs`]). A
//! difference says where: the file, and for a CSV the line, the row's key
//! (its first column) and the column, with the published and the
//! recomputed value.

use std::fmt;
use std::path::Path;

use crate::io::output::{OutputSet, MANIFEST};
use crate::io::provenance::{sha256_hex, InputFile};

/// What an output folder of `place` records about its run.
#[derive(Debug)]
pub struct Recorded {
    /// `summary.json`'s `inputs`.
    pub inputs: Vec<InputFile>,
    /// `summary.json`'s `options` (the command-line options of the run).
    pub options: serde_json::Value,
    /// The files of the set, as `manifest.json` lists them.
    pub files: Vec<String>,
}

impl Recorded {
    /// Read `summary.json` and `manifest.json` of `dir`. A folder without
    /// them, or one written before `place` recorded its inputs, is an error
    /// saying so.
    pub fn read(dir: &Path) -> Result<Recorded, String> {
        let json = |name: &str| -> Result<serde_json::Value, String> {
            let p = dir.join(name);
            let bytes = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", p.display()))
        };
        let summary = json("summary.json")?;
        let manifest = json(MANIFEST)?;
        let no = |what: &str| {
            format!(
                "{}: no {what}; expected the output folder of `sunshine place` (version 0.1.0 of issue 17 or later)",
                dir.join("summary.json").display()
            )
        };
        let inputs = summary["inputs"]
            .as_array()
            .ok_or_else(|| no("`inputs` list"))?
            .iter()
            .map(|v| InputFile::from_json(v).ok_or_else(|| no("well-formed `inputs` entry")))
            .collect::<Result<Vec<_>, _>>()?;
        if !summary["options"].is_object() {
            return Err(no("`options`"));
        }
        let files = manifest["files"]
            .as_array()
            .ok_or_else(|| format!("{}: no `files` list", dir.join(MANIFEST).display()))?
            .iter()
            .map(|f| f["name"].as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!("{}: a file without a name", dir.join(MANIFEST).display()))?;
        Ok(Recorded {
            inputs,
            options: summary["options"].clone(),
            files,
        })
    }
}

/// An input file that is not the one the output was made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputChange {
    /// Its SHA-256 differs from the recorded one.
    Changed {
        file: String,
        recorded: String,
        now: String,
    },
    /// It is recorded but can no longer be read.
    Missing { file: String },
    /// The run reads it now but the output does not record it (a file
    /// added to the dataset since, such as `seat_history.csv`).
    New { file: String },
}

impl fmt::Display for InputChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputChange::Changed {
                file,
                recorded,
                now,
            } => write!(
                f,
                "input {file}: SHA-256 {} recorded, {} now (the file was changed)",
                &recorded[..recorded.len().min(16)],
                &now[..now.len().min(16)]
            ),
            InputChange::Missing { file } => {
                write!(f, "input {file}: recorded, but cannot be read now")
            }
            InputChange::New { file } => {
                write!(f, "input {file}: read now, but not recorded (a new file)")
            }
        }
    }
}

/// Each recorded input, read again from `base` (the scenario's folder)
/// and digested: the ones that changed or are gone.
pub fn check_inputs(recorded: &[InputFile], base: &Path) -> Vec<InputChange> {
    recorded
        .iter()
        .filter_map(|r| match std::fs::read(base.join(&r.file)) {
            Err(_) => Some(InputChange::Missing {
                file: r.file.clone(),
            }),
            Ok(b) => {
                let now = sha256_hex(&b);
                (now != r.sha256).then(|| InputChange::Changed {
                    file: r.file.clone(),
                    recorded: r.sha256.clone(),
                    now,
                })
            }
        })
        .collect()
}

/// The files a fresh load read (`now`) that the output does not record.
pub fn new_inputs(recorded: &[InputFile], now: &[InputFile]) -> Vec<InputChange> {
    now.iter()
        .filter(|n| !recorded.iter().any(|r| r.file == n.file))
        .map(|n| InputChange::New {
            file: n.file.clone(),
        })
        .collect()
}

/// One difference between the published folder and a fresh run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// In the recorded set, but missing from the folder.
    Missing { file: String },
    /// The fresh run writes it, the recorded set has no such file (or the
    /// other way round: `fresh` false).
    NotInSet { file: String, fresh: bool },
    /// A CSV cell: the 1-based line, the row's first cell, the column's
    /// name, the published and the recomputed value.
    Cell {
        file: String,
        line: u64,
        key: String,
        column: String,
        old: String,
        new: String,
    },
    /// A line of a text file (or a CSV row of another shape): the
    /// published and the recomputed line (empty past the end).
    Line {
        file: String,
        line: usize,
        old: String,
        new: String,
    },
    /// A binary file (an Excel workbook) with other bytes.
    Bytes {
        file: String,
        old_len: usize,
        new_len: usize,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Missing { file } => write!(f, "{file}: missing from the folder"),
            Difference::NotInSet { file, fresh: true } => {
                write!(
                    f,
                    "{file}: the run writes it, the folder's manifest does not list it"
                )
            }
            Difference::NotInSet { file, fresh: false } => {
                write!(
                    f,
                    "{file}: listed in the manifest, the run does not write it"
                )
            }
            Difference::Cell {
                file,
                line,
                key,
                column,
                old,
                new,
            } => write!(
                f,
                "{file}: line {line} ({key}), column {column}: {old} → {new}"
            ),
            Difference::Line {
                file,
                line,
                old,
                new,
            } => write!(f, "{file}: line {line}: {old} → {new}"),
            Difference::Bytes {
                file,
                old_len,
                new_len,
            } => write!(
                f,
                "{file}: other bytes ({old_len} bytes published, {new_len} recomputed)"
            ),
        }
    }
}

/// At most this many differences are listed per file (the first ones).
pub const PER_FILE: usize = 5;

/// Compare every file of the recorded set (`recorded`, from the manifest)
/// in `dir` with the fresh run's `fresh`, byte by byte; where they differ,
/// the first [`PER_FILE`] differences of the file. Empty: identical.
pub fn compare_outputs(dir: &Path, recorded: &[String], fresh: &OutputSet) -> Vec<Difference> {
    let mut out = Vec::new();
    for (name, bytes) in fresh.files() {
        if !recorded.iter().any(|r| r == name) {
            out.push(Difference::NotInSet {
                file: name.to_string(),
                fresh: true,
            });
            continue;
        }
        match std::fs::read(dir.join(name)) {
            Err(_) => out.push(Difference::Missing {
                file: name.to_string(),
            }),
            Ok(old) if old == bytes => {}
            Ok(old) => out.extend(file_differences(name, &old, bytes)),
        }
    }
    for r in recorded {
        if !fresh.names().any(|n| n == r) {
            out.push(Difference::NotInSet {
                file: r.clone(),
                fresh: false,
            });
        }
    }
    out
}

/// The first differences of one file whose bytes differ: by cell for a
/// CSV, by line for other text, else by size.
fn file_differences(name: &str, old: &[u8], new: &[u8]) -> Vec<Difference> {
    let (Ok(o), Ok(n)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else {
        return vec![Difference::Bytes {
            file: name.to_string(),
            old_len: old.len(),
            new_len: new.len(),
        }];
    };
    let strip = |s: &'_ str| -> String { s.strip_prefix('\u{feff}').unwrap_or(s).to_string() };
    let mut d = if name.ends_with(".csv") {
        csv_differences(name, &strip(o), &strip(n))
    } else {
        Vec::new()
    };
    if d.is_empty() {
        d = line_differences(name, o, n);
    }
    if d.is_empty() {
        // the same lines, other bytes (a BOM, line ends)
        d.push(Difference::Bytes {
            file: name.to_string(),
            old_len: old.len(),
            new_len: new.len(),
        });
    }
    d.truncate(PER_FILE);
    d
}

/// Cell by cell over rows of the same shape; a row of another shape, or a
/// row only one side has, is a line difference.
fn csv_differences(name: &str, old: &str, new: &str) -> Vec<Difference> {
    let rows = |t: &str| -> Vec<(u64, csv::StringRecord)> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(t.as_bytes());
        r.records()
            .filter_map(|x| x.ok())
            .map(|rec| (rec.position().map_or(0, |p| p.line()), rec))
            .collect()
    };
    let (o, n) = (rows(old), rows(new));
    let header = n.first().map(|(_, h)| h.clone()).unwrap_or_default();
    let mut out = Vec::new();
    let longest = o.len().max(n.len());
    for i in 0..longest {
        let (a, b) = (o.get(i), n.get(i));
        match (a, b) {
            (Some((line, ra)), Some((_, rb))) if ra.len() == rb.len() => {
                for (c, (x, y)) in ra.iter().zip(rb.iter()).enumerate() {
                    if x != y {
                        out.push(Difference::Cell {
                            file: name.to_string(),
                            line: *line,
                            key: format!(
                                "{} {}",
                                header.get(0).unwrap_or("row"),
                                rb.get(0).unwrap_or("")
                            ),
                            column: header.get(c).unwrap_or("?").to_string(),
                            old: x.to_string(),
                            new: y.to_string(),
                        });
                    }
                }
            }
            _ => {
                let join = |r: Option<&(u64, csv::StringRecord)>| {
                    r.map_or(String::new(), |(_, r)| {
                        r.iter().collect::<Vec<_>>().join(",")
                    })
                };
                out.push(Difference::Line {
                    file: name.to_string(),
                    line: a.or(b).map_or(0, |(l, _)| *l as usize),
                    old: join(a),
                    new: join(b),
                });
            }
        }
        if out.len() >= PER_FILE {
            break;
        }
    }
    out
}

/// Line by line (1-based), up to [`PER_FILE`] differing lines.
fn line_differences(name: &str, old: &str, new: &str) -> Vec<Difference> {
    let (o, n): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    (0..o.len().max(n.len()))
        .filter_map(|i| {
            let (a, b) = (o.get(i).copied(), n.get(i).copied());
            (a != b).then(|| Difference::Line {
                file: name.to_string(),
                line: i + 1,
                old: a.unwrap_or("").trim().to_string(),
                new: b.unwrap_or("").trim().to_string(),
            })
        })
        .take(PER_FILE)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)]) -> OutputSet {
        let mut s = OutputSet::new();
        for (n, b) in files {
            s.add(n, b.as_bytes().to_vec());
        }
        s
    }

    #[test]
    fn a_changed_cell_is_named_by_line_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.csv"), "id,school\n1,A\n2,B\n").unwrap();
        std::fs::write(dir.path().join("s.json"), "{\n\"a\": 1\n}\n").unwrap();
        let fresh = set(&[
            ("p.csv", "id,school\n1,A\n2,C\n"),
            ("s.json", "{\n\"a\": 1\n}\n"),
        ]);
        let d = compare_outputs(dir.path(), &["p.csv".into(), "s.json".into()], &fresh);
        assert_eq!(
            d.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["p.csv: line 3 (id 2), column school: B → C"]
        );
    }

    #[test]
    fn missing_files_and_other_text_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s.json"), "{\n\"a\": 1\n}\n").unwrap();
        let fresh = set(&[("s.json", "{\n\"a\": 2\n}\n"), ("p.csv", "x\n")]);
        let d = compare_outputs(dir.path(), &["s.json".into(), "p.csv".into()], &fresh);
        assert_eq!(
            d.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "s.json: line 2: \"a\": 1 → \"a\": 2",
                "p.csv: missing from the folder"
            ]
        );
        assert!(compare_outputs(
            dir.path(),
            &["s.json".into()],
            &set(&[("s.json", "{\n\"a\": 1\n}\n")])
        )
        .is_empty());
    }

    #[test]
    fn changed_and_missing_inputs_are_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "x").unwrap();
        let rec = vec![
            InputFile {
                file: "a.csv".into(),
                bytes: 1,
                sha256: sha256_hex(b"y"),
            },
            InputFile {
                file: "gone.csv".into(),
                bytes: 1,
                sha256: sha256_hex(b"y"),
            },
        ];
        let c = check_inputs(&rec, dir.path());
        assert!(matches!(&c[0], InputChange::Changed { file, .. } if file == "a.csv"));
        assert_eq!(
            c[1],
            InputChange::Missing {
                file: "gone.csv".into()
            }
        );
        let now = vec![InputFile {
            file: "new.csv".into(),
            bytes: 0,
            sha256: String::new(),
        }];
        assert_eq!(
            new_inputs(&rec, &now),
            [InputChange::New {
                file: "new.csv".into()
            }]
        );
    }
}
