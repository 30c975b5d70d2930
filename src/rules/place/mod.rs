//! One year's sunshine enrollment (阳光入学) for an entry grade.
//!
//! The rules, in the order the bureau applies them (see README, "Placement
//! rules", and `data/longtan/README.md` for the sources):
//!
//! 1. **Zones (划片).** Each block belongs to one school's zone for the
//!    grade: from `zones.csv` where given, otherwise computed as the
//!    capacity-aware minimum-distance assignment of whole blocks
//!    ([`compute_zones`]).
//! 2. **Tiers and ranks.** Each applicant's category is the first of the
//!    policy's categories it matches (by default today's five, ordered by
//!    `priority`; `[[policy.categories]]` with conditions on applicant
//!    columns otherwise); at a school whose seat its property used within
//!    `seat_lock_years` (学位锁定) it drops to the lock category unless a
//!    sibling attends there; a sibling at the school moves it up
//!    `sibling_bonus` tiers (never above tier 1). Inside a tier, the policy's
//!    keys after the category (sub-table, dates earlier first, points higher
//!    first) rank it ([`ranking`]).
//! 3. **Zone admission and lottery (电脑派位).** A school first fills its
//!    reserved seats (`[[policy.reserved]]`) from their category in order,
//!    then admits its zone's applicants by (tier, rank); the group of equal
//!    keys that does not fit in the seats left is drawn by the seeded
//!    lottery ([`crate::solve::lottery`]). Twins drawing together
//!    (`policy.twins = "together"`) share one number and are admitted as a
//!    unit or not at all; a unit that does not fit is passed over for the
//!    next. Applicants who do not accept 统筹 (`accept_overflow = false`)
//!    and are not admitted are `declined`.
//! 4. **Overflow (统筹).** Applicants not admitted at their zone school are
//!    placed in the schools with seats left by an exact min-cost flow that
//!    first places as many as possible and then minimises total distance,
//!    one tier at a time from tier 1 (so a lower tier never takes a seat a
//!    higher tier could have used), within `overflow_max_km`. Those left are
//!    unplaced, with the reason.
//! 5. **Disability (一人一案).** `severe`: a special-education school within
//!    reach with seats (the same exact flow), else home teaching (送教上门);
//!    `mild`: placed normally (随班就读) and counted per school.
//!
//! `Mechanism::MinDistance` ignores zones, tiers and lottery: the
//! capacity-respecting assignment of minimum total distance.

mod admission;
pub mod explain;
mod flow;
pub mod ranking;

use crate::domain::model::*;
use crate::domain::scenario::Scenario;
use crate::spatial::distance::DistanceSource;

pub use admission::{
    admit, draw as draw_lottery, given_zones, initial_placements, prepare as admission_stage, Draw,
    GivenZones, Prepared, ZoneOf,
};
pub use explain::{Admission, Explanation, LotteryKey, RankNote, RouteNote, Settlement, Standing};
pub use flow::{assign_by_flow, assign_in_districts, compute_zones, first_flow, Reach};

/// How ties inside a priority tier are broken when applicants choose
/// among several schools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TieBreak {
    /// One lottery number per applicant, used at every school (STB).
    Single,
    /// One lottery number per applicant and school (MTB).
    Multiple,
}

/// How applicants are placed (`--mechanism`, `--tie-breaking`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    /// Zones, priority tiers, lottery, then overflow placement. Multi-school
    /// zones are filled by deferred acceptance within the group (losers fall
    /// back to the group's other schools).
    Zoned,
    /// Minimum total distance within capacities; no zones, tiers or lottery.
    MinDistance,
    /// Student-proposing deferred acceptance over stated preferences
    /// (Gale–Shapley), then overflow placement.
    DeferredAcceptance(TieBreak),
    /// Immediate acceptance (first choices first), then overflow placement.
    Boston(TieBreak),
}

impl Mechanism {
    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::Zoned => "zoned",
            Mechanism::MinDistance => "min-distance",
            Mechanism::DeferredAcceptance(TieBreak::Single) => {
                "deferred-acceptance (single tie-breaking)"
            }
            Mechanism::DeferredAcceptance(TieBreak::Multiple) => {
                "deferred-acceptance (multiple tie-breaking)"
            }
            Mechanism::Boston(TieBreak::Single) => "boston (single tie-breaking)",
            Mechanism::Boston(TieBreak::Multiple) => "boston (multiple tie-breaking)",
        }
    }

    /// The same mechanism with another tie-breaking rule (zoned and
    /// min-distance have none to change).
    pub fn with_tie_break(self, t: TieBreak) -> Self {
        match self {
            Mechanism::DeferredAcceptance(_) => Mechanism::DeferredAcceptance(t),
            Mechanism::Boston(_) => Mechanism::Boston(t),
            m => m,
        }
    }

    pub fn tie_break(self) -> TieBreak {
        match self {
            Mechanism::DeferredAcceptance(t) | Mechanism::Boston(t) => t,
            _ => TieBreak::Single,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Admitted at the zone school without a draw.
    Zone,
    /// Admitted at the zone school by winning the lottery of its tier.
    LotteryWon,
    /// Admitted at the k-th school of the applicant's list (choice
    /// mechanisms, and multi-school zones).
    Choice(u8),
    /// Placed at another school with seats by overflow placement (统筹).
    Overflow,
    /// Placed by the min-distance mechanism.
    Assigned,
    /// Severe disability, placed at a special-education school.
    SpecialEd,
    /// Severe disability, no special school with seats in reach: 送教上门.
    HomeTeaching,
    /// No school with seats within the maximum distance.
    Unplaced,
    /// Not admitted where it applied, and the family does not accept 统筹
    /// (`accept_overflow = false`), or its route's fallback is `none`:
    /// not placed, reported apart.
    Declined,
    /// Admitted by a direct feeder route (对口直升) before the zone round.
    Feeder,
    /// Admitted at a private school it listed (公民同招).
    Private,
}

impl Outcome {
    /// Outcomes other than `choice_k`, in report order.
    pub const FIXED: [Outcome; 7] = [
        Outcome::Zone,
        Outcome::LotteryWon,
        Outcome::Overflow,
        Outcome::Assigned,
        Outcome::SpecialEd,
        Outcome::HomeTeaching,
        Outcome::Unplaced,
    ];

    pub fn label(self) -> String {
        match self {
            Outcome::Zone => "zone".into(),
            Outcome::LotteryWon => "lottery_won".into(),
            Outcome::Choice(k) => format!("choice_{k}"),
            Outcome::Overflow => "overflow".into(),
            Outcome::Assigned => "assigned".into(),
            Outcome::SpecialEd => "special_ed".into(),
            Outcome::HomeTeaching => "home_teaching".into(),
            Outcome::Unplaced => "unplaced".into(),
            Outcome::Declined => "declined".into(),
            Outcome::Feeder => "feeder".into(),
            Outcome::Private => "private".into(),
        }
    }

    /// The outcome of an id as [`Outcome::label`] writes it (`choice_3` →
    /// `Choice(3)`), for readers of our own CSVs.
    pub fn from_label(s: &str) -> Option<Outcome> {
        Some(match s {
            "zone" => Outcome::Zone,
            "lottery_won" => Outcome::LotteryWon,
            "overflow" => Outcome::Overflow,
            "assigned" => Outcome::Assigned,
            "special_ed" => Outcome::SpecialEd,
            "home_teaching" => Outcome::HomeTeaching,
            "unplaced" => Outcome::Unplaced,
            "declined" => Outcome::Declined,
            "feeder" => Outcome::Feeder,
            "private" => Outcome::Private,
            s => Outcome::Choice(s.strip_prefix("choice_")?.parse().ok()?),
        })
    }

    /// Whether the applicant got a seat through zone admission or choice
    /// (not overflow).
    pub fn admitted_by_mechanism(self) -> bool {
        matches!(
            self,
            Outcome::Zone
                | Outcome::LotteryWon
                | Outcome::Choice(_)
                | Outcome::Feeder
                | Outcome::Private
        )
    }
}

/// Where one applicant went, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    /// Index into [`Dataset::students`].
    pub student: usize,
    pub zone_school: Option<SchoolIx>,
    /// The multi-school zone (index into [`Zones::groups`]), if any.
    pub zone_group: Option<u32>,
    pub placed: Option<SchoolIx>,
    pub outcome: Outcome,
    pub tier: Tier,
    /// Rank inside the tier by the policy's keys after the category (0 with
    /// today's rules).
    pub rank: u32,
    pub lottery: f64,
    pub distance: Option<Metres>,
    /// The placed school is within the service radius (by distance, or by
    /// travel time for a radius in minutes).
    pub within_radius: bool,
    /// The steps that decided the placement (`report::explain` words them).
    pub explanation: Explanation,
}

/// Per-school figures of a placement run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchoolStats {
    pub seats: u32,
    /// Zone applicants by tier (index 0 = tier 1); with choice, those
    /// listing the school first, by their tier there.
    pub applicants_by_tier: Vec<u32>,
    /// Applicants listing the school first from outside its zone.
    pub applicants_out_of_zone: u32,
    /// Applicants admitted here by zone admission or choice (not overflow).
    pub admitted_zone: u32,
    pub admitted_lottery: u32,
    /// The tier drawn by lottery and the largest winning number.
    pub lottery_cutoff: Option<(Tier, f64)>,
    /// The lottery of one-school zone admission: the tier drawn, its
    /// applicants and the seats left for them (none of which depend on the
    /// draw).
    pub zone_draw: Option<ZoneDraw>,
    /// Applicants from other zones placed here.
    pub overflow_in: u32,
    /// Zone applicants not admitted here.
    pub overflow_out: u32,
    pub admitted: u32,
    pub migrant: u32,
    pub left_behind: u32,
    pub disability_mild: u32,
    pub disability_severe: u32,
    /// The last applicant admitted by zone admission (its keys are the
    /// school's cut-off, reported in the policy's terms).
    pub cutoff: Option<Cutoff>,
    /// Seats reserved for categories (`[[policy.reserved]]`), and those
    /// filled from them; the rest returned to the general pool.
    pub reserved_seats: u32,
    pub reserved_used: u32,
    /// Per reservation that filled with members of its category left: its
    /// last admitted applicant (the reserved seats' cut-off).
    pub reserved_cutoffs: Vec<Cutoff>,
    /// Applicants of the school's zone who declined 统筹 when not
    /// admitted, or whose route's fallback is `none`.
    pub declined: u32,
    /// Applicants of the direct feeder routes (对口直升) to the school, and
    /// those admitted by them (fewer when the routes are short of seats).
    pub feeder_applicants: u32,
    pub feeder_admitted: u32,
    /// A private school (公民同招): applicants listing it, and whether it
    /// drew by lottery (oversubscribed) with the largest winning number.
    pub private_applicants: u32,
    pub private_cutoff: Option<f64>,
    /// Of `overflow_in`, those whose zone school is in this school's 大学区
    /// (`districts.csv`; counted with either `overflow_scope`).
    pub overflow_in_district: u32,
}

/// The cut-off of a school's zone admission: its last admitted applicant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cutoff {
    /// Index into [`Dataset::students`] (never printed: its keys are).
    pub student: usize,
    pub tier: Tier,
    /// The last group admitted was drawn by lottery.
    pub drawn: bool,
    pub lottery: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneDraw {
    pub tier: Tier,
    pub applicants: u32,
    pub seats: u32,
}

impl SchoolStats {
    pub fn applicants(&self) -> u32 {
        self.applicants_by_tier.iter().sum::<u32>()
            + self.applicants_out_of_zone
            + self.private_applicants
    }
    pub fn utilisation(&self) -> f64 {
        if self.seats == 0 {
            0.0
        } else {
            f64::from(self.admitted) / f64::from(self.seats)
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlacementResult {
    pub mechanism: Mechanism,
    /// One row per applicant of the scenario's grade, in input order.
    pub placements: Vec<Placement>,
    /// Indexed like [`Dataset::schools`].
    pub schools: Vec<SchoolStats>,
    /// The zone school of each block for the grade, and whether it was computed.
    pub zones: Vec<(Option<SchoolIx>, bool)>,
    pub distance_source: String,
    /// Some admission route applied (feeder, private schools, a fallback
    /// other than the default, 大学区-first overflow): `routes.csv` and the
    /// summary's routes are written.
    pub routed: bool,
}

/// A step of a placement run, reported to a progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Zones,
    ZoneAdmission,
    /// Overflow placement of one tier (1-based) of `tiers`.
    Overflow {
        tier: u8,
        tiers: u8,
    },
    SpecialEducation,
}

impl Stage {
    /// Position of the stage in a run of `tiers` tiers, and the number of stages.
    pub fn position(self, tiers: u8) -> (u64, u64) {
        let total = u64::from(tiers) + 3;
        let at = match self {
            Stage::Zones => 0,
            Stage::ZoneAdmission => 1,
            Stage::Overflow { tier, .. } => 1 + u64::from(tier),
            Stage::SpecialEducation => total - 1,
        };
        (at, total)
    }
}

/// Why `mechanism` cannot run the scenario's rules, if it cannot:
/// reserved seats (`[[policy.reserved]]`) are filled in single-school zone
/// admission (单校划片), which the choice mechanisms do not have, and a
/// school of a multi-school zone admits by choice too.
pub fn unsupported(data: &Dataset, scenario: &Scenario, mechanism: Mechanism) -> Option<String> {
    let rules = &scenario.policy.rules;
    // min-distance ignores every priority rule, reserved seats included
    if rules.reserved.is_empty() || mechanism == Mechanism::MinDistance {
        return None;
    }
    if mechanism != Mechanism::Zoned {
        return Some(format!(
            "the scenario reserves seats ([[policy.reserved]]), which are filled in single-school zone admission; mechanism {} has none: expected --mechanism zoned (or min-distance, which ignores priorities), or a scenario without reserved seats",
            mechanism.as_str()
        ));
    }
    let in_group: Vec<&str> = data.zones.as_ref().map_or(Vec::new(), |z| {
        z.groups
            .iter()
            .flat_map(|g| g.schools.iter().map(|&s| data.school(s).id.as_str()))
            .collect()
    });
    rules
        .reserved
        .iter()
        .filter_map(|r| r.school.as_ref())
        .find(|s| in_group.contains(&s.as_str()))
        .map(|s| {
            format!(
                "seats reserved at {s}, which is in a multi-school zone (zone_groups.csv) where applicants are placed by choice; expected reservations at schools with single-school zones (a district-wide share, school = \"*\", applies to those only)"
            )
        })
}

/// Whether an admission route applies to the scenario's grade: a private
/// school some applicant lists, a feeder route with applicants on it, a
/// fallback other than the default, or 大学区-first overflow (what
/// `odds` does not simulate yet).
pub fn uses_routes(data: &Dataset, scenario: &Scenario) -> bool {
    let grade = scenario.grade;
    let routes = &scenario.policy.routes;
    let private: Vec<SchoolIx> = data.private_schools(grade);
    let applicants = || data.students.iter().filter(|s| s.entry_grade == grade);
    routes.fallback != crate::domain::routes::Fallbacks::default()
        || routes.overflow_scope != crate::domain::routes::OverflowScope::County
        || applicants().any(|s| s.preferences.iter().any(|p| private.contains(p)))
        || (grade == Grade::Seven
            && applicants().any(|s| s.current_school.is_some())
            && (routes.nine_year_direct
                || data
                    .feeders
                    .iter()
                    .any(|f| f.route != crate::domain::routes::FeederRoute::None)))
}

/// Run one placement.
pub fn place(
    data: &Dataset,
    scenario: &Scenario,
    mechanism: Mechanism,
    dist: &dyn DistanceSource,
) -> PlacementResult {
    place_with_progress(data, scenario, mechanism, dist, &|_| {})
}

/// [`place`], telling `progress` as each stage starts: zones, tiers and
/// lists ([`admission::prepare`]), the lottery, zone admission and choice
/// ([`admission::admit`]), overflow placement tier by tier
/// (`Run::place_overflow`), special education (`Run::place_severe`), then
/// the distances and per-school counts (`Run::tally`).
pub fn place_with_progress(
    data: &Dataset,
    scenario: &Scenario,
    mechanism: Mechanism,
    dist: &dyn DistanceSource,
    progress: &(dyn Fn(Stage) + Sync),
) -> PlacementResult {
    let policy = &scenario.policy;
    let reach = Reach {
        candidates: policy.candidates,
        max: Metres::from_km(policy.overflow_max_km),
    };
    progress(Stage::Zones);
    let prep = admission::prepare(data, scenario, mechanism, reach, dist);
    let draw = admission::draw(&prep, policy.lottery_seed);
    let mut run = Run {
        data,
        scenario,
        mechanism,
        reach,
        dist,
        placements: admission::initial_placements(&prep, &draw),
        stats: empty_stats(data, scenario),
        seats_left: prep.seats.clone(),
    };

    // zone admission with lottery, and choice
    progress(Stage::ZoneAdmission);
    let waiting = admission::admit(
        data,
        &prep,
        &draw,
        &mut run.placements,
        &mut run.stats,
        &mut run.seats_left,
    );
    run.place_overflow(waiting, &prep, progress);
    progress(Stage::SpecialEducation);
    run.place_severe(&prep);
    run.tally();
    PlacementResult {
        mechanism,
        placements: run.placements,
        schools: run.stats,
        zones: prep.zones,
        distance_source: dist.name(),
        routed: prep.routed,
    }
}

/// A placement run in progress: the placements, school figures and seats
/// left that the stages after admission fill in.
struct Run<'a> {
    data: &'a Dataset,
    scenario: &'a Scenario,
    mechanism: Mechanism,
    reach: Reach,
    dist: &'a dyn DistanceSource,
    placements: Vec<Placement>,
    stats: Vec<SchoolStats>,
    seats_left: Vec<u32>,
}

impl Run<'_> {
    /// Overflow placement (统筹) of the applicants `waiting` (indices into
    /// the placements) into the grade's `mainstream` schools, one tier at a
    /// time from tier 1, each by one exact flow ([`assign_by_flow`]); within
    /// a tier, by lottery number, then `student_id`.
    fn place_overflow(
        &mut self,
        mut waiting: Vec<usize>,
        prep: &Prepared,
        progress: &(dyn Fn(Stage) + Sync),
    ) {
        let mainstream = &prep.mainstream;
        // accept_overflow = false: declined, not placed (min-distance
        // admits nobody before this: it places everyone here)
        let min_distance = self.mechanism == Mechanism::MinDistance;
        waiting.retain(|&p| {
            if min_distance || prep.accepts_overflow[p] {
                return true;
            }
            let pl = &mut self.placements[p];
            pl.outcome = Outcome::Declined;
            pl.explanation.settlement = Some(Settlement::Declined);
            if let Some(z) = pl.zone_school {
                self.stats[z.ix()].declined += 1;
            }
            false
        });
        let data = self.data;
        let placements = &self.placements;
        waiting.sort_by(|&a, &b| {
            let (pa, pb) = (&placements[a], &placements[b]);
            (pa.tier, pa.rank, pa.lottery, &data.students[pa.student].id)
                .partial_cmp(&(pb.tier, pb.rank, pb.lottery, &data.students[pb.student].id))
                .expect("lottery numbers are finite")
        });
        let scoped = self.scenario.policy.routes.overflow_scope
            == crate::domain::routes::OverflowScope::DistrictFirst
            && !min_distance;
        // 大学区-first: everyone placed so far stays placed in each tier's
        // flow, which may move them (the last flow decides)
        let start_seats = self.seats_left.clone();
        let mut kept: Vec<usize> = Vec::new();
        let mut last: Vec<(usize, Option<(SchoolIx, Metres)>)> = Vec::new();
        let mut start = 0;
        while start < waiting.len() {
            let tier = self.placements[waiting[start]].tier;
            progress(Stage::Overflow {
                tier: tier.0,
                tiers: self.scenario.policy.tier_count(),
            });
            let end = start
                + waiting[start..]
                    .iter()
                    .take_while(|&&p| self.placements[p].tier == tier)
                    .count();
            let group = &waiting[start..end];
            start = end;
            if !scoped {
                let students: Vec<usize> =
                    group.iter().map(|&p| self.placements[p].student).collect();
                let got = assign_by_flow(
                    data,
                    &students,
                    mainstream,
                    &mut self.seats_left,
                    self.reach,
                    self.dist,
                );
                for (&p, g) in group.iter().zip(got) {
                    self.overflow_outcome(p, g);
                    // counted against the 大学区 wherever districts.csv
                    // gives them, so county and district_first compare
                    if let Some((s, _)) = g {
                        let inside = prep.district[p].is_some()
                            && prep.district[p] == data.school(s).district;
                        self.stats[s.ix()].overflow_in_district += u32::from(inside);
                    }
                }
                continue;
            }
            let all: Vec<usize> = kept.iter().chain(group).copied().collect();
            let students: Vec<usize> = all.iter().map(|&p| self.placements[p].student).collect();
            let districts: Vec<Option<u32>> = all.iter().map(|&p| prep.district[p]).collect();
            let mut seats = start_seats.clone();
            let got = assign_in_districts(
                data,
                &students,
                Some((districts.as_slice(), kept.len())),
                mainstream,
                &mut seats,
                self.reach,
                self.dist,
            );
            debug_assert!(got[..kept.len()].iter().all(Option::is_some));
            for (&p, g) in group.iter().zip(&got[kept.len()..]) {
                if g.is_none() {
                    self.overflow_outcome(p, None);
                }
            }
            self.seats_left = seats;
            last = all
                .iter()
                .copied()
                .zip(got)
                .filter(|(_, g)| g.is_some())
                .collect();
            kept = last.iter().map(|&(p, _)| p).collect();
        }
        for (p, g) in last {
            self.overflow_outcome(p, g);
            if let Some((s, _)) = g {
                let inside =
                    prep.district[p].is_some() && prep.district[p] == data.school(s).district;
                self.stats[s.ix()].overflow_in_district += u32::from(inside);
                self.placements[p]
                    .explanation
                    .route
                    .get_or_insert_with(RouteNote::default)
                    .in_district = Some(inside);
            }
        }
    }

    /// Record where overflow placement put applicant `p`, and why.
    fn overflow_outcome(&mut self, p: usize, got: Option<(SchoolIx, Metres)>) {
        let pl = &mut self.placements[p];
        match got {
            Some((s, m)) => {
                pl.placed = Some(s);
                pl.distance = Some(m);
                if self.mechanism == Mechanism::MinDistance {
                    pl.outcome = Outcome::Assigned;
                    pl.explanation.settlement = Some(Settlement::Assigned { distance: m });
                } else {
                    pl.outcome = Outcome::Overflow;
                    pl.explanation.settlement = Some(Settlement::Overflow {
                        school: s,
                        distance: m,
                    });
                    self.stats[s.ix()].overflow_in += 1;
                }
            }
            None => {
                pl.outcome = Outcome::Unplaced;
                pl.explanation.settlement = Some(Settlement::Unplaced {
                    grade: self.scenario.grade,
                    reach: self.reach.max,
                });
            }
        }
    }

    /// Severe disability (一人一案): special-education schools by the same
    /// flow, in tier and lottery order; home teaching (送教上门) for those
    /// without a seat in reach.
    fn place_severe(&mut self, prep: &Prepared) {
        let placements = &self.placements;
        let mut severe: Vec<usize> = (0..placements.len()).filter(|&p| prep.severe[p]).collect();
        severe.sort_by(|&a, &b| {
            let (pa, pb) = (&placements[a], &placements[b]);
            (pa.tier, pa.lottery)
                .partial_cmp(&(pb.tier, pb.lottery))
                .expect("finite")
        });
        let students: Vec<usize> = severe.iter().map(|&p| placements[p].student).collect();
        let got = assign_by_flow(
            self.data,
            &students,
            &prep.special,
            &mut self.seats_left,
            self.reach,
            self.dist,
        );
        for (&p, g) in severe.iter().zip(got) {
            let pl = &mut self.placements[p];
            match g {
                Some((s, m)) => {
                    pl.placed = Some(s);
                    pl.distance = Some(m);
                    pl.outcome = Outcome::SpecialEd;
                    pl.explanation.settlement = Some(Settlement::SpecialEducation {
                        school: s,
                        distance: m,
                    });
                }
                None => {
                    pl.outcome = Outcome::HomeTeaching;
                    pl.explanation.settlement = Some(Settlement::HomeTeaching {
                        reach: self.reach.max,
                    });
                }
            }
        }
    }

    /// Distances of those placed without one, the per-school counts, and
    /// whether each placement is within the service radius.
    fn tally(&mut self) {
        let (data, dist) = (self.data, self.dist);
        for pl in &mut self.placements {
            let st = &data.students[pl.student];
            if let Some(s) = pl.placed {
                if pl.distance.is_none() {
                    pl.distance = dist.metres(data.home_point(st.home), data.school(s).location);
                }
                let c = &mut self.stats[s.ix()];
                c.admitted += 1;
                c.migrant += u32::from(st.migrant);
                c.left_behind += u32::from(st.left_behind);
                c.disability_mild += u32::from(st.disability == Disability::Mild);
                c.disability_severe += u32::from(st.disability == Disability::Severe);
            }
        }
        let radius = self.scenario.policy.service_radius(self.scenario.grade);
        for p in &mut self.placements {
            p.within_radius = match (radius, p.placed, p.distance) {
                (crate::domain::scenario::Radius::Km(km), Some(_), Some(m)) => {
                    f64::from(m.0) <= km * 1000.0
                }
                (crate::domain::scenario::Radius::Minutes(_), Some(s), _) => {
                    crate::spatial::distance::within_radius(
                        dist,
                        data.home_point(data.students[p.student].home),
                        data.school(s).location,
                        radius,
                    )
                }
                _ => false,
            };
        }
    }
}

/// Per-school figures before anything is placed.
pub fn empty_stats(data: &Dataset, scenario: &Scenario) -> Vec<SchoolStats> {
    data.schools
        .iter()
        .map(|s| SchoolStats {
            seats: s.open_seats(scenario.grade),
            applicants_by_tier: vec![0; scenario.policy.tier_count() as usize],
            ..Default::default()
        })
        .collect()
}
