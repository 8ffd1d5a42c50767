//! Log shipping: tail files and the systemd journal, filter, rate-limit, and
//! put the lines into the spool as `LogLine` payloads, in the same batches as
//! metrics (or alone when a batch of lines fills up between collections).
//!
//! Read positions (device, inode, offset and first-bytes fingerprint per file;
//! the journal cursor) advance only together with the spool append that holds
//! the lines, in two phases (see [`position`]): a crash re-reads exactly what
//! was not spooled, and nothing spooled is read again. Lines read but not yet
//! spooled live only in memory and are re-read after a restart or a rewind.

mod config;
mod file;
mod filter;
mod journal;
pub mod position;

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use config::LogsConfig;
pub use filter::{Filter, RateLimit};
pub use journal::parse_entry;
use onestop_proto::{LogLine, Payload, ProtoError};
use position::Positions;

use crate::metrics::Metrics;
use crate::ship::pack_payload;
use crate::spool::{Spool, SpoolError};

/// Why spooling lines failed. The caller rewinds with [`Tailer::open`].
#[derive(Debug, thiserror::Error)]
pub enum LogshipError {
    /// The spool refused the append.
    #[error("{0}")]
    Spool(#[from] SpoolError),
    /// The positions file could not be written.
    #[error("log positions: {0}")]
    Io(#[from] io::Error),
    /// The payload could not be encoded.
    #[error("payload: {0}")]
    Proto(#[from] ProtoError),
    /// A pattern does not compile.
    #[error("pattern: {0}")]
    Pattern(#[from] regex::Error),
}

/// Counters for the agent's own metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogStats {
    /// Lines read from all sources.
    pub read: u64,
    /// Lines put into the spool.
    pub spooled: u64,
    /// Lines left out by the include/exclude patterns.
    pub excluded: u64,
    /// Lines dropped by the rate limit.
    pub rate_dropped: u64,
    /// Lines cut to `max_line_bytes`.
    pub cut: u64,
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `*` and `?` wildcard match of a file name.
fn wildcard(pat: &[u8], name: &[u8]) -> bool {
    match (pat.first(), name.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            wildcard(&pat[1..], name) || (!name.is_empty() && wildcard(pat, &name[1..]))
        }
        (Some(b'?'), Some(_)) => wildcard(&pat[1..], &name[1..]),
        (Some(p), Some(n)) if p == n => wildcard(&pat[1..], &name[1..]),
        _ => false,
    }
}

/// The configured paths, wildcards in the last component expanded.
pub fn expand(patterns: &[String]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for p in patterns {
        let path = Path::new(p);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.contains(['*', '?']) {
            out.insert(path.to_path_buf());
            continue;
        }
        let dir = path.parent().unwrap_or(Path::new("/"));
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let n = e.file_name();
            if wildcard(name.as_bytes(), n.as_encoded_bytes()) && e.path().is_file() {
                out.insert(e.path());
            }
        }
    }
    out
}

fn cut(mut s: String, max: usize) -> (String, bool) {
    if s.len() <= max {
        return (s, false);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    (s, true)
}

/// Every log source of the host, with its filter and rate limit.
#[derive(Debug)]
pub struct Tailer {
    cfg: LogsConfig,
    dir: PathBuf,
    files: BTreeMap<PathBuf, file::FileTail>,
    journal: Option<journal::Journal>,
    filter: Filter,
    limit: RateLimit,
    buf: Vec<LogLine>,
    buf_bytes: usize,
    full: bool,
    committed: Positions,
    stats: LogStats,
}

struct Intake<'a> {
    cfg: &'a LogsConfig,
    filter: &'a Filter,
    limit: &'a mut RateLimit,
    buf: &'a mut Vec<LogLine>,
    buf_bytes: &'a mut usize,
    full: &'a mut bool,
    stats: &'a mut LogStats,
    now_ms: i64,
}

impl Intake<'_> {
    /// Take a line; `false` when the batch is full (the line stays unread).
    fn take(&mut self, line: LogLine) -> bool {
        let (text, was_cut) = cut(line.line, self.cfg.max_line_bytes);
        if !self.filter.keeps(&text) {
            self.stats.read += 1;
            self.stats.excluded += 1;
            return true;
        }
        let line = LogLine { line: text, ..line };
        let size = serde_json::to_vec(&line).map_or(usize::MAX / 4, |v| v.len() + 1);
        if !self.buf.is_empty() && *self.buf_bytes + size > self.cfg.batch_bytes {
            *self.full = true;
            return false;
        }
        self.stats.read += 1;
        self.stats.cut += u64::from(was_cut);
        if !self.limit.allow(self.now_ms) {
            self.stats.rate_dropped += 1;
            return true;
        }
        *self.buf_bytes += size;
        self.buf.push(line);
        true
    }
}

impl Tailer {
    /// Open every source at its saved position (settling a crashed append
    /// against `spool`).
    pub fn open(state_dir: &Path, cfg: LogsConfig, spool: &Spool) -> Result<Self, LogshipError> {
        let saved = position::load(state_dir, |s| spool.was_appended(s))?;
        let first_start = saved.is_none();
        let committed = saved.unwrap_or_default();
        let mut files = BTreeMap::new();
        let mut paths = expand(&cfg.files);
        // Still drain a rotated file whose path is gone now.
        paths.extend(committed.files.keys().map(PathBuf::from).filter(|p| {
            cfg.files
                .iter()
                .any(|pat| wildcard(pat.as_bytes(), p.as_os_str().as_encoded_bytes()))
        }));
        for p in paths {
            let pos = committed.files.get(&p.to_string_lossy().into_owned());
            let t = file::FileTail::resume(&p, pos, cfg.read_existing || !first_start);
            files.insert(p, t);
        }
        let journal = cfg.journal.then(|| {
            journal::Journal::new(
                &cfg.journalctl,
                cfg.journal_directory.as_deref(),
                committed.journal.clone(),
                cfg.read_existing,
            )
        });
        Ok(Self {
            filter: Filter::new(&cfg.include, &cfg.exclude)?,
            limit: RateLimit::new(cfg.rate_per_second, cfg.rate_burst),
            dir: state_dir.to_path_buf(),
            files,
            journal,
            buf: Vec::new(),
            buf_bytes: 0,
            full: false,
            committed,
            stats: LogStats::default(),
            cfg,
        })
    }

    /// The configuration the tailer runs with.
    pub fn config(&self) -> &LogsConfig {
        &self.cfg
    }

    /// Counters so far (this process).
    pub fn stats(&self) -> LogStats {
        self.stats
    }

    /// Whether a batch of lines is ready to be spooled without waiting.
    pub fn full(&self) -> bool {
        self.full
    }

    /// Read what the sources have, up to one batch.
    pub fn poll(&mut self, now_ms: i64) {
        for p in expand(&self.cfg.files) {
            self.files
                .entry(p.clone())
                .or_insert_with(|| file::FileTail::resume(&p, None, true));
        }
        let mut intake = Intake {
            cfg: &self.cfg,
            filter: &self.filter,
            limit: &mut self.limit,
            buf: &mut self.buf,
            buf_bytes: &mut self.buf_bytes,
            full: &mut self.full,
            stats: &mut self.stats,
            now_ms,
        };
        for (path, tail) in &mut self.files {
            let source = path.to_string_lossy().into_owned();
            let mut sink = |b: &[u8]| {
                intake.take(LogLine {
                    source: source.clone(),
                    ts_ms: now_ms,
                    line: String::from_utf8_lossy(b).into_owned(),
                    cursor: None,
                })
            };
            if let Err(e) = tail.poll(&mut sink) {
                eprintln!("onestop-agent: logs: {}: {e}", path.display());
            }
        }
        if let Some(j) = &mut self.journal {
            j.poll(&mut |l| intake.take(l.clone()));
        }
    }

    fn positions(&self) -> Positions {
        Positions {
            seq: self.committed.seq,
            files: self
                .files
                .iter()
                .map(|(p, t)| (p.to_string_lossy().into_owned(), t.pos()))
                .collect(),
            journal: self
                .journal
                .as_ref()
                .map_or(self.committed.journal.clone(), |j| j.cursor.clone()),
        }
    }

    /// Put the lines read so far into `payload` and append it to the spool
    /// (split into a metrics record and a lines record if one is too big),
    /// then advance the saved positions. An empty payload without lines is
    /// not appended. On error, rewind by opening a new tailer.
    pub fn spool_with(
        &mut self,
        spool: &mut Spool,
        ts_ms: i64,
        mut payload: Payload,
    ) -> Result<(), LogshipError> {
        let mut pos = self.positions();
        let lines = std::mem::take(&mut self.buf);
        let n = lines.len() as u64;
        self.buf_bytes = 0;
        self.full = false;
        let has_other = !payload.series.is_empty() || payload.inventory.is_some();
        if lines.is_empty() {
            if has_other {
                spool.append(ts_ms, &pack_payload(&payload)?)?;
            }
            if pos != self.committed {
                position::save_direct(&self.dir, &pos)?;
                self.committed = pos;
            }
            return Ok(());
        }
        payload.logs = lines;
        let mut packed = pack_payload(&payload)?;
        if has_other && packed.len() as u64 + 64 > spool.config().segment_bytes {
            let logs = std::mem::take(&mut payload.logs);
            spool.append(ts_ms, &pack_payload(&payload)?)?;
            packed = pack_payload(&Payload {
                logs,
                ..Payload::default()
            })?;
        }
        pos.seq = spool.stats().next_seq;
        position::prepare(&self.dir, &pos)?;
        match spool.append(ts_ms, &packed) {
            Ok(seq) => {
                debug_assert_eq!(seq, pos.seq);
                position::commit(&self.dir)?;
                self.committed = pos;
                self.stats.spooled += n;
                Ok(())
            }
            Err(e) => {
                position::abort(&self.dir)?;
                Err(e.into())
            }
        }
    }

    /// Add the counters to the agent's own metrics.
    pub fn self_metrics(&self, m: &mut Metrics) {
        let s = self.stats;
        m.counter(
            "onestop_agent_log_lines_read_total",
            "Log lines read from files and the journal.",
            &[],
            s.read as f64,
        );
        m.counter(
            "onestop_agent_log_lines_spooled_total",
            "Log lines put into the spool.",
            &[],
            s.spooled as f64,
        );
        for (reason, v) in [("excluded", s.excluded), ("rate_limit", s.rate_dropped)] {
            m.counter(
                "onestop_agent_log_lines_dropped_total",
                "Log lines not shipped, by reason.",
                &[("reason", reason)],
                v as f64,
            );
        }
        m.counter(
            "onestop_agent_log_lines_cut_total",
            "Log lines cut to max_line_bytes.",
            &[],
            s.cut as f64,
        );
        m.gauge(
            "onestop_agent_log_files",
            "Log files being tailed.",
            &[],
            self.files.len() as f64,
        );
    }
}
