//! What `forecast` adds under a scenario with changes (issue 16): where the
//! pupils of closed and merged schools went (`moves.csv`, the "学生去向 /
//! Where the pupils went" sections of `report.md` and `report.html`), and
//! the conservation check: the district's pupils per year under the
//! scenario equal the baseline's (the network as read).
//!
//! A scenario without changes (nothing moved, the projection equal to the
//! baseline) adds nothing, so its outputs stay as they were.

use std::collections::BTreeMap;

use super::{csv_bytes, esc, md};
use crate::domain::language::Language;
use crate::domain::model::{Dataset, SchoolIx};
use crate::planning::forecast::{Move, MoveKind, Projection};

/// A forecast whose scenario changed something.
pub struct Changes<'a> {
    /// Every school of every year's network (the scenario's new ones too).
    pub data: &'a Dataset,
    pub moves: &'a [Move],
    pub projection: &'a Projection,
    pub baseline: &'a Projection,
}

impl<'a> Changes<'a> {
    /// `None` for a scenario that moves no pupil and projects as the
    /// baseline. `data`: every school of every year's network
    /// ([`crate::planning::forecast::Timeline::last`]).
    pub fn of(
        data: &'a Dataset,
        moves: &'a [Move],
        projection: &'a Projection,
        baseline: &'a Projection,
    ) -> Option<Changes<'a>> {
        let changed = !moves.is_empty() || projection.enrolled != baseline.enrolled;
        changed.then_some(Changes {
            data,
            moves,
            projection,
            baseline,
        })
    }

    /// Per year: the district's pupils under the scenario and the baseline.
    pub fn conservation(&self) -> Vec<(i32, f64, f64)> {
        let mut by: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
        for (&(_, _, y), &v) in &self.projection.enrolled {
            by.entry(y).or_default().0 += v;
        }
        for (&(_, _, y), &v) in &self.baseline.enrolled {
            by.entry(y).or_default().1 += v;
        }
        by.into_iter().map(|(y, (a, b))| (y, a, b)).collect()
    }

    /// One sentence: whether the district's pupils equal the baseline's in
    /// every year, within half a pupil.
    pub fn conservation_line(&self, l: Language) -> String {
        let c = self.conservation();
        let worst = c
            .iter()
            .map(|&(y, a, b)| (y, a - b))
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
        let totals: Vec<String> = c.iter().map(|&(y, a, _)| format!("{y} {a:.0}")).collect();
        match worst {
            None => l
                .pick("守恒检查：没有预测年份。", "Conservation: no projected years.")
                .to_string(),
            Some((_, d)) if d.abs() <= 0.5 => tr!(
                l,
                "守恒检查：全区学生数每年均与基准（读入的学校网络）相同，误差在取整范围内（最大差 {:.3}）：{}。",
                "Conservation: the district's pupils equal the baseline's (the network as read) in every year, within rounding (largest difference {:.3}): {}.",
                d.abs(),
                totals.join(", ")
            ),
            Some((y, d)) => tr!(
                l,
                "守恒检查：全区学生数与基准{y}年相差 {d:+.1}（应当相等：方案只调整学生，不增不减）：{}。",
                "Conservation: the district's pupils differ from the baseline's by {d:+.1} in {y} (expected equal: the scenario moves pupils, it does not make or lose them): {}.",
                totals.join(", ")
            ),
        }
    }

    fn school(&self, s: SchoolIx) -> (&str, &str) {
        let x = self.data.school(s);
        (x.id.as_str(), x.name.as_str())
    }

    /// `moves.csv`: one row per year, kind, grade and pair of schools.
    pub fn moves_csv(&self) -> Vec<u8> {
        let rows = self.moves.iter().map(|m| {
            let ((fi, fname), (ti, tname)) = (self.school(m.from), self.school(m.to));
            vec![
                m.year.to_string(),
                m.kind.as_str().to_string(),
                m.grade.to_string(),
                fi.to_string(),
                fname.to_string(),
                ti.to_string(),
                tname.to_string(),
                format!("{:.1}", m.pupils),
            ]
        });
        csv_bytes(
            &[
                "year",
                "kind",
                "grade",
                "from_id",
                "from_name",
                "to_id",
                "to_name",
                "pupils",
            ],
            rows,
        )
    }

    /// Per year, closed school and receiving school: (entrants, enrolled).
    fn flows(&self) -> BTreeMap<(i32, SchoolIx, SchoolIx), (f64, f64)> {
        let mut by: BTreeMap<(i32, SchoolIx, SchoolIx), (f64, f64)> = BTreeMap::new();
        for m in self.moves {
            let e = by.entry((m.year, m.from, m.to)).or_default();
            match m.kind {
                MoveKind::Entrants => e.0 += m.pupils,
                MoveKind::Enrolled => e.1 += m.pupils,
            }
        }
        by
    }

    /// The "Where the pupils went" section of `report.md`.
    pub fn markdown(&self, l: Language) -> String {
        let mut m = tr!(
            l,
            "\n## 学生去向\n\n{}\n\n",
            "\n## 学生去向 / Where the pupils went\n\n{}\n\n",
            self.conservation_line(l)
        );
        m.push_str(l.pick("方案调整按年份从每所撤并或合并学校分流到每所接收学校的学生（新生：撤并学校所属小区的一年级和七年级新生；在校生：以 `all_grades` 撤并的学校的在校学生）。分年级：`moves.csv`。\n\n", "Pupils the scenario's changes moved, per year, from each closed or merged school to each receiving school (entrants: new grade-1 and grade-7 pupils of the closed school's blocks; enrolled: pupils already at a school that closed with `all_grades`). Per grade: `moves.csv`.\n\n"));
        m.push_str(l.pick(
            "| 年份 | 原学校 | 接收学校 | 新生 | 在校生 | 合计 |\n|---|---|---|---|---|---|\n",
            "| year | from | to | entrants | enrolled | total |\n|---|---|---|---|---|---|\n",
        ));
        for ((y, f, t), (e, n)) in self.flows() {
            let ((fi, fname), (ti, tname)) = (self.school(f), self.school(t));
            m.push_str(&format!(
                "| {y} | {} {} | {} {} | {e:.1} | {n:.1} | {:.1} |\n",
                md(fi),
                md(fname),
                md(ti),
                md(tname),
                e + n
            ));
        }
        m.push_str(l.pick(
            "\n| 年份 | 全区学生数 | 基准 |\n|---|---|---|\n",
            "\n| year | district pupils | baseline |\n|---|---|---|\n",
        ));
        for (y, a, b) in self.conservation() {
            m.push_str(&format!("| {y} | {a:.1} | {b:.1} |\n"));
        }
        m
    }

    /// The "Where the pupils went" section of `report.html`.
    pub fn html(&self, l: Language) -> String {
        let mut h = tr!(
            l,
            "<h2>学生去向</h2>\n<p class=\"conservation\">{}</p>\n\
             <table><thead><tr><th>年份</th><th>原学校</th><th>接收学校</th><th>新生</th><th>在校生</th><th>合计</th></tr></thead><tbody>",
            "<h2>学生去向 / Where the pupils went</h2>\n<p class=\"conservation\">{}</p>\n\
             <table><thead><tr><th>year</th><th>from</th><th>to</th><th>entrants 新生</th><th>enrolled 在校生</th><th>total</th></tr></thead><tbody>",
            esc(&self.conservation_line(l))
        );
        for ((y, f, t), (e, n)) in self.flows() {
            let ((fi, fname), (ti, tname)) = (self.school(f), self.school(t));
            h.push_str(&format!(
                "<tr><td>{y}</td><td style=\"text-align:left\">{} {}</td><td style=\"text-align:left\">{} {}</td><td>{e:.1}</td><td>{n:.1}</td><td>{:.1}</td></tr>",
                esc(fi),
                esc(fname),
                esc(ti),
                esc(tname),
                e + n
            ));
        }
        h.push_str("</tbody></table>\n");
        h
    }

    /// The terminal lines: pupils moved per year, and the conservation
    /// check.
    pub fn terminal(&self, l: Language) -> String {
        let mut by: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
        for ((y, _, _), (e, n)) in self.flows() {
            let x = by.entry(y).or_default();
            x.0 += e;
            x.1 += n;
        }
        let years: Vec<String> = by
            .iter()
            .map(|(y, (e, n))| {
                tr!(
                    l,
                    "{y}年 {:.0}（新生 {e:.0}，在校生 {n:.0}）",
                    "{y} {:.0} ({e:.0} entrants, {n:.0} enrolled)",
                    e + n
                )
            })
            .collect();
        let moved = if years.is_empty() {
            l.pick("无", "none").to_string()
        } else {
            years.join("; ")
        };
        tr!(
            l,
            "方案调整分流的学生（moves.csv）：{moved}\n{}\n",
            "Pupils moved by the scenario's changes (moves.csv): {moved}\n{}\n",
            self.conservation_line(l)
        )
    }
}
