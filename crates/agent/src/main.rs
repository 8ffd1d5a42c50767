//! `onestop-agent`: collects host metrics, prints or serves them in the
//! Prometheus text format, and (with `run`) spools and ships them to the
//! onestop server.

mod cli;
mod run;
mod serve;
mod shipping;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match cli::Cli::parse().exec() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("onestop-agent: {e:#}");
            ExitCode::FAILURE
        }
    }
}
