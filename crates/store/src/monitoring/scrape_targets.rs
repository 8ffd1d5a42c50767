//! Prometheus scrape targets of monitored hosts: create, list, change and delete (staff
//! change, a customer's user reads its own; audited, the sealed secret never in the audit).
//! Creating one makes its asset a host polled by the server (`ensure_polled_host(…,
//! "scrape")`). The secret arrives sealed by the server's key; the store never sees it clear.
use super::probe_checks::state_from;
use super::probe_types::*;
use crate::scope::Filter;
use crate::util::{from_json, to_json};
use crate::{Result, Scope, Store, StoreError, new_id};
use onestop_domain::model::ValidationError;
use sqlx::{Row, any::AnyRow};

const COLS: &str = "id, customer_id, host_id, url, labels, interval_secs, timeout_ms, auth_kind, auth_user, auth_secret, enabled, created_at, updated_at, last_run_at, last_ok, last_message, last_duration_ms, NULL, last_samples";

/// A target as the scheduler needs it: with its sealed secret.
#[derive(Debug, Clone)]
pub struct ScrapeJob {
    pub target: ScrapeTarget,
    pub sealed_secret: Option<String>,
}

fn job_from(r: &AnyRow) -> Result<ScrapeJob> {
    let sealed: Option<String> = r.try_get(9)?;
    Ok(ScrapeJob {
        target: ScrapeTarget {
            id: r.try_get(0)?,
            customer_id: r.try_get(1)?,
            host_id: r.try_get(2)?,
            url: r.try_get(3)?,
            labels: from_json(&r.try_get::<String, _>(4)?),
            interval_secs: r.try_get(5)?,
            timeout_ms: r.try_get(6)?,
            auth_kind: r.try_get(7)?,
            auth_user: r.try_get(8)?,
            has_secret: sealed.is_some(),
            enabled: r.try_get::<i64, _>(10)? == 1,
            created_at: r.try_get(11)?,
            updated_at: r.try_get(12)?,
            last: state_from(r, 13)?,
            last_samples: r.try_get(18)?,
        },
        sealed_secret: sealed,
    })
}

fn validate(t: &ScrapeTarget) -> std::result::Result<(), ValidationError> {
    check_timing(t.interval_secs, t.timeout_ms)?;
    check_url("url", &t.url)?;
    for (k, v) in &t.labels {
        check_label_name(k)?;
        if v.len() > 400 {
            return Err(ValidationError::new(
                "labels",
                "values are at most 400 bytes",
            ));
        }
    }
    if !SCRAPE_AUTH.contains(&t.auth_kind.as_str()) {
        return Err(ValidationError::new(
            "auth_kind",
            "must be none, basic or bearer",
        ));
    }
    if t.auth_kind != "none" && !t.has_secret {
        return Err(ValidationError::new(
            "auth_secret",
            "is required for this auth_kind",
        ));
    }
    if t.auth_kind == "basic" && t.auth_user.as_deref().unwrap_or("").is_empty() {
        return Err(ValidationError::new(
            "auth_user",
            "is required for basic auth",
        ));
    }
    Ok(())
}

impl Store {
    /// Scrape targets the scope may see, of one host or all.
    pub async fn list_scrape_targets(
        &self,
        scope: &Scope,
        host_id: Option<&str>,
    ) -> Result<Vec<ScrapeTarget>> {
        let mut f = Filter::scoped(scope, "customer_id");
        if let Some(h) = host_id {
            f.eq("host_id", h);
        }
        let sql = format!(
            "SELECT {COLS} FROM scrape_targets{} ORDER BY host_id, url",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(job_from(r)?.target)).collect()
    }

    pub async fn get_scrape_target(&self, scope: &Scope, id: &str) -> Result<ScrapeTarget> {
        Ok(self.scrape_job(scope, id).await?.target)
    }

    async fn scrape_job(&self, scope: &Scope, id: &str) -> Result<ScrapeJob> {
        let mut f = Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let sql = format!("SELECT {COLS} FROM scrape_targets{}", f.sql);
        let row = f.query(&sql).fetch_optional(&self.pool).await?;
        job_from(&row.ok_or(StoreError::NotFound)?)
    }

    /// Every scrape target with its sealed secret, for the scheduler (no scope: the system).
    pub async fn scrape_jobs(&self) -> Result<Vec<ScrapeJob>> {
        let sql = format!("SELECT {COLS} FROM scrape_targets WHERE enabled = 1 ORDER BY id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(job_from).collect()
    }

    /// Add a scrape target (staff only, audited). `sealed_secret`: the password or token
    /// sealed by the caller.
    pub async fn create_scrape_target(
        &self,
        scope: &Scope,
        i: ScrapeTargetInput,
        sealed_secret: Option<String>,
    ) -> Result<ScrapeTarget> {
        staff_only(scope)?;
        let host_id = self.ensure_polled_host(scope, &i.host_id, "scrape").await?;
        let asset = self.get_asset(scope, &host_id).await?;
        let mut t = ScrapeTarget {
            id: new_id(),
            customer_id: asset.customer_id,
            host_id,
            url: i.url.trim().to_string(),
            labels: i.labels.unwrap_or_default(),
            interval_secs: i.interval_secs.unwrap_or(60),
            timeout_ms: i.timeout_ms.unwrap_or(10_000),
            auth_kind: i.auth_kind.unwrap_or_else(|| "none".into()),
            auth_user: i.auth_user.filter(|u| !u.is_empty()),
            has_secret: sealed_secret.is_some(),
            enabled: i.enabled.unwrap_or(true),
            created_at: 0,
            updated_at: 0,
            last: None,
            last_samples: None,
        };
        validate(&t)?;
        let mut tx = self.write(scope).await?;
        (t.created_at, t.updated_at) = (tx.now, tx.now);
        sqlx::query("INSERT INTO scrape_targets (id, customer_id, host_id, url, labels, interval_secs, timeout_ms, auth_kind, auth_user, auth_secret, enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)")
            .bind(&t.id)
            .bind(&t.customer_id)
            .bind(&t.host_id)
            .bind(&t.url)
            .bind(to_json(&t.labels))
            .bind(t.interval_secs)
            .bind(t.timeout_ms)
            .bind(&t.auth_kind)
            .bind(&t.auth_user)
            .bind(&sealed_secret)
            .bind(i64::from(t.enabled))
            .bind(t.created_at)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        tx.audit_change(
            "scrape_target.create",
            "scrape_target",
            &t.id,
            Some(&t.customer_id),
            None,
            Some(&t),
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Change a scrape target (staff only, audited). A new sealed secret replaces the old;
    /// `auth_kind: none` forgets it.
    pub async fn update_scrape_target(
        &self,
        scope: &Scope,
        id: &str,
        p: ScrapeTargetInput,
        sealed_secret: Option<String>,
    ) -> Result<ScrapeTarget> {
        staff_only(scope)?;
        let job = self.scrape_job(scope, id).await?;
        let before = job.target.clone();
        let mut t = job.target;
        if !p.url.trim().is_empty() {
            t.url = p.url.trim().to_string();
        }
        t.labels = p.labels.unwrap_or(t.labels);
        t.interval_secs = p.interval_secs.unwrap_or(t.interval_secs);
        t.timeout_ms = p.timeout_ms.unwrap_or(t.timeout_ms);
        t.auth_kind = p.auth_kind.unwrap_or(t.auth_kind);
        if let Some(u) = p.auth_user {
            t.auth_user = Some(u).filter(|u| !u.is_empty());
        }
        t.enabled = p.enabled.unwrap_or(t.enabled);
        let mut secret = sealed_secret.or(job.sealed_secret);
        if t.auth_kind == "none" {
            (secret, t.auth_user) = (None, None);
        }
        t.has_secret = secret.is_some();
        validate(&t)?;
        let mut tx = self.write(scope).await?;
        t.updated_at = tx.now;
        sqlx::query("UPDATE scrape_targets SET url = $1, labels = $2, interval_secs = $3, timeout_ms = $4, auth_kind = $5, auth_user = $6, auth_secret = $7, enabled = $8, updated_at = $9 WHERE id = $10")
            .bind(&t.url)
            .bind(to_json(&t.labels))
            .bind(t.interval_secs)
            .bind(t.timeout_ms)
            .bind(&t.auth_kind)
            .bind(&t.auth_user)
            .bind(&secret)
            .bind(i64::from(t.enabled))
            .bind(t.updated_at)
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        tx.audit_change(
            "scrape_target.update",
            "scrape_target",
            id,
            Some(&t.customer_id),
            Some(&before),
            Some(&t),
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Delete a scrape target (staff only, audited).
    pub async fn delete_scrape_target(&self, scope: &Scope, id: &str) -> Result<ScrapeTarget> {
        staff_only(scope)?;
        let before = self.get_scrape_target(scope, id).await?;
        self.delete_audited(
            scope,
            ("scrape_targets", "scrape_target"),
            id,
            before.customer_id.clone(),
            before,
        )
        .await
    }
}
