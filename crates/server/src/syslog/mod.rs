//! Syslog reception: UDP, TCP and TLS listeners feed one channel; a writer task decodes,
//! routes to registered hosts, mines templates per customer, diagnoses severity and commits
//! in batches. A retention job purges old messages. All off unless an address is configured.
mod findings;
mod ingest;
mod listen;
mod miners;
mod role;
mod route;

use crate::Settings;
use anyhow::Context;
use onestop_logs::RuleSet;
use onestop_store::Store;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

/// One received message, not yet decoded.
#[derive(Debug)]
pub struct Frame {
    pub received_at: i64,
    pub source: IpAddr,
    pub bytes: Vec<u8>,
    /// Set for a line an agent shipped: routed to that host, not by address or name.
    pub agent: Option<AgentOrigin>,
}

/// Where an agent-shipped line came from: its host (asset id), batch and write time.
#[derive(Debug, Clone)]
pub struct AgentOrigin {
    pub host_id: String,
    pub seq: i64,
    pub ts_ms: i64,
}

/// Counters of the syslog pipeline.
#[derive(Debug, Default)]
pub struct Stats {
    pub received: AtomicU64,
    pub stored: AtomicU64,
    /// Frames refused by the framing (oversized, malformed counts).
    pub malformed: AtomicU64,
    /// Messages in batches the database refused for a minute.
    pub lost: AtomicU64,
}

impl Stats {
    /// Prometheus text lines.
    pub fn render(&self, out: &mut String) {
        use std::fmt::Write;
        use std::sync::atomic::Ordering::Relaxed;
        for (name, help, v) in [
            (
                "received",
                "Syslog messages read from the listeners.",
                &self.received,
            ),
            (
                "stored",
                "Syslog messages committed to the database.",
                &self.stored,
            ),
            (
                "malformed",
                "Syslog frames refused by the framing.",
                &self.malformed,
            ),
            (
                "lost",
                "Syslog messages dropped after the database refused them for a minute.",
                &self.lost,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP onestop_syslog_{name}_total {help}\n# TYPE onestop_syslog_{name}_total counter\nonestop_syslog_{name}_total {}",
                v.load(Relaxed)
            );
        }
    }
}

/// The diagnosis rules in effect: the configured file, else the built-in set.
pub fn rules(settings: &Settings) -> anyhow::Result<RuleSet> {
    match &settings.log_rules {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read log rules {}", path.display()))?;
            RuleSet::from_toml(&text).with_context(|| format!("log rules {}", path.display()))
        }
        None => Ok(RuleSet::builtin()?),
    }
}

/// Bind the configured listeners and start the pipeline and the retention job. The returned
/// set finishes once `stop` is signalled and everything read has been stored.
pub async fn start(
    settings: &Settings,
    store: Store,
    stats: Arc<Stats>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<JoinSet<()>> {
    let rules = rules(settings)?;
    let mut tasks = JoinSet::new();
    tasks.spawn(retention(
        store.clone(),
        settings.log_retention_days,
        stop.clone(),
    ));
    let (tx, rx) = mpsc::channel(256);
    // Agent-shipped log lines take the same path (crate::dispatch), so the writer always runs.
    let every = Duration::from_secs(settings.monitor_compact_secs.clamp(1, 10) as u64);
    tasks.spawn(crate::dispatch::run(
        store.clone(),
        tx.clone(),
        every,
        stop.clone(),
    ));
    if let Some(addr) = &settings.syslog_udp {
        let sock = tokio::net::UdpSocket::bind(addr)
            .await
            .with_context(|| format!("cannot listen for syslog on udp {addr}"))?;
        tracing::info!(address = %sock.local_addr()?, "syslog listening on udp");
        tasks.spawn(listen::udp(sock, tx.clone(), stats.clone(), stop.clone()));
    }
    if let Some(addr) = &settings.syslog_tcp {
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen for syslog on tcp {addr}"))?;
        tracing::info!(address = %l.local_addr()?, "syslog listening on tcp");
        tasks.spawn(listen::tcp(
            l,
            None,
            tx.clone(),
            stats.clone(),
            stop.clone(),
        ));
    }
    if let Some(addr) = &settings.syslog_tls {
        let acceptor = tls_acceptor(settings).await?;
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen for syslog on tls {addr}"))?;
        tracing::info!(address = %l.local_addr()?, "syslog listening on tls");
        tasks.spawn(listen::tcp(
            l,
            Some(acceptor),
            tx.clone(),
            stats.clone(),
            stop.clone(),
        ));
    }
    drop(tx);
    let ingest = ingest::Ingest {
        store,
        rules,
        stats,
    };
    tasks.spawn(ingest.run(rx));
    Ok(tasks)
}

async fn tls_acceptor(settings: &Settings) -> anyhow::Result<tokio_rustls::TlsAcceptor> {
    let cert = settings
        .syslog_tls_cert
        .as_ref()
        .or(settings.tls_cert.as_ref());
    let key = settings
        .syslog_tls_key
        .as_ref()
        .or(settings.tls_key.as_ref());
    let (Some(cert), Some(key)) = (cert, key) else {
        anyhow::bail!(
            "syslog_tls needs syslog_tls_cert and syslog_tls_key (or tls_cert and tls_key)"
        );
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .with_context(|| {
            format!(
                "loading syslog TLS certificate {} and key {}",
                cert.display(),
                key.display()
            )
        })?;
    let mut config = (*config.get_inner()).clone();
    config.alpn_protocols.clear();
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Purge messages older than the retention now and then every hour, until `stop`.
async fn retention(store: Store, days: i64, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = listen::stopped(&mut stop) => return,
            _ = tick.tick() => {}
        }
        let before = onestop_store::now_ms() - days.max(1) * 86_400_000;
        match store.purge_logs(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, days, "log retention: purged old messages"),
            Err(e) => tracing::warn!(error = %e, "log retention: purge failed"),
        }
        if let Err(e) = store.purge_log_marks(onestop_store::now_ms()).await {
            tracing::warn!(error = %e, "log retention: cannot purge finding marks");
        }
    }
}
