//! `onestop`: the server and the admin / offline CLI.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// onestop: service desk, monitoring, logs and patches.
#[derive(Parser)]
#[command(name = "onestop", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Business calendars: due instants, business time, holidays.
    Calendar {
        #[command(subcommand)]
        cmd: cmd::calendar::CalendarCmd,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Calendar { cmd } => cmd::calendar::run(cmd),
    }
}
