//! Ingest: a batch is stored as received (gzip JSON), keyed by (host, sequence number) so a
//! resent batch is stored once, and acknowledged after the commit. Concurrent batches share
//! one transaction (group commit, see the server's `monitor::ingest::Ingestor`). Telemetry is not business
//! data: batches are not audited (enrolment, rules, alerts and incidents are).
//!
//! Inventory and log-line payloads stay in `metric_batches.body` (flags `has_inventory`,
//! `log_lines`) after compaction; [`Store::payload_batches`] is where a dispatcher hands them
//! to the inventory and log engines.
use super::AgentIdentity;
use crate::{Backend, Result, Store, StoreError, now_ms};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// What the ingest path learnt from decoding a batch.
#[derive(Debug, Clone, Copy)]
pub struct BatchMeta {
    pub seq: u64,
    pub samples: u64,
    pub has_inventory: bool,
    pub log_lines: u64,
    /// Check results carried (stored from the body in the ingest transaction).
    pub checks: u32,
}

impl Store {
    /// Store one batch durably; see [`Store::ingest_batches`].
    pub async fn ingest_batch(
        &self,
        agent: &AgentIdentity,
        meta: BatchMeta,
        body: &[u8],
    ) -> Result<bool> {
        Ok(self.ingest_batches(&[(agent, meta, body)]).await?[0])
    }

    /// Store batches durably in one transaction (group commit). For each, `false` when it
    /// was stored before and is not stored again: its (host, seq) row exists, or its seq is
    /// at or below the host's highest stored seq (agents send strictly increasing sequence
    /// numbers, one batch at a time, so anything at or below the mark is a resend; rows of
    /// compacted batches are deleted, the mark stays).
    pub async fn ingest_batches(
        &self,
        items: &[(&AgentIdentity, BatchMeta, &[u8])],
    ) -> Result<Vec<bool>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let mut seqs = Vec::with_capacity(items.len());
        for (_, meta, _) in items {
            seqs.push(
                i64::try_from(meta.seq)
                    .map_err(|_| StoreError::Other("sequence number out of range".into()))?,
            );
        }
        let mut tx = match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        // The marks of every host of the group, in one query.
        let mut hosts: Vec<&str> = items.iter().map(|(a, _, _)| a.host_id.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        let sql = format!(
            "SELECT id, last_seq FROM monitored_hosts WHERE id IN ({})",
            params(1, hosts.len())
        );
        let mut q = sqlx::query(&sql);
        for h in &hosts {
            q = q.bind(*h);
        }
        let mut marks: HashMap<&str, Option<i64>> = hosts.iter().map(|h| (*h, None)).collect();
        for r in q.fetch_all(&mut *tx).await? {
            let id: String = r.try_get(0)?;
            if let Some(m) = marks.get_mut(id.as_str()) {
                *m = r.try_get(1)?;
            }
        }
        // Above its host's mark (taken as it rises through the group) a batch is new; the new
        // ones are inserted in one statement, which returns those it stored.
        let mut new = Vec::new();
        for (i, ((agent, _, _), &seq)) in items.iter().zip(&seqs).enumerate() {
            let mark = marks.entry(agent.host_id.as_str()).or_insert(None);
            if mark.is_none_or(|m| seq > m) {
                new.push(i);
            }
            *mark = Some(mark.map_or(seq, |m| m.max(seq)));
        }
        let mut stored: HashSet<(String, i64)> = HashSet::new();
        if !new.is_empty() {
            let rows: Vec<String> = (0..new.len())
                .map(|k| format!("({})", params(k * 7 + 1, 7)))
                .collect();
            let sql = format!(
                "INSERT INTO metric_batches (host_id, seq, received_at, samples, has_inventory, log_lines, body) \
                 VALUES {} ON CONFLICT (host_id, seq) DO NOTHING RETURNING host_id, seq",
                rows.join(",")
            );
            let mut q = sqlx::query(&sql);
            for &i in &new {
                let (agent, meta, body) = &items[i];
                q = q
                    .bind(&agent.host_id)
                    .bind(seqs[i])
                    .bind(now)
                    .bind(meta.samples as i64)
                    .bind(i64::from(meta.has_inventory))
                    .bind(meta.log_lines as i64)
                    .bind(*body);
            }
            for r in q.fetch_all(&mut *tx).await? {
                stored.insert((r.try_get(0)?, r.try_get(1)?));
            }
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, (agent, meta, body)) in items.iter().enumerate() {
            let fresh =
                new.binary_search(&i).is_ok() && stored.contains(&(agent.host_id.clone(), seqs[i]));
            if fresh && meta.checks > 0 {
                let batch = onestop_proto::decode_batch(body)
                    .map_err(|e| StoreError::Other(format!("stored batch: {e}")))?;
                super::checks::insert_checks_in(
                    &mut tx,
                    &agent.host_id,
                    &agent.customer_id,
                    &batch.payload.checks,
                    now,
                )
                .await?;
            }
            out.push(fresh);
        }
        // Every host's mark and last-seen time, in one statement.
        let mut sql =
            String::from("UPDATE monitored_hosts SET last_seen_at = $1, last_seq = CASE id");
        for k in 0..hosts.len() {
            sql.push_str(&format!(" WHEN ${} THEN ${}", 2 * k + 2, 2 * k + 3));
        }
        sql.push_str(&format!(
            " END WHERE id IN ({})",
            params(2 * hosts.len() + 2, hosts.len())
        ));
        let mut q = sqlx::query(&sql).bind(now);
        for h in &hosts {
            q = q.bind(*h).bind(marks[h]);
        }
        for h in &hosts {
            q = q.bind(*h);
        }
        q.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Batches (host, seq, gzip JSON body) still holding inventory or log lines, oldest
    /// first: the hand-over point for the inventory and log consumers.
    pub async fn payload_batches(&self, limit: i64) -> Result<Vec<(String, i64, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT host_id, seq, body FROM metric_batches \
             WHERE (has_inventory <> 0 OR log_lines <> 0) AND body IS NOT NULL ORDER BY received_at, seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// How many batches of a host are stored and not yet compacted away, and their samples
    /// (tests and reports).
    pub async fn batch_totals(&self, host_id: &str) -> Result<(i64, i64)> {
        let r = sqlx::query(
            "SELECT COUNT(*), CAST(COALESCE(SUM(samples), 0) AS BIGINT) FROM metric_batches WHERE host_id = $1",
        )
        .bind(host_id)
        .fetch_one(&self.pool)
        .await?;
        Ok((r.try_get(0)?, r.try_get(1)?))
    }
}

/// `$first, …` for `n` consecutive bind parameters.
fn params(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|k| format!("${k}"))
        .collect::<Vec<_>>()
        .join(",")
}
