//! Alert rules, the state of each (rule, host) pair, the incident it keeps open in the desk,
//! and maintenance windows. The evaluator (in the server) decides what a rule measures; the
//! store records transitions and opens, updates and resolves incidents.
use super::{Alert, AlertRule, AlertRuleInput, MaintenanceInput, MaintenanceWindow, RuleSpec};
use crate::registry::staff_only;
use crate::{CommentInput, Result, Scope, Store, StoreError, TicketInput, TransitionInput, new_id};
use onestop_domain::model::ValidationError;
use sqlx::{Row, any::AnyRow};

/// The shipped rule set: (name, severity, spec as JSON).
pub const DEFAULT_RULES: &[(&str, &str, &str)] = &[
    (
        "Host down",
        "critical",
        r#"{"kind":"absent","for_secs":180}"#,
    ),
    (
        "CPU busy",
        "warning",
        r#"{"kind":"threshold","signal":"cpu_used_percent","threshold":90,"recover":80,"for_secs":600,"window_secs":300}"#,
    ),
    (
        "Memory nearly full",
        "warning",
        r#"{"kind":"threshold","signal":"memory_used_percent","threshold":90,"recover":85,"for_secs":300}"#,
    ),
    (
        "Swap in use",
        "warning",
        r#"{"kind":"threshold","signal":"swap_used_percent","threshold":50,"recover":40,"for_secs":600}"#,
    ),
    (
        "Disk space low",
        "warning",
        r#"{"kind":"threshold","signal":"disk_used_percent","threshold":90,"recover":85,"for_secs":300}"#,
    ),
    (
        "Disk space critical",
        "critical",
        r#"{"kind":"threshold","signal":"disk_used_percent","threshold":97,"recover":95,"for_secs":60}"#,
    ),
    (
        "Load high",
        "warning",
        r#"{"kind":"threshold","signal":"load_per_cpu","threshold":2,"recover":1.5,"for_secs":900,"window_secs":300}"#,
    ),
    (
        "RAID degraded",
        "critical",
        r#"{"kind":"threshold","signal":"metric","metric":"onestop_md_degraded","agg":"last","threshold":0,"for_secs":0}"#,
    ),
    (
        "SMART failing",
        "critical",
        r#"{"kind":"threshold","signal":"metric","metric":"onestop_smart_healthy","agg":"last","op":"<","threshold":1,"for_secs":0}"#,
    ),
];

/// What the evaluator concluded for one (rule, host) pair at one tick.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertTransition {
    /// The condition holds (with the measured value, as text).
    Breached(String),
    /// The condition is clear past the recovery threshold.
    Clear(String),
    /// Between threshold and recovery, or no data: nothing changes.
    Hold,
}

const RULE_COLS: &str =
    "id, name, customer_id, severity, enabled, builtin, spec, created_at, updated_at";

fn rule_from_row(r: &AnyRow) -> Result<AlertRule> {
    let spec: String = r.try_get(6)?;
    Ok(AlertRule {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        customer_id: r.try_get(2)?,
        severity: r.try_get(3)?,
        enabled: r.try_get::<i64, _>(4)? != 0,
        builtin: r.try_get::<i64, _>(5)? != 0,
        spec: serde_json::from_str(&spec)
            .map_err(|e| StoreError::Other(format!("stored rule spec: {e}")))?,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        runbook_id: r.try_get(9)?,
    })
}

const SIGNALS: [&str; 6] = [
    "cpu_used_percent",
    "memory_used_percent",
    "swap_used_percent",
    "disk_used_percent",
    "load_per_cpu",
    "metric",
];

/// Check a rule's spec; every problem is named by field.
pub fn validate_spec(s: &RuleSpec) -> std::result::Result<(), ValidationError> {
    match s.kind.as_str() {
        "absent" => {}
        "threshold" => {
            if !SIGNALS.contains(&s.signal.as_str()) {
                return Err(ValidationError::new(
                    "spec.signal",
                    format!("must be one of {}", SIGNALS.join(", ")),
                ));
            }
            if s.signal == "metric" && s.metric.as_deref().is_none_or(str::is_empty) {
                return Err(ValidationError::new(
                    "spec.metric",
                    "is required for signal metric",
                ));
            }
            if let Some(a) = &s.agg {
                a.parse::<onestop_tsdb::Agg>()
                    .map_err(|m| ValidationError::new("spec.agg", m))?;
            }
            if !matches!(s.op.as_deref(), None | Some(">") | Some("<")) {
                return Err(ValidationError::new("spec.op", "must be > or <"));
            }
            if !s.threshold.is_finite() || s.recover.is_some_and(|r| !r.is_finite()) {
                return Err(ValidationError::new("spec.threshold", "must be a number"));
            }
        }
        _ => {
            return Err(ValidationError::new(
                "spec.kind",
                "must be threshold or absent",
            ));
        }
    }
    if !(0..=30 * 86_400).contains(&s.for_secs) {
        return Err(ValidationError::new(
            "spec.for_secs",
            "must be between 0 and 30 days",
        ));
    }
    if s.window_secs.is_some_and(|w| !(10..=86_400).contains(&w)) {
        return Err(ValidationError::new(
            "spec.window_secs",
            "must be between 10 s and 1 day",
        ));
    }
    Ok(())
}

fn parse_severity(s: &str) -> Result<String> {
    match s.trim() {
        v @ ("critical" | "warning" | "info") => Ok(v.into()),
        _ => Err(ValidationError::new("severity", "must be critical, warning or info").into()),
    }
}

/// Impact and urgency of an incident from the alert's severity.
pub fn impact_urgency(severity: &str) -> (&'static str, &'static str) {
    match severity {
        "critical" => ("critical", "high"),
        "warning" => ("medium", "medium"),
        _ => ("low", "low"),
    }
}

impl Store {
    /// Rules the scope may see: staff see all; a customer's user sees global rules and its own.
    pub async fn list_alert_rules(&self, scope: &Scope) -> Result<Vec<AlertRule>> {
        let mut sql = format!("SELECT {RULE_COLS}, runbook_id FROM alert_rules");
        let mut args = vec![];
        if let Some(c) = scope.customer() {
            sql.push_str(" WHERE customer_id IS NULL OR customer_id = $1");
            args.push(c.to_string());
        }
        sql.push_str(" ORDER BY name");
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(a);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(rule_from_row)
            .collect()
    }

    /// Create a rule (staff only, audited).
    pub async fn create_alert_rule(
        &self,
        scope: &Scope,
        input: AlertRuleInput,
    ) -> Result<AlertRule> {
        staff_only(scope)?;
        let name = onestop_domain::model::valid_name("name", &input.name)?;
        if let Some(c) = &input.customer_id {
            self.ensure_customer(scope, c).await?;
        }
        validate_spec(&input.spec)?;
        let severity = parse_severity(input.severity.as_deref().unwrap_or("warning"))?;
        self.insert_rule(
            scope,
            &name,
            input.customer_id,
            &severity,
            input.enabled.unwrap_or(true),
            false,
            input.spec,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_rule(
        &self,
        scope: &Scope,
        name: &str,
        customer_id: Option<String>,
        severity: &str,
        enabled: bool,
        builtin: bool,
        spec: RuleSpec,
    ) -> Result<AlertRule> {
        let mut tx = self.write(scope).await?;
        let rule = AlertRule {
            id: new_id(),
            name: name.into(),
            customer_id,
            severity: severity.into(),
            enabled,
            builtin,
            spec,
            created_at: tx.now,
            updated_at: tx.now,
            runbook_id: None,
        };
        sqlx::query(&format!(
            "INSERT INTO alert_rules ({RULE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&rule.id)
        .bind(&rule.name)
        .bind(&rule.customer_id)
        .bind(&rule.severity)
        .bind(i64::from(rule.enabled))
        .bind(i64::from(rule.builtin))
        .bind(serde_json::to_string(&rule.spec).unwrap_or_default())
        .bind(rule.created_at)
        .bind(rule.updated_at)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
        let after = serde_json::to_value(&rule).unwrap_or_default();
        tx.audit(
            "alert_rule.create",
            "alert_rule",
            &rule.id,
            rule.customer_id.as_deref(),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(rule)
    }

    /// Install the shipped rules that are missing (by name). Returns how many were added.
    pub async fn ensure_default_rules(&self) -> Result<usize> {
        let have: Vec<String> = sqlx::query("SELECT name FROM alert_rules WHERE builtin = 1")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let mut n = 0;
        for (name, severity, spec) in DEFAULT_RULES {
            if have.iter().any(|h| h == name) {
                continue;
            }
            let spec: RuleSpec = serde_json::from_str(spec)
                .map_err(|e| StoreError::Other(format!("built-in rule {name}: {e}")))?;
            match self
                .insert_rule(&Scope::System, name, None, severity, true, true, spec)
                .await
            {
                Ok(_) => n += 1,
                // Another server installed it meanwhile.
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// Alerts the scope may see, newest change first; `state` filters (e.g. `firing`).
    pub async fn list_alerts(
        &self,
        scope: &Scope,
        state: Option<&str>,
        host_id: Option<&str>,
    ) -> Result<Vec<Alert>> {
        let mut f = crate::scope::Filter::scoped(scope, "al.customer_id");
        if let Some(s) = state.filter(|s| !s.is_empty()) {
            f.eq("al.state", s);
        }
        if let Some(h) = host_id {
            f.eq("al.host_id", h);
        }
        let sql = format!(
            "SELECT al.id, al.rule_id, r.name, r.severity, al.host_id, a.name, al.customer_id, al.state, al.value, \
             al.pending_since, al.fired_at, al.resolved_at, al.updated_at, al.firings, al.ticket_id \
             FROM alerts al JOIN alert_rules r ON r.id = al.rule_id JOIN assets a ON a.id = al.host_id{} \
             ORDER BY al.updated_at DESC, al.id LIMIT 500",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Alert {
                    id: r.try_get(0)?,
                    rule_id: r.try_get(1)?,
                    rule_name: r.try_get(2)?,
                    severity: r.try_get(3)?,
                    host_id: r.try_get(4)?,
                    host_name: r.try_get(5)?,
                    customer_id: r.try_get(6)?,
                    state: r.try_get(7)?,
                    value: r.try_get(8)?,
                    pending_since: r.try_get(9)?,
                    fired_at: r.try_get(10)?,
                    resolved_at: r.try_get(11)?,
                    updated_at: r.try_get(12)?,
                    firings: r.try_get(13)?,
                    ticket_id: r.try_get(14)?,
                })
            })
            .collect()
    }

    async fn alert_row(
        &self,
        rule_id: &str,
        host_id: &str,
    ) -> Result<Option<(String, String, Option<i64>, Option<String>, i64)>> {
        let r = sqlx::query("SELECT id, state, pending_since, ticket_id, firings FROM alerts WHERE rule_id = $1 AND host_id = $2")
            .bind(rule_id)
            .bind(host_id)
            .fetch_optional(&self.pool)
            .await?;
        r.map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
            ))
        })
        .transpose()
    }

    /// Whether a maintenance window covers the host (or its whole customer) at `at`.
    pub async fn in_maintenance(&self, customer_id: &str, host_id: &str, at: i64) -> Result<bool> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM maintenance_windows WHERE customer_id = $1 AND (host_id IS NULL OR host_id = $2) \
             AND starts_at <= $3 AND ends_at > $4",
        )
        .bind(customer_id)
        .bind(host_id)
        .bind(at)
        .bind(at)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(n > 0)
    }

    /// Apply one evaluation of `rule` for a host at `now`: pending → firing after `for_secs`
    /// (opening or adding to the incident, unless silenced by maintenance), firing → resolved
    /// on recovery (a note, and the incident resolved). Returns the new state.
    pub async fn apply_alert(
        &self,
        rule: &AlertRule,
        host_id: &str,
        host_name: &str,
        customer_id: &str,
        what: AlertTransition,
        now: i64,
    ) -> Result<String> {
        let row = self.alert_row(&rule.id, host_id).await?;
        let (id, state, pending_since, ticket_id, firings) = match row {
            Some(r) => r,
            None => (new_id(), "ok".into(), None, None, 0),
        };
        let silenced = self.in_maintenance(customer_id, host_id, now).await?;
        let (new_state, value, mut pending, mut ticket, mut fired) = match &what {
            AlertTransition::Hold => return Ok(state),
            AlertTransition::Breached(v) => {
                let since = match state.as_str() {
                    "pending" | "silenced" | "firing" => pending_since.unwrap_or(now),
                    _ => now,
                };
                let due = now - since >= rule.spec.for_secs * 1000;
                let next = match (state.as_str(), due, silenced) {
                    ("firing", _, _) => "firing",
                    (_, false, _) => "pending",
                    (_, true, true) => "silenced",
                    (_, true, false) => "fire",
                };
                (next, v.clone(), Some(since), ticket_id.clone(), false)
            }
            AlertTransition::Clear(v) => {
                let next = match state.as_str() {
                    "firing" => "recover",
                    "resolved" => "resolved",
                    _ => "ok",
                };
                (next, v.clone(), None, ticket_id.clone(), false)
            }
        };
        let mut stored_state = new_state.to_string();
        if new_state == "fire" {
            ticket = Some(
                self.fire_incident(
                    rule,
                    host_id,
                    host_name,
                    customer_id,
                    &value,
                    ticket_id.as_deref(),
                )
                .await?,
            );
            stored_state = "firing".into();
            fired = true;
        }
        if new_state == "recover" {
            if let Some(t) = &ticket_id {
                self.recover_incident(rule, t, &value).await?;
            }
            stored_state = "resolved".into();
            pending = None;
        }
        if stored_state == state && pending == pending_since && !fired && ticket == ticket_id {
            // Only the value changes: keep the row quiet unless it changed.
            sqlx::query("UPDATE alerts SET value = $1 WHERE id = $2")
                .bind(&value)
                .bind(&id)
                .execute(&self.pool)
                .await?;
            return Ok(stored_state);
        }
        let scope = Scope::System;
        let mut tx = self.write(&scope).await?;
        let now_tx = tx.now;
        sqlx::query(
            "INSERT INTO alerts (id, rule_id, host_id, customer_id, state, value, pending_since, fired_at, resolved_at, updated_at, firings, ticket_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (rule_id, host_id) DO UPDATE SET \
             state = excluded.state, value = excluded.value, pending_since = excluded.pending_since, \
             fired_at = COALESCE(excluded.fired_at, alerts.fired_at), resolved_at = excluded.resolved_at, \
             updated_at = excluded.updated_at, firings = excluded.firings, ticket_id = excluded.ticket_id",
        )
        .bind(&id)
        .bind(&rule.id)
        .bind(host_id)
        .bind(customer_id)
        .bind(&stored_state)
        .bind(&value)
        .bind(pending)
        .bind(fired.then_some(now_tx))
        .bind((stored_state == "resolved").then_some(now_tx))
        .bind(now_tx)
        .bind(firings + i64::from(fired))
        .bind(&ticket)
        .execute(tx.conn())
        .await?;
        tx.audit(
            &format!("alert.{stored_state}"),
            "alert",
            &id,
            Some(customer_id),
            Some(&serde_json::json!({"state": state})),
            Some(&serde_json::json!({"state": stored_state, "rule": rule.name, "host": host_name, "value": value, "ticket_id": ticket})),
        )
        .await?;
        tx.commit().await?;
        Ok(stored_state)
    }

    /// Open an incident, or add to the one still open for this (rule, host).
    async fn fire_incident(
        &self,
        rule: &AlertRule,
        host_id: &str,
        host_name: &str,
        customer_id: &str,
        value: &str,
        previous: Option<&str>,
    ) -> Result<String> {
        let scope = Scope::System;
        if let Some(t) = previous {
            match self.get_ticket(&scope, t).await {
                Ok(open) if open.status != "closed" => {
                    let note = format!(
                        "Alert \"{}\" fired again on {host_name}: {value}",
                        rule.name
                    );
                    if open.status == "resolved" {
                        // Reopened: the incident was resolved but not yet closed.
                        self.transition_ticket(
                            &scope,
                            t,
                            TransitionInput {
                                to: "in_progress".into(),
                                reason: None,
                                note: Some(note),
                            },
                        )
                        .await?;
                    } else {
                        self.add_ticket_comment(
                            &scope,
                            t,
                            CommentInput {
                                body: note,
                                visibility: Some("internal".into()),
                            },
                        )
                        .await?;
                    }
                    return Ok(t.to_string());
                }
                Ok(_) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        let (impact, urgency) = impact_urgency(&rule.severity);
        let mut description = format!(
            "Monitoring alert \"{}\" ({}) fired on host {host_name} ({host_id}).\nMeasured: {value}\nCondition: {}",
            rule.name,
            rule.severity,
            serde_json::to_string(&rule.spec).unwrap_or_default()
        );
        if let Some(p) = previous
            && let Ok(old) = self.get_ticket(&scope, p).await
        {
            description.push_str(&format!(
                "\nFollows the earlier incident {} ({}).",
                old.number, old.id
            ));
        }
        let t = self
            .create_ticket(
                &scope,
                TicketInput {
                    customer_id: Some(customer_id.into()),
                    kind: Some("incident".into()),
                    title: Some(format!("{}: {host_name}", rule.name)),
                    description: Some(description),
                    impact: Some(impact.into()),
                    urgency: Some(urgency.into()),
                    channel: Some("monitoring".into()),
                    assets: Some(vec![host_id.into()]),
                    ..Default::default()
                },
            )
            .await?;
        Ok(t.id)
    }

    async fn recover_incident(&self, rule: &AlertRule, ticket_id: &str, value: &str) -> Result<()> {
        let scope = Scope::System;
        let t = match self.get_ticket(&scope, ticket_id).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e),
        };
        if matches!(t.status.as_str(), "resolved" | "closed") {
            return Ok(());
        }
        let note = format!("Alert \"{}\" recovered: {value}", rule.name);
        if rule.spec.resolve.unwrap_or(true) {
            self.transition_ticket(
                &scope,
                ticket_id,
                TransitionInput {
                    to: "resolved".into(),
                    reason: None,
                    note: Some(note),
                },
            )
            .await?;
        } else {
            self.add_ticket_comment(
                &scope,
                ticket_id,
                CommentInput {
                    body: note,
                    visibility: Some("internal".into()),
                },
            )
            .await?;
        }
        Ok(())
    }

    /// Create a maintenance window (staff only, audited).
    pub async fn create_maintenance(
        &self,
        scope: &Scope,
        input: MaintenanceInput,
    ) -> Result<MaintenanceWindow> {
        staff_only(scope)?;
        self.ensure_customer(scope, &input.customer_id).await?;
        if input.ends_at <= input.starts_at {
            return Err(ValidationError::new("ends_at", "must be after starts_at").into());
        }
        if let Some(h) = &input.host_id {
            let host = self.get_host(scope, h, i64::MAX).await?;
            if host.customer_id != input.customer_id {
                return Err(
                    ValidationError::new("host_id", "is not a host of this customer").into(),
                );
            }
        }
        let mut tx = self.write(scope).await?;
        let m = MaintenanceWindow {
            id: new_id(),
            customer_id: input.customer_id,
            host_id: input.host_id,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            reason: input.reason.trim().to_string(),
            created_by: scope.actor(),
            created_at: tx.now,
        };
        sqlx::query(
            "INSERT INTO maintenance_windows (id, customer_id, host_id, starts_at, ends_at, reason, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&m.id)
        .bind(&m.customer_id)
        .bind(&m.host_id)
        .bind(m.starts_at)
        .bind(m.ends_at)
        .bind(&m.reason)
        .bind(&m.created_by)
        .bind(m.created_at)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
        let after = serde_json::to_value(&m).unwrap_or_default();
        tx.audit(
            "maintenance.create",
            "maintenance_window",
            &m.id,
            Some(&m.customer_id),
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Maintenance windows the scope may see that end after `after`.
    pub async fn list_maintenance(
        &self,
        scope: &Scope,
        after: i64,
    ) -> Result<Vec<MaintenanceWindow>> {
        let mut f = crate::scope::Filter::scoped(scope, "customer_id");
        f.raw("ends_at > CAST({} AS BIGINT)", &after.to_string());
        let sql = format!(
            "SELECT id, customer_id, host_id, starts_at, ends_at, reason, created_by, created_at FROM maintenance_windows{} ORDER BY starts_at",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(MaintenanceWindow {
                    id: r.try_get(0)?,
                    customer_id: r.try_get(1)?,
                    host_id: r.try_get(2)?,
                    starts_at: r.try_get(3)?,
                    ends_at: r.try_get(4)?,
                    reason: r.try_get(5)?,
                    created_by: r.try_get(6)?,
                    created_at: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// Every monitored host as the system sees it (for the evaluator): (id, name, customer,
    /// last seen, enrolled at).
    pub async fn hosts_for_evaluation(
        &self,
    ) -> Result<Vec<(String, String, String, Option<i64>, i64)>> {
        let rows = sqlx::query(
            "SELECT h.id, a.name, h.customer_id, h.last_seen_at, h.enrolled_at FROM monitored_hosts h JOIN assets a ON a.id = h.id \
             WHERE a.status = 'in_service' ORDER BY h.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                ))
            })
            .collect()
    }
}
