//! `sunshine sweep`: many scenarios placed in parallel, one row of
//! district totals each, sorted by a column.

use std::path::PathBuf;

use super::shared::{finish, place_all};
use super::Global;
use crate::planning::compare::{sort_totals, totals, Run, Totals, TotalsColumn};
use crate::report::compare::sweep_outputs;
use crate::rules::place::Mechanism;
use crate::Result;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario files to place and rank (one row each).
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Output folder for sweep.csv.
    #[arg(long, default_value = "out/sweep")]
    out: PathBuf,
    /// Sort by this column of sweep.csv (e.g. unplaced, mean_km, p90_km).
    /// The column of sweep.csv the rows are sorted by.
    #[arg(long, value_enum, default_value = "scenario")]
    sort: TotalsColumn,
    /// The placement mechanism every scenario is run with.
    #[arg(long, value_enum, default_value = "zoned")]
    mechanism: Mechanism,
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        let runs = place_all(g, &self.scenarios, self.mechanism, &self.out)?;
        let mut rows: Vec<(String, Totals)> = runs
            .iter()
            .map(|(i, r)| {
                let run = Run {
                    scenario: &i.scenario,
                    data: &i.data,
                    result: r,
                };
                (i.scenario.name.clone(), totals(&run))
            })
            .collect();
        sort_totals(&mut rows, self.sort);
        let (names, totals): (Vec<String>, Vec<Totals>) = rows.into_iter().unzip();
        let (files, text) = sweep_outputs(&names, &totals);
        finish(files, &self.out, &text)
    }
}
