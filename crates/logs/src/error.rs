//! The crate's error type.

use thiserror::Error;

/// Errors of the `logs` crate. None of them comes from I/O: the crate does none.
#[derive(Debug, Error)]
pub enum LogsError {
    /// A Loghub log format could not be turned into a regular expression.
    #[error("bad log format: {0}")]
    Format(String),
    /// A CSV document could not be read or lacks a needed column.
    #[error("bad CSV: {0}")]
    Csv(String),
    /// Imported miner state is inconsistent.
    #[error("bad miner state: {0}")]
    State(String),
    /// A rule file could not be read.
    #[error("bad rule file: {0}")]
    Rules(String),
    /// A syslog message or frame could not be decoded.
    #[error("bad syslog input: {0}")]
    Syslog(String),
}
