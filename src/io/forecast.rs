//! The projection inputs: `births.csv` (year, block_id, births),
//! `enrollment_history.csv` (year, school_id, grade, enrolled) and optional
//! `housing.csv` (block_id, year, new_households); and their writers.

use std::collections::HashMap;
use std::path::Path;

use crate::domain::diag::Diagnostics;
use crate::domain::model::{BlockIx, Dataset, SchoolIx};
use crate::domain::routes::Feeder;
use crate::io::output::csv_bytes;
use crate::io::table::Table;
use crate::io::text::Encoding;
use crate::planning::forecast::{Births, Enrollment, Housing, HousingType};

fn year(r: &crate::io::table::Row<'_>, d: &mut Diagnostics, c: usize) -> Option<i32> {
    let v = r.u32(d, c, "a year such as 2025")?;
    if !(1900..=2200).contains(&v) {
        r.error(
            d,
            c,
            format!("year {v}; expected a year between 1900 and 2200"),
        );
        return None;
    }
    Some(v as i32)
}

/// Every place (block or town) of `births.csv` needs a row for every year
/// from the file's first to its last: a missing row would silently take the
/// place's births of that year as 0 and shrink a cohort.
fn missing_births(path: &Path, seen: &HashMap<(String, i32), usize>, diags: &mut Diagnostics) {
    let (Some(first), Some(last)) = (
        seen.keys().map(|k| k.1).min(),
        seen.keys().map(|k| k.1).max(),
    ) else {
        return;
    };
    let places: std::collections::BTreeSet<&str> = seen.keys().map(|k| k.0.as_str()).collect();
    for place in places {
        for y in first..=last {
            if !seen.contains_key(&(place.to_string(), y)) {
                diags.error(
                    path,
                    None,
                    None,
                    format!("`{place}` has no row for {y}; expected one row per place and year from {first} to {last} (write 0 for a year without births)"),
                );
            }
        }
    }
}

/// Read the three files from a dataset folder (`housing.csv` optional;
/// its `type` must be one of `housing_types`, the types with a yield:
/// [`crate::domain::scenario::ForecastPolicy::housing_types`]).
pub fn read(
    dir: &Path,
    data: &Dataset,
    encoding: Encoding,
    housing_types: &[String],
    diags: &mut Diagnostics,
) -> Option<(Births, Enrollment, Housing)> {
    let errors = diags.error_count();
    let births = read_births(&dir.join("births.csv"), data, encoding, diags);
    let history = read_history(&dir.join("enrollment_history.csv"), data, encoding, diags);
    let housing = read_housing(
        &dir.join("housing.csv"),
        data,
        encoding,
        housing_types,
        diags,
    );
    (diags.error_count() == errors).then_some((births, history, housing))
}

/// A town's blocks with their shares of its births: by households (at
/// least 1 each, so a block without households still counts).
fn town_shares(data: &Dataset, list: &[usize]) -> Vec<(usize, f64)> {
    let hh: f64 = list
        .iter()
        .map(|&b| f64::from(data.blocks[b].households.max(1)))
        .sum();
    list.iter()
        .map(|&b| (b, f64::from(data.blocks[b].households.max(1)) / hh))
        .collect()
}

/// `births.csv`: births by block, or by town (spread over the town's
/// blocks by households); one row per place and year.
fn read_births(path: &Path, data: &Dataset, encoding: Encoding, diags: &mut Diagnostics) -> Births {
    let blocks = data.block_lookup();
    let mut births = Births::new();
    let mut town_blocks: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, b) in data.blocks.iter().enumerate() {
        town_blocks.entry(b.town.as_str()).or_default().push(i);
    }
    let Some(t) = Table::read(path, encoding, diags) else {
        return births;
    };
    let (bc, tc) = (t.column("block_id"), t.column("town"));
    if bc.is_none() && tc.is_none() {
        diags.error(
            &t.path,
            Some(1),
            None,
            "missing column `block_id`; expected year, block_id (or town) and births",
        );
        return births;
    }
    let Some([yc, nc]) = t.require(["year", "births"], diags) else {
        return births;
    };
    let mut seen: HashMap<(String, i32), usize> = HashMap::new();
    t.rows(diags, |r, d| {
        let y = year(r, d, yc);
        let n = r.u32(d, nc, "a number of births (0 or more)");
        let block = bc.map(|c| (c, r.get(c))).filter(|(_, v)| !v.is_empty());
        let town = tc.map(|c| (c, r.get(c))).filter(|(_, v)| !v.is_empty());
        let targets: Vec<(usize, f64)> = match (block, town) {
            (Some((c, _)), _) => match r.lookup(d, c, &blocks, "block", "blocks.csv") {
                Some(b) => vec![(b.ix(), 1.0)],
                None => return,
            },
            (None, Some((c, name))) => match town_blocks.get(name) {
                Some(list) => town_shares(data, list),
                None => {
                    r.error(
                        d,
                        c,
                        format!("unknown town `{name}`; expected a town of blocks.csv"),
                    );
                    return;
                }
            },
            (None, None) => {
                r.error(
                    d,
                    bc.or(tc).unwrap_or(0),
                    "empty; expected a block_id or a town",
                );
                return;
            }
        };
        let (Some(y), Some(n)) = (y, n) else { return };
        let key = (
            block.or(town).map(|x| x.1.to_string()).unwrap_or_default(),
            y,
        );
        if let Some(first) = seen.insert(key, r.line) {
            r.error(
                d,
                bc.or(tc).unwrap_or(0),
                format!(
                    "two rows for the same place and year {y} (first on line {first}); expected one"
                ),
            );
            return;
        }
        for (b, share) in targets {
            *births.entry((BlockIx::from_ix(b), y)).or_insert(0.0) += f64::from(n) * share;
        }
    });
    missing_births(&t.path, &seen, diags);
    births
}

/// `enrollment_history.csv`: pupils per school, grade and year; one row
/// each, and only grades the school teaches.
fn read_history(
    path: &Path,
    data: &Dataset,
    encoding: Encoding,
    diags: &mut Diagnostics,
) -> Enrollment {
    let schools = data.school_lookup();
    let mut history = Enrollment::new();
    let Some(t) = Table::read(path, encoding, diags) else {
        return history;
    };
    let Some([yc, sc, gc, ec]) = t.require(["year", "school_id", "grade", "enrolled"], diags)
    else {
        return history;
    };
    t.rows(diags, |r, d| {
        let y = year(r, d, yc);
        let s = r.lookup(d, sc, &schools, "school", "schools.csv");
        let g = r.u32(d, gc, "a grade from 1 to 9").filter(|g| {
            let ok = (1..=9).contains(g);
            if !ok {
                r.error(d, gc, format!("grade {g}; expected 1 to 9"));
            }
            ok
        });
        let e = r.u32(d, ec, "a number of pupils (0 or more)");
        // a grade the school does not teach would be dropped silently
        let g = g.filter(|&g| {
            let Some(s) = s else { return true };
            let level = data.school(s).level;
            let ok = crate::planning::forecast::grades(level).contains(&(g as u8))
                || level == crate::domain::model::Level::Special;
            if !ok {
                r.error(
                    d,
                    gc,
                    format!(
                        "grade {g} at school `{}`, a {} school; expected a grade it teaches",
                        r.get(sc),
                        level.as_str()
                    ),
                );
            }
            ok
        });
        if let (Some(y), Some(s), Some(g), Some(e)) = (y, s, g, e) {
            if history.insert((s, g as u8, y), f64::from(e)).is_some() {
                r.error(
                    d,
                    sc,
                    format!(
                        "school `{}` grade {g} has two rows for {y}; expected one",
                        r.get(sc)
                    ),
                );
            }
        }
    });
    history
}

/// The optional `housing.csv`: new households per block, year of
/// completion and housing type (optional `type` column, empty =
/// `commercial`; rows of the same block, year and type add up).
fn read_housing(
    path: &Path,
    data: &Dataset,
    encoding: Encoding,
    types: &[String],
    diags: &mut Diagnostics,
) -> Housing {
    let blocks = data.block_lookup();
    let mut housing = Housing::new();
    if !crate::io::excel::table_exists(path) {
        return housing;
    }
    let Some(t) = Table::read(path, encoding, diags) else {
        return housing;
    };
    let Some([bc, yc, hc]) = t.require(["block_id", "year", "new_households"], diags) else {
        return housing;
    };
    let tc = t.column("type");
    t.rows(diags, |r, d| {
        let b = r.lookup(d, bc, &blocks, "block", "blocks.csv");
        let y = year(r, d, yc);
        let h = r.u32(d, hc, "a number of households (0 or more)");
        let kind = match tc.map(|c| (c, r.get(c))) {
            None | Some((_, "")) => Some(HousingType::commercial()),
            Some((_, v)) if types.iter().any(|t| t == v) => Some(HousingType(v.to_string())),
            Some((c, v)) => {
                r.error(
                    d,
                    c,
                    format!(
                        "housing type `{}`; expected {} (or a type of the scenario's [forecast.housing_yield]), or empty for commercial",
                        crate::domain::diag::echo(v),
                        types.join(", ")
                    ),
                );
                None
            }
        };
        if let (Some(b), Some(y), Some(h), Some(k)) = (b, y, h, kind) {
            *housing.entry((b, y, k)).or_insert(0.0) += f64::from(h);
        }
    });
    housing
}

/// The forecast's feeder map from `feeders.csv` (read with the dataset by
/// [`crate::io::routes::read_feeders`], so every command checks it the
/// same way): which junior schools a primary school's grade 6 goes on to.
/// `None` when no row has a share: the file only states admission routes
/// and the forecast keeps the map computed from the zones (`computed`).
/// Otherwise the map of the rows with a share, each primary's shares
/// normalised to 1 (as before issue 15, such a file replaces the computed
/// map), and a primary whose rows have no share keeps its computed
/// shares.
pub fn feeder_shares(
    feeders: &[Feeder],
    computed: &HashMap<SchoolIx, Vec<(SchoolIx, f64)>>,
) -> Option<HashMap<SchoolIx, Vec<(SchoolIx, f64)>>> {
    if feeders.iter().all(|f| f.share.is_none()) {
        return None;
    }
    let mut given: std::collections::BTreeMap<SchoolIx, Vec<(SchoolIx, f64)>> = Default::default();
    let mut without: Vec<SchoolIx> = Vec::new();
    for f in feeders {
        match f.share {
            Some(x) => given.entry(f.primary).or_default().push((f.junior, x)),
            None => without.push(f.primary),
        }
    }
    let mut out: HashMap<SchoolIx, Vec<(SchoolIx, f64)>> = given
        .into_iter()
        .map(|(p, l)| {
            let total: f64 = l.iter().map(|x| x.1).sum();
            (p, l.into_iter().map(|(j, s)| (j, s / total)).collect())
        })
        .collect();
    for p in without {
        if let Some(c) = computed.get(&p) {
            out.entry(p).or_insert_with(|| c.clone());
        }
    }
    Some(out)
}

pub fn births_csv(data: &Dataset, births: &Births) -> Vec<u8> {
    let mut rows: Vec<(i32, usize, f64)> =
        births.iter().map(|(&(b, y), &n)| (y, b.ix(), n)).collect();
    rows.sort_by_key(|a| (a.0, a.1));
    csv_bytes(
        &["year", "block_id", "births"],
        rows.into_iter().map(|(y, b, n)| {
            vec![
                y.to_string(),
                data.blocks[b].id.to_string(),
                (n as u64).to_string(),
            ]
        }),
    )
}

pub fn history_csv(data: &Dataset, h: &Enrollment) -> Vec<u8> {
    let mut rows: Vec<(i32, usize, u8, f64)> =
        h.iter().map(|(&(s, g, y), &n)| (y, s.ix(), g, n)).collect();
    rows.sort_by_key(|a| (a.0, a.1, a.2));
    csv_bytes(
        &["year", "school_id", "grade", "enrolled"],
        rows.into_iter().map(|(y, s, g, n)| {
            vec![
                y.to_string(),
                data.schools[s].id.to_string(),
                g.to_string(),
                (n as u64).to_string(),
            ]
        }),
    )
}

pub fn housing_csv(data: &Dataset, h: &Housing) -> Vec<u8> {
    let mut rows: Vec<(usize, i32, &str, f64)> = h
        .iter()
        .map(|((b, y, t), &n)| (b.ix(), *y, t.0.as_str(), n))
        .collect();
    rows.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    csv_bytes(
        &["block_id", "year", "new_households", "type"],
        rows.into_iter().map(|(b, y, t, n)| {
            vec![
                data.blocks[b].id.to_string(),
                y.to_string(),
                (n as u64).to_string(),
                t.to_string(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::routes::FeederRoute;

    fn row(p: u32, j: u32, share: Option<f64>) -> Feeder {
        Feeder {
            primary: SchoolIx(p),
            junior: SchoolIx(j),
            route: FeederRoute::Direct,
            share,
        }
    }

    #[test]
    fn feeder_rows_without_shares_leave_the_computed_map() {
        let computed: HashMap<SchoolIx, Vec<(SchoolIx, f64)>> = [
            (SchoolIx(0), vec![(SchoolIx(5), 1.0)]),
            (SchoolIx(1), vec![(SchoolIx(5), 0.5), (SchoolIx(6), 0.5)]),
            (SchoolIx(2), vec![(SchoolIx(6), 1.0)]),
        ]
        .into();
        assert_eq!(feeder_shares(&[], &computed), None);
        assert_eq!(
            feeder_shares(&[row(0, 5, None), row(1, 6, None)], &computed),
            None
        );
        // shares are normalised per primary and replace the map; a
        // primary without shares keeps its computed shares
        let got = feeder_shares(
            &[row(0, 5, Some(1.0)), row(0, 6, Some(3.0)), row(1, 6, None)],
            &computed,
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[&SchoolIx(0)],
            [(SchoolIx(5), 0.25), (SchoolIx(6), 0.75)]
        );
        assert_eq!(got[&SchoolIx(1)], computed[&SchoolIx(1)]);
    }
}
