//! The one dictionary of CSV column ids and table names to the headers
//! planners read in the Excel workbooks (issue 17): CSV column names stay
//! stable English ids for scripts; the workbooks show them in the run's
//! language (Chinese by default). README "Excel in and out" prints the
//! same table.
//!
//! Ids a table derives from another (`seats_1` for the second scenario of
//! `compare`, `applicants_tier3`, `expected_migrant_resident`) are named
//! from their base id; an id not in the dictionary shows as itself.

use crate::domain::language::Language;
use crate::io::xlsx::NumberFormat;

/// How a column's cells are written to the workbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Always text (ids: `007` must stay `007`).
    Text,
    /// Numbers where the cell is one, with this format; other cells text.
    Number(NumberFormat),
}

/// `(csv id, 中文, English, kind)` of every column sunshine writes.
const COLUMNS: &[(&str, &str, &str, Kind)] = &[
    ("student_id", "学生编号", "Student ID", Kind::Text),
    ("school_id", "学校代码", "School ID", Kind::Text),
    ("block_id", "小区代码", "Block ID", Kind::Text),
    (
        "zone_school_id",
        "学区学校代码",
        "Zone school ID",
        Kind::Text,
    ),
    ("zone_group_id", "多校划片组", "Zone group ID", Kind::Text),
    ("group_id", "多校划片组", "Group ID", Kind::Text),
    (
        "placed_school_id",
        "录取学校代码",
        "Placed school ID",
        Kind::Text,
    ),
    (
        "previous_school_id",
        "上年学区学校",
        "Previous school ID",
        Kind::Text,
    ),
    ("outcome", "录取方式", "Outcome", Kind::Text),
    ("tier", "类别", "Tier", INT),
    ("lottery_number", "派位号", "Lottery number", DEC6),
    ("distance_km", "距离(公里)", "Distance (km)", DEC2),
    ("distance_m", "距离(米)", "Distance (m)", INT),
    ("reason", "说明", "Reason", Kind::Text),
    ("name", "名称", "Name", Kind::Text),
    ("level", "学段", "Level", Kind::Text),
    ("status", "状态", "Status", Kind::Text),
    ("seats", "学位", "Seats", INT),
    ("applicants", "报名人数", "Applicants", INT),
    (
        "applicants_out_of_zone",
        "学区外报名",
        "Applicants out of zone",
        INT,
    ),
    ("admitted_zone", "划片入学", "Admitted in zone", INT),
    (
        "admitted_by_lottery",
        "电脑派位录取",
        "Admitted by lottery",
        INT,
    ),
    ("lottery_tier", "派位类别", "Lottery tier", INT),
    ("lottery_cutoff", "派位录取线", "Lottery cut-off", DEC6),
    ("overflow_in", "统筹调入", "Overflow in", INT),
    ("overflow_out", "统筹调出", "Overflow out", INT),
    (
        "overflow_in_district",
        "大学区内统筹调入",
        "Overflow in (district)",
        INT,
    ),
    ("admitted", "录取人数", "Admitted", INT),
    ("seats_left", "剩余学位", "Seats left", INT),
    ("utilisation", "学位使用率", "Utilisation", PCT),
    ("migrant", "随迁子女", "Migrant", INT),
    ("left_behind", "留守儿童", "Left behind", INT),
    ("disability_mild", "轻度残疾", "Disability (mild)", INT),
    ("disability_severe", "重度残疾", "Disability (severe)", INT),
    ("grade", "年级", "Grade", Kind::Text),
    ("source", "来源", "Source", Kind::Text),
    ("category", "类别", "Category", Kind::Text),
    ("cutoff", "分数线", "Cut-off", Kind::Text),
    ("lottery_drawn", "参加派位人数", "Lottery drawn", INT),
    ("reserved_seats", "预留学位", "Reserved seats", INT),
    ("reserved_used", "预留学位已用", "Reserved used", INT),
    (
        "reserved_cutoff",
        "预留分数线",
        "Reserved cut-off",
        Kind::Text,
    ),
    ("declined", "放弃", "Declined", INT),
    ("sector", "办学性质", "Sector", Kind::Text),
    ("district", "大学区", "District", Kind::Text),
    (
        "feeder_applicants",
        "对口直升报名",
        "Feeder applicants",
        INT,
    ),
    ("feeder_admitted", "对口直升录取", "Feeder admitted", INT),
    ("feeder_short", "对口直升缺额", "Feeder short", INT),
    ("private_applicants", "民办报名", "Private applicants", INT),
    ("private_admitted", "民办录取", "Private admitted", INT),
    ("private_cutoff", "民办派位录取线", "Private cut-off", DEC6),
    ("town", "乡镇", "Town", Kind::Text),
    (
        "within_service_radius",
        "在服务半径内",
        "Within service radius",
        Kind::Text,
    ),
    ("moved", "调整", "Moved", Kind::Text),
    ("limit", "上限", "Limit", INT),
    ("over_limit", "超出上限", "Over limit", INT),
    ("blocks", "小区数", "Blocks", INT),
    ("mean_km", "平均距离(公里)", "Mean distance (km)", DEC2),
    ("max_km", "最远距离(公里)", "Max distance (km)", DEC2),
    ("p90_km", "90%距离(公里)", "P90 distance (km)", DEC2),
    ("polsby_popper", "紧凑度", "Polsby-Popper", DEC3),
    ("connected", "连通", "Connected", Kind::Text),
    ("scenario", "方案", "Scenario", Kind::Text),
    ("from_zone", "原学区", "From zone", Kind::Text),
    ("to_zone", "新学区", "To zone", Kind::Text),
    ("from_school", "原学校", "From school", Kind::Text),
    ("to_school", "新学校", "To school", Kind::Text),
    ("extra_km", "增加距离(公里)", "Extra distance (km)", DEC2),
    ("beyond_radius", "超出服务半径", "Beyond radius", Kind::Text),
    ("unplaced", "未安置", "Unplaced", Kind::Text),
    ("placed", "已录取", "Placed", INT),
    (
        "within_radius_share",
        "服务半径内比例",
        "Within radius share",
        PCT,
    ),
    ("seats_spare", "空余学位", "Spare seats", INT),
    ("open_schools", "开办学校数", "Open schools", INT),
    ("classes_needed", "所需班数", "Classes needed", INT),
    ("classes", "班数", "Classes", INT),
    ("year", "年份", "Year", Kind::Text),
    ("projected", "预测人数", "Projected", DEC1),
    (
        "baseline_projected",
        "基准预测人数",
        "Baseline projected",
        DEC1,
    ),
    ("shortfall", "学位缺口", "Shortfall", DEC1),
    (
        "baseline_shortfall",
        "基准学位缺口",
        "Baseline shortfall",
        DEC1,
    ),
    ("baseline_seats", "基准学位", "Baseline seats", INT),
    ("kind", "类型", "Kind", Kind::Text),
    ("ratio", "比率", "Ratio", DEC3),
    ("warning", "预警", "Warning", Kind::Text),
    ("pupils_per_class", "平均班额", "Pupils per class", DEC1),
    ("large_class", "大班额", "Large class", Kind::Text),
    ("expected", "预计人数", "Expected", DEC1),
    ("level_zh", "预警等级", "Level (Chinese)", Kind::Text),
    ("entrants", "新生", "Entrants", INT),
    ("enrolled", "在校生", "Enrolled", INT),
    ("total", "合计", "Total", INT),
    ("pupils", "学生数", "Pupils", INT),
    ("classes_56_65", "56-65人班数", "Classes of 56-65", INT),
    ("classes_66_plus", "66人以上班数", "Classes of 66+", INT),
    ("baseline_pupils", "基准学生数", "Baseline pupils", INT),
    (
        "receiving_classes",
        "接收学校班数",
        "Receiving classes",
        INT,
    ),
    (
        "receiving_56_65",
        "接收学校56-65人班数",
        "Receiving 56-65",
        INT,
    ),
    (
        "receiving_66_plus",
        "接收学校66人以上班数",
        "Receiving 66+",
        INT,
    ),
    (
        "receiving_share_56_plus",
        "接收学校大班额比例",
        "Receiving share 56+",
        PCT,
    ),
    ("district_classes", "全区班数", "District classes", INT),
    ("district_56_65", "全区56-65人班数", "District 56-65", INT),
    ("district_66_plus", "全区66人以上班数", "District 66+", INT),
    (
        "district_share_56_plus",
        "全区大班额比例",
        "District share 56+",
        PCT,
    ),
    (
        "baseline_district_share_56_plus",
        "基准全区大班额比例",
        "Baseline district share 56+",
        PCT,
    ),
    (
        "target_share_56_plus",
        "大班额目标比例",
        "Target share 56+",
        PCT,
    ),
];

const INT: Kind = Kind::Number(NumberFormat::Integer);
const DEC1: Kind = Kind::Number(NumberFormat::Decimals(1));
const DEC2: Kind = Kind::Number(NumberFormat::Decimals(2));
const DEC3: Kind = Kind::Number(NumberFormat::Decimals(3));
const DEC6: Kind = Kind::Number(NumberFormat::Decimals(6));
const PCT: Kind = Kind::Number(NumberFormat::Percent);

/// `(csv file stem, 中文, English)`: the sheet of each CSV table.
const TABLES: &[(&str, &str, &str)] = &[
    ("placements", "录取结果", "Placements"),
    ("schools", "学校", "Schools"),
    ("zones", "学区", "Zones"),
    ("cutoffs", "类别分数线", "Cut-offs"),
    ("routes", "招生路径", "Routes"),
    ("seat_history", "学位锁定", "Seat history"),
    ("compare", "学校对比", "Compare"),
    ("displaced", "受影响学生", "Displaced"),
    ("totals", "汇总", "Totals"),
    ("closures", "撤并方案", "Closures"),
    ("compare_years", "逐年对比", "Compare by year"),
    ("displaced_years", "逐年受影响", "Displaced by year"),
    ("receiving", "接收学校", "Receiving"),
    ("class_sizes_years", "逐年班额", "Class sizes by year"),
    ("block_zones", "小区划片", "Block zones"),
    ("zones_summary", "学区汇总", "Zone summary"),
    ("projection", "预测", "Projection"),
    ("ratios", "比率", "Ratios"),
    ("shortfall", "学位缺口", "Shortfall"),
    ("warnings_entry", "入学预警", "Entry warnings"),
    ("moves", "迁移", "Moves"),
];

/// `(column id, value id, 中文, English)`: enumerated values shown in
/// words in the workbooks (the CSV keeps the ids). Outcomes are worded by
/// [`super::placement::outcome_name`], as in the terminal.
const VALUES: &[(&str, &str, &str, &str)] = &[
    ("status", "open", "开办", "open"),
    ("status", "closed", "撤并", "closed"),
    ("status", "oversubscribed", "超额", "oversubscribed"),
    ("level", "primary", "小学", "primary"),
    ("level", "junior", "初中", "junior"),
    ("level", "nine_year", "九年一贯制", "nine-year"),
    ("level", "special", "特殊教育学校", "special"),
    ("sector", "public", "公办", "public"),
    ("sector", "private", "民办", "private"),
];

fn pick(lang: Language, zh: &'static str, en: &'static str) -> &'static str {
    lang.pick(zh, en)
}

/// The sheet name of the CSV table `stem` (`placements` → `录取结果`).
pub fn table(stem: &str, lang: Language) -> String {
    TABLES
        .iter()
        .find(|t| t.0 == stem)
        .map_or_else(|| stem.to_string(), |t| pick(lang, t.1, t.2).to_string())
}

fn base(id: &str) -> Option<&'static (&'static str, &'static str, &'static str, Kind)> {
    COLUMNS.iter().find(|c| c.0 == id)
}

/// The header of the CSV column `id` (`student_id` → `学生编号`).
pub fn header(id: &str, lang: Language) -> String {
    if let Some(c) = base(id) {
        return pick(lang, c.1, c.2).to_string();
    }
    // `seats_1`: the column of the second scenario of compare
    if let Some((b, n)) = id.rsplit_once('_') {
        if let (Some(c), Ok(n)) = (base(b), n.parse::<usize>()) {
            return match lang {
                Language::Zh => format!("{}(方案{n})", c.1),
                Language::En => format!("{} ({n})", c.2),
            };
        }
    }
    if let Some(n) = id.strip_prefix("applicants_tier") {
        return match lang {
            Language::Zh => format!("第{n}类报名"),
            Language::En => format!("Applicants tier {n}"),
        };
    }
    if let Some(cat) = id.strip_prefix("expected_") {
        return match lang {
            Language::Zh => format!("预计人数:{cat}"),
            Language::En => format!("Expected: {cat}"),
        };
    }
    id.to_string()
}

/// How the cells of column `id` are written.
pub fn kind(id: &str) -> Kind {
    if let Some(c) = base(id) {
        return c.3;
    }
    if let Some((b, n)) = id.rsplit_once('_') {
        if let (Some(c), true) = (base(b), n.parse::<usize>().is_ok()) {
            return c.3;
        }
    }
    if id.starts_with("applicants_tier") {
        return INT;
    }
    if id.starts_with("expected_") {
        return DEC1;
    }
    if id.ends_with("_id") {
        return Kind::Text;
    }
    Kind::Number(NumberFormat::General)
}

/// A value of column `id` in words (`outcome` `zone` → `划片入学`), or
/// the value itself.
pub fn value<'a>(id: &str, v: &'a str, lang: Language) -> std::borrow::Cow<'a, str> {
    let col = match id.rsplit_once('_') {
        Some((b, n)) if n.parse::<usize>().is_ok() => b,
        _ => id,
    };
    if col == "outcome" {
        if let Some(o) = crate::rules::place::Outcome::from_label(v) {
            return std::borrow::Cow::Owned(super::placement::outcome_name(o, lang));
        }
    }
    VALUES
        .iter()
        .find(|x| x.0 == col && x.1 == v)
        .map_or(std::borrow::Cow::Borrowed(v), |x| {
            std::borrow::Cow::Borrowed(pick(lang, x.2, x.3))
        })
}

/// The README table: every column id with its Chinese and English header.
pub fn markdown_table() -> String {
    let mut out = String::from("| CSV column | 中文 | English |\n|---|---|---|\n");
    for c in COLUMNS {
        out.push_str(&format!("| `{}` | {} | {} |\n", c.0, c.1, c.2));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_in_the_language() {
        assert_eq!(header("student_id", Language::Zh), "学生编号");
        assert_eq!(header("placed_school_id", Language::Zh), "录取学校代码");
        assert_eq!(header("outcome", Language::En), "Outcome");
        assert_eq!(header("seats_1", Language::Zh), "学位(方案1)");
        assert_eq!(header("applicants_tier3", Language::Zh), "第3类报名");
        assert_eq!(header("unknown_col", Language::Zh), "unknown_col");
        assert_eq!(table("placements", Language::Zh), "录取结果");
        assert_eq!(value("outcome", "zone", Language::Zh), "划片入学");
        assert_eq!(value("outcome", "choice_3", Language::Zh), "第3志愿");
        assert_eq!(value("status_1", "closed", Language::Zh), "撤并");
        assert_eq!(value("outcome", "other", Language::Zh), "other");
        assert_eq!(kind("block_id"), Kind::Text);
        assert_eq!(kind("seats_0"), INT);
    }

    #[test]
    fn every_id_once() {
        let mut ids: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
