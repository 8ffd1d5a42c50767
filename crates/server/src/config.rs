//! Settings: defaults < TOML file < `ONESTOP_*` environment < flags. Unknown keys are errors.
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Everything `onestop serve` can be told.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Address to listen on.
    pub listen: String,
    /// Directory for the embedded database and files (attachments, backups).
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite database.
    pub database_url: Option<String>,
    /// PEM certificate chain and key: serve HTTPS directly.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// 32-byte key (hex) that encrypts secrets the product must present later. When absent,
    /// one is generated on first start and kept in `<data_dir>/secret.key` (mode 0600).
    pub secret_key: Option<String>,
    /// Sign-in session lifetime, in hours.
    pub session_hours: i64,
    /// Failed sign-ins per user and address allowed in 15 minutes before throttling.
    pub login_max_failures: u32,
    /// Log format: `text` or `json`.
    pub log_format: String,
    /// Seconds between passes of the desk scheduler (SLA warnings and breaches, escalations,
    /// automatic closing). Env `ONESTOP_DESK_TICK_SECS`.
    pub desk_tick_secs: i64,
    /// Largest ticket attachment accepted, in bytes (a request is capped at 32 MiB anyway).
    pub attachment_max_bytes: i64,
    /// Monitoring: seconds between compactions of received batches into chunks.
    pub monitor_compact_secs: i64,
    /// Monitoring: seconds between alert evaluations.
    pub monitor_alert_secs: i64,
    /// Monitoring: a host is `down` after this many seconds without a batch.
    pub monitor_down_secs: i64,
    /// Monitoring retention in days: raw samples, minute and hour rollups.
    pub monitor_raw_days: i64,
    pub monitor_minute_days: i64,
    pub monitor_hour_days: i64,
    /// Monitoring: events (traps, log findings, failed checks) of this severity or worse
    /// (`critical`, `warning`, `info`) open incidents.
    pub monitor_event_severity: String,
    /// OSV advisories to import on a schedule: a file, directory or zip path, or an
    /// `http(s)://` URL (e.g. osv.dev's per-ecosystem `all.zip`).
    pub advisories_source: Option<String>,
    /// Hours between scheduled advisory imports.
    pub advisories_import_hours: u64,
    /// Day of the month from which the monthly patch digest is recorded (0: never).
    pub patch_digest_day: u32,
    /// Syslog over UDP on this address (off when absent), e.g. `0.0.0.0:5514`.
    pub syslog_udp: Option<String>,
    /// Syslog over TCP (RFC 6587 octet counting or LF framing) on this address.
    pub syslog_tcp: Option<String>,
    /// Syslog over TLS (RFC 5425) on this address, with `syslog_tls_cert`/`syslog_tls_key`
    /// (default: `tls_cert`/`tls_key`).
    pub syslog_tls: Option<String>,
    pub syslog_tls_cert: Option<PathBuf>,
    pub syslog_tls_key: Option<PathBuf>,
    /// Days a received log message is kept.
    pub log_retention_days: i64,
    /// A TOML diagnosis rule file used instead of the built-in rules.
    pub log_rules: Option<PathBuf>,
    /// E-mail: the From address of outgoing mail, e.g. `Support <support@example.com>`.
    pub mail_from: Option<String>,
    /// E-mail: the domain of our Message-IDs (default: the domain of `mail_from`).
    pub mail_domain: Option<String>,
    /// E-mail out: the SMTP server; outgoing mail stays queued while unset.
    pub mail_smtp_host: Option<String>,
    pub mail_smtp_port: i64,
    /// `starttls` (default), `tls` (implicit TLS) or `none` (loopback only).
    pub mail_smtp_tls: String,
    pub mail_smtp_user: Option<String>,
    pub mail_smtp_password: Option<String>,
    /// PEM file of a CA to trust for the SMTP server besides the web's roots.
    pub mail_smtp_ca: Option<PathBuf>,
    /// Seconds between outbox passes.
    pub mail_outbox_secs: i64,
    /// Delivery attempts before a message is `failed`; the wait doubles from
    /// `mail_retry_base_secs` after each one.
    pub mail_max_attempts: i64,
    pub mail_retry_base_secs: i64,
    /// E-mail in: the IMAP server to poll; off while unset.
    pub mail_imap_host: Option<String>,
    pub mail_imap_port: i64,
    /// `imaps` (default) or `starttls`.
    pub mail_imap_tls: String,
    pub mail_imap_user: Option<String>,
    pub mail_imap_password: Option<String>,
    pub mail_imap_mailbox: String,
    /// Seconds between polls (and the longest IDLE wait).
    pub mail_imap_poll_secs: i64,
    /// PEM file of a CA to trust for the IMAP server besides the web's roots.
    pub mail_imap_ca: Option<PathBuf>,
    /// Comma-separated free-mail domains whose senders go to triage; replaces the default list.
    pub mail_freemail_domains: Option<String>,
    /// New tickets per sender per hour before further messages go to triage.
    pub mail_max_new_per_hour: i64,
    /// Milliseconds between looks for due webhook deliveries.
    pub webhook_poll_ms: i64,
    /// First retry delay of a failed webhook delivery, in ms; doubled on each further retry
    /// (8 attempts in all).
    pub webhook_retry_ms: i64,
    /// Server probes (scrapes and network checks): at most this many at once; 0 turns them
    /// off on this server.
    pub probe_concurrency: i64,
    /// Receive SNMP traps and informs on this UDP address (off when absent), e.g. `0.0.0.0:1162`.
    pub snmp_trap: Option<String>,
    /// When set, only traps carrying this community are accepted.
    pub snmp_trap_community: Option<String>,
    /// SNMP devices polled at once, at most.
    pub snmp_poll_concurrency: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./onestop-data"),
            database_url: None,
            tls_cert: None,
            tls_key: None,
            secret_key: None,
            session_hours: 12,
            login_max_failures: 5,
            log_format: "text".into(),
            desk_tick_secs: 30,
            attachment_max_bytes: 20 * 1024 * 1024,
            monitor_compact_secs: 15,
            monitor_alert_secs: 30,
            monitor_down_secs: 120,
            monitor_raw_days: 14,
            monitor_minute_days: 90,
            monitor_hour_days: 5 * 365,
            monitor_event_severity: "warning".into(),
            advisories_source: None,
            advisories_import_hours: 24,
            patch_digest_day: 1,
            syslog_udp: None,
            syslog_tcp: None,
            syslog_tls: None,
            syslog_tls_cert: None,
            syslog_tls_key: None,
            log_retention_days: 30,
            log_rules: None,
            mail_from: None,
            mail_domain: None,
            mail_smtp_host: None,
            mail_smtp_port: 587,
            mail_smtp_tls: "starttls".into(),
            mail_smtp_user: None,
            mail_smtp_password: None,
            mail_smtp_ca: None,
            mail_outbox_secs: 5,
            mail_max_attempts: 8,
            mail_retry_base_secs: 60,
            mail_imap_host: None,
            mail_imap_port: 993,
            mail_imap_tls: "imaps".into(),
            mail_imap_user: None,
            mail_imap_password: None,
            mail_imap_mailbox: "INBOX".into(),
            mail_imap_poll_secs: 60,
            mail_imap_ca: None,
            mail_freemail_domains: None,
            mail_max_new_per_hour: 10,
            webhook_poll_ms: 250,
            webhook_retry_ms: 30_000,
            probe_concurrency: 64,
            snmp_trap: None,
            snmp_trap_community: None,
            snmp_poll_concurrency: 16,
        }
    }
}

impl Settings {
    /// Build settings from an optional TOML file, the environment, and flag overrides
    /// (`key = value` pairs already in TOML form).
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: toml::Table,
    ) -> anyhow::Result<Settings> {
        let mut merged = toml::Table::try_from(Settings::default())?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", path.display()))?;
            let t: toml::Table = toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("config {}: {e}", path.display()))?;
            merge(&mut merged, t);
        }
        let mut from_env = toml::Table::new();
        for (k, v) in env {
            let Some(key) = k.strip_prefix("ONESTOP_") else {
                continue;
            };
            if key.starts_with("TEST_") || key == "LOG" {
                continue;
            }
            let key = key.to_lowercase();
            let value = match merged.get(&key) {
                Some(toml::Value::Integer(_)) => v
                    .parse::<i64>()
                    .map(toml::Value::Integer)
                    .map_err(|_| anyhow::anyhow!("environment {k}: `{v}` is not a number"))?,
                _ => toml::Value::String(v),
            };
            from_env.insert(key, value);
        }
        merge(&mut merged, from_env);
        merge(&mut merged, flags);
        merged
            .try_into::<Settings>()
            .map_err(|e| anyhow::anyhow!("configuration: {}", e.message()))
    }

    /// The database URL in effect: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("onestop.db").display()))
    }
}

fn merge(into: &mut toml::Table, from: toml::Table) {
    for (k, v) in from {
        into.insert(k, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_and_unknown_keys() {
        let dir = std::env::temp_dir().join(format!("onestop-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("onestop.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:1\"\nsession_hours = 3\n").unwrap();
        let env = vec![
            ("ONESTOP_LISTEN".to_string(), "0.0.0.0:2".to_string()),
            ("PATH".into(), "x".into()),
        ];
        let s = Settings::load(Some(&file), env.clone(), toml::Table::new()).unwrap();
        assert_eq!((s.listen.as_str(), s.session_hours), ("0.0.0.0:2", 3));
        let mut flags = toml::Table::new();
        flags.insert("listen".into(), "0.0.0.0:3".into());
        assert_eq!(
            Settings::load(Some(&file), env, flags).unwrap().listen,
            "0.0.0.0:3"
        );
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        let err = Settings::load(Some(&file), vec![], toml::Table::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("lisen"), "{err}");
        let err = Settings::load(
            None,
            vec![("ONESTOP_BOGUS".into(), "1".into())],
            toml::Table::new(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("bogus"), "{err}");
    }

    #[test]
    fn syslog_keys_layer_and_default_off() {
        let s = Settings::load(None, vec![], toml::Table::new()).unwrap();
        assert_eq!(
            (s.syslog_udp, s.syslog_tcp, s.syslog_tls),
            (None, None, None)
        );
        assert_eq!(s.log_retention_days, 30);
        let env = vec![
            ("ONESTOP_SYSLOG_TCP".to_string(), "0.0.0.0:5514".to_string()),
            ("ONESTOP_LOG_RETENTION_DAYS".into(), "7".into()),
            ("ONESTOP_LOG".into(), "debug".into()),
        ];
        let mut flags = toml::Table::new();
        flags.insert("syslog_udp".into(), "127.0.0.1:5514".into());
        let s = Settings::load(None, env, flags).unwrap();
        assert_eq!(s.syslog_tcp.as_deref(), Some("0.0.0.0:5514"));
        assert_eq!(s.syslog_udp.as_deref(), Some("127.0.0.1:5514"));
        assert_eq!(s.log_retention_days, 7);
        let bad = vec![(
            "ONESTOP_LOG_RETENTION_DAYS".to_string(),
            "a week".to_string(),
        )];
        assert!(Settings::load(None, bad, toml::Table::new()).is_err());
    }
}
