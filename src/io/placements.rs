//! Reading a placement result back (`placements.csv` written by `place`)
//! and the optional `teachers.csv` (teacher_id, school_id) for the class
//! draw.

use std::collections::HashMap;
use std::path::Path;

use crate::domain::diag::Diagnostics;
use crate::domain::model::{Dataset, SchoolIx};
use crate::io::table::Table;
use crate::io::text::Encoding;

/// (student, school) for every row with a placed school. Unknown ids and
/// repeated students are errors; rows without a school are not admitted.
pub fn read_admitted(
    path: &Path,
    data: &Dataset,
    encoding: Encoding,
    diags: &mut Diagnostics,
) -> Option<Vec<(usize, SchoolIx)>> {
    let t = Table::read(path, encoding, diags)?;
    let [scol, pcol] = t.require(["student_id", "placed_school_id"], diags)?;
    let students: HashMap<&str, usize> = data
        .students
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let schools = data.school_lookup();
    let mut seen: HashMap<usize, usize> = HashMap::new();
    let mut out = Vec::new();
    let errors = diags.error_count();
    t.rows(diags, |r, d| {
        let Some(st) = r.lookup(d, scol, &students, "student", "the scenario's students.csv") else {
            return;
        };
        if let Some(first) = seen.insert(st, r.line) {
            r.error(
                d,
                scol,
                format!(
                    "student `{}` appears twice (first on line {first}); expected one row per applicant",
                    r.get(scol)
                ),
            );
            return;
        }
        if !r.get(pcol).is_empty() {
            if let Some(s) = r.lookup(d, pcol, &schools, "school", "schools.csv") {
                out.push((st, s));
            }
        }
    });
    (diags.error_count() == errors).then_some(out)
}

/// Head-teacher ids per school (indexed like `data.schools`).
pub fn read_teachers(
    path: &Path,
    data: &Dataset,
    encoding: Encoding,
    diags: &mut Diagnostics,
) -> Option<Vec<Vec<String>>> {
    let t = Table::read(path, encoding, diags)?;
    let [tcol, scol] = t.require(["teacher_id", "school_id"], diags)?;
    let schools = data.school_lookup();
    let mut out = vec![Vec::new(); data.schools.len()];
    let mut seen: HashMap<String, usize> = HashMap::new();
    let errors = diags.error_count();
    t.rows(diags, |r, d| {
        let Some(id) = r.text(d, tcol, "a teacher id") else {
            return;
        };
        if let Some(first) = seen.insert(id.to_string(), r.line) {
            r.error(
                d,
                tcol,
                format!("duplicate teacher_id `{id}` (first on line {first}); expected each teacher once"),
            );
            return;
        }
        if let Some(s) = r.lookup(d, scol, &schools, "school", "schools.csv") {
            out[s.ix()].push(id.to_string());
        }
    });
    (diags.error_count() == errors).then_some(out)
}
