//! The bundled Longtan demo data: inside the real boundary, of the stated
//! size, and exactly what the seeded generator makes.

use std::path::PathBuf;

use geo::Intersects;
use sunshine::domain::model::{Grade, Home};
use sunshine::io::{dataset, Encoding};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/longtan")
}

#[test]
fn every_point_is_inside_the_real_boundary() {
    let mut d = sunshine::Diagnostics::new();
    let boundary = dataset::read_boundary(&dir().join("boundary.geojson"), &mut d).unwrap();
    // geo's own predicate, independent of the strip index used in validation
    let shape = boundary.shape().clone();
    let schools =
        dataset::read_schools(&dir().join("schools.csv"), Encoding::Auto, None, &mut d).unwrap();
    let blocks =
        dataset::read_blocks(&dir().join("blocks.csv"), Encoding::Auto, None, &mut d).unwrap();
    assert!(d.is_empty());
    for s in &schools {
        assert!(shape.intersects(&s.location), "school {} outside", s.id);
    }
    for b in &blocks {
        assert!(shape.intersects(&b.location), "block {} outside", b.id);
    }
    for name in [
        "天昌小学",
        "江北乡柳树小学",
        "乌拉街满族镇中心小学",
        "乌拉街镇中学",
        "金珠学校",
        "江密峰学校",
        "缸窑中学",
        "缸窑镇中心小学",
        "大口钦中学",
        "实验学校",
        "第二实验小学",
        "双语实验学校",
        "江北实验学校",
        "十六中学",
        "江机中学",
        "杨木实验学校",
    ] {
        assert!(schools.iter().any(|s| s.name == name), "{name} missing");
    }
}

#[test]
fn cohort_sizes_fit_the_district() {
    let input = sunshine::io::load(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/longtan-2025.toml"),
        None,
    )
    .unwrap();
    let data = &input.data;
    for g in Grade::ALL {
        let n = data.students.iter().filter(|s| s.entry_grade == g).count();
        assert!((2700..=3300).contains(&n), "{g:?}: {n}");
        let urban = data
            .students
            .iter()
            .filter(|s| s.entry_grade == g)
            .filter(|s| matches!(s.home, Home::Block(b) if data.block(b).town == "城区"))
            .count();
        let share = urban as f64 / n as f64;
        assert!((0.75..=0.85).contains(&share), "{g:?}: urban share {share}");
    }
}

#[test]
fn generator_reproduces_the_bundled_files() {
    let mut d = sunshine::Diagnostics::new();
    let boundary = dataset::read_boundary(&dir().join("boundary.geojson"), &mut d).unwrap();
    let data = sunshine::synth::longtan(2025, Some(&boundary));
    let same = |name: &str, bytes: Vec<u8>| {
        let on_disk = std::fs::read(dir().join(name)).unwrap();
        assert!(
            on_disk == bytes,
            "{name} differs from `sunshine generate longtan --seed 2025`"
        );
    };
    same("schools.csv", dataset::schools_csv(&data.schools));
    same("blocks.csv", dataset::blocks_csv(&data.blocks));
    same(
        "students.csv",
        dataset::students_csv_with(&data, &sunshine::synth::demo_column_names()),
    );
    same(
        "seat_history.csv",
        dataset::seat_history_csv(&data, &data.seat_history),
    );
    same(
        "zones.csv",
        dataset::zones_csv(&data, data.zones.as_ref().unwrap()),
    );
    // the admission routes (issue 15)
    same("feeders.csv", dataset::feeders_csv(&data));
    same("districts.csv", dataset::districts_csv(&data));
    // the forecast inputs: the history splits the shared zone LT-G1's
    // births between LT-N01 and LT-P02 by seats, as the projection does
    let (births, history, housing) = sunshine::synth::longtan_history(&data, 2025);
    use sunshine::io::forecast as f;
    same("births.csv", f::births_csv(&data, &births));
    same("enrollment_history.csv", f::history_csv(&data, &history));
    same("housing.csv", f::housing_csv(&data, &housing));
}

/// The columns of the priority rules (issue 14): one property per family,
/// dates where the flags say they exist, a few 优抚 and stated 服从调剂,
/// triplets, and a seat history that locks some homes at their zone
/// school and exempts others through a sibling.
#[test]
fn rule_columns_of_the_demo() {
    use sunshine::domain::model::Student;
    use sunshine::domain::value::Value;
    let mut d = sunshine::Diagnostics::new();
    let boundary = dataset::read_boundary(&dir().join("boundary.geojson"), &mut d).unwrap();
    let data = sunshine::synth::longtan(2025, Some(&boundary));
    let col = |name: &str| {
        sunshine::synth::DEMO_COLUMNS
            .iter()
            .position(|(n, _)| *n == name)
            .unwrap()
    };
    let n = data.students.len() as f64;
    let preferential = data
        .students
        .iter()
        .filter(|s| s.extra[col("preferential")] == Value::Bool(true))
        .count() as f64;
    assert!(
        (0.004..=0.012).contains(&(preferential / n)),
        "{preferential}"
    );
    // 服从调剂 stated by a few; never a stated refusal, which would decline
    // applicants under today's rules too and change the baseline's placements
    let accept = data
        .students
        .iter()
        .filter(|s| s.accept_overflow == Some(true))
        .count() as f64;
    assert!((0.01..=0.05).contains(&(accept / n)), "{accept}");
    assert!(data
        .students
        .iter()
        .all(|s| s.accept_overflow != Some(false)));
    let mut families: std::collections::HashMap<&str, Vec<&Student>> = Default::default();
    for s in &data.students {
        assert_eq!(s.property_id.is_some(), s.property_in_block);
        let has = |c: &str| !matches!(s.extra[col(c)], Value::Missing);
        assert_eq!(has("property_date"), s.property_in_block);
        assert_eq!(has("hukou_date"), s.hukou_in_block);
        assert_eq!(has("residence_date"), s.migrant);
        assert_eq!(has("points"), s.migrant);
        if let Some(f) = &s.family {
            families.entry(f).or_default().push(s);
        }
    }
    assert!(families.values().any(|m| m.len() == 3), "triplets");
    assert!(families.len() > 100, "{} families", families.len());
    for m in families.values() {
        let owners: std::collections::HashSet<_> =
            m.iter().filter_map(|s| s.property_id.as_deref()).collect();
        assert!(owners.len() <= 1, "one property per family");
    }
    // the seat lock bites: homes that gave a seat at the zone school in
    // 2020–2024, with and without a sibling there
    let zones = data.zones.as_ref().unwrap();
    let (mut locked, mut exempt) = (0, 0);
    for s in data.students.iter().filter(|s| s.entry_grade == Grade::One) {
        let (Some(p), sunshine::domain::model::Home::Block(b)) = (&s.property_id, s.home) else {
            continue;
        };
        let Some(z) = zones.school.one[b.ix()] else {
            continue;
        };
        let used = data
            .seat_history
            .iter()
            .any(|u| &u.property == p && u.school == z && (2020..=2024).contains(&u.year));
        match (used, s.sibling_school == Some(z)) {
            (true, true) => exempt += 1,
            (true, false) => locked += 1,
            _ => {}
        }
    }
    assert!(
        locked >= 20 && exempt >= 20,
        "locked {locked}, exempt {exempt}"
    );
}

/// The demo's admission routes (issue 15) read back as generated: private
/// schools, 大学区, current schools and feeder routes; and the routes
/// scenario loads on them.
#[test]
fn route_files_read_back() {
    use sunshine::domain::routes::Sector;
    let mut d = sunshine::Diagnostics::new();
    let boundary = dataset::read_boundary(&dir().join("boundary.geojson"), &mut d).unwrap();
    let data = sunshine::synth::longtan(2025, Some(&boundary));
    let input = sunshine::io::load(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/longtan-2025-junior-routes.toml"),
        None,
    )
    .unwrap();
    let read = &input.data;
    assert_eq!(read.feeders, data.feeders);
    assert_eq!(read.district_names, data.district_names);
    for (a, b) in read.schools.iter().zip(&data.schools) {
        assert_eq!((&a.id, a.sector, a.district), (&b.id, b.sector, b.district));
    }
    for (a, b) in read.students.iter().zip(&data.students) {
        assert_eq!((&a.id, a.current_school), (&b.id, b.current_school));
    }
    let private = read.private_schools(Grade::Seven);
    assert_eq!(private.len(), 2);
    assert!(private
        .iter()
        .all(|&s| read.school(s).sector == Sector::Private));
    let routes = &input.scenario.policy.routes;
    assert!(routes.seed_stated);
    assert_eq!(
        routes.overflow_scope,
        sunshine::domain::routes::OverflowScope::DistrictFirst
    );
}

/// The bundled Longtan dataset as read and its forecast inputs.
fn longtan_with_history() -> (
    sunshine::domain::model::Dataset,
    sunshine::planning::forecast::Births,
    sunshine::planning::forecast::Enrollment,
) {
    let input = sunshine::io::load(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/longtan-2025.toml"),
        None,
    )
    .unwrap();
    let mut d = sunshine::Diagnostics::new();
    let (births, history, _) = sunshine::io::forecast::read(
        &dir(),
        &input.base,
        Encoding::Auto,
        &input.scenario.forecast.housing_types(),
        &mut d,
    )
    .unwrap();
    assert_eq!(d.error_count(), 0);
    (input.base, births, history)
}

/// Applicants of `grade` zoned to each school, recomputed from
/// `students.csv`, `zones.csv` and `zone_groups.csv`: a multi-school
/// zone's applicants split by entry seats, as the projection splits them.
fn zoned_applicants(data: &sunshine::domain::model::Dataset, grade: Grade) -> Vec<f64> {
    use sunshine::planning::forecast::split_by_seats;
    let zones = data.zones.as_ref().unwrap();
    let mut zoned = vec![0.0; data.schools.len()];
    for st in data.students.iter().filter(|s| s.entry_grade == grade) {
        let Home::Block(b) = st.home else {
            panic!("{}: the demo's applicants live in blocks", st.id)
        };
        if let Some(s) = zones.school.get(grade)[b.ix()] {
            zoned[s.ix()] += 1.0;
        } else {
            let g = zones.group.get(grade)[b.ix()].expect("every block is zoned");
            for (s, share) in split_by_seats(data, &zones.groups[g as usize].schools).unwrap() {
                zoned[s.ix()] += share;
            }
        }
    }
    zoned
}

/// Issue 16: the bundled history agrees with this year's applicants. Per
/// public school and entry grade (1 and 7), the 2025 history of the entry
/// grade is within 3 pupils or 10% of the applicants zoned to it, and the
/// district within 2%.
#[test]
fn history_agrees_with_this_years_applicants() {
    use sunshine::domain::model::SchoolIx;
    let (data, _, history) = longtan_with_history();
    for (grade, entry) in [(Grade::One, 1u8), (Grade::Seven, 7)] {
        let zoned = zoned_applicants(&data, grade);
        let (mut h_all, mut a_all) = (0.0, 0.0);
        for (s, school) in data.schools.iter().enumerate() {
            let h = history.get(&(SchoolIx::from_ix(s), entry, 2025)).copied();
            let a = zoned[s];
            if a == 0.0 && h.is_none() {
                continue;
            }
            let h = h.unwrap_or(0.0);
            assert!(
                (h - a).abs() <= (0.1 * a).max(3.0),
                "{} grade {entry}: history 2025 {h}, zoned applicants {a:.1}",
                school.id
            );
            h_all += h;
            a_all += a;
        }
        assert!(
            (h_all - a_all).abs() <= 0.02 * a_all,
            "grade {entry}: history 2025 {h_all}, applicants {a_all}"
        );
    }
}

/// Issue 16: no grade of the bundled history is above 55 pupils per class
/// (pupils ÷ the school's classes in `schools.csv`; 大班额 from 56) unless
/// the applicants and births imply it (`synth::classes_beyond_the_data`).
/// `data/longtan/README.md` ("Pupils per class") names the zones with more
/// children than classes.
#[test]
fn no_class_above_55_unless_the_applicants_say_so() {
    let (data, births, history) = longtan_with_history();
    let beyond = sunshine::synth::classes_beyond_the_data(&data, &births, &history);
    assert!(beyond.is_empty(), "{beyond:#?}");
}
