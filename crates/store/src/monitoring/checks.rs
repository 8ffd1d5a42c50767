//! The agent's check results (`host_checks`): stored by the ingest transaction of the batch
//! that carried them, so a resent batch (same host and sequence number) never stores them
//! twice, and read back as the newest result per check of a host, with its evidence.
use crate::{Result, Scope, Store, new_id};
use onestop_proto::{CHECK_IDS, CheckResult, CheckStatus};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use utoipa::ToSchema;

/// Longest summary and source kept, characters.
const MAX_TEXT: usize = 500;
/// Largest detail kept, bytes of JSON (larger ones are replaced by a note).
const MAX_DETAIL: usize = 64 * 1024;

/// One stored check result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HostCheck {
    pub check_id: String,
    pub check_version: i64,
    /// `ok`, `finding`, `n/a` or `error`.
    pub status: String,
    pub summary: String,
    /// Measured values.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The command or file that produced the result.
    pub source: String,
    /// When the agent ran the check, ms.
    pub observed_at: i64,
    pub received_at: i64,
}

/// The stored form of a status.
pub fn status_text(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Ok => "ok",
        CheckStatus::Finding => "finding",
        CheckStatus::NotApplicable => "n/a",
        CheckStatus::Error => "error",
    }
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_TEXT).collect()
}

/// Insert the results of one batch inside the ingest transaction. Results of checks this
/// server does not know (a newer agent) are skipped.
pub(crate) async fn insert_checks_in(
    conn: &mut AnyConnection,
    host_id: &str,
    customer_id: &str,
    checks: &[CheckResult],
    now: i64,
) -> Result<usize> {
    let mut n = 0;
    for c in checks
        .iter()
        .filter(|c| CHECK_IDS.contains(&c.check.as_str()))
    {
        let mut detail = c.detail.to_string();
        if detail.len() > MAX_DETAIL {
            detail = serde_json::json!({ "note": "detail too large, dropped" }).to_string();
        }
        sqlx::query(
            "INSERT INTO host_checks (id, host_id, customer_id, check_id, check_version, status, summary, detail, source, observed_at, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(new_id())
        .bind(host_id)
        .bind(customer_id)
        .bind(&c.check)
        .bind(i64::from(c.version))
        .bind(status_text(c.status))
        .bind(clip(&c.summary))
        .bind(detail)
        .bind(clip(&c.source))
        .bind(c.observed_at_ms)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        n += 1;
    }
    Ok(n)
}

impl Store {
    /// The newest result of each check of a host the scope may see, in the agent's check
    /// order. `NotFound` when the host is not visible.
    pub async fn latest_host_checks(&self, scope: &Scope, host_id: &str) -> Result<Vec<HostCheck>> {
        self.get_host(scope, host_id, i64::MAX).await?;
        let mut f = crate::scope::Filter::scoped(scope, "h.customer_id");
        f.eq("h.host_id", host_id);
        let sql = format!(
            "SELECT h.check_id, h.check_version, h.status, h.summary, h.detail, h.source, h.observed_at, h.received_at \
             FROM host_checks h{} AND h.observed_at = (SELECT MAX(x.observed_at) FROM host_checks x \
             WHERE x.host_id = h.host_id AND x.check_id = h.check_id) ORDER BY h.received_at DESC",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        let mut out: Vec<HostCheck> = Vec::new();
        for r in &rows {
            let check_id: String = r.try_get(0)?;
            if out.iter().any(|c| c.check_id == check_id) {
                continue;
            }
            let detail: String = r.try_get(4)?;
            out.push(HostCheck {
                check_id,
                check_version: r.try_get(1)?,
                status: r.try_get(2)?,
                summary: r.try_get(3)?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                source: r.try_get(5)?,
                observed_at: r.try_get(6)?,
                received_at: r.try_get(7)?,
            });
        }
        let rank = |id: &str| {
            CHECK_IDS
                .iter()
                .position(|c| *c == id)
                .unwrap_or(usize::MAX)
        };
        out.sort_by_key(|c| rank(&c.check_id));
        Ok(out)
    }
}
