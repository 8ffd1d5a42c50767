//! Host inventories: the current package set of a host (an asset), and the history of what
//! changed between two inventories. Storing an inventory matches the host again in the same
//! transaction, so findings and the inventory never disagree.
use super::findings::{HostCtx, Known, exceptions, rematch_host, stored_findings};
use super::index::{generation, match_digest, packages_digest};
use super::package_rows::replace_packages;
use super::rows::{V, insert_many};
use super::{HostInventory, HostPackage, InventoryOutcome, PackageChange, staff_only};
use crate::util::{from_json, new_id, to_json};
use crate::{Result, Scope, Store, StoreError};
use onestop_domain::model::ValidationError;
use onestop_proto::Inventory;
use onestop_vuln::inventory::InstalledPackage;
use onestop_vuln::inventory::kernel::reboot_status;
use onestop_vuln::inventory::os_release::OsRelease;
use onestop_vuln::{Ecosystem, MatchCache, Scheme, compare};
use sqlx::{AnyConnection, Row, any::AnyRow};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

const MAX_PACKAGES: usize = 200_000;
const INV_COLS: &str = "host_id, customer_id, os_id, os_version_id, os_id_like, os_pretty_name, ecosystem, kernel_running, kernels_installed, newest_kernel, reboot_required, package_count, source, updated_at";

fn inventory_from_row(r: &AnyRow) -> Result<HostInventory> {
    Ok(HostInventory {
        host_id: r.try_get(0)?,
        customer_id: r.try_get(1)?,
        os_id: r.try_get(2)?,
        os_version_id: r.try_get(3)?,
        os_id_like: r.try_get(4)?,
        os_pretty_name: r.try_get(5)?,
        ecosystem: r.try_get(6)?,
        kernel_running: r.try_get(7)?,
        kernels_installed: from_json(&r.try_get::<String, _>(8)?),
        newest_kernel: r.try_get(9)?,
        reboot_required: r.try_get::<i64, _>(10)? != 0,
        package_count: r.try_get(11)?,
        source: r.try_get(12)?,
        updated_at: r.try_get(13)?,
    })
}

/// The version scheme of a host: its ecosystem's, else guessed from `ID`/`ID_LIKE`.
pub(crate) fn scheme_of(eco: Option<&Ecosystem>, os: &OsRelease) -> Option<Scheme> {
    if let Some(e) = eco {
        return Some(e.scheme());
    }
    let ids = std::iter::once(os.id.as_str()).chain(os.id_like.iter().map(String::as_str));
    for id in ids {
        match id {
            "debian" | "ubuntu" => return Some(Scheme::Deb),
            "rhel" | "fedora" | "centos" | "suse" | "opensuse" => return Some(Scheme::Rpm),
            "alpine" => return Some(Scheme::Apk),
            _ => {}
        }
    }
    None
}

fn os_release(inv: &Inventory) -> OsRelease {
    OsRelease {
        id: inv.os.id.clone().unwrap_or_else(|| "linux".into()),
        version_id: inv.os.version_id.clone(),
        id_like: inv
            .os
            .id_like
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        pretty_name: inv.os.pretty_name.clone(),
    }
}

fn token(field: String, v: &str, max: usize) -> Result<()> {
    if v.is_empty() || v.len() > max || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ValidationError::new(
            &field,
            format!("must be 1 to {max} characters without spaces"),
        )
        .into());
    }
    Ok(())
}

/// Check an inventory and turn it into the matcher's packages (exact duplicates dropped).
fn packages_of(inv: &Inventory) -> Result<Vec<InstalledPackage>> {
    if inv.packages.len() > MAX_PACKAGES {
        return Err(ValidationError::new("packages", format!("more than {MAX_PACKAGES}")).into());
    }
    if inv.kernel.running.len() > 256 {
        return Err(ValidationError::new("kernel.running", "is too long").into());
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(inv.packages.len());
    for (i, p) in inv.packages.iter().enumerate() {
        token(format!("packages[{i}].name"), &p.name, 256)?;
        token(format!("packages[{i}].version"), &p.version, 256)?;
        if !p.arch.is_empty() {
            token(format!("packages[{i}].arch"), &p.arch, 64)?;
        }
        if let Some(s) = &p.source {
            token(format!("packages[{i}].source"), s, 256)?;
        }
        if let Some(s) = &p.source_version {
            token(format!("packages[{i}].source_version"), s, 256)?;
        }
        if !seen.insert((p.name.clone(), p.arch.clone(), p.version.clone())) {
            continue;
        }
        out.push(InstalledPackage {
            name: p.name.clone(),
            version: p.version.clone(),
            arch: Some(p.arch.clone()).filter(|a| !a.is_empty()),
            source_name: p.source.clone().filter(|s| *s != p.name),
            source_version: p.source_version.clone().filter(|s| *s != p.version),
        });
    }
    Ok(out)
}

type Versions = BTreeMap<(String, String), BTreeSet<String>>;

fn by_name<'a>(pkgs: impl Iterator<Item = (&'a str, &'a str, &'a str)>) -> Versions {
    let mut m = Versions::new();
    for (name, arch, version) in pkgs {
        m.entry((name.to_string(), arch.to_string()))
            .or_default()
            .insert(version.to_string());
    }
    m
}

/// One change: (name, arch, change, from, to).
pub(crate) type Change = (String, String, &'static str, Option<String>, Option<String>);

/// Changes from `old` to `new`.
pub(crate) fn diff(scheme: Option<Scheme>, old: &Versions, new: &Versions) -> Vec<Change> {
    let mut out = Vec::new();
    let keys: BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
    let empty = BTreeSet::new();
    for k in keys {
        let (o, n) = (old.get(k).unwrap_or(&empty), new.get(k).unwrap_or(&empty));
        if o == n {
            continue;
        }
        if let (1, 1) = (o.len(), n.len()) {
            let (from, to) = (o.iter().next().cloned(), n.iter().next().cloned());
            let (f, t) = (from.as_deref().unwrap_or(""), to.as_deref().unwrap_or(""));
            let kind = match scheme.map(|s| compare(s, f, t)) {
                Some(Ok(Ordering::Less)) => "upgraded",
                Some(Ok(Ordering::Greater)) => "downgraded",
                _ => "changed",
            };
            out.push((k.0.clone(), k.1.clone(), kind, from, to));
            continue;
        }
        for v in o.difference(n) {
            out.push((k.0.clone(), k.1.clone(), "removed", Some(v.clone()), None));
        }
        for v in n.difference(o) {
            out.push((k.0.clone(), k.1.clone(), "installed", None, Some(v.clone())));
        }
    }
    out
}

pub(crate) async fn packages_in(
    conn: &mut AnyConnection,
    host_id: &str,
) -> Result<Vec<HostPackage>> {
    let rows = sqlx::query(
        "SELECT name, arch, version, source_name, source_version FROM host_packages \
         WHERE host_id = $1 ORDER BY name, arch, version",
    )
    .bind(host_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HostPackage {
                name: r.try_get(0)?,
                arch: r.try_get(1)?,
                version: r.try_get(2)?,
                source_name: r.try_get(3)?,
                source_version: r.try_get(4)?,
            })
        })
        .collect()
}

impl Store {
    /// Store a host's inventory (from its agent or uploaded by staff): replace the current
    /// package set, append what changed since the previous inventory to the history, match
    /// the host against the advisories of its ecosystem, and record a security notice for
    /// findings new since the last one. `source` is `agent` or `upload`.
    pub async fn put_inventory(
        &self,
        scope: &Scope,
        host_id: &str,
        inv: &Inventory,
        source: &str,
    ) -> Result<InventoryOutcome> {
        staff_only(scope)?;
        let asset = self.get_asset(scope, host_id).await?;
        let packages = packages_of(inv)?;
        let os = os_release(inv);
        let eco = Ecosystem::from_os_release(&os);
        let scheme = scheme_of(eco.as_ref(), &os);
        let running = inv.kernel.running.trim().to_string();
        let reboot = scheme
            .filter(|_| !running.is_empty())
            .map(|s| reboot_status(s, &running, &packages));
        let eco_s = eco.as_ref().map(Ecosystem::to_string);
        let mut idx = match &eco_s {
            Some(e) => Some(self.eco_index(e).await?),
            None => None,
        };
        let pkg_digest = packages_digest(&packages);
        let mut tx = self.write(scope).await?;
        let now = tx.now;
        // An import committed since the index was read: match with the current advisories
        // (no other write can commit while this transaction holds the writer's turn).
        if let (Some(e), Some(i)) = (&eco_s, &idx)
            && i.generation != generation(tx.conn()).await?
        {
            idx = Some(self.eco_index(e).await?);
        }
        let want_match = idx.as_ref().map(|i| match_digest(&i.content));
        let previous = sqlx::query(
            "SELECT package_count, packages_digest, match_digest, kernel_running FROM host_inventories \
             WHERE host_id = $1",
        )
        .bind(host_id)
        .fetch_optional(tx.conn())
        .await?;
        let (prev_digest, prev_match, prev_kernel): (
            Option<String>,
            Option<String>,
            Option<String>,
        ) = match &previous {
            Some(r) => (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?),
            None => (None, None, None),
        };
        // The same package set as last time: nothing to diff or rewrite.
        let changes = if prev_digest.as_deref() == Some(pkg_digest.as_str()) {
            Vec::new()
        } else {
            let old = packages_in(tx.conn(), host_id).await?;
            let old_v = by_name(
                old.iter()
                    .map(|p| (p.name.as_str(), p.arch.as_str(), p.version.as_str())),
            );
            let new_v = by_name(packages.iter().map(|p| {
                (
                    p.name.as_str(),
                    p.arch.as_deref().unwrap_or(""),
                    p.version.as_str(),
                )
            }));
            replace_packages(&mut tx, host_id, &asset.customer_id, &old, &packages).await?;
            if previous.is_some() {
                diff(scheme, &old_v, &new_v)
            } else {
                Vec::new()
            }
        };
        let record = HostInventory {
            host_id: host_id.into(),
            customer_id: asset.customer_id.clone(),
            os_id: inv.os.id.clone(),
            os_version_id: inv.os.version_id.clone(),
            os_id_like: inv.os.id_like.clone(),
            os_pretty_name: inv.os.pretty_name.clone(),
            ecosystem: eco.as_ref().map(Ecosystem::to_string),
            kernel_running: running.clone(),
            kernels_installed: inv.kernel.installed.clone(),
            newest_kernel: reboot.as_ref().and_then(|r| r.newest_installed.clone()),
            reboot_required: reboot.as_ref().is_some_and(|r| r.reboot_required),
            package_count: packages.len() as i64,
            source: source.into(),
            updated_at: now,
        };
        sqlx::query("DELETE FROM host_inventories WHERE host_id = $1")
            .bind(host_id)
            .execute(tx.conn())
            .await?;
        let mut inv_cols: Vec<&str> = INV_COLS.split(", ").collect();
        inv_cols.extend(["packages_digest", "match_digest"]);
        insert_many(
            tx.conn(),
            "host_inventories",
            &inv_cols,
            &[vec![
                V::S(record.host_id.clone()),
                V::S(record.customer_id.clone()),
                V::OS(record.os_id.clone()),
                V::OS(record.os_version_id.clone()),
                V::OS(record.os_id_like.clone()),
                V::OS(record.os_pretty_name.clone()),
                V::OS(record.ecosystem.clone()),
                V::S(record.kernel_running.clone()),
                V::S(to_json(&record.kernels_installed)),
                V::OS(record.newest_kernel.clone()),
                V::I(i64::from(record.reboot_required)),
                V::I(record.package_count),
                V::S(record.source.clone()),
                V::I(now),
                V::S(pkg_digest.clone()),
                V::OS(want_match.clone()),
            ]],
            "",
        )
        .await?;
        let change_rows: Vec<Vec<V>> = changes
            .iter()
            .map(|(name, arch, kind, from, to)| {
                vec![
                    V::S(new_id()),
                    V::S(host_id.into()),
                    V::S(asset.customer_id.clone()),
                    V::I(now),
                    V::S(name.clone()),
                    V::S(arch.clone()),
                    V::S(kind.to_string()),
                    V::OS(from.clone()),
                    V::OS(to.clone()),
                ]
            })
            .collect();
        insert_many(
            tx.conn(),
            "package_changes",
            &[
                "id",
                "host_id",
                "customer_id",
                "at",
                "name",
                "arch",
                "change",
                "from_version",
                "to_version",
            ],
            &change_rows,
            "",
        )
        .await?;
        let count = |k: &str| changes.iter().filter(|c| c.2 == k).count();
        let mut outcome = InventoryOutcome {
            installed: count("installed"),
            removed: count("removed"),
            upgraded: count("upgraded"),
            downgraded: count("downgraded"),
            findings_opened: 0,
            findings_fixed: 0,
            notice_id: None,
            inventory: record,
        };
        tx.audit(
            "host.inventory",
            "asset",
            host_id,
            Some(&asset.customer_id),
            previous
                .map(|r| r.try_get::<i64, _>(0))
                .transpose()?
                .map(|n| serde_json::json!({"package_count": n}))
                .as_ref(),
            Some(&serde_json::json!({
                "source": source, "package_count": outcome.inventory.package_count,
                "ecosystem": outcome.inventory.ecosystem, "installed": outcome.installed,
                "removed": outcome.removed, "upgraded": outcome.upgraded,
                "downgraded": outcome.downgraded, "changed": count("changed"),
            })),
        )
        .await?;
        let ctx = HostCtx {
            host_id: host_id.into(),
            customer_id: asset.customer_id.clone(),
            ecosystem: outcome.inventory.ecosystem.clone(),
            kernel_running: running,
        };
        // Findings were reconciled from exactly these inputs: the matcher would say the same.
        let same_inputs = want_match.is_some()
            && want_match == prev_match
            && prev_digest.as_deref() == Some(pkg_digest.as_str())
            && prev_kernel.as_deref() == Some(ctx.kernel_running.as_str());
        if !same_inputs {
            let mut cache = idx
                .as_ref()
                .zip(eco.as_ref())
                .map(|(i, e)| MatchCache::new(&i.index, e));
            let mut stored = stored_findings(tx.conn(), self.backend(), &[host_id], None).await?;
            let ex = exceptions(&mut tx, &asset.customer_id).await?;
            let known = Known {
                stored: stored.remove(host_id).unwrap_or_default(),
                exceptions: &ex,
            };
            let m = rematch_host(&mut tx, &ctx, &packages, cache.as_mut(), None, known).await?;
            outcome.findings_opened = m.opened;
            outcome.findings_fixed = m.fixed;
        }
        outcome.notice_id = super::notices::notify_new(&mut tx, &asset.customer_id).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// A host's current inventory; `NotFound` when none was stored or the scope may not see it.
    pub async fn host_inventory(&self, scope: &Scope, host_id: &str) -> Result<HostInventory> {
        self.get_asset(scope, host_id).await?;
        let row = sqlx::query(&format!(
            "SELECT {INV_COLS} FROM host_inventories WHERE host_id = $1"
        ))
        .bind(host_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        inventory_from_row(&row)
    }

    /// A host's installed packages, by name.
    pub async fn host_packages(&self, scope: &Scope, host_id: &str) -> Result<Vec<HostPackage>> {
        self.get_asset(scope, host_id).await?;
        let mut conn = self.pool.acquire().await?;
        packages_in(&mut conn, host_id).await
    }

    /// A host's package changes in `[from, to)` (ms), oldest first.
    pub async fn package_changes(
        &self,
        scope: &Scope,
        host_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<PackageChange>> {
        self.get_asset(scope, host_id).await?;
        let rows = sqlx::query(
            "SELECT id, host_id, at, name, arch, change, from_version, to_version \
             FROM package_changes WHERE host_id = $1 AND at >= $2 AND at < $3 ORDER BY at, name, arch, id",
        )
        .bind(host_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PackageChange {
                    id: r.try_get(0)?,
                    host_id: r.try_get(1)?,
                    at: r.try_get(2)?,
                    name: r.try_get(3)?,
                    arch: r.try_get(4)?,
                    change: r.try_get(5)?,
                    from_version: r.try_get(6)?,
                    to_version: r.try_get(7)?,
                })
            })
            .collect()
    }
}
