//! One year's sunshine enrollment (阳光入学) for an entry grade.
//!
//! The rules, in the order the bureau applies them (see README, "Placement
//! rules", and `data/longtan/README.md` for the sources):
//!
//! 1. **Zones (划片).** Each block belongs to one school's zone for the
//!    grade: from `zones.csv` where given, otherwise computed as the
//!    capacity-aware minimum-distance assignment of whole blocks
//!    ([`compute_zones`]).
//! 2. **Tiers.** Each applicant's category (hukou + property, property only,
//!    hukou only, migrant resident, other) is ranked by the policy's
//!    `priority` list; a sibling at the zone school moves the applicant up
//!    `sibling_bonus` tiers (never above tier 1).
//! 3. **Zone admission and lottery (电脑派位).** A school admits its zone's
//!    applicants tier by tier; the tier that does not fit in the seats left
//!    is drawn by the seeded lottery ([`crate::solve::lottery`]), lower
//!    tiers are not admitted.
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

use std::collections::BTreeMap;
use std::str::FromStr;

use rayon::prelude::*;

use crate::distance::{DistanceSource, SchoolIndex};
use crate::model::*;
use crate::scenario::{Category, Scenario};
use crate::solve::lottery;
use crate::solve::mcf::{Network, Solution, INF};
use crate::summary::mainstream_schools;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    /// Zones, priority tiers, lottery, then overflow placement.
    Zoned,
    /// Minimum total distance within capacities; no zones, tiers or lottery.
    MinDistance,
}

impl FromStr for Mechanism {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "zoned" => Ok(Mechanism::Zoned),
            "min-distance" => Ok(Mechanism::MinDistance),
            "deferred-acceptance" | "boston" => Err(format!(
                "mechanism `{s}` is not implemented yet (see the choice-mechanisms issue); expected zoned or min-distance"
            )),
            _ => Err(format!("unknown mechanism `{s}`; expected zoned or min-distance")),
        }
    }
}

impl Mechanism {
    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::Zoned => "zoned",
            Mechanism::MinDistance => "min-distance",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Admitted at the zone school without a draw.
    Zone,
    /// Admitted at the zone school by winning the lottery of its tier.
    LotteryWon,
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
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Zone,
        Outcome::LotteryWon,
        Outcome::Overflow,
        Outcome::Assigned,
        Outcome::SpecialEd,
        Outcome::HomeTeaching,
        Outcome::Unplaced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Zone => "zone",
            Outcome::LotteryWon => "lottery_won",
            Outcome::Overflow => "overflow",
            Outcome::Assigned => "assigned",
            Outcome::SpecialEd => "special_ed",
            Outcome::HomeTeaching => "home_teaching",
            Outcome::Unplaced => "unplaced",
        }
    }
}

/// Where one applicant went, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    /// Index into [`Dataset::students`].
    pub student: usize,
    pub zone_school: Option<SchoolIx>,
    pub placed: Option<SchoolIx>,
    pub outcome: Outcome,
    pub tier: Tier,
    pub lottery: f64,
    pub distance: Option<Metres>,
    pub reason: String,
}

/// Per-school figures of a placement run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchoolStats {
    pub seats: u32,
    /// Zone applicants by tier (index 0 = tier 1).
    pub applicants_by_tier: Vec<u32>,
    /// Zone applicants admitted here (without a draw or by lottery).
    pub admitted_zone: u32,
    pub admitted_lottery: u32,
    /// The tier drawn by lottery and the largest winning number.
    pub lottery_cutoff: Option<(Tier, f64)>,
    /// Applicants from other zones placed here.
    pub overflow_in: u32,
    /// Zone applicants not admitted here.
    pub overflow_out: u32,
    pub admitted: u32,
    pub migrant: u32,
    pub left_behind: u32,
    pub disability_mild: u32,
    pub disability_severe: u32,
}

impl SchoolStats {
    pub fn applicants(&self) -> u32 {
        self.applicants_by_tier.iter().sum()
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
    pub distance_source: &'static str,
}

/// An applicant's tier under the policy (1 = first served).
pub fn tier_of(st: &Student, zone: Option<SchoolIx>, scenario: &Scenario) -> Tier {
    let p = &scenario.policy;
    let c = Category::of(st.hukou_in_block, st.property_in_block, st.migrant);
    let base = p
        .priority
        .iter()
        .position(|&x| x == c)
        .unwrap_or(p.priority.len() - 1) as u8
        + 1;
    let bonus = if zone.is_some() && st.sibling_school == zone {
        p.sibling_bonus
    } else {
        0
    };
    Tier(base.saturating_sub(bonus).max(1))
}

/// How far overflow placement and zoning look: the `candidates` nearest
/// schools with seats, none farther than `max`.
#[derive(Clone, Copy, Debug)]
pub struct Reach {
    pub candidates: usize,
    pub max: Metres,
}

/// A group of applicants with the same home and tier: one source of the flow.
struct Group {
    home: Point,
    members: Vec<usize>,
}

type Point = geo::Point<f64>;

/// Homes are grouped by block; a geocoded applicant is its own group.
fn home_key(st: &Student) -> (u32, u32) {
    match st.home {
        Home::Block(b) => (0, b.0),
        Home::Point(_) => (1, 0),
    }
}

/// Place applicants (indices into `data.students`, in priority order within
/// each group) into `schools` with `seats_left`, one exact min-cost flow per
/// round: maximise the number placed, then minimise total distance. A round
/// offers each home its `k` nearest schools that still have seats within
/// `max`; rounds repeat while they place anyone (a home whose candidates all
/// filled gets the next ones). Returns the school and distance per applicant.
pub fn assign_by_flow(
    data: &Dataset,
    applicants: &[usize],
    schools: &[SchoolIx],
    seats_left: &mut [u32],
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Vec<Option<(SchoolIx, Metres)>> {
    let Reach { candidates: k, max } = reach;
    let mut result = vec![None; applicants.len()];
    let mut pending: Vec<usize> = (0..applicants.len()).collect();
    loop {
        let open: Vec<SchoolIx> = schools
            .iter()
            .copied()
            .filter(|s| seats_left[s.ix()] > 0)
            .collect();
        if open.is_empty() || pending.is_empty() {
            break;
        }
        let index = SchoolIndex::new(open.iter().map(|&s| (s, data.school(s).location)));
        // group pending applicants by home, keeping their order
        let mut groups: Vec<Group> = Vec::new();
        let mut by_key: BTreeMap<(u32, u32), usize> = BTreeMap::new();
        for &i in &pending {
            let st = &data.students[applicants[i]];
            let key = home_key(st);
            let g = match (key.0, by_key.get(&key)) {
                (0, Some(&g)) => g,
                _ => {
                    groups.push(Group {
                        home: data.home_point(st.home),
                        members: Vec::new(),
                    });
                    by_key.insert(key, groups.len() - 1);
                    groups.len() - 1
                }
            };
            groups[g].members.push(i);
        }
        let cands: Vec<Vec<(SchoolIx, Metres)>> = groups
            .par_iter()
            .map(|g| index.nearest(g.home, k, max, dist))
            .collect();
        let n_cands: usize = cands.iter().map(Vec::len).sum();
        if n_cands == 0 {
            break;
        }
        let mut net = Network::with_capacity(
            groups.len() + open.len() + 1,
            n_cands + groups.len() + open.len(),
        );
        let total: i64 = pending.len() as i64;
        let gnode: Vec<usize> = groups
            .iter()
            .map(|g| net.add_node(g.members.len() as i64))
            .collect();
        let mut snode = vec![usize::MAX; data.schools.len()];
        for &s in &open {
            snode[s.ix()] = net.add_node(0);
        }
        let sink = net.add_node(-total);
        // An unplaced unit costs more than any chain of reassignments could
        // save, so the flow first places as many applicants as possible.
        let penalty = (open.len() as i64 + 2) * (i64::from(max.0) + 1);
        let mut arcs = Vec::with_capacity(n_cands);
        for (g, cs) in cands.iter().enumerate() {
            for &(s, m) in cs {
                arcs.push((
                    g,
                    s,
                    m,
                    net.add_arc(gnode[g], snode[s.ix()], INF, i64::from(m.0)),
                ));
            }
            net.add_arc(gnode[g], sink, INF, penalty);
        }
        for &s in &open {
            net.add_arc(snode[s.ix()], sink, i64::from(seats_left[s.ix()]), 0);
        }
        let Solution::Optimal(flow) = net.solve() else {
            unreachable!("every group has an unplaced arc, so the flow is feasible")
        };
        // hand each group's seats to its members in order, nearest first
        let mut placed_any = false;
        let mut next_member = vec![0usize; groups.len()];
        for &(g, s, m, e) in &arcs {
            let f = flow.flow[e] as usize;
            for _ in 0..f {
                let i = groups[g].members[next_member[g]];
                next_member[g] += 1;
                result[i] = Some((s, m));
                seats_left[s.ix()] -= 1;
                placed_any = true;
            }
        }
        pending.retain(|&i| result[i].is_none());
        if !placed_any {
            break;
        }
    }
    result
}

/// Capacity-aware minimum-distance zones: whole blocks to schools. The flow
/// may split a block; its zone is the school that takes most of its
/// applicants (ties: the nearer). Blocks with no applicants, or none placed,
/// go to their nearest school.
pub fn compute_zones(
    data: &Dataset,
    blocks: &[BlockIx],
    schools: &[SchoolIx],
    seats_left: &[u32],
    applicants_per_block: &[u32],
    reach: Reach,
    dist: &dyn DistanceSource,
) -> Vec<Option<SchoolIx>> {
    let Reach { candidates: k, max } = reach;
    let index = SchoolIndex::new(schools.iter().map(|&s| (s, data.school(s).location)));
    let cands: Vec<Vec<(SchoolIx, Metres)>> = blocks
        .par_iter()
        .map(|&b| index.nearest(data.block(b).location, k, max, dist))
        .collect();
    let mut net = Network::new();
    let total: i64 = blocks
        .iter()
        .map(|b| i64::from(applicants_per_block[b.ix()]))
        .sum();
    let bnode: Vec<usize> = blocks
        .iter()
        .map(|b| net.add_node(i64::from(applicants_per_block[b.ix()])))
        .collect();
    let mut snode = vec![usize::MAX; data.schools.len()];
    for &s in schools {
        snode[s.ix()] = net.add_node(0);
    }
    let sink = net.add_node(-total);
    let penalty = (schools.len() as i64 + 2) * (i64::from(max.0) + 1);
    let mut arcs = Vec::new();
    for (i, cs) in cands.iter().enumerate() {
        for &(s, m) in cs {
            arcs.push((
                i,
                s,
                m,
                net.add_arc(bnode[i], snode[s.ix()], INF, i64::from(m.0)),
            ));
        }
        net.add_arc(bnode[i], sink, INF, penalty);
    }
    for &s in schools {
        net.add_arc(snode[s.ix()], sink, i64::from(seats_left[s.ix()]), 0);
    }
    let Solution::Optimal(flow) = net.solve() else {
        unreachable!("every block has an unplaced arc")
    };
    let mut best: Vec<Option<(i64, Metres, SchoolIx)>> = vec![None; blocks.len()];
    for &(i, s, m, e) in &arcs {
        let f = flow.flow[e];
        if f > 0 && best[i].is_none_or(|(bf, bm, _)| f > bf || (f == bf && m < bm)) {
            best[i] = Some((f, m, s));
        }
    }
    best.iter()
        .zip(&cands)
        .map(|(b, cs)| b.map(|(_, _, s)| s).or_else(|| cs.first().map(|&(s, _)| s)))
        .collect()
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

/// Run one placement.
pub fn place(
    data: &Dataset,
    scenario: &Scenario,
    mechanism: Mechanism,
    dist: &dyn DistanceSource,
) -> PlacementResult {
    place_with_progress(data, scenario, mechanism, dist, &|_| {})
}

/// [`place`], telling `progress` as each stage starts.
pub fn place_with_progress(
    data: &Dataset,
    scenario: &Scenario,
    mechanism: Mechanism,
    dist: &dyn DistanceSource,
    progress: &(dyn Fn(Stage) + Sync),
) -> PlacementResult {
    let grade = scenario.grade;
    let policy = &scenario.policy;
    let max = Metres::from_km(policy.overflow_max_km);
    let reach = Reach {
        candidates: policy.candidates,
        max,
    };
    let in_scope: Vec<usize> = (0..data.students.len())
        .filter(|&i| data.students[i].entry_grade == grade)
        .collect();
    let ids: Vec<&str> = in_scope
        .iter()
        .map(|&i| data.students[i].id.as_str())
        .collect();
    let numbers = lottery::lottery_numbers(policy.lottery_seed, &ids);
    let mainstream = mainstream_schools(data, grade);
    let special: Vec<SchoolIx> = data
        .schools
        .iter()
        .enumerate()
        .filter(|(_, s)| s.level == Level::Special && s.status == Status::Open)
        .map(|(i, _)| SchoolIx::from_ix(i))
        .collect();
    let mut seats_left: Vec<u32> = data
        .schools
        .iter()
        .map(|s| {
            if s.status == Status::Open {
                s.entry_seats.0
            } else {
                0
            }
        })
        .collect();

    // zones for the grade: given ones where their school is open, else computed
    let is_main = {
        let mut v = vec![false; data.schools.len()];
        for s in &mainstream {
            v[s.ix()] = true;
        }
        v
    };
    let mut zones: Vec<(Option<SchoolIx>, bool)> = vec![(None, false); data.blocks.len()];
    if let Some(z) = &data.zones {
        for (b, s) in z.for_grade(grade).iter().enumerate() {
            if let Some(s) = s.filter(|s| is_main[s.ix()]) {
                zones[b] = (Some(s), false);
            }
        }
    }
    let mut per_block = vec![0u32; data.blocks.len()];
    for &i in &in_scope {
        let st = &data.students[i];
        if let (Home::Block(b), false) = (st.home, st.disability == Disability::Severe) {
            per_block[b.ix()] += 1;
        }
    }
    progress(Stage::Zones);
    if mechanism == Mechanism::Zoned {
        let missing: Vec<BlockIx> = (0..data.blocks.len())
            .filter(|&b| zones[b].0.is_none())
            .map(BlockIx::from_ix)
            .collect();
        if !missing.is_empty() && !mainstream.is_empty() {
            let mut room = seats_left.clone();
            for (b, &(s, _)) in zones.iter().enumerate() {
                if let Some(s) = s {
                    room[s.ix()] = room[s.ix()].saturating_sub(per_block[b]);
                }
            }
            let computed =
                compute_zones(data, &missing, &mainstream, &room, &per_block, reach, dist);
            for (b, s) in missing.iter().zip(computed) {
                zones[b.ix()] = (s, true);
            }
        }
    }
    let nearest_main = SchoolIndex::new(mainstream.iter().map(|&s| (s, data.school(s).location)));
    let zone_of = |st: &Student| -> Option<SchoolIx> {
        if mechanism == Mechanism::MinDistance {
            return None;
        }
        match st.home {
            Home::Block(b) => zones[b.ix()].0,
            Home::Point(p) => nearest_main
                .nearest(p, 1, Metres(u32::MAX), dist)
                .first()
                .map(|&(s, _)| s),
        }
    };

    let mut placements: Vec<Placement> = in_scope
        .iter()
        .zip(&numbers)
        .map(|(&i, &lot)| {
            let st = &data.students[i];
            let zone = zone_of(st);
            Placement {
                student: i,
                zone_school: zone,
                placed: None,
                outcome: Outcome::Unplaced,
                tier: if mechanism == Mechanism::Zoned {
                    tier_of(st, zone, scenario)
                } else {
                    Tier(1)
                },
                lottery: lot,
                distance: None,
                reason: String::new(),
            }
        })
        .collect();
    let mut stats: Vec<SchoolStats> = data
        .schools
        .iter()
        .map(|s| SchoolStats {
            seats: if s.status == Status::Open {
                s.entry_seats.0
            } else {
                0
            },
            applicants_by_tier: vec![0; policy.tier_count() as usize],
            ..Default::default()
        })
        .collect();
    let severe: Vec<usize> = (0..placements.len())
        .filter(|&p| data.students[placements[p].student].disability == Disability::Severe)
        .collect();
    let mut waiting: Vec<usize> = Vec::new(); // placements not admitted at their zone school

    // 3. zone admission, tier by tier, lottery in the tier that does not fit
    progress(Stage::ZoneAdmission);
    if mechanism == Mechanism::Zoned {
        let mut by_school: Vec<Vec<usize>> = vec![Vec::new(); data.schools.len()];
        for (p, pl) in placements.iter().enumerate() {
            if data.students[pl.student].disability == Disability::Severe {
                continue;
            }
            match pl.zone_school {
                Some(s) => by_school[s.ix()].push(p),
                None => waiting.push(p),
            }
        }
        for (s, list) in by_school.iter_mut().enumerate() {
            list.sort_by(|&a, &b| {
                let (pa, pb) = (&placements[a], &placements[b]);
                (pa.tier, pa.lottery, &data.students[pa.student].id)
                    .partial_cmp(&(pb.tier, pb.lottery, &data.students[pb.student].id))
                    .expect("lottery numbers are finite")
            });
            let seats = seats_left[s];
            for &p in list.iter() {
                stats[s].applicants_by_tier[(placements[p].tier.0 - 1) as usize] += 1;
            }
            let mut admitted = 0u32;
            let mut filled_at: Option<Tier> = None;
            let mut tier_start = 0;
            while tier_start < list.len() {
                let tier = placements[list[tier_start]].tier;
                let tier_end = tier_start
                    + list[tier_start..]
                        .iter()
                        .take_while(|&&p| placements[p].tier == tier)
                        .count();
                let n = (tier_end - tier_start) as u32;
                let room = seats - admitted;
                if n <= room {
                    for &p in &list[tier_start..tier_end] {
                        let pl = &mut placements[p];
                        pl.outcome = Outcome::Zone;
                        pl.placed = Some(SchoolIx::from_ix(s));
                        pl.reason = format!("tier {}; admitted at zone school", tier);
                    }
                    admitted += n;
                } else if room > 0 {
                    let cut = placements[list[tier_start + room as usize - 1]].lottery;
                    stats[s].lottery_cutoff = Some((tier, cut));
                    for (j, &p) in list[tier_start..tier_end].iter().enumerate() {
                        let pl = &mut placements[p];
                        if (j as u32) < room {
                            pl.outcome = Outcome::LotteryWon;
                            pl.placed = Some(SchoolIx::from_ix(s));
                            pl.reason = format!(
                                "tier {tier}; {n} applicants for {room} seats; lottery {:.6} <= cut {cut:.6}; admitted at zone school",
                                pl.lottery
                            );
                        } else {
                            pl.reason = format!(
                                "tier {tier}; {n} applicants for {room} seats; lottery {:.6} > cut {cut:.6}",
                                pl.lottery
                            );
                            waiting.push(p);
                        }
                    }
                    stats[s].admitted_lottery = room;
                    admitted += room;
                } else {
                    let why = match filled_at {
                        Some(t) => format!("zone school full after tier {t}"),
                        None => "zone school has no seats".to_string(),
                    };
                    for &p in &list[tier_start..tier_end] {
                        placements[p].reason = format!("tier {tier}; {why}");
                        waiting.push(p);
                    }
                }
                if admitted == seats && filled_at.is_none() && seats > 0 {
                    filled_at = Some(tier);
                }
                tier_start = tier_end;
            }
            stats[s].admitted_zone = admitted;
            stats[s].overflow_out = list.len() as u32 - admitted;
            seats_left[s] -= admitted;
        }
        for p in &waiting {
            if placements[*p].zone_school.is_none() {
                placements[*p].reason = format!(
                    "tier {}; no zone school for this block",
                    placements[*p].tier
                );
            }
        }
    } else {
        waiting = (0..placements.len())
            .filter(|&p| data.students[placements[p].student].disability != Disability::Severe)
            .collect();
    }

    // 4. overflow, one tier at a time
    waiting.sort_by(|&a, &b| {
        let (pa, pb) = (&placements[a], &placements[b]);
        (pa.tier, pa.lottery, &data.students[pa.student].id)
            .partial_cmp(&(pb.tier, pb.lottery, &data.students[pb.student].id))
            .expect("lottery numbers are finite")
    });
    let mut start = 0;
    while start < waiting.len() {
        let tier = placements[waiting[start]].tier;
        progress(Stage::Overflow {
            tier: tier.0,
            tiers: policy.tier_count(),
        });
        let end = start
            + waiting[start..]
                .iter()
                .take_while(|&&p| placements[p].tier == tier)
                .count();
        let group = &waiting[start..end];
        let students: Vec<usize> = group.iter().map(|&p| placements[p].student).collect();
        let got = assign_by_flow(data, &students, &mainstream, &mut seats_left, reach, dist);
        for (&p, g) in group.iter().zip(got) {
            let pl = &mut placements[p];
            let prefix = if pl.reason.is_empty() {
                String::new()
            } else {
                format!("{}; ", pl.reason)
            };
            match g {
                Some((s, m)) => {
                    pl.placed = Some(s);
                    pl.distance = Some(m);
                    if mechanism == Mechanism::Zoned {
                        pl.outcome = Outcome::Overflow;
                        pl.reason = format!(
                            "{prefix}overflow placement (统筹) at {}, {:.1} km",
                            data.school(s).id,
                            m.km()
                        );
                        stats[s.ix()].overflow_in += 1;
                    } else {
                        pl.outcome = Outcome::Assigned;
                        pl.reason = format!("minimum total distance assignment, {:.1} km", m.km());
                    }
                }
                None => {
                    pl.outcome = Outcome::Unplaced;
                    pl.reason = format!(
                        "{prefix}unplaced: no {} school with seats left within {} km",
                        match grade {
                            Grade::One => "primary",
                            Grade::Seven => "junior",
                        },
                        max.km()
                    );
                }
            }
        }
        start = end;
    }

    // 5. severe disability: special schools by the same flow, tier order
    progress(Stage::SpecialEducation);
    let mut severe_sorted = severe.clone();
    severe_sorted.sort_by(|&a, &b| {
        let (pa, pb) = (&placements[a], &placements[b]);
        (pa.tier, pa.lottery)
            .partial_cmp(&(pb.tier, pb.lottery))
            .expect("finite")
    });
    let students: Vec<usize> = severe_sorted
        .iter()
        .map(|&p| placements[p].student)
        .collect();
    let got = assign_by_flow(data, &students, &special, &mut seats_left, reach, dist);
    for (&p, g) in severe_sorted.iter().zip(got) {
        let pl = &mut placements[p];
        match g {
            Some((s, m)) => {
                pl.placed = Some(s);
                pl.distance = Some(m);
                pl.outcome = Outcome::SpecialEd;
                pl.reason = format!(
                    "severe disability (一人一案); special-education school {}, {:.1} km",
                    data.school(s).id,
                    m.km()
                );
            }
            None => {
                pl.outcome = Outcome::HomeTeaching;
                pl.reason = format!(
                    "severe disability (一人一案); no special-education school with seats within {} km: home teaching (送教上门)",
                    max.km()
                );
            }
        }
    }

    // distances and per-school counts
    for pl in &mut placements {
        let st = &data.students[pl.student];
        if let Some(s) = pl.placed {
            if pl.distance.is_none() {
                pl.distance = dist.metres(data.home_point(st.home), data.school(s).location);
            }
            let c = &mut stats[s.ix()];
            c.admitted += 1;
            c.migrant += u32::from(st.migrant);
            c.left_behind += u32::from(st.left_behind);
            c.disability_mild += u32::from(st.disability == Disability::Mild);
            c.disability_severe += u32::from(st.disability == Disability::Severe);
        }
    }
    PlacementResult {
        mechanism,
        placements,
        schools: stats,
        zones,
        distance_source: dist.name(),
    }
}
