//! Remote monitoring's storage: enrolment tokens and monitored hosts (a host is an asset of
//! the customer's register), batches as received, the tsdb storage half (series, chunks,
//! rollups, compaction, retention, range queries), alert rules, alerts and maintenance
//! windows. The encoding lives in `onestop-tsdb`; all SQL stays here.
mod alerts;
mod apply;
mod checks;
mod compact;
mod enroll;
mod event_incidents;
mod events;
mod incident;
mod ingest;
mod maintenance;
mod payload;
mod polled;
mod probe_checks;
mod probe_results;
mod probe_types;
mod query;
mod rule_spec;
mod rules_edit;
mod scrape_targets;
mod snmp;
mod types;

pub use alerts::{AlertTransition, DEFAULT_RULES};
pub use checks::{HostCheck, status_text as check_status_text};
pub use compact::{CompactReport, Retention};
pub use event_incidents::EventPass;
pub(crate) use events::insert_event_in;
pub use events::{EVENT_SEVERITIES, Event, EventFilter, EventInput};
pub use incident::{AlertHost, AlertIncident};
pub use ingest::BatchMeta;
pub use payload::PendingPayload;
pub(crate) use payload::consume_logs_in;
pub use polled::POLLED_SOURCES;
pub use probe_types::*;
pub use rule_spec::{
    KINDS as RULE_KINDS, SIGNALS as RULE_SIGNALS, impact_urgency_of, validate_spec,
};
pub use scrape_targets::ScrapeJob;
pub use snmp::*;
pub use types::*;

use crate::{Backend, Result, Store};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Width of the window one merged chunk covers, per resolution.
pub(crate) fn window_of(res: i64) -> i64 {
    match res {
        0 => 6 * HOUR_MS,
        MINUTE_MS => 24 * HOUR_MS,
        _ => 30 * 24 * HOUR_MS,
    }
}

pub(crate) const MINUTE_MS: i64 = 60_000;
pub(crate) const HOUR_MS: i64 = 3_600_000;

/// The stable id of a series: the first 8 bytes of SHA-256 over host, name and labels.
pub fn series_id(host_id: &str, name: &str, labels_json: &str) -> i64 {
    let mut h = Sha256::new();
    for part in [host_id, name, labels_json] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    i64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

impl Store {
    /// Take or renew the lease `name` for `holder` until `now + ttl_ms`. Only one holder
    /// (one server process) runs a background job at a time; a crashed holder's lease expires.
    pub async fn acquire_lease(&self, name: &str, holder: &str, ttl_ms: i64) -> Result<bool> {
        let now = crate::now_ms();
        sqlx::query(
            "INSERT INTO monitor_leases (name, holder, until_ms) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
            .bind(name)
            .bind(holder)
            .bind(now + ttl_ms)
            .execute(&self.pool)
            .await?;
        let r = sqlx::query(
            "UPDATE monitor_leases SET holder = $1, until_ms = $2 WHERE name = $3 AND (holder = $4 OR until_ms < $5)",
        )
        .bind(holder)
        .bind(now + ttl_ms)
        .bind(name)
        .bind(holder)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Bytes of stored chunk data: (raw chunk bytes, raw samples, rollup bytes).
    pub async fn chunk_bytes(&self) -> Result<(i64, i64, i64)> {
        let rows = sqlx::query(
            "SELECT res, CAST(SUM(LENGTH(data)) AS BIGINT), CAST(SUM(samples) AS BIGINT) FROM metric_chunks GROUP BY res",
        )
        .fetch_all(&self.pool)
        .await?;
        let (mut raw, mut samples, mut rollups) = (0, 0, 0);
        for r in rows {
            let (res, bytes, n): (i64, i64, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            if res == 0 {
                (raw, samples) = (bytes, n);
            } else {
                rollups += bytes;
            }
        }
        Ok((raw, samples, rollups))
    }

    /// Give free pages back to the file system (SQLite `VACUUM`; PostgreSQL's autovacuum
    /// does this by itself). For benchmarks measuring the file size.
    pub async fn vacuum(&self) -> Result<()> {
        if self.backend() == Backend::Sqlite {
            sqlx::raw_sql("VACUUM").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Number of rows of a monitoring table, for reports and tests.
    pub async fn monitoring_rows(&self, table: &str) -> Result<i64> {
        let allowed = [
            "metric_batches",
            "metric_series",
            "metric_chunks",
            "alerts",
            "alert_rules",
        ];
        if !allowed.contains(&table) {
            return Err(crate::StoreError::Other(format!(
                "not a monitoring table: {table}"
            )));
        }
        Ok(sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }
}
