//! `--data-dir` / `--database-url`, shared by every command that opens the database.
use clap::Args;
use onestop_store::Store;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Data directory (embedded SQLite database `onestop.db` and files).
    #[arg(long, env = "ONESTOP_DATA_DIR", default_value = "./onestop-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL (`postgres://…`); overrides the embedded database.
    #[arg(long, env = "ONESTOP_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DbArgs {
    /// Open (creating and migrating when absent) the database.
    pub async fn open(&self) -> anyhow::Result<Store> {
        match &self.database_url {
            Some(url) => Ok(Store::open(url).await?),
            None => Ok(Store::open_data_dir(&self.data_dir).await?),
        }
    }
}

/// A current-thread runtime for one-shot commands.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Print an error as one line on stderr and return the exit code.
pub fn fail(e: impl std::fmt::Display, code: u8) -> std::process::ExitCode {
    eprintln!("onestop: {e}");
    std::process::ExitCode::from(code)
}
