//! The commands of the `sunshine` binary: the arguments (clap), one module
//! per command that loads its input, calls the layers below and prints, and
//! what they share (`shared`: loading, warnings, distances, writing;
//! `progress`: the progress bar; `values`: the enumerated option values). `src/main.rs`
//! only parses, runs [`Cli::run`] and turns the error into an exit code.
//!
//! Every command prints its warnings to stderr, writes its output files
//! all or nothing ([`crate::io::output::OutputSet`]) and then prints its
//! report; a problem in the input is an [`Error::Input`] listing every
//! problem found, and nothing is written.

mod classes;
mod compare;
mod explain;
mod forecast;
mod generate;
mod odds;
mod optimize_closures;
mod place;
mod progress;
mod shared;
mod sweep;
mod validate;
mod values;
mod verify;
mod years;
mod zones;

use clap::{Parser, Subcommand};

use crate::domain::language::Language;
use crate::io::Encoding;
use crate::{Error, Result};

/// The command line: options every command takes, and the command.
#[derive(Parser)]
#[command(
    name = "sunshine",
    version,
    about = "School-enrollment allocation for sunshine enrollment (阳光入学)"
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options of every command.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct Global {
    /// Encoding of the dataset CSV files: auto, utf-8 or gb18030 (overrides the scenario's `encoding`).
    #[arg(long, global = true, value_enum, ignore_case = true)]
    pub encoding: Option<Encoding>,
    /// Problems listed at most (0 lists all); the total is always printed.
    #[arg(long, global = true, default_value_t = 200)]
    pub max_errors: usize,
    /// Language of the terminal, reasons, reports and map legends: zh (default) or en (overrides the scenario's `language`). CSV column names are English ids in both.
    #[arg(long, global = true, value_enum, ignore_case = true)]
    pub lang: Option<Language>,
    /// Start every CSV written with the UTF-8 byte order mark (default true), so Excel on Chinese Windows shows Chinese text instead of 乱码; `--csv-bom false` for scripts that do not skip it.
    #[arg(long, global = true, default_value_t = true, action = clap::ArgAction::Set, value_name = "true|false")]
    pub csv_bom: bool,
    /// For scripts: no progress bars and no report on the terminal (the
    /// files are written as usual; warnings and errors still go to stderr,
    /// and the exit code is the same).
    #[arg(long, global = true)]
    pub quiet: bool,
}

impl Global {
    /// The language of a run: `--lang`, else the scenario's, else Chinese.
    pub fn language(&self, scenario: Option<Language>) -> Language {
        Language::resolve(self.lang, scenario)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check a scenario and its dataset, and print a summary.
    Validate(validate::Args),
    /// Place every applicant of the scenario's entry grade.
    Place(place::Args),
    /// Explain one child's placement: zone, category, keys and cut-off,
    /// lottery number and cut-off, the nearer full schools, the outcome.
    Explain(explain::Args),
    /// Admission odds: run the lottery many times and report, per block,
    /// tier and school, the probability of admission, and each school's
    /// lottery cut-off with a 95% interval.
    Odds(odds::Args),
    /// Balanced classes (阳光分班) for every school's admitted students, by a
    /// seeded, repeatable draw; head teachers drawn by lot.
    Classes(classes::Args),
    /// Run the placement for a baseline and scenarios and compare them side
    /// by side: schools, displaced applicants, district totals.
    Compare(compare::Args),
    /// Run many scenarios in parallel: one row of district totals each.
    Sweep(sweep::Args),
    /// Choose which schools to close so that every applicant keeps a seat
    /// within reach, at the least total distance (plus weighted yearly cost):
    /// the best sets, each placed and compared with the scenario.
    OptimizeClosures(optimize_closures::Args),
    /// Admission zones (学区划片): whole blocks to schools within seats,
    /// connected, short trips, few blocks moved from last year.
    Zones(zones::Args),
    /// Project enrollment by cohort survival and report capacity shortfalls
    /// (学位预警): needs births.csv and enrollment_history.csv (and optional
    /// housing.csv) in the dataset folder.
    Forecast(forecast::Args),
    /// Write a synthetic dataset.
    Generate(generate::Args),
    /// Check a published `place` output folder: the inputs' SHA-256 as
    /// recorded, and every file identical to a fresh run with the recorded
    /// options (exit 0 identical, 1 different, 2 unreadable input).
    Verify(verify::Args),
}

impl Cli {
    /// Run the command.
    pub fn run(&self) -> Result<()> {
        let g = &self.global;
        match &self.command {
            Command::Validate(a) => a.run(g),
            Command::Place(a) => a.run(g),
            Command::Explain(a) => a.run(g),
            Command::Odds(a) => a.run(g),
            Command::Classes(a) => a.run(g),
            Command::Compare(a) => a.run(g),
            Command::Sweep(a) => a.run(g),
            Command::OptimizeClosures(a) => a.run(g),
            Command::Zones(a) => a.run(g),
            Command::Forecast(a) => a.run(g),
            Command::Generate(a) => a.run(g),
            Command::Verify(a) => a.run(g),
        }
    }

    /// Print a failed run's error to stderr: every input problem (up to
    /// `--max-errors`) with the total, or the one message.
    pub fn print_error(&self, e: &Error) {
        shared::print_error(e, self.global.max_errors);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
