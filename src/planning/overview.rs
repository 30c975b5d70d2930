//! What `sunshine validate` tells a planner about a dataset before any
//! placement: what is there, and what looks wrong even though it parses.

use std::collections::BTreeMap;

use crate::domain::model::{ByGrade, Dataset, Disability, Level, Metres, SchoolIx, Status};
use crate::domain::scenario::Scenario;
use crate::spatial::distance::{DistanceSource, SchoolIndex};

#[derive(Clone, Debug, PartialEq)]
pub struct SchoolRow {
    pub level: Level,
    pub status: Status,
    pub schools: usize,
    pub entry_seats: u64,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct DatasetSummary {
    pub schools: Vec<SchoolRow>,
    pub blocks: usize,
    pub towns: usize,
    /// Applicants of each entry grade.
    pub applicants_by_grade: ByGrade<usize>,
    /// Applicants of the scenario's entry grade.
    pub applicants: usize,
    /// Entry seats of open schools that admit the scenario's grade.
    pub seats: u64,
    /// Applicants of the grade by the category they match (the policy's
    /// categories in priority order, by name).
    pub by_category: Vec<(String, usize)>,
    pub migrant: usize,
    pub left_behind: usize,
    pub disability_mild: usize,
    pub disability_severe: usize,
    pub with_sibling: usize,
    pub warnings: Vec<String>,
}

pub fn summarize(data: &Dataset, scenario: &Scenario, dist: &dyn DistanceSource) -> DatasetSummary {
    let grade = scenario.grade;
    let mut sum = DatasetSummary {
        schools: school_rows(data),
        blocks: data.blocks.len(),
        ..Default::default()
    };
    let mut towns: BTreeMap<&str, ()> = BTreeMap::new();
    for b in &data.blocks {
        towns.insert(&b.town, ());
    }
    sum.towns = towns.len();
    let open = data.mainstream_schools(grade);
    sum.seats = open
        .iter()
        .map(|&s| u64::from(data.school(s).entry_seats.0))
        .sum();
    let Applicants { cats, uncovered } = count_applicants(data, scenario, dist, &open, &mut sum);
    let rules = &scenario.policy.rules;
    sum.by_category = rules
        .categories
        .iter()
        .zip(&cats)
        .map(|(c, &n)| (c.name.clone(), n))
        .collect();
    if !rules.is_plain() {
        // a category nobody matches is most often a typo in a value
        for (c, &n) in rules.categories.iter().zip(&cats) {
            if n == 0 && !c.when.0.is_empty() {
                sum.warnings.push(format!(
                    "category `{}` matches no applicant of grade {} (when: {}): check the condition's values against students.csv",
                    c.name,
                    grade.number(),
                    c.when
                ));
            }
        }
    }
    warn(data, scenario, &uncovered, &mut sum);
    sum
}

/// Schools and their entry seats by level, open and closing apart.
fn school_rows(data: &Dataset) -> Vec<SchoolRow> {
    let mut by_level: BTreeMap<(Level, bool), (usize, u64)> = BTreeMap::new();
    for s in &data.schools {
        let e = by_level
            .entry((s.level, s.status == Status::Closing))
            .or_default();
        e.0 += 1;
        e.1 += u64::from(s.entry_seats.0);
    }
    by_level
        .into_iter()
        .map(|((level, closing), (n, seats))| SchoolRow {
            level,
            status: if closing {
                Status::Closing
            } else {
                Status::Open
            },
            schools: n,
            entry_seats: seats,
        })
        .collect()
}

/// What [`count_applicants`] counts besides the summary's own fields.
struct Applicants {
    /// Applicants of the scenario's grade by category, in the order of
    /// [`Category::ALL`].
    cats: Vec<usize>,
    /// By town: applicants of the scenario's grade with no open school
    /// within the service radius, and all of them.
    uncovered: BTreeMap<String, (usize, usize)>,
}

/// Count the applicants: of each grade, and of the scenario's grade by
/// category, circumstance and whether an `open` school is within the
/// service radius of their home.
fn count_applicants(
    data: &Dataset,
    scenario: &Scenario,
    dist: &dyn DistanceSource,
    open: &[SchoolIx],
    sum: &mut DatasetSummary,
) -> Applicants {
    let grade = scenario.grade;
    let rules = &scenario.policy.rules;
    let mut cats = vec![0usize; rules.categories.len()];
    let mut uncovered: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let index = SchoolIndex::new(open.iter().map(|&s| (s, data.school(s).location)));
    let radius = scenario.policy.service_radius(grade);
    let reach = Metres::from_km(scenario.policy.overflow_max_km);
    // a school within the radius: by distance among the five nearest, or
    // by travel time among the thirty nearest (the road table's candidates)
    let covered_at = |home: geo::Point<f64>| match radius {
        crate::domain::scenario::Radius::Km(km) => {
            !index.nearest(home, 5, Metres::from_km(km), dist).is_empty()
        }
        crate::domain::scenario::Radius::Minutes(_) => {
            index.nearest(home, 30, reach, dist).iter().any(|&(s, _)| {
                crate::spatial::distance::within_radius(dist, home, data.school(s).location, radius)
            })
        }
    };
    let mut covered_by_block: Vec<Option<bool>> = vec![None; data.blocks.len()];
    for st in &data.students {
        *sum.applicants_by_grade.get_mut(st.entry_grade) += 1;
        if st.entry_grade != grade {
            continue;
        }
        sum.applicants += 1;
        cats[rules.category_of(st)] += 1;
        sum.migrant += usize::from(st.migrant);
        sum.left_behind += usize::from(st.left_behind);
        sum.disability_mild += usize::from(st.disability == Disability::Mild);
        sum.disability_severe += usize::from(st.disability == Disability::Severe);
        sum.with_sibling += usize::from(st.sibling_school.is_some());
        let (covered, town) = match st.home {
            crate::domain::model::Home::Block(b) => {
                let c = *covered_by_block[b.ix()]
                    .get_or_insert_with(|| covered_at(data.block(b).location));
                (c, data.block(b).town.clone())
            }
            crate::domain::model::Home::Point(p) => (covered_at(p), "(geocoded)".to_string()),
        };
        let e = uncovered.entry(town).or_default();
        e.1 += 1;
        if !covered {
            e.0 += 1;
        }
    }
    Applicants { cats, uncovered }
}

/// The warnings, in this order: towns with applicants beyond the service
/// radius, fewer seats than applicants, severe disability without a
/// special school, blocks without a zone school.
fn warn(
    data: &Dataset,
    scenario: &Scenario,
    uncovered: &BTreeMap<String, (usize, usize)>,
    sum: &mut DatasetSummary,
) {
    let grade = scenario.grade;
    let radius = scenario.policy.service_radius(grade);
    let level_name = grade.level().as_str();
    for (town, (far, all)) in uncovered {
        if *far > 0 {
            sum.warnings.push(format!(
                "town {town}: {far} of {all} grade-{} applicants have no open {level_name} school within the service radius of {} (school bus or boarding needed)",
                grade.number(),
                radius
            ));
        }
    }
    if sum.seats < sum.applicants as u64 {
        sum.warnings.push(format!(
            "{} grade-{} applicants but only {} entry seats in open schools: {} cannot be placed",
            sum.applicants,
            grade.number(),
            sum.seats,
            sum.applicants as u64 - sum.seats
        ));
    }
    let special = data
        .schools
        .iter()
        .any(|s| s.level == Level::Special && s.status == Status::Open);
    if sum.disability_severe > 0 && !special {
        sum.warnings.push(format!(
            "{} applicants with severe disability and no open special-education school: all will be flagged for home teaching (送教上门)",
            sum.disability_severe
        ));
    }
    if data.zones.is_some() {
        // the same rule as placement: a block of a multi-school zone is zoned
        let missing = crate::rules::place::given_zones(data, grade).computed();
        if missing > 0 {
            sum.warnings.push(format!(
                "{missing} blocks have no grade-{} zone school in zones.csv (or their school closed): their zone is computed by distance",
                grade.number()
            ));
        }
    }
}
