//! `sunshine compare`: a baseline and scenarios placed and compared side
//! by side (schools, displaced applicants, district totals).

use std::path::PathBuf;

use super::shared::{finish, place_all};
use super::Global;
use crate::planning::compare::{compare, Run};
use crate::report;
use crate::rules::place::Mechanism;
use crate::Result;

#[derive(clap::Args)]
pub struct Args {
    /// The baseline first, then the scenarios.
    #[arg(required = true, num_args = 2..)]
    scenarios: Vec<PathBuf>,
    /// Output folder for compare.csv, compare.md, totals.csv, displaced.csv.
    /// Output folder for compare.csv, totals.csv, displaced.csv and compare.md.
    #[arg(long, default_value = "out/compare")]
    out: PathBuf,
    /// The placement mechanism every scenario is run with.
    #[arg(long, value_enum, default_value = "zoned")]
    mechanism: Mechanism,
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        let runs = place_all(g, &self.scenarios, self.mechanism, &self.out)?;
        let views: Vec<Run<'_>> = runs
            .iter()
            .map(|(i, r)| Run {
                scenario: &i.scenario,
                data: &i.data,
                result: r,
            })
            .collect();
        let c = compare(&views);
        finish(
            report::compare::outputs(&c),
            &self.out,
            &report::compare::terminal(&c),
        )
    }
}
