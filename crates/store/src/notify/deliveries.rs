//! Webhook deliveries: claimed by one sender at a time (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, the single writer on SQLite) under a lease, retried with exponential backoff,
//! and logged attempt by attempt with response code, error and duration.
use crate::{Backend, Result, Scope, Store};
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

/// Attempts before a delivery is given up (`failed`).
pub const MAX_ATTEMPTS: i64 = 8;

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct WebhookAttempt {
    pub attempt: i64,
    pub at: i64,
    /// The server process that sent it.
    pub holder: String,
    /// The HTTP status, when there was a response.
    pub code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub ticket_id: Option<String>,
    /// pending, sending, delivered, failed.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_code: Option<i64>,
    pub last_error: Option<String>,
    pub last_duration_ms: Option<i64>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    pub body: String,
    pub log: Vec<WebhookAttempt>,
}

/// A delivery taken by a sender: what to send where.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub url: String,
    pub format: String,
    pub secret_enc: String,
    pub body: String,
    pub event: String,
    /// This attempt's number (1 for the first).
    pub attempt: i64,
}

/// What one attempt got.
#[derive(Debug, Clone, Default)]
pub struct DeliveryOutcome {
    pub code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

impl DeliveryOutcome {
    pub fn ok(&self) -> bool {
        self.code.is_some_and(|c| (200..300).contains(&c))
    }
}

impl Store {
    /// Take up to `limit` due deliveries for `holder` until `now + lease_ms`. A delivery
    /// whose sender died is taken again when its lease has run out.
    pub async fn claim_webhook_deliveries(
        &self,
        holder: &str,
        now: i64,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Vec<Claimed>> {
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET status = 'sending', lease_holder = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM webhook_deliveries WHERE (status = 'pending' AND next_attempt_at <= $3) \
             OR (status = 'sending' AND lease_until < $3) ORDER BY next_attempt_at LIMIT $4{lock}) \
             RETURNING id, webhook_id, body, event, attempts"
        );
        let rows = sqlx::query(&sql)
            .bind(holder)
            .bind(now + lease_ms)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut out = vec![];
        for r in rows {
            let hook: String = r.try_get(1)?;
            let h = sqlx::query("SELECT url, format, secret_enc FROM webhooks WHERE id = $1")
                .bind(&hook)
                .fetch_one(&self.pool)
                .await?;
            out.push(Claimed {
                id: r.try_get(0)?,
                body: r.try_get(2)?,
                event: r.try_get(3)?,
                attempt: r.try_get(4)?,
                url: h.try_get(0)?,
                format: h.try_get(1)?,
                secret_enc: h.try_get(2)?,
            });
        }
        Ok(out)
    }

    /// Record an attempt: delivered on a 2xx, else retried after `retry_base_ms * 2^(n-1)`
    /// until [`MAX_ATTEMPTS`]. Ignored when the lease was lost to another sender.
    pub async fn finish_webhook_delivery(
        &self,
        holder: &str,
        c: &Claimed,
        now: i64,
        o: &DeliveryOutcome,
        retry_base_ms: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let (status, next, delivered) = if o.ok() {
            ("delivered", now, Some(now))
        } else if c.attempt >= MAX_ATTEMPTS {
            ("failed", now, None)
        } else {
            let backoff = retry_base_ms.saturating_mul(1 << (c.attempt - 1).clamp(0, 20));
            ("pending", now + backoff, None)
        };
        let r = sqlx::query("UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, delivered_at = $3, last_code = $4, last_error = $5, last_duration_ms = $6, lease_holder = NULL, lease_until = NULL \
                             WHERE id = $7 AND lease_holder = $8 AND attempts = $9 AND status = 'sending'")
            .bind(status)
            .bind(next)
            .bind(delivered)
            .bind(o.code)
            .bind(&o.error)
            .bind(o.duration_ms)
            .bind(&c.id)
            .bind(holder)
            .bind(c.attempt)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 1 {
            sqlx::query("INSERT INTO webhook_attempts (id, delivery_id, attempt, at, holder, code, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(crate::new_id())
                .bind(&c.id)
                .bind(c.attempt)
                .bind(now)
                .bind(holder)
                .bind(o.code)
                .bind(&o.error)
                .bind(o.duration_ms)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A subscription's deliveries, newest first, each with its attempt log.
    pub async fn webhook_deliveries(
        &self,
        scope: &Scope,
        webhook_id: &str,
        limit: i64,
    ) -> Result<Vec<WebhookDelivery>> {
        self.webhook(scope, webhook_id).await?;
        let rows = sqlx::query("SELECT id, webhook_id, event, ticket_id, status, attempts, next_attempt_at, last_code, last_error, last_duration_ms, created_at, delivered_at, body FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2")
            .bind(webhook_id)
            .bind(limit.clamp(1, 500))
            .fetch_all(&self.pool)
            .await?;
        let mut out = vec![];
        for r in rows {
            let id: String = r.try_get(0)?;
            let log = sqlx::query("SELECT attempt, at, holder, code, error, duration_ms FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt")
                .bind(&id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|a| {
                    Ok(WebhookAttempt {
                        attempt: a.try_get(0)?,
                        at: a.try_get(1)?,
                        holder: a.try_get(2)?,
                        code: a.try_get(3)?,
                        error: a.try_get(4)?,
                        duration_ms: a.try_get(5)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            out.push(WebhookDelivery {
                id,
                webhook_id: r.try_get(1)?,
                event: r.try_get(2)?,
                ticket_id: r.try_get(3)?,
                status: r.try_get(4)?,
                attempts: r.try_get(5)?,
                next_attempt_at: r.try_get(6)?,
                last_code: r.try_get(7)?,
                last_error: r.try_get(8)?,
                last_duration_ms: r.try_get(9)?,
                created_at: r.try_get(10)?,
                delivered_at: r.try_get(11)?,
                body: r.try_get(12)?,
                log,
            });
        }
        Ok(out)
    }
}
