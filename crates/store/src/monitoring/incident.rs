//! The incident an alert keeps in the desk, written inside the alert's own transaction:
//! open one (impact/urgency from the rule, the measured values, the runbook it names, a
//! record in `alert_incidents` from which the ticket page draws the chart), add to the open
//! one, reopen a resolved one, and the recovery note or resolution.
use super::{AlertRule, rule_spec::impact_urgency_of};
use crate::desk::tickets::load;
use crate::{Result, Scope, Store, StoreError, TicketInput, TransitionInput, WriteTx, new_id};
use onestop_domain::desk::Visibility;
use sqlx::Row;

/// The host an alert is about.
#[derive(Debug, Clone)]
pub struct AlertHost {
    pub host_id: String,
    pub host_name: String,
    pub customer_id: String,
}

/// What fired: the alert row, the value as text, and the measured series (JSON).
pub(crate) struct Firing<'a> {
    pub alert_id: &'a str,
    pub value: &'a str,
    pub measured: &'a str,
}

async fn note(tx: &mut WriteTx, ticket: &str, body: String) -> Result<()> {
    Store::add_ticket_comment_in(tx, ticket, body, Visibility::Internal).await?;
    Ok(())
}

async fn record(
    tx: &mut WriteTx,
    ticket: &str,
    h: &AlertHost,
    rule: &AlertRule,
    f: &Firing<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO alert_incidents (id, ticket_id, alert_id, customer_id, host_id, rule_id, measured, value, fired_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(ticket)
    .bind(f.alert_id)
    .bind(&h.customer_id)
    .bind(&h.host_id)
    .bind(&rule.id)
    .bind(f.measured)
    .bind(f.value)
    .bind(tx.now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Open an incident, or add to (or reopen) the one still open for this (rule, host).
pub(crate) async fn fire_in(
    store: &Store,
    tx: &mut WriteTx,
    rule: &AlertRule,
    h: &AlertHost,
    f: &Firing<'_>,
    previous: Option<&str>,
) -> Result<String> {
    let mut follows = None;
    if let Some(p) = previous {
        match load(tx.conn(), &Scope::System, p).await {
            Ok(open) if open.status != "closed" => {
                let body = format!(
                    "Alert \"{}\" fired again on {}: {}",
                    rule.name, h.host_name, f.value
                );
                if open.status == "resolved" {
                    let to = TransitionInput {
                        to: "in_progress".into(),
                        reason: None,
                        note: Some(body),
                    };
                    Store::transition_ticket_in(tx, p, to).await?;
                } else {
                    note(tx, p, body).await?;
                }
                record(tx, p, h, rule, f).await?;
                return Ok(p.to_string());
            }
            Ok(old) => follows = Some(old),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let (impact, urgency) = impact_urgency_of(&rule.severity, &rule.spec);
    let mut d = format!(
        "Monitoring alert \"{}\" ({}) fired on host {} ({}).\nMeasured: {}\nCondition: {}",
        rule.name,
        rule.severity,
        h.host_name,
        h.host_id,
        f.value,
        serde_json::to_string(&rule.spec).unwrap_or_default()
    );
    if !f.measured.is_empty() {
        d.push_str(&format!("\nSeries: {}", f.measured));
    }
    if let Some(rb) = &rule.runbook_id {
        let title: Option<String> = sqlx::query("SELECT title FROM runbooks WHERE id = $1")
            .bind(rb)
            .fetch_optional(tx.conn())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        if let Some(title) = title {
            d.push_str(&format!("\nRunbook: {title} (/runbooks/{rb})"));
        }
    }
    if let Some(old) = &follows {
        d.push_str(&format!(
            "\nFollows the earlier incident {} ({}).",
            old.number, old.id
        ));
    }
    d.push_str("\nThe chart of the measured series around the firing is on the ticket page.");
    let input = TicketInput {
        customer_id: Some(h.customer_id.clone()),
        kind: Some("incident".into()),
        title: Some(format!("{}: {}", rule.name, h.host_name)),
        description: Some(d),
        impact: Some(impact),
        urgency: Some(urgency),
        channel: Some("monitoring".into()),
        assets: Some(vec![h.host_id.clone()]),
        ..Default::default()
    };
    let t = store.create_ticket_in(tx, input).await?;
    record(tx, &t.id, h, rule, f).await?;
    Ok(t.id)
}

/// The recovery: a note, and the incident resolved when the rule says so.
pub(crate) async fn recover_in(
    tx: &mut WriteTx,
    rule: &AlertRule,
    ticket: &str,
    value: &str,
) -> Result<()> {
    let t = match load(tx.conn(), &Scope::System, ticket).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e),
    };
    if matches!(t.status.as_str(), "resolved" | "closed") {
        return Ok(());
    }
    let body = format!("Alert \"{}\" recovered: {value}", rule.name);
    if rule.spec.resolve.unwrap_or(true) {
        let to = TransitionInput {
            to: "resolved".into(),
            reason: None,
            note: Some(body),
        };
        Store::transition_ticket_in(tx, ticket, to).await?;
        Ok(())
    } else {
        note(tx, ticket, body).await
    }
}

/// A note on the parent's incident naming an alert it suppresses.
pub(crate) async fn note_suppressed(
    tx: &mut WriteTx,
    parent_ticket: &str,
    rule: &AlertRule,
    h: &AlertHost,
    value: &str,
) -> Result<()> {
    match load(tx.conn(), &Scope::System, parent_ticket).await {
        Ok(t) if t.status != "closed" => {
            let body = format!(
                "Suppressed by this incident: \"{}\" on {} ({value})",
                rule.name, h.host_name
            );
            note(tx, parent_ticket, body).await
        }
        Ok(_) | Err(StoreError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

/// One firing recorded on an incident.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AlertIncident {
    pub ticket_id: String,
    pub alert_id: String,
    pub host_id: String,
    pub rule_id: String,
    /// The measured series (JSON `{"metric", "labels"}`), empty when none.
    pub measured: String,
    pub value: String,
    pub fired_at: i64,
}

impl Store {
    /// The firings recorded on a ticket the scope may see, oldest first.
    pub async fn alert_incidents(
        &self,
        scope: &Scope,
        ticket_id: &str,
    ) -> Result<Vec<AlertIncident>> {
        let mut f = crate::scope::Filter::scoped(scope, "customer_id");
        f.eq("ticket_id", ticket_id);
        let sql = format!(
            "SELECT ticket_id, alert_id, host_id, rule_id, measured, value, fired_at FROM alert_incidents{} ORDER BY fired_at, id",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AlertIncident {
                    ticket_id: r.try_get(0)?,
                    alert_id: r.try_get(1)?,
                    host_id: r.try_get(2)?,
                    rule_id: r.try_get(3)?,
                    measured: r.try_get(4)?,
                    value: r.try_get(5)?,
                    fired_at: r.try_get(6)?,
                })
            })
            .collect()
    }
}
