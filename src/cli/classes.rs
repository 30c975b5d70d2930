//! `sunshine classes`: balanced classes (阳光分班) for the students each
//! school admitted (a `placements.csv` written by `place`), by a published
//! seed, with the digests of the inputs in the audit file.

use std::path::{Path, PathBuf};

use super::shared::{finish, load};
use super::Global;
use crate::io::excel::{table_exists, table_file};
use crate::io::placements::{read_admitted, read_teachers};
use crate::planning::classes::{assign_all, ALGORITHM};
use crate::report::classes::{digest, outputs, terminal};
use crate::{Diagnostics, Error, Result};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML): dataset folder, year, grade, policy and
    /// network changes (README "Scenario file").
    scenario: PathBuf,
    /// placements.csv written by `place`.
    #[arg(long)]
    placements: PathBuf,
    /// Output folder for classes.csv, classes_summary.csv, audit.json.
    #[arg(long)]
    out: PathBuf,
    /// The published seed of the class draw (default: the scenario's
    /// `[classes] seed`, else its lottery seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Head teachers (teacher_id, school_id); default: teachers.csv in
    /// the dataset folder, if there is one.
    #[arg(long)]
    teachers: Option<PathBuf>,
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        let input = load(&self.scenario, g)?;
        let mut diags = Diagnostics::new();
        let admitted = read_admitted(&self.placements, &input.data, input.encoding, &mut diags);
        let tpath = self
            .teachers
            .clone()
            .unwrap_or_else(|| input.scenario.dataset.join("teachers.csv"));
        let teacher_lists = if self.teachers.is_some() || table_exists(&tpath) {
            read_teachers(&tpath, &input.data, input.encoding, &mut diags)
        } else {
            Some(vec![Vec::new(); input.data.schools.len()])
        };
        let (Some(admitted), Some(teacher_lists)) = (admitted, teacher_lists) else {
            return Err(Error::Input(diags));
        };
        let seed = self
            .seed
            .or(input.scenario.classes.seed)
            .unwrap_or(input.scenario.policy.lottery_seed);
        let result = assign_all(
            &input.data,
            &admitted,
            &input.scenario.classes,
            seed,
            &teacher_lists,
        );
        let read = |p: &Path| std::fs::read(p).map_err(|e| Error::io(p, e));
        let mut digests = vec![
            ("placements.csv", digest(&read(&self.placements)?)),
            (
                "students.csv",
                digest(&read(&table_file(
                    &input.scenario.dataset.join("students.csv"),
                ))?),
            ),
        ];
        if table_exists(&tpath) {
            digests.push(("teachers.csv", digest(&read(&table_file(&tpath))?)));
        }
        let files = outputs(&input.data, &result, &teacher_lists, seed, &digests);
        let lang = g.language(input.language);
        let text = format!(
            "{}\n{}\n",
            terminal(&input.data, &result, lang),
            crate::report::tr!(
                lang,
                "随机种子 {seed}；算法 {ALGORITHM}",
                "Seed {seed}; algorithm {ALGORITHM}"
            )
        );
        finish(g, files, &self.out, &text, lang)
    }
}
