//! The rule kinds beyond a plain threshold: rate of change (of a series, or of a signal
//! between two windows) and the disk-full forecast (a least-squares line through each
//! filesystem's free space; the value is the hours until it reaches zero).
use super::signal::{Measure, Samples, signal};
use onestop_store::{RuleSpec, Store, StoreError};
use onestop_tsdb::perf::linear_fit;
use serde_json::json;

fn unit_ms(spec: &RuleSpec) -> (f64, &'static str) {
    match spec.per.as_deref() {
        Some("second") => (1000.0, "s"),
        Some("hour") => (3_600_000.0, "h"),
        _ => (60_000.0, "min"),
    }
}

/// The change per unit of one series over its points: reset-aware for counters
/// (`…_total`), the least-squares slope for gauges.
fn series_rate(name: &str, pts: &[(i64, f64)]) -> Option<f64> {
    let span = pts.last()?.0 - pts.first()?.0;
    if span <= 0 {
        return None;
    }
    if name.ends_with("_total") {
        Some(onestop_tsdb::counter_increase(pts)? / span as f64)
    } else {
        linear_fit(pts).map(|f| f.slope)
    }
}

/// A rate-of-change rule's value: per `per` over the window.
pub async fn rate(
    store: &Store,
    host: &str,
    spec: &RuleSpec,
    now: i64,
) -> Result<Option<Measure>, StoreError> {
    let window = spec.window_secs.unwrap_or(300) * 1000;
    let (unit, unit_name) = unit_ms(spec);
    if spec.signal != "metric" {
        // A derived signal: its value now against its value one window ago.
        let (Some(a), Some(b)) = (
            signal(store, host, spec, now - window).await?,
            signal(store, host, spec, now).await?,
        ) else {
            return Ok(None);
        };
        let r = (b.value - a.value) / window as f64 * unit;
        let at = format!("{} per {unit_name}", spec.signal);
        return Ok(Some(Measure {
            value: round(r),
            at,
            measured: b.measured,
        }));
    }
    let name = spec.metric.clone().unwrap_or_default();
    let series: Samples = store
        .recent_samples(host, &name, &spec.labels, now - window, now)
        .await?;
    let below = spec.op.as_deref() == Some("<");
    let mut worst: Option<Measure> = None;
    for (labels, pts) in &series {
        let Some(r) = series_rate(&name, pts) else {
            continue;
        };
        let v = round(r * unit);
        if worst
            .as_ref()
            .is_none_or(|w| if below { v < w.value } else { v > w.value })
        {
            let l = labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            let measured = json!({"metric": name, "labels": labels}).to_string();
            worst = Some(Measure {
                value: v,
                at: format!("{name}{{{l}}} per {unit_name}"),
                measured,
            });
        }
    }
    Ok(worst)
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// A disk-full forecast's value: hours until the first filesystem is full (∞ when none is
/// filling). Needs data over at least a quarter of the window.
pub async fn forecast(
    store: &Store,
    host: &str,
    spec: &RuleSpec,
    now: i64,
) -> Result<Option<Measure>, StoreError> {
    let window = spec.window_secs.unwrap_or(21_600) * 1000;
    let avail = store
        .recent_samples(
            host,
            "node_filesystem_avail_bytes",
            &spec.labels,
            now - window,
            now,
        )
        .await?;
    let mut best: Option<Measure> = None;
    let mut seen = false;
    for (labels, pts) in &avail {
        let (Some(first), Some(last)) = (pts.first(), pts.last()) else {
            continue;
        };
        if last.0 - first.0 < window / 4 {
            continue;
        }
        seen = true;
        let Some(fit) = linear_fit(pts) else { continue };
        if fit.slope >= 0.0 {
            continue;
        }
        let hours = fit.at(now).max(0.0) / -fit.slope / 3_600_000.0;
        let hours = (hours * 10.0).round() / 10.0;
        if best.as_ref().is_none_or(|b| hours < b.value) {
            let mp = labels.get("mountpoint").cloned().unwrap_or_default();
            let measured =
                json!({"metric": "node_filesystem_avail_bytes", "labels": labels}).to_string();
            best = Some(Measure {
                value: hours,
                at: format!("full in ~{hours} h ({mp})"),
                measured,
            });
        }
    }
    Ok(best.or_else(|| {
        seen.then(|| Measure {
            value: f64::INFINITY,
            at: "no filesystem filling".into(),
            measured: String::new(),
        })
    }))
}
