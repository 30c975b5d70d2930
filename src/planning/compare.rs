//! Side-by-side comparison of placement runs (布局调整): what a closure,
//! merger or new school does to children and to the receiving schools.
//!
//! Runs are matched by `student_id` and `school_id`, so scenarios that
//! `extends` a baseline over the same dataset compare applicant by
//! applicant. An applicant is *displaced* when its zone (school or group)
//! differs from the baseline's.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use crate::domain::model::{Dataset, Disability, Home, Status};
use crate::domain::scenario::Scenario;
use crate::domain::stats::quantile;
use crate::rules::place::PlacementResult;

/// One placement run of a scenario.
pub struct Run<'a> {
    pub scenario: &'a Scenario,
    /// The dataset with the scenario applied.
    pub data: &'a Dataset,
    pub result: &'a PlacementResult,
}

/// District totals of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Totals {
    pub applicants: usize,
    pub placed: usize,
    pub unplaced: usize,
    pub mean_km: f64,
    pub p90_km: f64,
    /// Share of placed applicants within the service radius.
    pub within_radius: f64,
    /// Entry seats of open schools that take the grade (special included).
    pub seats: u64,
    pub seats_spare: u64,
    /// Open schools that take the grade.
    pub open_schools: usize,
}

/// A column of the district totals (`totals.csv`, `sweep.csv`), in the
/// order they are written; `sweep --sort` orders scenarios by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TotalsColumn {
    /// The scenario's name.
    Scenario,
    Applicants,
    Placed,
    Unplaced,
    MeanKm,
    P90Km,
    WithinRadiusShare,
    Seats,
    SeatsSpare,
    OpenSchools,
}

impl TotalsColumn {
    /// Every column, in the order of the files.
    pub const ALL: [TotalsColumn; 10] = [
        TotalsColumn::Scenario,
        TotalsColumn::Applicants,
        TotalsColumn::Placed,
        TotalsColumn::Unplaced,
        TotalsColumn::MeanKm,
        TotalsColumn::P90Km,
        TotalsColumn::WithinRadiusShare,
        TotalsColumn::Seats,
        TotalsColumn::SeatsSpare,
        TotalsColumn::OpenSchools,
    ];

    /// The column's header in the files (and its `--sort` spelling).
    pub const fn name(self) -> &'static str {
        match self {
            TotalsColumn::Scenario => "scenario",
            TotalsColumn::Applicants => "applicants",
            TotalsColumn::Placed => "placed",
            TotalsColumn::Unplaced => "unplaced",
            TotalsColumn::MeanKm => "mean_km",
            TotalsColumn::P90Km => "p90_km",
            TotalsColumn::WithinRadiusShare => "within_radius_share",
            TotalsColumn::Seats => "seats",
            TotalsColumn::SeatsSpare => "seats_spare",
            TotalsColumn::OpenSchools => "open_schools",
        }
    }

    /// The order of two runs' totals by this column, ascending
    /// (`Scenario` orders none: names are compared by [`sort_totals`]).
    fn cmp(self, a: &Totals, b: &Totals) -> Ordering {
        match self {
            TotalsColumn::Scenario => Ordering::Equal,
            TotalsColumn::Applicants => a.applicants.cmp(&b.applicants),
            TotalsColumn::Placed => a.placed.cmp(&b.placed),
            TotalsColumn::Unplaced => a.unplaced.cmp(&b.unplaced),
            TotalsColumn::MeanKm => a.mean_km.total_cmp(&b.mean_km),
            TotalsColumn::P90Km => a.p90_km.total_cmp(&b.p90_km),
            TotalsColumn::WithinRadiusShare => a.within_radius.total_cmp(&b.within_radius),
            TotalsColumn::Seats => a.seats.cmp(&b.seats),
            TotalsColumn::SeatsSpare => a.seats_spare.cmp(&b.seats_spare),
            TotalsColumn::OpenSchools => a.open_schools.cmp(&b.open_schools),
        }
    }
}

/// Order named runs' totals by `column`, ascending, ties by name (so the
/// order never depends on which scenario finished first).
pub fn sort_totals(rows: &mut [(String, Totals)], column: TotalsColumn) {
    rows.sort_by(|a, b| column.cmp(&a.1, &b.1).then_with(|| a.0.cmp(&b.0)));
}

/// One school's figures in one run (`None` where the school does not exist).
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolFigures {
    pub seats: u32,
    pub applicants: u32,
    pub admitted: u32,
    pub utilisation: f64,
    /// Classes needed for the admitted at the policy class size.
    pub classes_needed: u32,
    pub closed: bool,
    /// More zone applicants than seats.
    pub oversubscribed: bool,
}

/// An applicant whose zone changed from the baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Displaced {
    pub student: String,
    pub town: String,
    pub from_zone: String,
    pub to_zone: String,
    pub from_school: Option<String>,
    pub to_school: Option<String>,
    /// Scenario distance minus baseline distance, km (when placed in both).
    pub extra_km: Option<f64>,
    pub beyond_radius: bool,
    pub unplaced: bool,
    pub migrant: bool,
    pub left_behind: bool,
    pub disabled: bool,
}

/// A school a run's changes (a closure or merger sending it another zone's
/// children) leave with more applicants in its zone than its classes hold at
/// the class-size cap: the rest go to the lottery and overflow, or need
/// more classes.
#[derive(Clone, Debug, PartialEq)]
pub struct OverCap {
    pub school: String,
    pub name: String,
    pub applicants: u32,
    /// The school's applicants in the baseline (`None`: not in it).
    pub baseline_applicants: Option<u32>,
    pub classes: u32,
    /// min(the school's max_class_size, `policy.max_class_size_cap`).
    pub class_size: u32,
}

/// Summary of the displaced applicants of one run.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DisplacedSummary {
    pub count: usize,
    pub by_town: BTreeMap<String, usize>,
    pub migrant: usize,
    pub left_behind: usize,
    pub disabled: usize,
    pub extra_mean_km: f64,
    pub extra_p90_km: f64,
    pub extra_max_km: f64,
    pub beyond_radius: usize,
    pub unplaced: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub names: Vec<String>,
    /// The distance source of each run.
    pub distances: Vec<String>,
    pub totals: Vec<Totals>,
    /// (school id, name, figures per run)
    pub schools: Vec<(String, String, Vec<Option<SchoolFigures>>)>,
    /// Per run after the first: every displaced applicant, and a summary.
    pub displaced: Vec<Vec<Displaced>>,
    pub displaced_summary: Vec<DisplacedSummary>,
    /// Per run after the first: schools pushed past the class-size cap.
    pub over_cap: Vec<Vec<OverCap>>,
}

pub fn totals(run: &Run<'_>) -> Totals {
    let r = run.result;
    let mut d: Vec<f64> = r
        .placements
        .iter()
        .filter_map(|p| p.distance.map(|m| m.km()))
        .collect();
    d.sort_by(f64::total_cmp);
    // schools that take this grade: mainstream schools of the level, and special schools
    let takes = |s: &crate::domain::model::School| {
        s.status == Status::Open
            && (s.level.admits(run.scenario.grade)
                || s.level == crate::domain::model::Level::Special)
    };
    let in_scope = || {
        run.data
            .schools
            .iter()
            .zip(&r.schools)
            .filter(|(s, _)| takes(s))
    };
    let seats: u64 = in_scope().map(|(_, st)| u64::from(st.seats)).sum();
    let admitted: u64 = in_scope().map(|(_, st)| u64::from(st.admitted)).sum();
    Totals {
        applicants: r.placements.len(),
        placed: d.len(),
        unplaced: r.placements.len() - r.placements.iter().filter(|p| p.placed.is_some()).count(),
        mean_km: if d.is_empty() {
            0.0
        } else {
            d.iter().sum::<f64>() / d.len() as f64
        },
        p90_km: quantile(&d, 0.9).unwrap_or(0.0),
        within_radius: if d.is_empty() {
            0.0
        } else {
            r.placements.iter().filter(|p| p.within_radius).count() as f64 / d.len() as f64
        },
        seats,
        seats_spare: seats.saturating_sub(admitted),
        open_schools: in_scope().count(),
    }
}

fn zone_label(run: &Run<'_>, p: &crate::rules::place::Placement) -> String {
    match (p.zone_school, p.zone_group) {
        (_, Some(g)) => run.data.zones.as_ref().map_or(String::new(), |z| {
            format!("group {}", z.groups[g as usize].id)
        }),
        (Some(s), None) => run.data.school(s).id.to_string(),
        (None, None) => String::new(),
    }
}

/// Compare runs; the first is the baseline.
pub fn compare(runs: &[Run<'_>]) -> Comparison {
    let names = runs.iter().map(|r| r.scenario.name.clone()).collect();
    let totals = runs.iter().map(totals).collect();
    // schools in order of first appearance
    let mut order: Vec<(String, String)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // only the schools of the grade (issue 12: junior schools were listed at
    // 0% in a grade-1 comparison)
    let of_grade = |run: &Run<'_>, s: &crate::domain::model::School| s.of_grade(run.scenario.grade);
    for run in runs {
        for s in run.data.schools.iter().filter(|s| of_grade(run, s)) {
            if !index.contains_key(s.id.as_str()) {
                index.insert(s.id.to_string(), order.len());
                order.push((s.id.to_string(), s.name.clone()));
            }
        }
    }
    let mut schools: Vec<(String, String, Vec<Option<SchoolFigures>>)> = order
        .into_iter()
        .map(|(id, name)| (id, name, vec![None; runs.len()]))
        .collect();
    for (ri, run) in runs.iter().enumerate() {
        let size = run.scenario.policy.max_class_size.max(1);
        for (s, st) in run.data.schools.iter().zip(&run.result.schools) {
            let Some(&i) = index.get(s.id.as_str()) else {
                continue;
            };
            schools[i].2[ri] = Some(SchoolFigures {
                seats: st.seats,
                applicants: st.applicants(),
                admitted: st.admitted,
                utilisation: st.utilisation(),
                classes_needed: st.admitted.div_ceil(size),
                closed: s.status == Status::Closing,
                oversubscribed: st.applicants() > st.seats,
            });
        }
    }
    let base = &runs[0];
    let over_cap = runs[1..].iter().map(|run| over_cap(base, run)).collect();
    let base_by_id: HashMap<&str, &crate::rules::place::Placement> = base
        .result
        .placements
        .iter()
        .map(|p| (base.data.students[p.student].id.as_str(), p))
        .collect();
    let mut displaced = Vec::new();
    let mut summaries = Vec::new();
    for run in &runs[1..] {
        let mut list = Vec::new();
        for p in &run.result.placements {
            let st = &run.data.students[p.student];
            let Some(b) = base_by_id.get(st.id.as_str()) else {
                continue;
            };
            let (from, to) = (zone_label(base, b), zone_label(run, p));
            if from.is_empty() || from == to {
                continue;
            }
            let school = |r: &Run<'_>, x: &crate::rules::place::Placement| {
                x.placed.map(|s| r.data.school(s).id.to_string())
            };
            list.push(Displaced {
                student: st.id.to_string(),
                town: match st.home {
                    Home::Block(bl) => run.data.block(bl).town.clone(),
                    Home::Point(_) => String::new(),
                },
                from_zone: from,
                to_zone: to,
                from_school: school(base, b),
                to_school: school(run, p),
                extra_km: p.distance.zip(b.distance).map(|(a, c)| a.km() - c.km()),
                beyond_radius: p.placed.is_some() && !p.within_radius,
                unplaced: p.placed.is_none(),
                migrant: st.migrant,
                left_behind: st.left_behind,
                disabled: st.disability != Disability::None,
            });
        }
        let mut extra: Vec<f64> = list.iter().filter_map(|d| d.extra_km).collect();
        extra.sort_by(f64::total_cmp);
        let mut by_town = BTreeMap::new();
        for d in &list {
            *by_town.entry(d.town.clone()).or_insert(0) += 1;
        }
        summaries.push(DisplacedSummary {
            count: list.len(),
            by_town,
            migrant: list.iter().filter(|d| d.migrant).count(),
            left_behind: list.iter().filter(|d| d.left_behind).count(),
            disabled: list.iter().filter(|d| d.disabled).count(),
            extra_mean_km: if extra.is_empty() {
                0.0
            } else {
                extra.iter().sum::<f64>() / extra.len() as f64
            },
            extra_p90_km: quantile(&extra, 0.9).unwrap_or(0.0),
            extra_max_km: extra.last().copied().unwrap_or(0.0),
            beyond_radius: list.iter().filter(|d| d.beyond_radius).count(),
            unplaced: list.iter().filter(|d| d.unplaced).count(),
        });
        displaced.push(list);
    }
    Comparison {
        names,
        distances: runs
            .iter()
            .map(|r| r.result.distance_source.clone())
            .collect(),
        totals,
        schools,
        displaced,
        displaced_summary: summaries,
        over_cap,
    }
}

/// Open schools of the grade whose zone applicants in `run` exceed classes
/// × min(max_class_size, cap) and grew from the baseline.
fn over_cap(base: &Run<'_>, run: &Run<'_>) -> Vec<OverCap> {
    let before: HashMap<&str, u32> = base
        .data
        .schools
        .iter()
        .zip(&base.result.schools)
        .map(|(s, st)| (s.id.as_str(), st.applicants()))
        .collect();
    let cap = run.scenario.policy.max_class_size_cap;
    run.data
        .schools
        .iter()
        .zip(&run.result.schools)
        .filter(|(s, _)| s.status == Status::Open && s.level.admits(run.scenario.grade))
        .filter_map(|(s, st)| {
            let size = s.max_class_size.min(cap);
            let hold = u64::from(s.classes) * u64::from(size);
            let was = before.get(s.id.as_str()).copied();
            let grew = was.is_none_or(|w| st.applicants() > w);
            (u64::from(st.applicants()) > hold && grew).then(|| OverCap {
                school: s.id.to_string(),
                name: s.name.clone(),
                applicants: st.applicants(),
                baseline_applicants: was,
                classes: s.classes,
                class_size: size,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(unplaced: usize, mean_km: f64) -> Totals {
        Totals {
            applicants: 10,
            placed: 10 - unplaced,
            unplaced,
            mean_km,
            p90_km: 0.0,
            within_radius: 1.0,
            seats: 12,
            seats_spare: 2,
            open_schools: 3,
        }
    }

    #[test]
    fn totals_sort_by_a_column_then_by_name() {
        let mut rows = vec![
            ("c".to_string(), totals(2, 1.5)),
            ("b".to_string(), totals(1, 2.5)),
            ("a".to_string(), totals(2, 0.5)),
        ];
        sort_totals(&mut rows, TotalsColumn::Unplaced);
        let names = |r: &[(String, Totals)]| r.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
        assert_eq!(names(&rows), ["b", "a", "c"]);
        sort_totals(&mut rows, TotalsColumn::MeanKm);
        assert_eq!(names(&rows), ["a", "c", "b"]);
        sort_totals(&mut rows, TotalsColumn::Scenario);
        assert_eq!(names(&rows), ["a", "b", "c"]);
    }

    #[test]
    fn column_names_are_distinct() {
        let mut names: Vec<&str> = TotalsColumn::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TotalsColumn::ALL.len());
    }
}
