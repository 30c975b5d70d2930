//! What building a road distance table reports on stderr (README, "Road
//! distances"): the network's size and the cache's use, then warnings about
//! homes and schools far from the network (their distances lean on a long
//! straight walk) and home–school pairs with no road within reach (they are
//! not candidates).

use crate::domain::model::Dataset;
use crate::domain::scenario::RoadPolicy;
use crate::spatial::roads::RoadReport;

/// Warnings name at most this many homes or pairs; the count is complete.
const NAMED: usize = 10;

/// The report of one build, one line each (`source` is the distance
/// source's name). Homes past the blocks are geocoded applicants, numbered
/// from 1 in the order of `students.csv`.
pub fn build_text(data: &Dataset, road: &RoadPolicy, source: &str, r: &RoadReport) -> String {
    let mut out = String::new();
    let file = r
        .cache_file
        .as_ref()
        .map_or(String::new(), |f| f.display().to_string());
    if r.cache_file.is_none() {
        out.push_str(&format!(
            "distances: {source} over {} nodes and {} edges, {} pairs\n",
            r.nodes, r.edges, r.pairs
        ));
    } else if r.from_cache {
        out.push_str(&format!("distances: {source} from the cache {file}\n"));
    } else {
        out.push_str(&format!(
            "distances: {source} over {} nodes and {} edges, {} pairs; cached in {file}\n",
            r.nodes, r.edges, r.pairs
        ));
    }
    if let Some(w) = &r.cache_rebuilt {
        out.push_str(&format!("warning: {w}\n"));
    }
    let blocks = data.blocks.len();
    let far: Vec<String> = r
        .home_snap_m
        .iter()
        .enumerate()
        .filter(|(_, &m)| m > road.max_snap_m)
        .map(|(h, m)| match data.blocks.get(h) {
            Some(b) => format!("block {} ({m:.0} m)", b.id),
            None => format!("a geocoded home #{} ({m:.0} m)", h - blocks + 1),
        })
        .collect();
    if !far.is_empty() {
        out.push_str(&format!(
            "warning: {} homes lie more than {} m from the road network: {}\n",
            far.len(),
            road.max_snap_m,
            far.iter()
                .take(NAMED)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (s, &m) in r.school_snap_m.iter().enumerate() {
        if m > road.max_snap_m {
            out.push_str(&format!(
                "warning: school {} lies {m:.0} m from the road network\n",
                data.schools[s].id
            ));
        }
    }
    if !r.unreachable.is_empty() {
        let first: Vec<String> = r
            .unreachable
            .iter()
            .take(NAMED)
            .map(|&(h, s)| {
                let home = data
                    .blocks
                    .get(h)
                    .map_or(format!("geocoded home #{}", h - blocks + 1), |b| {
                        b.id.to_string()
                    });
                format!("{home} → {}", data.schools[s].id)
            })
            .collect();
        out.push_str(&format!(
            "warning: {} home–school pairs have no road within reach (they are not candidates): {}\n",
            r.unreachable.len(),
            first.join(", ")
        ));
    }
    out
}
