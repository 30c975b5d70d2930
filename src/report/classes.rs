//! Outputs of `sunshine classes`: `classes.csv` (student_id, school_id,
//! class_no), `classes_summary.csv` (per class counts, score mean, head
//! teacher), `audit.json` (seed, algorithm, input digests, balance per
//! school) and a terminal table.

use comfy_table::Cell;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{csv_bytes, num, table};
use crate::domain::language::Language;
use crate::domain::model::{Dataset, Disability, Gender};
use crate::io::output::OutputSet;
use crate::planning::classes::{SchoolClasses, ALGORITHM, ATTRIBUTES};

/// Hex SHA-256 of some bytes, for the audit file.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn outputs(
    data: &Dataset,
    result: &[SchoolClasses],
    teachers: &[Vec<String>],
    seed: u64,
    inputs: &[(&str, String)],
) -> OutputSet {
    let mut o = OutputSet::new();
    let mut rows = Vec::new();
    for sc in result {
        let mut members = sc.members.clone();
        members.sort_by(|a, b| (a.1, &data.students[a.0].id).cmp(&(b.1, &data.students[b.0].id)));
        for (st, c) in members {
            rows.push(vec![
                data.students[st].id.to_string(),
                data.school(sc.school).id.to_string(),
                (c + 1).to_string(),
            ]);
        }
    }
    o.add(
        "classes.csv",
        csv_bytes(&["student_id", "school_id", "class_no"], rows.into_iter()),
    );
    let mut summary = Vec::new();
    for sc in result {
        for c in 0..sc.classes {
            let members: Vec<usize> = sc
                .members
                .iter()
                .filter(|m| m.1 == c)
                .map(|m| m.0)
                .collect();
            let count =
                |f: &dyn Fn(usize) -> bool| members.iter().filter(|&&i| f(i)).count().to_string();
            let scores: Vec<f64> = members
                .iter()
                .filter_map(|&i| data.students[i].score)
                .collect();
            summary.push(vec![
                data.school(sc.school).id.to_string(),
                (c + 1).to_string(),
                members.len().to_string(),
                count(&|i| data.students[i].gender == Gender::Female),
                count(&|i| data.students[i].gender == Gender::Male),
                count(&|i| data.students[i].disability == Disability::Mild),
                count(&|i| data.students[i].migrant),
                count(&|i| data.students[i].left_behind),
                if scores.is_empty() {
                    String::new()
                } else {
                    format!("{:.2}", scores.iter().sum::<f64>() / scores.len() as f64)
                },
                sc.head_teachers[c].map_or(String::new(), |t| teachers[sc.school.ix()][t].clone()),
            ]);
        }
    }
    o.add(
        "classes_summary.csv",
        csv_bytes(
            &[
                "school_id",
                "class_no",
                "size",
                "girls",
                "boys",
                "mild_disability",
                "migrant",
                "left_behind",
                "score_mean",
                "head_teacher_id",
            ],
            summary.into_iter(),
        ),
    );
    let schools: Vec<_> = result
        .iter()
        .map(|sc| {
            let b = &sc.balance;
            json!({
                "school_id": data.school(sc.school).id.as_str(),
                "entrants": sc.members.len(),
                "classes": sc.classes,
                "size_gap": b.size_gap,
                "gaps": ATTRIBUTES.iter().zip(b.attr_gaps).map(|(a, g)| (a.to_string(), g)).collect::<std::collections::BTreeMap<_, _>>(),
                "max_mild_per_class": b.max_mild,
                "score_mean_gap": (b.score_gap * 1000.0).round() / 1000.0,
            })
        })
        .collect();
    let audit = json!({
        "algorithm": ALGORITHM,
        "seed": seed,
        "inputs": inputs.iter().map(|(n, d)| json!({"file": n, "sha256": d})).collect::<Vec<_>>(),
        "schools": schools,
    });
    let mut bytes = serde_json::to_vec_pretty(&audit).expect("json");
    bytes.push(b'\n');
    o.add("audit.json", bytes);
    o
}

/// The terminal table of class balance, in the run's language.
pub fn terminal(data: &Dataset, result: &[SchoolClasses], l: Language) -> String {
    let mut t = table(&[
        l.pick("学校", "school"),
        l.pick("新生", "entrants"),
        l.pick("班数", "classes"),
        l.pick("人数", "size"),
        l.pick("女生", "girls"),
        l.pick("男生", "boys"),
        l.pick("随班就读", "mild"),
        l.pick("随迁子女", "migrant"),
        l.pick("留守儿童", "left-behind"),
        l.pick("平均分", "score mean"),
    ]);
    for sc in result {
        let b = &sc.balance;
        t.add_row(vec![
            Cell::new(format!(
                "{} {}",
                data.school(sc.school).id,
                data.school(sc.school).name
            )),
            num(sc.members.len()),
            num(sc.classes),
            num(b.size_gap),
            num(b.attr_gaps[0]),
            num(b.attr_gaps[1]),
            num(b.attr_gaps[2]),
            num(b.attr_gaps[3]),
            num(b.attr_gaps[4]),
            num(format!("{:.2}", b.score_gap)),
        ]);
    }
    tr!(
        l,
        "各校分班均衡情况（最大班减最小班）\n{t}\n",
        "Class balance per school (largest minus smallest class)\n{t}\n"
    )
}
