//! Advisory import (idempotent by `modified`, withdrawn records kept and honoured) and
//! lookups. Advisories are reference data: one audit entry per import run, not per record.
use super::rematch::Touched;
use super::rows::{V, insert_many, params};
use super::{AdvisoryImport, AdvisoryRecord, staff_only};
use crate::util::{new_id, to_json};
use crate::{Result, Scope, Store, StoreError};
use onestop_vuln::osv::{Upsert, upsert_decision};
use onestop_vuln::{Advisory, Ecosystem};
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn ms(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// The (normalised ecosystem, package name) pairs an advisory names.
pub(crate) fn advisory_keys(a: &Advisory) -> BTreeSet<(String, String)> {
    a.affected
        .iter()
        .filter_map(|x| {
            Some((
                x.ecosystem.parse::<Ecosystem>().ok()?.to_string(),
                x.name.clone(),
            ))
        })
        .collect()
}

/// The (ecosystem, package name) pairs stored for the advisories `ids`.
async fn stored_keys(pool: &AnyPool, ids: &[&str]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT ecosystem, name FROM advisory_packages WHERE advisory_id IN ({})",
            params(0, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(pool).await? {
            out.push((r.try_get(0)?, r.try_get(1)?));
        }
    }
    Ok(out)
}

impl Store {
    /// Store `advisories` (already merged by id): insert the new ones, replace those whose
    /// `modified` is newer than the stored one, keep the rest. Then match again the hosts of
    /// every ecosystem a changed advisory names (hosts up to date before the import only
    /// for the package names it changed), and record security notices for findings new
    /// since the last notice.
    pub async fn import_advisories(
        &self,
        scope: &Scope,
        advisories: Vec<Advisory>,
        source: &str,
    ) -> Result<AdvisoryImport> {
        staff_only(scope)?;
        let stored: HashMap<String, i64> = sqlx::query("SELECT id, modified FROM advisories")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_>>()?;
        let mut out = AdvisoryImport::default();
        let mut changed: Vec<(Advisory, bool)> = Vec::new();
        for a in advisories {
            let have = stored
                .get(&a.id)
                .and_then(|m| chrono::DateTime::from_timestamp_millis(*m));
            match upsert_decision(have, a.modified) {
                Upsert::New => {
                    out.new += 1;
                    changed.push((a, false));
                }
                Upsert::Updated => {
                    out.updated += 1;
                    changed.push((a, true));
                }
                Upsert::Unchanged => out.unchanged += 1,
            }
        }
        out.withdrawn = changed.iter().filter(|(a, _)| a.is_withdrawn()).count();
        let updated_ids: Vec<&str> = changed
            .iter()
            .filter(|(_, u)| *u)
            .map(|(a, _)| a.id.as_str())
            .collect();
        // The package names the import touches per ecosystem (as named before and after),
        // and each ecosystem's advisory content before it, so that hosts up to date before
        // are matched again only for those names.
        let mut touched: BTreeMap<String, Touched> = BTreeMap::new();
        let keys = changed.iter().flat_map(|(a, _)| advisory_keys(a));
        for (eco, name) in stored_keys(&self.pool, &updated_ids)
            .await?
            .into_iter()
            .chain(keys)
        {
            touched.entry(eco).or_default().names.insert(name);
        }
        let mut before = Vec::new();
        for (eco, t) in &touched {
            let hosts = sqlx::query("SELECT 1 FROM host_inventories WHERE ecosystem = $1 LIMIT 1")
                .bind(eco)
                .fetch_optional(&self.pool)
                .await?;
            if hosts.is_some() && t.names.len() <= super::rematch::MAX_NAMES {
                before.push((eco.clone(), self.eco_index(eco).await?));
            }
        }
        let mut tx = self.write(scope).await?;
        let now = tx.now;
        // Nothing imported in between: the content before is the one just read.
        let generation = super::index::generation(tx.conn()).await?;
        for (eco, idx) in before {
            if let Some(t) = touched
                .get_mut(&eco)
                .filter(|_| idx.generation == generation)
            {
                t.before = Some(idx.content.clone());
            }
        }
        for chunk in updated_ids.chunks(500) {
            let sql = format!(
                "DELETE FROM advisory_packages WHERE advisory_id IN ({})",
                params(0, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(tx.conn()).await?;
        }
        let mut rows = Vec::with_capacity(changed.len());
        let mut pkg_rows = Vec::new();
        for (a, _) in &changed {
            for (eco, name) in advisory_keys(a) {
                pkg_rows.push(vec![V::S(a.id.clone()), V::S(eco), V::S(name)]);
            }
            rows.push(vec![
                V::S(a.id.clone()),
                V::I(ms(a.modified)),
                V::OI(a.published.map(ms)),
                V::OI(a.withdrawn.map(ms)),
                V::S(a.severity.as_str().into()),
                V::S(a.summary.clone()),
                V::S(a.cves.join(" ")),
                V::S(to_json(a)),
                V::I(now),
            ]);
        }
        insert_many(
            tx.conn(),
            "advisories",
            &[
                "id",
                "modified",
                "published",
                "withdrawn",
                "severity",
                "summary",
                "cves",
                "data_json",
                "imported_at",
            ],
            &rows,
            " ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, published = excluded.published, \
             withdrawn = excluded.withdrawn, severity = excluded.severity, summary = excluded.summary, \
             cves = excluded.cves, data_json = excluded.data_json, imported_at = excluded.imported_at",
        )
        .await?;
        insert_many(
            tx.conn(),
            "advisory_packages",
            &["advisory_id", "ecosystem", "name"],
            &pkg_rows,
            "",
        )
        .await?;
        let import_id = new_id();
        tx.audit(
            "advisories.import",
            "advisory_import",
            &import_id,
            None,
            None,
            Some(&serde_json::json!({
                "source": source, "new": out.new, "updated": out.updated,
                "unchanged": out.unchanged, "withdrawn": out.withdrawn,
            })),
        )
        .await?;
        tx.commit().await?;
        if !changed.is_empty() {
            let m = self.rematch_ecosystems(&touched).await?;
            out.hosts_matched = m.hosts;
            out.hosts_unchanged = m.unchanged;
            out.findings_opened = m.opened;
            out.notices = m.notices;
        }
        Ok(out)
    }

    /// One advisory; advisories are reference data every signed-in user may read.
    pub async fn get_advisory(&self, id: &str) -> Result<AdvisoryRecord> {
        let row = sqlx::query(
            "SELECT id, modified, published, withdrawn, severity, summary, cves, data_json, imported_at \
             FROM advisories WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(AdvisoryRecord {
            id: row.try_get(0)?,
            modified: row.try_get(1)?,
            published: row.try_get(2)?,
            withdrawn: row.try_get(3)?,
            severity: row.try_get(4)?,
            summary: row.try_get(5)?,
            cves: split_words(&row.try_get::<String, _>(6)?),
            advisory: serde_json::from_str(&row.try_get::<String, _>(7)?)
                .unwrap_or(serde_json::Value::Null),
            imported_at: row.try_get(8)?,
        })
    }

    /// Number of stored advisories (withdrawn included).
    pub async fn advisory_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM advisories")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }
}

pub(crate) fn split_words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// The advisories (not withdrawn) naming `eco`.
pub(crate) async fn load_for(conn: &mut AnyConnection, eco: &str) -> Result<Vec<Advisory>> {
    let rows = sqlx::query(
        "SELECT data_json FROM advisories WHERE withdrawn IS NULL AND id IN \
         (SELECT advisory_id FROM advisory_packages WHERE ecosystem = $1)",
    )
    .bind(eco)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let text: String = r.try_get(0)?;
            serde_json::from_str(&text)
                .map_err(|e| StoreError::Other(format!("stored advisory does not parse: {e}")))
        })
        .collect()
}
