//! Alert rules, the state of each (rule, host) pair, the incident it keeps open in the desk,
//! and maintenance windows. The evaluator (in the server) decides what a rule measures; the
//! store records transitions and opens, updates and resolves incidents.
use super::rule_spec::validate_spec;
use super::{Alert, AlertRule, AlertRuleInput, RuleSpec};
use crate::registry::staff_only;
use crate::{Result, Scope, Store, StoreError, new_id};
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
    (
        "Disk full forecast",
        "warning",
        r#"{"kind":"forecast","horizon_hours":24,"window_secs":21600,"for_secs":600}"#,
    ),
    (
        "Certificate expiring",
        "warning",
        r#"{"kind":"threshold","signal":"metric","metric":"probe_ssl_earliest_cert_expiry","agg":"last","transform":"days_until","op":"<","threshold":14,"for_secs":0,"window_secs":3600}"#,
    ),
    (
        "Check failing",
        "critical",
        r#"{"kind":"threshold","signal":"metric","metric":"probe_success","agg":"max","last_n":2,"op":"<","threshold":1,"for_secs":0,"window_secs":3600}"#,
    ),
    (
        "Interface down",
        "warning",
        r#"{"kind":"threshold","signal":"metric","metric":"ifOperStatus","agg":"last","op":"==","threshold":2,"guard_metric":"ifAdminStatus","guard_value":1,"for_secs":120,"window_secs":600}"#,
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

pub(super) const RULE_COLS: &str =
    "id, name, customer_id, severity, enabled, builtin, spec, created_at, updated_at";

pub(super) fn rule_from_row(r: &AnyRow) -> Result<AlertRule> {
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

pub(super) fn parse_severity(s: &str) -> Result<String> {
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
        match state.filter(|s| !s.is_empty()) {
            Some("flapping") => {
                f.cond("al.flapping = 1");
            }
            Some(s) => {
                f.eq("al.state", s);
                f.cond("al.flapping = 0");
            }
            None => {}
        }
        if let Some(h) = host_id {
            f.eq("al.host_id", h);
        }
        let sql = format!(
            "SELECT al.id, al.rule_id, r.name, r.severity, al.host_id, a.name, al.customer_id, al.state, al.value, \
             al.pending_since, al.fired_at, al.resolved_at, al.updated_at, al.firings, al.ticket_id, \
             al.flapping, al.suppressed_by FROM alerts al JOIN alert_rules r ON r.id = al.rule_id JOIN assets a ON a.id = al.host_id{} \
             ORDER BY al.updated_at DESC, al.id LIMIT 500",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let base_state: String = r.try_get(7)?;
                let flapping = r.try_get::<i64, _>(15)? != 0;
                Ok(Alert {
                    id: r.try_get(0)?,
                    rule_id: r.try_get(1)?,
                    rule_name: r.try_get(2)?,
                    severity: r.try_get(3)?,
                    host_id: r.try_get(4)?,
                    host_name: r.try_get(5)?,
                    customer_id: r.try_get(6)?,
                    state: if flapping {
                        "flapping".into()
                    } else {
                        base_state.clone()
                    },
                    flapping,
                    base_state,
                    suppressed_by: r.try_get(16)?,
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

    /// (child, parent) pairs between monitored hosts and the assets they run on, depend on
    /// or connect through: the order alert evaluation walks hosts in.
    pub async fn host_parent_edges(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT r.from_asset, r.to_asset FROM asset_relations r JOIN monitored_hosts h ON h.id = r.from_asset \
             WHERE r.kind IN ('runs_on', 'depends_on', 'connected_to')",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }
}
