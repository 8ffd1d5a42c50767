//! `onestop audit verify`: check the audit hash chain.
use super::db::{DbArgs, fail, runtime};
use clap::Subcommand;
use onestop_store::VerifyReport;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check every link of the audit chain; exit non-zero naming the first bad entry.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

pub fn run(cmd: AuditCmd) -> ExitCode {
    let AuditCmd::Verify { db } = cmd;
    runtime().block_on(async {
        let store = match db.open().await {
            Ok(s) => s,
            Err(e) => return fail(e, 2),
        };
        match store.audit_verify().await {
            Ok(VerifyReport::Intact { entries }) => {
                println!("audit chain intact: {entries} entries");
                ExitCode::SUCCESS
            }
            Ok(VerifyReport::Broken { seq, reason }) => {
                println!("audit chain broken at entry {seq}: {reason}");
                ExitCode::from(1)
            }
            Err(e) => fail(e, 2),
        }
    })
}
