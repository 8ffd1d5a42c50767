//! The batch envelope, its payload and the server's acknowledgement.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Inventory, Point};

/// One upload from an agent. The host's identity travels in the HTTP
/// `Authorization` header, not here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    /// Protocol version the agent speaks ([`crate::PROTOCOL_VERSION`]).
    pub version: u32,
    /// Per-agent sequence number, strictly increasing across restarts.
    pub seq: u64,
    /// When the agent (first) sent the batch, Unix milliseconds.
    pub sent_at_ms: i64,
    /// What the batch carries.
    pub payload: Payload,
}

/// The contents of a [`Batch`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// Metric samples grouped per series.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<Series>,
    /// Package and OS inventory, sent now and then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
    /// Tailed log lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogLine>,
    /// Results of the built-in checks, sent now and then.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<crate::CheckResult>,
}

/// Samples of one series: the name and labels are written once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Metric name, e.g. `node_cpu_seconds_total`.
    pub name: String,
    /// Label pairs (sorted by name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Samples in time order.
    pub points: Vec<Point>,
}

impl Series {
    /// A series with no points yet.
    pub fn new(name: impl Into<String>, labels: BTreeMap<String, String>) -> Self {
        Self {
            name: name.into(),
            labels,
            points: Vec::new(),
        }
    }
}

/// One log line read by the agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    /// Where the line came from: a file path or `journald`.
    pub source: String,
    /// When the line was written (or read, if unknown), Unix milliseconds.
    pub ts_ms: i64,
    /// The raw line, without its trailing newline.
    pub line: String,
    /// Resume position in the source (file offset or journal cursor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The server's answer to a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// Sequence number of the acknowledged batch.
    pub seq: u64,
    /// Whether the batch was stored. A refused batch is not retried.
    pub accepted: bool,
    /// Why the batch was refused, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
