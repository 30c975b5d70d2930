//! `compare`'s `compare.svg` and `report.html` (issue 17): per scenario, a
//! map of its zones with the closed schools crossed out, the blocks whose
//! applicants it displaces in red, and arrows from each closed (or
//! re-zoned) school to the schools receiving its applicants, with counts;
//! the district totals and the schools side by side; in the run's language,
//! self-contained and printable on A4.

use std::collections::{BTreeMap, HashMap};

use geo::MultiPolygon;

use super::esc;
use super::map::{render, Flow};
use super::place_html::{bar_chart, page, zones_map};
use crate::domain::language::Language;
use crate::domain::model::Home;
use crate::io::output::OutputSet;
use crate::planning::compare::{Comparison, Run};

/// The map of scenario `k` (1-based, after the baseline).
fn scenario_map(
    runs: &[Run<'_>],
    c: &Comparison,
    k: usize,
    boundary: Option<&MultiPolygon<f64>>,
    lang: Language,
) -> String {
    let run = &runs[k];
    let data = run.data;
    let displaced = &c.displaced[k - 1];
    let block_of: HashMap<String, usize> = data
        .students
        .iter()
        .filter_map(|s| match s.home {
            Home::Block(b) => Some((s.id.to_string(), b.ix())),
            Home::Point(_) => None,
        })
        .collect();
    let mut hit = vec![false; data.blocks.len()];
    for d in displaced {
        if let Some(&b) = block_of.get(&d.student) {
            hit[b] = true;
        }
    }
    let title = match lang {
        Language::Zh => format!(
            "{}（{}年）与基准方案比较：停办学校、受影响小区与分流",
            run.scenario.name, run.scenario.year
        ),
        Language::En => format!(
            "{} ({}) against the baseline: closures, displaced blocks, where the applicants go",
            run.scenario.name, run.scenario.year
        ),
    };
    let mut map = zones_map(
        data,
        run.scenario,
        run.result,
        boundary,
        title,
        lang,
        &|b| hit[b],
    );
    let at = |id: &str| {
        data.schools
            .iter()
            .find(|s| s.id.as_str() == id)
            .map(|s| s.location)
    };
    let mut flows: BTreeMap<(String, String), u32> = BTreeMap::new();
    for d in displaced {
        if let Some(to) = &d.to_school {
            if *to != d.from_zone {
                *flows.entry((d.from_zone.clone(), to.clone())).or_default() += 1;
            }
        }
    }
    map.flows = flows
        .into_iter()
        .filter_map(|((from, to), count)| {
            Some(Flow {
                from: at(&from)?,
                to: at(&to)?,
                count,
            })
        })
        .collect();
    render(&map).svg
}

/// `compare.svg` (the first scenario's map) and `report.html` (every
/// scenario's map, the totals and the schools side by side; `years`: the
/// sections of `compare --years`), added to `o`.
pub fn add_files(
    runs: &[Run<'_>],
    c: &Comparison,
    boundary: Option<&MultiPolygon<f64>>,
    lang: Language,
    years: Option<String>,
    o: &mut OutputSet,
) {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let maps: Vec<String> = (1..runs.len())
        .map(|k| scenario_map(runs, c, k, boundary, lang))
        .collect();
    if let Some(first) = maps.first() {
        o.add("compare.svg", first.clone().into_bytes());
    }
    let title = format!(
        "{}：{}",
        t("方案比较", "Scenario comparison"),
        c.names.join(" / ")
    );
    let mut body = format!(
        "<p>{} {}</p>\n<h2>{}</h2>\n<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t("基准方案：", "Baseline:"),
        esc(&c.names[0]),
        t("全区合计", "District totals"),
        t("方案", "scenario"),
        t("申请", "applicants"),
        t("已安排", "placed"),
        t("未安置", "unplaced"),
        t("平均距离（公里）", "mean km"),
        t("开办学校", "open schools"),
        t("剩余学位", "spare seats")
    );
    for (name, x) in c.names.iter().zip(&c.totals) {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            x.applicants,
            x.placed,
            x.unplaced,
            x.mean_km,
            x.open_schools,
            x.seats_spare
        ));
    }
    body.push_str("</tbody></table>\n");
    for (k, svg) in maps.iter().enumerate() {
        let s = &c.displaced_summary[k];
        body.push_str(&format!(
            "<h2>{}</h2>\n<p>{} {} · {} {} · {} {:.2}</p>\n<figure>{}</figure>\n",
            esc(&c.names[k + 1]),
            t("受影响学生", "displaced applicants"),
            s.count,
            t("未安置", "unplaced"),
            s.unplaced,
            t("平均增加距离（公里）", "mean extra km"),
            s.extra_mean_km,
            svg.trim_end()
        ));
    }
    // schools side by side, and a utilisation chart of the last scenario
    body.push_str(&format!(
        "<h2>{}</h2>\n<table><thead><tr><th>{}</th>",
        t("各校比较（录取 / 学位）", "Schools (admitted / seats)"),
        t("学校", "school")
    ));
    for n in &c.names {
        body.push_str(&format!("<th>{}</th>", esc(n)));
    }
    body.push_str("</tr></thead><tbody>");
    let last = c.names.len() - 1;
    let mut util = Vec::new();
    for (id, name, figs) in &c.schools {
        body.push_str(&format!("<tr><td>{} {}</td>", esc(id), esc(name)));
        for f in figs {
            match f {
                Some(f) if f.closed => body.push_str(&format!("<td>{}</td>", t("停办", "closed"))),
                Some(f) => body.push_str(&format!(
                    "<td>{} / {} ({:.0}%)</td>",
                    f.admitted,
                    f.seats,
                    100.0 * f.utilisation
                )),
                None => body.push_str("<td></td>"),
            }
        }
        body.push_str("</tr>");
        if let Some(Some(f)) = figs.get(last) {
            if !f.closed && f.seats > 0 {
                util.push((format!("{id} {name}"), 100.0 * f.utilisation));
            }
        }
    }
    body.push_str("</tbody></table>\n");
    body.push_str(&format!(
        "<figure>{}</figure>\n",
        bar_chart(
            &format!(
                "{}（{}）",
                t("学位使用率，虚线 100%", "Utilisation, dashed 100%"),
                c.names[last]
            ),
            &util,
            Some(100.0),
            &|v| format!("{v:.0}%")
        )
    ));
    if let Some(y) = years {
        body.push_str(&y);
    }
    o.add("report.html", page(lang, &title, &body).into_bytes());
}
