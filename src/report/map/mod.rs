//! The one map renderer (issue 17): `zones.svg`, `place`'s `map.svg`,
//! `compare.svg` and the forecast report's map are all drawn here.
//!
//! A map is a page of fixed width: a title (scenario and year), the whole
//! district in the main panel, an inset panel enlarging the dense area
//! where most applicants live (the smallest box holding 80% of them, see
//! [`shapes::dense_box`]), and a legend listing every school with its
//! colour. Zones are coloured so that neighbours differ; school labels
//! never overlap ([`labels::place`]); each panel has a scale bar and a north
//! arrow. Every element is laid out inside the page (the [`Drawing`] keeps
//! the boxes so tests can check it). The bytes depend only on the input.

pub mod labels;
pub mod shapes;

use std::fmt::Write as _;

use geo::{BooleanOps, Coord, MultiPolygon, Point, Rect};

use super::esc;
use crate::domain::language::Language;
use crate::spatial::geography::Projection;
use labels::{fit_text, place, short_name, text_width, Bbox, Placed, Wanted, LABEL_SIZE};
use shapes::{colour_for, colours, dense_box, PALETTE};

/// A zone: the school (index into [`Map::schools`]) and its shape (lon/lat).
#[derive(Clone, Debug)]
pub struct Zone {
    pub school: usize,
    pub shape: MultiPolygon<f64>,
}

/// A school on the map.
#[derive(Clone, Debug)]
pub struct MapSchool {
    pub id: String,
    /// The name in `schools.csv` (Chinese), shown in the legend and labels.
    pub name: String,
    pub at: Point<f64>,
    /// The marker's fill when it means something (a warning level);
    /// `None`: the zone's colour in the legend, a dark marker.
    pub marker: Option<&'static str>,
    /// Closed in the scenario: crossed out.
    pub closed: bool,
}

/// A block (小区, 村) as a dot; weighted by its applicants for the inset.
#[derive(Clone, Debug)]
pub struct MapBlock {
    pub at: Point<f64>,
    pub applicants: u32,
    /// Drawn red: a block whose applicants a closure displaces.
    pub highlighted: bool,
}

/// An arrow from a closed school (or displaced blocks) to a receiving
/// school, with the applicants it carries.
#[derive(Clone, Debug)]
pub struct Flow {
    pub from: Point<f64>,
    pub to: Point<f64>,
    pub count: u32,
}

/// Everything a map shows.
#[derive(Clone, Debug, Default)]
pub struct Map {
    pub title: String,
    pub lang: Language,
    /// The district boundary (lon/lat), when the dataset has one.
    pub boundary: Option<MultiPolygon<f64>>,
    pub zones: Vec<Zone>,
    /// Pairs of touching zones (by school index), for the colouring.
    pub adjacent: Vec<(usize, usize)>,
    pub schools: Vec<MapSchool>,
    pub blocks: Vec<MapBlock>,
    pub flows: Vec<Flow>,
    /// Legend entries for marker colours (e.g. warning levels).
    pub markers: Vec<(&'static str, String)>,
}

/// A rendered map: the SVG and the boxes laid out, for checks.
#[derive(Clone, Debug)]
pub struct Drawing {
    pub svg: String,
    pub width: f64,
    pub height: f64,
    /// Every label placed, in either panel.
    pub labels: Vec<Placed>,
    /// Every laid-out box (panels, legend rows, title, scale bars, labels).
    pub boxes: Vec<Bbox>,
}

const WIDTH: f64 = 1200.0;
const MARGIN: f64 = 16.0;
const TOP: f64 = 64.0;
const MAIN_W: f64 = 600.0;
const INSET_W: f64 = 552.0;
const INSET_H: f64 = 400.0;
const LEGEND_ROW: f64 = 16.0;
/// Share of the applicants the inset shows.
const INSET_SHARE: f64 = 0.8;

/// A panel: a box on the page showing an extent (metres) at one scale.
struct Panel {
    frame: Bbox,
    /// Metres of the extent's lower-left corner.
    lo: Coord<f64>,
    scale: f64,
    ox: f64,
    oy: f64,
}

impl Panel {
    /// The extent `r` (metres) fitted into `frame` with a 10 px margin,
    /// centred.
    fn new(frame: Bbox, r: Rect<f64>) -> Panel {
        let (ew, eh) = (r.width().max(1.0), r.height().max(1.0));
        let scale = ((frame.w - 20.0) / ew).min((frame.h - 20.0) / eh);
        Panel {
            ox: frame.x + (frame.w - ew * scale) / 2.0,
            oy: frame.y + (frame.h - eh * scale) / 2.0,
            lo: r.min(),
            scale,
            frame,
        }
        .with_top(r.max().y)
    }

    fn with_top(mut self, top: f64) -> Panel {
        // y grows downwards on the page: keep the top of the extent
        self.lo.y = top;
        self
    }

    fn xy(&self, c: Coord<f64>) -> (f64, f64) {
        (
            self.ox + (c.x - self.lo.x) * self.scale,
            self.oy + (self.lo.y - c.y) * self.scale,
        )
    }

    /// The extent shown (metres), the whole frame.
    fn extent(&self) -> Rect<f64> {
        let a = Coord {
            x: self.lo.x + (self.frame.x - self.ox) / self.scale,
            y: self.lo.y - (self.frame.y - self.oy) / self.scale,
        };
        let b = Coord {
            x: self.lo.x + (self.frame.x + self.frame.w - self.ox) / self.scale,
            y: self.lo.y - (self.frame.y + self.frame.h - self.oy) / self.scale,
        };
        Rect::new(a, b)
    }
}

/// Texts of the map in the run's language.
struct Words {
    legend: &'static str,
    inset: &'static str,
    km: &'static str,
    north: &'static str,
    closed: &'static str,
    displaced: &'static str,
    flow: &'static str,
    no_zone: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Zh => Words {
            legend: "图例（学校及其学区颜色）",
            inset: "城区放大图",
            km: "公里",
            north: "北",
            closed: "停办学校（×）",
            displaced: "受影响小区（红点）",
            flow: "分流方向及人数（箭头）",
            no_zone: "无单校学区",
        },
        Language::En => Words {
            legend: "Legend (schools and their zone colours)",
            inset: "Urban area (enlarged)",
            km: "km",
            north: "N",
            closed: "closed school (×)",
            displaced: "displaced blocks (red dots)",
            flow: "displaced applicants (arrows, count)",
            no_zone: "no single-school zone",
        },
    }
}

/// Draw the map.
pub fn render(map: &Map) -> Drawing {
    let w = words(map.lang);
    // one projection for the whole map, centred on what it shows
    let mut all: Vec<Point<f64>> = map.schools.iter().map(|s| s.at).collect();
    all.extend(map.blocks.iter().map(|b| b.at));
    if let Some(b) = &map.boundary {
        all.extend(b.0.iter().flat_map(|p| p.exterior().points()));
    }
    let proj = Projection::around(all.iter().copied());
    let m = |p: Point<f64>| proj.forward(p.0);
    let extent = bounds(all.iter().map(|&p| m(p))).unwrap_or(Rect::new(
        Coord {
            x: -1000.0,
            y: -1000.0,
        },
        Coord {
            x: 1000.0,
            y: 1000.0,
        },
    ));
    // the main panel keeps the district's shape, between 300 and 760 px high
    let main_h = (MAIN_W * extent.height() / extent.width().max(1.0)).clamp(300.0, 760.0);
    let main = Panel::new(
        Bbox {
            x: MARGIN,
            y: TOP,
            w: MAIN_W,
            h: main_h,
        },
        extent,
    );
    let inset_frame = Bbox {
        x: WIDTH - MARGIN - INSET_W,
        y: TOP,
        w: INSET_W,
        h: INSET_H,
    };
    let weighted: Vec<(Coord<f64>, f64)> = map
        .blocks
        .iter()
        .map(|b| (m(b.at), f64::from(b.applicants)))
        .collect();
    let dense = dense_box(&weighted, INSET_SHARE)
        .map(|r| padded(r, inset_frame.w / inset_frame.h))
        .unwrap_or(extent);
    let inset = Panel::new(inset_frame, dense);
    let inset_extent = inset.extent();

    // colours: zone colours by school; schools without a zone grey
    let zone_keys: Vec<usize> = map.zones.iter().map(|z| z.school).collect();
    let colour_of = colours(&zone_keys, &map.adjacent);

    let mut svg = String::new();
    let mut boxes = Vec::new();
    let mut placed_all = Vec::new();
    let legend_top = inset_frame.y + inset_frame.h + 28.0;
    let legend_rows = legend_rows(map, &w);
    let per_col = legend_rows.len().div_ceil(2);
    let legend_bottom = legend_top + 22.0 + per_col as f64 * LEGEND_ROW;
    let height = (main.frame.y + main.frame.h).max(legend_bottom) + MARGIN;
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" width=\"{WIDTH}\" height=\"{height:.0}\" viewBox=\"0 0 {WIDTH} {height:.0}\" font-family=\"'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei',sans-serif\" font-size=\"11\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"11\" markerHeight=\"11\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#b2182b\"/></marker></defs>\
         <rect width=\"{WIDTH}\" height=\"{height:.0}\" fill=\"#ffffff\"/>"
    );
    let title = fit_text(&map.title, 20.0, WIDTH - 2.0 * MARGIN);
    let _ = write!(
        svg,
        "<text class=\"title\" x=\"{MARGIN}\" y=\"40\" font-size=\"20\" font-weight=\"bold\">{}</text>",
        esc(&title)
    );
    boxes.push(Bbox {
        x: MARGIN,
        y: 20.0,
        w: text_width(&title, 20.0),
        h: 26.0,
    });

    let sheet = Sheet {
        map,
        proj,
        inset_extent,
        colour_of,
        words: w,
    };
    for (panel, is_inset) in [(&main, false), (&inset, true)] {
        placed_all.extend(draw_panel(&sheet, panel, is_inset, &mut svg, &mut boxes));
    }
    draw_legend(
        &legend_rows,
        sheet.words.legend,
        (inset_frame.x, legend_top),
        &mut svg,
        &mut boxes,
    );
    svg.push_str("</g></svg>\n");
    Drawing {
        svg,
        width: WIDTH,
        height,
        labels: placed_all,
        boxes,
    }
}

/// What every panel draws from.
struct Sheet<'a> {
    map: &'a Map,
    proj: Projection,
    inset_extent: Rect<f64>,
    colour_of: Vec<(usize, usize)>,
    words: Words,
}

/// One panel: the district (clipped to the inset's extent in the inset),
/// zones, blocks, flows, schools, scale bar, north arrow and labels. Long
/// because it is one drawing's steps in order, each short.
// long: one panel's drawing steps in paint order, each short; split, they would share a dozen arguments.
fn draw_panel(
    sheet: &Sheet<'_>,
    panel: &Panel,
    is_inset: bool,
    svg: &mut String,
    boxes: &mut Vec<Bbox>,
) -> Vec<Placed> {
    let (map, proj, inset_extent, w) = (sheet.map, &sheet.proj, sheet.inset_extent, &sheet.words);
    let m = |p: Point<f64>| proj.forward(p.0);
    let fill = |school: usize| colour_for(&sheet.colour_of, school).map(|c| PALETTE[c]);

    let clip = if is_inset { Some(inset_extent) } else { None };
    let _ = write!(
        svg,
        "<g class=\"panel\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#fbfbfb\" stroke=\"#555555\" stroke-width=\"1\"/>",
        panel.frame.x, panel.frame.y, panel.frame.w, panel.frame.h
    );
    boxes.push(panel.frame);
    let shown = |mp: &MultiPolygon<f64>| -> MultiPolygon<f64> {
        let metres = project(proj, mp);
        match clip {
            Some(r) => metres.intersection(&r.to_polygon()),
            None => metres,
        }
    };
    if let Some(b) = &map.boundary {
        let _ = write!(
            svg,
            "<path d=\"{}\" fill=\"#eeeeee\" stroke=\"none\" fill-rule=\"evenodd\"/>",
            path(panel, &shown(b))
        );
    }
    for z in &map.zones {
        let s = &map.schools[z.school];
        let _ = write!(
            svg,
            "<path class=\"zone\" d=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"0.8\" fill-rule=\"evenodd\"><title>{} {}</title></path>",
            path(panel, &shown(&z.shape)),
            fill(z.school).unwrap_or("#dddddd"),
            esc(&s.id),
            esc(&s.name)
        );
    }
    if let Some(b) = &map.boundary {
        let _ = write!(
            svg,
            "<path d=\"{}\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1.4\" fill-rule=\"evenodd\"/>",
            path(panel, &shown(b))
        );
    }
    let visible = |c: Coord<f64>| {
        let e = panel.extent();
        c.x >= e.min().x && c.x <= e.max().x && c.y >= e.min().y && c.y <= e.max().y
    };
    for b in &map.blocks {
        let c = m(b.at);
        if !visible(c) {
            continue;
        }
        let (x, y) = panel.xy(c);
        if b.highlighted {
            let _ = write!(
                svg,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#e41a1c\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>"
            );
        } else {
            let _ = write!(
                svg,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"1.2\" fill=\"#555555\" fill-opacity=\"0.55\"/>"
            );
        }
    }
    if !is_inset {
        // where the inset is
        let (x0, y0) = panel.xy(Coord {
            x: inset_extent.min().x,
            y: inset_extent.max().y,
        });
        let (x1, y1) = panel.xy(Coord {
            x: inset_extent.max().x,
            y: inset_extent.min().y,
        });
        let (x0, y0) = (x0.max(panel.frame.x), y0.max(panel.frame.y));
        let (x1, y1) = (
            x1.min(panel.frame.x + panel.frame.w),
            y1.min(panel.frame.y + panel.frame.h),
        );
        let _ = write!(
            svg,
            "<rect class=\"inset-outline\" x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#222222\" stroke-width=\"1.2\" stroke-dasharray=\"5,3\"/>",
            (x1 - x0).max(0.0),
            (y1 - y0).max(0.0)
        );
    }
    // flows under the school markers
    let mut flow_labels = Vec::new();
    for f in &map.flows {
        let (a, b) = (m(f.from), m(f.to));
        if !visible(a) || !visible(b) {
            continue;
        }
        let ((x0, y0), (x1, y1)) = (panel.xy(a), panel.xy(b));
        let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        if len < 8.0 {
            continue;
        }
        // stop short of the receiving school's marker
        let k = (len - 6.0) / len;
        let (xe, ye) = (x0 + (x1 - x0) * k, y0 + (y1 - y0) * k);
        let width = (1.0 + f64::from(f.count).sqrt() * 0.5).min(5.0);
        let _ = write!(
            svg,
            "<line class=\"flow\" x1=\"{x0:.1}\" y1=\"{y0:.1}\" x2=\"{xe:.1}\" y2=\"{ye:.1}\" stroke=\"#b2182b\" stroke-width=\"{width:.1}\" stroke-opacity=\"0.8\" marker-end=\"url(#arrow)\"/>"
        );
        flow_labels.push(Wanted {
            x: (x0 + x1) / 2.0,
            y: (y0 + y1) / 2.0,
            texts: vec![f.count.to_string()],
        });
    }
    // school markers, and what labels must avoid
    let mut obstacles = Vec::new();
    let mut wanted = Vec::new();
    for s in &map.schools {
        let c = m(s.at);
        if !visible(c) {
            continue;
        }
        let (x, y) = panel.xy(c);
        obstacles.push(Bbox {
            x: x - 4.5,
            y: y - 4.5,
            w: 9.0,
            h: 9.0,
        });
        let marker = s.marker.unwrap_or("#222222");
        let _ = write!(
            svg,
            "<circle class=\"school\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.8\" fill=\"{marker}\" stroke=\"#ffffff\" stroke-width=\"1.2\"><title>{} {}</title></circle>",
            esc(&s.id),
            esc(&s.name)
        );
        if s.closed {
            let _ = write!(
                svg,
                "<path class=\"closed\" d=\"M{:.1},{:.1}L{:.1},{:.1}M{:.1},{:.1}L{:.1},{:.1}\" stroke=\"#d7191c\" stroke-width=\"2.4\"/>",
                x - 5.0,
                y - 5.0,
                x + 5.0,
                y + 5.0,
                x - 5.0,
                y + 5.0,
                x + 5.0,
                y - 5.0
            );
        }
        // the dense area's schools are labelled in the inset only
        let in_inset = inside(&inset_extent, c);
        if is_inset || !in_inset {
            wanted.push(Wanted {
                x,
                y,
                texts: label_texts(s),
            });
        }
    }
    let (bar, bar_box) = scale_bar(panel, w.km);
    svg.push_str(&bar);
    let (arrow, arrow_box) = north_arrow(panel, w.north);
    svg.push_str(&arrow);
    obstacles.push(bar_box);
    obstacles.push(arrow_box);
    boxes.push(bar_box);
    boxes.push(arrow_box);
    let mut title_box = None;
    if is_inset {
        let t = w.inset;
        let b = Bbox {
            x: panel.frame.x + 6.0,
            y: panel.frame.y + 4.0,
            w: text_width(t, 12.0) + 6.0,
            h: 17.0,
        };
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ffffff\" fill-opacity=\"0.85\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"bold\">{}</text>",
            b.x,
            b.y,
            b.w,
            b.h,
            b.x + 3.0,
            b.y + 13.0,
            esc(t)
        );
        obstacles.push(b);
        title_box = Some(b);
    }
    boxes.extend(title_box);
    let inner = Bbox {
        x: panel.frame.x + 2.0,
        y: panel.frame.y + 2.0,
        w: panel.frame.w - 4.0,
        h: panel.frame.h - 4.0,
    };
    let mut placed = place(&wanted, &obstacles, &inner);
    let taken: Vec<Bbox> = obstacles
        .iter()
        .copied()
        .chain(placed.iter().map(|p| p.bbox))
        .collect();
    placed.extend(place(&flow_labels, &taken, &inner));
    for p in &placed {
        label(svg, p);
        boxes.push(p.bbox);
    }

    svg.push_str("</g>");
    placed
}

/// The legend, in two columns from (`lx`, `legend_top`).
fn draw_legend(
    rows: &[LegendRow],
    title: &str,
    (lx, legend_top): (f64, f64),
    svg: &mut String,
    boxes: &mut Vec<Bbox>,
) {
    let per_col = rows.len().div_ceil(2);
    // legend: two columns under the inset
    let _ = write!(
    svg,
    "<g class=\"legend\"><text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"bold\">{}</text>",
    legend_top + 12.0,
    esc(title)
);
    boxes.push(Bbox {
        x: lx,
        y: legend_top,
        w: text_width(title, 13.0),
        h: 16.0,
    });
    let col_w = INSET_W / 2.0;
    for (i, row) in rows.iter().enumerate() {
        let (col, r) = (i / per_col, i % per_col);
        let x = lx + col as f64 * col_w;
        let y = legend_top + 22.0 + r as f64 * LEGEND_ROW;
        let swatch = match row.swatch {
        Swatch::Fill(c) => format!(
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"14\" height=\"11\" fill=\"{c}\" stroke=\"#777777\" stroke-width=\"0.6\"/>",
            y + 1.0
        ),
        Swatch::Dot(c) => format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{c}\" stroke=\"#333333\" stroke-width=\"0.6\"/>",
            x + 7.0,
            y + 6.5
        ),
        Swatch::Cross => format!(
            "<path d=\"M{:.1},{:.1}L{:.1},{:.1}M{:.1},{:.1}L{:.1},{:.1}\" stroke=\"#d7191c\" stroke-width=\"2.4\"/>",
            x + 2.0,
            y + 1.5,
            x + 12.0,
            y + 11.5,
            x + 2.0,
            y + 11.5,
            x + 12.0,
            y + 1.5
        ),
        Swatch::Arrow => format!(
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#b2182b\" stroke-width=\"2\" marker-end=\"url(#arrow)\"/>",
            y + 6.5,
            x + 14.0,
            y + 6.5
        ),
    };
        let text = fit_text(&row.text, 11.0, col_w - 26.0);
        let _ = write!(
            svg,
            "{swatch}<text class=\"legend-item\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 20.0,
            y + 11.0,
            esc(&text)
        );
        boxes.push(Bbox {
            x,
            y,
            w: 20.0 + text_width(&text, 11.0),
            h: LEGEND_ROW,
        });
    }
}

/// A label's texts, best first: the full name, the name without its kind,
/// the id.
fn label_texts(s: &MapSchool) -> Vec<String> {
    let mut t = vec![s.name.clone()];
    let short = short_name(&s.name);
    if short != s.name {
        t.push(short);
    }
    t.push(s.id.clone());
    t
}

fn label(svg: &mut String, p: &Placed) {
    if let Some((lx, ly)) = p.leader {
        let _ = write!(
            svg,
            "<line class=\"leader\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{lx:.1}\" y2=\"{ly:.1}\" stroke=\"#444444\" stroke-width=\"0.7\"/>",
            p.at.0, p.at.1
        );
    }
    let _ = write!(
        svg,
        "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"{LABEL_SIZE}\" stroke=\"#ffffff\" stroke-width=\"2.6\" stroke-linejoin=\"round\" paint-order=\"stroke\" fill=\"#111111\">{}</text>",
        p.bbox.x + 1.0,
        p.bbox.y + p.bbox.h - 3.5,
        esc(&p.text)
    );
}

enum Swatch {
    Fill(&'static str),
    Dot(&'static str),
    Cross,
    Arrow,
}

struct LegendRow {
    swatch: Swatch,
    text: String,
}

/// The legend: every school (id, name, its zone colour or marker), then
/// the marker meanings and the symbols the map uses.
fn legend_rows(map: &Map, w: &Words) -> Vec<LegendRow> {
    let keys: Vec<usize> = map.zones.iter().map(|z| z.school).collect();
    let colour_of = colours(&keys, &map.adjacent);
    let zoned: std::collections::BTreeSet<usize> = keys.iter().copied().collect();
    let mut order: Vec<usize> = (0..map.schools.len()).collect();
    order.sort_by(|&a, &b| map.schools[a].id.cmp(&map.schools[b].id));
    let mut rows: Vec<LegendRow> = order
        .iter()
        .map(|&i| {
            let s = &map.schools[i];
            let swatch = match (colour_for(&colour_of, i), s.marker) {
                (_, Some(m)) => Swatch::Dot(m),
                (Some(c), None) => Swatch::Fill(PALETTE[c]),
                (None, None) => Swatch::Fill("#eeeeee"),
            };
            let mut text = format!("{} {}", s.id, s.name);
            if s.closed {
                text.push_str(map.lang.pick("（停办）", " (closed)"));
            } else if s.marker.is_none() && !zoned.contains(&i) && !map.zones.is_empty() {
                text.push_str(&format!(" ({})", w.no_zone));
            }
            LegendRow { swatch, text }
        })
        .collect();
    rows.extend(map.markers.iter().map(|(c, t)| LegendRow {
        swatch: Swatch::Dot(c),
        text: t.clone(),
    }));
    if map.schools.iter().any(|s| s.closed) {
        rows.push(LegendRow {
            swatch: Swatch::Cross,
            text: w.closed.to_string(),
        });
    }
    if map.blocks.iter().any(|b| b.highlighted) {
        rows.push(LegendRow {
            swatch: Swatch::Dot("#e41a1c"),
            text: w.displaced.to_string(),
        });
    }
    if !map.flows.is_empty() {
        rows.push(LegendRow {
            swatch: Swatch::Arrow,
            text: w.flow.to_string(),
        });
    }
    rows
}

/// A scale bar of a round length (1, 2 or 5 × 10ⁿ m) about a quarter of the
/// panel wide, in its lower-left corner.
fn scale_bar(panel: &Panel, km: &str) -> (String, Bbox) {
    let target = panel.frame.w / 4.0 / panel.scale;
    let mut len = 10.0;
    for e in 1..7 {
        for k in [1.0, 2.0, 5.0] {
            let l = k * 10f64.powi(e);
            if l <= target {
                len = l;
            }
        }
    }
    let px = len * panel.scale;
    let (x, y) = (panel.frame.x + 12.0, panel.frame.y + panel.frame.h - 14.0);
    let label = if len >= 1000.0 {
        format!("{} {km}", len / 1000.0)
    } else {
        format!("{} m", len)
    };
    let svg = format!(
        "<g class=\"scale-bar\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"30\" fill=\"#ffffff\" fill-opacity=\"0.85\"/>\
         <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"5\" fill=\"#222222\"/><rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"5\" fill=\"#ffffff\" stroke=\"#222222\" stroke-width=\"0.8\"/>\
         <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"10\">0</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{}</text></g>",
        x - 4.0,
        y - 18.0,
        px + 8.0 + 0.0,
        px / 2.0,
        x + px / 2.0,
        px / 2.0,
        y - 4.0,
        x + px,
        y - 4.0,
        esc(&label)
    );
    (
        svg,
        Bbox {
            x: x - 4.0,
            y: y - 18.0,
            w: px + 8.0,
            h: 30.0,
        },
    )
}

/// A north arrow in the panel's upper-right corner (the map is drawn with
/// north up).
fn north_arrow(panel: &Panel, north: &str) -> (String, Bbox) {
    let (cx, top) = (panel.frame.x + panel.frame.w - 20.0, panel.frame.y + 8.0);
    let svg = format!(
        "<g class=\"north-arrow\"><path d=\"M{cx:.1},{:.1}L{:.1},{:.1}L{cx:.1},{:.1}z\" fill=\"#222222\"/><path d=\"M{cx:.1},{:.1}L{:.1},{:.1}L{cx:.1},{:.1}z\" fill=\"#ffffff\" stroke=\"#222222\" stroke-width=\"0.8\"/>\
         <text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"bold\" text-anchor=\"middle\">{}</text></g>",
        top + 14.0,
        cx - 6.0,
        top + 32.0,
        top + 27.0,
        top + 14.0,
        cx + 6.0,
        top + 32.0,
        top + 27.0,
        top + 10.0,
        esc(north)
    );
    (
        svg,
        Bbox {
            x: cx - 10.0,
            y: top - 2.0,
            w: 20.0,
            h: 36.0,
        },
    )
}

fn inside(r: &Rect<f64>, c: Coord<f64>) -> bool {
    c.x >= r.min().x && c.x <= r.max().x && c.y >= r.min().y && c.y <= r.max().y
}

fn bounds(cs: impl Iterator<Item = Coord<f64>>) -> Option<Rect<f64>> {
    let mut out: Option<(Coord<f64>, Coord<f64>)> = None;
    for c in cs {
        out = Some(match out {
            None => (c, c),
            Some((lo, hi)) => (
                Coord {
                    x: lo.x.min(c.x),
                    y: lo.y.min(c.y),
                },
                Coord {
                    x: hi.x.max(c.x),
                    y: hi.y.max(c.y),
                },
            ),
        });
    }
    out.map(|(lo, hi)| Rect::new(lo, hi))
}

/// `r` grown by 8% (at least 300 m) each side, then widened or heightened
/// to the aspect `aspect` (width ÷ height) around its centre.
fn padded(r: Rect<f64>, aspect: f64) -> Rect<f64> {
    let pad = |v: f64| (v * 0.08).max(300.0);
    let (mut w, mut h) = (
        r.width() + 2.0 * pad(r.width()),
        r.height() + 2.0 * pad(r.height()),
    );
    if w / h < aspect {
        w = h * aspect;
    } else {
        h = w / aspect;
    }
    let c = r.center();
    Rect::new(
        Coord {
            x: c.x - w / 2.0,
            y: c.y - h / 2.0,
        },
        Coord {
            x: c.x + w / 2.0,
            y: c.y + h / 2.0,
        },
    )
}

fn project(p: &Projection, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::MapCoords;
    mp.map_coords(|c| p.forward(c))
}

/// An SVG path of a shape (metres) in `panel`.
fn path(panel: &Panel, mp: &MultiPolygon<f64>) -> String {
    let mut d = String::new();
    for poly in &mp.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for (j, c) in ring.0.iter().enumerate() {
                let (x, y) = panel.xy(*c);
                let _ = write!(d, "{}{x:.1},{y:.1}", if j == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, d: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Rect::new(
            Coord { x, y },
            Coord { x: x + d, y: y + d },
        )
        .to_polygon()])
    }

    /// A city of 40 schools in a corner of a large district.
    fn city() -> Map {
        let schools: Vec<MapSchool> = (0..40)
            .map(|i| MapSchool {
                id: format!("S{i:02}"),
                name: format!("第{i}实验小学"),
                at: Point::new(
                    126.55 + f64::from(i % 7) * 0.004,
                    43.90 + f64::from(i / 7) * 0.004,
                ),
                marker: None,
                closed: i == 3,
            })
            .collect();
        let blocks: Vec<MapBlock> = (0..200)
            .map(|i| MapBlock {
                at: Point::new(
                    126.55 + f64::from(i % 14) * 0.002,
                    43.90 + f64::from(i / 14) * 0.002,
                ),
                applicants: 10,
                highlighted: i % 17 == 0,
            })
            .chain((0..20).map(|i| MapBlock {
                at: Point::new(126.2 + f64::from(i) * 0.03, 43.6 + f64::from(i % 5) * 0.05),
                applicants: 5,
                highlighted: false,
            }))
            .collect();
        Map {
            title: "龙潭区 2025 学区划片".into(),
            lang: Language::Zh,
            boundary: Some(square(126.1, 43.5, 0.6)),
            zones: (0..40)
                .map(|i| Zone {
                    school: i,
                    shape: square(
                        126.55 + (i % 7) as f64 * 0.004,
                        43.90 + (i / 7) as f64 * 0.004,
                        0.004,
                    ),
                })
                .collect(),
            adjacent: (0..39).map(|i| (i, i + 1)).collect(),
            schools,
            blocks,
            flows: vec![Flow {
                from: Point::new(126.562, 43.90),
                to: Point::new(126.55, 43.904),
                count: 37,
            }],
            markers: vec![],
        }
    }

    #[test]
    fn labels_do_not_overlap_and_everything_is_on_the_page() {
        let d = render(&city());
        let page = Bbox {
            x: 0.0,
            y: 0.0,
            w: d.width,
            h: d.height,
        };
        for b in &d.boxes {
            assert!(b.inside(&page), "{b:?} outside {page:?}");
        }
        for (i, a) in d.labels.iter().enumerate() {
            for b in &d.labels[i + 1..] {
                assert!(!a.bbox.overlaps(&b.bbox), "{a:?} overlaps {b:?}");
            }
        }
        // most of the crowded city is labelled in the inset
        assert!(d.labels.len() >= 30, "{}", d.labels.len());
        for s in ["学区", "图例", "第12实验小学", "公里", "北", "停办"] {
            assert!(d.svg.contains(s), "{s}");
        }
    }

    #[test]
    fn the_bytes_are_deterministic_and_english_is_english() {
        let a = render(&city()).svg;
        assert_eq!(a, render(&city()).svg);
        let mut m = city();
        m.lang = Language::En;
        let e = render(&m).svg;
        assert!(e.contains("Legend") && e.contains(">N<") && e.contains(" km"));
    }
}
