//! Block cells, the neighbour graph and zone shapes.
//!
//! A block is a point (a compound's gate, a village centre), so its area is
//! its Voronoi cell: the part of the district nearer to it than to any other
//! block, clipped to the district boundary. Two blocks are neighbours when
//! their clipped cells share an edge of positive length; a zone's shape is
//! the union of its blocks' cells, clipped to the district. All geometry is
//! planar, in metres of a local [`Projection`].

use std::collections::HashMap;

use geo::{
    Area, BooleanOps, BoundingRect, Centroid, Coord, Euclidean, Length, LineString, MultiPolygon,
    Point, Polygon, Rect, Voronoi, VoronoiClip, VoronoiParams,
};
use rayon::prelude::*;
use rstar::{primitives::GeomWithData, RTree};

use super::Graph;
use crate::spatial::geography::Projection;

/// Cells of the blocks and their neighbour graph.
#[derive(Clone, Debug)]
pub struct Cells {
    pub projection: Projection,
    /// The district in metres (or the blocks' padded envelope without a boundary).
    pub district: MultiPolygon<f64>,
    /// Per block: its Voronoi cell before clipping to the district.
    pub raw: Vec<Polygon<f64>>,
    /// Per block: its cell clipped to the district.
    pub clipped: Vec<MultiPolygon<f64>>,
    /// The neighbour graph: one node per distinct position (co-located
    /// blocks share a cell), nodes adjacent when their cells share an edge.
    pub neighbours: Graph,
}

/// Shared edges shorter than this (metres) do not make neighbours: they are
/// corners touching, or noise of the clipping arithmetic.
const MIN_SHARED_EDGE_M: f64 = 1.0;

/// Why the blocks cannot be drawn as cells: a problem of `blocks.csv`
/// (exit code 2).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CellsError {
    /// The Voronoi diagram of the block sites cannot be computed.
    #[error(
        "cannot draw block cells: {0}; expected blocks spread over an area, not all on one line"
    )]
    Voronoi(String),
    /// A block site got no cell.
    #[error(
        "no cell for block site {site}; expected blocks spread over an area, not all on one line"
    )]
    NoCell { site: usize },
}

/// Cells of blocks at `points` (lon/lat), clipped to `boundary` (lon/lat)
/// when given. Blocks at the same point share one cell and one node of the
/// neighbour graph, so they neighbour each other and everything their cell
/// touches; the cell is computed, clipped and compared once, however many
/// blocks stand at that point. Fails when all blocks lie on one line.
pub fn cells(
    points: &[Point<f64>],
    boundary: Option<&MultiPolygon<f64>>,
) -> Result<Cells, CellsError> {
    let projection = match boundary {
        Some(b) => Projection::around(b.0.iter().flat_map(|p| p.exterior().points())),
        None => Projection::around(points.iter().copied()),
    };
    let xy: Vec<Coord<f64>> = points.iter().map(|p| projection.forward(p.0)).collect();
    // one site per distinct position
    let mut site_of = Vec::with_capacity(xy.len());
    let mut sites: Vec<Coord<f64>> = Vec::new();
    let mut by_bits: HashMap<(u64, u64), usize> = HashMap::new();
    for c in &xy {
        let key = (c.x.to_bits(), c.y.to_bits());
        let s = *by_bits.entry(key).or_insert_with(|| {
            sites.push(*c);
            sites.len() - 1
        });
        site_of.push(s);
    }
    let district = match boundary {
        Some(b) => project(&projection, b),
        None => MultiPolygon(vec![padded(envelope(&sites), 0.1, 500.0).to_polygon()]),
    };
    let site_cells: Vec<Polygon<f64>> = match sites.len() {
        0 => Vec::new(),
        1 => district_rect(&district, &sites)
            .map(|r| vec![r.to_polygon()])
            .unwrap_or_default(),
        _ => voronoi(&sites, &district)?,
    };
    let site_clipped: Vec<MultiPolygon<f64>> =
        site_cells.par_iter().map(|c| clip(c, &district)).collect();
    let site_nbrs = site_neighbours(&sites, &site_clipped);
    Ok(Cells {
        projection,
        district,
        raw: site_of.iter().map(|&s| site_cells[s].clone()).collect(),
        clipped: site_of.iter().map(|&s| site_clipped[s].clone()).collect(),
        neighbours: Graph::new(site_of, site_nbrs),
    })
}

/// Every coordinate of `mp` through `f`, rings and holes kept.
fn map_coords(mp: &MultiPolygon<f64>, f: impl Fn(Coord<f64>) -> Coord<f64>) -> MultiPolygon<f64> {
    let ring = |ls: &LineString<f64>| LineString(ls.0.iter().map(|&c| f(c)).collect());
    MultiPolygon(
        mp.0.iter()
            .map(|poly| {
                Polygon::new(
                    ring(poly.exterior()),
                    poly.interiors().iter().map(ring).collect(),
                )
            })
            .collect(),
    )
}

fn project(p: &Projection, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    map_coords(mp, |c| p.forward(c))
}

/// A shape in metres back to lon/lat.
pub fn unproject(p: &Projection, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    map_coords(mp, |c| p.inverse(c))
}

fn envelope(sites: &[Coord<f64>]) -> Rect<f64> {
    let (mut lo, mut hi) = (sites[0], sites[0]);
    for c in sites {
        lo.x = lo.x.min(c.x);
        lo.y = lo.y.min(c.y);
        hi.x = hi.x.max(c.x);
        hi.y = hi.y.max(c.y);
    }
    Rect::new(lo, hi)
}

fn padded(r: Rect<f64>, share: f64, at_least: f64) -> Rect<f64> {
    let pad = (r.width().max(r.height()) * share).max(at_least);
    Rect::new(
        Coord {
            x: r.min().x - pad,
            y: r.min().y - pad,
        },
        Coord {
            x: r.max().x + pad,
            y: r.max().y + pad,
        },
    )
}

/// A rectangle holding the district and the sites.
fn district_rect(district: &MultiPolygon<f64>, sites: &[Coord<f64>]) -> Option<Rect<f64>> {
    let s = envelope(sites);
    let d = district.bounding_rect().unwrap_or(s);
    let both = Rect::new(
        Coord {
            x: s.min().x.min(d.min().x),
            y: s.min().y.min(d.min().y),
        },
        Coord {
            x: s.max().x.max(d.max().x),
            y: s.max().y.max(d.max().y),
        },
    );
    Some(padded(both, 0.1, 1000.0))
}

/// Voronoi cells of the sites, bounded by a rectangle around the district,
/// in site order. geo's cells need not come in input order, so each cell is
/// matched to its site as the site nearest to the cell's centroid (a convex
/// cell contains its centroid, and every interior point of a cell is
/// nearest to the cell's own site).
fn voronoi(
    sites: &[Coord<f64>],
    district: &MultiPolygon<f64>,
) -> Result<Vec<Polygon<f64>>, CellsError> {
    let rect = district_rect(district, sites).expect("sites are not empty");
    let frame = rect.to_polygon();
    let points = geo::MultiPoint(sites.iter().map(|&c| Point(c)).collect());
    let cells = points
        .voronoi_cells_with_params(VoronoiParams::new().clip(VoronoiClip::Polygon(&frame)))
        .map_err(|e| CellsError::Voronoi(e.to_string()))?;
    let tree = site_tree(sites);
    let mut out: Vec<Option<Polygon<f64>>> = vec![None; sites.len()];
    for cell in cells {
        let Some(c) = cell.centroid() else { continue };
        if let Some(nearest) = tree.nearest_neighbor(&[c.x(), c.y()]) {
            out[nearest.data] = Some(cell);
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(site, c)| c.ok_or(CellsError::NoCell { site }))
        .collect()
}

fn site_tree(sites: &[Coord<f64>]) -> RTree<GeomWithData<[f64; 2], usize>> {
    RTree::bulk_load(
        sites
            .iter()
            .enumerate()
            .map(|(i, c)| GeomWithData::new([c.x, c.y], i))
            .collect(),
    )
}

fn clip(cell: &Polygon<f64>, district: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let (Some(c), Some(d)) = (cell.bounding_rect(), district.bounding_rect()) else {
        return MultiPolygon(Vec::new());
    };
    if c.max().x < d.min().x
        || c.min().x > d.max().x
        || c.max().y < d.min().y
        || c.min().y > d.max().y
    {
        return MultiPolygon(Vec::new());
    }
    cell.intersection(district)
}

/// Sites whose clipped cells share an edge: an edge of site i's clipped
/// cell lying on the bisector of i and j (both ends as near to j as to i)
/// is shared with j's cell, since the two cells meet exactly along it.
fn site_neighbours(sites: &[Coord<f64>], clipped: &[MultiPolygon<f64>]) -> Vec<Vec<usize>> {
    let tree = site_tree(sites);
    let found: Vec<Vec<usize>> = clipped
        .par_iter()
        .enumerate()
        .map(|(i, mp)| {
            let mut shared: HashMap<usize, f64> = HashMap::new();
            let p = sites[i];
            for poly in &mp.0 {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    for line in ring.lines() {
                        let len = Euclidean.length(&line);
                        if len < 1e-6 {
                            continue;
                        }
                        let mid = (line.start + line.end) / 2.0;
                        let di = dist(mid, p);
                        for cand in tree.nearest_neighbor_iter(&[mid.x, mid.y]).take(6) {
                            let j = cand.data;
                            if j == i {
                                continue;
                            }
                            let q = sites[j];
                            let tol = 1e-6 * di.max(1.0) + 1e-3;
                            let on = |c: Coord<f64>| (dist(c, p) - dist(c, q)).abs() <= tol;
                            if on(line.start) && on(line.end) && (dist(mid, q) - di).abs() <= tol {
                                *shared.entry(j).or_default() += len;
                            }
                        }
                    }
                }
            }
            let mut v: Vec<usize> = shared
                .into_iter()
                .filter(|&(_, len)| len >= MIN_SHARED_EDGE_M)
                .map(|(j, _)| j)
                .collect();
            v.sort_unstable();
            v
        })
        .collect();
    // symmetric: either side seeing the shared edge is enough
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); sites.len()];
    for (i, js) in found.iter().enumerate() {
        for &j in js {
            out[i].push(j);
            out[j].push(i);
        }
    }
    for v in &mut out {
        v.sort_unstable();
        v.dedup();
    }
    out
}

fn dist(a: Coord<f64>, b: Coord<f64>) -> f64 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// Vertices of cells nearer than this (metres) are one vertex. Each cell
/// is cut to the frame on its own, which moves its corners by micrometres,
/// so two cells' copies of a shared corner differ slightly; unsnapped, the
/// union of such cells keeps hairline cracks and sliver holes along their
/// shared edges. Distinct Voronoi vertices of blocks metres apart are
/// never this close.
const SNAP_M: f64 = 0.01;

/// Holes and parts of a zone smaller than this (m²) are slivers of the
/// arithmetic: a real hole (another zone inside) or part is at least a
/// block's cell.
const SLIVER_M2: f64 = 1.0;

/// `polys` with every vertex moved to the first vertex seen within
/// [`SNAP_M`] (in order of the polygons and their rings, so the result
/// does not depend on anything else), consecutive repeats dropped.
fn snapped(polys: &[&Polygon<f64>]) -> Vec<Polygon<f64>> {
    let mut grid: HashMap<(i64, i64), Vec<Coord<f64>>> = HashMap::new();
    let mut snap = |c: Coord<f64>| -> Coord<f64> {
        let cell = ((c.x / SNAP_M).floor() as i64, (c.y / SNAP_M).floor() as i64);
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(v) = grid.get(&(cell.0 + dx, cell.1 + dy)) {
                    if let Some(&r) = v
                        .iter()
                        .find(|r| (r.x - c.x).abs() <= SNAP_M && (r.y - c.y).abs() <= SNAP_M)
                    {
                        return r;
                    }
                }
            }
        }
        grid.entry(cell).or_default().push(c);
        c
    };
    let mut ring = |ls: &LineString<f64>| -> Option<LineString<f64>> {
        let mut pts: Vec<Coord<f64>> = Vec::with_capacity(ls.0.len());
        for &c in &ls.0 {
            let c = snap(c);
            if pts.last() != Some(&c) {
                pts.push(c);
            }
        }
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        (pts.len() >= 3).then(|| {
            pts.push(pts[0]);
            LineString(pts)
        })
    };
    polys
        .iter()
        .filter_map(|p| {
            let ext = ring(p.exterior())?;
            let holes = p.interiors().iter().filter_map(&mut ring).collect();
            Some(Polygon::new(ext, holes))
        })
        .collect()
}

/// `mp` without parts and holes smaller than [`SLIVER_M2`].
fn without_slivers(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    MultiPolygon(
        mp.0.into_iter()
            .filter(|p| p.unsigned_area() >= SLIVER_M2)
            .map(|p| {
                let (ext, holes) = p.into_inner();
                let holes = holes
                    .into_iter()
                    .filter(|h| Polygon::new(h.clone(), Vec::new()).unsigned_area() >= SLIVER_M2)
                    .collect();
                Polygon::new(ext, holes)
            })
            .collect(),
    )
}

impl Cells {
    /// The shape of a zone made of `members`: the union of their cells,
    /// clipped to the district (in metres). The cells' shared corners are
    /// snapped together first ([`SNAP_M`]), so shared edges match exactly
    /// and the union of connected cells is one polygon without cracks or
    /// slivers; the district is cut once; slivers the cut leaves are dropped.
    pub fn zone_shape(&self, members: &[usize]) -> MultiPolygon<f64> {
        let raw: Vec<&Polygon<f64>> = members.iter().map(|&b| &self.raw[b]).collect();
        let polys = snapped(&raw);
        if polys.is_empty() {
            return MultiPolygon(Vec::new());
        }
        let union = geo::unary_union(&polys);
        without_slivers(union.intersection(&self.district))
    }
}

/// Polsby-Popper compactness 4πA/P² of a shape in metres: 1 for a disc,
/// near 0 for a thin or ragged zone (Polsby & Popper 1991). Every ring
/// counts toward the perimeter.
pub fn polsby_popper(shape: &MultiPolygon<f64>) -> f64 {
    let area = shape.unsigned_area();
    let perimeter: f64 = shape
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| Euclidean.length(r))
        .sum();
    if perimeter > 0.0 {
        4.0 * std::f64::consts::PI * area / (perimeter * perimeter)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lonlat(x: f64, y: f64) -> Point<f64> {
        // about 800 m steps near Jilin
        Point::new(126.5 + x * 0.01, 43.8 + y * 0.0072)
    }

    #[test]
    fn a_grid_has_four_neighbours_inside() {
        let pts: Vec<Point<f64>> = (0..4)
            .flat_map(|y| (0..4).map(move |x| lonlat(f64::from(x), f64::from(y))))
            .collect();
        let c = cells(&pts, None).unwrap();
        assert_eq!(c.clipped.len(), 16);
        // block 5 is (1,1): neighbours (1,0), (0,1), (2,1), (1,2)
        let n = c.neighbours.lists();
        assert_eq!(n[5], vec![1, 4, 6, 9]);
        assert_eq!(n[0], vec![1, 4]);
        let total: f64 = c.clipped.iter().map(|m| m.unsigned_area()).sum();
        assert!(
            (total / c.district.unsigned_area() - 1.0).abs() < 1e-6,
            "{total} vs {}",
            c.district.unsigned_area()
        );
        // a zone of the whole grid is the district
        let all: Vec<usize> = (0..16).collect();
        let shape = c.zone_shape(&all);
        assert!((shape.unsigned_area() / c.district.unsigned_area() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_concave_boundary_cuts_neighbours_apart() {
        // a U-shaped district: the two arms' blocks face each other across
        // the gap, which is not part of the district
        use geo::polygon;
        let u = polygon![
            (x: 126.50, y: 43.80), (x: 126.56, y: 43.80), (x: 126.56, y: 43.86),
            (x: 126.54, y: 43.86), (x: 126.54, y: 43.82), (x: 126.52, y: 43.82),
            (x: 126.52, y: 43.86), (x: 126.50, y: 43.86), (x: 126.50, y: 43.80),
        ];
        let pts = vec![
            Point::new(126.51, 43.85),
            Point::new(126.55, 43.85),
            Point::new(126.53, 43.81),
        ];
        let c = cells(&pts, Some(&MultiPolygon(vec![u]))).unwrap();
        let n = c.neighbours.lists();
        assert_eq!(n[0], vec![2]);
        assert_eq!(n[1], vec![2]);
        assert_eq!(n[2], vec![0, 1]);
    }

    #[test]
    fn co_located_blocks_share_a_cell_and_neighbour_each_other() {
        let pts = vec![
            lonlat(0.0, 0.0),
            lonlat(0.0, 0.0),
            lonlat(1.0, 0.0),
            lonlat(0.0, 1.0),
        ];
        let c = cells(&pts, None).unwrap();
        let n = c.neighbours.lists();
        assert_eq!(n[0], vec![1, 2, 3]);
        assert_eq!(n[1], vec![0, 2, 3]);
        assert_eq!(c.raw[0], c.raw[1]);
        // one node for both
        assert_eq!(c.neighbours.nodes(), 3);
        assert_eq!(c.neighbours.node(0), c.neighbours.node(1));
        assert_eq!(c.neighbours.at(c.neighbours.node(0)), &[0, 1]);
    }

    #[test]
    fn a_disc_is_more_compact_than_a_strip() {
        let square = MultiPolygon(vec![Rect::new(
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 100.0, y: 100.0 },
        )
        .to_polygon()]);
        let strip = MultiPolygon(vec![Rect::new(
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 1000.0, y: 10.0 },
        )
        .to_polygon()]);
        assert!((polsby_popper(&square) - std::f64::consts::PI / 4.0).abs() < 1e-9);
        assert!(polsby_popper(&strip) < 0.05);
    }
}
