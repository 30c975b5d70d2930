//! Admission odds on the Longtan demo: stable under more draws,
//! independent of the thread count, and consistent with single placements.

use std::path::PathBuf;
mod common;

use sunshine::domain::model::{Disability, Home};
use sunshine::rules::odds::{draw_seed, odds};
use sunshine::rules::place::{place, Mechanism, TieBreak};
use sunshine::spatial::distance::GreatCircle;

fn scenario() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/longtan-2025.toml")
}

#[test]
fn a_thousand_draws_agree_with_ten_thousand() {
    let input = sunshine::io::load(&scenario(), None).unwrap();
    for mechanism in [
        Mechanism::Zoned,
        Mechanism::DeferredAcceptance(TieBreak::Single),
    ] {
        let a = odds(
            &input.data,
            &input.scenario,
            mechanism,
            &GreatCircle,
            1_000,
            &|_| {},
        );
        let b = odds(
            &input.data,
            &input.scenario,
            mechanism,
            &GreatCircle,
            10_000,
            &|_| {},
        );
        let key = |o: &sunshine::rules::odds::BlockOdds| (o.block, o.tier, o.school);
        let mut worst = 0.0f64;
        for x in &b.blocks {
            let p = a
                .blocks
                .iter()
                .find(|y| key(y) == key(x))
                .map_or(0.0, |y| y.probability);
            worst = worst.max((p - x.probability).abs());
        }
        assert!(worst <= 0.03, "{mechanism:?}: largest difference {worst}");
        // some probabilities are strictly between 0 and 1: the lottery matters
        assert!(b
            .blocks
            .iter()
            .any(|x| x.probability > 0.05 && x.probability < 0.95));
        // probabilities of each (block, tier) sum to 1
        let mut sums = std::collections::BTreeMap::new();
        for x in &b.blocks {
            *sums.entry((x.block, x.tier)).or_insert(0.0) += x.probability;
        }
        assert!(sums.values().all(|s: &f64| (s - 1.0).abs() < 1e-9));
    }
}

/// With one draw, choice odds are that draw's placement: draw 0 is the
/// placement run with the seed `draw_seed(seed, 0)`.
#[test]
fn a_draw_repeats_the_placement_with_its_seed() {
    let input = sunshine::io::load(&scenario(), None).unwrap();
    let mechanism = Mechanism::DeferredAcceptance(TieBreak::Single);
    let mut sc = input.scenario.clone();
    let one = odds(&input.data, &sc, mechanism, &GreatCircle, 1, &|_| {});
    let (seed, mirrored) = draw_seed(input.scenario.policy.lottery_seed, 0);
    assert!(!mirrored);
    sc.policy.lottery_seed = seed;
    let r = place(&input.data, &sc, mechanism, &GreatCircle);
    for o in &one.blocks {
        let members: Vec<_> = r
            .placements
            .iter()
            .filter(|p| {
                matches!(input.data.students[p.student].home, Home::Block(b) if b == o.block)
                    && p.tier == o.tier
                    && input.data.students[p.student].disability != Disability::Severe
            })
            .collect();
        let n = members
            .iter()
            .filter(|p| match o.school {
                Some(_) => p.outcome.admitted_by_mechanism() && p.placed == o.school,
                None => !p.outcome.admitted_by_mechanism(),
            })
            .count();
        assert_eq!(n as f64 / members.len() as f64, o.probability, "{o:?}");
    }
}

/// Under zone admission the odds are exact (tiers above the drawn one are
/// admitted, the drawn tier with probability seats / applicants, lower tiers
/// not). Checked independently of `odds`: place the district with 300
/// different lottery seeds and count, per (block, tier), how often its
/// applicants were admitted. Each frequency must be within 5 standard
/// errors of the exact probability, and exactly it where that is 0 or 1.
#[test]
fn zone_odds_match_repeated_placements() {
    const RUNS: u64 = 300;
    let input = sunshine::io::load(&scenario(), None).unwrap();
    let o = odds(
        &input.data,
        &input.scenario,
        Mechanism::Zoned,
        &GreatCircle,
        2,
        &|_| {},
    );
    // (block, tier) → applicants over all runs; (block, tier, school or
    // None = not admitted by zone) → how many
    let mut applicants = std::collections::HashMap::new();
    let mut outcomes = std::collections::HashMap::new();
    for seed in 0..RUNS {
        let mut sc = input.scenario.clone();
        sc.policy.lottery_seed = 1_000 + seed;
        let r = place(&input.data, &sc, Mechanism::Zoned, &GreatCircle);
        for p in &r.placements {
            let s = &input.data.students[p.student];
            let Home::Block(b) = s.home else { continue };
            if s.disability == Disability::Severe {
                continue;
            }
            *applicants.entry((b, p.tier)).or_insert(0u64) += 1;
            let school = p.placed.filter(|_| p.outcome.admitted_by_mechanism());
            *outcomes.entry((b, p.tier, school)).or_insert(0u64) += 1;
        }
    }
    let (mut fractional, mut checked) = (0, 0);
    for b in &o.blocks {
        let n = applicants[&(b.block, b.tier)];
        let k = outcomes
            .get(&(b.block, b.tier, b.school))
            .copied()
            .unwrap_or(0);
        let got = k as f64 / n as f64;
        let want = b.probability;
        if want == 0.0 || want == 1.0 {
            assert_eq!(got, want, "{b:?}: {k} of {n} placements");
        } else {
            fractional += 1;
            let se = (want * (1.0 - want) / n as f64).sqrt();
            assert!(
                (got - want).abs() <= 5.0 * se,
                "{b:?}: {k} of {n} placements ({got:.4}), exact {want:.4}"
            );
        }
        checked += 1;
    }
    assert!(checked > 100, "only {checked} (block, tier) pairs checked");
    assert!(
        fractional > 10,
        "only {fractional} pairs with a real lottery"
    );
}

#[test]
fn odds_files_do_not_depend_on_threads() {
    let run = |threads: &str| {
        let dir = tempfile::tempdir().unwrap();
        let o = common::command()
            .args([
                "odds",
                scenario().to_str().unwrap(),
                "--draws",
                "200",
                "--threads",
                threads,
                "--out",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let a = std::fs::read(dir.path().join("odds.csv")).unwrap();
        let b = std::fs::read(dir.path().join("cutoffs.csv")).unwrap();
        (a, b)
    };
    assert!(run("1") == run("2"));
}
