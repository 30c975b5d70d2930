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
    same("students.csv", dataset::students_csv(&data));
    same(
        "zones.csv",
        dataset::zones_csv(&data, data.zones.as_ref().unwrap()),
    );
    // the forecast inputs: the history splits the shared zone LT-G1's
    // births between LT-N01 and LT-P02 by seats, as the projection does
    let (births, history, housing) = sunshine::synth::longtan_history(&data, 2025);
    use sunshine::io::forecast as f;
    same("births.csv", f::births_csv(&data, &births));
    same("enrollment_history.csv", f::history_csv(&data, &history));
    same("housing.csv", f::housing_csv(&data, &housing));
}
