//! One scrape of a Prometheus text-format endpoint into series of the target's host: every
//! sample (at the exposition's timestamp, else the scrape's), with the target's labels
//! (`instance` = the URL's host:port, plus the configured ones; a scraped label they
//! override is kept as `exported_<name>`, as Prometheus does), and per target `up`,
//! `scrape_duration_seconds` and `scrape_samples_scraped`.
use super::{expo, fetch};
use base64::Engine;
use onestop_proto::{Point, Series};
use onestop_store::ScrapeTarget;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The series of one scrape and its summary.
pub struct Scraped {
    pub series: Vec<Series>,
    pub ok: bool,
    pub message: String,
    pub duration: Duration,
    pub samples: usize,
}

/// The labels every series of `t` carries.
pub fn target_labels(t: &ScrapeTarget) -> BTreeMap<String, String> {
    let mut l = t.labels.clone();
    let instance = t
        .url
        .parse::<hyper::Uri>()
        .ok()
        .and_then(|u| u.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| t.url.clone());
    l.entry("instance".into()).or_insert(instance);
    l
}

/// Scrape `t` once within its timeout; `secret`: the opened password or token.
pub async fn scrape(t: &ScrapeTarget, secret: Option<&str>, now_ms: i64) -> Scraped {
    let mut headers = vec![];
    match (t.auth_kind.as_str(), secret) {
        ("basic", Some(s)) => {
            let pair = format!("{}:{s}", t.auth_user.as_deref().unwrap_or(""));
            let enc = base64::engine::general_purpose::STANDARD.encode(pair);
            headers.push(("authorization".to_string(), format!("Basic {enc}")));
        }
        ("bearer", Some(s)) => headers.push(("authorization".into(), format!("Bearer {s}"))),
        _ => {}
    }
    let timeout = Duration::from_millis(t.timeout_ms.max(1) as u64);
    let t0 = Instant::now();
    let got = match tokio::time::timeout(timeout, fetch::get(&t.url, &headers, false)).await {
        Err(_) => Err(format!("no answer within {} ms", t.timeout_ms)),
        Ok(Err(e)) => Err(e),
        Ok(Ok(f)) if !(200..300).contains(&f.status) => Err(format!("HTTP status {}", f.status)),
        Ok(Ok(f)) => expo::parse(&String::from_utf8_lossy(&f.body)),
    };
    let duration = t0.elapsed();
    let base = target_labels(t);
    let (mut series, ok, message, samples) = match got {
        Ok(samples) => {
            let n = samples.len();
            (
                to_series(samples, &base, now_ms),
                true,
                format!("{n} samples"),
                n,
            )
        }
        Err(e) => (vec![], false, e, 0),
    };
    let own = |name: &str, v: f64| Series {
        name: name.into(),
        labels: base.clone(),
        points: vec![Point {
            ts_ms: now_ms,
            value: v,
        }],
    };
    series.push(own("up", if ok { 1.0 } else { 0.0 }));
    series.push(own("scrape_duration_seconds", duration.as_secs_f64()));
    series.push(own("scrape_samples_scraped", samples as f64));
    Scraped {
        series,
        ok,
        message,
        duration,
        samples,
    }
}

/// Samples grouped into series, with the target's labels applied.
pub fn to_series(
    samples: Vec<expo::Sample>,
    base: &BTreeMap<String, String>,
    now_ms: i64,
) -> Vec<Series> {
    let mut by_key: BTreeMap<(String, BTreeMap<String, String>), Vec<Point>> = BTreeMap::new();
    for s in samples {
        let mut labels = BTreeMap::new();
        for (k, v) in s.labels {
            if base.contains_key(&k) {
                labels.insert(format!("exported_{k}"), v);
            } else {
                labels.insert(k, v);
            }
        }
        labels.extend(base.iter().map(|(k, v)| (k.clone(), v.clone())));
        let point = Point {
            ts_ms: s.ts_ms.unwrap_or(now_ms),
            value: s.value,
        };
        by_key.entry((s.name, labels)).or_default().push(point);
    }
    by_key
        .into_iter()
        .map(|((name, labels), mut points)| {
            points.sort_by_key(|p| p.ts_ms);
            Series {
                name,
                labels,
                points,
            }
        })
        .collect()
}
