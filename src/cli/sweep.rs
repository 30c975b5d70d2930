//! `sunshine sweep`: many scenarios placed in parallel, one row of
//! district totals each, sorted by a column.

use std::path::PathBuf;

use super::shared::{finish, place_all};
use super::Global;
use crate::planning::compare::{sort_totals, totals, Run, Totals, TotalsColumn};
use crate::planning::compare_years::{peak_shortfall, rank};
use crate::planning::forecast::MAX_YEARS;
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
    /// Also forecast N years (1 to 50) for each scenario and rank them by
    /// peak shortfall: the district's summed shortfall of the schools short
    /// of seats in the worst year, smallest first, ties by name
    /// (sweep_years.csv). Needs births.csv and enrollment_history.csv.
    #[arg(long,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_YEARS)))]
    years: Option<u32>,
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
        // the baseline's (first scenario's) language, unless --lang says
        let lang = g.language(runs.first().and_then(|(i, _)| i.language));
        sort_totals(&mut rows, self.sort);
        let (names, totals): (Vec<String>, Vec<Totals>) = rows.into_iter().unzip();
        let (mut files, mut text) = sweep_outputs(&names, &totals, lang);
        if let Some(years) = self.years {
            let inputs: Vec<&crate::io::Input> = runs.iter().map(|(i, _)| i).collect();
            let forecasts = super::years::forecasts(&inputs, years, g)?;
            let mut peaks: Vec<_> = forecasts
                .iter()
                .zip(&inputs)
                .map(|(f, i)| peak_shortfall(&i.scenario.name, f))
                .collect();
            rank(&mut peaks);
            text.push_str(&crate::report::compare_years::add_sweep(
                years, &peaks, &mut files, lang,
            ));
        }
        finish(g, files, &self.out, &text, lang)
    }
}
