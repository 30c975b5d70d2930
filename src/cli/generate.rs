//! `sunshine generate`: write a synthetic dataset, the Longtan demo (with
//! its births, enrollment history and housing) or a large benchmark
//! district with its scenario.

use std::path::PathBuf;

use clap::Subcommand;

use crate::io::dataset::{
    blocks_csv, districts_csv, feeders_csv, read_boundary, schools_csv, seat_history_csv,
    students_csv_with, zone_groups_csv, zones_csv,
};
use crate::io::forecast::{births_csv, history_csv, housing_csv};
use crate::io::output::OutputSet;
use crate::synth;
use crate::{Diagnostics, Error, Result};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    kind: Kind,
}

#[derive(Subcommand)]
enum Kind {
    /// The Longtan District demo (data/longtan).
    Longtan {
        /// Output folder for the dataset (schools, blocks, students, zones,
        /// births, history, housing).
        #[arg(long)]
        out: PathBuf,
        /// Seed of the synthetic data (2025 makes the bundled data/longtan).
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// District boundary GeoJSON (default: OUT/boundary.geojson).
        #[arg(long)]
        boundary: Option<PathBuf>,
    },
    /// A large synthetic district for benchmarks, with a scenario.toml.
    Large {
        /// Output folder for the dataset and its scenario.toml.
        #[arg(long)]
        out: PathBuf,
        /// Grade-1 applicants (about 20 per block).
        #[arg(long, default_value_t = 1_000_000)]
        students: usize,
        /// Schools (90% primary, 8% nine-year, 2% special).
        #[arg(long, default_value_t = 2_000)]
        schools: usize,
        /// Seed of the synthetic data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

impl Args {
    pub fn run(&self, g: &super::Global) -> Result<()> {
        // no scenario: --lang, else Chinese
        let lang = g.lang.unwrap_or_default();
        let mut files = OutputSet::new();
        let (data, out) = match &self.kind {
            Kind::Longtan {
                out,
                seed,
                boundary,
            } => {
                let bpath = boundary
                    .clone()
                    .unwrap_or_else(|| out.join("boundary.geojson"));
                let mut diags = Diagnostics::new();
                let b = read_boundary(&bpath, &mut diags);
                if diags.has_errors() {
                    return Err(Error::Input(diags));
                }
                (synth::longtan(*seed, b.as_ref()), out)
            }
            Kind::Large {
                out,
                students,
                schools,
                seed,
            } => (synth::large(*seed, *students, *schools), out),
        };
        files.add("schools.csv", schools_csv(&data.schools));
        files.add("blocks.csv", blocks_csv(&data.blocks));
        // the Longtan demo carries the columns of the priority rules (issue
        // 14); a large district has none unless asked (`synth::with_rule_columns`)
        let extra = match self.kind {
            Kind::Longtan { .. } => synth::demo_column_names(),
            Kind::Large { .. } => Vec::new(),
        };
        files.add("students.csv", students_csv_with(&data, &extra));
        if !data.seat_history.is_empty() {
            files.add(
                "seat_history.csv",
                seat_history_csv(&data, &data.seat_history),
            );
        }
        // the admission routes (issue 15), when the dataset has them
        if !data.feeders.is_empty() {
            files.add("feeders.csv", feeders_csv(&data));
        }
        if !data.district_names.is_empty() {
            files.add("districts.csv", districts_csv(&data));
        }
        if let Some(z) = &data.zones {
            files.add("zones.csv", zones_csv(&data, z));
            if !z.groups.is_empty() {
                files.add("zone_groups.csv", zone_groups_csv(&data, z));
            }
        }
        match &self.kind {
            Kind::Longtan { seed, .. } => {
                let (births, history, housing) = synth::longtan_history(&data, *seed);
                files.add("births.csv", births_csv(&data, &births));
                files.add("enrollment_history.csv", history_csv(&data, &history));
                files.add("housing.csv", housing_csv(&data, &housing));
            }
            Kind::Large {
                students,
                schools,
                seed,
                ..
            } => files.add(
                "scenario.toml",
                synth::large_scenario_toml(*seed, *students, *schools).into_bytes(),
            ),
        }
        files.set_csv_bom(g.csv_bom);
        let written = files.commit(out)?;
        if g.quiet {
            return Ok(());
        }
        for p in written {
            println!("{} {}", lang.pick("已写入", "wrote"), p.display());
        }
        println!(
            "{}",
            crate::report::tr!(
                lang,
                "{} 所学校，{} 个小区，{} 名报名人员",
                "{} schools, {} blocks, {} applicants",
                data.schools.len(),
                data.blocks.len(),
                data.students.len()
            )
        );
        Ok(())
    }
}
