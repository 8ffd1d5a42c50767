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
    /// Receive syslog over UDP on ADDR (e.g. 0.0.0.0:5514) [default: off].
    #[arg(long, value_name = "ADDR")]
    syslog_udp: Option<String>,
    /// Receive syslog over TCP on ADDR (RFC 6587 octet counting or LF) [default: off].
    #[arg(long, value_name = "ADDR")]
    syslog_tcp: Option<String>,
    /// Receive syslog over TLS (RFC 5425) on ADDR [default: off].
    #[arg(long, value_name = "ADDR")]
    syslog_tls: Option<String>,
    /// PEM certificate chain for --syslog-tls [default: --tls-cert].
    #[arg(long)]
    syslog_tls_cert: Option<PathBuf>,
    /// PEM private key for --syslog-tls [default: --tls-key].
    #[arg(long)]
    syslog_tls_key: Option<PathBuf>,
    /// Receive SNMP traps and informs on UDP ADDR (e.g. 0.0.0.0:1162) [default: off].
    #[arg(long, value_name = "ADDR")]
    snmp_trap: Option<String>,
    /// Days received log messages are kept [default: 30].
    #[arg(long)]
    log_retention_days: Option<i64>,
    /// TOML diagnosis rule file instead of the built-in rules.
    #[arg(long)]
    log_rules: Option<PathBuf>,
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
        put("syslog_udp", self.syslog_udp.clone());
        put("syslog_tcp", self.syslog_tcp.clone());
        put("syslog_tls", self.syslog_tls.clone());
        put("snmp_trap", self.snmp_trap.clone());
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        put("syslog_tls_cert", path(&self.syslog_tls_cert));
        put("syslog_tls_key", path(&self.syslog_tls_key));
        put("log_rules", path(&self.log_rules));
        if let Some(days) = self.log_retention_days {
            t.insert("log_retention_days".into(), toml::Value::Integer(days));
        }
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
