//! Where things are and how far apart: great-circle and road distances,
//! map projection and district geography.

pub mod distance;
pub mod geography;
pub mod roads;
