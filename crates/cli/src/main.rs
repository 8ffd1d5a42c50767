//! `onestop`: the server (`serve`), administration (`admin`, `audit`) and the offline tools.
mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "onestop",
    version,
    about = "Operations support platform: service desk, asset register, monitoring, logs and patches"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (web UI, JSON API, jobs).
    Serve(cmd::serve::ServeArgs),
    /// Administration: users, tokens, backup and restore.
    Admin {
        #[command(subcommand)]
        cmd: cmd::admin::AdminCmd,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        cmd: cmd::audit::AuditCmd,
    },
    /// Business calendars: due instants, business time, holidays.
    Calendar {
        #[command(subcommand)]
        cmd: cmd::calendar::CalendarCmd,
    },
    /// Package version tools.
    Version {
        #[command(subcommand)]
        cmd: cmd::version::VersionCmd,
    },
    /// Offline vulnerability scan of a package list against OSV advisories.
    Scan(cmd::scan::ScanArgs),
    /// Offline log tools: template mining and Loghub scoring.
    Logs {
        #[command(subcommand)]
        cmd: cmd::logs::LogsCmd,
    },
    /// OSV security advisories: import into the database.
    Advisories {
        #[command(subcommand)]
        cmd: cmd::advisories::AdvisoriesCmd,
    },
    /// E-mail: `mail ingest` stores one message read on stdin (for an MTA pipe).
    Mail {
        #[command(subcommand)]
        cmd: cmd::mail::MailCmd,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(a) => cmd::serve::run(a),
        Command::Admin { cmd } => cmd::admin::run(cmd),
        Command::Audit { cmd } => cmd::audit::run(cmd),
        Command::Calendar { cmd } => cmd::calendar::run(cmd),
        Command::Version { cmd } => cmd::version::run(cmd),
        Command::Scan(args) => cmd::scan::run(args),
        Command::Logs { cmd } => cmd::logs::run(cmd),
        Command::Advisories { cmd } => cmd::advisories::run(cmd),
        Command::Mail { cmd } => cmd::mail::run(cmd),
    }
}
