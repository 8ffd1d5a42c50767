//! onestop-server: the HTTP face of the product (JSON API with OpenAPI, server-rendered web UI,
//! operational endpoints) and its start-up.
mod api;
mod auth;
pub mod config;
mod crypto;
mod dispatch;
mod error;
pub mod hooks;
mod ical;
mod logreport;
pub mod mail;
pub mod monitor;
mod ops;
pub mod patch_jobs;
pub mod plan_jobs;
pub mod probes;
mod snmp;
mod startup;
mod state;
mod syslog;
mod ui;

pub use config::Settings;
pub use crypto::Crypto;
pub use startup::{bootstrap, launch, open_store};
pub use state::AppState;
