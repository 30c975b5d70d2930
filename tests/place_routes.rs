//! Admission routes on hand-made districts (issue 15): 对口直升, 公民同招
//! with the guaranteed zone fallback, fallbacks per route, 大学区-first
//! overflow. The random-district properties are in
//! `tests/routes_properties.rs`.

use geo::Point;
use sunshine::domain::model::*;
use sunshine::domain::routes::{Fallback, Feeder, FeederRoute, OverflowScope, Sector};
use sunshine::domain::scenario::Scenario;
use sunshine::rules::place::{place, Admission, Mechanism, Outcome, Settlement};
use sunshine::spatial::distance::GreatCircle;

fn school(id: &str, level: Level, lon: f64, seats: u32) -> School {
    School {
        id: SchoolId::new(id),
        name: id.into(),
        level,
        location: Point::new(lon, 43.9),
        town: "t".into(),
        entry_seats: Seats(seats),
        classes: 2,
        max_class_size: 50,
        boarding: false,
        status: Status::Open,
        annual_cost: None,
        sector: Sector::Public,
        district: None,
    }
}

fn student(id: &str, block: u32) -> Student {
    Student {
        id: StudentId::new(id),
        home: Home::Block(BlockIx(block)),
        entry_grade: Grade::Seven,
        gender: Gender::Female,
        hukou_in_block: true,
        property_in_block: true,
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

/// Junior schools J0 (3 seats, at 126.50) and J1 (10 seats, at 126.56), a
/// private junior school M (2 seats, at 126.53), primary P0 feeding J0;
/// block b0 beside J0 (6 applicants), b1 beside J1 (2 applicants); zones
/// computed by distance (b0 → J0, b1 → J1).
fn district() -> Dataset {
    let mut m = school("M", Level::Junior, 126.53, 2);
    m.sector = Sector::Private;
    let block = |id: &str, lon: f64| Block {
        id: BlockId::new(id),
        name: id.into(),
        town: "t".into(),
        location: Point::new(lon, 43.9),
        households: 10,
    };
    Dataset {
        schools: vec![
            school("J0", Level::Junior, 126.50, 3),
            school("J1", Level::Junior, 126.56, 10),
            m,
            school("P0", Level::Primary, 126.50, 50),
        ],
        blocks: vec![block("b0", 126.501), block("b1", 126.559)],
        students: (0..6)
            .map(|i| student(&format!("a{i}"), 0))
            .chain((0..2).map(|i| student(&format!("b{i}"), 1)))
            .collect(),
        zones: None,
        seat_history: Vec::new(),
        feeders: Vec::new(),
        district_names: Vec::new(),
    }
}

fn scenario() -> Scenario {
    let mut s = Scenario::plain("t", Grade::Seven, 11);
    s.policy.routes.seed_stated = true;
    s
}

fn run(data: &Dataset, sc: &Scenario) -> sunshine::rules::place::PlacementResult {
    let r = place(data, sc, Mechanism::Zoned, &GreatCircle);
    // conservation: one row per applicant, seats never exceeded
    assert_eq!(r.placements.len(), data.students.len());
    for (s, st) in r.schools.iter().enumerate() {
        let placed = r
            .placements
            .iter()
            .filter(|p| p.placed == Some(SchoolIx::from_ix(s)))
            .count() as u32;
        assert_eq!(placed, st.admitted);
        assert!(
            st.admitted <= st.seats,
            "{s}: {} > {}",
            st.admitted,
            st.seats
        );
    }
    r
}

#[test]
fn without_routes_nothing_changes() {
    let data = district();
    let r = run(&data, &scenario());
    assert!(!r.routed);
    // 6 applicants for J0's 3 seats: 3 drawn in, 3 to overflow at J1
    let at = |s: usize| r.schools[s].admitted;
    assert_eq!((at(0), at(1), at(2)), (3, 5, 0));
    assert!(r.placements.iter().all(|p| p.explanation.route.is_none()));
}

#[test]
fn direct_feeder_pupils_are_admitted_first_and_short_routes_are_drawn() {
    let mut data = district();
    data.feeders.push(Feeder {
        primary: SchoolIx(3),
        junior: SchoolIx(0),
        route: FeederRoute::Direct,
        share: None,
    });
    // b1's two pupils attended P0: their route goes to J0, outside their zone
    for s in &mut data.students[6..] {
        s.current_school = Some(SchoolIx(3));
    }
    let r = run(&data, &scenario());
    assert!(r.routed);
    for p in &r.placements[6..] {
        assert_eq!(p.outcome, Outcome::Feeder);
        assert_eq!(p.placed, Some(SchoolIx(0)));
    }
    assert_eq!(
        (r.schools[0].feeder_applicants, r.schools[0].feeder_admitted),
        (2, 2)
    );
    // one seat left at J0 for its six zone applicants
    assert_eq!(
        r.placements[..6]
            .iter()
            .filter(|p| p.placed == Some(SchoolIx(0)))
            .count(),
        1
    );

    // all eight from P0: 3 seats, the lowest numbers of the route's draw
    // win, the rest fall
    // back to their zone (J0 is full: then overflow)
    for s in &mut data.students {
        s.current_school = Some(SchoolIx(3));
    }
    let r = run(&data, &scenario());
    assert_eq!(
        (r.schools[0].feeder_applicants, r.schools[0].feeder_admitted),
        (8, 3)
    );
    // the route's own draw (sunshine-lottery-v2): stream `feeder:<J0's id>`,
    // each pupil's number keyed by its own id
    use sunshine::solve::lottery::{Keyed, Stream};
    let k = Keyed::new(11);
    let j0 = data.schools[0].id.to_string();
    let mut numbers: Vec<(f64, bool)> = r
        .placements
        .iter()
        .map(|p| {
            let id = data.students[p.student].id.to_string();
            (
                k.number(Stream::Feeder(&j0), &id),
                p.outcome == Outcome::Feeder,
            )
        })
        .collect();
    numbers.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    assert!(numbers[..3].iter().all(|x| x.1) && numbers[3..].iter().all(|x| !x.1));
    let won = r
        .placements
        .iter()
        .find(|p| p.outcome == Outcome::Feeder)
        .unwrap();
    assert!(matches!(
        won.explanation.admission,
        Some(Admission::Feeder {
            lottery: Some(_),
            ..
        })
    ));
    let lost = r
        .placements
        .iter()
        .find(|p| p.outcome != Outcome::Feeder)
        .unwrap();
    assert_eq!(
        lost.explanation.route.unwrap().feeder_short,
        Some((SchoolIx(0), 8, 3))
    );

    // fallback none: the five without a seat are declined
    let mut sc = scenario();
    sc.policy.routes.fallback.feeder = Fallback::None;
    let r = run(&data, &sc);
    assert_eq!(
        r.placements
            .iter()
            .filter(|p| p.outcome == Outcome::Declined)
            .count(),
        5
    );
    assert!(r
        .placements
        .iter()
        .filter(|p| p.outcome == Outcome::Declined)
        .all(|p| matches!(
            p.explanation.settlement,
            Some(Settlement::NoFallback { .. })
        )));
}

#[test]
fn private_losers_keep_their_zone_school() {
    let mut data = district();
    // all six of b0 and both of b1 list the private school (2 seats)
    for s in &mut data.students {
        s.preferences = vec![SchoolIx(2)];
    }
    let r = run(&data, &scenario());
    assert_eq!(r.schools[2].admitted, 2);
    assert_eq!(r.schools[2].private_applicants, 8);
    assert!(r.schools[2].private_cutoff.is_some());
    // J0's zone had 6 applicants for 3 seats; the private school took some
    // of them, and every b1 loser is admitted at J1, its zone school
    for p in &r.placements[6..] {
        assert!(p.placed == Some(SchoolIx(1)) || p.placed == Some(SchoolIx(2)));
        if p.placed == Some(SchoolIx(1)) {
            assert_eq!(p.outcome, Outcome::Zone);
            assert_eq!(p.explanation.route.unwrap().private_lost, Some(1));
        }
    }
    // no private school ever takes overflow, and J0 still fills its zone
    assert_eq!(r.schools[0].admitted, 3);
    assert_eq!(r.schools[2].overflow_in, 0);

    // fallback overflow: losers skip their zone school
    let mut sc = scenario();
    sc.policy.routes.fallback.private_lottery = Fallback::Overflow;
    let r = run(&data, &sc);
    assert!(r
        .placements
        .iter()
        .all(|p| matches!(p.outcome, Outcome::Private | Outcome::Overflow)));
}

#[test]
fn district_first_overflow_stays_inside_the_district_when_it_can() {
    let mut data = district();
    // a third junior school J2 beside b0 (so nearer than J1 for b0's
    // overflow) in another 大学区; J0 and J1 share district D
    data.schools.push(school("J2", Level::Junior, 126.505, 3));
    data.district_names = vec!["D".into(), "E".into()];
    data.schools[0].district = Some(0);
    data.schools[1].district = Some(0);
    data.schools[4].district = Some(1);
    let mut zones = Zones::new(2);
    zones.school.seven = vec![Some(SchoolIx(0)), Some(SchoolIx(1))];
    data.zones = Some(zones);
    let county = run(&data, &scenario());
    let mut sc = scenario();
    sc.policy.routes.overflow_scope = OverflowScope::DistrictFirst;
    let first = run(&data, &sc);
    let overflow_at = |r: &sunshine::rules::place::PlacementResult, s: usize| {
        r.placements
            .iter()
            .filter(|p| p.outcome == Outcome::Overflow && p.placed == Some(SchoolIx::from_ix(s)))
            .count()
    };
    // county: b0's three lottery losers go to J2 next door
    assert_eq!(overflow_at(&county, 4), 3);
    // district first: to J1, inside 大学区 D, although farther
    assert_eq!(overflow_at(&first, 1), 3);
    assert_eq!(first.schools[1].overflow_in_district, 3);
    assert!(first
        .placements
        .iter()
        .filter(|p| p.outcome == Outcome::Overflow)
        .all(|p| p.explanation.route.unwrap().in_district == Some(true)));
}

#[test]
fn a_priority_feeder_route_ranks_its_pupils_in_the_feeder_category() {
    let mut data = district();
    data.feeders.push(Feeder {
        primary: SchoolIx(3),
        junior: SchoolIx(0),
        route: FeederRoute::Priority,
        share: None,
    });
    // b0's six applicants: four of the last category, two from P0
    for (i, s) in data.students[..6].iter_mut().enumerate() {
        s.hukou_in_block = false;
        s.property_in_block = false;
        if i >= 4 {
            s.current_school = Some(SchoolIx(3));
        }
    }
    let r = run(&data, &scenario());
    assert!(r.routed);
    for p in &r.placements[4..6] {
        // the first category at J0, so admitted ahead of the draw
        assert_eq!(p.tier, Tier(1));
        assert_eq!(p.outcome, Outcome::Zone);
        assert_eq!(
            p.explanation.route.unwrap().feeder_priority,
            Some(SchoolIx(0))
        );
    }
    // one seat left for the other four: drawn
    assert_eq!(
        r.placements[..4]
            .iter()
            .filter(|p| p.outcome == Outcome::LotteryWon)
            .count(),
        1
    );
}

#[test]
fn a_group_lottery_loser_continues_with_the_rest_of_the_group() {
    let mut data = district();
    // b0 is a multi-school zone of J0 and J1; its applicants list J0 only
    let mut zones = Zones::new(2);
    zones.groups.push(ZoneGroup {
        id: "G".into(),
        schools: vec![SchoolIx(0), SchoolIx(1)],
    });
    zones.group.seven[0] = Some(0);
    zones.school.seven[1] = Some(SchoolIx(1));
    data.zones = Some(zones);
    for s in &mut data.students[..6] {
        s.preferences = vec![SchoolIx(0)];
    }
    // default (overflow): the three who lose J0 go to 统筹 (here J1, the
    // only school with seats)
    let r = run(&data, &scenario());
    let losers: Vec<_> = r.placements[..6]
        .iter()
        .filter(|p| p.placed != Some(SchoolIx(0)))
        .collect();
    assert_eq!(losers.len(), 3);
    assert!(losers.iter().all(|p| p.outcome == Outcome::Overflow));
    // group: J1 follows in their list, as a choice of the zone
    let mut sc = scenario();
    sc.policy.routes.fallback.group_lottery = Fallback::Group;
    let r = run(&data, &sc);
    let losers: Vec<_> = r.placements[..6]
        .iter()
        .filter(|p| p.placed != Some(SchoolIx(0)))
        .collect();
    assert_eq!(losers.len(), 3);
    assert!(losers.iter().all(|p| p.outcome == Outcome::Choice(2)));
}

#[test]
fn private_schools_come_first_under_deferred_acceptance_too() {
    let mut data = district();
    // everyone lists the private school, then J1
    for s in &mut data.students {
        s.preferences = vec![SchoolIx(2), SchoolIx(1)];
    }
    let r = place(
        &data,
        &scenario(),
        Mechanism::DeferredAcceptance(sunshine::rules::place::TieBreak::Single),
        &GreatCircle,
    );
    assert_eq!(r.schools[2].admitted, 2);
    assert!(r
        .placements
        .iter()
        .filter(|p| p.outcome == Outcome::Private)
        .all(|p| p.placed == Some(SchoolIx(2))));
    // the losers' public list is J1 then their zone school (appended)
    for p in r
        .placements
        .iter()
        .filter(|p| p.outcome != Outcome::Private)
    {
        let note = p.explanation.route.unwrap();
        assert_eq!(note.private_lost, Some(1));
        assert!(p.placed.is_some());
    }
    let b0_losers = r.placements[..6]
        .iter()
        .filter(|p| p.outcome != Outcome::Private)
        .all(|p| p.explanation.route.unwrap().appended_zone == Some(SchoolIx(0)));
    assert!(b0_losers);
}
