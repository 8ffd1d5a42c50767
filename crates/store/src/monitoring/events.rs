//! Events: things that happened once — an SNMP trap, a log diagnosis finding, a failed
//! network check — as opposed to alerts, which are states evaluated over series. Producers
//! call [`Store::raise_events`]; alerting reads the unhandled ones and records what it did
//! (`handled_at`, `ticket_id`). Events are telemetry, not business data: raising one is not
//! audited (the incident it leads to is).
use crate::{Backend, Result, Scope, Store, StoreError, new_id, now_ms};
use onestop_domain::model::ValidationError;
use serde::Serialize;
use sqlx::{Row, any::AnyRow};
use utoipa::ToSchema;

/// Severities an event may carry, most severe first.
pub const EVENT_SEVERITIES: [&str; 3] = ["critical", "warning", "info"];

/// An event to record.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    pub customer_id: String,
    /// The host (asset) it concerns, when known.
    pub host_id: Option<String>,
    /// Who saw it: `snmp_trap`, `log`, `check`, …
    pub source: String,
    /// What happened, stable across occurrences (a trap OID, a finding's rule or template):
    /// events of one (source, kind, host) are one condition.
    pub kind: String,
    /// One of [`EVENT_SEVERITIES`].
    pub severity: String,
    pub title: String,
    /// Structured detail (varbinds, the log line, …).
    pub detail: serde_json::Value,
    pub occurred_at: i64,
}

/// A recorded event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Event {
    pub id: String,
    pub customer_id: String,
    pub host_id: Option<String>,
    pub source: String,
    pub kind: String,
    pub severity: String,
    pub title: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub occurred_at: i64,
    pub received_at: i64,
    pub handled_at: Option<i64>,
    /// The incident alerting added it to.
    pub ticket_id: Option<String>,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub customer_id: Option<String>,
    pub host_id: Option<String>,
    pub source: Option<String>,
    pub severity: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// At most this many, newest first (capped at 1,000).
    pub limit: Option<i64>,
}

pub(super) const COLS: &str = "id, customer_id, host_id, source, kind, severity, title, detail, occurred_at, received_at, handled_at, ticket_id";

pub(super) fn event_from_row(r: &AnyRow) -> Result<Event> {
    let detail: String = r.try_get(7)?;
    Ok(Event {
        id: r.try_get(0)?,
        customer_id: r.try_get(1)?,
        host_id: r.try_get(2)?,
        source: r.try_get(3)?,
        kind: r.try_get(4)?,
        severity: r.try_get(5)?,
        title: r.try_get(6)?,
        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
        occurred_at: r.try_get(8)?,
        received_at: r.try_get(9)?,
        handled_at: r.try_get(10)?,
        ticket_id: r.try_get(11)?,
    })
}

fn check(e: &EventInput) -> Result<()> {
    let bad = |field: &str, msg: &str| -> Result<()> {
        Err(StoreError::Invalid(ValidationError::new(field, msg)))
    };
    if !EVENT_SEVERITIES.contains(&e.severity.as_str()) {
        return bad("severity", "must be critical, warning or info");
    }
    if e.source.trim().is_empty() || e.source.len() > 40 {
        return bad("source", "must be 1 to 40 characters");
    }
    if e.kind.trim().is_empty() || e.kind.len() > 400 {
        return bad("kind", "must be 1 to 400 characters");
    }
    if e.title.trim().is_empty() {
        return bad("title", "must not be empty");
    }
    Ok(())
}

impl Store {
    /// Record events durably, in one transaction; their ids in order. Nothing is stored
    /// when any of them is invalid.
    pub async fn raise_events(&self, events: &[EventInput]) -> Result<Vec<String>> {
        for e in events {
            check(e)?;
        }
        let now = now_ms();
        let mut tx = match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let mut ids = Vec::with_capacity(events.len());
        for e in events {
            ids.push(insert_event_in(&mut tx, e, now).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Events the scope may see, newest first.
    pub async fn list_events(&self, scope: &Scope, q: &EventFilter) -> Result<Vec<Event>> {
        let mut f = crate::scope::Filter::scoped(scope, "customer_id");
        if let Some(c) = &q.customer_id {
            f.eq("customer_id", c);
        }
        if let Some(h) = &q.host_id {
            f.eq("host_id", h);
        }
        if let Some(s) = &q.source {
            f.eq("source", s);
        }
        if let Some(s) = &q.severity {
            f.eq("severity", s);
        }
        // Integers, formatted by us: no user text enters the SQL.
        if let Some(t) = q.from_ms {
            f.cond(&format!("occurred_at >= {t}"));
        }
        if let Some(t) = q.to_ms {
            f.cond(&format!("occurred_at < {t}"));
        }
        let limit = q.limit.unwrap_or(200).clamp(1, 1000);
        let sql = format!(
            "SELECT {COLS} FROM monitor_events{} ORDER BY occurred_at DESC, id DESC LIMIT {limit}",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(event_from_row).collect()
    }
}

/// Record one event inside the caller's transaction (log findings are raised with the
/// marks that make them once per condition); its id.
pub(crate) async fn insert_event_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    e: &EventInput,
    now: i64,
) -> Result<String> {
    check(e)?;
    let id = new_id();
    let title: String = e.title.trim().chars().take(500).collect();
    sqlx::query(&format!(
        "INSERT INTO monitor_events ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL)"
    ))
    .bind(&id)
    .bind(&e.customer_id)
    .bind(&e.host_id)
    .bind(e.source.trim())
    .bind(e.kind.trim())
    .bind(&e.severity)
    .bind(title)
    .bind(e.detail.to_string())
    .bind(e.occurred_at)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from_write)?;
    Ok(id)
}
