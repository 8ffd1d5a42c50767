//! `onestop advisories import (--data-dir DIR | --database-url URL) PATH`: load OSV advisories
//! from a JSON file, a directory or a zip (such as osv.dev's per-ecosystem `all.zip`) into the
//! database, then match the affected hosts again. Prints the counts (new, updated,
//! unchanged, rejected with reasons); exits 0 when the input could be read, 2 otherwise.
use super::db::{DbArgs, fail, runtime};
use clap::Subcommand;
use onestop_store::Scope;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Subcommand)]
pub enum AdvisoriesCmd {
    /// Import OSV advisories; a re-import updates records by `modified` and honours
    /// `withdrawn`.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// A JSON file, a directory (searched for *.json and *.zip) or a zip archive.
        path: PathBuf,
        /// Print the counts as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: AdvisoriesCmd) -> ExitCode {
    let AdvisoriesCmd::Import { db, path, json } = cmd;
    let t0 = Instant::now();
    let report = match onestop_vuln::load_path(&path) {
        Ok(r) => r,
        Err(e) => return fail(e, 2),
    };
    let loaded = t0.elapsed();
    runtime().block_on(async {
        let store = match db.open().await {
            Ok(s) => s,
            Err(e) => return fail(e, 2),
        };
        let source = path.display().to_string();
        let n = report.advisories.len();
        let out = match store
            .import_advisories(&Scope::System, report.advisories, &source)
            .await
        {
            Ok(o) => o,
            Err(e) => return fail(e, 2),
        };
        if json {
            let v = serde_json::json!({
                "records": n, "new": out.new, "updated": out.updated,
                "unchanged": out.unchanged, "withdrawn": out.withdrawn,
                "rejected": report.rejected.iter().map(|(f, r)| serde_json::json!({"file": f, "reason": r})).collect::<Vec<_>>(),
                "warnings": report.warnings.len(), "hosts_matched": out.hosts_matched,
                "findings_opened": out.findings_opened, "notices": out.notices,
                "seconds": t0.elapsed().as_secs_f64(),
            });
            println!("{v}");
        } else {
            println!("new: {}", out.new);
            println!("updated: {}", out.updated);
            println!("unchanged: {}", out.unchanged);
            println!("rejected: {}", report.rejected.len());
            for (file, reason) in &report.rejected {
                println!("  {file}: {reason}");
            }
            println!("withdrawn: {}", out.withdrawn);
            println!("warnings: {}", report.warnings.len());
            println!(
                "hosts matched: {}, findings opened: {}, notices: {}",
                out.hosts_matched, out.findings_opened, out.notices
            );
            eprintln!(
                "{n} advisories from {source}: read in {:.2} s, stored in {:.2} s",
                loaded.as_secs_f64(),
                (t0.elapsed() - loaded).as_secs_f64()
            );
        }
        ExitCode::SUCCESS
    })
}
