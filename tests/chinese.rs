//! Chinese first (issue 17, item 4): a planner's run (no `--lang`) prints
//! and reports in Chinese; `--lang en` and the scenario's `language = "en"`
//! give the English text; `--lang` wins over the scenario; a bad
//! `language` value is an error naming file, line and column.

mod common;

use std::path::Path;
use std::process::Output;

use common::{command_as_is, root};

/// Run the binary as a planner does (default language) from the
/// repository root.
fn run(args: &[&str]) -> Output {
    command_as_is()
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", common::stderr(o));
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn scenario(name: &str) -> String {
    root()
        .join("scenarios")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

/// Each phrase is in the text.
fn has_all(text: &str, phrases: &[&str]) {
    for p in phrases {
        assert!(text.contains(p), "missing `{p}` in:\n{text}");
    }
}

/// No word of the English version is in the text.
fn has_none(text: &str, words: &[&str]) {
    for w in words {
        assert!(!text.contains(w), "English `{w}` left in:\n{text}");
    }
}

/// A scenario extending the bundled baseline, with `extra` lines.
fn extending(dir: &Path, extra: &str) -> String {
    let base = scenario("longtan-2025.toml").replace('\\', "/");
    let path = dir.join("scenario.toml");
    std::fs::write(&path, format!("extends = \"{base}\"\n{extra}")).unwrap();
    path.to_str().unwrap().to_string()
}

/// (The planner's warnings that `validate` lists are, like every
/// diagnostic, English for now.)
#[test]
fn validate_speaks_chinese_by_default() {
    let text = stdout(&run(&["validate", &scenario("longtan-2025.toml")]));
    has_all(
        &text,
        &[
            "方案：",
            "1年级入学",
            "学段",
            "起始年级学位",
            "数据集",
            "随迁子女",
            "读取的文件",
            "通过：未发现错误",
        ],
    );
    has_none(
        &text,
        &[
            "Scenario:",
            "Schools\n",
            "Dataset\n",
            "entry seats",
            "applicants, grade",
            "Files read",
            "OK: no errors",
            "No warnings",
        ],
    );
}

#[test]
fn place_speaks_chinese_by_default_and_keeps_csv_ids() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let text = stdout(&run(&[
        "place",
        &scenario("longtan-2025.toml"),
        "--out",
        out.to_str().unwrap(),
    ]));
    has_all(
        &text,
        &[
            "招生安置：",
            "派位种子 20250715",
            "划片入学",
            "合计",
            "学校按使用率排序",
            "使用率",
            "距离：平均",
            "已写入：",
        ],
    );
    has_none(
        &text,
        &[
            "Placed",
            "Placement:",
            "Schools",
            "outcome",
            "applicants",
            "Distance:",
            "Wrote:",
            "total",
            "lottery cut",
        ],
    );
    // CSV column names are ids in every language
    let csv = std::fs::read_to_string(out.join("placements.csv")).unwrap();
    let header = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(header.starts_with("student_id,"), "{header}");
    assert!(header.contains(",reason"), "{header}");
}

#[test]
fn compare_speaks_chinese_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("compare");
    let text = stdout(&run(&[
        "compare",
        &scenario("longtan-2025.toml"),
        &scenario("close-tianchang-liushu.toml"),
        "--out",
        out.to_str().unwrap(),
    ]));
    has_all(
        &text,
        &[
            "全区合计（第一个为基准方案）",
            "受影响的报名人员",
            "有变化的学校",
            "撤并",
        ],
    );
    has_none(
        &text,
        &[
            "District totals",
            "Displaced",
            "Schools that change",
            "closed",
        ],
    );
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    has_all(
        &md,
        &[
            "# 方案比较",
            "## 全区合计",
            "## 受影响的报名人员",
            "## 学校",
        ],
    );
    has_none(
        &md,
        &["# Scenario comparison", "## District totals", "## Schools"],
    );
}

#[test]
fn zones_speak_chinese_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("zones");
    let text = stdout(&run(&[
        "zones",
        &scenario("longtan-2025.toml"),
        "--out",
        out.to_str().unwrap(),
    ]));
    has_all(
        &text,
        &["学区划片：", "方法：", "使用率", "连通", "已写入："],
    );
    has_none(&text, &["Zones:", "Method:", "utilisation", "connected"]);
}

#[test]
fn forecast_speaks_chinese_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("forecast");
    let text = stdout(&run(&[
        "forecast",
        &scenario("longtan-2025.toml"),
        "--years",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]));
    has_all(&text, &["年学位预警", "使用率", "入学学位预警"]);
    has_none(
        &text,
        &["projected", "utilisation", "Entry-grade", "Wrote:"],
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    has_all(
        &html,
        &[
            "<html lang=\"zh\">",
            "入学人数预测与学位预警",
            "<h2>全区</h2>",
        ],
    );
    has_none(&html, &["Enrollment projection", "<h2>District</h2>"]);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    has_all(&md, &["# 入学人数预测与学位预警", "## 全区"]);
}

#[test]
fn odds_speak_chinese_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("odds");
    let text = stdout(&run(&[
        "odds",
        &scenario("longtan-2025.toml"),
        "--draws",
        "20",
        "--out",
        out.to_str().unwrap(),
    ]));
    has_all(&text, &["次派位模拟的派位分数线", "分数线均值", "95%区间"]);
    has_none(&text, &["Lottery cut-offs", "cut-off mean", "interval"]);
    let readme = std::fs::read_to_string(out.join("README.txt")).unwrap();
    has_all(
        &readme,
        &["入学机会", "电脑派位模拟", "复现第 d 次模拟", "距离："],
    );
    has_none(&readme, &["Admission odds", "Replaying draw"]);
}

#[test]
fn lang_en_gives_the_english_text() {
    let text = stdout(&run(&[
        "--lang",
        "en",
        "validate",
        &scenario("longtan-2025.toml"),
    ]));
    has_all(&text, &["Scenario: ", "Dataset\n", "OK: no errors in"]);
    has_none(&text, &["方案：", "通过"]);
}

#[test]
fn the_scenario_language_key_and_lang_overriding_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = extending(dir.path(), "language = \"en\"\n");
    let text = stdout(&run(&["validate", &path]));
    has_all(&text, &["Scenario: ", "OK: no errors in"]);
    has_none(&text, &["方案：", "通过"]);
    // --lang wins over the scenario's key
    let text = stdout(&run(&["--lang", "zh", "validate", &path]));
    has_all(&text, &["方案：", "通过：未发现错误"]);
    has_none(&text, &["Scenario: ", "OK: no errors"]);
    // and the other way round
    let path = extending(dir.path(), "language = \"zh\"\n");
    let text = stdout(&run(&["--lang", "en", "validate", &path]));
    has_all(&text, &["Scenario: ", "OK: no errors in"]);
}

#[test]
fn a_bad_language_value_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = extending(dir.path(), "language = \"fr\"\n");
    let o = run(&["validate", &path]);
    assert!(!o.status.success());
    let err = common::stderr(&o);
    // `language` is on line 2; its value starts at column 12
    assert!(err.contains("scenario.toml:2:12"), "{err}");
    assert!(err.contains("unknown language `fr`"), "{err}");
}
