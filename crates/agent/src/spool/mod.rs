//! On-disk spool of batches waiting to be shipped.
//!
//! Append-only segment files (`seg-<first seq>.log`) of CRC-framed records,
//! each append fsynced; a state file keeps the acknowledged watermark. The
//! spool is bounded by total size and by age: when a bound is exceeded the
//! oldest segment is deleted and its un-acknowledged records are counted as
//! dropped. Records come back from [`Spool::pending`] in sequence order until
//! [`Spool::ack`]ed; a restart resumes after the last acknowledged record, and
//! a torn tail left by a crash is cut off.

mod bounds;
mod pacer;
mod segment;
mod state;

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use pacer::Pacer;
pub use segment::Record;
use segment::{FRAME_HEADER, SegmentMeta};
use state::State;

/// Why a spool operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// File system error.
    #[error("spool {path}: {source}")]
    Io {
        /// File or directory involved.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A record larger than a whole segment cannot be kept.
    #[error("record of {0} bytes exceeds the segment size")]
    TooLarge(u64),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Size and age bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpoolConfig {
    /// Total bytes of segments kept at most.
    pub max_bytes: u64,
    /// Records older than this are dropped.
    pub max_age: Duration,
    /// A new segment is started when the current one would exceed this.
    pub segment_bytes: u64,
}

impl Default for SpoolConfig {
    fn default() -> Self {
        Self {
            max_bytes: 64 << 20,
            max_age: Duration::from_secs(7 * 86_400),
            segment_bytes: 1 << 20,
        }
    }
}

/// Counters describing the spool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpoolStats {
    /// Bytes in segment files.
    pub bytes: u64,
    /// Segment files.
    pub segments: usize,
    /// Records not yet acknowledged.
    pub pending: u64,
    /// Records dropped un-acknowledged since the spool was created.
    pub dropped: u64,
    /// Acknowledged watermark.
    pub acked_seq: u64,
    /// Sequence number the next append gets.
    pub next_seq: u64,
}

/// The spool directory, opened.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    cfg: SpoolConfig,
    segments: Vec<SegmentMeta>,
    state: State,
    next_seq: u64,
}

impl Spool {
    /// Open (or create) the spool in `dir`, recovering from a crash.
    pub fn open(dir: &Path, cfg: SpoolConfig) -> Result<Self, SpoolError> {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        let state = state::load(dir).map_err(io_err(dir))?;
        let mut names: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(io_err(dir))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("seg-") && n.ends_with(".log"))
            })
            .collect();
        names.sort();
        let mut spool = Spool {
            dir: dir.to_path_buf(),
            cfg,
            segments: Vec::new(),
            state,
            next_seq: 0,
        };
        for path in &names {
            let scan = segment::scan(path).map_err(io_err(path))?;
            if scan.garbage > 0 {
                // A torn append from a crash (or a corrupt frame): cut it off so the
                // segment stays readable and appends continue cleanly.
                let f = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(io_err(path))?;
                f.set_len(scan.meta.bytes).map_err(io_err(path))?;
                f.sync_all().map_err(io_err(path))?;
                if let Some(seq) = scan.torn_seq {
                    spool.state.high_seq = spool.state.high_seq.max(seq);
                }
            }
            if scan.meta.index.is_empty() {
                fs::remove_file(path).map_err(io_err(path))?;
            } else {
                spool.segments.push(scan.meta);
            }
        }
        let top = spool
            .segments
            .iter()
            .filter_map(SegmentMeta::last_seq)
            .max()
            .unwrap_or(0);
        spool.next_seq = top.max(spool.state.acked_seq).max(spool.state.high_seq) + 1;
        spool.remove_acked_segments()?;
        Ok(spool)
    }

    /// The bounds in force.
    pub fn config(&self) -> SpoolConfig {
        self.cfg
    }

    /// Change the bounds (e.g. on configuration reload).
    pub fn set_config(&mut self, cfg: SpoolConfig) {
        self.cfg = cfg;
    }

    /// Append a record collected at `ts_ms`, returning its sequence number.
    /// The record is on disk (fsynced) when this returns. Enforces the size bound.
    pub fn append(&mut self, ts_ms: i64, payload: &[u8]) -> Result<u64, SpoolError> {
        let frame_len = FRAME_HEADER + payload.len() as u64;
        if frame_len > self.cfg.segment_bytes {
            return Err(SpoolError::TooLarge(frame_len));
        }
        let seq = self.next_seq;
        let need_new = match self.segments.last() {
            None => true,
            Some(s) => s.bytes + frame_len > self.cfg.segment_bytes,
        };
        if need_new {
            let path = self.dir.join(format!("seg-{seq:020}.log"));
            self.segments.push(SegmentMeta {
                path,
                index: Vec::new(),
                bytes: 0,
                newest_ts: i64::MIN,
            });
        }
        let seg = self
            .segments
            .last_mut()
            .ok_or(SpoolError::TooLarge(frame_len))?;
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&seg.path)
            .map_err(io_err(&seg.path))?;
        f.write_all(&segment::encode(seq, ts_ms, payload))
            .map_err(io_err(&seg.path))?;
        f.sync_data().map_err(io_err(&seg.path))?;
        if need_new {
            state::sync_dir(&self.dir).map_err(io_err(&self.dir))?;
        }
        seg.index.push((seq, seg.bytes));
        seg.bytes += frame_len;
        seg.newest_ts = seg.newest_ts.max(ts_ms);
        self.next_seq += 1;
        while self.total_bytes() > self.cfg.max_bytes && self.segments.len() > 1 {
            self.drop_oldest()?;
        }
        Ok(seq)
    }

    /// Up to `max` un-acknowledged records, oldest first.
    pub fn pending(&self, max: usize) -> Result<Vec<Record>, SpoolError> {
        let mut out = Vec::new();
        for seg in &self.segments {
            if out.len() >= max {
                break;
            }
            let Some(&(_, offset)) = seg.index.iter().find(|(s, _)| *s > self.state.acked_seq)
            else {
                continue;
            };
            segment::read_from(&seg.path, offset, |_, r| {
                if r.seq > self.state.acked_seq {
                    out.push(r);
                }
                out.len() < max
            })
            .map_err(io_err(&seg.path))?;
        }
        Ok(out)
    }

    /// Acknowledge every record up to and including `seq`; fully acknowledged
    /// segments are deleted.
    pub fn ack(&mut self, seq: u64) -> Result<(), SpoolError> {
        if seq <= self.state.acked_seq {
            return Ok(());
        }
        self.state.acked_seq = seq;
        self.state.high_seq = self.state.high_seq.max(seq);
        state::save(&self.dir, &self.state).map_err(io_err(&self.dir))?;
        self.remove_acked_segments()
    }

    /// Whether the record `seq` was appended at some point: it is still held,
    /// was acknowledged, or was dropped by a bound. A torn (cut-off) append
    /// and a sequence number not yet handed out give `false`.
    pub fn was_appended(&self, seq: u64) -> bool {
        if seq == 0 || seq >= self.next_seq {
            return false;
        }
        if seq <= self.state.acked_seq {
            return true;
        }
        let mut held = self.segments.iter().flat_map(|s| &s.index).map(|(s, _)| *s);
        match held.next() {
            Some(first) if seq < first => true,
            Some(first) => first == seq || held.any(|s| s == seq),
            None => false,
        }
    }

    /// Current counters.
    pub fn stats(&self) -> SpoolStats {
        let pending = self
            .segments
            .iter()
            .flat_map(|s| &s.index)
            .filter(|(s, _)| *s > self.state.acked_seq)
            .count();
        SpoolStats {
            bytes: self.total_bytes(),
            segments: self.segments.len(),
            pending: pending as u64,
            dropped: self.state.dropped,
            acked_seq: self.state.acked_seq,
            next_seq: self.next_seq,
        }
    }
}
