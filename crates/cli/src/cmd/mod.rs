//! The subcommands of the `onestop` binary.

pub mod calendar;
