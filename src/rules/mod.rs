//! The admission rules a bureau publishes, run on a dataset and scenario.

pub mod odds;
pub mod place;
