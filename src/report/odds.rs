//! Outputs of `sunshine odds`: `odds.csv` (admission probability per block,
//! tier and school), `cutoffs.csv` (each school's lottery cut-off over the
//! draws, with a 95% interval) and a terminal table.

use comfy_table::Cell;

use super::{csv_bytes, num, table};
use crate::domain::model::Dataset;
use crate::domain::scenario::Scenario;
use crate::io::output::OutputSet;
use crate::rules::odds::Odds;

pub fn outputs(data: &Dataset, scenario: &Scenario, o: &Odds) -> OutputSet {
    let mut out = OutputSet::new();
    out.add(
        "odds.csv",
        csv_bytes(
            &[
                "block_id",
                "tier",
                "applicants",
                "school_id",
                "outcome",
                "probability",
            ],
            o.blocks.iter().map(|b| {
                vec![
                    data.block(b.block).id.to_string(),
                    b.tier.to_string(),
                    b.applicants.to_string(),
                    b.school
                        .map_or(String::new(), |s| data.school(s).id.to_string()),
                    if b.school.is_some() {
                        "admitted"
                    } else {
                        "overflow"
                    }
                    .to_string(),
                    format!("{:.4}", b.probability),
                ]
            }),
        ),
    );
    out.add(
        "cutoffs.csv",
        csv_bytes(
            &[
                "school_id",
                "name",
                "draws",
                "draws_with_lottery",
                "p_lottery",
                "modal_tier",
                "cutoff_mean",
                "cutoff_p2_5",
                "cutoff_p97_5",
            ],
            o.cutoffs.iter().map(|c| {
                vec![
                    data.school(c.school).id.to_string(),
                    data.school(c.school).name.clone(),
                    o.draws.to_string(),
                    c.draws_with_lottery.to_string(),
                    format!("{:.4}", c.draws_with_lottery as f64 / o.draws.max(1) as f64),
                    c.modal_tier.map_or(String::new(), |t| t.to_string()),
                    format!("{:.4}", c.mean),
                    format!("{:.4}", c.low),
                    format!("{:.4}", c.high),
                ]
            }),
        ),
    );
    let seed = scenario.policy.lottery_seed;
    let mut readme = format!(
        "Admission odds for {} ({}), grade {}: {} lottery draws from the published seed {seed}.\n\
         odds.csv: probability that an applicant of the block and tier is admitted at the school\n\
         by zone admission or choice; outcome `overflow` is the probability of going to overflow placement.\n\
         cutoffs.csv: lottery cut-off as the score tier - 1 + number of the last admitted applicant\n\
         (lower is harder), mean and 95% interval over the draws with a lottery.\n\n\
         Replaying draw d (d = 0 to {}):\n\
         - ChaCha20 is the 20-round stream of rand_chacha 0.9: 64-bit block counter from 0,\n  \
           stream id 0; each u64 is two 32-bit output words, low word first.\n\
         - Draws::new(s): ChaCha20 keyed with 32 bytes: s as u64 little-endian, then 24 zero bytes.\n\
         - Draws::sub(s, k): ChaCha20 keyed with 32 bytes: s as u64 little-endian, k as u64\n  \
           little-endian, the byte 0x01, then 15 zero bytes.\n\
         - Draws come in antithetic pairs: draw d uses the lottery seed\n  \
           L = the first u64 of Draws::sub({seed}, floor(d / 2)); in odd draws every number u\n  \
           below is replaced by 1 - u (the draw in reverse order).\n\
         - Lottery numbers from L (sunshine-lottery-v1): the applicants of the grade,\n  \
           sorted by student_id (bytes of the UTF-8 text), each take the next u64 x of\n  \
           Draws::new(L); the number is (x >> 11) / 2^53; inside a tier the smaller wins.\n\
         - Multiple tie-breaking: school i (0-based row of schools.csv, then the scenario's new\n  \
           schools) draws from Draws::sub(L, 2^32 + i) one number per applicant listing it,\n  \
           applicants in student_id order.\n",
        scenario.name,
        scenario.year,
        scenario.grade.number(),
        o.draws,
        o.draws.saturating_sub(1),
    );
    readme.push_str(&format!("Distances: {}.\n", o.distance_source));
    out.add("README.txt", readme.into_bytes());
    out
}

pub fn terminal(data: &Dataset, o: &Odds) -> String {
    let mut t = table(&[
        "school",
        "lottery in",
        "usual tier",
        "cut-off mean",
        "95% interval",
    ]);
    let mut rows: Vec<_> = o.cutoffs.iter().collect();
    rows.sort_by(|a, b| {
        b.draws_with_lottery
            .cmp(&a.draws_with_lottery)
            .then(a.school.cmp(&b.school))
    });
    for c in rows {
        t.add_row(vec![
            Cell::new(format!(
                "{} {}",
                data.school(c.school).id,
                data.school(c.school).name
            )),
            num(format!(
                "{:.0}%",
                100.0 * c.draws_with_lottery as f64 / o.draws.max(1) as f64
            )),
            num(c.modal_tier.map_or(String::new(), |t| t.to_string())),
            num(format!("{:.3}", c.mean)),
            num(format!("{:.3} – {:.3}", c.low, c.high)),
        ]);
    }
    format!(
        "Lottery cut-offs over {} draws (score = tier - 1 + number; lower is harder), distances {}\n{t}\n",
        o.draws, o.distance_source
    )
}
