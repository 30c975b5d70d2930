//! Excel inputs (issue 17): a dataset table may be an `.xlsx` workbook of
//! the same stem instead of a `.csv` (`students.xlsx` for `students.csv`),
//! so planners need not export from Excel.
//!
//! The worksheet is turned into the text the CSV reader parses
//! ([`crate::io::table`]), one physical line per sheet row, so every check
//! of a CSV table (required columns, bad values, duplicates, references)
//! works unchanged; line numbers are the sheet's row numbers and field
//! positions its column letters (`A` = field 1), and the diagnostics name
//! sheet and cell ([`crate::domain::diag::Diagnostic::sheet`]). Cells
//! become the text a planner would have typed: whole numbers without `.0`,
//! other numbers as Rust prints them (shortest form that reads back the
//! same), dates as ISO `YYYY-MM-DD`, booleans `true`/`false`. A cell
//! holding an Excel error (`#N/A`) or a line break cannot be read: it is
//! an error at that cell and its row is skipped, as a CSV line that cannot
//! be split is.

use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};

/// A worksheet as CSV text, with the cells that could not be converted.
pub struct SheetText {
    /// The worksheet's name (for `学生!D17`).
    pub sheet: String,
    /// One line per sheet row from row 1, one field per column from
    /// column A, quoted as the CSV reader expects.
    pub text: String,
    /// `(row, column)` (both 1-based) and message of each cell that could
    /// not be turned into text (errors such as `#N/A`, line breaks).
    pub bad: Vec<(usize, usize, String)>,
}

/// The `.xlsx` of the same stem as `path` (`students.csv` →
/// `students.xlsx`).
pub fn xlsx_twin(path: &Path) -> PathBuf {
    path.with_extension("xlsx")
}

/// Whether a dataset table exists as `.csv` or as the `.xlsx` of the same
/// stem: optional tables (zones, feeders, seat history…) are read when
/// either is there.
pub fn table_exists(path: &Path) -> bool {
    path.exists() || (is_csv(path) && xlsx_twin(path).exists())
}

/// The file that holds a table: `path`, or its `.xlsx` twin when only that
/// exists (for digests of the inputs read).
pub fn table_file(path: &Path) -> PathBuf {
    if !path.exists() && is_csv(path) && xlsx_twin(path).exists() {
        xlsx_twin(path)
    } else {
        path.to_path_buf()
    }
}

/// Whether `xlsx` is a workbook sunshine wrote: the `manifest.json` of
/// its folder lists it ([`crate::io::output`]). Such a workbook beside its
/// CSV is an output, not a second copy of an input.
pub fn written_by_sunshine(xlsx: &Path) -> bool {
    let (Some(dir), Some(name)) = (xlsx.parent(), xlsx.file_name()) else {
        return false;
    };
    let Ok(bytes) = std::fs::read(dir.join("manifest.json")) else {
        return false;
    };
    let Ok(m) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return false;
    };
    m["files"]
        .as_array()
        .is_some_and(|files| files.iter().any(|f| f["name"].as_str() == name.to_str()))
}

pub(crate) fn is_csv(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Read worksheet `sheet` (the first when `None`) of the workbook at
/// `path` as CSV text. `Err` is a message about the whole file.
pub fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<SheetText, String> {
    let mut wb =
        open_workbook_auto(path).map_err(|e| format!("cannot read the Excel workbook: {e}"))?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                format!(
                    "no worksheet `{s}`; expected one of {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or("the workbook has no worksheet; expected the table on the first sheet")?,
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| format!("cannot read worksheet `{name}`: {e}"))?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let (r0, c0) = (r0 as usize, c0 as usize);
    let mut text = String::new();
    // rows above the used range are blank lines, so line n is sheet row n
    for _ in 0..r0 {
        text.push('\n');
    }
    let mut bad = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let excel_row = r0 + i + 1;
        // columns left of the used range are empty fields, so field n is column n
        let mut fields: Vec<String> = vec![String::new(); c0];
        for (j, cell) in row.iter().enumerate() {
            match cell_text(cell) {
                Ok(s) => fields.push(quote(&s)),
                Err(msg) => {
                    bad.push((excel_row, c0 + j + 1, msg));
                    fields.push(String::new());
                }
            }
        }
        // an empty row inside the used range is a blank line (not a line
        // of commas only, which the reader warns about)
        if fields.iter().any(|f| !f.is_empty()) {
            text.push_str(&fields.join(","));
        }
        text.push('\n');
    }
    Ok(SheetText {
        sheet: name,
        text,
        bad,
    })
}

/// Quote a cell for the CSV reader when it holds a comma or a quote.
fn quote(s: &str) -> String {
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The text a planner would have typed for a cell.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => {
            if s.contains(['\n', '\r']) {
                return Err("a line break inside the cell (Alt+Enter); expected the cell on one line (row skipped)".into());
            }
            s.clone()
        }
        Data::Int(n) => n.to_string(),
        Data::Float(x) => number_text(*x),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, mi, s, ms) = d.to_ymd_hms_milli();
            if (h, mi, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        // a duration (`[h]:mm`) is read as the number Excel stores
        Data::DateTime(d) => number_text(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => {
            return Err(format!(
                "the cell holds the Excel error `{e}`; expected a value (row skipped)"
            ))
        }
    })
}

/// A number as a planner reads it: whole numbers without `.0` (Excel
/// stores every number as a float), others in the shortest form that
/// reads back the same.
fn number_text(x: f64) -> String {
    // 2^53: every whole number below it is exact in an f64
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn cells_read_as_typed() {
        assert_eq!(cell_text(&Data::Float(3.0)).unwrap(), "3");
        assert_eq!(cell_text(&Data::Float(-0.0)).unwrap(), "0");
        assert_eq!(cell_text(&Data::Float(116.25)).unwrap(), "116.25");
        assert_eq!(
            cell_text(&Data::Float(0.1 + 0.2)).unwrap(),
            "0.30000000000000004"
        );
        assert_eq!(cell_text(&Data::Int(7)).unwrap(), "7");
        assert_eq!(cell_text(&Data::Bool(true)).unwrap(), "true");
        let d = ExcelDateTime::new(45943.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(d)).unwrap(), "2025-10-13");
        assert!(cell_text(&Data::Error(CellErrorType::NA))
            .unwrap_err()
            .contains("#N/A"));
        assert!(cell_text(&Data::String("a\nb".into())).is_err());
        assert_eq!(quote("a,\"b\""), "\"a,\"\"b\"\"\"");
    }

    #[test]
    fn twins() {
        assert_eq!(
            xlsx_twin(Path::new("d/students.csv")),
            Path::new("d/students.xlsx")
        );
        assert!(!table_exists(Path::new("/nonexistent/x.csv")));
    }
}
