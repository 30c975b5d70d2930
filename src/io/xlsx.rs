//! Excel workbooks (`.xlsx`) written next to the CSV outputs (issue 17):
//! planners open them in Excel or WPS without an import dialog, with
//! Chinese headers, a frozen header row, number formats and widths.
//!
//! A table is described once as a [`Sheet`] (by `report`, which knows the
//! wording) and written here with `rust_xlsxwriter`. The bytes are the same
//! for the same sheets: the document's creation time is fixed (the zip
//! entries carry a fixed time already), so workbooks can be digested like
//! every other output.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

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

/// The bytes of a workbook holding `sheets` in order: bold header row,
/// frozen below the header, number formats and widths per column, A4
/// paper, header repeated on every printed page.
pub fn workbook_bytes(sheets: &[Sheet]) -> Result<Vec<u8>> {
    build(sheets).map_err(|e| Error::Usage(format!("cannot write the Excel workbook: {e}")))
}

/// Width in Excel units of a cell's text: CJK characters count double.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2.0 } else { 1.0 })
        .sum()
}

fn build(sheets: &[Sheet]) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // a fixed creation time: the same sheets give the same bytes
    wb.set_properties(
        &DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let bold = Format::new().set_bold();
    let title_format = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_align(FormatAlign::Top);
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name)?;
        ws.set_paper_size(9); // A4
        let header_row: u32 = u32::from(sheet.title.is_some());
        if let Some(t) = &sheet.title {
            ws.write_string_with_format(0, 0, t, &title_format)?;
        }
        let formats: Vec<Format> = sheet
            .columns
            .iter()
            .map(|c| match c.format.excel() {
                Some(f) => Format::new().set_num_format(f),
                None => wrap.clone(),
            })
            .collect();
        let mut widths: Vec<f64> = sheet
            .columns
            .iter()
            .map(|c| text_width(&c.header))
            .collect();
        for (j, c) in sheet.columns.iter().enumerate() {
            let col = u16::try_from(j)
                .map_err(|_| XlsxError::ParameterError("too many columns".into()))?;
            ws.write_string_with_format(header_row, col, &c.header, &bold)?;
        }
        for (i, row) in sheet.rows.iter().enumerate() {
            let r = header_row
                + 1
                + u32::try_from(i)
                    .map_err(|_| XlsxError::ParameterError("too many rows".into()))?;
            for (j, cell) in row.iter().enumerate() {
                let col = u16::try_from(j)
                    .map_err(|_| XlsxError::ParameterError("too many columns".into()))?;
                let f = &formats[j.min(formats.len().saturating_sub(1))];
                let w = match cell {
                    Cell::Empty => 0.0,
                    Cell::Text(s) => {
                        ws.write_string_with_format(r, col, s, f)?;
                        text_width(s)
                    }
                    Cell::Int(n) => {
                        // whole numbers as Excel numbers (f64 is exact below 2^53)
                        ws.write_number_with_format(r, col, *n as f64, f)?;
                        text_width(&n.to_string()) + 1.0
                    }
                    Cell::Num(x) => {
                        ws.write_number_with_format(r, col, *x, f)?;
                        10.0
                    }
                };
                if let Some(m) = widths.get_mut(j) {
                    *m = m.max(w);
                }
            }
        }
        for (j, c) in sheet.columns.iter().enumerate() {
            let col = u16::try_from(j)
                .map_err(|_| XlsxError::ParameterError("too many columns".into()))?;
            let w = c
                .width
                .unwrap_or_else(|| (widths[j] + 2.0).clamp(6.0, 60.0));
            ws.set_column_width(col, w)?;
        }
        ws.set_freeze_panes(header_row + 1, 0)?;
        ws.set_repeat_rows(header_row, header_row)?;
    }
    wb.save_to_buffer()
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
}
