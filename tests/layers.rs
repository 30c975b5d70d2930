//! The crate's modules form layers that only point down (README "Code
//! map"): this test reads every `crate::…` path in `src/` and fails on a
//! module that uses a layer above it, on any cycle between modules, on
//! production code that calls the synthetic-data generator, and on a
//! `main.rs` longer than 150 lines.
//!
//! Test code (`#[cfg(test)]` items) may use anything, e.g. a synthetic
//! district from `synth`; it is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom up. Modules of one layer may use each other (without cycles).
const LAYERS: &[&[&str]] = &[
    &["domain"],
    &["spatial"],
    &["solve"],
    &["rules"],
    &["planning"],
    &["io", "report"],
    &["synth"],
    &["cli"],
];

fn layer(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: `src/planning/zones/build.rs` →
/// `["planning", "zones", "build"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// The source without comments, string and char literals, and without the
/// items under `#[cfg(test)]` (test code may use the generator).
fn production_code(s: &str) -> String {
    // 1. blank comments and literals, keeping the length of lines
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' {
            // a raw string r"…" or r#"…"# is rare here; plain strings
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.extend_from_slice(b"\"\"");
        } else if b[i] == b'\'' && (b.get(i + 2) == Some(&b'\'') || (b.get(i + 1) == Some(&b'\\')))
        {
            // a char literal ('x' or '\n'); lifetimes have no closing quote
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.extend_from_slice(b"' '");
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    let code = String::from_utf8_lossy(&out).into_owned();
    // 2. drop each `#[cfg(test)]` item up to its closing brace (or `;`)
    let mut kept = String::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..at]);
        let item = &rest[at..];
        let mut depth = 0usize;
        let mut end = item.len();
        for (j, c) in item.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = j + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    kept.push_str(rest);
    kept
}

/// Every `crate::a::b` path in the code, as `[a, b]` (the first two
/// segments that name modules).
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue; // `$crate::` or `mycrate::`
        }
        let segs: Vec<String> = code[at + 7..]
            .split("::")
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|s| !s.is_empty())
            .take(2)
            .collect();
        if !segs.is_empty() {
            paths.push(segs);
        }
    }
    paths
}

struct Graph {
    /// module (`top` or `top::sub`) → modules it uses, with one file each
    edges: BTreeMap<String, BTreeMap<String, String>>,
}

fn read_graph() -> Graph {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut modules: BTreeSet<Vec<String>> = BTreeSet::new();
    for f in &files {
        modules.insert(module_of(&src, f));
    }
    let is_module = |p: &[String]| modules.contains(p);
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for f in &files {
        let me = module_of(&src, f);
        if me.is_empty() || me == ["lib"] || me == ["main"] {
            continue;
        }
        let code = production_code(&std::fs::read_to_string(f).unwrap());
        let rel = f.strip_prefix(&root).unwrap().display().to_string();
        for p in crate_paths(&code) {
            if !is_module(&p[..1]) {
                continue; // a re-export of the crate root, e.g. `crate::Error`
            }
            let mut add = |from: String, to: String| {
                if from != to {
                    edges
                        .entry(from)
                        .or_default()
                        .entry(to)
                        .or_insert(rel.clone());
                }
            };
            add(me[0].clone(), p[0].clone());
            // second level: between the modules inside one top-level module
            if me.len() >= 2 && p.len() >= 2 && me[0] == p[0] && is_module(&p[..2]) {
                add(me[..2].join("::"), p[..2].join("::"));
            }
        }
        // `super::x` inside `top::sub::…` refers to a sibling of `sub`
        if me.len() == 2 {
            for (at, _) in code.match_indices("super::") {
                let name: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let sib = vec![me[0].clone(), name];
                if is_module(&sib) {
                    edges
                        .entry(me.join("::"))
                        .or_default()
                        .entry(sib.join("::"))
                        .or_insert(rel.clone());
                }
            }
        }
    }
    Graph { edges }
}

/// A cycle through `start`, if any (depth-first search).
fn cycle(g: &Graph, start: &str) -> Option<Vec<String>> {
    fn dfs(
        g: &Graph,
        at: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for to in g.edges.get(at).into_iter().flat_map(|m| m.keys()) {
            if to == start {
                path.push(to.clone());
                return true;
            }
            if seen.insert(to.clone()) {
                path.push(to.clone());
                if dfs(g, to, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    dfs(g, start, start, &mut path, &mut seen).then_some(path)
}

#[test]
fn layers_only_point_down() {
    let g = read_graph();
    let mut wrong = Vec::new();
    for (from, tos) in &g.edges {
        let Some(lf) = layer(from.split("::").next().unwrap()) else {
            wrong.push(format!(
                "{from} is in no layer (add it to LAYERS and the README code map)"
            ));
            continue;
        };
        for (to, file) in tos {
            let lt = layer(to.split("::").next().unwrap()).unwrap_or(usize::MAX);
            if lt > lf {
                wrong.push(format!("{from} uses {to}, a layer above it ({file})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_module_cycles() {
    let g = read_graph();
    let mut found = BTreeSet::new();
    for m in g.edges.keys() {
        if let Some(c) = cycle(&g, m) {
            let files: Vec<String> = c
                .windows(2)
                .map(|w| format!("{} → {} ({})", w[0], w[1], g.edges[&w[0]][&w[1]]))
                .collect();
            found.insert(files.join(", "));
        }
    }
    assert!(
        found.is_empty(),
        "module cycles:\n{}",
        found.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn only_the_cli_uses_the_generator() {
    let g = read_graph();
    let users: Vec<String> = g
        .edges
        .iter()
        .filter(|(from, tos)| {
            !from.starts_with("cli") && !from.starts_with("synth") && tos.contains_key("synth")
        })
        .map(|(from, tos)| format!("{from} ({})", tos["synth"]))
        .collect();
    assert!(
        users.is_empty(),
        "production code calls the generator: {users:?}"
    );
}

/// The checker itself: it finds what it must find.
#[test]
fn the_checker_sees_paths_cycles_and_test_code() {
    let code = production_code(
        "use crate::domain::model::School; // crate::synth in a comment\n\
         fn f() { let s = \"crate::synth\"; crate::spatial::distance::x(); }\n\
         #[cfg(test)]\nmod tests { use crate::synth; fn g() { let c = '{'; } }\n\
         fn h() { crate::rules::place::p(); }\n",
    );
    let paths = crate_paths(&code);
    assert_eq!(
        paths,
        vec![
            vec!["domain".to_string(), "model".into()],
            vec!["spatial".into(), "distance".into()],
            vec!["rules".into(), "place".into()],
        ]
    );
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        edges
            .entry(a.into())
            .or_default()
            .insert(b.into(), "f".into());
    }
    let g = Graph { edges };
    assert_eq!(cycle(&g, "a").unwrap(), ["a", "b", "c", "a"]);
    assert!(cycle(&g, "d").is_none());
}

#[test]
fn main_is_thin() {
    let main =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/main.rs")).unwrap();
    let n = main.lines().count();
    assert!(
        n <= 150,
        "src/main.rs has {n} lines (at most 150: parse, dispatch, exit codes)"
    );
}

/// No function over 120 lines without a reason: a `// long:` comment in
/// the lines just above it (its comments and attributes).
#[test]
fn long_functions_say_why() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut long = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            let indent = l.len() - t.len();
            let is_fn = [
                "fn ",
                "pub fn ",
                "pub(crate) fn ",
                "pub(super) fn ",
                "const fn ",
            ]
            .iter()
            .any(|p| t.starts_with(p));
            if !is_fn || t.ends_with(';') {
                continue;
            }
            // the closing brace at the same indentation
            let close = format!("{}}}", " ".repeat(indent));
            let Some(end) = lines[i + 1..].iter().position(|x| x.trim_end() == close) else {
                continue;
            };
            let n = end + 2;
            if n <= 120 {
                continue;
            }
            let said = lines[..i]
                .iter()
                .rev()
                .take_while(|x| {
                    let x = x.trim_start();
                    x.starts_with("//") || x.starts_with("#[")
                })
                .any(|x| x.trim_start().starts_with("// long:"));
            if !said {
                let rel = f.strip_prefix(&src).unwrap().display();
                long.push(format!("src/{rel}:{}: {} lines: {}", i + 1, n, t));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 120 lines without a `// long:` reason:\n{}",
        long.join("\n")
    );
}
