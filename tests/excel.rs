//! Excel in and out (issue 17): workbooks read back with calamine match
//! the CSVs; an `.xlsx` copy of the Longtan dataset places exactly like
//! the CSVs; errors in a workbook name sheet and cell; CSV outputs start
//! with the UTF-8 BOM unless `--csv-bom false`; GB18030 inputs still read.

mod common;

use std::fs;
use std::path::Path;

use calamine::{open_workbook_auto, Reader};
use common::{command_as_is, records, root, stderr, sunshine_as_is_in};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Run the binary as a planner does (Chinese, default options) from the
/// repository root; panics when it fails.
fn run(args: &[&str]) {
    let o = command_as_is()
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
}

/// Every sheet of a workbook: name, header row, number of rows below it.
fn sheets(path: &Path) -> Vec<(String, Vec<String>, usize)> {
    let mut wb = open_workbook_auto(path).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let r = wb.worksheet_range(&name).unwrap();
            let mut rows = r.rows();
            let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
            (name, header, rows.count())
        })
        .collect()
}

/// The workbook holds one sheet per CSV of the folder, in `order`, each
/// with the CSV's rows.
fn check_workbook(dir: &Path, book: &str, order: &[(&str, &str)]) -> Vec<Vec<String>> {
    let got = sheets(&dir.join(book));
    let names: Vec<&str> = got.iter().map(|s| s.0.as_str()).collect();
    let want: Vec<&str> = order.iter().map(|o| o.1).collect();
    assert_eq!(names, want, "{book}");
    for ((_, header, n), (csv, _)) in got.iter().zip(order) {
        let rows = records(&dir.join(csv));
        assert_eq!(*n, rows.len(), "{book}: {csv}");
        let bytes = fs::read(dir.join(csv)).unwrap();
        let first = String::from_utf8_lossy(&bytes[BOM.len()..])
            .lines()
            .next()
            .unwrap()
            .split(',')
            .count();
        assert_eq!(header.len(), first, "{book}: {csv}");
    }
    got.into_iter().map(|s| s.1).collect()
}

#[test]
fn workbooks_match_the_csvs_with_chinese_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("place");
    run(&[
        "place",
        "scenarios/longtan-2025.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    let headers = check_workbook(
        &out,
        "placements.xlsx",
        &[
            ("placements.csv", "录取结果"),
            ("schools.csv", "学校"),
            ("zones.csv", "学区"),
        ],
    );
    assert_eq!(
        headers[0][..6],
        [
            "学生编号",
            "小区代码",
            "学区学校代码",
            "多校划片组",
            "录取学校代码",
            "录取方式"
        ]
    );
    // outcome ids in words; ids stay text
    let mut wb = open_workbook_auto(out.join("placements.xlsx")).unwrap();
    let r = wb.worksheet_range("录取结果").unwrap();
    let outcomes: Vec<String> = r.rows().skip(1).map(|row| row[5].to_string()).collect();
    assert!(
        outcomes.iter().any(|o| o == "划片入学"),
        "{:?}",
        &outcomes[..5]
    );
    assert!(outcomes.iter().all(|o| !o.is_empty() && o != "zone"));

    let cmp = tmp.path().join("compare");
    run(&[
        "compare",
        "scenarios/longtan-2025.toml",
        "scenarios/close-tianchang-liushu.toml",
        "--out",
        cmp.to_str().unwrap(),
    ]);
    check_workbook(
        &cmp,
        "compare.xlsx",
        &[
            ("compare.csv", "学校对比"),
            ("totals.csv", "汇总"),
            ("displaced.csv", "受影响学生"),
        ],
    );

    let fc = tmp.path().join("forecast");
    run(&[
        "forecast",
        "scenarios/longtan-2025.toml",
        "--years",
        "3",
        "--out",
        fc.to_str().unwrap(),
    ]);
    check_workbook(
        &fc,
        "forecast.xlsx",
        &[
            ("projection.csv", "预测"),
            ("ratios.csv", "比率"),
            ("shortfall.csv", "学位缺口"),
            ("warnings_entry.csv", "入学预警"),
        ],
    );

    // English headers with --lang en
    let en = tmp.path().join("zones");
    run(&[
        "--lang",
        "en",
        "zones",
        "scenarios/longtan-2025.toml",
        "--out",
        en.to_str().unwrap(),
    ]);
    let h = check_workbook(
        &en,
        "zones.xlsx",
        &[
            ("zones.csv", "Zones"),
            ("block_zones.csv", "Block zones"),
            ("zones_summary.csv", "Zone summary"),
        ],
    );
    assert_eq!(h[0][0], "Block ID");
}

/// Write a CSV as the first sheet of a workbook, as a planner's Excel
/// holds it: numbers as numbers, `true`/`false` as booleans, ISO dates as
/// dates, everything else as text.
fn csv_to_xlsx(csv: &Path, xlsx: &Path, sheet: &str) {
    let text = fs::read_to_string(csv).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    for (i, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        for (j, v) in rec.iter().enumerate() {
            let (row, col) = (i as u32, j as u16);
            let plain_number = !v.is_empty()
                && v.parse::<f64>().is_ok()
                && !(v.len() > 1 && v.starts_with('0') && !v.starts_with("0."));
            if i > 0 && plain_number {
                ws.write_number(row, col, v.parse::<f64>().unwrap())
                    .unwrap();
            } else if i > 0 && (v == "true" || v == "false") {
                ws.write_boolean(row, col, v == "true").unwrap();
            } else if i > 0 && v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' {
                let d = ExcelDateTime::parse_from_str(v).unwrap();
                ws.write_datetime_with_format(row, col, &d, &date).unwrap();
            } else if !v.is_empty() {
                ws.write_string(row, col, v).unwrap();
            }
        }
    }
    wb.save(xlsx).unwrap();
}

/// `data/longtan` as workbooks (boundary and other non-CSV files copied),
/// with the baseline scenario pointed at it.
fn xlsx_dataset(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    fs::create_dir_all(&data).unwrap();
    for e in fs::read_dir(root().join("data/longtan")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        match name.strip_suffix(".csv") {
            Some(stem) => csv_to_xlsx(&p, &data.join(format!("{stem}.xlsx")), "学生"),
            None => {
                fs::copy(&p, data.join(&name)).unwrap();
            }
        }
    }
    let scen = fs::read_to_string(root().join("scenarios/longtan-2025.toml"))
        .unwrap()
        .replace("dataset = \"../data/longtan\"", "dataset = \"data\"");
    let path = dir.join("longtan.toml");
    fs::write(&path, scen).unwrap();
    path
}

#[test]
fn an_xlsx_dataset_places_like_the_csvs() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = xlsx_dataset(tmp.path());
    let o = sunshine_as_is_in(
        tmp.path(),
        &["place", scen.to_str().unwrap(), "--out", "out"],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv_out = tmp.path().join("csv-out");
    run(&[
        "place",
        "scenarios/longtan-2025.toml",
        "--out",
        csv_out.to_str().unwrap(),
    ]);
    let a = fs::read(tmp.path().join("out/placements.csv")).unwrap();
    let b = fs::read(csv_out.join("placements.csv")).unwrap();
    assert!(
        a == b,
        "placements.csv differs between the xlsx and csv datasets"
    );
    // validate counts the workbook's rows
    let o = sunshine_as_is_in(tmp.path(), &["validate", scen.to_str().unwrap()], &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("students.xlsx"), "{out}");

    // a bad entry_grade (column C) in the fourth applicant's row (row 5)
    let students = fs::read_to_string(root().join("data/longtan/students.csv")).unwrap();
    let mut lines: Vec<String> = students.lines().map(String::from).collect();
    let cells: Vec<&str> = lines[4].split(',').collect();
    let mut cells: Vec<String> = cells.into_iter().map(String::from).collect();
    cells[2] = "seven".into();
    lines[4] = cells.join(",");
    let bad_csv = tmp.path().join("students-bad.csv");
    fs::write(&bad_csv, lines.join("\n")).unwrap();
    csv_to_xlsx(&bad_csv, &tmp.path().join("data/students.xlsx"), "学生");
    let o = sunshine_as_is_in(tmp.path(), &["validate", scen.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("students.xlsx: 学生!C5 (entry_grade): `seven`"),
        "{err}"
    );

    // both students.csv and students.xlsx: one error naming both
    fs::copy(
        root().join("data/longtan/students.csv"),
        tmp.path().join("data/students.csv"),
    )
    .unwrap();
    let o = sunshine_as_is_in(tmp.path(), &["validate", scen.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("students.csv and") && err.contains("students.xlsx exist"),
        "{err}"
    );
}

#[test]
fn csv_outputs_start_with_the_bom_unless_turned_off() {
    let tmp = tempfile::tempdir().unwrap();
    let on = tmp.path().join("on");
    let off = tmp.path().join("off");
    run(&[
        "place",
        "scenarios/longtan-2025.toml",
        "--out",
        on.to_str().unwrap(),
    ]);
    run(&[
        "--csv-bom",
        "false",
        "place",
        "scenarios/longtan-2025.toml",
        "--out",
        off.to_str().unwrap(),
    ]);
    for name in ["placements.csv", "schools.csv", "zones.csv"] {
        let a = fs::read(on.join(name)).unwrap();
        let b = fs::read(off.join(name)).unwrap();
        assert!(a.starts_with(BOM), "{name}");
        assert!(!b.starts_with(BOM), "{name}");
        assert_eq!(&a[BOM.len()..], &b[..], "{name}");
    }
    // the manifest digests the bytes written
    let m = common::json(&on.join("manifest.json"));
    let entry = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "placements.csv")
        .unwrap()
        .clone();
    let bytes = fs::read(on.join("placements.csv")).unwrap();
    assert_eq!(entry["bytes"].as_u64(), Some(bytes.len() as u64));
    // our own readers take the BOM: classes reads placements.csv
    let o = command_as_is()
        .args([
            "classes",
            "scenarios/longtan-2025.toml",
            "--placements",
            on.join("placements.csv").to_str().unwrap(),
            "--out",
            tmp.path().join("classes").to_str().unwrap(),
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_gb18030_dataset_still_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fs::create_dir_all(&data).unwrap();
    for e in fs::read_dir(root().join("data/longtan")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_owned();
        let bytes = fs::read(&p).unwrap();
        let bytes = if p.extension().is_some_and(|x| x == "csv") {
            let text = String::from_utf8(bytes).unwrap();
            encoding_rs::GB18030.encode(&text).0.into_owned()
        } else {
            bytes
        };
        fs::write(data.join(name), bytes).unwrap();
    }
    let scen = fs::read_to_string(root().join("scenarios/longtan-2025.toml"))
        .unwrap()
        .replace("dataset = \"../data/longtan\"", "dataset = \"data\"");
    fs::write(tmp.path().join("s.toml"), scen).unwrap();
    let o = sunshine_as_is_in(tmp.path(), &["place", "s.toml", "--out", "out"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = records(&tmp.path().join("out/schools.csv"));
    assert!(rows.iter().any(|r| r["name"] == "实验学校"));
}
