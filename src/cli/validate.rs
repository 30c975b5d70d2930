//! `sunshine validate`: check a scenario and its dataset, and print what
//! they hold (`validate_text`), how every file's lines were read, and the
//! planner's warnings.

use std::path::PathBuf;

use super::shared::{distances, load};
use super::Global;
use crate::planning::overview::summarize;
use crate::report;
use crate::Result;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML): dataset folder, year, grade, policy and
    /// network changes (README "Scenario file").
    scenario: PathBuf,
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        let input = load(&self.scenario, g)?;
        let l = g.language(input.language);
        let dist = distances(&input, None)?;
        let sum = summarize(&input.data, &input.scenario, dist.as_ref());
        if g.quiet {
            // no report; the planner's warnings still reach stderr
            for w in &sum.warnings {
                eprintln!("warning: {w}");
            }
            return Ok(());
        }
        print!("{}", report::validate_text(&input.scenario, &sum, l));
        print!("\n{}", report::read_counts_text(input.warnings.counts(), l));
        if sum.warnings.is_empty() {
            println!("\n{}", l.pick("无警告。", "No warnings."));
        } else {
            println!("\n{}", l.pick("警告：", "Warnings:"));
            for w in &sum.warnings {
                println!("- {w}");
            }
        }
        println!(
            "\n{} {}",
            l.pick("通过：未发现错误", "OK: no errors in"),
            self.scenario.display()
        );
        Ok(())
    }
}
