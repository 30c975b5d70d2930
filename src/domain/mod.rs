//! The bottom layer: what every other layer speaks.

pub mod diag;
pub mod model;
pub mod scenario;
pub mod stats;
