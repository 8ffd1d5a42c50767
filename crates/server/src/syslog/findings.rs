//! Diagnosis findings of the ingest task, raised as events (source `log`) into alerting:
//! - a message that a rule diagnoses as an error or worse: kind = the rule id, once per
//!   (host, rule) per hour;
//! - a template the customer's miner made for the first time: kind = `E<n>`, once per
//!   (host, template);
//! - a frequency spike of a template on a host against the hour before: kind = `E<n>/spike`,
//!   once while it lasts (see [`spikes`]).
//!
//! The detail names the host, the template, an example line and where to look: `logs` is
//! the log search around the moment (UI), `api` the same search in the JSON API.
use onestop_logs::RuleSet;
use onestop_store::EventInput;
use onestop_store::logs::{LogFinding, SpikeCount};
use serde_json::json;
use std::collections::HashMap;

const HOUR_MS: i64 = 3_600_000;
/// The logs around a finding: this long before and after it.
const AROUND_MS: i64 = 15 * 60_000;

/// Where a finding was seen.
pub struct Seen<'a> {
    pub customer_id: &'a str,
    pub host_id: &'a str,
    pub host_name: &'a str,
    pub program: Option<&'a str>,
    pub at: i64,
    pub message: &'a str,
}

fn event_severity(code: u8) -> &'static str {
    match code {
        0..=2 => "critical",
        3 | 4 => "warning",
        _ => "info",
    }
}

fn links(s: &Seen<'_>, template: Option<i64>) -> (String, String) {
    let t = template.map_or(String::new(), |t| format!("&template=E{t}"));
    let q = format!(
        "host={}&from={}&to={}{t}",
        s.host_id,
        s.at - AROUND_MS,
        s.at + AROUND_MS
    );
    (format!("/logs?{q}"), format!("/api/v1/logs?{q}"))
}

fn detail(
    s: &Seen<'_>,
    template: Option<(i64, &str)>,
    extra: serde_json::Value,
) -> serde_json::Value {
    let (logs, api) = links(s, template.map(|t| t.0));
    let mut d = json!({
        "host": s.host_name,
        "host_id": s.host_id,
        "program": s.program,
        "template_id": template.map(|t| format!("E{}", t.0)),
        "template": template.map(|t| t.1).filter(|t| !t.is_empty()),
        "example": s.message,
        "at": s.at,
        "logs": logs,
        "api": api,
    });
    if let (Some(d), Some(e)) = (d.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    d
}

/// Findings of the rules that diagnosed a message (received at `received`) as an error or
/// worse. The mark names the message's hour and runs to the end of that hour, and at least
/// an hour past the receipt: lines of a past hour (a device's clock, a backlog) raise one
/// event too, not one per batch.
pub fn rule_findings(
    rules: &RuleSet,
    ids: &[String],
    template: Option<(i64, &str)>,
    s: &Seen<'_>,
    received: i64,
) -> Vec<LogFinding> {
    let hour = s.at.div_euclid(HOUR_MS);
    let until_ms = ((hour + 1) * HOUR_MS).max(received + HOUR_MS);
    ids.iter()
        .filter_map(|id| rules.rules().iter().find(|r| &r.id == id))
        .filter(|r| r.severity.code() <= 3)
        .map(|r| LogFinding {
            mark: format!("rule:{}:{}:{}:{hour}", s.customer_id, s.host_id, r.id),
            until_ms,
            event: EventInput {
                customer_id: s.customer_id.to_string(),
                host_id: Some(s.host_id.to_string()),
                source: "log".into(),
                kind: r.id.clone(),
                severity: event_severity(r.severity.code()).into(),
                title: format!("{}: {} ({})", s.host_name, r.meaning, r.id),
                detail: detail(s, template, json!({ "rule": r.id, "meaning": r.meaning })),
                occurred_at: s.at,
            },
        })
        .collect()
}

/// The finding of a template seen for the first time (new for the customer).
pub fn new_template_finding(id: i64, text: &str, s: &Seen<'_>) -> LogFinding {
    LogFinding {
        mark: format!("new:{}:{}:{id}", s.customer_id, s.host_id),
        until_ms: i64::MAX / 2,
        event: EventInput {
            customer_id: s.customer_id.to_string(),
            host_id: Some(s.host_id.to_string()),
            source: "log".into(),
            kind: format!("E{id}"),
            severity: "info".into(),
            title: format!("{}: new log template E{id}: {}", s.host_name, clip(text)),
            detail: detail(s, Some((id, text)), json!({ "finding": "new_template" })),
            occurred_at: s.at,
        },
    }
}

fn clip(s: &str) -> String {
    let mut t: String = s.chars().take(120).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// Spikes: a template on a host with at least `MIN` messages in the last `WINDOW` and at
/// least `FACTOR` times its mean per window over the hour before. The mark has no period and
/// lasts two windows past the last check that saw the spike, so one lasting spike is one
/// event; a spike after a quiet stretch is a new one.
pub const SPIKE_WINDOW_MS: i64 = 10 * 60_000;
pub const SPIKE_BASELINE_WINDOWS: i64 = 6;
pub const SPIKE_MIN: i64 = 50;
const FACTOR: f64 = 5.0;

pub fn spikes(counts: &[SpikeCount], now: i64) -> Vec<LogFinding> {
    let mut base: HashMap<(&str, &str, i64), i64> = HashMap::new();
    for c in counts.iter().filter(|c| !c.current) {
        *base
            .entry((&c.customer_id, &c.host_id, c.template_id))
            .or_default() += c.count;
    }
    counts
        .iter()
        .filter(|c| c.current && c.count >= SPIKE_MIN)
        .filter_map(|c| {
            let b = base
                .get(&(&*c.customer_id, &*c.host_id, c.template_id))
                .copied()
                .unwrap_or(0);
            let mean = b as f64 / SPIKE_BASELINE_WINDOWS as f64;
            (b > 0 && c.count as f64 >= FACTOR * mean).then_some((c, mean))
        })
        .map(|(c, mean)| {
            let s = Seen {
                customer_id: &c.customer_id,
                host_id: &c.host_id,
                host_name: c.host_name.as_deref().unwrap_or(&c.host_id),
                program: None,
                at: c.example_at,
                message: &c.example,
            };
            LogFinding {
                mark: format!("spike:{}:{}:{}", c.customer_id, c.host_id, c.template_id),
                until_ms: now + 2 * SPIKE_WINDOW_MS,
                event: EventInput {
                    customer_id: c.customer_id.clone(),
                    host_id: Some(c.host_id.clone()),
                    source: "log".into(),
                    kind: format!("E{}/spike", c.template_id),
                    severity: "warning".into(),
                    title: format!(
                        "{}: log spike of E{}, {} in {} min (usually {:.0}): {}",
                        s.host_name,
                        c.template_id,
                        c.count,
                        SPIKE_WINDOW_MS / 60_000,
                        mean,
                        clip(&c.template)
                    ),
                    detail: detail(
                        &s,
                        Some((c.template_id, &c.template)),
                        json!({
                            "finding": "spike", "count": c.count, "baseline_mean": mean,
                        }),
                    ),
                    occurred_at: c.example_at,
                },
            }
        })
        .collect()
}
