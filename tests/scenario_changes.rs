//! Scenario arithmetic (issue 12, items 8–13): merger chains resolve the
//! same whatever the order of their entries, branch campuses keep their
//! seats instead of moving them, seats are conserved through any
//! combination of changes, numbers are bounded, the class-size cap holds
//! after every change, and the reports count only the grade's schools.

mod common;

use std::path::{Path, PathBuf};

use common::{json, records, root, sunshine};
use geo::Point;
use proptest::prelude::*;
use sunshine::domain::model::*;
use sunshine::domain::scenario::{CapacityOverride, Conversion, Merger, NewSchool, Scenario};

fn school(id: &str, seats: u32) -> School {
    School {
        id: SchoolId::new(id),
        name: id.into(),
        level: Level::Primary,
        location: Point::new(126.5, 43.9),
        town: "t".into(),
        entry_seats: Seats(seats),
        classes: 100,
        max_class_size: 45,
        boarding: false,
        status: Status::Open,
        annual_cost: None,
        sector: Default::default(),
        district: None,
    }
}

/// `n` primary schools with the given seats, each with one block zoned to it.
fn district(seats: &[u32]) -> Dataset {
    let mut z = Zones::new(seats.len());
    z.school.one = (0..seats.len())
        .map(|i| Some(SchoolIx::from_ix(i)))
        .collect();
    Dataset {
        schools: seats
            .iter()
            .enumerate()
            .map(|(i, &s)| school(&format!("S{i}"), s))
            .collect(),
        blocks: (0..seats.len())
            .map(|i| Block {
                id: BlockId::new(&format!("b{i}")),
                name: "b".into(),
                town: "t".into(),
                location: Point::new(126.5, 43.9),
                households: 1,
            })
            .collect(),
        students: vec![],
        zones: Some(z),
        seat_history: Vec::new(),
        feeders: Vec::new(),
        district_names: Vec::new(),
    }
}

fn merger(from: usize, into: usize, move_seats: bool, branch: Option<u32>) -> Merger {
    Merger {
        from: SchoolId::new(&format!("S{from}")),
        into: SchoolId::new(&format!("S{into}")),
        move_seats,
        branch_seats: branch.map(Seats),
        year: None,
        phase_out: Default::default(),
    }
}

/// What a network looks like: per school (id, seats, open), per block its zone.
type Shape = (Vec<(String, u32, bool)>, Vec<Option<SchoolIx>>);

fn shape(d: &Dataset) -> Shape {
    (
        d.schools
            .iter()
            .map(|s| (s.id.to_string(), s.entry_seats.0, s.status == Status::Open))
            .collect(),
        d.zones.as_ref().unwrap().school.one.clone(),
    )
}

#[test]
fn a_merger_chain_gives_the_same_network_in_either_order() {
    let data = district(&[100, 200, 300]);
    let mut sc = Scenario::plain("t", Grade::One, 1);
    sc.mergers = vec![merger(0, 1, true, None), merger(1, 2, true, None)];
    let ab_bc = sc.apply(data.clone());
    sc.mergers.reverse();
    let bc_ab = sc.apply(data);
    assert_eq!(shape(&ab_bc), shape(&bc_ab));
    // every seat and both zones end at S2
    let (schools, zones) = shape(&ab_bc);
    assert_eq!(schools[2], ("S2".to_string(), 600, true));
    assert!(!schools[0].2 && !schools[1].2);
    assert_eq!(zones, vec![Some(SchoolIx(2)); 3]);
}

#[test]
fn a_branch_campus_keeps_its_seats_instead_of_moving_them() {
    let data = district(&[100, 200]);
    let mut sc = Scenario::plain("t", Grade::One, 1);
    // move_seats is true by default: with branch_seats nothing moves
    sc.mergers = vec![merger(0, 1, true, Some(30))];
    let d = sc.apply(data);
    assert_eq!(d.schools[0].entry_seats, Seats(30));
    assert_eq!(d.schools[0].status, Status::Open);
    assert_eq!(d.schools[1].entry_seats, Seats(200));
}

/// One random combination of changes that the rules accept.
#[derive(Debug, Clone)]
struct Case {
    seats: Vec<u32>,
    new: Vec<u32>,
    capacity: Vec<(usize, u32)>,
    conversions: Vec<(usize, u32)>,
    /// per school: merged into a later school (by permutation rank)?
    links: Vec<Option<(usize, bool, Option<u32>)>>,
    closed: Vec<bool>,
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..7, 0usize..3).prop_flat_map(|(n, k)| {
        let total = n + k;
        (
            prop::collection::vec(1u32..300, n),
            prop::collection::vec(1u32..300, k),
            prop::collection::vec((0..total, 1u32..300), 0..4),
            prop::collection::vec((0..total, 1u32..100), 0..4),
            prop::collection::vec(
                prop::option::weighted(
                    0.6,
                    (
                        0..total,
                        any::<bool>(),
                        prop::option::weighted(0.3, 1u32..300),
                    ),
                ),
                total,
            ),
            prop::collection::vec(prop::bool::weighted(0.2), total),
            Just((0..total).collect::<Vec<usize>>()).prop_shuffle(),
        )
            .prop_map(
                |(seats, new, capacity, conversions, raw_links, closed, order)| {
                    let total = seats.len() + new.len();
                    let touched =
                        |s: usize| capacity.iter().chain(&conversions).any(|&(c, _)| c == s);
                    // a link only to a school later in a random order: no cycle
                    let rank: Vec<usize> = {
                        let mut r = vec![0; total];
                        for (i, &s) in order.iter().enumerate() {
                            r[s] = i;
                        }
                        r
                    };
                    let links: Vec<Option<(usize, bool, Option<u32>)>> = raw_links
                        .into_iter()
                        .enumerate()
                        .map(|(f, l)| {
                            l.filter(|&(t, _, _)| rank[t] > rank[f]).map(|(t, mv, b)| {
                                // a branch campus's seats are set by branch_seats alone
                                (t, mv, b.filter(|_| !touched(f)))
                            })
                        })
                        .collect();
                    // closed: no merger from or into it, no other change of it
                    let mut closed = closed;
                    for s in 0..total {
                        let into = links.iter().flatten().any(|&(t, _, _)| t == s);
                        if links[s].is_some() || into || touched(s) {
                            closed[s] = false;
                        }
                    }
                    Case {
                        seats,
                        new,
                        capacity,
                        conversions,
                        links,
                        closed,
                    }
                },
            )
    })
}

fn scenario_of(c: &Case, mergers_reversed: bool) -> Scenario {
    let n = c.seats.len();
    let id = |s: usize| SchoolId::new(&format!("S{s}"));
    let mut sc = Scenario::plain("t", Grade::One, 1);
    sc.new_schools = c
        .new
        .iter()
        .enumerate()
        .map(|(i, &seats)| NewSchool {
            id: id(n + i),
            name: "new".into(),
            level: Level::Primary,
            location: Point::new(126.5, 43.9),
            town: "t".into(),
            entry_seats: Seats(seats),
            classes: 100,
            boarding: false,
            year: None,
        })
        .collect();
    sc.capacity = c
        .capacity
        .iter()
        .map(|&(s, e)| CapacityOverride {
            school: id(s),
            entry_seats: Some(Seats(e)),
            classes: None,
            year: None,
        })
        .collect();
    sc.conversions = c
        .conversions
        .iter()
        .map(|&(s, f)| Conversion {
            school: id(s),
            freed_seats: Seats(f),
            year: None,
        })
        .collect();
    sc.mergers = c
        .links
        .iter()
        .enumerate()
        .filter_map(|(f, l)| l.map(|(t, mv, b)| merger(f, t, mv, b)))
        .collect();
    if mergers_reversed {
        sc.mergers.reverse();
    }
    sc.closures = (0..c.closed.len())
        .filter(|&s| c.closed[s])
        .map(|s| sunshine::domain::scenario::Closure::new(id(s)))
        .collect();
    sc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// District seats after the changes = seats before + capacity deltas +
    /// conversions + new schools + branch seats − closed schools − merged
    /// campuses whose seats do not move, and every seat a merger moves ends
    /// at the open school at the end of its chain, in either merger order.
    #[test]
    fn seats_are_conserved_through_any_combination_of_changes(c in case()) {
        let data = district(&c.seats);
        let total = c.seats.len() + c.new.len();
        // the oracle: each campus's own seats, then where they end
        let mut own: Vec<u64> = c.seats.iter().chain(&c.new).map(|&s| u64::from(s)).collect();
        for &(s, e) in &c.capacity {
            own[s] = u64::from(e);
        }
        for &(s, f) in &c.conversions {
            own[s] += u64::from(f);
        }
        for (f, l) in c.links.iter().enumerate() {
            if let Some((_, _, Some(b))) = l {
                own[f] = u64::from(*b);
            }
        }
        let closes = |s: usize| matches!(c.links[s], Some((_, _, None)));
        let mut expected = vec![0u64; total];
        for (s, &seats) in own.iter().enumerate() {
            if c.closed[s] {
                continue; // its seats leave the district
            }
            // follow the closing links while seats move
            let mut x = s;
            let mut kept = true;
            while closes(x) {
                let (t, mv, _) = c.links[x].unwrap();
                kept &= mv;
                x = t;
            }
            if kept {
                expected[x] += seats;
            }
        }
        for order in [false, true] {
            let sc = scenario_of(&c, order);
            let applied = sc.apply(data.clone());
            let open: Vec<bool> = applied.schools.iter().map(|s| s.status == Status::Open).collect();
            let got: Vec<u64> = applied
                .schools
                .iter()
                .zip(&open)
                .map(|(s, &o)| if o { u64::from(s.entry_seats.0) } else { 0 })
                .collect();
            prop_assert_eq!(&got, &expected, "mergers reversed: {}", order);
            prop_assert_eq!(got.iter().sum::<u64>(), expected.iter().sum::<u64>());
            for (s, &o) in open.iter().enumerate() {
                prop_assert_eq!(o, !c.closed[s] && !closes(s));
            }
            // a merged campus's block is zoned to the end of its chain
            let zones = &applied.zones.as_ref().unwrap().school.one;
            for (b, z) in zones.iter().enumerate() {
                let mut x = b;
                while closes(x) {
                    x = c.links[x].unwrap().0;
                }
                let want = if c.closed[b] { None } else { Some(SchoolIx::from_ix(x)) };
                prop_assert_eq!(*z, want);
            }
        }
    }
}

// ---- the CLI on the bundled data ----

fn base_scenario() -> PathBuf {
    root().join("scenarios/longtan-2025.toml")
}

/// A scenario file in `dir` that extends the grade-1 baseline.
fn extending(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(
        &p,
        format!(
            "extends = {:?}\nname = {name:?}\n{body}",
            base_scenario().to_str().unwrap()
        ),
    )
    .unwrap();
    p
}

fn totals_seats(dir: &Path) -> Vec<u64> {
    records(&dir.join("totals.csv"))
        .iter()
        .map(|r| r["seats"].parse().unwrap())
        .collect()
}

#[test]
fn a_branch_campus_does_not_add_seats_to_the_district() {
    let dir = tempfile::tempdir().unwrap();
    let sc = extending(
        dir.path(),
        "branch",
        "[[mergers]]\nfrom = \"LT-P08\"\ninto = \"LT-P19\"\nbranch_seats = 30\n",
    );
    let out = dir.path().join("out");
    let o = sunshine(&[
        "compare",
        base_scenario().to_str().unwrap(),
        sc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // LT-P08 had 45 seats and keeps 30 instead; LT-P19 gains none
    assert_eq!(totals_seats(&out), vec![3215, 3215 - 45 + 30]);
}

#[test]
fn close_more_schools_than_there_are_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = sunshine(&[
        "optimize-closures",
        base_scenario().to_str().unwrap(),
        "--close",
        "21",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--close 21: only 20 open schools of the grade can close"),
        "{err}"
    );
}

/// A copy of the Longtan dataset with `schools.csv` edited by `edit`.
fn dataset_copy(dir: &Path, edit: impl Fn(&str) -> String) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for e in std::fs::read_dir(root().join("data/longtan")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), data.join(e.file_name())).unwrap();
    }
    let schools = std::fs::read_to_string(data.join("schools.csv")).unwrap();
    std::fs::write(data.join("schools.csv"), edit(&schools)).unwrap();
    let text = std::fs::read_to_string(base_scenario())
        .unwrap()
        .replace("../data/longtan", data.to_str().unwrap());
    let sc = dir.join("scenario.toml");
    std::fs::write(&sc, text).unwrap();
    sc
}

fn school_row(out: &Path, id: &str) -> std::collections::HashMap<String, String> {
    records(&out.join("schools.csv"))
        .into_iter()
        .find(|r| r["school_id"] == id)
        .unwrap()
}

#[test]
fn seats_beyond_what_the_classes_hold_are_capped_in_placement() {
    // LT-P02: 400 seats on 5 classes of 45 (schools.csv), and the same
    // through [[capacity]]: placement uses 5 × 45 = 225 and says so
    for how in ["csv", "capacity"] {
        let dir = tempfile::tempdir().unwrap();
        let sc = if how == "csv" {
            dataset_copy(dir.path(), |s| {
                s.replace(
                    "LT-P02,第二实验小学,primary,126.546014,43.909799,城区,225,",
                    "LT-P02,第二实验小学,primary,126.546014,43.909799,城区,400,",
                )
            })
        } else {
            extending(
                dir.path(),
                "cap",
                "[[capacity]]\nschool = \"LT-P02\"\nentry_seats = 400\n",
            )
        };
        let out = dir.path().join("out");
        let o = sunshine(&[
            "place",
            sc.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        let row = school_row(&out, "LT-P02");
        assert_eq!(row["seats"], "225", "{how}");
        assert!(row["admitted"].parse::<u32>().unwrap() <= 225, "{how}");
        // through schools.csv the warning stands at the school's line
        // (once); through the scenario at the change
        let want = if how == "csv" {
            "schools.csv:3: column 7 (entry_seats): warning: 400 entry seats but 5 classes of at most 45 pupils; placement uses at most 5 × 45 = 225 seats"
        } else {
            "placement uses 5 × 45 = 225 seats"
        };
        assert!(
            err.contains(want)
                && err.contains("400 entry seats but 5 classes of at most 45 pupils"),
            "{how}: {err}"
        );
        assert_eq!(err.matches("400 entry seats").count(), 1, "{how}: {err}");
    }
}

#[test]
fn compare_reports_a_merger_that_pushes_a_school_past_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    // LT-P26's zone (150 applicants) joins LT-P20 (379, on 5 classes of
    // 45) without its seats or classes
    let sc = extending(
        dir.path(),
        "merge",
        "[[mergers]]\nfrom = \"LT-P26\"\ninto = \"LT-P20\"\nmove_seats = false\n",
    );
    let out = dir.path().join("out");
    let o = sunshine(&[
        "compare",
        base_scenario().to_str().unwrap(),
        sc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    for text in [&*stdout, &*md] {
        assert!(text.contains("pushed past the class-size cap"), "{text}");
        assert!(
            text.contains("LT-P20 城区第二小学 has 529 zone applicants (baseline 379)")
                && text.contains("(5 × 45 = 225)"),
            "{text}"
        );
    }
}

#[test]
fn summary_and_schools_csv_count_only_the_grades_schools() {
    let dir = tempfile::tempdir().unwrap();
    let o = sunshine(&[
        "place",
        base_scenario().to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = json(&dir.path().join("summary.json"));
    // primary and nine-year schools: 3,195 seats; the special school's 20 apart
    assert_eq!(s["seats"], 3195);
    assert_eq!(s["seats_special"], 20);
    let rows = records(&dir.path().join("schools.csv"));
    assert!(
        rows.iter().all(|r| r["level"] != "junior"),
        "junior schools listed"
    );
    assert_eq!(rows.len(), 14 + 6 + 1);
}

/// The number of blocks `validate` says are zoned by distance.
fn validate_computed(sc: &Path) -> u64 {
    let o = sunshine(&["validate", sc.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    text.lines()
        .find_map(|l| {
            let l = l.trim_start_matches("- ");
            l.contains("their zone is computed by distance")
                .then(|| l.split_whitespace().next().unwrap().parse().unwrap())
        })
        .unwrap_or(0)
}

#[test]
fn validate_and_place_agree_on_the_blocks_zoned_by_distance() {
    let dir = tempfile::tempdir().unwrap();
    for sc in [
        base_scenario(),
        root().join("scenarios/close-tianchang-liushu.toml"),
    ] {
        let out = dir.path().join(sc.file_stem().unwrap());
        let o = sunshine(&[
            "place",
            sc.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let placed = json(&out.join("summary.json"))["zones_computed_blocks"]
            .as_u64()
            .unwrap();
        assert_eq!(validate_computed(&sc), placed, "{}", sc.display());
    }
}

#[test]
fn a_preference_list_longer_than_255_schools_is_an_error() {
    // a list position is a u8 (outcome choice_k, tie-breaking streams)
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut schools = String::from(
        "school_id,name,level,lon,lat,town,entry_seats,classes,max_class_size,boarding,status\n",
    );
    let ids: Vec<String> = (0..256).map(|i| format!("P{i:03}")).collect();
    for (i, id) in ids.iter().enumerate() {
        schools.push_str(&format!(
            "{id},s,primary,{:.4},43.9,t,45,1,45,false,open\n",
            126.5 + i as f64 * 0.001
        ));
    }
    std::fs::write(d.join("schools.csv"), schools).unwrap();
    std::fs::write(
        d.join("blocks.csv"),
        "block_id,name,town,lon,lat,households\nb1,b,t,126.5,43.9,10\n",
    )
    .unwrap();
    std::fs::write(
        d.join("students.csv"),
        format!(
            "student_id,block_id,entry_grade,gender,hukou_in_block,property_in_block,migrant,left_behind,disability,preferences\n\
             s1,b1,1,F,true,true,false,false,none,{}\n",
            ids.join(";")
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("scenario.toml"),
        "name = \"t\"\nyear = 2025\ndataset = \".\"\nlevel = \"primary\"\n",
    )
    .unwrap();
    let o = sunshine(&["validate", d.join("scenario.toml").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("students.csv:2: column 10 (preferences): more than 255 schools listed"),
        "{err}"
    );
}
