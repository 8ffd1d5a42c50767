//! The mail outbox: every e-mail any feature sends is queued here, inside the transaction
//! that decided to send it, so a message is sent if and only if its cause was committed.
//! Delivery (SMTP, retries, backoff) is the server's outbox worker.
use crate::{Result, WriteTx, new_id};

/// One message to queue. `message_id` is generated when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutMail {
    pub ticket_id: Option<String>,
    /// What the message is for: `ack`, `reply`, `resolved`, `escalation`, `sla_warning`,
    /// `notification`, `notice`, …
    pub kind: String,
    pub to_addr: String,
    pub to_name: Option<String>,
    /// `ja` or `en`: the language the body was written in.
    pub lang: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Our Message-ID without angle brackets; empty to have one made.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    /// Space-separated Message-IDs (the `References` header), without angle brackets.
    pub refs: Option<String>,
}

/// A Message-ID for mail sent by this installation: unique, with the given domain.
pub fn new_message_id(domain: &str) -> String {
    format!("{}@{}", new_id(), domain)
}

impl WriteTx {
    /// Queue `mail` for delivery as soon as possible; returns its Message-ID.
    pub async fn enqueue_mail(&mut self, mail: &OutMail) -> Result<String> {
        let message_id = if mail.message_id.is_empty() {
            new_message_id("onestop.invalid")
        } else {
            mail.message_id.clone()
        };
        let now = self.now;
        sqlx::query(
            "INSERT INTO mail_outbox (id, ticket_id, kind, to_addr, to_name, lang, subject, body_text, body_html, message_id, in_reply_to, refs, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', 0, $13, $14)",
        )
        .bind(new_id())
        .bind(&mail.ticket_id)
        .bind(&mail.kind)
        .bind(&mail.to_addr)
        .bind(&mail.to_name)
        .bind(&mail.lang)
        .bind(&mail.subject)
        .bind(&mail.body_text)
        .bind(&mail.body_html)
        .bind(&message_id)
        .bind(&mail.in_reply_to)
        .bind(&mail.refs)
        .bind(now)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(message_id)
    }
}
