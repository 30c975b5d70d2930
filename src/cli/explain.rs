//! `sunshine explain`: run the placement and explain one child's outcome
//! in plain language (Chinese by default, `--lang en` English), printing
//! only that child's id ([`crate::report::child`]).

use std::path::PathBuf;

use super::shared::{distances, load, set_threads, supported};
use super::Global;
use crate::domain::diag::Error;
use crate::io::output::OutputSet;
use crate::report::child;
use crate::rules::place::{place, Mechanism, TieBreak};
use crate::Result;

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML), as for `place`.
    scenario: PathBuf,
    /// The applicant's `student_id` (students.csv), exactly as written.
    student_id: String,
    /// Also write explain_<id>.md (the text printed) and explain_<id>.json
    /// (the facts) into this folder, all or nothing.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The placement mechanism, as for `place`.
    #[arg(long, value_enum, default_value = "zoned")]
    mechanism: Mechanism,
    /// Lottery tie-breaking for deferred-acceptance and boston, as for `place`.
    #[arg(long, value_enum, default_value = "single")]
    tie_breaking: TieBreak,
    /// Worker threads (results never depend on it).
    #[arg(long)]
    threads: Option<usize>,
}

/// The id as part of a file name: characters other than letters, digits,
/// `-`, `_` and `.` become `_` (an id is never a path).
fn file_stem(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        let mechanism = self.mechanism.with_tie_break(self.tie_breaking);
        set_threads(self.threads)?;
        let input = load(&self.scenario, g)?;
        let lang = g.language(input.language);
        supported(&input, &self.scenario, mechanism)?;
        let grade = input.scenario.grade;
        let Some(ix) = input
            .data
            .students
            .iter()
            .position(|s| s.id.as_str() == self.student_id)
        else {
            return Err(Error::Usage(format!(
                "no applicant `{}` in students.csv of {}; expected a student_id exactly as written there (ids are case-sensitive; other children's ids are not suggested)",
                self.student_id,
                self.scenario.display()
            )));
        };
        if input.data.students[ix].entry_grade != grade {
            return Err(Error::Usage(format!(
                "applicant `{}` enters grade {}, and {} places grade {}; expected a scenario of the child's grade",
                self.student_id,
                input.data.students[ix].entry_grade.number(),
                self.scenario.display(),
                grade.number()
            )));
        }
        let dist = distances(&input, self.out.as_deref())?;
        let result = place(&input.data, &input.scenario, mechanism, dist.as_ref());
        let p = result
            .placements
            .iter()
            .position(|p| p.student == ix)
            .ok_or_else(|| Error::Other("internal: the applicant has no placement".into()))?;
        let facts = child::facts(
            &input.data,
            &input.base,
            &input.scenario,
            &result,
            dist.as_ref(),
            p,
        );
        let text = child::text(lang, &facts);
        if let Some(out) = &self.out {
            let stem = file_stem(&self.student_id);
            let mut files = OutputSet::new();
            files.add(&format!("explain_{stem}.md"), text.clone().into_bytes());
            let mut js = serde_json::to_vec_pretty(&facts).expect("json");
            js.push(b'\n');
            files.add(&format!("explain_{stem}.json"), js);
            return super::shared::finish(g, files, out, &text, lang);
        }
        print!("{text}");
        Ok(())
    }
}
