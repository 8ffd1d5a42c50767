//! The payload dispatcher: agent batches that carry inventory or log lines are handed, in
//! order, to the patch store (`put_inventory`, source `agent`) and to the syslog writer task
//! (routed to the batch's host, mined, diagnosed, stored with source `agent`). Runs under
//! the `dispatch` lease, so several servers on one database never do it twice.
//!
//! Exactly once: inventory is consumed after `put_inventory` (which is idempotent: the same
//! inventory again changes nothing); log lines are consumed in the same transaction that
//! stores them, and a batch already consumed is skipped there, so a crash or a second
//! dispatch never stores a line twice.
use crate::syslog::{AgentOrigin, Frame};
use onestop_store::{Scope, Store, StoreError, now_ms};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Batches read per pass.
const LIMIT: i64 = 200;
/// A batch handed to the writer is not handed again before this (the writer retries a
/// failed commit for a minute).
const IN_FLIGHT: Duration = Duration::from_secs(120);

/// Dispatch every `every` until `stop`; dropping `tx` on return lets the writer finish.
pub async fn run(
    store: Store,
    tx: mpsc::Sender<Vec<Frame>>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let holder = onestop_store::new_id();
    let ttl = (every.as_millis() as i64 * 4).max(60_000);
    let mut in_flight: HashMap<(String, i64), Instant> = HashMap::new();
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = tokio::time::sleep(every) => {}
        }
        match store.acquire_lease("dispatch", &holder, ttl).await {
            Ok(true) => {
                if let Err(e) = pass(&store, &tx, &mut in_flight).await {
                    tracing::warn!(error = %e, "payload dispatch failed");
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "dispatch lease"),
        }
    }
}

/// One pass over the pending batches, oldest first.
async fn pass(
    store: &Store,
    tx: &mpsc::Sender<Vec<Frame>>,
    in_flight: &mut HashMap<(String, i64), Instant>,
) -> Result<(), StoreError> {
    in_flight.retain(|_, t| t.elapsed() < IN_FLIGHT);
    for p in store.pending_payloads(LIMIT).await? {
        let batch = match onestop_proto::decode_batch(&p.body) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(host = p.host_id, seq = p.seq, error = %e, "undecodable batch payload dropped");
                store.consume_payload(&p.host_id, p.seq, true).await?;
                continue;
            }
        };
        if p.has_inventory {
            match batch.payload.inventory.as_ref() {
                Some(inv) => match store
                    .put_inventory(&Scope::System, &p.host_id, inv, "agent")
                    .await
                {
                    Ok(_) => store.consume_payload(&p.host_id, p.seq, false).await?,
                    Err(e @ (StoreError::NotFound | StoreError::Invalid(_))) => {
                        tracing::warn!(host = p.host_id, seq = p.seq, error = %e, "agent inventory refused");
                        store.consume_payload(&p.host_id, p.seq, false).await?;
                    }
                    Err(e) => return Err(e),
                },
                None => store.consume_payload(&p.host_id, p.seq, false).await?,
            }
        }
        if p.log_lines > 0 && !batch.payload.logs.is_empty() {
            let key = (p.host_id.clone(), p.seq);
            if in_flight.contains_key(&key) {
                continue;
            }
            let now = now_ms();
            let frames = batch
                .payload
                .logs
                .into_iter()
                .map(|l| Frame {
                    received_at: now,
                    source: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    bytes: l.line.into_bytes(),
                    agent: Some(AgentOrigin {
                        host_id: p.host_id.clone(),
                        seq: p.seq,
                        ts_ms: l.ts_ms,
                    }),
                })
                .collect();
            if tx.send(frames).await.is_err() {
                return Ok(());
            }
            in_flight.insert(key, Instant::now());
        } else if p.log_lines > 0 {
            store.consume_payload(&p.host_id, p.seq, true).await?;
        }
    }
    Ok(())
}
