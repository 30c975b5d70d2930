//! The maps and report pages of issue 17 in a real browser: `place`'s and
//! `compare`'s report.html and `zones.svg`, opened in headless Chromium
//! (Debian's; `.ci/run` installs it with a CJK font). Each page must render
//! (a screenshot with many colours, not blank), show its legend with the
//! schools' Chinese names, and keep every element on the page: inside the
//! window's width, and every element of a map inside the map. Map labels
//! must not overlap as the browser draws them.
//!
//! Skipped with a notice where chromium is absent, except under CI=true.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

const BASE: &str = "scenarios/longtan-2025.toml";
const CLOSE: &str = "scenarios/close-tianchang-liushu.toml";
const WIDTH: u32 = 1280;

fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium is required under CI (.ci/run installs it)"
        );
        eprintln!(
            "chromium not installed: the map screenshot checks are skipped here (CI installs it)"
        );
    }
    found
}

fn run(args: &[&str]) {
    let o = common::command_as_is().args(args).output().unwrap();
    assert!(o.status.success(), "{}", common::stderr(&o));
}

/// Measures every element after layout and writes what it found into the
/// DOM (`--dump-dom` prints it): elements wider than the window, map
/// elements outside their map, overlapping map labels, legend rows.
const PROBE: &str = r#"<script>
(function(){
  const W = document.documentElement.clientWidth, out = [], overlaps = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -0.5 || r.right > W + 0.5) out.push(e.tagName + ' ' + r.left.toFixed(1) + '..' + r.right.toFixed(1));
  }
  for (const svg of document.querySelectorAll('svg')) {
    const b = svg.getBoundingClientRect();
    for (const e of svg.querySelectorAll('*')) {
      if (e.closest('defs') || e.tagName === 'title') continue;
      const r = e.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1)
        out.push(e.tagName + '.' + e.getAttribute('class') + ' ' + [r.left, r.top, r.right, r.bottom].map(v => v.toFixed(1)).join(','));
    }
    const labels = [...svg.querySelectorAll('text.label')].map(e => e.getBoundingClientRect());
    for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i], c = labels[j];
      // the font's line box is taller than the glyphs: 2.5 px of slack above and below
      if (a.left < c.right - 0.5 && c.left < a.right - 0.5 && a.top + 2.5 < c.bottom - 2.5 && c.top + 2.5 < a.bottom - 2.5)
        overlaps.push(i + '/' + j);
    }
  }
  const p = document.createElement('pre');
  p.id = 'probe';
  p.textContent = 'PROBE ' + JSON.stringify({outside: out, overlaps: overlaps,
    legend: document.querySelectorAll('.legend-item').length,
    labels: document.querySelectorAll('text.label').length,
    maps: document.querySelectorAll('svg.map').length}) + ' END';
  p.style.display = 'none';
  document.body.appendChild(p);
})();
</script>"#;

struct Probe {
    outside: Vec<String>,
    overlaps: Vec<String>,
    legend: u64,
    labels: u64,
    maps: u64,
}

fn browser(chromium: &str, dir: &Path, page: &Path, extra: &[String], height: u32) -> String {
    let profile = dir.join(format!("profile-{}", extra.len()));
    let o = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--window-size={WIDTH},{height}"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The page with the probe appended (an SVG is wrapped in a page first).
fn probed(dir: &Path, page: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(page).unwrap();
    let html = if text.trim_start().starts_with("<svg") {
        format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">{text}{PROBE}</body></html>")
    } else {
        text.replace("</body>", &format!("{PROBE}</body>"))
    };
    let out = dir.join(name);
    std::fs::write(&out, html).unwrap();
    out
}

fn probe(chromium: &str, dir: &Path, page: &Path, name: &str) -> Probe {
    let dom = browser(
        chromium,
        dir,
        &probed(dir, page, name),
        &["--dump-dom".to_string()],
        1000,
    );
    // the result is in the <pre> the probe added (the script's own text
    // holds the markers too)
    let pre = dom.find("id=\"probe\"").expect("the probe ran");
    let start = dom[pre..].find("PROBE ").unwrap() + pre + 6;
    let end = dom[start..].find(" END").unwrap() + start;
    let text = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let list = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    Probe {
        outside: list("outside"),
        overlaps: list("overlaps"),
        legend: v["legend"].as_u64().unwrap(),
        labels: v["labels"].as_u64().unwrap(),
        maps: v["maps"].as_u64().unwrap(),
    }
}

/// The screenshot: not blank, and in many colours (zones, legend, text).
fn screenshot(chromium: &str, dir: &Path, page: &Path, name: &str, height: u32) -> PathBuf {
    let shot = dir.join(format!("{name}.png"));
    browser(
        chromium,
        dir,
        page,
        &[format!("--screenshot={}", shot.display())],
        height,
    );
    assert!(shot.exists(), "no screenshot of {}", page.display());
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    let non_white = pixels
        .iter()
        .filter(|p| p.iter().take(3).any(|&c| c < 200))
        .count();
    assert!(
        non_white * 20 > pixels.len(),
        "{name} looks blank: {non_white} of {} pixels",
        pixels.len()
    );
    let mut colours: Vec<[u8; 3]> = pixels.iter().map(|p| [p[0], p[1], p[2]]).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() >= 12,
        "{name}: only {} colours",
        colours.len()
    );
    if let Ok(keep) = std::env::var("SUNSHINE_KEEP_SHOTS") {
        std::fs::copy(&shot, Path::new(&keep).join(format!("{name}.png"))).unwrap();
    }
    shot
}

fn check(p: &Probe, name: &str, maps: u64, schools: u64) {
    eprintln!(
        "{name}: {} maps, {} legend rows, {} labels, {} outside, {} overlaps",
        p.maps,
        p.legend,
        p.labels,
        p.outside.len(),
        p.overlaps.len()
    );
    assert!(
        p.outside.is_empty(),
        "{name}: outside the page: {:?}",
        p.outside
    );
    assert!(
        p.overlaps.is_empty(),
        "{name}: labels overlap: {:?}",
        p.overlaps
    );
    assert_eq!(p.maps, maps, "{name}: maps");
    assert!(p.legend >= schools, "{name}: {} legend rows", p.legend);
    assert!(p.labels >= schools / 2, "{name}: {} labels", p.labels);
}

#[test]
fn place_and_compare_reports_and_zones_map_render() {
    let dir = tempfile::tempdir().unwrap();
    let place = dir.path().join("place");
    let compare = dir.path().join("compare");
    let zones = dir.path().join("zones");
    run(&["place", BASE, "--out", place.to_str().unwrap()]);
    run(&["compare", BASE, CLOSE, "--out", compare.to_str().unwrap()]);
    run(&[
        "zones",
        BASE,
        "--method",
        "heuristic",
        "--out",
        zones.to_str().unwrap(),
    ]);
    // the files, Chinese by default, self-contained
    for page in [place.join("report.html"), compare.join("report.html")] {
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains("<html lang=\"zh\">"));
        assert!(html.contains("图例") && html.contains("第二实验小学"));
        assert!(!html.contains("<script"));
        assert_eq!(
            html.matches("http").count(),
            html.matches("http://www.w3.org/2000/svg").count(),
            "no network"
        );
        assert!(html.contains("@page{size:A4"));
    }
    let compare_svg = std::fs::read_to_string(compare.join("compare.svg")).unwrap();
    assert!(
        compare_svg.contains("class=\"closed\""),
        "closed schools crossed"
    );
    assert!(
        compare_svg.contains("class=\"flow\""),
        "arrows to receiving schools"
    );
    assert!(compare_svg.contains("#e41a1c"), "displaced blocks");
    assert!(place.join("map.svg").exists());

    let Some(chromium) = chromium() else { return };
    let schools = common::records(&place.join("schools.csv")).len() as u64;
    let p = probe(
        chromium,
        dir.path(),
        &place.join("report.html"),
        "place.html",
    );
    check(&p, "place report.html", 1, schools);
    let p = probe(
        chromium,
        dir.path(),
        &compare.join("report.html"),
        "compare.html",
    );
    check(&p, "compare report.html", 1, schools);
    let p = probe(chromium, dir.path(), &zones.join("zones.svg"), "zones.html");
    check(&p, "zones.svg", 1, 20);
    screenshot(
        chromium,
        dir.path(),
        &place.join("report.html"),
        "place",
        3000,
    );
    screenshot(
        chromium,
        dir.path(),
        &compare.join("report.html"),
        "compare",
        3000,
    );
    screenshot(chromium, dir.path(), &zones.join("zones.svg"), "zones", 900);
}
