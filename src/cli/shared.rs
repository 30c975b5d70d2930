//! What the commands share: loading a scenario and printing its warnings,
//! the distance source, worker threads, writing the outputs and printing
//! an error.

use std::path::{Path, PathBuf};

use super::progress::Progress;
use super::Global;
use crate::domain::diag::{Diagnostics, Error, Result};
use crate::domain::language::Language;
use crate::domain::scenario::DistancePolicy;
use crate::io::{self, output::OutputSet, Input};
use crate::report;
use crate::rules::place::{place, Mechanism, PlacementResult};
use crate::spatial::distance::DistanceSource;

/// `--max-errors` as a limit: 0 lists all.
fn limit(max: usize) -> usize {
    if max == 0 {
        usize::MAX
    } else {
        max
    }
}

/// Read a scenario and its dataset (`--encoding` over the scenario's) and
/// print the warnings found while reading.
pub fn load(scenario: &Path, g: &Global) -> Result<Input> {
    let input = io::load(scenario, g.encoding)?;
    print_warnings(&input.warnings, g.max_errors);
    Ok(input)
}

/// Refuse an output folder that is the dataset folder: `place` and `zones`
/// write `schools.csv` and `zones.csv`, which would replace the inputs of
/// the next run (exit 2, nothing written).
pub fn refuse_dataset_folder(out: &Path, input: &Input) -> Result<()> {
    let same = match (out.canonicalize(), input.scenario.dataset.canonicalize()) {
        (Ok(o), Ok(d)) => o == d,
        _ => false,
    };
    if same {
        return Err(Error::Usage(format!(
            "--out {} is the dataset folder; its schools.csv and zones.csv would be replaced; expected another folder",
            out.display()
        )));
    }
    Ok(())
}

/// The warnings of `warnings` on stderr, at most `max` (0: all) and a count
/// of the rest.
pub fn print_warnings(warnings: &Diagnostics, max: usize) {
    let shown = limit(max);
    let n = warnings.warnings().count();
    for w in warnings.warnings().take(shown) {
        eprintln!("{w}");
    }
    if n > shown {
        eprintln!("... and {} more warnings", n - shown);
    }
}

/// A failed command's error on stderr. Input problems are listed (errors,
/// then warnings, at most `max` of each; 0: all) with the total and the
/// books of every file that lost lines, and end with "nothing was written".
pub fn print_error(e: &Error, max: usize) {
    match e {
        Error::Input(diags) => {
            let total = diags.error_count();
            let shown = limit(max);
            for d in diags.errors().take(shown) {
                eprintln!("error: {d}");
            }
            for d in diags.warnings().take(shown) {
                eprintln!("{d}");
            }
            if total > shown {
                eprintln!(
                    "... and {} more errors (use --max-errors 0 to list all)",
                    total - shown
                );
            }
            // the books of every file that lost lines, so the count of
            // rejected lines is seen even though nothing else is printed
            for c in diags.counts().filter(|c| c.rejected > 0) {
                eprintln!("{}", report::rejected_line(c));
            }
            eprintln!("{total} error(s) in the input; nothing was written");
        }
        e => eprintln!("error: {e}"),
    }
}

/// The scenario's distance source. Road tables are cached in
/// `.sunshine-cache/` beside the output folder `out` (`None`, as for
/// `validate`, which writes nothing: no cache); the build is reported on
/// stderr ([`report::roads::build_text`]).
pub fn distances(input: &Input, out: Option<&Path>) -> Result<Box<dyn DistanceSource>> {
    let cache = out.map(|out| {
        out.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join(".sunshine-cache")
    });
    let (dist, built) =
        crate::spatial::roads::source_for(&input.data, &input.scenario, cache.as_deref())?;
    if let (Some(r), DistancePolicy::Road(road)) = (built, &input.scenario.policy.distance) {
        eprint!(
            "{}",
            report::roads::build_text(&input.data, road, &dist.name(), &r)
        );
    }
    Ok(dist)
}

/// The most worker threads `--threads` takes: far beyond the cores of any
/// planner's machine (results never depend on it), and it keeps a typo
/// such as `10000` from spending minutes on starting threads.
const MAX_THREADS: usize = 256;

/// `--threads N`: the worker pool's size (1 to [`MAX_THREADS`]); none
/// leaves rayon's default, one per core.
pub fn set_threads(threads: Option<usize>) -> Result<()> {
    if let Some(t) = threads {
        if !(1..=MAX_THREADS).contains(&t) {
            return Err(Error::Usage(format!(
                "--threads {t}; expected 1 to {MAX_THREADS}"
            )));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .map_err(|e| Error::Other(e.to_string()))?;
    }
    Ok(())
}

/// Write a command's output files (all or nothing; every `.csv` with the
/// byte order mark unless `--csv-bom false`), then print its report and
/// where the files are.
pub fn finish(g: &Global, files: OutputSet, out: &Path, text: &str, lang: Language) -> Result<()> {
    finish_sets(g, vec![(files, out)], text, lang)
}

/// [`finish`] for several output sets (`place --publish` into another
/// folder), each committed all or nothing, in order.
pub fn finish_sets(
    g: &Global,
    sets: Vec<(OutputSet, &Path)>,
    text: &str,
    lang: Language,
) -> Result<()> {
    let mut written = Vec::new();
    for (mut files, out) in sets {
        files.set_csv_bom(g.csv_bom);
        written.extend(files.commit(out)?);
    }
    if g.quiet {
        return Ok(());
    }
    print!("{text}");
    println!("\n{}", lang.pick("已写入：", "Wrote:"));
    for p in written {
        println!("  {}", p.display());
    }
    Ok(())
}

/// Load and place several scenarios in parallel (`compare`, `sweep`);
/// every input problem of every scenario is reported together. Road
/// tables are cached beside `out`.
/// Refuse (exit 2) a mechanism that cannot run the scenario's priority
/// rules ([`crate::rules::place::unsupported`]).
pub fn supported(input: &Input, path: &Path, mechanism: Mechanism) -> Result<()> {
    match crate::rules::place::unsupported(&input.data, &input.scenario, mechanism) {
        Some(why) => Err(Error::Usage(format!("{}: {why}", path.display()))),
        None => Ok(()),
    }
}

pub fn place_all(
    g: &Global,
    paths: &[PathBuf],
    mechanism: Mechanism,
    out: &Path,
) -> Result<Vec<(Input, PlacementResult)>> {
    use rayon::prelude::*;
    let bar = Progress::counting(paths.len(), "scenarios", g);
    let runs: Vec<Result<(Input, PlacementResult)>> = paths
        .par_iter()
        .map(|p| {
            let input = io::load(p, g.encoding)?;
            supported(&input, p, mechanism)?;
            let dist = distances(&input, Some(out))?;
            let r = place(&input.data, &input.scenario, mechanism, dist.as_ref());
            bar.step();
            Ok((input, r))
        })
        .collect();
    bar.finish();
    let mut diags = Diagnostics::new();
    let mut ok = Vec::new();
    for r in runs {
        match r {
            Ok(x) => ok.push(x),
            Err(Error::Input(d)) => diags.extend(d),
            Err(e) => return Err(e),
        }
    }
    if diags.has_errors() {
        return Err(Error::Input(diags));
    }
    Ok(ok)
}

/// A scenario's forecast inputs, read as every forecasting command reads
/// them (`forecast`, `compare --years`, `sweep --years`, `zones --year`):
/// births, history and housing of its dataset against the dataset as read,
/// and the feeds of the network as read (the zones' feeder map, replaced
/// by `feeders.csv`'s shares where it gives them). The cohorts are
/// projected on the network as read; the scenario's changes then move
/// them year by year (`planning::forecast::Timeline`).
pub struct ForecastData {
    pub births: crate::planning::forecast::Births,
    pub history: crate::planning::forecast::Enrollment,
    pub housing: crate::planning::forecast::Housing,
    pub feeds: crate::planning::forecast::Feeds,
}

impl ForecastData {
    /// Read the files (errors into `diags`; `None` if any).
    pub fn read(input: &Input, diags: &mut Diagnostics) -> Option<ForecastData> {
        let (births, history, housing) = crate::io::forecast::read(
            &input.scenario.dataset,
            &input.base,
            input.encoding,
            &input.scenario.forecast.housing_types(),
            diags,
        )?;
        let mut feeds = crate::planning::forecast::feeds(&input.base);
        // feeders.csv was read with the dataset (io::routes::read_feeders)
        if let Some(f) = crate::io::forecast::feeder_shares(&input.base.feeders, &feeds.feeder) {
            feeds.feeder = f;
        }
        Some(ForecastData {
            births,
            history,
            housing,
            feeds,
        })
    }

    /// The projection's inputs over the dataset as read.
    pub fn inputs<'a>(&'a self, input: &'a Input) -> crate::planning::forecast::Inputs<'a> {
        crate::planning::forecast::Inputs {
            data: &input.base,
            feeds: &self.feeds,
            births: &self.births,
            history: &self.history,
            housing: &self.housing,
            new_schools: &[],
        }
    }
}
