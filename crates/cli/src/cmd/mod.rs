//! One module per top-level subcommand.
pub mod admin;
pub mod advisories;
pub mod audit;
pub mod calendar;
pub mod db;
pub mod enrollment;
pub mod logs;
pub mod mail;
pub mod scan;
pub mod serve;
pub mod version;
