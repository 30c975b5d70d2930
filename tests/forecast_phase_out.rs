//! The scenario-aware forecast (issue 16) on a tiny district worked by
//! hand: a closure with `all_grades` and with `entry_only`, a merger, and
//! a new school opening in a later year; then a property test that random
//! closures and mergers keep the district's pupils per grade and year.
//!
//! The district (all primary, lat 43.9; lon below):
//!
//! ```text
//!   B 126.48   b2 126.48 (B)   b0 126.495 (A)   A 126.50   b1 126.505 (A)
//!   C 126.52   b3 126.52 (C)   b4 126.53 (no zone: nearest, C)   N 126.535
//! ```
//!
//! Births per year: b0 20; b1 30, but 20 in 2021; b2 50; b3 40; b4 10
//! (births.csv covers 2012–2022, so 2026–2028 read no extrapolated year).
//! History 2024 and 2025:
//!
//! | school | grades 1–6, 2024     | grades 1–6, 2025     | entry ratio | progression |
//! |--------|----------------------|----------------------|-------------|-------------|
//! | A      | 45 44 43 42 41 40    | 45 45 44 43 42 41    | 45/50 = 0.9 | 1           |
//! | B      | 50 ×6                | 50 ×6                | 50/50 = 1   | 1           |
//! | C      | 25 ×6                | 25 ×6                | 25/50 = 0.5 | 1           |
//!
//! Baseline (grade 1 = ratio × the zone's births six years before; grade
//! g = last year's g − 1):
//!
//! | A    | g1                    | g2 | g3 | g4 | g5 | g6 |
//! |------|-----------------------|----|----|----|----|----|
//! | 2026 | 0.9 × (20+30) = 45    | 45 | 45 | 44 | 43 | 42 |
//! | 2027 | 0.9 × (20+20) = 36    | 45 | 45 | 45 | 44 | 43 |
//! | 2028 | 0.9 × (20+30) = 45    | 36 | 45 | 45 | 45 | 44 |
//!
//! B is 50 and C 25 in every grade and year.

use std::collections::BTreeMap;

use proptest::prelude::*;
use sunshine::domain::model::{
    Block, BlockId, BlockIx, Dataset, Grade, Level, School, SchoolId, SchoolIx, Seats, Status,
    Zones,
};
use sunshine::domain::scenario::{
    Closure, ForecastPolicy, FutureSchools, Merger, NewSchool, PhaseOut, Scenario,
};
use sunshine::planning::forecast::{
    entry_warnings, feeds, project_scenario, Births, Enrollment, Housing, Inputs, MoveKind,
    ScenarioProjection, Warning,
};

const LAT: f64 = 43.9;
const A: SchoolIx = SchoolIx(0);
const B: SchoolIx = SchoolIx(1);
const C: SchoolIx = SchoolIx(2);
/// The new school of the scenario that opens one, after the base's.
const N: SchoolIx = SchoolIx(3);

fn school(id: &str, lon: f64) -> School {
    School {
        id: SchoolId::new(id),
        name: id.into(),
        level: Level::Primary,
        location: geo::Point::new(lon, LAT),
        town: "t".into(),
        entry_seats: Seats(90),
        classes: 2,
        max_class_size: 45,
        boarding: false,
        status: Status::Open,
        annual_cost: None,
        sector: Default::default(),
        district: None,
    }
}

fn block(id: &str, lon: f64) -> Block {
    Block {
        id: BlockId::new(id),
        name: id.into(),
        town: "t".into(),
        location: geo::Point::new(lon, LAT),
        households: 100,
    }
}

/// The district of the module documentation.
fn district() -> (Dataset, Births, Enrollment) {
    let mut zones = Zones::new(5);
    for (b, s) in [(0, A), (1, A), (2, B), (3, C)] {
        zones.school.one[b] = Some(s);
    }
    let data = Dataset {
        schools: vec![
            school("A", 126.50),
            school("B", 126.48),
            school("C", 126.52),
        ],
        blocks: vec![
            block("b0", 126.495),
            block("b1", 126.505),
            block("b2", 126.48),
            block("b3", 126.52),
            block("b4", 126.53),
        ],
        zones: Some(zones),
        ..Default::default()
    };
    let mut births = Births::new();
    for y in 2012..=2022 {
        let b1 = if y == 2021 { 20.0 } else { 30.0 };
        for (b, n) in [(0, 20.0), (1, b1), (2, 50.0), (3, 40.0), (4, 10.0)] {
            births.insert((BlockIx::from_ix(b), y), n);
        }
    }
    let mut h = Enrollment::new();
    for (g, (a24, a25)) in
        (1..=6u8).zip([(45, 45), (44, 45), (43, 44), (42, 43), (41, 42), (40, 41)])
    {
        h.insert((A, g, 2024), f64::from(a24));
        h.insert((A, g, 2025), f64::from(a25));
        for y in [2024, 2025] {
            h.insert((B, g, y), 50.0);
            h.insert((C, g, y), 25.0);
        }
    }
    (data, births, h)
}

/// The projection of 2026–2028 under `scenario`.
fn run(scenario: &Scenario) -> ScenarioProjection {
    let (data, births, history) = district();
    let f = feeds(&data);
    let housing = Housing::new();
    let inputs = Inputs {
        data: &data,
        feeds: &f,
        births: &births,
        history: &history,
        housing: &housing,
        new_schools: &[],
    };
    let applied = scenario.applied_as_of(data.clone(), 2028, FutureSchools::NotYetOpen);
    assert!(applied.errors.is_empty(), "{:?}", applied.errors.len());
    project_scenario(&inputs, scenario, 3, &ForecastPolicy::default()).unwrap()
}

/// Grades 1–6 of a school in a year (0 where there is no row).
fn grades(p: &BTreeMap<(SchoolIx, u8, i32), f64>, s: SchoolIx, y: i32) -> [f64; 6] {
    std::array::from_fn(|i| p.get(&(s, i as u8 + 1, y)).copied().unwrap_or(0.0))
}

fn assert_grades(p: &ScenarioProjection, s: SchoolIx, y: i32, want: [f64; 6]) {
    let got = grades(&p.projection.enrolled, s, y);
    for (g, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(
            (a - b).abs() < 1e-9,
            "school {} {y} grade {}: {got:?}, expected {want:?}",
            s.0,
            g + 1
        );
    }
}

fn closing(phase_out: PhaseOut) -> Scenario {
    let mut sc = Scenario::plain("close A", Grade::One, 1);
    sc.closures.push(Closure {
        school: SchoolId::new("A"),
        year: Some(2027),
        phase_out,
    });
    sc
}

/// Pupils a scenario moved in a year.
fn moved(p: &ScenarioProjection, y: i32, kind: MoveKind) -> f64 {
    p.moves
        .iter()
        .filter(|m| m.year == y && m.kind == kind)
        .map(|m| m.pupils)
        .sum()
}

#[test]
fn the_baseline_by_hand() {
    let p = run(&Scenario::plain("baseline", Grade::One, 1));
    assert_eq!((p.baseline.first_year, p.baseline.last_year), (2026, 2028));
    assert_eq!(p.projection.enrolled, p.baseline.enrolled);
    assert!(p.moves.is_empty());
    assert_grades(&p, A, 2026, [45.0, 45.0, 45.0, 44.0, 43.0, 42.0]);
    assert_grades(&p, A, 2027, [36.0, 45.0, 45.0, 45.0, 44.0, 43.0]);
    assert_grades(&p, A, 2028, [45.0, 36.0, 45.0, 45.0, 45.0, 44.0]);
    for y in 2026..=2028 {
        assert_grades(&p, B, y, [50.0; 6]);
        assert_grades(&p, C, y, [25.0; 6]);
    }
}

/// A closes in 2027 with `all_grades`. Its blocks lose their zone and go
/// to the nearest open school: b0 (126.495) to B (0.015° of longitude
/// away against C's 0.025°), b1 (126.505) to C.
///
/// 2027: A's entrants split by births of 2021: b0 20, b1 20 → ½ B, ½ C:
/// 36 → 18 + 18. Its enrolled pupils (45 45 45 44 43) move like its
/// entrants: half to each, 22.5 22.5 22.5 22 21.5.
/// 2028: entrants by births of 2022: b0 20, b1 30 → 0.4 B, 0.6 C: 45 →
/// 18 + 27. The cohorts moved in 2027 stay where they went: A's grades
/// 2–6 of 2028 (36 45 45 45 44) are half at B, half at C.
#[test]
fn a_closure_with_all_grades_by_hand() {
    let p = run(&closing(PhaseOut::AllGrades));
    // 2026: before the closure, as the baseline
    assert_grades(&p, A, 2026, [45.0, 45.0, 45.0, 44.0, 43.0, 42.0]);
    assert_grades(&p, B, 2026, [50.0; 6]);
    assert_grades(&p, C, 2026, [25.0; 6]);
    assert_grades(&p, B, 2027, [68.0, 72.5, 72.5, 72.5, 72.0, 71.5]);
    assert_grades(&p, C, 2027, [43.0, 47.5, 47.5, 47.5, 47.0, 46.5]);
    assert_grades(&p, B, 2028, [68.0, 68.0, 72.5, 72.5, 72.5, 72.0]);
    assert_grades(&p, C, 2028, [52.0, 43.0, 47.5, 47.5, 47.5, 47.0]);
    // the closed school has no rows from its year on
    assert!(p
        .projection
        .enrolled
        .keys()
        .all(|k| !(k.0 == A && k.2 >= 2027)));
    // moves: all of A's 258 pupils in 2027 (36 entrants, 222 enrolled),
    // only the 45 entrants in 2028
    assert!((moved(&p, 2027, MoveKind::Entrants) - 36.0).abs() < 1e-9);
    assert!((moved(&p, 2027, MoveKind::Enrolled) - 222.0).abs() < 1e-9);
    assert!((moved(&p, 2028, MoveKind::Entrants) - 45.0).abs() < 1e-9);
    assert_eq!(moved(&p, 2028, MoveKind::Enrolled), 0.0);
    assert_eq!(moved(&p, 2026, MoveKind::Entrants), 0.0);
}

/// A closes in 2027 with `entry_only`: its entrants go as above (2027:
/// 18 + 18, 2028: 18 + 27), its enrolled pupils stay and finish there:
/// 2027 A keeps 45 45 45 44 43 in grades 2–6; 2028 grades 3–6 (45 45 45
/// 44), its grade 2 being the 2027 entrants, who went to B and C.
#[test]
fn a_closure_with_entry_only_by_hand() {
    let p = run(&closing(PhaseOut::EntryOnly));
    assert_grades(&p, A, 2027, [0.0, 45.0, 45.0, 45.0, 44.0, 43.0]);
    assert_grades(&p, A, 2028, [0.0, 0.0, 45.0, 45.0, 45.0, 44.0]);
    assert_grades(&p, B, 2027, [68.0, 50.0, 50.0, 50.0, 50.0, 50.0]);
    assert_grades(&p, C, 2027, [43.0, 25.0, 25.0, 25.0, 25.0, 25.0]);
    assert_grades(&p, B, 2028, [68.0, 68.0, 50.0, 50.0, 50.0, 50.0]);
    assert_grades(&p, C, 2028, [52.0, 43.0, 25.0, 25.0, 25.0, 25.0]);
    assert!((moved(&p, 2027, MoveKind::Entrants) - 36.0).abs() < 1e-9);
    assert_eq!(moved(&p, 2027, MoveKind::Enrolled), 0.0);
    assert!((moved(&p, 2028, MoveKind::Entrants) - 45.0).abs() < 1e-9);
    assert_eq!(moved(&p, 2028, MoveKind::Enrolled), 0.0);
}

/// A merges into B in 2027 (`all_grades`): A's zone (b0, b1) is B's, so
/// every pupil of A goes to B: 2027 B = 50 + (36 45 45 45 44 43); 2028
/// B = 50 + (45 36 45 45 45 44). C is untouched.
#[test]
fn a_merger_with_all_grades_by_hand() {
    let mut sc = Scenario::plain("merge A into B", Grade::One, 1);
    sc.mergers.push(Merger {
        from: SchoolId::new("A"),
        into: SchoolId::new("B"),
        move_seats: true,
        branch_seats: None,
        year: Some(2027),
        phase_out: PhaseOut::AllGrades,
    });
    let p = run(&sc);
    assert_grades(&p, B, 2026, [50.0; 6]);
    assert_grades(&p, B, 2027, [86.0, 95.0, 95.0, 95.0, 94.0, 93.0]);
    assert_grades(&p, B, 2028, [95.0, 86.0, 95.0, 95.0, 95.0, 94.0]);
    for y in 2026..=2028 {
        assert_grades(&p, C, y, [25.0; 6]);
    }
    assert!(p
        .projection
        .enrolled
        .keys()
        .all(|k| !(k.0 == A && k.2 >= 2027)));
    assert!(p
        .moves
        .iter()
        .all(|m| m.from == A && m.to == B && m.year >= 2027));
}

/// N opens in 2028 at 126.535. b4 (126.53) has no zone: C is its nearest
/// school until then, N from 2028. C's 2028 entrants (0.5 × (40 + 10) =
/// 25) split by births of 2022: b3 40 → C 20, b4 10 → N 5. C's enrolled
/// pupils stay; N starts with its grade 1 only.
#[test]
fn a_new_school_takes_its_nearest_unzoned_blocks_from_its_year() {
    let mut sc = Scenario::plain("open N", Grade::One, 1);
    sc.new_schools.push(NewSchool {
        id: SchoolId::new("N"),
        name: "N".into(),
        level: Level::Primary,
        location: geo::Point::new(126.535, LAT),
        town: "t".into(),
        entry_seats: Seats(45),
        classes: 1,
        boarding: false,
        year: Some(2028),
    });
    let p = run(&sc);
    for y in [2026, 2027] {
        assert_grades(&p, C, y, [25.0; 6]);
        assert_eq!(grades(&p.projection.enrolled, N, y), [0.0; 6]);
    }
    assert_grades(&p, C, 2028, [20.0, 25.0, 25.0, 25.0, 25.0, 25.0]);
    assert_grades(&p, N, 2028, [5.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    assert_grades(&p, A, 2028, [45.0, 36.0, 45.0, 45.0, 45.0, 44.0]);
    assert_grades(&p, B, 2028, [50.0; 6]);
    // the timeline's schools: the base's, then the new one
    assert_eq!(
        p.timeline.last().data.schools[N.0 as usize].id.as_str(),
        "N"
    );
    assert_eq!(
        p.timeline.at(2027).data.schools[N.0 as usize].status,
        Status::Closing
    );
    assert_eq!(
        p.timeline.at(2028).data.schools[N.0 as usize].status,
        Status::Open
    );
}

/// The entry-grade warnings of the next three intakes (学位预警), by hand.
/// Seats after the class-size cap: A states 100 entry seats in 1 class of
/// 45: 45; B 90 in 2 classes: 90; C 27 in 1 class: 27. Yellow from 90%,
/// red from 100% (the defaults).
///
/// | year | A expected / seats  | B           | C                  |
/// |------|---------------------|-------------|--------------------|
/// | 2026 | 45/45 = 1.0 red     | 50/90 none  | 25/27 = 0.926 yellow |
/// | 2027 | 36/45 = 0.8 none    | 50/90 none  | 25/27 yellow       |
/// | 2028 | 45/45 red           | 50/90 none  | 25/27 yellow       |
///
/// With A closed in 2027 (`all_grades`), 2027 and 2028 are read on the
/// closed network: A has no row; B 68/90 = 0.756 none; C 43/27 and 52/27
/// red.
#[test]
fn entry_warnings_of_the_next_three_intakes_by_hand() {
    let warnings = |sc: &Scenario| {
        let (mut data, births, history) = district();
        data.schools[0].entry_seats = Seats(100);
        data.schools[0].classes = 1;
        data.schools[2].entry_seats = Seats(27);
        data.schools[2].classes = 1;
        let f = feeds(&data);
        let housing = Housing::new();
        let policy = ForecastPolicy::default();
        let inputs = Inputs {
            data: &data,
            feeds: &f,
            births: &births,
            history: &history,
            housing: &housing,
            new_schools: &[],
        };
        // five years projected, three intakes warned about
        let p = project_scenario(&inputs, sc, 5, &policy).unwrap();
        let w = entry_warnings(&data, sc, &p.projection, &p.timeline, &policy);
        w.rows
            .iter()
            .map(|r| {
                assert_eq!(r.grade, Grade::One);
                assert!((r.ratio - r.expected / f64::from(r.seats)).abs() < 1e-12);
                (r.school, r.year, r.expected, r.seats, r.level)
            })
            .collect::<Vec<_>>()
    };
    let (none, yellow, red) = (Warning::None, Warning::Yellow, Warning::Red);
    let check = |got: Vec<(SchoolIx, i32, f64, u32, Warning)>,
                 want: &[(SchoolIx, i32, f64, u32, Warning)]| {
        assert_eq!(got.len(), want.len(), "{got:?}");
        for (g, w) in got.iter().zip(want) {
            assert!(
                g.0 == w.0 && g.1 == w.1 && (g.2 - w.2).abs() < 1e-9 && g.3 == w.3 && g.4 == w.4,
                "{g:?}, expected {w:?}"
            );
        }
    };
    check(
        warnings(&Scenario::plain("baseline", Grade::One, 1)),
        &[
            (A, 2026, 45.0, 45, red),
            (A, 2027, 36.0, 45, none),
            (A, 2028, 45.0, 45, red),
            (B, 2026, 50.0, 90, none),
            (B, 2027, 50.0, 90, none),
            (B, 2028, 50.0, 90, none),
            (C, 2026, 25.0, 27, yellow),
            (C, 2027, 25.0, 27, yellow),
            (C, 2028, 25.0, 27, yellow),
        ],
    );
    check(
        warnings(&closing(PhaseOut::AllGrades)),
        &[
            (A, 2026, 45.0, 45, red),
            (B, 2026, 50.0, 90, none),
            (B, 2027, 68.0, 90, none),
            (B, 2028, 68.0, 90, none),
            (C, 2026, 25.0, 27, yellow),
            (C, 2027, 43.0, 27, red),
            (C, 2028, 52.0, 27, red),
        ],
    );
}

/// A random district: primary schools and blocks on a line, births per
/// block and year, two years of history per school and grade, and each
/// block zoned to a school or to none (nearest).
#[derive(Clone, Debug)]
struct Random {
    schools: Vec<f64>,
    blocks: Vec<(f64, Option<usize>, f64)>,
    history: Vec<[(f64, f64); 6]>,
    /// Per school: kept (`None`), or closed / merged into a kept school,
    /// with the year and `entry_only`.
    changes: Vec<Option<(Option<usize>, i32, bool)>>,
}

fn random() -> impl Strategy<Value = Random> {
    (2usize..=5, 2usize..=8).prop_flat_map(|(ns, nb)| {
        (
            proptest::collection::vec(126.4f64..126.6, ns),
            proptest::collection::vec(
                (126.4f64..126.6, proptest::option::of(0..ns), 1.0f64..80.0),
                nb,
            ),
            proptest::collection::vec(proptest::array::uniform6((5.0f64..60.0, 5.0f64..60.0)), ns),
            proptest::collection::vec(
                proptest::option::weighted(
                    0.5,
                    (proptest::option::of(0..ns), 2026i32..=2029, any::<bool>()),
                ),
                ns,
            ),
        )
            .prop_map(|(schools, blocks, history, changes)| Random {
                schools,
                blocks,
                history,
                changes,
            })
    })
}

impl Random {
    /// The dataset, births and history, and the scenario: school 0 is
    /// always kept; a merger into a school that changes goes to school 0.
    fn build(&self) -> (Dataset, Births, Enrollment, Scenario) {
        let mut zones = Zones::new(self.blocks.len());
        for (b, &(_, z, _)) in self.blocks.iter().enumerate() {
            zones.school.one[b] = z.map(SchoolIx::from_ix);
        }
        let data = Dataset {
            schools: self
                .schools
                .iter()
                .enumerate()
                .map(|(i, &lon)| school(&format!("S{i}"), lon))
                .collect(),
            blocks: self
                .blocks
                .iter()
                .enumerate()
                .map(|(i, &(lon, _, _))| block(&format!("b{i}"), lon))
                .collect(),
            zones: Some(zones),
            ..Default::default()
        };
        let mut births = Births::new();
        for (b, &(_, _, n)) in self.blocks.iter().enumerate() {
            for y in 2012..=2023 {
                births.insert((BlockIx::from_ix(b), y), n + f64::from(y % 3));
            }
        }
        let mut h = Enrollment::new();
        for (s, grades) in self.history.iter().enumerate() {
            for (g, &(a, b)) in grades.iter().enumerate() {
                h.insert((SchoolIx::from_ix(s), g as u8 + 1, 2024), a);
                h.insert((SchoolIx::from_ix(s), g as u8 + 1, 2025), b);
            }
        }
        let mut sc = Scenario::plain("random", Grade::One, 1);
        let kept = |s: usize| s == 0 || self.changes[s].is_none();
        for (s, c) in self.changes.iter().enumerate().skip(1) {
            let Some((into, year, entry_only)) = *c else {
                continue;
            };
            let phase_out = if entry_only {
                PhaseOut::EntryOnly
            } else {
                PhaseOut::AllGrades
            };
            let id = data.schools[s].id.clone();
            match into {
                None => sc.closures.push(Closure {
                    school: id,
                    year: Some(year),
                    phase_out,
                }),
                Some(t) => sc.mergers.push(Merger {
                    from: id,
                    into: data.schools[if t != s && kept(t) { t } else { 0 }]
                        .id
                        .clone(),
                    move_seats: true,
                    branch_seats: None,
                    year: Some(year),
                    phase_out,
                }),
            }
        }
        (data, births, h, sc)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever closes or merges when, the district's pupils per grade and
    /// year are the baseline's, and a school closed with `all_grades` has
    /// no pupils from its year on.
    #[test]
    fn random_closures_and_mergers_keep_the_districts_pupils(r in random()) {
        let (data, births, history, sc) = r.build();
        let applied = sc.applied_as_of(data.clone(), 2029, FutureSchools::NotYetOpen);
        prop_assert!(applied.errors.is_empty(), "{} errors", applied.errors.len());
        let f = feeds(&data);
        let housing = Housing::new();
        let inputs = Inputs {
            data: &data,
            feeds: &f,
            births: &births,
            history: &history,
            housing: &housing,
            new_schools: &[],
        };
        let p = project_scenario(&inputs, &sc, 4, &ForecastPolicy::default()).unwrap();
        let sum = |m: &Enrollment, g: u8, y: i32| -> f64 {
            m.iter().filter(|(k, _)| k.1 == g && k.2 == y).map(|(_, v)| v).sum()
        };
        for y in 2026..=2029 {
            for g in 1..=6u8 {
                let (b, s) = (sum(&p.baseline.enrolled, g, y), sum(&p.projection.enrolled, g, y));
                prop_assert!((b - s).abs() <= 1e-6 * b.abs().max(1.0), "{y} grade {g}: {b} vs {s}");
                prop_assert!(s >= 0.0);
            }
        }
        let gone: Vec<(&SchoolId, i32)> = sc
            .closures
            .iter()
            .filter(|c| c.phase_out == PhaseOut::AllGrades)
            .map(|c| (&c.school, c.year.unwrap()))
            .chain(
                sc.mergers
                    .iter()
                    .filter(|m| m.phase_out == PhaseOut::AllGrades)
                    .map(|m| (&m.from, m.year.unwrap())),
            )
            .collect();
        for (id, year) in gone {
            let s = data.schools.iter().position(|x| &x.id == id).unwrap();
            for (k, v) in &p.projection.enrolled {
                if k.0 == SchoolIx::from_ix(s) && k.2 >= year {
                    prop_assert!(*v == 0.0, "{id:?} closed in {year}: {v} in grade {} of {}", k.1, k.2);
                }
            }
        }
    }
}
