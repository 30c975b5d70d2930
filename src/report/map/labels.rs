//! Label placement: greedy, among candidate positions around each point,
//! never overlapping another label, a marker or a reserved box (scale bar,
//! north arrow), never leaving its panel. A label that cannot stand beside
//! its point is tried with a shortened text, then at the end of a leader
//! line; one that fits nowhere is left out (the legend still lists it).

/// An axis-aligned box in SVG pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bbox {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Bbox {
    /// True when the two boxes share area (touching edges do not).
    pub fn overlaps(&self, o: &Bbox) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// True when `self` lies wholly inside `o`.
    pub fn inside(&self, o: &Bbox) -> bool {
        self.x >= o.x
            && self.y >= o.y
            && self.x + self.w <= o.x + o.w
            && self.y + self.h <= o.y + o.h
    }
}

/// The width of `text` at `size` px, over-estimated so the drawn text (a
/// CJK font for the Chinese characters, a sans-serif for the rest) fits
/// inside: a full-width character is one em, any other 0.62 em.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 1.0 } else { 0.62 })
        .sum::<f64>()
        * size
}

/// `text` cut (with `…`) to at most `width` px at `size`.
pub fn fit_text(text: &str, size: f64, width: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        let mut next = out.clone();
        next.push(c);
        next.push('…');
        if text_width(&next, size) > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A school name without its kind (小学, 中学, 学校 …), for a label where
/// the full name does not fit; the legend keeps the full name.
pub fn short_name(name: &str) -> String {
    for suffix in [
        "九年一贯制学校",
        "中心小学",
        "中心校",
        "小学校",
        "小学",
        "初级中学",
        "中学",
        "学校",
    ] {
        if let Some(s) = name.strip_suffix(suffix) {
            if s.chars().count() >= 2 {
                return s.to_string();
            }
        }
    }
    name.to_string()
}

/// A label to place: the point it names and its texts, best first.
pub struct Wanted {
    pub x: f64,
    pub y: f64,
    pub texts: Vec<String>,
}

/// A placed label: its text, where the text's box is, the baseline's
/// anchor, and the leader line's start when it stands away from its point.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub text: String,
    pub bbox: Bbox,
    pub leader: Option<(f64, f64)>,
    /// The point it names.
    pub at: (f64, f64),
}

/// Font size of map labels (px).
pub const LABEL_SIZE: f64 = 11.0;

/// Place the labels in order, each at the first candidate that stays in
/// `panel` and overlaps neither `obstacles` nor an earlier label: beside
/// the point (right, left, above, below, the diagonals) with each text in
/// turn, then at the end of leader lines of growing length. Deterministic.
pub fn place(wanted: &[Wanted], obstacles: &[Bbox], panel: &Bbox) -> Vec<Placed> {
    let mut taken: Vec<Bbox> = obstacles.to_vec();
    let mut out = Vec::new();
    let h = LABEL_SIZE + 3.0;
    for w in wanted {
        let mut chosen = None;
        'search: for (radius, leader) in [(6.0, false), (22.0, true), (38.0, true), (56.0, true)] {
            for text in &w.texts {
                let tw = text_width(text, LABEL_SIZE) + 2.0;
                for (dx, dy) in DIRECTIONS {
                    let (cx, cy) = (w.x + dx * radius, w.y + dy * radius);
                    // the box hangs off the candidate point away from the school
                    let bx = if dx > 0.1 {
                        cx
                    } else if dx < -0.1 {
                        cx - tw
                    } else {
                        cx - tw / 2.0
                    };
                    let by = if dy > 0.1 {
                        cy
                    } else if dy < -0.1 {
                        cy - h
                    } else {
                        cy - h / 2.0
                    };
                    let b = Bbox {
                        x: bx,
                        y: by,
                        w: tw,
                        h,
                    };
                    if b.inside(panel) && !taken.iter().any(|t| t.overlaps(&b)) {
                        chosen = Some(Placed {
                            text: text.clone(),
                            bbox: b,
                            leader: leader.then_some((cx, cy)),
                            at: (w.x, w.y),
                        });
                        break 'search;
                    }
                }
            }
        }
        if let Some(p) = chosen {
            taken.push(p.bbox);
            out.push(p);
        }
    }
    out
}

/// Unit directions from a point, in the order tried.
const D: f64 = std::f64::consts::FRAC_1_SQRT_2;
const DIRECTIONS: [(f64, f64); 8] = [
    (1.0, 0.0),
    (-1.0, 0.0),
    (0.0, -1.0),
    (0.0, 1.0),
    (D, -D),
    (-D, -D),
    (D, D),
    (-D, D),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crowded_labels_never_overlap_and_stay_inside() {
        let panel = Bbox {
            x: 0.0,
            y: 0.0,
            w: 300.0,
            h: 300.0,
        };
        let wanted: Vec<Wanted> = (0..40)
            .map(|i| Wanted {
                x: 140.0 + f64::from(i % 7) * 4.0,
                y: 140.0 + f64::from(i / 7) * 4.0,
                texts: vec![format!("第{i}实验小学"), format!("{i}")],
            })
            .collect();
        let placed = place(&wanted, &[], &panel);
        assert!(placed.len() > 10);
        for (i, a) in placed.iter().enumerate() {
            assert!(a.bbox.inside(&panel));
            for b in &placed[i + 1..] {
                assert!(!a.bbox.overlaps(&b.bbox), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn names_shorten_and_fit() {
        assert_eq!(short_name("第二实验小学"), "第二实验");
        assert_eq!(short_name("小学"), "小学");
        let t = fit_text("一二三四五六七八九十", 10.0, 50.0);
        assert!(text_width(&t, 10.0) <= 50.0, "{t}");
        assert!(t.ends_with('…'));
    }
}
