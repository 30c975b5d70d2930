//! Placement explanations in words: the `reason` column of
//! `placements.csv`.
//!
//! The engine says what decided each placement as data
//! ([`Explanation`]); a [`Wording`] turns each step into a phrase and joins
//! them. [`English`] is the text `placements.csv` has always had (its bytes
//! are guarded by `tests/digests.rs`); another language (Chinese, issue 17)
//! is one more `Wording`, with no change to the engine: [`Chinese`], the
//! default since issue 17.

use crate::domain::model::{Dataset, Metres, SchoolIx, Student, Tier};
use crate::domain::priority::{Rules, Value};
use crate::domain::routes::{Fallback, RouteKind};
use crate::rules::place::ranking::key_values;
use crate::rules::place::{
    Admission, Cutoff, Explanation, LotteryKey, RankNote, RouteNote, SchoolStats, Settlement,
    Standing,
};

/// The wording of a language: [`Chinese`] (the default, issue 17) or
/// [`English`] (`--lang en`, the text `placements.csv` had before).
pub fn wording(lang: crate::domain::language::Language) -> &'static dyn Wording {
    match lang {
        crate::domain::language::Language::Zh => &Chinese,
        crate::domain::language::Language::En => &English,
    }
}

/// How the steps of an [`Explanation`] are put into one language.
pub trait Wording {
    /// The admission step (zone admission, lottery, choice).
    fn admission(&self, step: &Admission, data: &Dataset) -> String;
    /// The step after admission (overflow, assignment, special education,
    /// none found).
    fn settlement(&self, step: &Settlement, data: &Dataset) -> String;
    /// How the priority rules ranked the applicant (only for rules other
    /// than today's: category and why, seat lock, sub-table, key values,
    /// reserved seat, family unit, and the zone school's cut-off).
    fn ranking(&self, note: &RankNote, at: &RankAt<'_>) -> String;
    /// What stands between two steps.
    fn separator(&self) -> &'static str;
    /// The routes tried before the admission step (private schools lost,
    /// a short feeder route, a priority feeder route, an appended zone
    /// school), each a phrase.
    fn routes_before(&self, note: &RouteNote, data: &Dataset) -> Vec<String>;
    /// The fallback taken after the admission step, and overflow against
    /// the 大学区, each a phrase.
    fn routes_after(&self, note: &RouteNote) -> Vec<String>;
}

/// What a wording needs to name an applicant's keys: the rules, its row,
/// its tier at the school that ranked it, and that school's cut-off.
pub struct RankAt<'a> {
    pub data: &'a Dataset,
    pub rules: &'a Rules,
    pub student: &'a Student,
    pub tier: Tier,
    /// The school that ranked it (its zone school), with its cut-off.
    pub school: Option<(SchoolIx, &'a SchoolStats)>,
    /// Length of the seat lock, years.
    pub lock_years: u32,
}

/// One applicant's explanation as text: its steps in order, joined by the
/// wording's separator (empty when nothing decided anything yet).
pub fn render(w: &dyn Wording, e: &Explanation, data: &Dataset, at: Option<&RankAt<'_>>) -> String {
    let steps = steps(w, e, data);
    match (&e.rank, at) {
        (Some(n), Some(at)) => format!("{}{}{steps}", w.ranking(n, at), w.separator()),
        _ => steps,
    }
}

fn steps(w: &dyn Wording, e: &Explanation, data: &Dataset) -> String {
    if let Some(note) = &e.route {
        // routes before, the admission step, the fallback, the step after
        let mut parts = w.routes_before(note, data);
        parts.extend(e.admission.iter().map(|a| w.admission(a, data)));
        parts.extend(w.routes_after(note));
        parts.extend(e.settlement.iter().map(|s| w.settlement(s, data)));
        return parts.join(w.separator());
    }
    match (&e.admission, &e.settlement) {
        (Some(a), Some(s)) => format!(
            "{}{}{}",
            w.admission(a, data),
            w.separator(),
            w.settlement(s, data)
        ),
        (Some(a), None) => w.admission(a, data),
        (None, Some(s)) => w.settlement(s, data),
        (None, None) => String::new(),
    }
}

/// The English of `placements.csv`: distances in km with one decimal,
/// reaches in km as given, lottery numbers with six decimals, the Chinese
/// terms of the rules in brackets.
#[derive(Clone, Copy, Debug, Default)]
pub struct English;

/// The fallback `note` records after `route`, in words.
fn fallback_of(note: &RouteNote, route: RouteKind) -> Option<String> {
    let &(_, f) = note.fallback.iter().flatten().find(|(r, _)| *r == route)?;
    let to = match (route, f) {
        (RouteKind::PrivateLottery | RouteKind::Feeder, Fallback::Zone) => {
            "zone (the public routes)"
        }
        _ => f.as_str(),
    };
    Some(format!("fallback of {}: {to}", route.key()))
}

/// A distance as the reasons show it: km with one decimal.
fn km1(m: Metres) -> String {
    format!("{:.1} km", m.km())
}

/// A reach (`overflow_max_km`) as the planner wrote it: `15 km`, `12.5 km`.
fn reach(m: Metres) -> String {
    format!("{} km", m.km())
}

fn lottery(l: LotteryKey, won: bool) -> String {
    let op = if won { "<=" } else { ">" };
    format!("lottery {:.6} {op} cut {:.6}", l.number, l.cutoff)
}

impl Wording for English {
    fn admission(&self, step: &Admission, data: &Dataset) -> String {
        match *step {
            Admission::NoZoneSchool { tier } => {
                format!("tier {tier}; no zone school for this block")
            }
            Admission::Zone { tier } => format!("tier {tier}; admitted at zone school"),
            Admission::ZoneLottery {
                tier,
                applicants,
                seats,
                lottery: l,
                won,
            } => {
                let admitted = if won { "; admitted at zone school" } else { "" };
                format!(
                    "tier {tier}; {applicants} applicants for {seats} seats; {}{admitted}",
                    lottery(l, won)
                )
            }
            Admission::ZoneFull {
                tier,
                after: Some(t),
            } => format!("tier {tier}; zone school full after tier {t}"),
            Admission::ZoneFull { tier, after: None } => {
                format!("tier {tier}; zone school has no seats")
            }
            Admission::Choice {
                rank,
                listed,
                school,
                standing,
                lottery: l,
            } => {
                let standing = match standing {
                    Standing::Tier(t) => format!("tier {t} there"),
                    Standing::OutOfZone => "out of zone there".to_string(),
                };
                let drawn = l.map_or(String::new(), |l| format!("; {}", lottery(l, true)));
                format!(
                    "choice {rank} of {listed} ({}); {standing}{drawn}",
                    data.school(school).id
                )
            }
            Admission::NotAdmitted { tier, listed } => {
                format!("tier {tier}; not admitted at any of its {listed} listed school(s)")
            }
            Admission::Feeder {
                school,
                from,
                lottery: l,
            } => {
                let drawn = l.map_or(String::new(), |l| format!("; {}", lottery(l, true)));
                if from == school {
                    format!(
                        "promoted by its nine-year school {} (九年一贯制直升){drawn}",
                        data.school(school).id
                    )
                } else {
                    format!(
                        "feeder route (对口直升) from {} to {}{drawn}",
                        data.school(from).id,
                        data.school(school).id
                    )
                }
            }
            Admission::Private {
                school,
                rank,
                listed,
                lottery: l,
            } => {
                let drawn = l.map_or(String::new(), |l| format!("; {}", lottery(l, true)));
                format!(
                    "private school (公民同招) {}, choice {rank} of {listed} private{drawn}",
                    data.school(school).id
                )
            }
        }
    }

    fn settlement(&self, step: &Settlement, data: &Dataset) -> String {
        match *step {
            Settlement::Overflow { school, distance } => format!(
                "overflow placement (统筹) at {}, {}",
                data.school(school).id,
                km1(distance)
            ),
            Settlement::Assigned { distance } => {
                format!("minimum total distance assignment, {}", km1(distance))
            }
            Settlement::Unplaced { grade, reach: r } => format!(
                "unplaced: no {} school with seats left within {}",
                grade.level().as_str(),
                reach(r)
            ),
            Settlement::SpecialEducation { school, distance } => format!(
                "severe disability (一人一案); special-education school {}, {}",
                data.school(school).id,
                km1(distance)
            ),
            Settlement::HomeTeaching { reach: r } => format!(
                "severe disability (一人一案); no special-education school with seats within {}: home teaching (送教上门)",
                reach(r)
            ),
            Settlement::Declined => {
                "declined: does not accept overflow placement (统筹)".to_string()
            }
            Settlement::NoFallback { route } => format!(
                "declined: the fallback of {} is none ([policy.fallback])",
                route.key()
            ),
        }
    }

    fn ranking(&self, n: &RankNote, at: &RankAt<'_>) -> String {
        let rules = at.rules;
        let cat = &rules.categories[usize::from(n.category)];
        let mut parts = vec![if n.matched {
            format!("category {} ({})", cat.name, cat.when)
        } else {
            format!(
                "category {} (matched no category; ranked with the last)",
                cat.name
            )
        }];
        let school = n.school.map_or("", |s| at.data.school(s).id.as_str());
        let lock_to = rules
            .seat_lock
            .map_or(usize::from(n.category), |l| l.category);
        if n.locked {
            parts.push(format!(
                "seat lock (学位锁定): its property gave a seat at {school} within {} years, so category {}",
                at.lock_years,
                rules.categories[lock_to].name
            ));
        } else if n.lock_exempt {
            parts.push(format!(
                "seat lock (学位锁定) waived: a sibling attends {school}"
            ));
        }
        let own = if n.locked {
            lock_to
        } else {
            usize::from(n.category)
        };
        if usize::from(at.tier.0) < own + 1 {
            parts.push(format!(
                "a sibling attends {school}: moved up to tier {} ({})",
                at.tier,
                rules.categories[at.tier.category()].name
            ));
        }
        let (sub, cols) = key_values(rules, at.student, at.tier);
        if let Some(t) = sub {
            parts.push(match rules.subtables.get(t) {
                Some(t) => format!("sub-table {}", t.name),
                None => "no sub-table (after every sub-table)".to_string(),
            });
        }
        for k in cols {
            parts.push(match k.value {
                Value::Missing => format!("{} empty (ranks last)", k.name),
                v => format!("{} {v}", k.name),
            });
        }
        if n.reserved {
            parts.push("reserved seat of its category".to_string());
        }
        if n.family > 1 {
            parts.push(format!(
                "family of {} drawn together, ranked as its best member (the tier below is the family's)",
                n.family
            ));
        }
        if n.passed_over {
            parts.push(format!(
                "the family of {} did not fit in the seats left: passed over for the next applicant",
                n.family
            ));
        }
        if let Some((_, st)) = at.school {
            if !n.reserved {
                for c in st.reserved_cutoffs.iter().filter(|c| c.tier == at.tier) {
                    parts.push(format!(
                        "reserved seats of its category filled to: {}",
                        cutoff_text(at.data, rules, c)
                    ));
                }
            }
            if let Some(c) = &st.cutoff {
                parts.push(format!("cut-off there: {}", cutoff_text(at.data, rules, c)));
            }
        }
        parts.join("; ")
    }

    fn separator(&self) -> &'static str {
        "; "
    }

    fn routes_before(&self, note: &RouteNote, data: &Dataset) -> Vec<String> {
        let id = |s: SchoolIx| data.school(s).id.as_str();
        let mut out = Vec::new();
        if let Some(n) = note.private_lost {
            let at = note.private_draw.map_or(String::new(), |(s, l)| {
                format!(" ({}: {})", id(s), lottery(l, false))
            });
            out.push(format!(
                "lost the draw of its {n} private school(s) (公民同招){at}"
            ));
            out.extend(fallback_of(note, RouteKind::PrivateLottery));
        }
        if let Some((j, applicants, seats)) = note.feeder_short {
            let drawn = note
                .feeder_draw
                .map_or("no seat".to_string(), |l| lottery(l, false));
            out.push(format!(
                "feeder route (对口直升) to {} short: {applicants} pupils for {seats} seats; {drawn}; not admitted by the route",
                id(j)
            ));
            out.extend(fallback_of(note, RouteKind::Feeder));
        }
        if let Some(s) = note.feeder_priority {
            out.push(format!("feeder priority (对口) at {}", id(s)));
        }
        if let Some(s) = note.appended_zone {
            out.push(format!(
                "zone school {} appended to its list (append_zone_school)",
                id(s)
            ));
        }
        out
    }

    fn routes_after(&self, note: &RouteNote) -> Vec<String> {
        let mut out = Vec::new();
        for route in [
            RouteKind::SingleSchoolLottery,
            RouteKind::GroupLottery,
            RouteKind::Choice,
        ] {
            out.extend(fallback_of(note, route));
        }
        match note.in_district {
            Some(true) => out.push("inside its 大学区".to_string()),
            Some(false) => out.push("outside its 大学区".to_string()),
            None => {}
        }
        out
    }
}

/// The Chinese of the reasons (the default language, issue 17): the
/// bureau's own terms (划片学校, 电脑派位, 统筹安置, 对口直升, 公民同招,
/// 一人一案, 送教上门); numbers and ids as in [`English`] (distances in km
/// with one decimal, lottery numbers with six decimals), steps joined by
/// `；`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Chinese;

/// A default category's Chinese name (`hukou_and_property` →
/// 片内户籍且有房产); a scenario's own names (`房户一致`) as written.
pub fn category_zh(name: &str) -> &str {
    match name {
        "hukou_and_property" => "片内户籍且有房产",
        "property_only" => "片内仅有房产",
        "hukou_only" => "片内仅有户籍",
        "migrant_resident" => "随迁子女（居住证）",
        "other" => "其他",
        other => other,
    }
}

/// A route's Chinese name (`[policy.fallback]` keys in brackets stay ids
/// in the scenario, not in the reasons).
pub fn route_zh(route: RouteKind) -> &'static str {
    match route {
        RouteKind::SingleSchoolLottery => "单校划片派位",
        RouteKind::GroupLottery => "多校划片派位",
        RouteKind::PrivateLottery => "民办学校摇号",
        RouteKind::Choice => "志愿录取",
        RouteKind::Feeder => "对口直升",
    }
}

fn fallback_zh(f: Fallback) -> &'static str {
    match f {
        Fallback::Zone => "回划片学校",
        Fallback::Group => "片组内其他学校",
        Fallback::Overflow => "统筹安置",
        Fallback::None => "无",
    }
}

/// The fallback `note` records after `route`, in Chinese.
fn fallback_of_zh(note: &RouteNote, route: RouteKind) -> Option<String> {
    let &(_, f) = note.fallback.iter().flatten().find(|(r, _)| *r == route)?;
    let to = match (route, f) {
        (RouteKind::PrivateLottery | RouteKind::Feeder, Fallback::Zone) => "回公办途径",
        _ => fallback_zh(f),
    };
    Some(format!("{}未录取后的去向：{to}", route_zh(route)))
}

/// A value of an applicant's column in Chinese (`true` → 是).
fn value_zh(v: &Value) -> String {
    match v {
        Value::Missing => "空".to_string(),
        Value::Bool(true) => "是".to_string(),
        Value::Bool(false) => "否".to_string(),
        v => v.to_string(),
    }
}

fn km1_zh(m: Metres) -> String {
    format!("{:.1} 公里", m.km())
}

fn reach_zh(m: Metres) -> String {
    format!("{} 公里", m.km())
}

fn lottery_zh(l: LotteryKey, won: bool) -> String {
    let op = if won { "≤" } else { ">" };
    format!("电脑派位号 {:.6} {op} 录取线 {:.6}", l.number, l.cutoff)
}

/// A school level in Chinese, for "no 小学 with seats".
fn level_zh(grade: crate::domain::model::Grade) -> &'static str {
    match grade.level() {
        crate::domain::model::Level::Junior => "初中",
        _ => "小学",
    }
}

impl Wording for Chinese {
    fn admission(&self, step: &Admission, data: &Dataset) -> String {
        let id = |s: SchoolIx| data.school(s).id.as_str();
        let drawn = |l: Option<LotteryKey>| {
            l.map_or(String::new(), |l| format!("；{}", lottery_zh(l, true)))
        };
        match *step {
            Admission::NoZoneSchool { tier } => format!("第{tier}类；所在小区无划片学校"),
            Admission::Zone { tier } => format!("第{tier}类；划片学校录取"),
            Admission::ZoneLottery {
                tier,
                applicants,
                seats,
                lottery: l,
                won,
            } => {
                let admitted = if won {
                    "；划片学校录取"
                } else {
                    "；未派中"
                };
                format!(
                    "第{tier}类；{applicants}人报名、{seats}个学位，电脑派位；{}{admitted}",
                    lottery_zh(l, won)
                )
            }
            Admission::ZoneFull {
                tier,
                after: Some(t),
            } => format!("第{tier}类；划片学校招满于第{t}类"),
            Admission::ZoneFull { tier, after: None } => format!("第{tier}类；划片学校无学位"),
            Admission::Choice {
                rank,
                listed,
                school,
                standing,
                lottery: l,
            } => {
                let standing = match standing {
                    Standing::Tier(t) => format!("在该校为片内第{t}类"),
                    Standing::OutOfZone => "在该校为片外".to_string(),
                };
                format!(
                    "第{rank}志愿（共{listed}个志愿，{}）录取；{standing}{}",
                    id(school),
                    drawn(l)
                )
            }
            Admission::NotAdmitted { tier, listed } => {
                format!("第{tier}类；所填{listed}所学校均未录取")
            }
            Admission::Feeder {
                school,
                from,
                lottery: l,
            } => {
                if from == school {
                    format!("九年一贯制直升 {}{}", id(school), drawn(l))
                } else {
                    format!("对口直升：由 {} 升入 {}{}", id(from), id(school), drawn(l))
                }
            }
            Admission::Private {
                school,
                rank,
                listed,
                lottery: l,
            } => format!(
                "民办学校（公民同招）{} 录取，第{rank}个民办志愿（共{listed}个）{}",
                id(school),
                drawn(l)
            ),
        }
    }

    fn settlement(&self, step: &Settlement, data: &Dataset) -> String {
        match *step {
            Settlement::Overflow { school, distance } => format!(
                "统筹安置至 {}，{}",
                data.school(school).id,
                km1_zh(distance)
            ),
            Settlement::Assigned { distance } => {
                format!("按总距离最短分配，{}", km1_zh(distance))
            }
            Settlement::Unplaced { grade, reach: r } => format!(
                "未安置：{} 内没有尚有学位的{}",
                reach_zh(r),
                level_zh(grade)
            ),
            Settlement::SpecialEducation { school, distance } => format!(
                "重度残疾（一人一案）；特殊教育学校 {}，{}",
                data.school(school).id,
                km1_zh(distance)
            ),
            Settlement::HomeTeaching { reach: r } => format!(
                "重度残疾（一人一案）；{} 内没有尚有学位的特殊教育学校：送教上门",
                reach_zh(r)
            ),
            Settlement::Declined => "放弃：不接受统筹安置".to_string(),
            Settlement::NoFallback { route } => format!(
                "放弃：{}未录取后的去向为“无”（招生政策规定）",
                route_zh(route)
            ),
        }
    }

    fn ranking(&self, n: &RankNote, at: &RankAt<'_>) -> String {
        let rules = at.rules;
        let cat = &rules.categories[usize::from(n.category)];
        let mut parts = vec![if n.matched {
            format!("类别：{}（条件：{}）", category_zh(&cat.name), cat.when)
        } else {
            format!(
                "类别：{}（不符合任何类别，排在最后）",
                category_zh(&cat.name)
            )
        }];
        let school = n.school.map_or("", |s| at.data.school(s).id.as_str());
        let lock_to = rules
            .seat_lock
            .map_or(usize::from(n.category), |l| l.category);
        if n.locked {
            parts.push(format!(
                "学位锁定：该房产{}年内已在 {school} 使用过学位，降为{}",
                at.lock_years,
                category_zh(&rules.categories[lock_to].name)
            ));
        } else if n.lock_exempt {
            parts.push(format!("学位锁定免除：有兄弟姐妹在 {school} 就读"));
        }
        let own = if n.locked {
            lock_to
        } else {
            usize::from(n.category)
        };
        if usize::from(at.tier.0) < own + 1 {
            parts.push(format!(
                "有兄弟姐妹在 {school} 就读：升至第{}类（{}）",
                at.tier,
                category_zh(&rules.categories[at.tier.category()].name)
            ));
        }
        let (sub, cols) = key_values(rules, at.student, at.tier);
        if let Some(t) = sub {
            parts.push(match rules.subtables.get(t) {
                Some(t) => format!("子表 {}", t.name),
                None => "不属任何子表（排在各子表之后）".to_string(),
            });
        }
        for k in cols {
            parts.push(match k.value {
                Value::Missing => format!("{} 为空（排在最后）", k.name),
                v => format!("{} {}", k.name, value_zh(&v)),
            });
        }
        if n.reserved {
            parts.push("占用本类别的预留学位".to_string());
        }
        if n.family > 1 {
            parts.push(format!(
                "{}名同胞一同派位，按其中排位最好者排序（以下类别为家庭的类别）",
                n.family
            ));
        }
        if n.passed_over {
            parts.push(format!(
                "{}名同胞所需学位超过剩余学位：顺延给下一位",
                n.family
            ));
        }
        if let Some((_, st)) = at.school {
            if !n.reserved {
                for c in st.reserved_cutoffs.iter().filter(|c| c.tier == at.tier) {
                    parts.push(format!(
                        "本类别预留学位录取至：{}",
                        cutoff_text_zh(at.data, rules, c)
                    ));
                }
            }
            if let Some(c) = &st.cutoff {
                parts.push(format!("该校录取线：{}", cutoff_text_zh(at.data, rules, c)));
            }
        }
        parts.join("；")
    }

    fn separator(&self) -> &'static str {
        "；"
    }

    fn routes_before(&self, note: &RouteNote, data: &Dataset) -> Vec<String> {
        let id = |s: SchoolIx| data.school(s).id.as_str();
        let mut out = Vec::new();
        if let Some(n) = note.private_lost {
            let at = note.private_draw.map_or(String::new(), |(s, l)| {
                format!("（{}：{}）", id(s), lottery_zh(l, false))
            });
            out.push(format!("所报{n}所民办学校（公民同招）均未摇中{at}"));
            out.extend(fallback_of_zh(note, RouteKind::PrivateLottery));
        }
        if let Some((j, applicants, seats)) = note.feeder_short {
            let drawn = note
                .feeder_draw
                .map_or("无学位".to_string(), |l| lottery_zh(l, false));
            out.push(format!(
                "对口直升 {} 学位不足：{applicants}人、{seats}个学位；{drawn}；未经直升录取",
                id(j)
            ));
            out.extend(fallback_of_zh(note, RouteKind::Feeder));
        }
        if let Some(s) = note.feeder_priority {
            out.push(format!("对口优先：在 {} 按对口类别排序", id(s)));
        }
        if let Some(s) = note.appended_zone {
            out.push(format!("划片学校 {} 已补入其志愿", id(s)));
        }
        out
    }

    fn routes_after(&self, note: &RouteNote) -> Vec<String> {
        let mut out = Vec::new();
        for route in [
            RouteKind::SingleSchoolLottery,
            RouteKind::GroupLottery,
            RouteKind::Choice,
        ] {
            out.extend(fallback_of_zh(note, route));
        }
        match note.in_district {
            Some(true) => out.push("在本大学区内".to_string()),
            Some(false) => out.push("在本大学区外".to_string()),
            None => {}
        }
        out
    }
}

/// [`cutoff_text`] in Chinese: "类别 房户一致，子表 A，property_date ≤
/// 2019-06-01，派位号 ≤ 0.410000".
pub fn cutoff_text_zh(data: &Dataset, rules: &Rules, c: &Cutoff) -> String {
    let st = &data.students[c.student];
    let mut parts = vec![format!(
        "类别 {}",
        category_zh(&rules.categories[c.tier.category()].name)
    )];
    let (sub, cols) = key_values(rules, st, c.tier);
    if let Some(t) = sub {
        parts.push(match rules.subtables.get(t) {
            Some(t) => format!("子表 {}", t.name),
            None => "无子表".to_string(),
        });
    }
    for k in cols {
        let op = if k.descending { "≥" } else { "≤" };
        parts.push(match k.value {
            Value::Missing => format!("{} 为空", k.name),
            v => format!("{} {op} {}", k.name, value_zh(&v)),
        });
    }
    if c.drawn {
        parts.push(format!("派位号 ≤ {:.6}", c.lottery));
    }
    parts.join("，")
}

/// A school's cut-off in the run's language.
pub fn cutoff_text_in(
    lang: crate::domain::language::Language,
    data: &Dataset,
    rules: &Rules,
    c: &Cutoff,
) -> String {
    match lang {
        crate::domain::language::Language::Zh => cutoff_text_zh(data, rules, c),
        crate::domain::language::Language::En => cutoff_text(data, rules, c),
    }
}

/// A school's cut-off in the policy's terms: "category 房户一致, sub-table
/// A, property_date <= 2019-06-01, lottery <= 0.410000" (the keys of its
/// last admitted applicant; the lottery only when that group was drawn).
pub fn cutoff_text(data: &Dataset, rules: &Rules, c: &Cutoff) -> String {
    let st = &data.students[c.student];
    let mut parts = vec![format!(
        "category {}",
        rules.categories[c.tier.category()].name
    )];
    let (sub, cols) = key_values(rules, st, c.tier);
    if let Some(t) = sub {
        parts.push(match rules.subtables.get(t) {
            Some(t) => format!("sub-table {}", t.name),
            None => "no sub-table".to_string(),
        });
    }
    for k in cols {
        // the last admitted value bounds the rest: earlier dates and lower
        // numbers first unless the key is descending (points)
        let op = if k.descending { ">=" } else { "<=" };
        parts.push(match k.value {
            Value::Missing => format!("{} empty", k.name),
            v => format!("{} {op} {v}", k.name),
        });
    }
    if c.drawn {
        parts.push(format!("lottery <= {:.6}", c.lottery));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{Grade, Level, School, SchoolId, SchoolIx, Seats, Status, Tier};

    fn data() -> Dataset {
        let school = School {
            id: SchoolId::new("LT-P01"),
            name: "一小".into(),
            level: Level::Primary,
            location: geo::Point::new(126.5, 43.9),
            town: "城区".into(),
            entry_seats: Seats(45),
            classes: 1,
            max_class_size: 45,
            boarding: false,
            status: Status::Open,
            annual_cost: None,
            sector: Default::default(),
            district: None,
        };
        Dataset {
            schools: vec![school],
            ..Default::default()
        }
    }

    fn en(admission: Option<Admission>, settlement: Option<Settlement>) -> String {
        let e = Explanation {
            admission,
            settlement,
            rank: None,
            route: None,
        };
        render(&English, &e, &data(), None)
    }

    const S: SchoolIx = SchoolIx(0);
    const KEY: LotteryKey = LotteryKey {
        number: 0.123_456_789,
        cutoff: 0.5,
    };

    #[test]
    fn zone_admission_steps() {
        assert_eq!(en(None, None), "");
        assert_eq!(
            en(Some(Admission::Zone { tier: Tier(1) }), None),
            "tier 1; admitted at zone school"
        );
        assert_eq!(
            en(Some(Admission::NoZoneSchool { tier: Tier(3) }), None),
            "tier 3; no zone school for this block"
        );
        let drawn = |won| {
            Some(Admission::ZoneLottery {
                tier: Tier(2),
                applicants: 30,
                seats: 12,
                lottery: KEY,
                won,
            })
        };
        assert_eq!(
            en(drawn(true), None),
            "tier 2; 30 applicants for 12 seats; lottery 0.123457 <= cut 0.500000; admitted at zone school"
        );
        assert_eq!(
            en(drawn(false), None),
            "tier 2; 30 applicants for 12 seats; lottery 0.123457 > cut 0.500000"
        );
        assert_eq!(
            en(
                Some(Admission::ZoneFull {
                    tier: Tier(4),
                    after: Some(Tier(2))
                }),
                None
            ),
            "tier 4; zone school full after tier 2"
        );
        assert_eq!(
            en(
                Some(Admission::ZoneFull {
                    tier: Tier(1),
                    after: None
                }),
                None
            ),
            "tier 1; zone school has no seats"
        );
    }

    #[test]
    fn choice_steps() {
        let choice = |standing, lottery| {
            Some(Admission::Choice {
                rank: 2,
                listed: 3,
                school: S,
                standing,
                lottery,
            })
        };
        assert_eq!(
            en(choice(Standing::Tier(Tier(1)), None), None),
            "choice 2 of 3 (LT-P01); tier 1 there"
        );
        assert_eq!(
            en(choice(Standing::OutOfZone, Some(KEY)), None),
            "choice 2 of 3 (LT-P01); out of zone there; lottery 0.123457 <= cut 0.500000"
        );
        assert_eq!(
            en(
                Some(Admission::NotAdmitted {
                    tier: Tier(2),
                    listed: 1
                }),
                None
            ),
            "tier 2; not admitted at any of its 1 listed school(s)"
        );
    }

    #[test]
    fn settlement_steps_and_joining() {
        let far = Metres(2_345);
        assert_eq!(
            en(
                Some(Admission::ZoneFull {
                    tier: Tier(3),
                    after: Some(Tier(1))
                }),
                Some(Settlement::Overflow {
                    school: S,
                    distance: far
                })
            ),
            "tier 3; zone school full after tier 1; overflow placement (统筹) at LT-P01, 2.3 km"
        );
        assert_eq!(
            en(None, Some(Settlement::Assigned { distance: far })),
            "minimum total distance assignment, 2.3 km"
        );
        assert_eq!(
            en(
                Some(Admission::NoZoneSchool { tier: Tier(5) }),
                Some(Settlement::Unplaced {
                    grade: Grade::Seven,
                    reach: Metres::from_km(12.5)
                })
            ),
            "tier 5; no zone school for this block; unplaced: no junior school with seats left within 12.5 km"
        );
        assert_eq!(
            en(
                None,
                Some(Settlement::Unplaced {
                    grade: Grade::One,
                    reach: Metres::from_km(15.0)
                })
            ),
            "unplaced: no primary school with seats left within 15 km"
        );
        assert_eq!(
            en(
                None,
                Some(Settlement::SpecialEducation {
                    school: S,
                    distance: Metres(10_050)
                })
            ),
            "severe disability (一人一案); special-education school LT-P01, 10.1 km"
        );
        assert_eq!(
            en(
                None,
                Some(Settlement::HomeTeaching {
                    reach: Metres::from_km(30.0)
                })
            ),
            "severe disability (一人一案); no special-education school with seats within 30 km: home teaching (送教上门)"
        );
    }

    /// Every step in Chinese: not empty, and no English word left once the
    /// school id is taken out.
    fn assert_chinese(text: &str) {
        assert!(!text.is_empty());
        let rest = text.replace("LT-P01", "");
        assert!(
            !rest.chars().any(|c| c.is_ascii_alphabetic()),
            "English left in {text:?}"
        );
    }

    #[test]
    fn every_step_has_chinese_words() {
        let d = data();
        let far = Metres(2_345);
        let admissions = [
            Admission::NoZoneSchool { tier: Tier(3) },
            Admission::Zone { tier: Tier(1) },
            Admission::ZoneLottery {
                tier: Tier(2),
                applicants: 30,
                seats: 12,
                lottery: KEY,
                won: true,
            },
            Admission::ZoneLottery {
                tier: Tier(2),
                applicants: 30,
                seats: 12,
                lottery: KEY,
                won: false,
            },
            Admission::ZoneFull {
                tier: Tier(4),
                after: Some(Tier(2)),
            },
            Admission::ZoneFull {
                tier: Tier(1),
                after: None,
            },
            Admission::Choice {
                rank: 2,
                listed: 3,
                school: S,
                standing: Standing::Tier(Tier(1)),
                lottery: Some(KEY),
            },
            Admission::Choice {
                rank: 1,
                listed: 1,
                school: S,
                standing: Standing::OutOfZone,
                lottery: None,
            },
            Admission::NotAdmitted {
                tier: Tier(2),
                listed: 1,
            },
            Admission::Feeder {
                school: S,
                from: S,
                lottery: None,
            },
            Admission::Feeder {
                school: S,
                from: SchoolIx(1),
                lottery: Some(KEY),
            },
            Admission::Private {
                school: S,
                rank: 1,
                listed: 2,
                lottery: Some(KEY),
            },
        ];
        let mut two = d.clone();
        two.schools.push(two.schools[0].clone());
        for a in &admissions {
            assert_chinese(&Chinese.admission(a, &two));
        }
        let settlements = [
            Settlement::Overflow {
                school: S,
                distance: far,
            },
            Settlement::Assigned { distance: far },
            Settlement::Unplaced {
                grade: Grade::One,
                reach: Metres::from_km(15.0),
            },
            Settlement::Unplaced {
                grade: Grade::Seven,
                reach: Metres::from_km(12.5),
            },
            Settlement::SpecialEducation {
                school: S,
                distance: far,
            },
            Settlement::HomeTeaching {
                reach: Metres::from_km(30.0),
            },
            Settlement::Declined,
            Settlement::NoFallback {
                route: RouteKind::Feeder,
            },
        ];
        for s in &settlements {
            assert_chinese(&Chinese.settlement(s, &d));
        }
    }

    #[test]
    fn every_route_note_has_chinese_words() {
        let d = data();
        let mut note = RouteNote {
            private_lost: Some(2),
            private_draw: Some((S, KEY)),
            feeder_short: Some((S, 40, 30)),
            feeder_draw: Some(KEY),
            feeder_priority: Some(S),
            appended_zone: Some(S),
            fallback: [
                Some((RouteKind::PrivateLottery, Fallback::Zone)),
                Some((RouteKind::Feeder, Fallback::Overflow)),
                Some((RouteKind::SingleSchoolLottery, Fallback::None)),
            ],
            in_district: Some(true),
        };
        let before = Chinese.routes_before(&note, &d);
        assert_eq!(before.len(), 6);
        before.iter().for_each(|t| assert_chinese(t));
        for f in Fallback::ALL {
            for r in RouteKind::ALL {
                note.fallback = [Some((r, f)), None, None];
                for t in Chinese
                    .routes_after(&note)
                    .iter()
                    .chain(&Chinese.routes_before(&note, &d))
                {
                    assert_chinese(t);
                }
            }
        }
        note.in_district = Some(false);
        Chinese
            .routes_after(&note)
            .iter()
            .for_each(|t| assert_chinese(t));
        let e = Explanation {
            admission: Some(Admission::ZoneFull {
                tier: Tier(4),
                after: Some(Tier(2)),
            }),
            settlement: Some(Settlement::Overflow {
                school: S,
                distance: Metres(2_345),
            }),
            rank: None,
            route: None,
        };
        assert_eq!(
            render(wording(crate::domain::language::Language::Zh), &e, &d, None),
            "第4类；划片学校招满于第2类；统筹安置至 LT-P01，2.3 公里"
        );
        assert_eq!(
            render(wording(crate::domain::language::Language::En), &e, &d, None),
            "tier 4; zone school full after tier 2; overflow placement (统筹) at LT-P01, 2.3 km"
        );
    }
}
