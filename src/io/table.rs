//! A CSV table with a header, read whole and checked field by field.
//!
//! Every problem is reported with the file, the 1-based line and the
//! column (position and header name), and reading goes on after a bad row so
//! one run lists them all.

use std::path::{Path, PathBuf};

use crate::diag::{Column, Diagnostics};
use crate::io::text::{decode, Encoding};

pub struct Table {
    pub path: PathBuf,
    text: String,
    headers: Vec<String>,
    header_line: usize,
}

/// One data row of a [`Table`].
pub struct Row<'a> {
    pub line: usize,
    table: &'a Table,
    record: &'a csv::ByteRecord,
}

impl Table {
    /// Read and decode a file. Problems (missing, undecodable, empty) are
    /// added to `diags` and `None` returned.
    pub fn read(path: &Path, encoding: Encoding, diags: &mut Diagnostics) -> Option<Table> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                diags.error(path, None, None, format!("cannot read file: {e}"));
                return None;
            }
        };
        let text = match decode(bytes, encoding) {
            Ok(t) => t,
            Err(e) => {
                diags.error(path, None, None, e);
                return None;
            }
        };
        Self::from_text(path, text, diags)
    }

    /// Use text already in memory (tests, generated data).
    pub fn from_text(path: &Path, text: String, diags: &mut Diagnostics) -> Option<Table> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rec = csv::ByteRecord::new();
        let mut headers = Vec::new();
        let mut header_line = 1;
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {
                    if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                        continue;
                    }
                    header_line = rec.position().map_or(1, |p| p.line() as usize);
                    headers = rec
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).trim().to_string())
                        .collect();
                    break;
                }
                Ok(false) => break,
                Err(e) => {
                    diags.error(path, None, None, format!("unreadable CSV: {e}"));
                    return None;
                }
            }
        }
        if headers.is_empty() {
            diags.error(
                path,
                None,
                None,
                "file is empty; expected a header line and at least one row",
            );
            return None;
        }
        Some(Table {
            path: path.to_path_buf(),
            text,
            headers,
            header_line,
        })
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// Resolve required columns by name, reporting every missing one.
    pub fn require<const N: usize>(
        &self,
        names: [&str; N],
        diags: &mut Diagnostics,
    ) -> Option<[usize; N]> {
        let mut out = [0; N];
        let mut ok = true;
        for (slot, name) in out.iter_mut().zip(names) {
            match self.column(name) {
                Some(c) => *slot = c,
                None => {
                    ok = false;
                    diags.error(
                        &self.path,
                        Some(self.header_line),
                        None,
                        format!(
                            "missing column `{name}`; expected a header with {}",
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        ok.then_some(out)
    }

    /// Visit every non-blank data row. Rows with the wrong number of fields
    /// are reported and skipped (the error says so, so nothing is dropped silently).
    /// Returns the number of rows visited.
    pub fn rows(
        &self,
        diags: &mut Diagnostics,
        mut f: impl FnMut(&Row<'_>, &mut Diagnostics),
    ) -> usize {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(self.text.as_bytes());
        let mut rec = csv::ByteRecord::new();
        let mut n = 0;
        let errors_before = diags.error_count();
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize);
                    diags.error(&self.path, line, None, format!("unreadable CSV: {e}"));
                    break;
                }
            }
            let line = rec.position().map_or(0, |p| p.line() as usize);
            if line <= self.header_line {
                continue;
            }
            if rec.len() == 1 && rec[0].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if rec.len() != self.headers.len() {
                diags.error(
                    &self.path,
                    Some(line),
                    None,
                    format!(
                        "row has {} fields; expected {} as in the header (row skipped)",
                        rec.len(),
                        self.headers.len()
                    ),
                );
                continue;
            }
            n += 1;
            f(
                &Row {
                    line,
                    table: self,
                    record: &rec,
                },
                diags,
            );
        }
        if n == 0 && diags.error_count() == errors_before {
            diags.error(
                &self.path,
                None,
                None,
                "file has a header but no rows; expected at least one row",
            );
        }
        n
    }
}

impl Row<'_> {
    /// The trimmed text of a field.
    pub fn get(&self, col: usize) -> &str {
        std::str::from_utf8(&self.record[col]).map_or("", str::trim)
    }

    pub fn column(&self, col: usize) -> Column {
        Column::Field(col + 1, self.table.headers[col].clone())
    }

    pub fn error(&self, diags: &mut Diagnostics, col: usize, msg: impl Into<String>) {
        diags.error(
            &self.table.path,
            Some(self.line),
            Some(self.column(col)),
            msg,
        );
    }

    pub fn warning(&self, diags: &mut Diagnostics, col: usize, msg: impl Into<String>) {
        diags.warning(
            &self.table.path,
            Some(self.line),
            Some(self.column(col)),
            msg,
        );
    }

    /// A non-empty field, or an error naming what was expected.
    pub fn text(&self, diags: &mut Diagnostics, col: usize, expected: &str) -> Option<&str> {
        let s = self.get(col);
        if s.is_empty() {
            self.error(diags, col, format!("empty; expected {expected}"));
            None
        } else {
            Some(s)
        }
    }

    pub fn f64(&self, diags: &mut Diagnostics, col: usize, expected: &str) -> Option<f64> {
        let s = self.text(diags, col, expected)?;
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                self.error(
                    diags,
                    col,
                    format!("`{s}` is not a number; expected {expected}"),
                );
                None
            }
        }
    }

    pub fn u32(&self, diags: &mut Diagnostics, col: usize, expected: &str) -> Option<u32> {
        let s = self.text(diags, col, expected)?;
        match s.parse::<i64>() {
            Ok(v) if v < 0 => {
                self.error(
                    diags,
                    col,
                    format!("`{s}` is negative; expected {expected}"),
                );
                None
            }
            Ok(v) if v > i64::from(u32::MAX) => {
                self.error(
                    diags,
                    col,
                    format!("`{s}` is too large; expected {expected}"),
                );
                None
            }
            Ok(v) => Some(v as u32),
            Err(_) => {
                self.error(
                    diags,
                    col,
                    format!("`{s}` is not a whole number; expected {expected}"),
                );
                None
            }
        }
    }

    /// A positive whole number.
    pub fn positive(&self, diags: &mut Diagnostics, col: usize, expected: &str) -> Option<u32> {
        let v = self.u32(diags, col, expected)?;
        if v == 0 {
            self.error(diags, col, format!("is 0; expected {expected}"));
            return None;
        }
        Some(v)
    }

    /// A whole number in `lo..=hi`: the bounds of what the column can be,
    /// so no arithmetic on it can overflow.
    pub fn bounded(
        &self,
        diags: &mut Diagnostics,
        col: usize,
        (lo, hi): (u32, u32),
        expected: &str,
    ) -> Option<u32> {
        let v = self.u32(diags, col, expected)?;
        if v < lo {
            self.error(diags, col, format!("is {v}; expected {expected}"));
            return None;
        }
        if v > hi {
            let msg = format!("`{v}` is above {hi}; expected {expected}, at most {hi}");
            self.error(diags, col, msg);
            return None;
        }
        Some(v)
    }

    /// Resolve an id in `ids`, or report `unknown {what} ...; expected a
    /// {what}_id from {file}`.
    pub fn lookup<T: Copy>(
        &self,
        diags: &mut Diagnostics,
        col: usize,
        ids: &std::collections::HashMap<&str, T>,
        what: &str,
        file: &str,
    ) -> Option<T> {
        let v = self.get(col);
        let found = ids.get(v).copied();
        if found.is_none() {
            self.error(
                diags,
                col,
                format!("unknown {what} `{v}`; expected a {what}_id from {file}"),
            );
        }
        found
    }

    pub fn bool(&self, diags: &mut Diagnostics, col: usize) -> Option<bool> {
        let s = self.get(col);
        match parse_bool(s) {
            Some(b) => Some(b),
            None => {
                self.error(
                    diags,
                    col,
                    format!("`{s}` is not a yes/no value; expected true or false (also 1/0, yes/no, 是/否)"),
                );
                None
            }
        }
    }
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "TRUE" | "True" | "1" | "yes" | "YES" | "Yes" | "y" | "Y" | "是" => Some(true),
        "false" | "FALSE" | "False" | "0" | "no" | "NO" | "No" | "n" | "N" | "否" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> (Option<Table>, Diagnostics) {
        let mut d = Diagnostics::new();
        let t = Table::from_text(Path::new("t.csv"), text.to_string(), &mut d);
        (t, d)
    }

    #[test]
    fn reports_every_missing_column() {
        let (t, mut d) = table("a,b\n1,2\n");
        assert!(t.unwrap().require(["a", "c", "d"], &mut d).is_none());
        let msgs: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        assert_eq!(msgs.len(), 2);
        assert!(
            msgs[0].starts_with("t.csv:1: missing column `c`"),
            "{msgs:?}"
        );
    }

    #[test]
    fn field_errors_name_line_and_column() {
        let (t, mut d) = table("id,n\nx,1\ny,abc\n");
        let t = t.unwrap();
        let mut got = Vec::new();
        t.rows(&mut d, |r, d| got.push(r.u32(d, 1, "a count")));
        assert_eq!(got, vec![Some(1), None]);
        assert_eq!(
            d.iter().next().unwrap().to_string(),
            "t.csv:3: column 2 (n): `abc` is not a whole number; expected a count"
        );
    }

    #[test]
    fn empty_file_is_an_error() {
        let (t, d) = table("");
        assert!(t.is_none());
        assert!(d
            .iter()
            .next()
            .unwrap()
            .to_string()
            .contains("file is empty"));
    }
}
