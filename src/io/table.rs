//! A CSV table with a header, read whole and checked field by field.
//!
//! Planners save these files from Excel, WPS or a text editor, so the reader
//! is written for what those programs produce rather than for RFC 4180 in
//! full (README "Input files: lines, quotes and headers"):
//!
//! * **Lines.** A line ends at CRLF (Excel on Windows), LF or a bare CR (old
//!   Mac Excel), mixed freely. Every message names the *physical* line, the
//!   one a planner sees in a text editor.
//! * **Quotes.** A cell is quoted when it starts with `"`; a doubled `""`
//!   inside stands for one quote. A quoted cell must close on the line it
//!   opens: a cell that would run over several lines (a typed `"F0026`, or an
//!   Alt+Enter line break inside a cell) is an error at the line where the
//!   quote opens, and reading goes on at the next line, so a stray quote can
//!   never swallow later rows. A quote inside an unquoted cell, or text after
//!   a closing quote, is an error too.
//! * **Blank lines** and lines of commas only (Excel leaves them below a
//!   table) are skipped; the comma-only ones are counted in a warning.
//! * **Headers** match ignoring case and surrounding spaces (also full-width
//!   spaces). A column name given twice is an error. A column that matches
//!   no known name but looks like one (full-width or look-alike letters,
//!   edit distance ≤ 2) is a warning with "did you mean".
//!
//! Every problem is reported with the file, the physical line and the column
//! (position and header name), and reading goes on after a bad row so one
//! run lists them all. Every non-blank line after the header is either a row
//! handed to the reader or an error naming its line: [`ReadCount`] keeps the
//! books and `validate` prints them.

use std::cell::RefCell;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::domain::diag::{echo, Column, Diagnostics, ReadCount};
use crate::io::text::{decode, Encoding};

pub struct Table {
    pub path: PathBuf,
    text: String,
    /// Header names as written (trimmed).
    headers: Vec<String>,
    /// Header names folded for matching ([`fold`]).
    folded: Vec<String>,
    /// Number of header columns up to the last one with a name.
    named: usize,
    header_line: usize,
    /// Byte offset in `text` where the line after the header starts.
    body_start: usize,
    /// The names readers asked for (required and optional), for the
    /// "did you mean" check on unknown columns.
    asked: RefCell<Vec<String>>,
    /// Folded names already reported as repeated.
    repeated: RefCell<Vec<String>>,
    /// The cells that could be read of each rejected line (for ids that
    /// other files refer to: their rows have an error of their own, so
    /// references to them are not reported again).
    rejected: RefCell<Vec<Vec<String>>>,
    /// The worksheet, when the table is an Excel workbook ([`crate::io::excel`]).
    sheet: Option<String>,
    /// Cells of the workbook that could not be read as text: `(line,
    /// 0-based field, message)`; their rows are rejected.
    bad_cells: Vec<(usize, usize, String)>,
}

/// One data row of a [`Table`].
pub struct Row<'a> {
    /// Physical 1-based line of the row.
    pub line: usize,
    table: &'a Table,
    cells: &'a str,
    spans: &'a [Range<usize>],
}

/// Split text into physical lines: `(1-based number, start, end)` without
/// the terminator. CRLF, LF and a bare CR each end one line.
pub fn physical_lines(text: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let b = text.as_bytes();
    let mut pos = 0;
    let mut n = 0;
    std::iter::from_fn(move || {
        if pos >= b.len() {
            return None;
        }
        let start = pos;
        let mut end = pos;
        while end < b.len() && b[end] != b'\n' && b[end] != b'\r' {
            end += 1;
        }
        pos = end;
        if pos < b.len() {
            pos += if b[pos] == b'\r' && b.get(pos + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
        }
        n += 1;
        Some((n, start, end))
    })
}

/// A problem splitting one line into cells.
#[derive(Debug, PartialEq, Eq)]
enum SplitError {
    /// A quoted cell (starting at this 0-based field) has no closing quote on its line.
    Unclosed(usize),
    /// A quote inside an unquoted cell.
    Stray(usize),
    /// Text between a closing quote and the next comma.
    AfterQuote(usize),
}

impl SplitError {
    /// The 0-based field where the problem is.
    fn field(&self) -> usize {
        match *self {
            SplitError::Unclosed(c) | SplitError::Stray(c) | SplitError::AfterQuote(c) => c,
        }
    }
}

/// Split one physical line into cells, appending their text to `buf` and
/// their byte ranges in `buf` to `spans`.
fn split_line(
    line: &str,
    buf: &mut String,
    spans: &mut Vec<Range<usize>>,
) -> Result<(), SplitError> {
    buf.clear();
    spans.clear();
    let mut rest = line;
    loop {
        let field = spans.len();
        let start = buf.len();
        if let Some(q) = rest.strip_prefix('"') {
            // quoted: up to a quote not followed by another quote
            let mut s = q;
            loop {
                let Some(i) = s.find('"') else {
                    return Err(SplitError::Unclosed(field));
                };
                buf.push_str(&s[..i]);
                s = &s[i + 1..];
                if let Some(after) = s.strip_prefix('"') {
                    buf.push('"');
                    s = after;
                    continue;
                }
                break;
            }
            spans.push(start..buf.len());
            if s.is_empty() {
                return Ok(());
            }
            match s.strip_prefix(',') {
                Some(after) => rest = after,
                None => return Err(SplitError::AfterQuote(field)),
            }
        } else {
            let (cell, after) = match rest.find(',') {
                Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                None => (rest, None),
            };
            if cell.contains('"') {
                return Err(SplitError::Stray(field));
            }
            buf.push_str(cell);
            spans.push(start..buf.len());
            match after {
                Some(a) => rest = a,
                None => return Ok(()),
            }
        }
    }
}

/// Fold a header name for matching: trim (also full-width spaces) and
/// lower-case ASCII. Full-width letters are *not* folded: they are reported
/// with "did you mean" instead, so a planner sees what Excel saved.
fn fold(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}')
        .to_ascii_lowercase()
}

/// Map full-width ASCII and common Cyrillic/Greek look-alikes to ASCII, for
/// the "did you mean" suggestion only.
fn skeleton(s: &str) -> String {
    fold(s)
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            'а' | 'А' | 'α' | 'Α' => 'a',
            'е' | 'Е' | 'ε' | 'Ε' => 'e',
            'о' | 'О' | 'ο' | 'Ο' => 'o',
            'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
            'с' | 'С' => 'c',
            'х' | 'Х' | 'χ' | 'Χ' => 'x',
            'у' | 'У' => 'y',
            'і' | 'І' | 'ι' | 'Ι' => 'i',
            'ѕ' | 'Ѕ' => 's',
            'ј' | 'Ј' => 'j',
            'к' | 'К' | 'κ' | 'Κ' => 'k',
            'м' | 'М' | 'Μ' => 'm',
            'н' | 'Н' | 'Η' => 'h',
            'т' | 'Т' | 'τ' | 'Τ' => 't',
            'в' | 'В' | 'Β' => 'b',
            'ν' | 'Ν' => 'n',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Levenshtein distance, for "did you mean" (short strings only).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Whether a header name looks like `known` without matching it (also
/// the scenario reader's "did you mean").
pub(crate) fn looks_like(header: &str, known: &str) -> bool {
    let (h, k) = (skeleton(header), skeleton(known));
    let squash = |s: &str| s.replace(['_', ' ', '-'], "");
    h == k || squash(&h) == squash(&k) || edit_distance(&h, &k) <= 2
}

/// ` (did you mean `X`?)` for the known id `id` looks like a typo of: the
/// same but for case, full-width letters or separators, or one edit away
/// (two for ids of 8 characters or more; none for ids under 4, where one
/// edit is another school). The nearest, then the first in sort order, so
/// the hint does not depend on a hash order; empty when none is close.
pub(crate) fn did_you_mean<'a>(id: &str, known: impl Iterator<Item = &'a str>) -> String {
    let (a, n) = (skeleton(id), id.chars().count());
    let squash = |s: &str| s.replace(['_', ' ', '-'], "");
    let most = match n {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    known
        .filter_map(|k| {
            let b = skeleton(k);
            let d = if a == b || squash(&a) == squash(&b) {
                0
            } else {
                edit_distance(&a, &b)
            };
            (d <= most).then_some((d, k))
        })
        .min()
        .map_or(String::new(), |(_, k)| format!(" (did you mean `{k}`?)"))
}

impl Table {
    /// Read and decode a file. Problems (missing, undecodable, empty) are
    /// added to `diags` and `None` returned. When a `.csv` is absent and
    /// the `.xlsx` of the same stem exists, the workbook's first sheet is
    /// read instead ([`crate::io::excel`]); both present is an error (which
    /// one is meant cannot be guessed).
    pub fn read(path: &Path, encoding: Encoding, diags: &mut Diagnostics) -> Option<Table> {
        use crate::io::excel;
        if excel::is_csv(path) {
            let twin = excel::xlsx_twin(path);
            match (path.exists(), twin.exists()) {
                // sunshine's own workbook beside its CSV (`classes
                // --placements out/placements.csv`) is no alternative input
                (true, true) if excel::written_by_sunshine(&twin) => {}
                (true, true) => {
                    diags.error(
                        path,
                        None,
                        None,
                        format!(
                            "both {} and {} exist; expected one of them (remove or rename the other)",
                            path.display(),
                            twin.display()
                        ),
                    );
                    return None;
                }
                (false, true) => return Self::read_xlsx(&twin, None, diags),
                _ => {}
            }
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        {
            return Self::read_xlsx(path, None, diags);
        }
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
                diags.error(path, Some(e.line), None, e.message);
                return None;
            }
        };
        Self::from_text(path, text, diags)
    }

    /// Read worksheet `sheet` (the first when `None`) of an Excel
    /// workbook: every problem in it then names sheet and cell.
    pub fn read_xlsx(path: &Path, sheet: Option<&str>, diags: &mut Diagnostics) -> Option<Table> {
        let st = match crate::io::excel::read_sheet(path, sheet) {
            Ok(st) => st,
            Err(msg) => {
                diags.error(path, None, None, msg);
                return None;
            }
        };
        diags.sheet(path, &st.sheet);
        let mut t = Self::from_text(path, st.text, diags)?;
        t.bad_cells = st
            .bad
            .into_iter()
            .map(|(row, col, msg)| (row, col - 1, msg))
            .collect();
        t.sheet = Some(st.sheet);
        Some(t)
    }

    /// Use text already in memory (tests, generated data).
    pub fn from_text(path: &Path, text: String, diags: &mut Diagnostics) -> Option<Table> {
        let mut buf = String::new();
        let mut spans = Vec::new();
        let mut header = None;
        for (n, start, end) in physical_lines(&text) {
            let line = &text[start..end];
            if line.trim().is_empty() {
                continue;
            }
            match split_line(line, &mut buf, &mut spans) {
                Ok(()) => {
                    if spans.iter().all(|s| buf[s.clone()].trim().is_empty()) {
                        continue; // commas only above the header
                    }
                    let body_start = physical_lines(&text)
                        .nth(n)
                        .map_or(text.len(), |(_, s, _)| s);
                    header = Some((n, body_start));
                    break;
                }
                Err(e) => {
                    diags.error(path, Some(n), None, split_message(&e));
                    return None;
                }
            }
        }
        let Some((header_line, body_start)) = header else {
            diags.error(
                path,
                None,
                None,
                "file is empty; expected a header line and at least one row",
            );
            return None;
        };
        let headers: Vec<String> = spans
            .iter()
            .map(|s| buf[s.clone()].trim().to_string())
            .collect();
        let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
        let named = folded
            .iter()
            .rposition(|h| !h.is_empty())
            .map_or(0, |i| i + 1);
        Some(Table {
            path: path.to_path_buf(),
            text,
            headers,
            folded,
            named,
            header_line,
            body_start,
            asked: RefCell::new(Vec::new()),
            repeated: RefCell::new(Vec::new()),
            rejected: RefCell::new(Vec::new()),
            sheet: None,
            bad_cells: Vec::new(),
        })
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The physical line of the header.
    pub fn header_line(&self) -> usize {
        self.header_line
    }

    /// The column of a name (ignoring case and surrounding spaces). A name
    /// the header gives twice is an error, reported by [`Table::rows`].
    pub fn column(&self, name: &str) -> Option<usize> {
        let want = fold(name);
        self.asked.borrow_mut().push(want.clone());
        self.folded.iter().position(|h| *h == want)
    }

    fn header_error(&self, diags: &mut Diagnostics, msg: String) {
        diags.error(&self.path, Some(self.header_line), None, msg);
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
                Some(c) => {
                    *slot = c;
                    self.report_repeat(c, diags);
                }
                None => {
                    ok = false;
                    let hint = self
                        .headers
                        .iter()
                        .enumerate()
                        .find(|(_, h)| !h.is_empty() && looks_like(h, name))
                        .map(|(i, h)| {
                            format!(
                                " (column {} is `{}`: did you mean `{name}`?)",
                                i + 1,
                                echo(h)
                            )
                        })
                        .unwrap_or_default();
                    self.header_error(
                        diags,
                        format!(
                            "missing column `{name}`{hint}; expected a header with {}",
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        ok.then_some(out)
    }

    /// A known column name given again after column `first` is an error
    /// (which one is meant cannot be guessed), reported once.
    fn report_repeat(&self, first: usize, diags: &mut Diagnostics) {
        let f = &self.folded[first];
        let Some(again) = self.folded[first + 1..].iter().position(|g| g == f) else {
            return;
        };
        if self.repeated.borrow().contains(f) {
            return;
        }
        self.repeated.borrow_mut().push(f.clone());
        self.header_error(
            diags,
            format!(
                "column {} repeats column {} (`{}`); expected each column name once",
                first + again + 2,
                first + 1,
                echo(&self.headers[first])
            ),
        );
    }

    /// Header problems that depend on the names the reader asked for:
    /// a known name given twice (error), an unknown name that looks like a
    /// known one (warning).
    fn check_headers(&self, diags: &mut Diagnostics) {
        let asked = self.asked.borrow();
        for (i, f) in self.folded.iter().enumerate() {
            if f.is_empty() {
                continue;
            }
            if let Some(first) = self.folded[..i].iter().position(|g| g == f) {
                if asked.contains(f) {
                    self.report_repeat(first, diags);
                }
                continue;
            }
            if asked.contains(f) {
                continue;
            }
            let present = |k: &String| self.folded.contains(k);
            if let Some(k) = asked.iter().find(|k| !present(k) && looks_like(f, k)) {
                diags.warning(
                    &self.path,
                    Some(self.header_line),
                    Some(Column::Field(i + 1, echo(&self.headers[i]))),
                    format!(
                        "unknown column `{}` is ignored; did you mean `{k}`?",
                        echo(&self.headers[i])
                    ),
                );
            }
        }
    }

    /// Visit every data row. Blank and comma-only lines are skipped (the
    /// comma-only ones counted in a warning); a line that cannot be split
    /// into the header's columns is an error naming its line and skipped.
    /// The books are added to `diags` as a [`ReadCount`].
    pub fn rows(
        &self,
        diags: &mut Diagnostics,
        f: impl FnMut(&Row<'_>, &mut Diagnostics),
    ) -> usize {
        self.visit(diags, false, f)
    }

    /// [`Table::rows`] for a file where a header alone is valid (a seat
    /// history before any seat was locked).
    pub fn rows_or_none(
        &self,
        diags: &mut Diagnostics,
        f: impl FnMut(&Row<'_>, &mut Diagnostics),
    ) -> usize {
        self.visit(diags, true, f)
    }

    fn visit(
        &self,
        diags: &mut Diagnostics,
        empty_ok: bool,
        mut f: impl FnMut(&Row<'_>, &mut Diagnostics),
    ) -> usize {
        self.check_headers(diags);
        let mut count = ReadCount {
            path: self.path.clone(),
            sheet: self.sheet.clone(),
            ..ReadCount::default()
        };
        let mut comma_lines = Vec::new();
        let mut buf = String::new();
        let mut spans = Vec::new();
        let body = &self.text[self.body_start..];
        for (k, start, end) in physical_lines(body) {
            let line = self.header_line + k;
            count.lines += 1;
            let text = &body[start..end];
            if text.trim().is_empty() {
                count.blank += 1;
                continue;
            }
            // a workbook cell that could not be read (`#N/A`, a line
            // break): an error at the cell, and the row is skipped
            let bad: Vec<&(usize, usize, String)> =
                self.bad_cells.iter().filter(|b| b.0 == line).collect();
            if !bad.is_empty() {
                count.rejected += 1;
                if split_line(text, &mut buf, &mut spans).is_ok() {
                    self.keep_rejected(&buf, &spans);
                }
                for (_, field, msg) in bad {
                    diags.error(&self.path, Some(line), self.col_ref(*field), msg.clone());
                }
                continue;
            }
            if let Err(e) = split_line(text, &mut buf, &mut spans) {
                count.rejected += 1;
                self.keep_rejected(&buf, &spans);
                let col = self.col_ref(e.field());
                diags.error(&self.path, Some(line), col, split_message(&e));
                continue;
            }
            let cell = |i: usize| buf[spans[i].clone()].trim();
            if (0..spans.len()).all(|i| cell(i).is_empty()) {
                count.comma_only += 1;
                comma_lines.push(line);
                continue;
            }
            // Excel pads rows to its widest row: empty cells past the last
            // named column are fine; a value there, or a short row, is not.
            let extra = (self.named..spans.len()).find(|&i| !cell(i).is_empty());
            if spans.len() < self.named || extra.is_some() {
                count.rejected += 1;
                self.keep_rejected(&buf, &spans);
                let msg = match extra {
                    Some(i) if i < self.headers.len() => format!(
                        "a value in column {}, which has no name in the header; expected the cell empty or a column name in line {} (row skipped)",
                        i + 1,
                        self.header_line
                    ),
                    _ if spans.len() < self.named => format!(
                        "row has {} fields; expected {} as in the header (row skipped)",
                        spans.len(),
                        self.named
                    ),
                    _ => format!(
                        "row has {} fields; expected {} as in the header (row skipped; a comma inside a cell needs the cell in quotes)",
                        spans.len(),
                        self.named
                    ),
                };
                diags.error(&self.path, Some(line), None, msg);
                continue;
            }
            count.rows += 1;
            f(
                &Row {
                    line,
                    table: self,
                    cells: &buf,
                    spans: &spans,
                },
                diags,
            );
        }
        if !comma_lines.is_empty() {
            let shown: Vec<String> = comma_lines.iter().take(5).map(usize::to_string).collect();
            let more = if comma_lines.len() > 5 { ", …" } else { "" };
            diags.warning(
                &self.path,
                Some(comma_lines[0]),
                None,
                format!(
                    "{} line(s) of commas only skipped (line {}{more}); Excel leaves these below a table",
                    comma_lines.len(),
                    shown.join(", ")
                ),
            );
        }
        if count.rows == 0 && count.rejected == 0 && !empty_ok {
            diags.error(
                &self.path,
                None,
                None,
                "file has a header but no rows; expected at least one row",
            );
        }
        debug_assert_eq!(
            count.lines,
            count.rows + count.blank + count.comma_only + count.rejected
        );
        let n = count.rows;
        diags.count(count);
        n
    }

    fn keep_rejected(&self, buf: &str, spans: &[Range<usize>]) {
        self.rejected.borrow_mut().push(
            spans
                .iter()
                .map(|s| buf[s.clone()].trim().to_string())
                .collect(),
        );
    }

    /// The non-empty values of column `col` in the lines [`Table::rows`]
    /// rejected, where that cell could be read.
    pub fn rejected_values(&self, col: usize) -> Vec<String> {
        self.rejected
            .borrow()
            .iter()
            .filter_map(|cells| cells.get(col).filter(|c| !c.is_empty()).cloned())
            .collect()
    }

    fn col_ref(&self, field: usize) -> Option<Column> {
        Some(Column::Field(
            field + 1,
            self.headers.get(field).cloned().unwrap_or_default(),
        ))
    }
}

fn split_message(e: &SplitError) -> String {
    match e {
        SplitError::Unclosed(_) => "a quote `\"` opens a cell that does not close on this line; expected a closing `\"` before the end of the line (cells spanning several lines are not read: remove the stray quote or the line break inside the cell) (row skipped)".into(),
        SplitError::Stray(_) => "a quote `\"` inside a cell that is not quoted; expected the whole cell in quotes with the quote doubled (`\"a\"\"b\"`), or no quote (row skipped)".into(),
        SplitError::AfterQuote(_) => "text after the closing quote of a cell; expected a comma or the end of the line after the closing `\"` (row skipped)".into(),
    }
}

impl Row<'_> {
    /// The trimmed text of a field (empty past the end of a padded row);
    /// a cell that sunshine neutralised against formula injection (`'=…`)
    /// reads as the text without the apostrophe, as a spreadsheet shows it.
    pub fn get(&self, col: usize) -> &str {
        self.spans.get(col).map_or("", |s| {
            crate::io::output::csv_cell_unescape(self.cells[s.clone()].trim())
        })
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
                    format!("`{}` is not a number; expected {expected}", echo(s)),
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
                    format!("`{}` is negative; expected {expected}", echo(s)),
                );
                None
            }
            Ok(v) if v > i64::from(u32::MAX) => {
                self.error(
                    diags,
                    col,
                    format!("`{}` is too large; expected {expected}", echo(s)),
                );
                None
            }
            Ok(v) => Some(v as u32),
            Err(_) => {
                self.error(
                    diags,
                    col,
                    format!("`{}` is not a whole number; expected {expected}", echo(s)),
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
                format!(
                    "unknown {what} `{}`; expected a {what}_id from {file}",
                    echo(v)
                ),
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
                    format!("`{}` is not a yes/no value; expected true or false (also 1/0, yes/no, 是/否)", echo(s)),
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
    use crate::io::text::line_of_offset;

    fn table(text: &str) -> (Option<Table>, Diagnostics) {
        let mut d = Diagnostics::new();
        let t = Table::from_text(Path::new("t.csv"), text.to_string(), &mut d);
        (t, d)
    }

    /// Rows as (line, cells) and every message, for one text.
    fn read(text: &str, cols: &[&str]) -> (Vec<(usize, Vec<String>)>, Vec<String>) {
        let (t, mut d) = table(text);
        let mut rows = Vec::new();
        if let Some(t) = t {
            for c in cols {
                t.column(c);
            }
            t.rows(&mut d, |r, _| {
                rows.push((
                    r.line,
                    (0..t.headers().len())
                        .map(|i| r.get(i).to_string())
                        .collect(),
                ));
            });
        }
        (rows, d.iter().map(|x| x.to_string()).collect())
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

    /// Excel on Windows writes CRLF, old Mac Excel a bare CR: every ending,
    /// and any mix, reads exactly like LF, first row included, with the
    /// physical line numbers a text editor shows.
    #[test]
    fn every_line_ending_reads_like_lf() {
        let lf = "id,n\na,1\nb,2\n\nc,x\n";
        let (rows_lf, msgs_lf) = read(lf, &["id", "n"]);
        assert_eq!(rows_lf.len(), 3);
        assert_eq!(rows_lf[0], (2, vec!["a".into(), "1".into()]));
        for text in [
            lf.replace('\n', "\r\n"),
            lf.replace('\n', "\r"),
            "id,n\r\na,1\rb,2\n\r\nc,x".to_string(),
            "id,n\ra,1\r\nb,2\r\rc,x\r\n".to_string(),
        ] {
            let (rows, msgs) = read(&text, &["id", "n"]);
            assert_eq!(rows, rows_lf, "{text:?}");
            assert_eq!(msgs, msgs_lf, "{text:?}");
        }
        assert_eq!(rows_lf[2].0, 5);
    }

    /// A stray quote never swallows later rows: it is an error at its own
    /// line, and every other row is read.
    #[test]
    fn a_stray_quote_is_an_error_at_its_line_and_swallows_nothing() {
        let text = "id,family\na,F1\nb,\"F0026\nc,F3\nd,\"F4\ne,F5\n";
        let (rows, msgs) = read(text, &["id", "family"]);
        let ids: Vec<&str> = rows.iter().map(|(_, c)| c[0].as_str()).collect();
        assert_eq!(ids, ["a", "c", "e"]);
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].starts_with("t.csv:3: column 2 (family): a quote"),
            "{msgs:?}"
        );
        assert!(
            msgs[1].starts_with("t.csv:5: column 2 (family): a quote"),
            "{msgs:?}"
        );
        // a quote inside an unquoted cell, text after a closing quote
        let (rows, msgs) = read(
            "id,n\na,x\"y\nb,\"x\"y\nc,\"ok, \"\"quoted\"\"\"\n",
            &["id"],
        );
        assert_eq!(rows, vec![(4, vec!["c".into(), "ok, \"quoted\"".into()])]);
        assert!(
            msgs[0].starts_with("t.csv:2: column 2 (n): a quote `\"` inside"),
            "{msgs:?}"
        );
        assert!(
            msgs[1].starts_with("t.csv:3: column 2 (n): text after"),
            "{msgs:?}"
        );
    }

    #[test]
    fn comma_only_lines_are_skipped_and_counted() {
        let (t, mut d) = table("id,n\na,1\n,\n\nb,2\n,,\n");
        let t = t.unwrap();
        t.column("id");
        assert_eq!(t.rows(&mut d, |_, _| {}), 2);
        let msgs: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        assert_eq!(
            msgs,
            ["t.csv:3: warning: 2 line(s) of commas only skipped (line 3, 6); Excel leaves these below a table"]
        );
        let c = d.counts().next().unwrap();
        assert_eq!(
            (c.lines, c.rows, c.blank, c.comma_only, c.rejected),
            (5, 2, 1, 2, 0)
        );
    }

    #[test]
    fn padded_rows_and_unnamed_columns() {
        // Excel pads to the widest row; a value under no name is an error
        let (rows, msgs) = read("id,n,,\na,1,,\nb,2\nc,3,x,\nd\n", &["id", "n"]);
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 3]);
        assert!(
            msgs[0].starts_with("t.csv:4: a value in column 3, which has no name"),
            "{msgs:?}"
        );
        assert!(
            msgs[1].starts_with("t.csv:5: row has 1 fields; expected 2"),
            "{msgs:?}"
        );
    }

    #[test]
    fn headers_ignore_case_and_spaces_and_reject_repeats() {
        let (t, mut d) =
            table(" Student_ID ,FAMILY_ID,family_id,Preference,ｓｃｏｒｅ\ns1,f,g,x,1\n");
        let t = t.unwrap();
        assert_eq!(t.require(["student_id"], &mut d), Some([0]));
        assert_eq!(t.column("family_id"), Some(1));
        assert_eq!(t.column("preferences"), None);
        assert_eq!(t.column("score"), None);
        t.rows(&mut d, |_, _| {});
        let msgs: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(
            msgs[0].contains("column 3 repeats column 2 (`FAMILY_ID`)"),
            "{msgs:?}"
        );
        assert!(
            msgs[1].contains("unknown column `Preference` is ignored; did you mean `preferences`?"),
            "{msgs:?}"
        );
        assert!(msgs[2].contains("did you mean `score`?"), "{msgs:?}");
    }

    #[test]
    fn missing_required_column_suggests_a_look_alike() {
        let (t, mut d) = table("studentid,n\n1,2\n");
        assert!(t.unwrap().require(["student_id"], &mut d).is_none());
        let m = d.iter().next().unwrap().to_string();
        assert!(
            m.contains("(column 1 is `studentid`: did you mean `student_id`?)"),
            "{m}"
        );
    }

    #[test]
    fn long_cells_are_cut_in_messages() {
        let long = "9".repeat(1_000_000);
        let (t, mut d) = table(&format!("id,n\na,x{long}\n"));
        let t = t.unwrap();
        t.rows(&mut d, |r, d| {
            r.u32(d, 1, "a count");
        });
        let m = d.iter().next().unwrap().to_string();
        assert!(m.len() < 300, "{}", m.len());
        assert!(m.contains("x99999") && m.contains('…'), "{m}");
    }

    #[test]
    fn lines_of_offsets() {
        let b = b"a\r\nb\rc\nd";
        assert_eq!(line_of_offset(b, 0), 1);
        assert_eq!(line_of_offset(b, 3), 2);
        assert_eq!(line_of_offset(b, 5), 3);
        assert_eq!(line_of_offset(b, 7), 4);
        let lines: Vec<(usize, usize, usize)> = physical_lines("a\r\nb\rc\nd").collect();
        assert_eq!(lines, [(1, 0, 1), (2, 3, 4), (3, 5, 6), (4, 7, 8)]);
    }
}
