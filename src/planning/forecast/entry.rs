//! Entry-grade seat warnings for the next three intakes (学位预警, in the
//! manner of Zhejiang's 浙教基〔2018〕100号): per school and entry grade
//! (1 and 7), the expected eligible applicants of its zone against its
//! planned intake, yellow from 90% and red from 100% (the scenario's
//! `[forecast] yellow` and `red`).
//!
//! A whole school at 89% can still turn children away at its entry grade
//! (a small cohort leaving, a large one arriving), which is why bureaus
//! publish this table per intake and not per school.
//!
//! - *Expected applicants* are the forecast's entrants of the school in
//!   that year on that year's network ([`super::project_scenario`]: births
//!   six years before × the school's birth-to-entry ratio for grade 1, the
//!   feeder schools' grade 6 × the progression ratio for grade 7, plus new
//!   housing).
//! - *By category*: split in the shares of this year's applicants
//!   (`students.csv`, the same entry grade) of the blocks the school zones
//!   in that year, by the priority categories in force (the scenario's for
//!   its grade, the default ones for the other); a zone without applicants
//!   this year takes the district's shares.
//! - *Planned intake*: the entry seats of that year's network after the
//!   class-size cap (the seats `place` uses).

use super::{Projection, Timeline, Warning};
use crate::domain::model::{Dataset, Grade, Home, Level, SchoolIx, Status};
use crate::domain::routes::Sector;
use crate::domain::scenario::{ForecastPolicy, Policy, Scenario};

/// How many intakes ahead the warnings look (the next three cohorts).
pub const INTAKES_AHEAD: i32 = 3;

/// One school's intake of one entry grade in one year.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryWarning {
    pub school: SchoolIx,
    pub grade: Grade,
    pub year: i32,
    /// Expected applicants (the projected entrants).
    pub expected: f64,
    /// `expected` split by category, aligned with
    /// [`EntryWarnings::categories`] (0 for a category of the other grade).
    pub by_category: Vec<f64>,
    /// Entry seats after the class-size cap in that year's network.
    pub seats: u32,
    /// `expected / seats`.
    pub ratio: f64,
    /// `Yellow` at `policy.yellow` and above, `Red` at `policy.red` and
    /// above (no orange: the notice has two levels).
    pub level: Warning,
}

/// The entry-grade warnings with the categories they are split by.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryWarnings {
    /// Category names: grade 1's, then grade 7's not already listed.
    pub categories: Vec<String>,
    /// Per school (in school order), grade and year.
    pub rows: Vec<EntryWarning>,
}

/// The warning level of a ratio of expected applicants to seats.
pub fn entry_level(ratio: f64, policy: &ForecastPolicy) -> Warning {
    if ratio >= policy.red {
        Warning::Red
    } else if ratio >= policy.yellow {
        Warning::Yellow
    } else {
        Warning::None
    }
}

/// The warnings of the first [`INTAKES_AHEAD`] projected years.
pub fn entry_warnings(
    applicants: &Dataset,
    scenario: &Scenario,
    projection: &Projection,
    timeline: &Timeline,
    policy: &ForecastPolicy,
) -> EntryWarnings {
    let rules = |g: Grade| {
        if g == scenario.grade {
            scenario.policy.rules.clone()
        } else {
            Policy::defaults(g).rules
        }
    };
    let per_grade: Vec<(Grade, crate::domain::priority::Rules)> =
        Grade::ALL.iter().map(|&g| (g, rules(g))).collect();
    let mut categories: Vec<String> = Vec::new();
    for (_, r) in &per_grade {
        for c in &r.categories {
            if !categories.contains(&c.name) {
                categories.push(c.name.clone());
            }
        }
    }
    // per grade: this year's applicants' category (as a column of
    // `categories`) per block
    let mut counts: Vec<Vec<Vec<f64>>> = Vec::new();
    for (g, r) in &per_grade {
        let mut per_block = vec![vec![0.0; categories.len()]; applicants.blocks.len()];
        for st in applicants.students.iter().filter(|s| s.entry_grade == *g) {
            if let Home::Block(b) = st.home {
                let c = r.category_of(st);
                let col = categories
                    .iter()
                    .position(|n| *n == r.categories[c].name)
                    .expect("listed above");
                per_block[b.ix()][col] += 1.0;
            }
        }
        counts.push(per_block);
    }
    let last = projection
        .last_year
        .min(projection.first_year + INTAKES_AHEAD - 1);
    let mut rows = Vec::new();
    for y in projection.first_year..=last {
        let net = timeline.at(y);
        for (gi, &(g, _)) in per_grade.iter().enumerate() {
            let district: Vec<f64> = (0..categories.len())
                .map(|c| counts[gi].iter().map(|b| b[c]).sum())
                .collect();
            let zone = net.feeds.zone.get(g);
            for (s, school) in net.data.schools.iter().enumerate() {
                let admits = school.status == Status::Open
                    && school.sector == Sector::Public
                    && school.level != Level::Special
                    && school.level.admits(g);
                if !admits {
                    continue;
                }
                let s = SchoolIx::from_ix(s);
                let mut mix = vec![0.0; categories.len()];
                for (b, shares) in zone.iter().enumerate() {
                    if let Some(&(_, sh)) = shares.iter().find(|x| x.0 == s) {
                        for (m, n) in mix.iter_mut().zip(&counts[gi][b]) {
                            *m += n * sh;
                        }
                    }
                }
                if mix.iter().sum::<f64>() <= 0.0 {
                    mix.clone_from(&district);
                }
                let total: f64 = mix.iter().sum();
                let expected = projection
                    .enrolled
                    .get(&(s, g.number(), y))
                    .copied()
                    .unwrap_or(0.0);
                let by_category = mix
                    .iter()
                    .map(|m| {
                        if total > 0.0 {
                            expected * m / total
                        } else {
                            0.0
                        }
                    })
                    .collect();
                let seats = school.entry_seats.0;
                let ratio = if seats == 0 {
                    0.0
                } else {
                    expected / f64::from(seats)
                };
                rows.push(EntryWarning {
                    school: s,
                    grade: g,
                    year: y,
                    expected,
                    by_category,
                    seats,
                    ratio,
                    level: entry_level(ratio, policy),
                });
            }
        }
    }
    rows.sort_by_key(|r| (r.school, r.grade.number(), r.year));
    EntryWarnings { categories, rows }
}
