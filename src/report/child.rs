//! One child's placement explained (`sunshine explain`): the facts of the
//! whole chain as data ([`ChildFacts`], written as JSON), and their
//! rendering in Chinese or English (printed, and written as Markdown).
//!
//! The chain follows the placement rules (`rules::place`): the zone and
//! why (zones.csv, a multi-school zone, the nearest school when the block
//! has no zone or its school is closed by the scenario), the category and
//! the facts that matched it (户籍, 房产, 随迁, a sibling), the keys against
//! the school's cut-off, the lottery number against the draw's cut-off,
//! where 统筹 sent the child and the nearer schools that were full, and the
//! outcome. Only this child's id is named; other children appear only as
//! counts (seats, admitted) and as a school's cut-off values.

use serde::Serialize;

use super::explain::{category_zh, cutoff_text, cutoff_text_zh, render, wording, RankAt};
use crate::domain::language::Language;
use crate::domain::model::{Dataset, Disability, Home, Metres, SchoolIx};
use crate::domain::priority::Category;
use crate::domain::scenario::Scenario;
use crate::rules::place::ranking::key_values;
use crate::rules::place::{Admission, Outcome, Placement, PlacementResult};
use crate::spatial::distance::DistanceSource;

/// How many of the nearer full schools are listed.
const NEARER_SHOWN: usize = 10;

/// Why the child's zone school is its zone school.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneSource {
    /// The block's school in `zones.csv`.
    ZonesCsv,
    /// The block's multi-school zone in `zone_groups.csv` (多校划片).
    ZoneGroup,
    /// `zones.csv` names a school the scenario closes: the block was
    /// zoned again by distance within seats.
    Closure,
    /// The block is not in `zones.csv`: zoned by distance within seats.
    Nearest,
    /// No zone school (a home given as a point, or no school with seats).
    None,
}

/// The zone step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ZoneFacts {
    pub block_id: Option<String>,
    pub school_id: Option<String>,
    pub group_id: Option<String>,
    pub source: ZoneSource,
    /// The school `zones.csv` names, closed by the scenario ([`ZoneSource::Closure`]).
    pub closed_school_id: Option<String>,
    pub distance_km: Option<f64>,
}

/// The category step: the tier, the category's name and the facts of the
/// row that matched it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryFacts {
    pub tier: u8,
    pub category: String,
    /// The scenario's condition for the category (`[[policy.categories]]`);
    /// `None` with the default categories, decided by the three flags.
    pub condition: Option<String>,
    pub hukou_in_block: bool,
    pub property_in_block: bool,
    pub migrant: bool,
    /// A sibling attends the zone school (moves the child up `sibling_bonus`).
    pub sibling_at_zone_school: bool,
    pub severe_disability: bool,
}

/// A ranking key after the category (sub-table, dates, points).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeyFact {
    pub name: String,
    pub value: String,
}

/// The zone school's cut-off (its last applicant admitted by zone
/// admission), in both languages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CutoffFacts {
    pub school_id: String,
    pub tier: u8,
    pub zh: String,
    pub en: String,
}

/// The lottery step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LotteryFacts {
    /// The child's number (`placements.csv` `lottery_number`).
    pub number: f64,
    /// The school whose draw decided (zone school, listed, feeder or
    /// private school), if one drew.
    pub school_id: Option<String>,
    /// The tier drawn there, when zone admission drew.
    pub tier: Option<u8>,
    /// The largest number admitted in that draw.
    pub cutoff: Option<f64>,
    /// Whether the child won it.
    pub won: Option<bool>,
}

/// A school nearer than where the child was placed, full.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearerSchool {
    pub school_id: String,
    pub distance_km: f64,
    pub seats: u32,
    pub admitted: u32,
}

/// Every fact of one child's placement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChildFacts {
    pub student_id: String,
    pub scenario: String,
    pub year: i32,
    pub grade: u8,
    pub mechanism: String,
    pub lottery_seed: u64,
    pub zone: ZoneFacts,
    pub category: CategoryFacts,
    pub keys: Vec<KeyFact>,
    pub cutoff: Option<CutoffFacts>,
    pub lottery: LotteryFacts,
    /// For a child placed by 统筹 or not placed: the mainstream schools of
    /// its grade nearer than its school (all within reach when not
    /// placed) that were full, nearest first (at most [`NEARER_SHOWN`]).
    pub nearer_full: Vec<NearerSchool>,
    pub outcome: String,
    pub placed_school_id: Option<String>,
    pub distance_km: Option<f64>,
    /// The `reason` of `placements.csv` in both languages.
    pub reason_zh: String,
    pub reason_en: String,
}

fn km(m: Metres) -> f64 {
    // three decimals, as placements.csv
    (m.km() * 1000.0).round() / 1000.0
}

/// The zone step: the block, its zone school and why.
fn zone_facts(
    data: &Dataset,
    base: &Dataset,
    scenario: &Scenario,
    r: &PlacementResult,
    dist: &dyn DistanceSource,
    pl: &Placement,
) -> ZoneFacts {
    let st = &data.students[pl.student];
    let sid = |s: SchoolIx| data.school(s).id.to_string();
    let home = data.home_point(st.home);
    // the zone and why
    let block = match st.home {
        Home::Block(b) => Some(b),
        Home::Point(_) => None,
    };
    let mut closed_school_id = None;
    let source = match (pl.zone_group, pl.zone_school, block) {
        (Some(_), _, _) => ZoneSource::ZoneGroup,
        (None, None, _) => ZoneSource::None,
        (None, Some(_), None) => ZoneSource::Nearest,
        (None, Some(_), Some(b)) if !r.zones[b.ix()].1 => ZoneSource::ZonesCsv,
        (None, Some(_), Some(b)) => {
            let given = base
                .zones
                .as_ref()
                .and_then(|z| z.school.get(scenario.grade).get(b.ix()).copied().flatten());
            match given {
                Some(s) => {
                    closed_school_id = Some(base.school(s).id.to_string());
                    ZoneSource::Closure
                }
                None => ZoneSource::Nearest,
            }
        }
    };
    ZoneFacts {
        block_id: block.map(|b| data.block(b).id.to_string()),
        school_id: pl.zone_school.map(sid),
        group_id: pl
            .zone_group
            .and_then(|g| data.zones.as_ref().map(|z| z.groups[g as usize].id.clone())),
        source,
        closed_school_id,
        distance_km: pl
            .zone_school
            .and_then(|z| dist.metres(home, data.school(z).location))
            .map(km),
    }
}

/// The lottery step: the draw that decided, else the zone school's.
fn lottery_facts(data: &Dataset, r: &PlacementResult, pl: &Placement) -> LotteryFacts {
    let sid = |s: SchoolIx| data.school(s).id.to_string();
    // the lottery
    let zone_draw = pl
        .zone_school
        .and_then(|z| r.schools[z.ix()].lottery_cutoff.map(|d| (z, d)));
    match pl.explanation.admission {
        Some(Admission::ZoneLottery {
            tier, lottery, won, ..
        }) => LotteryFacts {
            number: lottery.number,
            school_id: pl.zone_school.map(sid),
            tier: Some(tier.0),
            cutoff: Some(lottery.cutoff),
            won: Some(won),
        },
        Some(
            Admission::Choice {
                school,
                lottery: Some(l),
                ..
            }
            | Admission::Feeder {
                school,
                lottery: Some(l),
                ..
            }
            | Admission::Private {
                school,
                lottery: Some(l),
                ..
            },
        ) => LotteryFacts {
            number: l.number,
            school_id: Some(sid(school)),
            tier: None,
            cutoff: Some(l.cutoff),
            won: Some(true),
        },
        _ => match pl.explanation.route.and_then(|n| n.private_draw) {
            Some((s, l)) => LotteryFacts {
                number: l.number,
                school_id: Some(sid(s)),
                tier: None,
                cutoff: Some(l.cutoff),
                won: Some(false),
            },
            None => LotteryFacts {
                number: pl.lottery,
                school_id: zone_draw.map(|(z, _)| sid(z)),
                tier: zone_draw.map(|(_, (t, _))| t.0),
                cutoff: zone_draw.map(|(_, (_, c))| c),
                won: None,
            },
        },
    }
}

/// The mainstream schools nearer than where 统筹 placed the child (within
/// reach when not placed) that were full, nearest first.
fn nearer_full(
    data: &Dataset,
    scenario: &Scenario,
    r: &PlacementResult,
    dist: &dyn DistanceSource,
    pl: &Placement,
) -> Vec<NearerSchool> {
    let sid = |s: SchoolIx| data.school(s).id.to_string();
    let home = data.home_point(data.students[pl.student].home);
    // the nearer schools that were full
    match pl.outcome {
        Outcome::Overflow | Outcome::Unplaced | Outcome::Declined => {
            let limit = pl
                .distance
                .unwrap_or(Metres::from_km(scenario.policy.overflow_max_km));
            let mut near: Vec<NearerSchool> = data
                .mainstream_schools(scenario.grade)
                .into_iter()
                .filter(|&s| Some(s) != pl.placed)
                .filter_map(|s| {
                    let m = dist.metres(home, data.school(s).location)?;
                    let stats = &r.schools[s.ix()];
                    (m < limit && stats.admitted >= stats.seats).then(|| NearerSchool {
                        school_id: sid(s),
                        distance_km: km(m),
                        seats: stats.seats,
                        admitted: stats.admitted,
                    })
                })
                .collect();
            near.sort_by(|a, b| {
                a.distance_km
                    .partial_cmp(&b.distance_km)
                    .expect("finite")
                    .then_with(|| a.school_id.cmp(&b.school_id))
            });
            near.truncate(NEARER_SHOWN);
            near
        }
        _ => Vec::new(),
    }
}

/// The facts of applicant `p` (an index into `r.placements`). `base` is
/// the dataset as read (before the scenario's changes), to tell a zone
/// lost by a closure from a block without one.
pub fn facts(
    data: &Dataset,
    base: &Dataset,
    scenario: &Scenario,
    r: &PlacementResult,
    dist: &dyn DistanceSource,
    p: usize,
) -> ChildFacts {
    let pl = &r.placements[p];
    let st = &data.students[pl.student];
    let sid = |s: SchoolIx| data.school(s).id.to_string();
    let rules = &scenario.policy.rules;
    let zone = zone_facts(data, base, scenario, r, dist, pl);
    // the category and the facts that matched it
    let own = Category::of(st.hukou_in_block, st.property_in_block, st.migrant);
    let position = match pl.explanation.rank {
        Some(n) => usize::from(n.category),
        None => rules
            .categories
            .iter()
            .position(|c| c.name == own.key())
            .unwrap_or(pl.tier.category()),
    };
    let cat = &rules.categories[pl.tier.category().min(rules.categories.len() - 1)];
    let category = CategoryFacts {
        tier: pl.tier.0,
        category: cat.name.clone(),
        condition: (!rules.is_plain()).then(|| rules.categories[position].when.to_string()),
        hukou_in_block: st.hukou_in_block,
        property_in_block: st.property_in_block,
        migrant: st.migrant,
        sibling_at_zone_school: st.sibling_school.is_some() && st.sibling_school == pl.zone_school,
        severe_disability: st.disability == Disability::Severe,
    };
    let (sub, cols) = key_values(rules, st, pl.tier);
    let mut keys: Vec<KeyFact> = sub
        .map(|t| KeyFact {
            name: "subtable".into(),
            value: rules
                .subtables
                .get(t)
                .map_or("-".to_string(), |t| t.name.clone()),
        })
        .into_iter()
        .collect();
    keys.extend(cols.into_iter().map(|k| KeyFact {
        name: k.name.to_string(),
        value: k.value.to_string(),
    }));
    let cutoff = pl.zone_school.and_then(|z| {
        r.schools[z.ix()].cutoff.map(|c| CutoffFacts {
            school_id: sid(z),
            tier: c.tier.0,
            zh: cutoff_text_zh(data, rules, &c),
            en: cutoff_text(data, rules, &c),
        })
    });
    let lottery = lottery_facts(data, r, pl);
    let nearer_full = nearer_full(data, scenario, r, dist, pl);
    let at = pl.explanation.rank.map(|_| RankAt {
        data,
        rules,
        student: st,
        tier: pl.tier,
        school: pl.zone_school.map(|z| (z, &r.schools[z.ix()])),
        lock_years: rules.seat_lock.map_or(0, |l| l.years),
    });
    let reason = |lang| render(wording(lang), &pl.explanation, data, at.as_ref());
    ChildFacts {
        student_id: st.id.to_string(),
        scenario: scenario.name.clone(),
        year: scenario.year,
        grade: scenario.grade.number(),
        mechanism: r.mechanism.as_str().to_string(),
        lottery_seed: scenario.policy.lottery_seed,
        zone,
        category,
        keys,
        cutoff,
        lottery,
        nearer_full,
        outcome: pl.outcome.label(),
        placed_school_id: pl.placed.map(sid),
        distance_km: pl.distance.map(km),
        reason_zh: reason(Language::Zh),
        reason_en: reason(Language::En),
    }
}

/// The words of one language for [`text`].
struct Words {
    title: &'static str,
    zone: &'static str,
    category: &'static str,
    keys: &'static str,
    lottery: &'static str,
    overflow: &'static str,
    outcome: &'static str,
    reason: &'static str,
}

const ZH: Words = Words {
    title: "录取说明",
    zone: "划片",
    category: "类别",
    keys: "排序条件与录取线",
    lottery: "电脑派位",
    overflow: "统筹安置",
    outcome: "结果",
    reason: "录取理由",
};

const EN: Words = Words {
    title: "Placement explained",
    zone: "Zone",
    category: "Category",
    keys: "Keys and cut-off",
    lottery: "Lottery",
    overflow: "Overflow placement",
    outcome: "Outcome",
    reason: "Reason",
};

fn yes(lang: Language, b: bool) -> &'static str {
    match (lang, b) {
        (Language::Zh, true) => "是",
        (Language::Zh, false) => "否",
        (Language::En, true) => "yes",
        (Language::En, false) => "no",
    }
}

/// An outcome id in words.
fn outcome_words(lang: Language, outcome: &str) -> String {
    let zh = match outcome {
        "zone" => "划片学校录取",
        "lottery_won" => "电脑派位录取",
        "overflow" => "统筹安置",
        "assigned" => "就近分配",
        "special_ed" => "特殊教育学校",
        "home_teaching" => "送教上门",
        "unplaced" => "未安置",
        "declined" => "放弃",
        "feeder" => "对口直升",
        "private" => "民办学校（公民同招）",
        o => return o.to_string(),
    };
    lang.pick(zh, outcome).to_string()
}

fn line(out: &mut String, s: String) {
    out.push_str("- ");
    out.push_str(&s);
    out.push('\n');
}

/// The zone section's lines.
fn zone_lines(out: &mut String, lang: Language, f: &ChildFacts) {
    let z = &f.zone;
    let block = z.block_id.as_deref().unwrap_or("-");
    let school = z.school_id.as_deref().unwrap_or("-");
    let far = z.distance_km.map_or(String::new(), |d| match lang {
        Language::Zh => format!("，距离 {d:.3} 公里"),
        Language::En => format!(", {d:.3} km away"),
    });
    let why = match (lang, z.source) {
        (Language::Zh, ZoneSource::ZonesCsv) => "依据 zones.csv 的划片".to_string(),
        (Language::En, ZoneSource::ZonesCsv) => "as zones.csv gives it".to_string(),
        (Language::Zh, ZoneSource::ZoneGroup) => format!(
            "多校划片 {}（zone_groups.csv）",
            z.group_id.as_deref().unwrap_or("")
        ),
        (Language::En, ZoneSource::ZoneGroup) => format!(
            "multi-school zone {} (zone_groups.csv)",
            z.group_id.as_deref().unwrap_or("")
        ),
        (Language::Zh, ZoneSource::Closure) => format!(
            "zones.csv 划给 {}，该校被本方案关闭，按距离与学位重新划片",
            z.closed_school_id.as_deref().unwrap_or("")
        ),
        (Language::En, ZoneSource::Closure) => format!(
            "zones.csv gives {}, which the scenario closes: zoned again by distance within seats",
            z.closed_school_id.as_deref().unwrap_or("")
        ),
        (Language::Zh, ZoneSource::Nearest) => {
            "zones.csv 未划片：按距离与学位划给就近学校".to_string()
        }
        (Language::En, ZoneSource::Nearest) => {
            "not in zones.csv: zoned to the nearest school by distance within seats".to_string()
        }
        (Language::Zh, ZoneSource::None) => "没有划片学校".to_string(),
        (Language::En, ZoneSource::None) => "no zone school".to_string(),
    };
    line(
        out,
        match lang {
            Language::Zh => format!("小区 {block}，划片学校 {school}{far}；{why}"),
            Language::En => format!("block {block}, zone school {school}{far}; {why}"),
        },
    );
}

/// The category section's lines.
fn category_lines(out: &mut String, lang: Language, f: &ChildFacts) {
    let c = &f.category;
    let name = match lang {
        Language::Zh => category_zh(&c.category).to_string(),
        Language::En => c.category.clone(),
    };
    line(
        out,
        match lang {
            Language::Zh => format!("第{}类：{name}", c.tier),
            Language::En => format!("tier {}: {name}", c.tier),
        },
    );
    line(
        out,
        match lang {
            Language::Zh => format!(
                "片内户籍：{}；片内房产：{}；随迁子女：{}；兄弟姐妹在划片学校就读：{}",
                yes(lang, c.hukou_in_block),
                yes(lang, c.property_in_block),
                yes(lang, c.migrant),
                yes(lang, c.sibling_at_zone_school)
            ),
            Language::En => format!(
                "hukou in the block (户籍): {}; property in the block (房产): {}; migrant (随迁子女): {}; sibling at the zone school: {}",
                yes(lang, c.hukou_in_block),
                yes(lang, c.property_in_block),
                yes(lang, c.migrant),
                yes(lang, c.sibling_at_zone_school)
            ),
        },
    );
    if let Some(w) = &c.condition {
        line(
            out,
            match lang {
                Language::Zh => format!("类别条件：{w}"),
                Language::En => format!("the category's condition: {w}"),
            },
        );
    }
    if c.severe_disability {
        line(
            out,
            lang.pick(
                "重度残疾：一人一案，安置到特殊教育学校或送教上门",
                "severe disability: 一人一案, a special-education school or home teaching",
            )
            .to_string(),
        );
    }
}

/// The keys, cut-off and lottery sections' lines.
fn key_lines(out: &mut String, lang: Language, f: &ChildFacts) {
    for k in &f.keys {
        line(out, format!("{} = {}", k.name, k.value));
    }
    match &f.cutoff {
        Some(c) => line(
            out,
            match lang {
                Language::Zh => format!("{} 录取线：{}", c.school_id, c.zh),
                Language::En => format!("cut-off at {}: {}", c.school_id, c.en),
            },
        ),
        None => line(
            out,
            lang.pick("划片学校无录取线", "no cut-off at the zone school")
                .to_string(),
        ),
    }
}

fn lottery_lines(out: &mut String, lang: Language, f: &ChildFacts) {
    let l = &f.lottery;
    let mut s = match lang {
        Language::Zh => format!("派位号 {:.9}", l.number),
        Language::En => format!("lottery number {:.9}", l.number),
    };
    if let (Some(school), Some(cut)) = (&l.school_id, l.cutoff) {
        let tier = l.tier.map_or(String::new(), |t| match lang {
            Language::Zh => format!("第{t}类"),
            Language::En => format!(" tier {t}"),
        });
        let verdict = match (lang, l.won) {
            (Language::Zh, Some(true)) => "：派中",
            (Language::Zh, Some(false)) => "：未派中",
            (Language::En, Some(true)) => ": won",
            (Language::En, Some(false)) => ": lost",
            // the zone school drew another tier: the child's number did
            // not take part
            (Language::Zh, None) if l.tier.is_some_and(|t| t != f.category.tier) => {
                "（本类别未派位）"
            }
            (Language::En, None) if l.tier.is_some_and(|t| t != f.category.tier) => {
                " (its tier was not drawn)"
            }
            (_, None) => "",
        };
        s.push_str(&match lang {
            Language::Zh => format!("；{school} {tier}派位录取线 {cut:.6}{verdict}"),
            Language::En => format!("; {school}{tier} lottery cut-off {cut:.6}{verdict}"),
        });
    } else {
        s.push_str(lang.pick("；划片学校未派位", "; the zone school did not draw"));
    }
    line(out, s);
}

fn overflow_lines(out: &mut String, lang: Language, f: &ChildFacts) {
    if f.nearer_full.is_empty() {
        line(out, lang.pick("无", "none").to_string());
        return;
    }
    line(
        out,
        lang.pick(
            "更近但已满额的学校（由近及远）：",
            "nearer schools that were full (nearest first):",
        )
        .to_string(),
    );
    for n in &f.nearer_full {
        out.push_str(&match lang {
            Language::Zh => format!(
                "  - {}：{:.3} 公里，学位 {}，已录取 {}\n",
                n.school_id, n.distance_km, n.seats, n.admitted
            ),
            Language::En => format!(
                "  - {}: {:.3} km, {} seats, {} admitted\n",
                n.school_id, n.distance_km, n.seats, n.admitted
            ),
        });
    }
}

/// The facts as Markdown in `lang` (printed by `explain`, and written as
/// `explain_<id>.md`).
pub fn text(lang: Language, f: &ChildFacts) -> String {
    let w = match lang {
        Language::Zh => &ZH,
        Language::En => &EN,
    };
    let mut out = format!("# {} {}: {}\n\n", w.title, f.student_id, f.scenario);
    out.push_str(&match lang {
        Language::Zh => format!(
            "{}年，{}年级，机制 {}，派位种子 {}\n\n",
            f.year, f.grade, f.mechanism, f.lottery_seed
        ),
        Language::En => format!(
            "{}, grade {}, mechanism {}, lottery seed {}\n\n",
            f.year, f.grade, f.mechanism, f.lottery_seed
        ),
    });
    out.push_str(&format!("## 1. {}\n", w.zone));
    zone_lines(&mut out, lang, f);
    out.push_str(&format!("\n## 2. {}\n", w.category));
    category_lines(&mut out, lang, f);
    out.push_str(&format!("\n## 3. {}\n", w.keys));
    key_lines(&mut out, lang, f);
    out.push_str(&format!("\n## 4. {}\n", w.lottery));
    lottery_lines(&mut out, lang, f);
    out.push_str(&format!("\n## 5. {}\n", w.overflow));
    overflow_lines(&mut out, lang, f);
    out.push_str(&format!("\n## 6. {}\n", w.outcome));
    let placed = f.placed_school_id.as_deref().unwrap_or("-");
    let (far, colon) = match lang {
        Language::Zh => (
            f.distance_km
                .map_or(String::new(), |d| format!("（{d:.3} 公里）")),
            "：",
        ),
        Language::En => (
            f.distance_km
                .map_or(String::new(), |d| format!(" ({d:.3} km)")),
            ": ",
        ),
    };
    line(
        &mut out,
        format!("{}{colon}{placed}{far}", outcome_words(lang, &f.outcome)),
    );
    line(
        &mut out,
        format!(
            "{}{colon}{}",
            w.reason,
            match lang {
                Language::Zh => &f.reason_zh,
                Language::En => &f.reason_en,
            }
        ),
    );
    out
}
