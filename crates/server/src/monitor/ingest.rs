//! The ingest path of `POST /api/v1/agent/batches`: decode (gzip JSON, bounded), validate,
//! store as received (deduplicated by host and sequence number), acknowledge.
use crate::error::ApiError;
use axum::http::StatusCode;
use onestop_proto::{Ack, decode_batch};
use onestop_store::{AgentIdentity, BatchMeta, Store, StoreError};

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

/// Decode, validate and store one encoded batch from `agent`; the [`Ack`] is sent only after
/// the batch is committed. Used by the handler and by the ingest benchmark.
pub async fn accept(
    store: &Store,
    agent: &AgentIdentity,
    body: axum::body::Bytes,
) -> Result<Ack, IngestError> {
    let raw = body.clone();
    let batch = tokio::task::spawn_blocking(move || decode_batch(&raw))
        .await
        .map_err(|e| IngestError::Undecodable(e.to_string()))?
        .map_err(|e| IngestError::Undecodable(e.to_string()))?;
    let samples: u64 = batch
        .payload
        .series
        .iter()
        .map(|s| s.points.len() as u64)
        .sum();
    if samples > MAX_SAMPLES {
        return Err(IngestError::TooLarge);
    }
    if let Some(s) = batch
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
    if i64::try_from(batch.seq).is_err() {
        return Err(IngestError::Invalid("sequence number out of range".into()));
    }
    let meta = BatchMeta {
        seq: batch.seq,
        samples,
        has_inventory: batch.payload.inventory.is_some(),
        log_lines: batch.payload.logs.len() as u64,
    };
    store.ingest_batch(agent, meta, &body).await?;
    Ok(Ack {
        seq: batch.seq,
        accepted: true,
        reason: None,
    })
}
