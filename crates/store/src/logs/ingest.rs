//! The ingest side: routes for the router, batched inserts of messages with their new
//! templates and miner states in one transaction, template refreshes, retention purge.
use super::findings::raise_findings_in;
use super::mining::{MinerLease, claim_in};
use super::{LogFinding, LogRoute, NewLogMessage, NewLogTemplate, TemplateUpdate, scope_key};
use crate::scope::Filter;
use crate::{Backend, Result, Scope, Store};
use sqlx::{Any, Row, Transaction};

/// Rows per INSERT statement (14 parameters each). SQLite resolves *named* parameters
/// (`$N`, `?N`) through a list scanned linearly on every bind, a cost that grows with the
/// square of their number (500-row statements ran at ~2,500 rows/s with `$N`); anonymous
/// `?` parameters are bound by position, so SQLite gets `?` and large statements too.
/// A batch is cut into statements of `ROWS` rows and then powers of two, so that only ten
/// statement texts exist and each is prepared once per connection (preparing a statement
/// of thousands of parameters costs more than binding them).
const ROWS: usize = 512;
const COLS: &str = "id, received_at, at, customer_id, host_id, source, hostname, program, facility, \
     syslog_severity, severity, template_id, rules, message";

/// One batch of ingested messages: written, with the templates they introduced and the
/// miner states that know those templates, in one transaction.
#[derive(Debug, Default)]
pub struct LogBatch {
    pub messages: Vec<NewLogMessage>,
    pub templates: Vec<NewLogTemplate>,
    /// (scope key, serialized miner state).
    pub states: Vec<(String, String)>,
    /// Messages that came in an agent's batch: stored only if that batch's log lines are
    /// consumed in this transaction (so a batch dispatched twice is stored once).
    pub agent_batches: Vec<AgentBatchLines>,
    /// The miner-lease holder that mined this batch. When set, its template ids, templates,
    /// states and `mined_findings` are kept only if the holder still holds the lease;
    /// otherwise the messages are stored unmined (template 0). `None`: kept as given.
    pub miner: Option<String>,
    /// Findings that do not depend on mining (rule matches): raised with the batch.
    pub findings: Vec<LogFinding>,
    /// Findings that do (new templates): raised only when the mining is kept.
    pub mined_findings: Vec<LogFinding>,
}

/// The messages (`messages[range]`) of one agent batch (host, seq) within a [`LogBatch`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentBatchLines {
    pub host_id: String,
    pub seq: i64,
    pub range: std::ops::Range<usize>,
}

impl Store {
    pub(crate) async fn begin_plain(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// The hosts syslog sources may be routed to: every asset the scope sees with its name
    /// and addresses (the ingest task reads them as [`Scope::System`]).
    pub async fn log_routes(&self, scope: &Scope) -> Result<Vec<LogRoute>> {
        let f = Filter::scoped(scope, "customer_id");
        let sql = format!(
            "SELECT id, customer_id, name, ip_addresses FROM assets{}",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(LogRoute {
                    asset_id: r.try_get(0)?,
                    customer_id: r.try_get(1)?,
                    name: r.try_get(2)?,
                    ip_addresses: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Write a batch in one transaction. Not audited: log messages are operational data.
    /// Returns whether its mining was kept (false when `batch.miner` lost the miner lease:
    /// the messages were then stored unmined, for the lease holder to mine).
    pub async fn insert_log_batch(&self, batch: &LogBatch) -> Result<bool> {
        let mut tx = self.begin_plain().await?;
        let mined = match &batch.miner {
            None => true,
            Some(holder) => {
                claim_in(&mut tx, self.backend(), holder, false).await? != MinerLease::Elsewhere
            }
        };
        if mined {
            insert_templates(&mut tx, &batch.templates).await?;
        }
        let mut skip = Vec::new();
        for a in &batch.agent_batches {
            if !crate::monitoring::consume_logs_in(&mut tx, &a.host_id, a.seq).await? {
                skip.push(a.range.clone());
            }
        }
        let kept: Vec<&NewLogMessage> = batch
            .messages
            .iter()
            .enumerate()
            .filter(|(i, _)| !skip.iter().any(|r| r.contains(i)))
            .map(|(_, m)| m)
            .collect();
        let mut rest = &kept[..];
        while !rest.is_empty() {
            let n = match rest.len() {
                n if n >= ROWS => ROWS,
                n => 1 << n.ilog2(),
            };
            insert_messages(&mut tx, self.backend(), &rest[..n], mined).await?;
            rest = &rest[n..];
        }
        let now = crate::now_ms();
        raise_findings_in(&mut tx, &batch.findings, now).await?;
        if mined {
            for (key, state) in &batch.states {
                save_state(&mut tx, key, state).await?;
            }
            raise_findings_in(&mut tx, &batch.mined_findings, now).await?;
        }
        tx.commit().await?;
        Ok(mined)
    }

    /// The persisted miner state of a customer (`""` for the unrouted stream), if any.
    pub async fn load_miner_state(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT state FROM log_miner_state WHERE scope_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Save miner states and refreshed template texts (generalised, merged) together.
    pub async fn save_miner_states(
        &self,
        states: &[(String, String)],
        updates: &[TemplateUpdate],
    ) -> Result<()> {
        self.save_miner_states_as(None, states, updates).await?;
        Ok(())
    }

    /// [`Store::save_miner_states`] for the holder of the miner lease: nothing is saved
    /// (false) when `holder` no longer holds it.
    pub async fn save_miner_states_as(
        &self,
        holder: Option<&str>,
        states: &[(String, String)],
        updates: &[TemplateUpdate],
    ) -> Result<bool> {
        let mut tx = self.begin_plain().await?;
        if let Some(h) = holder
            && claim_in(&mut tx, self.backend(), h, false).await? == MinerLease::Elsewhere
        {
            return Ok(false);
        }
        let now = crate::now_ms();
        for u in updates {
            sqlx::query(
                "UPDATE log_templates SET canonical_id = $1, template = $2, updated_at = $3 \
                 WHERE scope_key = $4 AND template_id = $5",
            )
            .bind(u.canonical_id)
            .bind(&u.template)
            .bind(now)
            .bind(scope_key(u.customer_id.as_deref()))
            .bind(u.template_id)
            .execute(&mut *tx)
            .await?;
        }
        for (key, state) in states {
            save_state(&mut tx, key, state).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Delete messages received before `before` (ms), in slices so that no transaction
    /// holds the database long. Returns how many were deleted.
    pub async fn purge_logs(&self, before: i64) -> Result<u64> {
        let mut total = 0;
        loop {
            let mut tx = self.begin_plain().await?;
            let n = sqlx::query(
                "DELETE FROM log_messages WHERE id IN \
                 (SELECT id FROM log_messages WHERE received_at < $1 LIMIT 5000)",
            )
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            total += n;
            if n < 5000 {
                return Ok(total);
            }
        }
    }
}

pub(super) async fn insert_templates(
    tx: &mut Transaction<'static, Any>,
    templates: &[NewLogTemplate],
) -> Result<()> {
    for t in templates {
        sqlx::query(
            "INSERT INTO log_templates (scope_key, template_id, customer_id, canonical_id, template, first_seen, updated_at) \
             VALUES ($1, $2, $3, $2, $4, $5, $5) ON CONFLICT (scope_key, template_id) DO NOTHING",
        )
        .bind(scope_key(t.customer_id.as_deref()))
        .bind(t.template_id)
        .bind(&t.customer_id)
        .bind(&t.template)
        .bind(t.first_seen)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn insert_messages(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    rows: &[&NewLogMessage],
    mined: bool,
) -> Result<()> {
    use std::fmt::Write;
    let mut sql = format!("INSERT INTO log_messages ({COLS}) VALUES ");
    for i in 0..rows.len() {
        sql.push_str(if i > 0 { ",(" } else { "(" });
        for k in 1..=14 {
            if k > 1 {
                sql.push(',');
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    let _ = write!(sql, "${}", i * 14 + k);
                }
            }
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT (id) DO NOTHING");
    let mut q = sqlx::query(&sql);
    for m in rows {
        q = q
            .bind(&m.id)
            .bind(m.received_at)
            .bind(m.at)
            .bind(&m.customer_id)
            .bind(&m.host_id)
            .bind(&m.source)
            .bind(&m.hostname)
            .bind(&m.program)
            .bind(m.facility)
            .bind(m.syslog_severity)
            .bind(m.severity)
            .bind(if mined { m.template_id } else { 0 })
            .bind(&m.rules)
            .bind(&m.message);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

pub(super) async fn save_state(
    tx: &mut Transaction<'static, Any>,
    key: &str,
    state: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO log_miner_state (scope_key, state, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (scope_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(state)
    .bind(crate::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The stored templates of a miner scope: (template number, canonical number, text).
    pub async fn log_template_rows(&self, key: &str) -> Result<Vec<(i64, i64, String)>> {
        let rows = sqlx::query(
            "SELECT template_id, canonical_id, template FROM log_templates WHERE scope_key = $1 ORDER BY template_id",
        )
        .bind(key)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// A cheap fingerprint of the asset register (count, latest change), so the syslog
    /// router reloads its routes only when assets changed.
    pub async fn assets_fingerprint(&self) -> Result<(i64, i64)> {
        let r = sqlx::query("SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM assets")
            .fetch_one(&self.pool)
            .await?;
        Ok((r.try_get(0)?, r.try_get(1)?))
    }
}
