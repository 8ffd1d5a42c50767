//! E-mail in and out. `parse.rs` turns an RFC 5322 message into the facts the store's intake
//! decides on (`Store::intake_mail`); `onestop mail ingest` and the IMAP poller (`imap.rs`)
//! both go through [`ingest`]. `smtp.rs` is the outbox worker delivering `mail_outbox` rows.
pub mod imap;
pub mod parse;
pub mod smtp;

use crate::Settings;
use onestop_store::Store;
use onestop_store::mail::{DEFAULT_FREEMAIL, IntakeOutcome, IntakePolicy};

/// The intake policy from the settings.
pub fn policy(settings: &Settings) -> IntakePolicy {
    let freemail = match &settings.mail_freemail_domains {
        Some(list) => list
            .split(',')
            .map(|d| d.trim().to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect(),
        None => DEFAULT_FREEMAIL.iter().map(|d| d.to_string()).collect(),
    };
    IntakePolicy {
        freemail,
        max_new_per_hour: settings.mail_max_new_per_hour.max(0),
        attachments_dir: Some(settings.data_dir.join("attachments")),
    }
}

/// Parse and apply one message; `source` is `ingest` or `imap`.
pub async fn ingest(
    store: &Store,
    policy: &IntakePolicy,
    raw: &[u8],
    source: &str,
) -> Result<IntakeOutcome, onestop_store::StoreError> {
    let mail = parse::parse(raw, source);
    store.intake_mail(&mail, policy).await
}

/// The domain of our Message-IDs: `mail_domain`, else the domain of `mail_from`.
pub fn message_id_domain(settings: &Settings) -> Option<String> {
    settings.mail_domain.clone().or_else(|| {
        let from = settings.mail_from.as_deref()?;
        let addr = from
            .rsplit_once('<')
            .map(|(_, a)| a.trim_end_matches('>'))
            .unwrap_or(from);
        addr.rsplit_once('@').map(|(_, d)| d.trim().to_string())
    })
}

/// Check the mail settings and start the outbox worker and the IMAP poller that are
/// configured.
pub async fn start(store: &Store, settings: &Settings) -> anyhow::Result<()> {
    if let Some(d) = message_id_domain(settings) {
        store.set_mail_domain(&d).await?;
    }
    if settings.mail_smtp_host.is_some() {
        let worker = smtp::Worker::new(settings)?;
        tokio::spawn(worker.run(store.clone()));
    }
    if settings.mail_imap_host.is_some() {
        let poller = imap::Poller::new(settings)?;
        tokio::spawn(poller.run(store.clone(), policy(settings)));
    }
    Ok(())
}

/// A PEM CA file's certificates for a TLS client, with the web's roots.
pub(crate) fn root_store(ca: Option<&std::path::Path>) -> anyhow::Result<rustls::RootCertStore> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca {
        let pem = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read CA file {}: {e}", path.display()))?;
        use rustls::pki_types::{CertificateDer, pem::PemObject};
        for cert in CertificateDer::pem_slice_iter(&pem) {
            roots.add(cert.map_err(|e| anyhow::anyhow!("CA file {}: {e:?}", path.display()))?)?;
        }
    }
    Ok(roots)
}

/// Open a ticket for `customer_id` from a message waiting in triage, keeping its attachments
/// (taken again from the stored raw message) like the intake does.
pub async fn open_from_triage(
    store: &Store,
    scope: &onestop_store::Scope,
    id: &str,
    customer_id: &str,
    attachments_dir: &std::path::Path,
) -> Result<onestop_store::Ticket, onestop_store::StoreError> {
    let t = store.triage_open(scope, id, customer_id).await?;
    let raw = store.inbound_raw(scope, id).await?;
    let mail = parse::parse(&raw, "ingest");
    for a in mail.attachments {
        let input = onestop_store::NewAttachment {
            filename: a.filename.clone(),
            content_type: a.content_type,
            visibility: Some("public".into()),
            note: Some(format!("e-mail from {}", mail.from_addr)),
            bytes: a.bytes,
        };
        if let Err(e) = store
            .add_attachment(scope, &t.id, attachments_dir, input)
            .await
        {
            tracing::warn!(file = %a.filename, error = %e, "mail attachment not kept");
        }
    }
    Ok(t)
}

/// Wakes the outbox worker of this process: a request that changed something may have queued
/// mail (its transaction has committed when the response is ready), so the worker looks now
/// instead of at its next tick. Mail queued by another process waits for the tick.
pub(crate) static OUTBOX_WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Middleware: after a successful non-GET request, wake the outbox worker.
pub async fn wake_after_writes(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let write = req.method() != axum::http::Method::GET && req.method() != axum::http::Method::HEAD;
    let resp = next.run(req).await;
    if write && (resp.status().is_success() || resp.status().is_redirection()) {
        OUTBOX_WAKE.notify_one();
    }
    resp
}
