//! The zoning problem of a scenario: which blocks, which schools, how many
//! applicants, which schools each block may join, and the neighbour graph.

use rayon::prelude::*;

use super::cells::{cells, Cells, CellsError};
use super::Instance;
use crate::domain::model::*;
use crate::domain::scenario::{Radius, Scenario};
use crate::spatial::distance::{within_radius, DistanceSource, SchoolIndex};
use crate::spatial::geography::Boundary;

/// Zoning settings beyond the scenario's policy.
#[derive(Clone, Debug, Default)]
pub struct ZoneSettings {
    /// Last year's zone per dataset block, for the move penalty.
    pub previous: Option<Vec<Option<SchoolIx>>>,
    /// Neighbour pairs from `adjacency.csv`, replacing the Voronoi graph.
    pub adjacency: Option<Vec<(BlockIx, BlockIx)>>,
    /// Applicants per dataset block replacing this year's `students.csv`
    /// (`zones --year`: the forecast's entrants, [`super::projected`]).
    pub demand: Option<Vec<u32>>,
}

/// A scenario's zoning problem and how its indices map to the dataset.
pub struct Problem {
    pub instance: Instance,
    /// Dataset block of each problem block (all blocks, in dataset order).
    pub blocks: Vec<BlockIx>,
    /// Dataset school of each problem school.
    pub schools: Vec<SchoolIx>,
    pub cells: Cells,
    /// Per problem block: the schools within the service radius.
    pub within: Vec<Vec<usize>>,
    /// The service radius used.
    pub radius: Radius,
}

/// A zoning problem that cannot be built from the dataset: bad input
/// (exit code 2). The message says what was expected; [`BuildError::file`]
/// names the dataset file at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// No open mainstream school admits the scenario's entry grade.
    #[error("no open school admits grade {}; expected at least one open school of the grade to zone", .grade.number())]
    NoSchool { grade: Grade },
    /// Every school's zone needs a block of its own (its root).
    #[error("{blocks} blocks for {schools} schools; expected at least one block per school")]
    TooFewBlocks { blocks: usize, schools: usize },
    /// The blocks cannot be drawn as cells (the neighbour graph).
    #[error(transparent)]
    Cells(#[from] CellsError),
}

impl BuildError {
    /// The file of the dataset folder at fault.
    pub fn file(&self) -> &'static str {
        match self {
            BuildError::NoSchool { .. } => "schools.csv",
            BuildError::TooFewBlocks { .. } | BuildError::Cells(_) => "blocks.csv",
        }
    }
}

/// Build the zoning problem of `scenario` for its entry grade.
///
/// - Demand: the grade's applicants per block (severe disability excluded:
///   they go to special schools); geocoded applicants without a block are
///   placed by distance, not by zone. [`ZoneSettings::demand`], when given,
///   replaces them (projected applicants).
/// - Capacity: ⌊entry seats × (1 + `zone_slack`)⌋ of open mainstream schools.
/// - Candidates: a block with a school within the service radius may only
///   join such schools; otherwise its `candidates` nearest within
///   `overflow_max_km`, or at least its nearest school.
/// - Root: each school's zone holds the block nearest to the school (when
///   two schools share a nearest block, the nearer school keeps it and the
///   other takes its next nearest free block).
pub fn build(
    data: &Dataset,
    scenario: &Scenario,
    boundary: Option<&Boundary>,
    settings: &ZoneSettings,
    dist: &dyn DistanceSource,
) -> Result<Problem, BuildError> {
    let grade = scenario.grade;
    let policy = &scenario.policy;
    let schools = data.mainstream_schools(grade);
    check_sizes(data, grade, &schools)?;
    let blocks: Vec<BlockIx> = (0..data.blocks.len()).map(BlockIx::from_ix).collect();
    let mut local = vec![usize::MAX; data.schools.len()];
    for (i, s) in schools.iter().enumerate() {
        local[s.ix()] = i;
    }
    let demand = match &settings.demand {
        Some(d) => {
            assert_eq!(d.len(), data.blocks.len(), "one count per dataset block");
            d.clone()
        }
        None => block_demand(data, grade),
    };
    let capacity: Vec<u32> = schools
        .iter()
        .map(|&s| {
            (f64::from(data.school(s).entry_seats.0) * (1.0 + policy.zone_slack)).floor() as u32
        })
        .collect();
    let radius = policy.service_radius(grade);
    let Reach { mut cands, within } = candidates(data, scenario, &schools, &local, dist);
    let root = roots(data, &schools, dist);
    // a school's root block may always join it
    for (i, &b) in root.iter().enumerate() {
        if !cands[b].iter().any(|c| c.0 == i) {
            let m = dist
                .metres(
                    data.block(blocks[b]).location,
                    data.school(schools[i]).location,
                )
                .map(|m| m.0)
                .unwrap_or(u32::MAX / 4);
            cands[b].push((i, m));
            cands[b].sort_by_key(|&(s, m)| (m, s));
        }
    }
    let points: Vec<geo::Point<f64>> = blocks.iter().map(|&b| data.block(b).location).collect();
    let cells = cells(&points, boundary.map(|b| b.shape()))?;
    let neighbours = match &settings.adjacency {
        Some(pairs) => listed_neighbours(pairs, blocks.len()),
        None => cells.neighbours.clone(),
    };
    let previous: Vec<Option<usize>> = match &settings.previous {
        Some(p) => blocks
            .iter()
            .map(|b| {
                p[b.ix()]
                    .map(|s| local[s.ix()])
                    .filter(|&l| l != usize::MAX)
            })
            .collect(),
        None => vec![None; blocks.len()],
    };
    Ok(Problem {
        instance: Instance {
            demand,
            capacity,
            cands,
            previous,
            move_penalty: policy.zone_move_penalty,
            neighbours,
            root,
        },
        blocks,
        schools,
        cells,
        within,
        radius,
    })
}

/// Zoning needs an open school of the grade, and a block for each school
/// (every zone holds its root block).
fn check_sizes(data: &Dataset, grade: Grade, schools: &[SchoolIx]) -> Result<(), BuildError> {
    if schools.is_empty() {
        return Err(BuildError::NoSchool { grade });
    }
    if data.blocks.len() < schools.len() {
        return Err(BuildError::TooFewBlocks {
            blocks: data.blocks.len(),
            schools: schools.len(),
        });
    }
    Ok(())
}

/// The grade's applicants per dataset block, severe disability excluded
/// (they go to special schools); geocoded applicants have no block.
fn block_demand(data: &Dataset, grade: Grade) -> Vec<u32> {
    let mut demand = vec![0u32; data.blocks.len()];
    for st in &data.students {
        if let (Home::Block(b), true, false) = (
            st.home,
            st.entry_grade == grade,
            st.disability == Disability::Severe,
        ) {
            demand[b.ix()] += 1;
        }
    }
    demand
}

/// What each block can reach, by problem block.
struct Reach {
    /// The problem schools it may join, with their distances in metres,
    /// nearest first.
    cands: Vec<Vec<(usize, u32)>>,
    /// The problem schools within the service radius.
    within: Vec<Vec<usize>>,
}

/// Per block, the problem schools it may join with their distances in
/// metres (nearest first), and the schools within the service radius: a
/// block with any may only join those; otherwise its `candidates` nearest
/// within `overflow_max_km`, or at least its nearest school. `local` maps a
/// dataset school to its problem index.
fn candidates(
    data: &Dataset,
    scenario: &Scenario,
    schools: &[SchoolIx],
    local: &[usize],
    dist: &dyn DistanceSource,
) -> Reach {
    let policy = &scenario.policy;
    let radius = policy.service_radius(scenario.grade);
    let reach = Metres::from_km(policy.overflow_max_km);
    let index = SchoolIndex::new(schools.iter().map(|&s| (s, data.school(s).location)));
    let found: Vec<(Vec<(usize, u32)>, bool)> = data
        .blocks
        .par_iter()
        .map(|block| {
            let home = block.location;
            let to_local = |v: Vec<(SchoolIx, Metres)>| -> Vec<(usize, u32)> {
                v.into_iter().map(|(s, m)| (local[s.ix()], m.0)).collect()
            };
            let near: Vec<(SchoolIx, Metres)> = match radius {
                Radius::Km(km) => index.nearest(home, schools.len(), Metres::from_km(km), dist),
                // by travel time: among the schools the road table holds
                Radius::Minutes(_) => index
                    .nearest(home, (2 * policy.candidates).max(30), reach, dist)
                    .into_iter()
                    .filter(|&(s, _)| within_radius(dist, home, data.school(s).location, radius))
                    .collect(),
            };
            if !near.is_empty() {
                return (to_local(near), true);
            }
            let mut far = index.nearest(home, policy.candidates.max(1), reach, dist);
            if far.is_empty() {
                far = index.nearest(home, schools.len(), Metres(u32::MAX), dist);
                far.truncate(1);
            }
            (to_local(far), false)
        })
        .collect();
    let (cands, in_radius): (Vec<_>, Vec<_>) = found.into_iter().unzip();
    // per block, the schools within the radius (its candidates, when any is)
    let within: Vec<Vec<usize>> = cands
        .iter()
        .zip(&in_radius)
        .map(|(c, &w)| {
            if w {
                c.iter().map(|e| e.0).collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    Reach { cands, within }
}

/// Each problem school's root block: the block nearest to it; when two
/// schools share a nearest block, the nearer school keeps it and the other
/// takes its next nearest free block.
fn roots(data: &Dataset, schools: &[SchoolIx], dist: &dyn DistanceSource) -> Vec<usize> {
    let mut nearest: Vec<(u32, usize, usize)> = schools
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let p = data.school(s).location;
            let (b, m) = nearest_block(data, p, None, dist);
            (m, i, b)
        })
        .collect();
    nearest.sort();
    let mut root = vec![usize::MAX; schools.len()];
    let mut taken = vec![false; data.blocks.len()];
    for &(_, i, b) in &nearest {
        let b = if taken[b] {
            nearest_block(data, data.school(schools[i]).location, Some(&taken), dist).0
        } else {
            b
        };
        taken[b] = true;
        root[i] = b;
    }
    root
}

/// The neighbour graph of `adjacency.csv`'s pairs, as the planner listed
/// them: one node per block.
fn listed_neighbours(pairs: &[(BlockIx, BlockIx)], blocks: usize) -> super::Graph {
    let mut n: Vec<Vec<usize>> = vec![Vec::new(); blocks];
    for &(a, b) in pairs {
        if a != b {
            n[a.ix()].push(b.ix());
            n[b.ix()].push(a.ix());
        }
    }
    super::Graph::from_lists(n)
}

/// The block nearest to `p` (ties by index), skipping `taken` ones.
fn nearest_block(
    data: &Dataset,
    p: geo::Point<f64>,
    taken: Option<&[bool]>,
    dist: &dyn DistanceSource,
) -> (usize, u32) {
    data.blocks
        .iter()
        .enumerate()
        .filter(|(i, _)| taken.is_none_or(|t| !t[*i]))
        .map(|(i, b)| {
            (
                i,
                dist.metres(b.location, p).map(|m| m.0).unwrap_or(u32::MAX),
            )
        })
        .min_by_key(|&(i, m)| (m, i))
        .expect("more blocks than schools")
}
