//! What planners ask of the rules: scenario comparison, closure choice,
//! admission zones, enrolment forecasts, class draws and the dataset
//! overview behind `validate`.

pub mod classes;
pub mod compare;
pub mod compare_years;
pub mod forecast;
pub mod optimize;
pub mod overview;
pub mod zones;

/// How `zones` and `optimize-closures` solve: the exact MIP, the heuristic,
/// or the MIP where the instance is small enough for the LP solver
/// ([`zones::MIP_AUTO_BLOCKS`], [`optimize::MIP_AUTO_CANDIDATES`]) with the
/// heuristic everywhere. The heuristic always runs: it is fast, and its gap
/// to the MIP is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Auto,
    Mip,
    Heuristic,
}
