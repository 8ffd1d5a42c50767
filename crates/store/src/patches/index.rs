//! The advisory index of each ecosystem, built once and kept while the advisories stay the
//! same, and the digests that let a fleet's matching skip unchanged hosts.
//!
//! The index is rebuilt when the advisories table's generation (row count, sum of `modified`,
//! newest `imported_at`) moves: an import that changes anything raises one of them. Its
//! `content` digest covers only what matching reads (ids, affected entries, severity,
//! CVEs), so re-importing the same content with newer timestamps does not invalidate
//! findings. A host's match digest is the matcher revision with that content digest: with
//! the same packages (digest) and running kernel as stored beside it, equal digests mean an
//! equal matcher output. The previous content digest tells, after an import, which hosts
//! were up to date before it and so need matching again only for the names it changed.
use super::advisories::load_for;
use crate::{Result, Store};
use onestop_vuln::AdvisoryIndex;
use onestop_vuln::inventory::InstalledPackage;
use siphasher::sip128::{Hasher128, SipHasher13};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::{Arc, Mutex};

/// Bumped whenever the matcher's rules change, so stored match digests lapse.
const MATCHER_REVISION: &str = "vuln-matcher-1";

/// An index, the digest of the advisory content it was built from, and the advisories
/// table's generation when it was read.
pub(crate) struct EcoIndex {
    pub index: AdvisoryIndex,
    pub content: String,
    pub generation: Generation,
}

/// The advisories table's generation: row count, sum of `modified`, newest `imported_at`.
pub(crate) type Generation = (i64, i64, i64);

/// The advisories table's generation as `conn` sees it.
pub(crate) async fn generation(conn: &mut AnyConnection) -> Result<Generation> {
    let r = sqlx::query(
        "SELECT COUNT(*), COALESCE(CAST(SUM(modified) AS BIGINT), 0), \
         COALESCE(MAX(imported_at), 0) FROM advisories",
    )
    .fetch_one(conn)
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
}

/// Indexes per ecosystem, keyed by the advisories' generation when built.
#[derive(Default)]
pub struct IndexCache {
    map: Mutex<HashMap<String, (Generation, Arc<EcoIndex>)>>,
}

fn hex128(h: SipHasher13) -> String {
    format!("{:032x}", h.finish128().as_u128())
}

/// Digest of a host's packages (order-independent: sorted first).
pub(crate) fn packages_digest(packages: &[InstalledPackage]) -> String {
    let mut keys: Vec<(&str, &str, &str, &str, &str)> = packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.arch.as_deref().unwrap_or(""),
                p.version.as_str(),
                p.source_name.as_deref().unwrap_or(""),
                p.source_version.as_deref().unwrap_or(""),
            )
        })
        .collect();
    keys.sort_unstable();
    let mut h = SipHasher13::new();
    for (a, b, c, d, e) in keys {
        for part in [a, b, c, d, e] {
            h.write(part.as_bytes());
            h.write_u8(0);
        }
        h.write_u8(1);
    }
    hex128(h)
}

/// What a host's findings are reconciled from, besides its packages and running kernel
/// (stored beside it): the matcher revision and the ecosystem's advisory content.
pub(crate) fn match_digest(content: &str) -> String {
    let mut h = SipHasher13::new();
    for part in [MATCHER_REVISION, content] {
        h.write(part.as_bytes());
        h.write_u8(0);
    }
    hex128(h)
}

impl Store {
    /// The index of `eco`'s advisories (not withdrawn), from the cache when the advisories
    /// did not change since it was built.
    pub(crate) async fn eco_index(&self, eco: &str) -> Result<Arc<EcoIndex>> {
        let mut conn = self.pool.acquire().await?;
        let generation = generation(&mut conn).await?;
        if let Some((g, idx)) = self.patch_index.map.lock().expect("index cache").get(eco)
            && *g == generation
        {
            return Ok(idx.clone());
        }
        let advisories = load_for(&mut conn, eco).await?;
        drop(conn);
        let built = tokio::task::spawn_blocking(move || {
            let index = AdvisoryIndex::new(advisories);
            let mut h = SipHasher13::new();
            for a in index.advisories() {
                let relevant = (&a.id, &a.withdrawn, &a.severity, &a.cves, &a.affected);
                h.write(
                    serde_json::to_string(&relevant)
                        .unwrap_or_default()
                        .as_bytes(),
                );
                h.write_u8(0);
            }
            EcoIndex {
                index,
                content: hex128(h),
                generation,
            }
        })
        .await
        .map_err(|e| crate::StoreError::Other(format!("building the advisory index: {e}")))?;
        let built = Arc::new(built);
        self.patch_index
            .map
            .lock()
            .expect("index cache")
            .insert(eco.to_string(), (generation, built.clone()));
        Ok(built)
    }
}
