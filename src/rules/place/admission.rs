//! The admission stages that the lottery decides: zone admission by tier
//! (单校划片) and choice among several schools (多校划片 and the choice
//! mechanisms). Everything that does not depend on the draw is prepared
//! once ([`prepare`]), so the odds of many draws cost one cheap [`admit`]
//! each.

use crate::domain::model::*;
use crate::domain::scenario::Scenario;
use crate::solve::{da, lottery};
use crate::spatial::distance::{DistanceSource, SchoolIndex};

use super::explain::{Admission, LotteryKey, RankNote, RouteNote, Settlement, Standing};
use super::flow::{compute_zones, Reach};
use super::ranking::{family_leaders, Position, Ranking};
use super::{Cutoff, Mechanism, Outcome, Placement, SchoolStats, TieBreak};
use crate::domain::priority::LotteryTwins;
use crate::domain::routes::{Fallback, FeederRoute, OverflowScope, RouteKind, Routes};
use std::collections::HashSet;

/// An applicant's zone for the grade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneOf {
    School(SchoolIx),
    /// A multi-school zone: index into [`Zones::groups`].
    Group(u32),
    None,
}

/// What a placement run knows before the lottery is drawn.
pub struct Prepared {
    pub mechanism: Mechanism,
    /// Student indices of the scenario's applicants, in input order.
    pub in_scope: Vec<usize>,
    /// Per block: zone school for the grade and whether it was computed.
    pub zones: Vec<(Option<SchoolIx>, bool)>,
    /// Per applicant: zone, tier (at the zone school or first choice),
    /// severe disability.
    pub zone: Vec<ZoneOf>,
    pub tier: Vec<Tier>,
    /// Per applicant: its rank inside its tier there ([`Ranking`]).
    pub rank: Vec<u32>,
    /// Per applicant: how the rules placed it there (seat lock, category
    /// matched), for explanations; `None` with today's rules.
    pub note: Vec<Option<RankNote>>,
    /// Per applicant: whether it goes to 统筹 when not admitted.
    pub accepts_overflow: Vec<bool>,
    pub severe: Vec<bool>,
    /// Per applicant who chooses: schools in order, and the tier at each
    /// (out-of-zone schools rank after every tier of their own applicants:
    /// [`Prepared::out_of_zone`]).
    pub lists: Vec<Vec<SchoolIx>>,
    pub list_tiers: Vec<Vec<Tier>>,
    /// Per applicant who chooses: its rank inside its tier at each listed
    /// school (0 out of zone: the lottery alone orders those).
    pub list_ranks: Vec<Vec<u32>>,
    /// Open seats per school ([`School::open_seats`]; none at schools of
    /// another grade, which no stage of the run offers).
    pub seats: Vec<u32>,
    pub mainstream: Vec<SchoolIx>,
    pub special: Vec<SchoolIx>,
    /// Applicants in `student_id` order (lottery step 2).
    pub id_order: Vec<u32>,
    /// Per school: (applicant, list position) of those listing it, in
    /// `student_id` order, for multiple tie-breaking.
    pub mtb_order: Vec<Vec<(u32, u8)>>,
    /// The policy's number of tiers.
    pub tier_count: u8,
    /// With `policy.twins = "together"`: per applicant, the first member of
    /// its family in `student_id` order (whose number the family draws).
    pub leader: Option<Vec<u32>>,
    /// Per school: reserved seats as (tier of the category, seats).
    pub reserved: Vec<Vec<(Tier, u32)>>,
    /// Per applicant: the private schools it lists (公民同招), in order.
    pub private: Vec<Vec<SchoolIx>>,
    /// Per applicant: the junior school its direct feeder route (对口直升)
    /// guarantees, and the current school the route starts from.
    pub direct: Vec<Option<(SchoolIx, SchoolIx)>>,
    /// Per applicant: what its routes note before admission (a priority
    /// feeder route, an appended zone school).
    pub route_note: Vec<RouteNote>,
    /// Per applicant: the 大学区 of its zone school (with
    /// `overflow_scope = "district_first"`).
    pub district: Vec<Option<u32>>,
    /// The scenario's routes and fallbacks.
    pub routes: Routes,
    /// Some route applies in this run (a private school listed, a feeder
    /// route, a fallback other than the default, 大学区-first overflow):
    /// then reasons name the fallbacks taken.
    pub routed: bool,
    /// The draw's procedure (`policy.lottery_algorithm`).
    pub algorithm: lottery::LotteryAlgorithm,
    /// Per applicant: its `student_id`, which keys its numbers under
    /// `sunshine-lottery-v2`.
    pub ids: Vec<String>,
    /// Per school: its `school_id`, which names its streams under
    /// `sunshine-lottery-v2`.
    pub school_ids: Vec<String>,
}

impl Prepared {
    /// The standing of an applicant at a listed school outside its zone:
    /// one past the policy's last tier, so it ranks after every tier of the
    /// school's own applicants.
    pub fn out_of_zone(&self) -> Tier {
        out_of_zone(self.tier_count)
    }
}

/// One past the last of `tier_count` tiers (at most the number of
/// categories, so it cannot overflow; saturating all the same).
fn out_of_zone(tier_count: u8) -> Tier {
    Tier(tier_count.saturating_add(1))
}

/// One lottery draw: a number per applicant, and with multiple
/// tie-breaking one per applicant and listed school.
pub struct Draw {
    pub single: Vec<f64>,
    pub multiple: Option<Vec<Vec<f64>>>,
    /// Per applicant: its number at each private school it lists
    /// ([`lottery::private_stream`]).
    pub private: Vec<Vec<f64>>,
    /// Per applicant on a direct feeder route: its number in the route's
    /// draw ([`lottery::feeder_stream`]); 0 for the others.
    pub feeder: Vec<f64>,
}

/// Draw the lottery for `seed` by the run's procedure
/// ([`Prepared::algorithm`], documented in [`lottery`]). With
/// `policy.twins = "together"` every child of a family takes the number of
/// its member first in `student_id` order.
pub fn draw(prep: &Prepared, seed: u64) -> Draw {
    let mut d = match prep.algorithm {
        lottery::LotteryAlgorithm::V1 => draw_v1(prep, seed),
        lottery::LotteryAlgorithm::V2 => draw_v2(prep, seed),
    };
    // a family drawing together has one number: its first member's
    if let Some(leader) = &prep.leader {
        // (a leader is its own leader, so its number is never replaced)
        let own = d.single.clone();
        for (u, &l) in d.single.iter_mut().zip(leader) {
            *u = own[l as usize];
        }
    }
    d
}

/// `sunshine-lottery-v2`: every number is keyed by the applicant's own id
/// and the stream (`single`, `school:<id>` with multiple tie-breaking,
/// `private:<id>` for each private school listed, `feeder:<id>` for the
/// junior school of a direct feeder route), so nobody's number depends on
/// who else applies.
fn draw_v2(prep: &Prepared, seed: u64) -> Draw {
    use lottery::Stream;
    let k = lottery::Keyed::new(seed);
    let single: Vec<f64> = prep
        .ids
        .iter()
        .map(|id| k.number(Stream::Single, id))
        .collect();
    let multiple = (prep.mechanism.tie_break() == TieBreak::Multiple).then(|| {
        prep.lists
            .iter()
            .zip(&prep.ids)
            .map(|(l, id)| {
                l.iter()
                    .map(|s| k.number(Stream::School(&prep.school_ids[s.ix()]), id))
                    .collect()
            })
            .collect()
    });
    let private = prep
        .private
        .iter()
        .zip(&prep.ids)
        .map(|(l, id)| {
            l.iter()
                .map(|s| k.number(Stream::Private(&prep.school_ids[s.ix()]), id))
                .collect()
        })
        .collect();
    let feeder = prep
        .direct
        .iter()
        .zip(&prep.ids)
        .map(|(d, id)| {
            d.map_or(0.0, |(j, _)| {
                k.number(Stream::Feeder(&prep.school_ids[j.ix()]), id)
            })
        })
        .collect();
    Draw {
        single,
        multiple,
        private,
        feeder,
    }
}

/// `sunshine-lottery-v1` (kept byte-identical for replays): the single
/// numbers in `student_id` order from `Draws::new(seed)`; multiple
/// tie-breaking adds, per school with row index `s`, the stream
/// `Draws::sub(seed, 2^32 + s)` over the applicants listing it in
/// `student_id` order; private schools and feeder routes draw their own
/// sub-streams ([`lottery::private_stream`], [`lottery::feeder_stream`]).
fn draw_v1(prep: &Prepared, seed: u64) -> Draw {
    let single = lottery::numbers_in_order(
        seed,
        prep.id_order.iter().map(|&a| a as usize),
        prep.in_scope.len(),
    );
    let multiple = (prep.mechanism.tie_break() == TieBreak::Multiple).then(|| {
        let mut m: Vec<Vec<f64>> = prep.lists.iter().map(|l| vec![0.0; l.len()]).collect();
        for (s, order) in prep.mtb_order.iter().enumerate() {
            if order.is_empty() {
                continue;
            }
            let mut d = lottery::school_stream(seed, s);
            for &(a, pos) in order {
                m[a as usize][pos as usize] = d.uniform();
            }
        }
        m
    });
    // each private school listed draws its own stream, one number for
    // every applicant of the grade in student_id order (whether it applies
    // or not), so an application or a withdrawal changes nobody else's
    // number
    let mut private: Vec<Vec<f64>> = prep.private.iter().map(|l| vec![0.0; l.len()]).collect();
    let mut listed: Vec<SchoolIx> = prep.private.iter().flatten().copied().collect();
    listed.sort_unstable();
    listed.dedup();
    for s in listed {
        let mut d = lottery::private_stream(seed, s.ix());
        for &a in &prep.id_order {
            let u = d.uniform();
            if let Some(pos) = prep.private[a as usize].iter().position(|&x| x == s) {
                private[a as usize][pos] = u;
            }
        }
    }
    // each junior school with direct feeder routes draws its own stream
    // over their pupils in student_id order
    let mut feeder = vec![0.0; prep.direct.len()];
    let mut streams: std::collections::BTreeMap<SchoolIx, lottery::Draws> = Default::default();
    for &a in &prep.id_order {
        if let Some((j, _)) = prep.direct[a as usize] {
            feeder[a as usize] = streams
                .entry(j)
                .or_insert_with(|| lottery::feeder_stream(seed, j.ix()))
                .uniform();
        }
    }
    Draw {
        single,
        multiple,
        private,
        feeder,
    }
}

/// The zones `zones.csv` gives for a grade, as placement uses them.
pub struct GivenZones {
    /// Per block: its one-school zone, where that school is open for the grade.
    pub school: Vec<Option<SchoolIx>>,
    /// Per block: its multi-school zone, where a school of it is open for
    /// the grade.
    pub group: Vec<Option<u32>>,
    /// Per group: its schools open for the grade.
    pub groups: Vec<Vec<SchoolIx>>,
}

impl GivenZones {
    /// Blocks with neither: placement zones them by distance.
    pub fn computed(&self) -> usize {
        self.school
            .iter()
            .zip(&self.group)
            .filter(|(s, g)| s.is_none() && g.is_none())
            .count()
    }
}

/// The given zones of `grade` that placement uses, so that `validate` and
/// `place` agree on which blocks are zoned by distance (a block of a
/// multi-school zone has a given zone).
pub fn given_zones(data: &Dataset, grade: Grade) -> GivenZones {
    let mut is_main = vec![false; data.schools.len()];
    for s in data.mainstream_schools(grade) {
        is_main[s.ix()] = true;
    }
    let mut given = GivenZones {
        school: vec![None; data.blocks.len()],
        group: vec![None; data.blocks.len()],
        groups: Vec::new(),
    };
    if let Some(z) = &data.zones {
        for (b, s) in z.school.get(grade).iter().enumerate() {
            given.school[b] = s.filter(|s| is_main[s.ix()]);
        }
        given.groups = z
            .groups
            .iter()
            .map(|g| {
                g.schools
                    .iter()
                    .copied()
                    .filter(|s| is_main[s.ix()])
                    .collect()
            })
            .collect();
        for (b, g) in z.group.get(grade).iter().enumerate() {
            given.group[b] = g.filter(|&g| !given.groups[g as usize].is_empty());
        }
    }
    given
}

/// Zones, tiers and choice lists for a run: the grade's applicants and
/// schools, the zone of every block ([`block_zones`]), each applicant's
/// zone, tier and list ([`Applicants::entry`]), and the orders the lottery
/// draws in ([`lottery_orders`]).
// long: one pass over the applicants fills every per-applicant column of
// `Prepared` (zone, tier, rank, note, lists, routes) side by side
pub fn prepare(
    data: &Dataset,
    scenario: &Scenario,
    mechanism: Mechanism,
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Prepared {
    let grade = scenario.grade;
    let in_scope: Vec<usize> = (0..data.students.len())
        .filter(|&i| data.students[i].entry_grade == grade)
        .collect();
    let mainstream = data.mainstream_schools(grade);
    let special: Vec<SchoolIx> = data
        .schools
        .iter()
        .enumerate()
        .filter(|(_, s)| s.level == Level::Special && s.status == Status::Open)
        .map(|(i, _)| SchoolIx::from_ix(i))
        .collect();
    let seats: Vec<u32> = data.schools.iter().map(|s| s.open_seats(grade)).collect();
    let zoned = mechanism != Mechanism::MinDistance;
    let given = given_zones(data, grade);
    let zones = if zoned {
        let scope = Scope {
            in_scope: &in_scope,
            mainstream: &mainstream,
            seats: &seats,
        };
        block_zones(data, &given, scope, reach, dist)
    } else {
        given.school.iter().map(|&s| (s, false)).collect()
    };
    let mut is_main = vec![false; data.schools.len()];
    for s in &mainstream {
        is_main[s.ix()] = true;
    }
    let ranking = Ranking::new(data, scenario, &in_scope);
    let routes = scenario.policy.routes.clone();
    let feeders = FeederRoutes::new(data, grade, &routes, &is_main);
    let applicants = Applicants {
        data,
        scenario,
        zoned,
        choosing: matches!(
            mechanism,
            Mechanism::DeferredAcceptance(_) | Mechanism::Boston(_)
        ),
        zones: &zones,
        given: &given,
        is_main,
        nearest_main: SchoolIndex::new(mainstream.iter().map(|&s| (s, data.school(s).location))),
        dist,
        ranking: &ranking,
        plain: scenario.policy.rules.is_plain(),
        feeders: &feeders,
        append_zone: routes.append_zone_school,
        group_fallback: routes.fallback.group_lottery == Fallback::Group,
    };
    let mut is_private = vec![false; data.schools.len()];
    if zoned {
        for s in data.private_schools(grade) {
            is_private[s.ix()] = true;
        }
    }
    let n = in_scope.len();
    let mut zone = Vec::with_capacity(n);
    let mut tier = Vec::with_capacity(n);
    let mut rank = Vec::with_capacity(n);
    let mut note = Vec::with_capacity(n);
    let mut accepts_overflow = Vec::with_capacity(n);
    let mut severe = Vec::with_capacity(n);
    let mut lists = Vec::with_capacity(n);
    let mut list_tiers = Vec::with_capacity(n);
    let mut list_ranks = Vec::with_capacity(n);
    let mut private = Vec::with_capacity(n);
    let mut direct = Vec::with_capacity(n);
    let mut route_note = Vec::with_capacity(n);
    for (a, &i) in in_scope.iter().enumerate() {
        let st = &data.students[i];
        let e = applicants.entry(a, st);
        zone.push(e.zone);
        tier.push(e.at.tier);
        rank.push(e.at.rank);
        let ranked_at = match e.zone {
            ZoneOf::School(s) => Some(s),
            _ => e.list.first().copied(),
        };
        note.push(applicants.note(a, st, e.at, ranked_at));
        accepts_overflow.push(ranking.accepts_overflow(a, st));
        severe.push(e.severe);
        lists.push(e.list);
        list_tiers.push(e.list_tiers);
        list_ranks.push(e.list_ranks);
        let routed = zoned && !e.severe;
        private.push(if routed {
            st.preferences
                .iter()
                .copied()
                .filter(|s| is_private[s.ix()])
                .collect()
        } else {
            Vec::new()
        });
        direct.push(if routed { feeders.direct(st) } else { None });
        route_note.push(e.note);
    }
    let district: Vec<Option<u32>> = zone
        .iter()
        .map(|&z| match z {
            ZoneOf::School(s) => data.school(s).district,
            ZoneOf::Group(g) => given.groups[g as usize]
                .iter()
                .find_map(|&s| data.school(s).district),
            ZoneOf::None => None,
        })
        .collect();
    let routed = private.iter().any(|l| !l.is_empty())
        || direct.iter().any(Option::is_some)
        || route_note.iter().any(|n| n.feeder_priority.is_some())
        || routes.fallback != crate::domain::routes::Fallbacks::default()
        || routes.overflow_scope != OverflowScope::County;
    let (id_order, mtb_order) = lottery_orders(data, &in_scope, &lists, mechanism);
    let rules = &scenario.policy.rules;
    let leader =
        (rules.twins == LotteryTwins::Together).then(|| family_leaders(data, &in_scope, &id_order));
    let reserved = reserved_seats(data, scenario, &seats);
    let ids: Vec<String> = in_scope
        .iter()
        .map(|&i| data.students[i].id.to_string())
        .collect();
    Prepared {
        mechanism,
        in_scope,
        zones,
        zone,
        tier,
        rank,
        note,
        accepts_overflow,
        severe,
        lists,
        list_tiers,
        list_ranks,
        seats,
        mainstream,
        special,
        id_order,
        mtb_order,
        tier_count: scenario.policy.tier_count(),
        leader,
        reserved,
        private,
        direct,
        route_note,
        district,
        routes,
        routed,
        algorithm: scenario.policy.lottery_algorithm,
        ids,
        school_ids: data.schools.iter().map(|s| s.id.to_string()).collect(),
    }
}

/// The feeder routes of a run (`feeders.csv`, `policy.nine_year_direct`):
/// which junior school a current school's pupils enter directly, and which
/// (current school, junior school) pairs give the feeder category.
struct FeederRoutes {
    /// Per current school: the public junior school of the grade it feeds
    /// directly (对口直升).
    direct: std::collections::HashMap<SchoolIx, SchoolIx>,
    priority: HashSet<(SchoolIx, SchoolIx)>,
    nine_year_direct: bool,
    /// The tier `priority` routes give ([`Routes::feeder_category`]).
    tier: Tier,
    is_main: Vec<bool>,
    grade: Grade,
}

impl FeederRoutes {
    fn new(data: &Dataset, grade: Grade, routes: &Routes, is_main: &[bool]) -> Self {
        let mut direct = std::collections::HashMap::new();
        let mut priority = HashSet::new();
        if grade == Grade::Seven {
            for f in &data.feeders {
                if !is_main[f.junior.ix()] {
                    continue; // closed, or not a public school of the grade
                }
                match f.route {
                    FeederRoute::Direct => {
                        direct.entry(f.primary).or_insert(f.junior);
                    }
                    FeederRoute::Priority => {
                        priority.insert((f.primary, f.junior));
                    }
                    FeederRoute::None => {}
                }
            }
        }
        FeederRoutes {
            direct,
            priority,
            nine_year_direct: routes.nine_year_direct,
            tier: Tier::of_category(routes.feeder_category),
            is_main: is_main.to_vec(),
            grade,
        }
    }

    /// The junior school an applicant enters directly, with the current
    /// school the route starts from: a nine-year school promotes its own
    /// pupils (with `nine_year_direct`), else a `direct` row of its current
    /// school.
    fn direct(&self, st: &Student) -> Option<(SchoolIx, SchoolIx)> {
        let c = st.current_school?;
        if self.grade != Grade::Seven {
            return None;
        }
        if self.nine_year_direct && self.is_main[c.ix()] {
            // a school of the grade that the pupil attends now: nine-year
            return Some((c, c));
        }
        self.direct.get(&c).map(|&j| (j, c))
    }

    /// Whether a `priority` route ranks the applicant in the feeder
    /// category at `school`.
    fn priority_at(&self, st: &Student, school: SchoolIx) -> bool {
        st.current_school
            .is_some_and(|c| self.priority.contains(&(c, school)))
    }
}

/// Per school: the seats `[[policy.reserved]]` holds for a category, as
/// (that category's tier, seats). A reservation for one school overrides a
/// district-wide one (`school = "*"`) of the same category there.
fn reserved_seats(data: &Dataset, scenario: &Scenario, seats: &[u32]) -> Vec<Vec<(Tier, u32)>> {
    let rules = &scenario.policy.rules;
    let mut out: Vec<Vec<(Tier, u32)>> = vec![Vec::new(); data.schools.len()];
    if rules.reserved.is_empty() {
        return out;
    }
    for (s, list) in out.iter_mut().enumerate() {
        if seats[s] == 0 {
            continue;
        }
        let id = &data.schools[s].id;
        for r in rules
            .reserved
            .iter()
            .filter(|r| r.school.as_ref() == Some(id))
        {
            list.push((Tier::of_category(r.category), r.amount.at(seats[s])));
        }
        for r in rules.reserved.iter().filter(|r| r.school.is_none()) {
            let t = Tier::of_category(r.category);
            if !list.iter().any(|&(x, _)| x == t) {
                list.push((t, r.amount.at(seats[s])));
            }
        }
        list.retain(|&(_, n)| n > 0);
        list.sort();
    }
    out
}

/// The applicants and schools of a run, as zoning by distance needs them.
#[derive(Clone, Copy)]
struct Scope<'a> {
    in_scope: &'a [usize],
    mainstream: &'a [SchoolIx],
    seats: &'a [u32],
}

/// The zone school of every block for a zoned run: the given one where its
/// school is open, else computed by distance with the seats the given
/// zones leave ([`compute_zones`]), marked `true`. Blocks of a
/// multi-school zone keep none (their group is in `given`).
fn block_zones(
    data: &Dataset,
    given: &GivenZones,
    scope: Scope<'_>,
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Vec<(Option<SchoolIx>, bool)> {
    let mut zones: Vec<(Option<SchoolIx>, bool)> =
        given.school.iter().map(|&s| (s, false)).collect();
    let mut per_block = vec![0u32; data.blocks.len()];
    for &i in scope.in_scope {
        let st = &data.students[i];
        if let (Home::Block(b), false) = (st.home, st.disability == Disability::Severe) {
            per_block[b.ix()] += 1;
        }
    }
    let missing: Vec<BlockIx> = (0..data.blocks.len())
        .filter(|&b| zones[b].0.is_none() && given.group[b].is_none())
        .map(BlockIx::from_ix)
        .collect();
    if missing.is_empty() || scope.mainstream.is_empty() {
        return zones;
    }
    let mut room = scope.seats.to_vec();
    for (b, &(s, _)) in zones.iter().enumerate() {
        if let Some(s) = s {
            room[s.ix()] = room[s.ix()].saturating_sub(per_block[b]);
        }
    }
    let computed = compute_zones(
        data,
        &missing,
        scope.mainstream,
        &room,
        &per_block,
        reach,
        dist,
    );
    for (b, s) in missing.iter().zip(computed) {
        zones[b.ix()] = (s, true);
    }
    zones
}

/// What one applicant brings to the admission stages.
struct Entry {
    zone: ZoneOf,
    /// Where it stands at its zone school (or first choice).
    at: Position,
    severe: bool,
    list: Vec<SchoolIx>,
    list_tiers: Vec<Tier>,
    list_ranks: Vec<u32>,
    /// A priority feeder route or an appended zone school.
    note: RouteNote,
}

/// What is needed to give each applicant its zone, tier and list.
struct Applicants<'a> {
    data: &'a Dataset,
    scenario: &'a Scenario,
    /// Zones apply (every mechanism but min-distance).
    zoned: bool,
    /// Applicants choose among schools (deferred acceptance, Boston).
    choosing: bool,
    zones: &'a [(Option<SchoolIx>, bool)],
    given: &'a GivenZones,
    is_main: Vec<bool>,
    /// The grade's mainstream schools, for geocoded homes (zoned by their
    /// nearest school).
    nearest_main: SchoolIndex,
    dist: &'a dyn DistanceSource,
    /// The priority rules evaluated for the run's applicants.
    ranking: &'a Ranking<'a>,
    /// Today's rules: no notes in the explanations.
    plain: bool,
    /// Feeder routes: a `priority` route ranks in the feeder category.
    feeders: &'a FeederRoutes,
    /// `policy.append_zone_school`.
    append_zone: bool,
    /// `fallback.group_lottery = "group"`: a stated list in a multi-school
    /// zone continues with the rest of the group.
    group_fallback: bool,
}

impl Applicants<'_> {
    /// An applicant's zone; its list (stated choices among the grade's
    /// schools; in a multi-school zone without choices there, the zone's
    /// schools nearest first); its tier at each listed school (schools out
    /// of its zone rank after every tier of their own); and its tier (at
    /// the zone school, or at its first choice).
    fn entry(&self, a: usize, st: &Student) -> Entry {
        let tier_count = self.scenario.policy.tier_count();
        let z = self.zone_of(st);
        let severe = st.disability == Disability::Severe;
        let mut note = RouteNote::default();
        let list = if severe || !self.zoned {
            Vec::new()
        } else {
            let (list, appended) = self.list_of(st, z);
            note.appended_zone = appended;
            list
        };
        let at_list: Vec<Position> = list
            .iter()
            .map(|&s| {
                let own = if self.in_zone(z, s) {
                    self.ranking.standing(a, st, Some(s))
                } else {
                    Position {
                        tier: out_of_zone(tier_count),
                        rank: 0,
                        locked: false,
                        lock_exempt: false,
                    }
                };
                self.with_feeder(a, st, s, own, &mut note)
            })
            .collect();
        let at = match (z, at_list.first()) {
            (ZoneOf::School(s), _) => {
                let own = self.ranking.standing(a, st, Some(s));
                if severe || !self.zoned {
                    own
                } else {
                    self.with_feeder(a, st, s, own, &mut note)
                }
            }
            (_, Some(p)) if p.tier > Tier(tier_count) => {
                let own = self.ranking.standing(a, st, None);
                let tier = Tier(tier_count);
                Position {
                    tier,
                    rank: self.ranking.rank_in(a, tier),
                    ..own
                }
            }
            (_, Some(&p)) => p,
            _ if self.zoned => self.ranking.standing(a, st, None),
            _ => Position {
                tier: Tier(1),
                rank: 0,
                locked: false,
                lock_exempt: false,
            },
        };
        Entry {
            zone: z,
            at,
            severe,
            list_tiers: at_list.iter().map(|p| p.tier).collect(),
            list_ranks: at_list.iter().map(|p| p.rank).collect(),
            list,
            note,
        }
    }

    /// Its standing at `school` with a `priority` feeder route there: the
    /// feeder category when that is better than its own (noted).
    fn with_feeder(
        &self,
        a: usize,
        st: &Student,
        school: SchoolIx,
        own: Position,
        note: &mut RouteNote,
    ) -> Position {
        let tier = self.feeders.tier;
        if own.tier <= tier || !self.feeders.priority_at(st, school) {
            return own;
        }
        note.feeder_priority = Some(school);
        Position {
            tier,
            rank: self.ranking.rank_in(a, tier),
            locked: false,
            lock_exempt: false,
        }
    }

    /// What the explanation says of the rules that ranked applicant `a`
    /// (`None` with today's rules, whose reasons stay as they were).
    fn note(
        &self,
        a: usize,
        st: &Student,
        at: Position,
        school: Option<SchoolIx>,
    ) -> Option<RankNote> {
        if self.plain {
            return None;
        }
        let category = self.ranking.category(a);
        Some(RankNote {
            category: category as u16,
            matched: self.scenario.policy.rules.matched(st, category),
            locked: at.locked,
            lock_exempt: at.lock_exempt,
            school,
            reserved: false,
            family: 1,
            passed_over: false,
        })
    }

    fn zone_of(&self, st: &Student) -> ZoneOf {
        if !self.zoned {
            return ZoneOf::None;
        }
        match st.home {
            Home::Block(b) => match (self.zones[b.ix()].0, self.given.group[b.ix()]) {
                (_, Some(g)) => ZoneOf::Group(g),
                (Some(s), None) => ZoneOf::School(s),
                (None, None) => ZoneOf::None,
            },
            Home::Point(p) => self
                .nearest_main
                .nearest(p, 1, Metres(u32::MAX), self.dist)
                .first()
                .map_or(ZoneOf::None, |&(s, _)| ZoneOf::School(s)),
        }
    }

    fn in_zone(&self, z: ZoneOf, s: SchoolIx) -> bool {
        match z {
            ZoneOf::School(x) => x == s,
            ZoneOf::Group(g) => self.given.groups[g as usize].contains(&s),
            ZoneOf::None => false,
        }
    }

    /// The public schools an applicant (not severely disabled, in a zoned
    /// run) applies to, in order, and the zone school appended to it (the
    /// first, for a group). Under the choice mechanisms the home zone (its
    /// school, or its group's schools nearest first) is appended to a
    /// stated list that omits it (`policy.append_zone_school`); in a
    /// multi-school zone with `fallback.group_lottery = "group"` the rest of
    /// the group follows a stated list, nearest first.
    fn list_of(&self, st: &Student, z: ZoneOf) -> (Vec<SchoolIx>, Option<SchoolIx>) {
        let stated: Vec<SchoolIx> = st
            .preferences
            .iter()
            .copied()
            .filter(|s| self.is_main[s.ix()])
            .collect();
        let zone_schools = |z: ZoneOf| match z {
            ZoneOf::School(s) => vec![s],
            ZoneOf::Group(g) => self.by_distance(st, self.given.groups[g as usize].clone()),
            ZoneOf::None => Vec::new(),
        };
        let extend = |mut list: Vec<SchoolIx>, more: Vec<SchoolIx>| {
            let mut first = None;
            for s in more {
                if !list.contains(&s) {
                    first.get_or_insert(s);
                    list.push(s);
                }
            }
            (list, first)
        };
        match (self.choosing, z) {
            (true, _) if !stated.is_empty() && self.append_zone => extend(stated, zone_schools(z)),
            (true, _) if !stated.is_empty() => (stated, None),
            (true, ZoneOf::School(s)) => (vec![s], None),
            (_, ZoneOf::Group(g)) => {
                let in_group: Vec<SchoolIx> = stated
                    .iter()
                    .copied()
                    .filter(|&s| self.in_zone(z, s))
                    .collect();
                if in_group.is_empty() {
                    (
                        self.by_distance(st, self.given.groups[g as usize].clone()),
                        None,
                    )
                } else if self.group_fallback {
                    let (list, _) = extend(in_group, zone_schools(z));
                    (list, None)
                } else {
                    (in_group, None)
                }
            }
            _ => (Vec::new(), None),
        }
    }

    /// Schools nearest first from the applicant's home (ties by row).
    fn by_distance(&self, st: &Student, mut v: Vec<SchoolIx>) -> Vec<SchoolIx> {
        let home = self.data.home_point(st.home);
        v.sort_by_key(|&s| {
            (
                self.dist
                    .metres(home, self.data.school(s).location)
                    .unwrap_or(Metres(u32::MAX)),
                s,
            )
        });
        v
    }
}

/// The orders the lottery draws in: the applicants by `student_id`
/// (lottery step 2), and with multiple tie-breaking, per school, the
/// applicants listing it (with the position in their list) in that order.
fn lottery_orders(
    data: &Dataset,
    in_scope: &[usize],
    lists: &[Vec<SchoolIx>],
    mechanism: Mechanism,
) -> (Vec<u32>, Vec<Vec<(u32, u8)>>) {
    let ids: Vec<&str> = in_scope
        .iter()
        .map(|&i| data.students[i].id.as_str())
        .collect();
    let id_order: Vec<u32> = lottery::drawing_order(&ids)
        .into_iter()
        .map(|a| u32::try_from(a).expect("applicants are counted in u32"))
        .collect();
    let mut mtb_order: Vec<Vec<(u32, u8)>> = vec![Vec::new(); data.schools.len()];
    if mechanism.tie_break() == TieBreak::Multiple {
        for &a in &id_order {
            for (pos, s) in lists[a as usize].iter().enumerate() {
                mtb_order[s.ix()].push((a, pos as u8));
            }
        }
    }
    (id_order, mtb_order)
}

/// Fresh placements (nobody placed yet) for a draw.
pub fn initial_placements(prep: &Prepared, draw: &Draw) -> Vec<Placement> {
    prep.in_scope
        .iter()
        .enumerate()
        .map(|(a, &i)| Placement {
            student: i,
            zone_school: match prep.zone[a] {
                ZoneOf::School(s) => Some(s),
                _ => None,
            },
            zone_group: match prep.zone[a] {
                ZoneOf::Group(g) => Some(g),
                _ => None,
            },
            placed: None,
            outcome: Outcome::Unplaced,
            tier: prep.tier[a],
            rank: prep.rank[a],
            lottery: draw.single[a],
            within_radius: false,
            distance: None,
            explanation: super::Explanation {
                rank: prep.note[a],
                route: (!prep.route_note[a].is_empty()).then_some(prep.route_note[a]),
                ..Default::default()
            },
        })
        .collect()
}

/// Zone admission and choice for one draw. Fills `placements` and `stats`,
/// takes the seats used from `seats_left`, and returns the applicants
/// (indices into `placements`) left for overflow placement, severe
/// disability excluded.
pub fn admit(
    data: &Dataset,
    prep: &Prepared,
    draw: &Draw,
    placements: &mut [Placement],
    stats: &mut [SchoolStats],
    seats_left: &mut [u32],
) -> Vec<usize> {
    let mut waiting = Vec::new();
    let mut choosers = Vec::new();
    let mut by_school: Vec<Vec<usize>> = vec![Vec::new(); data.schools.len()];
    // still to be admitted by zone admission or choice
    let mut active: Vec<bool> = prep.severe.iter().map(|&s| !s).collect();
    let mut r = Routing {
        data,
        prep,
        placements,
        stats,
        active: &mut active,
        waiting: &mut waiting,
    };
    r.private_round(draw, seats_left);
    r.feeder_round(draw, seats_left);
    for (p, pl) in r.placements.iter_mut().enumerate() {
        if !r.active[p] {
            continue;
        }
        if !prep.lists[p].is_empty() {
            choosers.push(p);
        } else if let (Mechanism::Zoned, Some(s)) = (prep.mechanism, pl.zone_school) {
            by_school[s.ix()].push(p);
        } else {
            if prep.mechanism == Mechanism::Zoned {
                pl.explanation.admission = Some(Admission::NoZoneSchool { tier: pl.tier });
            }
            r.waiting.push(p);
        }
    }
    // 单校划片: each school admits its zone by priority; the group that
    // does not fit is drawn by lottery; those not admitted take the
    // single-school lottery's fallback
    for (s, list) in by_school.iter_mut().enumerate() {
        if !list.is_empty() {
            let mut lost = Vec::new();
            zone_school(
                data,
                prep,
                SchoolIx::from_ix(s),
                list,
                r.placements,
                &mut r.stats[s],
                seats_left,
                &mut lost,
            );
            for p in lost {
                r.fall_back(p, RouteKind::SingleSchoolLottery);
            }
        }
    }
    if !choosers.is_empty() {
        let lost = choose(
            data,
            prep,
            draw,
            &choosers,
            r.placements,
            r.stats,
            seats_left,
        );
        for p in lost {
            let route = match (prep.mechanism, prep.zone[p]) {
                (Mechanism::Zoned, ZoneOf::Group(_)) => RouteKind::GroupLottery,
                _ => RouteKind::Choice,
            };
            r.fall_back(p, route);
        }
    }
    waiting
}

/// The routes before zone admission, and the fallbacks after each route:
/// the applicants still `active` for zone admission or choice, and those
/// `waiting` for overflow.
struct Routing<'r> {
    data: &'r Dataset,
    prep: &'r Prepared,
    placements: &'r mut [Placement],
    stats: &'r mut [SchoolStats],
    active: &'r mut [bool],
    waiting: &'r mut Vec<usize>,
}

impl Routing<'_> {
    /// The route note of applicant `p`, created when it has none.
    fn note(&mut self, p: usize) -> &mut RouteNote {
        self.placements[p]
            .explanation
            .route
            .get_or_insert_with(RouteNote::default)
    }

    /// Applicant `p` was not admitted by `route`: its fallback decides
    /// (`zone`: it stays for zone admission; `overflow` (and `group`, whose
    /// schools were already in its list): it waits for 统筹; `none`: it is
    /// declined). Reasons name the fallback when any route is configured.
    fn fall_back(&mut self, p: usize, route: RouteKind) {
        let f = self.prep.routes.fallback.of(route);
        if self.prep.routed {
            let note = self.note(p);
            if let Some(slot) = note.fallback.iter_mut().find(|x| x.is_none()) {
                *slot = Some((route, f));
            }
        }
        match f {
            // back to zone admission: only from a route before it (the
            // reader allows `zone` nowhere else; after zone admission or
            // choice there is no zone round left, so it is 统筹)
            Fallback::Zone if matches!(route, RouteKind::PrivateLottery | RouteKind::Feeder) => {}
            Fallback::Zone | Fallback::Group | Fallback::Overflow => {
                self.active[p] = false;
                self.waiting.push(p);
            }
            Fallback::None => {
                self.active[p] = false;
                let pl = &mut self.placements[p];
                pl.outcome = Outcome::Declined;
                pl.explanation.settlement = Some(Settlement::NoFallback { route });
                if let Some(z) = pl.zone_school {
                    self.stats[z.ix()].declined += 1;
                }
            }
        }
    }

    /// 公民同招: the private schools admit from those who list them, at
    /// the same time as the public schools and before the public round
    /// gives any seat away: deferred acceptance among the private schools
    /// only, every applicant equal but for the school's own number
    /// ([`lottery::private_stream`]). With private schools ahead of the
    /// public ones in every list this is the student-proposing deferred
    /// acceptance over the whole lists (a private school's decisions never
    /// depend on a public one), so a loser keeps its zone school with full
    /// priority (fallback `zone`).
    fn private_round(&mut self, draw: &Draw, seats_left: &mut [u32]) {
        let prep = self.prep;
        let choosers: Vec<usize> = (0..self.placements.len())
            .filter(|&p| self.active[p] && !prep.private[p].is_empty())
            .collect();
        if choosers.is_empty() {
            return;
        }
        let prefs: Vec<Vec<u32>> = choosers
            .iter()
            .map(|&p| prep.private[p].iter().map(|s| s.0).collect())
            .collect();
        let number = |c: usize, s: u32| {
            let pos = prefs[c].iter().position(|&x| x == s).expect("listed");
            draw.private[choosers[c]][pos]
        };
        let matching = da::deferred_acceptance(seats_left, &prefs, |c, s| {
            (number(c, s) * (1u64 << 53) as f64) as u64
        });
        // a school turned someone away: it drew; its cut-off is the largest
        // number it admitted
        let mut drew = vec![false; seats_left.len()];
        let mut cut: Vec<Option<f64>> = vec![None; seats_left.len()];
        for (c, m) in matching.iter().enumerate() {
            let upto = m.unwrap_or(prefs[c].len());
            for &s in &prefs[c][..upto] {
                drew[s as usize] = true;
            }
            for &s in &prefs[c] {
                self.stats[s as usize].private_applicants += 1;
            }
            if let Some(k) = *m {
                let s = prefs[c][k] as usize;
                let n = number(c, prefs[c][k]);
                if cut[s].is_none_or(|x| n > x) {
                    cut[s] = Some(n);
                }
            }
        }
        for s in 0..seats_left.len() {
            if drew[s] {
                self.stats[s].private_cutoff = cut[s];
            }
        }
        for (c, m) in matching.iter().enumerate() {
            let p = choosers[c];
            let listed = prefs[c].len().min(255) as u8;
            match *m {
                Some(k) => {
                    let s = prep.private[p][k];
                    let lottery = drew[s.ix()].then(|| LotteryKey {
                        number: number(c, s.0),
                        cutoff: cut[s.ix()].expect("a school that admitted has a cut-off"),
                    });
                    let pl = &mut self.placements[p];
                    pl.placed = Some(s);
                    pl.outcome = Outcome::Private;
                    pl.explanation.admission = Some(Admission::Private {
                        school: s,
                        rank: k.min(254) as u8 + 1,
                        listed,
                        lottery,
                    });
                    seats_left[s.ix()] -= 1;
                    self.active[p] = false;
                }
                None => {
                    let first = prefs[c][0];
                    let draw_at_first = cut[first as usize].map(|cutoff| {
                        (
                            SchoolIx(first),
                            LotteryKey {
                                number: number(c, first),
                                cutoff,
                            },
                        )
                    });
                    let note = self.note(p);
                    note.private_lost = Some(listed);
                    note.private_draw = draw_at_first;
                    self.fall_back(p, RouteKind::PrivateLottery);
                }
            }
        }
    }

    /// 对口直升: each junior school admits the pupils of its direct feeder
    /// routes before zone admission; when they exceed its seats, the
    /// lowest numbers of the route's own draw ([`lottery::feeder_stream`],
    /// then `student_id`) take them and the others take `fallback.feeder`.
    fn feeder_round(&mut self, draw: &Draw, seats_left: &mut [u32]) {
        let prep = self.prep;
        let mut by_school: std::collections::BTreeMap<SchoolIx, Vec<usize>> = Default::default();
        for p in 0..self.placements.len() {
            if let (true, Some((j, _))) = (self.active[p], prep.direct[p]) {
                by_school.entry(j).or_default().push(p);
            }
        }
        for (j, mut list) in by_school {
            let (placements, data) = (&*self.placements, self.data);
            list.sort_by(|&a, &b| {
                let (pa, pb) = (&placements[a], &placements[b]);
                (draw.feeder[a], &data.students[pa.student].id)
                    .partial_cmp(&(draw.feeder[b], &data.students[pb.student].id))
                    .expect("lottery numbers are finite")
            });
            let n = list.len() as u32;
            let room = seats_left[j.ix()];
            let admitted = n.min(room) as usize;
            let short = n > room;
            let cutoff = admitted.checked_sub(1).map(|i| draw.feeder[list[i]]);
            self.stats[j.ix()].feeder_applicants += n;
            self.stats[j.ix()].feeder_admitted += admitted as u32;
            seats_left[j.ix()] -= admitted as u32;
            for (i, &p) in list.iter().enumerate() {
                let from = prep.direct[p].expect("on a direct route").1;
                if i < admitted {
                    let pl = &mut self.placements[p];
                    let lottery = short.then(|| LotteryKey {
                        number: draw.feeder[p],
                        cutoff: cutoff.expect("someone was admitted"),
                    });
                    pl.placed = Some(j);
                    pl.outcome = Outcome::Feeder;
                    pl.explanation.admission = Some(Admission::Feeder {
                        school: j,
                        from,
                        lottery,
                    });
                    self.active[p] = false;
                } else {
                    let note = self.note(p);
                    note.feeder_short = Some((j, n, room));
                    note.feeder_draw = cutoff.map(|cutoff| LotteryKey {
                        number: draw.feeder[p],
                        cutoff,
                    });
                    self.fall_back(p, RouteKind::Feeder);
                }
            }
        }
    }
}

/// A unit of zone admission: one applicant, or a family drawing together
/// (`policy.twins = "together"`), admitted whole or not at all. It ranks by
/// its best member (the list is sorted, so its first) and holds one number.
struct Unit {
    /// Its members: `members[start..start + len]` of [`Units`].
    start: usize,
    len: usize,
    tier: Tier,
    rank: u32,
}

impl Unit {
    fn size(&self) -> u32 {
        self.len as u32
    }
}

/// The units of a school's zone, their members side by side.
struct Units {
    members: Vec<usize>,
    units: Vec<Unit>,
}

impl Units {
    fn members(&self, u: usize) -> &[usize] {
        let unit = &self.units[u];
        &self.members[unit.start..unit.start + unit.len]
    }
}

/// The units of a school's zone applicants `list` (sorted by key): each
/// applicant alone, or with twins together, its family's members at this
/// school together, at the place of the best of them.
fn units(prep: &Prepared, list: &[usize], placements: &[Placement]) -> Units {
    let unit = |start, len, p: usize| Unit {
        start,
        len,
        tier: placements[p].tier,
        rank: placements[p].rank,
    };
    let Some(leader) = &prep.leader else {
        return Units {
            members: list.to_vec(),
            units: (0..list.len()).map(|i| unit(i, 1, list[i])).collect(),
        };
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for &p in list {
        let g = *group_of.entry(leader[p]).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(p);
    }
    let mut out = Units {
        members: Vec::with_capacity(list.len()),
        units: Vec::with_capacity(groups.len()),
    };
    for g in groups {
        out.units.push(unit(out.members.len(), g.len(), g[0]));
        out.members.extend(g);
    }
    out
}

/// Zone admission at one school (单校划片) of its zone applicants `list`:
/// reserved seats first, each from its category in priority order; then
/// every applicant left by (tier, rank), a group of equal keys that does not
/// fit in the seats left drawn by lottery (lowest numbers first, then
/// `student_id`). A unit that does not fit is passed over for the next, so
/// no seat is left empty while an applicant fits. Those not admitted wait
/// for overflow (`waiting`).
// long: one pass over the school's groups, recording each applicant's
// reason and the school's figures as it goes
#[allow(clippy::too_many_arguments)]
fn zone_school(
    data: &Dataset,
    prep: &Prepared,
    school: SchoolIx,
    list: &mut [usize],
    placements: &mut [Placement],
    stats: &mut SchoolStats,
    seats_left: &mut [u32],
    waiting: &mut Vec<usize>,
) {
    let s = school.ix();
    list.sort_by(|&a, &b| {
        let (pa, pb) = (&placements[a], &placements[b]);
        (pa.tier, pa.rank, pa.lottery, &data.students[pa.student].id)
            .partial_cmp(&(pb.tier, pb.rank, pb.lottery, &data.students[pb.student].id))
            .expect("lottery numbers are finite")
    });
    for &p in list.iter() {
        stats.applicants_by_tier[placements[p].tier.category()] += 1;
    }
    let all = units(prep, list, placements);
    let units = &all.units;
    let mut done = vec![false; units.len()];
    let seats = seats_left[s];
    // reserved seats (名额单列): filled from their category, in order
    let mut admitted = 0u32;
    for &(tier, held) in &prep.reserved[s] {
        let held = held.min(seats - admitted);
        let mut used = 0u32;
        let mut last_reserved = None;
        for (u, unit) in units.iter().enumerate() {
            if done[u] || unit.tier != tier || unit.size() > held - used {
                continue;
            }
            done[u] = true;
            used += unit.size();
            for &p in all.members(u) {
                let pl = &mut placements[p];
                pl.outcome = Outcome::Zone;
                pl.placed = Some(school);
                pl.explanation.admission = Some(Admission::Zone { tier });
                if let Some(n) = &mut pl.explanation.rank {
                    n.reserved = true;
                    n.family = unit.size().min(255) as u8;
                }
                let c = Cutoff {
                    student: pl.student,
                    tier,
                    drawn: false,
                    lottery: pl.lottery,
                };
                stats.cutoff = Some(c);
                last_reserved = Some(c);
            }
            if used == held {
                break;
            }
        }
        stats.reserved_seats += held;
        stats.reserved_used += used;
        admitted += used;
        // filled, with members of the category left: its line is a cut-off
        let left = units
            .iter()
            .enumerate()
            .any(|(u, unit)| !done[u] && unit.tier == tier);
        if used == held && left {
            if let Some(last) = last_reserved {
                stats.reserved_cutoffs.push(last);
            }
        }
    }
    // the general pool: every seat left, unused reserved seats included
    let mut filled_at: Option<Tier> = None;
    let mut start = 0;
    while start < units.len() {
        let (tier, rank) = (units[start].tier, units[start].rank);
        let end = start
            + units[start..]
                .iter()
                .take_while(|u| (u.tier, u.rank) == (tier, rank))
                .count();
        let group: Vec<usize> = (start..end).filter(|&u| !done[u]).collect();
        start = end;
        if group.is_empty() {
            continue;
        }
        let n: u32 = group.iter().map(|&u| units[u].size()).sum();
        let room = seats - admitted;
        if n <= room {
            for &u in &group {
                for &p in all.members(u) {
                    let pl = &mut placements[p];
                    pl.outcome = Outcome::Zone;
                    pl.placed = Some(school);
                    pl.explanation.admission = Some(Admission::Zone { tier });
                    if let Some(note) = &mut pl.explanation.rank {
                        note.family = units[u].size().min(255) as u8;
                    }
                    stats.cutoff = Some(Cutoff {
                        student: pl.student,
                        tier,
                        drawn: false,
                        lottery: pl.lottery,
                    });
                }
            }
            admitted += n;
        } else {
            // the draw: units in lottery order while they fit; a family
            // that does not fit in the seats left is passed over
            let mut won_units = vec![false; group.len()];
            let mut passed = vec![false; group.len()];
            let mut got = 0u32;
            let mut cut = 0.0;
            for (j, &u) in group.iter().enumerate() {
                if units[u].size() <= room - got {
                    won_units[j] = true;
                    got += units[u].size();
                    cut = placements[all.members(u)[0]].lottery;
                } else if room > got {
                    passed[j] = true;
                }
            }
            if got > 0 {
                stats.lottery_cutoff = Some((tier, cut));
                stats.zone_draw = Some(super::ZoneDraw {
                    tier,
                    applicants: n,
                    seats: room,
                });
            }
            for (j, &u) in group.iter().enumerate() {
                for &p in all.members(u) {
                    let pl = &mut placements[p];
                    let won = won_units[j];
                    pl.explanation.admission = Some(if got > 0 {
                        Admission::ZoneLottery {
                            tier,
                            applicants: n,
                            seats: room,
                            lottery: LotteryKey {
                                number: pl.lottery,
                                cutoff: cut,
                            },
                            won,
                        }
                    } else {
                        // nothing fitted (no seat left, or only families
                        // larger than the seats left): no draw
                        Admission::ZoneFull {
                            tier,
                            after: filled_at,
                        }
                    });
                    if let Some(note) = &mut pl.explanation.rank {
                        note.family = units[u].size().min(255) as u8;
                        note.passed_over = passed[j];
                    }
                    if won {
                        pl.outcome = Outcome::LotteryWon;
                        pl.placed = Some(school);
                        stats.cutoff = Some(Cutoff {
                            student: pl.student,
                            tier,
                            drawn: true,
                            lottery: pl.lottery,
                        });
                    } else {
                        waiting.push(p);
                    }
                }
            }
            stats.admitted_lottery += got;
            admitted += got;
        }
        if admitted == seats && filled_at.is_none() && seats > 0 {
            filled_at = Some(tier);
        }
    }
    stats.admitted_zone = admitted;
    stats.overflow_out = list.len() as u32 - admitted;
    if stats.overflow_out == 0 {
        // everyone of the zone was admitted: no cut-off to publish
        stats.cutoff = None;
    }
    seats_left[s] -= admitted;
}

/// A priority key at a school: tier, rank inside the tier, lottery (53 bits).
type Key = (Tier, u32, u64);

/// The priority key of an applicant at the `pos`-th school of its list:
/// tier first, then its rank inside the tier, then its lottery number (53
/// bits).
fn key(prep: &Prepared, draw: &Draw, a: usize, pos: usize) -> Key {
    let lot = match &draw.multiple {
        Some(m) => m[a][pos],
        None => draw.single[a],
    };
    (
        prep.list_tiers[a][pos],
        prep.list_ranks[a][pos],
        (lot * (1u64 << 53) as f64) as u64,
    )
}

/// 多校划片 and the choice mechanisms: deferred acceptance (or Boston) over
/// the applicants' lists with the seats left. Returns those not admitted.
fn choose(
    data: &Dataset,
    prep: &Prepared,
    draw: &Draw,
    choosers: &[usize],
    placements: &mut [Placement],
    stats: &mut [SchoolStats],
    seats_left: &mut [u32],
) -> Vec<usize> {
    let prefs: Vec<Vec<u32>> = choosers
        .iter()
        .map(|&a| prep.lists[a].iter().map(|s| s.0).collect())
        .collect();
    // position of each school in each chooser's list, for the key lookup
    let pos_of = |c: usize, s: u32| prefs[c].iter().position(|&x| x == s).expect("listed");
    let key_of = |c: usize, s: u32| key(prep, draw, choosers[c], pos_of(c, s));
    let matching = match prep.mechanism {
        Mechanism::Boston(_) => da::boston(seats_left, &prefs, key_of),
        _ => da::deferred_acceptance(seats_left, &prefs, key_of),
    };
    // per school: the worst admitted key, and whether an applicant of that
    // tier who applied there was turned away (then that tier was drawn)
    let mut worst: Vec<Option<(Key, f64)>> = vec![None; data.schools.len()];
    for (c, m) in matching.iter().enumerate() {
        if let Some(k) = *m {
            let a = choosers[c];
            let s = prep.lists[a][k];
            let kk = key(prep, draw, a, k);
            let number = kk.2 as f64 / (1u64 << 53) as f64;
            if worst[s.ix()].is_none_or(|(w, _)| kk > w) {
                worst[s.ix()] = Some((kk, number));
            }
        }
    }
    let mut drawn = vec![false; data.schools.len()];
    for (c, m) in matching.iter().enumerate() {
        let a = choosers[c];
        let applied = m.map_or(prep.lists[a].len(), |k| k);
        for pos in 0..applied {
            let s = prep.lists[a][pos];
            if let Some(((wt, wr, _), _)) = worst[s.ix()] {
                if (prep.list_tiers[a][pos], prep.list_ranks[a][pos]) == (wt, wr) {
                    drawn[s.ix()] = true;
                }
            }
        }
        let first = prep.lists[a][0];
        let t = usize::from(prep.list_tiers[a][0].0);
        let slot = &mut stats[first.ix()].applicants_by_tier;
        if t <= slot.len() {
            slot[t - 1] += 1;
        } else {
            stats[first.ix()].applicants_out_of_zone += 1;
        }
    }
    for s in 0..data.schools.len() {
        if let (true, Some(((t, _, _), n))) = (drawn[s], worst[s]) {
            stats[s].lottery_cutoff = Some((t, n));
        }
    }
    let mut waiting = Vec::new();
    for (c, m) in matching.iter().enumerate() {
        let a = choosers[c];
        let n = prep.lists[a].len();
        match *m {
            Some(k) => {
                let s = prep.lists[a][k];
                let (t, r, lot) = key(prep, draw, a, k);
                let number = lot as f64 / (1u64 << 53) as f64;
                let drawn_here = worst[s.ix()].is_some_and(|((wt, wr, _), _)| (wt, wr) == (t, r));
                let pl = &mut placements[a];
                pl.placed = Some(s);
                pl.outcome = Outcome::Choice(k as u8 + 1);
                let st = &mut stats[s.ix()];
                st.admitted_zone += 1;
                let lottery = match st.lottery_cutoff {
                    Some((ct, cutoff)) if ct == t && drawn_here => {
                        st.admitted_lottery += 1;
                        Some(LotteryKey { number, cutoff })
                    }
                    _ => None,
                };
                let standing = if t >= prep.out_of_zone() {
                    Standing::OutOfZone
                } else {
                    Standing::Tier(t)
                };
                pl.explanation.admission = Some(Admission::Choice {
                    rank: k as u8 + 1,
                    listed: n,
                    school: s,
                    standing,
                    lottery,
                });
                seats_left[s.ix()] -= 1;
            }
            None => {
                placements[a].explanation.admission = Some(Admission::NotAdmitted {
                    tier: placements[a].tier,
                    listed: n,
                });
                if let Some(first) = prep.lists[a].first() {
                    stats[first.ix()].overflow_out += 1;
                }
                waiting.push(a);
            }
        }
    }
    waiting
}
