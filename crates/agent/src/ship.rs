//! Client side of the server protocol: enrollment, the stored credential and
//! shipping spooled batches. Spool records hold a gzip-compressed JSON
//! [`Payload`]; at send time it is wrapped into a [`Batch`] carrying the
//! record's sequence number and the send time.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use onestop_proto::{
    Ack, BATCH_CONTENT_ENCODING, BATCH_CONTENT_TYPE, BATCHES_PATH, Batch, ENROLL_PATH,
    EnrollRequest, EnrollResponse, PROTOCOL_VERSION, Payload, ProtoError, encode_batch,
};
use serde::{Deserialize, Serialize};

use crate::spool::Record;

/// File in the state directory holding the credential.
pub const CREDENTIAL_FILE: &str = "credential.json";

/// Why talking to the server failed.
#[derive(Debug, thiserror::Error)]
pub enum ShipError {
    /// Transport or HTTP status error.
    #[error("http: {0}")]
    Http(#[from] ureq::Error),
    /// Encoding or decoding of a payload failed.
    #[error("payload: {0}")]
    Proto(#[from] ProtoError),
    /// Local file error.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// The server acknowledged another sequence number than the one sent.
    #[error("server acknowledged seq {got}, expected {want}")]
    WrongAck {
        /// Sent.
        want: u64,
        /// Received.
        got: u64,
    },
}

/// What `enroll` stores (mode 0600) in the state directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// Server base URL.
    pub server: String,
    /// Host identifier.
    pub host_id: String,
    /// Bearer secret.
    pub credential: String,
}

impl Credential {
    /// Write to `dir/credential.json` with mode 0600 (atomically).
    pub fn save(&self, dir: &Path) -> Result<(), ShipError> {
        fs::create_dir_all(dir).map_err(|e| ShipError::Io(dir.to_path_buf(), e))?;
        let tmp = dir.join("credential.json.tmp");
        let io = |e| ShipError::Io(tmp.clone(), e);
        let mut f = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io)?;
        let json = serde_json::to_vec_pretty(self).map_err(|e| ShipError::Proto(e.into()))?;
        f.write_all(&json).map_err(io)?;
        f.sync_all().map_err(io)?;
        fs::rename(&tmp, dir.join(CREDENTIAL_FILE)).map_err(|e| ShipError::Io(dir.to_path_buf(), e))
    }

    /// Read `dir/credential.json`.
    pub fn load(dir: &Path) -> Result<Self, ShipError> {
        let path = dir.join(CREDENTIAL_FILE);
        let bytes = fs::read(&path).map_err(|e| ShipError::Io(path.clone(), e))?;
        serde_json::from_slice(&bytes).map_err(|e| ShipError::Proto(e.into()))
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// Join a base URL and an absolute path.
pub fn url(server: &str, path: &str) -> String {
    format!("{}{path}", server.trim_end_matches('/'))
}

/// `POST {server}/api/v1/agent/enroll`.
pub fn enroll(
    server: &str,
    req: &EnrollRequest,
    timeout: Duration,
) -> Result<EnrollResponse, ShipError> {
    let mut resp = agent(timeout)
        .post(url(server, ENROLL_PATH))
        .send_json(req)?;
    Ok(resp.body_mut().read_json()?)
}

/// Compress a payload for the spool.
pub fn pack_payload(p: &Payload) -> Result<Vec<u8>, ProtoError> {
    // Serializing first and compressing in one call is several times faster
    // than streaming serde's many small writes through the encoder.
    let json = serde_json::to_vec(p)?;
    let mut enc = GzEncoder::new(Vec::with_capacity(json.len() / 4), Compression::fast());
    enc.write_all(&json)?;
    Ok(enc.finish()?)
}

/// Turn a spool record into an encoded batch sent at `now_ms`.
pub fn record_to_batch(rec: &Record, now_ms: i64) -> Result<Vec<u8>, ProtoError> {
    let mut json = Vec::new();
    GzDecoder::new(rec.payload.as_slice()).read_to_end(&mut json)?;
    let payload: Payload = serde_json::from_slice(&json)?;
    encode_batch(&Batch {
        version: PROTOCOL_VERSION,
        seq: rec.seq,
        sent_at_ms: now_ms,
        payload,
    })
}

/// Sends batches with the host's credential.
#[derive(Debug, Clone)]
pub struct Shipper {
    agent: ureq::Agent,
    url: String,
    auth: String,
}

impl Shipper {
    /// A shipper for `cred`, with a per-request timeout.
    pub fn new(server: &str, cred: &Credential, timeout: Duration) -> Self {
        Self {
            agent: agent(timeout),
            url: url(server, BATCHES_PATH),
            auth: format!("Bearer {}", cred.credential),
        }
    }

    /// Send one record; the server's [`Ack`] must name the record's sequence number.
    pub fn send(&self, rec: &Record, now_ms: i64) -> Result<Ack, ShipError> {
        let body = record_to_batch(rec, now_ms)?;
        let mut resp = self
            .agent
            .post(&self.url)
            .header("Authorization", &self.auth)
            .header("Content-Type", BATCH_CONTENT_TYPE)
            .header("Content-Encoding", BATCH_CONTENT_ENCODING)
            .send(&body[..])?;
        let ack: Ack = resp.body_mut().read_json()?;
        if ack.seq != rec.seq {
            return Err(ShipError::WrongAck {
                want: rec.seq,
                got: ack.seq,
            });
        }
        Ok(ack)
    }
}
