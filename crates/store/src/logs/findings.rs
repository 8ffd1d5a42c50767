//! Log diagnosis findings raised as events (source `log`), once per condition per period.
//!
//! A finding carries a mark: the condition and, for findings counted per period, the period
//! (`rule:<customer>:<host>:<rule>:<hour>`). Its event is raised only when the mark is
//! claimed: absent, or expired (`until_ms` passed). A mark still running is extended instead,
//! so a spike that lasts raises one event. Marks and events are written in one transaction.
use crate::monitoring::{EventInput, insert_event_in};
use crate::{Result, Store};
use sqlx::{Any, Row, Transaction};

/// One finding: the event to raise and the mark that makes it once per condition.
#[derive(Debug, Clone)]
pub struct LogFinding {
    pub mark: String,
    /// Until when the condition counts as the same one (ms).
    pub until_ms: i64,
    pub event: EventInput,
}

/// Claim each finding's mark and raise the events of those claimed; how many were raised.
pub(crate) async fn raise_findings_in(
    tx: &mut Transaction<'static, Any>,
    findings: &[LogFinding],
    now: i64,
) -> Result<usize> {
    let mut raised = 0;
    for f in findings {
        // A running condition: extend it, no new event.
        let running = sqlx::query(
            "UPDATE log_event_marks SET until_ms = $1 WHERE mark = $2 AND until_ms >= $3",
        )
        .bind(f.until_ms.max(now))
        .bind(&f.mark)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if running > 0 {
            continue;
        }
        // New or expired: whoever writes the mark raises the event (a concurrent writer on
        // PostgreSQL waits for this one and then finds the mark running).
        let claimed = sqlx::query(
            "INSERT INTO log_event_marks (mark, until_ms) VALUES ($1, $2) ON CONFLICT (mark) \
             DO UPDATE SET until_ms = excluded.until_ms WHERE log_event_marks.until_ms < $3",
        )
        .bind(&f.mark)
        .bind(f.until_ms.max(now))
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if claimed > 0 {
            insert_event_in(tx, &f.event, now).await?;
            raised += 1;
        }
    }
    Ok(raised)
}

impl Store {
    /// Raise findings found outside an ingest batch (spikes); how many events were raised.
    pub async fn raise_log_findings(&self, findings: &[LogFinding]) -> Result<usize> {
        if findings.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_plain().await?;
        let n = raise_findings_in(&mut tx, findings, crate::now_ms()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Forget marks that expired more than a day ago (they can no longer suppress anything).
    pub async fn purge_log_marks(&self, now: i64) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM log_event_marks WHERE until_ms < $1")
                .bind(now - 86_400_000)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }
}

/// Messages of one template on one host in the current window or in the baseline before it.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeCount {
    pub customer_id: String,
    pub host_id: String,
    /// The asset's name (current-window rows only).
    pub host_name: Option<String>,
    pub template_id: i64,
    /// The template's text (current-window rows with at least the minimum count only).
    pub template: String,
    /// In the current window (else in the baseline before it).
    pub current: bool,
    pub count: i64,
    /// The newest message of the group (current-window rows with enough messages only).
    pub example: String,
    pub example_at: i64,
}

impl Store {
    /// Per (host, template): messages in `[now - window, now)` and in the `baseline`
    /// windows before it. Groups of the current window with at least `min_count` messages
    /// come with the host's name, the template's text and their newest message.
    pub async fn spike_counts(
        &self,
        now: i64,
        window: i64,
        baseline: i64,
        min_count: i64,
    ) -> Result<Vec<SpikeCount>> {
        let cur = now - window;
        let rows = sqlx::query(
            "SELECT customer_id, host_id, template_id, CAST(CASE WHEN at >= $1 THEN 1 ELSE 0 END AS BIGINT), COUNT(*), MAX(at) \
             FROM log_messages WHERE at >= $2 AND at < $3 AND host_id IS NOT NULL AND customer_id IS NOT NULL \
             AND template_id > 0 GROUP BY customer_id, host_id, template_id, CASE WHEN at >= $1 THEN 1 ELSE 0 END",
        )
        .bind(cur)
        .bind(cur - baseline * window)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let current: i64 = r.try_get(3)?;
            let mut c = SpikeCount {
                customer_id: r.try_get(0)?,
                host_id: r.try_get(1)?,
                host_name: None,
                template_id: r.try_get(2)?,
                template: String::new(),
                current: current == 1,
                count: r.try_get(4)?,
                example: String::new(),
                example_at: r.try_get(5)?,
            };
            if c.current && c.count >= min_count {
                self.fill_spike(&mut c).await?;
            }
            out.push(c);
        }
        Ok(out)
    }

    async fn fill_spike(&self, c: &mut SpikeCount) -> Result<()> {
        let name = sqlx::query("SELECT name FROM assets WHERE id = $1")
            .bind(&c.host_id)
            .fetch_optional(&self.pool)
            .await?;
        c.host_name = name.map(|r| r.try_get(0)).transpose()?;
        let t = sqlx::query(
            "SELECT template FROM log_templates WHERE scope_key = $1 AND template_id = $2",
        )
        .bind(&c.customer_id)
        .bind(c.template_id)
        .fetch_optional(&self.pool)
        .await?;
        c.template = t.map(|r| r.try_get(0)).transpose()?.unwrap_or_default();
        let m = sqlx::query(
            "SELECT message FROM log_messages WHERE host_id = $1 AND template_id = $2 AND at = $3 LIMIT 1",
        )
        .bind(&c.host_id)
        .bind(c.template_id)
        .bind(c.example_at)
        .fetch_optional(&self.pool)
        .await?;
        c.example = m.map(|r| r.try_get(0)).transpose()?.unwrap_or_default();
        Ok(())
    }
}
