//! Maintenance windows: per customer, per host, or per asset (the asset itself and the
//! assets that run on, depend on or connect through it, one level down). While one lasts the
//! covered hosts' alerts are `silenced`; a window without collection also drops their samples
//! taken meanwhile, at compaction (the batch was acknowledged as received; what the window
//! says not to keep never reaches the chunks).
use super::{MaintenanceInput, MaintenanceWindow};
use crate::registry::staff_only;
use crate::{Result, Scope, Store, StoreError, new_id};
use onestop_domain::model::ValidationError;
use sqlx::{Row, any::AnyRow};

const COLS: &str = "id, customer_id, host_id, starts_at, ends_at, reason, created_by, created_at, asset_id, collect";

/// The condition "window `m` covers host `$h`" (with `$h` bound twice).
pub(crate) const COVERS: &str = "(m.host_id IS NULL AND m.asset_id IS NULL) OR m.host_id = {h} \
     OR m.asset_id = {h} OR m.asset_id IN (SELECT r.to_asset FROM asset_relations r \
     WHERE r.from_asset = {h} AND r.kind IN ('runs_on', 'depends_on', 'connected_to'))";

fn window_from_row(r: &AnyRow) -> Result<MaintenanceWindow> {
    Ok(MaintenanceWindow {
        id: r.try_get(0)?,
        customer_id: r.try_get(1)?,
        host_id: r.try_get(2)?,
        starts_at: r.try_get(3)?,
        ends_at: r.try_get(4)?,
        reason: r.try_get(5)?,
        created_by: r.try_get(6)?,
        created_at: r.try_get(7)?,
        asset_id: r.try_get(8)?,
        collect: r.try_get::<i64, _>(9)? != 0,
    })
}

impl Store {
    /// Whether a maintenance window covers the host at `at`.
    pub async fn in_maintenance(&self, customer_id: &str, host_id: &str, at: i64) -> Result<bool> {
        let cover = COVERS.replace("{h}", "$2");
        let n: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) FROM maintenance_windows m WHERE m.customer_id = $1 AND ({cover}) \
             AND m.starts_at <= $3 AND m.ends_at > $3"
        ))
        .bind(customer_id)
        .bind(host_id)
        .bind(at)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(n > 0)
    }

    /// The `[start, end)` spans during which the host's samples are not kept.
    pub async fn no_collect_spans(&self, host_id: &str) -> Result<Vec<(i64, i64)>> {
        let cover = COVERS.replace("{h}", "$1");
        let rows = sqlx::query(&format!(
            "SELECT m.starts_at, m.ends_at FROM maintenance_windows m JOIN monitored_hosts h ON h.id = $1 \
             AND h.customer_id = m.customer_id WHERE m.collect = 0 AND ({cover})"
        ))
        .bind(host_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
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
        if input.host_id.is_some() && input.asset_id.is_some() {
            return Err(
                ValidationError::new("asset_id", "name a host or an asset, not both").into(),
            );
        }
        if let Some(h) = &input.host_id {
            let host = self.get_host(scope, h, i64::MAX).await?;
            if host.customer_id != input.customer_id {
                return Err(
                    ValidationError::new("host_id", "is not a host of this customer").into(),
                );
            }
        }
        if let Some(a) = &input.asset_id {
            let asset = self.get_asset(scope, a).await?;
            if asset.customer_id != input.customer_id {
                return Err(
                    ValidationError::new("asset_id", "is not an asset of this customer").into(),
                );
            }
        }
        let mut tx = self.write(scope).await?;
        let m = MaintenanceWindow {
            id: new_id(),
            customer_id: input.customer_id,
            host_id: input.host_id,
            asset_id: input.asset_id,
            collect: input.collect.unwrap_or(true),
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            reason: input.reason.trim().to_string(),
            created_by: scope.actor(),
            created_at: tx.now,
        };
        sqlx::query(&format!(
            "INSERT INTO maintenance_windows ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&m.id)
        .bind(&m.customer_id)
        .bind(&m.host_id)
        .bind(m.starts_at)
        .bind(m.ends_at)
        .bind(&m.reason)
        .bind(&m.created_by)
        .bind(m.created_at)
        .bind(&m.asset_id)
        .bind(i64::from(m.collect))
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

    /// End a window now (staff, audited); `delete`: remove it altogether.
    pub async fn end_maintenance(&self, scope: &Scope, id: &str, delete: bool) -> Result<()> {
        staff_only(scope)?;
        let mut tx = self.write(scope).await?;
        let mut f = crate::scope::Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let row = f
            .query(&format!(
                "SELECT {COLS} FROM maintenance_windows m{}",
                f.sql
            ))
            .fetch_optional(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = window_from_row(&row)?;
        let mut after = before.clone();
        if delete {
            sqlx::query("DELETE FROM maintenance_windows WHERE id = $1")
                .bind(id)
                .execute(tx.conn())
                .await?;
        } else {
            after.ends_at = after.ends_at.min(tx.now).max(after.starts_at);
            sqlx::query("UPDATE maintenance_windows SET ends_at = $1 WHERE id = $2")
                .bind(after.ends_at)
                .bind(id)
                .execute(tx.conn())
                .await?;
        }
        let (b, a) = (
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&after).ok(),
        );
        let action = if delete {
            "maintenance.delete"
        } else {
            "maintenance.end"
        };
        tx.audit(
            action,
            "maintenance_window",
            id,
            Some(&before.customer_id),
            b.as_ref(),
            if delete { None } else { a.as_ref() },
        )
        .await?;
        tx.commit().await?;
        Ok(())
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
            "SELECT {COLS} FROM maintenance_windows m{} ORDER BY starts_at",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(window_from_row).collect()
    }
}
