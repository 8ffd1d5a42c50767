//! Saved read positions (`STATE_DIR/logship.json`), advanced in two phases
//! around the spool append that makes the lines durable: the new positions
//! are first written to `logship.next.json` naming the spool sequence number
//! of the batch, the batch is appended, then the file is renamed over
//! `logship.json`. After a crash the intent file is kept only if the spool
//! holds (or held) that batch, so lines are neither lost nor spooled twice.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

const FILE: &str = "logship.json";
const NEXT: &str = "logship.next.json";

/// Where one file was read up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePos {
    /// Device of the file.
    pub dev: u64,
    /// Inode of the file.
    pub ino: u64,
    /// Bytes consumed.
    pub offset: u64,
    /// Hex of the file's first bytes (up to 64), to tell a replaced file.
    pub fingerprint: String,
}

/// Positions of one configured path: the file there, and a rotated-away file
/// still being drained.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathPos {
    /// The file currently at the path.
    pub current: Option<FilePos>,
    /// The previous file, renamed by rotation, not yet finished.
    pub draining: Option<FilePos>,
}

/// Every source's position.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Positions {
    /// Spool sequence number of the batch that carried the last lines.
    pub seq: u64,
    /// Per configured file path.
    pub files: BTreeMap<String, PathPos>,
    /// Cursor of the last journal entry read.
    pub journal: Option<String>,
}

fn write_synced(path: &Path, p: &Positions) -> io::Result<()> {
    let mut f = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(path)?;
    f.write_all(&serde_json::to_vec(p).map_err(io::Error::other)?)?;
    f.sync_all()
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn read(path: &Path) -> io::Result<Option<Positions>> {
    match fs::read(path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Load the saved positions, settling an intent left by a crash with
/// `was_appended` (does the spool hold or did it hold that sequence number).
/// `None` when nothing was ever saved.
pub fn load(dir: &Path, was_appended: impl Fn(u64) -> bool) -> io::Result<Option<Positions>> {
    if let Some(next) = read(&dir.join(NEXT))? {
        if was_appended(next.seq) {
            commit(dir)?;
        } else {
            abort(dir)?;
        }
    }
    read(&dir.join(FILE))
}

/// Phase one: record the positions a batch about to be appended reaches.
pub fn prepare(dir: &Path, p: &Positions) -> io::Result<()> {
    write_synced(&dir.join(NEXT), p)
}

/// Phase two: the batch is in the spool; make its positions the saved ones.
pub fn commit(dir: &Path) -> io::Result<()> {
    fs::rename(dir.join(NEXT), dir.join(FILE))?;
    sync_dir(dir)
}

/// The append failed: forget the intent.
pub fn abort(dir: &Path) -> io::Result<()> {
    match fs::remove_file(dir.join(NEXT)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Save positions that no spooled batch carries (only filtered lines were read).
pub fn save_direct(dir: &Path, p: &Positions) -> io::Result<()> {
    prepare(dir, p)?;
    commit(dir)
}
