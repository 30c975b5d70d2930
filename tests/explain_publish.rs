//! `sunshine explain` on five hand-picked applicants of the bundled
//! Longtan run (zone admission, lottery winner, lottery loser sent to 统筹,
//! special education, unplaced), in Chinese and English; and the 公示 lists
//! of `place --publish` (conservation, masking, the workbook read back,
//! the printable page parsed).

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::{command, command_as_is, records, root, stderr};
use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use sunshine::domain::scenario::PublishPolicy;

fn scenario() -> String {
    root()
        .join("scenarios/longtan-2025.toml")
        .display()
        .to_string()
}

/// The bundled run placed with its 公示 lists into `dir/out` and `dir/pub`.
fn place(dir: &Path, scenario: &str) {
    let out = dir.join("out");
    let publish = dir.join("pub");
    let o = command_as_is()
        .args(["place", scenario, "--out"])
        .arg(&out)
        .arg("--publish")
        .arg(&publish)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

type Row = HashMap<String, String>;

/// The five applicants: the first of each kind in `placements.csv`.
fn picks(rows: &[Row]) -> Vec<(&'static str, &Row)> {
    let first = |what: &'static str, f: &dyn Fn(&Row) -> bool| {
        (
            what,
            rows.iter()
                .find(|r| f(r))
                .unwrap_or_else(|| panic!("no {what} in the bundled run")),
        )
    };
    vec![
        first("zone", &|r| r["outcome"] == "zone"),
        first("winner", &|r| r["outcome"] == "lottery_won"),
        first("loser", &|r| {
            r["outcome"] == "overflow" && r["reason"].contains("未派中")
        }),
        first("special", &|r| r["outcome"] == "special_ed"),
        first("unplaced", &|r| r["outcome"] == "unplaced"),
    ]
}

/// Tokens of `text` that are other applicants' ids.
fn other_ids<'a>(text: &str, ids: &'a HashSet<String>, own: &str) -> Vec<&'a String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|t| *t != own)
        .filter_map(|t| ids.get(t))
        .collect()
}

fn explain(dir: &Path, id: &str, zh: bool) -> (String, serde_json::Value) {
    let out = dir.join(if zh { "ex_zh" } else { "ex_en" });
    let mut c = if zh { command_as_is() } else { command() };
    let o = c
        .args(["explain", &scenario(), id, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(out.join(format!("explain_{id}.md"))).unwrap();
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.starts_with(&md), "stdout is the Markdown file");
    let js = common::json(&out.join(format!("explain_{id}.json")));
    (md, js)
}

#[test]
fn explain_gives_the_facts_of_five_applicants() {
    let dir = tempfile::tempdir().unwrap();
    place(dir.path(), &scenario());
    let rows = records(&dir.path().join("out/placements.csv"));
    let ids: HashSet<String> = rows.iter().map(|r| r["student_id"].clone()).collect();
    let schools = records(&dir.path().join("out/schools.csv"));
    let school = |id: &str| schools.iter().find(|s| s["school_id"] == id).unwrap();
    for (what, r) in picks(&rows) {
        let id = &r["student_id"];
        let (zh, js) = explain(dir.path(), id, true);
        let (en, js_en) = explain(dir.path(), id, false);
        assert_eq!(js, js_en, "{what}: the facts do not depend on the language");
        for text in [&zh, &en] {
            assert!(text.contains(id.as_str()), "{what}");
            assert!(text.contains(&r["lottery_number"]), "{what}: {text}");
            assert!(text.contains(&r["zone_school_id"]), "{what}: {text}");
            assert!(text.contains(&r["placed_school_id"]), "{what}: {text}");
            let leaked = other_ids(text, &ids, id);
            assert!(leaked.is_empty(), "{what}: other ids {leaked:?}");
        }
        assert!(
            zh.contains("录取说明") && zh.contains(&r["reason"]),
            "{what}: {zh}"
        );
        assert!(en.contains("Placement explained"), "{what}: {en}");
        assert_eq!(js["student_id"], id.as_str());
        assert_eq!(js["outcome"], r["outcome"].as_str());
        assert_eq!(js["zone"]["school_id"], r["zone_school_id"].as_str());
        assert_eq!(js["zone"]["source"], "zones_csv");
        assert_eq!(js["reason_zh"], r["reason"].as_str());
        let number: f64 = r["lottery_number"].parse().unwrap();
        assert!((js["lottery"]["number"].as_f64().unwrap() - number).abs() < 1e-9);
        let placed = r["placed_school_id"].as_str();
        match what {
            "zone" => {
                assert_eq!(placed, r["zone_school_id"]);
                assert_eq!(
                    js["category"]["tier"].as_u64().unwrap().to_string(),
                    r["tier"]
                );
                assert!(zh.contains("划片学校录取"));
            }
            "winner" | "loser" => {
                let cut = js["lottery"]["cutoff"].as_f64().unwrap();
                assert_eq!(js["lottery"]["won"], what == "winner");
                assert_eq!(js["lottery"]["school_id"], r["zone_school_id"].as_str());
                assert!(
                    (number <= cut) == (what == "winner"),
                    "{what}: {number} vs {cut}"
                );
                let zone = school(&r["zone_school_id"]);
                let lottery_cut = zone["lottery_cutoff"].as_str();
                assert!(!lottery_cut.is_empty(), "{what}: the zone school drew");
                assert!(zh.contains(&format!("{cut:.6}")) && en.contains(&format!("{cut:.6}")));
            }
            _ => {}
        }
        if what == "loser" || what == "unplaced" {
            // the nearer schools that were full, nearest first; the zone
            // school among them
            let near = js["nearer_full"].as_array().unwrap();
            assert!(!near.is_empty(), "{what}");
            let zone = r["zone_school_id"].as_str();
            assert!(near.iter().any(|n| n["school_id"] == zone), "{what}");
            let limit: f64 = r["distance_km"].parse().unwrap_or(f64::INFINITY);
            let mut last = 0.0;
            for n in near {
                let d = n["distance_km"].as_f64().unwrap();
                assert!(d >= last && d < limit, "{what}: {n}");
                last = d;
                let s = school(n["school_id"].as_str().unwrap());
                assert_eq!(s["admitted"], s["seats"], "{what}: {n} is full");
                assert_eq!(n["admitted"].as_u64().unwrap().to_string(), s["admitted"]);
                let sid = n["school_id"].as_str().unwrap();
                assert!(zh.contains(sid) && en.contains(sid));
            }
        }
        if what == "special" {
            assert!(js["category"]["severe_disability"].as_bool().unwrap());
            assert!(zh.contains("特殊教育学校") && en.contains("special-education"));
        }
        if what == "unplaced" {
            assert!(js["placed_school_id"].is_null());
            assert!(zh.contains("未安置") && en.contains("unplaced"));
        }
    }
}

#[test]
fn an_unknown_id_is_refused() {
    let o = command_as_is()
        .args(["explain", &scenario(), "no-such-child"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("no applicant `no-such-child`"), "{e}");
    assert!(o.stdout.is_empty());
}

#[test]
fn ids_are_masked_as_configured() {
    let p = PublishPolicy::default();
    assert_eq!(p.mask("100002"), "**0002");
    assert_eq!(p.mask("0002"), "*002", "a full id is never shown");
    assert_eq!(p.mask("7"), "*");
    assert_eq!(p.mask(""), "");
    let q = PublishPolicy {
        keep_first: 2,
        keep_last: 2,
        ..PublishPolicy::default()
    };
    assert_eq!(q.mask("LT2025-0042"), "LT*******42");
    assert_eq!(q.mask("学生0042"), "学生**42");
}

/// Every cell of a sheet as text, rows after the title and header.
fn sheet_rows(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<String>> {
    let range = wb.worksheet_range(name).unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(x) => format!("{x:.9}"),
                    Data::Int(n) => n.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows[1][0], "序号", "{name}: the title, then the header");
    assert_eq!(rows[1][1], "学生编号（脱敏）");
    rows[2..].to_vec()
}

fn sections(h: &Handle, classes: &mut BTreeMap<String, usize>) {
    if let NodeData::Element { name, attrs, .. } = &h.data {
        if &*name.local == "section" {
            for a in attrs.borrow().iter() {
                if &*a.name.local == "class" {
                    *classes.entry(a.value.to_string()).or_default() += 1;
                }
            }
        }
    }
    for c in h.children.borrow().iter() {
        sections(c, classes);
    }
}

#[test]
fn publish_lists_hold_every_applicant_once_masked() {
    let dir = tempfile::tempdir().unwrap();
    // a scenario of the bundled run with the bureau's title and date
    let sc = dir.path().join("publish.toml");
    std::fs::write(
        &sc,
        format!(
            "extends = \"{}\"\n[publish]\ntitle = \"龙潭区教育局2025年小学一年级新生录取名单公示\"\ndate = \"2025年7月20日\"\nkeep_last = 4\n",
            scenario().replace('\\', "/")
        ),
    )
    .unwrap();
    place(dir.path(), sc.to_str().unwrap());
    let rows = records(&dir.path().join("out/placements.csv"));
    let mask = |id: &str| PublishPolicy::default().mask(id);
    // expected: masked ids per school, and of the unplaced and declined
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &rows {
        let key = match (r["placed_school_id"].as_str(), r["outcome"].as_str()) {
            ("", "declined") => "放弃".to_string(),
            ("", _) => "未安置".to_string(),
            (s, _) => s.to_string(),
        };
        expected
            .entry(key)
            .or_default()
            .push(mask(&r["student_id"]));
    }
    let placed_schools = expected
        .keys()
        .filter(|k| !k.starts_with('未') && !k.starts_with('放'))
        .count();
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("pub/公示.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), placed_schools + 2, "{names:?}");
    let mut total = 0;
    for name in &names {
        assert!(name.chars().count() <= 31, "{name}");
        let got = sheet_rows(&mut wb, name);
        total += got.len();
        let key = match name.as_str() {
            "未安置名单" => "未安置".to_string(),
            "放弃名单" => "放弃".to_string(),
            n => n.split(' ').next().unwrap().to_string(),
        };
        let mut want = expected.get(&key).cloned().unwrap_or_default();
        let mut masked: Vec<String> = got.iter().map(|r| r[1].clone()).collect();
        for m in &masked {
            assert!(m.starts_with("**") && m.chars().count() == 6, "{m}");
        }
        want.sort();
        masked.sort();
        assert_eq!(masked, want, "{name}: each applicant once");
        let range = wb.worksheet_range(name).unwrap();
        let title = range.rows().next().unwrap()[0].to_string();
        assert!(
            title.contains("龙潭区教育局") && title.contains("2025年7月20日"),
            "{title}"
        );
    }
    assert_eq!(total, rows.len(), "rows = applicants");
    // the printable page: well-formed, one page section per school
    let html = std::fs::read(dir.path().join("pub/公示.html")).unwrap();
    let text = String::from_utf8(html.clone()).unwrap();
    assert!(text.contains("@page { size: A4") && text.contains("page-break-after: always"));
    assert!(!text.contains("<script") && !text.contains("<link") && !text.contains("http"));
    assert!(!rows
        .iter()
        .any(|r| text.contains(&format!(">{}<", r["student_id"]))));
    let opts = html5ever::ParseOpts::default();
    let dom = html5ever::parse_document(RcDom::default(), opts)
        .from_utf8()
        .read_from(&mut html.as_slice())
        .unwrap();
    assert!(dom.errors.borrow().is_empty(), "{:?}", dom.errors.borrow());
    let mut classes = BTreeMap::new();
    sections(&dom.document, &mut classes);
    assert_eq!(classes.get("school"), Some(&placed_schools));
    assert_eq!(classes.get("list"), Some(&2));
    assert_eq!(text.matches("2025年7月20日").count(), placed_schools + 2);
    // the same run gives the same bytes
    let again = tempfile::tempdir().unwrap();
    place(again.path(), sc.to_str().unwrap());
    for f in ["公示.html", "公示.xlsx"] {
        assert_eq!(
            std::fs::read(dir.path().join("pub").join(f)).unwrap(),
            std::fs::read(again.path().join("pub").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn publish_keys_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("bad.toml");
    std::fs::write(
        &sc,
        format!(
            "extends = \"{}\"\n[publish]\ntitel = \"x\"\nkeep_last = 400\n",
            scenario().replace('\\', "/")
        ),
    )
    .unwrap();
    let o = command()
        .args(["validate", sc.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("titel"), "{e}");
    assert!(e.contains("publish.keep_last 400; expected 0 to 64"), "{e}");
}

#[test]
fn a_closed_zone_school_is_named_as_the_reason_for_the_zone() {
    // a child of a block zoned to LT-P08 in zones.csv, which the scenario closes
    let zones = records(&root().join("data/longtan/zones.csv"));
    let blocks: HashSet<&str> = zones
        .iter()
        .filter(|z| z["school_id"] == "LT-P08" && z["grade"] == "1")
        .map(|z| z["block_id"].as_str())
        .collect();
    let students = records(&root().join("data/longtan/students.csv"));
    let child = students
        .iter()
        .find(|s| blocks.contains(s["block_id"].as_str()) && s["entry_grade"] == "1")
        .expect("a grade-1 child of LT-P08's zone");
    let id = child["student_id"].as_str();
    let sc = root().join("scenarios/close-tianchang-liushu.toml");
    let o = command()
        .args(["explain", sc.to_str().unwrap(), id])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("zones.csv gives LT-P08, which the scenario closes"),
        "{text}"
    );
    let o = command_as_is()
        .args(["explain", sc.to_str().unwrap(), id])
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("zones.csv 划给 LT-P08，该校被本方案关闭"),
        "{text}"
    );
}

#[test]
fn publish_into_the_output_folder_is_one_set_and_notes_equal_masks() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("short.toml");
    // two characters kept: ids of one school collide once masked
    std::fs::write(
        &sc,
        format!(
            "extends = \"{}\"\n[publish]\nkeep_last = 2\n",
            scenario().replace('\\', "/")
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = command_as_is()
        .args(["place", sc.to_str().unwrap(), "--out"])
        .arg(&out)
        .arg("--publish")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest = common::json(&out.join("manifest.json"));
    let names: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"placements.csv")
            && names.contains(&"公示.html")
            && names.contains(&"公示.xlsx"),
        "{names:?}"
    );
    let html = std::fs::read_to_string(out.join("公示.html")).unwrap();
    assert!(html.contains("<td>****17</td>"), "masked to the last two");
    assert!(
        html.contains("脱敏后编号相同（本名单共"),
        "equal masks are noted"
    );
}

#[test]
fn a_tier_not_drawn_is_said_so_and_publish_refuses_the_dataset_folder() {
    let dir = tempfile::tempdir().unwrap();
    place(dir.path(), &scenario());
    let rows = records(&dir.path().join("out/placements.csv"));
    let schools = records(&dir.path().join("out/schools.csv"));
    // an applicant of a school that drew another tier than the applicant's
    let r = rows
        .iter()
        .find(|r| {
            r["outcome"] == "overflow"
                && schools.iter().any(|s| {
                    s["school_id"] == r["zone_school_id"]
                        && !s["lottery_tier"].is_empty()
                        && s["lottery_tier"] != r["tier"]
                })
        })
        .expect("an overflow applicant of a drawn school, another tier");
    let o = command()
        .args(["explain", &scenario(), &r["student_id"]])
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("(its tier was not drawn)"), "{text}");
    let o = command()
        .args(["place", &scenario(), "--out"])
        .arg(dir.path().join("out2"))
        .arg("--publish")
        .arg(root().join("data/longtan"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--publish"), "{}", stderr(&o));
    assert!(!dir.path().join("out2").exists(), "nothing written");
}
