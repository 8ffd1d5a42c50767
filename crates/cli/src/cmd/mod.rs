//! Subcommands of the `onestop` binary.

pub mod logs;
