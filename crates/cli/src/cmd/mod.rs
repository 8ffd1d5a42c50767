//! One module per top-level subcommand.
pub mod admin;
pub mod audit;
pub mod db;
pub mod serve;
