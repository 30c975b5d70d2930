//! `sunshine place`: place every applicant of the scenario's entry grade
//! by the chosen mechanism and write the placement files.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::progress::Progress;
use super::shared::{
    distances, finish, finish_sets, load, refuse_dataset_folder, set_threads, supported,
};
use super::Global;
use crate::domain::language::Language;
use crate::io::output::OutputSet;
use crate::io::Input;
use crate::report::tr;
use crate::report::{placement, publish};
use crate::rules::place::{place_with_progress, Mechanism, PlacementResult, Stage, TieBreak};
use crate::spatial::distance::DistanceSource;
use crate::Result;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML): dataset folder, year, grade, policy and
    /// network changes (README "Scenario file").
    pub(super) scenario: PathBuf,
    /// Output folder for placements.csv, schools.csv, zones.csv, summary.json.
    #[arg(long)]
    pub(super) out: PathBuf,
    /// zoned (zones, tiers, lottery, overflow), deferred-acceptance, boston,
    /// or min-distance (ignore zones and tiers).
    #[arg(long, value_enum, default_value = "zoned")]
    pub(super) mechanism: Mechanism,
    /// Lottery tie-breaking for deferred-acceptance and boston: single
    /// (one number per applicant) or multiple (one per applicant and school).
    #[arg(long, value_enum, default_value = "single")]
    pub(super) tie_breaking: TieBreak,
    /// Also write seat_history.csv: the dataset's seat history plus this
    /// year's admissions by property, for next year's seat lock (学位锁定).
    #[arg(long)]
    pub(super) write_seat_history: bool,
    /// Worker threads (results never depend on it).
    #[arg(long)]
    pub(super) threads: Option<usize>,
    /// Also write the 公示 lists (公示.html, 公示.xlsx: admitted per school
    /// by route, unplaced, declined; ids masked by `[publish]`) into this
    /// folder: the --out folder itself (one set with the other files) or
    /// another (its own set with its own manifest.json, written after --out).
    #[arg(long)]
    pub(super) publish: Option<PathBuf>,
}

/// Whether two folder paths name the same folder (either may not exist yet).
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The clap spelling of an option value (`zoned`, `single`).
fn spelled<T: ValueEnum>(v: &T) -> String {
    v.to_possible_value()
        .map_or_else(String::new, |p| p.get_name().to_string())
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        set_threads(self.threads)?;
        let input = load(&self.scenario, g)?;
        let lang = g.language(input.language);
        refuse_dataset_folder(&self.out, &input)?;
        if let Some(dir) = &self.publish {
            refuse_dataset_folder(dir, &input).map_err(|_| {
                crate::Error::Usage(format!(
                    "--publish {} is the dataset folder; expected another folder",
                    dir.display()
                ))
            })?;
        }
        let dist = distances(&input, Some(&self.out))?;
        let (files, text, result) = self.outputs(&input, dist.as_ref(), g)?;
        // the published lists are built before anything is written: a
        // problem writes neither folder
        let Some(dir) = self.publish.as_ref().filter(|d| !same_folder(d, &self.out)) else {
            return finish(g, files, &self.out, &text, lang);
        };
        let mut set = OutputSet::new();
        for (name, bytes) in publish::files(&input.data, &input.scenario, &result)? {
            set.add(name, bytes);
        }
        finish_sets(g, vec![(files, &self.out), (set, dir)], &text, lang)
    }

    /// Place and render every file of the --out set in memory (with the 公示
    /// lists when --publish names the --out folder), the terminal report
    /// and the placement: what `place` writes, and what `verify` compares.
    pub(super) fn outputs(
        &self,
        input: &Input,
        dist: &dyn DistanceSource,
        g: &Global,
    ) -> Result<(OutputSet, String, PlacementResult)> {
        let lang = g.language(input.language);
        let mechanism = self.mechanism.with_tie_break(self.tie_breaking);
        supported(input, &self.scenario, mechanism)?;
        let tiers = input.scenario.policy.tier_count();
        let bar = Progress::stages(u64::from(tiers) + 3, g);
        let result = place_with_progress(&input.data, &input.scenario, mechanism, dist, &|stage| {
            bar.stage(stage.position(tiers).0, stage_name(stage, lang))
        });
        bar.finish();
        let record = placement::RunRecord {
            inputs: &input.inputs,
            options: self.options(input, g),
        };
        let mut files =
            placement::outputs(&input.data, &input.scenario, &result, dist, lang, &record);
        if self.write_seat_history {
            files.add(
                "seat_history.csv",
                placement::seat_history_csv(&input.data, &input.scenario, &result),
            );
        }
        // the workbook (of the CSVs) and the map and report (of the
        // placement) do not depend on each other: built side by side, added
        // in the same order as ever
        let (book, drawn) = rayon::join(
            || crate::report::workbook::of_csvs(&files, lang),
            || {
                let mut drawn = OutputSet::new();
                crate::report::place_html::add_files(
                    &input.data,
                    &input.scenario,
                    &result,
                    input.boundary.as_ref().map(|b| b.shape()),
                    lang,
                    &mut drawn,
                );
                drawn
            },
        );
        files.add("placements.xlsx", book?);
        for (name, bytes) in drawn.files() {
            files.add(name, bytes.to_vec());
        }
        if self.publish_in_out() {
            for (name, bytes) in publish::files(&input.data, &input.scenario, &result)? {
                files.add(name, bytes);
            }
        }
        let text = placement::terminal(&input.data, &input.scenario, &result, lang);
        Ok((files, text, result))
    }

    /// --publish names the --out folder: the lists are files of its set.
    fn publish_in_out(&self) -> bool {
        self.publish
            .as_ref()
            .is_some_and(|d| same_folder(d, &self.out))
    }

    /// The options that change the output, as `summary.json` records them
    /// (`options`) for `verify` ([`Args::recorded`] reads them back).
    fn options(&self, input: &Input, g: &Global) -> serde_json::Value {
        serde_json::json!({
            "mechanism": spelled(&self.mechanism),
            "tie_breaking": spelled(&self.tie_breaking),
            "write_seat_history": self.write_seat_history,
            "publish_in_out": self.publish_in_out(),
            "csv_bom": g.csv_bom,
            "lang": g.language(input.language).code(),
            "encoding": g.encoding.as_ref().map(spelled),
        })
    }

    /// The arguments a recorded run was made with (`summary.json`'s
    /// `options`), writing to `out`. A value that is missing or not an
    /// option's value is an error naming it.
    pub(super) fn recorded(
        scenario: PathBuf,
        out: PathBuf,
        options: &serde_json::Value,
    ) -> std::result::Result<Args, String> {
        fn value<T: ValueEnum>(o: &serde_json::Value, key: &str) -> std::result::Result<T, String> {
            o[key]
                .as_str()
                .and_then(|s| T::from_str(s, true).ok())
                .ok_or_else(|| {
                    format!(
                        "options.{key}: missing or not a value of --{}",
                        key.replace('_', "-")
                    )
                })
        }
        let flag = |key: &str| {
            options[key]
                .as_bool()
                .ok_or(format!("options.{key}: missing or not true/false"))
        };
        let publish = flag("publish_in_out")?.then(|| out.clone());
        Ok(Args {
            scenario,
            mechanism: value(options, "mechanism")?,
            tie_breaking: value(options, "tie_breaking")?,
            write_seat_history: flag("write_seat_history")?,
            threads: None,
            publish,
            out,
        })
    }
}

/// A placement stage on the progress bar, in the run's language.
fn stage_name(stage: Stage, lang: Language) -> String {
    match stage {
        Stage::Zones => tr!(lang, "划片", "zones"),
        Stage::ZoneAdmission => tr!(lang, "学区录取与电脑派位", "zone admission and lottery"),
        Stage::Overflow { tier, tiers } => tr!(
            lang,
            "统筹安置：第{}类（共{}类）",
            "overflow placement: tier {} of {}",
            tier,
            tiers
        ),
        Stage::SpecialEducation => tr!(lang, "特殊教育安置", "special education"),
    }
}
