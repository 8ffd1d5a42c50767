//! Editing alert rules (staff, audited): change a rule, switch it on or off, delete it. A
//! shipped rule keeps its name (so the default set is never installed twice) and can be
//! switched off but not deleted.
use super::alerts::{RULE_COLS, parse_severity, rule_from_row};
use super::rule_spec::validate_spec;
use super::{AlertRule, AlertRuleInput};
use crate::registry::staff_only;
use crate::{Result, Scope, Store, StoreError, WriteTx};
use onestop_domain::model::ValidationError;

async fn load_rule(tx: &mut WriteTx, id: &str) -> Result<AlertRule> {
    let r = sqlx::query(&format!(
        "SELECT {RULE_COLS}, runbook_id FROM alert_rules WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    rule_from_row(&r)
}

async fn save(tx: &mut WriteTx, r: &AlertRule) -> Result<()> {
    sqlx::query(
        "UPDATE alert_rules SET name = $1, customer_id = $2, severity = $3, enabled = $4, spec = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(&r.name)
    .bind(&r.customer_id)
    .bind(&r.severity)
    .bind(i64::from(r.enabled))
    .bind(serde_json::to_string(&r.spec).unwrap_or_default())
    .bind(r.updated_at)
    .bind(&r.id)
    .execute(tx.conn())
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

async fn audit(
    tx: &mut WriteTx,
    action: &str,
    before: &AlertRule,
    after: Option<&AlertRule>,
) -> Result<()> {
    let b = serde_json::to_value(before).ok();
    let a = after.and_then(|a| serde_json::to_value(a).ok());
    tx.audit(
        action,
        "alert_rule",
        &before.id,
        before.customer_id.as_deref(),
        b.as_ref(),
        a.as_ref(),
    )
    .await
}

impl Store {
    /// One rule.
    pub async fn get_alert_rule(&self, scope: &Scope, id: &str) -> Result<AlertRule> {
        self.list_alert_rules(scope)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Replace a rule's name, customer, severity, enabled flag and spec.
    pub async fn update_alert_rule(
        &self,
        scope: &Scope,
        id: &str,
        input: AlertRuleInput,
    ) -> Result<AlertRule> {
        staff_only(scope)?;
        let name = onestop_domain::model::valid_name("name", &input.name)?;
        if let Some(c) = &input.customer_id {
            self.ensure_customer(scope, c).await?;
        }
        validate_spec(&input.spec)?;
        let severity = parse_severity(input.severity.as_deref().unwrap_or("warning"))?;
        let mut tx = self.write(scope).await?;
        let before = load_rule(&mut tx, id).await?;
        if before.builtin && name != before.name {
            return Err(ValidationError::new("name", "a shipped rule keeps its name").into());
        }
        let mut after = before.clone();
        after.name = name;
        after.customer_id = input.customer_id;
        after.severity = severity;
        after.enabled = input.enabled.unwrap_or(before.enabled);
        after.spec = input.spec;
        after.updated_at = tx.now;
        save(&mut tx, &after).await?;
        audit(&mut tx, "alert_rule.update", &before, Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Switch a rule on or off.
    pub async fn set_alert_rule_enabled(
        &self,
        scope: &Scope,
        id: &str,
        enabled: bool,
    ) -> Result<AlertRule> {
        staff_only(scope)?;
        let mut tx = self.write(scope).await?;
        let before = load_rule(&mut tx, id).await?;
        let mut after = before.clone();
        after.enabled = enabled;
        after.updated_at = tx.now;
        save(&mut tx, &after).await?;
        let action = if enabled {
            "alert_rule.enable"
        } else {
            "alert_rule.disable"
        };
        audit(&mut tx, action, &before, Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Delete a rule and its alert states (their incidents stay in the desk).
    pub async fn delete_alert_rule(&self, scope: &Scope, id: &str) -> Result<()> {
        staff_only(scope)?;
        let mut tx = self.write(scope).await?;
        let before = load_rule(&mut tx, id).await?;
        if before.builtin {
            return Err(StoreError::Conflict(
                "a shipped rule can be switched off, not deleted".into(),
            ));
        }
        sqlx::query("DELETE FROM alerts WHERE rule_id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        sqlx::query("DELETE FROM alert_rules WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        audit(&mut tx, "alert_rule.delete", &before, None).await?;
        tx.commit().await
    }
}
