//! Reading a placement result back (`placements.csv` written by `place`)
//! and the optional `teachers.csv` (teacher_id, school_id) for the class
//! draw.

use std::collections::HashMap;
use std::path::Path;

use crate::diag::Diagnostics;
use crate::io::table::Table;
use crate::io::text::Encoding;
use crate::model::{Dataset, SchoolIx};

/// (student, school) for every row with a placed school. Unknown ids and
/// repeated students are errors; rows without a school are not admitted.
pub fn read_admitted(
    path: &Path,
    data: &Dataset,
    diags: &mut Diagnostics,
) -> Option<Vec<(usize, SchoolIx)>> {
    let t = Table::read(path, Encoding::Auto, diags)?;
    let [scol, pcol] = t.require(["student_id", "placed_school_id"], diags)?;
    let students: HashMap<&str, usize> = data
        .students
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let schools: HashMap<&str, usize> = data
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut seen: HashMap<usize, usize> = HashMap::new();
    let mut out = Vec::new();
    let errors = diags.error_count();
    t.rows(diags, |r, d| {
        let Some(&st) = students.get(r.get(scol)) else {
            r.error(d, scol, format!("unknown student `{}`; expected a student_id of the scenario's students.csv", r.get(scol)));
            return;
        };
        if let Some(first) = seen.insert(st, r.line) {
            r.error(d, scol, format!("student `{}` appears twice (first on line {first}); expected one row per applicant", r.get(scol)));
            return;
        }
        let placed = r.get(pcol);
        if placed.is_empty() {
            return;
        }
        match schools.get(placed) {
            Some(&s) => out.push((st, SchoolIx::from_ix(s))),
            None => r.error(d, pcol, format!("unknown school `{placed}`; expected a school_id from schools.csv or empty")),
        }
    });
    (diags.error_count() == errors).then_some(out)
}

/// Head-teacher ids per school (indexed like `data.schools`).
pub fn read_teachers(
    path: &Path,
    data: &Dataset,
    diags: &mut Diagnostics,
) -> Option<Vec<Vec<String>>> {
    let t = Table::read(path, Encoding::Auto, diags)?;
    let [tcol, scol] = t.require(["teacher_id", "school_id"], diags)?;
    let schools: HashMap<&str, usize> = data
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut out = vec![Vec::new(); data.schools.len()];
    let mut seen: HashMap<String, usize> = HashMap::new();
    let errors = diags.error_count();
    t.rows(diags, |r, d| {
        let Some(id) = r.text(d, tcol, "a teacher id") else { return };
        if let Some(first) = seen.insert(id.to_string(), r.line) {
            r.error(d, tcol, format!("duplicate teacher_id `{id}` (first on line {first}); expected each teacher once"));
            return;
        }
        match schools.get(r.get(scol)) {
            Some(&s) => out[s].push(id.to_string()),
            None => r.error(d, scol, format!("unknown school `{}`; expected a school_id from schools.csv", r.get(scol))),
        }
    });
    (diags.error_count() == errors).then_some(out)
}
