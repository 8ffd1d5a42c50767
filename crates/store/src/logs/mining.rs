//! One miner per database. Template ids are numbered per customer by a miner whose state
//! lives in `log_miner_state`; two processes mining the same customer would hand out the
//! same number for different templates. So only the holder of the `log-miner` lease mines:
//! every batch it writes checks, in the writing transaction, that it still holds the lease
//! (and renews it) — a holder that lost it writes its messages unmined instead (template 0).
//! Other processes store what they receive unmined; the holder mines those rows later,
//! oldest first ([`Store::unmined_logs`], [`Store::apply_mined`]), so every id comes from
//! the one miner and nothing is lost or stored twice.
use super::findings::raise_findings_in;
use super::ingest::{insert_templates, save_state};
use super::{LogFinding, NewLogTemplate};
use crate::{Backend, Result, Store};
use sqlx::{Any, Row, Transaction};

/// The lease row's name in `monitor_leases`.
pub const MINER_LEASE: &str = "log-miner";
/// How long the lease lasts without renewal (ms).
pub const MINER_TTL_MS: i64 = 30_000;

/// What a claim of the miner lease found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinerLease {
    /// Held by the caller; `continuous` when it already held it (no one mined in between).
    Held { continuous: bool },
    /// Held by another live process.
    Elsewhere,
}

/// In a transaction: renew the lease if `holder` holds it; take it if it is free or expired
/// and `take` is set. Locks the lease row on PostgreSQL until the transaction ends.
pub(crate) async fn claim_in(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    holder: &str,
    take: bool,
) -> Result<MinerLease> {
    let now = crate::now_ms();
    sqlx::query(
        "INSERT INTO monitor_leases (name, holder, until_ms) VALUES ($1, '', 0) ON CONFLICT (name) DO NOTHING",
    )
    .bind(MINER_LEASE)
    .execute(&mut **tx)
    .await?;
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let row = sqlx::query(&format!(
        "SELECT holder, until_ms FROM monitor_leases WHERE name = $1{lock}"
    ))
    .bind(MINER_LEASE)
    .fetch_one(&mut **tx)
    .await?;
    let (current, until): (String, i64) = (row.try_get(0)?, row.try_get(1)?);
    let continuous = current == holder;
    if !continuous && (!take || until >= now) {
        return Ok(MinerLease::Elsewhere);
    }
    sqlx::query("UPDATE monitor_leases SET holder = $1, until_ms = $2 WHERE name = $3")
        .bind(holder)
        .bind(now + MINER_TTL_MS)
        .bind(MINER_LEASE)
        .execute(&mut **tx)
        .await?;
    Ok(MinerLease::Held { continuous })
}

/// A stored message not mined yet.
#[derive(Debug, Clone, PartialEq)]
pub struct UnminedLog {
    pub id: String,
    pub customer_id: Option<String>,
    pub host_id: Option<String>,
    pub hostname: Option<String>,
    pub program: Option<String>,
    pub at: i64,
    pub message: String,
}

/// The miner's work on unmined rows: their template ids, the templates and states that
/// know them, and the findings (new templates) they raised.
#[derive(Debug, Default)]
pub struct MinedRows {
    /// (message id, template id).
    pub assigned: Vec<(String, i64)>,
    pub templates: Vec<NewLogTemplate>,
    pub states: Vec<(String, String)>,
    pub findings: Vec<LogFinding>,
}

impl Store {
    /// Take (or renew) the miner lease for `holder` in its own transaction.
    pub async fn claim_miner_lease(&self, holder: &str) -> Result<MinerLease> {
        let mut tx = self.begin_plain().await?;
        let got = claim_in(&mut tx, self.backend(), holder, true).await?;
        tx.commit().await?;
        Ok(got)
    }

    /// Give the miner lease up (on a clean shutdown), if `holder` holds it, so that another
    /// process can take it at once instead of after [`MINER_TTL_MS`].
    pub async fn release_miner_lease(&self, holder: &str) -> Result<()> {
        sqlx::query(
            "UPDATE monitor_leases SET holder = '', until_ms = 0 WHERE name = $1 AND holder = $2",
        )
        .bind(MINER_LEASE)
        .bind(holder)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Up to `limit` messages stored unmined, oldest first.
    pub async fn unmined_logs(&self, limit: i64) -> Result<Vec<UnminedLog>> {
        let rows = sqlx::query(
            "SELECT id, customer_id, host_id, hostname, program, at, message FROM log_messages \
             WHERE template_id = 0 ORDER BY received_at, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UnminedLog {
                    id: r.try_get(0)?,
                    customer_id: r.try_get(1)?,
                    host_id: r.try_get(2)?,
                    hostname: r.try_get(3)?,
                    program: r.try_get(4)?,
                    at: r.try_get(5)?,
                    message: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// Write the miner's work on unmined rows, if `holder` still holds the miner lease
    /// (false, and nothing written, when it does not).
    pub async fn apply_mined(&self, holder: &str, work: &MinedRows) -> Result<bool> {
        let mut tx = self.begin_plain().await?;
        if claim_in(&mut tx, self.backend(), holder, false).await? == MinerLease::Elsewhere {
            return Ok(false);
        }
        insert_templates(&mut tx, &work.templates).await?;
        for (id, template) in &work.assigned {
            sqlx::query(
                "UPDATE log_messages SET template_id = $1 WHERE id = $2 AND template_id = 0",
            )
            .bind(template)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        for (key, state) in &work.states {
            save_state(&mut tx, key, state).await?;
        }
        raise_findings_in(&mut tx, &work.findings, crate::now_ms()).await?;
        tx.commit().await?;
        Ok(true)
    }
}
