//! `sunshine verify SCENARIO OUTDIR`: check a published `place` output
//! against its inputs and seed. The recorded inputs' SHA-256 are checked,
//! `place` is run again in memory with the recorded options, and every file
//! of the recorded set is compared byte by byte ([`crate::io::verify`]).
//! Exit 0: identical; 1: different (the first differences listed); 2: the
//! inputs or the folder cannot be read.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::shared::{distances, load};
use super::Global;
use crate::domain::diag::{Error, Result};
use crate::io::verify::{check_inputs, compare_outputs, new_inputs, Recorded};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file the output was made from.
    scenario: PathBuf,
    /// The output folder of `sunshine place` to check (read only).
    outdir: PathBuf,
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        let rec = Recorded::read(&self.outdir).map_err(Error::Usage)?;
        let place =
            super::place::Args::recorded(self.scenario.clone(), self.outdir.clone(), &rec.options)
                .map_err(|e| {
                    Error::Usage(format!(
                        "{}: {e}",
                        self.outdir.join("summary.json").display()
                    ))
                })?;
        let g = recorded_global(g, &rec.options).map_err(|e| {
            Error::Usage(format!(
                "{}: {e}",
                self.outdir.join("summary.json").display()
            ))
        })?;
        let base = self.scenario.parent().unwrap_or(Path::new(""));
        let mut changes = check_inputs(&rec.inputs, base);
        let input = load(&self.scenario, &g)?;
        changes.extend(new_inputs(&rec.inputs, &input.inputs));
        let dist = distances(&input, Some(&self.outdir))?;
        let (mut fresh, _, _) = place.outputs(&input, dist.as_ref(), &g)?;
        fresh.set_csv_bom(g.csv_bom);
        let diffs = compare_outputs(&self.outdir, &rec.files, &fresh);
        let mut text = String::new();
        for c in &changes {
            text.push_str(&format!("{c}\n"));
        }
        for d in &diffs {
            text.push_str(&format!("{d}\n"));
        }
        if changes.is_empty() && diffs.is_empty() {
            if !g.quiet {
                println!(
                    "OK: {} is what {} gives: {} input files as recorded, {} output files identical (lottery seed {}, {})",
                    self.outdir.display(),
                    self.scenario.display(),
                    rec.inputs.len(),
                    rec.files.len(),
                    input.scenario.policy.lottery_seed,
                    input.scenario.policy.lottery_algorithm.name(),
                );
            }
            return Ok(());
        }
        if g.quiet {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
        Err(Error::Other(format!(
            "{} changed input file(s), {} difference(s) in the output (at most {} listed per file): {} is not what {} gives now",
            changes.len(),
            diffs.len(),
            crate::io::verify::PER_FILE,
            self.outdir.display(),
            self.scenario.display()
        )))
    }
}

/// The global options of the recorded run (`lang`, `encoding`) over the
/// ones given now.
fn recorded_global(g: &Global, options: &serde_json::Value) -> std::result::Result<Global, String> {
    let mut out = *g;
    if let Some(l) = options["lang"].as_str() {
        out.lang = Some(
            ValueEnum::from_str(l, true)
                .map_err(|_| format!("options.lang `{l}`: not a language"))?,
        );
    }
    if let Some(b) = options["csv_bom"].as_bool() {
        out.csv_bom = b;
    }
    if let Some(e) = options["encoding"].as_str() {
        out.encoding = Some(
            ValueEnum::from_str(e, true)
                .map_err(|_| format!("options.encoding `{e}`: not an encoding"))?,
        );
    }
    Ok(out)
}
