//! The outbox as the delivery worker sees it: claim due rows (a claim column, re-checked on
//! update, plus `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two servers never send one row
//! twice), then record each result: sent, retry later with exponential backoff, or failed.
//! Bounces are recorded against the row they bounce; a ticket's mail is listed for its page.
use super::intake::Bounce;
use crate::desk::tickets::load;
use crate::{Backend, Result, Scope, Store, WriteTx, new_id};
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

const COLS: &str = "id, ticket_id, kind, to_addr, to_name, lang, subject, body_text, body_html, message_id, in_reply_to, refs, attempts";

/// A message to deliver now.
#[derive(Debug, Clone)]
pub struct DueMail {
    pub id: String,
    pub ticket_id: Option<String>,
    pub kind: String,
    pub to_addr: String,
    pub to_name: Option<String>,
    pub lang: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub refs: Option<String>,
    pub attempts: i64,
}

/// A message of a ticket and its delivery state, for the ticket page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketMail {
    pub id: String,
    /// Our Message-ID (without angle brackets).
    pub message_id: String,
    pub kind: String,
    pub to_addr: String,
    pub subject: String,
    /// pending, sent or failed.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub bounced_at: Option<i64>,
    pub bounce_reason: Option<String>,
}

/// Mark the outbox rows a delivery report names as bounced; returns how many.
pub(crate) async fn record_bounce(tx: &mut WriteTx, b: &Bounce) -> Result<u64> {
    let mut n = 0;
    for id in &b.original_ids {
        let row = sqlx::query("SELECT id, ticket_id FROM mail_outbox WHERE message_id = $1")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
        let Some(row) = row else { continue };
        let (row_id, ticket): (String, Option<String>) = (row.try_get(0)?, row.try_get(1)?);
        let now = tx.now;
        sqlx::query("UPDATE mail_outbox SET bounced_at = $1, bounce_reason = $2 WHERE id = $3")
            .bind(now)
            .bind(&b.reason)
            .bind(&row_id)
            .execute(tx.conn())
            .await?;
        let customer: Option<String> = match &ticket {
            Some(t) => sqlx::query("SELECT customer_id FROM tickets WHERE id = $1")
                .bind(t)
                .fetch_optional(tx.conn())
                .await?
                .map(|r| r.try_get(0))
                .transpose()?,
            None => None,
        };
        let after = serde_json::json!({"message_id": id, "bounce_reason": b.reason});
        tx.audit(
            "mail.bounce",
            "mail_outbox",
            &row_id,
            customer.as_deref(),
            None,
            Some(&after),
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

impl Store {
    /// Claim up to `limit` messages due at `now` for `holder` until `now + lease_ms`.
    pub async fn claim_due_mail(
        &self,
        holder: &str,
        now: i64,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Vec<DueMail>> {
        let claim = new_id();
        let free = "status = 'pending' AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $4)";
        // PostgreSQL: the rows are picked once (a materialised CTE) and locked, skipping rows
        // another server is claiming. SQLite has one writer at a time.
        let sql = match self.backend() {
            Backend::Postgres => format!(
                "WITH picked AS MATERIALIZED (SELECT id FROM mail_outbox WHERE {free} ORDER BY next_attempt_at, id LIMIT $5 FOR UPDATE SKIP LOCKED) \
                 UPDATE mail_outbox SET claimed_by = $1, claimed_until = $2 FROM picked WHERE mail_outbox.id = picked.id"
            ),
            Backend::Sqlite => format!(
                "UPDATE mail_outbox SET claimed_by = $1, claimed_until = $2 WHERE id IN \
                 (SELECT id FROM mail_outbox WHERE {free} ORDER BY next_attempt_at, id LIMIT $5)"
            ),
        };
        sqlx::query(&sql)
            .bind(format!("{holder}:{claim}"))
            .bind(now + lease_ms)
            .bind(now)
            .bind(now)
            .bind(limit)
            .execute(&self.pool)
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM mail_outbox WHERE claimed_by = $1 AND status = 'pending'"
        ))
        .bind(format!("{holder}:{claim}"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DueMail {
                    id: r.try_get(0)?,
                    ticket_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    to_addr: r.try_get(3)?,
                    to_name: r.try_get(4)?,
                    lang: r.try_get(5)?,
                    subject: r.try_get(6)?,
                    body_text: r.try_get(7)?,
                    body_html: r.try_get(8)?,
                    message_id: r.try_get(9)?,
                    in_reply_to: r.try_get(10)?,
                    refs: r.try_get(11)?,
                    attempts: r.try_get(12)?,
                })
            })
            .collect()
    }

    /// The SMTP server accepted `m`.
    pub async fn mail_sent(&self, m: &DueMail, now: i64) -> Result<()> {
        let mut tx = self.write_at(&Scope::System, now).await?;
        sqlx::query("UPDATE mail_outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL, claimed_until = NULL WHERE id = $2")
            .bind(now)
            .bind(&m.id)
            .execute(tx.conn())
            .await?;
        let after =
            serde_json::json!({"status": "sent", "message_id": m.message_id, "to": m.to_addr});
        let customer = customer_of(&mut tx, m).await?;
        tx.audit(
            "mail.sent",
            "mail_outbox",
            &m.id,
            customer.as_deref(),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await
    }

    /// Delivery of `m` failed with `error`: try again after `base_ms · 2^attempts`, or give
    /// up (`failed`) when the error is permanent or `max_attempts` are spent. Returns whether
    /// it gave up.
    pub async fn mail_failed(
        &self,
        m: &DueMail,
        now: i64,
        error: &str,
        permanent: bool,
        max_attempts: i64,
        base_ms: i64,
    ) -> Result<bool> {
        let attempts = m.attempts + 1;
        let give_up = permanent || attempts >= max_attempts;
        let delay = base_ms.saturating_mul(1_i64 << (attempts - 1).clamp(0, 20));
        let mut tx = self.write_at(&Scope::System, now).await?;
        sqlx::query("UPDATE mail_outbox SET status = $1, attempts = $2, last_error = $3, next_attempt_at = $4, claimed_until = NULL WHERE id = $5")
            .bind(if give_up { "failed" } else { "pending" })
            .bind(attempts)
            .bind(error)
            .bind(now + delay)
            .bind(&m.id)
            .execute(tx.conn())
            .await?;
        if give_up {
            let after = serde_json::json!({"status": "failed", "message_id": m.message_id, "to": m.to_addr, "error": error});
            let customer = customer_of(&mut tx, m).await?;
            tx.audit(
                "mail.failed",
                "mail_outbox",
                &m.id,
                customer.as_deref(),
                None,
                Some(&after),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(give_up)
    }

    /// The ticket's outgoing mail with its delivery state; customers' users see only the
    /// messages addressed to customers.
    pub async fn ticket_mail(&self, scope: &Scope, ticket_id: &str) -> Result<Vec<TicketMail>> {
        let mut conn = self.pool.acquire().await?;
        let t = load(&mut conn, scope, ticket_id).await?;
        let only_customer = if scope.is_staff() {
            ""
        } else {
            " AND kind IN ('ack', 'reply', 'resolved')"
        };
        let rows = sqlx::query(&format!(
            "SELECT id, kind, to_addr, subject, status, attempts, last_error, created_at, sent_at, bounced_at, bounce_reason, message_id \
             FROM mail_outbox WHERE ticket_id = $1{only_customer} ORDER BY created_at, id"
        ))
        .bind(&t.id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TicketMail {
                    id: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    to_addr: r.try_get(2)?,
                    subject: r.try_get(3)?,
                    status: r.try_get(4)?,
                    attempts: r.try_get(5)?,
                    last_error: r.try_get(6)?,
                    created_at: r.try_get(7)?,
                    sent_at: r.try_get(8)?,
                    bounced_at: r.try_get(9)?,
                    bounce_reason: r.try_get(10)?,
                    message_id: r.try_get(11)?,
                })
            })
            .collect()
    }

    /// Set the domain of the Message-IDs this installation makes (audited when it changes).
    pub async fn set_mail_domain(&self, domain: &str) -> Result<()> {
        let current: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(super::DOMAIN_KEY)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        if current.as_deref() == Some(domain) {
            return Ok(());
        }
        self.set_setting(&Scope::System, super::DOMAIN_KEY, domain)
            .await
    }
}

async fn customer_of(tx: &mut WriteTx, m: &DueMail) -> Result<Option<String>> {
    let Some(t) = &m.ticket_id else {
        return Ok(None);
    };
    Ok(sqlx::query("SELECT customer_id FROM tickets WHERE id = $1")
        .bind(t)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| r.try_get(0))
        .transpose()?)
}
