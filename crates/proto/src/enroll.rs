//! Enrollment: a host trades a one-time token for a long-lived credential.

use serde::{Deserialize, Serialize};

use crate::OsInfo;

/// Sent by `onestop-agent enroll` to `POST /api/v1/agent/enroll`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// Protocol version the agent speaks.
    pub version: u32,
    /// The enrollment token issued by staff.
    pub token: String,
    /// The host's name.
    pub hostname: String,
    /// `/etc/machine-id`, identifying the installation.
    pub machine_id: String,
    /// OS release information.
    pub os: OsInfo,
}

/// The server's answer to a successful enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The host's identifier on the server.
    pub host_id: String,
    /// Secret the agent sends as `Authorization: Bearer <credential>`.
    pub credential: String,
}
