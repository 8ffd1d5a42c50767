//! Matching a fleet again after an import. Per ecosystem the import touched, each host is
//! - up to date with the new advisory content (its match digest): skipped;
//! - up to date with the content before the import: matched again only for its packages
//!   named like a changed advisory (found by name through an index; all its packages when
//!   one of them is a kernel, whose findings depend on the other kernels). The others have
//!   nothing to change and are marked up to date in one statement at the end;
//! - else (a new matcher revision, an import that stopped half-way, a big import): all its
//!   packages.
//!
//! Hosts are read and reconciled a chunk at a time in one write transaction per chunk, with
//! one [`MatchCache`] shared by the whole ecosystem. Each host's digest is checked again
//! inside the transaction: a host an inventory matched in the meantime is left alone.
use super::findings::{
    Exception, HostCtx, Known, Matched, exceptions, rematch_host, stored_findings,
};
use super::index::match_digest;
use super::rows::{fields, grouped, opt, params};
use crate::{Backend, Result, Scope, Store, WriteTx};
use onestop_vuln::inventory::InstalledPackage;
use onestop_vuln::matcher::kernel::is_kernel_package;
use onestop_vuln::{Ecosystem, MatchCache, Scheme};
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Hosts read and reconciled per write transaction, at most.
const CHUNK_HOSTS: usize = 50;
/// Finding changes after which a chunk's transaction commits early (keeps the writer lock
/// short when many findings are written).
const CHUNK_WRITES: usize = 20_000;
/// Package names an import may touch in an ecosystem for hosts to be matched again by name;
/// beyond that they are matched whole.
pub(crate) const MAX_NAMES: usize = 200;

/// What an import changed in one ecosystem: the package names its changed advisories name
/// (before and after), and the ecosystem's advisory content digest before it, when known.
#[derive(Default)]
pub(crate) struct Touched {
    pub before: Option<String>,
    pub names: BTreeSet<String>,
}

/// A host to match again: all its packages (`only` is `None`) or those of these names.
struct Due {
    ctx: HostCtx,
    digest: Option<String>,
    only: Option<BTreeSet<String>>,
}

/// The packages of `hosts`, by host, in one query; only those named `names` when given.
async fn packages_of(
    conn: &mut AnyConnection,
    backend: Backend,
    hosts: &[&str],
    names: Option<&BTreeSet<String>>,
) -> Result<HashMap<String, Vec<InstalledPackage>>> {
    let mut filter = format!("host_id IN ({})", params(0, hosts.len()));
    if let Some(n) = names {
        filter.push_str(&format!(" AND name IN ({})", params(hosts.len(), n.len())));
    }
    let mut binds: Vec<&str> = hosts.to_vec();
    binds.extend(names.into_iter().flatten().map(String::as_str));
    let cols = ["name", "arch", "version", "source_name", "source_version"];
    let rows = grouped(
        conn,
        backend,
        ("host_id", &cols, "host_packages", &filter),
        &binds,
    )
    .await?;
    let mut out = HashMap::new();
    for (host, text) in rows {
        let mut packages = Vec::new();
        for line in text.split('\n') {
            let [name, arch, version, source_name, source_version] = fields(line)?;
            packages.push(InstalledPackage {
                name: name.to_string(),
                arch: opt(arch),
                version: version.to_string(),
                source_name: opt(source_name),
                source_version: opt(source_version),
            });
        }
        out.insert(host, packages);
    }
    Ok(out)
}

/// The names of the packages of each host whose name or source name is one of `names`
/// (through the indexes on both).
async fn hosts_with(
    pool: &AnyPool,
    names: &BTreeSet<String>,
) -> Result<HashMap<String, BTreeSet<String>>> {
    let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
    if names.is_empty() {
        return Ok(out);
    }
    let list = params(0, names.len());
    let sql = format!(
        "SELECT host_id, name FROM host_packages WHERE name IN ({list}) UNION \
         SELECT host_id, name FROM host_packages WHERE source_name IN ({list}) \
         AND source_name IS NOT NULL"
    );
    let mut q = sqlx::query(&sql);
    for n in names {
        q = q.bind(n.as_str());
    }
    for r in q.fetch_all(pool).await? {
        out.entry(r.try_get(0)?).or_default().insert(r.try_get(1)?);
    }
    Ok(out)
}

fn is_kernel(scheme: Scheme, p: &InstalledPackage) -> bool {
    is_kernel_package(scheme, &p.name) || is_kernel_package(scheme, p.source_name())
}

/// The packages to match for each host of `chunk` still at the digest it was chosen with
/// (read inside `tx`, so they are the packages its findings are reconciled against).
async fn chunk_packages(
    tx: &mut WriteTx,
    backend: Backend,
    chunk: &[Due],
    scheme: Scheme,
) -> Result<HashMap<String, Vec<InstalledPackage>>> {
    let ids: Vec<&str> = chunk.iter().map(|d| d.ctx.host_id.as_str()).collect();
    let sql = format!(
        "SELECT host_id, match_digest, kernel_running FROM host_inventories WHERE host_id IN ({})",
        params(0, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in &ids {
        q = q.bind(*id);
    }
    let mut current: HashMap<String, (Option<String>, String)> = HashMap::new();
    for r in q.fetch_all(tx.conn()).await? {
        current.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
    }
    let still = |d: &&Due| {
        current.get(&d.ctx.host_id) == Some(&(d.digest.clone(), d.ctx.kernel_running.clone()))
    };
    let by_name: Vec<&Due> = chunk
        .iter()
        .filter(still)
        .filter(|d| d.only.is_some())
        .collect();
    let names: BTreeSet<String> = by_name
        .iter()
        .flat_map(|d| d.only.clone().into_iter().flatten())
        .collect();
    let mut out = HashMap::new();
    if !by_name.is_empty() {
        let ids: Vec<&str> = by_name.iter().map(|d| d.ctx.host_id.as_str()).collect();
        let mut got = packages_of(tx.conn(), backend, &ids, Some(&names)).await?;
        for d in by_name {
            let only = d.only.as_ref().expect("by name");
            let mut pk = got.remove(&d.ctx.host_id).unwrap_or_default();
            pk.retain(|p| only.contains(&p.name));
            out.insert(d.ctx.host_id.clone(), pk);
        }
    }
    // Whole hosts, and those with a kernel among the named packages.
    let whole: Vec<&str> = chunk
        .iter()
        .filter(still)
        .filter(|d| {
            out.get(&d.ctx.host_id)
                .is_none_or(|pk| pk.iter().any(|p| is_kernel(scheme, p)))
        })
        .map(|d| d.ctx.host_id.as_str())
        .collect();
    if !whole.is_empty() {
        let mut got = packages_of(tx.conn(), backend, &whole, None).await?;
        for id in whole {
            out.insert(id.to_string(), got.remove(id).unwrap_or_default());
        }
    }
    Ok(out)
}

impl Store {
    /// Match again the hosts of the ecosystems an import touched whose findings may change,
    /// then record security notices for the customers with new findings.
    pub(crate) async fn rematch_ecosystems(
        &self,
        touched: &BTreeMap<String, Touched>,
    ) -> Result<Matched> {
        let mut total = Matched::default();
        let mut customers = BTreeSet::new();
        for (eco_s, t) in touched {
            let Ok(eco) = eco_s.parse::<Ecosystem>() else {
                continue;
            };
            let hosts = sqlx::query(
                "SELECT host_id, customer_id, kernel_running, match_digest \
                 FROM host_inventories WHERE ecosystem = $1 ORDER BY host_id",
            )
            .bind(eco_s)
            .fetch_all(&self.pool)
            .await?;
            if hosts.is_empty() {
                continue;
            }
            let idx = self.eco_index(eco_s).await?;
            let want = match_digest(&idx.content);
            let before = t
                .before
                .as_deref()
                .filter(|_| t.names.len() <= MAX_NAMES)
                .map(match_digest);
            let named = match &before {
                Some(_) => hosts_with(&self.pool, &t.names).await?,
                None => HashMap::new(),
            };
            let mut due: Vec<Due> = Vec::new();
            for h in &hosts {
                let ctx = HostCtx {
                    host_id: h.try_get(0)?,
                    customer_id: h.try_get(1)?,
                    ecosystem: Some(eco_s.clone()),
                    kernel_running: h.try_get(2)?,
                };
                let digest: Option<String> = h.try_get(3)?;
                let only = if digest.as_ref() == Some(&want) {
                    total.unchanged += 1;
                    continue;
                } else if digest.is_some() && digest == before {
                    match named.get(&ctx.host_id) {
                        Some(names) => Some(names.clone()),
                        None => {
                            // Marked up to date below, with the others like it.
                            total.unchanged += 1;
                            continue;
                        }
                    }
                } else {
                    None
                };
                due.push(Due { ctx, digest, only });
            }
            let mut cache = MatchCache::new(&idx.index, &eco);
            let scheme = eco.scheme();
            let mut rest: &[Due] = &due;
            while !rest.is_empty() {
                let chunk = &rest[..rest.len().min(CHUNK_HOSTS)];
                let mut tx = self.write(&Scope::System).await?;
                let mut packages = chunk_packages(&mut tx, self.backend(), chunk, scheme).await?;
                // Named packages only, unless a kernel made it read them all.
                let only: HashMap<String, BTreeSet<String>> = chunk
                    .iter()
                    .filter(|d| d.only.is_some())
                    .filter_map(|d| {
                        let pk = packages.get(&d.ctx.host_id)?;
                        let names = pk.iter().map(|p| p.name.clone()).collect();
                        let kernel = pk.iter().any(|p| is_kernel(scheme, p));
                        (!kernel).then(|| (d.ctx.host_id.clone(), names))
                    })
                    .collect();
                let whole: Vec<&str> = packages
                    .keys()
                    .filter(|h| !only.contains_key(*h))
                    .map(String::as_str)
                    .collect();
                let named: Vec<&str> = only.keys().map(String::as_str).collect();
                let names: BTreeSet<String> = only.values().flatten().cloned().collect();
                let backend = self.backend();
                let mut stored = stored_findings(tx.conn(), backend, &whole, None).await?;
                stored.extend(stored_findings(tx.conn(), backend, &named, Some(&names)).await?);
                let mut decisions: HashMap<String, Vec<Exception>> = HashMap::new();
                let mut matched: Vec<String> = Vec::new();
                let mut writes = 0;
                let mut done = 0;
                for d in chunk {
                    done += 1;
                    // Matched by an inventory since it was chosen.
                    let Some(pk) = packages.remove(&d.ctx.host_id) else {
                        continue;
                    };
                    if !decisions.contains_key(&d.ctx.customer_id) {
                        let ex = exceptions(&mut tx, &d.ctx.customer_id).await?;
                        decisions.insert(d.ctx.customer_id.clone(), ex);
                    }
                    let known = Known {
                        stored: stored.remove(&d.ctx.host_id).unwrap_or_default(),
                        exceptions: &decisions[&d.ctx.customer_id],
                    };
                    let only = only.get(&d.ctx.host_id);
                    let m =
                        rematch_host(&mut tx, &d.ctx, &pk, Some(&mut cache), only, known).await?;
                    matched.push(d.ctx.host_id.clone());
                    total.hosts += 1;
                    total.opened += m.opened;
                    total.fixed += m.fixed;
                    if m.opened > 0 {
                        customers.insert(d.ctx.customer_id.clone());
                    }
                    writes += m.written;
                    if writes >= CHUNK_WRITES {
                        break;
                    }
                }
                if !matched.is_empty() {
                    let sql = format!(
                        "UPDATE host_inventories SET match_digest = $1 WHERE host_id IN ({})",
                        params(1, matched.len())
                    );
                    let mut q = sqlx::query(&sql).bind(&want);
                    for id in &matched {
                        q = q.bind(id.as_str());
                    }
                    q.execute(tx.conn()).await?;
                }
                tx.commit().await?;
                rest = &rest[done..];
            }
            // Up to date before the import and without any of its names: up to date now.
            if let Some(before) = &before {
                let mut tx = self.write(&Scope::System).await?;
                sqlx::query(
                    "UPDATE host_inventories SET match_digest = $1 \
                     WHERE ecosystem = $2 AND match_digest = $3",
                )
                .bind(&want)
                .bind(eco_s)
                .bind(before)
                .execute(tx.conn())
                .await?;
                tx.commit().await?;
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
