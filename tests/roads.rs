//! Road distances on a real street network: the central-Helsinki
//! OpenStreetMap extract in `tests/fixtures/roads` (© OpenStreetMap
//! contributors, ODbL 1.0).
//!
//! The library's table (snapping, one search per school over the reversed
//! graph, in parallel) is checked pair by pair against a plain Dijkstra
//! written here, from each home over the forward graph, with brute-force
//! snapping; and every road distance against the great circle.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::PathBuf;

mod common;
use common::{locations, records, root, sunshine};

use geo::{Distance, Haversine, Point};
use sunshine::spatial::distance::DistanceSource;
use sunshine::spatial::roads::{read_pbf, Profile, RoadDistances, RoadGraph};

fn extract() -> PathBuf {
    root().join("tests/fixtures/roads/helsinki.osm.pbf")
}

/// Seeded points in the extract's box (xorshift, so the test has no
/// dependency on a random-number crate's algorithm).
fn points(seed: u64, n: usize) -> Vec<Point<f64>> {
    let mut x = seed;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| Point::new(24.9352 + next() * 0.0182, 60.1642 + next() * 0.0149))
        .collect()
}

/// The independent reference: components by breadth-first search,
/// snapping by scanning every node, and a textbook Dijkstra.
struct Reference {
    adj: Vec<Vec<(u32, u32)>>,
    coords: Vec<Point<f64>>,
    in_largest: Vec<bool>,
}

impl Reference {
    fn new(g: &RoadGraph) -> Reference {
        let n = g.nodes();
        let adj: Vec<Vec<(u32, u32)>> = (0..n as u32).map(|v| g.out(v).collect()).collect();
        let mut undirected: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (v, es) in adj.iter().enumerate() {
            for &(t, _) in es {
                undirected[v].push(t);
                undirected[t as usize].push(v as u32);
            }
        }
        let mut comp = vec![usize::MAX; n];
        let mut sizes = Vec::new();
        for s in 0..n {
            if comp[s] != usize::MAX {
                continue;
            }
            let c = sizes.len();
            let mut stack = vec![s];
            comp[s] = c;
            let mut size = 0;
            while let Some(v) = stack.pop() {
                size += 1;
                for &t in &undirected[v] {
                    if comp[t as usize] == usize::MAX {
                        comp[t as usize] = c;
                        stack.push(t as usize);
                    }
                }
            }
            sizes.push(size);
        }
        let largest = (0..sizes.len())
            .max_by_key(|&c| (sizes[c], std::cmp::Reverse(c)))
            .unwrap();
        Reference {
            adj,
            coords: g.coords.clone(),
            in_largest: comp.iter().map(|&c| c == largest).collect(),
        }
    }

    fn snap(&self, p: Point<f64>) -> (u32, f64) {
        let mut best = (u32::MAX, f64::INFINITY);
        for (v, &q) in self.coords.iter().enumerate() {
            if !self.in_largest[v] {
                continue;
            }
            let d = Haversine.distance(p, q);
            if d < best.1 {
                best = (v as u32, d);
            }
        }
        best
    }

    fn dijkstra(&self, s: u32) -> Vec<u64> {
        let mut dist = vec![u64::MAX; self.adj.len()];
        dist[s as usize] = 0;
        let mut heap = BinaryHeap::from([Reverse((0u64, s))]);
        while let Some(Reverse((d, v))) = heap.pop() {
            if d > dist[v as usize] {
                continue;
            }
            for &(t, w) in &self.adj[v as usize] {
                let nd = d + u64::from(w);
                if nd < dist[t as usize] {
                    dist[t as usize] = nd;
                    heap.push(Reverse((nd, t)));
                }
            }
        }
        dist
    }
}

fn check_against_reference(profile: Profile, homes: usize, schools: usize) -> (usize, usize) {
    let g = read_pbf(&extract(), &profile).unwrap();
    let reference = Reference::new(&g);
    let home_pts = points(7, homes);
    let school_pts = points(99, schools);
    let req = sunshine::spatial::roads::table::Request {
        pbf: extract(),
        profile: profile.clone(),
        homes: home_pts.clone(),
        schools: school_pts.clone(),
        candidates: schools,
        max: 1_000_000,
        cache_dir: None,
    };
    let walk_speed = profile.default_speed_kmh / 3.6;
    let time = profile.measure == sunshine::spatial::roads::Measure::Time;
    let (table, report) = RoadDistances::build(req).unwrap();
    assert_eq!(report.pairs, homes * schools);
    let school_snaps: Vec<(u32, f64)> = school_pts.iter().map(|&p| reference.snap(p)).collect();
    let (mut pairs, mut unreachable) = (0, 0);
    for &h in &home_pts {
        let (hn, hs) = reference.snap(h);
        let dist = reference.dijkstra(hn);
        for (s, &sp) in school_pts.iter().enumerate() {
            let (sn, ss) = school_snaps[s];
            let expected = match dist[sn as usize] {
                u64::MAX => None,
                w if time => Some((w as f64 / 1000.0 + (hs + ss) / walk_speed).ceil() as u32),
                w => Some((w as f64 / 1000.0 + (hs + ss)).ceil() as u32),
            };
            let got = if time {
                assert_eq!(table.metres(h, sp), None, "a time table knows no lengths");
                table.seconds(h, sp).map(|s| s.0)
            } else {
                table.metres(h, sp).map(|m| m.0)
            };
            assert_eq!(got, expected, "home {h:?} → school {s}");
            match got {
                Some(m) if !time => {
                    let gc = Haversine.distance(h, sp);
                    assert!(
                        f64::from(m) >= gc,
                        "road {m} m shorter than the great circle {gc} m"
                    );
                }
                Some(secs) => {
                    // nothing on these roads is faster than 90 km/h (25 m/s)
                    let gc = Haversine.distance(h, sp);
                    assert!(f64::from(secs) >= gc / 25.0, "{secs} s for {gc} m");
                }
                None => unreachable += 1,
            }
            pairs += 1;
        }
    }
    // the report lists exactly the pairs out of reach
    assert_eq!(report.unreachable.len(), unreachable);
    (pairs, unreachable)
}

#[test]
fn walking_distances_agree_with_an_independent_dijkstra_to_the_metre() {
    let (pairs, unreachable) = check_against_reference(Profile::walking(), 1000, 50);
    assert_eq!(pairs, 50_000);
    assert_eq!(
        unreachable, 0,
        "walking ignores one-way streets: the largest part is connected"
    );
}

#[test]
fn driving_distances_respect_one_way_streets_and_report_unreachable_pairs() {
    let (pairs, unreachable) = check_against_reference(Profile::driving(), 300, 30);
    assert_eq!(pairs, 9_000);
    // one-way streets leave some nodes of the largest part without a way
    // back; those pairs are reported, never measured as zero
    assert!(
        unreachable > 0,
        "expected some one-way dead ends in central Helsinki"
    );
}

#[test]
fn driving_times_agree_with_an_independent_dijkstra_to_the_second() {
    let mut profile = Profile::driving();
    profile.measure = sunshine::spatial::roads::Measure::Time;
    let (pairs, _) = check_against_reference(profile, 200, 20);
    assert_eq!(pairs, 4_000);
}

#[test]
fn a_point_on_an_island_is_reported_unreachable_not_zero() {
    // a graph with two parts: homes snap to the larger; a school that can
    // only reach the smaller part by a one-way edge is out of reach
    use sunshine::spatial::roads::Edge;
    let coords: Vec<Point<f64>> = (0..4)
        .map(|i| Point::new(24.94 + f64::from(i) * 0.001, 60.17))
        .collect();
    let g = RoadGraph::from_edges(
        coords,
        vec![
            Edge {
                from: 0,
                to: 1,
                weight: 55_000,
            },
            Edge {
                from: 1,
                to: 0,
                weight: 55_000,
            },
            Edge {
                from: 1,
                to: 2,
                weight: 55_000,
            },
            Edge {
                from: 2,
                to: 3,
                weight: 55_000,
            },
        ],
    );
    let d = sunshine::spatial::roads::dijkstra(&g, 3, &[], u64::MAX);
    assert_eq!(d[0], u64::MAX);
    assert_eq!(
        sunshine::spatial::roads::dijkstra(&g, 0, &[], u64::MAX)[3],
        165_000
    );
}

// ---- the commands on the Helsinki test district ----

fn run(args: &[&str]) -> (String, String) {
    let o = sunshine(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

const ROAD: &str = "tests/fixtures/helsinki/road.toml";
const STRAIGHT: &str = "tests/fixtures/helsinki/straight.toml";
const CLOSE: &str = "tests/fixtures/helsinki/close-p3.toml";

#[test]
fn place_uses_road_distances_and_caches_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (text, err) = run(&["place", ROAD, "--out", out.to_str().unwrap()]);
    assert!(text.contains("distances road (walk, length)"), "{text}");
    assert!(
        err.contains("nodes and") && err.contains("cached in"),
        "{err}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["distance_source"], "road (walk, length)");
    let cache: Vec<_> = std::fs::read_dir(dir.path().join(".sunshine-cache"))
        .unwrap()
        .collect();
    assert_eq!(cache.len(), 1);

    // road distances are never shorter than the great circle, and differ from it
    let blocks = locations(
        &root().join("tests/fixtures/helsinki/blocks.csv"),
        "block_id",
    );
    let schools = locations(
        &root().join("tests/fixtures/helsinki/schools.csv"),
        "school_id",
    );
    let mut longer = 0;
    let rows = records(&out.join("placements.csv"));
    assert!(rows.len() > 200);
    for r in &rows {
        if r["placed_school_id"].is_empty() {
            continue;
        }
        let road_km: f64 = r["distance_km"].parse().unwrap();
        let gc =
            Haversine.distance(blocks[&r["block_id"]], schools[&r["placed_school_id"]]) / 1000.0;
        assert!(
            road_km + 0.0005 >= gc,
            "{}: road {road_km} km < great circle {gc} km",
            r["student_id"]
        );
        if road_km > gc * 1.1 {
            longer += 1;
        }
    }
    assert!(
        longer > rows.len() / 4,
        "streets should lengthen many trips: {longer}"
    );

    // a second run reads the cache and writes the same files
    let again = dir.path().join("again");
    let (_, err) = run(&["place", ROAD, "--out", again.to_str().unwrap()]);
    assert!(err.contains("from the cache"), "{err}");
    for f in ["placements.csv", "schools.csv", "zones.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn every_distance_command_works_with_roads_and_names_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).to_str().unwrap().to_string();

    let (text, _) = run(&["zones", ROAD, "--out", &d("zones")]);
    assert!(text.contains("distances road (walk, length)"), "{text}");
    let z: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("zones/zones.json")).unwrap())
            .unwrap();
    assert_eq!(z["distance_source"], "road (walk, length)");
    assert_eq!(z["zones_not_connected"], 0);
    assert_eq!(z["applicants_over_limit"], 0);

    let (text, _) = run(&["compare", STRAIGHT, ROAD, CLOSE, "--out", &d("compare")]);
    assert!(
        text.contains(
            "Helsinki as the crow flies: great-circle; Helsinki by road: road (walk, length)"
        ),
        "{text}"
    );
    let md = std::fs::read_to_string(dir.path().join("compare/compare.md")).unwrap();
    assert!(md.contains("road (walk, length)"), "{md}");

    let (text, _) = run(&["odds", ROAD, "--draws", "40", "--out", &d("odds")]);
    assert!(text.contains("distances road (walk, length)"), "{text}");
    let readme = std::fs::read_to_string(dir.path().join("odds/README.txt")).unwrap();
    assert!(
        readme.contains("Distances: road (walk, length)."),
        "{readme}"
    );

    let (text, _) = run(&[
        "optimize-closures",
        ROAD,
        "--close",
        "1",
        "--out",
        &d("opt"),
    ]);
    assert!(text.contains("HE-P3"), "{text}");
    let md = std::fs::read_to_string(dir.path().join("opt/compare.md")).unwrap();
    assert!(md.contains("road (walk, length)"), "{md}");

    // the great-circle run of the same district measures shorter trips
    let road: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("zones/zones.json")).unwrap())
            .unwrap();
    let (_, _) = run(&["zones", STRAIGHT, "--out", &d("zones-gc")]);
    let gc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("zones-gc/zones.json")).unwrap())
            .unwrap();
    assert_eq!(gc["distance_source"], "great-circle");
    assert!(road["objective"].as_f64().unwrap() > gc["objective"].as_f64().unwrap());
}

#[test]
fn bad_road_settings_are_reported_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.toml");
    std::fs::write(
        &s,
        format!(
            "name = \"x\"\nyear = 2026\ndataset = \"{}\"\nlevel = \"primary\"\n[policy]\ndistance = \"road\"\nroad_network = \"missing.osm.pbf\"\n[policy.road_mode]\nprimary = \"bike\"\n",
            root().join("tests/fixtures/helsinki").display()
        ),
    )
    .unwrap();
    let o = sunshine(&[
        "place",
        s.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("s.toml:7:16: road_network"), "{err}");
    assert!(
        err.contains("not found; expected an OpenStreetMap .osm.pbf extract"),
        "{err}"
    );
    assert!(
        err.contains("s.toml:9:11: road mode `bike`; expected \"walk\" or \"drive\""),
        "{err}"
    );

    std::fs::write(&s, "name = \"x\"\nyear = 2026\ndataset = \"d\"\nlevel = \"primary\"\n[policy]\ndistance = \"bus\"\n").unwrap();
    let o = sunshine(&[
        "place",
        s.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("distance `bus`; expected \"great-circle\" or \"road\""));
}

const MINUTES: &str = "tests/fixtures/helsinki/minutes.toml";

#[test]
fn a_service_radius_in_minutes_is_measured_in_travel_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (text, _) = run(&["validate", MINUTES]);
    assert!(
        text.contains("within the service radius of 6 min"),
        "{text}"
    );

    let (text, _) = run(&["place", MINUTES, "--out", &d("p")]);
    assert!(
        text.contains("distances road (walk, length) with travel times"),
        "{text}"
    );
    let s = common::json(&dir.path().join("p/summary.json"));
    assert_eq!(s["distance_km"]["service_radius"], "6 min");
    // walking at 4.5 km/h, 6 minutes is 450 m: the placements within the
    // radius by time are those within about 450 m by road (rounding of
    // each edge's millimetres and milliseconds moves a few across)
    let within = s["distance_km"]["within_service_radius"].as_u64().unwrap() as i64;
    let by_length = records(&dir.path().join("p/placements.csv"))
        .iter()
        .filter(|r| {
            !r["placed_school_id"].is_empty() && r["distance_km"].parse::<f64>().unwrap() <= 0.450
        })
        .count() as i64;
    assert!(
        within > 50 && (within - by_length).abs() <= 3,
        "{within} by time vs {by_length} by length"
    );

    let (_, _) = run(&["zones", MINUTES, "--out", &d("z")]);
    let z = common::json(&dir.path().join("z/zones.json"));
    assert_eq!(z["policy"]["service_radius"], "6 min");
    let blocks = records(&dir.path().join("z/block_zones.csv"));
    let beyond = blocks
        .iter()
        .filter(|r| r["within_service_radius"] == "false")
        .count();
    assert_eq!(
        z["blocks_beyond_service_radius"].as_u64().unwrap() as usize,
        beyond
    );
    // within a 6-minute walk means within 450 m of road (give or take rounding)
    for r in blocks
        .iter()
        .filter(|r| r["within_service_radius"] == "true")
    {
        assert!(r["distance_km"].parse::<f64>().unwrap() <= 0.455, "{r:?}");
    }
}

#[test]
fn minutes_need_road_distances() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.toml");
    std::fs::write(
        &s,
        "name = \"x\"\nyear = 2026\ndataset = \"d\"\nlevel = \"primary\"\n[policy.service_radius_min]\nprimary = 10\n",
    )
    .unwrap();
    let o = sunshine(&["validate", s.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("service_radius_min.primary needs distance = \"road\""),
        "{err}"
    );
}

#[test]
fn speeds_come_from_the_policy() {
    use sunshine::domain::model::Grade;
    use sunshine::domain::scenario::RoadPolicy;
    let policy = RoadPolicy {
        drive_highways: Some(vec!["residential".into(), "tertiary".into()]),
        walk_speed_kmh: Some(3.0),
        drive_speeds_kmh: vec![("residential".into(), 20.0), ("track".into(), 12.0)],
        ..RoadPolicy::new(extract())
    };
    let walk = sunshine::spatial::roads::profile_for(&policy, Grade::One);
    assert_eq!(walk.speed_kmh("footway"), 3.0);
    let drive = sunshine::spatial::roads::profile_for(&policy, Grade::Seven);
    assert_eq!(drive.highways, vec!["residential", "tertiary"]);
    assert_eq!(drive.speed_kmh("residential"), 20.0);
    assert_eq!(drive.speed_kmh("track"), 12.0);
    assert_eq!(drive.speed_kmh("tertiary"), 35.0);

    // a slower walk puts fewer applicants within a 6-minute radius
    let dir = tempfile::tempdir().unwrap();
    let slow = dir.path().join("slow.toml");
    std::fs::write(
        &slow,
        format!(
            "extends = \"{}\"\nname = \"slow\"\n[policy]\nwalk_speed_kmh = 3.0\n",
            root().join(MINUTES).display()
        ),
    )
    .unwrap();
    let within = |scenario: &str, out: &str| {
        let out = dir.path().join(out);
        run(&["place", scenario, "--out", out.to_str().unwrap()]);
        common::json(&out.join("summary.json"))["distance_km"]["within_service_radius"]
            .as_u64()
            .unwrap()
    };
    let normal = within(MINUTES, "normal");
    let slower = within(slow.to_str().unwrap(), "slow");
    assert!(
        slower < normal,
        "{slower} at 3 km/h vs {normal} at 4.5 km/h"
    );
}

/// Issue 13: a road network file that is not an OSM PBF extract is bad
/// input: exit code 2, a message naming the file and what was expected,
/// and nothing written (no outputs, no distance cache).
#[test]
fn a_road_network_that_is_not_a_pbf_extract_is_reported_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["blocks.csv", "schools.csv", "students.csv"] {
        std::fs::copy(
            root().join("tests/fixtures/helsinki").join(f),
            dir.path().join(f),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("roads.osm.pbf"),
        "school_id,name\nnot,a road network\n",
    )
    .unwrap();
    let s = dir.path().join("s.toml");
    std::fs::write(
        &s,
        "name = \"x\"\nyear = 2026\ndataset = \".\"\nlevel = \"primary\"\n[policy]\ndistance = \"road\"\nroad_network = \"roads.osm.pbf\"\n",
    )
    .unwrap();
    let work = dir.path().join("work");
    for command in ["place", "zones"] {
        let out = work.join(command);
        let o = sunshine(&[command, s.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {err}");
        assert!(err.contains("roads.osm.pbf: "), "{err}");
        assert!(
            err.contains("; expected an OpenStreetMap .osm.pbf extract"),
            "{err}"
        );
        assert!(err.contains("nothing was written"), "{err}");
        assert!(!work.exists(), "{command} wrote into {}", work.display());
    }
}
