//! Remote monitoring in the server: the ingest path behind the agent endpoints, the
//! background jobs (compaction into tsdb chunks with rollups and retention, and alert
//! evaluation), each run under a lease so that several servers on one database never run
//! them twice, and the SVG charts of the host page.
pub mod chart;
pub mod eval;
pub mod events_job;
pub mod ingest;
pub mod kinds;
pub mod perf;
pub mod signal;

use crate::Settings;
use onestop_store::{Retention, Store, now_ms};
use std::time::Duration;

const DAY_MS: i64 = 86_400_000;

/// Retention from the settings.
pub fn retention(s: &Settings) -> Retention {
    Retention {
        raw_ms: s.monitor_raw_days.max(1) * DAY_MS,
        minute_ms: s.monitor_minute_days.max(1) * DAY_MS,
        hour_ms: s.monitor_hour_days.max(1) * DAY_MS,
    }
}

/// Start the compaction and alert-evaluation loops.
pub fn spawn_jobs(store: Store, settings: &Settings) {
    let holder = onestop_store::new_id();
    let keep = retention(settings);
    let compact_every = Duration::from_secs(settings.monitor_compact_secs.max(1) as u64);
    let alert_every = Duration::from_secs(settings.monitor_alert_secs.max(1) as u64);
    let down_ms = settings.monitor_down_secs.max(1) * 1000;
    let severity = settings.monitor_event_severity.clone();
    events_job::spawn(store.clone(), alert_every, severity, holder.clone());
    let (s, h) = (store.clone(), holder.clone());
    tokio::spawn(async move {
        let ttl = (compact_every.as_millis() as i64 * 4).max(60_000);
        loop {
            tokio::time::sleep(compact_every).await;
            match s.acquire_lease("compact", &h, ttl).await {
                Ok(true) => compact_all(&s, keep).await,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "compaction lease"),
            }
        }
    });
    tokio::spawn(async move {
        if let Err(e) = store.ensure_default_rules().await {
            tracing::warn!(error = %e, "installing the default alert rules");
        }
        let ttl = (alert_every.as_millis() as i64 * 4).max(60_000);
        loop {
            tokio::time::sleep(alert_every).await;
            match store.acquire_lease("alerts", &holder, ttl).await {
                Ok(true) => {
                    if let Err(e) = eval::evaluate_all(&store, now_ms(), down_ms).await {
                        tracing::warn!(error = %e, "alert evaluation failed");
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "alert lease"),
            }
        }
    });
}

/// Compact until no full batch of pending batches remains.
async fn compact_all(store: &Store, keep: Retention) {
    const LIMIT: i64 = 500;
    loop {
        match store.compact(now_ms(), LIMIT, keep).await {
            Ok(r) => {
                if r.batches > 0 || r.merged > 0 {
                    tracing::debug!(?r, "compacted");
                }
                if r.batches < LIMIT as u64 {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "compaction failed");
                return;
            }
        }
    }
}
