//! `onestop-agent`: collects host metrics, prints or serves them in the
//! Prometheus text format, and (with `run`) spools and ships them to the
//! onestop server.

mod cli;
mod run;
mod serve;
mod shipping;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    cli::Cli::parse().exec()
}
