//! The admission stages that the lottery decides: zone admission by tier
//! (单校划片) and choice among several schools (多校划片 and the choice
//! mechanisms). Everything that does not depend on the draw is prepared
//! once ([`prepare`]), so the odds of many draws cost one cheap [`admit`]
//! each.

use crate::domain::model::*;
use crate::domain::scenario::Scenario;
use crate::solve::{da, lottery};
use crate::spatial::distance::{DistanceSource, SchoolIndex};

use super::explain::{Admission, LotteryKey, RankNote, Standing};
use super::flow::{compute_zones, Reach};
use super::ranking::{family_leaders, Position, Ranking};
use super::{Cutoff, Mechanism, Outcome, Placement, SchoolStats, TieBreak};
use crate::domain::priority::LotteryTwins;

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
}

/// Draw the lottery for `seed` (procedure `sunshine-lottery-v1`; with
/// `policy.twins = "together"` every child of a family takes the number of
/// its member first in `student_id` order; multiple tie-breaking adds, per school with row index `s`, the stream
/// `Draws::sub(seed, 2^32 + s)` over the applicants listing it in
/// `student_id` order).
pub fn draw(prep: &Prepared, seed: u64) -> Draw {
    let mut single = lottery::numbers_in_order(
        seed,
        prep.id_order.iter().map(|&a| a as usize),
        prep.in_scope.len(),
    );
    // a family drawing together has one number: its first member's
    if let Some(leader) = &prep.leader {
        for a in 0..single.len() {
            single[a] = single[leader[a] as usize];
        }
    }
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
    Draw { single, multiple }
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
    };
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
    }
    let (id_order, mtb_order) = lottery_orders(data, &in_scope, &lists, mechanism);
    let rules = &scenario.policy.rules;
    let leader =
        (rules.twins == LotteryTwins::Together).then(|| family_leaders(data, &in_scope, &id_order));
    let reserved = reserved_seats(data, scenario, &seats);
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
        let list = if severe || !self.zoned {
            Vec::new()
        } else {
            self.list_of(st, z)
        };
        let at_list: Vec<Position> = list
            .iter()
            .map(|&s| {
                if self.in_zone(z, s) {
                    self.ranking.standing(a, st, Some(s))
                } else {
                    Position {
                        tier: out_of_zone(tier_count),
                        rank: 0,
                        locked: false,
                        lock_exempt: false,
                    }
                }
            })
            .collect();
        let at = match (z, at_list.first()) {
            (ZoneOf::School(s), _) => self.ranking.standing(a, st, Some(s)),
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

    /// The schools an applicant (not severely disabled, in a zoned run)
    /// applies to, in order.
    fn list_of(&self, st: &Student, z: ZoneOf) -> Vec<SchoolIx> {
        let stated: Vec<SchoolIx> = st
            .preferences
            .iter()
            .copied()
            .filter(|s| self.is_main[s.ix()])
            .collect();
        match (self.choosing, z) {
            (true, _) if !stated.is_empty() => stated,
            (true, ZoneOf::School(s)) => vec![s],
            (_, ZoneOf::Group(g)) => {
                let in_group: Vec<SchoolIx> = stated
                    .iter()
                    .copied()
                    .filter(|&s| self.in_zone(z, s))
                    .collect();
                if in_group.is_empty() {
                    self.by_distance(st, self.given.groups[g as usize].clone())
                } else {
                    in_group
                }
            }
            _ => Vec::new(),
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
    for (p, pl) in placements.iter_mut().enumerate() {
        if prep.severe[p] {
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
            waiting.push(p);
        }
    }
    // 单校划片: each school admits its zone by priority; the group that
    // does not fit is drawn by lottery
    for (s, list) in by_school.iter_mut().enumerate() {
        if !list.is_empty() {
            let school = SchoolIx::from_ix(s);
            zone_school(
                data,
                prep,
                school,
                list,
                placements,
                &mut stats[s],
                seats_left,
                &mut waiting,
            );
        }
    }
    if !choosers.is_empty() {
        waiting.extend(choose(
            data, prep, draw, &choosers, placements, stats, seats_left,
        ));
    }
    waiting
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
