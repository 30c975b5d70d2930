//! What planners ask of the rules: scenario comparison, closure choice,
//! admission zones, enrolment forecasts, class draws and the dataset
//! overview behind `validate`.

pub mod classes;
pub mod compare;
pub mod forecast;
pub mod optimize;
pub mod overview;
pub mod zones;
