//! Hosts the server polls itself: SNMP devices, Prometheus scrape targets and the targets of
//! network checks. Any asset of the register can become one; it is then a monitored host
//! without an agent credential (`source` names the poller), listed, charted and alerted on
//! like an agent's host. The poller's samples enter through the same stored-batch path as an
//! agent's (compaction, rollups and retention apply unchanged). Each call takes the host's
//! next poll number under the row's lock, so two pollers never collide, and stores the batch
//! under its negation: an agent's sequence numbers are positive, so the server may also poll
//! an agent's host (scrape an application on it, check its ports) without touching the
//! agent's resend mark.
use crate::{Backend, Result, Scope, Store, StoreError, now_ms};
use onestop_proto::{Batch, Payload, Series};
use sqlx::Row;

/// Who delivers a polled host's samples.
pub const POLLED_SOURCES: [&str; 3] = ["snmp", "scrape", "probe"];

impl Store {
    /// Make the asset `asset_id` a host polled by the server (`source`: one of
    /// [`POLLED_SOURCES`]). An asset already monitored (by an agent or a poller) keeps its
    /// row; the id of the host (the asset id) is returned. Audited when a host is added.
    pub async fn ensure_polled_host(
        &self,
        scope: &Scope,
        asset_id: &str,
        source: &str,
    ) -> Result<String> {
        if !POLLED_SOURCES.contains(&source) {
            return Err(onestop_domain::model::ValidationError::new(
                "source",
                format!("must be one of {}", POLLED_SOURCES.join(", ")),
            )
            .into());
        }
        let asset = self.get_asset(scope, asset_id).await?;
        let mut tx = self.write(scope).await?;
        let exists = sqlx::query("SELECT 1 FROM monitored_hosts WHERE id = $1")
            .bind(&asset.id)
            .fetch_optional(tx.conn())
            .await?
            .is_some();
        if !exists {
            sqlx::query(
                "INSERT INTO monitored_hosts (id, customer_id, machine_id, hostname, credential_hash, enrolled_at, source) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&asset.id)
            .bind(&asset.customer_id)
            .bind(format!("{source}:{}", asset.id))
            .bind(&asset.name)
            // Never the SHA-256 of a credential: no agent can sign in as this host.
            .bind(format!("polled:{}", asset.id))
            .bind(tx.now)
            .bind(source)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
            tx.audit(
                "host.poll",
                "host",
                &asset.id,
                Some(&asset.customer_id),
                None,
                Some(&serde_json::json!({"name": asset.name, "source": source})),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(asset.id)
    }

    /// Store samples the server collected for a monitored host, durably, as the host's next
    /// polled batch. Returns its poll number (the batch is stored under the negation).
    /// A host without an agent counts as seen; an agent's host is seen only when its agent
    /// reports. Telemetry, so not audited.
    pub async fn ingest_polled(&self, host_id: &str, series: Vec<Series>) -> Result<i64> {
        let samples: u64 = series.iter().map(|s| s.points.len() as u64).sum();
        let now = now_ms();
        let mut tx = match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let poll: i64 = sqlx::query(
            "UPDATE monitored_hosts SET poll_seq = poll_seq + 1, \
             last_seen_at = CASE WHEN source = 'agent' THEN last_seen_at ELSE $1 END \
             WHERE id = $2 RETURNING poll_seq",
        )
        .bind(now)
        .bind(host_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_get(0)?;
        let seq = -poll;
        let batch = Batch {
            version: onestop_proto::PROTOCOL_VERSION,
            seq: poll as u64,
            sent_at_ms: now,
            payload: Payload {
                series,
                ..Payload::default()
            },
        };
        let body = onestop_proto::encode_batch(&batch)
            .map_err(|e| StoreError::Other(format!("encoding polled samples: {e}")))?;
        sqlx::query(
            "INSERT INTO metric_batches (host_id, seq, received_at, samples, has_inventory, log_lines, body) \
             VALUES ($1, $2, $3, $4, 0, 0, $5)",
        )
        .bind(host_id)
        .bind(seq)
        .bind(now)
        .bind(samples as i64)
        .bind(body)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(poll)
    }
}
