//! Problems found in the input, reported the way a planner can act on them:
//! `file:line: column NAME: what is wrong; expected what`.
//!
//! Readers collect every problem of a run into [`Diagnostics`] instead of
//! stopping at the first one, so a planner fixes a file in one pass.

use std::fmt;
use std::path::{Path, PathBuf};

/// Whether a problem stops the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The input cannot be used: nothing is written and the run exits
    /// with code 2.
    Error,
    /// Suspicious but usable (e.g. a class size above 55, 大班额): shown,
    /// and the run goes on.
    Warning,
}

/// Where in an input a problem sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    /// A CSV field: 1-based position and header name.
    Field(usize, String),
    /// A character column in a text file such as the scenario TOML.
    Char(usize),
}

/// One problem in one input file, shown as
/// `file:line: column N (NAME): message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it stops the run.
    pub severity: Severity,
    /// The input file, as given on the command line or resolved from the
    /// scenario.
    pub file: PathBuf,
    /// 1-based line; `None` for a problem of the whole file.
    pub line: Option<usize>,
    /// Where on the line; `None` for a problem of the whole line or file.
    pub column: Option<Column>,
    /// What is wrong; expected what. At most 600 characters, quoted cells
    /// at most [`MAX_ECHO`] (records are about minors).
    pub message: String,
    /// The worksheet when the file is an Excel workbook (issue 17): the
    /// line is then the sheet's row and a [`Column::Field`] its column, and
    /// the place reads `学生!D17` as Excel shows it instead of line/column.
    /// Set by [`Diagnostics::push`] from [`Diagnostics::sheet`].
    pub sheet: Option<String>,
}

/// The Excel name of a 1-based column number: 1 → `A`, 27 → `AA`.
pub fn column_letters(mut n: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(sheet) = &self.sheet {
            // `students.xlsx: 学生!D17 (entry_grade): …`, `学生 row 17`, `学生`
            write!(f, ": {sheet}")?;
            match (self.line, &self.column) {
                (Some(line), Some(Column::Field(n, name))) => {
                    write!(f, "!{}{line} ({name})", column_letters(*n))?
                }
                (Some(line), _) => write!(f, " row {line}")?,
                (None, _) => {}
            }
        } else if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(Column::Char(c)) = &self.column {
                write!(f, ":{c}")?;
            }
        }
        if let (None, Some(Column::Field(n, name))) = (&self.sheet, &self.column) {
            write!(f, ": column {n} ({name})")?;
        }
        let tag = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(f, ": {tag}{}", self.message)
    }
}

/// All problems found in one run, in the order they were found.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// The books of every CSV file read (lines, rows, skipped lines).
    counts: Vec<ReadCount>,
    /// The worksheet read of each Excel file (issue 17), so every problem
    /// in it, whoever reports it, names sheet and cell.
    sheets: Vec<(PathBuf, String)>,
}

/// Longest message kept; longer ones are cut (a message must never carry
/// a whole row or a huge cell: records are about minors).
const MAX_MESSAGE: usize = 600;

/// Cut every backtick-quoted echo to [`MAX_ECHO`]
/// characters and the whole message to [`MAX_MESSAGE`].
fn clip(msg: String) -> String {
    if msg.len() <= 80 {
        return msg;
    }
    let mut out = String::with_capacity(msg.len().min(MAX_MESSAGE + 4));
    for (i, part) in msg.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(&echo(part));
        } else {
            out.push_str(part);
        }
    }
    if out.chars().count() > MAX_MESSAGE {
        out = out.chars().take(MAX_MESSAGE - 1).collect();
        out.push('…');
    }
    out
}

impl Diagnostics {
    /// No problems and no files read yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record a problem, its message cut to size and its quoted cells to
    /// [`MAX_ECHO`] characters.
    pub fn push(&mut self, mut d: Diagnostic) {
        d.message = clip(d.message);
        if d.sheet.is_none() {
            d.sheet = self
                .sheets
                .iter()
                .find(|(p, _)| *p == d.file)
                .map(|(_, s)| s.clone());
        }
        self.items.push(d);
    }

    /// Name the worksheet read of the Excel file `file`: every problem
    /// reported in `file` from now on reads `file: SHEET!D17 (name)`
    /// instead of `file:17: column 4 (name)`.
    pub fn sheet(&mut self, file: &Path, sheet: &str) {
        self.sheets.push((file.to_path_buf(), sheet.to_string()));
    }

    /// Record the books of one file read ([`ReadCount`]).
    pub fn count(&mut self, c: ReadCount) {
        self.counts.push(c);
    }

    /// The books of every file read, in reading order.
    pub fn counts(&self) -> impl Iterator<Item = &ReadCount> {
        self.counts.iter()
    }

    /// Record an error in `file` at `line` and `column` (`None`: the
    /// whole file, or the whole line).
    pub fn error(
        &mut self,
        file: &Path,
        line: Option<usize>,
        column: Option<Column>,
        msg: impl Into<String>,
    ) {
        self.push(Diagnostic {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line,
            column,
            message: msg.into(),
            sheet: None,
        });
    }

    /// Record a warning in `file` at `line` and `column` (`None`: the
    /// whole file, or the whole line).
    pub fn warning(
        &mut self,
        file: &Path,
        line: Option<usize>,
        column: Option<Column>,
        msg: impl Into<String>,
    ) {
        self.push(Diagnostic {
            severity: Severity::Warning,
            file: file.to_path_buf(),
            line,
            column,
            message: msg.into(),
            sheet: None,
        });
    }

    /// Add another reader's problems and file books after these.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
        self.counts.extend(other.counts);
        self.sheets.extend(other.sheets);
    }

    /// Whether any error was found: the run must then stop before writing
    /// anything.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// The errors, in the order found.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity == Severity::Error)
    }

    /// The warnings, in the order found.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// The number of errors (the N of "N problem(s) in the input").
    pub fn error_count(&self) -> usize {
        self.errors().count()
    }

    /// Whether nothing at all was found, neither error nor warning.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every problem, errors and warnings, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

/// The error type of the library: bad input (exit code 2) or a failure
/// outside the user's data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the input files or the scenario, every one found (exit
    /// code 2; nothing was written).
    #[error("{} problem(s) in the input", .0.error_count())]
    Input(Diagnostics),
    /// A file that could not be read or written (exit code 1).
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A command-line value that makes no sense (exit code 2, like bad input).
    #[error("{0}")]
    Usage(String),
    /// Any other failure outside the user's data, e.g. a road-distance
    /// cache that cannot be used (exit code 1).
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// An [`Error::Io`] on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The result of every fallible library function.
pub type Result<T> = std::result::Result<T, Error>;

/// The books of one file: physical lines after the header, and what became
/// of them. `lines = rows + blank + comma_only + rejected`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadCount {
    /// The CSV file read.
    pub path: PathBuf,
    /// Physical lines after the header line.
    pub lines: usize,
    /// Rows handed to the reader (each is then either used or has an error).
    pub rows: usize,
    /// Empty or whitespace-only lines, skipped.
    pub blank: usize,
    /// Lines of nothing but separators (a spreadsheet's trailing empty
    /// rows), skipped.
    pub comma_only: usize,
    /// Lines that could not be split into the header's columns (each has an error).
    pub rejected: usize,
    /// The worksheet read, when the file is an Excel workbook (lines are
    /// then its rows).
    pub sheet: Option<String>,
}

/// Longest cell text a message may echo; longer cells are cut with `…`
/// (privacy: messages never carry a whole row or a long cell).
pub const MAX_ECHO: usize = 60;

/// A cell as a message may show it: at most [`MAX_ECHO`] characters.
pub fn echo(s: &str) -> String {
    if s.chars().count() <= MAX_ECHO {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX_ECHO - 1).collect();
        out.push('…');
        out
    }
}
