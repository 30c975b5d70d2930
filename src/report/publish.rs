//! The admission lists a bureau publishes (录取名单公示, `place --publish`):
//! per school, the admitted applicants by route (划片入学, 电脑派位, 对口直升,
//! 民办学校, 统筹安置, 特殊教育…), then the lists of those not placed
//! (未安置, 送教上门) and of those who declined (放弃). Each row shows a
//! masked id (`[publish] keep_first`, `keep_last`), the category, the
//! lottery number and the cut-off, so a family finds its child and checks
//! the draw without the list naming anyone.
//!
//! Written as a printable page (`公示.html`: A4, one school a page, the
//! bureau's title and date on each) and a workbook (`公示.xlsx`: one sheet
//! per school and per list, through [`crate::io::xlsx::workbook_bytes`]).
//! The lists are in Chinese whatever the run's language: they are the
//! bureau's public notice. Nothing depends on the clock: the date is the
//! scenario's, so the same run gives the same bytes.

use std::collections::HashMap;

use super::esc;
use super::explain::{category_zh, cutoff_text_zh};
use crate::domain::diag::Result;
use crate::domain::model::{Dataset, SchoolIx};
use crate::domain::scenario::Scenario;
use crate::io::xlsx::{workbook_bytes, Cell, Column, Sheet};
use crate::rules::place::{Admission, Outcome, Placement, PlacementResult};

/// The printable lists' file name.
pub const HTML: &str = "公示.html";
/// The workbook's file name.
pub const XLSX: &str = "公示.xlsx";

/// Which list a [`List`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// Those placed at a school, by route.
    School(SchoolIx),
    /// Not placed: no school with seats within reach (未安置), or home
    /// teaching (送教上门).
    Unplaced,
    /// Declined: not admitted where they applied and not accepting 统筹
    /// (or their route's fallback is none).
    Declined,
}

/// One published row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The student id masked by `[publish]`.
    pub masked_id: String,
    /// The route (录取途径) or, in the other lists, the situation.
    pub route: String,
    /// The category's name (片内户籍且有房产, a scenario's 房户一致…).
    pub category: String,
    /// The lottery number, as in `placements.csv`.
    pub lottery: f64,
    /// The cut-off of the route at the school (placed), or the zone school
    /// (the other lists).
    pub cutoff: String,
    /// A note: two ids equal once masked in this list.
    pub note: String,
}

/// One published list: a school's admitted applicants, or one of the two
/// lists of those not placed.
#[derive(Clone, Debug, PartialEq)]
pub struct List {
    pub kind: ListKind,
    /// The heading (`LT-P01 龙潭区第一实验小学`, `未安置名单`).
    pub heading: String,
    /// The workbook's sheet name (≤ 31 characters, unique).
    pub sheet: String,
    /// A line of figures under the heading (seats, admitted, cut-offs).
    pub summary: String,
    pub rows: Vec<Row>,
}

/// The route of a placed applicant in the list's words, and its order
/// (lists are grouped by route in this order).
fn route(p: &Placement) -> (u8, String) {
    match p.outcome {
        Outcome::Zone => (0, "划片入学".into()),
        Outcome::LotteryWon => (1, "电脑派位".into()),
        Outcome::Choice(k) => (2, format!("多校划片第{k}志愿")),
        Outcome::Feeder => (3, "对口直升".into()),
        Outcome::Private => (4, "民办学校（公民同招）".into()),
        Outcome::Overflow => (5, "统筹安置".into()),
        Outcome::Assigned => (6, "就近分配".into()),
        Outcome::SpecialEd => (7, "特殊教育".into()),
        Outcome::HomeTeaching => (8, "送教上门".into()),
        Outcome::Unplaced => (9, "未安置".into()),
        Outcome::Declined => (10, "放弃".into()),
    }
}

/// The cut-off a placed applicant's row shows: the school's zone cut-off
/// for zone admission and its lottery, the draw's largest winning number
/// for the other drawn routes, none for 统筹 (placed by distance).
fn row_cutoff(data: &Dataset, scenario: &Scenario, r: &PlacementResult, p: &Placement) -> String {
    let drawn = |l: Option<crate::rules::place::LotteryKey>| {
        l.map_or("未摇号（全部录取）".to_string(), |l| {
            format!("派位号 ≤ {:.6}", l.cutoff)
        })
    };
    match (p.outcome, p.explanation.admission, p.placed) {
        (Outcome::Zone | Outcome::LotteryWon, _, Some(s)) => {
            r.schools[s.ix()].cutoff.map_or(String::new(), |c| {
                cutoff_text_zh(data, &scenario.policy.rules, &c)
            })
        }
        (_, Some(Admission::Choice { lottery, .. }), _) => drawn(lottery),
        (_, Some(Admission::Feeder { lottery, .. }), _) => drawn(lottery),
        (_, Some(Admission::Private { lottery, .. }), _) => drawn(lottery),
        _ => "—".to_string(),
    }
}

/// A sheet name from `text`: the characters Excel refuses replaced, at
/// most 31 characters, made unique among `taken` by a `~n` suffix.
fn sheet_name(text: &str, taken: &mut Vec<String>) -> String {
    let clean: String = text
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let mut name = cut(clean.trim_matches('\''), 31);
    let mut k = 2;
    while taken.contains(&name) {
        let suffix = format!("~{k}");
        name = format!("{}{suffix}", cut(&clean, 31 - suffix.chars().count()));
        k += 1;
    }
    taken.push(name.clone());
    name
}

/// Note rows whose masked ids are equal in one list, so a family reading
/// `****0123` knows another child shows the same.
fn note_collisions(rows: &mut [Row]) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for r in rows.iter() {
        *count.entry(r.masked_id.clone()).or_default() += 1;
    }
    for r in rows.iter_mut() {
        let n = count[&r.masked_id];
        if n > 1 {
            r.note = format!("脱敏后编号相同（本名单共{n}人）");
        }
    }
}

/// Every published list: one per school where anyone was placed (in the
/// dataset's order), then 未安置 and 放弃 (always present, maybe empty).
/// Within a list, rows by route, then by student id.
pub fn lists(data: &Dataset, scenario: &Scenario, r: &PlacementResult) -> Vec<List> {
    let rules = &scenario.policy.rules;
    let publish = &scenario.publish;
    let category = |p: &Placement| {
        rules
            .categories
            .get(p.tier.category())
            .map_or(String::new(), |c| category_zh(&c.name).to_string())
    };
    let mut order: Vec<&Placement> = r.placements.iter().collect();
    order.sort_by(|a, b| {
        (route(a).0, &data.students[a.student].id).cmp(&(route(b).0, &data.students[b.student].id))
    });
    let mut by_school: Vec<Vec<Row>> = vec![Vec::new(); data.schools.len()];
    let mut unplaced = Vec::new();
    let mut declined = Vec::new();
    for p in order {
        let masked_id = publish.mask(data.students[p.student].id.as_str());
        let zone = p.zone_school.map_or("—".to_string(), |z| {
            format!("划片学校 {}", data.school(z).id)
        });
        let row = |cutoff: String| Row {
            masked_id: masked_id.clone(),
            route: route(p).1,
            category: category(p),
            lottery: p.lottery,
            cutoff,
            note: String::new(),
        };
        match (p.placed, p.outcome) {
            (Some(s), _) => by_school[s.ix()].push(row(row_cutoff(data, scenario, r, p))),
            (None, Outcome::Declined) => declined.push(row(zone)),
            (None, _) => unplaced.push(row(zone)),
        }
    }
    let mut taken = Vec::new();
    let mut out: Vec<List> = Vec::new();
    for (i, rows) in by_school.into_iter().enumerate() {
        if rows.is_empty() {
            continue;
        }
        let school = &data.schools[i];
        let st = &r.schools[i];
        let heading = format!("{} {}", school.id, school.name);
        let mut summary = format!("计划学位 {} 个，录取 {} 人", st.seats, rows.len());
        if let Some((tier, c)) = st.lottery_cutoff {
            summary.push_str(&format!("；电脑派位：第{tier}类，派位号 ≤ {c:.6}"));
        }
        if let Some(c) = st.private_cutoff {
            summary.push_str(&format!("；民办摇号：派位号 ≤ {c:.6}"));
        }
        out.push(List {
            kind: ListKind::School(SchoolIx::from_ix(i)),
            sheet: sheet_name(&heading, &mut taken),
            heading,
            summary,
            rows,
        });
    }
    for (kind, heading, rows, what) in [
        (
            ListKind::Unplaced,
            "未安置名单",
            unplaced,
            "未安置（含送教上门）",
        ),
        (
            ListKind::Declined,
            "放弃名单",
            declined,
            "放弃（不接受统筹安置）",
        ),
    ] {
        out.push(List {
            kind,
            sheet: sheet_name(heading, &mut taken),
            heading: heading.to_string(),
            summary: format!("{what} {} 人", rows.len()),
            rows,
        });
    }
    for l in &mut out {
        note_collisions(&mut l.rows);
    }
    out
}

/// The title printed on every page: `[publish] title`, else the
/// scenario's name and year.
fn title(scenario: &Scenario) -> String {
    scenario
        .publish
        .title
        .clone()
        .unwrap_or_else(|| format!("{} {}年 录取名单公示", scenario.name, scenario.year))
}

/// The columns of a list, by kind.
fn headers(kind: ListKind) -> [(&'static str, &'static str); 7] {
    let (what, cut) = match kind {
        ListKind::School(_) => (("录取途径", "route"), ("录取线", "cutoff")),
        _ => (("情况", "situation"), ("划片学校", "zone_school")),
    };
    [
        ("序号", "no"),
        ("学生编号（脱敏）", "masked_id"),
        what,
        ("类别", "category"),
        ("派位号", "lottery_number"),
        cut,
        ("备注", "note"),
    ]
}

/// The workbook's sheets: one per list, the title and date above the
/// header.
pub fn sheets(scenario: &Scenario, lists: &[List]) -> Vec<Sheet> {
    let title = title(scenario);
    let date = scenario.publish.date.as_deref().unwrap_or("");
    lists
        .iter()
        .map(|l| Sheet {
            name: l.sheet.clone(),
            title: Some(format!("{title} {date} {}：{}", l.heading, l.summary).replace("  ", " ")),
            columns: headers(l.kind)
                .iter()
                .map(|(h, id)| {
                    let c = Column::new(*h, *id);
                    if *id == "lottery_number" {
                        c.format(crate::io::xlsx::NumberFormat::Decimals(9))
                    } else {
                        c
                    }
                })
                .collect(),
            rows: l
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    vec![
                        Cell::Int(i64::try_from(i + 1).expect("rows fit")),
                        Cell::Text(r.masked_id.clone()),
                        Cell::Text(r.route.clone()),
                        Cell::Text(r.category.clone()),
                        Cell::Num(r.lottery),
                        Cell::Text(r.cutoff.clone()),
                        Cell::Text(r.note.clone()),
                    ]
                })
                .collect(),
        })
        .collect()
}

const STYLE: &str = "@page { size: A4; margin: 15mm 12mm; }
body { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"Microsoft YaHei\", \"SimSun\", sans-serif; font-size: 10.5pt; color: #000; margin: 0; }
section { break-after: page; page-break-after: always; }
section:last-of-type { break-after: auto; page-break-after: auto; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4pt; }
p.date { text-align: center; margin: 0 0 8pt; }
h2 { font-size: 13pt; margin: 8pt 0 4pt; }
h3 { font-size: 11pt; margin: 8pt 0 3pt; }
p.summary, p.note { margin: 2pt 0 6pt; }
table { border-collapse: collapse; width: 100%; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.5pt solid #444; padding: 1.5pt 4pt; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
";

/// One list's section of the printable page: heading, figures, then a
/// table per route (school lists) or one table (the other lists).
fn section(out: &mut String, title: &str, date: &str, l: &List) {
    let class = match l.kind {
        ListKind::School(_) => "school",
        _ => "list",
    };
    out.push_str(&format!(
        "<section class=\"{class}\">\n<h1>{}</h1>\n",
        esc(title)
    ));
    if !date.is_empty() {
        out.push_str(&format!("<p class=\"date\">{}</p>\n", esc(date)));
    }
    out.push_str(&format!(
        "<h2>{}</h2>\n<p class=\"summary\">{}</p>\n",
        esc(&l.heading),
        esc(&l.summary)
    ));
    if l.rows.is_empty() {
        out.push_str("<p class=\"note\">无</p>\n</section>\n");
        return;
    }
    let head: String = headers(l.kind)
        .iter()
        .map(|(h, _)| format!("<th>{}</th>", esc(h)))
        .collect();
    let mut start = 0;
    while start < l.rows.len() {
        let group = &l.rows[start].route;
        let end = start
            + l.rows[start..]
                .iter()
                .take_while(|r| &r.route == group)
                .count();
        if matches!(l.kind, ListKind::School(_)) {
            out.push_str(&format!("<h3>{}（{} 人）</h3>\n", esc(group), end - start));
        }
        out.push_str(&format!(
            "<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        ));
        for (i, r) in l.rows[start..end].iter().enumerate() {
            out.push_str(&format!(
                "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{:.9}</td><td>{}</td><td>{}</td></tr>\n",
                start + i + 1,
                esc(&r.masked_id),
                esc(&r.route),
                esc(&r.category),
                r.lottery,
                esc(&r.cutoff),
                esc(&r.note)
            ));
        }
        out.push_str("</tbody>\n</table>\n");
        start = end;
    }
    out.push_str("</section>\n");
}

/// `公示.html`: self-contained (styles inline, no script, no link), A4,
/// one section a page.
pub fn html(scenario: &Scenario, lists: &[List]) -> Vec<u8> {
    let title = title(scenario);
    let date = scenario.publish.date.as_deref().unwrap_or("");
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    for l in lists {
        section(&mut out, &title, date, l);
    }
    out.push_str("</body>\n</html>\n");
    out.into_bytes()
}

/// The published files (`公示.html`, `公示.xlsx`), to add to an output
/// set (`place --publish`).
pub fn files(
    data: &Dataset,
    scenario: &Scenario,
    r: &PlacementResult,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let lists = lists(data, scenario, r);
    Ok(vec![
        (HTML, html(scenario, &lists)),
        (XLSX, workbook_bytes(&sheets(scenario, &lists))?),
    ])
}
