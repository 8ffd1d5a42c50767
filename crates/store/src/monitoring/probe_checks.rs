//! Network checks of monitored hosts: create, list, change and delete (staff change, a
//! customer's user reads its own; every change audited). Creating a check makes its asset a
//! host polled by the server (`ensure_polled_host(…, "probe")`).
use super::probe_types::*;
use crate::scope::Filter;
use crate::util::{from_json, to_json};
use crate::{Result, Scope, Store, StoreError, new_id};
use onestop_domain::model::{ValidationError, valid_name};
use sqlx::{Row, any::AnyRow};

const COLS: &str = "id, customer_id, host_id, name, kind, target, params, interval_secs, timeout_ms, enabled, created_at, updated_at, last_run_at, last_ok, last_message, last_duration_ms, last_method";

pub(crate) fn state_from(r: &AnyRow, at: usize) -> Result<Option<ProbeState>> {
    let run_at: Option<i64> = r.try_get(at)?;
    Ok(match run_at {
        None => None,
        Some(run_at) => Some(ProbeState {
            run_at,
            ok: r.try_get::<Option<i64>, _>(at + 1)?.unwrap_or(0) == 1,
            message: r.try_get::<Option<String>, _>(at + 2)?.unwrap_or_default(),
            duration_ms: r.try_get::<Option<i64>, _>(at + 3)?.unwrap_or(0),
            method: r.try_get(at + 4)?,
        }),
    })
}

fn check_from(r: &AnyRow) -> Result<Check> {
    Ok(Check {
        id: r.try_get(0)?,
        customer_id: r.try_get(1)?,
        host_id: r.try_get(2)?,
        name: r.try_get(3)?,
        kind: r.try_get(4)?,
        target: r.try_get(5)?,
        params: from_json(&r.try_get::<String, _>(6)?),
        interval_secs: r.try_get(7)?,
        timeout_ms: r.try_get(8)?,
        enabled: r.try_get::<i64, _>(9)? == 1,
        created_at: r.try_get(10)?,
        updated_at: r.try_get(11)?,
        last: state_from(r, 12)?,
    })
}

/// The target and parameters make sense for the kind.
pub(crate) fn validate_check(c: &Check) -> std::result::Result<(), ValidationError> {
    let bad = |f: &str, m: &str| Err(ValidationError::new(f, m));
    check_timing(c.interval_secs, c.timeout_ms)?;
    let (t, p) = (c.target.as_str(), &c.params);
    if t.is_empty() || t.len() > 2000 || t.chars().any(char::is_whitespace) {
        return bad("target", "must be 1 to 2000 characters without spaces");
    }
    match c.kind.as_str() {
        "tcp" => match t.rsplit_once(':') {
            Some((h, port)) if !h.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {}
            _ => return bad("target", "must be host:port"),
        },
        "http" => check_url("target", t)?,
        "dns" => {
            let ty = p.record_type.as_deref().unwrap_or("A");
            if !DNS_TYPES.contains(&ty) {
                return bad("params.record_type", "is not a supported record type");
            }
            if let Some(s) = &p.server {
                let ok = s.parse::<std::net::SocketAddr>().is_ok()
                    || s.parse::<std::net::IpAddr>().is_ok();
                if !ok {
                    return bad("params.server", "must be an address, ip or ip:port");
                }
            }
        }
        "icmp" => {
            if !ICMP_MODES.contains(&p.icmp_mode.as_deref().unwrap_or("auto")) {
                return bad("params.icmp_mode", "must be auto, dgram, raw or tcp");
            }
        }
        _ => return bad("kind", "must be icmp, tcp, http or dns"),
    }
    if let Some(Err(e)) = p.body_regex.as_deref().map(regex::Regex::new) {
        return Err(ValidationError::new("params.body_regex", e.to_string()));
    }
    if p.expect_status.iter().any(|s| !(100..=599).contains(s)) {
        return bad("params.expect_status", "must be HTTP status codes");
    }
    Ok(())
}

impl Store {
    /// Checks the scope may see, of one host or all, by host and name.
    pub async fn list_checks(&self, scope: &Scope, host_id: Option<&str>) -> Result<Vec<Check>> {
        let mut f = Filter::scoped(scope, "customer_id");
        if let Some(h) = host_id {
            f.eq("host_id", h);
        }
        let sql = format!(
            "SELECT {COLS} FROM probe_checks{} ORDER BY host_id, name",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(check_from).collect()
    }

    pub async fn get_check(&self, scope: &Scope, id: &str) -> Result<Check> {
        let mut f = Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let sql = format!("SELECT {COLS} FROM probe_checks{}", f.sql);
        let row = f.query(&sql).fetch_optional(&self.pool).await?;
        check_from(&row.ok_or(StoreError::NotFound)?)
    }

    /// Add a check (staff only, audited).
    pub async fn create_check(&self, scope: &Scope, i: CheckInput) -> Result<Check> {
        staff_only(scope)?;
        let host_id = self.ensure_polled_host(scope, &i.host_id, "probe").await?;
        let asset = self.get_asset(scope, &host_id).await?;
        let mut c = Check {
            id: new_id(),
            customer_id: asset.customer_id,
            host_id,
            name: valid_name("name", &i.name)?,
            kind: i.kind.trim().to_string(),
            target: i.target.trim().to_string(),
            params: i.params.unwrap_or_default(),
            interval_secs: i.interval_secs.unwrap_or(60),
            timeout_ms: i.timeout_ms.unwrap_or(5000),
            enabled: i.enabled.unwrap_or(true),
            created_at: 0,
            updated_at: 0,
            last: None,
        };
        validate_check(&c)?;
        let mut tx = self.write(scope).await?;
        (c.created_at, c.updated_at) = (tx.now, tx.now);
        sqlx::query(&format!(
            "INSERT INTO probe_checks ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, NULL, NULL, NULL)"
        ))
        .bind(&c.id)
        .bind(&c.customer_id)
        .bind(&c.host_id)
        .bind(&c.name)
        .bind(&c.kind)
        .bind(&c.target)
        .bind(to_json(&c.params))
        .bind(c.interval_secs)
        .bind(c.timeout_ms)
        .bind(i64::from(c.enabled))
        .bind(c.created_at)
        .bind(c.updated_at)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
        tx.audit_change(
            "check.create",
            "check",
            &c.id,
            Some(&c.customer_id),
            None,
            Some(&c),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Change a check (staff only, audited).
    pub async fn update_check(&self, scope: &Scope, id: &str, p: CheckPatch) -> Result<Check> {
        staff_only(scope)?;
        let before = self.get_check(scope, id).await?;
        let mut c = before.clone();
        if let Some(n) = &p.name {
            c.name = valid_name("name", n)?;
        }
        if let Some(t) = &p.target {
            c.target = t.trim().to_string();
        }
        c.params = p.params.unwrap_or(c.params);
        c.interval_secs = p.interval_secs.unwrap_or(c.interval_secs);
        c.timeout_ms = p.timeout_ms.unwrap_or(c.timeout_ms);
        c.enabled = p.enabled.unwrap_or(c.enabled);
        validate_check(&c)?;
        let mut tx = self.write(scope).await?;
        c.updated_at = tx.now;
        sqlx::query("UPDATE probe_checks SET name = $1, target = $2, params = $3, interval_secs = $4, timeout_ms = $5, enabled = $6, updated_at = $7 WHERE id = $8")
            .bind(&c.name)
            .bind(&c.target)
            .bind(to_json(&c.params))
            .bind(c.interval_secs)
            .bind(c.timeout_ms)
            .bind(i64::from(c.enabled))
            .bind(c.updated_at)
            .bind(&c.id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        tx.audit_change(
            "check.update",
            "check",
            id,
            Some(&c.customer_id),
            Some(&before),
            Some(&c),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Delete a check (staff only, audited); its series stay until retention drops them.
    pub async fn delete_check(&self, scope: &Scope, id: &str) -> Result<Check> {
        staff_only(scope)?;
        let before = self.get_check(scope, id).await?;
        self.delete_audited(
            scope,
            ("probe_checks", "check"),
            id,
            before.customer_id.clone(),
            before,
        )
        .await
    }
}
