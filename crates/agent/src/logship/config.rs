//! The `[logs]` table of the agent configuration.

use std::path::PathBuf;

use serde::Deserialize;

/// What to tail and how much to let through.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogsConfig {
    /// Tail logs at all.
    pub enabled: bool,
    /// Files to tail; `*` and `?` are allowed in the last path component.
    pub files: Vec<String>,
    /// Follow the systemd journal through `journalctl -o json --follow`.
    pub journal: bool,
    /// `journalctl` binary.
    pub journalctl: PathBuf,
    /// Read journal files from this directory (`journalctl --directory`).
    pub journal_directory: Option<PathBuf>,
    /// On the very first start (no saved position), read what the sources
    /// already hold instead of starting at their end.
    pub read_existing: bool,
    /// Regular expressions; when any are given a line must match one of them.
    pub include: Vec<String>,
    /// Regular expressions; a line matching any of them is not shipped.
    pub exclude: Vec<String>,
    /// Lines per second let through on average for the whole host (0: no limit).
    pub rate_per_second: f64,
    /// Lines let through in a burst above the average rate.
    pub rate_burst: u64,
    /// Longer lines are cut to this many bytes.
    pub max_line_bytes: usize,
    /// Encoded size of the lines of one batch at most, bytes; a batch of
    /// lines is spooled as soon as this much is read.
    pub batch_bytes: usize,
}

impl Default for LogsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            files: [
                "/var/log/syslog",
                "/var/log/messages",
                "/var/log/auth.log",
                "/var/log/secure",
                "/var/log/kern.log",
            ]
            .map(String::from)
            .to_vec(),
            journal: true,
            journalctl: "journalctl".into(),
            journal_directory: None,
            read_existing: false,
            include: Vec::new(),
            exclude: Vec::new(),
            rate_per_second: 1000.0,
            rate_burst: 10_000,
            max_line_bytes: 16_384,
            batch_bytes: 256 << 10,
        }
    }
}

impl LogsConfig {
    /// Check values against each other and the spool's segment size.
    pub fn validate(&self, segment_bytes: u64) -> Result<(), String> {
        if self.rate_per_second.is_nan() || self.rate_per_second < 0.0 {
            return Err("logs.rate_per_second must be 0 (no limit) or positive".into());
        }
        if self.max_line_bytes == 0 || self.batch_bytes < self.max_line_bytes * 6 + 256 {
            return Err("logs.batch_bytes must hold at least one line of max_line_bytes".into());
        }
        if self.batch_bytes as u64 > segment_bytes / 2 {
            return Err("logs.batch_bytes must be at most half of spool.segment_bytes".into());
        }
        for re in self.include.iter().chain(&self.exclude) {
            regex::Regex::new(re).map_err(|e| format!("logs: bad pattern {re:?}: {e}"))?;
        }
        Ok(())
    }
}
