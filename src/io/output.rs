//! Writing a set of output files so that the output folder always holds one
//! whole set: the previous one or the new one, never a mix, whatever
//! fails and wherever the process is killed.
//!
//! A folder cannot be changed file by file atomically, but a folder can be
//! renamed atomically, so the set is switched by renaming folders. For an
//! output folder `P/NAME`, every helper entry lives beside it in `P`:
//!
//! 1. **Lock** `P/.NAME.sunshine-lock`, created exclusively and holding the
//!    owner's PID. A lock whose PID no longer runs is stale and is taken
//!    over; a live one is waited for (60 s, or `SUNSHINE_LOCK_WAIT_MS`),
//!    then the run fails with a message naming the lock file.
//! 2. **Recover** what a killed run left ([`recover`]): the folder missing
//!    with a complete staged set → the staged set is switched in; missing
//!    without one → the previous folder is put back; a leftover previous
//!    folder → entries not yet carried over are moved back, then it is
//!    removed; staged folders of dead runs (and `.sunshine-staging-*`
//!    folders of older versions) are removed.
//! 3. **Stage** `P/.NAME.sunshine-new-PID`: every file written and synced,
//!    then `manifest.json` (size and SHA-256 of each file) last.
//! 4. **Carry over** every other entry of `NAME` (the planner's files,
//!    files of other commands, files of an earlier run that this run does
//!    not write): regular files are hard-linked (copied where links are
//!    impossible) into the staged folder; subfolders and links are moved
//!    after the switch.
//! 5. **Switch**: rename `NAME` → `P/.NAME.sunshine-old-PID`, then the
//!    staged folder → `NAME` (if that fails the previous folder is renamed
//!    back); move the remaining entries from the old folder; remove it.
//!
//! Between the two renames of step 5 `NAME` is briefly missing; a reader
//! then finds no folder, never a mixed one, and the next run recovers.
//!
//! **The current folder.** A folder that is the current folder (or holds
//! it), as with `--out .`, cannot be renamed under the planner's shell. Its
//! set is staged inside it instead, in `.sunshine-inplace-PID`, with
//! `manifest.json`; a journal file `COMMIT` naming the files is then
//! written (atomically, by rename), and the files are renamed into place,
//! the manifest last ([`Target::switch_in_place`]). A run killed before
//! `COMMIT` leaves the folder as it was; one killed after it is finished by
//! the next run before anything else. Only between a kill during those
//! renames and the next run can the folder hold files of two runs, and then
//! its `manifest.json` does not match them ([`verify`] says so). The lock is
//! then `.sunshine-lock` inside the folder.
//! Nothing is deleted that sunshine did not write: files outside the new
//! set are kept (and are not in `manifest.json`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::domain::diag::{Error, Result};

/// The name of the manifest written last into every output set.
pub const MANIFEST: &str = "manifest.json";

/// A staged folder's mark, removed once it is the output folder.
const MARKER: &str = ".sunshine-staged";

/// Staging folders inside a current-folder output (`…-PID`).
const IN_PLACE: &str = ".sunshine-inplace-";

/// The journal of an in-place switch: the files to move, one a line.
const COMMIT: &str = "COMMIT";

/// Format tag of `manifest.json`.
pub const MANIFEST_FORMAT: &str = "sunshine-manifest-v1";

/// Neutralise a CSV cell against formula injection (OWASP "CSV
/// Injection"): a cell starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is what a spreadsheet would run as a formula, so it gets
/// a leading apostrophe, which spreadsheets show as "text" and do not
/// print. Plain numbers (`-1.5`, `+3`, `-2e-3`) are left alone: they are
/// not formulas and stay numbers. [`csv_cell_unescape`] undoes it when
/// sunshine reads its own outputs back.
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') if !is_plain_number(s) => {
            std::borrow::Cow::Owned(format!("'{s}"))
        }
        _ => std::borrow::Cow::Borrowed(s),
    }
}

/// The cell a spreadsheet would hold for a neutralised one: an apostrophe
/// followed by a formula character is removed (the inverse of [`csv_cell`]).
pub fn csv_cell_unescape(s: &str) -> &str {
    match s.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => &s[1..],
        _ => s,
    }
}

/// `[+-]digits[.digits][e[+-]digits]`, the numbers sunshine writes.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// CSV text (RFC 4180 quoting) of a header and rows. Every CSV output goes
/// through here, so every cell is neutralised by [`csv_cell`].
pub fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header.iter().map(|h| csv_cell(h).into_owned()))
        .expect("in-memory write");
    for r in rows {
        w.write_record(r.iter().map(|c| csv_cell(c).into_owned()))
            .expect("in-memory write");
    }
    w.into_inner().expect("in-memory write")
}

/// Output files collected in memory, then committed together.
pub struct OutputSet {
    files: Vec<(String, Vec<u8>)>,
    /// Whether every `.csv` starts with the UTF-8 byte order mark (issue
    /// 17, `--csv-bom`, default on): Excel on Chinese Windows reads a CSV
    /// without it as GBK and shows 乱码 for school names. Applied here,
    /// the one place every output passes, so the manifest's digests cover
    /// the bytes written.
    csv_bom: bool,
    /// The run's input files, listed in `manifest.json` (`place`; see
    /// [`crate::io::provenance`]); none for the other commands.
    inputs: Vec<crate::io::provenance::InputFile>,
}

impl Default for OutputSet {
    fn default() -> Self {
        OutputSet {
            files: Vec::new(),
            csv_bom: true,
            inputs: Vec::new(),
        }
    }
}

/// The UTF-8 byte order mark put before every CSV output by default.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whether an output file name is a CSV (gets the BOM).
fn is_csv_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".csv")
}

/// `bytes` with the byte order mark when `on`, without it when not.
fn with_bom(mut bytes: Vec<u8>, on: bool) -> Vec<u8> {
    let has = bytes.starts_with(UTF8_BOM);
    if on && !has {
        let mut out = Vec::with_capacity(bytes.len() + UTF8_BOM.len());
        out.extend_from_slice(UTF8_BOM);
        out.extend_from_slice(&bytes);
        out
    } else {
        if !on && has {
            bytes.drain(..UTF8_BOM.len());
        }
        bytes
    }
}

pub use crate::io::provenance::sha256_hex;

impl OutputSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a file; a `.csv` gets the UTF-8 byte order mark unless
    /// [`OutputSet::set_csv_bom`] turned it off.
    pub fn add(&mut self, name: &str, bytes: Vec<u8>) {
        let bytes = if is_csv_name(name) {
            with_bom(bytes, self.csv_bom)
        } else {
            bytes
        };
        self.files.push((name.to_string(), bytes));
    }

    /// Put the UTF-8 byte order mark before every `.csv` of the set (`on`,
    /// the default) or none (`--csv-bom false`, for scripts that do not
    /// skip it), for the files added so far and later.
    pub fn set_csv_bom(&mut self, on: bool) {
        self.csv_bom = on;
        for (name, bytes) in &mut self.files {
            if is_csv_name(name) {
                *bytes = with_bom(std::mem::take(bytes), on);
            }
        }
    }

    /// The bytes of the file `name` in the set, as they will be written.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    /// Add `bytes` at the end of the file `name` (a new file if there is
    /// none): `compare --years` adds its sections to `compare.md`.
    pub fn append(&mut self, name: &str, bytes: &[u8]) {
        match self.files.iter_mut().find(|(n, _)| n == name) {
            Some((_, b)) => b.extend_from_slice(bytes),
            None => self.add(name, bytes.to_vec()),
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(n, _)| n.as_str())
    }

    /// The files of the set, in the order added, with their bytes.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(n, b)| (n.as_str(), b.as_slice()))
    }

    /// List the run's input files in `manifest.json` (`inputs`).
    pub fn set_inputs(&mut self, inputs: &[crate::io::provenance::InputFile]) {
        self.inputs = inputs.to_vec();
    }

    /// `manifest.json`: each file's name, size and SHA-256, in the order
    /// added. No time stamp, so equal runs give equal bytes.
    pub fn manifest(&self) -> Vec<u8> {
        let files: Vec<serde_json::Value> = self
            .files
            .iter()
            .map(|(name, bytes)| {
                serde_json::json!({
                    "name": name,
                    "bytes": bytes.len(),
                    "sha256": sha256_hex(bytes),
                })
            })
            .collect();
        let mut m = serde_json::json!({
            "format": MANIFEST_FORMAT,
            "generator": concat!("sunshine ", env!("CARGO_PKG_VERSION")),
            "files": files,
        });
        if !self.inputs.is_empty() {
            m["inputs"] = self.inputs.iter().map(|f| f.json()).collect();
        }
        let mut out = serde_json::to_vec_pretty(&m).expect("json");
        out.push(b'\n');
        out
    }

    /// Write every file and `manifest.json` to `dir` as one set (see the
    /// module documentation). On any failure `dir` keeps its previous
    /// contents. Returns the paths written.
    pub fn commit(self, dir: &Path) -> Result<Vec<PathBuf>> {
        for (name, _) in &self.files {
            let plain = Path::new(name)
                .file_name()
                .is_some_and(|f| f == name.as_str());
            if !plain || name == MANIFEST {
                return Err(Error::Other(format!(
                    "internal: output file name `{name}` is not a plain file name"
                )));
            }
        }
        let target = Target::resolve(dir)?;
        let _lock = Lock::acquire(&target)?;
        for note in recover(&target)? {
            eprintln!("warning: {note}");
        }
        if target.in_place {
            target.switch_in_place(&self)?;
        } else {
            target.switch(&self)?;
        }
        let mut out: Vec<PathBuf> = self.files.iter().map(|(n, _)| dir.join(n)).collect();
        out.push(dir.join(MANIFEST));
        Ok(out)
    }
}

/// Check that `dir` holds a whole set: every file of its `manifest.json`
/// is there with that size and SHA-256. Returns the names of the set.
pub fn verify(dir: &Path) -> std::result::Result<Vec<String>, String> {
    let path = dir.join(MANIFEST);
    let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let m: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if m["format"] != MANIFEST_FORMAT {
        return Err(format!(
            "{}: not a {MANIFEST_FORMAT} manifest",
            path.display()
        ));
    }
    let files = m["files"]
        .as_array()
        .ok_or_else(|| format!("{}: no `files` list", path.display()))?;
    let mut names = Vec::new();
    for f in files {
        let name = f["name"]
            .as_str()
            .ok_or_else(|| format!("{}: a file without a name", path.display()))?;
        let p = dir.join(name);
        let data = fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        if f["bytes"].as_u64() != Some(data.len() as u64)
            || f["sha256"].as_str() != Some(sha256_hex(&data).as_str())
        {
            return Err(format!(
                "{}: differs from {MANIFEST} (not of this run)",
                p.display()
            ));
        }
        names.push(name.to_string());
    }
    Ok(names)
}

/// An injected failure for tests of the switch: `SUNSHINE_FAILPOINT=step`
/// aborts the process at `step` (as a kill would), `step=error` makes the
/// step fail with an I/O error; several are separated by commas. Steps:
/// `staged`, `carried`, `exchange` (`exchange=error` takes the path
/// without an atomic exchange), `moved-out`, `switched`, `moved-back`.
fn failpoint(step: &str) -> std::io::Result<()> {
    let Ok(v) = std::env::var("SUNSHINE_FAILPOINT") else {
        return Ok(());
    };
    for f in v.split(',') {
        if f == step {
            std::process::abort();
        }
        if f.strip_suffix("=error") == Some(step) {
            return Err(std::io::Error::other(format!(
                "injected failure at step `{step}`"
            )));
        }
    }
    Ok(())
}

/// The output folder and its helper entries beside it.
struct Target {
    /// The output folder, absolute with links resolved.
    dir: PathBuf,
    parent: PathBuf,
    name: String,
    /// The folder is the current folder or holds it: it is not renamed,
    /// the set is moved in file by file under a journal.
    in_place: bool,
}

impl Target {
    fn resolve(dir: &Path) -> Result<Target> {
        let usage = |what: &str| {
            Error::Usage(format!(
                "--out {}: {what}; expected a folder for the output files",
                dir.display()
            ))
        };
        let abs = match fs::symlink_metadata(dir) {
            Ok(_) => {
                let abs = fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
                if !abs.is_dir() {
                    return Err(usage("is a file"));
                }
                abs
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let name = dir.file_name().ok_or_else(|| usage("has no name"))?;
                let parent = dir
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                let parent = fs::canonicalize(parent).map_err(|e| Error::io(parent, e))?;
                if !parent.is_dir() {
                    return Err(usage("lies in a file"));
                }
                parent.join(name)
            }
            Err(e) => return Err(Error::io(dir, e)),
        };
        let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
            return Err(usage("is the root of the file system"));
        };
        let name = name
            .to_str()
            .ok_or_else(|| usage("is not valid UTF-8"))?
            .to_string();
        let in_place = std::env::current_dir()
            .and_then(fs::canonicalize)
            .is_ok_and(|cwd| cwd.starts_with(&abs));
        Ok(Target {
            parent: parent.to_path_buf(),
            dir: abs.clone(),
            name,
            in_place,
        })
    }

    fn lock_path(&self) -> PathBuf {
        if self.in_place {
            self.dir.join(".sunshine-lock")
        } else {
            self.parent.join(format!(".{}.sunshine-lock", self.name))
        }
    }

    /// The set staged inside the folder, then moved in file by file under
    /// the `COMMIT` journal (module documentation, "The current folder").
    fn switch_in_place(&self, set: &OutputSet) -> Result<()> {
        let stage = self.dir.join(format!("{IN_PLACE}{}", std::process::id()));
        let mut names: Vec<&str> = set.files.iter().map(|(n, _)| n.as_str()).collect();
        names.push(MANIFEST);
        let staged = (|| -> std::io::Result<()> {
            fs::create_dir(&stage)?;
            for (name, bytes) in &set.files {
                write_synced(&stage.join(name), bytes)?;
            }
            write_synced(&stage.join(MANIFEST), &set.manifest())?;
            let journal = stage.join(format!("{COMMIT}.tmp"));
            write_synced(&journal, names.join("\n").as_bytes())?;
            failpoint("staged")?;
            fs::rename(&journal, stage.join(COMMIT))?;
            sync_dir(&stage);
            failpoint("committed")
        })();
        if let Err(e) = staged {
            let _ = fs::remove_dir_all(&stage);
            return Err(Error::io(&stage, e));
        }
        roll_forward(&stage, &self.dir).map_err(|e| Error::io(&stage, e))
    }

    fn helper(&self, kind: &str, pid: u32) -> PathBuf {
        self.parent
            .join(format!(".{}.sunshine-{kind}-{pid}", self.name))
    }

    /// Helper folders of `kind` beside the output folder, with their PIDs.
    fn helpers(&self, kind: &str) -> Result<Vec<(PathBuf, u32)>> {
        let prefix = format!(".{}.sunshine-{kind}-", self.name);
        let mut out = Vec::new();
        for e in fs::read_dir(&self.parent).map_err(|e| Error::io(&self.parent, e))? {
            let e = e.map_err(|e| Error::io(&self.parent, e))?;
            let n = e.file_name();
            if let Some(pid) = n
                .to_str()
                .and_then(|n| n.strip_prefix(&prefix))
                .and_then(|p| p.parse().ok())
            {
                out.push((e.path(), pid));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Steps 3 to 5 of the module documentation.
    fn switch(&self, set: &OutputSet) -> Result<()> {
        let pid = std::process::id();
        let new = self.helper("new", pid);
        let old = self.helper("old", pid);
        let staged = (|| -> std::io::Result<()> {
            fs::create_dir(&new)?;
            // the marker first: a staged folder without one is never left
            write_synced(&new.join(MARKER), format!("{pid}\n").as_bytes())?;
            for (name, bytes) in &set.files {
                write_synced(&new.join(name), bytes)?;
            }
            write_synced(&new.join(MANIFEST), &set.manifest())?;
            failpoint("staged")
        })();
        if let Err(e) = staged {
            let _ = fs::remove_dir_all(&new);
            return Err(Error::io(&new, e));
        }
        let exists = self.dir.is_dir();
        let mut deferred = Vec::new();
        if exists {
            if let Err(e) = carry_over(&self.dir, &new, &mut deferred) {
                let _ = fs::remove_dir_all(&new);
                return Err(e);
            }
        }
        sync_dir(&new);
        if let Err(e) = failpoint("carried") {
            let _ = fs::remove_dir_all(&new);
            return Err(Error::io(&new, e));
        }
        if !exists {
            fs::rename(&new, &self.dir).map_err(|e| {
                let _ = fs::remove_dir_all(&new);
                Error::io(&self.dir, e)
            })?;
        } else if exchange(&new, &self.dir).is_ok() {
            // `new` now holds the previous folder
            failpoint("switched").map_err(|e| Error::io(&self.dir, e))?;
            fs::rename(&new, &old).map_err(|e| Error::io(&new, e))?;
        } else {
            // no atomic exchange here: two renames, the folder briefly missing
            if let Err(e) = fs::rename(&self.dir, &old).and_then(|()| failpoint("moved-out")) {
                if !self.dir.exists() {
                    let _ = fs::rename(&old, &self.dir);
                }
                let _ = fs::remove_dir_all(&new);
                return Err(Error::io(&self.dir, e));
            }
            if let Err(e) = fs::rename(&new, &self.dir).and_then(|()| failpoint("switched")) {
                if !self.dir.exists() {
                    let _ = fs::rename(&old, &self.dir);
                    let _ = fs::remove_dir_all(&new);
                }
                return Err(Error::io(&self.dir, e));
            }
        }
        sync_dir(&self.parent);
        let marker = self.dir.join(MARKER);
        fs::remove_file(&marker).map_err(|e| Error::io(&marker, e))?;
        if exists {
            finish_old(&old, &self.dir, &deferred)?;
        }
        Ok(())
    }
}

/// Swap two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`); an
/// error where the system or file system cannot.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    failpoint("exchange")?;
    #[cfg(all(target_os = "linux", any(target_env = "gnu", target_env = "musl")))]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| {
            std::ffi::CString::new(p.as_os_str().as_bytes())
                .map_err(|_| std::io::Error::other("a NUL in a path"))
        };
        let (a, b) = (c(a)?, c(b)?);
        // SAFETY: two valid NUL-terminated paths; the call only renames.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
    #[cfg(not(all(target_os = "linux", any(target_env = "gnu", target_env = "musl"))))]
    {
        let _ = (a, b);
        Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Make renames and new entries of a folder durable (where the platform
/// can; a failure here loses no data, only durability after a power cut).
fn sync_dir(dir: &Path) {
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Step 4: link or copy every regular file of `from` that `to` does not
/// have yet into `to`; other entries are listed in `deferred`.
fn carry_over(from: &Path, to: &Path, deferred: &mut Vec<std::ffi::OsString>) -> Result<()> {
    for e in fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let e = e.map_err(|e| Error::io(from, e))?;
        let name = e.file_name();
        let dest = to.join(&name);
        if dest.exists() {
            continue;
        }
        if name.to_str().is_some_and(is_legacy_staging) {
            continue;
        }
        let ft = e.file_type().map_err(|err| Error::io(&e.path(), err))?;
        if ft.is_file() {
            if fs::hard_link(e.path(), &dest).is_err() {
                fs::copy(e.path(), &dest).map_err(|err| Error::io(&dest, err))?;
                fs::File::open(&dest)
                    .and_then(|f| f.sync_all())
                    .map_err(|err| Error::io(&dest, err))?;
            }
        } else {
            deferred.push(name);
        }
    }
    Ok(())
}

/// The last part of step 5: move the entries that could not be linked
/// from the previous folder, then remove it. Anything that cannot be moved
/// back keeps the previous folder, so nothing is lost.
fn finish_old(old: &Path, dir: &Path, deferred: &[std::ffi::OsString]) -> Result<()> {
    for name in deferred {
        let to = dir.join(name);
        if !to.exists() {
            fs::rename(old.join(name), &to).map_err(|e| {
                Error::Other(format!(
                    "{}: cannot move it back into {} ({e}); the previous files are kept in {}",
                    old.join(name).display(),
                    dir.display(),
                    old.display()
                ))
            })?;
        }
    }
    failpoint("moved-back").map_err(|e| Error::io(old, e))?;
    fs::remove_dir_all(old).map_err(|e| Error::io(old, e))
}

fn is_legacy_staging(name: &str) -> bool {
    name.starts_with(".sunshine-staging-")
}

/// Move the files a `COMMIT` journal names from `stage` into `dir`
/// (`manifest.json` last), then remove `stage`. Files already moved are
/// skipped, so a run killed half-way is finished by calling it again.
fn roll_forward(stage: &Path, dir: &Path) -> std::io::Result<()> {
    let journal = fs::read_to_string(stage.join(COMMIT))?;
    for (i, name) in journal.lines().enumerate() {
        let from = stage.join(name);
        if from.exists() {
            fs::rename(&from, dir.join(name))?;
        }
        if i == 0 {
            failpoint("moved-first")?;
        }
    }
    sync_dir(dir);
    fs::remove_file(stage.join(COMMIT))?;
    fs::remove_dir_all(stage)
}

/// Put right what a killed in-place switch left inside the folder: a
/// committed staging is rolled forward, an uncommitted one of a dead run
/// removed.
fn recover_in_place(dir: &Path) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for e in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(IN_PLACE))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let stage = e.path();
        if stage.join(COMMIT).exists() {
            roll_forward(&stage, dir).map_err(|err| Error::io(&stage, err))?;
            notes.push(format!(
                "{}: finished moving in the files of an interrupted run",
                dir.display()
            ));
        } else if !alive(pid) {
            fs::remove_dir_all(&stage).map_err(|err| Error::io(&stage, err))?;
            notes.push(format!(
                "{}: removed the staged files of an interrupted run",
                stage.display()
            ));
        }
    }
    Ok(notes)
}

/// Step 2: put right what a killed run left. Runs under the lock, so every
/// helper folder found belongs to a run that is no longer switching.
/// A staged folder holds [`MARKER`] until it has been switched in, so after
/// a kill the marker tells which side of the switch a folder is on.
/// Returns notes for the user.
fn recover(t: &Target) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    if t.dir.is_dir() {
        notes.extend(recover_in_place(&t.dir)?);
    }
    if !t.dir.exists() {
        // killed between the two renames of the switch without exchange:
        // the staged set of that run is complete (its manifest was written
        // before), so it goes in; without one the previous folder goes back
        let (news, olds) = (t.helpers("new")?, t.helpers("old")?);
        let staged = olds.iter().rev().find_map(|(_, pid)| {
            news.iter()
                .find(|(n, p)| p == pid && verify(n).is_ok())
                .map(|(n, _)| n.clone())
        });
        if let Some(n) = staged {
            fs::rename(&n, &t.dir).map_err(|e| Error::io(&t.dir, e))?;
            notes.push(format!(
                "{}: an interrupted run had staged a whole set; it was switched in",
                t.dir.display()
            ));
        } else if let Some((o, _)) = olds.last() {
            fs::rename(o, &t.dir).map_err(|e| Error::io(&t.dir, e))?;
            notes.push(format!(
                "{}: an interrupted run had moved the folder away; the previous set was put back",
                t.dir.display()
            ));
        }
    }
    let marker = t.dir.join(MARKER);
    if let Ok(owner) = fs::read_to_string(&marker) {
        // switched in: that run's `new` folder is the previous folder
        if let Ok(pid) = owner.trim().parse::<u32>() {
            let n = t.helper("new", pid);
            if n.is_dir() {
                fs::rename(&n, t.helper("old", pid)).map_err(|e| Error::io(&n, e))?;
            }
        }
        fs::remove_file(&marker).map_err(|e| Error::io(&marker, e))?;
    }
    for (o, _) in t.helpers("old")? {
        if t.dir.is_dir() {
            let names: Vec<std::ffi::OsString> = fs::read_dir(&o)
                .map_err(|e| Error::io(&o, e))?
                .filter_map(|e| e.ok().map(|e| e.file_name()))
                .filter(|n| n != MARKER)
                .collect();
            finish_old(&o, &t.dir, &names)?;
            notes.push(format!(
                "{}: finished the switch of an interrupted run",
                t.dir.display()
            ));
        }
    }
    for (n, pid) in t.helpers("new")? {
        // killed between creating its staging folder and writing the
        // marker: an empty folder (remove_dir removes only an empty one)
        if !n.join(MARKER).exists() && !alive(pid) && fs::remove_dir(&n).is_ok() {
            notes.push(format!(
                "{}: removed the empty staging folder of an interrupted run",
                n.display()
            ));
            continue;
        }
        if n.join(MARKER).exists() {
            fs::remove_dir_all(&n).map_err(|e| Error::io(&n, e))?;
            notes.push(format!(
                "{}: removed the staged files of an interrupted run",
                n.display()
            ));
        }
    }
    if t.dir.is_dir() {
        for e in fs::read_dir(&t.dir).map_err(|e| Error::io(&t.dir, e))? {
            let e = e.map_err(|e| Error::io(&t.dir, e))?;
            let name = e.file_name();
            let pid = name
                .to_str()
                .and_then(|n| n.strip_prefix(".sunshine-staging-"))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(pid) = pid.filter(|&p| !alive(p)) {
                fs::remove_dir_all(e.path()).map_err(|err| Error::io(&e.path(), err))?;
                notes.push(format!(
                    "{}: removed the staging folder of process {pid}, which no longer runs",
                    e.path().display()
                ));
            }
        }
    }
    Ok(notes)
}

/// Whether a process with this id runs (on other systems than Unix we
/// cannot tell, and say yes: a lock is then never taken over silently).
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(p) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 only checks that the process exists.
        let r = unsafe { libc::kill(p, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// The lock of an output folder, released on drop.
struct Lock {
    path: PathBuf,
}

impl Lock {
    fn acquire(t: &Target) -> Result<Lock> {
        let path = t.lock_path();
        let wait = std::env::var("SUNSHINE_LOCK_WAIT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(Duration::from_secs(60), Duration::from_millis);
        let start = Instant::now();
        let me = std::process::id();
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    f.write_all(format!("{me}\n").as_bytes())
                        .and_then(|()| f.sync_all())
                        .map_err(|e| Error::io(&path, e))?;
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
            let owner = fs::read_to_string(&path)
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok());
            match owner {
                Some(pid) if pid != me && alive(pid) => {
                    if start.elapsed() >= wait {
                        return Err(Error::Other(format!(
                            "{}: the output folder is in use by sunshine process {pid} (lock {}); \
                             run again when it has finished, or delete the lock file if no such process runs",
                            t.dir.display(),
                            path.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                // stale (its process is gone) or unreadable after a grace
                // period (a writer may be between creating and writing it)
                Some(_) => Self::take_over(&path, owner)?,
                None if start.elapsed() >= Duration::from_secs(2) => Self::take_over(&path, owner)?,
                None => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Remove a stale lock, unless another run replaced it meanwhile.
    fn take_over(path: &Path, seen: Option<u32>) -> Result<()> {
        let aside = path.with_extension(format!("stale-{}", std::process::id()));
        if fs::rename(path, &aside).is_err() {
            return Ok(()); // someone else took it; try again
        }
        let now = fs::read_to_string(&aside)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        if now != seen && !path.exists() {
            // it was a fresh lock of a live run: put it back
            let _ = fs::rename(&aside, path);
            return Ok(());
        }
        fs::remove_file(&aside).map_err(|e| Error::io(&aside, e))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_all_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut o = OutputSet::new();
        o.add("a.csv", b"x\n".to_vec());
        o.add("b.json", b"{}".to_vec());
        let written = o.commit(&out).unwrap();
        assert_eq!(written.len(), 3);
        // a CSV gets the byte order mark, other files are as given
        assert_eq!(fs::read(out.join("a.csv")).unwrap(), b"\xEF\xBB\xBFx\n");
        assert_eq!(fs::read(out.join("b.json")).unwrap(), b"{}");
        assert_eq!(fs::read_dir(&out).unwrap().count(), 3, "no staging left");
        assert_eq!(verify(&out).unwrap(), vec!["a.csv", "b.json"]);
        let beside: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(beside.len(), 1, "no lock or helper folder left");
    }

    #[test]
    fn the_bom_is_put_once_and_can_be_turned_off() {
        let mut o = OutputSet::new();
        o.add("a.csv", b"\xEF\xBB\xBFx\n".to_vec());
        o.add("b.CSV", b"y\n".to_vec());
        assert_eq!(o.get("a.csv").unwrap(), b"\xEF\xBB\xBFx\n");
        assert_eq!(o.get("b.CSV").unwrap(), b"\xEF\xBB\xBFy\n");
        o.set_csv_bom(false);
        o.add("c.csv", b"z\n".to_vec());
        assert_eq!(o.get("a.csv").unwrap(), b"x\n");
        assert_eq!(o.get("c.csv").unwrap(), b"z\n");
        let m = String::from_utf8(o.manifest()).unwrap();
        assert!(m.contains(&sha256_hex(b"x\n")), "{m}");
    }

    /// A set of two CSVs without the byte order mark (these tests are
    /// about the switch, not the mark).
    fn set(tag: &str) -> OutputSet {
        let mut o = OutputSet::new();
        o.set_csv_bom(false);
        o.add("a.csv", format!("{tag} a\n").into_bytes());
        o.add("b.csv", format!("{tag} b\n").into_bytes());
        o
    }

    /// The planner's files and folders are kept; the set is replaced.
    #[test]
    fn other_files_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        set("one").commit(&out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        fs::create_dir(out.join("sub")).unwrap();
        fs::write(out.join("sub/x.txt"), "deep").unwrap();
        set("two").commit(&out).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "two a\n");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(out.join("sub/x.txt")).unwrap(), "deep");
        verify(&out).unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_is_not_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        fs::write(&f, "x").unwrap();
        let e = set("one").commit(&f).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e}");
        assert!(e.to_string().contains("is a file"), "{e}");
    }

    /// A killed run's leftovers: the folder moved away with a complete
    /// staged set → that set goes in; without one → the previous set comes
    /// back; staged folders of dead runs go.
    #[test]
    fn recovery_after_a_kill_between_the_renames() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        set("one").commit(&out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let t = Target::resolve(&out).unwrap();
        // as if process 999999 had staged "two" and moved "out" away
        let (new, old) = (t.helper("new", 999_999), t.helper("old", 999_999));
        fs::create_dir(&new).unwrap();
        let two = set("two");
        for (n, b) in &two.files {
            fs::write(new.join(n), b).unwrap();
        }
        fs::write(new.join(MANIFEST), two.manifest()).unwrap();
        fs::write(new.join(MARKER), "999999\n").unwrap();
        fs::hard_link(out.join("notes.txt"), new.join("notes.txt")).unwrap();
        fs::rename(&out, &old).unwrap();
        let notes = recover(&t).unwrap();
        assert!(!notes.is_empty());
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "two a\n");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        verify(&out).unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);

        // the same without a complete staged set: "two" is put back
        fs::create_dir(&new).unwrap();
        fs::write(new.join(MARKER), "999999\n").unwrap();
        fs::write(new.join("a.csv"), "half").unwrap();
        fs::rename(&out, &old).unwrap();
        recover(&t).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "two a\n");
        verify(&out).unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);

        // killed after creating its staging folder, before the marker:
        // the empty folder goes too (it was left for good before)
        fs::create_dir(&new).unwrap();
        recover(&t).unwrap();
        assert!(!new.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_live_lock_is_waited_for_and_a_dead_one_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let t = Target::resolve(&out).unwrap();
        // a dead owner: a child that has exited and been waited for
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        fs::write(t.lock_path(), format!("{dead}\n")).unwrap();
        set("one").commit(&out).unwrap();
        assert!(!t.lock_path().exists());
        // a live owner: this test's parent process (never us: we'd own it)
        let live = std::os::unix::process::parent_id();
        fs::write(t.lock_path(), format!("{live}\n")).unwrap();
        std::env::set_var("SUNSHINE_LOCK_WAIT_MS", "200");
        let e = set("two").commit(&out).unwrap_err().to_string();
        std::env::remove_var("SUNSHINE_LOCK_WAIT_MS");
        assert!(e.contains("in use by sunshine process"), "{e}");
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "one a\n");
        fs::remove_file(t.lock_path()).unwrap();
    }

    #[test]
    fn csv_cells_cannot_be_formulas() {
        for (raw, safe) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("-1.5", "-1.5"),
            ("+3", "+3"),
            ("-2e-3", "-2e-3"),
            ("Longtan = 1", "Longtan = 1"),
            ("", ""),
            ("龙潭", "龙潭"),
        ] {
            assert_eq!(csv_cell(raw), safe, "{raw:?}");
            assert_eq!(csv_cell_unescape(&csv_cell(raw)), raw, "{raw:?}");
        }
        let b = csv_bytes(
            &["id", "name"],
            [vec!["=1".into(), "@x".into()]].into_iter(),
        );
        assert_eq!(String::from_utf8(b).unwrap(), "id,name\n'=1,'@x\n");
    }
}
