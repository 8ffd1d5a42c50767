//! Alert evaluation: each enabled rule against each monitored host it applies to. A rule's
//! signal is computed from the raw samples of its window; the store applies the transition
//! (pending, firing with its incident, silenced by maintenance, resolved).
use onestop_store::{AlertRule, AlertTransition, RuleSpec, Store, StoreError};
use onestop_tsdb::{Agg, counter_increase};
use std::collections::BTreeMap;

type Samples = Vec<(BTreeMap<String, String>, Vec<(i64, f64)>)>;

fn no_labels() -> BTreeMap<String, String> {
    BTreeMap::new()
}

/// The newest value of each series.
fn lasts(s: &Samples) -> Vec<(&BTreeMap<String, String>, f64)> {
    s.iter()
        .filter_map(|(l, p)| p.last().map(|x| (l, x.1)))
        .collect()
}

fn aggregate(points: &[(i64, f64)], agg: Agg) -> Option<f64> {
    let vals = || points.iter().map(|p| p.1);
    if points.is_empty() {
        return None;
    }
    Some(match agg {
        Agg::Avg => vals().sum::<f64>() / points.len() as f64,
        Agg::Min => vals().fold(f64::INFINITY, f64::min),
        Agg::Max => vals().fold(f64::NEG_INFINITY, f64::max),
        Agg::Sum => vals().sum(),
        Agg::Last => points[points.len() - 1].1,
        Agg::Rate => onestop_tsdb::counter_rate(points, i64::MIN, i64::MAX)?,
    })
}

/// The value of a rule's signal for a host over `[now - window, now]`, with a description of
/// where it was measured. `None` when there is no data.
pub async fn signal(
    store: &Store,
    host: &str,
    spec: &RuleSpec,
    now: i64,
) -> Result<Option<(f64, String)>, StoreError> {
    let since = now - spec.window_secs.unwrap_or(120) * 1000;
    let get = |name: &'static str| async move {
        store
            .recent_samples(host, name, &no_labels(), since, now)
            .await
    };
    let pct = |used: f64| (used * 10_000.0).round() / 100.0;
    Ok(match spec.signal.as_str() {
        "cpu_used_percent" => {
            let cpu = get("node_cpu_seconds_total").await?;
            let (mut idle, mut total) = (0.0, 0.0);
            for (labels, pts) in &cpu {
                let Some(inc) = counter_increase(pts) else {
                    continue;
                };
                total += inc;
                if labels
                    .get("mode")
                    .is_some_and(|m| m == "idle" || m == "iowait")
                {
                    idle += inc;
                }
            }
            (total > 0.0).then(|| (pct(1.0 - idle / total), "all CPUs".to_string()))
        }
        "memory_used_percent" | "swap_used_percent" => {
            let (free, size) = if spec.signal == "memory_used_percent" {
                (
                    "node_memory_MemAvailable_bytes",
                    "node_memory_MemTotal_bytes",
                )
            } else {
                ("node_memory_SwapFree_bytes", "node_memory_SwapTotal_bytes")
            };
            let f = lasts(&get(free).await?).first().map(|x| x.1);
            let t = lasts(&get(size).await?).first().map(|x| x.1);
            match (f, t) {
                (Some(f), Some(t)) if t > 0.0 => Some((pct(1.0 - f / t), String::new())),
                (Some(_), Some(_)) => Some((0.0, "none configured".into())),
                _ => None,
            }
        }
        "disk_used_percent" => {
            let avail = get("node_filesystem_avail_bytes").await?;
            let size = get("node_filesystem_size_bytes").await?;
            let sizes = lasts(&size);
            let mut worst: Option<(f64, String)> = None;
            for (labels, a) in lasts(&avail) {
                let Some((_, s)) = sizes.iter().find(|(l, _)| *l == labels) else {
                    continue;
                };
                if *s <= 0.0 {
                    continue;
                }
                let used = pct(1.0 - a / s);
                let at = labels.get("mountpoint").cloned().unwrap_or_default();
                if worst.as_ref().is_none_or(|w| used > w.0) {
                    worst = Some((used, at));
                }
            }
            worst
        }
        "load_per_cpu" => {
            let load = get("node_load1").await?;
            let cpus = store
                .series_of_host(host, Some("node_cpu_seconds_total"))
                .await?
                .iter()
                .filter(|s| s.labels.get("mode").is_some_and(|m| m == "idle"))
                .count()
                .max(1);
            load.first()
                .and_then(|(_, p)| aggregate(p, Agg::Avg))
                .map(|l| {
                    (
                        (l / cpus as f64 * 100.0).round() / 100.0,
                        format!("{cpus} CPUs"),
                    )
                })
        }
        "metric" => {
            let name = spec.metric.clone().unwrap_or_default();
            let agg: Agg = spec
                .agg
                .as_deref()
                .unwrap_or("avg")
                .parse()
                .unwrap_or(Agg::Avg);
            let series = store
                .recent_samples(host, &name, &spec.labels, since, now)
                .await?;
            let below = spec.op.as_deref() == Some("<");
            let mut worst: Option<(f64, String)> = None;
            for (labels, pts) in &series {
                let Some(v) = aggregate(pts, agg) else {
                    continue;
                };
                let better = match &worst {
                    None => true,
                    Some(w) if below => v < w.0,
                    Some(w) => v > w.0,
                };
                if better {
                    let at = labels
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(",");
                    worst = Some((v, format!("{name}{{{at}}}")));
                }
            }
            worst
        }
        _ => None,
    })
}

/// Compare a measured value with a rule: breached, clear (past the recovery value), or hold.
pub fn judge(spec: &RuleSpec, value: f64, at: &str) -> AlertTransition {
    let below = spec.op.as_deref() == Some("<");
    let recover = spec.recover.unwrap_or(spec.threshold);
    let text = if at.is_empty() {
        format!("{value}")
    } else {
        format!("{value} ({at})")
    };
    let breached = if below {
        value < spec.threshold
    } else {
        value > spec.threshold
    };
    let clear = if below {
        value >= recover
    } else {
        value <= recover
    };
    if breached {
        AlertTransition::Breached(text)
    } else if clear {
        AlertTransition::Clear(text)
    } else {
        AlertTransition::Hold
    }
}

/// Evaluate every enabled rule for every host it applies to.
pub async fn evaluate_all(store: &Store, now: i64, _down_ms: i64) -> Result<(), StoreError> {
    let rules: Vec<AlertRule> = store
        .list_alert_rules(&onestop_store::Scope::System)
        .await?
        .into_iter()
        .filter(|r| r.enabled)
        .collect();
    for (host, name, customer, last_seen, enrolled) in store.hosts_for_evaluation().await? {
        for rule in rules
            .iter()
            .filter(|r| r.customer_id.as_deref().is_none_or(|c| c == customer))
        {
            let what = match rule.spec.kind.as_str() {
                "absent" => {
                    let quiet_ms = now - last_seen.unwrap_or(enrolled);
                    let secs = quiet_ms / 1000;
                    // Absence counts from the last batch; `for_secs` is the allowed silence.
                    if quiet_ms > rule.spec.for_secs * 1000 {
                        AlertTransition::Breached(format!("no data for {secs} s"))
                    } else {
                        AlertTransition::Clear(format!("last data {secs} s ago"))
                    }
                }
                _ => match signal(store, &host, &rule.spec, now).await? {
                    Some((v, at)) => judge(&rule.spec, v, &at),
                    None => AlertTransition::Hold,
                },
            };
            // The silence itself is the condition for `absent`: no extra `for` on top.
            let rule = if rule.spec.kind == "absent" {
                let mut r = rule.clone();
                r.spec.for_secs = 0;
                std::borrow::Cow::Owned(r)
            } else {
                std::borrow::Cow::Borrowed(rule)
            };
            if let Err(e) = store
                .apply_alert(&rule, &host, &name, &customer, what, now)
                .await
            {
                tracing::warn!(rule = %rule.name, host = %name, error = %e, "alert transition failed");
            }
        }
    }
    Ok(())
}
