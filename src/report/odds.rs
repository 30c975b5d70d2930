//! Outputs of `sunshine odds`: `odds.csv` (admission probability per block,
//! tier and school), `cutoffs.csv` (each school's lottery cut-off over the
//! draws, with a 95% interval) and a terminal table.

use comfy_table::Cell;

use super::{csv_bytes, num, table};
use crate::io::output::OutputSet;
use crate::model::Dataset;
use crate::odds::Odds;
use crate::scenario::Scenario;

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
    let mut readme = format!(
        "Admission odds for {} ({}), grade {}: {} lottery draws from seed {}.\n\
         Draw d uses seed Draws::sub(seed, d).next_u64() (sunshine-lottery-v1).\n\
         odds.csv: probability that an applicant of the block and tier is admitted at the school\n\
         by zone admission or choice; outcome `overflow` is the probability of going to overflow placement.\n\
         cutoffs.csv: lottery cut-off as the score tier - 1 + number of the last admitted applicant\n\
         (lower is harder), mean and 95% interval over the draws with a lottery.\n",
        scenario.name,
        scenario.year,
        scenario.grade.number(),
        o.draws,
        scenario.policy.lottery_seed
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
