//! Excel workbooks (`.xlsx`) written next to the CSV outputs (issue 17):
//! planners open them in Excel or WPS without an import dialog, with
//! Chinese headers, a frozen header row, number formats and widths.
//!
//! A table is described once as a [`Sheet`] (by `report`, which knows the
//! wording) and written here with `rust_xlsxwriter`. The bytes are the same
//! for the same sheets: the document's creation time is fixed (the zip
//! entries carry a fixed time already), so workbooks can be digested like
//! every other output.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use crate::domain::diag::{Error, Result};

/// One cell of a [`Sheet`].
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing written.
    Empty,
    /// Text (ids, names, reasons).
    Text(String),
    /// A whole number (counts, seats).
    Int(i64),
    /// A real number, shown with the column's [`NumberFormat`].
    Num(f64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// How the numbers of a column are shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NumberFormat {
    /// Excel's General format.
    #[default]
    General,
    /// Whole numbers with thousands separators: `#,##0`.
    Integer,
    /// A fixed number of decimals: `0.0`, `0.00`, `0.000`.
    Decimals(u8),
    /// A share shown as a percentage with one decimal: `0.0%`.
    Percent,
}

impl NumberFormat {
    fn excel(self) -> Option<String> {
        match self {
            NumberFormat::General => None,
            NumberFormat::Integer => Some("#,##0".into()),
            NumberFormat::Decimals(0) => Some("0".into()),
            NumberFormat::Decimals(n) => Some(format!("0.{}", "0".repeat(usize::from(n)))),
            NumberFormat::Percent => Some("0.0%".into()),
        }
    }
}

/// A column of a [`Sheet`]: its header as the planner reads it (Chinese
/// by default), the stable id of the same column in the CSV, and how it
/// is shown.
#[derive(Clone, Debug)]
pub struct Column {
    /// Header shown in the workbook (e.g. `学校`).
    pub header: String,
    /// The id of the same column in the CSV (e.g. `school_id`), so the
    /// README's column table and a test can match workbook and CSV.
    pub id: String,
    pub format: NumberFormat,
    /// Width in Excel character units; `None`: from the header and cells.
    pub width: Option<f64>,
}

impl Column {
    /// A column with the general format and an automatic width.
    pub fn new(header: impl Into<String>, id: impl Into<String>) -> Column {
        Column {
            header: header.into(),
            id: id.into(),
            format: NumberFormat::General,
            width: None,
        }
    }

    /// The same column with a number format.
    pub fn format(mut self, format: NumberFormat) -> Column {
        self.format = format;
        self
    }
}

/// One table of a workbook: a sheet name (≤ 31 characters, no `[]:*?/\`),
/// an optional title line above the header (e.g. the bureau's title and
/// date of a 公示 list), the columns and the rows.
#[derive(Clone, Debug)]
pub struct Sheet {
    pub name: String,
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// Excel's rows per sheet (title and header rows included): a longer
/// table is split over several sheets ([`Table`]), never cut short.
pub const EXCEL_ROWS: u32 = 1_048_576;

/// Tables of more rows than this are written in `rust_xlsxwriter`'s
/// constant-memory mode: each row goes to a temporary file as soon as it
/// is complete and strings are written inline, so a million placements
/// do not hold a million rows of cells (twice: ours and the writer's) in
/// memory. Smaller tables keep the standard mode (shared strings), so the
/// workbooks of the bundled data keep their bytes.
pub const STREAM_ROWS: usize = 100_000;

/// A table to write whose rows are produced one at a time: what
/// [`workbook_of`] takes, so a table of a million rows is never held as
/// cells. `len` is the number of rows `rows` yields (it decides the
/// split over sheets before the first row is written).
pub struct Table<'a> {
    pub name: String,
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub len: usize,
    pub rows: Box<dyn Iterator<Item = Result<Vec<Cell>>> + 'a>,
}

impl<'a> Table<'a> {
    /// A held [`Sheet`] as a table (its rows cloned one at a time).
    fn of_sheet(sheet: &'a Sheet) -> Table<'a> {
        Table {
            name: sheet.name.clone(),
            title: sheet.title.clone(),
            columns: sheet.columns.clone(),
            len: sheet.rows.len(),
            rows: Box::new(sheet.rows.iter().map(|r| Ok(r.clone()))),
        }
    }
}

/// The bytes of a workbook holding `sheets` in order: bold header row,
/// frozen below the header, number formats and widths per column, A4
/// paper, header repeated on every printed page.
pub fn workbook_bytes(sheets: &[Sheet]) -> Result<Vec<u8>> {
    workbook_of(sheets.iter().map(Table::of_sheet).collect())
}

/// [`workbook_bytes`] for tables produced row by row. A table longer
/// than a sheet holds ([`EXCEL_ROWS`]) is split over sheets named
/// `NAME 1`, `NAME 2`, … in row order, each with the title and header.
pub fn workbook_of(tables: Vec<Table<'_>>) -> Result<Vec<u8>> {
    build(tables, EXCEL_ROWS)
}

/// Width in Excel units of a cell's text: CJK characters count double.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2.0 } else { 1.0 })
        .sum()
}

fn xlsx_error(e: XlsxError) -> Error {
    Error::Usage(format!("cannot write the Excel workbook: {e}"))
}

/// The workbook of `tables` with at most `limit` rows per sheet (a
/// parameter so that a test can split small tables).
fn build(tables: Vec<Table<'_>>, limit: u32) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    // a fixed creation time: the same sheets give the same bytes
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx_error)?),
    );
    for mut table in tables {
        let head = 1 + u32::from(table.title.is_some());
        let per_sheet = usize::try_from(limit.saturating_sub(head).max(1))
            .map_err(|_| Error::Other("internal: sheet size".into()))?;
        let parts = table.len.div_ceil(per_sheet).max(1);
        for part in 0..parts {
            let name = if parts == 1 {
                table.name.clone()
            } else {
                format!("{} {}", table.name, part + 1)
            };
            let rows = per_sheet.min(table.len - part * per_sheet);
            let ws = if table.len > STREAM_ROWS {
                wb.add_worksheet_with_constant_memory()
            } else {
                wb.add_worksheet()
            };
            let heading = Head {
                name: &name,
                table: &table.name,
                title: table.title.as_deref(),
                columns: &table.columns,
            };
            write_sheet(ws, &heading, rows, &mut table.rows.by_ref().take(rows))?;
        }
        if table.rows.next().is_some() {
            return Err(Error::Other(format!(
                "internal: table {} has more rows than it said",
                table.name
            )));
        }
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

/// What every sheet of a [`Table`] repeats.
struct Head<'t> {
    /// The sheet's name.
    name: &'t str,
    /// The table's name (for messages).
    table: &'t str,
    title: Option<&'t str>,
    columns: &'t [Column],
}

/// One sheet: the title, the header and `rows` rows from `source`.
fn write_sheet(
    ws: &mut Worksheet,
    table: &Head<'_>,
    rows: usize,
    source: &mut dyn Iterator<Item = Result<Vec<Cell>>>,
) -> Result<()> {
    let bold = Format::new().set_bold();
    let title_format = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_align(FormatAlign::Top);
    let too_many =
        |what: &str| Error::Usage(format!("cannot write the Excel workbook: too many {what}"));
    ws.set_name(table.name).map_err(xlsx_error)?;
    ws.set_paper_size(9); // A4
    let header_row: u32 = u32::from(table.title.is_some());
    if let Some(t) = table.title {
        ws.write_string_with_format(0, 0, t, &title_format)
            .map_err(xlsx_error)?;
    }
    let formats: Vec<Format> = table
        .columns
        .iter()
        .map(|c| match c.format.excel() {
            Some(f) => Format::new().set_num_format(f),
            None => wrap.clone(),
        })
        .collect();
    let mut widths: Vec<f64> = table
        .columns
        .iter()
        .map(|c| text_width(&c.header))
        .collect();
    for (j, c) in table.columns.iter().enumerate() {
        let col = u16::try_from(j).map_err(|_| too_many("columns"))?;
        ws.write_string_with_format(header_row, col, &c.header, &bold)
            .map_err(xlsx_error)?;
    }
    let mut written = 0;
    for (i, row) in source.enumerate() {
        let row = row?;
        let r = header_row + 1 + u32::try_from(i).map_err(|_| too_many("rows"))?;
        for (j, cell) in row.iter().enumerate() {
            let col = u16::try_from(j).map_err(|_| too_many("columns"))?;
            let f = &formats[j.min(formats.len().saturating_sub(1))];
            let w = match cell {
                Cell::Empty => 0.0,
                Cell::Text(s) => {
                    ws.write_string_with_format(r, col, s, f)
                        .map_err(xlsx_error)?;
                    text_width(s)
                }
                Cell::Int(n) => {
                    // whole numbers as Excel numbers (f64 is exact below 2^53)
                    ws.write_number_with_format(r, col, *n as f64, f)
                        .map_err(xlsx_error)?;
                    text_width(&n.to_string()) + 1.0
                }
                Cell::Num(x) => {
                    ws.write_number_with_format(r, col, *x, f)
                        .map_err(xlsx_error)?;
                    10.0
                }
            };
            if let Some(m) = widths.get_mut(j) {
                *m = m.max(w);
            }
        }
        written += 1;
    }
    if written != rows {
        return Err(Error::Other(format!(
            "internal: table {} has fewer rows than it said",
            table.table
        )));
    }
    for (j, c) in table.columns.iter().enumerate() {
        let col = u16::try_from(j).map_err(|_| too_many("columns"))?;
        let w = c
            .width
            .unwrap_or_else(|| (widths[j] + 2.0).clamp(6.0, 60.0));
        ws.set_column_width(col, w).map_err(xlsx_error)?;
    }
    ws.set_freeze_panes(header_row + 1, 0).map_err(xlsx_error)?;
    ws.set_repeat_rows(header_row, header_row)
        .map_err(xlsx_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            name: "学校".into(),
            title: Some("龙潭区 2025".into()),
            columns: vec![
                Column::new("学校代码", "school_id"),
                Column::new("学位", "seats").format(NumberFormat::Integer),
                Column::new("使用率", "utilisation").format(NumberFormat::Percent),
            ],
            rows: vec![vec!["LT-P01".into(), Cell::Int(270), Cell::Num(0.95)]],
        }
    }

    #[test]
    fn the_same_sheets_give_the_same_bytes() {
        let a = workbook_bytes(&[sheet()]).unwrap();
        let b = workbook_bytes(&[sheet()]).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..2], b"PK");
    }

    #[test]
    fn a_bad_sheet_name_is_an_error() {
        let mut s = sheet();
        s.name = "a/b".into();
        assert!(workbook_bytes(&[s]).is_err());
    }

    /// The rows of every sheet of a workbook, read back with calamine.
    fn read_back(bytes: Vec<u8>) -> Vec<(String, Vec<Vec<String>>)> {
        use calamine::{Reader, Xlsx};
        let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = wb.sheet_names();
        names
            .into_iter()
            .map(|n| {
                let range = wb.worksheet_range(&n).unwrap();
                let rows = range
                    .rows()
                    .map(|r| r.iter().map(ToString::to_string).collect())
                    .collect();
                (n, rows)
            })
            .collect()
    }

    fn numbered(n: usize, title: Option<&str>) -> Table<'static> {
        Table {
            name: "录取结果".into(),
            title: title.map(String::from),
            columns: vec![Column::new("学生编号", "student_id")],
            len: n,
            rows: Box::new((0..n).map(|i| Ok(vec![Cell::Text(format!("S{i}"))]))),
        }
    }

    #[test]
    fn a_table_longer_than_a_sheet_is_split_in_order() {
        // 3 rows a sheet: header + 2 rows; 5 rows make 3 sheets
        let sheets = read_back(build(vec![numbered(5, None)], 3).unwrap());
        let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["录取结果 1", "录取结果 2", "录取结果 3"]);
        let mut ids = Vec::new();
        for (_, rows) in &sheets {
            assert_eq!(rows[0], ["学生编号"]);
            assert!(rows.len() <= 3);
            ids.extend(rows[1..].iter().map(|r| r[0].clone()));
        }
        assert_eq!(ids, ["S0", "S1", "S2", "S3", "S4"]);
        // with a title each sheet holds title, header and 1 row
        let sheets = read_back(build(vec![numbered(2, Some("龙潭区"))], 3).unwrap());
        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[1].1, [["龙潭区"], ["学生编号"], ["S1"]]);
    }

    #[test]
    fn a_table_that_fits_keeps_its_name_and_a_wrong_length_is_an_error() {
        let sheets = read_back(build(vec![numbered(2, None)], 3).unwrap());
        assert_eq!(sheets.len(), 1);
        assert_eq!(sheets[0].0, "录取结果");
        let mut t = numbered(3, None);
        t.len = 2;
        assert!(build(vec![t], 100).is_err());
        let mut t = numbered(1, None);
        t.len = 2;
        assert!(build(vec![t], 100).is_err());
    }

    #[test]
    fn a_long_table_in_constant_memory_mode_reads_back_whole() {
        let n = STREAM_ROWS + 1;
        let sheets = read_back(workbook_of(vec![numbered(n, None)]).unwrap());
        assert_eq!(sheets.len(), 1);
        assert_eq!(sheets[0].1.len(), n + 1);
        assert_eq!(sheets[0].1[n], [format!("S{}", n - 1)]);
    }
}
