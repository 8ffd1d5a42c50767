//! `onestop mail ingest`: one RFC 5322 message on stdin, for an MTA pipe (like rt-mailgate).
//! Prints the ticket number it opened or answered, `triage <reason>` or `ignored <reason>`,
//! and exits 0 once the message is stored; 75 (EX_TEMPFAIL) when it could not be stored
//! (database unavailable), so the MTA keeps it and retries.
use super::db::{DbArgs, runtime};
use clap::Subcommand;
use onestop_server::Settings;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// sysexits.h EX_TEMPFAIL: the MTA retries later.
const TEMPFAIL: u8 = 75;

#[derive(Subcommand)]
pub enum MailCmd {
    /// Store one message read on stdin: a new ticket, a reply on one, triage, or ignored.
    Ingest {
        #[command(flatten)]
        db: DbArgs,
        /// TOML configuration (the server's file: mail_freemail_domains,
        /// mail_max_new_per_hour, mail_domain, mail_from).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

pub fn run(cmd: MailCmd) -> ExitCode {
    let MailCmd::Ingest { db, config } = cmd;
    let mut raw = vec![];
    if let Err(e) = std::io::stdin().read_to_end(&mut raw) {
        eprintln!("onestop: reading the message: {e}");
        return ExitCode::from(TEMPFAIL);
    }
    let mut flags = toml::Table::new();
    flags.insert(
        "data_dir".into(),
        toml::Value::String(db.data_dir.display().to_string()),
    );
    if let Some(url) = &db.database_url {
        flags.insert("database_url".into(), toml::Value::String(url.clone()));
    }
    let settings = match Settings::load(config.as_deref(), std::env::vars(), flags) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onestop: {e}");
            return ExitCode::from(TEMPFAIL);
        }
    };
    runtime().block_on(async {
        let store = match db.open().await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("onestop: database unavailable: {e}");
                return ExitCode::from(TEMPFAIL);
            }
        };
        if let Some(d) = onestop_server::mail::message_id_domain(&settings)
            && let Err(e) = store.set_mail_domain(&d).await
        {
            eprintln!("onestop: {e}");
            return ExitCode::from(TEMPFAIL);
        }
        let policy = onestop_server::mail::policy(&settings);
        match onestop_server::mail::ingest(&store, &policy, &raw, "ingest").await {
            Ok(outcome) => {
                println!("{outcome}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("onestop: message not stored: {e}");
                ExitCode::from(TEMPFAIL)
            }
        }
    })
}
