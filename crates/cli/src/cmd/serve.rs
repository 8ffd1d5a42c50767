//! `onestop serve`: settings from defaults < `--config` TOML < `ONESTOP_*` < flags.
use super::db::fail;
use clap::Args;
use onestop_server::{Settings, bootstrap, launch, open_store};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// TOML configuration file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    listen: Option<String>,
    /// Data directory [default: ./onestop-data].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// PostgreSQL URL instead of the embedded SQLite database.
    #[arg(long)]
    database_url: Option<String>,
    /// PEM certificate chain: serve HTTPS.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

impl ServeArgs {
    fn flags(&self) -> toml::Table {
        let mut t = toml::Table::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                t.insert(k.into(), toml::Value::String(v));
            }
        };
        put("listen", self.listen.clone());
        put(
            "data_dir",
            self.data_dir.as_ref().map(|p| p.display().to_string()),
        );
        put("database_url", self.database_url.clone());
        put(
            "tls_cert",
            self.tls_cert.as_ref().map(|p| p.display().to_string()),
        );
        put(
            "tls_key",
            self.tls_key.as_ref().map(|p| p.display().to_string()),
        );
        t
    }
}

pub fn run(args: ServeArgs) -> ExitCode {
    let settings = match Settings::load(args.config.as_deref(), std::env::vars(), args.flags()) {
        Ok(s) => s,
        Err(e) => return fail(e, 2),
    };
    init_logging(&settings.log_format);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(serve(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("{e:#}"), 1),
    }
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ONESTOP_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind(&settings.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.listen))?;
    let store = open_store(&settings).await?;
    if let Some(password) = bootstrap(&store, &settings).await? {
        println!("Created administrator `admin` with one-time password: {password}");
        println!(
            "(also written to {})",
            settings.data_dir.join("initial-admin-password").display()
        );
    }
    let scheme = if settings.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    tracing::info!(address = %listener.local_addr()?, "onestop listening on {scheme}://{}", listener.local_addr()?);
    launch(settings, store.clone(), listener, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
    tracing::info!("shutting down");
}
