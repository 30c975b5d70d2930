//! What a planner reads: terminal tables and the CSV/JSON outputs.

pub(crate) use crate::io::output::csv_bytes;

pub mod classes;
pub mod compare;
pub mod compare_years;
pub mod explain;
pub mod forecast;
pub mod forecast_entry;
pub mod forecast_moves;
pub mod odds;
pub mod placement;
pub mod roads;
pub mod zones;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

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

/// The `validate` summary as text.
pub fn validate_text(s: &Scenario, sum: &DatasetSummary) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Scenario: {} ({}), grade {} entry, dataset {}\n\n",
        s.name,
        s.year,
        s.grade.number(),
        s.dataset.display()
    ));
    let mut t = table(&["level", "status", "schools", "entry seats"]);
    for r in &sum.schools {
        t.add_row(vec![
            Cell::new(r.level.as_str()),
            Cell::new(match r.status {
                Status::Open => "open",
                Status::Closing => "closing",
            }),
            num(r.schools),
            num(r.entry_seats),
        ]);
    }
    out.push_str(&format!("Schools\n{t}\n\n"));
    let mut t = table(&["", "count"]);
    t.add_row(vec![Cell::new("blocks (小区/村)"), num(sum.blocks)]);
    t.add_row(vec![Cell::new("towns / subdistricts"), num(sum.towns)]);
    for (g, &n) in sum.applicants_by_grade.iter() {
        t.add_row(vec![
            Cell::new(format!("applicants, grade {}", g.number())),
            num(n),
        ]);
    }
    t.add_row(vec![
        Cell::new(format!(
            "seats for grade {} in open schools",
            s.grade.number()
        )),
        num(sum.seats),
    ]);
    out.push_str(&format!("Dataset\n{t}\n\n"));
    let mut t = table(&["tier", "category", "applicants"]);
    for (i, (c, n)) in sum.by_category.iter().enumerate() {
        t.add_row(vec![num(i + 1), Cell::new(c), num(n)]);
    }
    t.add_row(vec![
        Cell::new(""),
        Cell::new("migrant (随迁子女)"),
        num(sum.migrant),
    ]);
    t.add_row(vec![
        Cell::new(""),
        Cell::new("left-behind (留守儿童)"),
        num(sum.left_behind),
    ]);
    t.add_row(vec![
        Cell::new(""),
        Cell::new("disability mild (随班就读)"),
        num(sum.disability_mild),
    ]);
    t.add_row(vec![
        Cell::new(""),
        Cell::new("disability severe"),
        num(sum.disability_severe),
    ]);
    t.add_row(vec![
        Cell::new(""),
        Cell::new("with a sibling school"),
        num(sum.with_sibling),
    ]);
    out.push_str(&format!(
        "Applicants of grade {} by category (before sibling priority)\n{t}\n",
        s.grade.number()
    ));
    if let Some(r) = &sum.routes {
        out.push_str(&routes_text(s, r));
    }
    out
}

/// The admission routes of the dataset (issue 15), for `validate`.
fn routes_text(s: &Scenario, r: &crate::planning::overview::RoutesSummary) -> String {
    let g = s.grade.number();
    let mut t = table(&["", "count"]);
    t.add_row(vec![
        Cell::new(format!("private schools (民办) of grade {g}")),
        num(r.private_schools),
    ]);
    t.add_row(vec![
        Cell::new(format!("applicants of grade {g} listing one")),
        num(r.private_applicants),
    ]);
    t.add_row(vec![
        Cell::new("feeder rows, direct (对口直升)"),
        num(r.direct_rows),
    ]);
    t.add_row(vec![
        Cell::new("feeder rows, priority"),
        num(r.priority_rows),
    ]);
    t.add_row(vec![
        Cell::new("grade-7 applicants with a current school"),
        num(r.with_current_school),
    ]);
    t.add_row(vec![
        Cell::new("districts (大学区)"),
        num(r.districts.len()),
    ]);
    if !r.districts.is_empty() {
        t.add_row(vec![
            Cell::new(format!(
                "open public schools of grade {g} outside any district"
            )),
            num(r.outside_districts),
        ]);
    }
    let mut out = format!("\nAdmission routes\n{t}\n");
    if !r.direct.is_empty() {
        let mut t = table(&["junior school", "name", "direct applicants", "entry seats"]);
        for (id, name, n, seats) in &r.direct {
            t.add_row(vec![Cell::new(id), Cell::new(name), num(n), num(seats)]);
        }
        out.push_str(&format!("\nDirect feeder routes (grade 7)\n{t}\n"));
    }
    if !r.districts.is_empty() {
        let mut t = table(&["district (大学区)", "schools"]);
        for (name, n) in &r.districts {
            t.add_row(vec![Cell::new(name), num(n)]);
        }
        out.push_str(&format!("\nDistricts\n{t}\n"));
    }
    out
}

/// The books of every CSV file read: physical lines after the header and
/// what became of each (`validate` prints this so a planner sees that no
/// row was lost: lines = rows + blank + comma-only + rejected).
pub fn read_counts_text<'a>(
    counts: impl Iterator<Item = &'a crate::domain::diag::ReadCount>,
) -> String {
    let mut t = table(&[
        "file",
        "lines after header",
        "rows read",
        "blank",
        "commas only",
        "rejected",
    ]);
    let mut any = false;
    for c in counts {
        any = true;
        let name = c.path.file_name().map_or_else(
            || c.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
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
        format!("Files read (每个文件的行数)\n{t}\n\n")
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
