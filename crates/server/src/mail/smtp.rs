//! The outbox worker: every `mail_outbox_secs`, and at once after a request of this process
//! changed something (see [`super::wake_after_writes`]), it claims due rows (several servers may run
//! it; a claim keeps each row to one) and delivers them over SMTP with `lettre` (STARTTLS,
//! implicit TLS, or none for loopback; AUTH when a user is set). Accepted → `sent`; a
//! temporary failure waits `mail_retry_base_secs · 2^attempt`; a permanent one, or the last
//! attempt, → `failed` with the error, which the ticket page shows.
use crate::Settings;
use anyhow::Context;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use onestop_store::mail::DueMail;
use onestop_store::{Store, new_id, now_ms};
use std::time::Duration;

/// A configured outbox worker.
pub struct Worker {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    every: Duration,
    max_attempts: i64,
    base_ms: i64,
}

fn tls_params(host: &str, ca: Option<&std::path::Path>) -> anyhow::Result<TlsParameters> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut b = TlsParameters::builder(host.to_string());
    if let Some(path) = ca {
        let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        b = b.add_root_certificate(lettre::transport::smtp::client::Certificate::from_pem(
            &pem,
        )?);
    }
    Ok(b.build_rustls()?)
}

impl Worker {
    pub fn new(s: &Settings) -> anyhow::Result<Worker> {
        let host = s.mail_smtp_host.clone().unwrap_or_default();
        let from: Mailbox = s
            .mail_from
            .as_deref()
            .context("mail_from is required with mail_smtp_host")?
            .parse()
            .context("mail_from is not an address")?;
        let port = u16::try_from(s.mail_smtp_port).context("mail_smtp_port out of range")?;
        let ca = s.mail_smtp_ca.as_deref();
        let tls = match s.mail_smtp_tls.as_str() {
            "none" => Tls::None,
            "starttls" => Tls::Required(tls_params(&host, ca)?),
            "tls" => Tls::Wrapper(tls_params(&host, ca)?),
            other => anyhow::bail!("mail_smtp_tls: `{other}` is not starttls, tls or none"),
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(30)));
        if let Some(user) = &s.mail_smtp_user {
            let pass = s.mail_smtp_password.clone().unwrap_or_default();
            b = b.credentials(Credentials::new(user.clone(), pass));
        }
        Ok(Worker {
            transport: b.build(),
            from,
            every: Duration::from_millis((s.mail_outbox_secs.clamp(1, 3600) * 1000) as u64),
            max_attempts: s.mail_max_attempts.max(1),
            base_ms: s.mail_retry_base_secs.max(1) * 1000,
        })
    }

    /// Deliver due mail forever.
    pub async fn run(self, store: Store) {
        let holder = new_id();
        let mut tick = tokio::time::interval(self.every);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = super::OUTBOX_WAKE.notified() => {}
            }
            if let Err(e) = self.pass(&store, &holder).await {
                tracing::warn!(error = %e, "outbox pass failed");
            }
        }
    }

    /// One pass: deliver what is due now, batch after batch.
    pub async fn pass(&self, store: &Store, holder: &str) -> anyhow::Result<usize> {
        let mut sent = 0;
        loop {
            let due = store.claim_due_mail(holder, now_ms(), 20, 300_000).await?;
            if due.is_empty() {
                return Ok(sent);
            }
            for m in &due {
                match self.send(m).await {
                    Ok(()) => {
                        store.mail_sent(m, now_ms()).await?;
                        sent += 1;
                    }
                    Err((error, permanent)) => {
                        let gave_up = store
                            .mail_failed(
                                m,
                                now_ms(),
                                &error,
                                permanent,
                                self.max_attempts,
                                self.base_ms,
                            )
                            .await?;
                        tracing::warn!(to = %m.to_addr, %error, gave_up, "mail delivery failed");
                    }
                }
            }
        }
    }

    async fn send(&self, m: &DueMail) -> Result<(), (String, bool)> {
        let msg = build(&self.from, m).map_err(|e| (e.to_string(), true))?;
        self.transport
            .send(msg)
            .await
            .map(|_| ())
            .map_err(|e| (e.to_string(), e.is_permanent()))
    }
}

/// The message for an outbox row: threading headers, multipart text + HTML, and
/// `Auto-Submitted` on what no person wrote.
pub fn build(from: &Mailbox, m: &DueMail) -> anyhow::Result<Message> {
    let to = Mailbox::new(m.to_name.clone(), m.to_addr.parse()?);
    let mut b = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}>", m.message_id)));
    if let Some(r) = &m.in_reply_to {
        b = b.in_reply_to(format!("<{r}>"));
    }
    if let Some(refs) = &m.refs {
        let v: Vec<String> = refs.split_whitespace().map(|r| format!("<{r}>")).collect();
        b = b.references(v.join(" "));
    }
    let auto = match m.kind.as_str() {
        "ack" => Some("auto-replied"),
        "reply" => None,
        _ => Some("auto-generated"),
    };
    if let Some(a) = auto {
        b = b.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            a.into(),
        ));
    }
    let lang = HeaderValue::new(
        HeaderName::new_from_ascii_str("Content-Language"),
        m.lang.clone(),
    );
    b = b.raw_header(lang);
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(m.body_text.clone());
    let msg = match &m.body_html {
        Some(html) => b.multipart(
            MultiPart::alternative().singlepart(text).singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html.clone()),
            ),
        )?,
        None => b.singlepart(text)?,
    };
    Ok(msg)
}
