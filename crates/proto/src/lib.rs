//! onestop-proto: the versioned wire types shared by the agent and the server.
//!
//! The agent sends [`Batch`]es (metric samples, optional inventory, optional log
//! lines) as gzip-compressed JSON (see [`encode_batch`] / [`decode_batch`]) to
//! `POST /api/v1/agent/batches` with `Authorization: Bearer <credential>`; the
//! server answers with an [`Ack`]. A host first enrolls with an
//! [`EnrollRequest`] and receives an [`EnrollResponse`] holding its credential.

mod batch;
mod check;
mod codec;
mod enroll;
mod inventory;
mod point;

pub use batch::{Ack, Batch, LogLine, Payload, Series};
pub use check::{CHECK_IDS, CheckResult, CheckStatus};
pub use codec::{
    DEFAULT_MAX_DECODED, ProtoError, decode_batch, decode_batch_limited, encode_batch,
};
pub use enroll::{EnrollRequest, EnrollResponse};
pub use inventory::{Inventory, Kernel, OsInfo, Package};
pub use point::Point;

/// Version of the agent protocol spoken by this crate.
///
/// Bumped on incompatible changes; a server accepts batches whose version it
/// knows and rejects newer ones with [`ProtoError::UnsupportedVersion`].
pub const PROTOCOL_VERSION: u32 = 1;

/// Path (relative to the server base URL) where agents enroll.
pub const ENROLL_PATH: &str = "/api/v1/agent/enroll";
/// Path (relative to the server base URL) where agents post batches.
pub const BATCHES_PATH: &str = "/api/v1/agent/batches";
/// `Content-Type` of an encoded batch body.
pub const BATCH_CONTENT_TYPE: &str = "application/json";
/// `Content-Encoding` of an encoded batch body.
pub const BATCH_CONTENT_ENCODING: &str = "gzip";
