//! Everything that touches files: decoding, CSV and TOML reading with
//! validation, and writing outputs completely or not at all.

pub mod dataset;
pub mod excel;
pub mod forecast;
pub mod output;
pub mod placements;
pub mod provenance;
pub mod routes;
pub mod scenario;
pub mod table;
pub mod text;
pub mod verify;
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
    /// Every file read, with its size and SHA-256: the scenario, its
    /// `extends` bases, the dataset's files and the road network
    /// (`summary.json`'s `inputs`, checked by `sunshine verify`).
    pub inputs: Vec<provenance::InputFile>,
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
    let inputs = read_inputs(scenario_path, &file, &diags)?;
    Ok(Input {
        scenario: file.scenario,
        base: loaded.data,
        data,
        boundary: loaded.boundary,
        encoding: enc,
        language: file.language,
        warnings: diags,
        inputs,
    })
}

/// The files a run read, digested ([`Input::inputs`]): the scenario and
/// its bases, every dataset table read (the books `diags` keeps of each,
/// so whatever the reader reads is listed), `boundary.geojson` and the
/// road network where used.
fn read_inputs(
    scenario_path: &Path,
    file: &scenario::ScenarioFile,
    diags: &Diagnostics,
) -> Result<Vec<provenance::InputFile>> {
    let mut paths: Vec<std::path::PathBuf> =
        file.files().into_iter().map(Path::to_path_buf).collect();
    paths.extend(diags.counts().map(|c| c.path.clone()));
    let boundary = file.scenario.dataset.join("boundary.geojson");
    if boundary.is_file() {
        paths.push(boundary);
    }
    if let crate::domain::scenario::DistancePolicy::Road(r) = &file.scenario.policy.distance {
        paths.push(r.network.clone());
    }
    provenance::input_files(scenario_path, paths.iter().map(std::path::PathBuf::as_path))
}
