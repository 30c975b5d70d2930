//! The bottom layer: what every other layer speaks.

#![deny(missing_docs)]

pub mod diag;
pub mod language;
pub mod model;
pub mod priority;
pub mod routes;
pub mod scenario;
pub mod stats;
pub mod value;
