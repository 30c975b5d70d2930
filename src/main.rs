//! The `sunshine` command line: parses arguments, calls the library, prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sunshine::io::{self, output::OutputSet, Encoding};
use sunshine::rules::place::{Mechanism, TieBreak};
use sunshine::{planning::overview as summary, report, synth as generate, Error};

#[derive(Parser)]
#[command(
    name = "sunshine",
    version,
    about = "School-enrollment allocation for sunshine enrollment (阳光入学)"
)]
struct Cli {
    /// Encoding of the dataset CSV files: auto, utf-8 or gb18030 (overrides the scenario's `encoding`).
    #[arg(long, global = true)]
    encoding: Option<Encoding>,
    /// Problems listed at most (0 lists all); the total is always printed.
    #[arg(long, global = true, default_value_t = 200)]
    max_errors: usize,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a scenario and its dataset, and print a summary.
    Validate { scenario: PathBuf },
    /// Place every applicant of the scenario's entry grade.
    Place {
        scenario: PathBuf,
        /// Output folder for placements.csv, schools.csv, zones.csv, summary.json.
        #[arg(long)]
        out: PathBuf,
        /// zoned (zones, tiers, lottery, overflow), deferred-acceptance, boston,
        /// or min-distance (ignore zones and tiers).
        #[arg(long, default_value = "zoned")]
        mechanism: String,
        /// Lottery tie-breaking for deferred-acceptance and boston: single
        /// (one number per applicant) or multiple (one per applicant and school).
        #[arg(long, default_value = "single")]
        tie_breaking: String,
        /// Worker threads (results never depend on it).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Admission odds: run the lottery many times and report, per block,
    /// tier and school, the probability of admission, and each school's
    /// lottery cut-off with a 95% interval.
    Odds {
        scenario: PathBuf,
        /// Output folder for odds.csv and cutoffs.csv.
        #[arg(long)]
        out: PathBuf,
        /// Number of lottery draws.
        #[arg(long, default_value_t = 1000)]
        draws: usize,
        /// zoned, deferred-acceptance or boston.
        #[arg(long, default_value = "zoned")]
        mechanism: String,
        /// single or multiple tie-breaking (choice mechanisms).
        #[arg(long, default_value = "single")]
        tie_breaking: String,
        /// Worker threads (results never depend on it).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Balanced classes (阳光分班) for every school's admitted students, by a
    /// seeded, repeatable draw; head teachers drawn by lot.
    Classes {
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
    },
    /// Run the placement for a baseline and scenarios and compare them side
    /// by side: schools, displaced applicants, district totals.
    Compare {
        /// The baseline first, then the scenarios.
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<PathBuf>,
        /// Output folder for compare.csv, compare.md, totals.csv, displaced.csv.
        #[arg(long, default_value = "out/compare")]
        out: PathBuf,
        #[arg(long, default_value = "zoned")]
        mechanism: String,
    },
    /// Run many scenarios in parallel: one row of district totals each.
    Sweep {
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        #[arg(long, default_value = "out/sweep")]
        out: PathBuf,
        /// Sort by this column of sweep.csv (e.g. unplaced, mean_km, p90_km).
        #[arg(long, default_value = "scenario")]
        sort: String,
        #[arg(long, default_value = "zoned")]
        mechanism: String,
    },
    /// Choose which schools to close so that every applicant keeps a seat
    /// within reach, at the least total distance (plus weighted yearly cost):
    /// the best sets, each placed and compared with the scenario.
    OptimizeClosures {
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
        #[arg(long, default_value = "auto")]
        method: String,
        #[arg(long, default_value = "out/closures")]
        out: PathBuf,
    },
    /// Admission zones (学区划片): whole blocks to schools within seats,
    /// connected, short trips, few blocks moved from last year.
    Zones {
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
        #[arg(long, default_value = "auto")]
        method: String,
        /// Seconds the MIP may run before the heuristic's zoning is kept.
        #[arg(long, default_value_t = 60)]
        time_limit: u64,
        /// Worker threads (results never depend on it).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Project enrollment by cohort survival and report capacity shortfalls
    /// (学位预警): needs births.csv and enrollment_history.csv (and optional
    /// housing.csv) in the dataset folder.
    Forecast {
        scenario: PathBuf,
        /// Years to project after the last year of history (1 to 50).
        #[arg(long, default_value_t = 5,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(sunshine::planning::forecast::MAX_YEARS)))]
        years: u32,
        /// Also hide the last K years of history, project them and report
        /// MAPE (1 to the history's years − 2).
        #[arg(long,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(sunshine::planning::forecast::MAX_YEARS)))]
        backtest: Option<u32>,
        #[arg(long, default_value = "out/forecast")]
        out: PathBuf,
    },
    /// Write a synthetic dataset.
    Generate {
        #[command(subcommand)]
        kind: GenerateKind,
    },
}

#[derive(Subcommand)]
enum GenerateKind {
    /// The Longtan District demo (data/longtan).
    Longtan {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// District boundary GeoJSON (default: OUT/boundary.geojson).
        #[arg(long)]
        boundary: Option<PathBuf>,
    },
    /// A large synthetic district for benchmarks, with a scenario.toml.
    Large {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        students: usize,
        #[arg(long, default_value_t = 2_000)]
        schools: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Input(diags)) => {
            let total = diags.error_count();
            let shown = if cli.max_errors == 0 {
                usize::MAX
            } else {
                cli.max_errors
            };
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
            ExitCode::from(2)
        }
        Err(Error::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn print_warnings(warnings: &sunshine::Diagnostics, max: usize) {
    let shown = if max == 0 { usize::MAX } else { max };
    let n = warnings.warnings().count();
    for w in warnings.warnings().take(shown) {
        eprintln!("{w}");
    }
    if n > shown {
        eprintln!("... and {} more warnings", n - shown);
    }
}

fn run(cli: &Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Validate { scenario } => {
            let input = io::load(scenario, cli.encoding)?;
            print_warnings(&input.warnings, cli.max_errors);
            let dist = distances(&input, None)?;
            let sum = summary::summarize(&input.data, &input.scenario, dist.as_ref());
            print!("{}", report::validate_text(&input.scenario, &sum));
            print!("\n{}", report::read_counts_text(input.warnings.counts()));
            if sum.warnings.is_empty() {
                println!("\nNo warnings.");
            } else {
                println!("\nWarnings:");
                for w in &sum.warnings {
                    println!("- {w}");
                }
            }
            println!("\nOK: no errors in {}", scenario.display());
            Ok(())
        }
        Command::Place {
            scenario,
            out,
            mechanism,
            tie_breaking,
            threads,
        } => place(cli, scenario, out, mechanism, tie_breaking, *threads),
        Command::Odds {
            scenario,
            out,
            draws,
            mechanism,
            tie_breaking,
            threads,
        } => odds(
            cli,
            scenario,
            out,
            *draws,
            mechanism,
            tie_breaking,
            *threads,
        ),
        Command::Classes {
            scenario,
            placements,
            out,
            seed,
            teachers,
        } => classes(cli, scenario, placements, out, *seed, teachers.as_deref()),
        Command::Compare {
            scenarios,
            out,
            mechanism,
        } => compare(cli, scenarios, out, mechanism),
        Command::Sweep {
            scenarios,
            out,
            sort,
            mechanism,
        } => sweep(cli, scenarios, out, sort, mechanism),
        Command::OptimizeClosures {
            scenario,
            close,
            min_utilisation,
            must_keep,
            must_close,
            cost_weight,
            top,
            method,
            out,
        } => optimize_closures(
            cli,
            scenario,
            (*close, *min_utilisation),
            (must_keep, must_close),
            *cost_weight,
            *top,
            method,
            out,
        ),
        Command::Forecast {
            scenario,
            years,
            backtest,
            out,
        } => forecast(cli, scenario, *years, *backtest, out),
        Command::Zones {
            scenario,
            out,
            previous,
            method,
            time_limit,
            threads,
        } => zones(
            cli,
            scenario,
            out,
            previous.as_deref(),
            method,
            *time_limit,
            *threads,
        ),
        Command::Generate { kind } => generate_cmd(kind),
    }
}

fn place(
    cli: &Cli,
    scenario: &Path,
    out: &Path,
    mechanism: &str,
    tie_breaking: &str,
    threads: Option<usize>,
) -> Result<(), Error> {
    let mechanism = parse_mechanism(mechanism, tie_breaking)?;
    set_threads(threads)?;
    let input = io::load(scenario, cli.encoding)?;
    print_warnings(&input.warnings, cli.max_errors);
    let dist = distances(&input, out)?;
    let tiers = input.scenario.policy.tier_count();
    let bar = indicatif::ProgressBar::new(u64::from(tiers) + 3);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed}] {bar:30} {msg}")
            .expect("static template"),
    );
    let result = sunshine::rules::place::place_with_progress(
        &input.data,
        &input.scenario,
        mechanism,
        dist.as_ref(),
        &|stage| {
            bar.set_position(stage.position(tiers).0);
            bar.set_message(format!("{stage:?}"));
        },
    );
    bar.finish_and_clear();
    let files = report::placement::outputs(&input.data, &input.scenario, &result, dist.as_ref());
    let text = report::placement::terminal(&input.data, &input.scenario, &result);
    finish(files, out, &text)?;
    Ok(())
}

/// The scenario's distance source. Road tables are cached in
/// `.sunshine-cache/` beside the output folder; the build is reported on
/// stderr: network size, cache use, long snaps and pairs out of reach.
fn distances<'a>(
    input: &io::Input,
    out: impl Into<Option<&'a Path>>,
) -> Result<Box<dyn sunshine::spatial::distance::DistanceSource>, Error> {
    // `validate` writes nothing, so it caches nothing
    let cache = out.into().map(|out| {
        out.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join(".sunshine-cache")
    });
    let (dist, report) =
        sunshine::spatial::roads::source_for(&input.data, &input.scenario, cache.as_deref())?;
    if let (Some(r), sunshine::domain::scenario::DistancePolicy::Road(road)) =
        (report, &input.scenario.policy.distance)
    {
        let file = r
            .cache_file
            .as_ref()
            .map_or(String::new(), |f| f.display().to_string());
        if r.cache_file.is_none() {
            eprintln!(
                "distances: {} over {} nodes and {} edges, {} pairs",
                dist.name(),
                r.nodes,
                r.edges,
                r.pairs
            );
        } else if r.from_cache {
            eprintln!("distances: {} from the cache {file}", dist.name());
        } else {
            eprintln!(
                "distances: {} over {} nodes and {} edges, {} pairs; cached in {file}",
                dist.name(),
                r.nodes,
                r.edges,
                r.pairs
            );
        }
        if let Some(w) = &r.cache_rebuilt {
            eprintln!("warning: {w}");
        }
        let blocks = input.data.blocks.len();
        let far: Vec<String> = r
            .home_snap_m
            .iter()
            .enumerate()
            .filter(|(_, &m)| m > road.max_snap_m)
            .map(|(h, m)| match input.data.blocks.get(h) {
                Some(b) => format!("block {} ({m:.0} m)", b.id),
                None => format!("a geocoded home #{} ({m:.0} m)", h - blocks + 1),
            })
            .collect();
        if !far.is_empty() {
            eprintln!(
                "warning: {} homes lie more than {} m from the road network: {}",
                far.len(),
                road.max_snap_m,
                far.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
            );
        }
        for (s, &m) in r.school_snap_m.iter().enumerate() {
            if m > road.max_snap_m {
                eprintln!(
                    "warning: school {} lies {m:.0} m from the road network",
                    input.data.schools[s].id
                );
            }
        }
        if !r.unreachable.is_empty() {
            let first: Vec<String> = r
                .unreachable
                .iter()
                .take(10)
                .map(|&(h, s)| {
                    let home = input
                        .data
                        .blocks
                        .get(h)
                        .map_or(format!("geocoded home #{}", h - blocks + 1), |b| {
                            b.id.to_string()
                        });
                    format!("{home} → {}", input.data.schools[s].id)
                })
                .collect();
            eprintln!(
                "warning: {} home–school pairs have no road within reach (they are not candidates): {}",
                r.unreachable.len(),
                first.join(", ")
            );
        }
    }
    Ok(dist)
}

fn parse_mechanism(mechanism: &str, tie_breaking: &str) -> Result<Mechanism, Error> {
    let m: Mechanism = mechanism.parse().map_err(Error::Usage)?;
    let t: TieBreak = tie_breaking.parse().map_err(Error::Usage)?;
    Ok(m.with_tie_break(t))
}

/// The most worker threads `--threads` takes: far beyond the cores of any
/// planner's machine (results never depend on it), and it keeps a typo
/// such as `10000` from spending minutes on starting threads.
const MAX_THREADS: usize = 256;

fn set_threads(threads: Option<usize>) -> Result<(), Error> {
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

fn odds(
    cli: &Cli,
    scenario: &Path,
    out: &Path,
    draws: usize,
    mechanism: &str,
    tie_breaking: &str,
    threads: Option<usize>,
) -> Result<(), Error> {
    let mechanism = parse_mechanism(mechanism, tie_breaking)?;
    if !(1..=sunshine::rules::odds::MAX_DRAWS).contains(&draws) {
        return Err(Error::Usage(format!(
            "--draws {draws}; expected 1 to {}",
            sunshine::rules::odds::MAX_DRAWS
        )));
    }
    if mechanism == Mechanism::MinDistance {
        return Err(Error::Usage(
            "min-distance has no lottery; expected zoned, deferred-acceptance or boston".into(),
        ));
    }
    set_threads(threads)?;
    let input = io::load(scenario, cli.encoding)?;
    print_warnings(&input.warnings, cli.max_errors);
    let dist = distances(&input, out)?;
    let bar = indicatif::ProgressBar::new(draws as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed}] {bar:30} {pos}/{len} draws")
            .expect("static template"),
    );
    let result = sunshine::rules::odds::odds(
        &input.data,
        &input.scenario,
        mechanism,
        dist.as_ref(),
        draws,
        &|_| bar.inc(1),
    );
    bar.finish_and_clear();
    finish(
        report::odds::outputs(&input.data, &input.scenario, &result),
        out,
        &report::odds::terminal(&input.data, &result),
    )
}

fn classes(
    cli: &Cli,
    scenario: &Path,
    placements: &Path,
    out: &Path,
    seed: Option<u64>,
    teachers: Option<&Path>,
) -> Result<(), Error> {
    let input = io::load(scenario, cli.encoding)?;
    print_warnings(&input.warnings, cli.max_errors);
    let mut diags = sunshine::Diagnostics::new();
    let admitted =
        io::placements::read_admitted(placements, &input.data, input.encoding, &mut diags);
    let tpath = teachers
        .map(Path::to_path_buf)
        .unwrap_or_else(|| input.scenario.dataset.join("teachers.csv"));
    let teacher_lists = if teachers.is_some() || tpath.exists() {
        io::placements::read_teachers(&tpath, &input.data, input.encoding, &mut diags)
    } else {
        Some(vec![Vec::new(); input.data.schools.len()])
    };
    let (Some(admitted), Some(teacher_lists)) = (admitted, teacher_lists) else {
        return Err(Error::Input(diags));
    };
    let seed = seed
        .or(input.scenario.classes.seed)
        .unwrap_or(input.scenario.policy.lottery_seed);
    let result = sunshine::planning::classes::assign_all(
        &input.data,
        &admitted,
        &input.scenario.classes,
        seed,
        &teacher_lists,
    );
    let read = |p: &Path| std::fs::read(p).map_err(|e| Error::io(p, e));
    let mut digests = vec![
        (
            "placements.csv",
            report::classes::digest(&read(placements)?),
        ),
        (
            "students.csv",
            report::classes::digest(&read(&input.scenario.dataset.join("students.csv"))?),
        ),
    ];
    if tpath.exists() {
        digests.push(("teachers.csv", report::classes::digest(&read(&tpath)?)));
    }
    let files = report::classes::outputs(&input.data, &result, &teacher_lists, seed, &digests);
    let text = format!(
        "{}\nSeed {seed}; algorithm {}\n",
        report::classes::terminal(&input.data, &result),
        sunshine::planning::classes::ALGORITHM
    );
    finish(files, out, &text)?;
    Ok(())
}

/// Write a command's output files (all or nothing), then print its report
/// and where the files are.
fn finish(files: OutputSet, out: &Path, text: &str) -> Result<(), Error> {
    let written = files.commit(out)?;
    print!("{text}");
    println!("\nWrote:");
    for p in written {
        println!("  {}", p.display());
    }
    Ok(())
}

/// Load and place several scenarios in parallel; every input problem of
/// every scenario is reported together.
fn place_all(
    cli: &Cli,
    paths: &[PathBuf],
    mechanism: Mechanism,
    bar: &indicatif::ProgressBar,
    cache_base: &Path,
) -> Result<Vec<(io::Input, sunshine::rules::place::PlacementResult)>, Error> {
    use rayon::prelude::*;
    let runs: Vec<Result<(io::Input, sunshine::rules::place::PlacementResult), Error>> = paths
        .par_iter()
        .map(|p| {
            let input = io::load(p, cli.encoding)?;
            let dist = distances(&input, cache_base)?;
            let r = sunshine::rules::place::place(
                &input.data,
                &input.scenario,
                mechanism,
                dist.as_ref(),
            );
            bar.inc(1);
            Ok((input, r))
        })
        .collect();
    let mut diags = sunshine::Diagnostics::new();
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

fn progress(n: usize, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(n as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} [{{elapsed}}] {{bar:30}} {{pos}}/{{len}} {what}"
        ))
        .expect("template"),
    );
    bar
}

fn compare(cli: &Cli, paths: &[PathBuf], out: &Path, mechanism: &str) -> Result<(), Error> {
    let mechanism = parse_mechanism(mechanism, "single")?;
    let bar = progress(paths.len(), "scenarios");
    let runs = place_all(cli, paths, mechanism, &bar, out)?;
    bar.finish_and_clear();
    let views: Vec<sunshine::planning::compare::Run<'_>> = runs
        .iter()
        .map(|(i, r)| sunshine::planning::compare::Run {
            scenario: &i.scenario,
            data: &i.data,
            result: r,
        })
        .collect();
    let c = sunshine::planning::compare::compare(&views);
    finish(
        report::compare::outputs(&c),
        out,
        &report::compare::terminal(&c),
    )
}

fn sweep(
    cli: &Cli,
    paths: &[PathBuf],
    out: &Path,
    sort: &str,
    mechanism: &str,
) -> Result<(), Error> {
    let mechanism = parse_mechanism(mechanism, "single")?;
    let col = report::compare::TOTALS_HEADER
        .iter()
        .position(|h| *h == sort)
        .ok_or_else(|| {
            Error::Usage(format!(
                "unknown sort column `{sort}`; expected one of {}",
                report::compare::TOTALS_HEADER.join(", ")
            ))
        })?;
    let bar = progress(paths.len(), "scenarios");
    let runs = place_all(cli, paths, mechanism, &bar, out)?;
    bar.finish_and_clear();
    let mut rows: Vec<(String, sunshine::planning::compare::Totals)> = runs
        .iter()
        .map(|(i, r)| {
            let run = sunshine::planning::compare::Run {
                scenario: &i.scenario,
                data: &i.data,
                result: r,
            };
            (
                i.scenario.name.clone(),
                sunshine::planning::compare::totals(&run),
            )
        })
        .collect();
    let key = |r: &(String, sunshine::planning::compare::Totals)| -> (f64, String) {
        let t = &r.1;
        let v = [
            0.0,
            t.applicants as f64,
            t.placed as f64,
            t.unplaced as f64,
            t.mean_km,
            t.p90_km,
            t.within_radius,
            t.seats as f64,
            t.seats_spare as f64,
            t.open_schools as f64,
        ][col];
        (v, r.0.clone())
    };
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.total_cmp(&kb.0).then(ka.1.cmp(&kb.1))
    });
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let totals: Vec<sunshine::planning::compare::Totals> = rows.into_iter().map(|r| r.1).collect();
    let (files, text) = report::compare::sweep_outputs(&names, &totals);
    finish(files, out, &text)
}

#[allow(clippy::too_many_arguments)]
fn optimize_closures(
    cli: &Cli,
    scenario: &Path,
    (close, min_utilisation): (Option<usize>, Option<f64>),
    (must_keep, must_close): (&[String], &[String]),
    cost_weight: f64,
    top: usize,
    method: &str,
    out: &Path,
) -> Result<(), Error> {
    use sunshine::planning::optimize::{self, Target};
    let target = match (close, min_utilisation) {
        (Some(k), None) => Target::Close(k),
        (None, Some(u)) if (0.0..=1.0).contains(&u) => Target::MinUtilisation(u),
        (None, Some(u)) => {
            return Err(Error::Usage(format!(
                "--min-utilisation {u}; expected a share from 0 to 1"
            )))
        }
        _ => {
            return Err(Error::Usage(
                "expected --close K or --min-utilisation U".into(),
            ))
        }
    };
    let input = io::load(scenario, cli.encoding)?;
    print_warnings(&input.warnings, cli.max_errors);
    let dist = distances(&input, out)?;
    let lookup = input.data.school_lookup();
    let find = |ids: &[String]| -> Result<Vec<sunshine::domain::model::SchoolIx>, Error> {
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
    let (keep, shut) = (find(must_keep)?, find(must_close)?);
    let (inst, candidates) = optimize::instance(
        &input.data,
        &input.scenario,
        &keep,
        &shut,
        cost_weight,
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
    let use_mip = match method {
        "mip" => true,
        "heuristic" => false,
        "auto" => candidates.len() <= 40,
        m => {
            return Err(Error::Usage(format!(
                "unknown method `{m}`; expected auto, mip or heuristic"
            )))
        }
    };
    let heur = optimize::heuristic(&inst, target, top);
    let exact = if use_mip {
        optimize::mip(&inst, target, top)
    } else {
        None
    };
    let (sets, how) = match &exact {
        Some(e) => (
            e.clone(),
            format!(
                "MIP ({}), proven optimal",
                sunshine::solve::lp::solver_name()
            ),
        ),
        None => (heur.clone(), "greedy drop + swaps (heuristic)".to_string()),
    };
    if sets.is_empty() {
        return Err(Error::Other(
            "no closure set keeps every applicant within reach of a seat; try fewer closures"
                .into(),
        ));
    }
    // place each set and compare it with the scenario as it is
    let base = sunshine::rules::place::place(
        &input.data,
        &input.scenario,
        Mechanism::Zoned,
        dist.as_ref(),
    );
    let mut variants = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        let mut sc = input.scenario.clone();
        sc.name = format!("set {}", i + 1);
        sc.closures.extend(
            set.closed
                .iter()
                .map(|&c| input.data.school(candidates[c]).id.clone()),
        );
        // close the set on the network the scenario already changed (a
        // merger's receiving school may be in the set)
        let mut data = input.data.clone();
        let shut: Vec<_> = set.closed.iter().map(|&c| candidates[c]).collect();
        sunshine::domain::scenario::close_schools(&mut data, &shut);
        let r = sunshine::rules::place::place(&data, &sc, Mechanism::Zoned, dist.as_ref());
        variants.push((sc, data, r));
    }
    let mut views = vec![sunshine::planning::compare::Run {
        scenario: &input.scenario,
        data: &input.data,
        result: &base,
    }];
    views.extend(
        variants
            .iter()
            .map(|(sc, d, r)| sunshine::planning::compare::Run {
                scenario: sc,
                data: d,
                result: r,
            }),
    );
    let c = sunshine::planning::compare::compare(&views);
    let names = |set: &optimize::ClosureSet| {
        set.closed
            .iter()
            .map(|&i| {
                let s = input.data.school(candidates[i]);
                format!("{} {}", s.id, s.name)
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let gap = match (&exact, heur.first()) {
        (Some(e), Some(h)) if e[0].objective > 0.0 => {
            Some(100.0 * (h.objective - e[0].objective) / e[0].objective)
        }
        _ => None,
    };
    let files = report::compare::closure_outputs(&c, &sets, &names, &how, gap);
    finish(files.0, out, &files.1)
}

fn zones(
    cli: &Cli,
    scenario: &Path,
    out: &Path,
    previous: Option<&Path>,
    method: &str,
    time_limit: u64,
    threads: Option<usize>,
) -> Result<(), Error> {
    use sunshine::planning::zones;
    let method: zones::Method = method.parse().map_err(Error::Usage)?;
    set_threads(threads)?;
    let input = io::load(scenario, cli.encoding)?;
    print_warnings(&input.warnings, cli.max_errors);
    let enc = input.encoding;
    let mut diags = sunshine::Diagnostics::new();
    let mut settings = zones::ZoneSettings::default();
    if let Some(p) = previous {
        if let Some(z) = io::dataset::read_zone_file(p, enc, &input.data, &mut diags) {
            settings.previous = Some(z.school.get(input.scenario.grade).to_vec());
        }
    }
    let adjacency = input.scenario.dataset.join("adjacency.csv");
    if adjacency.exists() {
        settings.adjacency = io::dataset::read_adjacency(&adjacency, enc, &input.data, &mut diags);
    }
    if diags.has_errors() {
        return Err(Error::Input(diags));
    }
    let dist = distances(&input, out)?;
    let problem = zones::build(
        &input.data,
        &input.scenario,
        input.boundary.as_ref(),
        &settings,
        dist.as_ref(),
    )
    .map_err(|e| {
        diags.error(&input.scenario.dataset.join(e.file), None, None, e.message);
        Error::Input(diags)
    })?;
    let solved = zones::solve(
        &problem.instance,
        method,
        std::time::Duration::from_secs(time_limit),
    );
    let run =
        report::zones::ZonesRun::new(&input.data, &input.scenario, &problem, &solved, dist.name());
    let files = report::zones::outputs(&run);
    let text = report::zones::terminal(&run);
    finish(files, out, &text)
}

fn forecast(
    cli: &Cli,
    scenario: &Path,
    years: u32,
    backtest: Option<u32>,
    out: &Path,
) -> Result<(), Error> {
    use sunshine::planning::forecast as fc;
    let input = io::load(scenario, cli.encoding)?;
    print_warnings(&input.warnings, cli.max_errors);
    let mut diags = sunshine::Diagnostics::new();
    let Some((births, history, housing)) = io::forecast::read(
        &input.scenario.dataset,
        &input.data,
        input.encoding,
        &mut diags,
    ) else {
        return Err(Error::Input(diags));
    };
    let policy = input.scenario.forecast.clone();
    let mut feeds = fc::feeds(&input.data);
    let fpath = input.scenario.dataset.join("feeders.csv");
    if fpath.exists() {
        match io::forecast::read_feeders(&fpath, &input.data, input.encoding, &mut diags) {
            Some(f) => feeds.feeder = f,
            None => return Err(Error::Input(diags)),
        }
    }
    let new_schools = fc::new_schools(&input.data, &input.scenario);
    let inputs = fc::Inputs {
        data: &input.data,
        feeds: &feeds,
        births: &births,
        history: &history,
        housing: &housing,
        new_schools: &new_schools,
    };
    let note_to = |d: &mut sunshine::Diagnostics, n: &fc::Note, error: bool| {
        let path = input.scenario.dataset.join(n.source.file());
        if error {
            d.error(&path, None, None, n.message.clone());
        } else {
            d.warning(&path, None, None, n.message.clone());
        }
    };
    let p = fc::project(&inputs, years, &policy).map_err(|notes| {
        notes.iter().for_each(|n| note_to(&mut diags, n, true));
        Error::Input(std::mem::take(&mut diags))
    })?;
    if let Some(k) = backtest {
        fc::check_backtest(&history, k).map_err(Error::Usage)?;
    }
    let mut warnings = sunshine::Diagnostics::new();
    p.notes
        .iter()
        .for_each(|n| note_to(&mut warnings, n, false));
    print_warnings(&warnings, cli.max_errors);
    let rows = fc::shortfall(&input.data, &p, &policy);
    let bt = match backtest {
        Some(k) => {
            let (per, district) = fc::backtest(&inputs, k, &policy).map_err(|notes| {
                notes.iter().for_each(|n| note_to(&mut diags, n, true));
                Error::Input(std::mem::take(&mut diags))
            })?;
            Some((per, district, k as usize))
        }
        None => None,
    };
    let mut files = report::forecast::outputs(
        &input.data,
        &p,
        &rows,
        bt.as_ref().map(|(a, b, c)| (a, *b, *c)),
    );
    report::forecast::html_and_svgs(
        &report::forecast::ReportInputs {
            data: &input.data,
            projection: &p,
            rows: &rows,
            history: &history,
            boundary: input.boundary.as_ref(),
            backtest: bt.as_ref().map(|(_, d, k)| (*d, *k)),
        },
        &mut files,
    );
    let mut text = report::forecast::terminal(&input.data, &rows, p.last_year);
    if let Some((_, d, k)) = &bt {
        text.push_str(&format!(
            "Backtest: hiding the last {k} years, district MAPE {d:.2}%\n"
        ));
    }
    finish(files, out, &text)
}

fn generate_cmd(kind: &GenerateKind) -> Result<(), Error> {
    use sunshine::io::dataset::{
        blocks_csv, schools_csv, students_csv, zone_groups_csv, zones_csv,
    };
    let mut extra: Vec<(&str, Vec<u8>)> = Vec::new();
    let (data, out, scenario) = match kind {
        GenerateKind::Longtan {
            out,
            seed,
            boundary,
        } => {
            let bpath = boundary
                .clone()
                .unwrap_or_else(|| out.join("boundary.geojson"));
            let mut diags = sunshine::Diagnostics::new();
            let b = io::dataset::read_boundary(&bpath, &mut diags);
            if diags.has_errors() {
                return Err(Error::Input(diags));
            }
            let data = generate::longtan(*seed, b.as_ref());
            let (births, history, housing) = generate::longtan_history(&data, *seed);
            extra.push(("births.csv", io::forecast::births_csv(&data, &births)));
            extra.push((
                "enrollment_history.csv",
                io::forecast::history_csv(&data, &history),
            ));
            extra.push(("housing.csv", io::forecast::housing_csv(&data, &housing)));
            (data, out, None)
        }
        GenerateKind::Large {
            out,
            students,
            schools,
            seed,
        } => {
            let toml = format!(
                "# A synthetic benchmark district: {students} applicants, {schools} schools (seed {seed}).\nname = \"synthetic {students}\"\nyear = 2025\ndataset = \".\"\nlevel = \"primary\"\n\n[policy]\nlottery_seed = {seed}\n"
            );
            (generate::large(*seed, *students, *schools), out, Some(toml))
        }
    };
    let mut files = OutputSet::new();
    files.add("schools.csv", schools_csv(&data.schools));
    files.add("blocks.csv", blocks_csv(&data.blocks));
    files.add("students.csv", students_csv(&data));
    if let Some(z) = &data.zones {
        files.add("zones.csv", zones_csv(&data, z));
        if !z.groups.is_empty() {
            files.add("zone_groups.csv", zone_groups_csv(&data, z));
        }
    }
    if let Some(t) = scenario {
        files.add("scenario.toml", t.into_bytes());
    }
    for (name, bytes) in extra {
        files.add(name, bytes);
    }
    for p in files.commit(out)? {
        println!("wrote {}", p.display());
    }
    println!(
        "{} schools, {} blocks, {} applicants",
        data.schools.len(),
        data.blocks.len(),
        data.students.len()
    );
    Ok(())
}
