//! Outputs of `compare --years N` and `sweep --years N` (issue 16): the
//! scenarios' forecasts beside the baseline's ([`crate::planning::compare_years`]).
//!
//! `compare --years` adds `compare_years.csv`, `receiving.csv`,
//! `displaced_years.csv`, `class_sizes_years.csv` and `report.html` to the
//! one-year comparison's files, sections to `compare.md`, and a block to
//! the terminal; `sweep --years` adds `sweep_years.csv` and a ranking.

use std::collections::BTreeMap;

use comfy_table::Cell;

use super::{csv_bytes, esc, md, num, table};
use crate::domain::language::Language;
use crate::domain::model::{LargeClass, SchoolId};
use crate::io::output::OutputSet;
use crate::planning::compare_years::{PeakShortfall, ScenarioYears, LARGE_CLASS_TARGET};

/// What the report says about the comparison as a whole.
pub struct YearsReport<'a> {
    /// The baseline scenario's name.
    pub baseline: &'a str,
    /// Years projected (`--years`).
    pub years: u32,
    /// One per scenario after the baseline.
    pub scenarios: &'a [ScenarioYears],
    /// The language of compare.md, report.html and the terminal.
    pub lang: Language,
}

/// A whole number of pupils with its sign (`+12` short of seats, `-30`
/// spare), `0` for less than half a pupil either way.
fn signed(v: f64) -> String {
    let r = v.round();
    if r == 0.0 {
        "0".to_string()
    } else {
        format!("{r:+.0}")
    }
}

fn percent(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
}

/// The projected years of a scenario, oldest first.
fn years_of(s: &ScenarioYears) -> Vec<i32> {
    let mut y: Vec<i32> = s.rows.iter().map(|r| r.year).collect();
    y.sort_unstable();
    y.dedup();
    y
}

/// The first and last projected year over all scenarios ("2026–2030").
fn span(r: &YearsReport<'_>) -> String {
    let years: Vec<i32> = r.scenarios.iter().flat_map(years_of).collect();
    match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => String::new(),
    }
}

/// Per receiving school: its name and (scenario, baseline) shortfall per
/// year.
type ShortfallTable = Vec<(SchoolId, String, BTreeMap<i32, (f64, f64)>)>;

fn receiving_shortfall(s: &ScenarioYears) -> ShortfallTable {
    s.receiving
        .iter()
        .map(|id| {
            let mut name = String::new();
            let mut by = BTreeMap::new();
            for r in s.rows.iter().filter(|r| &r.school == id) {
                name.clone_from(&r.name);
                by.insert(
                    r.year,
                    (
                        r.scenario_or_zero().shortfall,
                        r.baseline_or_zero().shortfall,
                    ),
                );
            }
            (id.clone(), name, by)
        })
        .collect()
}

/// Whether the district's pupils equal the baseline's in every year,
/// within half a pupil (the forecast moves pupils, it neither makes nor
/// loses them), as one sentence.
pub fn conservation_line(s: &ScenarioYears, l: Language) -> String {
    let worst = s
        .conservation
        .iter()
        .map(|&(y, a, b)| (y, a - b))
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
    let totals: Vec<String> = s
        .conservation
        .iter()
        .map(|&(y, a, _)| format!("{y} {a:.0}"))
        .collect();
    match worst {
        None => l.pick("没有预测年份。", "No projected years.").to_string(),
        Some((_, d)) if d.abs() <= 0.5 => tr!(
            l,
            "全区学生数每年均与基准方案相同（最大差 {:.3}；学生只是调整，不增不减）：{}。",
            "District pupils equal the baseline's in every year (largest difference {:.3}; pupils are moved, not made or lost): {}.",
            d.abs(),
            totals.join(", ")
        ),
        Some((y, d)) => tr!(
            l,
            "全区学生数与基准方案不同：{y}年差 {d:+.1}（应当相等：预测只调整学生，不增不减）：{}。",
            "District pupils differ from the baseline's: by {d:+.1} in {y} (expected equal: the forecast moves pupils, it does not make or lose them): {}.",
            totals.join(", ")
        ),
    }
}

/// The CSV files of `compare --years` (its charts go into compare's `report.html`, [`html_sections`]).
pub fn add_files(r: &YearsReport<'_>, o: &mut OutputSet) {
    let mut rows = Vec::new();
    for s in r.scenarios {
        for x in &s.rows {
            let (a, b) = (x.scenario_or_zero(), x.baseline_or_zero());
            rows.push(vec![
                s.name.clone(),
                x.school.to_string(),
                x.name.clone(),
                x.year.to_string(),
                format!("{:.1}", b.projected),
                format!("{:.1}", a.projected),
                a.seats.to_string(),
                format!("{:.1}", a.shortfall),
                format!("{:.1}", b.shortfall),
                b.seats.to_string(),
                x.status().to_string(),
            ]);
        }
    }
    o.add(
        "compare_years.csv",
        csv_bytes(
            &[
                "scenario",
                "school_id",
                "name",
                "year",
                "baseline_projected",
                "projected",
                "seats",
                "shortfall",
                "baseline_shortfall",
                "baseline_seats",
                "status",
            ],
            rows.into_iter(),
        ),
    );
    o.add("receiving.csv", receiving_csv(r));
    let rows = r.scenarios.iter().flat_map(|s| {
        s.displaced.iter().map(|d| {
            vec![
                s.name.clone(),
                d.year.to_string(),
                format!("{:.1}", d.entrants),
                format!("{:.1}", d.enrolled),
                format!("{:.1}", d.total()),
            ]
        })
    });
    o.add(
        "displaced_years.csv",
        csv_bytes(&["scenario", "year", "entrants", "enrolled", "total"], rows),
    );
    o.add("class_sizes_years.csv", class_sizes_csv(r));
}

fn receiving_csv(r: &YearsReport<'_>) -> Vec<u8> {
    let rows = r.scenarios.iter().flat_map(|s| {
        s.grades.iter().map(|g| {
            vec![
                s.name.clone(),
                g.school.to_string(),
                g.name.clone(),
                g.year.to_string(),
                g.grade.to_string(),
                format!("{:.1}", g.pupils),
                g.count.classes.to_string(),
                format!("{:.1}", g.per_class),
                g.level.map_or("", LargeClass::label).to_string(),
                g.count.large.to_string(),
                g.count.very_large.to_string(),
                format!("{:.1}", g.baseline_pupils),
            ]
        })
    });
    csv_bytes(
        &[
            "scenario",
            "school_id",
            "name",
            "year",
            "grade",
            "pupils",
            "classes",
            "pupils_per_class",
            "large_class",
            "classes_56_65",
            "classes_66_plus",
            "baseline_pupils",
        ],
        rows,
    )
}

fn class_sizes_csv(r: &YearsReport<'_>) -> Vec<u8> {
    let rows = r.scenarios.iter().flat_map(|s| {
        s.classes.iter().map(|c| {
            vec![
                s.name.clone(),
                c.year.to_string(),
                c.receiving.classes.to_string(),
                c.receiving.large.to_string(),
                c.receiving.very_large.to_string(),
                format!("{:.4}", c.receiving.share_56_plus()),
                c.district.classes.to_string(),
                c.district.large.to_string(),
                c.district.very_large.to_string(),
                format!("{:.4}", c.district.share_56_plus()),
                format!("{:.4}", c.baseline_district.share_56_plus()),
                format!("{LARGE_CLASS_TARGET:.2}"),
            ]
        })
    });
    csv_bytes(
        &[
            "scenario",
            "year",
            "receiving_classes",
            "receiving_56_65",
            "receiving_66_plus",
            "receiving_share_56_plus",
            "district_classes",
            "district_56_65",
            "district_66_plus",
            "district_share_56_plus",
            "baseline_district_share_56_plus",
            "target_share_56_plus",
        ],
        rows,
    )
}

/// A cell of the shortfall tables: scenario / baseline.
fn pair(a: f64, b: f64) -> String {
    format!("{} / {}", signed(a), signed(b))
}

/// The sections `compare --years` adds to `compare.md`.
pub fn markdown(r: &YearsReport<'_>) -> String {
    let l = r.lang;
    let mut m = tr!(
        l,
        "\n## {}年预测（`--years {}`），各方案与基准方案（{}）对照\n\n\
         各方案的预测按读入的学校网络推算各年级队列，并按方案中每年的学校网络安置。\
         学位 = 各年级班数 × 标准班额；学位缺口 = 预测人数 − 学位（+ 为学位不足，− 为空余）。\
         *接收学校*：某一年学生数比基准方案多1人及以上的学校。\
         分学校分年份：`compare_years.csv`；分接收学校分年级：`receiving.csv`；图表：`report.html`。\n",
        "\n## Forecast {} (`--years {}`), each scenario beside the baseline ({})\n\n\
         Each scenario's forecast projects the cohorts on the network as read and places them on each year's network of the scenario. \
         Seats = classes × the standard class size in every grade; shortfall = projected − seats (+ short of seats, − spare). \
         A *receiving* school is one whose pupils rise by 1 or more against the baseline in some year. \
         Per school and year: `compare_years.csv`; per receiving school and grade: `receiving.csv`; charts: `report.html`.\n",
        span(r),
        r.years,
        md(r.baseline)
    );
    for s in r.scenarios {
        m.push_str(&format!(
            "\n### {}\n\n{}\n",
            md(&s.name),
            conservation_line(s, l)
        ));
        let years = years_of(s);
        m.push_str(l.pick(
            "\n#### 接收学校的学位缺口（方案 / 基准）\n\n",
            "\n#### 学位缺口 / Shortfall of the receiving schools (scenario / baseline)\n\n",
        ));
        if s.receiving.is_empty() {
            m.push_str(l.pick("没有接收学校。\n", "No school receives pupils.\n"));
        } else {
            m.push_str(l.pick("| 学校 |", "| school |"));
            for y in &years {
                m.push_str(&format!(" {y} |"));
            }
            m.push_str(&format!(
                " {} |\n|---|{}---|\n",
                l.pick("峰值", "peak"),
                "---|".repeat(years.len())
            ));
            for ((id, name, by), p) in receiving_shortfall(s).iter().zip(&s.peaks) {
                m.push_str(&format!("| {} {} |", md(id.as_str()), md(name)));
                for y in &years {
                    match by.get(y) {
                        Some(&(a, b)) => m.push_str(&format!(" {} |", pair(a, b))),
                        None => m.push_str(" — |"),
                    }
                }
                m.push_str(&tr!(
                    l,
                    " {}（{}年） |\n",
                    " {} in {} |\n",
                    signed(p.shortfall),
                    p.year
                ));
            }
        }
        m.push_str(&tr!(
            l,
            "\n#### 班额（大班额 56–65人，超大班额 66人及以上；国家目标：56人及以上的班级占比低于 {:.0}%）\n\n\
             | 年份 | 接收学校班数 | 56–65 | 66+ | 56人及以上占比 | 全区56人及以上占比 | 基准方案全区占比 |\n|---|---|---|---|---|---|---|\n",
            "\n#### 班额 / Class sizes (大班额 56–65, 超大班额 66+; national target: under {:.0}% of classes at 56+)\n\n\
             | year | receiving schools' classes | 56–65 | 66+ | share at 56+ | district share at 56+ | baseline district share |\n|---|---|---|---|---|---|---|\n",
            100.0 * LARGE_CLASS_TARGET
        ));
        for c in &s.classes {
            m.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                c.year,
                c.receiving.classes,
                c.receiving.large,
                c.receiving.very_large,
                percent(c.receiving.share_56_plus()),
                percent(c.district.share_56_plus()),
                percent(c.baseline_district.share_56_plus())
            ));
        }
        m.push_str(l.pick(
            "\n#### 分年份分流学生\n\n| 年份 | 新生 | 在校生 | 合计 |\n|---|---|---|---|\n",
            "\n#### 分流学生 / Displaced pupils by year\n\n| year | entrants | enrolled | total |\n|---|---|---|---|\n",
        ));
        for d in &s.displaced {
            m.push_str(&format!(
                "| {} | {:.0} | {:.0} | {:.0} |\n",
                d.year,
                d.entrants,
                d.enrolled,
                d.total()
            ));
        }
    }
    m
}

/// The terminal block of `compare --years`: per scenario, the receiving
/// schools' shortfall by year and their peak, the displaced pupils and
/// the conservation check.
pub fn terminal(r: &YearsReport<'_>) -> String {
    let l = r.lang;
    let mut out = tr!(
        l,
        "\n{}年预测（--years {}），与基准方案 {} 对照\n",
        "\nForecast {} (--years {}), beside the baseline {}\n",
        span(r),
        r.years,
        r.baseline
    );
    for s in r.scenarios {
        out.push_str(&format!("\n{}\n", s.name));
        let years = years_of(s);
        if s.receiving.is_empty() {
            out.push_str(l.pick("没有接收学校。\n", "No school receives pupils.\n"));
        } else {
            let mut header = vec![l.pick("接收学校", "receiving school").to_string()];
            header.extend(years.iter().map(i32::to_string));
            header.extend([
                l.pick("峰值", "peak").to_string(),
                l.pick("最大班额", "max per class").to_string(),
            ]);
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            let mut t = table(&header);
            for ((id, name, by), p) in receiving_shortfall(s).iter().zip(&s.peaks) {
                let mut row = vec![Cell::new(format!("{id} {name}"))];
                for y in &years {
                    row.push(num(by
                        .get(y)
                        .map_or("—".to_string(), |&(a, b)| pair(a, b))));
                }
                row.push(num(tr!(
                    l,
                    "{}（{}年；基准 {}）",
                    "{} in {} (baseline {})",
                    signed(p.shortfall),
                    p.year,
                    signed(p.baseline_shortfall)
                )));
                row.push(num(format!(
                    "{:.1}{}",
                    p.max_per_class,
                    LargeClass::of(p.max_per_class)
                        .map_or(String::new(), |c| format!(" {}", c.label()))
                )));
                t.add_row(row);
            }
            out.push_str(&format!(
                "{}\n{t}\n",
                l.pick(
                    "接收学校的学位缺口（方案 / 基准；+ 为学位不足，− 为空余）",
                    "学位缺口 / Shortfall of the receiving schools (scenario / baseline; + short of seats, − spare)"
                )
            ));
        }
        let moved: Vec<String> = s
            .displaced
            .iter()
            .map(|d| {
                tr!(
                    l,
                    "{}年 {:.0}（新生 {:.0}，在校生 {:.0}）",
                    "{} {:.0} ({:.0} entrants, {:.0} enrolled)",
                    d.year,
                    d.total(),
                    d.entrants,
                    d.enrolled
                )
            })
            .collect();
        out.push_str(&tr!(
            l,
            "分年份分流学生：{}\n",
            "Displaced pupils by year: {}\n",
            moved.join("; ")
        ));
        let large: Vec<String> = s
            .classes
            .iter()
            .map(|c| {
                tr!(
                    l,
                    "{}年 {}/{}（{}）",
                    "{} {} of {} ({})",
                    c.year,
                    c.receiving.large + c.receiving.very_large,
                    c.receiving.classes,
                    percent(c.receiving.share_56_plus())
                )
            })
            .collect();
        out.push_str(&tr!(
            l,
            "接收学校56人及以上的班级（目标低于 {:.0}%）：{}\n",
            "Receiving schools' classes at 56+ (target under {:.0}%): {}\n",
            100.0 * LARGE_CLASS_TARGET,
            large.join("; ")
        ));
        out.push_str(&format!("{}\n", conservation_line(s, l)));
    }
    out
}

const SCENARIO_COLOUR: &str = "#1f77b4";
const BASELINE_COLOUR: &str = "#7f7f7f";
const FULL_COLOUR: &str = "#d62728";

/// A line chart of one school's shortfall per year: the scenario solid,
/// the baseline dashed, 0 (every seat taken) a red line.
pub fn shortfall_chart(
    title: &str,
    scenario: &[(i32, f64)],
    baseline: &[(i32, f64)],
    l: Language,
) -> String {
    let (w, h, ml, mr, mt, mb) = (460.0, 240.0, 52.0, 16.0, 40.0, 30.0);
    let all = || scenario.iter().chain(baseline);
    let y0 = all().map(|p| p.0).min().unwrap_or(0);
    let y1 = all().map(|p| p.0).max().unwrap_or(y0);
    let lo = all().map(|p| p.1).fold(0.0, f64::min);
    let hi = all().map(|p| p.1).fold(0.0, f64::max);
    let pad = ((hi - lo) * 0.1).max(1.0);
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |y: i32| ml + (w - ml - mr) * f64::from(y - y0) / f64::from((y1 - y0).max(1));
    let yv = |v: f64| mt + (h - mt - mb) * (hi - v) / (hi - lo);
    let line = |pts: &[(i32, f64)]| {
        pts.iter()
            .map(|&(y, v)| format!("{:.1},{:.1}", x(y), yv(v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"11\">\
         <title>{t}</title><rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\
         <text x=\"{ml}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{t}</text>",
        t = esc(title)
    );
    for k in 0..=4 {
        let v = lo + (hi - lo) * f64::from(k) / 4.0;
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
            h - 10.0
        ));
    }
    s.push_str(&format!(
        "<line x1=\"{ml}\" x2=\"{:.1}\" y1=\"{z:.1}\" y2=\"{z:.1}\" stroke=\"{FULL_COLOUR}\" stroke-width=\"1\"/>",
        w - mr,
        z = yv(0.0)
    ));
    // legend
    s.push_str(&format!(
        "<line x1=\"{ml}\" x2=\"{:.1}\" y1=\"29\" y2=\"29\" stroke=\"{SCENARIO_COLOUR}\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"33\">{}</text>\
         <line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"29\" y2=\"29\" stroke=\"{BASELINE_COLOUR}\" stroke-width=\"2\" stroke-dasharray=\"5,4\"/><text x=\"{:.1}\" y=\"33\">{}</text>\
         <text x=\"{:.1}\" y=\"33\" fill=\"{FULL_COLOUR}\" text-anchor=\"end\">{}</text>",
        ml + 24.0,
        ml + 28.0,
        l.pick("方案", "scenario 方案"),
        ml + 120.0,
        ml + 144.0,
        ml + 148.0,
        l.pick("基准", "baseline 基准"),
        w - mr,
        l.pick("0 = 学位已满", "0 = seats full"),
    ));
    for (pts, colour, dash) in [
        (baseline, BASELINE_COLOUR, " stroke-dasharray=\"5,4\""),
        (scenario, SCENARIO_COLOUR, ""),
    ] {
        if !pts.is_empty() {
            s.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} points=\"{}\"/>",
                line(pts)
            ));
        }
    }
    s.push_str("</svg>");
    s
}

/// The sections of one scenario in `report.html`.
fn html_scenario(s: &ScenarioYears, l: Language) -> String {
    let years = years_of(s);
    let mut h = tr!(
        l,
        "<h2>方案：{}</h2>\n<p class=\"conservation\">{}</p>\n",
        "<h2>方案 / Scenario: {}</h2>\n<p class=\"conservation\">{}</p>\n",
        esc(&s.name),
        esc(&conservation_line(s, l))
    );
    h.push_str(l.pick(
        "<h3>接收学校的学位缺口（方案 / 基准）</h3>\n",
        "<h3>学位缺口 / Shortfall of the receiving schools (scenario / baseline)</h3>\n",
    ));
    let table = receiving_shortfall(s);
    if table.is_empty() {
        h.push_str(l.pick(
            "<p>没有接收学校。</p>\n",
            "<p>No school receives pupils.</p>\n",
        ));
    } else {
        h.push_str(l.pick(
            "<table><thead><tr><th>学校</th>",
            "<table><thead><tr><th>school</th>",
        ));
        for y in &years {
            h.push_str(&format!("<th>{y}</th>"));
        }
        h.push_str(l.pick(
            "<th>峰值</th></tr></thead><tbody>",
            "<th>peak</th></tr></thead><tbody>",
        ));
        for ((id, name, by), p) in table.iter().zip(&s.peaks) {
            h.push_str(&format!("<tr><td>{} {}</td>", esc(id.as_str()), esc(name)));
            for y in &years {
                let cell = by.get(y).map_or("—".to_string(), |&(a, b)| pair(a, b));
                let short = by.get(y).is_some_and(|&(a, _)| a.round() > 0.0);
                h.push_str(&format!(
                    "<td{}>{cell}</td>",
                    if short { " class=\"short\"" } else { "" }
                ));
            }
            h.push_str(&tr!(
                l,
                "<td>{}（{}年）</td></tr>",
                "<td>{} in {}</td></tr>",
                signed(p.shortfall),
                p.year
            ));
        }
        h.push_str("</tbody></table>\n");
        for (id, name, by) in &table {
            let sc: Vec<(i32, f64)> = by.iter().map(|(&y, &(a, _))| (y, a)).collect();
            let bl: Vec<(i32, f64)> = by.iter().map(|(&y, &(_, b))| (y, b)).collect();
            let title = tr!(
                l,
                "{id} {name} 学位缺口",
                "{id} {name} 学位缺口 / shortfall"
            );
            h.push_str(&format!(
                "<figure>{}</figure>\n",
                shortfall_chart(&title, &sc, &bl, l)
            ));
        }
    }
    h.push_str(&tr!(
        l,
        "<h3>班额（大班额 56–65人，超大班额 66人及以上；目标：56人及以上的班级占比低于 {:.0}%）</h3>\n\
         <table><thead><tr><th>年份</th><th>接收学校班数</th><th>大班额 56–65</th><th>超大班额 66+</th><th>56人及以上占比</th><th>全区56人及以上占比</th><th>基准方案全区占比</th></tr></thead><tbody>",
        "<h3>班额 / Class sizes (大班额 56–65, 超大班额 66+; target: under {:.0}% of classes at 56+)</h3>\n\
         <table><thead><tr><th>year</th><th>receiving schools' classes</th><th>大班额 56–65</th><th>超大班额 66+</th><th>share at 56+</th><th>district share at 56+</th><th>baseline district share</th></tr></thead><tbody>",
        100.0 * LARGE_CLASS_TARGET
    ));
    for c in &s.classes {
        let over = c.receiving.share_56_plus() >= LARGE_CLASS_TARGET && c.receiving.classes > 0;
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td><td>{}</td><td>{}</td></tr>",
            c.year,
            c.receiving.classes,
            c.receiving.large,
            c.receiving.very_large,
            if over { " class=\"short\"" } else { "" },
            percent(c.receiving.share_56_plus()),
            percent(c.district.share_56_plus()),
            percent(c.baseline_district.share_56_plus())
        ));
    }
    h.push_str(l.pick(
        "</tbody></table>\n<h3>分年份分流学生</h3>\n<table><thead><tr><th>年份</th><th>新生</th><th>在校生</th><th>合计</th></tr></thead><tbody>",
        "</tbody></table>\n<h3>分流学生 / Displaced pupils by year</h3>\n<table><thead><tr><th>year</th><th>entrants 新生</th><th>enrolled 在校生</th><th>total</th></tr></thead><tbody>",
    ));
    for d in &s.displaced {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{:.0}</td><td>{:.0}</td><td>{:.0}</td></tr>",
            d.year,
            d.entrants,
            d.enrolled,
            d.total()
        ));
    }
    h.push_str("</tbody></table>\n");
    h
}

/// The sections of `compare --years` in compare's `report.html`, in the
/// run's language (self-contained: inline SVG, no scripts, no network).
pub fn html_sections(r: &YearsReport<'_>) -> String {
    let l = r.lang;
    let body: String = r.scenarios.iter().map(|s| html_scenario(s, l)).collect();
    let intro = match l {
        Language::Zh => format!(
                "<h2>多年方案比较，{span}</h2>\n\
                 <p>基准方案：{base}。各方案的预测按读入的学校网络推算各年级队列，并按方案中每年的学校网络安置。\
                 学位 = 各年级班数 × 标准班额；学位缺口 = 预测人数 − 学位（+ 为学位不足，− 为空余）。\
                 接收学校：某一年学生数比基准方案多1人及以上的学校。</p>\n",
                span = span(r),
                base = esc(r.baseline),
            ),
        Language::En => format!(
                "<h2>多年方案比较 / Scenarios over the years, {span}</h2>\n\
                 <p>基准 / Baseline: {base}. Each scenario's forecast projects the cohorts on the network as read and places them on each year's network of the scenario. \
                 Seats = classes × the standard class size in every grade; shortfall = projected − seats (+ short of seats, − spare). \
                 A receiving school is one whose pupils rise by 1 or more against the baseline in some year.</p>\n",
                span = span(r),
                base = esc(r.baseline),
            ),
    };
    format!("{intro}{body}")
}

/// Add `sweep_years.csv` to `o` and return the terminal ranking of
/// `sweep --years`, in the order given (ranked by
/// [`crate::planning::compare_years::rank`]).
pub fn add_sweep(years: u32, rows: &[PeakShortfall], o: &mut OutputSet, l: Language) -> String {
    // one column per projected year of any scenario (empty where a
    // scenario's dataset projects other years)
    let mut all: Vec<i32> = rows
        .iter()
        .flat_map(|p| p.by_year.iter().map(|x| x.0))
        .collect();
    all.sort_unstable();
    all.dedup();
    let csv_rows = rows.iter().enumerate().map(|(i, p)| {
        let mut row = vec![
            (i + 1).to_string(),
            p.name.clone(),
            format!("{:.1}", p.shortfall),
            p.year.map_or(String::new(), |y| y.to_string()),
            p.schools_short.to_string(),
            format!("{:.1}", p.displaced),
        ];
        row.extend(all.iter().map(|y| {
            p.by_year
                .iter()
                .find(|x| x.0 == *y)
                .map_or(String::new(), |x| format!("{:.1}", x.1))
        }));
        row
    });
    let mut header: Vec<String> = [
        "rank",
        "scenario",
        "peak_shortfall",
        "peak_year",
        "schools_short",
        "displaced",
    ]
    .map(String::from)
    .to_vec();
    header.extend(all.iter().map(|y| format!("shortfall_{y}")));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    o.add("sweep_years.csv", csv_bytes(&header, csv_rows));
    let mut t = table(&[
        l.pick("排名", "rank"),
        l.pick("方案", "scenario"),
        l.pick("峰值学位缺口", "peak shortfall"),
        l.pick("年份", "year"),
        l.pick("学位不足学校", "schools short"),
        l.pick("分流学生", "displaced"),
    ]);
    for (i, p) in rows.iter().enumerate() {
        t.add_row(vec![
            num(i + 1),
            Cell::new(&p.name),
            num(format!("{:.0}", p.shortfall)),
            num(p.year.map_or(String::new(), |y| y.to_string())),
            num(p.schools_short),
            num(format!("{:.0}", p.displaced)),
        ]);
    }
    tr!(
        l,
        "\n各方案按 {years} 个预测年份中的峰值学位缺口排序（学位不足学校的缺口之和，取最差年份；相同时按名称）\n{t}\n",
        "\nScenarios by peak shortfall over {years} projected years (the district's summed shortfall of the schools short of seats, in its worst year; ties by name)\n{t}\n"
    )
}
