//! Shared state handed to every handler.
use crate::{Settings, auth::Throttle, crypto::Crypto, ops::Metrics};
use onestop_store::Store;
use std::sync::Arc;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub crypto: Arc<Crypto>,
    pub(crate) throttle: Arc<Throttle>,
    pub(crate) metrics: Arc<Metrics>,
    /// Whether the server speaks TLS itself (session cookies get `Secure`).
    pub(crate) tls: bool,
    /// The monitoring ingest writer (group commit).
    pub(crate) ingest: crate::monitor::ingest::Ingestor,
    /// Counters of the syslog pipeline (zero when no listener is configured).
    pub(crate) syslog: Arc<crate::syslog::Stats>,
}
