//! Rule signals: the value a rule watches for one host at one instant, computed from the raw
//! samples of its window (or its last N samples), with where it was measured and the series
//! (JSON) the incident's chart is drawn from.
use onestop_store::{RuleSpec, Store, StoreError};
use onestop_tsdb::{Agg, counter_increase};
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) type Samples = Vec<(BTreeMap<String, String>, Vec<(i64, f64)>)>;

/// A measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub value: f64,
    /// Where: a mountpoint, a series, "all CPUs".
    pub at: String,
    /// The series behind it, as JSON `{"metric", "labels"}` (empty when none).
    pub measured: String,
}

fn m(
    value: f64,
    at: impl Into<String>,
    metric: &str,
    labels: &BTreeMap<String, String>,
) -> Measure {
    Measure {
        value,
        at: at.into(),
        measured: json!({"metric": metric, "labels": labels}).to_string(),
    }
}

fn lasts(s: &Samples) -> Vec<(&BTreeMap<String, String>, f64)> {
    s.iter()
        .filter_map(|(l, p)| p.last().map(|x| (l, x.1)))
        .collect()
}

pub(crate) fn aggregate(points: &[(i64, f64)], agg: Agg) -> Option<f64> {
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

fn pct(used: f64) -> f64 {
    (used * 10_000.0).round() / 100.0
}

fn series_text(name: &str, labels: &BTreeMap<String, String>) -> String {
    let at = labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    format!("{name}{{{at}}}")
}

/// Whether `v` is worse than `w` for the rule's comparison.
fn worse(spec: &RuleSpec, v: f64, w: f64) -> bool {
    match spec.op.as_deref() {
        Some("<") => v < w,
        Some("==") => (v - spec.threshold).abs() < (w - spec.threshold).abs(),
        _ => v > w,
    }
}

/// The `metric` signal: each matching series aggregated (over the window or its last N
/// samples, after the transform), those failing the guard left out; the worst counts.
async fn metric(
    store: &Store,
    host: &str,
    spec: &RuleSpec,
    since: i64,
    now: i64,
) -> Result<Option<Measure>, StoreError> {
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
    let guard: Option<Samples> = match &spec.guard_metric {
        Some(g) => Some(
            store
                .recent_samples(host, g, &spec.labels, since, now)
                .await?,
        ),
        None => None,
    };
    let mut worst: Option<Measure> = None;
    for (labels, pts) in &series {
        if let (Some(g), Some(want)) = (&guard, spec.guard_value) {
            // A series whose guard reads otherwise does not count; no guard series: it counts.
            if let Some((_, gp)) = g.iter().find(|(gl, _)| gl == labels)
                && gp.last().is_some_and(|p| p.1 != want)
            {
                continue;
            }
        }
        let pts = match spec.last_n {
            Some(n) => &pts[pts.len().saturating_sub(n as usize)..],
            None => &pts[..],
        };
        if spec.last_n.is_some_and(|n| (pts.len() as i64) < n) {
            continue;
        }
        let Some(mut v) = aggregate(pts, agg) else {
            continue;
        };
        if spec.transform.as_deref() == Some("days_until") {
            v = ((v - now as f64 / 1000.0) / 86_400.0 * 100.0).round() / 100.0;
        }
        if worst.as_ref().is_none_or(|w| worse(spec, v, w.value)) {
            worst = Some(m(v, series_text(&name, labels), &name, labels));
        }
    }
    Ok(worst)
}

/// The value of a rule's signal for a host over `[now - window, now]`; `None` without data.
pub async fn signal(
    store: &Store,
    host: &str,
    spec: &RuleSpec,
    now: i64,
) -> Result<Option<Measure>, StoreError> {
    let since = now - spec.window_secs.unwrap_or(120) * 1000;
    let none = BTreeMap::new();
    let get = |name: &'static str| async move {
        store
            .recent_samples(host, name, &BTreeMap::new(), since, now)
            .await
    };
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
            let idle_l = BTreeMap::from([("mode".to_string(), "idle".to_string())]);
            (total > 0.0).then(|| {
                m(
                    pct(1.0 - idle / total),
                    "all CPUs",
                    "node_cpu_seconds_total",
                    &idle_l,
                )
            })
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
                (Some(f), Some(t)) if t > 0.0 => Some(m(pct(1.0 - f / t), "", free, &none)),
                (Some(_), Some(_)) => Some(m(0.0, "none configured", free, &none)),
                _ => None,
            }
        }
        "disk_used_percent" => {
            let avail = get("node_filesystem_avail_bytes").await?;
            let size = get("node_filesystem_size_bytes").await?;
            let sizes = lasts(&size);
            let mut worst: Option<Measure> = None;
            for (labels, a) in lasts(&avail) {
                let Some((_, s)) = sizes.iter().find(|(l, _)| *l == labels) else {
                    continue;
                };
                if *s <= 0.0 {
                    continue;
                }
                let used = pct(1.0 - a / s);
                if worst.as_ref().is_none_or(|w| used > w.value) {
                    let at = labels.get("mountpoint").cloned().unwrap_or_default();
                    worst = Some(m(used, at, "node_filesystem_avail_bytes", labels));
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
                    m(
                        (l / cpus as f64 * 100.0).round() / 100.0,
                        format!("{cpus} CPUs"),
                        "node_load1",
                        &none,
                    )
                })
        }
        "metric" => metric(store, host, spec, since, now).await?,
        _ => None,
    })
}
