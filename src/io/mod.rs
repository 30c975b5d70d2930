//! Everything that touches files: decoding, CSV and TOML reading with
//! validation, and writing outputs completely or not at all.

pub mod dataset;
pub mod excel;
pub mod forecast;
pub mod output;
pub mod placements;
pub mod routes;
pub mod scenario;
pub mod table;
pub mod text;
pub mod xlsx;

use std::path::Path;

use crate::domain::diag::{Diagnostics, Error, Result};
use crate::domain::model::Dataset;
use crate::domain::scenario::Scenario;
use crate::spatial::geography::Boundary;

pub use text::Encoding;

/// A scenario with its validated dataset, the scenario's changes applied.
pub struct Input {
    pub scenario: Scenario,
    /// The dataset as read, before the scenario's changes.
    pub base: Dataset,
    /// The dataset with closures, mergers, capacity changes and new schools applied.
    pub data: Dataset,
    pub boundary: Option<Boundary>,
    /// The encoding the dataset was read with (the scenario's or `--encoding`).
    pub encoding: Encoding,
    /// The scenario's `language`, if it states one (`--lang` wins over it).
    pub language: Option<crate::domain::language::Language>,
    /// Warnings found while reading (errors make [`load`] fail instead).
    pub warnings: Diagnostics,
}

/// Read a scenario and its dataset. Every problem of every file is collected
/// before failing with [`Error::Input`].
pub fn load(scenario_path: &Path, encoding: Option<Encoding>) -> Result<Input> {
    let mut diags = Diagnostics::new();
    let file = scenario::read(scenario_path, &mut diags);
    let Some(file) = file else {
        // the scenario has errors: still check its dataset, so one run
        // lists every problem
        if let Some((dir, enc, expect)) = scenario::dataset_hint(scenario_path) {
            dataset::read_dataset_expecting(
                &dir,
                encoding.unwrap_or(enc),
                &mut diags,
                &mut Vec::new(),
                &expect,
            );
        }
        return Err(Error::Input(diags));
    };
    let enc = encoding.unwrap_or(file.encoding);
    let mut known = Vec::new();
    let loaded = dataset::read_dataset_expecting(
        &file.scenario.dataset,
        enc,
        &mut diags,
        &mut known,
        &file.dataset_expect(),
    );
    let Some(loaded) = loaded else {
        if !known.is_empty() {
            scenario::check_school_ids(&file, &known, &mut diags);
        }
        return Err(Error::Input(diags));
    };
    scenario::check_references(&file, &loaded.data, &mut diags);
    let mut applied = file.scenario.applied(loaded.data.clone());
    // a change of a later year (issue 16) must also apply on the network
    // of its year, which `forecast` and `compare --years` use
    for y in file.scenario.change_years() {
        if y <= file.scenario.year {
            continue;
        }
        let later = file.scenario.applied_as_of(
            loaded.data.clone(),
            y,
            crate::domain::scenario::FutureSchools::NotYetOpen,
        );
        for e in later.errors {
            if !applied.errors.iter().any(|x| x.at == e.at) {
                applied.errors.push(crate::domain::scenario::ChangeError {
                    at: e.at,
                    message: format!("{} (in {y}, the year the change takes effect)", e.message),
                });
            }
        }
    }
    scenario::report_applied(&file, &applied, &mut diags);
    scenario::report_timing(&file, &mut diags);
    if diags.has_errors() {
        return Err(Error::Input(diags));
    }
    let data = applied.data;
    Ok(Input {
        scenario: file.scenario,
        base: loaded.data,
        data,
        boundary: loaded.boundary,
        encoding: enc,
        language: file.language,
        warnings: diags,
    })
}
