//! `onestop`: the server and the admin / offline CLI.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    name = "onestop",
    version,
    about = "onestop operations-support platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Offline log tools: template mining and Loghub scoring.
    Logs {
        #[command(subcommand)]
        cmd: cmd::logs::LogsCmd,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Logs { cmd } => cmd::logs::run(cmd),
    }
}
