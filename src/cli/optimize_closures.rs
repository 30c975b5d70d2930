//! `sunshine optimize-closures`: which schools to close so that every
//! applicant keeps a seat within reach, at the least travel (plus weighted
//! yearly cost); the best sets placed by the rules and compared with the
//! scenario as it is.

use std::path::PathBuf;

use super::progress::Progress;
use super::shared::{distances, finish, load};
use super::Global;
use crate::domain::model::SchoolIx;
use crate::planning::optimize::{choose, compare_sets, instance, Target};
use crate::planning::Method;
use crate::report::compare::closure_outputs;
use crate::report::tr;
use crate::{Error, Result};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML): dataset folder, year, grade, policy and
    /// network changes (README "Scenario file").
    scenario: PathBuf,
    /// Close exactly this many schools.
    #[arg(long, conflicts_with = "min_utilisation")]
    close: Option<usize>,
    /// Or keep only schools that can be filled to this share of seats (0–1).
    #[arg(long)]
    min_utilisation: Option<f64>,
    /// School ids that must stay open (comma-separated).
    #[arg(long, value_delimiter = ',')]
    must_keep: Vec<String>,
    /// School ids that must close (comma-separated).
    #[arg(long, value_delimiter = ',')]
    must_close: Vec<String>,
    /// km of total travel that one unit of `annual_cost` is worth (0: distance only).
    #[arg(long, default_value_t = 0.0)]
    cost_weight: f64,
    /// How many of the best sets to report.
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// mip, heuristic, or auto (MIP up to 40 candidate schools, with the
    /// heuristic's gap to it; the heuristic beyond).
    #[arg(long, value_enum, default_value = "auto")]
    method: Method,
    /// Output folder for closures.csv and the comparison of the best sets.
    #[arg(long, default_value = "out/closures")]
    out: PathBuf,
}

impl Args {
    /// `--close K` or `--min-utilisation U` (a share from 0 to 1).
    fn target(&self) -> Result<Target> {
        match (self.close, self.min_utilisation) {
            (Some(k), None) => Ok(Target::Close(k)),
            (None, Some(u)) if (0.0..=1.0).contains(&u) => Ok(Target::MinUtilisation(u)),
            (None, Some(u)) => Err(Error::Usage(format!(
                "--min-utilisation {u}; expected a share from 0 to 1"
            ))),
            _ => Err(Error::Usage(
                "expected --close K or --min-utilisation U".into(),
            )),
        }
    }

    pub fn run(&self, g: &Global) -> Result<()> {
        let target = self.target()?;
        let input = load(&self.scenario, g)?;
        let dist = distances(&input, Some(&self.out))?;
        let lookup = input.data.school_lookup();
        let find = |ids: &[String]| -> Result<Vec<SchoolIx>> {
            ids.iter()
                .map(|id| {
                    lookup.get(id.as_str()).copied().ok_or_else(|| {
                        Error::Usage(format!(
                            "unknown school `{id}`; expected a school_id from schools.csv"
                        ))
                    })
                })
                .collect()
        };
        let (keep, shut) = (find(&self.must_keep)?, find(&self.must_close)?);
        let lang = g.language(input.language);
        let bar = Progress::stages(3, g);
        bar.stage(0, tr!(lang, "构建实例", "building the instance"));
        let (inst, candidates) = instance(
            &input.data,
            &input.scenario,
            &keep,
            &shut,
            self.cost_weight,
            dist.as_ref(),
        );
        if let Target::Close(k) = target {
            // only open schools of the grade not kept by --must-keep can close
            let closable = candidates.iter().filter(|c| !keep.contains(c)).count();
            if k > closable {
                return Err(Error::Usage(format!(
                    "--close {k}: only {closable} open schools of the grade can close; expected at most {closable}"
                )));
            }
        }
        bar.stage(1, tr!(lang, "选择撤并方案", "choosing closure sets"));
        let chosen = choose(&inst, target, self.top, self.method);
        if chosen.sets.is_empty() {
            return Err(Error::Other(
                "no closure set keeps every applicant within reach of a seat; try fewer closures"
                    .into(),
            ));
        }
        bar.stage(2, tr!(lang, "逐个方案安置", "placing each set"));
        let c = compare_sets(
            &input.data,
            &input.scenario,
            &candidates,
            &chosen.sets,
            dist.as_ref(),
        );
        bar.finish();
        let (files, text) = closure_outputs(&c, &chosen, &input.data, &candidates, lang);
        finish(g, files, &self.out, &text, lang)
    }
}

#[cfg(test)]
mod tests {
    use crate::planning::optimize::MIP_AUTO_CANDIDATES;

    /// `--help` names the bound `auto` uses.
    #[test]
    fn the_help_names_the_auto_bound() {
        use clap::CommandFactory;
        let cmd = super::super::Cli::command();
        let sub = cmd.find_subcommand("optimize-closures").unwrap();
        let method = sub
            .get_arguments()
            .find(|a| a.get_id() == "method")
            .unwrap();
        let help = method.get_help().unwrap().to_string();
        assert!(
            help.contains(&format!(
                "MIP up to {MIP_AUTO_CANDIDATES} candidate schools"
            )),
            "{help}"
        );
    }
}
