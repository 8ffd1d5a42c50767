//! The spool's small state file: acknowledged watermark, drop counter and the
//! highest sequence number ever handed out. Written atomically (temp file,
//! fsync, rename, fsync of the directory).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

pub(crate) const STATE_FILE: &str = "state.json";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    /// Every record with a sequence number up to this one was acknowledged or dropped.
    pub acked_seq: u64,
    /// Records dropped un-acknowledged because of the size or age bounds.
    pub dropped: u64,
    /// Highest sequence number of a dropped or acknowledged record.
    pub high_seq: u64,
}

pub(crate) fn load(dir: &Path) -> io::Result<State> {
    match fs::read(dir.join(STATE_FILE)) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(State::default()),
        Err(e) => Err(e),
    }
}

pub(crate) fn save(dir: &Path, state: &State) -> io::Result<()> {
    let tmp = dir.join("state.json.tmp");
    let mut f = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&tmp)?;
    f.write_all(&serde_json::to_vec(state).map_err(io::Error::other)?)?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(STATE_FILE))?;
    sync_dir(dir)
}

/// Make renames, creations and deletions in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
