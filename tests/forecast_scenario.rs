//! `forecast` under the bundled scenarios that change the network (issue
//! 16's conservation acceptance): the binary runs on the bundled data and
//! its `projection.csv` is read by header.
//!
//! For every bundled scenario with changes and every projected year:
//! - the district's pupils, in all and per grade, equal the baseline's
//!   (the scenario's `extends` root, which changes nothing) within the
//!   rounding of `projection.csv` (one decimal: 0.05 a row);
//! - a school closed or merged with `all_grades` has no row from its year
//!   on, and its baseline pupils appear at other schools (no open school
//!   loses pupils; the rise elsewhere is what the closed schools lost);
//! - a merger's receiving school gains at least the merged school's pupils
//!   in every grade;
//! - a school closed with `entry_only` has no entrants from its year on and
//!   keeps the cohorts that entered before, as the baseline projects them,
//!   so its pupils shrink year by year.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use common::{records, root, stderr, sunshine};

/// (school, grade, year) → projected pupils, as written.
type Table = BTreeMap<(String, u8, i32), f64>;

/// Half a unit of the last decimal `projection.csv` writes.
const ROUNDING: f64 = 0.05;
const YEARS: i32 = 5;

/// A closure or merger of a scenario: the school leaving, its effective
/// year, whether its pupils move (`all_grades`), and the receiving school
/// of a merger.
#[derive(Debug)]
struct Leaves {
    school: String,
    year: i32,
    all_grades: bool,
    into: Option<String>,
}

/// A scenario file's TOML with its `extends` chain, root last.
fn chain(path: &Path) -> Vec<(PathBuf, toml::Table)> {
    let text = std::fs::read_to_string(path).unwrap();
    let t: toml::Table = text.parse().unwrap();
    let mut out = vec![(path.to_path_buf(), t.clone())];
    if let Some(base) = t.get("extends").and_then(|v| v.as_str()) {
        out.extend(chain(&path.parent().unwrap().join(base)));
    }
    out
}

const CHANGE_KEYS: [&str; 5] = [
    "closures",
    "mergers",
    "capacity",
    "conversions",
    "new_schools",
];

fn has_changes(t: &toml::Table) -> bool {
    CHANGE_KEYS.iter().any(|k| t.contains_key(*k))
}

/// The closures and mergers of a scenario chain, with their years.
fn leaving(chain: &[(PathBuf, toml::Table)]) -> Vec<Leaves> {
    let year = chain
        .iter()
        .find_map(|(_, t)| t.get("year").and_then(|v| v.as_integer()))
        .expect("a scenario year") as i32;
    let when = |t: &toml::Table| {
        t.get("year")
            .and_then(|v| v.as_integer())
            .map_or(year, |y| y as i32)
    };
    let all = |t: &toml::Table| {
        t.get("phase_out")
            .and_then(|v| v.as_str())
            .is_none_or(|p| p == "all_grades")
    };
    let mut out = Vec::new();
    for (_, t) in chain {
        for c in t
            .get("closures")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            out.push(match c {
                toml::Value::String(id) => Leaves {
                    school: id.clone(),
                    year,
                    all_grades: true,
                    into: None,
                },
                toml::Value::Table(c) => Leaves {
                    school: c["school"].as_str().unwrap().to_string(),
                    year: when(c),
                    all_grades: all(c),
                    into: None,
                },
                other => panic!("a closure: {other:?}"),
            });
        }
        for m in t
            .get("mergers")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let m = m.as_table().unwrap();
            if m.contains_key("branch_seats") {
                continue; // a branch campus stays open with its pupils
            }
            out.push(Leaves {
                school: m["from"].as_str().unwrap().to_string(),
                year: when(m),
                all_grades: all(m),
                into: Some(m["into"].as_str().unwrap().to_string()),
            });
        }
    }
    out
}

/// `forecast --years 5` of a scenario into a temp folder: its projection.
fn forecast(scenario: &Path) -> Table {
    let dir = tempfile::tempdir().unwrap();
    let out = sunshine(&[
        "forecast",
        scenario.to_str().unwrap(),
        "--years",
        &YEARS.to_string(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}: {}",
        scenario.display(),
        stderr(&out)
    );
    records(&dir.path().join("projection.csv"))
        .into_iter()
        .map(|r| {
            (
                (
                    r["school_id"].clone(),
                    r["grade"].parse().unwrap(),
                    r["year"].parse().unwrap(),
                ),
                r["projected"].parse().unwrap(),
            )
        })
        .collect()
}

/// Sum and row count of the rows a filter keeps.
fn total(t: &Table, keep: impl Fn(&str, u8, i32) -> bool) -> (f64, usize) {
    t.iter()
        .filter(|((s, g, y), _)| keep(s, *g, *y))
        .fold((0.0, 0), |(sum, n), (_, v)| (sum + v, n + 1))
}

/// Whether two sums of rounded rows agree within their rounding.
fn agree(a: (f64, usize), b: (f64, usize)) -> bool {
    (a.0 - b.0).abs() <= ROUNDING * (a.1 + b.1) as f64 + 1e-9
}

/// The entry grade a pupil of grade `g` entered the school by.
fn entered(g: u8, y: i32) -> i32 {
    if g >= 7 {
        y - i32::from(g - 7)
    } else {
        y - i32::from(g - 1)
    }
}

/// The bundled scenarios with changes, with the root of their chain.
fn changed_scenarios() -> Vec<(PathBuf, Vec<(PathBuf, toml::Table)>)> {
    let mut v: Vec<_> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let c = chain(&p);
            (p, c)
        })
        .filter(|(_, c)| c.iter().any(|(_, t)| has_changes(t)))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn the_bundled_scenarios_with_changes_are_found() {
    let names: BTreeSet<String> = changed_scenarios()
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for n in ["close-tianchang-liushu.toml", "plan-2026-2030.toml"] {
        assert!(names.contains(n), "{n} in {names:?}");
    }
    // the plan has both phase-out rules and a merger, each with a year
    let plan = chain(&root().join("scenarios/plan-2026-2030.toml"));
    let l = leaving(&plan);
    assert!(l.iter().any(|x| x.all_grades && x.into.is_none()), "{l:?}");
    assert!(l.iter().any(|x| !x.all_grades), "{l:?}");
    assert!(l.iter().any(|x| x.into.is_some()), "{l:?}");
    assert!(l.iter().all(|x| x.year > 2025), "{l:?}");
}

#[test]
fn forecasts_under_bundled_scenarios_keep_the_districts_pupils() {
    let mut baselines: HashMap<PathBuf, Table> = HashMap::new();
    for (path, chain) in changed_scenarios() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (root_path, root_toml) = chain.last().unwrap();
        assert!(!has_changes(root_toml), "{name}: the root changes nothing");
        let base = baselines
            .entry(root_path.clone())
            .or_insert_with(|| forecast(root_path))
            .clone();
        let scen = forecast(&path);
        let years: BTreeSet<i32> = base.keys().map(|k| k.2).collect();
        assert_eq!(years.len(), YEARS as usize, "{name}");
        assert_eq!(
            years,
            scen.keys().map(|k| k.2).collect::<BTreeSet<i32>>(),
            "{name}"
        );
        let schools: BTreeSet<String> = base
            .keys()
            .chain(scen.keys())
            .map(|k| k.0.clone())
            .collect();
        let leaves = leaving(&chain);
        for &y in &years {
            // the district, in all and per grade
            let b = total(&base, |_, _, yy| yy == y);
            let s = total(&scen, |_, _, yy| yy == y);
            assert!(agree(b, s), "{name} {y}: baseline {b:?}, scenario {s:?}");
            for g in 1..=9u8 {
                let b = total(&base, |_, gg, yy| gg == g && yy == y);
                let s = total(&scen, |_, gg, yy| gg == g && yy == y);
                assert!(agree(b, s), "{name} {y} grade {g}: {b:?} vs {s:?}");
            }
            // where the closed schools' pupils went
            let due: Vec<&Leaves> = leaves.iter().filter(|l| l.year <= y).collect();
            let gone_from: BTreeSet<&str> = due.iter().map(|l| l.school.as_str()).collect();
            let (mut lost, mut lost_rows) = (0.0, 0usize);
            let (mut rose, mut rose_rows) = (0.0, 0usize);
            for school in &schools {
                let b = total(&base, |s, _, yy| s == school && yy == y);
                let s = total(&scen, |s, _, yy| s == school && yy == y);
                if gone_from.contains(school.as_str()) {
                    lost += b.0 - s.0;
                    lost_rows += b.1 + s.1;
                } else {
                    assert!(
                        s.0 >= b.0 - ROUNDING * (b.1 + s.1) as f64 - 1e-9,
                        "{name} {y}: open school {school} lost pupils: {b:?} → {s:?}"
                    );
                    rose += s.0 - b.0;
                    rose_rows += b.1 + s.1;
                }
            }
            let tol = ROUNDING * (lost_rows + rose_rows) as f64 + 1e-9;
            assert!(
                (lost - rose).abs() <= tol,
                "{name} {y}: closed schools lost {lost:.1}, the others rose by {rose:.1}"
            );
            if !due.is_empty() {
                assert!(lost > 0.0, "{name} {y}: the changes due moved nobody");
            }
            for l in &due {
                check_leaving(&name, y, l, &base, &scen);
            }
        }
        check_shrinking(&name, &leaves, &base, &scen);
    }
}

/// One closed or merged school in year `y` (at or after its year).
fn check_leaving(name: &str, y: i32, l: &Leaves, base: &Table, scen: &Table) {
    let at = |t: &Table, s: &str, g: u8| t.get(&(s.to_string(), g, y)).copied();
    let here = |g: u8| at(scen, &l.school, g).unwrap_or(0.0);
    let first = (1..=9u8)
        .find(|&g| at(base, &l.school, g).is_some())
        .unwrap_or_else(|| panic!("{name}: {} has baseline rows", l.school));
    if l.all_grades {
        let rows: Vec<_> = scen
            .keys()
            .filter(|k| k.0 == l.school && k.2 == y)
            .collect();
        assert!(
            rows.is_empty(),
            "{name} {y}: {} closed, rows {rows:?}",
            l.school
        );
    } else {
        for g in (first..=9).filter(|&g| at(base, &l.school, g).is_some()) {
            if g == 1 || g == 7 || entered(g, y) >= l.year {
                assert_eq!(
                    here(g),
                    0.0,
                    "{name} {y}: {} takes no entrants from {} (grade {g})",
                    l.school,
                    l.year
                );
            } else {
                // the cohort that entered before the closure stays
                let b = at(base, &l.school, g).unwrap();
                assert!(
                    (here(g) - b).abs() <= 2.0 * ROUNDING + 1e-9,
                    "{name} {y}: {} grade {g}: {} kept, baseline {b}",
                    l.school,
                    here(g)
                );
            }
        }
    }
    if let (Some(into), true) = (&l.into, l.all_grades) {
        for g in 1..=9u8 {
            if let Some(from) = at(base, &l.school, g) {
                let own = at(base, into, g).unwrap_or(0.0);
                let now = at(scen, into, g).unwrap_or(0.0);
                assert!(
                    now >= own + from - 3.0 * ROUNDING - 1e-9,
                    "{name} {y} grade {g}: {into} has {now}, its own {own} + merged {from}"
                );
            }
        }
    }
}

/// A campus phasing out with `entry_only` shrinks every year until empty.
fn check_shrinking(name: &str, leaves: &[Leaves], base: &Table, scen: &Table) {
    for l in leaves.iter().filter(|l| !l.all_grades) {
        let by_year: Vec<(i32, f64)> = scen
            .keys()
            .map(|k| k.2)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|&y| y >= l.year)
            .map(|y| (y, total(scen, |s, _, yy| s == l.school && yy == y).0))
            .collect();
        assert!(
            by_year.len() >= 2,
            "{name}: {} phases out in the horizon",
            l.school
        );
        for w in by_year.windows(2) {
            assert!(
                w[1].1 < w[0].1 || w[0].1 == 0.0,
                "{name}: {} does not shrink: {by_year:?}",
                l.school
            );
        }
        // one grade fewer every year: the grades left in year y are those
        // whose cohort entered before the closure
        for &(y, _) in &by_year {
            let grades: Vec<u8> = scen
                .iter()
                .filter(|(k, v)| k.0 == l.school && k.2 == y && **v > 0.0)
                .map(|(k, _)| k.1)
                .collect();
            let expected: Vec<u8> = base
                .keys()
                .filter(|k| k.0 == l.school && k.2 == y)
                .map(|k| k.1)
                .filter(|&g| g != 1 && g != 7 && entered(g, y) < l.year)
                .collect();
            assert_eq!(grades, expected, "{name} {y}: {} grades", l.school);
        }
    }
}
