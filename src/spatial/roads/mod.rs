//! Travel distance along roads, from OpenStreetMap.
//!
//! Straight lines mislead in a district cut by rivers and hills: a village
//! 2 km from a school as the crow flies can be 9 km by road. This module
//! reads an OSM PBF extract ([`osm`]), keeps the ways of one mode of travel
//! (walking for primary pupils, bus or car for junior and rural ones),
//! snaps homes and schools to the nearest node of the largest connected
//! part of the network, and computes each home's distances to its
//! candidate schools by Dijkstra from every school over the reversed graph,
//! in parallel ([`table`]). The table is cached beside the outputs, keyed
//! by a digest of everything it depends on.
//!
//! A road distance is the walk from the home to its node (straight line),
//! the path, and the walk from the school's node to the school, each
//! rounded up, so it is never shorter than the great-circle distance.

pub mod graph;
pub mod osm;
pub mod table;

pub use graph::{dijkstra, Edge, RoadGraph, Snapper};
pub use osm::{profile_for, read_pbf, Measure, NetworkError, Profile};
pub use table::{RoadDistances, RoadError, RoadReport};

use std::path::Path;

use crate::domain::model::{Dataset, Home};
use crate::domain::scenario::{DistancePolicy, Scenario};
use crate::spatial::distance::{DistanceSource, GreatCircle};

/// The distance source a scenario asks for: the great circle, or road
/// distances over its extract for every block, geocoded applicant and
/// school of `data` (each home's `2 × candidates` nearest schools, at
/// least 30, within `overflow_max_km`), cached in `cache_dir`.
pub fn source_for(
    data: &Dataset,
    scenario: &Scenario,
    cache_dir: Option<&Path>,
) -> Result<(Box<dyn DistanceSource>, Option<RoadReport>), RoadError> {
    let DistancePolicy::Road(road) = &scenario.policy.distance else {
        return Ok((Box::new(GreatCircle), None));
    };
    let mut homes: Vec<geo::Point<f64>> = data.blocks.iter().map(|b| b.location).collect();
    let mut seen: std::collections::HashSet<(u64, u64)> = homes
        .iter()
        .map(|p| (p.x().to_bits(), p.y().to_bits()))
        .collect();
    for st in &data.students {
        if let Home::Point(p) = st.home {
            if seen.insert((p.x().to_bits(), p.y().to_bits())) {
                homes.push(p);
            }
        }
    }
    let req = table::Request {
        pbf: road.network.clone(),
        profile: profile_for(road, scenario.grade),
        homes,
        schools: data.schools.iter().map(|s| s.location).collect(),
        candidates: (2 * scenario.policy.candidates).max(30),
        max: (scenario.policy.overflow_max_km * 1000.0).round() as u32,
        cache_dir: cache_dir.map(Path::to_path_buf),
    };
    // a radius in minutes needs the travel times of the same pairs, up to it
    let minutes = match scenario.policy.service_radius(scenario.grade) {
        crate::domain::scenario::Radius::Minutes(m) => Some(m),
        crate::domain::scenario::Radius::Km(_) => None,
    };
    let times = match minutes {
        Some(m) => {
            let mut t = req.clone();
            t.profile.measure = Measure::Time;
            t.max = (m * 60.0).ceil() as u32;
            Some(RoadDistances::build(t)?)
        }
        None => None,
    };
    let (mut d, mut report) = RoadDistances::build(req)?;
    let times = times.map(|(t, r)| {
        // a rebuilt cache of the times is warned about too
        if report.cache_rebuilt.is_none() {
            report.cache_rebuilt = r.cache_rebuilt;
        }
        t
    });
    if let Some(t) = times {
        d = d.with_times(t);
    }
    Ok((Box::new(d), Some(report)))
}
