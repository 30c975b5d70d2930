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
    /// The admission routes of the dataset (issue 15); `None` when it has
    /// no private school, feeder row, current school or district.
    pub routes: Option<RoutesSummary>,
}

/// What `validate` says about the admission routes (issue 15).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RoutesSummary {
    /// Open private schools admitting the scenario's grade.
    pub private_schools: usize,
    /// Applicants of the grade listing at least one of them.
    pub private_applicants: usize,
    /// feeders.csv rows with route `direct`, and with route `priority`.
    pub direct_rows: usize,
    pub priority_rows: usize,
    /// Grade-7 applicants with a `current_school_id`.
    pub with_current_school: usize,
    /// Per public school admitting grade 7 that a direct route (or its own
    /// nine-year promotion) leads to: (id, name, direct applicants, entry
    /// seats), in school order.
    pub direct: Vec<(String, String, usize, u32)>,
    /// Per district in order of first appearance: (name, schools).
    pub districts: Vec<(String, usize)>,
    /// Open public schools of the grade outside any district (only when
    /// districts.csv is given).
    pub outside_districts: usize,
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
    sum.routes = routes_summary(data, scenario, &mut sum.warnings);
    sum
}

/// The routes part of the summary; `None` for a dataset without any route
/// input (validate's output stays as it was). A direct route (对口直升)
/// with more applicants than its junior school's seats is a warning: the
/// route is short and its lottery decides (spec: `fallback.feeder`).
fn routes_summary(
    data: &Dataset,
    scenario: &Scenario,
    warnings: &mut Vec<String>,
) -> Option<RoutesSummary> {
    use crate::domain::routes::{FeederRoute, Sector};
    let any = data.schools.iter().any(|s| s.sector == Sector::Private)
        || !data.feeders.is_empty()
        || !data.district_names.is_empty()
        || data.students.iter().any(|s| s.current_school.is_some());
    if !any {
        return None;
    }
    let grade = scenario.grade;
    let private = data.private_schools(grade);
    let of_grade = || data.students.iter().filter(move |s| s.entry_grade == grade);
    let mut r = RoutesSummary {
        private_schools: private.len(),
        private_applicants: of_grade()
            .filter(|s| s.preferences.iter().any(|p| private.contains(p)))
            .count(),
        direct_rows: data
            .feeders
            .iter()
            .filter(|f| f.route == FeederRoute::Direct)
            .count(),
        priority_rows: data
            .feeders
            .iter()
            .filter(|f| f.route == FeederRoute::Priority)
            .count(),
        ..Default::default()
    };
    let seven = crate::domain::model::Grade::Seven;
    let public7 = data.mainstream_schools(seven);
    let mut direct = vec![0usize; data.schools.len()];
    for s in data.students.iter().filter(|s| s.entry_grade == seven) {
        let Some(c) = s.current_school else { continue };
        r.with_current_school += 1;
        let own = scenario.policy.routes.nine_year_direct
            && data.school(c).level == Level::NineYear
            && public7.contains(&c);
        let to = data
            .feeders
            .iter()
            .find(|f| {
                f.primary == c && f.route == FeederRoute::Direct && public7.contains(&f.junior)
            })
            .map(|f| f.junior)
            .or(own.then_some(c));
        if let Some(j) = to {
            direct[j.ix()] += 1;
        }
    }
    for &j in &public7 {
        let (n, school) = (direct[j.ix()], data.school(j));
        let routed = data
            .feeders
            .iter()
            .any(|f| f.junior == j && f.route == FeederRoute::Direct);
        if n == 0 && !routed {
            continue;
        }
        let seats = school.entry_seats.0;
        if n > seats as usize && grade == seven {
            warnings.push(format!(
                "direct feeder route (对口直升) to `{}` {} is short: {n} applicants for {seats} seats; its lottery decides and the rest take fallback.feeder",
                school.id, school.name
            ));
        }
        r.direct
            .push((school.id.to_string(), school.name.clone(), n, seats));
    }
    let mut per = vec![0usize; data.district_names.len()];
    for d in data.schools.iter().filter_map(|s| s.district) {
        if let Some(x) = per.get_mut(d as usize) {
            *x += 1;
        }
    }
    r.districts = data
        .district_names
        .iter()
        .zip(per)
        .map(|(n, c)| (n.to_string(), c))
        .collect();
    if !data.district_names.is_empty() {
        r.outside_districts = data
            .mainstream_schools(grade)
            .iter()
            .filter(|&&s| data.school(s).district.is_none())
            .count();
    }
    Some(r)
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
