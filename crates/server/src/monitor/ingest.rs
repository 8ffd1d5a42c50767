//! The ingest path of `POST /api/v1/agent/batches`: decode (gzip JSON, bounded), validate,
//! store as received (deduplicated by host and sequence number; concurrent batches share one
//! commit), acknowledge.
use crate::error::ApiError;
use axum::http::StatusCode;
use onestop_proto::{Ack, DEFAULT_MAX_DECODED, LogLine, PROTOCOL_VERSION, Point};
use onestop_store::{AgentIdentity, BatchMeta, Store, StoreError};
use serde::Deserialize;
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
        let meta = if claimed_size(&body) <= INLINE_DECODED {
            check(&body, INLINE_DECODED)?
        } else {
            let raw = body.clone();
            tokio::task::spawn_blocking(move || check(&raw, DEFAULT_MAX_DECODED))
                .await
                .map_err(|e| IngestError::Undecodable(e.to_string()))??
        };
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

/// The batch schema of `onestop-proto`, read without keeping names, labels or points: the
/// ingest path checks every field's shape (the same schema as [`onestop_proto::Batch`]),
/// counts samples and notes the first bad series name while reading, and stores the body as
/// received; compaction decodes it fully later.
#[derive(Deserialize)]
struct BatchView {
    version: u32,
    seq: u64,
    #[allow(dead_code)]
    sent_at_ms: i64,
    payload: PayloadView,
}

#[derive(Deserialize)]
struct PayloadView {
    #[serde(default)]
    series: SeriesStats,
    #[serde(default)]
    inventory: Option<onestop_proto::Inventory>,
    #[serde(default)]
    logs: Vec<LogLine>,
    #[serde(default)]
    checks: Vec<onestop_proto::CheckResult>,
}

/// What reading the series list learnt: samples in all, and the first bad series name.
#[derive(Default)]
struct SeriesStats {
    samples: u64,
    bad_name: Option<String>,
}

#[derive(Deserialize)]
struct SeriesView {
    name: Name,
    #[serde(default)]
    #[allow(dead_code)]
    labels: Labels,
    points: PointCount,
}

/// A series name, checked (non-empty, at most 200 bytes) and not kept: the name (cut to 200
/// characters) when it is bad.
struct Name(Option<String>);

/// A label map of strings to strings, checked and not kept.
#[derive(Default)]
struct Labels;

/// A JSON string, checked and not kept.
struct AnyStr;

/// A series' points, each checked as [`Point`] reads it, counted and not kept.
struct PointCount(u64);

impl<'de> Deserialize<'de> for SeriesStats {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SeriesStats;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of series")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SeriesStats, A::Error> {
                let mut out = SeriesStats::default();
                while let Some(s) = seq.next_element::<SeriesView>()? {
                    out.samples += s.points.0;
                    if out.bad_name.is_none() {
                        out.bad_name = s.name.0;
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Name;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a series name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Name, E> {
                let bad = v.is_empty() || v.len() > 200;
                Ok(Name(bad.then(|| v.chars().take(200).collect())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for AnyStr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = AnyStr;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<AnyStr, E> {
                Ok(AnyStr)
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Labels;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of label names to values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Labels, A::Error> {
                while map.next_entry::<AnyStr, AnyStr>()?.is_some() {}
                Ok(Labels)
            }
        }
        d.deserialize_map(V)
    }
}

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

/// Largest decoded batch checked on the calling async thread: a batch of one collection (some
/// 20 KB of JSON) checks in well under a millisecond, less than handing it to the blocking pool
/// and back costs; larger ones (a spool replay, an inventory) go to the blocking pool.
const INLINE_DECODED: u64 = 256 * 1024;

/// The decoded size a gzip body claims (its trailer), to choose where to check it; the
/// check holds the body to it.
fn claimed_size(body: &[u8]) -> u64 {
    match body.len().checked_sub(4).and_then(|at| body.get(at..)) {
        Some(t) => u64::from(u32::from_le_bytes([t[0], t[1], t[2], t[3]])),
        None => u64::MAX,
    }
}

/// The decompression buffer of each thread, kept between batches (a batch is decoded into
/// it, checked, and dropped) unless a large batch grew it past this.
const KEEP_BUFFER: usize = 4 * 1024 * 1024;

/// Gunzip (to at most `limit` bytes) and check a batch; its metadata for the store.
fn check(body: &[u8], limit: u64) -> Result<BatchMeta, IngestError> {
    thread_local! {
        static JSON: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    JSON.with_borrow_mut(|json| {
        json.clear();
        let r = check_in(body, limit, json);
        if json.capacity() > KEEP_BUFFER {
            *json = Vec::new();
        }
        r
    })
}

fn check_in(body: &[u8], limit: u64, json: &mut Vec<u8>) -> Result<BatchMeta, IngestError> {
    let bad = IngestError::Undecodable;
    flate2::read::GzDecoder::new(body)
        .take(limit + 1)
        .read_to_end(json)
        .map_err(|e| bad(format!("batch compression: {e}")))?;
    if json.len() as u64 > limit {
        return Err(bad(if limit < DEFAULT_MAX_DECODED {
            "batch compression: decoded size larger than its gzip trailer says".into()
        } else {
            format!("decoded batch exceeds {limit} bytes")
        }));
    }
    let b: BatchView = serde_json::from_slice(json).map_err(|e| bad(format!("batch JSON: {e}")))?;
    if b.version == 0 || b.version > PROTOCOL_VERSION {
        return Err(bad(format!("unsupported protocol version {}", b.version)));
    }
    let samples = b.payload.series.samples;
    if samples > MAX_SAMPLES {
        return Err(IngestError::TooLarge);
    }
    if let Some(name) = b.payload.series.bad_name {
        return Err(IngestError::Invalid(format!("bad series name `{name}`")));
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
    use std::collections::BTreeMap;

    fn check(body: &[u8]) -> Result<BatchMeta, IngestError> {
        super::check(body, DEFAULT_MAX_DECODED)
    }

    #[test]
    fn large_batches_leave_the_async_thread_and_trailers_are_held_to() {
        let mut s = Series::new("node_load1", BTreeMap::new());
        s.points = (0..20_000)
            .map(|i| Point {
                ts_ms: i,
                value: i as f64 / 7.0,
            })
            .collect();
        let b = Batch {
            version: 1,
            seq: 1,
            sent_at_ms: 0,
            payload: Payload {
                series: vec![s],
                ..Default::default()
            },
        };
        let mut body = encode_batch(&b).unwrap();
        assert!(claimed_size(&body) > INLINE_DECODED);
        assert_eq!(check(&body).unwrap().samples, 20_000);
        assert!(claimed_size(b"abc") > INLINE_DECODED);
        // A trailer claiming a small size does not get a large batch checked inline.
        let n = body.len();
        body[n - 4..].copy_from_slice(&100u32.to_le_bytes());
        assert_eq!(claimed_size(&body), 100);
        assert!(matches!(
            super::check(&body, INLINE_DECODED),
            Err(IngestError::Undecodable(_))
        ));
    }

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
        let mut unnamed = b.clone();
        unnamed.payload.series[0].name.clear();
        assert!(matches!(
            check(&encode_batch(&unnamed).unwrap()),
            Err(IngestError::Invalid(_))
        ));
        let mut long = b.clone();
        long.payload
            .series
            .push(Series::new("x".repeat(201), BTreeMap::new()));
        match check(&encode_batch(&long).unwrap()) {
            Err(IngestError::Invalid(m)) => assert!(m.contains(&"x".repeat(200)), "{m}"),
            other => panic!("{other:?}"),
        }
        let mut two = b;
        two.payload.series.push(two.payload.series[0].clone());
        two.payload.series[1].points.push(Point {
            ts_ms: 2,
            value: 1.5,
        });
        assert_eq!(check(&encode_batch(&two).unwrap()).unwrap().samples, 3);
    }

    fn gzip(json: &str) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(json.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn refuses_what_the_proto_decoder_refuses() {
        let ok = r#"{"version":1,"seq":1,"sent_at_ms":0,"payload":{"series":[{"name":"a","labels":{"k":"v\"w"},"points":[[1,"NaN"],[2,3]]}]}}"#;
        assert!(onestop_proto::decode_batch(&gzip(ok)).is_ok());
        assert_eq!(check(&gzip(ok)).unwrap().samples, 2);
        for bad in [
            r#"{"version":1,"seq":1,"sent_at_ms":0,"payload":{"series":[{"name":"a","labels":{"k":1},"points":[]}]}}"#,
            r#"{"version":1,"seq":1,"sent_at_ms":0,"payload":{"series":[{"name":"a","labels":null,"points":[]}]}}"#,
            r#"{"version":1,"seq":1,"sent_at_ms":0,"payload":{"series":[{"name":"a"}]}}"#,
            r#"{"version":1,"seq":1,"sent_at_ms":0,"payload":{"series":[{"name":1,"points":[]}]}}"#,
            r#"{"version":1,"seq":1,"sent_at_ms":0,"payload":{"series":[{"name":"a","points":[[1]]}]}}"#,
            r#"{"version":1,"seq":1,"sent_at_ms":0,"payload":{"series":[{"name":"a","points":[[1,"x"]]}]}}"#,
            r#"{"version":1,"seq":1,"sent_at_ms":0,"payload":{"series":{}}}"#,
        ] {
            assert!(onestop_proto::decode_batch(&gzip(bad)).is_err(), "{bad}");
            assert!(
                matches!(check(&gzip(bad)), Err(IngestError::Undecodable(_))),
                "{bad}"
            );
        }
    }
}
