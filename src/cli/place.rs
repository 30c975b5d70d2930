//! `sunshine place`: place every applicant of the scenario's entry grade
//! by the chosen mechanism and write the placement files.

use std::path::{Path, PathBuf};

use super::progress::Progress;
use super::shared::{distances, finish, load, refuse_dataset_folder, set_threads, supported};
use super::Global;
use crate::io::output::OutputSet;
use crate::report::{placement, publish};
use crate::rules::place::{place_with_progress, Mechanism, TieBreak};
use crate::Result;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML): dataset folder, year, grade, policy and
    /// network changes (README "Scenario file").
    scenario: PathBuf,
    /// Output folder for placements.csv, schools.csv, zones.csv, summary.json.
    #[arg(long)]
    out: PathBuf,
    /// zoned (zones, tiers, lottery, overflow), deferred-acceptance, boston,
    /// or min-distance (ignore zones and tiers).
    #[arg(long, value_enum, default_value = "zoned")]
    mechanism: Mechanism,
    /// Lottery tie-breaking for deferred-acceptance and boston: single
    /// (one number per applicant) or multiple (one per applicant and school).
    #[arg(long, value_enum, default_value = "single")]
    tie_breaking: TieBreak,
    /// Also write seat_history.csv: the dataset's seat history plus this
    /// year's admissions by property, for next year's seat lock (学位锁定).
    #[arg(long)]
    write_seat_history: bool,
    /// Worker threads (results never depend on it).
    #[arg(long)]
    threads: Option<usize>,
    /// Also write the 公示 lists (公示.html, 公示.xlsx: admitted per school
    /// by route, unplaced, declined; ids masked by `[publish]`) into this
    /// folder: the --out folder itself (one set with the other files) or
    /// another (its own set with its own manifest.json, written after --out).
    #[arg(long)]
    publish: Option<PathBuf>,
}

/// Whether two folder paths name the same folder (either may not exist yet).
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        let mechanism = self.mechanism.with_tie_break(self.tie_breaking);
        set_threads(self.threads)?;
        let input = load(&self.scenario, g)?;
        let lang = g.language(input.language);
        refuse_dataset_folder(&self.out, &input)?;
        supported(&input, &self.scenario, mechanism)?;
        let dist = distances(&input, Some(&self.out))?;
        let tiers = input.scenario.policy.tier_count();
        let bar = Progress::stages(u64::from(tiers) + 3);
        let result = place_with_progress(
            &input.data,
            &input.scenario,
            mechanism,
            dist.as_ref(),
            &|stage| bar.stage(stage.position(tiers).0, format!("{stage:?}")),
        );
        bar.finish();
        let mut files =
            placement::outputs(&input.data, &input.scenario, &result, dist.as_ref(), lang);
        if self.write_seat_history {
            files.add(
                "seat_history.csv",
                placement::seat_history_csv(&input.data, &input.scenario, &result),
            );
        }
        crate::report::workbook::add(&mut files, "placements.xlsx", lang)?;
        crate::report::place_html::add_files(
            &input.data,
            &input.scenario,
            &result,
            input.boundary.as_ref().map(|b| b.shape()),
            lang,
            &mut files,
        );
        let text = placement::terminal(&input.data, &input.scenario, &result, lang);
        // the published lists are built before anything is written: a
        // problem writes neither folder
        let Some(dir) = &self.publish else {
            return finish(g, files, &self.out, &text, lang);
        };
        refuse_dataset_folder(dir, &input).map_err(|_| {
            crate::Error::Usage(format!(
                "--publish {} is the dataset folder; expected another folder",
                dir.display()
            ))
        })?;
        let published = publish::files(&input.data, &input.scenario, &result)?;
        if same_folder(dir, &self.out) {
            for (name, bytes) in published {
                files.add(name, bytes);
            }
            return finish(g, files, &self.out, &text, lang);
        }
        let mut set = OutputSet::new();
        for (name, bytes) in published {
            set.add(name, bytes);
        }
        files.set_csv_bom(g.csv_bom);
        set.set_csv_bom(g.csv_bom);
        let mut written = files.commit(&self.out)?;
        written.extend(set.commit(dir)?);
        print!("{text}");
        println!("\n{}", lang.pick("已写入：", "Wrote:"));
        for p in written {
            println!("  {}", p.display());
        }
        Ok(())
    }
}
