//! Runbooks: recovery procedures agreed with the customer, per asset or service. Every change
//! is a new version (the whole step list); one version is marked agreed, with who and when.
//! Alert rules carry a runbook reference. Runs inside tickets live in [`runs`]. Staff write;
//! a customer's users read their own and record their agreement. Every change is audited.
mod runs;
mod types;

pub use types::*;

use crate::desk::staff_only;
use crate::scope::Filter;
use crate::{Result, Scope, Store, StoreError, WriteTx, new_id};
use onestop_domain::model::ValidationError;
use sqlx::{AnyConnection, Row, any::AnyRow};

/// Most steps in one runbook.
pub const MAX_STEPS: usize = 200;

fn invalid(field: &str, msg: impl Into<String>) -> StoreError {
    ValidationError::new(field, msg).into()
}

fn opt(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Check and trim a title and step list.
fn valid_content(title: &str, steps: &[RunbookStep]) -> Result<(String, Vec<RunbookStep>)> {
    let title = onestop_domain::model::valid_name("title", title)?;
    if steps.is_empty() || steps.len() > MAX_STEPS {
        return Err(invalid(
            "steps",
            format!("must have 1 to {MAX_STEPS} steps"),
        ));
    }
    let mut out = Vec::with_capacity(steps.len());
    for (i, s) in steps.iter().enumerate() {
        let text = s.text.trim();
        if text.is_empty() || text.len() > 4000 {
            return Err(invalid(
                &format!("steps[{i}].text"),
                "must be 1 to 4000 bytes",
            ));
        }
        if s.expected.len() > 4000 || s.command.as_ref().is_some_and(|c| c.len() > 4000) {
            return Err(invalid(
                &format!("steps[{i}]"),
                "expected and command are at most 4000 bytes",
            ));
        }
        out.push(RunbookStep {
            text: text.to_string(),
            expected: s.expected.trim().to_string(),
            command: opt(s.command.clone()),
        });
    }
    Ok((title, out))
}

const COLS: &str = "r.id, r.customer_id, r.asset_id, r.service, r.title, r.current_version, r.agreed_version, r.agreed_by, r.agreed_at, r.created_by, r.created_at, r.updated_at, v.steps_json";
const FROM: &str =
    "runbooks r JOIN runbook_versions v ON v.runbook_id = r.id AND v.version = r.current_version";

fn from_row(r: &AnyRow) -> Result<Runbook> {
    let steps: String = r.try_get(12)?;
    Ok(Runbook {
        id: r.try_get(0)?,
        customer_id: r.try_get(1)?,
        asset_id: r.try_get(2)?,
        service: r.try_get(3)?,
        title: r.try_get(4)?,
        current_version: r.try_get(5)?,
        agreed_version: r.try_get(6)?,
        agreed_by: r.try_get(7)?,
        agreed_at: r.try_get(8)?,
        created_by: r.try_get(9)?,
        created_at: r.try_get(10)?,
        updated_at: r.try_get(11)?,
        steps: serde_json::from_str(&steps).unwrap_or_default(),
    })
}

pub(crate) async fn load(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<Runbook> {
    let mut f = Filter::scoped(scope, "r.customer_id");
    f.eq("r.id", id);
    let row = f
        .query(&format!("SELECT {COLS} FROM {FROM}{}", f.sql))
        .fetch_optional(&mut *conn)
        .await?;
    from_row(&row.ok_or(StoreError::NotFound)?)
}

async fn insert_version(
    tx: &mut WriteTx,
    id: &str,
    version: i64,
    title: &str,
    steps: &[RunbookStep],
    note: &str,
) -> Result<()> {
    let by = tx.scope().actor();
    let now = tx.now;
    sqlx::query("INSERT INTO runbook_versions (runbook_id, version, title, steps_json, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id)
        .bind(version)
        .bind(title)
        .bind(serde_json::to_string(steps).unwrap_or_default())
        .bind(note)
        .bind(by)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

async fn audit(
    tx: &mut WriteTx,
    action: &str,
    before: Option<&Runbook>,
    after: &Runbook,
) -> Result<()> {
    let (id, customer) = (&after.id, Some(after.customer_id.as_str()));
    tx.audit_change(action, "runbook", id, customer, before, Some(after))
        .await
}

impl Store {
    /// An asset of `customer_id` the scope may see, or a validation error on `asset_id`.
    async fn runbook_asset(
        &self,
        scope: &Scope,
        customer_id: &str,
        asset: Option<String>,
    ) -> Result<Option<String>> {
        let Some(a) = opt(asset) else { return Ok(None) };
        match self.get_asset(scope, &a).await {
            Ok(x) if x.customer_id == customer_id => Ok(Some(a)),
            Ok(_) | Err(StoreError::NotFound) => {
                Err(invalid("asset_id", "is not an asset of this customer"))
            }
            Err(e) => Err(e),
        }
    }

    /// Create a runbook at version 1 (staff only).
    pub async fn create_runbook(&self, scope: &Scope, input: RunbookInput) -> Result<Runbook> {
        staff_only(scope)?;
        self.ensure_customer(scope, &input.customer_id).await?;
        let (title, steps) = valid_content(&input.title, &input.steps)?;
        let asset = self
            .runbook_asset(scope, &input.customer_id, input.asset_id)
            .await?;
        let mut tx = self.write(scope).await?;
        let id = new_id();
        sqlx::query("INSERT INTO runbooks (id, customer_id, asset_id, service, title, current_version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7)")
            .bind(&id)
            .bind(&input.customer_id)
            .bind(&asset)
            .bind(opt(input.service))
            .bind(&title)
            .bind(scope.actor())
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        insert_version(
            &mut tx,
            &id,
            1,
            &title,
            &steps,
            &opt(input.note).unwrap_or_default(),
        )
        .await?;
        let rb = load(tx.conn(), scope, &id).await?;
        audit(&mut tx, "runbook.create", None, &rb).await?;
        tx.commit().await?;
        Ok(rb)
    }

    /// Change a runbook: a new version with the given content (staff only). The agreed
    /// version stays what it was until the customer agrees again.
    pub async fn update_runbook(
        &self,
        scope: &Scope,
        id: &str,
        edit: RunbookEdit,
    ) -> Result<Runbook> {
        staff_only(scope)?;
        let (title, steps) = valid_content(&edit.title, &edit.steps)?;
        let before = {
            let mut c = self.pool.acquire().await?;
            load(&mut c, scope, id).await?
        };
        let asset = match edit.asset_id {
            Some(a) => {
                self.runbook_asset(scope, &before.customer_id, Some(a))
                    .await?
            }
            None => before.asset_id.clone(),
        };
        let service = match edit.service {
            Some(s) => opt(Some(s)),
            None => before.service.clone(),
        };
        let mut tx = self.write(scope).await?;
        let cur = load(tx.conn(), scope, id).await?;
        let version = cur.current_version + 1;
        insert_version(
            &mut tx,
            id,
            version,
            &title,
            &steps,
            &opt(edit.note).unwrap_or_default(),
        )
        .await?;
        sqlx::query("UPDATE runbooks SET title = $1, current_version = $2, asset_id = $3, service = $4, updated_at = $5 WHERE id = $6")
            .bind(&title)
            .bind(version)
            .bind(&asset)
            .bind(&service)
            .bind(tx.now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let rb = load(tx.conn(), scope, id).await?;
        audit(&mut tx, "runbook.update", Some(&cur), &rb).await?;
        tx.commit().await?;
        Ok(rb)
    }

    /// Mark one version as agreed by the customer.
    pub async fn agree_runbook(
        &self,
        scope: &Scope,
        id: &str,
        input: AgreeInput,
    ) -> Result<Runbook> {
        let by = match scope {
            Scope::Customer { username, .. } => username.clone(),
            _ => opt(input.agreed_by)
                .ok_or_else(|| invalid("agreed_by", "name who agreed on the customer's side"))?,
        };
        if by.len() > 200 {
            return Err(invalid("agreed_by", "is at most 200 bytes"));
        }
        let mut tx = self.write(scope).await?;
        let cur = load(tx.conn(), scope, id).await?;
        if input.version < 1 || input.version > cur.current_version {
            return Err(invalid(
                "version",
                format!("must be 1 to {}", cur.current_version),
            ));
        }
        sqlx::query("UPDATE runbooks SET agreed_version = $1, agreed_by = $2, agreed_at = $3, updated_at = $3 WHERE id = $4")
            .bind(input.version)
            .bind(&by)
            .bind(tx.now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let rb = load(tx.conn(), scope, id).await?;
        audit(&mut tx, "runbook.agree", Some(&cur), &rb).await?;
        tx.commit().await?;
        Ok(rb)
    }

    /// One runbook the scope may see.
    pub async fn get_runbook(&self, scope: &Scope, id: &str) -> Result<Runbook> {
        let mut c = self.pool.acquire().await?;
        load(&mut c, scope, id).await
    }

    /// Runbooks the scope may see, optionally of one customer or one asset, by title.
    pub async fn list_runbooks(
        &self,
        scope: &Scope,
        customer_id: Option<&str>,
        asset_id: Option<&str>,
    ) -> Result<Vec<Runbook>> {
        let mut f = Filter::scoped(scope, "r.customer_id");
        if let Some(c) = customer_id {
            f.eq("r.customer_id", c);
        }
        if let Some(a) = asset_id {
            f.eq("r.asset_id", a);
        }
        let rows = f
            .query(&format!(
                "SELECT {COLS} FROM {FROM}{} ORDER BY r.title, r.id",
                f.sql
            ))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Every version of a runbook, newest first.
    pub async fn runbook_versions(&self, scope: &Scope, id: &str) -> Result<Vec<RunbookVersion>> {
        self.get_runbook(scope, id).await?;
        let rows = sqlx::query("SELECT version, title, steps_json, note, created_by, created_at FROM runbook_versions WHERE runbook_id = $1 ORDER BY version DESC")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let steps: String = r.try_get(2)?;
                Ok(RunbookVersion {
                    version: r.try_get(0)?,
                    title: r.try_get(1)?,
                    steps: serde_json::from_str(&steps).unwrap_or_default(),
                    note: r.try_get(3)?,
                    created_by: r.try_get(4)?,
                    created_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Point an alert rule at a runbook, or clear it (staff only, audited). A rule of one
    /// customer may only name that customer's runbook.
    pub async fn set_alert_rule_runbook(
        &self,
        scope: &Scope,
        rule_id: &str,
        runbook_id: Option<&str>,
    ) -> Result<()> {
        staff_only(scope)?;
        let mut tx = self.write(scope).await?;
        let row = sqlx::query("SELECT customer_id, runbook_id FROM alert_rules WHERE id = $1")
            .bind(rule_id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        let (rule_customer, before): (Option<String>, Option<String>) =
            (row.try_get(0)?, row.try_get(1)?);
        if let Some(rb) = runbook_id {
            let r = load(tx.conn(), scope, rb).await.map_err(|e| match e {
                StoreError::NotFound => invalid("runbook_id", "no such runbook"),
                e => e,
            })?;
            if rule_customer.as_deref().is_some_and(|c| c != r.customer_id) {
                return Err(invalid(
                    "runbook_id",
                    "belongs to another customer than the rule",
                ));
            }
        }
        sqlx::query("UPDATE alert_rules SET runbook_id = $1 WHERE id = $2")
            .bind(runbook_id)
            .bind(rule_id)
            .execute(tx.conn())
            .await?;
        let b = serde_json::json!({ "runbook_id": before });
        let a = serde_json::json!({ "runbook_id": runbook_id });
        tx.audit(
            "alert_rule.runbook",
            "alert_rule",
            rule_id,
            rule_customer.as_deref(),
            Some(&b),
            Some(&a),
        )
        .await?;
        tx.commit().await
    }

    /// The runbook an alert rule names, if any and visible to the scope.
    pub async fn alert_rule_runbook(
        &self,
        scope: &Scope,
        rule_id: &str,
    ) -> Result<Option<Runbook>> {
        let id: Option<String> = sqlx::query("SELECT runbook_id FROM alert_rules WHERE id = $1")
            .bind(rule_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .flatten();
        match id {
            Some(id) => match self.get_runbook(scope, &id).await {
                Ok(r) => Ok(Some(r)),
                Err(StoreError::NotFound) => Ok(None),
                Err(e) => Err(e),
            },
            None => Ok(None),
        }
    }
}
