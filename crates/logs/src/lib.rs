//! onestop-logs: the pure log engine of onestop.
//!
//! - [`mask`]: tokenisation and masking of variables in a message;
//! - [`miner`]: the streaming template miner with stable, exportable template ids;
//! - [`loghub`]: Loghub benchmark I/O (log formats, structured CSV) and scoring (GA, FGA, PA);
//! - [`syslog`]: RFC 5424 / RFC 3164 / Cisco / Junos decoding and RFC 6587 framing;
//! - [`rules`]: severity of events from syslog severity and TOML keyword/pattern rules;
//! - [`novelty`]: new, rare and spiking templates from per-period counts.
//!
//! The crate does no I/O, no SQL, no HTTP and reads no clock: time is always a parameter.

pub mod error;
pub mod loghub;
pub mod mask;
pub mod miner;
pub mod novelty;
pub mod rules;
pub mod syslog;

pub use error::LogsError;
pub use miner::{MinerConfig, MinerState, TemplateId, TemplateInfo, TemplateMiner};
pub use rules::{Diagnosis, RuleSet};
pub use syslog::{DecodeContext, Severity, SyslogMessage};
