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

#[cfg(test)]
mod tests {
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
