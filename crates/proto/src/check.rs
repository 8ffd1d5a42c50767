//! Results of the agent's built-in checks: a fixed, versioned set compiled into the agent
//! (the server never sends commands to run). Each result is inspection evidence: what was
//! found, which command or file said so, and when.

use serde::{Deserialize, Serialize};

/// The checks an agent may report, by id. An inspection checklist item names one of these.
pub const CHECK_IDS: &[&str] = &[
    "listening_ports",
    "sshd_config",
    "pending_security_updates",
    "ntp_sync",
    "disk_headroom",
    "inode_headroom",
    "raid_state",
    "smart_state",
    "failed_units",
    "last_reboot",
    "uid0_accounts",
    "world_writable",
];

/// What a check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Nothing to report.
    Ok,
    /// Something an engineer should look at.
    Finding,
    /// The check does not apply to this host (no RAID, no sshd, …).
    NotApplicable,
    /// The check could not run (command missing, permission denied, …).
    Error,
}

/// One check's result on one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// One of [`CHECK_IDS`].
    pub check: String,
    /// Version of the check's logic in the agent that ran it.
    pub version: u32,
    pub status: CheckStatus,
    /// One line for people, e.g. `PermitRootLogin yes`.
    pub summary: String,
    /// Measured values (free-form JSON object).
    #[serde(default)]
    pub detail: serde_json::Value,
    /// The command or file the result came from, e.g. `/etc/ssh/sshd_config`.
    pub source: String,
    /// When the check ran, Unix milliseconds.
    pub observed_at_ms: i64,
}
