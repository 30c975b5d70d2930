//! `sunshine zones`: admission zones (学区划片) of whole blocks, within
//! seats and connected, with few blocks moved from last year's zones.

use std::path::PathBuf;
use std::time::Duration;

use super::shared::{distances, finish, load, refuse_dataset_folder, set_threads};
use super::Global;
use crate::io::dataset::{read_adjacency, read_zone_file};
use crate::planning::zones::{build, solve, Method, ZoneSettings};
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
}

impl Args {
    pub fn run(&self, g: &Global) -> Result<()> {
        set_threads(self.threads)?;
        let input = load(&self.scenario, g)?;
        refuse_dataset_folder(&self.out, &input)?;
        let enc = input.encoding;
        let mut diags = Diagnostics::new();
        let mut settings = ZoneSettings::default();
        if let Some(p) = self.previous.as_deref() {
            if let Some(z) = read_zone_file(p, enc, &input.data, &mut diags) {
                settings.previous = Some(z.school.get(input.scenario.grade).to_vec());
            }
        }
        let adjacency = input.scenario.dataset.join("adjacency.csv");
        if adjacency.exists() {
            settings.adjacency = read_adjacency(&adjacency, enc, &input.data, &mut diags);
        }
        if diags.has_errors() {
            return Err(Error::Input(diags));
        }
        let dist = distances(&input, Some(&self.out))?;
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
        let solved = solve(
            &problem.instance,
            self.method,
            Duration::from_secs(self.time_limit),
        );
        let run = ZonesRun::new(&input.data, &input.scenario, &problem, &solved, dist.name());
        finish(outputs(&run), &self.out, &terminal(&run))
    }
}
