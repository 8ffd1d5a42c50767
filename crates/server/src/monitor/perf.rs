//! The performance check of one host over a period: CPU, memory, swap, each filesystem and
//! network throughput, each with average, peak, 95th percentile, a least-squares trend and
//! (for the percentages) forecasts of exhaustion — linear and seasonal-aware, the method
//! stated. A struct any report can embed with `templates/perf_section.html`; the maths is
//! `onestop_tsdb::perf`.
use super::chart;
use onestop_store::{Scope, SeriesQuery, Store, StoreError};
use onestop_tsdb::perf::{forecast_linear, forecast_seasonal, summarize};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A forecast of when a resource is exhausted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PerfForecast {
    /// When 100 % is reached (ms), `null` when not within a year.
    pub at: Option<i64>,
    pub method: String,
}

/// One measured resource.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PerfMetric {
    /// `cpu`, `memory`, `swap`, `disk`, `network`.
    pub resource: String,
    /// The filesystem or network device.
    pub instance: String,
    /// `%` or `B/s`.
    pub unit: String,
    pub avg: f64,
    pub peak: f64,
    pub p95: f64,
    /// The trend line's change per day.
    pub trend_per_day: f64,
    pub samples: usize,
    pub linear: Option<PerfForecast>,
    pub seasonal: Option<PerfForecast>,
    /// The chart (SVG), not in the JSON.
    #[serde(skip)]
    pub svg: String,
}

/// The performance check of a host.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PerfReport {
    pub host_id: String,
    pub from: i64,
    pub to: i64,
    pub step_ms: i64,
    pub metrics: Vec<PerfMetric>,
}

type Lines = BTreeMap<String, BTreeMap<i64, f64>>;

async fn lines(
    store: &Store,
    scope: &Scope,
    host: &str,
    name: &str,
    w: (i64, i64, i64),
    by: &str,
) -> Result<Lines, StoreError> {
    let q = SeriesQuery {
        name: name.into(),
        labels: BTreeMap::new(),
        from_ms: w.0,
        to_ms: w.1,
        step_ms: w.2,
        agg: None,
    };
    let mut out: Lines = BTreeMap::new();
    for s in store.query_series(scope, host, &q).await? {
        if s.labels.get("device").is_some_and(|d| d == "lo") {
            continue;
        }
        let key = if by.is_empty() {
            String::new()
        } else {
            s.labels.get(by).cloned().unwrap_or_default()
        };
        let line = out.entry(key).or_default();
        for (t, v) in s.points {
            *line.entry(t).or_default() += v;
        }
    }
    Ok(out)
}

/// `100 × (1 − part / whole)` where both have a point.
fn used_pct(part: &BTreeMap<i64, f64>, whole: &BTreeMap<i64, f64>) -> Vec<(i64, f64)> {
    part.iter()
        .filter_map(|(t, p)| {
            whole
                .get(t)
                .filter(|w| **w > 0.0)
                .map(|w| (*t, 100.0 * (1.0 - p / w)))
        })
        .collect()
}

fn metric(
    resource: &str,
    instance: &str,
    unit: &str,
    pts: Vec<(i64, f64)>,
    w: (i64, i64, i64),
) -> Option<PerfMetric> {
    let s = summarize(&pts)?;
    let year = 365 * 86_400_000;
    let (linear, seasonal) = if unit == "%" {
        let f = |o: Option<onestop_tsdb::perf::Forecast>| {
            o.map(|f| PerfForecast {
                at: f.at,
                method: f.method,
            })
        };
        (
            f(forecast_linear(&pts, 100.0, w.1, year)),
            f(forecast_seasonal(&pts, 100.0, w.1, year)),
        )
    } else {
        (None, None)
    };
    let title = if instance.is_empty() {
        format!("{resource} ({unit})")
    } else {
        format!("{resource} {instance} ({unit})")
    };
    let mut lines = vec![(title.clone(), pts.clone())];
    if let Some(t) = s.trend {
        lines.push(("trend".into(), vec![(w.0, t.at(w.0)), (w.1, t.at(w.1))]));
    }
    Some(PerfMetric {
        resource: resource.into(),
        instance: instance.into(),
        unit: unit.into(),
        avg: round(s.avg),
        peak: round(s.peak),
        p95: round(s.p95),
        trend_per_day: round(s.trend.map(|t| t.per_hour() * 24.0).unwrap_or(0.0)),
        samples: s.samples,
        linear,
        seasonal,
        svg: chart::svg(&title, &lines, w.0, w.1),
    })
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The performance check of `host` over `[from, to)`, read under `scope`.
pub async fn report(
    store: &Store,
    scope: &Scope,
    host: &str,
    from: i64,
    to: i64,
) -> Result<PerfReport, StoreError> {
    let step = ((to - from) / 240).max(60_000);
    let w = (from, to, step);
    let mut out = Vec::new();
    let cpu = lines(store, scope, host, "node_cpu_seconds_total", w, "mode").await?;
    let mut total: BTreeMap<i64, f64> = BTreeMap::new();
    let mut idle: BTreeMap<i64, f64> = BTreeMap::new();
    for (mode, pts) in &cpu {
        for (t, v) in pts {
            *total.entry(*t).or_default() += v;
            if mode == "idle" || mode == "iowait" {
                *idle.entry(*t).or_default() += v;
            }
        }
    }
    let idle_all: BTreeMap<i64, f64> = total
        .keys()
        .map(|t| (*t, idle.get(t).copied().unwrap_or(0.0)))
        .collect();
    out.extend(metric("cpu", "", "%", used_pct(&idle_all, &total), w));
    let one = |l: Lines| l.into_values().next().unwrap_or_default();
    let avail = one(lines(store, scope, host, "node_memory_MemAvailable_bytes", w, "").await?);
    let mem = one(lines(store, scope, host, "node_memory_MemTotal_bytes", w, "").await?);
    out.extend(metric("memory", "", "%", used_pct(&avail, &mem), w));
    let sfree = one(lines(store, scope, host, "node_memory_SwapFree_bytes", w, "").await?);
    let stotal = one(lines(store, scope, host, "node_memory_SwapTotal_bytes", w, "").await?);
    out.extend(metric("swap", "", "%", used_pct(&sfree, &stotal), w));
    let favail = lines(
        store,
        scope,
        host,
        "node_filesystem_avail_bytes",
        w,
        "mountpoint",
    )
    .await?;
    let fsize = lines(
        store,
        scope,
        host,
        "node_filesystem_size_bytes",
        w,
        "mountpoint",
    )
    .await?;
    for (mp, a) in &favail {
        if let Some(sz) = fsize.get(mp) {
            out.extend(metric("disk", mp, "%", used_pct(a, sz), w));
        }
    }
    for (dir, name) in [
        ("receive", "node_network_receive_bytes_total"),
        ("transmit", "node_network_transmit_bytes_total"),
    ] {
        for (dev, pts) in lines(store, scope, host, name, w, "device").await? {
            out.extend(metric(
                "network",
                &format!("{dev} {dir}"),
                "B/s",
                pts.into_iter().collect(),
                w,
            ));
        }
    }
    Ok(PerfReport {
        host_id: host.into(),
        from,
        to,
        step_ms: step,
        metrics: out,
    })
}
