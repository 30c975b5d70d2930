//! `sunshine`: school-enrollment allocation for sunshine enrollment (阳光入学).
//!
//! A district education bureau places every child entering grade 1 or grade
//! 7 by published rules: admission zones (划片), priority tiers, a public
//! lottery (电脑派位) where a school is oversubscribed, and overflow placement
//! (统筹) to schools with room. This crate reads the bureau's data, checks it,
//! runs those rules with exact solvers, and reports the result.
//!
//! The modules form layers; each uses only the layers below it
//! (`tests/layers.rs` checks this). Bottom up, one line a module:
//!
//! - [`domain`]: what every other layer speaks.
//!   - [`domain::model`]: schools, blocks, students; ids and quantities
//!     (`SchoolIx`, `Seats`, `Tier`, `Metres`, `Seconds`), `Grade`, `ByGrade`.
//!   - [`domain::scenario`]: policy, priority categories, network changes,
//!     class and forecast policies; how changes combine and the class cap.
//!   - [`domain::diag`]: diagnostics with file, line and column; the error
//!     type and its exit codes; the books of each file read.
//!   - [`domain::stats`]: the nearest-rank quantile.
//! - [`spatial`]: where things are and how far apart.
//!   - [`spatial::distance`]: distance sources, the R-tree of schools,
//!     nearest zones.
//!   - [`spatial::geography`]: district boundary, point-in-polygon,
//!     projection.
//!   - [`spatial::roads`]: road distances from an OpenStreetMap extract.
//! - [`solve`]: exact solvers; they know nothing of schools or files.
//!   - [`solve::mcf`]: min-cost flow (network simplex).
//!   - [`solve::transport`]: the one homes → schools → sink problem.
//!   - [`solve::lp`]: the LP/MIP back end, the independent reference.
//!   - [`solve::da`]: deferred acceptance and Boston.
//!   - [`solve::lottery`]: the seeded public lottery.
//! - [`rules`]: the admission rules.
//!   - [`rules::place`]: placement (zones, tiers, lottery, choice, 统筹
//!     overflow, special education) and its explanations.
//!   - [`rules::odds`]: admission odds over many draws.
//! - [`planning`]: what planners ask of the rules.
//!   - [`planning::compare`]: side-by-side runs, displaced applicants, totals.
//!   - [`planning::optimize`]: which schools to close.
//!   - [`planning::zones`]: admission zones (划片).
//!   - [`planning::forecast`]: enrolment projection and 学位预警.
//!   - [`planning::classes`]: balanced class draw (阳光分班).
//!   - [`planning::overview`]: what `validate` reports.
//! - [`io`]: decoding, CSV and scenario reading with validation
//!   ([`io::text`], [`io::table`], [`io::dataset`], [`io::scenario`],
//!   [`io::forecast`], [`io::placements`]) and output sets ([`io::output`]).
//! - [`report`]: what a planner reads, formatting only: one module per
//!   command's outputs ([`report::placement`], [`report::compare`],
//!   [`report::zones`], [`report::forecast`], [`report::classes`],
//!   [`report::odds`], [`report::roads`]) and [`report::explain`], the
//!   wording of placement explanations.
//! - [`synth`]: synthetic districts for the demo, tests and benchmarks;
//!   never called by the other layers.
//! - [`cli`]: the commands of the `sunshine` binary: arguments, one module
//!   per command, warnings and progress; `src/main.rs` only runs it.

pub mod cli;
pub mod domain;
pub mod io;
pub mod planning;
pub mod report;
pub mod rules;
pub mod solve;
pub mod spatial;
pub mod synth;

pub use domain::diag::{Diagnostic, Diagnostics, Error, Result};
