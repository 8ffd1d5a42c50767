//! Writing a host's current package rows: only the rows that differ from the stored ones are
//! deleted and inserted (a daily inventory usually changes a handful of packages out of
//! thousands); when most rows differ, the set is replaced wholesale.
use super::HostPackage;
use super::rows::{V, insert_many};
use crate::{Result, WriteTx};
use onestop_vuln::inventory::InstalledPackage;
use std::collections::HashMap;

type Key<'a> = (&'a str, &'a str, &'a str);
type Source<'a> = (Option<&'a str>, Option<&'a str>);

/// Make `host_packages` of `host_id` hold `new`, given that it holds `old`.
pub(crate) async fn replace_packages(
    tx: &mut WriteTx,
    host_id: &str,
    customer_id: &str,
    old: &[HostPackage],
    new: &[InstalledPackage],
) -> Result<()> {
    let old_m: HashMap<Key, Source> = old
        .iter()
        .map(|p| {
            (
                (p.name.as_str(), p.arch.as_str(), p.version.as_str()),
                (p.source_name.as_deref(), p.source_version.as_deref()),
            )
        })
        .collect();
    let new_m: HashMap<Key, Source> = new
        .iter()
        .map(|p| {
            (
                (
                    p.name.as_str(),
                    p.arch.as_deref().unwrap_or(""),
                    p.version.as_str(),
                ),
                (p.source_name.as_deref(), p.source_version.as_deref()),
            )
        })
        .collect();
    let gone: Vec<&Key> = old_m
        .iter()
        .filter(|(k, v)| new_m.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    let wholesale = gone.len() * 2 > old_m.len();
    if wholesale {
        sqlx::query("DELETE FROM host_packages WHERE host_id = $1")
            .bind(host_id)
            .execute(tx.conn())
            .await?;
    } else {
        for (name, arch, version) in gone {
            sqlx::query(
                "DELETE FROM host_packages WHERE host_id = $1 AND name = $2 AND arch = $3 AND version = $4",
            )
            .bind(host_id)
            .bind(*name)
            .bind(*arch)
            .bind(*version)
            .execute(tx.conn())
            .await?;
        }
    }
    let rows: Vec<Vec<V>> = new_m
        .iter()
        .filter(|(k, v)| wholesale || old_m.get(*k) != Some(*v))
        .map(|((name, arch, version), (src, src_v))| {
            vec![
                V::S(host_id.into()),
                V::S(customer_id.into()),
                V::S(name.to_string()),
                V::S(arch.to_string()),
                V::S(version.to_string()),
                V::OS(src.map(str::to_string)),
                V::OS(src_v.map(str::to_string)),
            ]
        })
        .collect();
    insert_many(
        tx.conn(),
        "host_packages",
        &[
            "host_id",
            "customer_id",
            "name",
            "arch",
            "version",
            "source_name",
            "source_version",
        ],
        &rows,
        "",
    )
    .await
}
