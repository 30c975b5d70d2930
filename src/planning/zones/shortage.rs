//! Why seats are short: the blocks and schools of a Hall violation.
//!
//! Even with blocks split between schools, the applicants fit the seats
//! exactly when every set B of blocks has at least as many places at the
//! schools its blocks may join, N(B), as applicants: Σ_{b∈B} d_b ≤
//! Σ_{s∈N(B)} cap_s (Hall 1935, in the capacitated form of Gale 1957). When
//! they do not fit, the maximum flow from blocks to schools leaves
//! applicants unplaced, and the blocks reachable from an unplaced
//! applicant in the residual network, with the schools they reach, are the
//! source side of the smallest minimum cut (Ford & Fulkerson 1956): a set
//! of blocks whose candidate schools lie all inside the set's schools,
//! those schools full, and whose applicants exceed their places by exactly
//! the shortage. Every zoning leaves at least that many applicants over the
//! limits, and moving any of these blocks elsewhere is not allowed by the
//! candidates (the service radius), so the planner's fix is here: seats at
//! these schools, the zone slack, or the radius.

use super::Instance;
use crate::solve::transport::Transport;

/// A set of blocks whose applicants exceed the places of every school they
/// may join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortage {
    /// The blocks (ascending), each with applicants.
    pub blocks: Vec<usize>,
    /// The schools these blocks may join (ascending): all full.
    pub schools: Vec<usize>,
    /// Applicants of the blocks.
    pub applicants: u64,
    /// Places (zone limits) of the schools.
    pub limit: u64,
}

impl Shortage {
    /// Applicants beyond the places, the least any zoning leaves over.
    pub fn over(&self) -> u64 {
        self.applicants - self.limit
    }
}

/// The smallest set of blocks whose applicants exceed the places of the
/// schools they may join (roots only their own school), or `None` when
/// split blocks fit every school's limit.
pub fn shortage(inst: &Instance) -> Option<Shortage> {
    let mut own = vec![None; inst.blocks()];
    for (s, &r) in inst.root.iter().enumerate() {
        own[r] = Some(s);
    }
    let mut t = Transport::new(inst.capacity.iter().map(|&c| i64::from(c)).collect());
    // (block, school, lane) of every lane
    let mut lanes = Vec::new();
    for (b, &d) in inst.demand.iter().enumerate() {
        t.add_source(i64::from(d));
        if d == 0 {
            continue;
        }
        for &(s, _) in &inst.cands[b] {
            if own[b].is_none_or(|r| r == s) {
                lanes.push((b, s, t.add_lane(b, s, 0)));
            }
        }
    }
    // a unit left unplaced costs 1, a placed one nothing: the maximum flow
    let flow = t
        .unplaced_at(1)
        .solve()
        .expect("unplaced arcs make it feasible");
    if flow.unplaced.iter().all(|&u| u == 0) {
        return None;
    }
    // residual search from the blocks with unplaced applicants: a block
    // reaches every school it may join (lanes are unbounded), a school the
    // blocks that send it flow
    let mut school_lanes: Vec<Vec<usize>> = vec![Vec::new(); inst.schools()];
    let mut block_lanes: Vec<Vec<usize>> = vec![Vec::new(); inst.blocks()];
    for (i, &(b, s, _)) in lanes.iter().enumerate() {
        block_lanes[b].push(i);
        school_lanes[s].push(i);
    }
    let mut in_block = vec![false; inst.blocks()];
    let mut in_school = vec![false; inst.schools()];
    let mut stack: Vec<usize> = (0..inst.blocks())
        .filter(|&b| flow.unplaced[b] > 0)
        .collect();
    for &b in &stack {
        in_block[b] = true;
    }
    while let Some(b) = stack.pop() {
        for &i in &block_lanes[b] {
            let s = lanes[i].1;
            if std::mem::replace(&mut in_school[s], true) {
                continue;
            }
            for &j in &school_lanes[s] {
                let (c, _, lane) = lanes[j];
                if flow.flow[lane] > 0 && !std::mem::replace(&mut in_block[c], true) {
                    stack.push(c);
                }
            }
        }
    }
    let blocks: Vec<usize> = (0..inst.blocks()).filter(|&b| in_block[b]).collect();
    let schools: Vec<usize> = (0..inst.schools()).filter(|&s| in_school[s]).collect();
    let applicants = blocks.iter().map(|&b| u64::from(inst.demand[b])).sum();
    let limit = schools.iter().map(|&s| u64::from(inst.capacity[s])).sum();
    let out = Shortage {
        blocks,
        schools,
        applicants,
        limit,
    };
    let unplaced: i64 = flow.unplaced.iter().sum();
    // the min-cut theorem: the cut's deficit is the unplaced flow
    assert_eq!(
        i64::try_from(out.over()).ok(),
        Some(unplaced),
        "the reached set is a minimum cut"
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three blocks in a row; blocks 1 and 2 may only join school 1 (the
    /// service radius), which has 10 places for their 12 applicants;
    /// school 0 has room but is out of their reach.
    fn short() -> Instance {
        Instance {
            demand: vec![3, 5, 7],
            capacity: vec![20, 10],
            cands: vec![vec![(0, 100), (1, 900)], vec![(1, 200)], vec![(1, 100)]],
            previous: vec![None; 3],
            move_penalty: 0.0,
            neighbours: vec![vec![1], vec![0, 2], vec![1]].into(),
            root: vec![0, 2],
        }
    }

    #[test]
    fn names_the_blocks_that_can_only_join_a_full_school() {
        let s = shortage(&short()).unwrap();
        assert_eq!(s.blocks, vec![1, 2]);
        assert_eq!(s.schools, vec![1]);
        assert_eq!((s.applicants, s.limit, s.over()), (12, 10, 2));
    }

    #[test]
    fn a_block_with_another_school_in_reach_is_not_named() {
        // block 0 may join either school: with school 1 full it goes to 0,
        // so it is not part of the shortage, even when it prefers school 1
        let mut inst = short();
        inst.cands[0] = vec![(1, 100), (0, 900)];
        let s = shortage(&inst).unwrap();
        assert_eq!(s.blocks, vec![1, 2]);
        // enough places: nothing to name
        inst.capacity[1] = 12;
        assert_eq!(shortage(&inst), None);
    }

    #[test]
    fn a_chain_of_full_schools_is_named_whole() {
        // block 0 may join schools 0 and 1, block 1 only school 1, block 2
        // only school 0: 9 + 4 + 4 applicants for 6 + 6 places
        let inst = Instance {
            demand: vec![9, 4, 4],
            capacity: vec![6, 6],
            cands: vec![vec![(0, 100), (1, 100)], vec![(1, 100)], vec![(0, 100)]],
            previous: vec![None; 3],
            move_penalty: 0.0,
            neighbours: vec![vec![1, 2], vec![0], vec![0]].into(),
            root: vec![2, 1],
        };
        let s = shortage(&inst).unwrap();
        assert_eq!(s.blocks, vec![0, 1, 2]);
        assert_eq!(s.schools, vec![0, 1]);
        assert_eq!(s.over(), 5);
    }
}
