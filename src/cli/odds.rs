//! `sunshine odds`: the admission odds of every block, tier and school
//! over many seeded lottery draws, and each school's lottery cut-off.

use std::path::PathBuf;

use super::progress::Progress;
use super::shared::{distances, finish, load, set_threads};
use super::Global;
use crate::report;
use crate::rules::odds::{odds, MAX_DRAWS};
use crate::rules::place::{Mechanism, TieBreak};
use crate::{Error, Result};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML): dataset folder, year, grade, policy and
    /// network changes (README "Scenario file").
    scenario: PathBuf,
    /// Output folder for odds.csv and cutoffs.csv.
    #[arg(long)]
    out: PathBuf,
    /// Number of lottery draws.
    #[arg(long, default_value_t = 1000)]
    draws: usize,
    /// zoned, deferred-acceptance or boston (min-distance has no lottery,
    /// so no odds: it is refused).
    #[arg(long, value_enum, default_value = "zoned")]
    mechanism: Mechanism,
    /// single or multiple tie-breaking (choice mechanisms).
    #[arg(long, value_enum, default_value = "single")]
    tie_breaking: TieBreak,
    /// Worker threads (results never depend on it).
    #[arg(long)]
    threads: Option<usize>,
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        let mechanism = self.mechanism.with_tie_break(self.tie_breaking);
        let draws = self.draws;
        if !(1..=MAX_DRAWS).contains(&draws) {
            return Err(Error::Usage(format!(
                "--draws {draws}; expected 1 to {MAX_DRAWS}"
            )));
        }
        if mechanism == Mechanism::MinDistance {
            return Err(Error::Usage(
                "min-distance has no lottery; expected zoned, deferred-acceptance or boston".into(),
            ));
        }
        set_threads(self.threads)?;
        let input = load(&self.scenario, g)?;
        if !input.scenario.policy.rules.is_plain() {
            return Err(Error::Usage(format!(
                "{}: odds computes admission chances for categories and the lottery only; this scenario's priority rules (sub-tables, keys, reserved seats, seat lock, twins or accept_overflow) are not supported by odds yet: expected a scenario without them (place gives the placement under them)",
                self.scenario.display()
            )));
        }
        if crate::rules::place::uses_routes(&input.data, &input.scenario) {
            return Err(Error::Usage(format!(
                "{}: odds computes admission chances for zone admission, choice and the lottery; admission routes apply here (the dataset's direct or priority feeder routes with grade-7 current schools, private schools that applicants list, or the scenario's fallbacks other than the default or 大学区-first overflow), which odds does not simulate yet: expected a dataset and scenario without them (place gives the placement under them)",
                self.scenario.display()
            )));
        }
        let lang = g.language(input.language);
        let dist = distances(&input, Some(&self.out))?;
        let bar = Progress::counting(draws, "draws", g);
        let result = odds(
            &input.data,
            &input.scenario,
            mechanism,
            dist.as_ref(),
            draws,
            &|_| bar.step(),
        );
        bar.finish();
        finish(
            g,
            report::odds::outputs(&input.data, &input.scenario, &result, lang),
            &self.out,
            &report::odds::terminal(&input.data, &result, lang),
            lang,
        )
    }
}
