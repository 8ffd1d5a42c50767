//! The webhook sender: every server runs it; deliveries are claimed from the database under a
//! lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so two servers never send one twice. Each
//! is signed (`X-Onestop-Signature: sha256=<hex HMAC-SHA256 of the body>` with the
//! subscription's secret), posted with a timeout, and its outcome logged; failures are retried
//! with exponential backoff by the store.
mod send;

pub use send::{SIGNATURE_HEADER, sign};

use crate::crypto::Crypto;
use onestop_store::{Claimed, DeliveryOutcome, Store};
use std::sync::Arc;
use std::time::Duration;

/// Deliveries taken per round.
const BATCH: i64 = 32;
/// How long a claim holds (longer than the HTTP timeout).
const LEASE_MS: i64 = 60_000;

/// Start the sender loop.
pub fn spawn(store: Store, crypto: Arc<Crypto>, poll: Duration, retry_base_ms: i64) {
    let holder = format!("hooks-{}", onestop_store::new_id());
    let agent = send::agent();
    tokio::spawn(async move {
        loop {
            let n = match round(&store, &crypto, &agent, &holder, retry_base_ms).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook round failed");
                    0
                }
            };
            if n < BATCH as usize {
                tokio::time::sleep(poll).await;
            }
        }
    });
}

/// Claim and send one batch; returns how many were taken.
pub(crate) async fn round(
    store: &Store,
    crypto: &Crypto,
    agent: &ureq::Agent,
    holder: &str,
    retry_base_ms: i64,
) -> anyhow::Result<usize> {
    let now = onestop_store::now_ms();
    let claimed = store
        .claim_webhook_deliveries(holder, now, BATCH, LEASE_MS)
        .await?;
    let n = claimed.len();
    let mut tasks = tokio::task::JoinSet::new();
    for c in claimed {
        let secret = crypto.decrypt(&c.secret_enc);
        let agent = agent.clone();
        tasks.spawn_blocking(move || {
            let o = match secret {
                Some(secret) => send::post(&agent, &c, &secret),
                None => DeliveryOutcome {
                    error: Some(
                        "the signing secret cannot be decrypted with this server's key".into(),
                    ),
                    ..Default::default()
                },
            };
            (c, o)
        });
    }
    while let Some(r) = tasks.join_next().await {
        let (c, o): (Claimed, DeliveryOutcome) = r?;
        if !o.ok() {
            tracing::info!(delivery = %c.id, attempt = c.attempt, code = ?o.code, error = ?o.error, "webhook attempt failed");
        }
        store
            .finish_webhook_delivery(holder, &c, onestop_store::now_ms(), &o, retry_base_ms)
            .await?;
    }
    Ok(n)
}
