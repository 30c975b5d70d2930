//! Solvers. They know nothing of files, the CLI or printing.
//!
//! - [`mcf`]: exact min-cost flow (primal network simplex), the reference.
//! - [`ssp`]: exact transportation problems by successive shortest paths
//!   from the nearest-lane assignment, the placement core.
//! - [`transport`]: the transportation problem (homes → schools → sink)
//!   every placement flow solves, by [`ssp`] (or by [`mcf`], the
//!   reference, in one fixed arc order).
//! - [`lp`]: the same problem as a linear program through good_lp, the
//!   independent reference used in tests and benchmarks.
//! - [`da`]: deferred acceptance and the Boston mechanism.
//! - [`lottery`]: the seeded public lottery.

pub mod da;
pub mod lottery;
pub mod lp;
pub mod mcf;
pub mod ssp;
pub mod transport;
