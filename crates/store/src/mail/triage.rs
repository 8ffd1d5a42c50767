//! Received messages as staff read them: the triage queue (messages no rule could place),
//! where a person opens a ticket for the right customer or discards the message, both
//! audited; and the messages received on a ticket.
use super::intake::InboundMail;
use crate::desk::staff_only;
use crate::desk::tickets::load;
use crate::registry::Page;
use crate::{Result, Scope, Store, StoreError, Ticket};
use onestop_domain::model::ValidationError;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use utoipa::{IntoParams, ToSchema};

const COLS: &str = "id, message_id, from_addr, from_name, subject, source, body_text, body_html, outcome, reason, ticket_id, customer_id, triage_state, handled_by, handled_at, received_at";

/// A received message (without its raw bytes).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboundRecord {
    pub id: String,
    pub message_id: String,
    pub from_addr: String,
    pub from_name: Option<String>,
    pub subject: String,
    /// ingest or imap.
    pub source: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// ticket, reply, triage, ignored or bounce.
    pub outcome: String,
    pub reason: Option<String>,
    pub ticket_id: Option<String>,
    pub customer_id: Option<String>,
    /// For triage: open, opened or discarded.
    pub triage_state: Option<String>,
    pub handled_by: Option<String>,
    pub handled_at: Option<i64>,
    pub received_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct TriageQuery {
    /// open (default), opened, discarded.
    pub state: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn from_row(r: &AnyRow) -> Result<InboundRecord> {
    Ok(InboundRecord {
        id: r.try_get(0)?,
        message_id: r.try_get(1)?,
        from_addr: r.try_get(2)?,
        from_name: r.try_get(3)?,
        subject: r.try_get(4)?,
        source: r.try_get(5)?,
        body_text: r.try_get(6)?,
        body_html: r.try_get(7)?,
        outcome: r.try_get(8)?,
        reason: r.try_get(9)?,
        ticket_id: r.try_get(10)?,
        customer_id: r.try_get(11)?,
        triage_state: r.try_get(12)?,
        handled_by: r.try_get(13)?,
        handled_at: r.try_get(14)?,
        received_at: r.try_get(15)?,
    })
}

impl Store {
    /// The triage queue (staff only), newest first.
    pub async fn mail_triage(&self, scope: &Scope, q: &TriageQuery) -> Result<Page<InboundRecord>> {
        staff_only(scope)?;
        let state = q.state.as_deref().unwrap_or("open");
        if !["open", "opened", "discarded"].contains(&state) {
            return Err(ValidationError::new("state", "must be open, opened or discarded").into());
        }
        let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
        let page = q.page.unwrap_or(1).max(1);
        let total: i64 = sqlx::query("SELECT COUNT(*) FROM inbound_mail WHERE triage_state = $1")
            .bind(state)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM inbound_mail WHERE triage_state = $1 ORDER BY received_at DESC, id LIMIT $2 OFFSET $3"
        ))
        .bind(state)
        .bind(per_page)
        .bind((page - 1) * per_page)
        .fetch_all(&self.pool)
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// One received message (staff only).
    pub async fn inbound_mail(&self, scope: &Scope, id: &str) -> Result<InboundRecord> {
        staff_only(scope)?;
        let row = sqlx::query(&format!("SELECT {COLS} FROM inbound_mail WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        from_row(&row.ok_or(StoreError::NotFound)?)
    }

    /// The raw bytes of a received message (staff only).
    pub async fn inbound_raw(&self, scope: &Scope, id: &str) -> Result<Vec<u8>> {
        staff_only(scope)?;
        let row = sqlx::query("SELECT raw FROM inbound_mail WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.ok_or(StoreError::NotFound)?.try_get(0)?)
    }

    /// Messages received on a ticket the scope sees, oldest first.
    pub async fn ticket_inbound_mail(
        &self,
        scope: &Scope,
        ticket_id: &str,
    ) -> Result<Vec<InboundRecord>> {
        let mut conn = self.pool.acquire().await?;
        let t = load(&mut conn, scope, ticket_id).await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM inbound_mail WHERE ticket_id = $1 ORDER BY received_at, id"
        ))
        .bind(&t.id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Open a ticket for `customer_id` from a message waiting in triage (acknowledged to the
    /// sender like any new e-mail ticket).
    pub async fn triage_open(&self, scope: &Scope, id: &str, customer_id: &str) -> Result<Ticket> {
        staff_only(scope)?;
        let customer_id = customer_id.trim();
        if customer_id.is_empty() {
            return Err(ValidationError::new("customer_id", "is required").into());
        }
        self.ensure_customer(scope, customer_id).await?;
        let mut tx = self.write(scope).await?;
        let rec = self.pending_triage(&mut tx, id).await?;
        let contact: Option<String> = sqlx::query("SELECT id FROM contacts WHERE LOWER(email) = $1 AND customer_id = $2 ORDER BY id LIMIT 1")
            .bind(&rec.from_addr)
            .bind(customer_id)
            .fetch_optional(tx.conn())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let lang = if rec
            .body_text
            .chars()
            .chain(rec.subject.chars())
            .any(super::is_japanese)
        {
            "ja"
        } else {
            "en"
        };
        let m = InboundMail {
            message_id: rec.message_id.clone(),
            from_addr: rec.from_addr.clone(),
            from_name: rec.from_name.clone(),
            subject: rec.subject.clone(),
            body_text: rec.body_text.clone(),
            lang: lang.into(),
            ..Default::default()
        };
        let t = self
            .open_from_mail(&mut tx, &m, customer_id.to_string(), contact)
            .await?;
        self.settle(&mut tx, &rec, "opened", Some(&t)).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Discard a message waiting in triage.
    pub async fn triage_discard(&self, scope: &Scope, id: &str) -> Result<()> {
        staff_only(scope)?;
        let mut tx = self.write(scope).await?;
        let rec = self.pending_triage(&mut tx, id).await?;
        self.settle(&mut tx, &rec, "discarded", None).await?;
        tx.commit().await
    }

    async fn pending_triage(&self, tx: &mut crate::WriteTx, id: &str) -> Result<InboundRecord> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM inbound_mail WHERE id = $1"))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
        let rec = from_row(&row.ok_or(StoreError::NotFound)?)?;
        if rec.triage_state.as_deref() != Some("open") {
            return Err(StoreError::Conflict(
                "this message is not waiting in triage".into(),
            ));
        }
        Ok(rec)
    }

    async fn settle(
        &self,
        tx: &mut crate::WriteTx,
        rec: &InboundRecord,
        state: &str,
        t: Option<&Ticket>,
    ) -> Result<()> {
        let (now, actor) = (tx.now, tx.scope().actor());
        sqlx::query("UPDATE inbound_mail SET triage_state = $1, handled_by = $2, handled_at = $3, ticket_id = $4, customer_id = $5 WHERE id = $6")
            .bind(state)
            .bind(&actor)
            .bind(now)
            .bind(t.map(|t| t.id.clone()))
            .bind(t.map(|t| t.customer_id.clone()))
            .bind(&rec.id)
            .execute(tx.conn())
            .await?;
        let before = serde_json::json!({"triage_state": "open"});
        let after = serde_json::json!({"triage_state": state, "ticket_id": t.map(|t| &t.id)});
        let customer = t.map(|t| t.customer_id.clone());
        tx.audit(
            &format!("mail.triage.{state}"),
            "inbound_mail",
            &rec.id,
            customer.as_deref(),
            Some(&before),
            Some(&after),
        )
        .await
    }
}
