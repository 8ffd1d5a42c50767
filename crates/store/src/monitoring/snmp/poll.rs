//! The poller's side of SNMP devices: which are due (each claimed for its next interval as
//! it is handed out), the outcome of a poll, and the host a trap's sender belongs to. These
//! run as the product itself (no scope): the poller and the trap receiver act for all
//! customers, and what they write is telemetry, not business data, so it is not audited.
use super::crud::{COLS, settings_from_row};
use crate::{Result, Store};
use sqlx::Row;

/// A device to poll, with its sealed secrets for the server to open.
#[derive(Debug, Clone)]
pub struct SnmpTarget {
    pub id: String,
    pub customer_id: String,
    pub address: String,
    pub port: u16,
    pub version: String,
    pub community_enc: Option<String>,
    pub v3_user: Option<String>,
    pub auth_protocol: Option<String>,
    pub auth_enc: Option<String>,
    pub priv_protocol: Option<String>,
    pub priv_enc: Option<String>,
    pub interval_secs: i64,
    pub timeout_ms: i64,
    pub retries: i64,
}

/// What one poll found.
#[derive(Debug, Clone, Default)]
pub struct SnmpPollOutcome {
    /// Why the poll failed (timeout, authentication, …); `None` when it succeeded.
    pub error: Option<String>,
    pub sys_name: Option<String>,
    pub sys_descr: Option<String>,
    pub sys_uptime_secs: Option<i64>,
}

impl Store {
    /// Enabled devices due at `now`, at most `limit`, each moved to its next slot
    /// (`now + interval`) so it is handed out once per interval.
    pub async fn due_snmp_devices(&self, now: i64, limit: i64) -> Result<Vec<SnmpTarget>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM snmp_devices WHERE enabled = 1 AND next_poll_at <= $1 \
             ORDER BY next_poll_at, id LIMIT {}",
            limit.clamp(1, 10_000)
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let s = settings_from_row(r)?;
            let t = SnmpTarget {
                id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                address: s.address,
                port: u16::try_from(s.port).unwrap_or(161),
                version: s.version,
                community_enc: s.community_enc,
                v3_user: s.v3_user,
                auth_protocol: s.auth_protocol,
                auth_enc: s.auth_enc,
                priv_protocol: s.priv_protocol,
                priv_enc: s.priv_enc,
                interval_secs: s.interval_secs,
                timeout_ms: s.timeout_ms,
                retries: s.retries,
            };
            sqlx::query("UPDATE snmp_devices SET next_poll_at = $1 WHERE id = $2")
                .bind(now + t.interval_secs * 1000)
                .bind(&t.id)
                .execute(&self.pool)
                .await?;
            out.push(t);
        }
        Ok(out)
    }

    /// Record a poll's outcome; the system group's facts are kept when the poll read them.
    pub async fn record_snmp_poll(&self, id: &str, at: i64, o: &SnmpPollOutcome) -> Result<()> {
        let ok = o.error.is_none();
        sqlx::query(
            "UPDATE snmp_devices SET last_poll_at = $1, \
             last_ok_at = CASE WHEN $2 = 1 THEN $1 ELSE last_ok_at END, last_error = $3, \
             sys_name = COALESCE($4, sys_name), sys_descr = COALESCE($5, sys_descr), \
             sys_uptime_secs = COALESCE($6, sys_uptime_secs) WHERE id = $7",
        )
        .bind(at)
        .bind(i64::from(ok))
        .bind(
            o.error
                .as_ref()
                .map(|e| e.chars().take(500).collect::<String>()),
        )
        .bind(&o.sys_name)
        .bind(&o.sys_descr)
        .bind(o.sys_uptime_secs)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The (customer, host) a trap from `ip` belongs to: a device configured with that
    /// address first, else the one asset listing it among its `ip_addresses`. `None` when
    /// no asset, or more than one, claims the address.
    pub async fn snmp_trap_source(&self, ip: &str) -> Result<Option<(String, String)>> {
        let r = sqlx::query(
            "SELECT customer_id, id FROM snmp_devices WHERE address = $1 ORDER BY id LIMIT 2",
        )
        .bind(ip)
        .fetch_all(&self.pool)
        .await?;
        if r.len() == 1 {
            return Ok(Some((r[0].try_get(0)?, r[0].try_get(1)?)));
        }
        let pattern = format!("%{}%", ip.replace(['%', '_'], ""));
        let rows = sqlx::query(
            "SELECT customer_id, id, ip_addresses FROM assets WHERE ip_addresses LIKE $1",
        )
        .bind(pattern)
        .fetch_all(&self.pool)
        .await?;
        let mut hits = Vec::new();
        for row in &rows {
            let list: String = row.try_get(2)?;
            let listed = list
                .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .any(|a| a.split('/').next() == Some(ip));
            if listed {
                hits.push((row.try_get(0)?, row.try_get(1)?));
            }
        }
        Ok(if hits.len() == 1 { hits.pop() } else { None })
    }
}
