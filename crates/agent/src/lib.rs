//! onestop-agent library: collectors reading `/proc` and `/sys`, the metric
//! model and its Prometheus text rendering, the on-disk spool, the TOML
//! configuration and the client side of the server protocol.
//!
//! The `onestop-agent` binary (`main.rs`) is a thin command line over this.

pub mod checks;
pub mod collect;
pub mod config;
pub mod inventory;
pub mod logship;
pub mod metrics;
pub mod ship;
pub mod spool;
