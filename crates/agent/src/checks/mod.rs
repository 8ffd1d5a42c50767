//! The agent's built-in checks: a fixed, versioned set compiled in (the server never sends
//! commands). Each check reads files under a configurable root or runs a well-known command
//! with a timeout, and turns what it read into a [`CheckResult`] that names its source.
//! Parsing is pure (`parse_*`/`judge_*` functions, unit-tested with fixture text); the
//! runners here only gather the text.

mod cmd;
mod disk;
mod ports;
mod raid;
mod runner;
mod sshd;
mod system;
mod units;
mod updates;
mod writable;

use std::path::{Path, PathBuf};
use std::time::Duration;

use onestop_proto::{CheckResult, CheckStatus};
use serde::Deserialize;

pub use cmd::{CmdError, run_command};
pub use runner::Runner;

/// The `[checks]` table of the agent configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChecksConfig {
    /// Run the checks at all.
    pub enabled: bool,
    /// Seconds between runs (they also run at start).
    pub interval_secs: u64,
    /// Ports expected to listen, e.g. `tcp/22`, `udp/123` (a bare number means TCP).
    /// Empty: the listening ports are reported, not judged.
    pub expected_ports: Vec<String>,
    /// Files are read under this root (tests point it at a fixture tree).
    pub root: PathBuf,
    /// Run commands (`sshd -T`, `apt-get -s`, `timedatectl`, `smartctl`, `systemctl`);
    /// when false only files are read and command-only checks report n/a.
    pub commands: bool,
    /// Longest a command may run, seconds.
    pub timeout_secs: u64,
    /// A filesystem fuller than this (percent of blocks) is a finding.
    pub disk_max_used_percent: f64,
    /// A filesystem with more inodes used than this (percent) is a finding.
    pub inode_max_used_percent: f64,
    /// Directories walked for world-writable files.
    pub writable_paths: Vec<PathBuf>,
    /// Most entries visited by that walk.
    pub writable_max_entries: u64,
}

impl Default for ChecksConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            interval_secs: 6 * 3600,
            expected_ports: Vec::new(),
            root: "/".into(),
            commands: true,
            timeout_secs: 60,
            disk_max_used_percent: 90.0,
            inode_max_used_percent: 90.0,
            writable_paths: [
                "/etc",
                "/usr/bin",
                "/usr/sbin",
                "/usr/lib/systemd",
                "/bin",
                "/sbin",
            ]
            .iter()
            .map(PathBuf::from)
            .collect(),
            writable_max_entries: 200_000,
        }
    }
}

impl ChecksConfig {
    /// Check the values; the message names the bad key.
    pub fn validate(&self) -> Result<(), String> {
        if self.interval_secs < 60 {
            return Err("checks.interval_secs must be at least 60".into());
        }
        if self.timeout_secs == 0 {
            return Err("checks.timeout_secs must be at least 1".into());
        }
        for p in &self.expected_ports {
            ports::parse_expected(p).map_err(|e| format!("checks.expected_ports: {e}"))?;
        }
        for v in [self.disk_max_used_percent, self.inode_max_used_percent] {
            if !(0.0..=100.0).contains(&v) {
                return Err("checks.*_max_used_percent must be within 0..=100".into());
            }
        }
        Ok(())
    }

    /// `p` (absolute, e.g. `/etc/passwd`) under the configured root.
    pub fn path(&self, p: &str) -> PathBuf {
        self.root.join(p.trim_start_matches('/'))
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

/// What a check found, before the common fields are added.
pub(crate) struct Outcome {
    pub status: CheckStatus,
    pub summary: String,
    pub detail: serde_json::Value,
    pub source: String,
}

impl Outcome {
    pub(crate) fn new(
        status: CheckStatus,
        summary: impl Into<String>,
        detail: serde_json::Value,
        source: impl Into<String>,
    ) -> Self {
        Self {
            status,
            summary: summary.into(),
            detail,
            source: source.into(),
        }
    }

    /// The check cannot run here.
    pub(crate) fn na(summary: impl Into<String>, source: impl Into<String>) -> Self {
        Self::new(
            CheckStatus::NotApplicable,
            summary,
            serde_json::Value::Null,
            source,
        )
    }

    /// The check failed to run.
    pub(crate) fn error(summary: impl Into<String>, source: impl Into<String>) -> Self {
        Self::new(CheckStatus::Error, summary, serde_json::Value::Null, source)
    }
}

/// `Ok` when nothing was found, else `Finding`.
pub(crate) fn status_of(found: bool) -> CheckStatus {
    if found {
        CheckStatus::Finding
    } else {
        CheckStatus::Ok
    }
}

type CheckFn = fn(&ChecksConfig) -> Vec<(&'static str, u32, Outcome)>;

/// Every check, in the order of [`onestop_proto::CHECK_IDS`] (disk and inode share a run).
const CHECKS: &[CheckFn] = &[
    ports::run,
    sshd::run,
    updates::run,
    system::run_ntp,
    disk::run,
    raid::run_raid,
    raid::run_smart,
    units::run,
    system::run_reboot,
    system::run_uid0,
    writable::run,
];

/// Run every check once; `now_ms` stamps the results.
pub fn run_all(cfg: &ChecksConfig, now_ms: i64) -> Vec<CheckResult> {
    let mut out = Vec::new();
    for f in CHECKS {
        for (check, version, o) in f(cfg) {
            out.push(CheckResult {
                check: check.to_string(),
                version,
                status: o.status,
                summary: o.summary,
                detail: o.detail,
                source: o.source,
                observed_at_ms: now_ms,
            });
        }
    }
    out
}

/// Read a file under the root: `Ok(None)` when it does not exist.
pub(crate) fn read_opt(cfg: &ChecksConfig, p: &str) -> std::io::Result<Option<String>> {
    match std::fs::read_to_string(cfg.path(p)) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Now, Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Display form of a path for evidence.
pub(crate) fn shown(p: &Path) -> String {
    p.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_reports_with_its_id_on_a_fixture_root() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = ChecksConfig {
            root: dir.path().to_path_buf(),
            commands: false,
            writable_paths: vec!["/etc".into()],
            ..ChecksConfig::default()
        };
        std::fs::create_dir_all(dir.path().join("etc")).unwrap();
        std::fs::write(dir.path().join("etc/passwd"), "root:x:0:0::/root:/bin/sh\n").unwrap();
        let r = run_all(&cfg, 42);
        let ids: Vec<&str> = r.iter().map(|c| c.check.as_str()).collect();
        assert_eq!(ids, onestop_proto::CHECK_IDS);
        assert!(
            r.iter()
                .all(|c| c.observed_at_ms == 42 && !c.source.is_empty())
        );
        let uid0 = r.iter().find(|c| c.check == "uid0_accounts").unwrap();
        assert_eq!(uid0.status, CheckStatus::Ok);
        let upd = r
            .iter()
            .find(|c| c.check == "pending_security_updates")
            .unwrap();
        assert_eq!(upd.status, CheckStatus::NotApplicable, "no commands");
    }

    #[test]
    fn validation_names_the_key() {
        let bad = ChecksConfig {
            expected_ports: vec!["tcp/http".into()],
            ..ChecksConfig::default()
        };
        assert!(bad.validate().unwrap_err().contains("expected_ports"));
        assert!(ChecksConfig::default().validate().is_ok());
    }
}
