//! Helpers shared by the integration tests that run the binary.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `sunshine` binary with `--lang en`: the tests that check wording
/// check the English text (Chinese, the default, has tests of its own,
/// which use [`command_as_is`]).
pub fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sunshine"));
    c.args(["--lang", "en"]);
    c
}

/// The `sunshine` binary as a planner runs it (default language).
pub fn command_as_is() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sunshine"))
}

/// Run `sunshine` (in English, [`command`]) from the repository root.
pub fn sunshine(args: &[&str]) -> Output {
    command().args(args).current_dir(root()).output().unwrap()
}

/// Run `sunshine` (in English, [`command`]) in `cwd` with extra
/// environment variables (relative paths in the arguments are then
/// relative to `cwd`).
pub fn sunshine_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    run_in(command(), cwd, args, env)
}

/// [`sunshine_in`] as a planner runs it: the default language.
pub fn sunshine_as_is_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    run_in(command_as_is(), cwd, args, env)
}

fn run_in(mut c: Command, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    c.args(args).current_dir(cwd);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// What a run printed on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A CSV file as one map per row, by header.
/// The rows of a CSV output by header name (the UTF-8 byte order mark
/// sunshine writes by default is skipped).
pub fn records(path: &Path) -> Vec<HashMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut r = csv::Reader::from_reader(bytes);
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// `id column → (lon, lat)` of a schools.csv or blocks.csv.
pub fn locations(path: &Path, id: &str) -> HashMap<String, geo::Point<f64>> {
    records(path)
        .into_iter()
        .map(|r| {
            let p = geo::Point::new(r["lon"].parse().unwrap(), r["lat"].parse().unwrap());
            (r[id].clone(), p)
        })
        .collect()
}

/// The good fixture (`tests/fixtures/good`) in a temp folder, with `files`
/// written over it.
pub fn good_fixture_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("tests/fixtures/good")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `sunshine validate` on the folder's scenario.toml: exit code, stdout,
/// stderr with the folder written `{dir}`.
pub fn validate_dir(dir: &Path) -> (i32, String, String) {
    let scenario = dir.join("scenario.toml");
    let out = sunshine(&["validate", scenario.to_str().unwrap()]);
    let stderr = stderr(&out).replace(dir.to_str().unwrap(), "{dir}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}
