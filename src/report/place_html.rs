//! `place`'s `map.svg` and `report.html` (issue 17): the zones the run
//! used, the outcomes by route and every school's utilisation, in the
//! run's language, self-contained (inline CSS and SVG, no script, no
//! network) and printable on A4.

use std::collections::BTreeMap;

use geo::MultiPolygon;

use super::esc;
use super::map::shapes::zones_of_blocks;
use super::map::{render, Map, MapBlock, MapSchool};
use crate::domain::language::Language;
use crate::domain::model::{Dataset, Home, SchoolIx, Status};
use crate::domain::scenario::Scenario;
use crate::io::output::OutputSet;
use crate::rules::place::{Outcome, PlacementResult};

/// The words a planner reads for an outcome id (the CSV keeps the id):
/// the one list, in `report::placement`.
pub use super::placement::outcome_name;

/// The schools of the grade as map schools, and the map index of each
/// dataset school (`None`: not of the grade).
pub fn grade_schools(
    data: &Dataset,
    scenario: &Scenario,
    closed: &dyn Fn(SchoolIx) -> bool,
) -> (Vec<MapSchool>, Vec<Option<usize>>) {
    let mut out = Vec::new();
    let mut ix = vec![None; data.schools.len()];
    for (i, s) in data.schools.iter().enumerate() {
        if !s.of_grade(scenario.grade) {
            continue;
        }
        ix[i] = Some(out.len());
        out.push(MapSchool {
            id: s.id.to_string(),
            name: s.name.clone(),
            at: s.location,
            marker: None,
            closed: closed(SchoolIx::from_ix(i)),
        });
    }
    (out, ix)
}

/// A map of a placement run's zones: the blocks' zone schools (given or
/// computed), every school of the grade, the blocks weighted by their
/// applicants. `highlight` marks blocks (by index).
pub fn zones_map(
    data: &Dataset,
    scenario: &Scenario,
    r: &PlacementResult,
    boundary: Option<&MultiPolygon<f64>>,
    title: String,
    lang: Language,
    highlight: &dyn Fn(usize) -> bool,
) -> Map {
    let closed = |s: SchoolIx| data.school(s).status == Status::Closing;
    let (schools, ix) = grade_schools(data, scenario, &closed);
    let mut applicants = vec![0u32; data.blocks.len()];
    for p in &r.placements {
        if let Home::Block(b) = data.students[p.student].home {
            applicants[b.ix()] = applicants[b.ix()].saturating_add(1);
        }
    }
    let zone: Vec<Option<usize>> = r
        .zones
        .iter()
        .map(|(s, _)| s.and_then(|s| ix[s.ix()]))
        .collect();
    let points: Vec<_> = data.blocks.iter().map(|b| b.location).collect();
    let (zones, adjacent) = zones_of_blocks(&points, boundary, &zone).unwrap_or_default();
    Map {
        title,
        lang,
        boundary: boundary.cloned(),
        zones,
        adjacent,
        schools,
        blocks: data
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| MapBlock {
                at: b.location,
                applicants: applicants[i],
                highlighted: highlight(i),
            })
            .collect(),
        flows: Vec::new(),
        markers: Vec::new(),
    }
}

/// Page CSS shared by the place and compare reports: readable on screen,
/// A4 when printed.
pub const CSS: &str = "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;margin:24px;color:#222;max-width:1200px}\
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\
th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}\
svg{max-width:100%;height:auto}figure{margin:8px 0}\
@page{size:A4;margin:12mm}@media print{body{margin:0;max-width:none}h2{break-before:auto}svg,table,figure{break-inside:avoid}}";

/// A horizontal bar chart: one row per (label, value), a reference line at
/// `reference` (e.g. 100% of seats) when given. Values as printed by
/// `fmt`.
pub fn bar_chart(
    title: &str,
    rows: &[(String, f64)],
    reference: Option<f64>,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let (w, row, left, top) = (760.0, 18.0, 230.0, 30.0);
    let h = top + row * rows.len() as f64 + 12.0;
    let max = rows
        .iter()
        .map(|r| r.1)
        .chain(reference)
        .fold(0.0, f64::max)
        .max(1e-9);
    let bar_w = w - left - 70.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{w}\" height=\"{h:.0}\" viewBox=\"0 0 {w} {h:.0}\" font-size=\"11\">\
         <rect width=\"{w}\" height=\"{h:.0}\" fill=\"#ffffff\"/><text x=\"4\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{}</text>",
        esc(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = top + row * i as f64;
        let len = (v / max * bar_w).max(0.0);
        let colour = match reference {
            Some(r) if *v > r => "#d6604d",
            _ => "#4393c3",
        };
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{left}\" y=\"{:.1}\" width=\"{len:.1}\" height=\"{:.1}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            left - 6.0,
            y + 12.0,
            esc(&super::map::labels::fit_text(label, 11.0, left - 12.0)),
            y + 2.0,
            row - 4.0,
            left + len + 4.0,
            y + 12.0,
            esc(&fmt(*v))
        ));
    }
    if let Some(r) = reference {
        let x = left + r / max * bar_w;
        s.push_str(&format!(
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#222222\" stroke-dasharray=\"4,3\"/>",
            top - 4.0,
            h - 8.0
        ));
    }
    s.push_str("</svg>");
    s
}

/// Counts of a run's outcomes, in report order.
pub fn outcomes(r: &PlacementResult) -> BTreeMap<(u8, u8), (Outcome, usize)> {
    let mut m: BTreeMap<(u8, u8), (Outcome, usize)> = BTreeMap::new();
    for p in &r.placements {
        let key = match p.outcome {
            Outcome::Feeder => (0, 0),
            Outcome::Private => (1, 0),
            Outcome::Zone => (2, 0),
            Outcome::LotteryWon => (3, 0),
            Outcome::Choice(k) => (4, k),
            Outcome::Overflow => (5, 0),
            Outcome::Assigned => (6, 0),
            Outcome::SpecialEd => (7, 0),
            Outcome::HomeTeaching => (8, 0),
            Outcome::Declined => (9, 0),
            Outcome::Unplaced => (10, 0),
        };
        m.entry(key).or_insert((p.outcome, 0)).1 += 1;
    }
    m
}

/// `map.svg` and `report.html` of `place`, added to `o`.
// long: the page's sections in order (outcomes, map, utilisation), each a short table or chart.
pub fn add_files(
    data: &Dataset,
    scenario: &Scenario,
    r: &PlacementResult,
    boundary: Option<&MultiPolygon<f64>>,
    lang: Language,
    o: &mut OutputSet,
) {
    let title = match lang {
        Language::Zh => format!(
            "{}（{}年，{}年级）学区划片与录取",
            scenario.name,
            scenario.year,
            scenario.grade.number()
        ),
        Language::En => format!(
            "{} ({}, grade {}): admission zones and placements",
            scenario.name,
            scenario.year,
            scenario.grade.number()
        ),
    };
    let map = render(&zones_map(
        data,
        scenario,
        r,
        boundary,
        title.clone(),
        lang,
        &|_| false,
    ));
    o.add("map.svg", map.svg.clone().into_bytes());
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let total = r.placements.len();
    let mut body = format!(
        "<p>{} {} · {} {} · {} {} · {} {}</p>\n",
        t("录取方式", "Mechanism"),
        esc(r.mechanism.as_str()),
        t("派位种子", "lottery seed"),
        scenario.policy.lottery_seed,
        t("距离", "distances"),
        esc(&r.distance_source),
        t("申请人数", "applicants"),
        total
    );
    // outcomes by route
    let counts = outcomes(r);
    body.push_str(&format!(
        "<h2>{}</h2>\n<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t("录取结果（按途径）", "Outcomes by route"),
        t("途径", "route"),
        t("人数", "applicants"),
        t("占比", "share")
    ));
    for (o_, n) in counts.values() {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{n}</td><td>{:.1}%</td></tr>",
            esc(&outcome_name(*o_, lang)),
            100.0 * *n as f64 / total.max(1) as f64
        ));
    }
    body.push_str("</tbody></table>\n");
    let rows: Vec<(String, f64)> = counts
        .values()
        .map(|(o_, n)| (outcome_name(*o_, lang), *n as f64))
        .collect();
    body.push_str(&format!(
        "<figure>{}</figure>\n",
        bar_chart(
            t("各途径人数", "Applicants by route"),
            &rows,
            None,
            &|v| format!("{v:.0}")
        )
    ));
    body.push_str(&format!(
        "<h2>{}</h2>\n<figure>{}</figure>\n",
        t("学区地图", "Map"),
        map.svg.trim_end()
    ));
    // utilisation per school
    let mut util_rows = Vec::new();
    body.push_str(&format!(
        "<h2>{}</h2>\n<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t("各校学位使用率", "Utilisation per school"),
        t("学校", "school"),
        t("学位", "seats"),
        t("申请", "applicants"),
        t("划片入学", "zone"),
        t("统筹转入", "overflow in"),
        t("录取", "admitted"),
        t("使用率", "utilisation")
    ));
    for (s, st) in data.schools.iter().zip(&r.schools) {
        if !s.of_grade(scenario.grade) {
            continue;
        }
        let util = if st.seats > 0 {
            f64::from(st.admitted) / f64::from(st.seats)
        } else {
            0.0
        };
        body.push_str(&format!(
            "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}%</td></tr>",
            esc(s.id.as_str()),
            esc(&s.name),
            st.seats,
            st.applicants(),
            st.admitted_zone,
            st.overflow_in,
            st.admitted,
            100.0 * util
        ));
        if st.seats > 0 {
            util_rows.push((format!("{} {}", s.id, s.name), 100.0 * util));
        }
    }
    body.push_str("</tbody></table>\n");
    body.push_str(&format!(
        "<figure>{}</figure>\n",
        bar_chart(
            t("学位使用率（虚线：100%）", "Utilisation (dashed: 100%)"),
            &util_rows,
            Some(100.0),
            &|v| format!("{v:.0}%")
        )
    ));
    o.add("report.html", page(lang, &title, &body).into_bytes());
}

/// A whole self-contained page.
pub fn page(lang: Language, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n{body}</body>\n</html>\n",
        lang.code(),
        esc(title),
        esc(title)
    )
}
