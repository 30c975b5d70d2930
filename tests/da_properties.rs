//! What matching theory guarantees of deferred acceptance, checked against
//! brute force on small random markets: the result is stable, it is the
//! student-optimal stable matching, and no applicant gains by misreporting.
//! And Boston equals DA when every first choice has room.

use proptest::prelude::*;
use sunshine::solve::da::{boston, deferred_acceptance};

#[derive(Debug, Clone)]
struct Market {
    capacity: Vec<u32>,
    prefs: Vec<Vec<u32>>,
    /// rank[s][i]: smaller is higher priority at school s
    rank: Vec<Vec<u64>>,
}

fn market(max_students: usize, max_schools: usize) -> impl Strategy<Value = Market> {
    (1..=max_students, 1..=max_schools).prop_flat_map(|(n, m)| {
        (
            prop::collection::vec(0u32..3, m),
            prop::collection::vec(
                Just((0..m as u32).collect::<Vec<u32>>())
                    .prop_shuffle()
                    .prop_flat_map(move |v| (Just(v), 0..=m)),
                n,
            ),
            prop::collection::vec(Just((0..n as u64).collect::<Vec<u64>>()).prop_shuffle(), m),
        )
            .prop_map(|(capacity, lists, rank)| Market {
                capacity,
                prefs: lists.into_iter().map(|(v, k)| v[..k].to_vec()).collect(),
                rank,
            })
    })
}

/// School of each student in a matching given as positions in lists.
fn schools_of(prefs: &[Vec<u32>], m: &[Option<usize>]) -> Vec<Option<u32>> {
    m.iter().zip(prefs).map(|(k, p)| k.map(|k| p[k])).collect()
}

/// How student i ranks school s (None = unacceptable); lower is better.
fn pos(prefs: &[Vec<u32>], i: usize, s: Option<u32>) -> usize {
    match s {
        None => usize::MAX,
        Some(s) => prefs[i].iter().position(|&x| x == s).unwrap_or(usize::MAX),
    }
}

fn is_stable(mk: &Market, assign: &[Option<u32>]) -> bool {
    for (i, list) in mk.prefs.iter().enumerate() {
        for &s in list {
            if pos(&mk.prefs, i, Some(s)) >= pos(&mk.prefs, i, assign[i]) {
                break; // only schools i prefers to its own
            }
            let holders: Vec<usize> = (0..assign.len())
                .filter(|&j| assign[j] == Some(s))
                .collect();
            if (holders.len() as u32) < mk.capacity[s as usize] {
                return false; // wasted seat
            }
            if holders
                .iter()
                .any(|&j| mk.rank[s as usize][j] > mk.rank[s as usize][i])
            {
                return false; // justified envy
            }
        }
    }
    true
}

/// Every matching respecting lists and capacities.
fn all_matchings(mk: &Market) -> Vec<Vec<Option<u32>>> {
    fn rec(
        mk: &Market,
        i: usize,
        cur: &mut Vec<Option<u32>>,
        used: &mut Vec<u32>,
        out: &mut Vec<Vec<Option<u32>>>,
    ) {
        if i == mk.prefs.len() {
            out.push(cur.clone());
            return;
        }
        cur.push(None);
        rec(mk, i + 1, cur, used, out);
        cur.pop();
        for &s in &mk.prefs[i] {
            if used[s as usize] < mk.capacity[s as usize] {
                used[s as usize] += 1;
                cur.push(Some(s));
                rec(mk, i + 1, cur, used, out);
                cur.pop();
                used[s as usize] -= 1;
            }
        }
    }
    let mut out = Vec::new();
    rec(
        mk,
        0,
        &mut Vec::new(),
        &mut vec![0; mk.capacity.len()],
        &mut out,
    );
    out
}

fn da(mk: &Market, prefs: &[Vec<u32>]) -> Vec<Option<u32>> {
    let m = deferred_acceptance(&mk.capacity, prefs, |i, s| mk.rank[s as usize][i]);
    schools_of(prefs, &m)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn da_is_the_student_optimal_stable_matching(mk in market(6, 4)) {
        let got = da(&mk, &mk.prefs);
        prop_assert!(is_stable(&mk, &got), "DA result {:?} has a blocking pair", got);
        let stable: Vec<_> = all_matchings(&mk).into_iter().filter(|m| is_stable(&mk, m)).collect();
        prop_assert!(stable.contains(&got));
        for other in &stable {
            for i in 0..got.len() {
                prop_assert!(pos(&mk.prefs, i, got[i]) <= pos(&mk.prefs, i, other[i]),
                    "student {} prefers {:?} in stable {:?} to DA's {:?}", i, other[i], other, got);
            }
        }
    }

    #[test]
    fn no_applicant_gains_by_misreporting(mk in market(4, 3)) {
        let truth = da(&mk, &mk.prefs);
        let m = mk.capacity.len() as u32;
        // every ordered list of distinct schools
        let mut lists: Vec<Vec<u32>> = vec![vec![]];
        let mut frontier = lists.clone();
        for _ in 0..m {
            let mut next = Vec::new();
            for l in &frontier {
                for s in 0..m {
                    if !l.contains(&s) {
                        let mut x = l.clone();
                        x.push(s);
                        next.push(x);
                    }
                }
            }
            lists.extend(next.iter().cloned());
            frontier = next;
        }
        for i in 0..mk.prefs.len() {
            for lie in &lists {
                let mut prefs = mk.prefs.clone();
                prefs[i] = lie.clone();
                let got = da(&mk, &prefs);
                prop_assert!(pos(&mk.prefs, i, got[i]) >= pos(&mk.prefs, i, truth[i]),
                    "student {} gains {:?} over {:?} by reporting {:?}", i, got[i], truth[i], lie);
            }
        }
    }

    #[test]
    fn boston_equals_da_when_first_choices_have_room(mk in market(8, 4)) {
        let mut mk = mk;
        // give every school room for all who list it first
        for s in 0..mk.capacity.len() {
            let first = mk.prefs.iter().filter(|p| p.first() == Some(&(s as u32))).count() as u32;
            mk.capacity[s] = mk.capacity[s].max(first);
        }
        let b = boston(&mk.capacity, &mk.prefs, |i, s| mk.rank[s as usize][i]);
        let d = deferred_acceptance(&mk.capacity, &mk.prefs, |i, s| mk.rank[s as usize][i]);
        prop_assert_eq!(&b, &d);
        prop_assert!(b.iter().zip(&mk.prefs).all(|(k, p)| p.is_empty() || *k == Some(0)));
    }
}

/// Boston is not strategy-proof: in the textbook market of the solver's
/// unit tests, i2 (index 1) gets s3 under Boston by telling the truth but
/// s2 by ranking it first.
#[test]
fn boston_rewards_misreporting_in_the_textbook_market() {
    let cap = [1, 1, 1];
    let rank = [[0u64, 2, 1], [1, 0, 2], [1, 0, 2]];
    let truth = vec![vec![1, 0, 2], vec![0, 1, 2], vec![0, 1, 2]];
    let mut lie = truth.clone();
    lie[1] = vec![1, 0, 2];
    let school = |prefs: &[Vec<u32>], m: &[Option<usize>], i: usize| m[i].map(|k| prefs[i][k]);
    let b_truth = boston(&cap, &truth, |i, s| rank[s as usize][i]);
    let b_lie = boston(&cap, &lie, |i, s| rank[s as usize][i]);
    assert_eq!(school(&truth, &b_truth, 1), Some(2));
    assert_eq!(school(&lie, &b_lie, 1), Some(1));
}
