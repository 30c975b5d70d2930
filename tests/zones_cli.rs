//! `sunshine zones` on the bundled Longtan data: every block in exactly one
//! zone, no zone over its limit, every zone connected (checked with a
//! neighbour graph built here from geo's DE-9IM relate, not the library's),
//! valid GeoJSON that GDAL opens, stability under `--previous`, repeatable
//! outputs, and a zone file that `place` reads.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{json, records, root, sunshine};

use geo::{BooleanOps, BoundingRect, Intersects, MultiPolygon, Validation};

fn zones(scenario: &str, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["zones", scenario, "--out", out.to_str().unwrap()];
    args.extend(extra);
    let o = sunshine(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn longtan_zones_are_complete_within_limits_and_connected() {
    let dir = tempfile::tempdir().unwrap();
    let text = zones("scenarios/longtan-2025.toml", dir.path(), &[]);
    assert!(text.contains("zones not connected: 0"), "{text}");

    // every block exactly once
    let blocks: Vec<String> = records(&root().join("data/longtan/blocks.csv"))
        .into_iter()
        .map(|r| r["block_id"].clone())
        .collect();
    let zoned = records(&dir.path().join("zones.csv"));
    let mut seen: HashMap<String, String> = HashMap::new();
    for r in &zoned {
        assert_eq!(r["grade"], "1");
        assert!(
            seen.insert(r["block_id"].clone(), r["school_id"].clone())
                .is_none(),
            "{} twice",
            r["block_id"]
        );
    }
    assert_eq!(seen.len(), blocks.len());
    assert!(blocks.iter().all(|b| seen.contains_key(b)));

    // no zone over seats × (1 + slack) (slack 0 in this scenario), counted
    // here from the applicants
    let mut applicants: HashMap<String, u32> = HashMap::new();
    for s in records(&root().join("data/longtan/students.csv")) {
        if s["entry_grade"] == "1" && s["disability"] != "severe" && !s["block_id"].is_empty() {
            *applicants.entry(seen[&s["block_id"]].clone()).or_default() += 1;
        }
    }
    let seats: HashMap<String, u32> = records(&root().join("data/longtan/schools.csv"))
        .into_iter()
        .map(|r| (r["school_id"].clone(), r["entry_seats"].parse().unwrap()))
        .collect();
    let summary = records(&dir.path().join("zones_summary.csv"));
    assert!(summary.len() >= 15);
    for r in &summary {
        let id = &r["school_id"];
        let n = applicants.get(id).copied().unwrap_or(0);
        assert_eq!(r["applicants"].parse::<u32>().unwrap(), n, "{id}");
        assert!(
            n <= seats[id],
            "{id}: {n} applicants for {} seats",
            seats[id]
        );
        assert_eq!(r["connected"], "true", "{id}");
        let pp: f64 = r["polsby_popper"].parse().unwrap();
        assert!(pp > 0.0 && pp <= 1.0, "{id}: {pp}");
    }

    // connected, by a neighbour graph built here another way: two blocks
    // neighbour when their unclipped Voronoi cells share an edge (two common
    // vertices) of which more than 1 m lies inside the district, measured
    // by geo's line clipping
    let pts: Vec<geo::Point<f64>> = records(&root().join("data/longtan/blocks.csv"))
        .iter()
        .map(|r| geo::Point::new(r["lon"].parse().unwrap(), r["lat"].parse().unwrap()))
        .collect();
    let boundary = boundary();
    let cells = sunshine::planning::zones::cells::cells(&pts, Some(&boundary)).unwrap();
    let n = pts.len();
    let rects: Vec<_> = cells.raw.iter().map(|c| c.bounding_rect()).collect();
    let mut nbrs: Vec<Vec<usize>> = vec![Vec::new(); n];
    let same = |a: &geo::Coord<f64>, b: &geo::Coord<f64>| {
        (a.x - b.x).abs() < 1e-3 && (a.y - b.y).abs() < 1e-3
    };
    for i in 0..n {
        for j in i + 1..n {
            let (Some(a), Some(b)) = (rects[i], rects[j]) else {
                continue;
            };
            if !a.intersects(&b) {
                continue;
            }
            let vi = &cells.raw[i].exterior().0;
            let vj = &cells.raw[j].exterior().0;
            let mut common: Vec<geo::Coord<f64>> = Vec::new();
            for c in &vi[..vi.len() - 1] {
                if vj.iter().any(|d| same(c, d)) && !common.iter().any(|e| same(c, e)) {
                    common.push(*c);
                }
            }
            if common.len() != 2 {
                continue;
            }
            let seg = geo::MultiLineString(vec![geo::LineString(common)]);
            let inside = cells.district.clip(&seg, false);
            if geo::Length::length(&geo::Euclidean, &inside) > 1.0 {
                nbrs[i].push(j);
                nbrs[j].push(i);
            }
        }
    }
    let lists = cells.neighbours.lists();
    for i in 0..n {
        let mut lib = lists[i].clone();
        lib.sort();
        assert_eq!(lib, nbrs[i], "neighbours of block {}", blocks[i]);
    }
    let zone_of: Vec<&String> = blocks.iter().map(|b| &seen[b]).collect();
    let mut by_zone: BTreeMap<&String, Vec<usize>> = BTreeMap::new();
    for (i, z) in zone_of.iter().enumerate() {
        by_zone.entry(z).or_default().push(i);
    }
    for (z, members) in &by_zone {
        let set: HashSet<usize> = members.iter().copied().collect();
        let mut stack = vec![members[0]];
        let mut reached = HashSet::from([members[0]]);
        while let Some(x) = stack.pop() {
            for &y in &nbrs[x] {
                if set.contains(&y) && reached.insert(y) {
                    stack.push(y);
                }
            }
        }
        assert_eq!(reached.len(), members.len(), "zone of {z} is not connected");
    }
}

fn boundary() -> MultiPolygon<f64> {
    let text = std::fs::read_to_string(root().join("data/longtan/boundary.geojson")).unwrap();
    let gj: geojson::GeoJson = text.parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("a FeatureCollection")
    };
    let g = fc.features[0].geometry.clone().unwrap();
    let geom: geo::Geometry<f64> = g.try_into().unwrap();
    match geom {
        geo::Geometry::MultiPolygon(m) => m,
        geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn geojson_is_valid_and_gdal_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    zones("scenarios/longtan-2025.toml", dir.path(), &[]);
    let path = dir.path().join("zones.geojson");
    let gj: geojson::GeoJson = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("a FeatureCollection")
    };
    assert_eq!(
        fc.features.len(),
        records(&dir.path().join("zones_summary.csv")).len()
    );
    let district = boundary();
    let mut area = 0.0;
    for f in &fc.features {
        let g = f.geometry.clone().unwrap();
        let raw = serde_json::to_value(&g).unwrap();
        assert_eq!(raw["type"], "MultiPolygon");
        for poly in raw["coordinates"].as_array().unwrap() {
            for ring in poly.as_array().unwrap() {
                let ring = ring.as_array().unwrap();
                assert!(ring.len() >= 4, "a ring needs 4 positions");
                assert_eq!(ring.first(), ring.last(), "ring not closed");
            }
        }
        let mp: geo::MultiPolygon<f64> = g.try_into().unwrap();
        let problems = mp.validation_errors();
        assert!(
            problems.is_empty(),
            "{:?}: {problems:?}",
            f.property("school_id")
        );
        area += geo::Area::unsigned_area(&mp);
        for key in [
            "school_id",
            "seats",
            "expected_applicants",
            "utilisation",
            "blocks",
            "mean_km",
            "max_km",
            "polsby_popper",
        ] {
            assert!(f.property(key).is_some(), "missing property {key}");
        }
    }
    // the zones tile the district: no overlaps, no gaps (areas in degrees²)
    let d = geo::Area::unsigned_area(&district);
    assert!(
        (area / d - 1.0).abs() < 1e-6,
        "zones {area} vs district {d}"
    );

    // GDAL
    let Ok(o) = Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(&path)
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "ogrinfo missing on CI: .ci/run installs gdal-bin"
        );
        eprintln!("ogrinfo not installed: the GDAL check is skipped here (CI installs gdal-bin)");
        return;
    };
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("ERROR") && !err.contains("Warning"), "{err}");
    assert!(out.contains("Geometry: Multi Polygon"), "{out}");
    assert!(
        out.contains(&format!("Feature Count: {}", fc.features.len())),
        "{out}"
    );
}

#[test]
fn previous_zones_unchanged_inputs_no_block_moves() {
    let first = tempfile::tempdir().unwrap();
    zones("scenarios/longtan-2025.toml", first.path(), &[]);
    let second = tempfile::tempdir().unwrap();
    let prev = first.path().join("zones.csv");
    let text = zones(
        "scenarios/longtan-2025.toml",
        second.path(),
        &["--previous", prev.to_str().unwrap()],
    );
    let j = json(&second.path().join("zones.json"));
    assert_eq!(j["blocks_moved"], 0, "{text}");
    assert_eq!(j["blocks_with_previous_zone"], 392);
    assert_eq!(
        std::fs::read(first.path().join("zones.csv")).unwrap(),
        std::fs::read(second.path().join("zones.csv")).unwrap()
    );
    assert!(records(&second.path().join("block_zones.csv"))
        .iter()
        .all(|r| r["moved"] == "false"));
}

#[test]
fn a_closure_moves_only_what_it_must_with_previous_zones() {
    // this year's zones, then the closure scenario with them as previous:
    // the closed schools' blocks must move; the penalty keeps most others
    let base = tempfile::tempdir().unwrap();
    zones("scenarios/longtan-2025.toml", base.path(), &[]);
    let out = tempfile::tempdir().unwrap();
    let prev = base.path().join("zones.csv");
    zones(
        "scenarios/close-tianchang-liushu.toml",
        out.path(),
        &["--previous", prev.to_str().unwrap()],
    );
    let before: HashMap<String, String> = records(&prev)
        .into_iter()
        .map(|r| (r["block_id"].clone(), r["school_id"].clone()))
        .collect();
    let after = records(&out.path().join("block_zones.csv"));
    let closed = ["LT-P08", "LT-P09"];
    let mut forced = 0;
    let mut other = 0;
    for r in &after {
        assert!(
            !closed.contains(&r["school_id"].as_str()),
            "{} still zoned to a closed school",
            r["block_id"]
        );
        let was = &before[&r["block_id"]];
        if closed.contains(&was.as_str()) {
            forced += 1;
            assert_eq!(
                r["previous_school_id"], "",
                "a closed school is no previous zone to keep"
            );
        } else if &r["school_id"] != was {
            other += 1;
        }
    }
    assert!(forced >= 10, "{forced}");
    let j = json(&out.path().join("zones.json"));
    assert_eq!(j["blocks_moved"], other);
    assert!(
        other < after.len() / 4,
        "{other} blocks moved besides the {forced} that had to"
    );
    assert_eq!(j["zones_not_connected"], 0);
}

#[test]
fn outputs_are_byte_identical_across_runs_and_thread_counts() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    zones("scenarios/longtan-2025.toml", a.path(), &["--threads", "1"]);
    zones("scenarios/longtan-2025.toml", b.path(), &["--threads", "2"]);
    for f in [
        "zones.csv",
        "block_zones.csv",
        "zones_summary.csv",
        "zones.geojson",
        "zones.svg",
        "zones.json",
    ] {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn place_reads_the_zone_file() {
    let out = tempfile::tempdir().unwrap();
    zones("scenarios/longtan-2025.toml", out.path(), &[]);
    // a copy of the dataset whose zones.csv is the one just computed
    let computed = std::fs::read_to_string(out.path().join("zones.csv")).unwrap();
    let (_data, scenario) = dataset_with(&[("zones.csv", &computed)]);
    let placed = tempfile::tempdir().unwrap();
    let o = sunshine(&[
        "place",
        scenario.to_str().unwrap(),
        "--out",
        placed.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let zone: HashMap<String, String> = records(&out.path().join("zones.csv"))
        .into_iter()
        .map(|r| (r["block_id"].clone(), r["school_id"].clone()))
        .collect();
    let rows = records(&placed.path().join("placements.csv"));
    assert!(rows.len() > 2000);
    for r in rows.iter().filter(|r| {
        !r["block_id"].is_empty()
            && r["outcome"] != "special_school"
            && r["outcome"] != "home_teaching"
    }) {
        assert_eq!(
            r["zone_school_id"], zone[&r["block_id"]],
            "{}",
            r["student_id"]
        );
    }
}

#[test]
fn bad_previous_and_adjacency_files_are_reported_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let prev = dir.path().join("prev.csv");
    std::fs::write(
        &prev,
        "block_id,school_id\nU001,LT-P21\nNOPE,LT-P21\nU002,NOSCHOOL\n",
    )
    .unwrap();
    let o = sunshine(&[
        "zones",
        "scenarios/longtan-2025.toml",
        "--out",
        dir.path().join("o").to_str().unwrap(),
        "--previous",
        prev.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("prev.csv:3: column 1 (block_id): unknown block `NOPE`"),
        "{err}"
    );
    assert!(
        err.contains("prev.csv:4: column 2 (school_id): unknown school `NOSCHOOL`"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert!(
        !dir.path().join("o").exists(),
        "nothing is written on bad input"
    );

    let o = sunshine(&[
        "zones",
        "scenarios/longtan-2025.toml",
        "--out",
        dir.path().join("o").to_str().unwrap(),
        "--method",
        "exact",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("[possible values: auto, mip, heuristic]"));
}

/// A copy of the Longtan dataset with extra files, and a scenario on it.
fn dataset_with(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let data = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(root().join("data/longtan")).unwrap() {
        let f = f.unwrap().path();
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        if name.ends_with(".csv") || name.ends_with(".geojson") {
            std::fs::copy(&f, data.path().join(&name)).unwrap();
        }
    }
    for (name, text) in files {
        std::fs::write(data.path().join(name), text).unwrap();
    }
    let scenario = data.path().join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"copy\"\nyear = 2025\ndataset = \".\"\nlevel = \"primary\"\n",
    )
    .unwrap();
    (data, scenario)
}

#[test]
fn a_bad_adjacency_file_is_reported_with_exit_2() {
    let (data, scenario) = dataset_with(&[(
        "adjacency.csv",
        "block_id,neighbour_id\nU001,U002\nU003,U003\nU004,ZZZ\n",
    )]);
    let out = data.path().join("out");
    let o = sunshine(&[
        "zones",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("adjacency.csv:3: column 2 (neighbour_id): a block is not its own neighbour"),
        "{err}"
    );
    assert!(
        err.contains("adjacency.csv:4: column 2 (neighbour_id): unknown block `ZZZ`"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn a_given_adjacency_replaces_the_cells() {
    // chain every block to the next in file order: zones must be runs of
    // consecutive blocks (connected in the chain)
    let blocks: Vec<String> = records(&root().join("data/longtan/blocks.csv"))
        .into_iter()
        .map(|r| r["block_id"].clone())
        .collect();
    let mut adj = String::from("block_id,neighbour_id\n");
    for w in blocks.windows(2) {
        adj.push_str(&format!("{},{}\n", w[0], w[1]));
    }
    let (data, scenario) = dataset_with(&[("adjacency.csv", &adj)]);
    let out = data.path().join("out");
    let o = sunshine(&[
        "zones",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--method",
        "heuristic",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = json(&out.join("zones.json"));
    let zoned: HashMap<String, String> = records(&out.join("zones.csv"))
        .into_iter()
        .map(|r| (r["block_id"].clone(), r["school_id"].clone()))
        .collect();
    // each connected zone is one run of the chain
    let mut runs: HashMap<&String, usize> = HashMap::new();
    for (i, b) in blocks.iter().enumerate() {
        if i == 0 || zoned[b] != zoned[&blocks[i - 1]] {
            *runs.entry(&zoned[b]).or_default() += 1;
        }
    }
    let not_connected = j["zones_not_connected"].as_u64().unwrap() as usize;
    let split = runs.values().filter(|&&r| r > 1).count();
    assert_eq!(
        split, not_connected,
        "zones in several runs must be the ones reported not connected"
    );
    assert!(
        j["gap"].is_null(),
        "no gap for a zoning that breaks the rules: {j}"
    );
}

/// Neighbours built here, not by the library: blocks at the same point,
/// and blocks whose unclipped Voronoi cells share an edge (two common
/// vertices) of which more than 1 m lies inside the district.
fn independent_neighbours(pts: &[geo::Point<f64>]) -> Vec<Vec<usize>> {
    let cells = sunshine::planning::zones::cells::cells(pts, Some(&boundary())).unwrap();
    let n = pts.len();
    let same = |a: &geo::Coord<f64>, b: &geo::Coord<f64>| {
        (a.x - b.x).abs() < 1e-3 && (a.y - b.y).abs() < 1e-3
    };
    // one representative per position
    let mut first: HashMap<(u64, u64), usize> = HashMap::new();
    let rep: Vec<usize> = pts
        .iter()
        .enumerate()
        .map(|(i, p)| *first.entry((p.x().to_bits(), p.y().to_bits())).or_insert(i))
        .collect();
    let reps: Vec<usize> = (0..n).filter(|&i| rep[i] == i).collect();
    let rects: Vec<_> = cells.raw.iter().map(|c| c.bounding_rect()).collect();
    let mut rep_nbrs: HashMap<usize, Vec<usize>> = HashMap::new();
    for (a, &i) in reps.iter().enumerate() {
        for &j in &reps[a + 1..] {
            let (Some(ri), Some(rj)) = (rects[i], rects[j]) else {
                continue;
            };
            if !ri.intersects(&rj) {
                continue;
            }
            let vi = &cells.raw[i].exterior().0;
            let vj = &cells.raw[j].exterior().0;
            let mut common: Vec<geo::Coord<f64>> = Vec::new();
            for c in &vi[..vi.len() - 1] {
                if vj.iter().any(|d| same(c, d)) && !common.iter().any(|e| same(c, e)) {
                    common.push(*c);
                }
            }
            if common.len() != 2 {
                continue;
            }
            let seg = geo::MultiLineString(vec![geo::LineString(common)]);
            let inside = cells.district.clip(&seg, false);
            if geo::Length::length(&geo::Euclidean, &inside) > 1.0 {
                rep_nbrs.entry(i).or_default().push(j);
                rep_nbrs.entry(j).or_default().push(i);
            }
        }
    }
    let mut at: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &r) in rep.iter().enumerate() {
        at.entry(r).or_default().push(i);
    }
    (0..n)
        .map(|i| {
            let mut v: Vec<usize> = at[&rep[i]].iter().copied().filter(|&j| j != i).collect();
            for r in rep_nbrs.get(&rep[i]).into_iter().flatten() {
                v.extend(&at[r]);
            }
            v.sort_unstable();
            v
        })
        .collect()
}

/// Issue 12 item 15: blocks at one address (several 小区 geocoded to one
/// street number) share one cell. 200 copies of U002 at its coordinates,
/// the first five with one applicant each, must not slow `zones` down
/// beyond 3× the run without them (on main: 6×, and 1,000 copies took
/// over 5 minutes); every copy is in exactly one zone, every zone is
/// connected by the neighbour graph and within its seats.
#[test]
fn co_located_blocks_share_one_cell_and_zones_stay_fast() {
    let run = |dir: &Path, scenario: &Path| -> std::time::Duration {
        let out = dir.join("out");
        let t = std::time::Instant::now();
        let o = sunshine(&[
            "zones",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--method",
            "heuristic",
        ]);
        let took = t.elapsed();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        took
    };
    let (base, base_scenario) = dataset_with(&[]);
    let base_time = run(base.path(), &base_scenario);

    let copies = 200;
    let mut blocks = std::fs::read_to_string(root().join("data/longtan/blocks.csv")).unwrap();
    let u002 = records(&root().join("data/longtan/blocks.csv"))
        .into_iter()
        .find(|r| r["block_id"] == "U002")
        .unwrap();
    let mut students = std::fs::read_to_string(root().join("data/longtan/students.csv")).unwrap();
    // the demo's optional columns (priority rules, issue 14) left empty
    let fields = students.lines().next().unwrap().split(',').count();
    let pad = ",".repeat(fields - 9);
    for i in 1..=copies {
        blocks.push_str(&format!(
            "C{i:04},同址小区{i:04},城区,{},{},10\n",
            u002["lon"], u002["lat"]
        ));
        if i <= 5 {
            students.push_str(&format!(
                "{},C{i:04},1,F,true,true,false,false,none{pad}\n",
                900_000 + i
            ));
        }
    }
    let (data, scenario) = dataset_with(&[("blocks.csv", &blocks), ("students.csv", &students)]);
    let time = run(data.path(), &scenario);
    assert!(
        time < 3 * base_time,
        "{copies} co-located copies: {time:?}, without them {base_time:?}"
    );

    let out = data.path().join("out");
    let j = json(&out.join("zones.json"));
    assert_eq!(j["zones_not_connected"], 0, "{j}");
    assert_eq!(j["applicants_over_limit"], 0, "{j}");
    let rows = records(&data.path().join("blocks.csv"));
    let ids: Vec<String> = rows.iter().map(|r| r["block_id"].clone()).collect();
    let pts: Vec<geo::Point<f64>> = rows
        .iter()
        .map(|r| geo::Point::new(r["lon"].parse().unwrap(), r["lat"].parse().unwrap()))
        .collect();
    // every block, copies included, in exactly one zone
    let mut zone: HashMap<String, String> = HashMap::new();
    for r in records(&out.join("zones.csv")) {
        assert!(
            zone.insert(r["block_id"].clone(), r["school_id"].clone())
                .is_none(),
            "{} twice",
            r["block_id"]
        );
    }
    assert_eq!(zone.len(), ids.len());
    assert!(ids.iter().all(|b| zone.contains_key(b)));
    // seats, counted here from the applicants
    let mut applicants: HashMap<&String, u32> = HashMap::new();
    for s in records(&data.path().join("students.csv")) {
        if s["entry_grade"] == "1" && s["disability"] != "severe" && !s["block_id"].is_empty() {
            *applicants.entry(&zone[&s["block_id"]]).or_default() += 1;
        }
    }
    for r in records(&data.path().join("schools.csv")) {
        let n = applicants.get(&r["school_id"]).copied().unwrap_or(0);
        let seats: u32 = r["entry_seats"].parse().unwrap();
        assert!(
            n <= seats,
            "{}: {n} applicants, {seats} seats",
            r["school_id"]
        );
    }
    // connected through the neighbour graph built here
    let nbrs = independent_neighbours(&pts);
    let mut by_zone: BTreeMap<&String, Vec<usize>> = BTreeMap::new();
    for (i, b) in ids.iter().enumerate() {
        by_zone.entry(&zone[b]).or_default().push(i);
    }
    for (z, members) in &by_zone {
        let set: HashSet<usize> = members.iter().copied().collect();
        let mut reached = HashSet::from([members[0]]);
        let mut stack = vec![members[0]];
        while let Some(x) = stack.pop() {
            for &y in &nbrs[x] {
                if set.contains(&y) && reached.insert(y) {
                    stack.push(y);
                }
            }
        }
        assert_eq!(reached.len(), members.len(), "zone of {z} is not connected");
    }
}

/// Two blocks at one address whose applicants only fit split between two
/// schools: `zones` zones them apart, draws their shared cell in one zone,
/// and warns with the block ids (issue 12 item 15).
#[test]
fn co_located_blocks_split_between_zones_are_drawn_once_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("schools.csv"),
        "school_id,name,level,lon,lat,town,entry_seats,classes,max_class_size,boarding,status\n\
         SW,西小学,primary,126.500,43.800,城区,10,1,45,false,open\n\
         SE,东小学,primary,126.520,43.800,城区,10,1,45,false,open\n",
    )
    .unwrap();
    std::fs::write(
        d.join("blocks.csv"),
        "block_id,name,town,lon,lat,households\n\
         W0,西,城区,126.500,43.800,10\n\
         E0,东,城区,126.520,43.800,10\n\
         M1,同址一,城区,126.510,43.801,10\n\
         M2,同址二,城区,126.510,43.801,10\n\
         N0,北,城区,126.510,43.810,10\n",
    )
    .unwrap();
    let mut students = String::from(
        "student_id,block_id,entry_grade,gender,hukou_in_block,property_in_block,migrant,left_behind,disability,sibling_school_id,preferences,score,family_id\n",
    );
    for (i, b) in ["W0", "E0", "M1", "M2"]
        .iter()
        .flat_map(|b| std::iter::repeat_n(b, 5))
        .enumerate()
    {
        students.push_str(&format!(
            "{},{b},1,F,true,true,false,false,none,,,,\n",
            1000 + i
        ));
    }
    std::fs::write(d.join("students.csv"), students).unwrap();
    let scenario = d.join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"split\"\nyear = 2025\ndataset = \".\"\nlevel = \"primary\"\n",
    )
    .unwrap();
    let out = d.join("out");
    let text = zones(scenario.to_str().unwrap(), &out, &[]);
    let zoned: HashMap<String, String> = records(&out.join("zones.csv"))
        .into_iter()
        .map(|r| (r["block_id"].clone(), r["school_id"].clone()))
        .collect();
    assert_ne!(zoned["M1"], zoned["M2"], "seats force the two apart");
    let j = json(&out.join("zones.json"));
    assert_eq!(j["applicants_over_limit"], 0, "{j}");
    assert_eq!(j["zones_not_connected"], 0, "{j}");
    // the cell is drawn in M1's zone (a tie in applicants and blocks: the
    // first block's), and M2 is named as lying outside its zone's shape
    let split = &j["split_cells"];
    assert_eq!(split.as_array().unwrap().len(), 1, "{j}");
    assert_eq!(split[0]["blocks"], serde_json::json!(["M1", "M2"]));
    assert_eq!(split[0]["drawn_in"], zoned["M1"].as_str());
    assert_eq!(
        split[0]["elsewhere"],
        serde_json::json!([{"block_id": "M2", "school_id": zoned["M2"]}])
    );
    assert!(
        text.contains("Warning: 2 blocks at the position of M1 share one cell")
            && text.contains(&format!("M2 ({})", zoned["M2"])),
        "{text}"
    );
    // the shapes do not overlap: the two zones' areas add up to the district's
    let gj: serde_json::Value = json(&out.join("zones.geojson"));
    let shapes: Vec<geo::MultiPolygon<f64>> = gj["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
            let g: geo::Geometry<f64> = g.try_into().unwrap();
            match g {
                geo::Geometry::MultiPolygon(m) => m,
                other => panic!("{other:?}"),
            }
        })
        .collect();
    assert_eq!(shapes.len(), 2);
    let both = shapes[0].intersection(&shapes[1]);
    assert!(
        geo::Area::unsigned_area(&both) < 1e-12,
        "zones overlap by {} deg²",
        geo::Area::unsigned_area(&both)
    );
}

/// Issue 13: a dataset that cannot be zoned is bad input: exit code 2, a
/// message naming the dataset file and what was expected, nothing written.
#[test]
fn a_dataset_that_cannot_be_zoned_is_reported_with_exit_2() {
    // every block on one line: no cells to draw
    let blocks: String = std::iter::once("block_id,name,town,lon,lat,households\n".to_string())
        .chain((0..30).map(|i| {
            format!(
                "L{i:03},Line {i},城区,{:.6},{:.6},100\n",
                126.50 + 0.002 * f64::from(i),
                43.90 + 0.001 * f64::from(i)
            )
        }))
        .collect();
    // fewer blocks than schools: a zone has no block of its own
    let few = "block_id,name,town,lon,lat,households\nF001,One,城区,126.5,43.9,100\n";
    let cases = [
        (
            blocks.as_str(),
            "L000",
            "blocks.csv: no cell for block site 0; expected blocks spread over an area, not all on one line",
        ),
        (
            few,
            "F001",
            "blocks.csv: 1 blocks for 20 schools; expected at least one block per school",
        ),
    ];
    // one applicant, no given zones, no boundary: nothing else refers to
    // the blocks
    let students = std::fs::read_to_string(root().join("data/longtan/students.csv")).unwrap();
    let mut lines = students.lines();
    let (header, first) = (lines.next().unwrap(), lines.next().unwrap());
    for (text, block, message) in cases {
        let one = format!("{header}\n{}\n", first.replacen("U001", block, 1));
        let (data, scenario) = dataset_with(&[("blocks.csv", text), ("students.csv", &one)]);
        for f in ["zones.csv", "zone_groups.csv", "boundary.geojson"] {
            std::fs::remove_file(data.path().join(f)).unwrap();
        }
        let out = data.path().join("out");
        let o = sunshine(&[
            "zones",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(message), "{err}");
        assert!(err.contains("expected"), "{err}");
        assert!(err.contains("nothing was written"), "{err}");
        assert!(!out.exists(), "nothing is written on bad input");
    }
}
