//! `sunshine forecast` on the Longtan demo: all files written, shortfall =
//! projected − seats, ratios and backtest reported, deterministic.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn rows(path: &Path) -> Vec<Vec<String>> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn forecast(out: &Path) -> String {
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/longtan-2025.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_sunshine"))
        .args([
            "forecast",
            scenario.to_str().unwrap(),
            "--years",
            "5",
            "--backtest",
            "2",
            "--out",
        ])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn longtan_forecast_writes_a_consistent_report() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let stdout = forecast(&a);
    assert!(stdout.contains("学位预警 in 2030"), "{stdout}");
    assert!(stdout.contains("district MAPE"), "{stdout}");
    for f in [
        "projection.csv",
        "ratios.csv",
        "shortfall.csv",
        "backtest.csv",
        "report.md",
    ] {
        assert!(a.join(f).exists(), "{f}");
    }
    // shortfall = projected total over the school's grades − seats
    let mut totals: HashMap<(String, String), f64> = HashMap::new();
    for r in rows(&a.join("projection.csv")) {
        *totals.entry((r[0].clone(), r[2].clone())).or_default() += r[3].parse::<f64>().unwrap();
    }
    let short = rows(&a.join("shortfall.csv"));
    assert_eq!(short.len(), totals.len());
    for r in &short {
        let projected: f64 = r[3].parse().unwrap();
        let seats: f64 = r[4].parse().unwrap();
        let shortfall: f64 = r[5].parse().unwrap();
        let total = totals[&(r[0].clone(), r[2].clone())];
        assert!((projected - total).abs() < 0.6, "{r:?} vs {total}");
        assert!((shortfall - (projected - seats)).abs() < 0.11, "{r:?}");
        let warn = &r[9];
        let u: f64 = r[8].parse().unwrap();
        let want = if u >= 1.0 {
            "red"
        } else if u >= 0.95 {
            "orange"
        } else if u >= 0.90 {
            "yellow"
        } else {
            ""
        };
        assert_eq!(warn, want, "{r:?}");
    }
    // years 2026–2030, five per school
    let years: std::collections::BTreeSet<&String> = short.iter().map(|r| &r[2]).collect();
    assert_eq!(
        years.into_iter().cloned().collect::<Vec<_>>(),
        ["2026", "2027", "2028", "2029", "2030"]
    );
    // same inputs, same bytes
    let b = dir.path().join("b");
    forecast(&b);
    for f in ["projection.csv", "shortfall.csv", "report.md"] {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}
