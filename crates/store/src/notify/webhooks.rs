//! Webhook subscriptions (administrators only) and the queueing of one delivery per
//! matching subscription, in the transaction of the event. The signing secret arrives
//! encrypted by the server; the store never sees it in clear.
use super::Notice;
use crate::util::{from_json, new_id, to_json};
use crate::{Result, Scope, Store, StoreError, WriteTx};
use onestop_domain::model::ValidationError;
use onestop_domain::notify::Event;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

pub const FORMATS: [&str; 2] = ["onestop", "slack"];

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Webhook {
    pub id: String,
    pub name: String,
    pub url: String,
    /// Event types: `ticket.created`, `ticket.updated`, `sla.warning`, `sla.breached`,
    /// `ticket.escalated`, …
    pub events: Vec<String>,
    /// Only events of this customer; all customers when absent.
    pub customer_id: Option<String>,
    /// `onestop` (signed JSON) or `slack` (a body with `text`, for Slack and Teams).
    pub format: String,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A new subscription and its signing secret, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewWebhook {
    pub webhook: Webhook,
    /// The HMAC-SHA256 key of `X-Onestop-Signature`; stored encrypted, never shown again.
    pub secret: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    pub name: Option<String>,
    pub url: String,
    pub events: Vec<String>,
    pub customer_id: Option<String>,
    /// `onestop` (default) or `slack`.
    pub format: Option<String>,
}

/// Changes to a subscription; absent fields stay. An empty `customer_id` removes the filter.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    pub name: Option<String>,
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub customer_id: Option<String>,
    pub format: Option<String>,
    pub enabled: Option<bool>,
}

const COLS: &str = "id, name, url, events, customer_id, format, enabled, created_at, updated_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Webhook> {
    Ok(Webhook {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        url: r.try_get("url")?,
        events: from_json(&r.try_get::<String, _>("events")?),
        customer_id: r.try_get("customer_id")?,
        format: r.try_get("format")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn valid_url(url: &str) -> Result<()> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty()
                && !r.starts_with('/')
                && !url.chars().any(char::is_whitespace)
                && url.len() <= 2000 =>
        {
            Ok(())
        }
        _ => Err(ValidationError::new("url", "must be an http:// or https:// URL").into()),
    }
}

impl Webhook {
    fn validate(&self) -> Result<()> {
        valid_url(&self.url)?;
        if self.name.trim().is_empty() || self.name.len() > 200 {
            return Err(ValidationError::new("name", "is required (up to 200 characters)").into());
        }
        if self.events.is_empty() {
            return Err(ValidationError::new("events", "name at least one event type").into());
        }
        for e in &self.events {
            if Event::parse(e).is_none() {
                let all: Vec<&str> = Event::ALL.iter().map(|e| e.as_str()).collect();
                return Err(ValidationError::new(
                    "events",
                    format!("unknown event type `{e}` (known: {})", all.join(", ")),
                )
                .into());
            }
        }
        if !FORMATS.contains(&self.format.as_str()) {
            return Err(ValidationError::new("format", "must be onestop or slack").into());
        }
        Ok(())
    }
}

fn admin(scope: &Scope) -> Result<()> {
    if scope.is_admin() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "only administrators manage webhooks".into(),
        ))
    }
}

impl Store {
    pub async fn webhooks(&self, scope: &Scope) -> Result<Vec<Webhook>> {
        admin(scope)?;
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM webhooks ORDER BY created_at, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn webhook(&self, scope: &Scope, id: &str) -> Result<Webhook> {
        admin(scope)?;
        let r = sqlx::query(&format!("SELECT {COLS} FROM webhooks WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&r)
    }

    async fn check_customer(&self, c: &Option<String>) -> Result<()> {
        if let Some(c) = c {
            let n: i64 = sqlx::query("SELECT COUNT(*) FROM customers WHERE id = $1")
                .bind(c)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
            if n == 0 {
                return Err(ValidationError::new("customer_id", "is not a customer").into());
            }
        }
        Ok(())
    }

    /// Subscribe; `secret_enc` is the signing secret encrypted by the server.
    pub async fn create_webhook(
        &self,
        scope: &Scope,
        i: WebhookInput,
        secret_enc: &str,
    ) -> Result<Webhook> {
        admin(scope)?;
        let url = i.url.trim().to_string();
        let mut w = Webhook {
            id: new_id(),
            name: i
                .name
                .map(|n| n.trim().to_string())
                .unwrap_or_else(|| url.clone()),
            url,
            events: i.events,
            customer_id: i.customer_id.filter(|c| !c.trim().is_empty()),
            format: i.format.unwrap_or_else(|| "onestop".into()),
            enabled: true,
            created_at: 0,
            updated_at: 0,
        };
        w.validate()?;
        self.check_customer(&w.customer_id).await?;
        let mut tx = self.write(scope).await?;
        (w.created_at, w.updated_at) = (tx.now, tx.now);
        sqlx::query("INSERT INTO webhooks (id, name, url, events, customer_id, format, secret_enc, enabled, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9)")
            .bind(&w.id)
            .bind(&w.name)
            .bind(&w.url)
            .bind(to_json(&w.events))
            .bind(&w.customer_id)
            .bind(&w.format)
            .bind(secret_enc)
            .bind(scope.actor())
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let after = serde_json::to_value(&w).unwrap_or_default();
        tx.audit(
            "webhook.create",
            "webhook",
            &w.id,
            w.customer_id.as_deref(),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(w)
    }

    /// Change a subscription (or disable it with `enabled: false`).
    pub async fn update_webhook(
        &self,
        scope: &Scope,
        id: &str,
        p: WebhookPatch,
    ) -> Result<Webhook> {
        let before = self.webhook(scope, id).await?;
        let mut w = before.clone();
        if let Some(v) = p.name {
            w.name = v.trim().to_string();
        }
        if let Some(v) = p.url {
            w.url = v.trim().to_string();
        }
        if let Some(v) = p.events {
            w.events = v;
        }
        if let Some(v) = p.customer_id {
            w.customer_id = Some(v.trim().to_string()).filter(|c| !c.is_empty());
        }
        if let Some(v) = p.format {
            w.format = v;
        }
        if let Some(v) = p.enabled {
            w.enabled = v;
        }
        w.validate()?;
        self.check_customer(&w.customer_id).await?;
        if w == before {
            return Ok(w);
        }
        let mut tx = self.write(scope).await?;
        w.updated_at = tx.now;
        sqlx::query("UPDATE webhooks SET name = $2, url = $3, events = $4, customer_id = $5, format = $6, enabled = $7, updated_at = $8 WHERE id = $1")
            .bind(&w.id)
            .bind(&w.name)
            .bind(&w.url)
            .bind(to_json(&w.events))
            .bind(&w.customer_id)
            .bind(&w.format)
            .bind(i64::from(w.enabled))
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let json = |w: &Webhook| serde_json::to_value(w).unwrap_or_default();
        tx.audit(
            "webhook.update",
            "webhook",
            &w.id,
            w.customer_id.as_deref(),
            Some(&json(&before)),
            Some(&json(&w)),
        )
        .await?;
        tx.commit().await?;
        Ok(w)
    }
}

/// The body sent for `n` to a subscription of `format`.
fn body(format: &str, delivery: &str, n: &Notice<'_>, now: i64) -> String {
    if format == "slack" {
        let link = n
            .ticket
            .map(|t| format!("{} ", t.number))
            .unwrap_or_default();
        let text = format!("[onestop] *{}* {link}{}", n.event.as_str(), n.text);
        return to_json(&serde_json::json!({ "text": text }));
    }
    let at = crate::desk::instant(now).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let ticket = n.ticket.map(|t| {
        serde_json::json!({
            "id": t.id, "number": t.number, "title": t.title, "type": t.kind,
            "status": t.status, "priority": t.priority, "customer_id": t.customer_id,
            "assignee_id": t.assignee_id, "team_id": t.team_id,
        })
    });
    to_json(&serde_json::json!({
        "id": delivery, "event": n.event.as_str(), "occurred_at": at,
        "customer_id": n.customer_id, "text": n.text, "ticket": ticket,
    }))
}

/// Queue a delivery for each enabled subscription to the event (and its customer).
pub(super) async fn enqueue(tx: &mut WriteTx, n: &Notice<'_>) -> Result<usize> {
    let hooks =
        sqlx::query("SELECT id, events, customer_id, format FROM webhooks WHERE enabled = 1")
            .fetch_all(tx.conn())
            .await?;
    let mut count = 0;
    for h in hooks {
        let events: Vec<String> = from_json(&h.try_get::<String, _>(1)?);
        let customer: Option<String> = h.try_get(2)?;
        if !events.iter().any(|e| e == n.event.as_str())
            || customer.as_deref().is_some_and(|c| c != n.customer_id)
        {
            continue;
        }
        let id = new_id();
        let format: String = h.try_get(3)?;
        sqlx::query("INSERT INTO webhook_deliveries (id, webhook_id, event, ticket_id, body, status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)")
            .bind(&id)
            .bind(h.try_get::<String, _>(0)?)
            .bind(n.event.as_str())
            .bind(n.ticket.map(|t| t.id.clone()))
            .bind(body(&format, &id, n, tx.now))
            .bind(tx.now)
            .execute(tx.conn())
            .await?;
        count += 1;
    }
    Ok(count)
}
