//! Outputs of `sunshine compare` and `sunshine sweep`.

use comfy_table::Cell;

use super::{csv_bytes, md, num, table};
use crate::domain::language::Language;
use crate::domain::model::{Dataset, SchoolIx};
use crate::io::output::OutputSet;
use crate::planning::compare::{Comparison, Totals, TotalsColumn};
use crate::planning::optimize::{Chosen, ClosureSet, Found};

/// One cell of a totals row.
fn totals_cell(column: TotalsColumn, name: &str, t: &Totals) -> String {
    match column {
        TotalsColumn::Scenario => name.to_string(),
        TotalsColumn::Applicants => t.applicants.to_string(),
        TotalsColumn::Placed => t.placed.to_string(),
        TotalsColumn::Unplaced => t.unplaced.to_string(),
        TotalsColumn::MeanKm => format!("{:.3}", t.mean_km),
        TotalsColumn::P90Km => format!("{:.3}", t.p90_km),
        TotalsColumn::WithinRadiusShare => format!("{:.3}", t.within_radius),
        TotalsColumn::Seats => t.seats.to_string(),
        TotalsColumn::SeatsSpare => t.seats_spare.to_string(),
        TotalsColumn::OpenSchools => t.open_schools.to_string(),
    }
}

fn totals_rows(names: &[String], totals: &[Totals]) -> Vec<Vec<String>> {
    names
        .iter()
        .zip(totals)
        .map(|(n, t)| {
            TotalsColumn::ALL
                .iter()
                .map(|&c| totals_cell(c, n, t))
                .collect()
        })
        .collect()
}

/// The header of `totals.csv` and `sweep.csv`: the names of
/// [`TotalsColumn::ALL`], so that `sweep --sort` and the files always agree.
pub const TOTALS_HEADER: [&str; TotalsColumn::ALL.len()] = {
    let mut h = [""; TotalsColumn::ALL.len()];
    let mut i = 0;
    while i < h.len() {
        h[i] = TotalsColumn::ALL[i].name();
        i += 1;
    }
    h
};

/// A totals column's header for people: the CSV id in English (as the
/// files and `sweep --sort` spell it), a Chinese label in Chinese.
fn totals_label(column: TotalsColumn, l: Language) -> &'static str {
    match l {
        Language::En => column.name(),
        Language::Zh => match column {
            TotalsColumn::Scenario => "方案",
            TotalsColumn::Applicants => "报名人数",
            TotalsColumn::Placed => "已安置",
            TotalsColumn::Unplaced => "未安置",
            TotalsColumn::MeanKm => "平均公里",
            TotalsColumn::P90Km => "90分位公里",
            TotalsColumn::WithinRadiusShare => "服务半径内占比",
            TotalsColumn::Seats => "学位",
            TotalsColumn::SeatsSpare => "空余学位",
            TotalsColumn::OpenSchools => "开办学校",
        },
    }
}

/// The totals headers of a language, in the order of [`TotalsColumn::ALL`].
fn totals_labels(l: Language) -> Vec<&'static str> {
    TotalsColumn::ALL
        .iter()
        .map(|&c| totals_label(c, l))
        .collect()
}

/// compare.csv, totals.csv, displaced.csv and compare.md (its words in the
/// run's language; the CSVs' headers are ids).
pub fn outputs(c: &Comparison, l: Language) -> OutputSet {
    let mut o = OutputSet::new();
    // per school, side by side
    let mut header = vec!["school_id".to_string(), "name".to_string()];
    for i in 0..c.names.len() {
        for f in [
            "seats",
            "applicants",
            "admitted",
            "utilisation",
            "classes_needed",
            "status",
        ] {
            header.push(format!("{f}_{i}"));
        }
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    o.add(
        "compare.csv",
        csv_bytes(
            &header,
            c.schools.iter().map(|(id, name, runs)| {
                let mut row = vec![id.clone(), name.clone()];
                for f in runs {
                    match f {
                        Some(f) => row.extend([
                            f.seats.to_string(),
                            f.applicants.to_string(),
                            f.admitted.to_string(),
                            format!("{:.3}", f.utilisation),
                            f.classes_needed.to_string(),
                            if f.closed {
                                "closed"
                            } else if f.oversubscribed {
                                "oversubscribed"
                            } else {
                                "open"
                            }
                            .to_string(),
                        ]),
                        None => row.extend(
                            std::iter::repeat_n(String::new(), 5).chain(["absent".to_string()]),
                        ),
                    }
                }
                row
            }),
        ),
    );
    o.add(
        "totals.csv",
        csv_bytes(&TOTALS_HEADER, totals_rows(&c.names, &c.totals).into_iter()),
    );
    let mut rows = Vec::new();
    for (i, list) in c.displaced.iter().enumerate() {
        for d in list {
            rows.push(vec![
                c.names[i + 1].clone(),
                d.student.clone(),
                d.town.clone(),
                d.from_zone.clone(),
                d.to_zone.clone(),
                d.from_school.clone().unwrap_or_default(),
                d.to_school.clone().unwrap_or_default(),
                d.extra_km.map_or(String::new(), |x| format!("{x:.3}")),
                d.beyond_radius.to_string(),
                d.unplaced.to_string(),
            ]);
        }
    }
    o.add(
        "displaced.csv",
        csv_bytes(
            &[
                "scenario",
                "student_id",
                "town",
                "from_zone",
                "to_zone",
                "from_school",
                "to_school",
                "extra_km",
                "beyond_radius",
                "unplaced",
            ],
            rows.into_iter(),
        ),
    );
    o.add("compare.md", markdown(c, l).into_bytes());
    o
}

fn markdown(c: &Comparison, l: Language) -> String {
    let mut m = String::from(l.pick(
        "# 方案比较\n\n第一个方案为基准方案。\n\n",
        "# Scenario comparison\n\nThe first scenario is the baseline.\n\n",
    ));
    m.push_str(&tr!(
        l,
        "距离：{}。\n\n## 全区合计\n\n",
        "Distances: {}.\n\n## District totals\n\n",
        md(&distances_line(c))
    ));
    let header = totals_labels(l);
    m.push_str(&format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    ));
    for r in totals_rows(&c.names, &c.totals) {
        let cells: Vec<String> = r.iter().map(|x| md(x)).collect();
        m.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    m.push_str(l.pick(
        "\n## 受影响的报名人员（划片学校与基准方案不同）\n\n",
        "\n## Displaced applicants (zone changed from the baseline)\n\n",
    ));
    m.push_str(l.pick(
        "| 方案 | 受影响 | 随迁子女 | 留守儿童 | 残疾儿童 | 平均增加公里 | 90分位 | 最多 | 超出服务半径 | 未安置 | 按乡镇/街道 |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
        "| scenario | displaced | migrant | left-behind | disabled | extra km mean | p90 | max | beyond radius | unplaced | by town |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    ));
    for (i, s) in c.displaced_summary.iter().enumerate() {
        let towns: Vec<String> = s
            .by_town
            .iter()
            .map(|(t, n)| format!("{} {n}", md(t)))
            .collect();
        m.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {} | {} | {} |\n",
            md(&c.names[i + 1]),
            s.count,
            s.migrant,
            s.left_behind,
            s.disabled,
            s.extra_mean_km,
            s.extra_p90_km,
            s.extra_max_km,
            s.beyond_radius,
            s.unplaced,
            towns.join(", ")
        ));
    }
    m.push_str(&over_cap_markdown(c, l));
    m.push_str(l.pick(
        "\n## 学校（各方案的学位 / 报名 / 录取 / 使用率）\n\n| 学校 |",
        "\n## Schools (seats / applicants / admitted / utilisation per scenario)\n\n| school |",
    ));
    for n in &c.names {
        m.push_str(&format!(" {} |", md(n)));
    }
    m.push_str(&format!("\n|---|{}\n", "---|".repeat(c.names.len())));
    for (id, name, runs) in &c.schools {
        m.push_str(&format!("| {} {} |", md(id), md(name)));
        for f in runs {
            match f {
                Some(f) if f.closed => m.push_str(l.pick(" 撤并 |", " closed |")),
                Some(f) => m.push_str(&format!(
                    " {} / {} / {} / {:.0}%{} |",
                    f.seats,
                    f.applicants,
                    f.admitted,
                    100.0 * f.utilisation,
                    if f.oversubscribed { " ⚠" } else { "" }
                )),
                None => m.push_str(" — |"),
            }
        }
        m.push('\n');
    }
    m
}

/// One line per school a scenario pushes past the class-size cap; `esc`
/// escapes the names from the input (Markdown for compare.md, nothing for
/// the terminal).
fn over_cap_lines(c: &Comparison, esc: fn(&str) -> String, l: Language) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, list) in c.over_cap.iter().enumerate() {
        for o in list {
            lines.push(tr!(
                l,
                "{}：{} {} 划片报名 {} 人{}，超过其 {} 个班按班额上限可容纳的人数（{} × {} = {}）",
                "{}: {} {} has {} zone applicants{}, more than its {} classes hold at the class-size cap ({} × {} = {})",
                esc(&c.names[i + 1]),
                esc(o.school.as_str()),
                esc(&o.name),
                o.applicants,
                o.baseline_applicants
                    .map_or(String::new(), |b| tr!(l, "（基准 {b}）", " (baseline {b})")),
                o.classes,
                o.classes,
                o.class_size,
                u64::from(o.classes) * u64::from(o.class_size)
            ));
        }
    }
    lines
}

fn over_cap_markdown(c: &Comparison, l: Language) -> String {
    let lines = over_cap_lines(c, super::md, l);
    if lines.is_empty() {
        return String::new();
    }
    let mut m = String::from(l.pick(
        "\n## 超出班额上限的学校\n\n",
        "\n## Schools pushed past the class-size cap\n\n",
    ));
    for line in lines {
        m.push_str(&format!("- {line}\n"));
    }
    m
}

/// The distance sources of the runs: one name when they agree.
fn distances_line(c: &Comparison) -> String {
    let mut d = c.distances.clone();
    d.dedup();
    if d.len() <= 1 {
        d.join("")
    } else {
        c.names
            .iter()
            .zip(&c.distances)
            .map(|(n, d)| format!("{n}: {d}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The terminal report of `compare`, in the run's language.
pub fn terminal(c: &Comparison, l: Language) -> String {
    let mut out = tr!(l, "距离：{}\n", "Distances: {}\n", distances_line(c));
    let mut t = table(&[
        l.pick("方案", "scenario"),
        l.pick("报名人数", "applicants"),
        l.pick("未安置", "unplaced"),
        l.pick("平均公里", "mean km"),
        l.pick("90分位公里", "p90 km"),
        l.pick("服务半径内", "within radius"),
        l.pick("空余学位", "seats spare"),
        l.pick("学校数", "schools"),
    ]);
    for (n, x) in c.names.iter().zip(&c.totals) {
        t.add_row(vec![
            Cell::new(n),
            num(x.applicants),
            num(x.unplaced),
            num(format!("{:.2}", x.mean_km)),
            num(format!("{:.2}", x.p90_km)),
            num(format!("{:.1}%", 100.0 * x.within_radius)),
            num(x.seats_spare),
            num(x.open_schools),
        ]);
    }
    out.push_str(&format!(
        "{}\n{t}\n\n",
        l.pick(
            "全区合计（第一个为基准方案）",
            "District totals (first = baseline)"
        )
    ));
    let mut t = table(&[
        l.pick("方案", "scenario"),
        l.pick("受影响", "displaced"),
        l.pick("随迁子女", "migrant"),
        l.pick("留守儿童", "left-behind"),
        l.pick("残疾儿童", "disabled"),
        l.pick("增加公里 平均 / 90分位 / 最多", "extra km mean / p90 / max"),
        l.pick("超出服务半径", "beyond radius"),
        l.pick("未安置", "unplaced"),
    ]);
    for (i, s) in c.displaced_summary.iter().enumerate() {
        t.add_row(vec![
            Cell::new(&c.names[i + 1]),
            num(s.count),
            num(s.migrant),
            num(s.left_behind),
            num(s.disabled),
            num(format!(
                "{:.2} / {:.2} / {:.2}",
                s.extra_mean_km, s.extra_p90_km, s.extra_max_km
            )),
            num(s.beyond_radius),
            num(s.unplaced),
        ]);
    }
    out.push_str(&format!(
        "{}\n{t}\n\n",
        l.pick(
            "受影响的报名人员（划片学校改变）",
            "Displaced applicants (zone changed)"
        )
    ));
    let lines = over_cap_lines(c, str::to_string, l);
    if !lines.is_empty() {
        out.push_str(l.pick(
            "超出班额上限的学校\n",
            "Schools pushed past the class-size cap\n",
        ));
        for line in lines {
            out.push_str(&format!("  {line}\n"));
        }
        out.push('\n');
    }
    let mut t = table(&[
        l.pick("学校", "school"),
        l.pick("调整前", "before"),
        l.pick("调整后", "after"),
    ]);
    let fmt = |f: &Option<crate::planning::compare::SchoolFigures>| match f {
        None => "—".to_string(),
        Some(f) if f.closed => l.pick("撤并", "closed").to_string(),
        Some(f) => tr!(
            l,
            "学位 {}，录取 {}，{:.0}%{}",
            "{} seats, {} adm., {:.0}%{}",
            f.seats,
            f.admitted,
            100.0 * f.utilisation,
            if f.oversubscribed { " ⚠" } else { "" }
        ),
    };
    for (id, name, runs) in &c.schools {
        let changed = runs.iter().skip(1).any(|f| f != &runs[0]);
        if changed {
            let last = runs.last().expect("runs");
            t.add_row(vec![
                Cell::new(format!("{id} {name}")),
                Cell::new(fmt(&runs[0])),
                Cell::new(fmt(last)),
            ]);
        }
    }
    out.push_str(&format!(
        "{}\n{t}\n",
        l.pick(
            "有变化的学校（基准方案 → 最后一个方案；全部见 compare.csv）",
            "Schools that change (baseline → last scenario; all in compare.csv)"
        )
    ));
    out
}

/// `sweep.csv` and its terminal table: one row per scenario.
pub fn sweep_outputs(names: &[String], totals: &[Totals], l: Language) -> (OutputSet, String) {
    let mut o = OutputSet::new();
    o.add(
        "sweep.csv",
        csv_bytes(&TOTALS_HEADER, totals_rows(names, totals).into_iter()),
    );
    let mut t = table(&totals_labels(l));
    for r in totals_rows(names, totals) {
        t.add_row(r.into_iter().map(Cell::new).collect::<Vec<_>>());
    }
    (o, format!("{t}\n"))
}

/// `closures.csv`, the comparison files of the best sets, and a terminal
/// summary for `optimize-closures`. `c` is [`compare_sets`] of
/// `chosen.sets`; `candidates` maps the sets' candidates to schools of
/// `data`.
///
/// [`compare_sets`]: crate::planning::optimize::compare_sets
pub fn closure_outputs(
    c: &Comparison,
    chosen: &Chosen,
    data: &Dataset,
    candidates: &[SchoolIx],
    l: Language,
) -> (OutputSet, String) {
    let sets = &chosen.sets;
    let method = match chosen.found {
        Found::Mip => tr!(
            l,
            "MIP（{}），已证明最优",
            "MIP ({}), proven optimal",
            crate::solve::lp::solver_name()
        ),
        Found::Heuristic => l
            .pick(
                "逐个关闭 + 交换（启发式）",
                "greedy drop + swaps (heuristic)",
            )
            .to_string(),
    };
    let names = |set: &ClosureSet| {
        set.closed
            .iter()
            .map(|&i| {
                let s = data.school(candidates[i]);
                format!("{} {}", s.id, s.name)
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut o = outputs(c, l);
    let rows = sets.iter().enumerate().map(|(i, s)| {
        let t = &c.totals[i + 1];
        let d = &c.displaced_summary[i];
        vec![
            (i + 1).to_string(),
            names(s),
            format!("{:.3}", s.objective),
            format!("{:.3}", s.distance_km),
            t.unplaced.to_string(),
            format!("{:.3}", t.mean_km),
            format!("{:.3}", t.p90_km),
            format!("{:.3}", t.within_radius),
            d.count.to_string(),
            d.beyond_radius.to_string(),
            method.clone(),
        ]
    });
    let header = [
        "rank",
        "closed",
        "objective",
        "assignment_km",
        "unplaced",
        "mean_km",
        "p90_km",
        "within_radius_share",
        "displaced",
        "displaced_beyond_radius",
        "method",
    ];
    let rows: Vec<Vec<String>> = rows.collect();
    o.add("closures.csv", csv_bytes(&header, rows.clone().into_iter()));
    let mut t = table(&[
        l.pick("排名", "rank"),
        l.pick("撤并", "close"),
        l.pick("目标值", "objective"),
        l.pick("未安置", "unplaced"),
        l.pick("平均公里", "mean km"),
        l.pick("90分位公里", "p90 km"),
        l.pick("受影响", "displaced"),
        l.pick("超出服务半径", "beyond radius"),
    ]);
    for r in &rows {
        t.add_row(vec![
            num(&r[0]),
            Cell::new(&r[1]),
            num(&r[2]),
            num(&r[4]),
            num(&r[5]),
            num(&r[6]),
            num(&r[8]),
            num(&r[9]),
        ]);
    }
    let base = &c.totals[0];
    let mut text = tr!(
        l,
        "最佳撤并方案（{method}；目标：可达范围内最优分配的通行公里数，加加权成本）\n\
         现状方案：平均 {:.2} 公里，90分位 {:.2} 公里，未安置 {} 人\n{t}\n",
        "Best closure sets by {method} (objective: km of travel of the best assignment within reach, plus weighted cost)\n\
         Scenario as it is: mean {:.2} km, p90 {:.2} km, {} unplaced\n{t}\n",
        base.mean_km,
        base.p90_km,
        base.unplaced
    );
    if let Some(g) = chosen.heuristic_gap_pct {
        text.push_str(&tr!(
            l,
            "逐个关闭 + 交换启发式的最佳方案比 MIP 最优值高 {g:.2}%。\n",
            "The greedy-drop + swap heuristic's best set is {g:.2}% above the MIP optimum.\n"
        ));
    }
    (o, text)
}
