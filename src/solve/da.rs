//! Matching with priorities: student-proposing deferred acceptance and the
//! Boston (immediate acceptance) mechanism.
//!
//! Deferred acceptance (Gale and Shapley, "College admissions and the
//! stability of marriage", 1962) as applied to school choice by
//! Abdulkadiroğlu and Sönmez ("School choice: a mechanism design approach",
//! 2003): every unmatched applicant proposes to the next school on its list;
//! a school holds the best applicants by priority up to its capacity and
//! rejects the rest; holds are tentative until no one is rejected. The
//! result is the student-optimal stable matching, and no applicant gains by
//! misreporting preferences. The Boston mechanism makes every acceptance
//! final in the round it happens, so a first choice counts more than
//! priority; it is neither stable nor strategy-proof, and is here for
//! comparison because some districts still run it.
//!
//! Priorities are given as a key per (applicant, school): smaller is
//! better; equal keys are ordered by applicant index.
//!
//! ```
//! use sunshine::solve::da::deferred_acceptance;
//! // one seat at school 0; applicant 1 has the better key there
//! let prefs = vec![vec![0, 1], vec![0]];
//! let m = deferred_acceptance(&[1, 1], &prefs, |i, _s| if i == 1 { 0 } else { 1 });
//! assert_eq!(m, vec![Some(1), Some(0)]); // applicant 0 gets its 2nd choice
//! ```

use std::collections::BinaryHeap;

/// The position in each applicant's list of the school it is matched to.
pub type Matching = Vec<Option<usize>>;

/// Student-proposing deferred acceptance. `prefs[i]` lists applicant `i`'s
/// schools, most wanted first; `capacity[s]` is school `s`'s seats.
pub fn deferred_acceptance<K: Ord + Copy>(
    capacity: &[u32],
    prefs: &[Vec<u32>],
    key: impl Fn(usize, u32) -> K,
) -> Matching {
    let mut held: Vec<BinaryHeap<(K, u32)>> = capacity.iter().map(|_| BinaryHeap::new()).collect();
    let mut next = vec![0usize; prefs.len()];
    let mut free: Vec<u32> = (0..prefs.len() as u32).rev().collect();
    while let Some(i) = free.pop() {
        let list = &prefs[i as usize];
        let at = next[i as usize];
        if at >= list.len() {
            continue; // list exhausted: unmatched
        }
        next[i as usize] += 1;
        let s = list[at] as usize;
        let cap = capacity[s] as usize;
        if cap == 0 {
            free.push(i);
            continue;
        }
        let k = (key(i as usize, s as u32), i);
        let h = &mut held[s];
        if h.len() < cap {
            h.push(k);
        } else if k < *h.peek().expect("full heap") {
            let (_, worst) = h.pop().expect("full heap");
            h.push(k);
            free.push(worst);
        } else {
            free.push(i);
        }
    }
    let mut out = vec![None; prefs.len()];
    for h in &held {
        for &(_, i) in h.iter() {
            out[i as usize] = Some(next[i as usize] - 1);
        }
    }
    out
}

/// The Boston mechanism (immediate acceptance): in round k every unmatched
/// applicant applies to its k-th school; each school accepts, for good, the
/// best of that round's applicants up to its remaining seats.
pub fn boston<K: Ord + Copy>(
    capacity: &[u32],
    prefs: &[Vec<u32>],
    key: impl Fn(usize, u32) -> K,
) -> Matching {
    let mut left: Vec<u32> = capacity.to_vec();
    let mut out: Matching = vec![None; prefs.len()];
    let rounds = prefs.iter().map(Vec::len).max().unwrap_or(0);
    let mut applying: Vec<(u32, K, u32)> = Vec::new();
    for k in 0..rounds {
        applying.clear();
        for (i, list) in prefs.iter().enumerate() {
            if out[i].is_none() && k < list.len() {
                let s = list[k];
                applying.push((s, key(i, s), i as u32));
            }
        }
        applying.sort_unstable();
        for &(s, _, i) in &applying {
            if left[s as usize] > 0 {
                left[s as usize] -= 1;
                out[i as usize] = Some(k);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three-applicant example with which Abdulkadiroğlu and Sönmez
    /// (2003, section 5) show that the student-optimal stable matching can
    /// be Pareto-dominated: one seat each; priorities s1: i1 > i3 > i2,
    /// s2: i2 > i1 > i3, s3: i2 > i1 > i3; preferences i1: s2 s1 s3,
    /// i2: s1 s2 s3, i3: s1 s2 s3. DA (worked by hand): i1–s1, i2–s2, i3–s3.
    /// Boston: i1–s2 and i3–s1 in round 1, then i2–s3.
    fn textbook() -> (Vec<u32>, Vec<Vec<u32>>, [[u64; 3]; 3]) {
        let prefs = vec![vec![1, 0, 2], vec![0, 1, 2], vec![0, 1, 2]];
        // rank[s][i]
        let rank = [[0, 2, 1], [1, 0, 2], [1, 0, 2]];
        (vec![1, 1, 1], prefs, rank)
    }

    #[test]
    fn textbook_deferred_acceptance() {
        let (cap, prefs, rank) = textbook();
        let m = deferred_acceptance(&cap, &prefs, |i, s| rank[s as usize][i]);
        let school = |i: usize| m[i].map(|k| prefs[i][k]);
        assert_eq!(
            [school(0), school(1), school(2)],
            [Some(0), Some(1), Some(2)]
        );
    }

    #[test]
    fn textbook_boston() {
        let (cap, prefs, rank) = textbook();
        let m = boston(&cap, &prefs, |i, s| rank[s as usize][i]);
        let school = |i: usize| m[i].map(|k| prefs[i][k]);
        assert_eq!(
            [school(0), school(1), school(2)],
            [Some(1), Some(2), Some(0)]
        );
    }

    #[test]
    fn zero_capacity_and_empty_lists() {
        let m = deferred_acceptance(&[0, 2], &[vec![0, 1], vec![], vec![0]], |_, _| 0);
        assert_eq!(m, vec![Some(1), None, None]);
    }
}
