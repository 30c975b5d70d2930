//! `sunshine`: school-enrollment allocation for sunshine enrollment (阳光入学).
//!
//! A district education bureau places every child entering grade 1 or grade
//! 7 by published rules: admission zones (划片), priority tiers, a public
//! lottery (电脑派位) where a school is oversubscribed, and overflow placement
//! (统筹) to schools with room. This crate reads the bureau's data, checks it,
//! runs those rules with exact solvers, and reports the result.
//!
//! Modules by domain: [`model`] (schools, blocks, students), [`scenario`]
//! (policy and network changes), [`io`] (reading, validation, writing),
//! [`distance`], [`geography`], [`solve`] (min-cost flow, LP reference,
//! lottery), [`place`] (the placement rules), [`summary`] and [`report`]
//! (what a planner reads), [`generate`] (synthetic data).

pub mod classes;
pub mod compare;
pub mod diag;
pub mod distance;
pub mod forecast;
pub mod generate;
pub mod geography;
pub mod io;
pub mod model;
pub mod odds;
pub mod optimize;
pub mod place;
pub mod report;
pub mod roads;
pub mod scenario;
pub mod solve;
pub mod summary;
pub mod zones;

pub use diag::{Diagnostic, Diagnostics, Error, Result};
