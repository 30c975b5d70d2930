//! The district boundary and fast point-in-district tests.
//!
//! Validation checks every school, block and geocoded applicant against the
//! real boundary (a MultiPolygon of a few thousand vertices). A plain
//! crossing-number test per point would cost O(vertices); [`Boundary`] buckets
//! the edges into horizontal strips so a test only looks at the edges that
//! span the point's latitude, which keeps a million-point check well under a
//! second.

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Point, Rect};

pub struct Boundary {
    shape: MultiPolygon<f64>,
    rect: Rect<f64>,
    strips: Vec<Vec<(Coord<f64>, Coord<f64>)>>,
}

const STRIPS: usize = 1024;

impl Boundary {
    pub fn new(shape: MultiPolygon<f64>) -> Option<Boundary> {
        let rect = shape.bounding_rect()?;
        let mut strips = vec![Vec::new(); STRIPS];
        let (y0, h) = (rect.min().y, rect.height().max(f64::EPSILON));
        let strip_of = |y: f64| (((y - y0) / h * STRIPS as f64) as usize).min(STRIPS - 1);
        let rings = shape
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
        for ring in rings {
            for line in ring.lines() {
                let (a, b) = (line.start, line.end);
                if a.y == b.y {
                    continue;
                }
                let (lo, hi) = (strip_of(a.y.min(b.y)), strip_of(a.y.max(b.y)));
                for s in &mut strips[lo..=hi] {
                    s.push((a, b));
                }
            }
        }
        Some(Boundary {
            shape,
            rect,
            strips,
        })
    }

    pub fn shape(&self) -> &MultiPolygon<f64> {
        &self.shape
    }

    pub fn rect(&self) -> Rect<f64> {
        self.rect
    }

    /// Whether the point lies inside the district (even-odd rule over all
    /// rings, so holes are excluded).
    pub fn contains(&self, p: Point<f64>) -> bool {
        let (x, y) = (p.x(), p.y());
        let r = self.rect;
        if x < r.min().x || x > r.max().x || y < r.min().y || y > r.max().y {
            return false;
        }
        let h = r.height().max(f64::EPSILON);
        let s = (((y - r.min().y) / h * STRIPS as f64) as usize).min(STRIPS - 1);
        let mut inside = false;
        for &(a, b) in &self.strips[s] {
            if (a.y > y) != (b.y > y) {
                let xi = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y);
                if x < xi {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// The exterior rings, for drawing.
    pub fn rings(&self) -> impl Iterator<Item = &LineString<f64>> {
        self.shape.0.iter().map(|p| p.exterior())
    }
}

/// A local equirectangular projection to metres, centred on the district.
///
/// Planar geometry (Voronoi cells, unions, areas) needs metres, not
/// degrees. Over a district of 50 km the scale error of this projection is
/// below 0.1%, far under what zoning cares about, and it needs no PROJ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
}

/// Mean Earth radius (m), as the haversine distance uses.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

impl Projection {
    /// The projection centred at `centre` (lon, lat).
    pub fn centred(centre: Point<f64>) -> Projection {
        let ky = EARTH_RADIUS_M.to_radians();
        Projection {
            lon0: centre.x(),
            lat0: centre.y(),
            kx: ky * centre.y().to_radians().cos(),
            ky,
        }
    }

    /// Centred on the middle of the points' bounding box.
    pub fn around(points: impl IntoIterator<Item = Point<f64>>) -> Projection {
        let (mut lo, mut hi) = (
            Coord {
                x: f64::MAX,
                y: f64::MAX,
            },
            Coord {
                x: f64::MIN,
                y: f64::MIN,
            },
        );
        for p in points {
            lo.x = lo.x.min(p.x());
            lo.y = lo.y.min(p.y());
            hi.x = hi.x.max(p.x());
            hi.y = hi.y.max(p.y());
        }
        if lo.x > hi.x {
            return Projection::centred(Point::new(0.0, 0.0));
        }
        Projection::centred(Point::new((lo.x + hi.x) / 2.0, (lo.y + hi.y) / 2.0))
    }

    /// Lon/lat to metres east and north of the centre.
    pub fn forward(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.lon0) * self.kx,
            y: (c.y - self.lat0) * self.ky,
        }
    }

    /// Metres back to lon/lat.
    pub fn inverse(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: c.x / self.kx + self.lon0,
            y: c.y / self.ky + self.lat0,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn projection_round_trips_and_keeps_scale() {
        use geo::{Distance, Haversine};
        let p = Projection::centred(Point::new(126.56, 43.85));
        let a = Coord {
            x: 126.60,
            y: 43.90,
        };
        let back = p.inverse(p.forward(a));
        assert!((back.x - a.x).abs() < 1e-12 && (back.y - a.y).abs() < 1e-12);
        let f = p.forward(a);
        let planar = (f.x * f.x + f.y * f.y).sqrt();
        let sphere = Haversine.distance(Point::new(126.56, 43.85), Point::from(a));
        assert!((planar / sphere - 1.0).abs() < 1e-3, "{planar} vs {sphere}");
    }

    use super::*;
    use geo::{polygon, Contains};

    #[test]
    fn agrees_with_geo_contains() {
        let poly = polygon![
            (x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 2.0, y: 1.5),
            (x: 0.0, y: 4.0), (x: 0.0, y: 0.0)
        ];
        let shape = MultiPolygon(vec![poly]);
        let b = Boundary::new(shape.clone()).unwrap();
        for i in 0..60 {
            for j in 0..60 {
                let p = Point::new(i as f64 * 0.0701 - 0.1003, j as f64 * 0.0713 - 0.0997);
                assert_eq!(b.contains(p), shape.contains(&p), "{p:?}");
            }
        }
    }
}
