//! Creating, reading, changing and deleting SNMP devices under a scope.
use super::types::{SealedSnmpInput, Settings, SnmpDevice};
use crate::{Result, Scope, Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;

pub(super) const COLS: &str = "id, customer_id, address, port, version, community_enc, v3_user, \
    auth_protocol, auth_enc, priv_protocol, priv_enc, interval_secs, timeout_ms, retries, enabled, \
    last_poll_at, last_ok_at, last_error, sys_name, sys_descr, sys_uptime_secs, created_at, updated_at";

pub(super) fn settings_from_row(r: &AnyRow) -> Result<Settings> {
    Ok(Settings {
        address: r.try_get("address")?,
        port: r.try_get("port")?,
        version: r.try_get("version")?,
        community_enc: r.try_get("community_enc")?,
        v3_user: r.try_get("v3_user")?,
        auth_protocol: r.try_get("auth_protocol")?,
        auth_enc: r.try_get("auth_enc")?,
        priv_protocol: r.try_get("priv_protocol")?,
        priv_enc: r.try_get("priv_enc")?,
        interval_secs: r.try_get("interval_secs")?,
        timeout_ms: r.try_get("timeout_ms")?,
        retries: r.try_get("retries")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
    })
}

fn device_from_row(r: &AnyRow) -> Result<SnmpDevice> {
    let s = settings_from_row(r)?;
    let last_poll_at: Option<i64> = r.try_get("last_poll_at")?;
    let last_error: Option<String> = r.try_get("last_error")?;
    let status = match (s.enabled, last_poll_at, &last_error) {
        (false, _, _) => "disabled",
        (_, None, _) => "pending",
        (_, _, Some(_)) => "error",
        _ => "ok",
    };
    Ok(SnmpDevice {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        has_community: s.community_enc.is_some(),
        has_auth_password: s.auth_enc.is_some(),
        has_priv_password: s.priv_enc.is_some(),
        address: s.address,
        port: s.port,
        v3_user: s.v3_user.filter(|_| s.version == "v3"),
        auth_protocol: s.auth_protocol.filter(|_| s.version == "v3"),
        priv_protocol: s.priv_protocol.filter(|_| s.version == "v3"),
        version: s.version,
        interval_secs: s.interval_secs,
        timeout_ms: s.timeout_ms,
        retries: s.retries,
        enabled: s.enabled,
        status: status.into(),
        last_poll_at,
        last_ok_at: r.try_get("last_ok_at")?,
        last_error,
        sys_name: r.try_get("sys_name")?,
        sys_descr: r.try_get("sys_descr")?,
        sys_uptime_secs: r.try_get("sys_uptime_secs")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn staff(scope: &Scope) -> Result<()> {
    if scope.is_staff() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "only staff change SNMP devices".into(),
        ))
    }
}

impl Store {
    /// The SNMP devices the scope may see, by address.
    pub async fn list_snmp_devices(&self, scope: &Scope) -> Result<Vec<SnmpDevice>> {
        let f = crate::scope::Filter::scoped(scope, "customer_id");
        let sql = format!(
            "SELECT {COLS} FROM snmp_devices{} ORDER BY address, id",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(device_from_row).collect()
    }

    /// One device (its id is the asset's), if the scope may see it.
    pub async fn snmp_device(&self, scope: &Scope, id: &str) -> Result<SnmpDevice> {
        let mut f = crate::scope::Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let sql = format!("SELECT {COLS} FROM snmp_devices{}", f.sql);
        let r = f.query(&sql).fetch_optional(&self.pool).await?;
        device_from_row(&r.ok_or(StoreError::NotFound)?)
    }

    /// Poll the asset `input.asset_id` over SNMP: it becomes a monitored host (source
    /// `snmp`) and the device is due at once.
    pub async fn create_snmp_device(
        &self,
        scope: &Scope,
        input: SealedSnmpInput,
    ) -> Result<SnmpDevice> {
        staff(scope)?;
        let asset_id = input.0.asset_id.clone().unwrap_or_default();
        if asset_id.trim().is_empty() {
            return Err(
                onestop_domain::model::ValidationError::new("asset_id", "is required").into(),
            );
        }
        let mut s = Settings::blank();
        s.merge(input)?;
        let asset = self.get_asset(scope, asset_id.trim()).await?;
        let host = self.ensure_polled_host(scope, &asset.id, "snmp").await?;
        let mut tx = self.write(scope).await?;
        sqlx::query(
            "INSERT INTO snmp_devices (id, customer_id, address, port, version, community_enc, v3_user, \
             auth_protocol, auth_enc, priv_protocol, priv_enc, interval_secs, timeout_ms, retries, enabled, \
             next_poll_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, $16)",
        )
        .bind(&host)
        .bind(&asset.customer_id)
        .bind(&s.address)
        .bind(s.port)
        .bind(&s.version)
        .bind(&s.community_enc)
        .bind(&s.v3_user)
        .bind(&s.auth_protocol)
        .bind(&s.auth_enc)
        .bind(&s.priv_protocol)
        .bind(&s.priv_enc)
        .bind(s.interval_secs)
        .bind(s.timeout_ms)
        .bind(s.retries)
        .bind(i64::from(s.enabled))
        .bind(tx.now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
        let row = sqlx::query(&format!("SELECT {COLS} FROM snmp_devices WHERE id = $1"))
            .bind(&host)
            .fetch_one(tx.conn())
            .await?;
        let d = device_from_row(&row)?;
        tx.audit_change(
            "snmp_device.create",
            "snmp_device",
            &d.id,
            Some(&d.customer_id),
            None,
            Some(&d),
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Change a device; it is polled again at once with the new settings.
    pub async fn update_snmp_device(
        &self,
        scope: &Scope,
        id: &str,
        input: SealedSnmpInput,
    ) -> Result<SnmpDevice> {
        staff(scope)?;
        if input.0.asset_id.is_some() {
            let msg = "cannot be changed (delete the device and add it to the other asset)";
            return Err(onestop_domain::model::ValidationError::new("asset_id", msg).into());
        }
        let before = self.snmp_device(scope, id).await?;
        let mut tx = self.write(scope).await?;
        let row = sqlx::query(&format!("SELECT {COLS} FROM snmp_devices WHERE id = $1"))
            .bind(id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut s = settings_from_row(&row)?;
        s.merge(input)?;
        sqlx::query(
            "UPDATE snmp_devices SET address = $1, port = $2, version = $3, community_enc = $4, \
             v3_user = $5, auth_protocol = $6, auth_enc = $7, priv_protocol = $8, priv_enc = $9, \
             interval_secs = $10, timeout_ms = $11, retries = $12, enabled = $13, next_poll_at = 0, \
             updated_at = $14 WHERE id = $15",
        )
        .bind(&s.address)
        .bind(s.port)
        .bind(&s.version)
        .bind(&s.community_enc)
        .bind(&s.v3_user)
        .bind(&s.auth_protocol)
        .bind(&s.auth_enc)
        .bind(&s.priv_protocol)
        .bind(&s.priv_enc)
        .bind(s.interval_secs)
        .bind(s.timeout_ms)
        .bind(s.retries)
        .bind(i64::from(s.enabled))
        .bind(tx.now)
        .bind(id)
        .execute(tx.conn())
        .await?;
        let row = sqlx::query(&format!("SELECT {COLS} FROM snmp_devices WHERE id = $1"))
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
        let d = device_from_row(&row)?;
        tx.audit_change(
            "snmp_device.update",
            "snmp_device",
            id,
            Some(&d.customer_id),
            Some(&before),
            Some(&d),
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Stop polling the asset over SNMP (its host and samples stay).
    pub async fn delete_snmp_device(&self, scope: &Scope, id: &str) -> Result<SnmpDevice> {
        staff(scope)?;
        let before = self.snmp_device(scope, id).await?;
        self.delete_audited(
            scope,
            ("snmp_devices", "snmp_device"),
            id,
            before.customer_id.clone(),
            before,
        )
        .await
    }
}
