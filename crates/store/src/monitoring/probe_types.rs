//! Records of the server's own probes: network checks and Prometheus scrape targets, their
//! inputs, and the validation both share. The runners live in the server (`probes/`).
use onestop_domain::model::ValidationError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The kinds of network check.
pub const CHECK_KINDS: [&str; 4] = ["icmp", "tcp", "http", "dns"];
/// DNS record types a check may ask for.
pub const DNS_TYPES: [&str; 10] = [
    "A", "AAAA", "MX", "TXT", "CNAME", "NS", "PTR", "SOA", "SRV", "CAA",
];
/// How an ICMP check reaches the host: `auto` tries an ICMP datagram socket, then a raw
/// socket, then a TCP connect; the others force one way.
pub const ICMP_MODES: [&str; 4] = ["auto", "dgram", "raw", "tcp"];
/// Authentication a scrape target may use.
pub const SCRAPE_AUTH: [&str; 3] = ["none", "basic", "bearer"];

/// Kind-specific settings of a check (absent fields take their defaults).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckParams {
    /// HTTP: the accepted status codes (default: any 2xx).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect_status: Vec<u16>,
    /// HTTP: a regular expression the body must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_regex: Option<String>,
    /// HTTP: accept any certificate (self-signed devices); the expiry is still recorded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
    /// DNS: the record type (default `A`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
    /// DNS: the server to ask, `ip` or `ip:port` (default: the system's resolvers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// DNS: an answer that must be among those returned (as text, e.g. `192.0.2.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// ICMP: one of [`ICMP_MODES`] (default `auto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_mode: Option<String>,
    /// ICMP: the port of the TCP-connect fallback (default 80).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_port: Option<u16>,
}

/// The newest result of a check or scrape.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProbeState {
    pub run_at: i64,
    pub ok: bool,
    /// What went wrong, or a short summary of success.
    pub message: String,
    pub duration_ms: i64,
    /// ICMP: how the host was reached (`icmp-dgram`, `icmp-raw`, `tcp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// A network check of one host.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Check {
    pub id: String,
    pub customer_id: String,
    pub host_id: String,
    /// Unique per host; the `check` label of its series.
    pub name: String,
    /// One of [`CHECK_KINDS`].
    pub kind: String,
    /// `icmp`: a host name or address; `tcp`: `host:port`; `http`: a URL; `dns`: a name.
    pub target: String,
    pub params: CheckParams,
    pub interval_secs: i64,
    pub timeout_ms: i64,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub last: Option<ProbeState>,
}

/// A new check.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInput {
    /// The asset to check; it becomes a monitored host if it is not one.
    pub host_id: String,
    pub name: String,
    pub kind: String,
    pub target: String,
    #[serde(default)]
    pub params: Option<CheckParams>,
    /// Default 60.
    #[serde(default)]
    pub interval_secs: Option<i64>,
    /// Default 5000.
    #[serde(default)]
    pub timeout_ms: Option<i64>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A change to a check; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckPatch {
    pub name: Option<String>,
    pub target: Option<String>,
    pub params: Option<CheckParams>,
    pub interval_secs: Option<i64>,
    pub timeout_ms: Option<i64>,
    pub enabled: Option<bool>,
}

/// A Prometheus text-format endpoint scraped into one host's series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScrapeTarget {
    pub id: String,
    pub customer_id: String,
    pub host_id: String,
    pub url: String,
    /// Added to every scraped series (overriding scraped labels of the same name, which are
    /// kept as `exported_<name>`).
    pub labels: BTreeMap<String, String>,
    pub interval_secs: i64,
    pub timeout_ms: i64,
    /// One of [`SCRAPE_AUTH`].
    pub auth_kind: String,
    pub auth_user: Option<String>,
    /// Whether a password or token is stored (it is never shown).
    pub has_secret: bool,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub last: Option<ProbeState>,
    pub last_samples: Option<i64>,
}

/// A new scrape target, or (all fields optional but `host_id` ignored) a change to one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScrapeTargetInput {
    #[serde(default)]
    pub host_id: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub interval_secs: Option<i64>,
    #[serde(default)]
    pub timeout_ms: Option<i64>,
    #[serde(default)]
    pub auth_kind: Option<String>,
    #[serde(default)]
    pub auth_user: Option<String>,
    /// The basic-auth password or bearer token, in clear: the server seals it before it is
    /// stored, and it is never returned.
    #[serde(default)]
    pub auth_secret: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

fn bad(field: &str, msg: impl Into<String>) -> ValidationError {
    ValidationError::new(field, msg)
}

/// Interval 1 s – 1 day, timeout 100 ms – 60 s.
pub(crate) fn check_timing(interval: i64, timeout: i64) -> Result<(), ValidationError> {
    if !(1..=86_400).contains(&interval) {
        return Err(bad("interval_secs", "must be 1 to 86400"));
    }
    if !(100..=60_000).contains(&timeout) {
        return Err(bad("timeout_ms", "must be 100 to 60000"));
    }
    Ok(())
}

/// A Prometheus label name that is not reserved (`__…`).
pub(crate) fn check_label_name(n: &str) -> Result<(), ValidationError> {
    let mut chars = n.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') || n.starts_with("__") {
        return Err(bad("labels", format!("`{n}` is not a label name")));
    }
    Ok(())
}

/// An `http://` or `https://` URL with a host.
pub(crate) fn check_url(field: &str, url: &str) -> Result<(), ValidationError> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| bad(field, "must start with http:// or https://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || url.chars().any(char::is_whitespace) {
        return Err(bad(field, "must name a host and contain no spaces"));
    }
    Ok(())
}

pub(crate) fn staff_only(scope: &crate::Scope) -> crate::Result<()> {
    if scope.is_staff() {
        Ok(())
    } else {
        Err(crate::StoreError::Forbidden(
            "checks and scrape targets are maintained by staff".into(),
        ))
    }
}
