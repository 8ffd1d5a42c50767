//! Hand-over of agent payloads (inventory, log lines) from stored batches to the patch and
//! log stores. A batch row's `has_inventory` / `log_lines` flags are cleared when that part
//! has been handed over ("consumed"); a row whose metrics are compacted and whose payload is
//! consumed is deleted (the host's seq mark still dedupes resends). Clearing `log_lines`
//! happens inside the log store's insert transaction ([`consume_logs_in`]), so a batch's log
//! lines are stored exactly once even when it is dispatched twice.
use crate::{Backend, Result, Store};
use sqlx::{Any, AnyConnection, Row, Transaction};

/// A stored batch with a payload still to hand over.
#[derive(Debug, Clone)]
pub struct PendingPayload {
    pub host_id: String,
    pub seq: i64,
    pub has_inventory: bool,
    pub log_lines: i64,
    /// The batch as received (gzip JSON).
    pub body: Vec<u8>,
}

/// Delete the row when nothing in it is needed any more.
async fn drop_if_spent(conn: &mut AnyConnection, host_id: &str, seq: i64) -> Result<()> {
    sqlx::query(
        "DELETE FROM metric_batches WHERE host_id = $1 AND seq = $2 \
         AND compacted_at IS NOT NULL AND has_inventory = 0 AND log_lines = 0",
    )
    .bind(host_id)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(())
}

/// Inside the log store's write transaction: mark a batch's log lines consumed. False when
/// they were consumed before (or the batch is gone): its lines must not be stored again.
pub(crate) async fn consume_logs_in(
    tx: &mut Transaction<'static, Any>,
    host_id: &str,
    seq: i64,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE metric_batches SET log_lines = 0 WHERE host_id = $1 AND seq = $2 AND log_lines <> 0",
    )
    .bind(host_id)
    .bind(seq)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    drop_if_spent(&mut *tx, host_id, seq).await?;
    Ok(n == 1)
}

impl Store {
    /// Batches still holding inventory or log lines, oldest first, with their flags.
    pub async fn pending_payloads(&self, limit: i64) -> Result<Vec<PendingPayload>> {
        let rows = sqlx::query(
            "SELECT host_id, seq, has_inventory, log_lines, body FROM metric_batches \
             WHERE (has_inventory <> 0 OR log_lines <> 0) AND body IS NOT NULL \
             ORDER BY received_at, seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingPayload {
                    host_id: r.try_get(0)?,
                    seq: r.try_get(1)?,
                    has_inventory: r.try_get::<i64, _>(2)? != 0,
                    log_lines: r.try_get(3)?,
                    body: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Mark a batch's inventory handed over (after `put_inventory`, or when it cannot be
    /// stored at all). `logs_too` also drops its log lines (an undecodable batch).
    pub async fn consume_payload(&self, host_id: &str, seq: i64, logs_too: bool) -> Result<()> {
        let mut tx = match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let sql = if logs_too {
            "UPDATE metric_batches SET has_inventory = 0, log_lines = 0 WHERE host_id = $1 AND seq = $2"
        } else {
            "UPDATE metric_batches SET has_inventory = 0 WHERE host_id = $1 AND seq = $2"
        };
        sqlx::query(sql)
            .bind(host_id)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        drop_if_spent(&mut tx, host_id, seq).await?;
        tx.commit().await?;
        Ok(())
    }
}
