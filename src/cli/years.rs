//! The forecasts of `compare --years` and `sweep --years`: each loaded
//! scenario projected as `sunshine forecast` projects it (births, history
//! and housing of its dataset; cohorts on the network as read, placed on
//! each year's network of the scenario), without a backtest.

use std::collections::HashSet;

use super::shared::print_warnings;
use super::shared::ForecastData;
use super::Global;
use crate::io::Input;
use crate::planning::forecast::{self as fc, Forecast, ForecastError};
use crate::{Diagnostics, Error, Result};

/// The forecasts of `inputs` over `years` years, in their order. The
/// projections' warnings are printed once each (scenarios sharing a
/// dataset share its warnings); every input problem of every scenario is
/// reported together.
pub fn forecasts(inputs: &[&Input], years: u32, g: &Global) -> Result<Vec<Forecast>> {
    let mut errors = Diagnostics::new();
    let mut warnings = Diagnostics::new();
    let mut seen: HashSet<(std::path::PathBuf, String)> = HashSet::new();
    let mut out = Vec::new();
    for input in inputs {
        let dataset = &input.scenario.dataset;
        let mut diags = Diagnostics::new();
        let Some(fd) = ForecastData::read(input, &mut diags) else {
            errors.extend(diags);
            continue;
        };
        let inp = fd.inputs(input);
        match fc::run(&inp, &input.scenario, years, None, &input.scenario.forecast) {
            Ok(f) => {
                for n in &f.projection.notes {
                    let path = dataset.join(n.source.file());
                    if seen.insert((path.clone(), n.message.clone())) {
                        warnings.warning(&path, None, None, n.message.clone());
                    }
                }
                out.push(f);
            }
            Err(ForecastError::Inputs(notes)) => {
                for n in notes {
                    let path = dataset.join(n.source.file());
                    if seen.insert((path.clone(), n.message.clone())) {
                        errors.error(&path, None, None, n.message);
                    }
                }
            }
            Err(ForecastError::Backtest(msg)) => return Err(Error::Usage(msg)),
        }
    }
    print_warnings(&warnings, g.max_errors);
    if errors.has_errors() {
        return Err(Error::Input(errors));
    }
    Ok(out)
}
