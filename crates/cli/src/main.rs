//! `onestop`: the server and the admin / offline CLI.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "onestop", about = "onestop operations-support platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Package version tools.
    Version {
        #[command(subcommand)]
        cmd: cmd::version::VersionCmd,
    },
    /// Offline vulnerability scan of a package list against OSV advisories.
    Scan(cmd::scan::ScanArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Version { cmd } => cmd::version::run(cmd),
        Command::Scan(args) => cmd::scan::run(args),
    }
}
