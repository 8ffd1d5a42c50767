//! Alert evaluation: each enabled rule against each monitored host it applies to. Host-down
//! (`absent`) rules go first, parents before the hosts that hang on them, so a child's alerts
//! find their parent already down and are suppressed; then the other rules. The store applies
//! each transition (with its incident) in one transaction.
use super::kinds;
use super::signal::{Measure, signal};
use onestop_store::{AlertHost, AlertRule, AlertTransition, RuleSpec, Store, StoreError};
use std::collections::HashMap;

/// Compare a measured value with a rule: breached, clear (past the recovery value), or hold.
pub fn judge(spec: &RuleSpec, value: f64, at: &str) -> AlertTransition {
    let text = if spec.kind == "forecast" && !at.is_empty() {
        at.to_string()
    } else if at.is_empty() {
        format!("{value}")
    } else {
        format!("{value} ({at})")
    };
    let (op, threshold, recover) = match spec.kind.as_str() {
        // Fire when predicted full within the horizon.
        "forecast" => {
            let h = spec.horizon_hours.unwrap_or(24.0);
            ("<", h, spec.recover.unwrap_or(h))
        }
        _ => (
            spec.op.as_deref().unwrap_or(">"),
            spec.threshold,
            spec.recover.unwrap_or(spec.threshold),
        ),
    };
    let (breached, clear) = match op {
        "<" => (value < threshold, value >= recover),
        "==" => (value == threshold, value != threshold),
        _ => (value > threshold, value <= recover),
    };
    if breached {
        AlertTransition::Breached(text)
    } else if clear {
        AlertTransition::Clear(text)
    } else {
        AlertTransition::Hold
    }
}

/// What a rule measures on a host now.
pub async fn measure(
    store: &Store,
    host: &str,
    spec: &RuleSpec,
    now: i64,
) -> Result<Option<Measure>, StoreError> {
    match spec.kind.as_str() {
        "rate" => kinds::rate(store, host, spec, now).await,
        "forecast" => kinds::forecast(store, host, spec, now).await,
        _ => signal(store, host, spec, now).await,
    }
}

type HostRow = (String, String, String, Option<i64>, i64);

/// Hosts ordered so that a parent (by `runs_on`, `depends_on`, `connected_to`) comes before
/// the hosts that hang on it (cycles end at a depth of 16).
fn parents_first(hosts: Vec<HostRow>, edges: &[(String, String)]) -> Vec<HostRow> {
    let mut depth: HashMap<&str, usize> = HashMap::new();
    for _ in 0..16 {
        let mut changed = false;
        for (child, parent) in edges {
            let d = depth.get(parent.as_str()).copied().unwrap_or(0) + 1;
            if depth.get(child.as_str()).copied().unwrap_or(0) < d {
                depth.insert(child, d.min(16));
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut hosts: Vec<(usize, HostRow)> = hosts
        .into_iter()
        .map(|h| (depth.get(h.0.as_str()).copied().unwrap_or(0), h))
        .collect();
    hosts.sort_by_key(|(d, _)| *d);
    hosts.into_iter().map(|(_, h)| h).collect()
}

/// Evaluate every enabled rule for every host it applies to.
pub async fn evaluate_all(store: &Store, now: i64, _down_ms: i64) -> Result<(), StoreError> {
    let rules: Vec<AlertRule> = store
        .list_alert_rules(&onestop_store::Scope::System)
        .await?
        .into_iter()
        .filter(|r| r.enabled)
        .collect();
    let hosts = parents_first(
        store.hosts_for_evaluation().await?,
        &store.host_parent_edges().await?,
    );
    for absent in [true, false] {
        for (host, name, customer, last_seen, enrolled) in &hosts {
            let h = AlertHost {
                host_id: host.clone(),
                host_name: name.clone(),
                customer_id: customer.clone(),
            };
            for rule in rules
                .iter()
                .filter(|r| (r.spec.kind == "absent") == absent)
                .filter(|r| r.customer_id.as_deref().is_none_or(|c| c == customer))
            {
                let (what, measured) = if absent {
                    let quiet_ms = now - last_seen.unwrap_or(*enrolled);
                    let secs = quiet_ms / 1000;
                    // Absence counts from the last batch; `for_secs` is the allowed silence.
                    if quiet_ms > rule.spec.for_secs * 1000 {
                        (
                            AlertTransition::Breached(format!("no data for {secs} s")),
                            String::new(),
                        )
                    } else {
                        (
                            AlertTransition::Clear(format!("last data {secs} s ago")),
                            String::new(),
                        )
                    }
                } else {
                    match measure(store, host, &rule.spec, now).await? {
                        Some(m) => (judge(&rule.spec, m.value, &m.at), m.measured),
                        None => (AlertTransition::Hold, String::new()),
                    }
                };
                // The silence itself is the condition for `absent`: no extra `for` on top.
                let rule = if absent {
                    let mut r = rule.clone();
                    r.spec.for_secs = 0;
                    std::borrow::Cow::Owned(r)
                } else {
                    std::borrow::Cow::Borrowed(rule)
                };
                if let Err(e) = store.apply_alert_on(&rule, &h, what, &measured, now).await {
                    tracing::warn!(rule = %rule.name, host = %name, error = %e, "alert transition failed");
                }
            }
        }
    }
    Ok(())
}
