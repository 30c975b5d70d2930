//! Admission odds (录取概率 / 学位预警 before applications open): run the
//! lottery many times and count who is admitted where.
//!
//! Draws come in antithetic pairs (a standard variance reduction): draws
//! `2k` and `2k + 1` use the lottery seed `Draws::sub(seed, k).next_u64()`
//! (see [`crate::solve::lottery`]), the second with every number `u`
//! replaced by `1 - u`, which reverses the order of the draw. Each draw is a
//! fair lottery on its own and can be repeated; the result does not depend
//! on how draws are spread over threads.
//! Only the stages the lottery decides are repeated (zone admission and
//! choice); overflow placement is not, so "not admitted" means "sent to
//! overflow placement (统筹)".
//!
//! Zone admission at a one-school zone is counted by its conditional
//! expectation (Rao–Blackwell): the seats `r` left for the tier that is
//! drawn and its `n` applicants do not depend on the lottery, so each of
//! them is admitted with probability exactly `r / n`; only choice among
//! several schools (多校划片, deferred acceptance, Boston) is estimated by
//! counting draws.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::domain::model::*;
use crate::domain::scenario::Scenario;
use crate::domain::stats::quantile;
use crate::rules::place::{self, Mechanism, Reach};
use crate::solve::lottery::Draws;
use crate::spatial::distance::DistanceSource;

/// Probability of admission for one (block, tier, school).
#[derive(Clone, Debug, PartialEq)]
pub struct BlockOdds {
    pub block: BlockIx,
    pub tier: Tier,
    /// Applicants of this block and tier.
    pub applicants: u32,
    /// `None`: not admitted by zone or choice (overflow placement).
    pub school: Option<SchoolIx>,
    pub probability: f64,
}

/// The distribution of a school's lottery cut-off over the draws, as a
/// priority score `tier - 1 + number` (tier 2 at number 0.734 is 1.734):
/// lower means harder to get in.
#[derive(Clone, Debug, PartialEq)]
pub struct CutoffStats {
    pub school: SchoolIx,
    /// Draws in which the school held a lottery.
    pub draws_with_lottery: usize,
    /// The tier drawn most often.
    pub modal_tier: Option<Tier>,
    pub mean: f64,
    /// 2.5% and 97.5% quantiles of the score over draws with a lottery.
    pub low: f64,
    pub high: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Odds {
    pub draws: usize,
    /// The distance source's name, for the outputs.
    pub distance_source: String,
    pub blocks: Vec<BlockOdds>,
    pub cutoffs: Vec<CutoffStats>,
}

/// The lottery seed of draw `d` under the scenario's published seed, and
/// whether the draw is the mirrored (`1 - u`) half of its pair.
pub fn draw_seed(seed: u64, d: usize) -> (u64, bool) {
    (Draws::sub(seed, (d / 2) as u64).next_u64(), d % 2 == 1)
}

/// The lottery of draw `d`.
pub fn draw_for(prep: &place::Prepared, seed: u64, d: usize) -> place::Draw {
    let (s, mirrored) = draw_seed(seed, d);
    let mut draw = place::draw_lottery(prep, s);
    if mirrored {
        for u in &mut draw.single {
            *u = 1.0 - *u;
        }
        for list in draw.multiple.iter_mut().flatten() {
            for u in list {
                *u = 1.0 - *u;
            }
        }
        for u in draw.private.iter_mut().flatten().chain(&mut draw.feeder) {
            *u = 1.0 - *u;
        }
    }
    draw
}

/// Per draw: for each applicant the school it was admitted to by zone or
/// choice and the probability of that given the draw (below 1 only for the
/// drawn tier of a one-school zone), and each school's cut-off score.
struct DrawResult {
    admitted: Vec<(Option<u32>, f64)>,
    cutoff: Vec<Option<(u8, f64)>>,
}

/// The most draws `odds` runs: far beyond what the odds need (the standard
/// error of a probability is below 0.002 at 100,000 draws), and a bound on
/// its time and memory.
pub const MAX_DRAWS: usize = 100_000;

/// Draws run at once (in parallel) before their outcomes are counted: the
/// memory of the per-draw results is bounded by this, whatever `draws` is.
const CHUNK: usize = 1024;

/// Run `draws` lotteries of the scenario (in parallel, [`CHUNK`] at a time)
/// and count outcomes. Counting goes in draw order, so the result does not
/// depend on the threads. `progress` is called after each draw with the
/// number done so far (order varies with threads; the result does not).
pub fn odds(
    data: &Dataset,
    scenario: &Scenario,
    mechanism: Mechanism,
    dist: &dyn DistanceSource,
    draws: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Odds {
    let reach = Reach {
        candidates: scenario.policy.candidates,
        max: Metres::from_km(scenario.policy.overflow_max_km),
    };
    let prep = place::admission_stage(data, scenario, mechanism, reach, dist);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let run = |d: usize| -> DrawResult {
        let r = run_draw(data, scenario, &prep, d);
        progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
        r
    };
    let groups = block_groups(data, &prep);
    let mut tally = Tally::new(groups.len(), data.schools.len());
    let mut start = 0;
    while start < draws {
        let end = draws.min(start + CHUNK);
        let results: Vec<DrawResult> = (start..end).into_par_iter().map(run).collect();
        tally.add(&groups, &results);
        start = end;
    }
    Odds {
        distance_source: dist.name(),
        draws,
        blocks: block_odds(&groups, tally.counts, draws),
        cutoffs: cutoff_stats(tally.scores, tally.tiers),
    }
}

/// Draw `d`: the lottery stages (zone admission and choice) under its
/// numbers, without overflow placement.
fn run_draw(data: &Dataset, scenario: &Scenario, prep: &place::Prepared, d: usize) -> DrawResult {
    let draw = draw_for(prep, scenario.policy.lottery_seed, d);
    let mut placements = place::initial_placements(prep, &draw);
    let mut stats = place::empty_stats(data, scenario);
    let mut seats = prep.seats.clone();
    place::admit(data, prep, &draw, &mut placements, &mut stats, &mut seats);
    DrawResult {
        admitted: admitted(prep, &placements, &stats),
        cutoff: stats
            .iter()
            .map(|s| s.lottery_cutoff.map(|(t, n)| (t.0, n)))
            .collect(),
    }
}

/// For each applicant of a draw, the school admitting it by zone or
/// choice and the probability of that given the draw: `r / n` for the
/// drawn tier of a one-school zone (Rao–Blackwell, see the module), else 1.
fn admitted(
    prep: &place::Prepared,
    placements: &[place::Placement],
    stats: &[place::SchoolStats],
) -> Vec<(Option<u32>, f64)> {
    placements
        .iter()
        .enumerate()
        .map(|(a, p)| {
            // a one-school zone applicant in the drawn tier: r / n
            // (only those who entered the zone school's draw: not a
            // private school's or a feeder route's, nor sent on by a fallback)
            let drawn = p
                .zone_school
                .filter(|_| {
                    prep.lists[a].is_empty()
                        && matches!(
                            p.explanation.admission,
                            Some(place::Admission::ZoneLottery { .. })
                        )
                })
                .and_then(|z| {
                    stats[z.ix()]
                        .zone_draw
                        .filter(|d| d.tier == p.tier)
                        .map(|d| (z.0, f64::from(d.seats) / f64::from(d.applicants)))
                });
            match drawn {
                Some((z, prob)) => (Some(z), prob),
                None => (
                    p.placed
                        .filter(|_| p.outcome.admitted_by_mechanism())
                        .map(|s| s.0),
                    1.0,
                ),
            }
        })
        .collect()
}

/// The (block, tier) groups of applicants placed by block (geocoded ones
/// and severe disability are not in block odds), as applicant indices.
fn block_groups(data: &Dataset, prep: &place::Prepared) -> BTreeMap<(u32, u8), Vec<usize>> {
    let mut groups: BTreeMap<(u32, u8), Vec<usize>> = BTreeMap::new();
    for (a, &i) in prep.in_scope.iter().enumerate() {
        let st = &data.students[i];
        if let (Home::Block(b), false) = (st.home, prep.severe[a]) {
            groups.entry((b.0, prep.tier[a].0)).or_default().push(a);
        }
    }
    groups
}

/// The outcomes counted so far, in draw order.
struct Tally {
    /// Per group: admissions per school (`None`: overflow), summed.
    counts: Vec<BTreeMap<Option<u32>, f64>>,
    /// Per school: its cut-off score in each draw with a lottery.
    scores: Vec<Vec<f64>>,
    /// Per school: the draws of each tier drawn.
    tiers: Vec<BTreeMap<u8, usize>>,
}

impl Tally {
    fn new(groups: usize, schools: usize) -> Tally {
        Tally {
            counts: vec![BTreeMap::new(); groups],
            scores: vec![Vec::new(); schools],
            tiers: vec![BTreeMap::new(); schools],
        }
    }

    /// Count a chunk of draws, in their order.
    fn add(&mut self, groups: &BTreeMap<(u32, u8), Vec<usize>>, results: &[DrawResult]) {
        for (members, counts) in groups.values().zip(&mut self.counts) {
            for r in results {
                for &a in members {
                    let (school, p) = r.admitted[a];
                    *counts.entry(school).or_default() += p;
                    if p < 1.0 {
                        *counts.entry(None).or_default() += 1.0 - p;
                    }
                }
            }
        }
        for r in results {
            for (s, c) in r.cutoff.iter().enumerate() {
                if let Some((t, n)) = *c {
                    self.scores[s].push(f64::from(t - 1) + n);
                    *self.tiers[s].entry(t).or_default() += 1;
                }
            }
        }
    }
}

/// The probability of each outcome of each (block, tier) group: its count
/// over the group's applicants × draws.
fn block_odds(
    groups: &BTreeMap<(u32, u8), Vec<usize>>,
    counts: Vec<BTreeMap<Option<u32>, f64>>,
    draws: usize,
) -> Vec<BlockOdds> {
    let mut blocks = Vec::new();
    for ((&(b, t), members), counts) in groups.iter().zip(counts) {
        let total = (members.len() * draws.max(1)) as f64;
        for (school, n) in counts {
            blocks.push(BlockOdds {
                block: BlockIx(b),
                tier: Tier(t),
                applicants: members.len() as u32,
                school: school.map(SchoolIx),
                probability: n / total,
            });
        }
    }
    blocks
}

/// The cut-off distribution of each school that held a lottery in some
/// draw.
fn cutoff_stats(scores: Vec<Vec<f64>>, tiers: Vec<BTreeMap<u8, usize>>) -> Vec<CutoffStats> {
    let mut cutoffs = Vec::new();
    for (s, (mut scores, tiers)) in scores.into_iter().zip(tiers).enumerate() {
        if scores.is_empty() {
            continue;
        }
        scores.sort_by(f64::total_cmp);
        let q = |p: f64| quantile(&scores, p).expect("scores are not empty");
        let modal = tiers
            .iter()
            .max_by_key(|&(t, n)| (*n, std::cmp::Reverse(*t)))
            .map(|(&t, _)| Tier(t));
        cutoffs.push(CutoffStats {
            school: SchoolIx::from_ix(s),
            draws_with_lottery: scores.len(),
            modal_tier: modal,
            mean: scores.iter().sum::<f64>() / scores.len() as f64,
            low: q(0.025),
            high: q(0.975),
        });
    }
    cutoffs
}
