//! Tailing one configured path across rotation. The open file is identified
//! by device and inode plus a fingerprint of its first bytes: a rename
//! rotation leaves the old file open to drain (for a grace of a few polls,
//! as the writer may still append until it reopens), a copytruncate shows
//! as a shorter file or changed first bytes and restarts at offset 0.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::position::{FilePos, PathPos};

const FP_LEN: u64 = 64;
const CHUNK: usize = 64 << 10;
/// Polls a rotated file is kept open after it was found at its end.
const DRAIN_GRACE: u32 = 5;

/// An open file and how far it was consumed.
#[derive(Debug)]
pub(crate) struct Open {
    file: File,
    dev: u64,
    ino: u64,
    offset: u64,
    fp: Vec<u8>,
    idle: u32,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Open {
    fn at(path: &Path, offset: Option<u64>) -> io::Result<Open> {
        let file = File::open(path)?;
        let m = file.metadata()?;
        let mut o = Open {
            dev: m.dev(),
            ino: m.ino(),
            offset: offset.unwrap_or(m.len()),
            fp: Vec::new(),
            idle: 0,
            file,
        };
        o.refresh_fp()?;
        Ok(o)
    }

    fn head(&self, n: u64) -> io::Result<Vec<u8>> {
        let mut b = vec![0; n as usize];
        let got = self.file.read_at(&mut b, 0)?;
        b.truncate(got);
        Ok(b)
    }

    fn refresh_fp(&mut self) -> io::Result<()> {
        if (self.fp.len() as u64) < FP_LEN.min(self.offset) {
            self.fp = self.head(FP_LEN.min(self.offset))?;
        }
        Ok(())
    }

    /// Restart from the beginning if the file was truncated or rewritten.
    fn check_truncation(&mut self) -> io::Result<()> {
        let len = self.file.metadata()?.len();
        if len < self.offset || self.head(self.fp.len() as u64)? != self.fp {
            self.offset = 0;
            self.fp.clear();
        }
        Ok(())
    }

    pub(crate) fn pos(&self) -> FilePos {
        FilePos {
            dev: self.dev,
            ino: self.ino,
            offset: self.offset,
            fingerprint: hex(&self.fp),
        }
    }

    /// Hand complete lines to `sink` (which answers `false` to stop before
    /// taking one); with `flush`, a last line without newline too. Returns
    /// whether the end of the file was reached.
    fn read_lines(&mut self, flush: bool, sink: &mut dyn FnMut(&[u8]) -> bool) -> io::Result<bool> {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = self.file.read_at(&mut buf, self.offset)?;
            if n == 0 {
                return Ok(true);
            }
            let data = &buf[..n];
            let mut start = 0;
            while let Some(nl) = data[start..].iter().position(|&b| b == b'\n') {
                if !sink(&data[start..start + nl]) {
                    self.offset += start as u64;
                    return self.refresh_fp().map(|_| false);
                }
                start += nl + 1;
            }
            // A piece without newline: a line longer than the buffer is cut,
            // a partial last line waits unless the file is finished.
            if start == 0 && (n == CHUNK || flush) {
                if !sink(data) {
                    return Ok(false);
                }
                start = n;
            }
            self.offset += start as u64;
            self.refresh_fp()?;
            // Go on after a full buffer, or to flush a partial last line alone.
            if !(n == CHUNK || (flush && start > 0 && start < n)) {
                return Ok(true);
            }
        }
    }
}

/// One configured path.
#[derive(Debug)]
pub(crate) struct FileTail {
    path: PathBuf,
    cur: Option<Open>,
    draining: Option<Open>,
}

fn same(m: &fs::Metadata, o: &Open) -> bool {
    m.dev() == o.dev && m.ino() == o.ino
}

/// Open the file that `pos` describes: at `path`, or renamed in its directory.
fn locate(path: &Path, pos: &FilePos) -> Option<Open> {
    let matches = |p: &Path| {
        fs::metadata(p)
            .ok()
            .filter(|m| m.dev() == pos.dev && m.ino() == pos.ino)
            .and_then(|_| Open::at(p, Some(pos.offset)).ok())
            .filter(|o| {
                hex(&o.head(pos.fingerprint.len() as u64 / 2).unwrap_or_default())
                    == pos.fingerprint
            })
    };
    if let Some(o) = matches(path) {
        return Some(o);
    }
    let dir = path.parent()?;
    fs::read_dir(dir)
        .ok()?
        .flatten()
        .find_map(|e| matches(&e.path()))
}

impl FileTail {
    /// Resume from saved positions; without any, start at the end of an
    /// existing file unless `from_start`.
    pub(crate) fn resume(path: &Path, saved: Option<&PathPos>, from_start: bool) -> Self {
        let mut t = FileTail {
            path: path.to_path_buf(),
            cur: None,
            draining: None,
        };
        let Some(saved) = saved else {
            t.cur = Open::at(path, if from_start { Some(0) } else { None }).ok();
            return t;
        };
        t.draining = saved.draining.as_ref().and_then(|p| locate(path, p));
        match saved.current.as_ref().and_then(|p| locate(path, p)) {
            Some(o) => {
                let here = fs::metadata(path).is_ok_and(|m| same(&m, &o));
                if here {
                    t.cur = Some(o);
                } else {
                    // Rotated while the agent was down.
                    t.draining = Some(o);
                    t.cur = Open::at(path, Some(0)).ok();
                }
            }
            None => t.cur = Open::at(path, Some(0)).ok(),
        }
        t
    }

    pub(crate) fn pos(&self) -> PathPos {
        PathPos {
            current: self.cur.as_ref().map(Open::pos),
            draining: self.draining.as_ref().map(Open::pos),
        }
    }

    /// Read what is new; `sink` gets lines in order until it refuses one.
    pub(crate) fn poll(&mut self, sink: &mut dyn FnMut(&[u8]) -> bool) -> io::Result<()> {
        let meta = fs::metadata(&self.path).ok();
        match (&mut self.cur, &meta) {
            (Some(c), Some(m)) if same(m, c) => c.check_truncation()?,
            (Some(_), _) => {
                // Renamed or removed: drain the old file, then take the new one.
                self.draining = self.cur.take();
                self.cur = meta
                    .as_ref()
                    .and_then(|_| Open::at(&self.path, Some(0)).ok());
            }
            (None, Some(_)) => self.cur = Open::at(&self.path, Some(0)).ok(),
            (None, None) => {}
        }
        if let Some(d) = &mut self.draining {
            if !d.read_lines(true, sink)? {
                return Ok(());
            }
            d.idle += 1;
            if d.idle >= DRAIN_GRACE && self.cur.is_some() {
                self.draining = None;
            }
        }
        if let Some(c) = &mut self.cur {
            c.read_lines(false, sink)?;
        }
        Ok(())
    }
}
