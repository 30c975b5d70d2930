//! Scenarios compared over the projected years (`compare --years N`,
//! `sweep --years N`; issue 16, item 3): each scenario's forecast
//! ([`crate::planning::forecast::run`]) side by side with the baseline's,
//! per school and year; the *receiving* schools with their class sizes
//! (大班额, 超大班额, and the share of classes at 56+ against the national
//! target); the pupils the scenario's changes displace per year; and the
//! peak shortfall a sweep ranks scenarios by.
//!
//! Schools are matched by id, so a scenario with new schools (other
//! indices) compares with a baseline without them: a school missing from
//! one side has no pupils and no seats there.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::model::{
    Dataset, LargeClass, SchoolId, LARGE_CLASS_ABOVE, VERY_LARGE_CLASS_ABOVE,
};
use crate::planning::forecast::{grades, Forecast, MoveKind};

/// The national target for large classes: 国务院《关于统筹推进县域内城乡
/// 义务教育一体化改革发展的若干意见》(国发〔2016〕40号) asks that 大班额
/// (56 or more pupils) be "basically eliminated" by 2020, which the
/// Ministry of Education measures as a share of classes at 56+ below 5%.
pub const LARGE_CLASS_TARGET: f64 = 0.05;

/// A school's pupils must rise by at least this many (a pupil) against
/// the baseline in some year for the school to count as *receiving*;
/// smaller differences are rounding.
pub const RECEIVING_MIN_RISE: f64 = 1.0;

/// One scenario's forecast, named.
pub struct YearsRun<'a> {
    pub name: &'a str,
    pub forecast: &'a Forecast,
}

impl YearsRun<'_> {
    /// Every school of every year's network (the scenario's new ones
    /// included), for ids and names.
    fn schools(&self) -> &Dataset {
        &self.forecast.timeline.last().data
    }
}

/// A school's figures of one year on one side.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figures {
    /// Projected pupils over the grades the school teaches.
    pub projected: f64,
    /// Classes × standard class size over its grades
    /// ([`crate::planning::forecast::shortfall`]).
    pub seats: u32,
    /// Projected − seats: above 0 a shortage.
    pub shortfall: f64,
}

/// One school and year, scenario beside baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct SchoolYear {
    pub school: SchoolId,
    pub name: String,
    pub year: i32,
    /// `None`: the school is not in the baseline's projection that year
    /// (a school the scenario adds).
    pub baseline: Option<Figures>,
    /// `None`: the school is not in the scenario's projection that year
    /// (closed, or not yet open).
    pub scenario: Option<Figures>,
}

impl SchoolYear {
    /// The figures, 0 where the school is absent (no pupils, no seats).
    pub fn baseline_or_zero(&self) -> Figures {
        self.baseline.unwrap_or_default()
    }

    pub fn scenario_or_zero(&self) -> Figures {
        self.scenario.unwrap_or_default()
    }

    /// `open` (on both sides), `closed` (only in the baseline) or `new`
    /// (only in the scenario).
    pub fn status(&self) -> &'static str {
        match (self.baseline.is_some(), self.scenario.is_some()) {
            (true, false) => "closed",
            (false, true) => "new",
            _ => "open",
        }
    }
}

/// Classes of one grade by size, the grade's pupils split as evenly as
/// possible over its classes (a school balances its classes, 均衡分班).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassCount {
    pub classes: u32,
    /// Classes of 56–65 pupils (大班额).
    pub large: u32,
    /// Classes of 66 or more (超大班额).
    pub very_large: u32,
}

impl ClassCount {
    /// `pupils` (rounded to whole pupils) in `classes` balanced classes:
    /// `pupils mod classes` of them have one pupil more than the rest.
    pub fn of(pupils: f64, classes: u32) -> ClassCount {
        if classes == 0 {
            return ClassCount::default();
        }
        // `as` saturates: a projection beyond u64 is not a school
        let n = if pupils.is_finite() && pupils > 0.0 {
            pupils.round() as u64
        } else {
            0
        };
        let c = u64::from(classes);
        let (q, r) = (n / c, n % c);
        // classes with at least k pupils
        let at_least = |k: u32| -> u32 {
            let k = u64::from(k);
            let n = if q >= k {
                c
            } else if q + 1 >= k {
                r
            } else {
                0
            };
            u32::try_from(n).expect("at most `classes`")
        };
        let large_up = at_least(LARGE_CLASS_ABOVE + 1);
        let very_large = at_least(VERY_LARGE_CLASS_ABOVE + 1);
        ClassCount {
            classes,
            large: large_up - very_large,
            very_large,
        }
    }

    pub fn add(&mut self, o: ClassCount) {
        self.classes = self.classes.saturating_add(o.classes);
        self.large = self.large.saturating_add(o.large);
        self.very_large = self.very_large.saturating_add(o.very_large);
    }

    /// Share of the classes at 56 or more (0 without classes).
    pub fn share_56_plus(&self) -> f64 {
        if self.classes == 0 {
            0.0
        } else {
            f64::from(self.large + self.very_large) / f64::from(self.classes)
        }
    }
}

/// One grade of a receiving school in one year.
#[derive(Clone, Debug, PartialEq)]
pub struct GradeRow {
    pub school: SchoolId,
    pub name: String,
    pub year: i32,
    pub grade: u8,
    pub pupils: f64,
    pub baseline_pupils: f64,
    /// Its classes per grade in that year's network, and their sizes.
    pub count: ClassCount,
    /// Pupils ÷ classes (0 without classes).
    pub per_class: f64,
    /// The band of the mean class ([`LargeClass::of`]).
    pub level: Option<LargeClass>,
}

/// Class sizes of one year: the receiving schools', and the district's
/// under the scenario and under the baseline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClassYear {
    pub year: i32,
    pub receiving: ClassCount,
    pub district: ClassCount,
    pub baseline_district: ClassCount,
}

/// Pupils the scenario's changes moved in one year ([`MoveKind`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DisplacedYear {
    pub year: i32,
    pub entrants: f64,
    pub enrolled: f64,
}

impl DisplacedYear {
    pub fn total(&self) -> f64 {
        self.entrants + self.enrolled
    }
}

/// A receiving school's worst year.
#[derive(Clone, Debug, PartialEq)]
pub struct Peak {
    pub school: SchoolId,
    pub name: String,
    pub year: i32,
    pub shortfall: f64,
    pub baseline_shortfall: f64,
    /// The largest pupils per class of any of its grades that year.
    pub max_per_class: f64,
}

/// One scenario over the projected years, beside the baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioYears {
    pub name: String,
    /// Per school (by id) and year.
    pub rows: Vec<SchoolYear>,
    /// Schools whose pupils rise by [`RECEIVING_MIN_RISE`] or more against
    /// the baseline in some year, by id.
    pub receiving: Vec<SchoolId>,
    /// Per receiving school, year and grade.
    pub grades: Vec<GradeRow>,
    pub classes: Vec<ClassYear>,
    pub displaced: Vec<DisplacedYear>,
    /// Per year: the district's pupils under the scenario and the baseline
    /// (equal: the forecast moves pupils, it does not make or lose them).
    pub conservation: Vec<(i32, f64, f64)>,
    /// Each receiving school's year of largest shortfall.
    pub peaks: Vec<Peak>,
}

/// Per school id and year: the figures of a forecast's shortfall rows.
fn figures(run: &YearsRun<'_>) -> BTreeMap<(SchoolId, i32), (String, Figures)> {
    let data = run.schools();
    run.forecast
        .shortfall
        .iter()
        .map(|r| {
            let s = data.school(r.school);
            (
                (s.id.clone(), r.year),
                (
                    s.name.clone(),
                    Figures {
                        projected: r.projected,
                        seats: r.seats,
                        shortfall: r.shortfall,
                    },
                ),
            )
        })
        .collect()
}

/// Pupils per school id, grade and year of a forecast's projection, with
/// the school's classes in that year's network.
fn by_grade(run: &YearsRun<'_>) -> BTreeMap<(SchoolId, i32, u8), (f64, u32)> {
    let f = run.forecast;
    f.projection
        .enrolled
        .iter()
        .map(|(&(s, g, y), &v)| {
            let school = f.timeline.at(y).data.school(s);
            ((school.id.clone(), y, g), (v, school.classes))
        })
        .collect()
}

/// The district's classes by size per year.
fn district_classes(
    grades: &BTreeMap<(SchoolId, i32, u8), (f64, u32)>,
) -> BTreeMap<i32, ClassCount> {
    let mut out: BTreeMap<i32, ClassCount> = BTreeMap::new();
    for (&(_, y, _), &(v, c)) in grades {
        out.entry(y).or_default().add(ClassCount::of(v, c));
    }
    out
}

/// Compare one scenario's forecast with the baseline's.
pub fn compare_years(baseline: &YearsRun<'_>, run: &YearsRun<'_>) -> ScenarioYears {
    let (base_fig, run_fig) = (figures(baseline), figures(run));
    let keys: BTreeSet<&(SchoolId, i32)> = base_fig.keys().chain(run_fig.keys()).collect();
    let rows: Vec<SchoolYear> = keys
        .into_iter()
        .map(|k| {
            let (b, r) = (base_fig.get(k), run_fig.get(k));
            let name = r.or(b).map(|x| x.0.clone()).unwrap_or_default();
            SchoolYear {
                school: k.0.clone(),
                name,
                year: k.1,
                baseline: b.map(|x| x.1),
                scenario: r.map(|x| x.1),
            }
        })
        .collect();
    let mut receiving: Vec<SchoolId> = rows
        .iter()
        .filter(|r| {
            r.scenario_or_zero().projected - r.baseline_or_zero().projected >= RECEIVING_MIN_RISE
        })
        .map(|r| r.school.clone())
        .collect();
    receiving.dedup();
    let (base_grades, run_grades) = (by_grade(baseline), by_grade(run));
    let grades = grade_rows(run, &receiving, &run_grades, &base_grades);
    let classes = class_years(&receiving, &run_grades, &base_grades);
    let mut conservation: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
    for r in &rows {
        let c = conservation.entry(r.year).or_default();
        c.0 += r.scenario_or_zero().projected;
        c.1 += r.baseline_or_zero().projected;
    }
    let peaks = peaks(&rows, &receiving, &grades);
    ScenarioYears {
        name: run.name.to_string(),
        rows,
        receiving,
        grades,
        classes,
        displaced: displaced(run.forecast),
        conservation: conservation
            .into_iter()
            .map(|(y, (s, b))| (y, s, b))
            .collect(),
        peaks,
    }
}

/// Per receiving school, year and grade it teaches: pupils and classes.
fn grade_rows(
    run: &YearsRun<'_>,
    receiving: &[SchoolId],
    run_grades: &BTreeMap<(SchoolId, i32, u8), (f64, u32)>,
    base_grades: &BTreeMap<(SchoolId, i32, u8), (f64, u32)>,
) -> Vec<GradeRow> {
    let data = run.schools();
    let lookup = data.school_lookup();
    let years = run.forecast.timeline.years();
    let mut out = Vec::new();
    for id in receiving {
        let Some(&s) = lookup.get(id.as_str()) else {
            continue;
        };
        for y in years.clone() {
            for g in grades(data.school(s).level) {
                let key = (id.clone(), y, g);
                let Some(&(pupils, classes)) = run_grades.get(&key) else {
                    continue;
                };
                let per_class = if classes == 0 {
                    0.0
                } else {
                    pupils / f64::from(classes)
                };
                out.push(GradeRow {
                    school: id.clone(),
                    name: data.school(s).name.clone(),
                    year: y,
                    grade: g,
                    pupils,
                    baseline_pupils: base_grades.get(&key).map_or(0.0, |x| x.0),
                    count: ClassCount::of(pupils, classes),
                    per_class,
                    level: LargeClass::of(per_class),
                });
            }
        }
    }
    out
}

/// Classes by size per year: the receiving schools', the district's, the
/// baseline district's.
fn class_years(
    receiving: &[SchoolId],
    run_grades: &BTreeMap<(SchoolId, i32, u8), (f64, u32)>,
    base_grades: &BTreeMap<(SchoolId, i32, u8), (f64, u32)>,
) -> Vec<ClassYear> {
    let receiving: BTreeSet<&SchoolId> = receiving.iter().collect();
    let mut rec: BTreeMap<i32, ClassCount> = BTreeMap::new();
    for ((s, y, _), &(v, c)) in run_grades {
        if receiving.contains(s) {
            rec.entry(*y).or_default().add(ClassCount::of(v, c));
        }
    }
    let (district, base) = (district_classes(run_grades), district_classes(base_grades));
    let years: BTreeSet<i32> = district.keys().chain(base.keys()).copied().collect();
    years
        .into_iter()
        .map(|y| ClassYear {
            year: y,
            receiving: rec.get(&y).copied().unwrap_or_default(),
            district: district.get(&y).copied().unwrap_or_default(),
            baseline_district: base.get(&y).copied().unwrap_or_default(),
        })
        .collect()
}

/// The moves of a forecast summed per year, entrants and enrolled apart;
/// every projected year, 0 where nothing moved.
pub fn displaced(f: &Forecast) -> Vec<DisplacedYear> {
    let mut by: BTreeMap<i32, DisplacedYear> = f
        .timeline
        .years()
        .map(|y| {
            (
                y,
                DisplacedYear {
                    year: y,
                    ..Default::default()
                },
            )
        })
        .collect();
    for m in &f.moves {
        let d = by.entry(m.year).or_insert_with(|| DisplacedYear {
            year: m.year,
            ..Default::default()
        });
        match m.kind {
            MoveKind::Entrants => d.entrants += m.pupils,
            MoveKind::Enrolled => d.enrolled += m.pupils,
        }
    }
    by.into_values().collect()
}

/// Each receiving school's year of largest shortfall (the first such year
/// on a tie), in the order of `receiving`.
fn peaks(rows: &[SchoolYear], receiving: &[SchoolId], grades: &[GradeRow]) -> Vec<Peak> {
    receiving
        .iter()
        .filter_map(|id| {
            let worst = rows
                .iter()
                .filter(|r| &r.school == id && r.scenario.is_some())
                .fold(None::<&SchoolYear>, |best, r| match best {
                    Some(b) if b.scenario_or_zero().shortfall >= r.scenario_or_zero().shortfall => {
                        Some(b)
                    }
                    _ => Some(r),
                })?;
            let max_per_class = grades
                .iter()
                .filter(|g| &g.school == id && g.year == worst.year)
                .map(|g| g.per_class)
                .fold(0.0, f64::max);
            Some(Peak {
                school: id.clone(),
                name: worst.name.clone(),
                year: worst.year,
                shortfall: worst.scenario_or_zero().shortfall,
                baseline_shortfall: worst.baseline_or_zero().shortfall,
                max_per_class,
            })
        })
        .collect()
}

/// A scenario's peak shortfall (`sweep --years`): per year the district's
/// summed positive shortfall (schools short of seats; spare seats
/// elsewhere do not offset them, a child cannot use a seat across the
/// district), and the year where it is largest (the first on a tie).
#[derive(Clone, Debug, PartialEq)]
pub struct PeakShortfall {
    pub name: String,
    /// `None` without projected years.
    pub year: Option<i32>,
    pub shortfall: f64,
    /// Schools short of seats in that year.
    pub schools_short: usize,
    /// Every year's summed positive shortfall.
    pub by_year: Vec<(i32, f64)>,
    /// Pupils the scenario's changes moved over all years.
    pub displaced: f64,
}

pub fn peak_shortfall(name: &str, f: &Forecast) -> PeakShortfall {
    let mut by: BTreeMap<i32, (f64, usize)> = f.timeline.years().map(|y| (y, (0.0, 0))).collect();
    for r in &f.shortfall {
        if r.shortfall > 0.0 {
            let e = by.entry(r.year).or_default();
            e.0 += r.shortfall;
            e.1 += 1;
        }
    }
    let mut best: Option<(i32, f64, usize)> = None;
    for (&y, &(s, n)) in &by {
        if best.is_none_or(|b| s > b.1) {
            best = Some((y, s, n));
        }
    }
    PeakShortfall {
        name: name.to_string(),
        year: best.map(|b| b.0),
        shortfall: best.map_or(0.0, |b| b.1),
        schools_short: best.map_or(0, |b| b.2),
        by_year: by.iter().map(|(&y, &(s, _))| (y, s)).collect(),
        // from +0.0: an empty sum of floats is -0.0
        displaced: f.moves.iter().fold(0.0, |a, m| a + m.pupils),
    }
}

/// Rank by peak shortfall, smallest first (the scenario that leaves the
/// fewest children without a seat in its worst year), ties by name.
pub fn rank(rows: &mut [PeakShortfall]) {
    rows.sort_by(|a, b| {
        a.shortfall
            .total_cmp(&b.shortfall)
            .then_with(|| a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_counted_by_an_even_split() {
        // 111 pupils in 2 classes: 56 and 55
        assert_eq!(
            ClassCount::of(111.0, 2),
            ClassCount {
                classes: 2,
                large: 1,
                very_large: 0
            }
        );
        // 131 in 2: 66 and 65
        assert_eq!(
            ClassCount::of(131.0, 2),
            ClassCount {
                classes: 2,
                large: 1,
                very_large: 1
            }
        );
        // 200 in 3: 67, 67, 66
        assert_eq!(ClassCount::of(200.0, 3).very_large, 3);
        // 55.4 rounds to 55: within the standard
        assert_eq!(ClassCount::of(55.4, 1).large, 0);
        assert_eq!(ClassCount::of(55.5, 1).large, 1);
        assert_eq!(ClassCount::of(90.0, 0), ClassCount::default());
        assert_eq!(ClassCount::of(f64::NAN, 2).large, 0);
        let mut c = ClassCount::of(111.0, 2);
        c.add(ClassCount::of(40.0, 2));
        assert!((c.share_56_plus() - 0.25).abs() < 1e-12);
    }
}
