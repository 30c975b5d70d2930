//! Entry-grade warnings of `forecast` (入学学位预警, the next three
//! intakes; [`crate::planning::forecast::entry_warnings`]): the
//! notice-ready `warnings_entry.csv` (every public school, entry grade and
//! intake) and the report.html section (the intakes warned).

use super::{csv_bytes, esc};
use crate::domain::language::Language;
use crate::domain::model::Dataset;
use crate::domain::scenario::ForecastPolicy;
use crate::planning::forecast::{EntryWarnings, Warning};

/// The level as the notice prints it.
fn level_zh(w: Warning) -> &'static str {
    match w {
        Warning::Red => "红色",
        Warning::Yellow | Warning::Orange => "黄色",
        Warning::None => "",
    }
}

fn colour(w: Warning) -> &'static str {
    match w {
        Warning::Red => "#d62728",
        Warning::Yellow | Warning::Orange => "#b8860b",
        Warning::None => "#222222",
    }
}

/// `warnings_entry.csv`: per school, entry grade and intake year, the
/// expected applicants in total and per category (`expected_<category>`),
/// the entry seats after the cap, their ratio and the level.
pub fn csv(data: &Dataset, w: &EntryWarnings) -> Vec<u8> {
    let mut header: Vec<String> = ["school_id", "name", "grade", "year", "expected"]
        .map(String::from)
        .to_vec();
    header.extend(w.categories.iter().map(|c| format!("expected_{c}")));
    header.extend(["seats", "ratio", "level", "level_zh"].map(String::from));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows = w.rows.iter().map(|r| {
        let s = data.school(r.school);
        let mut row = vec![
            s.id.to_string(),
            s.name.clone(),
            r.grade.number().to_string(),
            r.year.to_string(),
            format!("{:.1}", r.expected),
        ];
        row.extend(r.by_category.iter().map(|v| format!("{v:.1}")));
        row.extend([
            r.seats.to_string(),
            format!("{:.3}", r.ratio),
            r.level.as_str().to_string(),
            level_zh(r.level).to_string(),
        ]);
        row
    });
    csv_bytes(&header, rows)
}

/// The report.html section: the intakes at yellow or red, by year, then
/// level, then ratio (highest first).
pub fn html(data: &Dataset, w: &EntryWarnings, policy: &ForecastPolicy, l: Language) -> String {
    let years = match (
        w.rows.iter().map(|r| r.year).min(),
        w.rows.iter().map(|r| r.year).max(),
    ) {
        (Some(a), Some(b)) if a < b => format!(" {a}–{b}"),
        (Some(a), _) => format!(" {a}"),
        _ => String::new(),
    };
    let mut h = tr!(
        l,
        "<h2>入学学位预警（未来三届）{years}</h2>\n\
         <p>各校划片范围内起始年级（一年级、七年级）按类别的预计报名人数，与班额上限下的起始年级学位相比：\
         达到学位的 {:.0}% 为黄色预警，达到 {:.0}% 为红色预警。全部学校和各届：<code>warnings_entry.csv</code>。</p>\n",
        "<h2>入学学位预警（未来三届）/ Entry-grade warnings, next three intakes{years}</h2>\n\
         <p>Expected applicants of each school's zone at its entry grade (grade 1, grade 7) by category, against its entry seats after the class-size cap: \
         黄色 yellow from {:.0}% of the seats, 红色 red from {:.0}%. Every school and intake: <code>warnings_entry.csv</code>.</p>\n",
        100.0 * policy.yellow,
        100.0 * policy.red
    );
    let mut warned: Vec<_> = w.rows.iter().filter(|r| r.level != Warning::None).collect();
    if warned.is_empty() {
        h.push_str(l.pick(
            "<p>没有一届达到黄色预警。</p>\n",
            "<p>No intake reaches the yellow level.</p>\n",
        ));
        return h;
    }
    warned.sort_by(|a, b| {
        a.year
            .cmp(&b.year)
            .then(b.level.cmp(&a.level))
            .then(b.ratio.total_cmp(&a.ratio))
            .then(a.school.cmp(&b.school))
    });
    h.push_str(l.pick(
        "<table><thead><tr><th>学校代码</th><th>名称</th><th>年级</th><th>入学年份</th>",
        "<table><thead><tr><th>school id</th><th>name</th><th>grade</th><th>intake year</th>",
    ));
    for c in &w.categories {
        h.push_str(&format!("<th>{}</th>", esc(c)));
    }
    h.push_str(l.pick(
        "<th>预计</th><th>学位</th><th>比例</th><th>预警</th></tr></thead><tbody>",
        "<th>expected</th><th>seats</th><th>ratio</th><th>level</th></tr></thead><tbody>",
    ));
    for r in warned {
        let s = data.school(r.school);
        h.push_str(&format!(
            "<tr><td>{}</td><td style=\"text-align:left\">{}</td><td>{}</td><td>{}</td>",
            esc(s.id.as_str()),
            esc(&s.name),
            r.grade.number(),
            r.year
        ));
        for v in &r.by_category {
            h.push_str(&format!("<td>{v:.0}</td>"));
        }
        h.push_str(&format!(
            "<td>{:.0}</td><td>{}</td><td>{:.0}%</td><td style=\"color:{}\">{}</td></tr>",
            r.expected,
            r.seats,
            100.0 * r.ratio,
            colour(r.level),
            level_zh(r.level)
        ));
    }
    h.push_str("</tbody></table>\n");
    h
}
