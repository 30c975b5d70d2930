//! The admission-route inputs of issue 15 at the input edge: `validate` on
//! small datasets. Bad `sector` cells, `current_school_id` cells,
//! `feeders.csv` and `districts.csv` rows, zones naming a private school
//! and bad route keys are each located at file:line:column with what was
//! expected, all in one run (exit 2); the dataset-dependent checks (a
//! listed private school without a published seed, district_first without
//! districts) point at the scenario; good files saved with CRLF and a BOM,
//! or in GB18030, read the same rows as UTF-8; validate reports the routes.

mod common;

use std::fs;

use common::{good_fixture_with as prepare, validate_dir as validate};

fn assert_lists(stderr: &str, want: &[String]) {
    let missing: Vec<&String> = want
        .iter()
        .filter(|w| !stderr.contains(w.as_str()))
        .collect();
    assert!(missing.is_empty(), "missing {missing:#?}\nin\n{stderr}");
}

const HEAD: &str = "name = \"fixture\"\nyear = 2025\ndataset = \".\"\nlevel = \"primary\"\n";

const SCHOOLS_HEADER: &str =
    "school_id,name,level,lon,lat,town,entry_seats,classes,max_class_size,boarding,status,sector";

/// The fixture's schools with a private junior school `M` and a public
/// nine-year school `N`.
fn good_schools() -> String {
    format!(
        "{SCHOOLS_HEADER}\n\
         A,天昌小学,primary,126.50,43.90,城区,4,1,45,false,open,\n\
         B,第二实验小学,primary,126.55,43.92,城区,3,1,45,false,open,公办\n\
         C,十六中学,junior,126.52,43.95,城区,10,1,50,false,open,public\n\
         S,特殊教育学校,special,126.60,43.93,城区,1,1,12,true,open,\n\
         M,博文学校（民办）,junior,126.53,43.94,城区,10,1,50,false,open,民办\n\
         N,九年一贯制学校,nine_year,126.51,43.93,城区,10,1,50,false,open,Public\n"
    )
}

/// The fixture's applicants with `current_school_id` (`s11`, `s12` of
/// grade 7 from `eleven` and `twelve`) and `preferences` (s12 lists `M`).
fn students(eleven: &str, twelve: &str) -> String {
    let text = fs::read_to_string(common::root().join("tests/fixtures/good/students.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let cell = match (i, line.split(',').next()) {
            (0, _) => "current_school_id",
            (_, Some("s11")) => eleven,
            (_, Some("s12")) => twelve,
            _ => "",
        };
        let line = match line.split(',').next() {
            Some("s12") => format!("{line}M"),
            _ => line.to_string(),
        };
        out.push_str(&format!("{line},{cell}\n"));
    }
    out
}

const FEEDERS: &str = "primary_id,junior_school_id,route,share\nA,C,direct,\nB,C,优先,\nN,C,,\n";
const DISTRICTS: &str = "school_id,district\nA,北区\nB,北区\nC,南区\nN,南区\n";

#[test]
fn every_bad_route_input_is_listed_with_its_position() {
    let schools = good_schools().replace(
        "S,特殊教育学校,special,126.60,43.93,城区,1,1,12,true,open,",
        "S,特殊教育学校,special,126.60,43.93,城区,1,1,12,true,open,private",
    ) + "X,新校,primary,126.52,43.91,城区,4,1,45,false,open,charter\n";
    // s01 (grade 1) names a school; s11 a typo of C; s12 a junior school
    let students = students("c", "C").replacen(
        "s01,b1,1,F,true,true,false,false,none,,,",
        "s01,b1,1,F,true,true,false,false,none,,,A",
        1,
    );
    let zones = fs::read_to_string(common::root().join("tests/fixtures/good/zones.csv")).unwrap()
        + "b1,M,7\n";
    let feeders = "primary_id,junior_id,route,share\n\
                   A,C,direct,\n\
                   A,B,,\n\
                   C,C,,\n\
                   A,M,,\n\
                   A,C,priority,\n\
                   A,N,direct,\n\
                   B,C,direct,1\n\
                   B,N,,\n\
                   Z9,C,sometimes,0\n";
    let districts = "school_id,district_id\nA,北区\nA,南区\nQ,南区\nB,\n";
    let scenario = format!(
        "{HEAD}[policy]\n\
         overflow_scope = \"nearest\"\n\
         feeder_category = \"hukou_and_propery\"\n\
         [policy.fallback]\n\
         single_school_lottery = \"zone\"\n\
         privat_lottery = \"zone\"\n\
         feeder = \"home\"\n"
    );
    let dir = prepare(&[
        ("schools.csv", &schools),
        ("students.csv", &students),
        ("zones.csv", &zones),
        ("feeders.csv", feeders),
        ("districts.csv", districts),
        ("scenario.toml", &scenario),
    ]);
    let (code, stdout, stderr) = validate(dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let at = |f: &str, rest: &str| format!("{{dir}}/{f}:{rest}");
    assert_lists(
        &stderr,
        &[
            at("scenario.toml", "6:18: overflow_scope `nearest`; expected \"county\""),
            at("scenario.toml", "7:19: feeder_category `hukou_and_propery` is not a category (did you mean `hukou_and_property`?)"),
            at("scenario.toml", "9:25: fallback.single_school_lottery = \"zone\" is not allowed (a single-school zone's lottery loser has no other zone school to fall back on); expected one of overflow, none"),
            at("scenario.toml", "10:1: unknown fallback route `privat_lottery` (did you mean `private_lottery`?)"),
            at("scenario.toml", "11:10: fallback.feeder `home` does not exist; expected one of zone, group, overflow, none"),
            at("schools.csv", "5: column 12 (sector): a special-education school cannot be private (民办); expected public"),
            at("schools.csv", "8: column 12 (sector): `charter` is not a sector; expected public or private (公办/民办)"),
            at("students.csv", "2: column 12 (current_school_id): `A` given for a grade-1 applicant; current_school_id is for grade-7 applicants (the primary school attended)"),
            at("students.csv", "12: column 12 (current_school_id): unknown school `c` (did you mean `C`?)"),
            at("students.csv", "13: column 12 (current_school_id): `C` is a junior school; expected a primary or nine-year school"),
            at("zones.csv", "10: column 2 (school_id): `M` is a private school (民办): it has no zone; expected a public school"),
            at("feeders.csv", "3: column 2 (junior_id): feeder to a non-junior school: `B` is a primary school; expected a junior or nine-year school (it admits grade 7)"),
            at("feeders.csv", "4: column 1 (primary_id): `C` is a junior school; expected a primary or nine-year school"),
            at("feeders.csv", "5: column 2 (junior_id): `M` is a private school (民办); expected a public school (a private school admits only by its lottery"),
            at("feeders.csv", "6: column 2 (junior_id): `A` → `C` is given twice (first on line 2)"),
            at("feeders.csv", "7: column 3 (route): `A` has a second direct route (first on line 2); expected at most one direct route per primary school"),
            at("feeders.csv", "9: column 4 (share): `B` has a share on line 8 but none on line 9; expected a share on every row of a primary school or on none"),
            at("feeders.csv", "10: column 1 (primary_id): unknown school `Z9`; expected a school_id from schools.csv"),
            at("feeders.csv", "10: column 3 (route): `sometimes` is not a route; expected direct (对口直升), priority (优先) or empty"),
            at("feeders.csv", "10: column 4 (share): `0` is not a share; expected a number above 0"),
            at("districts.csv", "3: column 1 (school_id): school `A` is listed twice (first on line 2)"),
            at("districts.csv", "4: column 1 (school_id): unknown school `Q`"),
            at("districts.csv", "5: column 2 (district_id): empty; expected a district (大学区) id"),
        ],
    );
}

#[test]
fn a_listed_private_school_needs_a_seed_and_district_first_needs_districts() {
    let junior = HEAD.replace("level = \"primary\"", "level = \"junior\"");
    let dir = prepare(&[
        ("schools.csv", &good_schools()),
        ("students.csv", &students("A", "N")),
        (
            "scenario.toml",
            &format!(
                "{junior}\n[policy]\noverflow_max_km = 30.0\noverflow_scope = \"district_first\"\n"
            ),
        ),
    ]);
    let (code, _, stderr) = validate(dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert_lists(
        &stderr,
        &[
            "{dir}/scenario.toml:6:1: private school M admits by lottery (公民同招) and the scenario publishes no seed: expected `lottery_seed = N` under [policy]".into(),
            "{dir}/scenario.toml:8:18: overflow_scope = \"district_first\" needs the 大学区".into(),
        ],
    );
    // a seed stated in a base scenario counts; districts without a school
    // of the grade do not
    let base = format!("{junior}[policy]\nlottery_seed = 5\n");
    fs::write(dir.path().join("base.toml"), base).unwrap();
    fs::write(
        dir.path().join("scenario.toml"),
        "extends = \"base.toml\"\n[policy]\noverflow_scope = \"district_first\"\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("districts.csv"),
        "school_id,district_id\nA,北区\n",
    )
    .unwrap();
    let (code, _, stderr) = validate(dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("publishes no seed"), "{stderr}");
    assert_lists(
        &stderr,
        &["{dir}/scenario.toml:3:18: overflow_scope = \"district_first\" but no open public school of grade 7 is in a district".into()],
    );
    fs::write(dir.path().join("districts.csv"), DISTRICTS).unwrap();
    let (code, _, stderr) = validate(dir.path());
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn validate_reports_the_routes_and_a_short_direct_route() {
    let junior = HEAD.replace("level = \"primary\"", "level = \"junior\"");
    // C has 1 seat; s11 and s12 both come from A, whose direct route is C
    let schools = good_schools().replace(
        "C,十六中学,junior,126.52,43.95,城区,10,1,50",
        "C,十六中学,junior,126.52,43.95,城区,1,1,50",
    );
    let dir = prepare(&[
        ("schools.csv", &schools),
        ("students.csv", &students("A", "A")),
        ("feeders.csv", FEEDERS),
        ("districts.csv", DISTRICTS),
        (
            "scenario.toml",
            &format!("{junior}[policy]\nlottery_seed = 1\noverflow_max_km = 30.0\n[policy.fallback]\nfeeder = \"overflow\"\n"),
        ),
    ]);
    let (code, stdout, stderr) = validate(dir.path());
    assert_eq!(code, 0, "{stderr}");
    for want in [
        "Admission routes",
        "private schools (民办) of grade 7",
        "Direct feeder routes (grade 7)",
        "北区",
        "direct feeder route (对口直升) to `C` 十六中学 is short: 2 applicants for 1 seats",
    ] {
        assert!(stdout.contains(want), "{want}\n{stdout}");
    }
    // without route inputs the section is not there
    let plain = prepare(&[]);
    let (code, stdout, _) = validate(plain.path());
    assert_eq!(code, 0);
    assert!(!stdout.contains("Admission routes"), "{stdout}");
}

/// Every route file saved as Excel on Chinese Windows does (GB18030, or
/// UTF-8 with a BOM and CRLF line ends) reads the same rows as UTF-8.
#[test]
fn crlf_bom_and_gb18030_route_files_read_as_utf8() {
    let files = [
        ("schools.csv", good_schools()),
        ("students.csv", students("A", "N")),
        ("feeders.csv", FEEDERS.to_string()),
        ("districts.csv", DISTRICTS.to_string()),
    ];
    let read = |encode: &dyn Fn(&str) -> Vec<u8>| {
        let dir = prepare(&[]);
        for (name, text) in &files {
            fs::write(dir.path().join(name), encode(text)).unwrap();
        }
        let mut d = sunshine::Diagnostics::new();
        let data =
            sunshine::io::dataset::read_dataset(dir.path(), sunshine::io::Encoding::Auto, &mut d)
                .map(|l| l.data);
        assert!(!d.has_errors(), "{d:?}");
        let data = data.unwrap();
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}",
            data.schools, data.students, data.feeders, data.district_names
        )
    };
    let utf8 = read(&|s: &str| s.as_bytes().to_vec());
    assert!(utf8.contains("Private") && utf8.contains("Direct") && utf8.contains("北区"));
    let bom = read(&|s: &str| {
        let mut b = b"\xEF\xBB\xBF".to_vec();
        b.extend_from_slice(s.replace('\n', "\r\n").as_bytes());
        b
    });
    assert_eq!(utf8, bom);
    let gb = read(&|s: &str| {
        let crlf = s.replace('\n', "\r\n");
        let (b, _, lossy) = encoding_rs::GB18030.encode(&crlf);
        assert!(!lossy);
        b.into_owned()
    });
    assert_eq!(utf8, gb);
}
