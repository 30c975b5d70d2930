//! What a run was made from: the size and SHA-256 of every input file
//! (the scenario, each `extends` base, every dataset file read), written
//! into `summary.json` and `manifest.json` so that `sunshine verify` (and a
//! notary with `sha256sum`) can tell whether the inputs are still those of
//! the published result.

use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::domain::diag::{Error, Result};

/// Lowercase hex SHA-256 of `bytes` (as `sha256sum` prints it).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One input file of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// The path relative to the scenario file's folder, with `/`
    /// separators (`../data/longtan/students.csv`), so the record does not
    /// depend on where the folders lie or on the operating system.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256: String,
}

impl InputFile {
    /// Read and digest `path`, named relative to `base` (the scenario's
    /// folder).
    pub fn read(path: &Path, base: &Path) -> Result<InputFile> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Ok(InputFile {
            file: relative(base, path),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
        })
    }

    /// The entry of `summary.json` and `manifest.json`:
    /// `{"file": …, "bytes": …, "sha256": …}`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({"file": self.file, "bytes": self.bytes, "sha256": self.sha256})
    }

    /// An entry read back from `summary.json` (`None` if malformed).
    pub fn from_json(v: &serde_json::Value) -> Option<InputFile> {
        Some(InputFile {
            file: v["file"].as_str()?.to_string(),
            bytes: v["bytes"].as_u64()?,
            sha256: v["sha256"].as_str()?.to_string(),
        })
    }
}

/// Digest each of `paths` (duplicates once, in first-seen order), named
/// relative to the scenario file's folder.
pub fn input_files<'a>(
    scenario: &Path,
    paths: impl IntoIterator<Item = &'a Path>,
) -> Result<Vec<InputFile>> {
    // a bare file name has the empty parent, which `absolute` refuses:
    // its folder is the current one
    let base = match scenario.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for p in paths {
        let key = normal(p);
        if seen.insert(key) {
            out.push(InputFile::read(p, base)?);
        }
    }
    Ok(out)
}

/// `path` lexically made absolute (against the current folder) with `.`
/// and `..` resolved: two spellings of one file compare equal.
fn normal(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// `path` relative to the folder `base`, with `/` separators (`..` where
/// it lies outside); the path itself if they share no root (another drive).
pub fn relative(base: &Path, path: &Path) -> String {
    let (b, p) = (normal(base), normal(path));
    let bc: Vec<Component> = b.components().collect();
    let pc: Vec<Component> = p.components().collect();
    let common = bc.iter().zip(&pc).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return p.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = vec!["..".to_string(); bc.len() - common];
    parts.extend(
        pc[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_use_slashes_and_dots() {
        assert_eq!(
            relative(
                Path::new("/a/scenarios"),
                Path::new("/a/scenarios/../data/x.csv")
            ),
            "../data/x.csv"
        );
        assert_eq!(
            relative(Path::new("/a/s"), Path::new("/a/s/base.toml")),
            "base.toml"
        );
        assert_eq!(
            relative(Path::new("/a/s/t"), Path::new("/a/u/v")),
            "../../u/v"
        );
    }

    /// A scenario named by its bare file name (run in its folder): the
    /// inputs are still named relative to it (planner check: absolute
    /// paths were recorded, and a copied folder failed `verify`).
    #[test]
    fn a_bare_scenario_name_gives_relative_paths() {
        let here = std::env::current_dir().unwrap();
        let s = Path::new("Cargo.toml");
        let data = here.join("src/lib.rs");
        let files = input_files(s, [s, data.as_path()]).unwrap();
        assert_eq!(files[0].file, "Cargo.toml");
        assert_eq!(files[1].file, "src/lib.rs");
    }

    #[test]
    fn files_are_digested_once() {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("s.toml");
        std::fs::write(&s, "abc").unwrap();
        let again = dir.path().join(".").join("s.toml");
        let files = input_files(&s, [s.as_path(), again.as_path()]).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].file, "s.toml");
        assert_eq!(files[0].bytes, 3);
        assert_eq!(
            files[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            InputFile::from_json(&files[0].json()),
            Some(files[0].clone())
        );
    }
}
