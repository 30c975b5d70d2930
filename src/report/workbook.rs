//! The Excel workbook written next to a command's CSVs (issue 17):
//! `placements.xlsx` for `place`, `compare.xlsx`, `zones.xlsx`,
//! `forecast.xlsx`. One sheet per CSV table of the run, in the order the
//! tables were added, holding exactly the CSV's rows, so the workbook can
//! never disagree with the CSVs; headers, sheet names and enumerated
//! values in the run's language from the one dictionary
//! ([`crate::report::headers`]), numbers as Excel numbers with the
//! column's format.

use crate::domain::diag::{Error, Result};
use crate::domain::language::Language;
use crate::io::output::{csv_cell_unescape, OutputSet, UTF8_BOM};
#[cfg(test)]
use crate::io::xlsx::Sheet;
use crate::io::xlsx::{workbook_of, Cell, Column, NumberFormat, Table};
use crate::report::headers::{self, Kind};

/// Add the workbook `name` holding every CSV table of `files` to `files`.
pub fn add(files: &mut OutputSet, name: &str, lang: Language) -> Result<()> {
    let bytes = of_csvs(files, lang)?;
    files.add(name, bytes);
    Ok(())
}

/// The workbook of every `.csv` in `files`, one sheet each (several for a
/// table longer than a sheet holds: [`crate::io::xlsx::workbook_of`]).
/// Rows are converted as the workbook is written, so a table of a million
/// rows is never held as cells.
pub fn of_csvs(files: &OutputSet, lang: Language) -> Result<Vec<u8>> {
    let mut tables = Vec::new();
    for name in files.names() {
        let Some(stem) = name.strip_suffix(".csv") else {
            continue;
        };
        let bytes = files.get(name).unwrap_or_default();
        tables.push(table(stem, bytes, lang)?);
    }
    workbook_of(tables)
}

/// One CSV table as a sheet (held: for tests).
#[cfg(test)]
fn sheet(stem: &str, bytes: &[u8], lang: Language) -> Result<Sheet> {
    let t = table(stem, bytes, lang)?;
    Ok(Sheet {
        name: t.name,
        title: t.title,
        columns: t.columns,
        rows: t.rows.collect::<Result<_>>()?,
    })
}

/// One CSV table as a [`Table`] whose rows are read from `bytes` as the
/// workbook is written.
fn table<'a>(stem: &str, bytes: &'a [u8], lang: Language) -> Result<Table<'a>> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let stem_owned = stem.to_string();
    let bad = move |e: csv::Error| {
        Error::Other(format!(
            "internal: {stem_owned}.csv does not read back: {e}"
        ))
    };
    let reader = || csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let mut r = reader();
    let ids: Vec<String> = r
        .headers()
        .map_err(&bad)?
        .iter()
        .map(String::from)
        .collect();
    let mut len = 0;
    let mut record = csv::ByteRecord::new();
    while r.read_byte_record(&mut record).map_err(&bad)? {
        len += 1;
    }
    let kinds: Vec<Kind> = ids.iter().map(|id| headers::kind(id)).collect();
    let columns = ids
        .iter()
        .zip(&kinds)
        .map(|(id, k)| {
            let c = Column::new(headers::header(id, lang), id.as_str());
            match k {
                Kind::Number(f) => c.format(*f),
                Kind::Text => c,
            }
        })
        .collect();
    let rows = reader().into_records().map(move |rec| {
        let rec = rec.map_err(&bad)?;
        Ok(rec
            .iter()
            .enumerate()
            .map(|(j, v)| {
                let id = ids.get(j).map_or("", String::as_str);
                cell(csv_cell_unescape(v), id, kinds.get(j).copied(), lang)
            })
            .collect())
    });
    Ok(Table {
        name: headers::table(stem, lang),
        title: None,
        columns,
        len,
        rows: Box::new(rows),
    })
}

/// A CSV cell as a workbook cell: a number where the column holds numbers
/// and the cell is one, enumerated values in words, else the text.
fn cell(v: &str, id: &str, kind: Option<Kind>, lang: Language) -> Cell {
    if v.is_empty() {
        return Cell::Empty;
    }
    if let Some(Kind::Number(f)) = kind {
        if f == NumberFormat::Integer || f == NumberFormat::General {
            // no leading zeros: `007` stays text
            if let Ok(n) = v.parse::<i64>() {
                if n.to_string() == v {
                    return Cell::Int(n);
                }
            }
        }
        if let Ok(x) = v.parse::<f64>() {
            if x.is_finite()
                && v.bytes()
                    .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
            {
                return Cell::Num(x);
            }
        }
    }
    Cell::Text(headers::value(id, v, lang).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sheet_per_csv_with_headers_in_the_language() {
        let mut o = OutputSet::new();
        o.add(
            "placements.csv",
            b"student_id,outcome,distance_km\nS1,zone,1.5\nS2,overflow,\n".to_vec(),
        );
        o.add("summary.json", b"{}".to_vec());
        let s = sheet("placements", o.get("placements.csv").unwrap(), Language::Zh).unwrap();
        assert_eq!(s.name, "录取结果");
        let h: Vec<&str> = s.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(h, ["学生编号", "录取方式", "距离(公里)"]);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0][1], Cell::Text("划片入学".into()));
        assert_eq!(s.rows[0][2], Cell::Num(1.5));
        assert_eq!(s.rows[1][2], Cell::Empty);
        assert!(of_csvs(&o, Language::En).unwrap().starts_with(b"PK"));
    }

    #[test]
    fn ids_stay_text() {
        assert_eq!(
            cell(
                "007",
                "block_id",
                Some(headers::kind("block_id")),
                Language::Zh
            ),
            Cell::Text("007".into())
        );
        assert_eq!(
            cell("12", "seats", Some(headers::kind("seats")), Language::Zh),
            Cell::Int(12)
        );
    }
}
