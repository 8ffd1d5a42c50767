//! Matching a fleet again after an import. Per ecosystem: the cached index, then every host
//! whose match digest (advisory content × packages × running kernel) differs from the one
//! its findings were reconciled from; hosts that did not change are skipped without reading
//! their packages. The others are read a chunk at a time and reconciled in one write
//! transaction per chunk, with one [`MatchCache`] shared by the whole ecosystem.
use super::findings::{HostCtx, Matched, rematch_host};
use super::index::{match_digest, packages_digest};
use super::rows::params;
use crate::{Result, Scope, Store};
use onestop_vuln::inventory::InstalledPackage;
use onestop_vuln::{Ecosystem, MatchCache};
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

/// Hosts read and reconciled per write transaction, at most.
const CHUNK_HOSTS: usize = 50;
/// Finding changes after which a chunk's transaction commits early (keeps the writer lock
/// short when many findings are written).
const CHUNK_WRITES: usize = 20_000;

/// The packages of `hosts`, by host, in one query.
async fn packages_of(
    store: &Store,
    hosts: &[&str],
) -> Result<HashMap<String, Vec<InstalledPackage>>> {
    let sql = format!(
        "SELECT host_id, name, arch, version, source_name, source_version FROM host_packages \
         WHERE host_id IN ({}) ORDER BY host_id, name, arch, version",
        params(0, hosts.len())
    );
    let mut q = sqlx::query(&sql);
    for h in hosts {
        q = q.bind(*h);
    }
    let mut out: HashMap<String, Vec<InstalledPackage>> = HashMap::new();
    for r in q.fetch_all(&store.pool).await? {
        let arch: String = r.try_get(2)?;
        out.entry(r.try_get(0)?)
            .or_default()
            .push(InstalledPackage {
                name: r.try_get(1)?,
                arch: Some(arch).filter(|a| !a.is_empty()),
                version: r.try_get(3)?,
                source_name: r.try_get(4)?,
                source_version: r.try_get(5)?,
            });
    }
    Ok(out)
}

impl Store {
    /// Match again the hosts of the given ecosystems whose inputs changed (after an import),
    /// then record security notices for the customers with new findings.
    pub(crate) async fn rematch_ecosystems(
        &self,
        ecosystems: &BTreeSet<String>,
    ) -> Result<Matched> {
        let mut total = Matched::default();
        let mut customers = BTreeSet::new();
        for eco_s in ecosystems {
            let Ok(eco) = eco_s.parse::<Ecosystem>() else {
                continue;
            };
            let hosts = sqlx::query(
                "SELECT host_id, customer_id, kernel_running, packages_digest, match_digest \
                 FROM host_inventories WHERE ecosystem = $1 ORDER BY host_id",
            )
            .bind(eco_s)
            .fetch_all(&self.pool)
            .await?;
            if hosts.is_empty() {
                continue;
            }
            let idx = self.eco_index(eco_s).await?;
            let mut due: Vec<HostCtx> = Vec::new();
            for h in &hosts {
                let ctx = HostCtx {
                    host_id: h.try_get(0)?,
                    customer_id: h.try_get(1)?,
                    ecosystem: Some(eco_s.clone()),
                    kernel_running: h.try_get(2)?,
                };
                let (pd, md): (Option<String>, Option<String>) = (h.try_get(3)?, h.try_get(4)?);
                let want = pd.map(|pd| match_digest(&idx.content, &pd, &ctx.kernel_running));
                if want.is_some() && want == md {
                    total.unchanged += 1;
                } else {
                    due.push(ctx);
                }
            }
            let mut cache = MatchCache::new(&idx.index, &eco);
            let mut rest: &[HostCtx] = &due;
            while !rest.is_empty() {
                let chunk = &rest[..rest.len().min(CHUNK_HOSTS)];
                let ids: Vec<&str> = chunk.iter().map(|c| c.host_id.as_str()).collect();
                let mut packages = packages_of(self, &ids).await?;
                let mut tx = self.write(&Scope::System).await?;
                let mut writes = 0;
                let mut done = 0;
                for ctx in chunk {
                    let pk = packages.remove(&ctx.host_id).unwrap_or_default();
                    let m = rematch_host(&mut tx, ctx, &pk, Some(&mut cache)).await?;
                    let pd = packages_digest(&pk);
                    sqlx::query(
                        "UPDATE host_inventories SET packages_digest = $1, match_digest = $2 \
                         WHERE host_id = $3",
                    )
                    .bind(&pd)
                    .bind(match_digest(&idx.content, &pd, &ctx.kernel_running))
                    .bind(&ctx.host_id)
                    .execute(tx.conn())
                    .await?;
                    total.hosts += 1;
                    total.opened += m.opened;
                    total.fixed += m.fixed;
                    if m.opened > 0 {
                        customers.insert(ctx.customer_id.clone());
                    }
                    done += 1;
                    writes += m.written;
                    if writes >= CHUNK_WRITES {
                        break;
                    }
                }
                tx.commit().await?;
                rest = &rest[done..];
            }
        }
        for c in customers {
            let mut tx = self.write(&Scope::System).await?;
            if super::notices::notify_new(&mut tx, &c).await?.is_some() {
                total.notices += 1;
            }
            tx.commit().await?;
        }
        Ok(total)
    }
}
