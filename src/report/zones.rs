//! Outputs of `sunshine zones`: `zones.csv` (the zone file `place` reads),
//! `block_zones.csv`, `zones_summary.csv`, `zones.geojson`, `zones.svg`,
//! `zones.json` and the terminal summary.

use comfy_table::Cell;
use geo::{MultiPolygon, Orient};
use rayon::prelude::*;
use serde_json::json;

use super::map::shapes::adjacent_zones;
use super::map::{render, Map, MapBlock, MapSchool, Zone};
use super::{csv_bytes, num, table};
use crate::domain::language::Language;
use crate::domain::model::{Dataset, SchoolIx};
use crate::domain::scenario::Scenario;
use crate::io::output::OutputSet;
use crate::planning::zones::cells::{polsby_popper, unproject};
use crate::planning::zones::MipNote;
use crate::planning::zones::{drawn_cells, stats, Problem, Solved, ZoneStats};

/// Everything a planner reads about one zone.
#[derive(Clone, Debug)]
pub struct ZoneRow {
    pub school: SchoolIx,
    pub seats: u32,
    pub limit: u32,
    pub stats: ZoneStats,
    pub polsby_popper: f64,
    /// The zone's shape in lon/lat, exteriors counter-clockwise (RFC 7946).
    pub shape: MultiPolygon<f64>,
}

/// Per-zone figures and shapes, in the problem's school order.
pub fn zone_rows(data: &Dataset, p: &Problem, z: &[usize]) -> Vec<ZoneRow> {
    let st = stats(&p.instance, z);
    // co-located blocks share one cell, drawn once, in one zone
    let cells = &p.cells.neighbours;
    let (drawn, _) = drawn_cells(cells, &p.instance.demand, z);
    (0..p.schools.len())
        .into_par_iter()
        .map(|s| {
            let members: Vec<usize> = (0..cells.nodes())
                .filter(|&x| drawn[x] == s)
                .map(|x| cells.at(x)[0])
                .collect();
            let metres = p.cells.zone_shape(&members);
            let shape =
                unproject(&p.cells.projection, &metres).orient(geo::orient::Direction::Default);
            ZoneRow {
                school: p.schools[s],
                seats: data.school(p.schools[s]).entry_seats.0,
                limit: p.instance.capacity[s],
                stats: st[s].clone(),
                polsby_popper: polsby_popper(&metres),
                shape,
            }
        })
        .collect()
}

fn utilisation(r: &ZoneRow) -> f64 {
    if r.seats > 0 {
        f64::from(r.stats.applicants) / f64::from(r.seats)
    } else {
        0.0
    }
}

/// A solved zoning with what its reports need.
pub struct ZonesRun<'a> {
    pub data: &'a Dataset,
    pub scenario: &'a Scenario,
    pub problem: &'a Problem,
    pub solved: &'a Solved,
    pub rows: Vec<ZoneRow>,
    pub distance_source: String,
    /// `Some(year)`: the applicants are the forecast's entrants of that
    /// year (`zones --year`), not this year's `students.csv`; the summary
    /// and the terminal say so.
    pub projected_year: Option<i32>,
    /// The language of the map's title and legend (zh unless set).
    pub lang: Language,
}

impl<'a> ZonesRun<'a> {
    /// The run, with per-zone figures and shapes.
    pub fn new(
        data: &'a Dataset,
        scenario: &'a Scenario,
        problem: &'a Problem,
        solved: &'a Solved,
        distance_source: String,
    ) -> Self {
        ZonesRun {
            rows: zone_rows(data, problem, &solved.zone),
            data,
            scenario,
            problem,
            solved,
            distance_source,
            projected_year: None,
            lang: Language::Zh,
        }
    }
}

/// Where the applicants of a projected zoning come from, as the summary
/// and the terminal say it.
pub fn projected_source(year: i32) -> String {
    format!("projected for {year} from the forecast (births, cohorts, housing)")
}

/// All output files.
pub fn outputs(run: &ZonesRun<'_>) -> OutputSet {
    let ZonesRun {
        data,
        scenario,
        problem: p,
        solved,
        ref rows,
        ref distance_source,
        projected_year,
        ..
    } = *run;
    let z = &solved.zone;
    let inst = &p.instance;
    let sid = |s: usize| data.school(p.schools[s]).id.to_string();
    let grade = scenario.grade.number().to_string();
    let mut o = OutputSet::new();
    o.add(
        "zones.csv",
        csv_bytes(
            &["block_id", "school_id", "grade", "group_id"],
            p.blocks.iter().enumerate().map(|(i, &b)| {
                vec![
                    data.block(b).id.to_string(),
                    sid(z[i]),
                    grade.clone(),
                    String::new(),
                ]
            }),
        ),
    );
    o.add(
        "block_zones.csv",
        csv_bytes(
            &[
                "block_id",
                "town",
                "school_id",
                "applicants",
                "distance_km",
                "within_service_radius",
                "previous_school_id",
                "moved",
            ],
            p.blocks.iter().enumerate().map(|(i, &b)| {
                let m = inst.metres(i, z[i]);
                vec![
                    data.block(b).id.to_string(),
                    data.block(b).town.clone(),
                    sid(z[i]),
                    inst.demand[i].to_string(),
                    m.map_or(String::new(), |m| format!("{:.3}", f64::from(m) / 1000.0)),
                    p.within[i].contains(&z[i]).to_string(),
                    inst.previous[i].map_or(String::new(), sid),
                    inst.previous[i].is_some_and(|q| q != z[i]).to_string(),
                ]
            }),
        ),
    );
    o.add(
        "zones_summary.csv",
        csv_bytes(
            &[
                "school_id",
                "seats",
                "limit",
                "applicants",
                "utilisation",
                "over_limit",
                "blocks",
                "mean_km",
                "max_km",
                "polsby_popper",
                "connected",
            ],
            rows.iter().map(|r| {
                vec![
                    data.school(r.school).id.to_string(),
                    r.seats.to_string(),
                    r.limit.to_string(),
                    r.stats.applicants.to_string(),
                    format!("{:.3}", utilisation(r)),
                    r.stats.applicants.saturating_sub(r.limit).to_string(),
                    r.stats.blocks.to_string(),
                    format!("{:.3}", r.stats.mean_m / 1000.0),
                    format!("{:.3}", f64::from(r.stats.max_m) / 1000.0),
                    format!("{:.3}", r.polsby_popper),
                    r.stats.connected.to_string(),
                ]
            }),
        ),
    );
    o.add("zones.geojson", geojson(data, rows));
    o.add(
        "zones.svg",
        svg(data, scenario, p, rows, z, run.lang).into_bytes(),
    );
    let mut summary = summary_json(scenario, p, solved, distance_source);
    summary["split_cells"] = split_cells_json(data, p, z);
    summary["seat_shortage"] = shortage_json(data, p, solved);
    if let Some(y) = projected_year {
        summary["applicants_year"] = json!(y);
        summary["applicants_source"] = json!(projected_source(y));
    }
    let mut js = serde_json::to_vec_pretty(&summary).expect("json");
    js.push(b'\n');
    o.add("zones.json", js);
    o
}

/// The run in figures, for `zones.json` and the terminal.
pub fn summary_json(
    scenario: &Scenario,
    p: &Problem,
    s: &Solved,
    distance_source: &str,
) -> serde_json::Value {
    let inst = &p.instance;
    let connected = inst.connected(&s.zone);
    json!({
        "scenario": scenario.name,
        "year": scenario.year,
        "grade": scenario.grade.number(),
        "distance_source": distance_source,
        "method": s.method,
        "proven_optimal": s.proven_optimal,
        "objective": round3(s.objective),
        "lower_bound": s.bound.map(round3),
        "bound_source": s.bound_source.key(),
        "gap": s.gap.map(round6),
        "heuristic_objective": round3(s.heuristic_objective),
        "heuristic_gap": s.heuristic_gap.map(round6),
        "mip_note": s.mip_note.as_ref().map(|n| mip_note(n, Language::En)),
        "blocks": inst.blocks(),
        "schools": inst.schools(),
        "applicants": inst.demand.iter().sum::<u32>(),
        "blocks_moved": inst.moves(&s.zone),
        "blocks_with_previous_zone": inst.previous.iter().filter(|p| p.is_some()).count(),
        "applicants_over_limit": inst.overload(&s.zone),
        "zones_not_connected": connected.iter().filter(|&&c| !c).count(),
        "blocks_beyond_service_radius": (0..inst.blocks())
            .filter(|&b| !p.within[b].contains(&s.zone[b]))
            .count(),
        "blocks_without_school_in_radius": p.within.iter().filter(|w| w.is_empty()).count(),

        "policy": {
            "zone_slack": scenario.policy.zone_slack,
            "zone_move_penalty": scenario.policy.zone_move_penalty,
            "service_radius": scenario.policy.service_radius(scenario.grade).to_string(),
        },
    })
}

/// Cells of co-located blocks the zoning splits between zones. A cell is
/// drawn in one zone only (the one holding most of its applicants, then
/// most of its blocks, then the zone of its first block), so the blocks
/// under `elsewhere` belong to zones the map does not show them in.
fn split_cells_json(data: &Dataset, p: &Problem, z: &[usize]) -> serde_json::Value {
    let (_, split) = drawn_cells(&p.cells.neighbours, &p.instance.demand, z);
    let bid = |b: usize| data.block(p.blocks[b]).id.to_string();
    let sid = |s: usize| data.school(p.schools[s]).id.to_string();
    serde_json::Value::Array(
        split
            .iter()
            .map(|c| {
                json!({
                    "blocks": c.blocks.iter().map(|&b| bid(b)).collect::<Vec<_>>(),
                    "drawn_in": sid(c.drawn_in),
                    "elsewhere": c.elsewhere.iter()
                        .map(|&(b, zone)| json!({"block_id": bid(b), "school_id": sid(zone)}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The blocks and schools that make seats short even with split blocks
/// ([`crate::planning::zones::shortage()`]), or null.
fn shortage_json(data: &Dataset, p: &Problem, s: &Solved) -> serde_json::Value {
    let Some(h) = &s.shortage else {
        return serde_json::Value::Null;
    };
    json!({
        "blocks": h.blocks.iter().map(|&b| data.block(p.blocks[b]).id.to_string()).collect::<Vec<_>>(),
        "applicants": h.applicants,
        "schools": h.schools.iter().map(|&x| json!({
            "school_id": data.school(p.schools[x]).id.as_str(),
            "limit": p.instance.capacity[x],
        })).collect::<Vec<_>>(),
        "limit": h.limit,
        "over": h.over(),
    })
}

/// The terminal's lines on a seat shortage: which schools, how many
/// applicants for how many places, and the blocks that may join no other
/// school (the first 30; all are in zones.json).
fn shortage_lines(data: &Dataset, p: &Problem, s: &Solved, l: Language) -> String {
    let Some(h) = &s.shortage else {
        return String::new();
    };
    const SHOWN: usize = 30;
    let schools: Vec<String> = h
        .schools
        .iter()
        .map(|&x| {
            let school = data.school(p.schools[x]);
            tr!(
                l,
                "{} {}（限额 {}）",
                "{} {} (limit {})",
                school.id,
                school.name,
                p.instance.capacity[x]
            )
        })
        .collect();
    let mut blocks: Vec<String> = h
        .blocks
        .iter()
        .take(SHOWN)
        .map(|&b| format!("{} ({})", data.block(p.blocks[b]).id, p.instance.demand[b]))
        .collect();
    if h.blocks.len() > SHOWN {
        blocks.push(tr!(l, "另有 {} 个", "and {} more", h.blocks.len() - SHOWN));
    }
    tr!(
        l,
        "学位不足：以下 {} 个小区共 {} 名报名者，按服务半径只能划入 {}，限额合计 {}，即使拆分小区也多出 {} 人。\
         需增加这些学校的学位、放宽 zone_slack 或服务半径。小区（报名人数）：{}（全部见 zones.json 的 seat_shortage）\n",
        "Seats are short: the {} blocks below have {} applicants and the service radius lets them join only {}, {} places in all: \
         {} over even with split blocks. Add seats at these schools, or widen zone_slack or the service radius. \
         Blocks (applicants): {} (all in zones.json, seat_shortage)\n",
        h.blocks.len(),
        h.applicants,
        schools.join(l.pick("、", ", ")),
        h.limit,
        h.over(),
        blocks.join(", ")
    )
}

/// The terminal's warning for cells split between zones, naming the
/// blocks the map shows in another zone (the first 20 per cell; all are in
/// `zones.json`).
fn split_cells_warning(data: &Dataset, p: &Problem, z: &[usize], l: Language) -> String {
    let (_, split) = drawn_cells(&p.cells.neighbours, &p.instance.demand, z);
    let bid = |b: usize| data.block(p.blocks[b]).id.to_string();
    let sid = |s: usize| data.school(p.schools[s]).id.to_string();
    let mut out = String::new();
    for c in &split {
        const SHOWN: usize = 20;
        let mut ids: Vec<String> = c
            .elsewhere
            .iter()
            .take(SHOWN)
            .map(|&(b, zone)| format!("{} ({})", bid(b), sid(zone)))
            .collect();
        if c.elsewhere.len() > SHOWN {
            ids.push(tr!(
                l,
                "另有 {} 个",
                "and {} more",
                c.elsewhere.len() - SHOWN
            ));
        }
        out.push_str(&tr!(
            l,
            "警告：{} 个小区位于 {} 的同一网格，但划入不同学校；地图（zones.geojson、zones.svg）只把该网格画在 {} 的片区内，\
             因此这些小区属于各自的片区，但不在其片区形状之内：{}（全部见 zones.json 的 split_cells）\n",
            "Warning: {} blocks at the position of {} share one cell but are zoned to different schools; \
             the map (zones.geojson, zones.svg) draws the cell in the zone of {} only, so these blocks are \
             in their zones but not inside their zones' shapes: {} (all in zones.json, split_cells)\n",
            c.blocks.len(),
            bid(c.blocks[0]),
            sid(c.drawn_in),
            ids.join(", ")
        ));
    }
    out
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn geojson(data: &Dataset, rows: &[ZoneRow]) -> Vec<u8> {
    let features: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let school = data.school(r.school);
            let polys: Vec<serde_json::Value> = r
                .shape
                .0
                .iter()
                .map(|p| {
                    let ring = |ls: &geo::LineString<f64>| -> serde_json::Value {
                        ls.0.iter().map(|c| json!([c.x, c.y])).collect()
                    };
                    let mut rings = vec![ring(p.exterior())];
                    rings.extend(p.interiors().iter().map(ring));
                    serde_json::Value::Array(rings)
                })
                .collect();
            json!({
                "type": "Feature",
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
                "properties": {
                    "school_id": school.id.as_str(),
                    "school": school.name,
                    "seats": r.seats,
                    "limit": r.limit,
                    "expected_applicants": r.stats.applicants,
                    "utilisation": round3(utilisation(r)),
                    "blocks": r.stats.blocks,
                    "mean_km": round3(r.stats.mean_m / 1000.0),
                    "max_km": round3(f64::from(r.stats.max_m) / 1000.0),
                    "polsby_popper": round3(r.polsby_popper),
                    "connected": r.stats.connected,
                },
            })
        })
        .collect();
    let mut out = serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features}))
        .expect("json");
    out.push(b'\n');
    out
}

/// The zones as a map ([`super::map`]): zones coloured per school with a
/// legend of school names, the district outline, the dense area enlarged.
fn svg(
    data: &Dataset,
    scenario: &Scenario,
    p: &Problem,
    rows: &[ZoneRow],
    z: &[usize],
    lang: Language,
) -> String {
    let zone: Vec<Option<usize>> = z.iter().map(|&s| Some(s)).collect();
    let title = tr!(
        lang,
        "{}（{}年，{}年级）学区划片：{}个学区",
        "{} ({}, grade {}): admission zones, {} zones",
        scenario.name,
        scenario.year,
        scenario.grade.number(),
        rows.len()
    );
    let map = Map {
        title,
        lang,
        boundary: Some(unproject(&p.cells.projection, &p.cells.district)),
        zones: rows
            .iter()
            .enumerate()
            .map(|(i, r)| Zone {
                school: i,
                shape: r.shape.clone(),
            })
            .collect(),
        adjacent: adjacent_zones(&p.cells.neighbours, &zone),
        schools: p
            .schools
            .iter()
            .map(|&s| {
                let school = data.school(s);
                MapSchool {
                    id: school.id.to_string(),
                    name: school.name.clone(),
                    at: school.location,
                    marker: None,
                    closed: false,
                }
            })
            .collect(),
        blocks: p
            .blocks
            .iter()
            .enumerate()
            .map(|(i, &b)| MapBlock {
                at: data.block(b).location,
                applicants: p.instance.demand[i],
                highlighted: false,
            })
            .collect(),
        flows: Vec::new(),
        markers: Vec::new(),
    };
    render(&map).svg
}

/// The terminal summary, in the run's language.
pub fn terminal(run: &ZonesRun<'_>, l: Language) -> String {
    let ZonesRun {
        data,
        scenario,
        problem: p,
        solved: s,
        ref rows,
        ref distance_source,
        projected_year,
        ..
    } = *run;
    let j = summary_json(scenario, p, s, distance_source);
    let mut out = tr!(
        l,
        "学区划片：{} （{}年），{}年级，{} 个小区，{} 所学校，距离 {}\n",
        "Zones: {} ({}), grade {}, {} blocks, {} schools, distances {}\n",
        scenario.name,
        scenario.year,
        scenario.grade.number(),
        p.instance.blocks(),
        p.instance.schools(),
        distance_source
    );
    if let Some(y) = projected_year {
        out.push_str(&match l {
            Language::Zh => format!(
                "报名人数：{}，为预测（出生、队列、住房）的{y}年人数\n",
                j["applicants"]
            ),
            Language::En => format!("Applicants: {} {}\n", j["applicants"], projected_source(y)),
        });
    }
    let status = if s.proven_optimal {
        l.pick("已证明最优", "proven optimal").to_string()
    } else {
        match (s.gap, s.bound) {
            (Some(g), _) => tr!(
                l,
                "与 LP 下界相差 {:.2}% 以内",
                "within {:.2}% of the LP bound",
                100.0 * g
            ),
            (None, Some(_)) => l
                .pick(
                    "未找到满足全部限制且片区连通的划片方案",
                    "NO zoning found that keeps every limit with connected zones",
                )
                .into(),
            (None, None) => l
                .pick(
                    "无 LP 下界：即使拆分小区，学位也不足（见下）",
                    "no LP bound: seats are short even with split blocks (below)",
                )
                .into(),
        }
    };
    out.push_str(&tr!(
        l,
        "方法：{}，{status}；目标值 {:.0} 人·米（下界 {}）\n",
        "Method: {}, {status}; objective {:.0} applicant-m (bound {})\n",
        s.method,
        s.objective,
        s.bound
            .map_or(l.pick("无", "none").into(), |b| format!("{b:.0}"))
    ));
    if s.proven_optimal {
        if let Some(g) = s.heuristic_gap {
            out.push_str(&tr!(
                l,
                "启发式：目标值 {:.0}，比最优值高 {:.2}%\n",
                "Heuristic: objective {:.0}, {:.2}% above the optimum\n",
                s.heuristic_objective,
                100.0 * g
            ));
        }
    }
    if let Some(n) = &s.mip_note {
        let n = mip_note(n, l);
        out.push_str(&tr!(l, "说明：{n}\n", "Note: {n}\n"));
    }
    out.push_str(&shortage_lines(data, p, s, l));
    out.push_str(&split_cells_warning(data, p, &s.zone, l));
    out.push_str(&tr!(
        l,
        "与上一版划片相比调整的小区：{}/{}；超出限额的报名人数：{}；不连通的片区：{}；超出服务半径的小区：{}\n\n",
        "Blocks moved from the previous zones: {} of {}; applicants over limit: {}; zones not connected: {}; blocks beyond the service radius: {}\n\n",
        j["blocks_moved"], j["blocks_with_previous_zone"], j["applicants_over_limit"], j["zones_not_connected"], j["blocks_beyond_service_radius"]
    ));
    let mut t = table(&[
        l.pick("学校", "school"),
        l.pick("学位", "seats"),
        l.pick("报名", "applicants"),
        l.pick("使用率", "utilisation"),
        l.pick("小区数", "blocks"),
        l.pick("平均公里", "mean km"),
        l.pick("最远公里", "max km"),
        l.pick("紧凑度（Polsby-Popper）", "Polsby-Popper"),
        l.pick("连通", "connected"),
    ]);
    for r in rows {
        let school = data.school(r.school);
        t.add_row(vec![
            Cell::new(format!("{} {}", school.id, school.name)),
            num(r.seats),
            num(r.stats.applicants),
            num(format!("{:.0}%", 100.0 * utilisation(r))),
            num(r.stats.blocks),
            num(format!("{:.2}", r.stats.mean_m / 1000.0)),
            num(format!("{:.2}", f64::from(r.stats.max_m) / 1000.0)),
            num(format!("{:.2}", r.polsby_popper)),
            Cell::new(if r.stats.connected {
                l.pick("是", "yes")
            } else {
                l.pick("否", "NO")
            }),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    out
}

/// Why the MIP did not decide the zoning, in words (zones.json keeps the
/// English for scripts; the terminal follows the run's language).
fn mip_note(n: &MipNote, l: Language) -> String {
    match n {
        MipNote::TooLarge {
            blocks,
            limit,
            solver,
        } => tr!(
            l,
            "未运行精确求解（MIP）：{blocks} 个小区，超过 --method auto 交给 {solver} 的上限 {limit} 个",
            "MIP not run: {blocks} blocks, above the {limit} that --method auto gives {solver}"
        ),
        MipNote::NotAsked => tr!(
            l,
            "未运行精确求解（--method heuristic）",
            "MIP not run (--method heuristic)"
        ),
        MipNote::NotProven {
            solver,
            objective,
            seconds,
        } => tr!(
            l,
            "{solver} 找到目标值 {objective:.0} 的划片，但未能在 {seconds} 秒内证明最优；保留启发式划片",
            "{solver} found a zoning of objective {objective:.0} but did not prove it optimal within {seconds} s; the heuristic's zoning is kept"
        ),
        MipNote::Infeasible { solver } => tr!(
            l,
            "{solver}：没有一种连通的划片能让每所学校都不超学位；启发式划片在报告之处超出学位",
            "{solver}: no zoning keeps every school within its seats with connected zones; the heuristic's zoning exceeds seats where reported"
        ),
        MipNote::Unsolved { solver, why } => tr!(
            l,
            "{solver} 未给出划片：{why}",
            "{solver} gave no zoning: {why}"
        ),
    }
}
