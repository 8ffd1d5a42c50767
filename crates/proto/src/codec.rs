//! Batch encoding: JSON compressed with gzip, with a bound on the decoded size.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::{Batch, PROTOCOL_VERSION};

/// Default bound on a decoded batch (64 MiB), against compression bombs.
pub const DEFAULT_MAX_DECODED: u64 = 64 * 1024 * 1024;

/// Why a batch could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum ProtoError {
    /// The JSON did not match the schema.
    #[error("batch JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Compression or decompression failed (corrupt or truncated body).
    #[error("batch compression: {0}")]
    Io(#[from] std::io::Error),
    /// The decoded body is larger than allowed.
    #[error("decoded batch exceeds {limit} bytes")]
    TooLarge {
        /// The bound that was exceeded.
        limit: u64,
    },
    /// The batch speaks a protocol version this crate does not know.
    #[error("unsupported protocol version {0} (this side speaks up to {PROTOCOL_VERSION})")]
    UnsupportedVersion(u32),
}

/// Serialize a batch to JSON and gzip it.
pub fn encode_batch(batch: &Batch) -> Result<Vec<u8>, ProtoError> {
    // One write of the whole document: much faster than serde's many small writes.
    let json = serde_json::to_vec(batch)?;
    let mut enc = GzEncoder::new(Vec::with_capacity(json.len() / 4), Compression::new(6));
    enc.write_all(&json)?;
    Ok(enc.finish()?)
}

/// Decode a gzip-compressed JSON batch, bounded by [`DEFAULT_MAX_DECODED`].
pub fn decode_batch(bytes: &[u8]) -> Result<Batch, ProtoError> {
    decode_batch_limited(bytes, DEFAULT_MAX_DECODED)
}

/// Decode a gzip-compressed JSON batch whose decompressed size is at most `limit`.
pub fn decode_batch_limited(bytes: &[u8], limit: u64) -> Result<Batch, ProtoError> {
    let mut json = Vec::new();
    GzDecoder::new(bytes)
        .take(limit.saturating_add(1))
        .read_to_end(&mut json)?;
    if json.len() as u64 > limit {
        return Err(ProtoError::TooLarge { limit });
    }
    let batch: Batch = serde_json::from_slice(&json)?;
    if batch.version == 0 || batch.version > PROTOCOL_VERSION {
        return Err(ProtoError::UnsupportedVersion(batch.version));
    }
    Ok(batch)
}
