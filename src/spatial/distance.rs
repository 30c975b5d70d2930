//! Distances between homes and schools, and the nearest candidate schools of
//! a home.
//!
//! The distance source sits behind [`DistanceSource`] so that a road-network
//! distance can replace the great-circle default without touching the
//! solvers. Candidate search uses an R-tree over points on the unit sphere:
//! chord length grows with great-circle distance, so the k nearest by chord
//! are exactly the k nearest on the globe, with no distortion from lon/lat.

use geo::{Distance, Haversine, Point};
use rstar::{primitives::GeomWithData, RTree};

use crate::domain::model::{Dataset, Grade, Metres, SchoolIx, Seconds, Zones};

/// A source of travel distances in whole metres.
pub trait DistanceSource: Sync {
    /// Short name written into outputs, e.g. `great-circle`.
    fn name(&self) -> String;
    /// Distance from a home to a school, `None` when unreachable.
    fn metres(&self, from: Point<f64>, to: Point<f64>) -> Option<Metres>;
    /// Travel time from a home to a school in seconds, where the source
    /// knows it (road sources asked for a service radius in minutes).
    fn seconds(&self, _from: Point<f64>, _to: Point<f64>) -> Option<Seconds> {
        None
    }
}

/// Whether a school is within the service radius of a home: by distance,
/// or by travel time (never, when the source has no times).
pub fn within_radius(
    dist: &dyn DistanceSource,
    from: Point<f64>,
    to: Point<f64>,
    radius: crate::domain::scenario::Radius,
) -> bool {
    use crate::domain::scenario::Radius;
    match radius {
        Radius::Km(km) => dist
            .metres(from, to)
            .is_some_and(|m| m <= Metres::from_km(km)),
        Radius::Minutes(min) => dist
            .seconds(from, to)
            .is_some_and(|s| f64::from(s.0) <= min * 60.0),
    }
}

/// Great-circle distance on a sphere of the mean Earth radius (haversine).
#[derive(Clone, Copy, Debug, Default)]
pub struct GreatCircle;

impl DistanceSource for GreatCircle {
    fn name(&self) -> String {
        "great-circle".into()
    }
    fn metres(&self, from: Point<f64>, to: Point<f64>) -> Option<Metres> {
        Some(Metres(Haversine.distance(from, to).round() as u32))
    }
}

/// A lon/lat point on the unit sphere: chord length grows with
/// great-circle distance, so nearest by chord is nearest on the globe.
pub(crate) fn unit_vector(p: Point<f64>) -> [f64; 3] {
    let (lon, lat) = (p.x().to_radians(), p.y().to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// A school on the unit sphere, with its index and lon/lat.
type Entry<I> = GeomWithData<[f64; 3], (I, Point<f64>)>;

/// An R-tree of schools for nearest-candidate queries. Schools are named
/// by `I`: their [`SchoolIx`] in the dataset, or a problem's own index of
/// its candidates (e.g. `planning::optimize::Candidate`).
pub struct SchoolIndex<I = SchoolIx> {
    tree: RTree<Entry<I>>,
}

impl<I: Copy + Ord> SchoolIndex<I> {
    pub fn new(schools: impl IntoIterator<Item = (I, Point<f64>)>) -> Self {
        let items = schools
            .into_iter()
            .map(|(ix, p)| GeomWithData::new(unit_vector(p), (ix, p)))
            .collect();
        SchoolIndex {
            tree: RTree::bulk_load(items),
        }
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Every school with its great-circle distance from `home` in metres,
    /// nearest first: a search that knows a bound below every source's
    /// distance (all measure at least the great circle) stops at it.
    pub fn by_great_circle(
        &self,
        home: Point<f64>,
    ) -> impl Iterator<Item = (I, Point<f64>, f64)> + '_ {
        self.tree
            .nearest_neighbor_iter(&unit_vector(home))
            .map(move |g| (g.data.0, g.data.1, Haversine.distance(home, g.data.1)))
    }

    /// Up to `k` schools within `max` of `home`, nearest first (ties by
    /// school index, so the order is deterministic), measured by `dist`.
    /// Schools come in great-circle order and the search stops at the
    /// first beyond `max` by great circle: every source measures at least
    /// the great-circle distance, so none farther can be within reach, and
    /// a road source is never asked about pairs out of reach.
    pub fn nearest(
        &self,
        home: Point<f64>,
        k: usize,
        max: Metres,
        dist: &dyn DistanceSource,
    ) -> Vec<(I, Metres)> {
        let mut out: Vec<(I, Metres)> = Vec::new();
        for g in self.tree.nearest_neighbor_iter(&unit_vector(home)).take(k) {
            let (ix, p) = g.data;
            if Haversine.distance(home, p) > f64::from(max.0) + 0.5 {
                break;
            }
            if let Some(m) = dist.metres(home, p).filter(|&m| m <= max) {
                out.push((ix, m));
            }
        }
        out.sort_by_key(|&(ix, m)| (m, ix));
        out
    }
}

/// Each block zoned to its nearest open school of each entry grade.
pub fn nearest_zones(data: &Dataset) -> Zones {
    let mut z = Zones::new(data.blocks.len());
    for g in Grade::ALL {
        let idx = SchoolIndex::new(
            data.mainstream_schools(g)
                .into_iter()
                .map(|s| (s, data.school(s).location)),
        );
        for (bi, b) in data.blocks.iter().enumerate() {
            z.school.get_mut(g)[bi] = idx
                .nearest(b.location, 1, Metres(u32::MAX), &GreatCircle)
                .first()
                .map(|&(s, _)| s);
        }
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude() {
        let m = GreatCircle
            .metres(Point::new(126.5, 43.0), Point::new(126.5, 44.0))
            .unwrap();
        assert!((m.0 as i64 - 111_195).abs() < 20, "{m:?}");
    }

    #[test]
    fn nearest_matches_brute_force() {
        let pts: Vec<(SchoolIx, Point<f64>)> = (0..200)
            .map(|i| {
                let a = i as f64 * 0.7919;
                (
                    SchoolIx(i),
                    Point::new(
                        126.4 + (a.sin() + 1.0) * 0.2,
                        43.8 + (a * 1.3).cos().abs() * 0.4,
                    ),
                )
            })
            .collect();
        let idx = SchoolIndex::new(pts.clone());
        let home = Point::new(126.55, 43.95);
        let got = idx.nearest(home, 7, Metres(u32::MAX), &GreatCircle);
        let mut all: Vec<(SchoolIx, Metres)> = pts
            .iter()
            .map(|&(ix, p)| (ix, GreatCircle.metres(home, p).unwrap()))
            .collect();
        all.sort_by_key(|&(ix, m)| (m, ix));
        assert_eq!(got, all[..7].to_vec());
    }
}
