//! The events loop: every alert interval, under the `events` lease, unhandled events of the
//! configured severity or worse become incidents (one per open condition; see
//! `Store::handle_events`).
use onestop_store::{Store, now_ms};
use std::time::Duration;

/// Start the loop.
pub fn spawn(store: Store, every: Duration, min_severity: String, holder: String) {
    tokio::spawn(async move {
        let ttl = (every.as_millis() as i64 * 4).max(60_000);
        loop {
            tokio::time::sleep(every).await;
            match store.acquire_lease("events", &holder, ttl).await {
                Ok(true) => loop {
                    match store.handle_events(&min_severity, 200, now_ms()).await {
                        Ok(p) if p.opened + p.noted + p.silenced == 200 => continue,
                        Ok(_) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "events into incidents failed");
                            break;
                        }
                    }
                },
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "events lease"),
            }
        }
    });
}
