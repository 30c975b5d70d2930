//! Placement rules on small instances built in code: computed zones,
//! closures and mergers, and the overflow placement against the LP optimum.

use geo::Point;
use proptest::prelude::*;
use sunshine::domain::model::*;
use sunshine::domain::scenario::{Merger, Scenario};
use sunshine::rules::place::{assign_by_flow, place, Mechanism, Outcome, Reach};
use sunshine::solve::{lp, mcf};
use sunshine::spatial::distance::{DistanceSource, GreatCircle};

fn school(id: &str, lon: f64, lat: f64, seats: u32) -> School {
    School {
        id: SchoolId::new(id),
        name: id.into(),
        level: Level::Primary,
        location: Point::new(lon, lat),
        town: "t".into(),
        entry_seats: Seats(seats),
        classes: 1,
        max_class_size: 45,
        boarding: false,
        status: Status::Open,
        annual_cost: None,
        sector: Default::default(),
        district: None,
    }
}

fn block(id: &str, lon: f64, lat: f64) -> Block {
    Block {
        id: BlockId::new(id),
        name: id.into(),
        town: "t".into(),
        location: Point::new(lon, lat),
        households: 10,
    }
}

fn student(id: &str, b: u32, hukou: bool, property: bool) -> Student {
    Student {
        id: StudentId::new(id),
        home: Home::Block(BlockIx(b)),
        entry_grade: Grade::One,
        gender: Gender::Female,
        hukou_in_block: hukou,
        property_in_block: property,
        migrant: false,
        left_behind: false,
        disability: Disability::None,
        sibling_school: None,
        preferences: vec![],
        score: None,
        family: None,
        property_id: None,
        accept_overflow: None,
        extra: Box::default(),
        current_school: None,
    }
}

fn scenario() -> Scenario {
    Scenario::plain("t", Grade::One, 9)
}

/// Two schools 2 km apart; block b0 next to S0 with 5 applicants, b1
/// between them with 3. S0 has 6 seats, S1 10.
fn two_schools() -> Dataset {
    Dataset {
        schools: vec![
            school("S0", 126.50, 43.90, 6),
            school("S1", 126.525, 43.90, 10),
        ],
        blocks: vec![block("b0", 126.501, 43.90), block("b1", 126.510, 43.90)],
        students: (0..5)
            .map(|i| student(&format!("a{i}"), 0, true, true))
            .chain((0..3).map(|i| student(&format!("b{i}"), 1, true, true)))
            .collect(),
        zones: None,
        seat_history: Vec::new(),
        feeders: Vec::new(),
        district_names: Vec::new(),
    }
}

#[test]
fn zones_are_computed_with_capacity_when_not_given() {
    let data = two_schools();
    let r = place(&data, &scenario(), Mechanism::Zoned, &GreatCircle);
    // b1 is nearer S0, but S0 cannot hold both blocks (8 > 6): the
    // capacity-aware zoning sends b1 to S1
    assert_eq!(
        r.zones,
        vec![(Some(SchoolIx(0)), true), (Some(SchoolIx(1)), true)]
    );
    assert!(r.placements.iter().all(|p| p.outcome == Outcome::Zone));
}

#[test]
fn closure_rezones_and_merger_moves_zone_and_seats() {
    let mut data = two_schools();
    let mut z = Zones::new(2);
    z.school.one = vec![Some(SchoolIx(0)), Some(SchoolIx(0))];
    data.zones = Some(z);
    let mut sc = scenario();
    sc.closures = vec![sunshine::domain::scenario::Closure::new(SchoolId::new(
        "S0",
    ))];
    let applied = sc.apply(data.clone());
    let r = place(&applied, &sc, Mechanism::Zoned, &GreatCircle);
    assert!(r.placements.iter().all(|p| p.placed == Some(SchoolIx(1))));
    assert_eq!(
        r.zones,
        vec![(Some(SchoolIx(1)), true), (Some(SchoolIx(1)), true)]
    );
    assert_eq!(r.schools[0].admitted, 0);

    let mut sc = scenario();
    sc.mergers = vec![Merger {
        from: SchoolId::new("S1"),
        into: SchoolId::new("S0"),
        move_seats: true,
        branch_seats: None,
        year: None,
        phase_out: Default::default(),
    }];
    let applied = sc.apply(data);
    assert_eq!(applied.schools[0].entry_seats, Seats(16));
    assert_eq!(applied.schools[1].status, Status::Closing);
    let r = place(&applied, &sc, Mechanism::Zoned, &GreatCircle);
    assert!(r.placements.iter().all(|p| p.placed == Some(SchoolIx(0))));
}

#[test]
fn lottery_decides_only_inside_the_tier_that_does_not_fit() {
    let mut data = two_schools();
    // all 8 zoned to S0 (6 seats): 4 tier-1, 4 tier-3 (hukou only)
    data.students = (0..4)
        .map(|i| student(&format!("p{i}"), 0, true, true))
        .chain((0..4).map(|i| student(&format!("q{i}"), 0, true, false)))
        .collect();
    let mut z = Zones::new(2);
    z.school.one = vec![Some(SchoolIx(0)), Some(SchoolIx(0))];
    data.zones = Some(z);
    let r = place(&data, &scenario(), Mechanism::Zoned, &GreatCircle);
    let won: Vec<_> = r
        .placements
        .iter()
        .filter(|p| p.outcome == Outcome::LotteryWon)
        .collect();
    let lost: Vec<_> = r
        .placements
        .iter()
        .filter(|p| p.outcome == Outcome::Overflow)
        .collect();
    assert_eq!(won.len(), 2);
    assert_eq!(lost.len(), 2);
    assert!(won.iter().all(|p| p.tier == Tier(3)));
    let cut = r.schools[0].lottery_cutoff.unwrap();
    assert_eq!(cut.0, Tier(3));
    assert!(won.iter().all(|p| p.lottery <= cut.1));
    assert!(lost
        .iter()
        .all(|p| p.lottery > cut.1 && p.placed == Some(SchoolIx(1))));
}

/// (east offset, north offset in degrees, applicants or seats)
type Site = (f64, f64, u32);

/// Random small districts: homes and schools on a 10 km square.
fn district() -> impl Strategy<Value = (Vec<Site>, Vec<Site>)> {
    (
        prop::collection::vec((0.0..0.12f64, 0.0..0.09f64, 1u32..5), 1..7),
        prop::collection::vec((0.0..0.12f64, 0.0..0.09f64, 0u32..6), 1..5),
    )
}

/// A district of `homes` (blocks with applicants) and `schools` (seats),
/// with the applicants' indices.
fn district_data(homes: &[Site], schools: &[Site]) -> (Dataset, Vec<usize>) {
    let mut data = Dataset::default();
    for (i, &(x, y, seats)) in schools.iter().enumerate() {
        data.schools
            .push(school(&format!("S{i}"), 126.4 + x, 43.8 + y, seats.max(1)));
        data.schools[i].entry_seats = Seats(seats);
    }
    let mut applicants = Vec::new();
    for (b, &(x, y, n)) in homes.iter().enumerate() {
        data.blocks
            .push(block(&format!("b{b}"), 126.4 + x, 43.8 + y));
        for j in 0..n {
            applicants.push(data.students.len());
            data.students
                .push(student(&format!("s{b}-{j}"), b as u32, true, true));
        }
    }
    (data, applicants)
}

/// The overflow problem as an LP over every school within `max`, unplaced
/// at a penalty: (unplaced, total distance) of its optimum.
fn lp_reference(data: &Dataset, max: Metres) -> (i64, f64) {
    let mut net = mcf::Network::new();
    let mut per_block = vec![0i64; data.blocks.len()];
    for st in &data.students {
        if let Home::Block(b) = st.home {
            per_block[b.ix()] += 1;
        }
    }
    let total: i64 = per_block.iter().sum();
    let hn: Vec<usize> = per_block.iter().map(|&n| net.add_node(n)).collect();
    let sn: Vec<usize> = data.schools.iter().map(|_| net.add_node(0)).collect();
    let sink = net.add_node(-total);
    let penalty = 1_000_000_000i64;
    for (b, blk) in data.blocks.iter().enumerate() {
        for (s, sc) in data.schools.iter().enumerate() {
            let m = GreatCircle.metres(blk.location, sc.location).unwrap();
            if m <= max {
                net.add_arc(hn[b], sn[s], mcf::INF, i64::from(m.0));
            }
        }
        net.add_arc(hn[b], sink, mcf::INF, penalty);
    }
    for (s, sc) in data.schools.iter().enumerate() {
        net.add_arc(sn[s], sink, i64::from(sc.entry_seats.0), 0);
    }
    let reference = lp::min_cost(&net).unwrap();
    let unplaced = (reference / penalty as f64).round() as i64;
    (unplaced, reference - (unplaced * penalty) as f64)
}

/// Overflow placement with `candidates` = `k` against the LP optimum over
/// every school within reach: as many placed, the same total distance, no
/// school over its seats.
fn check_against_lp(
    homes: &[Site],
    schools: &[Site],
    max_km: f64,
    k: usize,
) -> Result<(), TestCaseError> {
    let (data, applicants) = district_data(homes, schools);
    let all: Vec<SchoolIx> = (0..schools.len()).map(SchoolIx::from_ix).collect();
    let mut seats: Vec<u32> = data.schools.iter().map(|s| s.entry_seats.0).collect();
    let max = Metres::from_km(max_km);
    let got = assign_by_flow(
        &data,
        &applicants,
        &all,
        &mut seats,
        Reach { candidates: k, max },
        &GreatCircle,
    );
    let placed = got.iter().filter(|g| g.is_some()).count() as i64;
    let dist: i64 = got.iter().flatten().map(|&(_, m)| i64::from(m.0)).sum();
    for (s, school) in data.schools.iter().enumerate() {
        let used = got.iter().flatten().filter(|(x, _)| x.ix() == s).count() as u32;
        prop_assert!(used <= school.entry_seats.0);
        prop_assert_eq!(seats[s], school.entry_seats.0 - used);
    }
    let (unplaced, reference) = lp_reference(&data, max);
    prop_assert_eq!(
        applicants.len() as i64 - placed,
        unplaced,
        "candidates {}",
        k
    );
    prop_assert!(
        (reference - dist as f64).abs() < 0.5,
        "candidates {}: distance {} vs LP {}",
        k,
        dist,
        reference
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// With every school a candidate, overflow placement places as many as
    /// the LP optimum and at the same total distance.
    #[test]
    fn overflow_matches_the_lp_optimum((homes, schools) in district(), max_km in 2.0..15.0f64) {
        check_against_lp(&homes, &schools, max_km, schools.len())?;
    }

    /// Issue 12, item 14: whatever `candidates` is, the result is the exact
    /// optimum over every school within `overflow_max_km` (the nearest few
    /// filled, a home's seats beyond them must still be found and used).
    #[test]
    fn overflow_with_few_candidates_matches_the_lp_optimum(
        (homes, schools) in district_crowded(),
        max_km in 2.0..15.0f64,
    ) {
        for k in [1, 2, 3, 5] {
            check_against_lp(&homes, &schools, max_km, k)?;
        }
    }
}

/// Districts where the nearest schools fill: more homes and schools than
/// [`district`], fewer seats per school.
fn district_crowded() -> impl Strategy<Value = (Vec<Site>, Vec<Site>)> {
    (
        prop::collection::vec((0.0..0.12f64, 0.0..0.09f64, 1u32..8), 2..12),
        prop::collection::vec((0.0..0.12f64, 0.0..0.09f64, 0u32..6), 2..9),
    )
}

/// Issue 12, item 14, by hand, on a line: home A (2 applicants) at 0 km,
/// schools S0 at 1 km, S1 at 2.2 km, home B (1 applicant) at 2.4 km,
/// school S2 at 4 km; one seat each. The optimum is A → S0 and S1, B → S2:
/// 4.8 km. Rounds of the 1 or 2 nearest schools gave B S1 (0.2 km) first
/// and sent A's second child to S2: 5.2 km.
#[test]
fn a_home_beyond_the_nearest_schools_is_priced_in() {
    let km = 1.0 / 80.3; // degrees of longitude per km at 43.8° N
    let homes = [(0.0, 0.0, 2), (2.4 * km, 0.0, 1)];
    let schools = [(1.0 * km, 0.0, 1), (2.2 * km, 0.0, 1), (4.0 * km, 0.0, 1)];
    for k in [1, 2, 3] {
        check_against_lp(&homes, &schools, 30.0, k).unwrap();
    }
}

#[test]
fn branch_campus_and_conversion() {
    let data = two_schools();
    let mut sc = scenario();
    sc.mergers = vec![Merger {
        from: SchoolId::new("S1"),
        into: SchoolId::new("S0"),
        move_seats: false,
        branch_seats: Some(Seats(4)),
        year: None,
        phase_out: Default::default(),
    }];
    sc.conversions = vec![sunshine::domain::scenario::Conversion {
        school: SchoolId::new("S0"),
        freed_seats: Seats(2),
        year: None,
    }];
    let applied = sc.apply(data);
    assert_eq!(applied.schools[1].status, Status::Open);
    assert_eq!(applied.schools[1].entry_seats, Seats(4));
    assert_eq!(applied.schools[1].name, "S0（S1校区）");
    assert_eq!(applied.schools[0].entry_seats, Seats(8));
}

/// Rules built in code (the scenario reader is tested apart): one school
/// with 4 seats and 9 applicants of its zone. Categories: 优抚 (declared
/// bool `pref`), 房户一致 (hukou and property), 其他 (everyone). Keys:
/// sub-table A (property in block, i.e. all of 房户一致 here; the test
/// uses hukou_in_block for A so 其他 splits), then `hukou_date` earlier
/// first. Worked by hand:
/// - p0 (优抚) first;
/// - 房户一致: h1 (2019-01-01), h2 (2019-06-01), h3 (2019-06-01), h4 (empty
///   date: last) → h1 then {h2, h3} tied on the date: 2 seats left for 2
///   of them, so both in; h4 out (the school is full);
/// - 其他 (o0..o3) all out.
#[test]
fn priority_rules_rank_by_category_then_sub_table_then_date() {
    use sunshine::domain::priority::*;
    let mut data = two_schools();
    data.schools[0].entry_seats = Seats(4);
    let day = |s: &str| Value::Date(parse_date(s).unwrap());
    let mut studs = Vec::new();
    let mk = |id: &str, hp: bool, pref: bool, date: Value| {
        let mut s = student(id, 0, hp, hp);
        s.extra = vec![Value::Bool(pref), date].into_boxed_slice();
        s
    };
    studs.push(mk("p0", false, true, Value::Missing));
    studs.push(mk("h4", true, false, Value::Missing));
    studs.push(mk("h3", true, false, day("2019/6/1")));
    studs.push(mk("h2", true, false, day("2019年6月1日")));
    studs.push(mk("h1", true, false, day("2019-01-01")));
    for i in 0..4 {
        studs.push(mk(&format!("o{i}"), false, false, day("2000-01-01")));
    }
    data.students = studs;
    data.blocks.truncate(1);
    let mut z = Zones::new(1);
    z.school.one = vec![Some(SchoolIx(0))];
    data.zones = Some(z);
    let mut sc = scenario();
    let cond = |col: ColumnRef, name: &str, v: Value| Condition {
        column: col,
        name: name.into(),
        cmp: Cmp::Eq,
        value: v,
    };
    let cat = |name: &str, when: Vec<Condition>| CategoryRule {
        name: name.into(),
        when: When(when),
        accept_overflow: None,
        order: None,
    };
    sc.policy.rules = Rules {
        columns: vec![
            ("pref".into(), ColumnType::Bool),
            ("hukou_date".into(), ColumnType::Date),
        ],
        categories: vec![
            cat(
                "优抚",
                vec![cond(ColumnRef::Declared(0), "pref", Value::Bool(true))],
            ),
            cat(
                "房户一致",
                vec![
                    cond(
                        ColumnRef::Builtin(Builtin::HukouInBlock),
                        "hukou_in_block",
                        Value::Bool(true),
                    ),
                    cond(
                        ColumnRef::Builtin(Builtin::PropertyInBlock),
                        "property_in_block",
                        Value::Bool(true),
                    ),
                ],
            ),
            cat("其他", vec![]),
        ],
        subtables: vec![Subtable {
            name: "A".into(),
            when: When(vec![cond(
                ColumnRef::Builtin(Builtin::HukouInBlock),
                "hukou_in_block",
                Value::Bool(true),
            )]),
        }],
        order: vec![
            OrderKey::Category,
            OrderKey::Subtable,
            OrderKey::Column {
                column: ColumnRef::Declared(1),
                name: "hukou_date".into(),
                ty: ColumnType::Date,
                descending: false,
            },
            OrderKey::Lottery,
        ],
        reserved: vec![],
        seat_lock: None,
        twins: LotteryTwins::Apart,
    };
    let r = place(&data, &sc, Mechanism::Zoned, &GreatCircle);
    let at_zone: Vec<&str> = r
        .placements
        .iter()
        .filter(|p| p.outcome == Outcome::Zone)
        .map(|p| data.students[p.student].id.as_str())
        .collect();
    assert_eq!(at_zone, vec!["p0", "h3", "h2", "h1"]);
    assert!(r
        .placements
        .iter()
        .all(|p| p.outcome != Outcome::LotteryWon));
    let c = r.schools[0].cutoff.unwrap();
    assert_eq!(c.tier, Tier(2));
    assert!(!c.drawn);
    // one seat fewer: h2 and h3 tie on every key and are drawn
    data.schools[0].entry_seats = Seats(3);
    let r = place(&data, &sc, Mechanism::Zoned, &GreatCircle);
    let won: Vec<&str> = r
        .placements
        .iter()
        .filter(|p| p.outcome == Outcome::LotteryWon)
        .map(|p| data.students[p.student].id.as_str())
        .collect();
    assert_eq!(won.len(), 1);
    assert!(won[0] == "h2" || won[0] == "h3");
    assert_eq!(r.schools[0].zone_draw.unwrap().applicants, 2);
}

/// Twins together with one seat: the family (ranked first by its earlier
/// date) does not fit, is passed over, and the single applicant after it
/// takes the seat without any draw; the family's note says it was passed
/// over, and no lottery is recorded at the school.
#[test]
fn a_family_that_does_not_fit_is_passed_over_without_a_draw() {
    use sunshine::domain::priority::*;
    use sunshine::rules::place::Admission;
    let mut data = two_schools();
    data.schools[0].entry_seats = Seats(1);
    data.blocks.truncate(1);
    let mut z = Zones::new(1);
    z.school.one = vec![Some(SchoolIx(0))];
    data.zones = Some(z);
    let day = |s: &str| Value::Date(parse_date(s).unwrap());
    let mut t1 = student("t1", 0, true, true);
    let mut t2 = student("t2", 0, true, true);
    let mut single = student("s", 0, true, true);
    for (st, d) in [
        (&mut t1, "2010-01-01"),
        (&mut t2, "2010-01-01"),
        (&mut single, "2015-01-01"),
    ] {
        st.extra = vec![day(d)].into_boxed_slice();
    }
    t1.family = Some("F".into());
    t2.family = Some("F".into());
    data.students = vec![t1, t2, single];
    let mut sc = scenario();
    let mut rules = Rules::from_priority(&sunshine::domain::scenario::Category::ALL);
    rules.columns = vec![("hukou_date".into(), ColumnType::Date)];
    rules.order = vec![
        OrderKey::Category,
        OrderKey::Column {
            column: ColumnRef::Declared(0),
            name: "hukou_date".into(),
            ty: ColumnType::Date,
            descending: false,
        },
        OrderKey::Lottery,
    ];
    rules.twins = LotteryTwins::Together;
    sc.policy.rules = rules;
    let r = place(&data, &sc, Mechanism::Zoned, &GreatCircle);
    let by_id = |id: &str| {
        r.placements
            .iter()
            .find(|p| data.students[p.student].id.as_str() == id)
            .unwrap()
    };
    assert_eq!(by_id("s").outcome, Outcome::Zone);
    assert_eq!(by_id("s").placed, Some(SchoolIx(0)));
    for id in ["t1", "t2"] {
        let p = by_id(id);
        assert_eq!(p.placed, Some(SchoolIx(1)), "{id} goes to 统筹 together");
        let note = p.explanation.rank.unwrap();
        assert!(note.passed_over && note.family == 2, "{id}: {note:?}");
        assert!(matches!(
            p.explanation.admission,
            Some(Admission::ZoneLottery { won: false, .. }) | Some(Admission::ZoneFull { .. })
        ));
    }
    // the family's shared number
    assert_eq!(by_id("t1").lottery, by_id("t2").lottery);
    assert!(
        r.schools[0].lottery_cutoff.is_none(),
        "no draw: the single applicant is in its own group"
    );
}
