//! Reading and validating a dataset folder: `schools.csv`, `blocks.csv`,
//! `students.csv`, optional `zones.csv`, `seat_history.csv` and
//! `boundary.geojson`.
//!
//! Every row is checked and every problem reported; a row with a problem is
//! never silently dropped (the run fails with exit code 2 instead).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use geo::{MultiPolygon, Point};

use crate::domain::diag::Diagnostics;
use crate::domain::model::*;
use crate::domain::routes::{Feeder, Sector};
use crate::domain::value::{parse_date, ColumnType, Value};
use crate::io::output::csv_bytes;
use crate::io::routes::{read_districts, read_feeders, KnownSchools};
use crate::io::table::{Row, Table};
use crate::io::text::Encoding;
use crate::spatial::geography::Boundary;

/// The columns of schools.csv, as read and as written.
const SCHOOL_COLUMNS: [&str; 11] = [
    "school_id",
    "name",
    "level",
    "lon",
    "lat",
    "town",
    "entry_seats",
    "classes",
    "max_class_size",
    "boarding",
    "status",
];

/// What a scenario asks of its dataset beyond the fixed columns (issue
/// 14): its declared students.csv columns, its year (the last year
/// seat_history.csv may hold) and whether its seat lock needs the history.
#[derive(Clone, Debug, Default)]
pub struct Expect {
    /// `[policy.columns]` in declaration order: name, type, and where the
    /// declaration is written (`scenario.toml:8:1`, for the message when
    /// students.csv lacks the column).
    pub columns: Vec<(String, ColumnType, String)>,
    /// The scenario's year; `None` (no usable scenario): the last year
    /// sunshine places.
    pub year: Option<i32>,
    /// Where `seat_lock_years` is written (file, line, column), when the
    /// policy locks seats: seat_history.csv must then exist.
    pub seat_lock: Option<(PathBuf, usize, usize)>,
}

/// The first year seat_history.csv may hold (no published lock looks back
/// further).
pub const FIRST_HISTORY_YEAR: u32 = 1990;

/// What a dataset folder holds, after validation.
pub struct Loaded {
    pub data: Dataset,
    pub boundary: Option<Boundary>,
}

pub fn read_boundary(path: &Path, diags: &mut Diagnostics) -> Option<Boundary> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.error(path, None, None, format!("cannot read boundary: {e}"));
            return None;
        }
    };
    let gj: geojson::GeoJson = match text.parse() {
        Ok(g) => g,
        Err(e) => {
            diags.error(
                path,
                None,
                None,
                format!("invalid GeoJSON: {e}; expected a Polygon or MultiPolygon"),
            );
            return None;
        }
    };
    let shape = match geo::Geometry::<f64>::try_from(gj) {
        Ok(geo::Geometry::MultiPolygon(m)) => m,
        Ok(geo::Geometry::Polygon(p)) => MultiPolygon(vec![p]),
        Ok(geo::Geometry::GeometryCollection(gc)) => MultiPolygon(
            gc.0.into_iter()
                .flat_map(|g| match g {
                    geo::Geometry::Polygon(p) => vec![p],
                    geo::Geometry::MultiPolygon(m) => m.0,
                    _ => vec![],
                })
                .collect(),
        ),
        _ => {
            diags.error(
                path,
                None,
                None,
                "boundary is not a polygon; expected a Polygon or MultiPolygon feature",
            );
            return None;
        }
    };
    let b = Boundary::new(shape);
    if b.is_none() {
        diags.error(
            path,
            None,
            None,
            "boundary has no area; expected a Polygon or MultiPolygon feature",
        );
    }
    b
}

/// Read every file of a dataset folder. Returns `None` when any error was
/// found.
pub fn read_dataset(dir: &Path, encoding: Encoding, diags: &mut Diagnostics) -> Option<Loaded> {
    read_dataset_ids(dir, encoding, diags, &mut Vec::new())
}

/// [`read_dataset`], also collecting the id of every schools.csv row that
/// has one (whether or not the row has other errors), so the scenario's
/// references can be checked in the same run as the dataset.
pub fn read_dataset_ids(
    dir: &Path,
    encoding: Encoding,
    diags: &mut Diagnostics,
    known_schools: &mut Vec<String>,
) -> Option<Loaded> {
    read_dataset_expecting(dir, encoding, diags, known_schools, &Expect::default())
}

/// [`read_dataset_ids`] for a scenario that asks for declared students.csv
/// columns or a seat history ([`Expect`]).
pub fn read_dataset_expecting(
    dir: &Path,
    encoding: Encoding,
    diags: &mut Diagnostics,
    known_schools: &mut Vec<String>,
    expect: &Expect,
) -> Option<Loaded> {
    if !dir.is_dir() {
        diags.error(dir, None, None, "dataset folder not found; expected a folder with schools.csv, blocks.csv and students.csv");
        return None;
    }
    let bpath = dir.join("boundary.geojson");
    let boundary = if bpath.exists() {
        read_boundary(&bpath, diags)
    } else {
        None
    };
    // Every file is read and checked even when earlier ones have errors, so
    // one run lists every problem. References are checked against the ids
    // that parsed; a reference to a row that has an error of its own is not
    // reported again.
    let schools = read_school_rows(&dir.join("schools.csv"), encoding, boundary.as_ref(), diags);
    let (blocks, block_ids) =
        blocks_and_ids(&dir.join("blocks.csv"), encoding, boundary.as_ref(), diags);
    // a file that gave no id at all (header only, unreadable) cannot be
    // checked against: its own error says so, references are not reported
    let schools = schools.filter(|s| !s.ids.is_empty());
    let block_ids = block_ids.filter(|ids| !ids.is_empty());
    let school_ix = schools
        .as_ref()
        .map(|s| index_of(s.ids.iter().map(String::as_str)));
    let block_ix = block_ids
        .as_ref()
        .map(|ids| index_of(ids.iter().map(String::as_str)));
    let levels: Option<HashMap<String, Level>> = schools.as_ref().map(|s| {
        s.valid
            .iter()
            .map(|x| (x.id.to_string(), x.level))
            .collect()
    });
    let students = read_students_declared(
        &dir.join("students.csv"),
        encoding,
        &StudentRefs {
            schools: school_ix.as_ref(),
            levels: levels.as_ref(),
            blocks: block_ix.as_ref(),
            boundary: boundary.as_ref(),
        },
        &expect.columns,
        diags,
    );
    let seat_history = seat_history(dir, encoding, school_ix.as_ref(), expect, diags);
    let mut schools = schools;
    // the rows of schools.csv without errors, by id, and the ids of those
    // with errors (references to them are not reported again)
    let known = schools.as_ref().map(|sr| {
        let valid = index_of(sr.valid.iter().map(|s| s.id.as_str()));
        let broken: HashSet<String> = sr
            .ids
            .iter()
            .filter(|i| !valid.contains_key(i.as_str()))
            .cloned()
            .collect();
        (valid, broken)
    });
    let zpath = dir.join("zones.csv");
    let zones = match (&schools, &known, &block_ix, &block_ids) {
        (Some(sr), Some((valid, broken)), Some(bi), Some(bids))
            if crate::io::excel::table_exists(&zpath) =>
        {
            read_zones_known(
                &zpath,
                encoding,
                &sr.valid,
                valid,
                broken,
                bi,
                bids.len(),
                diags,
            )
        }
        _ => None,
    };
    let routes = match (&mut schools, &known) {
        (Some(sr), Some((valid, broken))) => Some(read_route_files(
            dir,
            encoding,
            &mut sr.valid,
            valid,
            broken,
            diags,
        )),
        _ => None,
    };
    let schools = schools.and_then(|s| {
        known_schools.extend(s.ids);
        s.ok.then_some(s.valid)
    });
    let (schools, blocks, students, seat_history, routes) =
        (schools?, blocks?, students?, seat_history?, routes?);
    let (feeders, district_names) = (routes.0?, routes.1?);
    if diags.has_errors() {
        return None;
    }
    Some(Loaded {
        data: Dataset {
            schools,
            blocks,
            students,
            zones,
            seat_history,
            feeders,
            district_names,
        },
        boundary,
    })
}

/// The optional route files (issue 15): `districts.csv` (sets each
/// school's district) and `feeders.csv`, each empty without its file and
/// `None` after errors.
#[allow(clippy::type_complexity)]
fn read_route_files(
    dir: &Path,
    encoding: Encoding,
    schools: &mut [School],
    valid: &HashMap<String, u32>,
    broken: &HashSet<String>,
    diags: &mut Diagnostics,
) -> (Option<Vec<Feeder>>, Option<Vec<Box<str>>>) {
    let dpath = dir.join("districts.csv");
    let names = if crate::io::excel::table_exists(&dpath) {
        let known = KnownSchools {
            schools,
            ix: valid,
            broken,
        };
        let districts = read_districts(&dpath, encoding, &known, diags);
        districts.map(|d| {
            for (s, di) in d.member {
                schools[s.ix()].district = Some(di);
            }
            d.names
        })
    } else {
        Some(Vec::new())
    };
    let fpath = dir.join("feeders.csv");
    let feeders = if crate::io::excel::table_exists(&fpath) {
        let known = KnownSchools {
            schools,
            ix: valid,
            broken,
        };
        read_feeders(&fpath, encoding, &known, diags)
    } else {
        Some(Vec::new())
    };
    (feeders, names)
}

fn index_of<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, u32> {
    ids.enumerate()
        .map(|(i, s)| (s.to_string(), i as u32))
        .collect()
}

/// Report a repeated id, naming the line of its first use.
fn check_unique(
    row: &Row<'_>,
    diags: &mut Diagnostics,
    col: usize,
    seen: &mut HashMap<String, usize>,
    what: &str,
) -> bool {
    let id = row.get(col);
    if let Some(first) = seen.get(id) {
        row.error(
            diags,
            col,
            format!("duplicate {what} `{id}` (first on line {first}); expected each id once"),
        );
        false
    } else {
        seen.insert(id.to_string(), row.line);
        true
    }
}

/// A lon/lat pair in range and, when a boundary is known, inside it.
fn point(
    row: &Row<'_>,
    diags: &mut Diagnostics,
    lon_col: usize,
    lat_col: usize,
    boundary: Option<&Boundary>,
) -> Option<Point<f64>> {
    let lon = row.f64(diags, lon_col, "a WGS 84 longitude in degrees");
    let lat = row.f64(diags, lat_col, "a WGS 84 latitude in degrees");
    let (lon, lat) = (lon?, lat?);
    let swapped = |b: Option<&Boundary>| {
        (-180.0..=180.0).contains(&lat)
            && (-90.0..=90.0).contains(&lon)
            && b.is_none_or(|b| b.contains(Point::new(lat, lon)))
    };
    let hint = |b: Option<&Boundary>| {
        if swapped(b) {
            " (lon and lat look swapped)"
        } else {
            ""
        }
    };
    let mut ok = true;
    if !(-180.0..=180.0).contains(&lon) {
        row.error(
            diags,
            lon_col,
            format!(
                "longitude {lon} outside -180..180; expected a WGS 84 longitude{}",
                hint(boundary)
            ),
        );
        ok = false;
    }
    if !(-90.0..=90.0).contains(&lat) {
        row.error(
            diags,
            lat_col,
            format!(
                "latitude {lat} outside -90..90; expected a WGS 84 latitude{}",
                hint(boundary)
            ),
        );
        ok = false;
    }
    if !ok {
        return None;
    }
    let p = Point::new(lon, lat);
    if let Some(b) = boundary {
        if !b.contains(p) {
            row.error(
                diags,
                lon_col,
                format!(
                    "point ({lon}, {lat}) lies outside the district boundary; expected a location inside the district{}",
                    hint(Some(b))
                ),
            );
            return None;
        }
    }
    Some(p)
}

pub fn read_schools(
    path: &Path,
    encoding: Encoding,
    boundary: Option<&Boundary>,
    diags: &mut Diagnostics,
) -> Option<Vec<School>> {
    read_school_rows(path, encoding, boundary, diags).and_then(|s| s.ok.then_some(s.valid))
}

/// What schools.csv gave: the rows without errors, the id of every row
/// that has one, and whether the whole file was valid.
struct SchoolRows {
    valid: Vec<School>,
    ids: Vec<String>,
    ok: bool,
}

/// Read schools.csv; `None` when its columns cannot be located.
fn read_school_rows(
    path: &Path,
    encoding: Encoding,
    boundary: Option<&Boundary>,
    diags: &mut Diagnostics,
) -> Option<SchoolRows> {
    let t = Table::read(path, encoding, diags)?;
    let mut ids = Vec::new();
    let [id, name, level, lon, lat, town, seats, classes, size, boarding, status] =
        t.require(SCHOOL_COLUMNS, diags)?;
    let mut out = Vec::new();
    let cost_col = t.column("annual_cost");
    let sector_col = t.column("sector");
    let mut seen = HashMap::new();
    let errors = diags.error_count();
    t.rows(diags, |r, d| {
        let unique = r.text(d, id, "a school id").is_some()
            && check_unique(r, d, id, &mut seen, "school_id");
        if !r.get(id).is_empty() {
            ids.push(r.get(id).to_string());
        }
        let lv = Level::parse(r.get(level));
        if lv.is_none() {
            r.error(
                d,
                level,
                format!(
                    "`{}` is not a level; expected primary, junior, nine_year or special",
                    r.get(level)
                ),
            );
        }
        let st = match r.get(status) {
            "open" => Some(Status::Open),
            "closing" => Some(Status::Closing),
            s => {
                r.error(
                    d,
                    status,
                    format!("`{s}` is not a status; expected open or closing"),
                );
                None
            }
        };
        let loc = point(r, d, lon, lat, boundary);
        let seats_v = r.bounded(d, seats, (1, MAX_SEATS), "a positive number of entry-grade seats");
        let classes_v = r.bounded(d, classes, (1, MAX_CLASSES), "a positive number of entry-grade classes");
        let size_v = r.bounded(d, size, (1, MAX_CLASS_SIZE), "a positive maximum class size");
        if let Some(s) = size_v {
            if s > LARGE_CLASS_ABOVE {
                r.warning(
                    d,
                    size,
                    format!(
                        "max_class_size {s} is above {LARGE_CLASS_ABOVE} (大班额); national norms allow at most {LARGE_CLASS_ABOVE}"
                    ),
                );
            }
        }
        if let (Some(s), Some(c), Some(m)) = (seats_v, classes_v, size_v) {
            // bounded above, so the product fits
            if s > c * m {
                r.warning(
                    d,
                    seats,
                    format!("{s} entry seats but {c} classes of at most {m} pupils; placement uses at most {c} × {m} = {} seats (fewer if policy.max_class_size_cap is lower)", c * m),
                );
            }
        }
        let b = r.bool(d, boarding);
        let annual_cost = match cost_col.map(|c| (c, r.get(c))) {
            None | Some((_, "")) => None,
            Some((c, v)) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
                _ => {
                    r.error(
                        d,
                        c,
                        format!("`{v}` is not a cost; expected a non-negative number or empty"),
                    );
                    None
                }
            },
        };
        let sector = school_sector(r, d, sector_col, lv);
        if let (true, Some(lv), Some(st), Some(loc), Some(sv), Some(cv), Some(mv), Some(b), Some(sector)) =
            (unique, lv, st, loc, seats_v, classes_v, size_v, b, sector)
        {
            out.push(School {
                id: SchoolId::new(r.get(id)),
                name: r.get(name).to_string(),
                level: lv,
                location: loc,
                town: r.get(town).to_string(),
                entry_seats: Seats(sv),
                classes: cv,
                max_class_size: mv,
                boarding: b,
                status: st,
                annual_cost,
                sector,
                district: None,
            });
        }
    });
    // ids of rejected lines are known too (their line has its own error)
    ids.extend(t.rejected_values(id));
    Some(SchoolRows {
        valid: out,
        ids,
        ok: diags.error_count() == errors,
    })
}

/// The optional `sector` cell (issue 15): `public` (also empty) or
/// `private` (公办/民办). A special-education school is public: a private
/// school admits by lottery among those who list it, which a special
/// school (placed by assessment) does not do.
fn school_sector(
    r: &Row<'_>,
    d: &mut Diagnostics,
    col: Option<usize>,
    level: Option<Level>,
) -> Option<Sector> {
    let Some(c) = col else {
        return Some(Sector::Public);
    };
    let v = r.get(c);
    if v.is_empty() {
        return Some(Sector::Public);
    }
    let Some(sector) = Sector::parse(v) else {
        r.error(
            d,
            c,
            format!(
                "`{}` is not a sector; expected public or private (公办/民办), or empty (public)",
                crate::domain::diag::echo(v)
            ),
        );
        return None;
    };
    if sector == Sector::Private && level == Some(Level::Special) {
        r.error(
            d,
            c,
            "a special-education school cannot be private (民办); expected public (a private school is primary, junior or nine_year)",
        );
        return None;
    }
    Some(sector)
}

pub fn read_blocks(
    path: &Path,
    encoding: Encoding,
    boundary: Option<&Boundary>,
    diags: &mut Diagnostics,
) -> Option<Vec<Block>> {
    blocks_and_ids(path, encoding, boundary, diags).0
}

fn blocks_and_ids(
    path: &Path,
    encoding: Encoding,
    boundary: Option<&Boundary>,
    diags: &mut Diagnostics,
) -> (Option<Vec<Block>>, Option<Vec<String>>) {
    let Some(t) = Table::read(path, encoding, diags) else {
        return (None, None);
    };
    let Some([id, name, town, lon, lat, households]) = t.require(
        ["block_id", "name", "town", "lon", "lat", "households"],
        diags,
    ) else {
        return (None, None);
    };
    let mut ids = Vec::new();
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    let errors = diags.error_count();
    t.rows(diags, |r, d| {
        let unique =
            r.text(d, id, "a block id").is_some() && check_unique(r, d, id, &mut seen, "block_id");
        if !r.get(id).is_empty() {
            ids.push(r.get(id).to_string());
        }
        let loc = point(r, d, lon, lat, boundary);
        let hh = r.u32(d, households, "a number of households (0 or more)");
        if let (true, Some(loc), Some(hh)) = (unique, loc, hh) {
            out.push(Block {
                id: BlockId::new(r.get(id)),
                name: r.get(name).to_string(),
                town: r.get(town).to_string(),
                location: loc,
                households: hh,
            });
        }
    });
    ids.extend(t.rejected_values(id));
    ((diags.error_count() == errors).then_some(out), Some(ids))
}

fn parse_gender(s: &str) -> Option<Gender> {
    match s {
        "F" | "f" | "female" | "girl" | "女" => Some(Gender::Female),
        "M" | "m" | "male" | "boy" | "男" => Some(Gender::Male),
        _ => None,
    }
}

pub fn read_students(
    path: &Path,
    encoding: Encoding,
    schools: Option<&HashMap<String, u32>>,
    blocks: Option<&HashMap<String, u32>>,
    boundary: Option<&Boundary>,
    diags: &mut Diagnostics,
) -> Option<Vec<Student>> {
    let refs = StudentRefs {
        schools,
        levels: None,
        blocks,
        boundary,
    };
    read_students_declared(path, encoding, &refs, &[], diags)
}

/// [`read_students`] with the scenario's declared columns (name, type,
/// where declared), read into [`Student::extra`] in that order.
fn read_students_declared(
    path: &Path,
    encoding: Encoding,
    refs: &StudentRefs<'_>,
    declared: &[(String, ColumnType, String)],
    diags: &mut Diagnostics,
) -> Option<Vec<Student>> {
    let t = Table::read(path, encoding, diags)?;
    // a missing declared column is an error, but the rest of the file is
    // still checked
    let errors = diags.error_count();
    let cols = StudentColumns::find(&t, path, declared, diags)?;
    let mut out = Vec::new();
    // (id, line) of every row with an id, valid or not: a repeated id is
    // reported whatever else is wrong in the file
    let mut seen: Vec<(StudentId, u32)> = Vec::new();
    t.rows(diags, |r, d| {
        let sid = r.text(d, cols.id, "a student id");
        if let Some(s) = sid {
            seen.push((StudentId::new(s), r.line as u32));
        }
        if let Some(st) = student(r, d, &cols, refs, sid) {
            out.push(st);
        }
    });
    report_duplicate_students(path, seen, cols.id + 1, diags);
    (diags.error_count() == errors).then_some(out)
}

/// Where each column of students.csv is: the required ones, and the
/// optional ones the file has.
struct StudentColumns {
    id: usize,
    grade: usize,
    gender: usize,
    /// hukou_in_block, property_in_block, migrant, left_behind.
    flags: [usize; 4],
    disability: usize,
    block: Option<usize>,
    lonlat: Option<(usize, usize)>,
    sibling: Option<usize>,
    preferences: Option<usize>,
    score: Option<usize>,
    family: Option<usize>,
    property_id: Option<usize>,
    accept_overflow: Option<usize>,
    current_school: Option<usize>,
    /// The declared columns and their types (`None`: missing, reported).
    declared: Vec<(Option<usize>, ColumnType)>,
}

impl StudentColumns {
    /// The columns of `t`; `None` (reported) without a required one, or
    /// without any way to locate an applicant.
    fn find(
        t: &Table,
        path: &Path,
        declared: &[(String, ColumnType, String)],
        diags: &mut Diagnostics,
    ) -> Option<StudentColumns> {
        let [id, grade, gender, hukou, property, migrant, left_behind, disability] = t.require(
            [
                "student_id",
                "entry_grade",
                "gender",
                "hukou_in_block",
                "property_in_block",
                "migrant",
                "left_behind",
                "disability",
            ],
            diags,
        )?;
        let block = t.column("block_id");
        let lonlat = t.column("lon").zip(t.column("lat"));
        if block.is_none() && lonlat.is_none() {
            diags.error(path, Some(1), None, "missing column `block_id`; expected block_id, or lon and lat, to locate each applicant");
            return None;
        }
        let declared = declared
            .iter()
            .map(|(name, ty, at)| {
                let c = t.column(name);
                if c.is_none() {
                    diags.error(
                        path,
                        Some(t.header_line()),
                        None,
                        format!("missing column `{name}`, declared in [policy.columns] at {at}; expected a students.csv column `{name}` ({}, empty where not stated)", ty.key()),
                    );
                }
                (c, *ty)
            })
            .collect();
        Some(StudentColumns {
            id,
            grade,
            gender,
            flags: [hukou, property, migrant, left_behind],
            disability,
            block,
            lonlat,
            sibling: t.column("sibling_school_id"),
            preferences: t.column("preferences"),
            score: t.column("score"),
            family: t.column("family_id"),
            property_id: t.column("property_id"),
            accept_overflow: t.column("accept_overflow"),
            current_school: t.column("current_school_id"),
            declared,
        })
    }
}

/// What the references of students.csv resolve against: the ids read from
/// schools.csv and blocks.csv (`None` when that file was unreadable, so its
/// references go unchecked), and the district boundary for coordinates.
struct StudentRefs<'a> {
    schools: Option<&'a HashMap<String, u32>>,
    /// The level of each school of schools.csv that has no error of its
    /// own (`current_school_id` must be a primary or nine-year school).
    levels: Option<&'a HashMap<String, Level>>,
    blocks: Option<&'a HashMap<String, u32>>,
    boundary: Option<&'a Boundary>,
}

/// A problem already reported to the diagnostics.
struct Reported;

/// One row of students.csv (its id `sid` already read): every field is
/// checked, and the student is kept only if all of them are valid.
fn student(
    r: &Row<'_>,
    d: &mut Diagnostics,
    cols: &StudentColumns,
    refs: &StudentRefs<'_>,
    sid: Option<&str>,
) -> Option<Student> {
    let home = student_home(r, d, cols, refs);
    let g = match r.get(cols.grade) {
        "1" => Some(Grade::One),
        "7" => Some(Grade::Seven),
        s => {
            r.error(
                d,
                cols.grade,
                format!("`{s}` is not an entry grade; expected 1 or 7"),
            );
            None
        }
    };
    let sex = parse_gender(r.get(cols.gender));
    if sex.is_none() {
        r.error(
            d,
            cols.gender,
            format!("`{}` is not a gender; expected F or M", r.get(cols.gender)),
        );
    }
    let flags = cols.flags.map(|c| r.bool(d, c));
    let dis = match r.get(cols.disability) {
        "" | "none" => Some(Disability::None),
        "mild" => Some(Disability::Mild),
        "severe" => Some(Disability::Severe),
        s => {
            r.error(
                d,
                cols.disability,
                format!("`{s}` is not a disability value; expected none, mild or severe"),
            );
            None
        }
    };
    let sib = sibling_school(r, d, cols.sibling, refs.schools);
    let preferences = preferences(r, d, cols.preferences, refs.schools);
    let score = score(r, d, cols.score);
    let current = current_school(r, d, cols.current_school, refs, g);
    let accept_overflow = match cols.accept_overflow.map(|c| (c, r.get(c))) {
        None | Some((_, "")) => Ok(None),
        Some((c, _)) => r.bool(d, c).map(Some).ok_or(Reported),
    };
    let extra: Result<Box<[Value]>, Reported> = cols
        .declared
        .iter()
        .map(|&(c, ty)| c.map_or(Ok(Value::Missing), |c| typed(r, d, c, ty)))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let (
        Some(sid),
        Some(home),
        Some(g),
        Some(sex),
        [Some(h), Some(p), Some(m), Some(l)],
        Some(dis),
        Ok(sib),
        Ok(preferences),
        Ok(score),
        Ok(accept_overflow),
        Ok(extra),
        Ok(current),
    ) = (
        sid,
        home,
        g,
        sex,
        flags,
        dis,
        sib,
        preferences,
        score,
        accept_overflow,
        extra,
        current,
    )
    else {
        return None;
    };
    Some(Student {
        id: StudentId::new(sid),
        home,
        entry_grade: g,
        gender: sex,
        hukou_in_block: h,
        property_in_block: p,
        migrant: m,
        left_behind: l,
        disability: dis,
        sibling_school: sib,
        preferences,
        score,
        family: cols
            .family
            .map(|c| r.get(c))
            .filter(|f| !f.is_empty())
            .map(Into::into),
        property_id: cols
            .property_id
            .map(|c| r.get(c))
            .filter(|p| !p.is_empty())
            .map(Into::into),
        accept_overflow,
        extra,
        current_school: current,
    })
}

/// A declared column's cell by its type ([`Expect::columns`]): empty is
/// [`Value::Missing`] (not stated).
fn typed(r: &Row<'_>, d: &mut Diagnostics, c: usize, ty: ColumnType) -> Result<Value, Reported> {
    let s = r.get(c);
    if s.is_empty() {
        return Ok(Value::Missing);
    }
    let v = match ty {
        ColumnType::Bool => crate::io::table::parse_bool(s).map(Value::Bool),
        ColumnType::Number => s
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Value::Number),
        ColumnType::Date => parse_date(s).map(Value::Date),
        ColumnType::Enum => Some(Value::Text(s.into())),
    };
    v.ok_or_else(|| {
        let expected = match ty {
            ColumnType::Bool => {
                "is not a yes/no value; expected true or false (also 1/0, yes/no, 是/否) or empty"
            }
            ColumnType::Number => "is not a number; expected a number or empty",
            ColumnType::Date => {
                "is not a date; expected 2019-03-05, 2019/3/5, 2019年3月5日 or an Excel serial date"
            }
            ColumnType::Enum => "is empty",
        };
        r.error(
            d,
            c,
            format!("`{}` {expected}", crate::domain::diag::echo(s)),
        );
        Reported
    })
}

/// `seat_history.csv` when the folder has it (an empty history without it;
/// an error when the scenario's seat lock needs it). `None` after errors.
fn seat_history(
    dir: &Path,
    encoding: Encoding,
    schools: Option<&HashMap<String, u32>>,
    expect: &Expect,
    diags: &mut Diagnostics,
) -> Option<Vec<SeatUse>> {
    let path = dir.join("seat_history.csv");
    if !crate::io::excel::table_exists(&path) {
        if let Some((file, line, col)) = &expect.seat_lock {
            diags.error(
                file,
                Some(*line),
                Some(crate::domain::diag::Column::Char(*col)),
                format!("seat_lock_years needs the seat history: {} not found; expected a file with columns property_id, school_id, year, student_id (a header alone when no seat was locked yet)", path.display()),
            );
            return None;
        }
        return Some(Vec::new());
    }
    read_seat_history(&path, encoding, schools, expect.year, diags)
}

/// Read `seat_history.csv` (property_id, school_id, year, student_id):
/// which property gave a seat at which school in which year (学位锁定).
/// Years run from [`FIRST_HISTORY_YEAR`] to the scenario's year; a header
/// alone is an empty history.
pub fn read_seat_history(
    path: &Path,
    encoding: Encoding,
    schools: Option<&HashMap<String, u32>>,
    year: Option<i32>,
    diags: &mut Diagnostics,
) -> Option<Vec<SeatUse>> {
    let t = Table::read(path, encoding, diags)?;
    let [pcol, scol, ycol, sidcol] =
        t.require(["property_id", "school_id", "year", "student_id"], diags)?;
    let last = year.unwrap_or(*YEARS.end());
    let errors = diags.error_count();
    let mut out = Vec::new();
    t.rows_or_none(diags, |r, d| {
        let property = r.text(d, pcol, "a property (房产证) id");
        let school = match schools {
            None => r.text(d, scol, "a school id").map(|_| SchoolIx(0)),
            Some(ix) => match ix.get(r.get(scol)) {
                Some(&i) => Some(SchoolIx(i)),
                None => {
                    r.error(
                        d,
                        scol,
                        format!(
                            "unknown school `{}`; expected a school_id from schools.csv",
                            crate::domain::diag::echo(r.get(scol))
                        ),
                    );
                    None
                }
            },
        };
        let expected = format!("a year of admission from {FIRST_HISTORY_YEAR} to {last}");
        let y = r.u32(d, ycol, &expected).and_then(|y| {
            let ok = i32::try_from(y)
                .ok()
                .filter(|&y| y <= last && y >= FIRST_HISTORY_YEAR as i32);
            if ok.is_none() {
                let why = if i64::from(y) > i64::from(last) && year.is_some() {
                    format!("`{y}` is after the scenario's year {last}; expected {expected}")
                } else {
                    format!("`{y}` is out of range; expected {expected}")
                };
                r.error(d, ycol, why);
            }
            ok
        });
        let student = r.text(d, sidcol, "a student id");
        if let (Some(p), Some(s), Some(y), Some(st)) = (property, school, y, student) {
            out.push(SeatUse {
                property: p.into(),
                school: s,
                year: y,
                student: StudentId::new(st),
            });
        }
    });
    (diags.error_count() == errors).then_some(out)
}

/// Where an applicant lives: the block named (checked against blocks.csv
/// when it was readable), else the coordinate given.
fn student_home(
    r: &Row<'_>,
    d: &mut Diagnostics,
    cols: &StudentColumns,
    refs: &StudentRefs<'_>,
) -> Option<Home> {
    match (cols.block.map(|c| (c, r.get(c))), cols.lonlat) {
        (Some((c, b)), _) if !b.is_empty() => match refs.blocks.map(|m| m.get(b)) {
            Some(Some(&ix)) => Some(Home::Block(BlockIx(ix))),
            None => Some(Home::Block(BlockIx(0))), // blocks.csv unreadable: not checked
            Some(None) => {
                r.error(
                    d,
                    c,
                    format!("unknown block `{b}`; expected a block_id from blocks.csv"),
                );
                None
            }
        },
        (_, Some((lo, la))) if !r.get(lo).is_empty() || !r.get(la).is_empty() => {
            point(r, d, lo, la, refs.boundary).map(Home::Point)
        }
        (Some((c, _)), _) => {
            r.error(d, c, "empty; expected a block_id (or lon and lat)");
            None
        }
        (None, Some((lo, _))) => {
            r.error(d, lo, "empty; expected lon and lat (or a block_id)");
            None
        }
        (None, None) => None,
    }
}

/// `sibling_school_id`: empty, or a school of schools.csv (unchecked and
/// dropped when schools.csv was unreadable).
fn sibling_school(
    r: &Row<'_>,
    d: &mut Diagnostics,
    col: Option<usize>,
    schools: Option<&HashMap<String, u32>>,
) -> Result<Option<SchoolIx>, Reported> {
    let Some(c) = col else { return Ok(None) };
    let s = r.get(c);
    if s.is_empty() {
        return Ok(None);
    }
    let Some(schools) = schools else {
        return Ok(None);
    };
    match schools.get(s) {
        Some(&i) => Ok(Some(SchoolIx(i))),
        None => {
            r.error(
                d,
                c,
                format!("unknown school `{s}`; expected a school_id from schools.csv or empty"),
            );
            Err(Reported)
        }
    }
}

/// `current_school_id` (issue 15): empty, or for a grade-7 applicant the
/// primary or nine-year school attended (its feeder route, 对口直升). A
/// grade-1 applicant attends no school yet; a junior school has no grade 6
/// to promote. Unchecked (and dropped) when schools.csv was unreadable.
fn current_school(
    r: &Row<'_>,
    d: &mut Diagnostics,
    col: Option<usize>,
    refs: &StudentRefs<'_>,
    grade: Option<Grade>,
) -> Result<Option<SchoolIx>, Reported> {
    let Some(c) = col else { return Ok(None) };
    let s = r.get(c);
    if s.is_empty() {
        return Ok(None);
    }
    if grade == Some(Grade::One) {
        r.error(
            d,
            c,
            format!(
                "`{}` given for a grade-1 applicant; current_school_id is for grade-7 applicants (the primary school attended); expected empty",
                crate::domain::diag::echo(s)
            ),
        );
        return Err(Reported);
    }
    let Some(schools) = refs.schools else {
        return Ok(None);
    };
    let Some(&i) = schools.get(s) else {
        r.error(
            d,
            c,
            format!(
                "unknown school `{}`{}; expected a school_id from schools.csv (the primary school attended) or empty",
                crate::domain::diag::echo(s),
                crate::io::table::did_you_mean(s, schools.keys().map(String::as_str))
            ),
        );
        return Err(Reported);
    };
    match refs.levels.and_then(|l| l.get(s)) {
        Some(Level::Junior) => {
            r.error(
                d,
                c,
                format!(
                    "`{}` is a junior school; expected a primary or nine-year school (the school attended in grade 6)",
                    crate::domain::diag::echo(s)
                ),
            );
            Err(Reported)
        }
        _ => Ok(Some(SchoolIx(i))),
    }
}

/// `preferences`: `;`-separated schools of schools.csv, each once, at most
/// [`MAX_PREFERENCES`] (empty when schools.csv was unreadable).
fn preferences(
    r: &Row<'_>,
    d: &mut Diagnostics,
    col: Option<usize>,
    schools: Option<&HashMap<String, u32>>,
) -> Result<Vec<SchoolIx>, Reported> {
    let mut preferences = Vec::new();
    let (Some(c), Some(schools)) = (col, schools) else {
        return Ok(preferences);
    };
    let mut ok = true;
    for p in r.get(c).split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match schools.get(p) {
            Some(&i) if preferences.contains(&SchoolIx(i)) => {
                ok = false;
                r.error(
                    d,
                    c,
                    format!("school `{p}` is listed twice; expected each preference once"),
                );
            }
            Some(_) if preferences.len() == MAX_PREFERENCES => {
                ok = false;
                r.error(d, c, format!("more than {MAX_PREFERENCES} schools listed; expected at most {MAX_PREFERENCES} preferences"));
                break;
            }
            Some(&i) => preferences.push(SchoolIx(i)),
            None => {
                ok = false;
                r.error(
                    d,
                    c,
                    format!(
                        "unknown school `{p}`; expected `;`-separated school_ids from schools.csv"
                    ),
                );
            }
        }
    }
    if ok {
        Ok(preferences)
    } else {
        Err(Reported)
    }
}

/// `score`: empty, or a finite number.
fn score(r: &Row<'_>, d: &mut Diagnostics, col: Option<usize>) -> Result<Option<f64>, Reported> {
    match col.map(|c| (c, r.get(c))) {
        None | Some((_, "")) => Ok(None),
        Some((c, v)) => match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => {
                r.error(
                    d,
                    c,
                    format!("`{v}` is not a number; expected a score or empty"),
                );
                Err(Reported)
            }
        },
    }
}

fn report_duplicate_students(
    path: &Path,
    mut seen: Vec<(StudentId, u32)>,
    column: usize,
    diags: &mut Diagnostics,
) {
    seen.sort_unstable();
    let mut found = Vec::new();
    for w in seen.windows(2) {
        if w[0].0 == w[1].0 {
            // the first line of a run of repeats
            let first = seen.partition_point(|x| x.0 < w[0].0);
            found.push((w[1].1, seen[first].1, w[1].0.clone()));
        }
    }
    found.sort_unstable_by_key(|f| f.0);
    for (line, first, id) in found {
        diags.error(
            path,
            Some(line as usize),
            Some(crate::domain::diag::Column::Field(
                column,
                "student_id".into(),
            )),
            format!(
                "duplicate student_id `{id}` (first on line {first}); expected each applicant once"
            ),
        );
    }
}

/// A zone naming a private school (issue 15): a private school admits
/// those who list it, by lottery, and has no zone.
fn private_zone(id: &str) -> String {
    format!(
        "`{}` is a private school (民办): it has no zone; expected a public school",
        crate::domain::diag::echo(id)
    )
}

/// Read `zone_groups.csv` (group_id, school_id): the schools of each
/// multi-school zone (多校划片), one row per school.
fn read_zone_groups(
    path: &Path,
    encoding: Encoding,
    schools: &[School],
    school_ix: &HashMap<String, u32>,
    broken: &std::collections::HashSet<String>,
    diags: &mut Diagnostics,
) -> Option<Vec<ZoneGroup>> {
    let t = Table::read(path, encoding, diags)?;
    let [gcol, scol] = t.require(["group_id", "school_id"], diags)?;
    let mut groups: Vec<ZoneGroup> = Vec::new();
    let errors = diags.error_count();
    t.rows(diags, |r, d| {
        let Some(g) = r.text(d, gcol, "a group id") else { return };
        if broken.contains(r.get(scol)) {
            return;
        }
        let Some(&s) = school_ix.get(r.get(scol)) else {
            r.error(d, scol, format!("unknown school `{}`; expected a school_id from schools.csv", r.get(scol)));
            return;
        };
        if schools[s as usize].level == Level::Special {
            r.error(d, scol, format!("`{}` is a special-education school; expected a mainstream school (special schools have no zone)", r.get(scol)));
            return;
        }
        if schools[s as usize].sector == Sector::Private {
            r.error(d, scol, private_zone(r.get(scol)));
            return;
        }
        let gi = match groups.iter().position(|x| x.id == g) {
            Some(i) => i,
            None => {
                groups.push(ZoneGroup { id: g.to_string(), schools: Vec::new() });
                groups.len() - 1
            }
        };
        if groups[gi].schools.contains(&SchoolIx(s)) {
            r.error(d, scol, format!("school `{}` is listed twice in group `{g}`; expected each school once", r.get(scol)));
        } else if groups[gi].schools.len() == MAX_PREFERENCES {
            r.error(d, scol, format!("group `{g}` has more than {MAX_PREFERENCES} schools; expected at most {MAX_PREFERENCES} (an applicant ranks them)"));
        } else {
            groups[gi].schools.push(SchoolIx(s));
        }
    });
    (diags.error_count() == errors).then_some(groups)
}

/// Read `zones.csv`: one row per block and zone. A row names a `school_id`
/// (one-school zone) or, in an optional `group_id` column, a multi-school
/// zone from `zone_groups.csv`. A block may have one row for its grade-1
/// zone and one for its grade-7 zone. The optional `grade` column (1 or 7)
/// limits a row to one entry grade; without it a row applies to every grade
/// its school (or any school of its group) admits.
pub fn read_zones(
    path: &Path,
    encoding: Encoding,
    schools: &[School],
    school_ix: &HashMap<String, u32>,
    blocks: &HashMap<String, u32>,
    n_blocks: usize,
    diags: &mut Diagnostics,
) -> Option<Zones> {
    let none = std::collections::HashSet::new();
    read_zones_known(
        path, encoding, schools, school_ix, &none, blocks, n_blocks, diags,
    )
}

/// [`read_zones`] where `broken` names schools.csv rows that exist but have
/// errors of their own: references to them are not reported again.
#[allow(clippy::too_many_arguments)]
fn read_zones_known(
    path: &Path,
    encoding: Encoding,
    schools: &[School],
    school_ix: &HashMap<String, u32>,
    broken: &std::collections::HashSet<String>,
    blocks: &HashMap<String, u32>,
    n_blocks: usize,
    diags: &mut Diagnostics,
) -> Option<Zones> {
    let t = Table::read(path, encoding, diags)?;
    let [bcol] = t.require(["block_id"], diags)?;
    let scol = t.column("school_id");
    let grpcol = t.column("group_id");
    if scol.is_none() && grpcol.is_none() {
        diags.error(
            path,
            Some(1),
            None,
            "missing column `school_id`; expected block_id with school_id and/or group_id",
        );
        return None;
    }
    let gcol = t.column("grade");
    let mut zones = Zones::new(n_blocks);
    // groups come from zone_groups.csv beside zones.csv; without that file a
    // row naming a group is reported as an unknown group
    let gpath = path.with_file_name("zone_groups.csv");
    let mut groups_failed = false;
    if grpcol.is_some() && crate::io::excel::table_exists(&gpath) {
        // a bad zone_groups.csv fails the run, but zones.csv is still checked
        match read_zone_groups(&gpath, encoding, schools, school_ix, broken, diags) {
            Some(g) => zones.groups = g,
            None => groups_failed = true,
        }
    }
    let mut first_line = ByGrade::from_fn(|_| vec![0usize; n_blocks]);
    let errors = diags.error_count();
    t.rows(diags, |r, d| {
        let b = blocks.get(r.get(bcol));
        if b.is_none() {
            r.error(d, bcol, format!("unknown block `{}`; expected a block_id from blocks.csv", r.get(bcol)));
        }
        let school = scol.map(|c| (c, r.get(c))).filter(|(_, v)| !v.is_empty());
        let group = grpcol.map(|c| (c, r.get(c))).filter(|(_, v)| !v.is_empty());
        // the grades this row's zone can serve, and the zone itself
        let target: Option<(Vec<Level>, Result<u32, u32>)> = match (school, group) {
            (Some((c, _)), Some(_)) => {
                r.error(d, c, "both school_id and group_id given; expected one of them");
                None
            }
            (None, None) => {
                r.error(d, scol.or(grpcol).unwrap_or(bcol), "empty; expected a school_id or a group_id");
                None
            }
            (Some((_, id)), None) if broken.contains(id) => None,
            (Some((c, id)), None) => match school_ix.get(id) {
                None => {
                    r.error(d, c, format!("unknown school `{id}`; expected a school_id from schools.csv"));
                    None
                }
                Some(&s) if schools[s as usize].level == Level::Special => {
                    r.error(d, c, format!("`{id}` is a special-education school; expected a mainstream school (special schools have no zone)"));
                    None
                }
                Some(&s) if schools[s as usize].sector == Sector::Private => {
                    r.error(d, c, private_zone(id));
                    None
                }
                Some(&s) => Some((vec![schools[s as usize].level], Ok(s))),
            },
            (None, Some(_)) if groups_failed => None,
            (None, Some((c, id))) => match zones.groups.iter().position(|g| g.id == id) {
                None => {
                    r.error(d, c, format!("unknown group `{id}`; expected a group_id from zone_groups.csv (beside zones.csv)"));
                    None
                }
                Some(gi) => Some((
                    zones.groups[gi].schools.iter().map(|&s| schools[s.ix()].level).collect(),
                    Err(gi as u32),
                )),
            },
        };
        let only = match gcol.map(|c| (c, r.get(c))) {
            None | Some((_, "")) => None,
            Some((_, "1")) => Some(Grade::One),
            Some((_, "7")) => Some(Grade::Seven),
            Some((c, g)) => {
                r.error(d, c, format!("`{g}` is not an entry grade; expected 1, 7 or empty (both)"));
                return;
            }
        };
        let (Some(&b), Some((levels, zone))) = (b, target) else { return };
        let admits = |g: Grade| levels.iter().any(|l| l.admits(g));
        if let Some(g) = only.filter(|&g| !admits(g)) {
            let c = scol.filter(|_| zone.is_ok()).or(grpcol).unwrap_or(bcol);
            r.error(d, c, format!("`{}` does not admit grade {}; expected a school of that grade", r.get(c), g.number()));
            return;
        }
        for g in Grade::ALL {
            if !admits(g) || only.is_some_and(|o| o != g) {
                continue;
            }
            let first = first_line.get(g)[b as usize];
            if first != 0 {
                r.error(d, bcol, format!("block `{}` is zoned twice for grade {} (first on line {first}); expected one zone per grade", r.get(bcol), g.number()));
                continue;
            }
            first_line.get_mut(g)[b as usize] = r.line;
            match zone {
                Ok(s) => zones.school.get_mut(g)[b as usize] = Some(SchoolIx(s)),
                Err(grp) => zones.group.get_mut(g)[b as usize] = Some(grp),
            }
        }
    });
    (!groups_failed && diags.error_count() == errors).then_some(zones)
}

fn coord(x: f64) -> String {
    format!("{x:.6}")
}

/// `schools.csv` in the input format; the `sector` column only when a
/// school is private (so a dataset without private schools is written as
/// before issue 15).
pub fn schools_csv(schools: &[School]) -> Vec<u8> {
    let private = schools.iter().any(|s| s.sector == Sector::Private);
    let mut header = SCHOOL_COLUMNS.to_vec();
    if private {
        header.push("sector");
    }
    csv_bytes(
        &header,
        schools.iter().map(|s| {
            let mut row = vec![
                s.id.to_string(),
                s.name.clone(),
                s.level.as_str().into(),
                coord(s.location.x()),
                coord(s.location.y()),
                s.town.clone(),
                s.entry_seats.0.to_string(),
                s.classes.to_string(),
                s.max_class_size.to_string(),
                s.boarding.to_string(),
                match s.status {
                    Status::Open => "open".into(),
                    Status::Closing => "closing".into(),
                },
            ];
            if private {
                row.push(s.sector.as_str().into());
            }
            row
        }),
    )
}

/// `blocks.csv` in the input format.
pub fn blocks_csv(blocks: &[Block]) -> Vec<u8> {
    csv_bytes(
        &["block_id", "name", "town", "lon", "lat", "households"],
        blocks.iter().map(|b| {
            vec![
                b.id.to_string(),
                b.name.clone(),
                b.town.clone(),
                coord(b.location.x()),
                coord(b.location.y()),
                b.households.to_string(),
            ]
        }),
    )
}

/// `students.csv` in the input format (applicants located by block).
pub fn students_csv(data: &Dataset) -> Vec<u8> {
    students_csv_with(data, &[])
}

/// Every students.csv column with a fixed meaning, in the order
/// [`students_csv_with`] writes them (`lon`/`lat` stand in for `block_id`
/// where an applicant is geocoded): what the writer writes and what the
/// scenario's `[policy.columns]` may not declare again.
pub const STUDENT_COLUMNS: [&str; 18] = [
    "student_id",
    "block_id",
    "lon",
    "lat",
    "entry_grade",
    "gender",
    "hukou_in_block",
    "property_in_block",
    "migrant",
    "left_behind",
    "disability",
    "sibling_school_id",
    "preferences",
    "score",
    "family_id",
    "property_id",
    "accept_overflow",
    "current_school_id",
];

/// `students.csv` with the columns of the priority rules (issue 14): after
/// the columns of [`students_csv`], `property_id`, `accept_overflow` and
/// `current_school_id` (issue 15) when any applicant has one (so a dataset
/// without them is written as before), then the declared columns `extra` (names in the order of
/// [`Student::extra`]; an empty cell for [`Value::Missing`], dates as
/// `YYYY-MM-DD`).
pub fn students_csv_with(data: &Dataset, extra: &[&str]) -> Vec<u8> {
    let id = |s: Option<SchoolIx>| s.map_or(String::new(), |s| data.school(s).id.to_string());
    let property = data.students.iter().any(|s| s.property_id.is_some());
    let accept = data.students.iter().any(|s| s.accept_overflow.is_some());
    let current = data.students.iter().any(|s| s.current_school.is_some());
    let mut header: Vec<&str> = STUDENT_COLUMNS
        .iter()
        .copied()
        .filter(|&c| match c {
            "lon" | "lat" => false,
            "property_id" => property,
            "accept_overflow" => accept,
            "current_school_id" => current,
            _ => true,
        })
        .collect();
    header.extend_from_slice(extra);
    csv_bytes(
        &header,
        data.students.iter().map(|s| {
            let mut row = vec![
                s.id.to_string(),
                match s.home {
                    Home::Block(b) => data.block(b).id.to_string(),
                    Home::Point(_) => String::new(),
                },
                s.entry_grade.number().to_string(),
                match s.gender {
                    Gender::Female => "F".into(),
                    Gender::Male => "M".into(),
                },
                s.hukou_in_block.to_string(),
                s.property_in_block.to_string(),
                s.migrant.to_string(),
                s.left_behind.to_string(),
                match s.disability {
                    Disability::None => "none".into(),
                    Disability::Mild => "mild".into(),
                    Disability::Severe => "severe".into(),
                },
                id(s.sibling_school),
                s.preferences
                    .iter()
                    .map(|&p| data.school(p).id.to_string())
                    .collect::<Vec<_>>()
                    .join(";"),
                s.score.map_or(String::new(), |x| x.to_string()),
                s.family.as_deref().unwrap_or("").to_string(),
            ];
            if property {
                row.push(s.property_id.as_deref().unwrap_or("").to_string());
            }
            if accept {
                row.push(s.accept_overflow.map_or(String::new(), |a| a.to_string()));
            }
            if current {
                row.push(id(s.current_school));
            }
            for i in 0..extra.len() {
                row.push(match s.extra.get(i) {
                    None | Some(Value::Missing) => String::new(),
                    Some(v) => v.to_string(),
                });
            }
            row
        }),
    )
}

/// `seat_history.csv`: `property_id, school_id, year, student_id`, sorted
/// by (year, school_id, property_id, student_id).
pub fn seat_history_csv(data: &Dataset, uses: &[SeatUse]) -> Vec<u8> {
    let mut rows: Vec<(i32, &str, &str, &str)> = uses
        .iter()
        .map(|u| {
            (
                u.year,
                data.school(u.school).id.as_str(),
                &*u.property,
                u.student.as_str(),
            )
        })
        .collect();
    rows.sort_unstable();
    csv_bytes(
        &["property_id", "school_id", "year", "student_id"],
        rows.into_iter()
            .map(|(y, s, p, st)| vec![p.to_string(), s.to_string(), y.to_string(), st.to_string()]),
    )
}

/// `feeders.csv` (issue 15): `primary_id, junior_id, route`, one row per
/// [`Dataset::feeders`] entry in order, and `share` when any row has one
/// (the forecast's split of a primary's grade 6; an empty cell lets the
/// forecast compute that primary's shares from the zones).
pub fn feeders_csv(data: &Dataset) -> Vec<u8> {
    let share = data.feeders.iter().any(|f| f.share.is_some());
    let mut header = vec!["primary_id", "junior_id", "route"];
    if share {
        header.push("share");
    }
    csv_bytes(
        &header,
        data.feeders.iter().map(|f| {
            let mut row = vec![
                data.school(f.primary).id.to_string(),
                data.school(f.junior).id.to_string(),
                match f.route {
                    crate::domain::routes::FeederRoute::None => String::new(),
                    r => r.as_str().into(),
                },
            ];
            if share {
                row.push(f.share.map_or(String::new(), |x| x.to_string()));
            }
            row
        }),
    )
}

/// `districts.csv` (issue 15): `school_id, district_id` for every school in
/// a 大学区 ([`School::district`]), in school order.
pub fn districts_csv(data: &Dataset) -> Vec<u8> {
    csv_bytes(
        &["school_id", "district_id"],
        data.schools.iter().filter_map(|s| {
            let d = data.district_names.get(s.district? as usize)?;
            Some(vec![s.id.to_string(), d.to_string()])
        }),
    )
}

/// `zones.csv`: one row per block and entry grade.
pub fn zones_csv(data: &Dataset, zones: &Zones) -> Vec<u8> {
    let mut rows = Vec::new();
    for b in 0..data.blocks.len() {
        for (g, school_of) in zones.school.iter() {
            let (school, group) = match (school_of[b], zones.group.get(g)[b]) {
                (_, Some(grp)) => (String::new(), zones.groups[grp as usize].id.clone()),
                (Some(s), None) => (data.school(s).id.to_string(), String::new()),
                (None, None) => continue,
            };
            rows.push(vec![
                data.blocks[b].id.to_string(),
                school,
                g.number().to_string(),
                group,
            ]);
        }
    }
    csv_bytes(
        &["block_id", "school_id", "grade", "group_id"],
        rows.into_iter(),
    )
}

/// `zone_groups.csv`: the schools of each multi-school zone.
pub fn zone_groups_csv(data: &Dataset, zones: &Zones) -> Vec<u8> {
    csv_bytes(
        &["group_id", "school_id"],
        zones.groups.iter().flat_map(|g| {
            g.schools
                .iter()
                .map(|&s| vec![g.id.clone(), data.school(s).id.to_string()])
        }),
    )
}

/// Read a zones file given on the command line (e.g. last year's zones for
/// `sunshine zones --previous`), against the scenario's schools and blocks.
pub fn read_zone_file(
    path: &Path,
    encoding: Encoding,
    data: &Dataset,
    diags: &mut Diagnostics,
) -> Option<Zones> {
    let si = index_of(data.schools.iter().map(|s| s.id.as_str()));
    let bi = index_of(data.blocks.iter().map(|b| b.id.as_str()));
    read_zones(
        path,
        encoding,
        &data.schools,
        &si,
        &bi,
        data.blocks.len(),
        diags,
    )
}

/// Read `adjacency.csv`: pairs of neighbouring blocks (`block_id`,
/// `neighbour_id`), which replace the neighbours of the Voronoi cells where
/// a planner knows better (a river with no bridge, a compound wall).
pub fn read_adjacency(
    path: &Path,
    encoding: Encoding,
    data: &Dataset,
    diags: &mut Diagnostics,
) -> Option<Vec<(BlockIx, BlockIx)>> {
    let t = Table::read(path, encoding, diags)?;
    let [a, b] = t.require(["block_id", "neighbour_id"], diags)?;
    let blocks = data.block_lookup();
    let errors = diags.error_count();
    let mut pairs = Vec::new();
    t.rows(diags, |r, d| {
        let x = r.lookup(d, a, &blocks, "block", "blocks.csv");
        let y = r.lookup(d, b, &blocks, "block", "blocks.csv");
        if let (Some(x), Some(y)) = (x, y) {
            if x == y {
                r.error(
                    d,
                    b,
                    "a block is not its own neighbour; expected another block_id",
                );
            } else {
                pairs.push((x, y));
            }
        }
    });
    (diags.error_count() == errors).then_some(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::value::Day;

    const HEADER: &str = "student_id,block_id,entry_grade,gender,hukou_in_block,property_in_block,migrant,left_behind,disability";

    /// The good fixture in a temp folder, with `files` written over it.
    fn folder(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good");
        for e in std::fs::read_dir(good).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        dir
    }

    fn expect(columns: &[(&str, ColumnType)]) -> Expect {
        Expect {
            columns: columns
                .iter()
                .map(|(n, t)| (n.to_string(), *t, "s.toml:9:1".to_string()))
                .collect(),
            year: Some(2025),
            seat_lock: None,
        }
    }

    fn load(dir: &Path, expect: &Expect) -> (Option<Dataset>, Vec<String>, Diagnostics) {
        let mut d = Diagnostics::new();
        let data = read_dataset_expecting(dir, Encoding::Auto, &mut d, &mut Vec::new(), expect)
            .map(|l| l.data);
        let msgs = d
            .iter()
            .filter(|m| m.severity == crate::domain::diag::Severity::Error)
            .map(|m| m.to_string().replace(&dir.display().to_string(), "{dir}"))
            .collect();
        (data, msgs, d)
    }

    #[test]
    fn declared_and_optional_columns_are_read_by_type() {
        let students = format!(
            "{HEADER},property_id,accept_overflow,hukou_date,points,preferential,district\n\
             s1,b1,1,F,true,true,false,false,none,P-1,否,2019年3月5日,12.5,是,北区\n\
             s2,b1,1,M,true,true,false,false,none,,,,,,\n\
             s3,b2,1,M,true,true,false,false,none,P-2,true,43529,0,false,南区\n"
        );
        let dir = folder(&[("students.csv", students.into_bytes())]);
        let e = expect(&[
            ("hukou_date", ColumnType::Date),
            ("points", ColumnType::Number),
            ("preferential", ColumnType::Bool),
            ("district", ColumnType::Enum),
        ]);
        let (data, msgs, _) = load(dir.path(), &e);
        assert!(msgs.is_empty(), "{msgs:?}");
        let s = data.unwrap().students;
        let day = Value::Date(Day::from_ymd(2019, 3, 5).unwrap());
        assert_eq!(s[0].property_id.as_deref(), Some("P-1"));
        assert_eq!(s[0].accept_overflow, Some(false));
        assert_eq!(
            &s[0].extra[..],
            [
                day.clone(),
                Value::Number(12.5),
                Value::Bool(true),
                Value::Text("北区".into())
            ]
        );
        assert_eq!(s[1].property_id, None);
        assert_eq!(s[1].accept_overflow, None);
        assert_eq!(&s[1].extra[..], [const { Value::Missing }; 4]);
        assert_eq!(s[2].extra[0], day);
        assert_eq!(s[2].accept_overflow, Some(true));
    }

    #[test]
    fn bad_cells_and_missing_declared_columns_are_located() {
        let students = format!(
            "{HEADER},accept_overflow,hukou_date,points\n\
             s1,b1,1,F,true,true,false,false,none,maybe,2019-02-30,x\n\
             s2,b1,1,M,true,true,false,false,none,,5/3/2019,inf\n"
        );
        let dir = folder(&[("students.csv", students.into_bytes())]);
        let e = expect(&[
            ("hukou_date", ColumnType::Date),
            ("points", ColumnType::Number),
            ("property_date", ColumnType::Date),
        ]);
        let (data, msgs, _) = load(dir.path(), &e);
        assert!(data.is_none());
        let want = [
            "{dir}/students.csv:1: missing column `property_date`, declared in [policy.columns] at s.toml:9:1; expected a students.csv column `property_date` (date, empty where not stated)",
            "{dir}/students.csv:2: column 10 (accept_overflow): `maybe` is not a yes/no value",
            "{dir}/students.csv:2: column 11 (hukou_date): `2019-02-30` is not a date; expected 2019-03-05, 2019/3/5, 2019年3月5日 or an Excel serial date",
            "{dir}/students.csv:2: column 12 (points): `x` is not a number; expected a number or empty",
            "{dir}/students.csv:3: column 11 (hukou_date): `5/3/2019` is not a date",
            "{dir}/students.csv:3: column 12 (points): `inf` is not a number",
        ];
        assert_eq!(msgs.len(), want.len(), "{msgs:?}");
        for w in want {
            assert!(msgs.iter().any(|m| m.starts_with(w)), "{w}\n{msgs:?}");
        }
    }

    #[test]
    fn the_seat_history_is_read_and_checked_row_by_row() {
        let good = "property_id,school_id,year,student_id\nP-1,A,2019,old1\nP-2,B,2025,old2\n";
        let dir = folder(&[("seat_history.csv", good.into())]);
        let (data, msgs, d) = load(dir.path(), &expect(&[]));
        assert!(msgs.is_empty(), "{msgs:?}");
        let h = data.unwrap().seat_history;
        assert_eq!(
            h[1],
            SeatUse {
                property: "P-2".into(),
                school: SchoolIx(1),
                year: 2025,
                student: StudentId::new("old2"),
            }
        );
        // validate's books count the file
        let c = d
            .counts()
            .find(|c| c.path.ends_with("seat_history.csv"))
            .unwrap();
        assert_eq!((c.lines, c.rows), (2, 2));
        let bad = "property_id,school_id,year,student_id\n,A,2019,x\nP-1,Z,2019,x\nP-2,A,2026,x\nP-3,A,1989,x\nP-4,B,20x5,\n";
        let dir = folder(&[("seat_history.csv", bad.into())]);
        let (data, msgs, _) = load(dir.path(), &expect(&[]));
        assert!(data.is_none());
        let want = [
            "{dir}/seat_history.csv:2: column 1 (property_id): empty; expected a property (房产证) id",
            "{dir}/seat_history.csv:3: column 2 (school_id): unknown school `Z`; expected a school_id from schools.csv",
            "{dir}/seat_history.csv:4: column 3 (year): `2026` is after the scenario's year 2025; expected a year of admission from 1990 to 2025",
            "{dir}/seat_history.csv:5: column 3 (year): `1989` is out of range; expected a year of admission from 1990 to 2025",
            "{dir}/seat_history.csv:6: column 3 (year): `20x5` is not a whole number",
            "{dir}/seat_history.csv:6: column 4 (student_id): empty; expected a student id",
        ];
        assert_eq!(msgs.len(), want.len(), "{msgs:?}");
        for w in want {
            assert!(msgs.iter().any(|m| m.starts_with(w)), "{w}\n{msgs:?}");
        }
        // a header alone: no seat given yet
        let dir = folder(&[(
            "seat_history.csv",
            "property_id,school_id,year,student_id\n".into(),
        )]);
        let (data, msgs, _) = load(dir.path(), &expect(&[]));
        assert!(msgs.is_empty(), "{msgs:?}");
        assert!(data.unwrap().seat_history.is_empty());
    }

    #[test]
    fn a_seat_lock_needs_the_history_file() {
        let dir = folder(&[]);
        let mut e = expect(&[]);
        e.seat_lock = Some((PathBuf::from("s.toml"), 7, 19));
        let (data, msgs, _) = load(dir.path(), &e);
        assert!(data.is_none());
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].starts_with("s.toml:7:19: seat_lock_years needs the seat history: {dir}/seat_history.csv not found"),
            "{msgs:?}"
        );
    }

    #[test]
    fn crlf_gb18030_files_with_chinese_dates_read_as_utf8() {
        let gb = |s: &str| {
            encoding_rs::GB18030
                .encode(&s.replace('\n', "\r\n"))
                .0
                .into_owned()
        };
        let students = format!(
            "{HEADER},property_id,hukou_date\n\
             s1,b1,1,F,true,true,false,false,none,房-1,2019年3月5日\n\
             s2,b1,1,M,true,true,false,false,none,房-2,2024年12月31日\n"
        );
        let history =
            "property_id,school_id,year,student_id\n房-1,A,2019,旧生1\n房-2,B,2024,旧生2\n";
        let dir = folder(&[
            ("students.csv", gb(&students)),
            ("seat_history.csv", gb(history)),
        ]);
        let e = expect(&[("hukou_date", ColumnType::Date)]);
        let (data, msgs, _) = load(dir.path(), &e);
        assert!(msgs.is_empty(), "{msgs:?}");
        let data = data.unwrap();
        assert_eq!(data.students[0].property_id.as_deref(), Some("房-1"));
        assert_eq!(
            data.students[1].extra[0],
            Value::Date(Day::from_ymd(2024, 12, 31).unwrap())
        );
        assert_eq!(data.seat_history.len(), 2);
        assert_eq!(&*data.seat_history[1].property, "房-2");
        assert_eq!(data.seat_history[1].student, StudentId::new("旧生2"));
    }
}
