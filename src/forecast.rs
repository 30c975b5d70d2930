//! Enrollment projection by cohort survival (grade progression ratios), the
//! method school planners use, and the capacity-shortfall (学位预警) table.
//!
//! For each school and year after the last year of history:
//! - grade 1 = births six years earlier in the school's grade-1 zone ×
//!   the school's birth-to-entry ratio;
//! - grade g (2–6, 8–9) = last year's grade g − 1 × the progression ratio;
//! - grade 7 = Σ over primary schools p of (share of p's zone households
//!   whose grade-7 zone is this school) × p's grade 6 last year × the
//!   school's progression ratio into grade 7;
//! - plus new housing: households completed up to that year × the policy's
//!   pupils per household per grade, at the block's zone school.
//!
//! Each ratio is the weighted mean of the observed ratios of the last `N`
//! years of history, the year `k` back weighted `w^k` (`w = 1`: plain mean).

use std::collections::{BTreeMap, HashMap};

use crate::model::{BlockIx, Dataset, Grade, Level, SchoolIx, Status};

/// Births per block and year.
pub type Births = HashMap<(BlockIx, i32), f64>;
/// Enrolled per school, grade and year.
pub type Enrollment = BTreeMap<(SchoolIx, u8, i32), f64>;
/// New households per block and year of completion.
pub type Housing = HashMap<(BlockIx, i32), f64>;

#[derive(Clone, Debug, PartialEq)]
pub struct ForecastPolicy {
    /// Years of history each ratio averages.
    pub years_back: usize,
    /// Weight `w` of the year k back (`w^k`); 1 = plain mean.
    pub recent_weight: f64,
    /// Pupils per new household per grade.
    pub yield_per_grade: f64,
    /// Standard class sizes (seats = classes × size).
    pub class_size_primary: u32,
    pub class_size_junior: u32,
    /// Utilisation thresholds of the warning levels.
    pub yellow: f64,
    pub orange: f64,
    pub red: f64,
}

impl Default for ForecastPolicy {
    fn default() -> Self {
        ForecastPolicy {
            years_back: 3,
            recent_weight: 1.0,
            yield_per_grade: 0.02,
            class_size_primary: 45,
            class_size_junior: 50,
            yellow: 0.90,
            orange: 0.95,
            red: 1.00,
        }
    }
}

/// The grades a school teaches (none for special schools, which are not
/// projected by cohort).
#[allow(clippy::reversed_empty_ranges)]
pub fn grades(level: Level) -> std::ops::RangeInclusive<u8> {
    match level {
        Level::Primary => 1..=6,
        Level::Junior => 7..=9,
        Level::NineYear => 1..=9,
        Level::Special => 1..=0,
    }
}

/// The zones the projection works with: per block the grade-1 and grade-7
/// school (from `zones.csv`, else the nearest school of the level).
pub struct Feeds {
    pub grade1: Vec<Option<SchoolIx>>,
    pub grade7: Vec<Option<SchoolIx>>,
    /// Share of primary p's zone households going to junior j for grade 7.
    pub feeder: HashMap<SchoolIx, Vec<(SchoolIx, f64)>>,
}

pub fn feeds(data: &Dataset) -> Feeds {
    let nearest = crate::generate::nearest_zones(data);
    let pick = |g: Grade, b: usize| -> Option<SchoolIx> {
        let given = data.zones.as_ref().and_then(|z| {
            z.for_grade(g)[b].or_else(|| {
                z.groups_for_grade(g)[b]
                    .and_then(|gi| z.groups[gi as usize].schools.first().copied())
            })
        });
        given.or(nearest.for_grade(g)[b])
    };
    let grade1: Vec<Option<SchoolIx>> = (0..data.blocks.len())
        .map(|b| pick(Grade::One, b))
        .collect();
    let grade7: Vec<Option<SchoolIx>> = (0..data.blocks.len())
        .map(|b| pick(Grade::Seven, b))
        .collect();
    let mut weights: HashMap<SchoolIx, BTreeMap<SchoolIx, f64>> = HashMap::new();
    for b in 0..data.blocks.len() {
        if let (Some(p), Some(j)) = (grade1[b], grade7[b]) {
            *weights.entry(p).or_default().entry(j).or_default() +=
                f64::from(data.blocks[b].households.max(1));
        }
    }
    let feeder = weights
        .into_iter()
        .map(|(p, m)| {
            let total: f64 = m.values().sum();
            (p, m.into_iter().map(|(j, w)| (j, w / total)).collect())
        })
        .collect();
    Feeds {
        grade1,
        grade7,
        feeder,
    }
}

/// The ratios used, so a planner can check them.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    pub school: SchoolIx,
    pub grade: u8,
    /// `births` for grade 1, `progression` otherwise.
    pub kind: &'static str,
    pub value: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// (school, grade, year) → projected pupils.
    pub enrolled: Enrollment,
    pub ratios: Vec<Ratio>,
    pub first_year: i32,
    pub last_year: i32,
}

fn weighted_mean(values: &[(f64, f64)], w: f64) -> Option<f64> {
    // values: (year age 0 = most recent, ratio)
    let (mut num, mut den) = (0.0, 0.0);
    for &(age, r) in values {
        let k = w.powf(age);
        num += k * r;
        den += k;
    }
    (den > 0.0).then(|| num / den)
}

/// Births per grade-1 zone school and year.
fn zone_births(feeds: &Feeds, births: &Births) -> HashMap<(SchoolIx, i32), f64> {
    let mut out = HashMap::new();
    // a fixed order, so sums of fractional births are the same every run
    let sorted: BTreeMap<(BlockIx, i32), f64> = births.iter().map(|(k, v)| (*k, *v)).collect();
    for (&(b, y), &n) in &sorted {
        if let Some(s) = feeds.grade1[b.ix()] {
            *out.entry((s, y)).or_insert(0.0) += n;
        }
    }
    out
}

/// New households completed in each year, per zone school of each level
/// (`true` = the junior school's zone).
fn housing_by_school(feeds: &Feeds, housing: &Housing) -> HashMap<(SchoolIx, bool, i32), f64> {
    let mut out = HashMap::new();
    let sorted: BTreeMap<(BlockIx, i32), f64> = housing.iter().map(|(k, v)| (*k, *v)).collect();
    for (&(b, y), &h) in &sorted {
        for (junior, zone) in [(false, &feeds.grade1), (true, &feeds.grade7)] {
            if let Some(s) = zone[b.ix()] {
                *out.entry((s, junior, y)).or_insert(0.0) += h;
            }
        }
    }
    out
}

/// Project `years` years after the last year of `history`.
pub fn project(
    data: &Dataset,
    feeds: &Feeds,
    births: &Births,
    history: &Enrollment,
    housing: &Housing,
    years: usize,
    policy: &ForecastPolicy,
) -> Projection {
    let last = history.keys().map(|k| k.2).max().unwrap_or(0);
    let first = history.keys().map(|k| k.2).min().unwrap_or(0);
    let schools: Vec<SchoolIx> = (0..data.schools.len())
        .map(SchoolIx::from_ix)
        .filter(|&s| {
            data.school(s).status == Status::Open && data.school(s).level != Level::Special
        })
        .collect();
    let get = |m: &Enrollment, s: SchoolIx, g: u8, y: i32| m.get(&(s, g, y)).copied();
    let window: Vec<i32> = (0..policy.years_back as i32)
        .map(|k| last - k)
        .filter(|&y| y > first)
        .collect();
    let mut ratios = Vec::new();
    let mut entry_ratio: HashMap<SchoolIx, f64> = HashMap::new();
    let mut progression: HashMap<(SchoolIx, u8), f64> = HashMap::new();
    let zb = zone_births(feeds, births);
    let born = |s: SchoolIx, y: i32| zb.get(&(s, y)).copied().unwrap_or(0.0);
    // feeders of each junior school: (primary, share), in a fixed order
    let mut into: HashMap<SchoolIx, Vec<(SchoolIx, f64)>> = HashMap::new();
    for (&p, list) in &feeds.feeder {
        for &(j, share) in list {
            into.entry(j).or_default().push((p, share));
        }
    }
    for v in into.values_mut() {
        v.sort_by_key(|x| x.0);
    }
    let feeder_input = |m: &Enrollment, j: SchoolIx, y: i32| -> f64 {
        into.get(&j).map_or(0.0, |l| {
            l.iter()
                .map(|&(p, share)| share * get(m, p, 6, y).unwrap_or(0.0))
                .sum()
        })
    };
    let hb = housing_by_school(feeds, housing);
    let mut housing_years: Vec<i32> = housing.keys().map(|k| k.1).collect();
    housing_years.sort_unstable();
    housing_years.dedup();
    for &s in &schools {
        for g in grades(data.school(s).level) {
            let obs: Vec<(f64, f64)> = window
                .iter()
                .filter_map(|&y| {
                    let now = get(history, s, g, y)?;
                    let base = match g {
                        1 => born(s, y - 6),
                        7 => feeder_input(history, s, y - 1),
                        _ => get(history, s, g - 1, y - 1)?,
                    };
                    (base > 0.0).then(|| (f64::from(last - y), now / base))
                })
                .collect();
            let Some(r) = weighted_mean(&obs, policy.recent_weight) else {
                continue;
            };
            if g == 1 {
                entry_ratio.insert(s, r);
            } else {
                progression.insert((s, g), r);
            }
            ratios.push(Ratio {
                school: s,
                grade: g,
                kind: if g == 1 { "births" } else { "progression" },
                value: r,
            });
        }
    }
    // years ahead; births beyond the data follow the zone's mean yearly change
    let mut all: Enrollment = history.clone();
    let mut out = Enrollment::new();
    for y in last + 1..=last + years as i32 {
        for &s in &schools {
            for g in grades(data.school(s).level) {
                let base = match g {
                    1 => entry_ratio.get(&s).map(|r| born(s, y - 6) * r),
                    7 => progression
                        .get(&(s, 7))
                        .map(|r| feeder_input(&all, s, y - 1) * r),
                    _ => match (get(&all, s, g - 1, y - 1), progression.get(&(s, g))) {
                        (Some(prev), Some(r)) => Some(prev * r),
                        _ => None,
                    },
                };
                let Some(mut v) = base else { continue };
                // new housing completed by year y in the school's zone
                for &hy in housing_years.iter().take_while(|&&hy| hy <= y) {
                    if let Some(h) = hb.get(&(s, g > 6, hy)) {
                        v += h * policy.yield_per_grade;
                    }
                }
                all.insert((s, g, y), v);
                out.insert((s, g, y), v);
            }
        }
    }
    Projection {
        enrolled: out,
        ratios,
        first_year: last + 1,
        last_year: last + years as i32,
    }
}

/// Warning levels of 学位预警.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Warning {
    None,
    Yellow,
    Orange,
    Red,
}

impl Warning {
    pub fn as_str(self) -> &'static str {
        match self {
            Warning::None => "",
            Warning::Yellow => "yellow",
            Warning::Orange => "orange",
            Warning::Red => "red",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShortfallRow {
    pub school: SchoolIx,
    pub year: i32,
    pub projected: f64,
    pub seats: u32,
    /// Projected minus seats: positive is a shortage, negative spare seats.
    pub shortfall: f64,
    pub classes_needed: u32,
    pub classes: u32,
    pub utilisation: f64,
    pub warning: Warning,
    /// Pupils per class if the school keeps its classes: above 56 is 大班额,
    /// above 66 超大班额.
    pub pupils_per_class: f64,
}

/// Seats, shortfall and warning per school and projected year. Seats are
/// entry classes × standard class size in every grade the school teaches.
pub fn shortfall(data: &Dataset, p: &Projection, policy: &ForecastPolicy) -> Vec<ShortfallRow> {
    let mut rows = Vec::new();
    let mut schools: Vec<SchoolIx> = p.enrolled.keys().map(|k| k.0).collect();
    schools.dedup();
    for s in schools {
        let school = data.school(s);
        for y in p.first_year..=p.last_year {
            let (mut projected, mut seats, mut needed, mut classes) = (0.0, 0u32, 0u32, 0u32);
            for g in grades(school.level) {
                let size = if g <= 6 {
                    policy.class_size_primary
                } else {
                    policy.class_size_junior
                };
                let v = p.enrolled.get(&(s, g, y)).copied().unwrap_or(0.0);
                projected += v;
                seats += school.classes * size;
                needed += (v.round() as u32).div_ceil(size);
                classes += school.classes;
            }
            let utilisation = if seats == 0 {
                0.0
            } else {
                projected / f64::from(seats)
            };
            let warning = if utilisation >= policy.red {
                Warning::Red
            } else if utilisation >= policy.orange {
                Warning::Orange
            } else if utilisation >= policy.yellow {
                Warning::Yellow
            } else {
                Warning::None
            };
            rows.push(ShortfallRow {
                school: s,
                year: y,
                projected,
                seats,
                shortfall: projected - f64::from(seats),
                classes_needed: needed,
                classes,
                utilisation,
                warning,
                pupils_per_class: if classes == 0 {
                    0.0
                } else {
                    projected / f64::from(classes)
                },
            });
        }
    }
    rows
}

/// Mean absolute percentage error of school totals per year (in %), per
/// school and over the district (all school-years pooled).
pub fn mape(actual: &Enrollment, projected: &Enrollment) -> (BTreeMap<SchoolIx, f64>, f64) {
    let mut totals: BTreeMap<(SchoolIx, i32), (f64, f64)> = BTreeMap::new();
    for (&(s, _, y), &p) in projected {
        totals.entry((s, y)).or_default().1 += p;
    }
    for (&(s, _, y), &a) in actual {
        if let Some(t) = totals.get_mut(&(s, y)) {
            t.0 += a;
        }
    }
    let mut per: BTreeMap<SchoolIx, (f64, usize)> = BTreeMap::new();
    let (mut sum, mut n) = (0.0, 0usize);
    for (&(s, _), &(a, p)) in &totals {
        if a > 0.0 {
            let e = 100.0 * (p - a).abs() / a;
            let x = per.entry(s).or_default();
            x.0 += e;
            x.1 += 1;
            sum += e;
            n += 1;
        }
    }
    (
        per.into_iter()
            .map(|(s, (e, k))| (s, e / k as f64))
            .collect(),
        if n == 0 { 0.0 } else { sum / n as f64 },
    )
}

/// Hide the last `k` years of history, project them, and score the
/// projection (MAPE per school and for the district).
pub fn backtest(
    data: &Dataset,
    feeds: &Feeds,
    births: &Births,
    history: &Enrollment,
    housing: &Housing,
    k: usize,
    policy: &ForecastPolicy,
) -> (BTreeMap<SchoolIx, f64>, f64) {
    let last = history.keys().map(|x| x.2).max().unwrap_or(0);
    let cut = last - k as i32;
    let known: Enrollment = history
        .iter()
        .filter(|(x, _)| x.2 <= cut)
        .map(|(x, v)| (*x, *v))
        .collect();
    let hidden: Enrollment = history
        .iter()
        .filter(|(x, _)| x.2 > cut)
        .map(|(x, v)| (*x, *v))
        .collect();
    let p = project(data, feeds, births, &known, housing, k, policy);
    mape(&hidden, &p.enrolled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn school(id: &str, level: Level, lon: f64) -> School {
        School {
            id: SchoolId::new(id),
            name: id.into(),
            level,
            location: geo::Point::new(lon, 43.9),
            town: "t".into(),
            entry_seats: Seats(45),
            classes: 1,
            max_class_size: 45,
            boarding: false,
            status: Status::Open,
            annual_cost: None,
        }
    }

    /// One primary school P, one junior J, one block; worked by hand.
    fn tiny() -> (Dataset, Births, Enrollment) {
        let data = Dataset {
            schools: vec![
                school("P", Level::Primary, 126.5),
                school("J", Level::Junior, 126.51),
            ],
            blocks: vec![Block {
                id: BlockId::new("b"),
                name: "b".into(),
                town: "t".into(),
                location: geo::Point::new(126.505, 43.9),
                households: 100,
            }],
            students: vec![],
            zones: None,
        };
        let b = BlockIx(0);
        let births: Births = [(2017, 50.0), (2018, 40.0), (2019, 44.0), (2020, 30.0)]
            .into_iter()
            .map(|(y, n)| ((b, y), n))
            .collect();
        let (p, j) = (SchoolIx(0), SchoolIx(1));
        let mut h = Enrollment::new();
        // grade 1 = 0.9 × births six years before
        h.insert((p, 1, 2023), 45.0); // births 2017: 50 → ratio 0.9
        h.insert((p, 1, 2024), 36.0); // births 2018: 40 → 0.9
        for g in 2..=6u8 {
            h.insert((p, g, 2023), 40.0);
            h.insert((p, g, 2024), 38.0); // from 40 → progression 0.95
        }
        h.insert((p, 2, 2024), 42.75); // from grade 1's 45 → 0.95
        h.insert((j, 7, 2023), 40.0);
        h.insert((j, 7, 2024), 40.0); // from P's grade 6 in 2023 (40) → 1.0
        for g in 8..=9u8 {
            h.insert((j, g, 2023), 40.0);
            h.insert((j, g, 2024), 36.0); // 0.9
        }
        (data, births, h)
    }

    #[test]
    fn cohort_survival_by_hand() {
        let (data, births, h) = tiny();
        let feeds = feeds(&data);
        let policy = ForecastPolicy {
            years_back: 1,
            ..Default::default()
        };
        let p = project(&data, &feeds, &births, &h, &Housing::new(), 2, &policy);
        let (ps, js) = (SchoolIx(0), SchoolIx(1));
        let at = |s, g, y| p.enrolled[&(s, g, y)];
        // 2025: grade 1 = births 2019 (44) × 0.9 = 39.6; grade 2 = 36 × 0.95 = 34.2
        assert!((at(ps, 1, 2025) - 39.6).abs() < 1e-9);
        assert!((at(ps, 2, 2025) - 34.2).abs() < 1e-9);
        // grade 7 = P's grade 6 in 2024 (38) × 1.0; grade 8 = 40 × 0.9
        assert!((at(js, 7, 2025) - 38.0).abs() < 1e-9);
        assert!((at(js, 8, 2025) - 36.0).abs() < 1e-9);
        // 2026: grade 1 = births 2020 (30) × 0.9 = 27; grade 2 = 39.6 × 0.95 = 37.62
        assert!((at(ps, 1, 2026) - 27.0).abs() < 1e-9);
        assert!((at(ps, 2, 2026) - 37.62).abs() < 1e-9);
        // grade 7 in 2026 = P's projected grade 6 in 2025 (38 × 0.95 = 36.1)
        assert!((at(js, 7, 2026) - 36.1).abs() < 1e-9);
        // the shortfall is projected minus seats (1 class × 45 per grade)
        for r in shortfall(&data, &p, &policy) {
            let sum: f64 = grades(data.school(r.school).level)
                .map(|g| p.enrolled[&(r.school, g, r.year)])
                .sum();
            assert!((r.projected - sum).abs() < 1e-9);
            assert!((r.shortfall - (sum - f64::from(r.seats))).abs() < 1e-9);
        }
    }

    #[test]
    fn mape_on_a_constructed_series() {
        let s = SchoolIx(0);
        let actual: Enrollment = [
            ((s, 1, 2024), 100.0),
            ((s, 2, 2024), 100.0),
            ((s, 1, 2025), 50.0),
        ]
        .into_iter()
        .collect();
        let projected: Enrollment = [
            ((s, 1, 2024), 110.0),
            ((s, 2, 2024), 110.0),
            ((s, 1, 2025), 40.0),
        ]
        .into_iter()
        .collect();
        // 2024: |220 - 200| / 200 = 10%; 2025: |40 - 50| / 50 = 20%; mean 15%
        let (per, district) = mape(&actual, &projected);
        assert!((per[&s] - 15.0).abs() < 1e-9);
        assert!((district - 15.0).abs() < 1e-9);
    }
}
