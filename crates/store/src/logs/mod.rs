//! Log diagnosis storage: received syslog messages, templates mined per customer, and the
//! miner's persisted state.
//!
//! Log messages are operational data, not business data: they are written in plain batched
//! transactions (no audit entry per message) by the server's ingest task, and read through
//! the scope like everything customer-owned. A message with no customer is *unrouted*: no
//! registered host matched it, and only staff see it.
mod ingest;
pub use ingest::{AgentBatchLines, LogBatch};
mod findings;
pub use findings::{LogFinding, SpikeCount};
mod mining;
pub use mining::{MINER_LEASE, MINER_TTL_MS, MinedRows, MinerLease, UnminedLog};
mod report;
pub use report::{HourlyCounts, ReportData, Talker};
pub mod search;
mod types;

pub use types::*;

/// The miner-state key of a customer, or of the unrouted stream (`""`).
pub fn scope_key(customer_id: Option<&str>) -> String {
    customer_id.unwrap_or("").to_string()
}
