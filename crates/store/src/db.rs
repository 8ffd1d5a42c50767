//! The connection pool, backend detection, and the audited write transaction.
use crate::{Result, Scope, StoreError, audit, migrate, now_ms};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Row, Transaction};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Which database sits behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The product's database.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer: write transactions of this process queue here in order instead
    /// of meeting in SQLite's busy handler, which sleeps and retries (and so made concurrent
    /// writes slow and their tail latency long). Other processes still meet the busy handler.
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Ticket creations waiting to be committed together (see `desk::group`).
    pub(crate) tickets: Arc<crate::desk::CreateGroup>,
    /// Advisory indexes per ecosystem, rebuilt when the advisories change.
    pub(crate) patch_index: Arc<crate::patches::IndexCache>,
}

impl Store {
    /// Open (creating and migrating when absent) the database at `url`:
    /// `sqlite://PATH` or `postgres://…`.
    pub async fn open(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Other(format!(
                "unsupported database URL `{url}`: use sqlite://PATH or postgres://…"
            )));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let max = if backend == Backend::Sqlite { 8 } else { 16 };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=15000; \
                             PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let store = Store {
            pool,
            backend,
            writer: Arc::default(),
            tickets: Arc::default(),
            patch_index: Arc::default(),
        };
        migrate::run(&store).await?;
        store.optimize().await?;
        Ok(store)
    }

    /// Keep the query planner's statistics current. On SQLite a database that was never
    /// analysed is analysed now (sampling at most 1,000 rows per index), and otherwise
    /// `PRAGMA optimize` re-analyses tables that changed a lot. PostgreSQL's autovacuum does
    /// this by itself. Cheap: call at start-up and periodically.
    pub async fn optimize(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            let analysed: i64 =
                sqlx::query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
                    .fetch_one(&self.pool)
                    .await?
                    .try_get(0)?;
            let sql = if analysed == 0 {
                "PRAGMA analysis_limit=1000; ANALYZE"
            } else {
                "PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002"
            };
            sqlx::raw_sql(sql).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Open the embedded SQLite database `<dir>/onestop.db`, creating the directory.
    pub async fn open_data_dir(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Other(format!("cannot create {}: {e}", dir.display())))?;
        Store::open(&format!("sqlite://{}", dir.join("onestop.db").display())).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Delete the row `id` of `table` (a constant of ours, never user text) in a write
    /// transaction of its own, audited as `<entity>.delete` with `before` as it was; gives
    /// `before` back.
    pub(crate) async fn delete_audited<T: serde::Serialize>(
        &self,
        scope: &Scope,
        (table, entity): (&'static str, &str),
        id: &str,
        customer_id: String,
        before: T,
    ) -> Result<T> {
        let mut tx = self.write(scope).await?;
        sqlx::query(&format!("DELETE FROM {table} WHERE id = $1"))
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.audit_change(
            &format!("{entity}.delete"),
            entity,
            id,
            Some(&customer_id),
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    /// Begin a write transaction holding the audit chain's head lock until commit:
    /// `BEGIN IMMEDIATE` on SQLite, a row lock (`FOR UPDATE`) on PostgreSQL.
    pub async fn write(&self, scope: &Scope) -> Result<WriteTx> {
        self.write_at(scope, now_ms()).await
    }

    /// A write transaction whose timestamp is `now` (ms): scheduled work acts "as of" the
    /// instant it was asked for, which tests also use to move time forward.
    pub async fn write_at(&self, scope: &Scope, now: i64) -> Result<WriteTx> {
        let (writer, mut tx) = match self.backend {
            Backend::Sqlite => {
                let turn = self.writer.clone().lock_owned().await;
                (Some(turn), self.pool.begin_with("BEGIN IMMEDIATE").await?)
            }
            Backend::Postgres => (None, self.pool.begin().await?),
        };
        let lock = match self.backend {
            Backend::Sqlite => "SELECT seq, hash FROM audit_head WHERE id = 1",
            Backend::Postgres => "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
        };
        let row = sqlx::query(lock).fetch_one(&mut *tx).await?;
        Ok(WriteTx {
            tx,
            scope: scope.clone(),
            head_seq: row.try_get(0)?,
            head_hash: row.try_get(1)?,
            appended: false,
            now,
            desk_settings: None,
            _writer: writer,
        })
    }
}

/// The audit chain's state at a savepoint.
pub(crate) struct Savepoint {
    head_seq: i64,
    head_hash: String,
    appended: bool,
}

/// A write transaction. Changes made through [`WriteTx::conn`] become visible, with their
/// audit entries, only at [`WriteTx::commit`]; dropping it rolls everything back.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    pub(crate) scope: Scope,
    pub(crate) head_seq: i64,
    pub(crate) head_hash: String,
    appended: bool,
    /// The transaction's timestamp, shared by its rows and audit entries.
    pub now: i64,
    /// The desk settings as first read in this transaction (a group of ticket creations reads
    /// them once). Settings are written in transactions of their own.
    desk_settings: Option<crate::desk::DeskSettings>,
    /// This process's turn to write (SQLite), released when the transaction ends. Declared
    /// after `tx` so the transaction is finished before the next writer begins.
    _writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// The desk settings, read once per transaction.
    pub(crate) async fn desk_settings(&mut self) -> Result<crate::desk::DeskSettings> {
        if self.desk_settings.is_none() {
            self.desk_settings = Some(crate::desk::desk_settings_on(&mut self.tx).await?);
        }
        Ok(self.desk_settings.clone().unwrap_or_default())
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Append an audit entry for a change made in this transaction.
    pub async fn audit(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: &str,
        customer_id: Option<&str>,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> Result<()> {
        let entry = audit::AuditEntry {
            seq: self.head_seq + 1,
            at: self.now,
            actor: self.scope.actor(),
            action: action.into(),
            entity: entity.into(),
            entity_id: entity_id.into(),
            customer_id: customer_id.map(str::to_string),
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
            prev_hash: self.head_hash.clone(),
            hash: String::new(),
        };
        let hash = audit::insert(&mut self.tx, entry).await?;
        self.head_seq += 1;
        self.head_hash = hash;
        self.appended = true;
        Ok(())
    }

    /// [`WriteTx::audit`] with the before and after states given as values, written as JSON.
    pub async fn audit_change<T: serde::Serialize>(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: &str,
        customer_id: Option<&str>,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<()> {
        let json = |v: Option<&T>| v.map(|v| serde_json::to_value(v).unwrap_or_default());
        let (before, after) = (json(before), json(after));
        self.audit(
            action,
            entity,
            entity_id,
            customer_id,
            before.as_ref(),
            after.as_ref(),
        )
        .await
    }

    /// Mark a point this transaction can return to ([`WriteTx::rollback_to`]): several
    /// independent changes share one transaction (group commit) and one that fails is undone
    /// alone, its audit entries with it.
    pub(crate) async fn savepoint(&mut self) -> Result<Savepoint> {
        sqlx::query("SAVEPOINT unit").execute(&mut *self.tx).await?;
        Ok(Savepoint {
            head_seq: self.head_seq,
            head_hash: self.head_hash.clone(),
            appended: self.appended,
        })
    }

    /// Undo everything since `sp` (rows and audit entries) and forget the savepoint.
    pub(crate) async fn rollback_to(&mut self, sp: Savepoint) -> Result<()> {
        sqlx::query("ROLLBACK TO SAVEPOINT unit")
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("RELEASE SAVEPOINT unit")
            .execute(&mut *self.tx)
            .await?;
        self.head_seq = sp.head_seq;
        self.head_hash = sp.head_hash;
        self.appended = sp.appended;
        Ok(())
    }

    /// Keep everything since `sp` and forget the savepoint.
    pub(crate) async fn release(&mut self, _sp: Savepoint) -> Result<()> {
        sqlx::query("RELEASE SAVEPOINT unit")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Act for another scope from here on (group commit: each unit is its caller's).
    pub(crate) fn set_scope(&mut self, scope: Scope) {
        self.scope = scope;
    }

    pub async fn commit(mut self) -> Result<()> {
        if self.appended {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.head_seq)
                .bind(&self.head_hash)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}
