//! Events into incidents: unhandled events of at least a given severity become one incident
//! per open (customer, host, source, kind); further events of that condition add a note to
//! it. Events of a host in maintenance are handled without a ticket. Each event is handled in
//! one audited write transaction that also records `handled_at` and `ticket_id`.
use super::alerts::impact_urgency;
use super::events::{COLS, EVENT_SEVERITIES, Event, event_from_row};
use crate::desk::tickets::load;
use crate::{Result, Scope, Store, StoreError, TicketInput};
use onestop_domain::desk::Visibility;
use sqlx::Row;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventPass {
    pub opened: u64,
    pub noted: u64,
    /// Handled without a ticket (the host was in maintenance).
    pub silenced: u64,
}

impl Store {
    /// Handle up to `limit` unhandled events of severity `min_severity` or worse, oldest first.
    pub async fn handle_events(
        &self,
        min_severity: &str,
        limit: i64,
        now: i64,
    ) -> Result<EventPass> {
        let Some(rank) = EVENT_SEVERITIES.iter().position(|s| *s == min_severity) else {
            return Err(StoreError::Other(format!(
                "unknown event severity {min_severity}"
            )));
        };
        let levels = EVENT_SEVERITIES[..=rank]
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let ids: Vec<String> = sqlx::query(&format!(
            "SELECT id FROM monitor_events WHERE handled_at IS NULL AND severity IN ({levels}) \
             ORDER BY received_at, id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
        let mut pass = EventPass::default();
        for id in ids {
            self.handle_event(&id, now, &mut pass).await?;
        }
        Ok(pass)
    }

    async fn handle_event(&self, id: &str, now: i64, pass: &mut EventPass) -> Result<()> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM monitor_events WHERE id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let e = event_from_row(&row)?;
        let silenced = match &e.host_id {
            Some(h) => self.in_maintenance(&e.customer_id, h, now).await?,
            None => false,
        };
        let host = e.host_id.clone().unwrap_or_default();
        let host_name: Option<String> = match &e.host_id {
            Some(h) => sqlx::query("SELECT name FROM assets WHERE id = $1")
                .bind(h)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?,
            None => None,
        };
        let mut tx = self.write(&Scope::System).await?;
        let previous: Option<String> = sqlx::query(
            "SELECT ticket_id FROM monitor_events WHERE customer_id = $1 AND COALESCE(host_id, '') = $2 \
             AND source = $3 AND kind = $4 AND ticket_id IS NOT NULL ORDER BY handled_at DESC LIMIT 1",
        )
        .bind(&e.customer_id)
        .bind(&host)
        .bind(&e.source)
        .bind(&e.kind)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        let open = match &previous {
            Some(t) => match load(tx.conn(), &Scope::System, t).await {
                Ok(t) if !matches!(t.status.as_str(), "resolved" | "closed") => Some(t.id),
                Ok(_) | Err(StoreError::NotFound) => None,
                Err(err) => return Err(err),
            },
            None => None,
        };
        let ticket = if silenced {
            pass.silenced += 1;
            None
        } else if let Some(t) = open {
            let body = format!("Event again: {} ({}, {})", e.title, e.source, e.severity);
            Store::add_ticket_comment_in(&mut tx, &t, body, Visibility::Internal).await?;
            pass.noted += 1;
            Some(t)
        } else {
            let t = self
                .create_ticket_in(&mut tx, event_ticket(&e, host_name.as_deref()))
                .await?;
            pass.opened += 1;
            Some(t.id)
        };
        sqlx::query("UPDATE monitor_events SET handled_at = $1, ticket_id = $2 WHERE id = $3")
            .bind(now)
            .bind(&ticket)
            .bind(&e.id)
            .execute(tx.conn())
            .await?;
        let after =
            serde_json::json!({"handled_at": now, "ticket_id": ticket, "silenced": silenced});
        tx.audit(
            "event.handle",
            "monitor_event",
            &e.id,
            Some(&e.customer_id),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await
    }
}

fn event_ticket(e: &Event, host_name: Option<&str>) -> TicketInput {
    let (impact, urgency) = impact_urgency(&e.severity);
    let on = host_name.map(|h| format!(": {h}")).unwrap_or_default();
    let detail = serde_json::to_string_pretty(&e.detail).unwrap_or_default();
    TicketInput {
        customer_id: Some(e.customer_id.clone()),
        kind: Some("incident".into()),
        title: Some(format!("{}{on}", e.title)),
        description: Some(format!(
            "Monitoring event from {} ({}), {}.\nKind: {}\nDetail:\n{detail}",
            e.source, e.severity, e.occurred_at, e.kind
        )),
        impact: Some(impact.into()),
        urgency: Some(urgency.into()),
        channel: Some("monitoring".into()),
        assets: e.host_id.clone().map(|h| vec![h]),
        ..Default::default()
    }
}
