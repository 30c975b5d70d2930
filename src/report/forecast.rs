//! Outputs of `sunshine forecast`: `projection.csv`, `ratios.csv`,
//! `shortfall.csv`, `report.md`, and the terminal warnings table.

use comfy_table::Cell;

use super::forecast_moves::Changes;
use super::map::{render, Map, MapBlock, MapSchool};
use super::{csv_bytes, esc, md, num, table};
use crate::domain::language::Language;
use crate::domain::model::{Dataset, LargeClass, SchoolIx};
use crate::io::output::OutputSet;
use crate::planning::forecast::{Projection, ShortfallRow, Warning};

pub fn outputs(
    data: &Dataset,
    p: &Projection,
    rows: &[ShortfallRow],
    backtest: Option<(&std::collections::BTreeMap<SchoolIx, f64>, f64, usize)>,
    changes: Option<&Changes<'_>>,
    l: Language,
) -> OutputSet {
    let mut o = OutputSet::new();
    o.add(
        "projection.csv",
        csv_bytes(
            &["school_id", "grade", "year", "projected"],
            p.enrolled.iter().map(|(&(s, g, y), &v)| {
                vec![
                    data.school(s).id.to_string(),
                    g.to_string(),
                    y.to_string(),
                    format!("{v:.1}"),
                ]
            }),
        ),
    );
    o.add(
        "ratios.csv",
        csv_bytes(
            &["school_id", "grade", "kind", "ratio", "source"],
            p.ratios.iter().map(|r| {
                vec![
                    data.school(r.school).id.to_string(),
                    r.grade.to_string(),
                    r.kind.to_string(),
                    format!("{:.4}", r.value),
                    r.source.to_string(),
                ]
            }),
        ),
    );
    o.add(
        "shortfall.csv",
        csv_bytes(
            &[
                "school_id",
                "name",
                "year",
                "projected",
                "seats",
                "shortfall",
                "classes",
                "classes_needed",
                "utilisation",
                "warning",
                "pupils_per_class",
                "large_class",
            ],
            rows.iter().map(|r| {
                vec![
                    data.school(r.school).id.to_string(),
                    data.school(r.school).name.clone(),
                    r.year.to_string(),
                    format!("{:.1}", r.projected),
                    r.seats.to_string(),
                    format!("{:.1}", r.shortfall),
                    r.classes.to_string(),
                    r.classes_needed.to_string(),
                    format!("{:.3}", r.utilisation),
                    r.warning.as_str().to_string(),
                    format!("{:.1}", r.pupils_per_class),
                    large_class(r.pupils_per_class).to_string(),
                ]
            }),
        ),
    );
    if let Some((per, _, _)) = backtest {
        o.add(
            "backtest.csv",
            csv_bytes(
                &["school_id", "mape_percent"],
                per.iter()
                    .map(|(s, e)| vec![data.school(*s).id.to_string(), format!("{e:.2}")]),
            ),
        );
    }
    let mut report = markdown(data, p, rows, backtest.map(|b| (b.1, b.2)), l);
    if let Some(c) = changes {
        o.add("moves.csv", c.moves_csv());
        report.push_str(&c.markdown(l));
    }
    o.add("report.md", report.into_bytes());
    o
}

/// 大班额 or 超大班额 for a school's pupils per class ([`LargeClass`]), or
/// nothing within the standard.
pub fn large_class(per_class: f64) -> &'static str {
    LargeClass::of(per_class).map_or("", LargeClass::label)
}

/// A warning level for people: the id (`red`, …, as in shortfall.csv) in
/// English, 红色/橙色/黄色预警 in Chinese.
pub fn warning_name(w: Warning, l: Language) -> &'static str {
    match (l, w) {
        (Language::En, w) => w.as_str(),
        (Language::Zh, Warning::Red) => "红色",
        (Language::Zh, Warning::Orange) => "橙色",
        (Language::Zh, Warning::Yellow) => "黄色",
        (Language::Zh, Warning::None) => "",
    }
}

fn markdown(
    data: &Dataset,
    p: &Projection,
    rows: &[ShortfallRow],
    backtest: Option<(f64, usize)>,
    l: Language,
) -> String {
    let mut m = tr!(
        l,
        "# 入学人数预测与学位预警，{}–{}\n\n",
        "# Enrollment projection and 学位预警, {}–{}\n\n",
        p.first_year,
        p.last_year
    );
    let mut by_year: std::collections::BTreeMap<i32, (f64, u64, usize)> = Default::default();
    for r in rows {
        let e = by_year.entry(r.year).or_default();
        e.0 += r.projected;
        e.1 += u64::from(r.seats);
        e.2 += usize::from(r.warning >= Warning::Red);
    }
    m.push_str(l.pick(
        "## 全区\n\n| 年份 | 预测学生数 | 学位 | 使用率 | 红色预警学校 |\n|---|---|---|---|---|\n",
        "## District\n\n| year | projected pupils | seats | utilisation | schools at red |\n|---|---|---|---|---|\n",
    ));
    for (y, (pr, seats, red)) in &by_year {
        m.push_str(&format!(
            "| {y} | {pr:.0} | {seats} | {:.1}% | {red} |\n",
            100.0 * pr / *seats as f64
        ));
    }
    if !p.notes.is_empty() {
        // what the projection assumed where the inputs stop, also printed
        // as warnings: a reader of the report sees them too
        m.push_str(l.pick("\n## 假设\n\n", "\n## Assumptions\n\n"));
        for n in &p.notes {
            m.push_str(&format!("- {}: {}\n", n.source.file(), esc(&n.message)));
        }
    }
    if let Some((mape, k)) = backtest {
        m.push_str(&tr!(
            l,
            "\n回测：隐去最近 {k} 年并重新预测，全区平均绝对百分比误差（MAPE）为 {mape:.2}%。\n",
            "\nBacktest: hiding the last {k} years and projecting them gives a district MAPE of {mape:.2}%.\n"
        ));
    }
    m.push_str(l.pick(
        "\n## 学位预警（黄色 ≥ 90%，橙色 ≥ 95%，红色 ≥ 100% 学位）\n\n| 学校 | 年份 | 预测 | 学位 | 学位缺口 | 使用率 | 预警 | 班额 |\n|---|---|---|---|---|---|---|---|\n",
        "\n## Warnings (yellow ≥ 90%, orange ≥ 95%, red ≥ 100% of seats)\n\n| school | year | projected | seats | shortfall | utilisation | warning | class size |\n|---|---|---|---|---|---|---|---|\n",
    ));
    for r in rows.iter().filter(|r| r.warning != Warning::None) {
        m.push_str(&format!(
            "| {} {} | {} | {:.0} | {} | {:+.0} | {:.0}% | {} | {} |\n",
            md(data.school(r.school).id.as_str()),
            md(&data.school(r.school).name),
            r.year,
            r.projected,
            r.seats,
            r.shortfall,
            100.0 * r.utilisation,
            warning_name(r.warning, l),
            large_class(r.pupils_per_class)
        ));
    }
    m
}

/// The terminal's 学位预警 table of the last projected year.
pub fn terminal(data: &Dataset, rows: &[ShortfallRow], last_year: i32, l: Language) -> String {
    let mut t = table(&[
        l.pick("学校", "school"),
        l.pick("预测", "projected"),
        l.pick("学位", "seats"),
        l.pick("学位缺口", "shortfall"),
        l.pick("使用率", "utilisation"),
        l.pick("预警", "warning"),
    ]);
    let mut warn: Vec<&ShortfallRow> = rows
        .iter()
        .filter(|r| r.year == last_year && r.warning != Warning::None)
        .collect();
    warn.sort_by(|a, b| b.utilisation.total_cmp(&a.utilisation));
    for r in warn {
        t.add_row(vec![
            Cell::new(format!(
                "{} {}",
                data.school(r.school).id,
                data.school(r.school).name
            )),
            num(format!("{:.0}", r.projected)),
            num(r.seats),
            num(format!("{:+.0}", r.shortfall)),
            num(format!("{:.0}%", 100.0 * r.utilisation)),
            Cell::new(warning_name(r.warning, l)),
        ]);
    }
    tr!(
        l,
        "{last_year}年学位预警（使用率达到学位90%及以上的学校）\n{t}\n",
        "学位预警 in {last_year} (schools at 90% of seats or more)\n{t}\n"
    )
}

fn warning_colour(w: Warning) -> &'static str {
    match w {
        Warning::Red => "#d62728",
        Warning::Orange => "#ff7f0e",
        Warning::Yellow => "#e6c700",
        Warning::None => "#2ca02c",
    }
}

/// A line chart of a school's pupils (history solid, projection dashed)
/// against its seats (red line), as a standalone SVG.
pub fn school_chart(
    title: &str,
    history: &[(i32, f64)],
    projected: &[(i32, f64)],
    seats: f64,
    l: Language,
) -> String {
    let (w, h, ml, mr, mt, mb) = (520.0, 260.0, 56.0, 16.0, 28.0, 32.0);
    let years: Vec<i32> = history.iter().chain(projected).map(|p| p.0).collect();
    let (y0, y1) = (
        *years.iter().min().unwrap_or(&0),
        *years.iter().max().unwrap_or(&1),
    );
    let top = history
        .iter()
        .chain(projected)
        .map(|p| p.1)
        .fold(seats, f64::max)
        .max(1.0)
        * 1.1;
    let x = |y: i32| ml + (w - ml - mr) * f64::from(y - y0) / f64::from((y1 - y0).max(1));
    let yv = |v: f64| mt + (h - mt - mb) * (1.0 - v / top);
    let line = |pts: &[(i32, f64)]| {
        pts.iter()
            .map(|&(y, v)| format!("{:.1},{:.1}", x(y), yv(v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"11\">\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\
         <text x=\"{ml}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{}</text>",
        esc(title)
    );
    for k in 0..=4 {
        let v = top * f64::from(k) / 4.0;
        s.push_str(&format!(
            "<line x1=\"{ml}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#dddddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v:.0}</text>",
            w - mr,
            ml - 4.0,
            yv(v) + 4.0,
            y = yv(v)
        ));
    }
    for yr in y0..=y1 {
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{yr}</text>",
            x(yr),
            h - 12.0
        ));
    }
    s.push_str(&format!(
        "<line x1=\"{ml}\" x2=\"{:.1}\" y1=\"{sy:.1}\" y2=\"{sy:.1}\" stroke=\"#d62728\" stroke-width=\"1.5\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#d62728\" text-anchor=\"end\">{} {seats:.0}</text>",
        w - mr,
        w - mr,
        yv(seats) - 4.0,
        l.pick("学位", "seats"),
        sy = yv(seats)
    ));
    if !history.is_empty() {
        s.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"{}\"/>",
            line(history)
        ));
    }
    let mut proj = history.last().copied().into_iter().collect::<Vec<_>>();
    proj.extend_from_slice(projected);
    s.push_str(&format!(
        "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" stroke-dasharray=\"5,4\" points=\"{}\"/></svg>",
        line(&proj)
    ));
    s
}

/// Schools coloured by their warning level over the district boundary,
/// drawn by the one map renderer ([`super::map`]): legend of the levels and
/// the schools, the dense area enlarged, scale bar and north arrow.
pub fn map_svg(
    boundary: Option<&crate::spatial::geography::Boundary>,
    schools: &[(String, String, geo::Point<f64>, Option<Warning>)],
    blocks: &[(geo::Point<f64>, u32)],
    title: &str,
    lang: Language,
) -> String {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let map = Map {
        title: title.to_string(),
        lang,
        boundary: boundary.map(|b| b.shape().clone()),
        schools: schools
            .iter()
            .map(|(id, name, at, w)| MapSchool {
                id: id.clone(),
                name: name.clone(),
                at: *at,
                marker: Some(w.map_or("#999999", warning_colour)),
                closed: false,
            })
            .collect(),
        blocks: blocks
            .iter()
            .map(|&(at, applicants)| MapBlock {
                at,
                applicants,
                highlighted: false,
            })
            .collect(),
        markers: vec![
            ("#d62728", t("红色预警：≥ 100% 学位", "red ≥ 100%")),
            ("#ff7f0e", t("橙色预警：≥ 95%", "orange ≥ 95%")),
            ("#e6c700", t("黄色预警：≥ 90%", "yellow ≥ 90%")),
            ("#2ca02c", t("低于 90%", "below 90%")),
        ],
        ..Map::default()
    };
    render(&map).svg
}

/// Everything the HTML report and the standalone SVGs need.
pub struct ReportInputs<'a> {
    pub data: &'a Dataset,
    pub projection: &'a Projection,
    pub rows: &'a [ShortfallRow],
    pub history: &'a crate::planning::forecast::Enrollment,
    pub boundary: Option<&'a crate::spatial::geography::Boundary>,
    pub backtest: Option<(f64, usize)>,
    /// The scenario's changes, for "Where the pupils went" (`None`: no
    /// change, no section).
    pub changes: Option<&'a Changes<'a>>,
    /// The entry-grade warnings of the next three intakes, with the
    /// thresholds they were graded by.
    pub entry: Option<(
        &'a crate::planning::forecast::EntryWarnings,
        &'a crate::domain::scenario::ForecastPolicy,
    )>,
    /// The language of the page.
    pub lang: Language,
}

/// `report.html` (self-contained: inline CSS and SVG, no scripts, no
/// network) and the same charts as standalone SVG files.
// long: the report page in order (map, charts, tables, sections), each step short.
pub fn html_and_svgs(r: &ReportInputs<'_>, o: &mut OutputSet) {
    let data = r.data;
    let last = r.projection.last_year;
    let mut schools: Vec<SchoolIx> = r.rows.iter().map(|x| x.school).collect();
    schools.dedup();
    let final_warning = |s: SchoolIx| {
        r.rows
            .iter()
            .find(|x| x.school == s && x.year == last)
            .map(|x| x.warning)
    };
    let mut applicants = vec![0u32; data.blocks.len()];
    for st in &data.students {
        if let crate::domain::model::Home::Block(b) = st.home {
            applicants[b.ix()] = applicants[b.ix()].saturating_add(1);
        }
    }
    let map = map_svg(
        r.boundary,
        &data
            .schools
            .iter()
            .enumerate()
            .filter(|(_, s)| s.status == crate::domain::model::Status::Open)
            .map(|(i, s)| {
                (
                    s.id.to_string(),
                    s.name.clone(),
                    s.location,
                    final_warning(SchoolIx::from_ix(i)),
                )
            })
            .collect::<Vec<_>>(),
        &data
            .blocks
            .iter()
            .zip(&applicants)
            .map(|(b, &n)| (b.location, n))
            .collect::<Vec<_>>(),
        &match r.lang {
            Language::Zh => format!("{last}年学位预警"),
            Language::En => format!("Warning level in {last}"),
        },
        r.lang,
    );
    o.add("map.svg", map.clone().into_bytes());
    let mut charts = String::new();
    for &s in &schools {
        let school = data.school(s);
        let mut hist: std::collections::BTreeMap<i32, f64> = Default::default();
        for (&(sc, _, y), &v) in r.history {
            if sc == s {
                *hist.entry(y).or_default() += v;
            }
        }
        let proj: Vec<(i32, f64)> = r
            .rows
            .iter()
            .filter(|x| x.school == s)
            .map(|x| (x.year, x.projected))
            .collect();
        let seats = r
            .rows
            .iter()
            .find(|x| x.school == s)
            .map_or(0.0, |x| f64::from(x.seats));
        let svg = school_chart(
            &format!("{} {}", school.id, school.name),
            &hist.into_iter().collect::<Vec<_>>(),
            &proj,
            seats,
            r.lang,
        );
        o.add(
            &format!("chart-{}.svg", school.id),
            svg.clone().into_bytes(),
        );
        charts.push_str(&format!("<figure>{svg}</figure>\n"));
    }
    let l = r.lang;
    let (summary, warnings) = tables_html(r);
    let backtest = r.backtest.map_or(String::new(), |(m, k)| {
        tr!(
            l,
            "<p>回测：隐去最近 {k} 年的历史数据并重新预测，全区平均绝对百分比误差（MAPE）为 {m:.2}%。</p>",
            "<p>Backtest: hiding the last {k} years of history and projecting them gives a district MAPE of {m:.2}%.</p>"
        )
    });
    let first = r.projection.first_year;
    let headings = match l {
        Language::Zh => format!(
            "<h1>入学人数预测与学位预警，{first}–{last}</h1>\n\
             <h2>全区</h2>\n{summary}\n{backtest}\n\
             <h2>学位预警（黄色 ≥ 90%，橙色 ≥ 95%，红色 ≥ 100% 学位）</h2>\n{warnings}\n"
        ),
        Language::En => format!(
            "<h1>Enrollment projection and 学位预警, {first}–{last}</h1>\n\
             <h2>District</h2>\n{summary}\n{backtest}\n\
             <h2>Warnings (yellow ≥ 90%, orange ≥ 95%, red ≥ 100% of seats)</h2>\n{warnings}\n"
        ),
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n<title>学位预警 {first}–{last}</title>\n<style>\
         body{{font-family:sans-serif;margin:24px;color:#222}}table{{border-collapse:collapse;margin:8px 0 20px}}\
         td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}th{{background:#f2f2f2}}\
         figure{{display:inline-block;margin:6px}}</style>\n</head>\n<body>\n\
         {headings}{entry}{moves}\
         <h2>{map_h}</h2>\n<figure>{map}</figure>\n<h2>{schools_h}</h2>\n{charts}</body>\n</html>\n",
        code = l.code(),
        map_h = l.pick("地图", "Map"),
        schools_h = l.pick("学校", "Schools"),
        moves = r.changes.map_or(String::new(), |c| c.html(l)),
        entry = r.entry.map_or(String::new(), |(w, policy)| {
            super::forecast_entry::html(data, w, policy, l)
        }),
    );
    o.add("report.html", html.into_bytes());
}

/// The district table and the warnings table of report.html.
fn tables_html(r: &ReportInputs<'_>) -> (String, String) {
    let (data, l) = (r.data, r.lang);
    let mut by_year: std::collections::BTreeMap<i32, (f64, u64, usize, usize)> = Default::default();
    for x in r.rows {
        let e = by_year.entry(x.year).or_default();
        e.0 += x.projected;
        e.1 += u64::from(x.seats);
        e.2 += usize::from(x.warning == Warning::Red);
        e.3 += usize::from(x.warning != Warning::None);
    }
    let mut summary = String::from(l.pick(
        "<table><thead><tr><th>年份</th><th>预测学生数</th><th>学位</th><th>使用率</th><th>红色预警学校</th><th>预警学校</th></tr></thead><tbody>",
        "<table><thead><tr><th>year</th><th>projected pupils</th><th>seats</th><th>utilisation</th><th>schools at red</th><th>schools warned</th></tr></thead><tbody>",
    ));
    for (y, (p, seats, red, warned)) in &by_year {
        summary.push_str(&format!(
            "<tr><td>{y}</td><td>{p:.0}</td><td>{seats}</td><td>{:.1}%</td><td>{red}</td><td>{warned}</td></tr>",
            100.0 * p / (*seats).max(1) as f64
        ));
    }
    summary.push_str("</tbody></table>");
    let mut warnings = String::from(l.pick(
        "<table><thead><tr><th>学校</th><th>年份</th><th>预测</th><th>学位</th><th>学位缺口</th><th>使用率</th><th>预警</th><th>班额</th></tr></thead><tbody>",
        "<table><thead><tr><th>school</th><th>year</th><th>projected</th><th>seats</th><th>shortfall</th><th>utilisation</th><th>warning</th><th>class size</th></tr></thead><tbody>",
    ));
    for x in r.rows.iter().filter(|x| x.warning != Warning::None) {
        let s = data.school(x.school);
        warnings.push_str(&format!(
            "<tr><td>{} {}</td><td>{}</td><td>{:.0}</td><td>{}</td><td>{:+.0}</td><td>{:.0}%</td><td style=\"color:{}\">{}</td><td>{}</td></tr>",
            esc(s.id.as_str()),
            esc(&s.name),
            x.year,
            x.projected,
            x.seats,
            x.shortfall,
            100.0 * x.utilisation,
            warning_colour(x.warning),
            warning_name(x.warning, l),
            large_class(x.pupils_per_class)
        ));
    }
    warnings.push_str("</tbody></table>");
    (summary, warnings)
}
