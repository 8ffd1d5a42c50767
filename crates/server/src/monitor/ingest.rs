//! The ingest path of `POST /api/v1/agent/batches`: decode (gzip JSON, bounded), validate,
//! store as received (deduplicated by host and sequence number; concurrent batches share one
//! commit), acknowledge.
use crate::error::ApiError;
use axum::http::StatusCode;
use onestop_proto::{Ack, DEFAULT_MAX_DECODED, LogLine, PROTOCOL_VERSION, Point};
use onestop_store::{AgentIdentity, BatchMeta, Store, StoreError};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use tokio::sync::{mpsc, oneshot};

/// Why a batch was not stored.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Not gzip, not JSON of the batch schema, or an unknown protocol version.
    #[error("{0}")]
    Undecodable(String),
    #[error("a batch may carry at most {MAX_SAMPLES} samples")]
    TooLarge,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Undecodable(m) => ApiError::new(StatusCode::BAD_REQUEST, "bad_batch", m),
            e @ IngestError::TooLarge => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
            }
            IngestError::Invalid(m) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m)
            }
            IngestError::Store(e) => e.into(),
        }
    }
}

/// Largest number of samples accepted in one batch.
pub const MAX_SAMPLES: u64 = 2_000_000;

/// Largest number of check results accepted in one batch.
pub const MAX_CHECKS: usize = 256;

/// Largest number of batches committed in one transaction.
const GROUP: usize = 256;

struct Job {
    agent: AgentIdentity,
    meta: BatchMeta,
    body: axum::body::Bytes,
    done: oneshot::Sender<Result<bool, String>>,
}

/// The ingest writer: batches decoded by concurrent requests are committed together (group
/// commit) by one task, and each request is answered after the commit that holds its batch.
#[derive(Clone)]
pub struct Ingestor {
    tx: mpsc::Sender<Job>,
}

impl Ingestor {
    /// Start the writer task for `store`.
    pub fn start(store: Store) -> Ingestor {
        let (tx, mut rx) = mpsc::channel::<Job>(4 * GROUP);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut jobs = vec![first];
                while jobs.len() < GROUP {
                    match rx.try_recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
                let items: Vec<(&AgentIdentity, BatchMeta, &[u8])> = jobs
                    .iter()
                    .map(|j| (&j.agent, j.meta, &j.body[..]))
                    .collect();
                let result = store.ingest_batches(&items).await;
                drop(items);
                match result {
                    Ok(fresh) => {
                        for (j, f) in jobs.into_iter().zip(fresh) {
                            let _ = j.done.send(Ok(f));
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, batches = jobs.len(), "storing batches failed");
                        for j in jobs {
                            let _ = j.done.send(Err(e.to_string()));
                        }
                    }
                }
            }
        });
        Ingestor { tx }
    }

    /// Decode, validate and store one encoded batch from `agent`; the [`Ack`] is sent only
    /// after the batch is committed. Used by the handler and by the ingest benchmark.
    pub async fn accept(
        &self,
        agent: &AgentIdentity,
        body: axum::body::Bytes,
    ) -> Result<Ack, IngestError> {
        let raw = body.clone();
        let meta = tokio::task::spawn_blocking(move || check(&raw))
            .await
            .map_err(|e| IngestError::Undecodable(e.to_string()))??;
        let (done, wait) = oneshot::channel();
        let job = Job {
            agent: agent.clone(),
            meta,
            body,
            done,
        };
        let stopped = || IngestError::Store(StoreError::Other("ingest writer stopped".into()));
        self.tx.send(job).await.map_err(|_| stopped())?;
        wait.await
            .map_err(|_| stopped())?
            .map_err(|e| IngestError::Store(StoreError::Other(e)))?;
        Ok(Ack {
            seq: meta.seq,
            accepted: true,
            reason: None,
        })
    }
}

/// The batch schema of `onestop-proto`, read without copying names and labels: the ingest
/// path checks every field's shape (the same schema as [`onestop_proto::Batch`]) and counts,
/// and stores the body as received; compaction decodes it fully later.
#[derive(Deserialize)]
struct BatchView<'a> {
    version: u32,
    seq: u64,
    #[allow(dead_code)]
    sent_at_ms: i64,
    #[serde(borrow)]
    payload: PayloadView<'a>,
}

#[derive(Deserialize)]
struct PayloadView<'a> {
    #[serde(default, borrow)]
    series: Vec<SeriesView<'a>>,
    #[serde(default)]
    inventory: Option<onestop_proto::Inventory>,
    #[serde(default)]
    logs: Vec<LogLine>,
    #[serde(default)]
    checks: Vec<onestop_proto::CheckResult>,
}

#[derive(Deserialize)]
struct SeriesView<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(default, borrow)]
    #[allow(dead_code)]
    labels: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
    points: PointCount,
}

/// A series' points, each checked as [`Point`] reads it, counted and not kept.
struct PointCount(u64);

impl<'de> Deserialize<'de> for PointCount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Counter;
        impl<'de> serde::de::Visitor<'de> for Counter {
            type Value = PointCount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of [ts_ms, value] pairs")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<PointCount, A::Error> {
                let mut n = 0;
                while seq.next_element::<Point>()?.is_some() {
                    n += 1;
                }
                Ok(PointCount(n))
            }
        }
        d.deserialize_seq(Counter)
    }
}

/// Gunzip (bounded) and check a batch; its metadata for the store.
fn check(body: &[u8]) -> Result<BatchMeta, IngestError> {
    let bad = IngestError::Undecodable;
    let mut json = Vec::with_capacity(body.len() * 8);
    flate2::read::GzDecoder::new(body)
        .take(DEFAULT_MAX_DECODED + 1)
        .read_to_end(&mut json)
        .map_err(|e| bad(format!("batch compression: {e}")))?;
    if json.len() as u64 > DEFAULT_MAX_DECODED {
        return Err(bad(format!(
            "decoded batch exceeds {DEFAULT_MAX_DECODED} bytes"
        )));
    }
    let b: BatchView =
        serde_json::from_slice(&json).map_err(|e| bad(format!("batch JSON: {e}")))?;
    if b.version == 0 || b.version > PROTOCOL_VERSION {
        return Err(bad(format!("unsupported protocol version {}", b.version)));
    }
    let samples: u64 = b.payload.series.iter().map(|s| s.points.0).sum();
    if samples > MAX_SAMPLES {
        return Err(IngestError::TooLarge);
    }
    if let Some(s) = b
        .payload
        .series
        .iter()
        .find(|s| s.name.is_empty() || s.name.len() > 200)
    {
        return Err(IngestError::Invalid(format!(
            "bad series name `{}`",
            s.name.chars().take(200).collect::<String>()
        )));
    }
    if b.payload.checks.len() > MAX_CHECKS {
        return Err(IngestError::Invalid(format!(
            "a batch may carry at most {MAX_CHECKS} check results"
        )));
    }
    if i64::try_from(b.seq).is_err() {
        return Err(IngestError::Invalid("sequence number out of range".into()));
    }
    Ok(BatchMeta {
        seq: b.seq,
        samples,
        has_inventory: b.payload.inventory.is_some(),
        log_lines: b.payload.logs.len() as u64,
        checks: b.payload.checks.len() as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use onestop_proto::{Batch, Payload, Series, encode_batch};

    #[test]
    fn checks_what_the_proto_decoder_accepts() {
        let mut s = Series::new("node_load1", [("a".to_string(), "b\"c".to_string())].into());
        s.points.push(Point {
            ts_ms: 1,
            value: f64::NAN,
        });
        let b = Batch {
            version: 1,
            seq: 7,
            sent_at_ms: 0,
            payload: Payload {
                series: vec![s],
                ..Default::default()
            },
        };
        let body = encode_batch(&b).unwrap();
        let m = check(&body).unwrap();
        assert_eq!(
            (m.seq, m.samples, m.has_inventory, m.log_lines),
            (7, 1, false, 0)
        );
        assert!(matches!(check(b"nope"), Err(IngestError::Undecodable(_))));
        let mut future = b.clone();
        future.version = 99;
        assert!(matches!(
            check(&encode_batch(&future).unwrap()),
            Err(IngestError::Undecodable(_))
        ));
        let mut unnamed = b;
        unnamed.payload.series[0].name.clear();
        assert!(matches!(
            check(&encode_batch(&unnamed).unwrap()),
            Err(IngestError::Invalid(_))
        ));
    }
}
