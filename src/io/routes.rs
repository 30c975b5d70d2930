//! The admission-route inputs of a dataset folder (issue 15): `feeders.csv`
//! (which primary school's grade 6 goes on to which junior school, by
//! which route, and for the forecast in which share) and `districts.csv`
//! (大学区 / 学区 / 教育集团 membership). Their writers (for `generate`)
//! are `io::dataset::feeders_csv` / `districts_csv` (the demo's branch).
//!
//! Both are optional. Every row is checked and every problem reported at
//! its file:line:column; a reference to a schools.csv row that has an
//! error of its own is not reported again.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::domain::diag::{echo, Diagnostics};
use crate::domain::model::{Level, School, SchoolIx};
use crate::domain::routes::{Feeder, FeederRoute, Sector};
use crate::io::table::{did_you_mean, Row, Table};
use crate::io::text::Encoding;

/// The schools of schools.csv that references resolve against: the rows
/// without errors (`schools`, indexed by `ix`) and the ids of rows with
/// errors of their own (`broken`, not reported again).
pub struct KnownSchools<'a> {
    pub schools: &'a [School],
    pub ix: &'a HashMap<String, u32>,
    pub broken: &'a HashSet<String>,
}

impl KnownSchools<'_> {
    /// The school named in column `c`: `Ok(None)` for a broken row
    /// (reported already), an error with a did-you-mean for an unknown id.
    fn lookup(&self, r: &Row<'_>, d: &mut Diagnostics, c: usize) -> Result<Option<SchoolIx>, ()> {
        let id = r.get(c);
        if id.is_empty() {
            r.error(d, c, "empty; expected a school_id from schools.csv");
            return Err(());
        }
        if self.broken.contains(id) {
            return Ok(None);
        }
        match self.ix.get(id) {
            Some(&i) => Ok(Some(SchoolIx(i))),
            None => {
                r.error(
                    d,
                    c,
                    format!(
                        "unknown school `{}`{}; expected a school_id from schools.csv",
                        echo(id),
                        did_you_mean(id, self.ix.keys().map(String::as_str))
                    ),
                );
                Err(())
            }
        }
    }

    fn school(&self, s: SchoolIx) -> &School {
        &self.schools[s.ix()]
    }
}

/// The first of `names` the table has (the spec's header name, then its
/// accepted alternatives).
fn column_of(t: &Table, names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| t.column(n))
}

/// Read `feeders.csv`: `primary_id, junior_id` (also `primary_school_id`,
/// `junior_school_id`), optional `route` (`direct` 对口直升 | `priority` |
/// empty) and `share` (a number above 0 for the forecast; empty: the
/// forecast computes that primary's shares from the zones). Rows in file
/// order; `None` after any error.
///
/// Rules (spec, issue 15): the primary school teaches grade 6 (primary or
/// nine_year); the junior school admits grade 7 (junior or nine_year) and
/// is public (a private school admits only by its lottery); each (primary,
/// junior) pair once; at most one `direct` row per primary (one guaranteed
/// seat per pupil); a primary's rows all have a share or none do.
pub fn read_feeders(
    path: &Path,
    encoding: Encoding,
    known: &KnownSchools<'_>,
    diags: &mut Diagnostics,
) -> Option<Vec<Feeder>> {
    let t = Table::read(path, encoding, diags)?;
    let pc = column_of(&t, &["primary_id", "primary_school_id"]);
    let jc = column_of(&t, &["junior_id", "junior_school_id"]);
    for (c, name) in [(pc, "primary_id"), (jc, "junior_id")] {
        if c.is_none() {
            diags.error(
                path,
                Some(t.header_line()),
                None,
                format!("missing column `{name}`; expected primary_id and junior_id (or primary_school_id and junior_school_id), with optional route and share"),
            );
        }
    }
    let (Some(pc), Some(jc)) = (pc, jc) else {
        return None;
    };
    let rc = t.column("route");
    let sc = t.column("share");
    let errors = diags.error_count();
    let mut out: Vec<Feeder> = Vec::new();
    // (primary, junior) → line; primary → line of its direct row; primary
    // → (line, has a share) of its first row
    let mut pairs: HashMap<(SchoolIx, SchoolIx), usize> = HashMap::new();
    let mut direct: HashMap<SchoolIx, usize> = HashMap::new();
    let mut shared: HashMap<SchoolIx, (usize, bool)> = HashMap::new();
    t.rows(diags, |r, d| {
        let p = known.lookup(r, d, pc).map(|p| {
            p.filter(|&p| {
                let lv = known.school(p).level;
                let ok = matches!(lv, Level::Primary | Level::NineYear);
                if !ok {
                    r.error(d, pc, format!("`{}` is a {} school; expected a primary or nine-year school (its grade 6 goes on to grade 7)", echo(r.get(pc)), lv.as_str()));
                }
                ok
            })
        });
        let j = known.lookup(r, d, jc).map(|j| {
            j.filter(|&j| {
                let s = known.school(j);
                if !matches!(s.level, Level::Junior | Level::NineYear) {
                    r.error(d, jc, format!("feeder to a non-junior school: `{}` is a {} school; expected a junior or nine-year school (it admits grade 7)", echo(r.get(jc)), s.level.as_str()));
                    false
                } else if s.sector == Sector::Private {
                    r.error(d, jc, format!("`{}` is a private school (民办); expected a public school (a private school admits only by its lottery, 公民同招)", echo(r.get(jc))));
                    false
                } else {
                    true
                }
            })
        });
        let route = match rc.map(|c| (c, r.get(c))) {
            None => Some(FeederRoute::None),
            Some((c, v)) => FeederRoute::parse(v).or_else(|| {
                r.error(d, c, format!("`{}` is not a route; expected direct (对口直升), priority (优先) or empty (none: a forecast share only)", echo(v)));
                None
            }),
        };
        let share = match sc.map(|c| (c, r.get(c))) {
            None | Some((_, "")) => Ok(None),
            Some((c, v)) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x > 0.0 => Ok(Some(x)),
                _ => {
                    r.error(d, c, format!("`{}` is not a share; expected a number above 0, or empty (the forecast computes it from the zones)", echo(v)));
                    Err(())
                }
            },
        };
        let (Ok(Some(p)), Ok(Some(j)), Some(route), Ok(share)) = (p, j, route, share) else {
            return;
        };
        if let Some(first) = pairs.insert((p, j), r.line) {
            pairs.insert((p, j), first);
            r.error(d, jc, format!("`{}` → `{}` is given twice (first on line {first}); expected each primary and junior school pair once", echo(r.get(pc)), echo(r.get(jc))));
            return;
        }
        if route == FeederRoute::Direct {
            if let (Some(&first), Some(c)) = (direct.get(&p), rc) {
                r.error(d, c, format!("`{}` has a second direct route (first on line {first}); expected at most one direct route per primary school (one guaranteed seat per pupil)", echo(r.get(pc))));
                return;
            }
            direct.insert(p, r.line);
        }
        match shared.get(&p) {
            Some(&(first, had)) if had != share.is_some() => {
                let (has, lacks) = if had { (first, r.line) } else { (r.line, first) };
                r.error(d, sc.unwrap_or(jc), format!("`{}` has a share on line {has} but none on line {lacks}; expected a share on every row of a primary school or on none (then the forecast computes its shares)", echo(r.get(pc))));
                return;
            }
            Some(_) => {}
            None => {
                shared.insert(p, (r.line, share.is_some()));
            }
        }
        out.push(Feeder {
            primary: p,
            junior: j,
            route,
            share,
        });
    });
    (diags.error_count() == errors).then_some(out)
}

/// What `districts.csv` says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Districts {
    /// The district ids in order of first appearance
    /// ([`crate::domain::model::Dataset::district_names`]).
    pub names: Vec<Box<str>>,
    /// Each listed school and its district (a position in `names`), in
    /// file order ([`School::district`]).
    pub member: Vec<(SchoolIx, u32)>,
}

/// Read `districts.csv`: `school_id, district_id` (also `district`), one
/// row per school at most; `None` after any error.
pub fn read_districts(
    path: &Path,
    encoding: Encoding,
    known: &KnownSchools<'_>,
    diags: &mut Diagnostics,
) -> Option<Districts> {
    let t = Table::read(path, encoding, diags)?;
    let sc = t.column("school_id");
    let dc = column_of(&t, &["district_id", "district"]);
    if sc.is_none() || dc.is_none() {
        let name = if sc.is_none() {
            "school_id"
        } else {
            "district_id"
        };
        diags.error(
            path,
            Some(t.header_line()),
            None,
            format!("missing column `{name}`; expected school_id and district_id (or district), one row per school in a 大学区"),
        );
        return None;
    }
    let (sc, dc) = (sc?, dc?);
    let errors = diags.error_count();
    let mut names: Vec<Box<str>> = Vec::new();
    let mut first: HashMap<SchoolIx, usize> = HashMap::new();
    let mut member: Vec<(SchoolIx, u32)> = Vec::new();
    t.rows(diags, |r, d| {
        let s = known.lookup(r, d, sc);
        let name = r.text(d, dc, "a district (大学区) id");
        let (Ok(Some(s)), Some(name)) = (s, name) else {
            return;
        };
        if let Some(&line) = first.get(&s) {
            r.error(d, sc, format!("school `{}` is listed twice (first on line {line}); expected each school in at most one district", echo(r.get(sc))));
            return;
        }
        first.insert(s, r.line);
        let di = match names.iter().position(|n| **n == *name) {
            Some(i) => i,
            None => {
                names.push(name.into());
                names.len() - 1
            }
        };
        // at most one district per row of schools.csv, so this fits
        member.push((s, u32::try_from(di).unwrap_or(u32::MAX)));
    });
    (diags.error_count() == errors).then_some(Districts { names, member })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{SchoolId, Seats, Status};

    fn school(id: &str, level: Level, sector: Sector) -> School {
        School {
            id: SchoolId::new(id),
            name: id.to_string(),
            level,
            location: geo::Point::new(126.5, 43.9),
            town: String::new(),
            entry_seats: Seats(10),
            classes: 1,
            max_class_size: 45,
            boarding: false,
            status: Status::Open,
            annual_cost: None,
            sector,
            district: None,
        }
    }

    fn schools() -> Vec<School> {
        vec![
            school("P1", Level::Primary, Sector::Public),
            school("P2", Level::Primary, Sector::Public),
            school("J1", Level::Junior, Sector::Public),
            school("J2", Level::Junior, Sector::Public),
            school("NY", Level::NineYear, Sector::Public),
            school("PJ", Level::Junior, Sector::Private),
        ]
    }

    /// Read `text` as `name` against [`schools`]: the result and the
    /// messages, path stripped.
    fn read<T>(
        name: &str,
        text: &str,
        f: impl Fn(&Path, &KnownSchools<'_>, &mut Diagnostics) -> Option<T>,
    ) -> (Option<T>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let s = schools();
        let ix = s
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id.to_string(), i as u32))
            .collect();
        let broken = HashSet::from(["BAD".to_string()]);
        let known = KnownSchools {
            schools: &s,
            ix: &ix,
            broken: &broken,
        };
        let mut d = Diagnostics::new();
        let out = f(&path, &known, &mut d);
        let msgs = d
            .iter()
            .map(|m| m.to_string().replace(&dir.path().display().to_string(), ""))
            .collect();
        (out, msgs)
    }

    fn feeders(text: &str) -> (Option<Vec<Feeder>>, Vec<String>) {
        read("feeders.csv", text, |p, k, d| {
            read_feeders(p, Encoding::Auto, k, d)
        })
    }

    #[test]
    fn feeder_rows_are_read_in_file_order_with_either_header() {
        let (f, msgs) = feeders(
            "primary_school_id,junior_school_id,route\nP1,J1,对口直升\nP1,J2,priority\nP2,J1,\nNY,NY,direct\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        let f = f.unwrap();
        let got: Vec<(usize, usize, FeederRoute, Option<f64>)> = f
            .iter()
            .map(|x| (x.primary.ix(), x.junior.ix(), x.route, x.share))
            .collect();
        assert_eq!(
            got,
            [
                (0, 2, FeederRoute::Direct, None),
                (0, 3, FeederRoute::Priority, None),
                (1, 2, FeederRoute::None, None),
                (4, 4, FeederRoute::Direct, None),
            ]
        );
        // the forecast's old format reads as rows with shares and no route
        let (f, msgs) = feeders("primary_id,junior_id,share\nP1,J1,1\nP1,J2,3\n");
        assert!(msgs.is_empty(), "{msgs:?}");
        let f = f.unwrap();
        assert_eq!(f[1].share, Some(3.0));
        assert_eq!(f[1].route, FeederRoute::None);
    }

    #[test]
    fn bad_feeder_rows_are_each_located() {
        let (f, msgs) = feeders(
            "primary_id,junior_id,route,share\nP1,J1,direct,\nP1,J2,direct,\nP2,J1,,1\nP2,J2,,\nBAD,J1,,\nJ1,P1,,\nP2,PJ,,\n",
        );
        assert!(f.is_none());
        let want = [
            "/feeders.csv:3: column 3 (route): `P1` has a second direct route (first on line 2)",
            "/feeders.csv:5: column 4 (share): `P2` has a share on line 4 but none on line 5",
            "/feeders.csv:7: column 1 (primary_id): `J1` is a junior school",
            "/feeders.csv:7: column 2 (junior_id): feeder to a non-junior school: `P1` is a primary school",
            "/feeders.csv:8: column 2 (junior_id): `PJ` is a private school (民办)",
        ];
        assert_eq!(msgs.len(), want.len(), "{msgs:?}");
        for (m, w) in msgs.iter().zip(want) {
            assert!(m.starts_with(w), "{w}\n{msgs:?}");
        }
        let (f, msgs) = feeders("junior_id,share\nJ1,1\n");
        assert!(f.is_none());
        assert!(
            msgs[0].starts_with("/feeders.csv:1: missing column `primary_id`"),
            "{msgs:?}"
        );
    }

    #[test]
    fn districts_are_named_in_order_of_first_appearance() {
        let f = |p: &Path, k: &KnownSchools<'_>, d: &mut Diagnostics| {
            read_districts(p, Encoding::Auto, k, d)
        };
        let (r, msgs) = read(
            "districts.csv",
            "school_id,district\nJ1,南\nP1,北\nP2,南\n",
            f,
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        let r = r.unwrap();
        assert_eq!(r.names, ["南".into(), "北".into()] as [Box<str>; 2]);
        assert_eq!(
            r.member,
            [(SchoolIx(2), 0), (SchoolIx(0), 1), (SchoolIx(1), 0)]
        );
        let (r, msgs) = read(
            "districts.csv",
            "school_id,district_id\nP1,北\nP1,南\nP3,南\n",
            f,
        );
        assert!(r.is_none());
        assert!(msgs[0].contains("school `P1` is listed twice (first on line 2)"));
        // a two-letter id is one edit from another school: no suggestion
        assert!(
            msgs[1].contains("unknown school `P3`; expected a school_id"),
            "{msgs:?}"
        );
    }
}
