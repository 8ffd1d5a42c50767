//! The IMAP poller: under the `mail_imap` lease (so one server of several polls), it logs in
//! over IMAPS or STARTTLS, fetches unseen messages, runs each through the same intake as
//! `onestop mail ingest`, and marks it `\Seen` once stored. Between passes it waits in IDLE
//! when the server offers it (woken by new mail), else sleeps for the poll interval. On any
//! error it reconnects after the interval; a message not stored stays unseen.
use crate::Settings;
use anyhow::Context;
use async_imap::Session;
use futures_util::TryStreamExt;
use onestop_store::mail::IntakePolicy;
use onestop_store::{Store, new_id, now_ms};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

const LEASE: &str = "mail_imap";

/// A configured poller.
pub struct Poller {
    host: String,
    port: u16,
    starttls: bool,
    user: String,
    password: String,
    mailbox: String,
    every: Duration,
    tls: TlsConnector,
}

type Imap = Session<TlsStream<TcpStream>>;

impl Poller {
    pub fn new(s: &Settings) -> anyhow::Result<Poller> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let starttls = match s.mail_imap_tls.as_str() {
            "imaps" => false,
            "starttls" => true,
            other => anyhow::bail!("mail_imap_tls: `{other}` is not imaps or starttls"),
        };
        let roots = super::root_store(s.mail_imap_ca.as_deref())?;
        let config = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Poller {
            host: s.mail_imap_host.clone().unwrap_or_default(),
            port: u16::try_from(s.mail_imap_port).context("mail_imap_port out of range")?,
            starttls,
            user: s
                .mail_imap_user
                .clone()
                .context("mail_imap_user is required")?,
            password: s.mail_imap_password.clone().unwrap_or_default(),
            mailbox: s.mail_imap_mailbox.clone(),
            every: Duration::from_secs(s.mail_imap_poll_secs.clamp(1, 1740) as u64),
            tls: TlsConnector::from(Arc::new(config)),
        })
    }

    async fn connect(&self) -> anyhow::Result<Imap> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port)).await?;
        let name = rustls::pki_types::ServerName::try_from(self.host.clone())?;
        let tcp = if self.starttls {
            let mut plain = async_imap::Client::new(tcp);
            plain.read_response().await?.context("no IMAP greeting")?;
            plain.run_command_and_check_ok("STARTTLS", None).await?;
            plain.into_inner()
        } else {
            tcp
        };
        let tls = self.tls.connect(name, tcp).await?;
        let mut client = async_imap::Client::new(tls);
        if !self.starttls {
            client.read_response().await?.context("no IMAP greeting")?;
        }
        let mut session = client
            .login(&self.user, &self.password)
            .await
            .map_err(|(e, _)| anyhow::anyhow!("IMAP login: {e}"))?;
        session.select(&self.mailbox).await?;
        Ok(session)
    }

    /// Poll forever (while holding the lease).
    pub async fn run(self, store: Store, policy: IntakePolicy) {
        let holder = new_id();
        loop {
            let ttl = (self.every.as_millis() as i64) * 3 + 30_000;
            match store.take_lease(LEASE, &holder, now_ms(), ttl).await {
                Ok(true) => {
                    if let Err(e) = self.session(&store, &policy, &holder, ttl).await {
                        tracing::warn!(error = %e, "IMAP poller");
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "IMAP poller lease"),
            }
            tokio::time::sleep(self.every).await;
        }
    }

    /// One connection: fetch, wait (IDLE or sleep), fetch again, while the lease holds.
    async fn session(
        &self,
        store: &Store,
        policy: &IntakePolicy,
        holder: &str,
        ttl: i64,
    ) -> anyhow::Result<()> {
        let mut session = self.connect().await?;
        let idle = session.capabilities().await?.has_str("IDLE");
        loop {
            let n = fetch_unseen(&mut session, store, policy).await?;
            if n > 0 {
                tracing::info!(messages = n, "IMAP intake");
            }
            if !store.take_lease(LEASE, holder, now_ms(), ttl).await? {
                let _ = session.logout().await;
                return Ok(());
            }
            if idle {
                let mut handle = session.idle();
                handle.init().await?;
                let (wait, _stop) = handle.wait_with_timeout(self.every);
                wait.await?;
                session = handle.done().await?;
            } else {
                tokio::time::sleep(self.every).await;
            }
        }
    }
}

/// Fetch every unseen message, store it, then mark it seen; returns how many were stored.
pub async fn fetch_unseen(
    session: &mut Imap,
    store: &Store,
    policy: &IntakePolicy,
) -> anyhow::Result<usize> {
    let mut uids: Vec<u32> = session.uid_search("UNSEEN").await?.into_iter().collect();
    uids.sort_unstable();
    let mut stored = 0;
    for chunk in uids.chunks(50) {
        let set = chunk
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let fetches: Vec<_> = session
            .uid_fetch(&set, "(UID BODY.PEEK[])")
            .await?
            .try_collect()
            .await?;
        let mut done = vec![];
        for f in &fetches {
            let (Some(uid), Some(body)) = (f.uid, f.body()) else {
                continue;
            };
            let outcome = super::ingest(store, policy, body, "imap").await?;
            tracing::debug!(uid, %outcome, "IMAP message stored");
            done.push(uid.to_string());
            stored += 1;
        }
        if !done.is_empty() {
            let updates: Vec<_> = session
                .uid_store(done.join(","), "+FLAGS (\\Seen)")
                .await?
                .try_collect()
                .await?;
            drop(updates);
        }
    }
    Ok(stored)
}
