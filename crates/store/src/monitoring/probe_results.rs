//! The newest result of each check and scrape, kept on its row for the UI and for telling a
//! change of state (ok → failing) from a repeat. Telemetry: not audited. The samples
//! themselves go through `ingest_polled`.
use super::probe_types::{Check, ProbeState};
use crate::{Backend, Result, Store, StoreError};
use sqlx::Row;

impl Store {
    /// Every enabled check, for the scheduler (no scope: the system).
    pub async fn check_jobs(&self) -> Result<Vec<Check>> {
        Ok(self
            .list_checks(&crate::Scope::System, None)
            .await?
            .into_iter()
            .filter(|c| c.enabled)
            .collect())
    }

    /// Record a check's result; returns whether the previous run was ok (`None`: it never
    /// ran, or the check is gone).
    pub async fn record_check_result(&self, id: &str, s: &ProbeState) -> Result<Option<bool>> {
        let mut tx = match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let lock = match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        };
        let prev: Option<Option<i64>> = sqlx::query(&format!(
            "SELECT last_ok FROM probe_checks WHERE id = $1{lock}"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        sqlx::query("UPDATE probe_checks SET last_run_at = $1, last_ok = $2, last_message = $3, last_duration_ms = $4, last_method = $5 WHERE id = $6")
            .bind(s.run_at)
            .bind(i64::from(s.ok))
            .bind(&s.message)
            .bind(s.duration_ms)
            .bind(&s.method)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_write)?;
        tx.commit().await?;
        Ok(prev.flatten().map(|v| v == 1))
    }

    /// Record a scrape's result and how many samples it stored.
    pub async fn record_scrape_result(&self, id: &str, s: &ProbeState, samples: i64) -> Result<()> {
        sqlx::query("UPDATE scrape_targets SET last_run_at = $1, last_ok = $2, last_message = $3, last_duration_ms = $4, last_samples = $5 WHERE id = $6")
            .bind(s.run_at)
            .bind(i64::from(s.ok))
            .bind(&s.message)
            .bind(s.duration_ms)
            .bind(samples)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }
}
