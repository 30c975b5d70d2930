//! The priority-rule keys of issue 14 at the input edge: `validate` on a
//! small dataset with several bad rule inputs in one scenario exits 2 and
//! lists every problem with file:line:column; good rules, declared
//! students.csv columns and a seat history validate, and validate's books
//! count seat_history.csv.

mod common;

use std::fs;

use common::{good_fixture_with as prepare, validate_dir as validate};

const HEAD: &str = "name = \"fixture\"\nyear = 2025\ndataset = \".\"\nlevel = \"primary\"\n";

fn assert_lists(stderr: &str, want: &[&str]) {
    let missing: Vec<&&str> = want.iter().filter(|w| !stderr.contains(*w)).collect();
    assert!(missing.is_empty(), "missing {missing:#?}\nin\n{stderr}");
}

#[test]
fn every_bad_rule_is_listed_with_its_position() {
    let scenario = format!(
        "{HEAD}[policy]\n\
         order = [\"category\", \"points\", \"subtable\", \"lottery\"]\n\
         twins = \"both\"\n\
         seat_lock_years = 20\n\
         [policy.columns]\n\
         student_id = \"enum\"\n\
         hukou_date = \"text\"\n\
         [[policy.categories]]\n\
         name = \"a\"\n\
         when = {{ foo = 1, migrant = \"yes\", gender = {{ \"<\" = \"F\" }} }}\n\
         [[policy.categories]]\n\
         name = \"a\"\n\
         [[policy.reserved]]\n\
         school = \"*\"\n\
         category = \"vip\"\n\
         seats = 3\n"
    );
    let dir = prepare(&[("scenario.toml", &scenario)]);
    let (code, stdout, stderr) = validate(dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let s = "{dir}/scenario.toml";
    assert_lists(
        &stderr,
        &[
            &format!("{s}:6:22: unknown order key `points`"),
            &format!("{s}:6:32: order key \"subtable\" without [[policy.subtables]]"),
            &format!("{s}:7:9: twins `both`"),
            &format!("{s}:8:19: seat_lock_years 20; expected 1 to 12"),
            &format!("{s}:10:1: column `student_id` has a fixed meaning"),
            &format!("{s}:11:14: column `hukou_date`: type `text`"),
            &format!("{s}:14:10: unknown column `foo`"),
            &format!("{s}:14:29: `migrant` is a bool column"),
            &format!("{s}:14:53: operator `<` on the enum column `gender`"),
            &format!("{s}:16:8: category `a` is named twice"),
            &format!("{s}:19:12: reserved: unknown category `vip`"),
            &format!("{s}:20:9: reserved: seats with school \"*\""),
        ],
    );
    assert_eq!(stderr.matches("scenario.toml:").count(), 12, "{stderr}");
    // listed in the order of the file
    let lines: Vec<usize> = stderr
        .lines()
        .filter_map(|l| l.split("scenario.toml:").nth(1))
        .map(|rest| rest.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert!(lines.is_sorted(), "{stderr}");
}

#[test]
fn dataset_problems_of_the_rules_are_listed_with_their_positions() {
    let scenario = format!(
        "{HEAD}[policy]\n\
         seat_lock_years = 6\n\
         [policy.columns]\n\
         hukou_date = \"date\"\n\
         property_date = \"date\"\n\
         [[policy.reserved]]\n\
         school = \"Z\"\n\
         category = \"other\"\n\
         seats = 1\n"
    );
    let students = "student_id,block_id,entry_grade,gender,hukou_in_block,property_in_block,migrant,left_behind,disability,hukou_date,accept_overflow\n\
                    s01,b1,1,F,true,true,false,false,none,2019年2月30日,\n\
                    s02,b1,1,M,true,true,false,false,none,2019/3/5,maybe\n";
    let dir = prepare(&[("scenario.toml", &scenario), ("students.csv", students)]);
    let (code, _, stderr) = validate(dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert_lists(
        &stderr,
        &[
            "{dir}/students.csv:1: missing column `property_date`, declared in [policy.columns] at {dir}/scenario.toml:9:1",
            "{dir}/students.csv:2: column 10 (hukou_date): `2019年2月30日` is not a date; expected 2019-03-05, 2019/3/5, 2019年3月5日 or an Excel serial date",
            "{dir}/students.csv:3: column 11 (accept_overflow): `maybe` is not a yes/no value",
            "{dir}/scenario.toml:6:19: seat_lock_years needs the seat history: {dir}/seat_history.csv not found",
            "{dir}/scenario.toml:11:10: reserved: unknown school `Z`",
        ],
    );
}

#[test]
fn reserved_seats_are_checked_against_the_changed_network() {
    let scenario = format!(
        "{HEAD}[[capacity]]\nschool = \"A\"\nentry_seats = 3\n\
         [[policy.reserved]]\nschool = \"Z\"\ncategory = \"other\"\nseats = 1\n\
         [[policy.reserved]]\nschool = \"C\"\ncategory = \"other\"\nseats = 1\n\
         [[policy.reserved]]\nschool = \"A\"\ncategory = \"other\"\nseats = 4\n\
         [[policy.reserved]]\nschool = \"B\"\ncategory = \"other\"\nseats = 2\n\
         [[policy.reserved]]\nschool = \"B\"\ncategory = \"migrant_resident\"\nseats = 2\n\
         [[policy.reserved]]\nschool = \"S\"\ncategory = \"other\"\nseats = 1\n"
    );
    let dir = prepare(&[("scenario.toml", &scenario)]);
    let (code, _, stderr) = validate(dir.path());
    assert_eq!(code, 2, "{stderr}");
    let s = "{dir}/scenario.toml";
    assert_lists(
        &stderr,
        &[
            &format!("{s}:9:10: reserved: unknown school `Z`"),
            &format!("{s}:13:10: reserved: `C` 十六中学 is a junior school; expected a mainstream school admitting grade 1"),
            &format!("{s}:19:9: reserved: 4 seats at `A` 天昌小学, which has 3 entry seats after the scenario's changes; expected at most 3"),
            &format!("{s}:27:9: reserved seats total more than a school's entry seats: `B` 第二实验小学 has 4 reserved of 3"),
            &format!("{s}:29:10: reserved: `S` 特殊教育学校 is a special school"),
        ],
    );
    assert_eq!(stderr.matches("scenario.toml:").count(), 5, "{stderr}");
}

#[test]
fn good_rules_with_declared_columns_and_a_history_validate() {
    let scenario = format!(
        "{HEAD}[policy]\n\
         order = [\"category\", \"subtable\", \"hukou_date\", \"lottery\"]\n\
         seat_lock_years = 6\n\
         twins = \"together\"\n\
         [policy.columns]\n\
         hukou_date = \"date\"\n\
         [[policy.categories]]\n\
         name = \"房户一致\"\n\
         when = {{ hukou_in_block = true, property_in_block = true }}\n\
         [[policy.categories]]\n\
         name = \"其他\"\n\
         [[policy.subtables]]\n\
         name = \"A\"\n\
         when = {{ hukou_date = {{ \"<=\" = 2024-08-31 }} }}\n\
         [[policy.reserved]]\n\
         school = \"*\"\n\
         category = \"其他\"\n\
         share = 0.5\n"
    );
    let students = "student_id,block_id,entry_grade,gender,hukou_in_block,property_in_block,migrant,left_behind,disability,hukou_date,property_id\n\
                    s01,b1,1,F,true,true,false,false,none,2019年3月5日,P1\n\
                    s02,b2,1,M,false,false,false,false,none,,\n";
    let history = "property_id,school_id,year,student_id\nP1,A,2020,old1\n";
    let dir = prepare(&[
        ("scenario.toml", &scenario),
        ("students.csv", students),
        ("seat_history.csv", history),
    ]);
    let (code, stdout, stderr) = validate(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("OK: no errors"), "{stdout}");
    let books = stdout
        .lines()
        .find(|l| l.contains("seat_history.csv"))
        .unwrap_or_else(|| panic!("no books for seat_history.csv in\n{stdout}"));
    assert!(books.contains('1'), "{books}");
}

/// A scenario with an error of its own still has its declared columns'
/// cells checked: the planner sees the bad date in students.csv in the same
/// run as the unknown key (the declarations are read leniently).
#[test]
fn declared_cells_are_checked_when_the_scenario_has_errors() {
    let students =
        fs::read_to_string(common::root().join("tests/fixtures/good/students.csv")).unwrap();
    let mut lines: Vec<String> = students.lines().map(String::from).collect();
    lines[0].push_str(",hukou_date");
    lines[1].push_str(",2019-02-30");
    for l in lines.iter_mut().skip(2) {
        l.push_str(",2019/3/5");
    }
    let scenario = format!(
        "{HEAD}lotery_seed = 1\n[policy]\norder = [\"category\", \"hukou_date\", \"lottery\"]\n[policy.columns]\nhukou_date = \"date\"\n"
    );
    let dir = prepare(&[
        ("scenario.toml", &scenario),
        ("students.csv", &(lines.join("\n") + "\n")),
    ]);
    let (code, _, stderr) = validate(dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert_lists(
        &stderr,
        &[
            "{dir}/scenario.toml:5:1: unknown key `lotery_seed`",
            "{dir}/students.csv:2:",
            "`2019-02-30` is not a date",
        ],
    );
}
