//! One run of a check or a scrape, stored: the samples through `Store::ingest_polled`, the
//! newest result on the item's row, and for a check turning to failing one event.
use super::run::{Outcome, run};
use super::scrape::scrape;
use crate::Crypto;
use onestop_proto::{Point, Series};
use onestop_store::{Check, EventInput, ProbeState, ScrapeJob, Store, now_ms};
use std::collections::BTreeMap;

/// Run `c` once and store its series, its state and (on a change to failing) an event.
pub async fn check_once(store: &Store, c: &Check) -> Outcome {
    let o = run(c).await;
    let at = now_ms();
    let labels = BTreeMap::from([("check".to_string(), c.name.clone())]);
    let mut values = vec![
        ("probe_success", if o.ok { 1.0 } else { 0.0 }),
        ("probe_duration_seconds", o.duration.as_secs_f64()),
    ];
    values.extend(o.values.iter().copied());
    let series = values
        .into_iter()
        .map(|(name, value)| Series {
            name: name.into(),
            labels: labels.clone(),
            points: vec![Point { ts_ms: at, value }],
        })
        .collect();
    if let Err(e) = store.ingest_polled(&c.host_id, series).await {
        tracing::warn!(check = %c.id, error = %e, "storing check samples");
    }
    let state = ProbeState {
        run_at: at,
        ok: o.ok,
        message: o.message.clone(),
        duration_ms: o.duration.as_millis() as i64,
        method: o.method.clone(),
    };
    let prev = match store.record_check_result(&c.id, &state).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(check = %c.id, error = %e, "recording a check result");
            return o;
        }
    };
    if !o.ok && prev != Some(false) {
        let event = EventInput {
            customer_id: c.customer_id.clone(),
            host_id: Some(c.host_id.clone()),
            source: "check".into(),
            kind: c.id.clone(),
            severity: "warning".into(),
            title: format!("Check {} failing: {}", c.name, o.message),
            detail: serde_json::json!({
                "check": c.name, "kind": c.kind, "target": c.target,
                "message": o.message, "method": o.method,
            }),
            occurred_at: at,
        };
        if let Err(e) = store.raise_events(&[event]).await {
            tracing::warn!(check = %c.id, error = %e, "raising a check event");
        }
    }
    o
}

/// Scrape `j` once and store its series and state.
pub async fn scrape_once(store: &Store, crypto: &Crypto, j: &ScrapeJob) {
    let secret = j.sealed_secret.as_deref().and_then(|s| crypto.decrypt(s));
    let t = &j.target;
    let at = now_ms();
    let s = scrape(t, secret.as_deref(), at).await;
    if let Err(e) = store.ingest_polled(&t.host_id, s.series).await {
        tracing::warn!(target = %t.id, error = %e, "storing scraped samples");
    }
    let state = ProbeState {
        run_at: at,
        ok: s.ok,
        message: s.message,
        duration_ms: s.duration.as_millis() as i64,
        method: None,
    };
    if let Err(e) = store
        .record_scrape_result(&t.id, &state, s.samples as i64)
        .await
    {
        tracing::warn!(target = %t.id, error = %e, "recording a scrape result");
    }
}
