//! `sunshine compare`: a baseline and scenarios placed and compared side
//! by side (schools, displaced applicants, district totals).

use std::path::PathBuf;

use super::shared::{finish, place_all};
use super::Global;
use crate::planning::compare::{compare, Run};
use crate::planning::compare_years::{compare_years, YearsRun};
use crate::planning::forecast::MAX_YEARS;
use crate::report;
use crate::report::compare_years::YearsReport;
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
    /// Also forecast N years (1 to 50) for the baseline and each scenario
    /// and compare them year by year: shortfall per school, the receiving
    /// schools' class sizes, displaced pupils (compare_years.csv,
    /// receiving.csv, displaced_years.csv, class_sizes_years.csv,
    /// report.html). Needs births.csv and enrollment_history.csv.
    #[arg(long,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_YEARS)))]
    years: Option<u32>,
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
        // the baseline's language, unless --lang says
        let lang = g.language(runs.first().and_then(|(i, _)| i.language));
        let c = compare(&views);
        let mut files = report::compare::outputs(&c, lang);
        let mut text = report::compare::terminal(&c, lang);
        let boundary = runs[0].0.boundary.as_ref().map(|b| b.shape());
        let mut years_html = None;
        if let Some(years) = self.years {
            let inputs: Vec<&crate::io::Input> = runs.iter().map(|(i, _)| i).collect();
            let forecasts = super::years::forecasts(&inputs, years, g)?;
            let runs: Vec<YearsRun<'_>> = forecasts
                .iter()
                .zip(&inputs)
                .map(|(f, i)| YearsRun {
                    name: &i.scenario.name,
                    forecast: f,
                })
                .collect();
            let (base, rest) = runs.split_first().expect("at least 2 scenarios");
            let scenarios: Vec<_> = rest.iter().map(|r| compare_years(base, r)).collect();
            let r = YearsReport {
                baseline: base.name,
                years,
                scenarios: &scenarios,
                lang,
            };
            report::compare_years::add_files(&r, &mut files);
            years_html = Some(report::compare_years::html_sections(&r));
            files.append("compare.md", report::compare_years::markdown(&r).as_bytes());
            text.push_str(&report::compare_years::terminal(&r));
        }
        report::compare_html::add_files(&views, &c, boundary, lang, years_html, &mut files);
        report::workbook::add(&mut files, "compare.xlsx", lang)?;
        finish(g, files, &self.out, &text, lang)
    }
}
