//! What a planner reads: terminal tables and the CSV/JSON outputs.

pub(crate) use crate::io::output::csv_bytes;

/// The text of a run's language from a Chinese and an English format
/// string with the same arguments (issue 17: one renderer per output, only
/// the words change with the language; numbers are formatted alike).
macro_rules! tr {
    ($lang:expr, $zh:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::domain::language::Language::Zh => format!($zh $(, $arg)*),
            $crate::domain::language::Language::En => format!($en $(, $arg)*),
        }
    };
}
pub(crate) use tr;

pub mod child;
pub mod classes;
pub mod compare;
pub mod compare_html;
pub mod compare_years;
pub mod explain;
pub mod forecast;
pub mod forecast_entry;
pub mod forecast_moves;
pub mod headers;
pub mod map;
pub mod odds;
pub mod place_html;
pub mod placement;
pub mod publish;
pub mod roads;
pub mod workbook;
pub mod zones;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use crate::domain::language::Language;
use crate::domain::model::Status;
use crate::domain::scenario::Scenario;
use crate::planning::overview::DatasetSummary;

pub(crate) fn table(headers: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(headers.iter().map(|h| Cell::new(*h)));
    t
}

/// Escape text for HTML and SVG.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text from the input (names, ids) for a Markdown file: `&`, `<`, `>`
/// and `"` become HTML entities, so a name cannot open a tag such as
/// `<script>` in a viewer that renders HTML; the Markdown punctuation that
/// could break a table (`|`) or make a link, emphasis or code (`\`, `` ` ``,
/// `*`, `_`, `[`, `]`, `~`) is escaped with a backslash; line breaks become
/// spaces. Every Markdown writer uses it for every input text.
pub(crate) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn num(n: impl ToString) -> Cell {
    Cell::new(n.to_string()).set_alignment(CellAlignment::Right)
}

/// A school level's name for people (`as_str` is the id written in CSVs).
pub(crate) fn level_name(level: crate::domain::model::Level, lang: Language) -> &'static str {
    use crate::domain::model::Level;
    match level {
        Level::Primary => lang.pick("小学", "primary"),
        Level::Junior => lang.pick("初中", "junior"),
        Level::NineYear => lang.pick("九年一贯制", "nine_year"),
        Level::Special => lang.pick("特殊教育学校", "special"),
    }
}

/// The `validate` summary as text.
pub fn validate_text(s: &Scenario, sum: &DatasetSummary, lang: Language) -> String {
    let l = lang;
    let g = s.grade.number();
    let mut out = tr!(
        l,
        "方案：{} （{}年），{}年级入学，数据集 {}\n\n",
        "Scenario: {} ({}), grade {} entry, dataset {}\n\n",
        s.name,
        s.year,
        g,
        s.dataset.display()
    );
    let mut t = table(&[
        l.pick("学段", "level"),
        l.pick("状态", "status"),
        l.pick("学校数", "schools"),
        l.pick("起始年级学位", "entry seats"),
    ]);
    for r in &sum.schools {
        t.add_row(vec![
            Cell::new(level_name(r.level, l)),
            Cell::new(match r.status {
                Status::Open => l.pick("开办", "open"),
                Status::Closing => l.pick("撤并中", "closing"),
            }),
            num(r.schools),
            num(r.entry_seats),
        ]);
    }
    out.push_str(&format!("{}\n{t}\n\n", l.pick("学校", "Schools")));
    let mut t = table(&["", l.pick("数量", "count")]);
    t.add_row(vec![
        Cell::new(l.pick("小区/村", "blocks (小区/村)")),
        num(sum.blocks),
    ]);
    t.add_row(vec![
        Cell::new(l.pick("乡镇/街道", "towns / subdistricts")),
        num(sum.towns),
    ]);
    for (gr, &n) in sum.applicants_by_grade.iter() {
        t.add_row(vec![
            Cell::new(tr!(
                l,
                "{}年级报名人数",
                "applicants, grade {}",
                gr.number()
            )),
            num(n),
        ]);
    }
    t.add_row(vec![
        Cell::new(tr!(
            l,
            "开办学校的{}年级学位",
            "seats for grade {} in open schools",
            g
        )),
        num(sum.seats),
    ]);
    out.push_str(&format!("{}\n{t}\n\n", l.pick("数据集", "Dataset")));
    let mut t = table(&[
        l.pick("顺位", "tier"),
        l.pick("类别", "category"),
        l.pick("人数", "applicants"),
    ]);
    for (i, (c, n)) in sum.by_category.iter().enumerate() {
        t.add_row(vec![num(i + 1), Cell::new(c), num(n)]);
    }
    let extra = [
        (l.pick("随迁子女", "migrant (随迁子女)"), sum.migrant),
        (
            l.pick("留守儿童", "left-behind (留守儿童)"),
            sum.left_behind,
        ),
        (
            l.pick("轻度残疾（随班就读）", "disability mild (随班就读)"),
            sum.disability_mild,
        ),
        (
            l.pick("重度残疾", "disability severe"),
            sum.disability_severe,
        ),
        (
            l.pick("有兄弟姐妹在读学校", "with a sibling school"),
            sum.with_sibling,
        ),
    ];
    for (label, n) in extra {
        t.add_row(vec![Cell::new(""), Cell::new(label), num(n)]);
    }
    out.push_str(&tr!(
        l,
        "{}年级报名人员按类别（未计兄弟姐妹优先）\n{t}\n",
        "Applicants of grade {} by category (before sibling priority)\n{t}\n",
        g
    ));
    if let Some(r) = &sum.routes {
        out.push_str(&routes_text(s, r, l));
    }
    out
}

/// The admission routes of the dataset (issue 15), for `validate`.
fn routes_text(s: &Scenario, r: &crate::planning::overview::RoutesSummary, l: Language) -> String {
    let g = s.grade.number();
    let mut t = table(&["", l.pick("数量", "count")]);
    let rows = [
        (
            tr!(l, "{g}年级民办学校", "private schools (民办) of grade {g}"),
            r.private_schools,
        ),
        (
            tr!(
                l,
                "填报民办学校的{g}年级报名人员",
                "applicants of grade {g} listing one"
            ),
            r.private_applicants,
        ),
        (
            l.pick("对口直升对应关系", "feeder rows, direct (对口直升)")
                .to_string(),
            r.direct_rows,
        ),
        (
            l.pick("对口优先对应关系", "feeder rows, priority")
                .to_string(),
            r.priority_rows,
        ),
        (
            l.pick(
                "有在读小学的七年级报名人员",
                "grade-7 applicants with a current school",
            )
            .to_string(),
            r.with_current_school,
        ),
        (
            l.pick("大学区", "districts (大学区)").to_string(),
            r.districts.len(),
        ),
    ];
    for (label, n) in rows {
        t.add_row(vec![Cell::new(label), num(n)]);
    }
    if !r.districts.is_empty() {
        t.add_row(vec![
            Cell::new(tr!(
                l,
                "不属于任何大学区的{g}年级开办公办学校",
                "open public schools of grade {g} outside any district"
            )),
            num(r.outside_districts),
        ]);
    }
    let mut out = format!("\n{}\n{t}\n", l.pick("入学途径", "Admission routes"));
    if !r.direct.is_empty() {
        let mut t = table(&[
            l.pick("初中", "junior school"),
            l.pick("名称", "name"),
            l.pick("直升人数", "direct applicants"),
            l.pick("起始年级学位", "entry seats"),
        ]);
        for (id, name, n, seats) in &r.direct {
            t.add_row(vec![Cell::new(id), Cell::new(name), num(n), num(seats)]);
        }
        out.push_str(&format!(
            "\n{}\n{t}\n",
            l.pick("对口直升（七年级）", "Direct feeder routes (grade 7)")
        ));
    }
    if !r.districts.is_empty() {
        let mut t = table(&[
            l.pick("大学区", "district (大学区)"),
            l.pick("学校数", "schools"),
        ]);
        for (name, n) in &r.districts {
            t.add_row(vec![Cell::new(name), num(n)]);
        }
        out.push_str(&format!("\n{}\n{t}\n", l.pick("大学区", "Districts")));
    }
    out
}

/// The books of every CSV file read: physical lines after the header and
/// what became of each (`validate` prints this so a planner sees that no
/// row was lost: lines = rows + blank + comma-only + rejected).
pub fn read_counts_text<'a>(
    counts: impl Iterator<Item = &'a crate::domain::diag::ReadCount>,
    l: Language,
) -> String {
    let mut t = table(&[
        l.pick("文件", "file"),
        l.pick("表头后行数", "lines after header"),
        l.pick("读入行数", "rows read"),
        l.pick("空行", "blank"),
        l.pick("仅逗号", "commas only"),
        l.pick("拒收", "rejected"),
    ]);
    let mut any = false;
    for c in counts {
        any = true;
        let mut name = c.path.file_name().map_or_else(
            || c.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        if let Some(sheet) = &c.sheet {
            // a workbook: its lines are the sheet's rows
            name.push_str(&format!(" ({sheet})"));
        }
        t.add_row(vec![
            Cell::new(name),
            num(c.lines),
            num(c.rows),
            num(c.blank),
            num(c.comma_only),
            num(c.rejected),
        ]);
    }
    if any {
        format!(
            "{}\n{t}\n\n",
            l.pick(
                "读取的文件（每个文件的行数）",
                "Files read (每个文件的行数)"
            )
        )
    } else {
        String::new()
    }
}

/// One line for a file some of whose lines were rejected.
pub fn rejected_line(c: &crate::domain::diag::ReadCount) -> String {
    format!(
        "{}: {} lines after the header: {} rows read, {} blank, {} commas only, {} rejected (each has an error above)",
        c.path.display(),
        c.lines,
        c.rows,
        c.blank,
        c.comma_only,
        c.rejected
    )
}
