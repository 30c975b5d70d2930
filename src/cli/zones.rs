//! `sunshine zones`: admission zones (学区划片) of whole blocks, within
//! seats and connected, with few blocks moved from last year's zones.

use std::path::PathBuf;
use std::time::Duration;

use super::progress::Progress;
use super::shared::ForecastData;
use super::shared::{distances, finish, load, print_warnings, refuse_dataset_folder, set_threads};
use super::Global;
use crate::domain::language::Language;
use crate::domain::scenario::FutureSchools;
use crate::io::dataset::{read_adjacency, read_zone_file};
use crate::io::Input;
use crate::planning::forecast::MAX_YEARS;
use crate::planning::zones::projected::{projected_applicants, Projected, ProjectedError};
use crate::planning::zones::{build, solve_with, Method, Stage, ZoneSettings};
use crate::report::tr;
use crate::report::zones::{outputs, terminal, ZonesRun};
use crate::{Diagnostics, Error, Result};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML): dataset folder, year, grade, policy and
    /// network changes (README "Scenario file").
    scenario: PathBuf,
    /// Output folder for zones.csv, block_zones.csv, zones_summary.csv,
    /// zones.geojson, zones.svg and zones.json.
    #[arg(long)]
    out: PathBuf,
    /// Last year's zones (a zones.csv); moving a block from its zone costs
    /// the policy's zone_move_penalty.
    #[arg(long)]
    previous: Option<PathBuf>,
    /// auto (MIP where small enough, else the heuristic), mip or heuristic.
    #[arg(long, value_enum, default_value = "auto")]
    method: Method,
    /// Seconds the MIP may run before the heuristic's zoning is kept.
    #[arg(long, default_value_t = 60)]
    time_limit: u64,
    /// Worker threads (results never depend on it).
    #[arg(long)]
    threads: Option<usize>,
    /// Zone a later intake: the applicants per block are the forecast's
    /// entrants of the scenario's entry grade in this year (from the year
    /// after enrollment_history.csv's last, up to 50 years after it)
    /// instead of this year's students.csv, on the network of that year.
    #[arg(long)]
    year: Option<i32>,
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        set_threads(self.threads)?;
        let mut input = load(&self.scenario, g)?;
        refuse_dataset_folder(&self.out, &input)?;
        let enc = input.encoding;
        let mut settings = ZoneSettings::default();
        if let Some(y) = self.year {
            settings.demand = Some(projected(&input, y, g)?.demand);
            network_of(&mut input, y);
        }
        let mut diags = Diagnostics::new();
        if let Some(p) = self.previous.as_deref() {
            if let Some(z) = read_zone_file(p, enc, &input.data, &mut diags) {
                settings.previous = Some(z.school.get(input.scenario.grade).to_vec());
            }
        }
        let adjacency = input.scenario.dataset.join("adjacency.csv");
        if crate::io::excel::table_exists(&adjacency) {
            settings.adjacency = read_adjacency(&adjacency, enc, &input.data, &mut diags);
        }
        if diags.has_errors() {
            return Err(Error::Input(diags));
        }
        let dist = distances(&input, Some(&self.out))?;
        // 100 steps: building, the relaxation, the kicks, the MIP
        let lang = g.language(input.language);
        let bar = Progress::stages(100, g);
        bar.stage(0, tr!(lang, "构建划片问题", "building the zoning problem"));
        let problem = build(
            &input.data,
            &input.scenario,
            input.boundary.as_ref(),
            &settings,
            dist.as_ref(),
        )
        .map_err(|e| {
            diags.error(
                &input.scenario.dataset.join(e.file()),
                None,
                None,
                e.to_string(),
            );
            Error::Input(diags)
        })?;
        let solved = solve_with(
            &problem.instance,
            self.method,
            Duration::from_secs(self.time_limit),
            &mut |stage| show(&bar, stage, lang),
        );
        bar.finish();
        let mut run = ZonesRun::new(&input.data, &input.scenario, &problem, &solved, dist.name());
        run.projected_year = self.year;
        run.lang = lang;
        let mut files = outputs(&run);
        crate::report::workbook::add(&mut files, "zones.xlsx", lang)?;
        finish(g, files, &self.out, &terminal(&run, lang), lang)
    }
}

/// A solver stage on the bar: the relaxation at 2%, the kicks from 5% to
/// 95%, the MIP at 95%.
fn show(bar: &Progress, stage: Stage, lang: Language) {
    match stage {
        Stage::Relaxation => bar.stage(
            2,
            tr!(
                lang,
                "最小费用流松弛与取整",
                "min-cost-flow relaxation and rounding"
            ),
        ),
        Stage::Search { round, done, total } => {
            let at = 5 + 90 * done / total.max(1);
            let more = if round > 0 {
                tr!(
                    lang,
                    "，学位超额：第{}轮",
                    ", seats exceeded: round {}",
                    round + 1
                )
            } else {
                String::new()
            };
            bar.stage(
                at as u64,
                tr!(
                    lang,
                    "局部搜索：{}/{} 次扰动{}",
                    "local search: {}/{} kicks{}",
                    done,
                    total,
                    more
                ),
            );
        }
        Stage::Mip => bar.stage(95, tr!(lang, "精确求解（MIP）", "exact MIP")),
    }
}

/// The applicants per block of `year` from the forecast (`--year`): the
/// cohorts projected on the dataset as read, as `forecast` projects them,
/// and their entrants of the scenario's grade split over the blocks and
/// rounded ([`projected_applicants`]). The projection's assumptions are
/// printed as warnings, as `forecast` prints them; so are projected
/// entrants that no block carries, from half a pupil on.
fn projected(input: &Input, year: i32, g: &Global) -> Result<Projected> {
    let dataset = &input.scenario.dataset;
    let grade = input.scenario.grade;
    let mut diags = Diagnostics::new();
    let Some(fd) = ForecastData::read(input, &mut diags) else {
        return Err(Error::Input(diags));
    };
    let inputs = fd.inputs(input);
    let p = match projected_applicants(&inputs, &input.scenario.forecast, grade, year) {
        Ok(p) => p,
        Err(ProjectedError::Year { year, allowed }) => {
            return Err(Error::Usage(format!(
                "--year {year}; expected a year from {} to {}: the forecast projects from the year after the last year of enrollment_history.csv ({}) up to {MAX_YEARS} years ahead",
                allowed.start(),
                allowed.end(),
                allowed.start() - 1
            )))
        }
        Err(ProjectedError::Inputs(notes)) => {
            for n in &notes {
                diags.error(&dataset.join(n.source.file()), None, None, n.message.clone());
            }
            return Err(Error::Input(diags));
        }
        Err(ProjectedError::Count { expected }) => {
            diags.error(
                &dataset.join("births.csv"),
                None,
                None,
                format!("the projected grade {} entrants of {year} ({expected}) are not counts the zoning can take; expected finite, non-negative numbers of at most {}", grade.number(), u32::MAX),
            );
            return Err(Error::Input(diags));
        }
    };
    let mut warnings = Diagnostics::new();
    for n in &p.notes {
        warnings.warning(
            &dataset.join(n.source.file()),
            None,
            None,
            n.message.clone(),
        );
    }
    print_warnings(&warnings, g.max_errors);
    if p.homeless > 0.5 {
        eprintln!(
            "warning: {:.1} projected grade {} entrants of {year} belong to schools whose zone has no block; no block carries them, so the zones leave them out",
            p.homeless,
            grade.number()
        );
    }
    Ok(p)
}

/// Zone on the network of `year` (`--year`): the scenario's changes that
/// take effect by then, and no later ones. The input's network is the
/// scenario year's; it is replaced only when some change's year lies
/// between the two, so a scenario without such changes zones exactly the
/// network `zones` without `--year` zones.
fn network_of(input: &mut Input, year: i32) {
    let scenario_year = input.scenario.year;
    let (lo, hi) = (scenario_year.min(year), scenario_year.max(year));
    let differs = input
        .scenario
        .change_years()
        .iter()
        .any(|&c| lo < c && c <= hi);
    if differs {
        // the reader checked every change on the network of its year
        input.data = input
            .scenario
            .applied_as_of(input.base.clone(), year, FutureSchools::Omit)
            .data;
        eprintln!(
            "zones --year {year}: zoning the network of {year} (the scenario's changes that take effect by {year}), not of the scenario's year {scenario_year}"
        );
    }
}
