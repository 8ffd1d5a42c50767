//! Records of the log store: what ingest writes and what searches return.
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One message as the ingest task writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLogMessage {
    /// Chosen by the writer ([`crate::new_id`]) before the first attempt, so that a batch
    /// retried after a commit whose outcome was unknown is stored once.
    pub id: String,
    pub received_at: i64,
    /// The message's own time, or the receive time when it had none.
    pub at: i64,
    pub customer_id: Option<String>,
    pub host_id: Option<String>,
    /// The sender's address.
    pub source: String,
    pub hostname: Option<String>,
    pub program: Option<String>,
    pub facility: Option<i64>,
    pub syslog_severity: Option<i64>,
    /// The diagnosed severity (syslog severity raised by the rules), 0 (emergency) ..= 7.
    pub severity: i64,
    pub template_id: i64,
    /// Ids of the diagnosis rules the message matched, comma-separated.
    pub rules: String,
    pub message: String,
}

/// A template first seen in a batch, written in the same transaction as its messages.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLogTemplate {
    pub customer_id: Option<String>,
    pub template_id: i64,
    pub template: String,
    pub first_seen: i64,
}

/// A template's current text and the id it was merged into (itself when it was not).
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateUpdate {
    pub customer_id: Option<String>,
    pub template_id: i64,
    pub canonical_id: i64,
    pub template: String,
}

/// A registered host that syslog sources can be routed to: an asset of the register.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRoute {
    pub asset_id: String,
    pub customer_id: String,
    pub name: String,
    /// The asset's `ip_addresses`, as written in the register.
    pub ip_addresses: String,
}

/// A stored log message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LogMessage {
    pub id: String,
    /// Milliseconds since the epoch: the message's time (its own, else when it was received).
    pub at: i64,
    pub received_at: i64,
    /// `None` for unrouted messages (no registered host matched).
    pub customer_id: Option<String>,
    /// The asset id of the host.
    pub host_id: Option<String>,
    pub source: String,
    pub hostname: Option<String>,
    pub program: Option<String>,
    pub facility: Option<i64>,
    pub syslog_severity: Option<i64>,
    /// Diagnosed severity: emergency, alert, critical, error, warning, notice, informational, debug.
    pub severity: String,
    /// `E<n>`, numbered per customer.
    pub template_id: String,
    pub rules: Vec<String>,
    pub message: String,
}

/// Filters of a log search. Times are RFC 3339 or milliseconds since the epoch.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// Asset id of the host.
    pub host: Option<String>,
    pub customer: Option<String>,
    /// Only unrouted messages (staff).
    pub unrouted: Option<bool>,
    /// From (inclusive).
    pub from: Option<String>,
    /// To (exclusive).
    pub to: Option<String>,
    /// Case-insensitive substring of the message.
    pub q: Option<String>,
    /// Minimum severity: this one or worse (`warning` gives warnings, errors, ...); a name
    /// or its code 0-7.
    pub severity: Option<String>,
    pub program: Option<String>,
    /// `E<n>`: messages of this template (or of templates merged into it). Needs `host` or
    /// `customer` for staff, since templates are numbered per customer.
    pub template: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// One page of a log search, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LogPage {
    pub items: Vec<LogMessage>,
    pub limit: i64,
    pub offset: i64,
    /// Whether more messages match beyond this page.
    pub more: bool,
}

/// Filters of the template list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TemplateQuery {
    pub host: Option<String>,
    pub customer: Option<String>,
    pub unrouted: Option<bool>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// At most this many, most frequent first (default 200, at most 1000).
    pub limit: Option<i64>,
}

/// A template with the number of stored messages matching the filters.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TemplateCount {
    /// `E<n>`.
    pub id: String,
    pub customer_id: Option<String>,
    pub template: String,
    pub count: i64,
    /// The most severe diagnosed severity among them.
    pub worst_severity: String,
    pub first_seen: i64,
    pub last_at: i64,
}

pub const SEVERITIES: [&str; 8] = [
    "emergency",
    "alert",
    "critical",
    "error",
    "warning",
    "notice",
    "informational",
    "debug",
];

/// The name of a severity code (out-of-range codes read as informational).
pub fn severity_name(code: i64) -> &'static str {
    SEVERITIES
        .get(usize::try_from(code).unwrap_or(6))
        .copied()
        .unwrap_or("informational")
}

/// A severity from its name (with the usual short forms) or code.
pub fn parse_severity(s: &str) -> Option<i64> {
    let s = s.trim().to_ascii_lowercase();
    if let Ok(n) = s.parse::<i64>() {
        return (0..=7).contains(&n).then_some(n);
    }
    let alias = match s.as_str() {
        "emerg" | "panic" => "emergency",
        "crit" => "critical",
        "err" => "error",
        "warn" => "warning",
        "info" => "informational",
        other => other,
    };
    SEVERITIES
        .iter()
        .position(|n| *n == alias)
        .map(|i| i as i64)
}

/// `E<n>` to n.
pub fn parse_template_id(s: &str) -> Option<i64> {
    s.trim()
        .strip_prefix(['E', 'e'])
        .unwrap_or(s.trim())
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
}
