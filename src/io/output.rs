//! Writing a set of output files so that each is complete or absent: every
//! file is written into a staging folder inside the output folder and only
//! renamed into place once all of them were written without error.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diag::{Error, Result};

/// CSV text (RFC 4180 quoting) of a header and rows.
pub fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("in-memory write");
    for r in rows {
        w.write_record(&r).expect("in-memory write");
    }
    w.into_inner().expect("in-memory write")
}

/// Output files collected in memory, then committed together.
#[derive(Default)]
pub struct OutputSet {
    files: Vec<(String, Vec<u8>)>,
}

impl OutputSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: &str, bytes: Vec<u8>) {
        self.files.push((name.to_string(), bytes));
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(n, _)| n.as_str())
    }

    /// Write every file to `dir`. On any failure nothing new is left in `dir`.
    pub fn commit(self, dir: &Path) -> Result<Vec<PathBuf>> {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let staging = dir.join(format!(".sunshine-staging-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        let result = (|| {
            for (name, bytes) in &self.files {
                let p = staging.join(name);
                let mut f = fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
                f.write_all(bytes).map_err(|e| Error::io(&p, e))?;
                f.sync_all().map_err(|e| Error::io(&p, e))?;
            }
            let mut out = Vec::new();
            for (name, _) in &self.files {
                let to = dir.join(name);
                fs::rename(staging.join(name), &to).map_err(|e| Error::io(&to, e))?;
                out.push(to);
            }
            Ok(out)
        })();
        let _ = fs::remove_dir_all(&staging);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_all_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = OutputSet::new();
        o.add("a.csv", b"x\n".to_vec());
        o.add("b.json", b"{}".to_vec());
        let written = o.commit(dir.path()).unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(fs::read(dir.path().join("a.csv")).unwrap(), b"x\n");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no staging left"
        );
    }
}
