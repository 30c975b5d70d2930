//! Placement benchmarks (divan; medians are what README.md quotes):
//! - `simplex_20k_500_15`: the network simplex on 20,000 homes × 500 schools
//!   with 15 nearest candidates each (320,500 arcs);
//! - `lp_20k_500_15`: the same instance as an LP through good_lp, the
//!   reference for the ratio (run with `--features highs` for HiGHS; with
//!   microlp it is skipped, as it takes many minutes);
//! - `place_zoned_1m`: `place` end to end on a 1,000,000-applicant,
//!   2,000-school synthetic district (data in memory; reading and checking
//!   the files is the `validate` bench);
//! - `place_zoned_1m_rules`: the same placement with the full rule set of
//!   issue 14 (`synth::benchmark_rules`: six categories with conditions,
//!   sub-tables, two date keys, points, reserved seats, a seat lock, twins
//!   together) on the same district given the columns those rules read
//!   (`synth::with_rule_columns`); its time over `place_zoned_1m`'s, read
//!   from one run, is the cost of the rules (issue 14: under 2×);
//! - `place_zoned_1m_rules_all_overflow`: the same without `accept_overflow
//!   = false` (no applicant `declined`), so every applicant not admitted at
//!   its zone school goes to 统筹 as with the default rules: the rules' cost
//!   without the overflow work that declining saves.
//!
//! - `lottery_1m_v1` / `lottery_1m_v2`: the single lottery numbers of
//!   1,000,000 applicants by `sunshine-lottery-v1` (sort by id, one
//!   ChaCha20 stream) and by `sunshine-lottery-v2` (one HMAC-SHA256 per
//!   id, issue 17): the price of a draw that a withdrawal cannot change.
//!
//! `cargo bench --bench place` (add `--features highs` for the LP).

use sunshine::domain::model::Grade;
use sunshine::domain::scenario::Scenario;
use sunshine::rules::place::{place, Mechanism};
use sunshine::spatial::distance::GreatCircle;
use sunshine::synth;

fn main() {
    divan::main();
}

/// 1,000,000 applicant ids as a district numbers them.
fn million_ids() -> Vec<String> {
    (0..1_000_000u32)
        .map(|i| format!("{:07}", 1_000_000 + i))
        .collect()
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn lottery_1m_v1(bencher: divan::Bencher) {
    let ids = million_ids();
    bencher.bench(|| {
        sunshine::solve::lottery::single_numbers(
            sunshine::solve::lottery::LotteryAlgorithm::V1,
            20250715,
            &ids,
        )
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn lottery_1m_v2(bencher: divan::Bencher) {
    let ids = million_ids();
    bencher.bench(|| {
        sunshine::solve::lottery::single_numbers(
            sunshine::solve::lottery::LotteryAlgorithm::V2,
            20250715,
            &ids,
        )
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn simplex_20k_500_15(bencher: divan::Bencher) {
    let net = synth::transport_instance(7, 20_000, 500, 15);
    bencher.bench(|| net.solve());
}

#[divan::bench(sample_count = 3, sample_size = 1, ignore = !cfg!(feature = "highs"))]
fn lp_20k_500_15(bencher: divan::Bencher) {
    let net = synth::transport_instance(7, 20_000, 500, 15);
    bencher.bench(|| sunshine::solve::lp::min_cost(&net));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn place_zoned_1m(bencher: divan::Bencher) {
    let data = synth::large(1, 1_000_000, 2_000);
    let scenario = Scenario::plain("bench", Grade::One, 1);
    bencher.bench(|| place(&data, &scenario, Mechanism::Zoned, &GreatCircle));
}

/// The district of `place_zoned_1m` with the columns and the scenario of
/// the full rule set ([`synth::benchmark_rules`]).
fn large_with_rules() -> (sunshine::domain::model::Dataset, Scenario) {
    let mut data = synth::large(1, 1_000_000, 2_000);
    let mut scenario = Scenario::plain("bench", Grade::One, 1);
    scenario.policy.rules = synth::benchmark_rules(&data);
    synth::with_rule_columns(&mut data, 1, &scenario.policy.rules);
    (data, scenario)
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn place_zoned_1m_rules(bencher: divan::Bencher) {
    let (data, scenario) = large_with_rules();
    bencher.bench(|| place(&data, &scenario, Mechanism::Zoned, &GreatCircle));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn place_zoned_1m_rules_all_overflow(bencher: divan::Bencher) {
    let (mut data, mut scenario) = large_with_rules();
    for st in &mut data.students {
        st.accept_overflow = None;
    }
    for c in &mut scenario.policy.rules.categories {
        c.accept_overflow = None;
    }
    bencher.bench(|| place(&data, &scenario, Mechanism::Zoned, &GreatCircle));
}

fn large_with_preferences() -> (sunshine::domain::model::Dataset, Scenario) {
    let mut data = synth::large(1, 1_000_000, 2_000);
    synth::add_preferences(&mut data, 1, 5);
    let scenario = Scenario::plain("bench", Grade::One, 1);
    (data, scenario)
}

/// The deferred-acceptance solver alone: 1,000,000 applicants with 5
/// preferences each over 2,000 schools, priorities = tier then lottery.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn da_1m_5prefs(bencher: divan::Bencher) {
    let (data, scenario) = large_with_preferences();
    let prefs: Vec<Vec<u32>> = data
        .students
        .iter()
        .map(|s| s.preferences.iter().map(|p| p.0).collect())
        .collect();
    let caps: Vec<u32> = data.schools.iter().map(|s| s.entry_seats.0).collect();
    let ids: Vec<&str> = data.students.iter().map(|s| s.id.as_str()).collect();
    let lot = sunshine::solve::lottery::lottery_numbers(scenario.policy.lottery_seed, &ids);
    let tier: Vec<u64> = data
        .students
        .iter()
        .map(|s| (scenario.policy.rules.category_of(s) + 1) as u64)
        .collect();
    bencher.bench(|| {
        sunshine::solve::da::deferred_acceptance(&caps, &prefs, |i, _| {
            (tier[i] << 53) | (lot[i] * (1u64 << 53) as f64) as u64
        })
    });
}

/// `place` with deferred acceptance end to end on the same district
/// (lists, lottery, DA, overflow of the unmatched, special schools).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn place_da_1m(bencher: divan::Bencher) {
    let (data, scenario) = large_with_preferences();
    bencher.bench(|| {
        place(
            &data,
            &scenario,
            Mechanism::DeferredAcceptance(sunshine::rules::place::TieBreak::Single),
            &GreatCircle,
        )
    });
}

/// `odds` with 1,000 draws on the bundled Longtan data (zoned).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn odds_longtan_1000(bencher: divan::Bencher) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/longtan-2025.toml");
    let input = sunshine::io::load(&path, None).unwrap();
    bencher.bench(|| {
        sunshine::rules::odds::odds(
            &input.data,
            &input.scenario,
            Mechanism::Zoned,
            &GreatCircle,
            1000,
            &|_| {},
        )
    });
}

/// `odds` with 1,000 draws on Longtan under deferred acceptance.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn odds_longtan_1000_da(bencher: divan::Bencher) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/longtan-2025.toml");
    let input = sunshine::io::load(&path, None).unwrap();
    let m = Mechanism::DeferredAcceptance(sunshine::rules::place::TieBreak::Single);
    bencher.bench(|| {
        sunshine::rules::odds::odds(&input.data, &input.scenario, m, &GreatCircle, 1000, &|_| {})
    });
}
