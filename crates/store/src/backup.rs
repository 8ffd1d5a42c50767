//! Logical backup and restore: a consistent snapshot of every table as JSON lines, portable
//! between SQLite and PostgreSQL. Restoring keeps every row as it was, so the audit chain
//! still verifies.
use crate::{Backend, Result, Store, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};
use std::io::{BufRead, Write};

/// Tables in dependency order (parents first). Every table of the schema must be listed:
/// a backup refuses to run when one is not, so a new migration cannot be silently left out.
const TABLES: &[&str] = &[
    "customers",
    "users",
    "teams",
    "team_members",
    "api_tokens",
    "settings",
    "contacts",
    "sites",
    "assets",
    "asset_relations",
    "contracts",
    "tickets",
    "ticket_events",
    "ticket_assets",
    "ticket_counters",
    "ticket_text",
    "desk_firings",
    "desk_jobs_done",
    "escalation_rules",
    "notifications",
    "ticket_attachments",
    "ticket_time_entries",
    "ticket_links",
    "vendor_cases",
    "vendor_answers",
    "dispatches",
    "service_catalog",
    "advisories",
    "advisory_packages",
    "host_inventories",
    "host_packages",
    "package_changes",
    "findings",
    "finding_exceptions",
    "security_notices",
    "audit_log",
    "audit_head",
    "enrollment_tokens",
    "monitored_hosts",
    "metric_batches",
    "metric_series",
    "metric_chunks",
    "runbooks",
    "runbook_versions",
    "alert_rules",
    "alerts",
    "maintenance_windows",
    "alert_incidents",
    "monitor_events",
    "monitor_leases",
    "log_messages",
    "log_templates",
    "log_miner_state",
    "log_event_marks",
    "checklist_templates",
    "plan_activities",
    "plan_years",
    "work_orders",
    "work_order_items",
    "work_order_attachments",
    "work_order_signers",
    "runbook_runs",
    "runbook_run_steps",
    "feed_tokens",
    "mail_outbox",
    "inbound_mail",
    "ticket_mail_reporters",
    "host_checks",
    "notification_prefs",
    "webhooks",
    "webhook_deliveries",
    "webhook_attempts",
    "oncall_rotations",
    "oncall_overrides",
    "probe_checks",
    "scrape_targets",
    "snmp_devices",
];
/// Tables deliberately left out: migration bookkeeping and short-lived sign-in sessions.
const SKIPPED: &[&str] = &["schema_migrations", "sessions", "leases"];

/// What a backup or restore moved.
#[derive(Debug, Clone, Default)]
pub struct BackupSummary {
    pub tables: usize,
    pub rows: usize,
}

/// How a column's values are written into the JSON lines.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Text,
    Int,
    /// Binary (`BYTEA`), written as base64 text.
    Blob,
}

async fn columns(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<(String, Col)>> {
    let sql = match backend {
        Backend::Sqlite => {
            format!("SELECT name, type FROM pragma_table_info('{table}') ORDER BY cid")
        }
        Backend::Postgres => format!(
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position"
        ),
    };
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let (name, ty): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            let ty = ty.to_uppercase();
            let kind = if ty.contains("INT") {
                Col::Int
            } else if ty.contains("BYTEA") || ty.contains("BLOB") {
                Col::Blob
            } else {
                Col::Text
            };
            Ok((name, kind))
        })
        .collect()
}

async fn table_names(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
        }
    };
    let rows = sqlx::query(sql).fetch_all(conn).await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

impl Store {
    /// Write a consistent snapshot to `out`, while other processes keep writing.
    pub async fn backup(&self, out: &mut dyn Write) -> Result<BackupSummary> {
        let io = |e: std::io::Error| StoreError::Other(format!("cannot write backup: {e}"));
        let begin = match self.backend() {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        let mut tx = self.pool.begin_with(begin).await?;
        for t in table_names(&mut tx, self.backend()).await? {
            // The SQLite search index and its shadow tables are rebuilt by triggers on restore.
            if !TABLES.contains(&t.as_str())
                && !SKIPPED.contains(&t.as_str())
                && !t.starts_with("assets_fts")
                && !t.starts_with("ticket_fts")
            {
                return Err(StoreError::Other(format!(
                    "table {t} is not covered by backup; add it to TABLES"
                )));
            }
        }
        writeln!(out, "{}", json!({"format": "onestop-backup", "version": 1})).map_err(io)?;
        let mut summary = BackupSummary::default();
        for table in TABLES {
            let cols = columns(&mut tx, self.backend(), table).await?;
            let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
            writeln!(out, "{}", json!({"table": table, "columns": names})).map_err(io)?;
            let rows = sqlx::query(&format!("SELECT {} FROM {table}", names.join(", ")))
                .fetch_all(&mut *tx)
                .await?;
            for r in &rows {
                let mut vals = Vec::with_capacity(cols.len());
                for (i, (_, kind)) in cols.iter().enumerate() {
                    vals.push(match kind {
                        Col::Int => r
                            .try_get::<Option<i64>, _>(i)?
                            .map(Value::from)
                            .unwrap_or(Value::Null),
                        Col::Text => r
                            .try_get::<Option<String>, _>(i)?
                            .map(Value::from)
                            .unwrap_or(Value::Null),
                        Col::Blob => r
                            .try_get::<Option<Vec<u8>>, _>(i)?
                            .map(|b| Value::from(B64.encode(b)))
                            .unwrap_or(Value::Null),
                    });
                }
                writeln!(out, "{}", Value::Array(vals)).map_err(io)?;
            }
            summary.tables += 1;
            summary.rows += rows.len();
        }
        tx.rollback().await?;
        out.flush().map_err(io)?;
        Ok(summary)
    }

    /// Load a backup into this store, which must be empty (freshly created).
    pub async fn restore(&self, input: &mut dyn BufRead) -> Result<BackupSummary> {
        let bad = |m: String| StoreError::Other(format!("not a valid onestop backup: {m}"));
        let users: i64 = sqlx::query("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM customers) + (SELECT seq FROM audit_head WHERE id = 1)")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if users != 0 {
            return Err(StoreError::Conflict(
                "restore needs an empty data dir or database".into(),
            ));
        }
        let mut lines = input.lines();
        let head: Value = serde_json::from_str(
            &lines
                .next()
                .ok_or_else(|| bad("empty file".into()))?
                .map_err(|e| bad(e.to_string()))?,
        )
        .map_err(|e| bad(e.to_string()))?;
        if head["format"] != "onestop-backup" {
            return Err(bad("missing header".into()));
        }
        let mut tx = self.pool.begin().await?;
        let mut summary = BackupSummary::default();
        let (mut table, mut cols, mut ints): (String, Vec<String>, Vec<Col>) = Default::default();
        for line in lines {
            let v: Value = serde_json::from_str(&line.map_err(|e| bad(e.to_string()))?)
                .map_err(|e| bad(e.to_string()))?;
            if let Some(t) = v.get("table").and_then(Value::as_str) {
                if !TABLES.contains(&t) {
                    return Err(bad(format!("unknown table {t}")));
                }
                table = t.to_string();
                let here = columns(&mut tx, self.backend(), t).await?;
                cols = v["columns"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                ints = cols
                    .iter()
                    .map(|c| {
                        here.iter()
                            .find(|(n, _)| n == c)
                            .map_or(Col::Text, |(_, k)| *k)
                    })
                    .collect();
                // Tables a fresh database seeds itself are replaced by the backup's rows.
                if table == "audit_head"
                    || table == "service_catalog"
                    || table == "checklist_templates"
                {
                    sqlx::query(&format!("DELETE FROM {table}"))
                        .execute(&mut *tx)
                        .await?;
                }
                summary.tables += 1;
                continue;
            }
            let vals = v
                .as_array()
                .ok_or_else(|| bad("row is not an array".into()))?;
            let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                cols.join(", "),
                params.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for (val, kind) in vals.iter().zip(&ints) {
                q = match kind {
                    Col::Int => q.bind(val.as_i64()),
                    Col::Text => q.bind(val.as_str().map(String::from)),
                    Col::Blob => q.bind(
                        val.as_str()
                            .map(|t| B64.decode(t))
                            .transpose()
                            .map_err(|e| bad(e.to_string()))?,
                    ),
                };
            }
            q.execute(&mut *tx).await.map_err(StoreError::from_write)?;
            summary.rows += 1;
        }
        tx.commit().await?;
        Ok(summary)
    }
}
