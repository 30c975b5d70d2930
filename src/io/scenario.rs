//! Reading a scenario TOML file. Every key is documented in README.md.
//!
//! Unknown keys are errors (typo protection: `lotery_seed` must not silently
//! fall back to a default seed), and all of them are listed in one run with
//! their line and column. References to schools are checked against the
//! dataset by [`check_references`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use geo::Point;
use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Column, Diagnostics};
use crate::io::text::Encoding;
use crate::model::{Dataset, Grade, Level, SchoolId};
use crate::scenario::{CapacityOverride, Category, Merger, NewSchool, Policy, Scenario};

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    extends: Option<Spanned<String>>,
    name: Option<String>,
    year: Option<i32>,
    dataset: Option<String>,
    level: Option<Spanned<String>>,
    #[serde(default)]
    encoding: Option<Spanned<String>>,
    #[serde(default)]
    policy: RawPolicy,
    #[serde(default)]
    closures: Vec<Spanned<String>>,
    #[serde(default)]
    mergers: Vec<RawMerger>,
    #[serde(default)]
    capacity: Vec<RawCapacity>,
    #[serde(default)]
    new_schools: Vec<RawNewSchool>,
    #[serde(default)]
    classes: Option<RawClasses>,
    #[serde(default)]
    conversions: Vec<RawConversion>,
    #[serde(default)]
    forecast: Option<RawForecast>,
}

#[derive(Deserialize)]
struct RawForecast {
    years_back: Option<Spanned<usize>>,
    recent_weight: Option<Spanned<f64>>,
    yield_per_grade: Option<Spanned<f64>>,
    class_size_primary: Option<Spanned<u32>>,
    class_size_junior: Option<Spanned<u32>>,
    yellow: Option<Spanned<f64>>,
    orange: Option<Spanned<f64>>,
    red: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
struct RawClasses {
    class_size: Option<Spanned<u32>>,
    max_mild_per_class: Option<u32>,
    twins: Option<Spanned<String>>,
    seed: Option<u64>,
}

#[derive(Deserialize, Default)]
struct RawPolicy {
    priority: Option<Spanned<Vec<Spanned<String>>>>,
    sibling_bonus: Option<u8>,
    lottery_seed: Option<u64>,
    max_class_size: Option<Spanned<u32>>,
    service_radius_km: Option<RawRadius>,
    service_radius_min: Option<RawRadius>,
    overflow_max_km: Option<Spanned<f64>>,
    candidates: Option<Spanned<usize>>,
    zone_slack: Option<Spanned<f64>>,
    zone_move_penalty: Option<Spanned<f64>>,
    distance: Option<Spanned<String>>,
    road_network: Option<Spanned<String>>,
    road_mode: Option<RawRoadMode>,
    max_snap_m: Option<Spanned<f64>>,
    walk_highways: Option<Vec<String>>,
    drive_highways: Option<Vec<String>>,
    walk_speed_kmh: Option<Spanned<f64>>,
    drive_speeds_kmh: Option<Spanned<std::collections::BTreeMap<String, f64>>>,
}

#[derive(Deserialize)]
struct RawRoadMode {
    primary: Option<Spanned<String>>,
    junior: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawRadius {
    primary: Option<Spanned<f64>>,
    junior: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
struct RawMerger {
    from: Spanned<String>,
    into: Spanned<String>,
    #[serde(default = "yes")]
    move_seats: bool,
    branch_seats: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
struct RawConversion {
    school: Spanned<String>,
    freed_seats: Spanned<u32>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct RawCapacity {
    school: Spanned<String>,
    entry_seats: Option<Spanned<u32>>,
    classes: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
struct RawNewSchool {
    id: Spanned<String>,
    name: String,
    level: Spanned<String>,
    lon: Spanned<f64>,
    lat: Spanned<f64>,
    #[serde(default)]
    town: String,
    entry_seats: Spanned<u32>,
    classes: Option<u32>,
    #[serde(default)]
    boarding: bool,
}

/// A scenario as read, with the source positions of its school references.
pub struct ScenarioFile {
    pub scenario: Scenario,
    pub encoding: Encoding,
    pub path: PathBuf,
    refs: Vec<(SchoolId, usize, &'static str)>,
    new_ids: Vec<(SchoolId, usize)>,
    text: String,
    /// The scenario this one `extends`, whose changes it inherits.
    parent: Option<Box<ScenarioFile>>,
}

/// 1-based line and character column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    diags: &'a mut Diagnostics,
}

impl Ctx<'_> {
    fn err(&mut self, offset: usize, msg: impl Into<String>) {
        let (line, col) = line_col(self.text, offset);
        self.diags
            .error(self.path, Some(line), Some(Column::Char(col)), msg);
    }
}

/// Read and check a scenario file. Problems go to `diags`; `None` when the
/// file cannot be used at all.
pub fn read(path: &Path, diags: &mut Diagnostics) -> Option<ScenarioFile> {
    read_depth(path, diags, 0)
}

fn read_depth(path: &Path, diags: &mut Diagnostics, depth: usize) -> Option<ScenarioFile> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.error(path, None, None, format!("cannot read scenario: {e}"));
            return None;
        }
    };
    parse_depth(path, text, diags, depth)
}

pub fn parse(path: &Path, text: String, diags: &mut Diagnostics) -> Option<ScenarioFile> {
    parse_depth(path, text, diags, 0)
}

fn parse_depth(
    path: &Path,
    text: String,
    diags: &mut Diagnostics,
    depth: usize,
) -> Option<ScenarioFile> {
    let errors_before = diags.error_count();
    let mut cx = Ctx {
        path,
        text: &text,
        diags,
    };
    if text.trim().is_empty() {
        cx.diags.error(
            path,
            None,
            None,
            "scenario file is empty; expected name, year, dataset and level",
        );
        return None;
    }
    let doc = match toml::de::DeTable::parse(&text) {
        Ok(d) => d,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            cx.err(at, format!("invalid TOML: {}", e.message()));
            return None;
        }
    };
    let mut unknown = Vec::new();
    let de = match toml::de::Deserializer::parse(&text) {
        Ok(d) => d,
        Err(e) => {
            cx.err(0, format!("invalid TOML: {}", e.message()));
            return None;
        }
    };
    let raw: Result<Raw, _> = serde_ignored::deserialize(de, |p| unknown.push(segments(&p)));
    let mut located: Vec<(usize, &Vec<String>)> = unknown
        .iter()
        .map(|segs| (key_span(doc.get_ref(), segs).unwrap_or(0), segs))
        .collect();
    located.sort();
    for (at, segs) in located {
        cx.err(
            at,
            format!(
                "unknown key `{}`; expected one of the keys documented in README.md (a typo?)",
                segs.join(".")
            ),
        );
    }
    let raw = match raw {
        Ok(r) => r,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            cx.err(at, e.message().to_string());
            return None;
        }
    };
    let parent = match &raw.extends {
        None => None,
        Some(_) if depth >= 8 => {
            let at = raw.extends.as_ref().map_or(0, |e| e.span().start);
            cx.err(
                at,
                "`extends` nests more than 8 deep (a cycle?); expected a chain of at most 8 files",
            );
            return None;
        }
        Some(e) => {
            let ppath: PathBuf = path
                .parent()
                .unwrap_or(Path::new("."))
                .join(e.get_ref())
                .components()
                .collect();
            if !ppath.is_file() {
                cx.err(
                    e.span().start,
                    format!("extends `{}`: no such file; expected a scenario file path relative to this one", e.get_ref()),
                );
                return None;
            }
            Some(Box::new(read_depth(&ppath, cx.diags, depth + 1)?))
        }
    };
    convert(raw, &mut cx, path, &text, errors_before, parent)
}

fn convert(
    raw: Raw,
    cx: &mut Ctx<'_>,
    path: &Path,
    text: &str,
    errors_before: usize,
    parent: Option<Box<ScenarioFile>>,
) -> Option<ScenarioFile> {
    let base = parent.as_ref().map(|p| &p.scenario);
    for (key, missing) in [
        ("name", raw.name.is_none()),
        ("year", raw.year.is_none()),
        ("dataset", raw.dataset.is_none()),
        ("level", raw.level.is_none()),
    ] {
        if missing && base.is_none() {
            cx.err(0, format!("missing key `{key}`; expected name, year, dataset and level (or `extends` with a base scenario)"));
        }
    }
    let grade = match &raw.level {
        Some(level) => {
            match level.get_ref().as_str() {
                "primary" => Grade::One,
                "junior" => Grade::Seven,
                other => {
                    cx.err(
                    level.span().start,
                    format!("level `{other}`; expected \"primary\" (grade 1) or \"junior\" (grade 7)"),
                );
                    Grade::One
                }
            }
        }
        None => base.map_or(Grade::One, |b| b.grade),
    };
    let encoding = match &raw.encoding {
        None => parent.as_ref().map_or(Encoding::Auto, |p| p.encoding),
        Some(e) => e.get_ref().parse().unwrap_or_else(|msg: String| {
            cx.err(e.span().start, msg);
            Encoding::Auto
        }),
    };
    let mut policy = match base {
        Some(b) if b.grade == grade => b.policy.clone(),
        _ => Policy::defaults(grade),
    };
    let rp = raw.policy;
    read_distance(&rp, path, &mut policy, cx);
    if let Some(pr) = rp.priority {
        let mut seen = HashSet::new();
        let mut list = Vec::new();
        for item in pr.get_ref() {
            match Category::parse(item.get_ref()) {
                Some(c) if seen.insert(c) => list.push(c),
                Some(c) => cx.err(
                    item.span().start,
                    format!(
                        "category `{}` is listed twice; expected each category once",
                        c.key()
                    ),
                ),
                None => cx.err(
                    item.span().start,
                    format!(
                        "unknown category `{}`; expected one of {}",
                        item.get_ref(),
                        Category::ALL.map(Category::key).join(", ")
                    ),
                ),
            }
        }
        let missing: Vec<&str> = Category::ALL
            .into_iter()
            .filter(|c| !seen.contains(c))
            .map(Category::key)
            .collect();
        if !missing.is_empty() {
            cx.err(
                pr.span().start,
                format!(
                    "priority does not list {}; expected every category once, so each applicant has a tier",
                    missing.join(", ")
                ),
            );
        }
        policy.priority = list;
    }
    if let Some(b) = rp.sibling_bonus {
        policy.sibling_bonus = b;
    }
    if let Some(s) = rp.lottery_seed {
        policy.lottery_seed = s;
    }
    if let Some(m) = rp.max_class_size {
        if *m.get_ref() == 0 || *m.get_ref() > 55 {
            cx.err(
                m.span().start,
                format!(
                    "max_class_size {}; expected 1 to 55 (classes above 55 are 大班额)",
                    m.get_ref()
                ),
            );
        }
        policy.max_class_size = *m.get_ref();
    }
    let positive_km = |v: &Spanned<f64>, key: &str, cx: &mut Ctx<'_>| {
        let x = *v.get_ref();
        if !(x > 0.0 && x.is_finite()) {
            cx.err(
                v.span().start,
                format!("{key} {x}; expected a positive distance in km"),
            );
        }
        x
    };
    if let Some(r) = &rp.service_radius_min {
        let minutes = |v: &Spanned<f64>, key: &str, cx: &mut Ctx<'_>| {
            let x = *v.get_ref();
            if !(x > 0.0 && x.is_finite()) {
                cx.err(
                    v.span().start,
                    format!("{key} {x}; expected a positive number of minutes"),
                );
            }
            if !matches!(policy.distance, crate::scenario::DistancePolicy::Road(_)) {
                cx.err(v.span().start, format!("{key} needs distance = \"road\"; expected a radius in km (service_radius_km) for great-circle distances"));
            }
            Some(x)
        };
        if let Some(p) = &r.primary {
            policy.service_radius_min.0 = minutes(p, "service_radius_min.primary", cx);
        }
        if let Some(j) = &r.junior {
            policy.service_radius_min.1 = minutes(j, "service_radius_min.junior", cx);
        }
    }
    if !matches!(policy.distance, crate::scenario::DistancePolicy::Road(_)) {
        policy.service_radius_min = (None, None);
    }
    if let Some(r) = rp.service_radius_km {
        if let Some(p) = &r.primary {
            policy.service_radius_primary_km = positive_km(p, "service_radius_km.primary", cx);
        }
        if let Some(j) = &r.junior {
            policy.service_radius_junior_km = positive_km(j, "service_radius_km.junior", cx);
        }
    }
    if let Some(o) = &rp.overflow_max_km {
        policy.overflow_max_km = positive_km(o, "overflow_max_km", cx);
    }
    if let Some(c) = rp.candidates {
        if *c.get_ref() == 0 {
            cx.err(c.span().start, "candidates 0; expected at least 1");
        }
        policy.candidates = *c.get_ref();
    }
    if let Some(v) = &rp.zone_slack {
        let x = *v.get_ref();
        if !((0.0..=1.0).contains(&x)) {
            cx.err(
                v.span().start,
                format!(
                    "zone_slack {x}; expected a share of seats from 0 to 1 (0.05 = 5% over seats)"
                ),
            );
        }
        policy.zone_slack = x;
    }
    if let Some(v) = &rp.zone_move_penalty {
        let x = *v.get_ref();
        if !(x >= 0.0 && x.is_finite()) {
            cx.err(
                v.span().start,
                format!(
                    "zone_move_penalty {x}; expected applicant-metres per moved block, 0 or more"
                ),
            );
        }
        policy.zone_move_penalty = x;
    }

    let mut refs = Vec::new();
    let closures = raw
        .closures
        .iter()
        .map(|c| {
            let id = SchoolId::new(c.get_ref());
            refs.push((id.clone(), c.span().start, "closures"));
            id
        })
        .collect();
    let mergers = raw
        .mergers
        .iter()
        .map(|m| {
            let (from, into) = (
                SchoolId::new(m.from.get_ref()),
                SchoolId::new(m.into.get_ref()),
            );
            refs.push((from.clone(), m.from.span().start, "mergers.from"));
            refs.push((into.clone(), m.into.span().start, "mergers.into"));
            if from == into {
                cx.err(
                    m.into.span().start,
                    format!("merger of `{from}` into itself; expected two different schools"),
                );
            }
            if let Some(b) = &m.branch_seats {
                if *b.get_ref() == 0 {
                    cx.err(b.span().start, "branch_seats 0; expected a positive number, or no branch_seats to close the campus");
                }
            }
            Merger {
                from,
                into,
                move_seats: m.move_seats,
                branch_seats: m.branch_seats.as_ref().map(|b| *b.get_ref()),
            }
        })
        .collect();
    let capacity = raw
        .capacity
        .iter()
        .map(|c| {
            let id = SchoolId::new(c.school.get_ref());
            refs.push((id.clone(), c.school.span().start, "capacity.school"));
            for v in [&c.entry_seats, &c.classes].into_iter().flatten() {
                if *v.get_ref() == 0 {
                    cx.err(v.span().start, "0 seats; expected a positive number (close the school with `closures` instead)");
                }
            }
            if c.entry_seats.is_none() && c.classes.is_none() {
                cx.err(c.school.span().start, "capacity override sets nothing; expected entry_seats or classes");
            }
            CapacityOverride {
                school: id,
                entry_seats: c.entry_seats.as_ref().map(|v| *v.get_ref()),
                classes: c.classes.as_ref().map(|v| *v.get_ref()),
            }
        })
        .collect();
    let conversions: Vec<crate::scenario::Conversion> = raw
        .conversions
        .iter()
        .map(|c| {
            let id = SchoolId::new(c.school.get_ref());
            refs.push((id.clone(), c.school.span().start, "conversions.school"));
            if *c.freed_seats.get_ref() == 0 {
                cx.err(
                    c.freed_seats.span().start,
                    "freed_seats 0; expected a positive number of seats",
                );
            }
            crate::scenario::Conversion {
                school: id,
                freed_seats: *c.freed_seats.get_ref(),
            }
        })
        .collect();
    let mut forecast = base.map_or_else(Default::default, |b| b.forecast.clone());
    if let Some(f) = &raw.forecast {
        if let Some(v) = &f.years_back {
            let max = crate::forecast::MAX_YEARS_BACK;
            if !(1..=max).contains(v.get_ref()) {
                cx.err(
                    v.span().start,
                    format!(
                        "years_back {}; expected 1 to {max} years of history per ratio",
                        v.get_ref()
                    ),
                );
            } else {
                forecast.years_back = *v.get_ref();
            }
        }
        // Every value bounded (issue 12, item 22): `recent_weight = 1e300`
        // made `w^k` infinite and every ratio NaN with exit 0.
        let bounded =
            |v: &Option<Spanned<f64>>, key: &str, max: f64, slot: &mut f64, cx: &mut Ctx<'_>| {
                if let Some(v) = v {
                    let x = *v.get_ref();
                    if !(0.0..=max).contains(&x) {
                        let shown = if x.is_finite() && x != 0.0 && !(1e-4..1e6).contains(&x.abs())
                        {
                            format!("{x:e}")
                        } else {
                            format!("{x}")
                        };
                        cx.err(
                            v.span().start,
                            format!("{key} {shown}; expected 0 to {max}"),
                        );
                    } else {
                        *slot = x;
                    }
                }
            };
        // 1 = plain mean, 0 = the last year only
        bounded(
            &f.recent_weight,
            "recent_weight",
            1.0,
            &mut forecast.recent_weight,
            cx,
        );
        // pupils per new household per grade: 1 is already far above any survey
        bounded(
            &f.yield_per_grade,
            "yield_per_grade",
            1.0,
            &mut forecast.yield_per_grade,
            cx,
        );
        // utilisation thresholds: 10 = ten times the seats
        bounded(&f.yellow, "yellow", 10.0, &mut forecast.yellow, cx);
        bounded(&f.orange, "orange", 10.0, &mut forecast.orange, cx);
        bounded(&f.red, "red", 10.0, &mut forecast.red, cx);
        for (v, slot) in [
            (&f.class_size_primary, &mut forecast.class_size_primary),
            (&f.class_size_junior, &mut forecast.class_size_junior),
        ] {
            if let Some(v) = v {
                if *v.get_ref() == 0 || *v.get_ref() > 55 {
                    cx.err(
                        v.span().start,
                        format!("class size {}; expected 1 to 55", v.get_ref()),
                    );
                }
                *slot = *v.get_ref();
            }
        }
        if !(forecast.yellow <= forecast.orange && forecast.orange <= forecast.red) {
            let at = f
                .yellow
                .as_ref()
                .or(f.orange.as_ref())
                .or(f.red.as_ref())
                .map_or(0, |v| v.span().start);
            cx.err(
                at,
                "warning thresholds out of order; expected yellow <= orange <= red",
            );
        }
    }
    let mut new_ids = Vec::new();
    let new_schools = raw
        .new_schools
        .iter()
        .map(|n| {
            let level = Level::parse(n.level.get_ref()).unwrap_or_else(|| {
                cx.err(
                    n.level.span().start,
                    format!(
                        "level `{}`; expected primary, junior, nine_year or special",
                        n.level.get_ref()
                    ),
                );
                Level::Primary
            });
            let (lon, lat) = (*n.lon.get_ref(), *n.lat.get_ref());
            if !(-180.0..=180.0).contains(&lon) {
                cx.err(
                    n.lon.span().start,
                    format!("lon {lon} outside -180..180; expected a WGS 84 longitude"),
                );
            }
            if !(-90.0..=90.0).contains(&lat) {
                cx.err(
                    n.lat.span().start,
                    format!("lat {lat} outside -90..90; expected a WGS 84 latitude"),
                );
            }
            if *n.entry_seats.get_ref() == 0 {
                cx.err(
                    n.entry_seats.span().start,
                    "entry_seats 0; expected a positive number of seats",
                );
            }
            let id = SchoolId::new(n.id.get_ref());
            new_ids.push((id.clone(), n.id.span().start));
            NewSchool {
                id,
                name: n.name.clone(),
                level,
                location: Point::new(lon, lat),
                town: n.town.clone(),
                entry_seats: *n.entry_seats.get_ref(),
                classes: n.classes.unwrap_or_else(|| {
                    n.entry_seats
                        .get_ref()
                        .div_ceil(policy.max_class_size.max(1))
                }),
                boarding: n.boarding,
            }
        })
        .collect();
    let mut classes = base.map_or_else(Default::default, |b| b.classes.clone());
    if let Some(c) = raw.classes {
        if let Some(size) = c.class_size {
            if *size.get_ref() == 0 || *size.get_ref() > 55 {
                cx.err(
                    size.span().start,
                    format!("class_size {}; expected 1 to 55", size.get_ref()),
                );
            }
            classes.class_size = Some(*size.get_ref());
        }
        if let Some(m) = c.max_mild_per_class {
            classes.max_mild_per_class = m;
        }
        if let Some(t) = c.twins {
            classes.twins = match t.get_ref().as_str() {
                "together" => crate::classes::Twins::Together,
                "apart" => crate::classes::Twins::Apart,
                other => {
                    cx.err(
                        t.span().start,
                        format!("twins `{other}`; expected \"together\" or \"apart\""),
                    );
                    crate::classes::Twins::Together
                }
            };
        }
        classes.seed = c.seed;
    }
    // components() drops `.` segments, so "." names the scenario's folder itself
    let dataset: PathBuf = match &raw.dataset {
        Some(d) => path
            .parent()
            .unwrap_or(Path::new("."))
            .join(d)
            .components()
            .collect(),
        None => base.map(|b| b.dataset.clone()).unwrap_or_default(),
    };
    let scenario = Scenario {
        name: raw
            .name
            .or_else(|| base.map(|b| b.name.clone()))
            .unwrap_or_default(),
        year: raw.year.or(base.map(|b| b.year)).unwrap_or_default(),
        dataset,
        grade,
        policy,
        closures: inherit(closures, base.map(|b| &b.closures)),
        mergers: inherit(mergers, base.map(|b| &b.mergers)),
        capacity: inherit(capacity, base.map(|b| &b.capacity)),
        new_schools: inherit(new_schools, base.map(|b| &b.new_schools)),
        conversions: inherit(conversions, base.map(|b| &b.conversions)),
        classes,
        forecast,
    };
    if cx.diags.error_count() > errors_before {
        return None;
    }
    Some(ScenarioFile {
        scenario,
        encoding,
        path: path.to_path_buf(),
        refs,
        new_ids,
        text: text.to_string(),
        parent,
    })
}

/// `policy.distance` and the road keys.
fn read_distance(rp: &RawPolicy, path: &Path, policy: &mut Policy, cx: &mut Ctx<'_>) {
    use crate::scenario::{DistancePolicy, RoadMode, RoadPolicy};
    let mut road = match &policy.distance {
        DistancePolicy::Road(r) => Some(r.clone()),
        DistancePolicy::GreatCircle => None,
    };
    let kind = rp
        .distance
        .as_ref()
        .map(|d| (d.span().start, d.get_ref().as_str()));
    match kind {
        Some((_, "great-circle")) => road = None,
        Some((at, "road")) => {
            let network = rp.road_network.as_ref().map(|n| {
                path.parent()
                    .unwrap_or(Path::new("."))
                    .join(n.get_ref())
                    .components()
                    .collect::<PathBuf>()
            });
            match (network, road.take()) {
                (Some(network), prev) => {
                    if !network.exists() {
                        let at = rp.road_network.as_ref().map_or(at, |n| n.span().start);
                        cx.err(at, format!("road_network `{}` not found; expected an OpenStreetMap .osm.pbf extract (path relative to the scenario file)", network.display()));
                    }
                    road = Some(RoadPolicy {
                        network,
                        ..prev.unwrap_or(RoadPolicy {
                            network: PathBuf::new(),
                            mode_primary: RoadMode::Walk,
                            mode_junior: RoadMode::Drive,
                            max_snap_m: 300.0,
                            walk_highways: None,
                            drive_highways: None,
                            walk_speed_kmh: None,
                            drive_speeds_kmh: Vec::new(),
                        })
                    })
                }
                (None, Some(prev)) => road = Some(prev),
                (None, None) => cx.err(at, "distance = \"road\" needs road_network; expected the path of an .osm.pbf extract"),
            }
        }
        Some((at, other)) => cx.err(
            at,
            format!("distance `{other}`; expected \"great-circle\" or \"road\""),
        ),
        None => {}
    }
    if let Some(r) = road.as_mut() {
        let mode = |v: &Spanned<String>, cx: &mut Ctx<'_>| match v.get_ref().as_str() {
            "walk" => RoadMode::Walk,
            "drive" => RoadMode::Drive,
            other => {
                cx.err(
                    v.span().start,
                    format!("road mode `{other}`; expected \"walk\" or \"drive\""),
                );
                RoadMode::Walk
            }
        };
        if let Some(m) = &rp.road_mode {
            if let Some(p) = &m.primary {
                r.mode_primary = mode(p, cx);
            }
            if let Some(j) = &m.junior {
                r.mode_junior = mode(j, cx);
            }
        }
        if let Some(v) = &rp.max_snap_m {
            let x = *v.get_ref();
            if !(x > 0.0 && x.is_finite()) {
                cx.err(
                    v.span().start,
                    format!("max_snap_m {x}; expected a positive distance in metres"),
                );
            }
            r.max_snap_m = x;
        }
        if let Some(h) = &rp.walk_highways {
            r.walk_highways = Some(h.clone());
        }
        if let Some(h) = &rp.drive_highways {
            r.drive_highways = Some(h.clone());
        }
        if let Some(v) = &rp.walk_speed_kmh {
            let x = *v.get_ref();
            if !(x > 0.0 && x.is_finite()) {
                cx.err(
                    v.span().start,
                    format!("walk_speed_kmh {x}; expected a positive speed in km/h"),
                );
            }
            r.walk_speed_kmh = Some(x);
        }
        if let Some(t) = &rp.drive_speeds_kmh {
            for (k, &x) in t.get_ref() {
                if !(x > 0.0 && x.is_finite()) {
                    cx.err(
                        t.span().start,
                        format!("drive_speeds_kmh.{k} {x}; expected a positive speed in km/h"),
                    );
                }
                r.drive_speeds_kmh.retain(|(h, _)| h != k);
                r.drive_speeds_kmh.push((k.clone(), x));
            }
        }
        policy.distance = DistancePolicy::Road(r.clone());
    } else {
        if rp.road_network.is_some() && kind.is_none() {
            let at = rp.road_network.as_ref().map_or(0, |n| n.span().start);
            cx.err(at, "road_network given but distance is not \"road\"; expected distance = \"road\" with it");
        }
        policy.distance = DistancePolicy::GreatCircle;
    }
}

/// Check that every school the scenario names exists in the dataset (and
/// that new schools do not reuse an id).
pub fn check_references(file: &ScenarioFile, data: &Dataset, diags: &mut Diagnostics) {
    if let Some(p) = &file.parent {
        check_references(p, data, diags);
    }
    let known: HashSet<&SchoolId> = data.schools.iter().map(|s| &s.id).collect();
    let mut cx = Ctx {
        path: &file.path,
        text: &file.text,
        diags,
    };
    for (id, at, key) in &file.refs {
        if !known.contains(id) && !file.new_ids.iter().any(|(n, _)| n == id) {
            cx.err(
                *at,
                format!("{key}: unknown school `{id}`; expected a school_id from schools.csv"),
            );
        }
    }
    for (id, at) in &file.new_ids {
        if known.contains(id) {
            cx.err(
                *at,
                format!("new_schools: id `{id}` already exists in schools.csv; expected a new id"),
            );
        }
    }
}

/// A base scenario's list followed by this file's own entries.
fn inherit<T: Clone>(own: Vec<T>, from: Option<&Vec<T>>) -> Vec<T> {
    from.cloned()
        .unwrap_or_default()
        .into_iter()
        .chain(own)
        .collect()
}

fn segments(p: &serde_ignored::Path<'_>) -> Vec<String> {
    use serde_ignored::Path as P;
    match p {
        P::Root => Vec::new(),
        P::Seq { parent, index } => {
            let mut v = segments(parent);
            v.push(index.to_string());
            v
        }
        P::Map { parent, key } => {
            let mut v = segments(parent);
            v.push(key.to_string());
            v
        }
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            segments(parent)
        }
    }
}

/// Byte offset of the last key of a path in the parsed document.
fn key_span(table: &toml::de::DeTable<'_>, segs: &[String]) -> Option<usize> {
    let (first, rest) = segs.split_first()?;
    let (k, v) = table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == first.as_str())?;
    if rest.is_empty() {
        return Some(k.span().start);
    }
    let mut value = v.get_ref();
    let mut rest = rest;
    loop {
        match value {
            toml::de::DeValue::Table(t) => return key_span(t, rest),
            toml::de::DeValue::Array(a) => {
                let (i, r) = rest.split_first()?;
                value = a.get(i.parse::<usize>().ok()?)?.get_ref();
                rest = r;
                if rest.is_empty() {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> (Option<ScenarioFile>, Vec<String>) {
        let mut d = Diagnostics::new();
        let f = parse(Path::new("s.toml"), s.to_string(), &mut d);
        (f, d.iter().map(|x| x.to_string()).collect())
    }

    const OK: &str = "name = \"t\"\nyear = 2025\ndataset = \"d\"\nlevel = \"primary\"\n";

    #[test]
    fn minimal_scenario_takes_defaults() {
        let (f, msgs) = parse_str(OK);
        assert!(msgs.is_empty(), "{msgs:?}");
        let s = f.unwrap().scenario;
        assert_eq!(s.policy, Policy::defaults(Grade::One));
        assert_eq!(s.dataset, Path::new("d"));
    }

    #[test]
    fn every_unknown_key_is_reported_with_position() {
        let text = format!("{OK}naem = 1\n[policy]\nlotery_seed = 5\n");
        let (f, msgs) = parse_str(&text);
        assert!(f.is_none());
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("s.toml:5:1: unknown key `naem`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("s.toml:7:1: unknown key `policy.lotery_seed`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn bad_category_is_located() {
        let text = format!("{OK}[policy]\npriority = [\"hukou_only\", \"vip\"]\n");
        let (_, msgs) = parse_str(&text);
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("s.toml:6:27: unknown category `vip`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("priority does not list")),
            "{msgs:?}"
        );
    }
}

#[cfg(test)]
mod extends_tests {
    use super::*;

    #[test]
    fn a_scenario_inherits_and_adds_changes() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("base.toml");
        std::fs::write(
            &base,
            "name = \"b\"\nyear = 2025\ndataset = \"d\"\nlevel = \"junior\"\nclosures = [\"A\"]\n[policy]\nlottery_seed = 7\n",
        )
        .unwrap();
        let child = dir.path().join("child.toml");
        std::fs::write(
            &child,
            "extends = \"base.toml\"\nname = \"c\"\nclosures = [\"B\"]\n",
        )
        .unwrap();
        let mut d = Diagnostics::new();
        let f = read(&child, &mut d).unwrap();
        assert!(d.is_empty());
        let s = f.scenario;
        assert_eq!(s.name, "c");
        assert_eq!(s.year, 2025);
        assert_eq!(s.grade, Grade::Seven);
        assert_eq!(s.policy.lottery_seed, 7);
        assert_eq!(s.closures, vec![SchoolId::new("A"), SchoolId::new("B")]);
        assert_eq!(s.dataset, dir.path().join("d"));
    }

    #[test]
    fn missing_keys_and_bad_extends_are_errors() {
        let (f, msgs) = {
            let mut d = Diagnostics::new();
            let f = parse(Path::new("s.toml"), "name = \"x\"\n".into(), &mut d);
            (f, d.iter().map(|x| x.to_string()).collect::<Vec<_>>())
        };
        assert!(f.is_none());
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("missing key `year`"), "{msgs:?}");
        let mut d = Diagnostics::new();
        let f = parse(
            Path::new("s.toml"),
            "extends = \"nope.toml\"\n".into(),
            &mut d,
        );
        assert!(f.is_none());
        assert!(d
            .iter()
            .next()
            .unwrap()
            .to_string()
            .contains("extends `nope.toml`: no such file"));
    }
}
