//! Priority rules (issue 14) end to end, from the files alone: random small
//! districts with random rule sets, written as a dataset folder and a
//! scenario, placed by the binary and checked against an independent
//! implementation of zone admission written here; hand-worked fixtures for
//! each feature; and bad rule input located at file:line:column.
//!
//! Nothing here uses the engine's internal API: the inputs are CSV and TOML
//! in the formats of the spec, the outputs are read by header.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;

mod common;

/// The scenario year of every case (seat history is relative to it).
const YEAR: i32 = 2025;

/// Outcomes of an applicant admitted at its zone school by zone admission.
const ADMITTED: [&str; 2] = ["zone", "lottery_won"];

// ---------------------------------------------------------------------------
// Writing a dataset folder and running `place`
// ---------------------------------------------------------------------------

/// `schools.csv`, `blocks.csv` and `zones.csv` of a district where block
/// `B{i}` is zoned to school `zone[i]` (ids `S{j}`), schools `seats[j]`
/// entry seats, all primary and open, 1 km apart on a line; every school
/// has enough classes of 45 that the class-size cap never bites.
fn write_district(dir: &Path, seats: &[u32], zone: &[usize]) {
    let mut schools = String::from(
        "school_id,name,level,lon,lat,town,entry_seats,classes,max_class_size,boarding,status\n",
    );
    for (j, s) in seats.iter().enumerate() {
        let classes = s.div_ceil(45).max(1);
        let _ = writeln!(
            schools,
            "S{j},学校{j},primary,{:.6},43.900000,城区,{s},{classes},45,false,open",
            lon(j)
        );
    }
    let mut blocks = String::from("block_id,name,town,lon,lat,households\n");
    let mut zones = String::from("block_id,school_id,grade,group_id\n");
    for (b, &z) in zone.iter().enumerate() {
        let _ = writeln!(
            blocks,
            "B{b},小区{b},城区,{:.6},43.901000,100",
            lon(z) + 0.001
        );
        let _ = writeln!(zones, "B{b},S{z},1,");
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("schools.csv"), schools).unwrap();
    std::fs::write(dir.join("blocks.csv"), blocks).unwrap();
    std::fs::write(dir.join("zones.csv"), zones).unwrap();
}

fn lon(school: usize) -> f64 {
    126.5 + 0.0125 * school as f64
}

/// The fixed columns of students.csv, before any optional ones.
const STUDENT_COLUMNS: &str = "student_id,block_id,entry_grade,gender,hukou_in_block,property_in_block,migrant,left_behind,disability,sibling_school_id,preferences,score,family_id";

/// A scenario file for the dataset folder `data` beside it.
fn scenario_text(policy: &str) -> String {
    format!(
        "name = \"priority rules test\"\nyear = {YEAR}\ndataset = \"data\"\nlevel = \"primary\"\n\n[policy]\n{policy}"
    )
}

/// Run `sunshine place` on `dir/scenario.toml` into `dir/out`.
fn place(dir: &Path) -> std::process::Output {
    common::command()
        .arg("place")
        .arg(dir.join("scenario.toml"))
        .arg("--out")
        .arg(dir.join("out"))
        .args(["--threads", "1"])
        .output()
        .unwrap()
}

/// placements.csv of a successful run, by student id.
fn placements(dir: &Path) -> BTreeMap<String, HashMap<String, String>> {
    common::records(&dir.join("out/placements.csv"))
        .into_iter()
        .map(|r| (r["student_id"].clone(), r))
        .collect()
}

// ---------------------------------------------------------------------------
// The property test: random districts, random rules, an independent check
// ---------------------------------------------------------------------------

/// Random choices read from a tape proptest generates (and shrinks toward
/// zeros, i.e. toward the first choice of every decision).
struct Tape<'a> {
    v: &'a [u32],
    i: usize,
}

impl Tape<'_> {
    fn below(&mut self, n: u32) -> u32 {
        let x = self.v.get(self.i).copied().unwrap_or(0);
        self.i += 1;
        x % n.max(1)
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u32) as usize]
    }
}

/// A date as (year, month, day): compares in calendar order.
type Ymd = (i32, u32, u32);

/// Writes a date in one of the formats the spec accepts (`fmt` 0..3).
fn date_text(d: Ymd, fmt: u32) -> String {
    match fmt {
        0 => format!("{:04}-{:02}-{:02}", d.0, d.1, d.2),
        1 => format!("{}/{}/{}", d.0, d.1, d.2),
        _ => format!("{}年{}月{}日", d.0, d.1, d.2),
    }
}

/// The columns conditions and keys of the random rules read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    /// declared, bool
    Preferential,
    /// declared, date
    ApplyDate,
    /// declared, number
    Points,
    Hukou,
    Property,
    Migrant,
    LeftBehind,
    DefaultCategory,
    Gender,
    Disability,
}

impl Col {
    fn name(self) -> &'static str {
        match self {
            Col::Preferential => "preferential",
            Col::ApplyDate => "apply_date",
            Col::Points => "points",
            Col::Hukou => "hukou_in_block",
            Col::Property => "property_in_block",
            Col::Migrant => "migrant",
            Col::LeftBehind => "left_behind",
            Col::DefaultCategory => "default_category",
            Col::Gender => "gender",
            Col::Disability => "disability",
        }
    }
}

/// A value of a column, or a condition's constant.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Missing,
    B(bool),
    N(f64),
    D(Ymd),
    T(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
    fn holds(self, o: Ordering) -> bool {
        match self {
            Op::Eq => o.is_eq(),
            Op::Ne => o.is_ne(),
            Op::Lt => o.is_lt(),
            Op::Le => o.is_le(),
            Op::Gt => o.is_gt(),
            Op::Ge => o.is_ge(),
        }
    }
}

/// One column compared with one or more constants (all must hold), with
/// the constants as written in the scenario.
#[derive(Clone, Debug)]
struct Cond {
    col: Col,
    tests: Vec<(Op, Val, String)>,
}

impl Cond {
    /// A missing value satisfies nothing, not even `!=` (spec).
    fn holds(&self, v: &Val) -> bool {
        self.tests.iter().all(|(op, c, _)| {
            let o = match (v, c) {
                (Val::B(a), Val::B(b)) => a.cmp(b),
                (Val::N(a), Val::N(b)) => a.total_cmp(b),
                (Val::D(a), Val::D(b)) => a.cmp(b),
                (Val::T(a), Val::T(b)) => a.cmp(b),
                _ => return false,
            };
            op.holds(o)
        })
    }

    fn toml(&self) -> String {
        match self.tests.as_slice() {
            [(Op::Eq, _, text)] => format!("{} = {text}", self.col.name()),
            tests => {
                let parts: Vec<String> = tests
                    .iter()
                    .map(|(op, _, text)| format!("\"{}\" = {text}", op.symbol()))
                    .collect();
                format!("{} = {{ {} }}", self.col.name(), parts.join(", "))
            }
        }
    }
}

/// An all-of list of conditions on distinct columns.
type When = Vec<Cond>;

fn when_toml(w: &When) -> String {
    let parts: Vec<String> = w.iter().map(Cond::toml).collect();
    format!("{{ {} }}", parts.join(", "))
}

fn matches(w: &When, k: &Kid) -> bool {
    w.iter().all(|c| c.holds(&k.value(c.col)))
}

/// A ranking key after the category; `desc` is the explicit suffix (None:
/// the default, dates earlier first, numbers higher first).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Key {
    Subtable,
    Date(Option<bool>),
    Points(Option<bool>),
    Lottery,
}

impl Key {
    fn text(self) -> String {
        let suffix = |d: Option<bool>| match d {
            None => "",
            Some(true) => " desc",
            Some(false) => " asc",
        };
        match self {
            Key::Subtable => "subtable".into(),
            Key::Date(d) => format!("apply_date{}", suffix(d)),
            Key::Points(d) => format!("points{}", suffix(d)),
            Key::Lottery => "lottery".into(),
        }
    }
}

fn keys_toml(keys: &[Key]) -> String {
    let parts: Vec<String> = keys.iter().map(|k| format!("\"{}\"", k.text())).collect();
    parts.join(", ")
}

#[derive(Clone, Debug)]
struct CategoryDef {
    name: &'static str,
    when: Option<When>,
    order: Option<Vec<Key>>,
    accept_overflow: Option<bool>,
}

#[derive(Clone, Copy, Debug)]
enum Amount {
    Seats(u32),
    Share(f64),
}

impl Amount {
    fn at(self, seats: u32) -> u32 {
        match self {
            Amount::Seats(n) => n.min(seats),
            Amount::Share(s) => ((f64::from(seats) * s).floor() as u32).min(seats),
        }
    }
}

#[derive(Clone, Debug)]
struct Reservation {
    /// `None`: `"*"`, every school.
    school: Option<usize>,
    category: usize,
    amount: Amount,
}

#[derive(Clone, Debug)]
struct RuleSet {
    categories: Vec<CategoryDef>,
    subtables: Vec<(&'static str, Option<When>)>,
    /// The keys after "category".
    order: Vec<Key>,
    reserved: Vec<Reservation>,
    /// (seat_lock_years, seat_lock_category)
    lock: Option<(u32, Option<usize>)>,
    together: bool,
    seed: u32,
}

#[derive(Clone, Debug)]
struct Kid {
    id: u32,
    block: usize,
    female: bool,
    hukou: bool,
    property: bool,
    migrant: bool,
    left_behind: bool,
    mild: bool,
    sibling: Option<usize>,
    family: Option<u32>,
    property_id: Option<u32>,
    accept_overflow: Option<bool>,
    date: Option<Ymd>,
    date_fmt: u32,
    points: Option<f64>,
    preferential: Option<bool>,
}

impl Kid {
    fn sid(&self) -> String {
        format!("{}", 100_000 + self.id)
    }

    fn value(&self, c: Col) -> Val {
        let opt = |v: Option<Val>| v.unwrap_or(Val::Missing);
        match c {
            Col::Preferential => opt(self.preferential.map(Val::B)),
            Col::ApplyDate => opt(self.date.map(Val::D)),
            Col::Points => opt(self.points.map(Val::N)),
            Col::Hukou => Val::B(self.hukou),
            Col::Property => Val::B(self.property),
            Col::Migrant => Val::B(self.migrant),
            Col::LeftBehind => Val::B(self.left_behind),
            Col::DefaultCategory => Val::T(match (self.hukou, self.property, self.migrant) {
                (true, true, _) => "hukou_and_property",
                (false, true, _) => "property_only",
                (true, false, _) => "hukou_only",
                (false, false, true) => "migrant_resident",
                (false, false, false) => "other",
            }),
            Col::Gender => Val::T(if self.female { "F" } else { "M" }),
            Col::Disability => Val::T(if self.mild { "mild" } else { "none" }),
        }
    }
}

#[derive(Clone, Debug)]
struct District {
    seats: Vec<u32>,
    zone: Vec<usize>,
    kids: Vec<Kid>,
    /// (property, school, year)
    history: Vec<(u32, usize, i32)>,
}

fn gen_date(t: &mut Tape) -> Ymd {
    // few distinct dates, so that ties (decided by later keys) happen
    (2019 + t.below(3) as i32, 1 + t.below(3), 1 + t.below(3))
}

fn gen_district(t: &mut Tape) -> District {
    let n_schools = 1 + t.below(3) as usize;
    let seats: Vec<u32> = (0..n_schools).map(|_| 1 + t.below(8)).collect();
    let n_blocks = n_schools + t.below(3) as usize;
    let zone: Vec<usize> = (0..n_blocks)
        .map(|b| {
            if b < n_schools {
                b
            } else {
                t.below(n_schools as u32) as usize
            }
        })
        .collect();
    let n_kids = 1 + t.below(16);
    let mut kids: Vec<Kid> = Vec::new();
    let mut families = 0;
    while (kids.len() as u32) < n_kids {
        let size = match t.below(10) {
            0 | 1 => 2,
            2 => 3,
            _ => 1,
        };
        let family = if size > 1 || t.chance(10) {
            families += 1;
            Some(families)
        } else {
            None
        };
        let kid = Kid {
            id: kids.len() as u32 + 1,
            block: t.below(n_blocks as u32) as usize,
            female: t.chance(50),
            hukou: t.chance(60),
            property: t.chance(50),
            migrant: t.chance(30),
            left_behind: t.chance(15),
            mild: t.chance(10),
            sibling: t.chance(30).then(|| t.below(n_schools as u32) as usize),
            family,
            property_id: t.chance(70).then(|| t.below(5)),
            accept_overflow: match t.below(4) {
                0 => Some(true),
                1 => Some(false),
                _ => None,
            },
            date: t.chance(85).then(|| gen_date(t)),
            date_fmt: t.below(3),
            points: t
                .chance(85)
                .then(|| f64::from(t.below(5)) * 10.0 + if t.chance(20) { 0.5 } else { 0.0 }),
            preferential: t.chance(85).then(|| t.chance(30)),
        };
        // twins: the same child again but for the id (and so the draw)
        for _ in 0..size {
            let mut k = kid.clone();
            k.id = kids.len() as u32 + 1;
            kids.push(k);
        }
    }
    let history = (0..t.below(7))
        .map(|_| {
            (
                t.below(5),
                t.below(n_schools as u32) as usize,
                YEAR - 9 + t.below(10) as i32,
            )
        })
        .collect();
    District {
        seats,
        zone,
        kids,
        history,
    }
}

fn gen_cond(t: &mut Tape, col: Col) -> Cond {
    let eq_ops = [Op::Eq, Op::Ne];
    let all_ops = [Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge];
    let n = if matches!(col, Col::ApplyDate | Col::Points) && t.chance(30) {
        2
    } else {
        1
    };
    let mut tests: Vec<(Op, Val, String)> = Vec::new();
    while tests.len() < n {
        let op = match col {
            Col::ApplyDate | Col::Points => t.pick(&all_ops),
            _ if t.chance(80) => Op::Eq,
            _ => t.pick(&eq_ops),
        };
        if tests.iter().any(|(o, _, _)| *o == op) {
            // the keys of one inline table are distinct
            break;
        }
        let (v, text) = match col {
            Col::Preferential | Col::Hukou | Col::Property | Col::Migrant | Col::LeftBehind => {
                let b = t.chance(50);
                (Val::B(b), b.to_string())
            }
            Col::ApplyDate => {
                let d = gen_date(t);
                let text = match t.below(4) {
                    // a TOML date literal
                    3 => date_text(d, 0),
                    f => format!("\"{}\"", date_text(d, f)),
                };
                (Val::D(d), text)
            }
            Col::Points => {
                let x = f64::from(t.below(5)) * 10.0;
                let text = if t.chance(50) {
                    format!("{}", x as i64)
                } else {
                    format!("{x:.1}")
                };
                (Val::N(x), text)
            }
            Col::DefaultCategory => {
                let c = t.pick(&[
                    "hukou_and_property",
                    "property_only",
                    "hukou_only",
                    "migrant_resident",
                    "other",
                ]);
                (Val::T(c), format!("\"{c}\""))
            }
            Col::Gender => {
                let c = t.pick(&["F", "M"]);
                (Val::T(c), format!("\"{c}\""))
            }
            Col::Disability => {
                let c = t.pick(&["none", "mild"]);
                (Val::T(c), format!("\"{c}\""))
            }
        };
        tests.push((op, v, text));
    }
    Cond { col, tests }
}

fn gen_when(t: &mut Tape) -> When {
    let cols = [
        Col::Preferential,
        Col::ApplyDate,
        Col::Points,
        Col::Hukou,
        Col::Property,
        Col::Migrant,
        Col::LeftBehind,
        Col::DefaultCategory,
        Col::Gender,
        Col::Disability,
    ];
    let n = 1 + t.below(2);
    let mut w: When = Vec::new();
    for _ in 0..n {
        let c = t.pick(&cols);
        if w.iter().all(|x| x.col != c) {
            w.push(gen_cond(t, c));
        }
    }
    w
}

/// Keys between "category" and "lottery", in random order, then lottery.
fn gen_keys(t: &mut Tape, subtable: bool) -> Vec<Key> {
    let dir = |t: &mut Tape| match t.below(3) {
        0 => None,
        1 => Some(false),
        _ => Some(true),
    };
    let mut pool = vec![];
    if subtable {
        pool.push(Key::Subtable);
    }
    if t.chance(60) {
        pool.push(Key::Date(dir(t)));
    }
    if t.chance(60) {
        pool.push(Key::Points(dir(t)));
    }
    let mut keys = Vec::new();
    while !pool.is_empty() {
        let i = t.below(pool.len() as u32) as usize;
        keys.push(pool.remove(i));
    }
    keys.push(Key::Lottery);
    keys
}

fn gen_rules(t: &mut Tape, d: &District) -> RuleSet {
    const NAMES: [&str; 4] = ["优抚对象", "房户一致", "随迁子女", "户籍"];
    let n_cat = 2 + t.below(3) as usize;
    let mut categories: Vec<CategoryDef> = (0..n_cat)
        .map(|i| CategoryDef {
            name: if i + 1 == n_cat { "其他" } else { NAMES[i] },
            when: None,
            order: None,
            accept_overflow: None,
        })
        .collect();
    let has_sub = t.chance(40);
    for (i, c) in categories.iter_mut().enumerate() {
        if i + 1 < n_cat || t.chance(40) {
            c.when = Some(gen_when(t));
        }
        if t.chance(20) {
            let sub = has_sub && t.chance(50);
            c.order = Some(gen_keys(t, sub));
        }
        if t.chance(25) {
            c.accept_overflow = Some(t.chance(50));
        }
    }
    let subtables = if has_sub {
        let n = 1 + t.below(2) as usize;
        (0..n)
            .map(|i| {
                let when = (i + 1 < n || t.chance(50)).then(|| gen_when(t));
                (["A", "B"][i], when)
            })
            .collect()
    } else {
        Vec::new()
    };
    let order = gen_keys(t, has_sub);
    // reserved seats: maybe a district-wide share, maybe one entry per school
    let mut reserved = Vec::new();
    let star = t.chance(20).then(|| Reservation {
        school: None,
        category: t.below(n_cat as u32) as usize,
        amount: Amount::Share(t.pick(&[0.25, 0.5, 1.0])),
    });
    if let Some(s) = &star {
        reserved.push(s.clone());
    }
    for (s, &seats) in d.seats.iter().enumerate() {
        if !t.chance(35) {
            continue;
        }
        let category = t.below(n_cat as u32) as usize;
        let mut amount = if t.chance(80) {
            Amount::Seats(1 + t.below(seats))
        } else {
            Amount::Share(t.pick(&[0.5, 1.0]))
        };
        // the school's reservations may not total more than its seats
        let star_here = star
            .as_ref()
            .filter(|r| r.category != category)
            .map_or(0, |r| r.amount.at(seats));
        if star_here + amount.at(seats) > seats {
            if star_here >= seats {
                continue;
            }
            amount = Amount::Seats(seats - star_here);
        }
        reserved.push(Reservation {
            school: Some(s),
            category,
            amount,
        });
    }
    let lock = t.chance(40).then(|| {
        (
            1 + t.below(8),
            t.chance(30).then(|| t.below(n_cat as u32) as usize),
        )
    });
    RuleSet {
        categories,
        subtables,
        order,
        reserved,
        lock,
        together: t.chance(50),
        seed: t.below(1_000_000),
    }
}

fn rules_toml(r: &RuleSet) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "sibling_bonus = 0");
    let _ = writeln!(s, "lottery_seed = {}", r.seed);
    let _ = writeln!(s, "order = [\"category\", {}]", keys_toml(&r.order));
    if let Some((years, cat)) = r.lock {
        let _ = writeln!(s, "seat_lock_years = {years}");
        if let Some(c) = cat {
            let _ = writeln!(s, "seat_lock_category = \"{}\"", r.categories[c].name);
        }
    }
    let _ = writeln!(
        s,
        "twins = \"{}\"",
        if r.together { "together" } else { "apart" }
    );
    s.push_str(
        "\n[policy.columns]\npreferential = \"bool\"\napply_date = \"date\"\npoints = \"number\"\n",
    );
    for c in &r.categories {
        let _ = writeln!(s, "\n[[policy.categories]]\nname = \"{}\"", c.name);
        if let Some(w) = &c.when {
            let _ = writeln!(s, "when = {}", when_toml(w));
        }
        if let Some(o) = &c.order {
            let _ = writeln!(s, "order = [{}]", keys_toml(o));
        }
        if let Some(a) = c.accept_overflow {
            let _ = writeln!(s, "accept_overflow = {a}");
        }
    }
    for (name, w) in &r.subtables {
        let _ = writeln!(s, "\n[[policy.subtables]]\nname = \"{name}\"");
        if let Some(w) = w {
            let _ = writeln!(s, "when = {}", when_toml(w));
        }
    }
    for res in &r.reserved {
        let school = res.school.map_or("*".to_string(), |j| format!("S{j}"));
        let _ = writeln!(
            s,
            "\n[[policy.reserved]]\nschool = \"{school}\"\ncategory = \"{}\"",
            r.categories[res.category].name
        );
        let _ = match res.amount {
            Amount::Seats(n) => writeln!(s, "seats = {n}"),
            Amount::Share(x) => writeln!(s, "share = {x:?}"),
        };
    }
    s
}

fn write_case(dir: &Path, d: &District, r: &RuleSet) {
    let data = dir.join("data");
    write_district(&data, &d.seats, &d.zone);
    let b = |x: bool| if x { "true" } else { "false" };
    let opt = |x: Option<String>| x.unwrap_or_default();
    let mut students =
        format!("{STUDENT_COLUMNS},property_id,accept_overflow,apply_date,points,preferential\n");
    for k in &d.kids {
        let _ = writeln!(
            students,
            "{},B{},1,{},{},{},{},{},{},{},,,{},{},{},{},{},{}",
            k.sid(),
            k.block,
            if k.female { "F" } else { "M" },
            b(k.hukou),
            b(k.property),
            b(k.migrant),
            b(k.left_behind),
            if k.mild { "mild" } else { "none" },
            opt(k.sibling.map(|s| format!("S{s}"))),
            opt(k.family.map(|f| format!("F{f}"))),
            opt(k.property_id.map(|p| format!("P{p}"))),
            opt(k.accept_overflow.map(|a| b(a).to_string())),
            opt(k.date.map(|x| date_text(x, k.date_fmt))),
            opt(k.points.map(|p| format!("{p}"))),
            opt(k.preferential.map(|p| b(p).to_string())),
        );
    }
    std::fs::write(data.join("students.csv"), students).unwrap();
    if r.lock.is_some() || !d.history.is_empty() {
        let mut h = String::from("property_id,school_id,year,student_id\n");
        for (i, (p, s, y)) in d.history.iter().enumerate() {
            let _ = writeln!(h, "P{p},S{s},{y},H{i}");
        }
        std::fs::write(data.join("seat_history.csv"), h).unwrap();
    }
    std::fs::write(dir.join("scenario.toml"), scenario_text(&rules_toml(r))).unwrap();
}

/// A ranking key part: (empty cell, value); smaller ranks first.
type Part = (bool, f64);

fn cmp_keys(a: &[Part], b: &[Part]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = x.0.cmp(&y.0).then(x.1.total_cmp(&y.1));
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// The reference: the applicants admitted at each zone school, and the
/// effective accept_overflow of each applicant, from the spec alone.
fn reference(
    d: &District,
    r: &RuleSet,
    lottery: &HashMap<String, f64>,
) -> (BTreeMap<usize, BTreeSet<String>>, HashMap<String, bool>) {
    let last = r.categories.len() - 1;
    let lock_cat = r.lock.map(|(_, c)| c.unwrap_or(last));
    let mut accept = HashMap::new();
    let mut admitted = BTreeMap::new();
    for (s, &seats) in d.seats.iter().enumerate() {
        // each applicant's category here (seat lock included) and keys
        let mut keyed: Vec<(&Kid, usize, Vec<Part>)> = Vec::new();
        for k in d.kids.iter().filter(|k| d.zone[k.block] == s) {
            let own = r
                .categories
                .iter()
                .position(|c| c.when.as_ref().is_none_or(|w| matches(w, k)))
                .unwrap_or(last);
            let mut cat = own;
            if let (Some((years, _)), Some(lc), Some(p)) = (r.lock, lock_cat, k.property_id) {
                let locked = d.history.iter().any(|&(hp, hs, y)| {
                    hp == p && hs == s && YEAR - (years as i32) < y && y < YEAR
                }) && k.sibling != Some(s);
                if locked {
                    cat = cat.max(lc);
                }
            }
            let keys = r.categories[cat].order.as_ref().unwrap_or(&r.order);
            let mut parts = vec![(false, cat as f64)];
            for key in keys {
                parts.push(match *key {
                    Key::Subtable => {
                        let i = r
                            .subtables
                            .iter()
                            .position(|(_, w)| w.as_ref().is_none_or(|w| matches(w, k)))
                            .unwrap_or(r.subtables.len());
                        (false, i as f64)
                    }
                    Key::Date(desc) => match k.date {
                        None => (true, 0.0),
                        Some((y, m, dd)) => {
                            let v = f64::from(y * 10_000 + (m * 100 + dd) as i32);
                            (false, if desc == Some(true) { -v } else { v })
                        }
                    },
                    Key::Points(desc) => match k.points {
                        None => (true, 0.0),
                        Some(v) => (false, if desc != Some(false) { -v } else { v }),
                    },
                    Key::Lottery => (false, lottery[&k.sid()]),
                });
            }
            // the family's wish: its cell, else the default of the category
            // it belongs to (its own, not the one a seat lock puts it in)
            let aof = k
                .accept_overflow
                .or(r.categories[own].accept_overflow)
                .unwrap_or(true);
            accept.insert(k.sid(), aof);
            keyed.push((k, cat, parts));
        }
        // units: a family together draws the number of its first member
        let mut units: Vec<(Vec<String>, usize, Vec<Part>)> = Vec::new();
        let mut by_family: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (i, (k, _, _)) in keyed.iter().enumerate() {
            match k.family.filter(|_| r.together) {
                Some(f) => by_family.entry(f).or_default().push(i),
                None => units.push((vec![k.sid()], keyed[i].1, keyed[i].2.clone())),
            }
        }
        for members in by_family.values() {
            let first = members
                .iter()
                .min_by_key(|&&i| keyed[i].0.id)
                .copied()
                .unwrap();
            let number = lottery[&keyed[first].0.sid()];
            let (_, cat, best) = members
                .iter()
                .map(|&i| {
                    let mut p = keyed[i].2.clone();
                    *p.last_mut().unwrap() = (false, number);
                    (i, keyed[i].1, p)
                })
                .min_by(|a, b| cmp_keys(&a.2, &b.2))
                .unwrap();
            let ids = members.iter().map(|&i| keyed[i].0.sid()).collect();
            units.push((ids, cat, best));
        }
        units.sort_by(|a, b| cmp_keys(&a.2, &b.2));
        // reserved seats at this school (a per-school entry overrides "*")
        let mut res: BTreeMap<usize, u32> = BTreeMap::new();
        for x in r.reserved.iter().filter(|x| x.school.is_none()) {
            res.insert(x.category, x.amount.at(seats));
        }
        for x in r.reserved.iter().filter(|x| x.school == Some(s)) {
            res.insert(x.category, x.amount.at(seats));
        }
        let mut taken = vec![false; units.len()];
        let mut used = 0u32;
        for (&cat, &n) in &res {
            let mut left = n;
            for (u, t) in units.iter().zip(taken.iter_mut()) {
                let size = u.0.len() as u32;
                if u.1 == cat && !*t && size <= left {
                    *t = true;
                    left -= size;
                    used += size;
                }
            }
        }
        let mut left = seats - used;
        for (u, t) in units.iter().zip(taken.iter_mut()) {
            let size = u.0.len() as u32;
            if !*t && size <= left {
                *t = true;
                left -= size;
            }
        }
        let set = units
            .iter()
            .zip(&taken)
            .filter(|(_, t)| **t)
            .flat_map(|(u, _)| u.0.iter().cloned())
            .collect();
        admitted.insert(s, set);
    }
    (admitted, accept)
}

fn check_case(tape: &[u32]) -> Result<(), TestCaseError> {
    let mut t = Tape { v: tape, i: 0 };
    let d = gen_district(&mut t);
    let r = gen_rules(&mut t, &d);
    let tmp = tempfile::tempdir().unwrap();
    write_case(tmp.path(), &d, &r);
    let scenario = std::fs::read_to_string(tmp.path().join("scenario.toml")).unwrap();
    let students = std::fs::read_to_string(tmp.path().join("data/students.csv")).unwrap();
    let context = format!(
        "scenario:\n{scenario}\nstudents.csv:\n{students}\nhistory {:?}, seats {:?}, zones {:?}",
        d.history, d.seats, d.zone
    );
    let o = place(tmp.path());
    prop_assert!(
        o.status.success(),
        "place failed: {}\n{context}",
        common::stderr(&o)
    );
    let rows = placements(tmp.path());
    // conservation: one row per applicant, nobody else
    let ids: BTreeSet<String> = d.kids.iter().map(Kid::sid).collect();
    prop_assert_eq!(rows.keys().cloned().collect::<BTreeSet<_>>(), ids);
    let mut lottery = HashMap::new();
    for k in &d.kids {
        let row = &rows[&k.sid()];
        prop_assert_eq!(&row["zone_school_id"], &format!("S{}", d.zone[k.block]));
        lottery.insert(k.sid(), row["lottery_number"].parse::<f64>().unwrap());
    }
    let (expected, accept) = reference(&d, &r, &lottery);
    for (s, want) in &expected {
        let sid = format!("S{s}");
        let got: BTreeSet<String> = rows
            .values()
            .filter(|row| {
                ADMITTED.contains(&row["outcome"].as_str()) && row["placed_school_id"] == sid
            })
            .map(|row| row["student_id"].clone())
            .collect();
        prop_assert_eq!(&got, want, "admitted at {}\n{}", sid, context);
    }
    let admitted: BTreeSet<&String> = expected.values().flatten().collect();
    for (id, row) in &rows {
        if ADMITTED.contains(&row["outcome"].as_str()) {
            prop_assert_eq!(&row["placed_school_id"], &row["zone_school_id"]);
        }
        let declined = !admitted.contains(id) && !accept[id];
        prop_assert_eq!(
            row["outcome"] == "declined",
            declined,
            "{} outcome {} (accept_overflow {})\n{}",
            id,
            &row["outcome"],
            accept[id],
            context
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Zone admission under random rules equals the reference: the full key
    /// tuple, reserved seats first, twins as units, `declined` exactly for
    /// those not admitted who do not accept overflow.
    #[test]
    fn zone_admission_follows_the_rules(tape in prop::collection::vec(any::<u32>(), 400)) {
        check_case(&tape)?;
    }
}

// ---------------------------------------------------------------------------
// Hand-worked fixtures: one feature each, expected placements by hand
// ---------------------------------------------------------------------------

/// An applicant of a hand-worked fixture (grade 1, girl, no disability).
#[derive(Clone, Copy, Default)]
struct A {
    id: &'static str,
    /// The block; `B{i}` is zoned to `S{i}`.
    block: &'static str,
    /// `h` hukou_in_block, `p` property_in_block, `m` migrant.
    flags: &'static str,
    sibling: &'static str,
    family: &'static str,
    /// The optional columns, in the order of the fixture's `extra` header.
    extra: &'static [&'static str],
}

/// A fixture placed: the last school takes overflow (no block is zoned to
/// it); every other school `S{i}` has the block `B{i}`.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(seats: &[u32], extra: &[&str], kids: &[A], history: Option<&str>) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let zone: Vec<usize> = (0..seats.len() - 1).collect();
        write_district(&data, seats, &zone);
        let mut s = String::from(STUDENT_COLUMNS);
        for e in extra {
            s.push(',');
            s.push_str(e);
        }
        s.push('\n');
        for k in kids {
            assert_eq!(k.extra.len(), extra.len(), "{}", k.id);
            let f = |c: char| k.flags.contains(c);
            let _ = write!(
                s,
                "{},{},1,F,{},{},{},false,none,{},,,{}",
                k.id,
                k.block,
                f('h'),
                f('p'),
                f('m'),
                k.sibling,
                k.family
            );
            for e in k.extra {
                s.push(',');
                s.push_str(e);
            }
            s.push('\n');
        }
        std::fs::write(data.join("students.csv"), s).unwrap();
        if let Some(h) = history {
            std::fs::write(data.join("seat_history.csv"), h).unwrap();
        }
        Fixture { dir }
    }

    /// Place under `policy` (the body of `[policy]`): placements by id.
    fn place(&self, policy: &str) -> BTreeMap<String, HashMap<String, String>> {
        let p = self.dir.path();
        std::fs::write(p.join("scenario.toml"), scenario_text(policy)).unwrap();
        let _ = std::fs::remove_dir_all(p.join("out"));
        let o = place(p);
        assert!(o.status.success(), "{}", common::stderr(&o));
        placements(p)
    }
}

/// Who zone admission admitted at `school`.
fn admitted_at(rows: &BTreeMap<String, HashMap<String, String>>, school: &str) -> Vec<String> {
    rows.values()
        .filter(|r| ADMITTED.contains(&r["outcome"].as_str()) && r["placed_school_id"] == school)
        .map(|r| r["student_id"].clone())
        .collect()
}

/// Each of `ids` went to 统筹 and was placed at `school`.
fn assert_overflow(rows: &BTreeMap<String, HashMap<String, String>>, ids: &[&str], school: &str) {
    for id in ids {
        let r = &rows[*id];
        assert_eq!(
            (r["outcome"].as_str(), r["placed_school_id"].as_str()),
            ("overflow", school),
            "{id}: {r:?}"
        );
    }
}

#[test]
fn subtable_a_ranks_before_b() {
    // One category (all four have hukou and property at B0); S0 has 2
    // seats. 103 and 104 match sub-table A, 101 and 102 fall to B: A fills
    // the two seats whatever the draw, B goes to 统筹 (S1).
    #[rustfmt::skip]
    let kids = [
        A { id: "101", block: "B0", flags: "hp", extra: &["false"], ..A::default() },
        A { id: "102", block: "B0", flags: "hp", extra: &["false"], ..A::default() },
        A { id: "103", block: "B0", flags: "hp", extra: &["true"], ..A::default() },
        A { id: "104", block: "B0", flags: "hp", extra: &["true"], ..A::default() },
    ];
    let fx = Fixture::new(&[2, 50], &["hukou_matches_property"], &kids, None);
    let rows = fx.place(
        r#"order = ["category", "subtable", "lottery"]

[policy.columns]
hukou_matches_property = "bool"

[[policy.subtables]]
name = "A"
when = { hukou_matches_property = true }

[[policy.subtables]]
name = "B"
"#,
    );
    assert_eq!(admitted_at(&rows, "S0"), ["103", "104"]);
    assert_overflow(&rows, &["101", "102"], "S1");
    assert!(
        rows["103"]["reason"].contains("sub-table A"),
        "{:?}",
        rows["103"]
    );
    assert!(
        rows["101"]["reason"].contains("sub-table B"),
        "{:?}",
        rows["101"]
    );
}

#[test]
fn earlier_date_ranks_first_within_a_subtable() {
    // S0 has 2 seats, all one category. Sub-table A: 101 (2020-03-01), 102
    // (2018-05-06), 103 (2019-01-02), 105 (no date: ranks last). 104 has
    // the earliest date of all but is in B, after every A. So 102 and 103.
    // The dates are written in three formats.
    let x = ["hukou_matches_property", "property_date"];
    #[rustfmt::skip]
    let kids = [
        A { id: "101", block: "B0", flags: "hp", extra: &["true", "2020-03-01"], ..A::default() },
        A { id: "102", block: "B0", flags: "hp", extra: &["true", "2018/5/6"], ..A::default() },
        A { id: "103", block: "B0", flags: "hp", extra: &["true", "2019年1月2日"], ..A::default() },
        A { id: "104", block: "B0", flags: "hp", extra: &["false", "2010-01-01"], ..A::default() },
        A { id: "105", block: "B0", flags: "hp", extra: &["true", ""], ..A::default() },
    ];
    let fx = Fixture::new(&[2, 50], &x, &kids, None);
    let rows = fx.place(
        r#"order = ["category", "subtable", "property_date", "lottery"]

[policy.columns]
hukou_matches_property = "bool"
property_date = "date"

[[policy.subtables]]
name = "A"
when = { hukou_matches_property = true }

[[policy.subtables]]
name = "B"
"#,
    );
    assert_eq!(admitted_at(&rows, "S0"), ["102", "103"]);
    assert_overflow(&rows, &["101", "104", "105"], "S1");
    assert!(
        rows["102"]["reason"].contains("property_date 2018-05-06"),
        "{:?}",
        rows["102"]
    );
    assert!(
        rows["104"]["reason"].contains("sub-table B"),
        "{:?}",
        rows["104"]
    );
}

#[test]
fn a_locked_property_falls_to_the_last_category_unless_a_sibling_attends() {
    // 2025, lock 6 years, S0 has 4 seats. Four tier-1 applicants (hukou and
    // property) and 105 with hukou only (tier 3).
    // - 101's home P1 gave a seat at S0 in 2021: locked, it ranks in the
    //   last category (other), below 105.
    // - 102's home P2 gave a seat at S0 in 2022, but its sibling attends S0:
    //   exempt, stays tier 1.
    // - 103's home P3 gave its seat in 2019 = 2025 - 6: free again.
    // - 104's home P4 gave a seat at S1, not S0: not locked here.
    // So 102, 103, 104 and 105 are admitted; 101 goes to 统筹.
    let history = "property_id,school_id,year,student_id\n\
                   P1,S0,2021,900001\nP2,S0,2022,900002\nP3,S0,2019,900003\nP4,S1,2023,900004\n";
    #[rustfmt::skip]
    let kids = [
        A { id: "101", block: "B0", flags: "hp", extra: &["P1"], ..A::default() },
        A { id: "102", block: "B0", flags: "hp", sibling: "S0", extra: &["P2"], ..A::default() },
        A { id: "103", block: "B0", flags: "hp", extra: &["P3"], ..A::default() },
        A { id: "104", block: "B0", flags: "hp", extra: &["P4"], ..A::default() },
        A { id: "105", block: "B0", flags: "h", extra: &[""], ..A::default() },
    ];
    let fx = Fixture::new(&[4, 50], &["property_id"], &kids, Some(history));
    let rows = fx.place("seat_lock_years = 6\n");
    assert_eq!(admitted_at(&rows, "S0"), ["102", "103", "104", "105"]);
    assert_overflow(&rows, &["101"], "S1");
    // its category at S0 is the lock category, the last (tier 5)
    assert_eq!(rows["101"]["tier"], "5");
    assert!(
        rows["101"]["reason"].contains("seat lock"),
        "{:?}",
        rows["101"]
    );
    assert!(
        rows["102"]["reason"].contains("sibling"),
        "{:?}",
        rows["102"]
    );
    assert!(
        !rows["103"]["reason"].contains("seat lock"),
        "{:?}",
        rows["103"]
    );
}

#[test]
fn a_reserved_seat_is_used_and_one_returns_to_the_pool() {
    // S0 has 3 seats, 2 reserved for 随迁子女. 104 is the only migrant: it
    // takes one reserved seat although 本地 ranks first; the other reserved
    // seat returns to the pool, so the 2 seats left go to the two best 本地
    // by points (101: 90, 102: 80). 103 (70) and 105 (其他, 99 points) are
    // out. Without the returned seat 102 would be out.
    #[rustfmt::skip]
    let kids = [
        A { id: "101", block: "B0", flags: "h", extra: &["90"], ..A::default() },
        A { id: "102", block: "B0", flags: "h", extra: &["80"], ..A::default() },
        A { id: "103", block: "B0", flags: "h", extra: &["70"], ..A::default() },
        A { id: "104", block: "B0", flags: "m", extra: &["10"], ..A::default() },
        A { id: "105", block: "B0", flags: "", extra: &["99"], ..A::default() },
    ];
    let fx = Fixture::new(&[3, 50], &["points"], &kids, None);
    let rows = fx.place(
        r#"order = ["category", "points", "lottery"]

[policy.columns]
points = "number"

[[policy.categories]]
name = "本地"
when = { hukou_in_block = true }

[[policy.categories]]
name = "随迁子女"
when = { migrant = true }

[[policy.categories]]
name = "其他"

[[policy.reserved]]
school = "S0"
category = "随迁子女"
seats = 2
"#,
    );
    assert_eq!(admitted_at(&rows, "S0"), ["101", "102", "104"]);
    assert_overflow(&rows, &["103", "105"], "S1");
    assert!(
        rows["104"]["reason"].contains("reserved seat"),
        "{:?}",
        rows["104"]
    );
    assert!(
        !rows["102"]["reason"].contains("reserved seat"),
        "{:?}",
        rows["102"]
    );
    assert!(
        rows["103"]["reason"].contains("points 70"),
        "{:?}",
        rows["103"]
    );
}

#[test]
fn points_rank_higher_first_and_empty_last() {
    // One category, S0 has 2 seats. Points: 101 70, 102 95, 103 80, 104
    // none. Higher first (the default for a number): 102 and 103. With
    // "points asc": 101 and 103. 104's empty cell ranks last either way.
    #[rustfmt::skip]
    let kids = [
        A { id: "101", block: "B0", flags: "hp", extra: &["70"], ..A::default() },
        A { id: "102", block: "B0", flags: "hp", extra: &["95"], ..A::default() },
        A { id: "103", block: "B0", flags: "hp", extra: &["80"], ..A::default() },
        A { id: "104", block: "B0", flags: "hp", extra: &[""], ..A::default() },
    ];
    let fx = Fixture::new(&[2, 50], &["points"], &kids, None);
    let rows = fx.place(
        "order = [\"category\", \"points\", \"lottery\"]\n\n[policy.columns]\npoints = \"number\"\n",
    );
    assert_eq!(admitted_at(&rows, "S0"), ["102", "103"]);
    assert_overflow(&rows, &["101", "104"], "S1");
    assert!(
        rows["102"]["reason"].contains("points 95"),
        "{:?}",
        rows["102"]
    );
    let rows = fx.place(
        "order = [\"category\", \"points asc\", \"lottery\"]\n\n[policy.columns]\npoints = \"number\"\n",
    );
    assert_eq!(admitted_at(&rows, "S0"), ["101", "103"]);
    assert_overflow(&rows, &["102", "104"], "S1");
}

#[test]
fn applicants_who_do_not_accept_overflow_are_declined() {
    // S0 has 1 seat: 101 (本地) takes it. The others are not admitted:
    // - 102 随迁子女, cell empty: the category says accept_overflow = false
    //   → declined;
    // - 103 随迁子女, cell true: the cell wins → 统筹;
    // - 104 其他, cell false → declined;
    // - 105 其他, cell empty, no category default → 统筹.
    #[rustfmt::skip]
    let kids = [
        A { id: "101", block: "B0", flags: "h", extra: &[""], ..A::default() },
        A { id: "102", block: "B0", flags: "m", extra: &[""], ..A::default() },
        A { id: "103", block: "B0", flags: "m", extra: &["true"], ..A::default() },
        A { id: "104", block: "B0", flags: "", extra: &["false"], ..A::default() },
        A { id: "105", block: "B0", flags: "", extra: &[""], ..A::default() },
    ];
    let fx = Fixture::new(&[1, 50], &["accept_overflow"], &kids, None);
    let rows = fx.place(
        r#"
[[policy.categories]]
name = "本地"
when = { hukou_in_block = true }

[[policy.categories]]
name = "随迁子女"
when = { migrant = true }
accept_overflow = false

[[policy.categories]]
name = "其他"
"#,
    );
    assert_eq!(admitted_at(&rows, "S0"), ["101"]);
    for id in ["102", "104"] {
        assert_eq!(rows[id]["outcome"], "declined", "{id}");
        assert_eq!(rows[id]["placed_school_id"], "", "{id}");
        assert!(
            rows[id]["reason"].contains("declined"),
            "{id}: {:?}",
            rows[id]
        );
    }
    assert_overflow(&rows, &["103", "105"], "S1");
    let summary = common::json(&fx.dir.path().join("out/summary.json"));
    assert_eq!(summary["outcomes"]["declined"], 2, "{summary}");
}

/// Two zones for the twins: S0 (3 seats) with 101, 102 (tier 1), twins 103
/// and 104 (family F1, property only: tier 2) and 105 (hukou only: tier
/// 3); S1 (4 seats) the same with 201..205 (twins F2). S2 takes overflow.
fn twins_fixture() -> Fixture {
    #[rustfmt::skip]
    let kids = [
        A { id: "101", block: "B0", flags: "hp", ..A::default() },
        A { id: "102", block: "B0", flags: "hp", ..A::default() },
        A { id: "103", block: "B0", flags: "p", family: "F1", ..A::default() },
        A { id: "104", block: "B0", flags: "p", family: "F1", ..A::default() },
        A { id: "105", block: "B0", flags: "h", ..A::default() },
        A { id: "201", block: "B1", flags: "hp", ..A::default() },
        A { id: "202", block: "B1", flags: "hp", ..A::default() },
        A { id: "203", block: "B1", flags: "p", family: "F2", ..A::default() },
        A { id: "204", block: "B1", flags: "p", family: "F2", ..A::default() },
        A { id: "205", block: "B1", flags: "h", ..A::default() },
    ];
    Fixture::new(&[3, 4, 50], &[], &kids, None)
}

#[test]
fn twins_together_are_admitted_together_or_both_out() {
    // S0: after 101 and 102 one seat is left; the twins need two, so the
    // unit is skipped (both go to 统筹) and 105, next in order, takes the
    // seat. S1: 201, 202 and both twins fill the 4 seats; 205 is out.
    let fx = twins_fixture();
    let rows = fx.place("twins = \"together\"\n");
    assert_eq!(admitted_at(&rows, "S0"), ["101", "102", "105"]);
    assert_overflow(&rows, &["103", "104"], "S2");
    assert_eq!(admitted_at(&rows, "S1"), ["201", "202", "203", "204"]);
    assert_overflow(&rows, &["205"], "S2");
    assert!(
        rows["203"]["reason"].contains("family of 2"),
        "{:?}",
        rows["203"]
    );
    assert!(
        rows["103"]["reason"].contains("family of 2"),
        "{:?}",
        rows["103"]
    );
    // one draw for the family: that of its first member
    assert_eq!(rows["103"]["lottery_number"], rows["104"]["lottery_number"]);
}

#[test]
fn twins_apart_draw_each_their_own_number() {
    // S0: after 101 and 102 one seat is left for tier 2: the twin with the
    // smaller lottery number takes it, the other twin and 105 (tier 3) go
    // to 统筹. S1 as with twins together: 4 seats for 201..204.
    let fx = twins_fixture();
    let rows = fx.place("twins = \"apart\"\n");
    let n = |id: &str| rows[id]["lottery_number"].parse::<f64>().unwrap();
    let (won, lost) = if n("103") < n("104") {
        ("103", "104")
    } else {
        ("104", "103")
    };
    assert_eq!(admitted_at(&rows, "S0"), ["101", "102", won]);
    assert_overflow(&rows, &[lost, "105"], "S2");
    assert_eq!(admitted_at(&rows, "S1"), ["201", "202", "203", "204"]);
}

// ---------------------------------------------------------------------------
// Bad rule input
// ---------------------------------------------------------------------------

/// The 1-based line of the line of `text` containing `marker`, and the
/// character columns where each of `tokens` starts on it.
fn located(text: &str, marker: &str, tokens: &[&str]) -> (usize, Vec<usize>) {
    let (i, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(marker))
        .unwrap_or_else(|| panic!("no line with {marker}"));
    let cols = tokens
        .iter()
        .map(|t| {
            let b = line.find(t).unwrap_or_else(|| panic!("no {t} in {line}"));
            line[..b].chars().count() + 1
        })
        .collect();
    (i + 1, cols)
}

/// Place `policy` on a district with S0 of 3 seats (one applicant, with
/// points and apply_date) and S1 of 50: exit 2, nothing written, and each
/// `(marker, tokens)` located at its line, at one of the tokens (the
/// parser may point at the key or at the value).
fn assert_located(policy: &str, expected: &[(&str, &[&str])]) {
    let dir = tempfile::tempdir().unwrap();
    write_district(&dir.path().join("data"), &[3, 50], &[0]);
    std::fs::write(
        dir.path().join("data/students.csv"),
        format!("{STUDENT_COLUMNS},points,apply_date\n101,B0,1,F,true,true,false,false,none,,,,,10,2019-01-01\n"),
    )
    .unwrap();
    let text = scenario_text(policy);
    std::fs::write(dir.path().join("scenario.toml"), &text).unwrap();
    let o = place(dir.path());
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!dir.path().join("out").exists());
    for (marker, tokens) in expected {
        let (line, cols) = located(&text, marker, tokens);
        assert!(
            cols.iter()
                .any(|c| err.contains(&format!("scenario.toml:{line}:{c}: "))),
            "{marker}: nothing at scenario.toml:{line}:{cols:?}\n{err}"
        );
    }
}

/// The mistakes of rule input a planner makes, all in one scenario: every
/// one is listed in one run, at its place (an unknown column, a constant
/// of the wrong type, a date that does not parse, a category named twice,
/// orders not ending with the lottery, repeating a key, or empty).
const BAD_RULES: &str = r#"order = ["category", "points"]   # m-no-lottery

[policy.columns]
points = "number"
apply_date = "date"

[[policy.categories]]
name = "优抚对象"
when = { preferentail = true }   # m-unknown-column
order = ["points", "points", "lottery"]   # m-key-twice

[[policy.categories]]
name = "本地"
when = { points = "high" }   # m-wrong-type

[[policy.categories]]
name = "本地"   # m-named-twice
when = { apply_date = { "<=" = "2019-02-30" } }   # m-bad-date

[[policy.categories]]
name = "其他"
order = []   # m-empty-order
"#;

const BAD_RULES_AT: [(&str, &[&str]); 7] = [
    ("m-no-lottery", &["order", "[", "\"points\""]),
    ("m-unknown-column", &["preferentail", "when", "{"]),
    ("m-key-twice", &["\"points\", \"lottery\"", "order", "["]),
    ("m-wrong-type", &["\"high\"", "points", "when", "{"]),
    ("m-named-twice", &["\"本地\"", "name"]),
    (
        "m-bad-date",
        &["\"2019-02-30\"", "\"<=\"", "apply_date", "when"],
    ),
    ("m-empty-order", &["[]", "order"]),
];

/// A reservation of more seats than S0 has (3).
const RESERVED_ABOVE_SEATS: &str = r#"
[[policy.reserved]]
school = "S0"
category = "other"
seats = 50   # m-above-seats
"#;

const RESERVED_ABOVE_SEATS_AT: (&str, &[&str]) = ("m-above-seats", &["50", "seats"]);

#[test]
fn every_bad_rule_is_located() {
    assert_located(BAD_RULES, &BAD_RULES_AT);
}

#[test]
fn reserved_seats_above_the_schools_seats_are_located() {
    assert_located(RESERVED_ABOVE_SEATS, &[RESERVED_ABOVE_SEATS_AT]);
}

#[test]
fn a_bad_date_cell_is_located_in_students_csv() {
    let dir = tempfile::tempdir().unwrap();
    write_district(&dir.path().join("data"), &[3, 50], &[0]);
    std::fs::write(
        dir.path().join("data/students.csv"),
        format!(
            "{STUDENT_COLUMNS},property_date\n\
             101,B0,1,F,true,true,false,false,none,,,,,2019-01-01\n\
             102,B0,1,F,true,true,false,false,none,,,,,2019-02-30\n"
        ),
    )
    .unwrap();
    let text = scenario_text(
        "order = [\"category\", \"property_date\", \"lottery\"]\n\n[policy.columns]\nproperty_date = \"date\"\n",
    );
    std::fs::write(dir.path().join("scenario.toml"), text).unwrap();
    let o = place(dir.path());
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("students.csv:3: column 14 (property_date): `2019-02-30` is not a date"),
        "{err}"
    );
}
