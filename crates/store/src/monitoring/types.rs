//! Records of the monitoring API.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// An enrolment token as listed (never the secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnrollmentToken {
    pub id: String,
    pub customer_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// The host that used it.
    pub host_id: Option<String>,
}

/// What an agent tells the server when it enrolls.
#[derive(Debug, Clone, Default)]
pub struct EnrollInput {
    pub token: String,
    pub hostname: String,
    pub machine_id: String,
    /// Human-readable OS, e.g. `Debian GNU/Linux 12 (bookworm)`.
    pub os: String,
    /// Space-separated addresses the host is known by.
    pub ip_addresses: String,
}

/// The result of an enrolment: the host (asset) id and its credential (shown once).
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub host_id: String,
    pub credential: String,
    /// Whether an existing asset was linked rather than a new one created.
    pub relinked: bool,
}

/// The identity behind an agent credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentIdentity {
    pub host_id: String,
    pub customer_id: String,
}

/// A monitored host with its status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Host {
    /// The asset id of the host in the register.
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub os: String,
    pub ip_addresses: String,
    pub machine_id: String,
    pub enrolled_at: i64,
    pub last_seen_at: Option<i64>,
    pub last_seq: Option<i64>,
    /// `up` (seen within the down threshold), `down`, or `never` (enrolled, nothing received).
    pub status: String,
    /// Alerts of this host now firing.
    pub firing: i64,
    /// Who delivers its samples: `agent`, or the server's poller (`snmp`, `scrape`, `probe`).
    pub source: String,
}

/// A series of a host (name and labels).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesInfo {
    pub id: i64,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub last_ts: i64,
}

/// The answer to a range query: one entry per matching series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesResult {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// `raw`, `minute` or `hour`: where the points came from.
    pub resolution: String,
    pub agg: String,
    /// `[ts_ms, value]` pairs.
    #[schema(value_type = Vec<Vec<f64>>)]
    pub points: Vec<(i64, f64)>,
}

/// A range query over a host's series.
#[derive(Debug, Clone)]
pub struct SeriesQuery {
    pub name: String,
    /// Label equality matchers.
    pub labels: BTreeMap<String, String>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub step_ms: i64,
    /// `None`: `rate` for names ending in `_total`, else `avg`.
    pub agg: Option<onestop_tsdb::Agg>,
}

/// An alert rule. The condition lives in `spec`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AlertRule {
    pub id: String,
    pub name: String,
    /// Only this customer's hosts; all customers when absent.
    pub customer_id: Option<String>,
    /// critical, warning or info.
    pub severity: String,
    pub enabled: bool,
    /// Shipped with the product.
    pub builtin: bool,
    pub spec: RuleSpec,
    pub created_at: i64,
    pub updated_at: i64,
    /// The runbook to follow when the rule fires (`PUT /alert-rules/{id}/runbook`).
    pub runbook_id: Option<String>,
}

/// What a rule watches.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// `threshold` (a signal above/below a value for a while), `rate` (the signal's change
    /// per `per` over the window, above/below), `forecast` (a filesystem predicted full
    /// within `horizon_hours` by a linear fit over the window) or `absent` (no data from the
    /// host for `for_secs`: host or agent down).
    pub kind: String,
    /// For `threshold`: `cpu_used_percent`, `memory_used_percent`, `swap_used_percent`,
    /// `disk_used_percent` (worst filesystem), `load_per_cpu`, or `metric` (the series
    /// `metric` with `labels`, aggregated by `agg` over `window_secs`; the worst series counts).
    #[serde(default)]
    pub signal: String,
    #[serde(default)]
    pub metric: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// avg (default), min, max, last, rate.
    #[serde(default)]
    pub agg: Option<String>,
    /// `>` (default), `<` or `==`.
    #[serde(default)]
    pub op: Option<String>,
    #[serde(default)]
    pub threshold: f64,
    /// Hysteresis: a firing alert recovers only once the value is back past this (defaults to
    /// the threshold).
    #[serde(default)]
    pub recover: Option<f64>,
    /// How long the condition must hold before the alert fires.
    #[serde(default)]
    pub for_secs: i64,
    /// The window the signal is computed over (default 120 s).
    #[serde(default)]
    pub window_secs: Option<i64>,
    /// Resolve the incident when the alert recovers (default true).
    #[serde(default)]
    pub resolve: Option<bool>,
    /// For `rate`: the unit of the change, `second`, `minute` (default) or `hour`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// For `forecast`: fire when a filesystem is predicted full within this many hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_hours: Option<f64>,
    /// Compute the signal over the last N samples of each series instead of a time window
    /// (e.g. "failed for 2 runs").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_n: Option<i64>,
    /// `days_until`: the series holds a Unix time (seconds); the value is the days left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<String>,
    /// Only series whose namesake `guard_metric` series (same labels) last read
    /// `guard_value` count (e.g. interfaces administratively up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard_metric: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard_value: Option<f64>,
    /// The incident's impact and urgency; from the severity when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// Flapping: more than `flap_limit` (default 6) state changes within
    /// `flap_window_secs` (default 3600) hold incident work until it calms down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flap_window_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flap_limit: Option<i64>,
}

/// Input for a new rule.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRuleInput {
    pub name: String,
    pub customer_id: Option<String>,
    pub severity: Option<String>,
    pub enabled: Option<bool>,
    pub spec: RuleSpec,
}

/// The state of one (rule, host) pair.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Alert {
    pub id: String,
    pub rule_id: String,
    pub rule_name: String,
    pub severity: String,
    pub host_id: String,
    pub host_name: String,
    pub customer_id: String,
    /// ok, pending, firing, silenced, suppressed, resolved; `flapping` while incident work
    /// is held because the state changes too often.
    pub state: String,
    /// Held for flapping (the state underneath is in `base_state`).
    pub flapping: bool,
    pub base_state: String,
    /// The parent's host-down alert that suppresses this one.
    pub suppressed_by: Option<String>,
    /// The last measured value (and where), as text.
    pub value: String,
    pub pending_since: Option<i64>,
    pub fired_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub updated_at: i64,
    /// How many times it fired.
    pub firings: i64,
    /// The incident it keeps open (the last one).
    pub ticket_id: Option<String>,
}

/// A maintenance window: alerts of the customer (or one host, or an asset and what hangs on
/// it) are silenced while it lasts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaintenanceWindow {
    pub id: String,
    pub customer_id: String,
    pub host_id: Option<String>,
    /// An asset: it and the assets that depend on, run on or connect through it.
    pub asset_id: Option<String>,
    /// Whether samples are still stored while it lasts.
    pub collect: bool,
    pub starts_at: i64,
    pub ends_at: i64,
    pub reason: String,
    pub created_by: String,
    pub created_at: i64,
}

/// Input for a maintenance window.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceInput {
    pub customer_id: String,
    pub host_id: Option<String>,
    #[serde(default)]
    pub asset_id: Option<String>,
    /// Keep storing samples (default true); `false`: samples taken during the window are
    /// dropped at compaction.
    #[serde(default)]
    pub collect: Option<bool>,
    /// Unix milliseconds.
    pub starts_at: i64,
    pub ends_at: i64,
    #[serde(default)]
    pub reason: String,
}
