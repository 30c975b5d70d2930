//! What a map is drawn from: zone shapes of a block → school assignment,
//! which zones touch, a colour per zone that differs from its neighbours',
//! and the dense area an inset shows.

use std::collections::BTreeMap;

use geo::{Coord, MultiPolygon, Orient, Point, Rect};

use super::Zone;
use crate::planning::zones::cells::{cells, unproject, Cells};
use crate::planning::zones::Graph;

/// Print-friendly fills (ColorBrewer Set3 and Pastel, light enough for
/// black labels, distinct on a grey-scale printer by lightness too).
pub const PALETTE: [&str; 12] = [
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
    "#e5c494", "#bc80bd", "#ccebc5", "#ffed6f",
];

/// Zones and the pairs of touching zones (by key).
pub type ZonesAndNeighbours = (Vec<Zone>, Vec<(usize, usize)>);

/// Zones of an assignment of blocks to schools (`zone[b]` = the key of
/// block `b`'s zone, `None`: no single-school zone), drawn as the unions of
/// the blocks' Voronoi cells clipped to `boundary`, and the pairs of zones
/// whose cells touch. `None` when the blocks cannot be drawn as cells (all
/// on one line): the map then shows no zones.
pub fn zones_of_blocks(
    points: &[Point<f64>],
    boundary: Option<&MultiPolygon<f64>>,
    zone: &[Option<usize>],
) -> Option<ZonesAndNeighbours> {
    let c = cells(points, boundary).ok()?;
    // the blocks of every zone in one pass (block order within a zone, zones
    // by key): scanning every block for every zone grew with schools ×
    // blocks (6,000 × 150,000 at 3M applicants)
    let mut by_zone: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (b, k) in zone.iter().enumerate() {
        if let Some(k) = k {
            by_zone.entry(*k).or_default().push(b);
        }
    }
    let zones: Vec<Zone> = by_zone
        .into_iter()
        .map(|(k, members)| Zone {
            school: k,
            shape: shape(&c, &members),
        })
        .collect();
    let adjacent = adjacent_zones(&c.neighbours, zone);
    Some((zones, adjacent))
}

fn shape(c: &Cells, members: &[usize]) -> MultiPolygon<f64> {
    unproject(&c.projection, &c.zone_shape(members)).orient(geo::orient::Direction::Default)
}

/// Pairs of zone keys (smaller first, sorted) with neighbouring cells.
pub fn adjacent_zones(g: &Graph, zone: &[Option<usize>]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for x in 0..g.nodes() {
        let Some(a) = zone[g.at(x)[0]] else { continue };
        for &y in g.adjacent(x) {
            if let Some(b) = zone[g.at(y)[0]] {
                if a != b {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// A palette index per key of `keys`: greedy graph colouring, the keys
/// with most neighbours first, each taking the least-used colour no
/// neighbour has (with 12 colours a map of zones always has one, since a
/// planar map needs at most 4).
pub fn colours(keys: &[usize], adjacent: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // neighbour lists and colours by key: scanning every pair for every key
    // (and every coloured key for every neighbour) grew with the square of
    // the schools
    let mut nbrs: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &(a, b) in adjacent {
        nbrs.entry(a).or_default().push(b);
        nbrs.entry(b).or_default().push(a);
    }
    let of = |k: usize| nbrs.get(&k).map_or(&[][..], Vec::as_slice);
    let mut order: Vec<usize> = keys.to_vec();
    order.sort_by_key(|&k| (std::cmp::Reverse(of(k).len()), k));
    let mut colour: Vec<(usize, usize)> = Vec::new();
    // a key's first colour (a key given twice is coloured twice, as ever)
    let mut first: BTreeMap<usize, usize> = BTreeMap::new();
    let mut used = [0usize; PALETTE.len()];
    for k in order {
        let taken: Vec<usize> = of(k).iter().filter_map(|n| first.get(n).copied()).collect();
        let c = (0..PALETTE.len())
            .filter(|c| !taken.contains(c))
            .min_by_key(|&c| (used[c], c))
            .unwrap_or(k % PALETTE.len());
        used[c] += 1;
        colour.push((k, c));
        first.entry(k).or_insert(c);
    }
    colour.sort_unstable();
    colour
}

/// The colour [`colours`] gave `key` (its first, in their sorted list).
pub fn colour_for(colours: &[(usize, usize)], key: usize) -> Option<usize> {
    let at = colours.partition_point(|c| c.0 < key);
    colours.get(at).filter(|c| c.0 == key).map(|c| c.1)
}

/// The smallest square (in metres, of `at` already projected) around one of
/// the heaviest points holding `share` of the total weight, shrunk to the
/// bounding box of the points it holds: where most applicants live. The
/// centres tried are the 256 heaviest points, so the cost stays bounded on
/// large datasets. `None` without points.
pub fn dense_box(at: &[(Coord<f64>, f64)], share: f64) -> Option<Rect<f64>> {
    if at.is_empty() {
        return None;
    }
    let total: f64 = at.iter().map(|p| p.1).sum();
    let weight = |w: f64| if total > 0.0 { w } else { 1.0 };
    let total = if total > 0.0 { total } else { at.len() as f64 };
    let mut centres: Vec<usize> = (0..at.len()).collect();
    centres.sort_by(|&a, &b| at[b].1.total_cmp(&at[a].1).then(a.cmp(&b)));
    centres.truncate(256);
    let mut best: Option<(f64, Rect<f64>)> = None;
    for &c in &centres {
        let mut d: Vec<(f64, usize)> = at
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.0.x - at[c].0.x).abs().max((p.0.y - at[c].0.y).abs()), i))
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut sum = 0.0;
        let mut held = Vec::new();
        for &(r, i) in &d {
            sum += weight(at[i].1);
            held.push(i);
            if sum >= share * total - 1e-9 {
                if best.as_ref().is_none_or(|b| r < b.0) {
                    let (mut lo, mut hi) = (at[i].0, at[i].0);
                    for &j in &held {
                        lo.x = lo.x.min(at[j].0.x);
                        lo.y = lo.y.min(at[j].0.y);
                        hi.x = hi.x.max(at[j].0.x);
                        hi.y = hi.y.max(at[j].0.y);
                    }
                    best = Some((r, Rect::new(lo, hi)));
                }
                break;
            }
        }
    }
    best.map(|b| b.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_get_different_colours() {
        // a wheel: 0 in the middle touching 1..=6, which touch in a ring
        let mut adj = vec![];
        for k in 1..=6 {
            adj.push((0, k));
            adj.push((k, if k == 6 { 1 } else { k + 1 }));
        }
        let adj: Vec<(usize, usize)> = adj.into_iter().map(|(a, b)| (a.min(b), a.max(b))).collect();
        let c = colours(&(0..7).collect::<Vec<_>>(), &adj);
        let of = |k: usize| c.iter().find(|x| x.0 == k).unwrap().1;
        for &(a, b) in &adj {
            assert_ne!(of(a), of(b));
        }
    }

    #[test]
    fn the_dense_box_holds_the_cluster() {
        let mut pts: Vec<(Coord<f64>, f64)> = (0..80)
            .map(|i| {
                (
                    Coord {
                        x: f64::from(i % 9) * 10.0,
                        y: f64::from(i / 9) * 10.0,
                    },
                    10.0,
                )
            })
            .collect();
        pts.push((
            Coord {
                x: 20_000.0,
                y: 20_000.0,
            },
            10.0,
        ));
        pts.push((
            Coord {
                x: -20_000.0,
                y: 5_000.0,
            },
            10.0,
        ));
        let b = dense_box(&pts, 0.8).unwrap();
        assert!(b.width() <= 90.0 && b.height() <= 90.0, "{b:?}");
    }
}
