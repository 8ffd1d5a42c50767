//! Schema migrations: portable SQL (plus a few backend-only files), applied in order, once, under a lock.
use crate::{Backend, Result, Store, now_ms};
use sqlx::{Executor, Row};

/// (version, SQL, the backend it is for or `None` for both). Append only; never edit a
/// released migration. A migration for the other backend is recorded as applied, unrun.
const MIGRATIONS: &[(i64, &str, Option<Backend>)] = &[
    (1, include_str!("../migrations/0001_foundation.sql"), None),
    (2, include_str!("../migrations/0002_asset_search.sql"), None),
    (3, include_str!("../migrations/0003_desk.sql"), None),
    (
        4,
        include_str!("../migrations/0004_asset_fts.sqlite.sql"),
        Some(Backend::Sqlite),
    ),
    (
        5,
        include_str!("../migrations/0005_registry_indexes.sql"),
        None,
    ),
    (
        9,
        include_str!("../migrations/0009_asset_trgm.postgres.sql"),
        Some(Backend::Postgres),
    ),
    (11, include_str!("../migrations/0011_desk_queues.sql"), None),
    (
        12,
        include_str!("../migrations/0012_ticket_fts.sqlite.sql"),
        Some(Backend::Sqlite),
    ),
    (
        13,
        include_str!("../migrations/0013_ticket_text_gin.postgres.sql"),
        Some(Backend::Postgres),
    ),
    (10, include_str!("../migrations/0010_desk_work.sql"), None),
    (6, include_str!("../migrations/0006_monitoring.sql"), None),
    (8, include_str!("../migrations/0008_patches.sql"), None),
    (7, include_str!("../migrations/0007_logs.sql"), None),
    (
        14,
        include_str!("../migrations/0014_outbox_checks.sql"),
        None,
    ),
    (16, include_str!("../migrations/0016_notify.sql"), None),
    (
        19,
        include_str!("../migrations/0019_ticket_text_customer_tag.sql"),
        None,
    ),
    (
        20,
        include_str!("../migrations/0020_polled_hosts.sql"),
        None,
    ),
    (21, include_str!("../migrations/0021_probes.sql"), None),
    (
        22,
        include_str!("../migrations/0022_snmp_devices.sql"),
        None,
    ),
    (
        17,
        include_str!("../migrations/0017_plan_work_orders.sql"),
        None,
    ),
    (
        18,
        include_str!("../migrations/0018_runbooks_calendar.sql"),
        None,
    ),
    (15, include_str!("../migrations/0015_mail.sql"), None),
    (
        24,
        include_str!("../migrations/0024_patch_digests.sql"),
        None,
    ),
    (
        25,
        include_str!("../migrations/0025_log_miner_events.sql"),
        None,
    ),
    (23, include_str!("../migrations/0023_alerting.sql"), None),
    (
        26,
        include_str!("../migrations/0026_host_packages_by_name.sql"),
        None,
    ),
    (
        27,
        include_str!("../migrations/0027_asset_kind_sorts.sql"),
        None,
    ),
];

pub(crate) async fn run(store: &Store) -> Result<()> {
    let mut conn = store.pool.acquire().await?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .await?;
    // Serialise concurrent starters (two `serve`, or the CLI beside `serve`).
    let begin = match store.backend() {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    };
    let mut tx = store.pool.begin_with(begin).await?;
    if store.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(7262736)")
            .execute(&mut *tx)
            .await?;
    }
    // Apply every known migration not yet recorded, in version order (not just those above the
    // highest applied: branches merged out of order must not skip one).
    let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    let mut pending: Vec<_> = MIGRATIONS
        .iter()
        .filter(|(v, _, _)| !applied.contains(v))
        .collect();
    pending.sort_by_key(|(v, _, _)| *v);
    for (version, sql, only) in pending {
        if only.is_none_or(|b| b == store.backend()) {
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(*version)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tracing::info!(version, "applied migration");
    }
    tx.commit().await?;
    Ok(())
}
