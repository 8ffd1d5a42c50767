//! The audit chain: an append-only log in which each entry hashes its predecessor.
use crate::{Result, Scope, Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row, any::AnyRow};

/// One audit entry: who did what to which object, when, with the state before and after.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    /// Milliseconds since the epoch, UTC.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub customer_id: Option<String>,
    /// JSON of the object before the change.
    pub before: Option<String>,
    /// JSON of the object after the change.
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Filters for browsing the log.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    /// Only entries with `seq` below this (for paging backwards).
    pub before_seq: Option<i64>,
    pub limit: Option<i64>,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyReport {
    Intact {
        entries: i64,
    },
    /// The first entry that does not fit the chain, and why.
    Broken {
        seq: i64,
        reason: String,
    },
}

impl AuditEntry {
    /// The entry's hash: SHA-256 over its predecessor's hash and every field.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let fields: [&str; 9] = [
            &self.prev_hash,
            &self.seq.to_string(),
            &self.at.to_string(),
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            self.customer_id.as_deref().unwrap_or("\u{0}"),
            &format!(
                "{}\u{1e}{}",
                self.before.as_deref().unwrap_or("\u{0}"),
                self.after.as_deref().unwrap_or("\u{0}")
            ),
        ];
        for f in fields {
            h.update(f.as_bytes());
            h.update([0x1f]);
        }
        hex::encode(h.finalize())
    }

    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(AuditEntry {
            seq: r.try_get("seq")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            action: r.try_get("action")?,
            entity: r.try_get("entity")?,
            entity_id: r.try_get("entity_id")?,
            customer_id: r.try_get("customer_id")?,
            before: r.try_get("before_json")?,
            after: r.try_get("after_json")?,
            prev_hash: r.try_get("prev_hash")?,
            hash: r.try_get("hash")?,
        })
    }
}

const COLUMNS: &str = "seq, at, actor, action, entity, entity_id, customer_id, before_json, after_json, prev_hash, hash";

/// Insert `entry` (its hash computed here); returns the hash.
pub(crate) async fn insert(conn: &mut AnyConnection, mut entry: AuditEntry) -> Result<String> {
    entry.hash = entry.compute_hash();
    sqlx::query(&format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(entry.seq)
    .bind(entry.at)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.entity)
    .bind(&entry.entity_id)
    .bind(&entry.customer_id)
    .bind(&entry.before)
    .bind(&entry.after)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(conn)
    .await?;
    Ok(entry.hash)
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Store {
    /// Browse the audit log, newest first. Staff only.
    pub async fn audit_list(&self, scope: &Scope, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        if !scope.is_staff() {
            return Err(StoreError::Forbidden("the audit log is for staff".into()));
        }
        let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE 1=1");
        let mut args: Vec<String> = Vec::new();
        for (col, val) in [
            ("actor", &f.actor),
            ("entity", &f.entity),
            ("entity_id", &f.entity_id),
            ("action", &f.action),
        ] {
            if let Some(v) = val.as_ref().filter(|v| !v.is_empty()) {
                args.push(v.clone());
                sql.push_str(&format!(" AND {col} = ${}", args.len()));
            }
        }
        if let Some(b) = f.before_seq {
            sql.push_str(&format!(" AND seq < {b}"));
        }
        let limit = f.limit.unwrap_or(100).clamp(1, 1000);
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT {limit}"));
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(a);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(AuditEntry::from_row).collect()
    }

    /// Walk the whole chain and check every link, and the head.
    pub async fn audit_verify(&self) -> Result<VerifyReport> {
        use futures_util::TryStreamExt;
        let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq");
        let mut rows = sqlx::query(&sql).fetch(&self.pool);
        let (mut expect_seq, mut prev) = (1i64, GENESIS.to_string());
        while let Some(row) = rows.try_next().await? {
            let e = AuditEntry::from_row(&row)?;
            let broken = |reason: String| Ok(VerifyReport::Broken { seq: e.seq, reason });
            if e.seq != expect_seq {
                return Ok(VerifyReport::Broken {
                    seq: expect_seq,
                    reason: format!("entry {expect_seq} is missing (next present is {})", e.seq),
                });
            }
            if e.prev_hash != prev {
                return broken("its link to the previous entry does not match".into());
            }
            if e.compute_hash() != e.hash {
                return broken("its content does not match its hash (altered)".into());
            }
            prev = e.hash.clone();
            expect_seq += 1;
        }
        drop(rows);
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let (hseq, hhash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
        if hseq != expect_seq - 1 || hhash != prev {
            return Ok(VerifyReport::Broken {
                seq: hseq.min(expect_seq),
                reason: format!(
                    "the chain ends at entry {} but its head says {hseq}: entries were removed from the end",
                    expect_seq - 1
                ),
            });
        }
        Ok(VerifyReport::Intact {
            entries: expect_seq - 1,
        })
    }
}
