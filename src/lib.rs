//! `sunshine`: school-enrollment allocation for sunshine enrollment (阳光入学).
//!
//! A district education bureau places every child entering grade 1 or grade
//! 7 by published rules: admission zones (划片), priority tiers, a public
//! lottery (电脑派位) where a school is oversubscribed, and overflow placement
//! (统筹) to schools with room. This crate reads the bureau's data, checks it,
//! runs those rules with exact solvers, and reports the result.
//!
//! The modules form layers; each uses only the layers below it
//! (`tests/layers.rs` checks this):
//!
//! - [`domain`]: the model (schools, blocks, students, ids), the scenario
//!   (policy and network changes) and diagnostics.
//! - [`spatial`]: distances (great circle and by road), geography.
//! - [`solve`]: exact solvers (min-cost flow, LP reference, deferred
//!   acceptance) and the seeded lottery; they know nothing of schools.
//! - [`rules`]: the admission rules (placement, admission odds).
//! - [`planning`]: what planners ask of the rules (compare, closures,
//!   zones, forecast, classes, the dataset overview).
//! - [`io`]: reading and checking inputs, writing output sets.
//! - [`report`]: what a planner reads (formatting only).
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
