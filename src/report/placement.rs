//! Outputs of `sunshine place`: `placements.csv`, `schools.csv`,
//! `zones.csv`, `summary.json` and the terminal summary. Outputs hold ids,
//! never names of children.

use std::collections::BTreeMap;

use comfy_table::Cell;
use serde_json::json;

use super::{csv_bytes, num, table};
use crate::domain::language::Language;
use crate::domain::model::{Dataset, Disability, Home, SeatUse};
use crate::domain::scenario::Scenario;
use crate::domain::stats::quantile;
use crate::io::output::OutputSet;
use crate::io::provenance::InputFile;
use crate::rules::place::{Outcome, Placement, PlacementResult};
use crate::solve::lottery;
use crate::spatial::distance::DistanceSource;

fn km(m: Option<crate::domain::model::Metres>) -> String {
    m.map_or(String::new(), |m| format!("{:.3}", m.km()))
}

/// An applicant's reason in the run's language ([`super::explain::wording`]).
fn reason(
    data: &Dataset,
    scenario: &Scenario,
    r: &PlacementResult,
    p: &Placement,
    lang: Language,
) -> String {
    let rules = &scenario.policy.rules;
    let at = p.explanation.rank.map(|_| super::explain::RankAt {
        data,
        rules,
        student: &data.students[p.student],
        tier: p.tier,
        school: p.zone_school.map(|z| (z, &r.schools[z.ix()])),
        lock_years: rules.seat_lock.map_or(0, |l| l.years),
    });
    super::explain::render(
        super::explain::wording(lang),
        &p.explanation,
        data,
        at.as_ref(),
    )
}

/// `placements.csv`: one row per applicant; the `reason` column is in the
/// run's language, every other value an id or a number.
pub fn placements_csv(
    data: &Dataset,
    scenario: &Scenario,
    r: &PlacementResult,
    lang: Language,
) -> Vec<u8> {
    let sid = |s: Option<crate::domain::model::SchoolIx>| {
        s.map_or(String::new(), |s| data.school(s).id.to_string())
    };
    csv_bytes(
        &[
            "student_id",
            "block_id",
            "zone_school_id",
            "zone_group_id",
            "placed_school_id",
            "outcome",
            "tier",
            "lottery_number",
            "distance_km",
            "reason",
        ],
        r.placements.iter().map(|p| {
            let st = &data.students[p.student];
            vec![
                st.id.to_string(),
                match st.home {
                    Home::Block(b) => data.block(b).id.to_string(),
                    Home::Point(_) => String::new(),
                },
                sid(p.zone_school),
                p.zone_group.map_or(String::new(), |g| {
                    data.zones
                        .as_ref()
                        .map_or(String::new(), |z| z.groups[g as usize].id.clone())
                }),
                sid(p.placed),
                p.outcome.label(),
                p.tier.to_string(),
                format!("{:.9}", p.lottery),
                km(p.distance),
                reason(data, scenario, r, p, lang),
            ]
        }),
    )
}

pub fn schools_csv(data: &Dataset, scenario: &Scenario, r: &PlacementResult) -> Vec<u8> {
    let tiers = scenario.policy.tier_count() as usize;
    let mut header: Vec<String> = [
        "school_id",
        "name",
        "level",
        "status",
        "seats",
        "applicants",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend((1..=tiers).map(|t| format!("applicants_tier{t}")));
    header.push("applicants_out_of_zone".into());
    header.extend(
        [
            "admitted_zone",
            "admitted_by_lottery",
            "lottery_tier",
            "lottery_cutoff",
            "overflow_in",
            "overflow_out",
            "admitted",
            "seats_left",
            "utilisation",
            "migrant",
            "left_behind",
            "disability_mild",
            "disability_severe",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    csv_bytes(
        &header,
        data.schools
            .iter()
            .zip(&r.schools)
            .filter(|(s, _)| s.of_grade(scenario.grade))
            .map(|(s, st)| {
                let mut row = vec![
                    s.id.to_string(),
                    s.name.clone(),
                    s.level.as_str().to_string(),
                    match s.status {
                        crate::domain::model::Status::Open => "open".to_string(),
                        crate::domain::model::Status::Closing => "closing".to_string(),
                    },
                    st.seats.to_string(),
                    st.applicants().to_string(),
                ];
                row.extend(st.applicants_by_tier.iter().map(u32::to_string));
                row.push(st.applicants_out_of_zone.to_string());
                row.extend([
                    st.admitted_zone.to_string(),
                    st.admitted_lottery.to_string(),
                    st.lottery_cutoff
                        .map_or(String::new(), |(t, _)| t.to_string()),
                    st.lottery_cutoff
                        .map_or(String::new(), |(_, c)| format!("{c:.9}")),
                    st.overflow_in.to_string(),
                    st.overflow_out.to_string(),
                    st.admitted.to_string(),
                    (st.seats.saturating_sub(st.admitted)).to_string(),
                    format!("{:.3}", st.utilisation()),
                    st.migrant.to_string(),
                    st.left_behind.to_string(),
                    st.disability_mild.to_string(),
                    st.disability_severe.to_string(),
                ]);
                row
            }),
    )
}

/// The zones used, in the input format of `zones.csv` (plus a `source`
/// column: `given` or `computed`), so a planner can check and reuse them.
pub fn zones_csv(data: &Dataset, scenario: &Scenario, r: &PlacementResult) -> Vec<u8> {
    let groups = data.zones.as_ref();
    csv_bytes(
        &["block_id", "school_id", "grade", "group_id", "source"],
        data.blocks
            .iter()
            .zip(&r.zones)
            .enumerate()
            .filter_map(|(bi, (b, &(s, computed)))| {
                let group = groups.and_then(|z| {
                    z.group.get(scenario.grade)[bi].map(|g| z.groups[g as usize].id.clone())
                });
                let school = s.map(|s| data.school(s).id.to_string());
                if school.is_none() && group.is_none() {
                    return None;
                }
                Some(vec![
                    b.id.to_string(),
                    if group.is_some() {
                        String::new()
                    } else {
                        school.unwrap_or_default()
                    },
                    scenario.grade.number().to_string(),
                    group.unwrap_or_default(),
                    if computed { "computed" } else { "given" }.to_string(),
                ])
            }),
    )
}

/// The `q`-quantile of sorted distances in metres, in km (0 when none).
fn percentile(sorted: &[u32], q: f64) -> f64 {
    quantile(sorted, q).map_or(0.0, |m| f64::from(m) / 1000.0)
}

/// Counts by outcome for a subset of applicants: every fixed outcome, and
/// each `choice_k` that occurs.
fn outcome_counts(r: &PlacementResult, keep: impl Fn(usize) -> bool) -> BTreeMap<String, usize> {
    let mut m: BTreeMap<String, usize> = Outcome::FIXED.iter().map(|o| (o.label(), 0)).collect();
    for p in &r.placements {
        if keep(p.student) {
            *m.entry(p.outcome.label()).or_default() += 1;
        }
    }
    m
}

/// The outcomes that occur, in report order.
fn outcomes_present(r: &PlacementResult) -> Vec<Outcome> {
    let mut v: Vec<Outcome> = r.placements.iter().map(|p| p.outcome).collect();
    v.sort();
    v.dedup();
    v
}

pub fn summary_json(data: &Dataset, scenario: &Scenario, r: &PlacementResult) -> serde_json::Value {
    let mut dists: Vec<u32> = r
        .placements
        .iter()
        .filter_map(|p| p.distance.map(|m| m.0))
        .collect();
    dists.sort_unstable();
    let mean = if dists.is_empty() {
        0.0
    } else {
        dists.iter().map(|&d| f64::from(d)).sum::<f64>() / dists.len() as f64 / 1000.0
    };
    let radius = scenario.policy.service_radius(scenario.grade).to_string();
    let within = r.placements.iter().filter(|p| p.within_radius).count();
    let tiers: BTreeMap<String, BTreeMap<String, usize>> = (1..=scenario.policy.tier_count())
        .map(|t| {
            let mut m: BTreeMap<String, usize> = BTreeMap::new();
            for p in r.placements.iter().filter(|p| p.tier.0 == t) {
                *m.entry(p.outcome.label()).or_default() += 1;
            }
            (format!("tier{t}"), m)
        })
        .collect();
    // the grade's seats: its open mainstream schools (special schools apart)
    let (mut seats, mut seats_special) = (0u64, 0u64);
    for (s, st) in data.schools.iter().zip(&r.schools) {
        if s.level == crate::domain::model::Level::Special {
            seats_special += u64::from(st.seats);
        } else if s.level.admits(scenario.grade)
            && s.sector == crate::domain::routes::Sector::Public
        {
            // private seats apart (routes.private.seats)
            seats += u64::from(st.seats);
        }
    }
    let admitted: u64 = r.schools.iter().map(|s| u64::from(s.admitted)).sum();
    let mut out = json!({
        "scenario": scenario.name,
        "year": scenario.year,
        "entry_grade": scenario.grade.number(),
        "mechanism": r.mechanism.as_str(),
        "distance_source": r.distance_source,
        "lottery": { "seed": scenario.policy.lottery_seed, "algorithm": lottery::describe(scenario.policy.lottery_algorithm) },
        "priority": scenario.policy.rules.categories.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        "applicants": r.placements.len(),
        "seats": seats,
        "seats_special": seats_special,
        "admitted": admitted,
        "outcomes": outcome_counts(r, |_| true),
        "outcomes_by_tier": tiers,
        "migrant": outcome_counts(r, |i| data.students[i].migrant),
        "left_behind": outcome_counts(r, |i| data.students[i].left_behind),
        "disability_mild": outcome_counts(r, |i| data.students[i].disability == Disability::Mild),
        "disability_severe": outcome_counts(r, |i| data.students[i].disability == Disability::Severe),
        "distance_km": {
            "mean": (mean * 1000.0).round() / 1000.0,
            "p50": percentile(&dists, 0.5),
            "p90": percentile(&dists, 0.9),
            "max": percentile(&dists, 1.0),
            "service_radius": radius,
            "within_service_radius": within,
        },
        "schools_with_lottery": r.schools.iter().filter(|s| s.lottery_cutoff.is_some()).count(),
        "zones_computed_blocks": r.zones.iter().filter(|z| z.1).count(),
    });
    if r.routed {
        out["routes"] = routes_json(data, scenario, r);
    }
    out
}

/// The summary's `routes` (only when a route applied): the feeder and
/// private routes' applicants and admissions, the fallbacks stated, those
/// declined by a fallback, and overflow inside and outside the 大学区.
fn routes_json(data: &Dataset, scenario: &Scenario, r: &PlacementResult) -> serde_json::Value {
    let sum = |f: fn(&crate::rules::place::SchoolStats) -> u32| -> u64 {
        r.schools.iter().map(|s| u64::from(f(s))).sum()
    };
    let routes = &scenario.policy.routes;
    let short: Vec<&str> = data
        .schools
        .iter()
        .zip(&r.schools)
        .filter(|(_, st)| st.feeder_applicants > st.feeder_admitted)
        .map(|(s, _)| s.id.as_str())
        .collect();
    let private_admitted = r
        .placements
        .iter()
        .filter(|p| p.outcome == Outcome::Private)
        .count();
    let private_applicants = r
        .placements
        .iter()
        .filter(|p| {
            p.outcome == Outcome::Private
                || p.explanation
                    .route
                    .is_some_and(|n| n.private_lost.is_some())
        })
        .count();
    let by_fallback = r
        .placements
        .iter()
        .filter(|p| {
            matches!(
                p.explanation.settlement,
                Some(crate::rules::place::Settlement::NoFallback { .. })
            )
        })
        .count();
    let fallbacks: BTreeMap<&str, &str> = crate::domain::routes::RouteKind::ALL
        .iter()
        .map(|&k| (k.key(), routes.fallback.of(k).as_str()))
        .collect();
    let inside = sum(|s| s.overflow_in_district);
    json!({
        "feeder": {
            "applicants": sum(|s| s.feeder_applicants),
            "admitted": sum(|s| s.feeder_admitted),
            "schools_short": short,
        },
        "private": {
            "applicants": private_applicants,
            "admitted": private_admitted,
            "seats": r.schools.iter().zip(&data.schools)
                .filter(|(_, s)| s.sector == crate::domain::routes::Sector::Private && s.level.admits(scenario.grade))
                .map(|(st, _)| u64::from(st.seats)).sum::<u64>(),
        },
        "fallback": fallbacks,
        "append_zone_school": routes.append_zone_school,
        "declined_by_fallback": by_fallback,
        "overflow_scope": routes.overflow_scope.as_str(),
        "overflow_inside_district": inside,
        "overflow_outside_district": sum(|s| s.overflow_in) - inside,
    })
}

/// `routes.csv` (only when a route applied): per school of the grade, its
/// sector and 大学区, the direct feeder route's pupils and admissions, a
/// private school's applicants, admissions and lottery cut-off, and the
/// overflow it took from inside and outside its 大学区.
pub fn routes_csv(data: &Dataset, scenario: &Scenario, r: &PlacementResult) -> Vec<u8> {
    // admitted by the private round, per school (one pass)
    let mut private_admitted = vec![0u32; data.schools.len()];
    for p in &r.placements {
        if let (Outcome::Private, Some(s)) = (p.outcome, p.placed) {
            private_admitted[s.ix()] += 1;
        }
    }
    csv_bytes(
        &[
            "school_id",
            "name",
            "sector",
            "district",
            "seats",
            "feeder_applicants",
            "feeder_admitted",
            "feeder_short",
            "private_applicants",
            "private_admitted",
            "private_cutoff",
            "overflow_in",
            "overflow_in_district",
        ],
        data.schools
            .iter()
            .zip(&r.schools)
            .enumerate()
            .filter(|(_, (s, st))| s.level.admits(scenario.grade) && st.seats > 0)
            .map(|(i, (s, st))| {
                let private = s.sector == crate::domain::routes::Sector::Private;
                let admitted_private = private_admitted[i];
                vec![
                    s.id.to_string(),
                    s.name.clone(),
                    s.sector.as_str().to_string(),
                    s.district.map_or(String::new(), |d| {
                        data.district_names[d as usize].to_string()
                    }),
                    st.seats.to_string(),
                    st.feeder_applicants.to_string(),
                    st.feeder_admitted.to_string(),
                    (st.feeder_applicants - st.feeder_admitted).to_string(),
                    if private {
                        st.private_applicants.to_string()
                    } else {
                        String::new()
                    },
                    if private {
                        admitted_private.to_string()
                    } else {
                        String::new()
                    },
                    st.private_cutoff
                        .map_or(String::new(), |c| format!("{c:.6}")),
                    st.overflow_in.to_string(),
                    st.overflow_in_district.to_string(),
                ]
            }),
    )
}

/// `cutoffs.csv` (rules other than today's): per school of the grade, its
/// zone admission's cut-off in the policy's terms, and its reserved seats
/// and how many were filled from them.
pub fn cutoffs_csv(data: &Dataset, scenario: &Scenario, r: &PlacementResult) -> Vec<u8> {
    let rules = &scenario.policy.rules;
    csv_bytes(
        &[
            "school_id",
            "name",
            "seats",
            "admitted_zone",
            "category",
            "cutoff",
            "lottery_drawn",
            "reserved_seats",
            "reserved_used",
            "reserved_cutoff",
            "declined",
        ],
        data.schools
            .iter()
            .zip(&r.schools)
            .filter(|(s, st)| s.level.admits(scenario.grade) && st.seats > 0)
            .map(|(s, st)| {
                vec![
                    s.id.to_string(),
                    s.name.clone(),
                    st.seats.to_string(),
                    st.admitted_zone.to_string(),
                    st.cutoff.map_or(String::new(), |c| {
                        rules.categories[c.tier.category()].name.clone()
                    }),
                    st.cutoff.as_ref().map_or(String::new(), |c| {
                        super::explain::cutoff_text(data, rules, c)
                    }),
                    st.cutoff.map_or(String::new(), |c| c.drawn.to_string()),
                    st.reserved_seats.to_string(),
                    st.reserved_used.to_string(),
                    st.reserved_cutoffs
                        .iter()
                        .map(|c| super::explain::cutoff_text(data, rules, c))
                        .collect::<Vec<_>>()
                        .join("; "),
                    st.declined.to_string(),
                ]
            }),
    )
}

/// `seat_history.csv` for next year's seat lock (`place
/// --write-seat-history`): the dataset's history, and this year's
/// admissions that used a property: each applicant with a `property_id`
/// admitted at its own zone school (or a school of its multi-school zone)
/// by zone admission, lottery or choice; 统筹, a feeder route and a private
/// school use no property's seat.
/// Sorted by year, school, property and student.
pub fn seat_history_csv(data: &Dataset, scenario: &Scenario, r: &PlacementResult) -> Vec<u8> {
    let mut uses = data.seat_history.clone();
    for p in &r.placements {
        let st = &data.students[p.student];
        // a feeder route (对口直升) or a private school uses no property's seat
        let by_zone = p.outcome.admitted_by_mechanism()
            && !matches!(p.outcome, Outcome::Feeder | Outcome::Private);
        let (Some(prop), Some(s), true) = (&st.property_id, p.placed, by_zone) else {
            continue;
        };
        let in_zone = p.zone_school == Some(s)
            || p.zone_group.is_some_and(|g| {
                data.zones
                    .as_ref()
                    .is_some_and(|z| z.groups[g as usize].schools.contains(&s))
            });
        if in_zone {
            uses.push(SeatUse {
                property: prop.clone(),
                school: s,
                year: scenario.year,
                student: st.id.clone(),
            });
        }
    }
    crate::io::dataset::seat_history_csv(data, &uses)
}

/// All output files of a placement run.
/// How a `place` run was made, recorded in `summary.json` (and the inputs
/// in `manifest.json`) so that `sunshine verify` can repeat it: the input
/// files with their digests, and the command-line options that change the
/// output (`{"mechanism": "zoned", "tie_breaking": "single", …}`, as the
/// command line writes them).
pub struct RunRecord<'a> {
    pub inputs: &'a [InputFile],
    pub options: serde_json::Value,
}

pub fn outputs(
    data: &Dataset,
    scenario: &Scenario,
    r: &PlacementResult,
    _dist: &dyn DistanceSource,
    lang: Language,
    run: &RunRecord<'_>,
) -> OutputSet {
    let mut o = OutputSet::new();
    o.set_inputs(run.inputs);
    o.add("placements.csv", placements_csv(data, scenario, r, lang));
    if !scenario.policy.rules.is_plain() {
        o.add("cutoffs.csv", cutoffs_csv(data, scenario, r));
    }
    if r.routed {
        o.add("routes.csv", routes_csv(data, scenario, r));
    }
    o.add("schools.csv", schools_csv(data, scenario, r));
    o.add("zones.csv", zones_csv(data, scenario, r));
    let mut summary = summary_json(data, scenario, r);
    summary["inputs"] = run.inputs.iter().map(InputFile::json).collect();
    summary["algorithms"] = json!({
        "lottery": scenario.policy.lottery_algorithm.name(),
        "sunshine": env!("CARGO_PKG_VERSION"),
    });
    summary["options"] = run.options.clone();
    let mut js = serde_json::to_vec_pretty(&summary).expect("json");
    js.push(b'\n');
    o.add("summary.json", js);
    o
}

/// An outcome's name for people (terminal, workbooks, explain; `label` is
/// the id written in CSVs and summary.json): the one list of these words.
pub fn outcome_name(o: Outcome, l: Language) -> String {
    match (l, o) {
        (Language::En, o) => o.label(),
        (Language::Zh, Outcome::Zone) => "划片入学".into(),
        (Language::Zh, Outcome::LotteryWon) => "电脑派位录取".into(),
        (Language::Zh, Outcome::Choice(k)) => format!("第{k}志愿"),
        (Language::Zh, Outcome::Overflow) => "统筹安置".into(),
        (Language::Zh, Outcome::Assigned) => "分配入学".into(),
        (Language::Zh, Outcome::SpecialEd) => "特殊教育学校".into(),
        (Language::Zh, Outcome::HomeTeaching) => "送教上门".into(),
        (Language::Zh, Outcome::Unplaced) => "未安置".into(),
        (Language::Zh, Outcome::Declined) => "放弃".into(),
        (Language::Zh, Outcome::Feeder) => "对口直升".into(),
        (Language::Zh, Outcome::Private) => "民办录取".into(),
    }
}

/// The readable terminal summary, in the run's language.
pub fn terminal(data: &Dataset, scenario: &Scenario, r: &PlacementResult, l: Language) -> String {
    let s = summary_json(data, scenario, r);
    let mut out = tr!(
        l,
        "招生安置：{} （{}年），{}年级，机制 {}，派位种子 {}，距离 {}\n\n",
        "Placement: {} ({}), grade {}, mechanism {}, lottery seed {}, distances {}\n\n",
        scenario.name,
        scenario.year,
        scenario.grade.number(),
        r.mechanism.as_str(),
        scenario.policy.lottery_seed,
        r.distance_source
    );
    let mut t = table(&[
        l.pick("结果", "outcome"),
        l.pick("人数", "applicants"),
        l.pick("随迁子女", "migrant"),
        l.pick("留守儿童", "left-behind"),
        l.pick("残疾儿童", "disability"),
    ]);
    for o in outcomes_present(r) {
        let label = o.label();
        let k = label.as_str();
        let n = s["outcomes"][k].as_u64().unwrap_or(0);
        if n == 0 {
            continue;
        }
        let dis = s["disability_mild"][k].as_u64().unwrap_or(0)
            + s["disability_severe"][k].as_u64().unwrap_or(0);
        t.add_row(vec![
            Cell::new(outcome_name(o, l)),
            num(n),
            num(s["migrant"][k].as_u64().unwrap_or(0)),
            num(s["left_behind"][k].as_u64().unwrap_or(0)),
            num(dis),
        ]);
    }
    t.add_row(vec![
        Cell::new(l.pick("合计", "total")),
        num(r.placements.len()),
        num(""),
        num(""),
        num(""),
    ]);
    out.push_str(&format!("{t}\n\n"));
    let mut t = table(&[
        l.pick("学校", "school"),
        l.pick("学位", "seats"),
        l.pick("报名", "applicants"),
        l.pick("录取", "admitted"),
        l.pick("派位分数线", "lottery cut"),
        l.pick("统筹调入", "overflow in"),
        l.pick("使用率", "util."),
    ]);
    let mut rows: Vec<usize> = (0..data.schools.len())
        .filter(|&i| r.schools[i].seats > 0 || r.schools[i].applicants() > 0)
        .collect();
    rows.sort_by(|&a, &b| {
        r.schools[b]
            .utilisation()
            .partial_cmp(&r.schools[a].utilisation())
            .expect("finite")
            .then(a.cmp(&b))
    });
    for i in rows.into_iter().take(15) {
        let st = &r.schools[i];
        t.add_row(vec![
            Cell::new(format!("{} {}", data.schools[i].id, data.schools[i].name)),
            num(st.seats),
            num(st.applicants()),
            num(st.admitted),
            Cell::new(st.lottery_cutoff.map_or(String::new(), |(tier, c)| {
                tr!(l, "第{}顺位 @ {:.3}", "tier {} @ {:.3}", tier, c)
            })),
            num(st.overflow_in),
            num(format!("{:.0}%", st.utilisation() * 100.0)),
        ]);
    }
    out.push_str(&format!(
        "{}\n{t}\n\n",
        l.pick(
            "学校按使用率排序（前15所；全部见 schools.csv）",
            "Schools by utilisation (top 15; all in schools.csv)"
        )
    ));
    if let Some(rt) = s.get("routes") {
        let n = |v: &serde_json::Value| v.as_u64().unwrap_or(0);
        let short = match rt["feeder"]["schools_short"].as_array().map_or(0, Vec::len) {
            0 => String::new(),
            k => tr!(
                l,
                "（{}所学校学位不足）",
                " ({} school(s) short of seats)",
                k
            ),
        };
        out.push_str(&tr!(
            l,
            "入学途径：对口直升录取 {}/{} 人{}；民办（公民同招）录取 {}/{} 人；{} 人因兜底放弃；大学区内统筹 {} 人，区外 {} 人（routes.csv）\n\n",
            "Routes: feeder (对口直升) {} of {} admitted{}; private (公民同招) {} of {} applicants admitted; {} declined by a fallback; overflow inside 大学区 {}, outside {} (routes.csv)\n\n",
            n(&rt["feeder"]["admitted"]),
            n(&rt["feeder"]["applicants"]),
            short,
            n(&rt["private"]["admitted"]),
            n(&rt["private"]["applicants"]),
            n(&rt["declined_by_fallback"]),
            n(&rt["overflow_inside_district"]),
            n(&rt["overflow_outside_district"]),
        ));
    }
    out.push_str(&tr!(
        l,
        "距离：平均 {} 公里，90分位 {} 公里，最远 {} 公里；已安置 {4} 人中 {3} 人在服务半径 {5} 内\n",
        "Distance: mean {} km, p90 {} km, max {} km; {} of {} placed within the service radius of {}\n",
        s["distance_km"]["mean"], s["distance_km"]["p90"], s["distance_km"]["max"],
        s["distance_km"]["within_service_radius"], s["admitted"], s["distance_km"]["service_radius"].as_str().unwrap_or("")
    ));
    out
}
