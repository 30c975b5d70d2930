//! Reading a scenario TOML file. Every key is documented in README.md.
//!
//! Unknown keys are errors (typo protection: `lotery_seed` must not silently
//! fall back to a default seed), and all of them are listed in one run with
//! their line and column. References to schools are checked against the
//! dataset by [`check_references`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use geo::Point;
use serde::Deserialize;
use toml::Spanned;

use crate::domain::diag::{Column, Diagnostics};
use crate::domain::language::Language;
use crate::domain::model::{
    ByGrade, Dataset, Grade, Level, SchoolId, Seats, Status, LARGE_CLASS_ABOVE, MAX_CLASSES,
    MAX_SEATS, YEARS,
};
use crate::domain::priority::{Reserved, ReservedAmount};
use crate::domain::routes::OverflowScope;
use crate::domain::scenario::{
    Applied, CapacityOverride, Category, ChangeAt, ClassPolicy, Closure, Conversion,
    DistancePolicy, ForecastPolicy, Merger, NewSchool, PhaseOut, Policy, PublishPolicy, RoadMode,
    RoadPolicy, Scenario, Twins,
};
use crate::domain::value::ColumnType;
use crate::io::text::Encoding;

mod routes;
mod rules;
use routes::{read_routes, RawFallback, RawRouteKeys};
use rules::{
    RawCategory, RawColumns, RawReserved, RawRuleKeys, RawSubtable, RuleKeys, RuleSites, Source,
};

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    extends: Option<Spanned<String>>,
    name: Option<String>,
    year: Option<Spanned<i64>>,
    dataset: Option<String>,
    level: Option<Spanned<String>>,
    #[serde(default)]
    encoding: Option<Spanned<String>>,
    /// `language = "zh" | "en"` (issue 17): of the reports and terminal.
    #[serde(default)]
    language: Option<Spanned<String>>,
    #[serde(default)]
    policy: RawPolicy,
    #[serde(default)]
    closures: Vec<Spanned<RawClosure>>,
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
    #[serde(default)]
    publish: Option<RawPublish>,
}

/// `[publish]`: the 公示 lists' title, date and id masking.
#[derive(Deserialize)]
struct RawPublish {
    title: Option<Spanned<String>>,
    date: Option<Spanned<String>>,
    keep_first: Option<Spanned<i64>>,
    keep_last: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
struct RawForecast {
    years_back: Option<Spanned<usize>>,
    recent_weight: Option<Spanned<f64>>,
    yield_per_grade: Option<Spanned<f64>>,
    housing_yield: Option<std::collections::BTreeMap<String, Spanned<toml::Value>>>,
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
    lottery_algorithm: Option<Spanned<String>>,
    max_class_size: Option<Spanned<u32>>,
    max_class_size_cap: Option<Spanned<i64>>,
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
    // the priority rules (issue 14), read by `rules`
    columns: Option<RawColumns>,
    categories: Option<Vec<RawCategory>>,
    subtables: Option<Vec<RawSubtable>>,
    order: Option<Spanned<Vec<Spanned<String>>>>,
    reserved: Option<Vec<RawReserved>>,
    seat_lock_years: Option<Spanned<i64>>,
    seat_lock_category: Option<Spanned<String>>,
    twins: Option<Spanned<String>>,
    // the admission routes (issue 15), read by `routes` (feeder_category
    // by `rules`, as it names a category)
    append_zone_school: Option<bool>,
    overflow_scope: Option<Spanned<String>>,
    feeder_category: Option<Spanned<String>>,
    nine_year_direct: Option<bool>,
    fallback: Option<RawFallback>,
}

impl RawPolicy {
    /// The priority-rule keys, taken out for [`rules`].
    fn take_rules(&mut self) -> RawRuleKeys {
        RawRuleKeys {
            columns: self.columns.take(),
            categories: self.categories.take(),
            subtables: self.subtables.take(),
            order: self.order.take(),
            reserved: self.reserved.take(),
            seat_lock_years: self.seat_lock_years.take(),
            seat_lock_category: self.seat_lock_category.take(),
            twins: self.twins.take(),
            feeder_category: self.feeder_category.take(),
        }
    }
}

// The per-grade tables are keyed by stage, as in the README (`[policy.road_mode]
// primary = "walk"`). Two structs, not one generic: serde names the struct in
// its type errors ("expected struct RawRadius"), and those stay as they were.

#[derive(Deserialize)]
struct RawRoadMode {
    primary: Option<Spanned<String>>,
    junior: Option<Spanned<String>>,
}

impl RawRoadMode {
    fn by_grade(&self) -> ByGrade<Option<&Spanned<String>>> {
        ByGrade::new(self.primary.as_ref(), self.junior.as_ref())
    }
}

#[derive(Deserialize)]
struct RawRadius {
    primary: Option<Spanned<f64>>,
    junior: Option<Spanned<f64>>,
}

impl RawRadius {
    fn by_grade(&self) -> ByGrade<Option<&Spanned<f64>>> {
        ByGrade::new(self.primary.as_ref(), self.junior.as_ref())
    }
}

/// A `closures` entry: a school id, or an inline table
/// `{ school = "…", year = 2027, phase_out = "entry_only" }` (issue 16).
/// Read by hand, as serde cannot keep spans inside an untagged enum; a
/// problem inside the table is reported at the entry.
enum RawClosure {
    Id(String),
    Table {
        school: Option<String>,
        year: Option<i64>,
        phase_out: Option<String>,
        /// Keys other than the three, and values of the wrong type.
        problems: Vec<String>,
    },
}

impl<'de> Deserialize<'de> for RawClosure {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawClosure;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a school id or a table { school, year, phase_out }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawClosure, E> {
                Ok(RawClosure::Id(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawClosure, A::Error> {
                let (mut school, mut year, mut phase_out, mut problems) =
                    (None, None, None, Vec::new());
                while let Some(key) = map.next_key::<String>()? {
                    let value: toml::Value = map.next_value()?;
                    match (key.as_str(), value) {
                        ("school", toml::Value::String(v)) => school = Some(v),
                        ("year", toml::Value::Integer(v)) => year = Some(v),
                        ("phase_out", toml::Value::String(v)) => phase_out = Some(v),
                        ("school" | "phase_out", v) => problems.push(format!(
                            "closures: `{key}` is a {}; expected a string",
                            v.type_str()
                        )),
                        ("year", v) => problems.push(format!(
                            "closures: `year` is a {}; expected a whole number",
                            v.type_str()
                        )),
                        (other, _) => problems.push(format!(
                            "closures: unknown key `{other}`; expected school, year or phase_out"
                        )),
                    }
                }
                Ok(RawClosure::Table {
                    school,
                    year,
                    phase_out,
                    problems,
                })
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct RawMerger {
    from: Spanned<String>,
    into: Spanned<String>,
    move_seats: Option<Spanned<bool>>,
    branch_seats: Option<Spanned<i64>>,
    year: Option<Spanned<i64>>,
    phase_out: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawConversion {
    school: Spanned<String>,
    freed_seats: Spanned<i64>,
    year: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
struct RawCapacity {
    school: Spanned<String>,
    entry_seats: Option<Spanned<i64>>,
    classes: Option<Spanned<i64>>,
    year: Option<Spanned<i64>>,
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
    entry_seats: Spanned<i64>,
    classes: Option<Spanned<i64>>,
    #[serde(default)]
    boarding: bool,
    year: Option<Spanned<i64>>,
}

/// A scenario as read, with the source positions of its school references.
pub struct ScenarioFile {
    pub scenario: Scenario,
    pub encoding: Encoding,
    /// The scenario's `language` (a base's when it says none); `None`:
    /// not stated (Chinese unless `--lang` says otherwise).
    pub language: Option<Language>,
    pub path: PathBuf,
    refs: Vec<(SchoolId, usize, &'static str)>,
    new_ids: Vec<(SchoolId, usize)>,
    text: String,
    /// The scenario this one `extends`, whose changes it inherits.
    parent: Option<Box<ScenarioFile>>,
    /// Where each change of `scenario` is written (a base's in its file).
    spans: Spans,
    /// The priority-rule keys in force (this file's over its base's), for
    /// a scenario that extends this one.
    rule_keys: RuleKeys,
    /// Where the rule entries checked against the dataset are written.
    rule_sites: RuleSites,
    /// Where `overflow_scope` is written (this file's, else its base's of
    /// the same grade), for the check that district_first has districts.
    overflow_scope_at: Option<Loc>,
}

impl ScenarioFile {
    /// The scenario file, then each base it `extends`, in order: the
    /// scenario files a run reads.
    pub fn files(&self) -> Vec<&Path> {
        let mut out = vec![self.path.as_path()];
        let mut at = self.parent.as_deref();
        while let Some(f) = at {
            out.push(f.path.as_path());
            at = f.parent.as_deref();
        }
        out
    }
}

/// A position in a scenario file: path, line, character column.
#[derive(Clone, Debug)]
struct Loc(PathBuf, usize, usize);

/// The positions of a scenario's changes, in the order of its lists
/// (inherited entries first, as in [`inherit`]).
#[derive(Clone, Debug, Default)]
struct Spans {
    closures: Vec<Loc>,
    merger_from: Vec<Loc>,
    merger_into: Vec<Loc>,
    merger_branch: Vec<Loc>,
    capacity: Vec<Loc>,
    conversions: Vec<Loc>,
    new_schools: Vec<Loc>,
}

impl Spans {
    fn at(&self, at: ChangeAt) -> Option<&Loc> {
        match at {
            ChangeAt::Closure(i) => self.closures.get(i),
            ChangeAt::MergerFrom(i) => self.merger_from.get(i),
            ChangeAt::MergerInto(i) => self.merger_into.get(i),
            ChangeAt::MergerBranch(i) => self.merger_branch.get(i),
            ChangeAt::Capacity(i) => self.capacity.get(i),
            ChangeAt::Conversion(i) => self.conversions.get(i),
            ChangeAt::NewSchool(i) => self.new_schools.get(i),
        }
    }
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

    fn loc(&self, offset: usize) -> Loc {
        let (line, col) = line_col(self.text, offset);
        Loc(self.path.to_path_buf(), line, col)
    }

    /// A whole number of `what` within `lo..=hi` (bounds of what a school
    /// can be, so no later arithmetic overflows), else an error at it.
    /// A seat count from 1 to [`MAX_SEATS`] (what one school can have).
    fn seats(&mut self, v: &Spanned<i64>, what: &str) -> Option<Seats> {
        self.bounded(v, 1, MAX_SEATS, what).map(Seats)
    }

    fn bounded(&mut self, v: &Spanned<i64>, lo: u32, hi: u32, what: &str) -> Option<u32> {
        let x = *v.get_ref();
        match u32::try_from(x) {
            Ok(y) if (lo..=hi).contains(&y) => Some(y),
            _ => {
                self.err(v.span().start, format!("{what} {x}; expected {lo} to {hi}"));
                None
            }
        }
    }
}

/// Read and check a scenario file. Problems go to `diags`; `None` when the
/// file cannot be used at all.
pub fn read(path: &Path, diags: &mut Diagnostics) -> Option<ScenarioFile> {
    read_depth(path, diags, 0)
}

fn read_depth(path: &Path, diags: &mut Diagnostics, depth: usize) -> Option<ScenarioFile> {
    // Notepad on Chinese Windows may save the scenario as GB18030 (ANSI)
    let text = match std::fs::read(path) {
        Ok(b) => match crate::io::text::decode(b, Encoding::Auto) {
            Ok(t) => t,
            Err(e) => {
                diags.error(path, Some(e.line), None, e.message);
                return None;
            }
        },
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

/// Turn the parsed file into a [`Scenario`], one section after the other
/// (the order of its messages is the order of these steps). Every section
/// is checked even after an error, so a planner sees all problems in one
/// run; `None` if any was found.
// long: one step per section of the file, in the file's order; a helper
// per step already, what is left is calling them and assembling the result
fn convert(
    mut raw: Raw,
    cx: &mut Ctx<'_>,
    path: &Path,
    text: &str,
    errors_before: usize,
    parent: Option<Box<ScenarioFile>>,
) -> Option<ScenarioFile> {
    let base = parent.as_ref().map(|p| &p.scenario);
    check_required(&raw, base.is_some(), cx);
    let grade = read_level(raw.level.as_ref(), base, cx);
    let year = raw.year.as_ref().and_then(|y| read_year(y, cx));
    let encoding = match &raw.encoding {
        None => parent.as_ref().map_or(Encoding::Auto, |p| p.encoding),
        Some(e) => e.get_ref().parse().unwrap_or_else(|msg: String| {
            cx.err(e.span().start, msg);
            Encoding::Auto
        }),
    };
    let language = match &raw.language {
        None => parent.as_ref().and_then(|p| p.language),
        Some(l) => match l.get_ref().parse() {
            Ok(l) => Some(l),
            Err(msg) => {
                cx.err(l.span().start, msg);
                None
            }
        },
    };
    let mut policy = match base {
        Some(b) if b.grade == grade => b.policy.clone(),
        _ => Policy::defaults(grade),
    };
    read_policy(&raw.policy, path, &mut policy, cx);
    let overflow_scope_at = match &raw.policy.overflow_scope {
        Some(o) => Some(cx.loc(o.span().start)),
        None => parent
            .as_ref()
            .filter(|p| p.scenario.grade == grade)
            .and_then(|p| p.overflow_scope_at.clone()),
    };
    let (rule_keys, rule_sites) = read_rules(
        &mut raw.policy,
        path,
        text,
        grade,
        parent.as_deref(),
        &mut policy,
        cx,
    );
    let mut sites = Sites {
        refs: Vec::new(),
        new_ids: Vec::new(),
        spans: parent
            .as_ref()
            .map_or_else(Spans::default, |p| p.spans.clone()),
    };
    let closures = read_closures(&raw.closures, &mut sites, cx);
    let mergers = read_mergers(&raw.mergers, &mut sites, cx);
    let capacity = read_capacity(&raw.capacity, &mut sites, cx);
    let conversions = read_conversions(&raw.conversions, &mut sites, cx);
    let mut forecast = base.map_or_else(Default::default, |b| b.forecast.clone());
    if let Some(f) = &raw.forecast {
        read_forecast(f, &mut forecast, cx);
    }
    let new_schools = read_new_schools(&raw.new_schools, policy.max_class_size, &mut sites, cx);
    let mut classes = base.map_or_else(Default::default, |b| b.classes.clone());
    if let Some(c) = &raw.classes {
        read_classes(c, &mut classes, cx);
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
        year: year.or(base.map(|b| b.year)).unwrap_or_default(),
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
        publish: read_publish(raw.publish.as_ref(), base, cx),
    };
    if cx.diags.error_count() > errors_before {
        return None;
    }
    let Sites {
        refs,
        new_ids,
        spans,
    } = sites;
    Some(ScenarioFile {
        scenario,
        encoding,
        language,
        path: path.to_path_buf(),
        refs,
        new_ids,
        text: text.to_string(),
        parent,
        spans,
        rule_keys,
        rule_sites,
        overflow_scope_at,
    })
}

/// The priority-rule keys (issue 14) over a base's of the same grade, into
/// `policy.rules`. They are checked key by key; their problems are listed
/// in the order of the file (a base's first), as a planner reads it.
fn read_rules(
    rp: &mut RawPolicy,
    path: &Path,
    text: &str,
    grade: Grade,
    parent: Option<&ScenarioFile>,
    policy: &mut Policy,
    cx: &mut Ctx<'_>,
) -> (RuleKeys, RuleSites) {
    let src = Arc::new(Source {
        path: path.to_path_buf(),
        text: text.to_string(),
    });
    // a base of another grade gives no policy (`convert`), so no rules
    let base_rules = parent
        .filter(|p| p.scenario.grade == grade)
        .map(|p| &p.rule_keys);
    let mut found = Diagnostics::new();
    let rule_keys = RuleKeys::over(
        base_rules,
        rp.take_rules(),
        rp.priority.as_ref().map(|p| p.span().start),
        &src,
        &mut found,
    );
    let (rules, rule_sites) = rule_keys.resolve(&policy.priority, &mut found);
    let names: Vec<&str> = rules.categories.iter().map(|c| c.name.as_str()).collect();
    policy.routes.feeder_category = rule_keys.feeder_category(&names, &mut found);
    policy.rules = rules;
    let mut found: Vec<_> = found.iter().cloned().collect();
    found.sort_by_key(|d| {
        let col = match d.column {
            Some(Column::Char(c)) => c,
            _ => 0,
        };
        (d.file == path, d.line, col)
    });
    for d in found {
        cx.diags.push(d);
    }
    (rule_keys, rule_sites)
}

/// What the change sections record besides the changes: the school
/// references to check against the dataset ([`check_references`]), the ids
/// of new schools, and where each change is written ([`report_applied`]).
struct Sites {
    refs: Vec<(SchoolId, usize, &'static str)>,
    new_ids: Vec<(SchoolId, usize)>,
    spans: Spans,
}

/// The four keys a scenario needs unless it `extends` a base that has them.
fn check_required(raw: &Raw, has_base: bool, cx: &mut Ctx<'_>) {
    for (key, missing) in [
        ("name", raw.name.is_none()),
        ("year", raw.year.is_none()),
        ("dataset", raw.dataset.is_none()),
        ("level", raw.level.is_none()),
    ] {
        if missing && !has_base {
            cx.err(0, format!("missing key `{key}`; expected name, year, dataset and level (or `extends` with a base scenario)"));
        }
    }
}

/// `level`: the entry grade placed (grade 1 when missing or wrong, so the
/// other sections are still checked).
fn read_level(level: Option<&Spanned<String>>, base: Option<&Scenario>, cx: &mut Ctx<'_>) -> Grade {
    let Some(level) = level else {
        return base.map_or(Grade::One, |b| b.grade);
    };
    let name = level.get_ref().as_str();
    match Grade::ALL.into_iter().find(|g| g.level().as_str() == name) {
        Some(g) => g,
        None => {
            cx.err(
                level.span().start,
                format!("level `{name}`; expected \"primary\" (grade 1) or \"junior\" (grade 7)"),
            );
            Grade::One
        }
    }
}

/// `year`, within [`YEARS`].
fn read_year(y: &Spanned<i64>, cx: &mut Ctx<'_>) -> Option<i32> {
    let v = *y.get_ref();
    let ok = i32::try_from(v).ok().filter(|v| YEARS.contains(v));
    if ok.is_none() {
        cx.err(
            y.span().start,
            format!(
                "year {v}; expected an enrollment year from {} to {}",
                YEARS.start(),
                YEARS.end()
            ),
        );
    }
    ok
}

/// The `[policy]` table over `policy` (a base scenario's or the defaults).
fn read_policy(rp: &RawPolicy, path: &Path, policy: &mut Policy, cx: &mut Ctx<'_>) {
    read_distance(rp, path, policy, cx);
    if let Some(pr) = &rp.priority {
        policy.priority = read_priority(pr, cx);
    }
    if let Some(b) = rp.sibling_bonus {
        policy.sibling_bonus = b;
    }
    if let Some(s) = rp.lottery_seed {
        policy.lottery_seed = s;
    }
    if let Some(a) = &rp.lottery_algorithm {
        match a.get_ref().parse() {
            Ok(a) => policy.lottery_algorithm = a,
            Err(e) => cx.err(a.span().start, e),
        }
    }
    if let Some(m) = &rp.max_class_size {
        if *m.get_ref() == 0 || *m.get_ref() > LARGE_CLASS_ABOVE {
            cx.err(
                m.span().start,
                format!(
                    "max_class_size {}; expected 1 to {LARGE_CLASS_ABOVE} (classes above {LARGE_CLASS_ABOVE} are 大班额)",
                    m.get_ref()
                ),
            );
        }
        policy.max_class_size = *m.get_ref();
    }
    if let Some(m) = &rp.max_class_size_cap {
        if let Some(v) = cx.bounded(m, 1, LARGE_CLASS_ABOVE, "max_class_size_cap") {
            policy.max_class_size_cap = v;
        }
    }
    read_service_radius(rp, policy, cx);
    let text = cx.text;
    read_routes(
        &RawRouteKeys {
            append_zone_school: rp.append_zone_school,
            overflow_scope: rp.overflow_scope.as_ref(),
            nine_year_direct: rp.nine_year_direct,
            fallback: rp.fallback.as_ref(),
            lottery_seed: rp.lottery_seed.is_some(),
        },
        |at| rules::key_before(text, at),
        &mut policy.routes,
        cx,
    );
    if let Some(o) = &rp.overflow_max_km {
        policy.overflow_max_km = positive_km(o, "overflow_max_km", cx);
    }
    if let Some(c) = &rp.candidates {
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
}

/// `policy.priority`: every category exactly once, so each applicant has a
/// tier. The list keeps the valid entries, in their order.
fn read_priority(pr: &Spanned<Vec<Spanned<String>>>, cx: &mut Ctx<'_>) -> Vec<Category> {
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
    list
}

/// A distance in km that must be positive; the value is kept either way.
fn positive_km(v: &Spanned<f64>, key: &str, cx: &mut Ctx<'_>) -> f64 {
    let x = *v.get_ref();
    if !(x > 0.0 && x.is_finite()) {
        cx.err(
            v.span().start,
            format!("{key} {x}; expected a positive distance in km"),
        );
    }
    x
}

/// `policy.service_radius_min` (road distances only: dropped otherwise,
/// also when a base scenario set it) and `policy.service_radius_km`.
fn read_service_radius(rp: &RawPolicy, policy: &mut Policy, cx: &mut Ctx<'_>) {
    let road = matches!(policy.distance, DistancePolicy::Road(_));
    if let Some(r) = &rp.service_radius_min {
        let minutes = |v: &Spanned<f64>, key: &str, cx: &mut Ctx<'_>| {
            let x = *v.get_ref();
            if !(x > 0.0 && x.is_finite()) {
                cx.err(
                    v.span().start,
                    format!("{key} {x}; expected a positive number of minutes"),
                );
            }
            if !road {
                cx.err(v.span().start, format!("{key} needs distance = \"road\"; expected a radius in km (service_radius_km) for great-circle distances"));
            }
            Some(x)
        };
        for (g, v) in r.by_grade().iter() {
            if let Some(v) = v {
                let key = format!("service_radius_min.{}", g.level().as_str());
                *policy.service_radius_min.get_mut(g) = minutes(v, &key, cx);
            }
        }
    }
    if !road {
        policy.service_radius_min = ByGrade::default();
    }
    if let Some(r) = &rp.service_radius_km {
        for (g, v) in r.by_grade().iter() {
            if let Some(v) = v {
                let key = format!("service_radius_km.{}", g.level().as_str());
                *policy.service_radius_km.get_mut(g) = positive_km(v, &key, cx);
            }
        }
    }
}

/// `closures`: school ids (or tables with a year and a phase-out rule),
/// checked against the dataset later.
fn read_closures(raw: &[Spanned<RawClosure>], sites: &mut Sites, cx: &mut Ctx<'_>) -> Vec<Closure> {
    raw.iter()
        .map(|c| {
            let at = c.span().start;
            let closure = match c.get_ref() {
                RawClosure::Id(id) => Closure::new(SchoolId::new(id)),
                RawClosure::Table {
                    school,
                    year,
                    phase_out,
                    problems,
                } => {
                    for p in problems {
                        cx.err(at, p.clone());
                    }
                    if school.is_none() {
                        cx.err(at, "closures: a table without `school`; expected { school = \"…\", year = …, phase_out = … }");
                    }
                    Closure {
                        school: SchoolId::new(school.as_deref().unwrap_or("")),
                        year: year.and_then(|y| read_year(&Spanned::new(at..at, y), cx)),
                        phase_out: phase_out.as_ref().map_or(PhaseOut::AllGrades, |p| {
                            p.parse().unwrap_or_else(|m: String| {
                                cx.err(at, format!("closures: {m}"));
                                PhaseOut::AllGrades
                            })
                        }),
                    }
                }
            };
            sites.refs.push((closure.school.clone(), at, "closures"));
            sites.spans.closures.push(cx.loc(at));
            closure
        })
        .collect()
}

/// A change's `year`, if written.
fn change_year(y: &Option<Spanned<i64>>, cx: &mut Ctx<'_>) -> Option<i32> {
    y.as_ref().and_then(|y| read_year(y, cx))
}

/// `[[mergers]]`: two different schools; a branch campus keeps its own
/// seats instead of moving them.
fn read_mergers(raw: &[RawMerger], sites: &mut Sites, cx: &mut Ctx<'_>) -> Vec<Merger> {
    raw.iter()
        .map(|m| {
            let (from, into) = (
                SchoolId::new(m.from.get_ref()),
                SchoolId::new(m.into.get_ref()),
            );
            sites
                .refs
                .push((from.clone(), m.from.span().start, "mergers.from"));
            sites
                .refs
                .push((into.clone(), m.into.span().start, "mergers.into"));
            sites.spans.merger_from.push(cx.loc(m.from.span().start));
            sites.spans.merger_into.push(cx.loc(m.into.span().start));
            let branch_at = m.branch_seats.as_ref().map_or(m.from.span().start, |b| b.span().start);
            sites.spans.merger_branch.push(cx.loc(branch_at));
            if from == into {
                cx.err(
                    m.into.span().start,
                    format!("merger of `{from}` into itself; expected two different schools"),
                );
            }
            let branch_seats = m.branch_seats.as_ref().and_then(|b| {
                if *b.get_ref() == 0 {
                    cx.err(b.span().start, "branch_seats 0; expected a positive number, or no branch_seats to close the campus");
                    return None;
                }
                cx.seats(b, "branch_seats")
            });
            // README: a branch campus keeps N seats *instead* of moving them
            if let (Some(_), Some(mv)) = (&m.branch_seats, &m.move_seats) {
                if *mv.get_ref() {
                    cx.err(mv.span().start, format!("move_seats = true with branch_seats: the branch campus `{from}` keeps its own seats and moves none; expected one of the two"));
                }
            }
            let phase_out = m.phase_out.as_ref().map_or(PhaseOut::AllGrades, |p| {
                if branch_seats.is_some() {
                    cx.err(p.span().start, format!("phase_out with branch_seats: the branch campus `{from}` stays open and keeps its pupils; expected one of the two"));
                }
                p.get_ref().parse().unwrap_or_else(|msg: String| {
                    cx.err(p.span().start, msg);
                    PhaseOut::AllGrades
                })
            });
            Merger {
                from,
                into,
                move_seats: m.move_seats.as_ref().is_none_or(|v| *v.get_ref()),
                branch_seats,
                year: change_year(&m.year, cx),
                phase_out,
            }
        })
        .collect()
}

/// `[[capacity]]`: new entry seats or classes for a school, at least one,
/// never 0 (closing is `closures`).
fn read_capacity(
    raw: &[RawCapacity],
    sites: &mut Sites,
    cx: &mut Ctx<'_>,
) -> Vec<CapacityOverride> {
    raw.iter()
        .map(|c| {
            let id = SchoolId::new(c.school.get_ref());
            sites
                .refs
                .push((id.clone(), c.school.span().start, "capacity.school"));
            sites.spans.capacity.push(cx.loc(c.school.span().start));
            for v in [&c.entry_seats, &c.classes].into_iter().flatten() {
                if *v.get_ref() == 0 {
                    cx.err(v.span().start, "0 seats; expected a positive number (close the school with `closures` instead)");
                }
            }
            let nonzero = |v: &&Spanned<i64>| *v.get_ref() != 0;
            let entry_seats = c
                .entry_seats
                .as_ref()
                .filter(nonzero)
                .and_then(|v| cx.seats(v, "entry_seats"));
            let classes = c
                .classes
                .as_ref()
                .filter(nonzero)
                .and_then(|v| cx.bounded(v, 1, MAX_CLASSES, "classes"));
            if c.entry_seats.is_none() && c.classes.is_none() {
                cx.err(c.school.span().start, "capacity override sets nothing; expected entry_seats or classes");
            }
            CapacityOverride {
                school: id,
                entry_seats,
                classes,
                year: change_year(&c.year, cx),
            }
        })
        .collect()
}

/// `[[conversions]]` (校带园剥离): a school's freed entry seats, positive.
fn read_conversions(raw: &[RawConversion], sites: &mut Sites, cx: &mut Ctx<'_>) -> Vec<Conversion> {
    raw.iter()
        .map(|c| {
            let id = SchoolId::new(c.school.get_ref());
            sites
                .refs
                .push((id.clone(), c.school.span().start, "conversions.school"));
            sites.spans.conversions.push(cx.loc(c.school.span().start));
            let freed_seats = if *c.freed_seats.get_ref() == 0 {
                cx.err(
                    c.freed_seats.span().start,
                    "freed_seats 0; expected a positive number of seats",
                );
                Seats(0)
            } else {
                cx.seats(&c.freed_seats, "freed_seats").unwrap_or(Seats(0))
            };
            Conversion {
                school: id,
                freed_seats,
                year: change_year(&c.year, cx),
            }
        })
        .collect()
}

/// The `[forecast]` table over `forecast` (a base scenario's or the
/// defaults). Out-of-range values are errors and keep the previous value.
fn read_forecast(f: &RawForecast, forecast: &mut ForecastPolicy, cx: &mut Ctx<'_>) {
    if let Some(v) = &f.years_back {
        let max = crate::planning::forecast::MAX_YEARS_BACK;
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
                    let shown = if x.is_finite() && x != 0.0 && !(1e-4..1e6).contains(&x.abs()) {
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
    if let Some(table) = &f.housing_yield {
        read_housing_yield(table, forecast, cx);
    }
    // utilisation thresholds: 10 = ten times the seats
    bounded(&f.yellow, "yellow", 10.0, &mut forecast.yellow, cx);
    bounded(&f.orange, "orange", 10.0, &mut forecast.orange, cx);
    bounded(&f.red, "red", 10.0, &mut forecast.red, cx);
    let sizes = ByGrade::new(&f.class_size_primary, &f.class_size_junior);
    for (g, v) in sizes.iter() {
        if let Some(v) = v {
            if *v.get_ref() == 0 || *v.get_ref() > LARGE_CLASS_ABOVE {
                cx.err(
                    v.span().start,
                    format!(
                        "class size {}; expected 1 to {LARGE_CLASS_ABOVE}",
                        v.get_ref()
                    ),
                );
            }
            *forecast.class_size.get_mut(g) = *v.get_ref();
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

/// `[[new_schools]]`: a level, a WGS 84 position and positive seats; the
/// classes default to the seats over the policy's `max_class_size`.
fn read_new_schools(
    raw: &[RawNewSchool],
    max_class_size: u32,
    sites: &mut Sites,
    cx: &mut Ctx<'_>,
) -> Vec<NewSchool> {
    raw.iter()
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
            let entry_seats = if *n.entry_seats.get_ref() == 0 {
                cx.err(
                    n.entry_seats.span().start,
                    "entry_seats 0; expected a positive number of seats",
                );
                Seats(1)
            } else {
                cx.seats(&n.entry_seats, "entry_seats").unwrap_or(Seats(1))
            };
            let classes = match &n.classes {
                Some(c) => cx.bounded(c, 1, MAX_CLASSES, "classes").unwrap_or(1),
                None => entry_seats.0.div_ceil(max_class_size.max(1)),
            };
            let id = SchoolId::new(n.id.get_ref());
            sites.new_ids.push((id.clone(), n.id.span().start));
            sites.spans.new_schools.push(cx.loc(n.id.span().start));
            NewSchool {
                id,
                name: n.name.clone(),
                level,
                location: Point::new(lon, lat),
                town: n.town.clone(),
                entry_seats,
                classes,
                boarding: n.boarding,
                year: change_year(&n.year, cx),
            }
        })
        .collect()
}

/// `[forecast.housing_yield]`: per housing type a yield (pupils per
/// household) for every grade, or a list of 9, one per grade 1–9; each 0
/// to 1 (one pupil per household in a grade is already far above any
/// survey).
fn read_housing_yield(
    table: &std::collections::BTreeMap<String, Spanned<toml::Value>>,
    forecast: &mut ForecastPolicy,
    cx: &mut Ctx<'_>,
) {
    for (name, v) in table {
        let at = v.span().start;
        let ok_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if !ok_name {
            cx.err(
                at,
                format!("housing_yield: type `{name}`; expected a name of letters, digits, _ or -"),
            );
            continue;
        }
        let num = |x: &toml::Value| match x {
            toml::Value::Float(f) => Some(*f),
            toml::Value::Integer(i) => Some(*i as f64),
            _ => None,
        };
        let values: Option<Vec<f64>> = match v.get_ref() {
            toml::Value::Array(a) if a.len() == 9 => a.iter().map(num).collect(),
            toml::Value::Array(_) => None,
            x => num(x).map(|y| vec![y; 9]),
        };
        match values {
            Some(list) if list.iter().all(|y| (0.0..=1.0).contains(y)) => {
                let mut arr = [0.0; 9];
                arr.copy_from_slice(&list);
                forecast.housing_yield.insert(name.clone(), arr);
            }
            _ => cx.err(at, format!("housing_yield.{name}; expected a number from 0 to 1 (pupils per household in every grade) or a list of 9 such numbers, one per grade 1–9")),
        }
    }
}

/// The `[classes]` table (阳光分班) over `classes` (a base scenario's or
/// the defaults). The draw's seed is this file's own, not inherited.
fn read_classes(c: &RawClasses, classes: &mut ClassPolicy, cx: &mut Ctx<'_>) {
    if let Some(size) = &c.class_size {
        if *size.get_ref() == 0 || *size.get_ref() > LARGE_CLASS_ABOVE {
            cx.err(
                size.span().start,
                format!(
                    "class_size {}; expected 1 to {LARGE_CLASS_ABOVE}",
                    size.get_ref()
                ),
            );
        }
        classes.class_size = Some(*size.get_ref());
    }
    if let Some(m) = c.max_mild_per_class {
        classes.max_mild_per_class = m;
    }
    if let Some(t) = &c.twins {
        classes.twins = match t.get_ref().as_str() {
            "together" => Twins::Together,
            "apart" => Twins::Apart,
            other => {
                cx.err(
                    t.span().start,
                    format!("twins `{other}`; expected \"together\" or \"apart\""),
                );
                Twins::Together
            }
        };
    }
    classes.seed = c.seed;
}

/// The most characters of an id `keep_first` or `keep_last` may show:
/// more than any id of the dataset has, so a typo such as `400` is caught.
const MAX_KEEP: u32 = 64;

/// `[publish]` over a base's: text keys non-empty, the kept lengths 0 to
/// [`MAX_KEEP`].
fn read_publish(
    raw: Option<&RawPublish>,
    base: Option<&Scenario>,
    cx: &mut Ctx<'_>,
) -> PublishPolicy {
    let mut publish = base.map_or_else(Default::default, |b| b.publish.clone());
    let Some(p) = raw else {
        return publish;
    };
    for (key, v, slot) in [
        ("title", &p.title, &mut publish.title),
        ("date", &p.date, &mut publish.date),
    ] {
        if let Some(v) = v {
            if v.get_ref().trim().is_empty() {
                cx.err(
                    v.span().start,
                    format!("publish.{key} is empty; expected text"),
                );
            }
            *slot = Some(v.get_ref().trim().to_string());
        }
    }
    for (key, v, slot) in [
        ("keep_first", &p.keep_first, &mut publish.keep_first),
        ("keep_last", &p.keep_last, &mut publish.keep_last),
    ] {
        if let Some(v) = v {
            if let Some(n) = cx.bounded(v, 0, MAX_KEEP, &format!("publish.{key}")) {
                *slot = n;
            }
        }
    }
    publish
}

/// `policy.distance` and the road keys.
fn read_distance(rp: &RawPolicy, path: &Path, policy: &mut Policy, cx: &mut Ctx<'_>) {
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
                    road = Some(match prev {
                        Some(prev) => RoadPolicy { network, ..prev },
                        None => RoadPolicy::new(network),
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
        read_road_keys(rp, r, cx);
        policy.distance = DistancePolicy::Road(r.clone());
    } else {
        if rp.road_network.is_some() && kind.is_none() {
            let at = rp.road_network.as_ref().map_or(0, |n| n.span().start);
            cx.err(at, "road_network given but distance is not \"road\"; expected distance = \"road\" with it");
        }
        policy.distance = DistancePolicy::GreatCircle;
    }
}

/// The road keys over a road policy (a base scenario's or the defaults):
/// modes per grade, snapping limit, highway lists and speeds.
fn read_road_keys(rp: &RawPolicy, r: &mut RoadPolicy, cx: &mut Ctx<'_>) {
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
        for (g, v) in m.by_grade().iter() {
            if let Some(v) = v {
                *r.mode.get_mut(g) = mode(v, cx);
            }
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
}

/// Check that every school the scenario names exists in the dataset (and
/// that new schools do not reuse an id).
pub fn check_references(file: &ScenarioFile, data: &Dataset, diags: &mut Diagnostics) {
    check_change_references(file, data, diags);
    let known: HashSet<&str> = data.schools.iter().map(|s| s.id.as_str()).collect();
    check_reserved_ids(file, &known, diags);
}

/// The school references of the changes of `file` and its bases.
fn check_change_references(file: &ScenarioFile, data: &Dataset, diags: &mut Diagnostics) {
    if let Some(p) = &file.parent {
        check_change_references(p, data, diags);
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

/// A warning at each change that takes effect after the scenario's year
/// (issue 16): `place`, `zones` and one-year `compare` leave it out, the
/// multi-year commands apply it from its year. Said once per change, so a
/// planner never wonders why a closure did not show in `place`.
pub fn report_timing(file: &ScenarioFile, diags: &mut Diagnostics) {
    let sc = &file.scenario;
    let mut later: Vec<(ChangeAt, String, i32)> = Vec::new();
    for (i, c) in sc.closures.iter().enumerate() {
        later.push((
            ChangeAt::Closure(i),
            format!("closure of `{}`", c.school),
            sc.effective(c.year),
        ));
    }
    for (i, m) in sc.mergers.iter().enumerate() {
        later.push((
            ChangeAt::MergerFrom(i),
            format!("merger of `{}` into `{}`", m.from, m.into),
            sc.effective(m.year),
        ));
    }
    for (i, c) in sc.capacity.iter().enumerate() {
        later.push((
            ChangeAt::Capacity(i),
            format!("capacity change of `{}`", c.school),
            sc.effective(c.year),
        ));
    }
    for (i, c) in sc.conversions.iter().enumerate() {
        later.push((
            ChangeAt::Conversion(i),
            format!("conversion of `{}`", c.school),
            sc.effective(c.year),
        ));
    }
    for (i, n) in sc.new_schools.iter().enumerate() {
        later.push((
            ChangeAt::NewSchool(i),
            format!("new school `{}`", n.id),
            sc.effective(n.year),
        ));
    }
    for (at, what, y) in later.into_iter().filter(|c| c.2 > sc.year) {
        let msg = format!(
            "{what} takes effect in {y}, after the scenario's year {}: place, zones and compare (one year) use the network of {}; forecast and compare --years apply it from {y}",
            sc.year, sc.year
        );
        match file.spans.at(at) {
            Some(Loc(p, line, col)) => diags.warning(p, Some(*line), Some(Column::Char(*col)), msg),
            None => diags.warning(&file.path, None, None, msg),
        }
    }
}

/// Report what applying the scenario found: each change that cannot be
/// applied is an error at the change (file:line:column), and each school
/// whose seats the class-size cap lowers is a warning giving the seats
/// placement uses (at the change that set its seats, else at schools.csv).
pub fn report_applied(file: &ScenarioFile, applied: &Applied, diags: &mut Diagnostics) {
    check_reserved(file, &applied.data, diags);
    check_routes(file, &applied.data, diags);
    let mut errors: Vec<(Option<&Loc>, &str)> = applied
        .errors
        .iter()
        .map(|e| (file.spans.at(e.at), e.message.as_str()))
        .collect();
    errors.sort_by(|a, b| {
        let key = |l: Option<&Loc>| l.map(|Loc(p, line, col)| (p.clone(), *line, *col));
        key(a.0).cmp(&key(b.0)).then(a.1.cmp(b.1))
    });
    errors.dedup_by(|a, b| a.1 == b.1 && a.0.map(|l| (l.1, l.2)) == b.0.map(|l| (l.1, l.2)));
    for (loc, msg) in errors {
        match loc {
            Some(Loc(p, line, col)) => diags.error(p, Some(*line), Some(Column::Char(*col)), msg),
            None => diags.error(&file.path, None, None, msg),
        }
    }
    let schools_csv = file.scenario.dataset.join("schools.csv");
    for c in &applied.capped {
        let s = applied.data.school(c.school);
        let msg = format!(
            "`{}` {}: {} entry seats but {} classes of at most {} pupils (the smaller of its max_class_size {} and policy.max_class_size_cap {}); placement uses {} × {} = {} seats",
            s.id,
            s.name,
            c.stated,
            c.classes,
            c.class_size,
            s.max_class_size,
            file.scenario.policy.max_class_size_cap,
            c.classes,
            c.class_size,
            c.effective
        );
        match c.by.and_then(|a| file.spans.at(a)) {
            Some(Loc(p, line, col)) => diags.warning(p, Some(*line), Some(Column::Char(*col)), msg),
            // schools.csv's reader already warned at the line when the
            // seats exceed the school's own classes × max_class_size
            None if u64::from(c.stated) > u64::from(c.classes) * u64::from(s.max_class_size) => {}
            None => diags.warning(&schools_csv, None, None, msg),
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
        eprintln!("{msgs:?}");
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
mod change_tests {
    use super::*;

    const OK: &str = "name = \"t\"\nyear = 2025\ndataset = \"d\"\nlevel = \"primary\"\n";

    fn errors(extra: &str) -> Vec<String> {
        let mut d = Diagnostics::new();
        parse(Path::new("s.toml"), format!("{OK}{extra}"), &mut d);
        d.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_branch_campus_moves_no_seats() {
        let msgs = errors(
            "[[mergers]]\nfrom = \"A\"\ninto = \"B\"\nbranch_seats = 30\nmove_seats = true\n",
        );
        assert_eq!(
            msgs,
            vec!["s.toml:9:14: move_seats = true with branch_seats: the branch campus `A` keeps its own seats and moves none; expected one of the two"]
        );
        assert!(errors("[[mergers]]\nfrom = \"A\"\ninto = \"B\"\nbranch_seats = 30\n").is_empty());
    }

    #[test]
    fn numbers_are_bounded_to_what_a_school_can_be() {
        let msgs = errors("[[conversions]]\nschool = \"A\"\nfreed_seats = 4294967295\n[[capacity]]\nschool = \"A\"\nclasses = 95443718\n");
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        for m in [
            "s.toml:7:15: freed_seats 4294967295; expected 1 to 100000",
            "s.toml:10:11: classes 95443718; expected 1 to 1000",
        ] {
            assert!(msgs.iter().any(|x| x == m), "{msgs:?}");
        }
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
        assert_eq!(
            s.closures,
            vec![
                Closure::new(SchoolId::new("A")),
                Closure::new(SchoolId::new("B"))
            ]
        );
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

/// Where a scenario's dataset is and how it is encoded, read leniently from
/// a scenario file that has errors elsewhere (following `extends`), so the
/// dataset can still be checked in the same run and every problem reported
/// at once. `None` when the file does not even say where its dataset is.
pub fn dataset_hint(path: &Path) -> Option<(PathBuf, Encoding, crate::io::dataset::Expect)> {
    let mut path = path.to_path_buf();
    let mut encoding = None;
    // the declared columns of the chain, read leniently (entries with a
    // known type), so their cells are checked even when the scenario has
    // errors; a child's declarations come first and win
    let mut columns: Vec<(String, ColumnType, String)> = Vec::new();
    let mut year = None;
    for _ in 0..8 {
        let bytes = std::fs::read(&path).ok()?;
        let text = crate::io::text::decode(bytes, Encoding::Auto).ok()?;
        let doc: toml::Table = text.parse().ok()?;
        if encoding.is_none() {
            encoding = doc
                .get("encoding")
                .and_then(|e| e.as_str())
                .and_then(|e| e.parse().ok());
        }
        if year.is_none() {
            year = doc
                .get("year")
                .and_then(|y| y.as_integer())
                .and_then(|y| i32::try_from(y).ok());
        }
        let declared = doc
            .get("policy")
            .and_then(|p| p.get("columns"))
            .and_then(|c| c.as_table());
        for (name, ty) in declared.into_iter().flatten() {
            let ty = ty.as_str().and_then(ColumnType::parse);
            if let (Some(ty), false) = (ty, columns.iter().any(|(n, _, _)| n == name)) {
                columns.push((name.clone(), ty, path.display().to_string()));
            }
        }
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        if let Some(d) = doc.get("dataset").and_then(|d| d.as_str()) {
            let expect = crate::io::dataset::Expect {
                columns,
                year,
                seat_lock: None,
            };
            return Some((
                dir.join(d).components().collect(),
                encoding.unwrap_or_default(),
                expect,
            ));
        }
        path = dir.join(doc.get("extends")?.as_str()?);
    }
    None
}

/// Report the scenario's references to schools that are not in `known`
/// (the ids schools.csv gave, when the dataset itself has errors and
/// [`check_references`] cannot run).
pub fn check_school_ids(file: &ScenarioFile, known: &[String], diags: &mut Diagnostics) {
    let known: HashSet<&str> = known.iter().map(String::as_str).collect();
    let mut f = Some(file);
    while let Some(file) = f {
        let mut cx = Ctx {
            path: &file.path,
            text: &file.text,
            diags,
        };
        for (id, at, key) in &file.refs {
            if !known.contains(id.as_str()) && !file.new_ids.iter().any(|(n, _)| n == id) {
                cx.err(
                    *at,
                    format!("{key}: unknown school `{id}`; expected a school_id from schools.csv"),
                );
            }
        }
        f = file.parent.as_deref();
    }
    check_reserved_ids(file, &known, diags);
}

impl ScenarioFile {
    /// What the scenario asks of its dataset: its declared students.csv
    /// columns (with where each is declared), its year, and whether its
    /// seat lock needs seat_history.csv.
    pub fn dataset_expect(&self) -> crate::io::dataset::Expect {
        let rules = &self.scenario.policy.rules;
        let at = |Loc(p, l, c): &Loc| format!("{}:{l}:{c}", p.display());
        crate::io::dataset::Expect {
            columns: rules
                .columns
                .iter()
                .zip(&self.rule_sites.columns)
                .map(|((n, t), loc)| (n.clone(), *t, at(loc)))
                .collect(),
            year: Some(self.scenario.year),
            seat_lock: rules
                .seat_lock
                .and(self.rule_sites.seat_lock.as_ref())
                .map(|Loc(p, l, c)| (p.clone(), *l, *c)),
        }
    }
}

/// The route settings against the dataset after the scenario's changes
/// (issue 15, where the scenario and the data meet):
/// - a private school of the grade that an applicant of the grade lists
///   admits by lottery (公民同招, 教基厅〔2022〕1号), whose seed must be
///   published: the scenario (or a base) must state `lottery_seed`;
/// - `overflow_scope = "district_first"` needs districts.csv with a school
///   of the grade in a district.
fn check_routes(file: &ScenarioFile, data: &Dataset, diags: &mut Diagnostics) {
    let s = &file.scenario;
    let grade = s.grade;
    let routes = &s.policy.routes;
    if !routes.seed_stated {
        let listed: Vec<&str> = data
            .private_schools(grade)
            .into_iter()
            .filter(|&p| {
                data.students
                    .iter()
                    .any(|st| st.entry_grade == grade && st.preferences.contains(&p))
            })
            .map(|p| data.school(p).id.as_str())
            .collect();
        if !listed.is_empty() {
            let (what, verb) = if listed.len() == 1 {
                ("private school", "admits")
            } else {
                ("private schools", "admit")
            };
            let at = policy_header(&file.text);
            let (line, col) = line_col(&file.text, at);
            diags.error(
                &file.path,
                Some(line),
                Some(Column::Char(col)),
                format!(
                    "{what} {} {verb} by lottery (公民同招) and the scenario publishes no seed: expected `lottery_seed = N` under [policy]",
                    listed.join(", ")
                ),
            );
        }
    }
    if routes.overflow_scope == OverflowScope::DistrictFirst {
        let at = file
            .overflow_scope_at
            .clone()
            .unwrap_or_else(|| Loc(file.path.clone(), 1, 1));
        let districts = s.dataset.join("districts.csv");
        if data.district_names.is_empty() {
            error_at(
                diags,
                &at,
                format!("overflow_scope = \"district_first\" needs the 大学区: {} not found or empty; expected a file with columns school_id, district_id (or overflow_scope = \"county\")", districts.display()),
            );
        } else if !data
            .mainstream_schools(grade)
            .iter()
            .any(|&x| data.school(x).district.is_some())
        {
            error_at(
                diags,
                &at,
                format!("overflow_scope = \"district_first\" but no open public school of grade {} is in a district of {}; expected the grade's schools in districts.csv (or overflow_scope = \"county\")", grade.number(), districts.display()),
            );
        }
    }
}

/// The offset of this file's `[policy]` header (where a missing policy key
/// belongs), else 0 (line 1, column 1).
fn policy_header(text: &str) -> usize {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("[policy]") {
            return offset + (line.len() - line.trim_start().len());
        }
        offset += line.len();
    }
    0
}

/// An error at a position in a scenario file.
fn error_at(diags: &mut Diagnostics, Loc(p, line, col): &Loc, msg: impl Into<String>) {
    diags.error(p, Some(*line), Some(Column::Char(*col)), msg);
}

/// `[[policy.reserved]]` schools that neither schools.csv (`known`) nor
/// the scenario's new schools have.
fn check_reserved_ids(file: &ScenarioFile, known: &HashSet<&str>, diags: &mut Diagnostics) {
    let rules = &file.scenario.policy.rules;
    for (r, (at, _)) in rules.reserved.iter().zip(&file.rule_sites.reserved) {
        let Some(id) = &r.school else { continue };
        let new = file.scenario.new_schools.iter().any(|n| &n.id == id);
        if !known.contains(id.as_str()) && !new {
            error_at(
                diags,
                at,
                format!("reserved: unknown school `{id}`; expected a school_id from schools.csv or \"*\""),
            );
        }
    }
}

/// `[[policy.reserved]]` against the dataset after the scenario's changes
/// (spec: reserved seats are filled in single-school zone admission of the
/// scenario's grade): each school open and mainstream of the grade, its
/// seats at most the school's entry seats, and all reservations at one
/// school (a `"*"` share where no entry of the school names the same
/// category) not more than its seats. Unknown schools were reported by
/// [`check_references`].
fn check_reserved(file: &ScenarioFile, data: &Dataset, diags: &mut Diagnostics) {
    let rules = &file.scenario.policy.rules;
    let grade = file.scenario.grade;
    let sites = &file.rule_sites.reserved;
    let mut bad: HashSet<&SchoolId> = HashSet::new();
    for (r, (school_at, amount_at)) in rules.reserved.iter().zip(sites) {
        let Some(id) = &r.school else { continue };
        let Some(s) = data.schools.iter().find(|s| &s.id == id) else {
            continue;
        };
        let seats = s.entry_seats.0;
        let msg = if !s.level.admits(grade) {
            Some((school_at, format!("reserved: `{id}` {} is a {} school; expected a mainstream school admitting grade {}", s.name, s.level.as_str(), grade.number())))
        } else if s.status != Status::Open {
            Some((school_at, format!("reserved: `{id}` {} takes no entrants in this scenario (closed or closing); expected an open school", s.name)))
        } else if let ReservedAmount::Seats(n) = r.amount {
            (n > seats).then(|| (amount_at, format!("reserved: {n} seats at `{id}` {}, which has {seats} entry seats after the scenario's changes; expected at most {seats}", s.name)))
        } else {
            None
        };
        if let Some((at, m)) = msg {
            error_at(diags, at, m);
            bad.insert(id);
        }
    }
    // schools whose reservations together exceed their seats, by the entry
    // blamed (the school's own last entry, else the last "*" entry)
    let mut over: Vec<(usize, String)> = Vec::new();
    for s in data.schools.iter() {
        if !s.level.admits(grade) || s.status != Status::Open || bad.contains(&s.id) {
            continue;
        }
        let seats = s.entry_seats.0;
        let own = |r: &Reserved| r.school.as_ref() == Some(&s.id);
        let mut total = 0u64;
        let mut blame = None;
        for (i, r) in rules.reserved.iter().enumerate() {
            let applies = own(r)
                || (r.school.is_none()
                    && !rules
                        .reserved
                        .iter()
                        .any(|o| own(o) && o.category == r.category));
            if applies {
                total += u64::from(r.amount.at(seats));
                if own(r) || blame.is_none_or(|b: usize| rules.reserved[b].school.is_none()) {
                    blame = Some(i);
                }
            }
        }
        if let Some(b) = blame.filter(|_| total > u64::from(seats)) {
            over.push((
                b,
                format!("`{}` {} has {total} reserved of {seats}", s.id, s.name),
            ));
        }
    }
    over.sort_by_key(|(b, _)| *b);
    for chunk in over.chunk_by(|a, b| a.0 == b.0) {
        let shown: Vec<&str> = chunk.iter().take(5).map(|(_, m)| m.as_str()).collect();
        let more = if chunk.len() > 5 {
            format!(" and {} more", chunk.len() - 5)
        } else {
            String::new()
        };
        error_at(
            diags,
            &sites[chunk[0].0].1,
            format!("reserved seats total more than a school's entry seats: {}{more}; expected at most the school's seats in all", shown.join("; ")),
        );
    }
}
