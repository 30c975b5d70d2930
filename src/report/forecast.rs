//! Outputs of `sunshine forecast`: `projection.csv`, `ratios.csv`,
//! `shortfall.csv`, `report.md`, and the terminal warnings table.

use comfy_table::Cell;

use super::{csv_bytes, num, table};
use crate::forecast::{Projection, ShortfallRow, Warning};
use crate::io::output::OutputSet;
use crate::model::{Dataset, SchoolIx};

pub fn outputs(
    data: &Dataset,
    p: &Projection,
    rows: &[ShortfallRow],
    backtest: Option<(&std::collections::BTreeMap<SchoolIx, f64>, f64, usize)>,
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
            &["school_id", "grade", "kind", "ratio"],
            p.ratios.iter().map(|r| {
                vec![
                    data.school(r.school).id.to_string(),
                    r.grade.to_string(),
                    r.kind.to_string(),
                    format!("{:.4}", r.value),
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
    o.add(
        "report.md",
        markdown(data, p, rows, backtest.map(|b| (b.1, b.2))).into_bytes(),
    );
    o
}

/// 大班额 above 56 pupils per class, 超大班额 above 66.
pub fn large_class(per_class: f64) -> &'static str {
    if per_class > 66.0 {
        "超大班额"
    } else if per_class > 56.0 {
        "大班额"
    } else {
        ""
    }
}

fn markdown(
    data: &Dataset,
    p: &Projection,
    rows: &[ShortfallRow],
    backtest: Option<(f64, usize)>,
) -> String {
    let mut m = format!(
        "# Enrollment projection and 学位预警, {}–{}\n\n",
        p.first_year, p.last_year
    );
    let mut by_year: std::collections::BTreeMap<i32, (f64, u64, usize)> = Default::default();
    for r in rows {
        let e = by_year.entry(r.year).or_default();
        e.0 += r.projected;
        e.1 += u64::from(r.seats);
        e.2 += usize::from(r.warning >= Warning::Red);
    }
    m.push_str("## District\n\n| year | projected pupils | seats | utilisation | schools at red |\n|---|---|---|---|---|\n");
    for (y, (pr, seats, red)) in &by_year {
        m.push_str(&format!(
            "| {y} | {pr:.0} | {seats} | {:.1}% | {red} |\n",
            100.0 * pr / *seats as f64
        ));
    }
    if let Some((mape, k)) = backtest {
        m.push_str(&format!("\nBacktest: hiding the last {k} years and projecting them gives a district MAPE of {mape:.2}%.\n"));
    }
    m.push_str("\n## Warnings (yellow ≥ 90%, orange ≥ 95%, red ≥ 100% of seats)\n\n| school | year | projected | seats | shortfall | utilisation | warning | class size |\n|---|---|---|---|---|---|---|---|\n");
    for r in rows.iter().filter(|r| r.warning != Warning::None) {
        m.push_str(&format!(
            "| {} {} | {} | {:.0} | {} | {:+.0} | {:.0}% | {} | {} |\n",
            data.school(r.school).id,
            data.school(r.school).name,
            r.year,
            r.projected,
            r.seats,
            r.shortfall,
            100.0 * r.utilisation,
            r.warning.as_str(),
            large_class(r.pupils_per_class)
        ));
    }
    m
}

pub fn terminal(data: &Dataset, rows: &[ShortfallRow], last_year: i32) -> String {
    let mut t = table(&[
        "school",
        "projected",
        "seats",
        "shortfall",
        "utilisation",
        "warning",
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
            Cell::new(r.warning.as_str()),
        ]);
    }
    format!("学位预警 in {last_year} (schools at 90% of seats or more)\n{t}\n")
}
