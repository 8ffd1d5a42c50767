//! Subcommands of the offline CLI.

pub mod scan;
pub mod version;
