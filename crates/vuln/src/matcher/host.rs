//! Matching one host, or many in parallel, against an [`AdvisoryIndex`].

use super::range::range_hit;
use super::{AdvisoryIndex, Finding, HostReport, NameEntries};
use crate::ecosystem::{Distro, Ecosystem};
use crate::inventory::InstalledPackage;
use crate::osv::Advisory;
use crate::osv::Affected;
use crate::version::{Scheme, Version, write_key};
use std::collections::HashMap;

impl AdvisoryIndex {
    /// Match the installed packages of a host of ecosystem `eco`. Findings
    /// come in inventory order, and by advisory id within a package.
    pub fn match_host<'a>(
        &'a self,
        eco: &Ecosystem,
        packages: &'a [InstalledPackage],
    ) -> HostReport<'a> {
        let mut report = HostReport::default();
        let Some(names) = self.by_eco.get(eco) else {
            return report;
        };
        let scheme = eco.scheme();
        let by_source = !matches!(
            eco.distro,
            Distro::AlmaLinux | Distro::RockyLinux | Distro::RedHat
        );
        let mut key = Vec::with_capacity(64);
        let mut hits = Vec::new();
        for pkg in packages {
            hits.clear();
            match self.package_hits(names, scheme, by_source, pkg, &mut key, &mut hits) {
                Ok(()) => report.findings.extend(hits.iter().map(|h| h.finding(pkg))),
                Err(e) => report.unparsable.push((pkg, e)),
            }
        }
        report
    }

    /// Match many hosts of one ecosystem on `threads` threads (0: as many as
    /// the machine has). Reports come back in the order of `hosts`.
    pub fn match_hosts<'a>(
        &'a self,
        eco: &Ecosystem,
        hosts: &'a [Vec<InstalledPackage>],
        threads: usize,
    ) -> Vec<HostReport<'a>> {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let chunk = hosts.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|s| {
            let handles: Vec<_> = hosts
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        let mut cache = super::MatchCache::new(self, eco);
                        part.iter().map(|h| cache.match_host(h)).collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    /// The findings of one installed package, appended to `out` (sorted by
    /// advisory, without duplicates). An unparsable version is an error.
    pub(super) fn package_hits<'a>(
        &'a self,
        names: &'a HashMap<String, NameEntries>,
        scheme: Scheme,
        by_source: bool,
        pkg: &InstalledPackage,
        key: &mut Vec<u8>,
        out: &mut Vec<Hit<'a>>,
    ) -> Result<(), String> {
        let (primary, extra, ver) = if by_source {
            (pkg.source_name(), None, pkg.source_version())
        } else {
            (
                pkg.name.as_str(),
                pkg.source_name.as_deref(),
                pkg.version.as_str(),
            )
        };
        let first = names.get(primary);
        let second = extra.and_then(|n| names.get(n));
        if first.is_none() && second.is_none() {
            return Ok(());
        }
        write_key(scheme, ver, key).map_err(|e| e.to_string())?;
        let start = out.len();
        for entries in [first, second].into_iter().flatten() {
            self.collect(pkg, scheme, key, entries, out);
        }
        let mine = &mut out[start..];
        mine.sort_by_key(|f| f.advisory as *const Advisory);
        if second.is_some() || first.is_some_and(|e| e.repeats) {
            let mut kept = start;
            for i in start..out.len() {
                if kept == start || !std::ptr::eq(out[kept - 1].advisory, out[i].advisory) {
                    out.swap(kept, i);
                    kept += 1;
                }
            }
            out.truncate(kept);
        }
        Ok(())
    }

    fn collect<'a>(
        &'a self,
        pkg: &InstalledPackage,
        scheme: Scheme,
        key: &[u8],
        e: &'a NameEntries,
        out: &mut Vec<Hit<'a>>,
    ) {
        let hit = |advisory: u32, affected: u32, fix: Option<&'a Version>| {
            let advisory = &self.advisories[advisory as usize];
            Hit {
                advisory,
                affected: &advisory.affected[affected as usize],
                fixed_version: fix.map(Version::as_str),
            }
        };
        let first_hit = e
            .simple
            .partition_point(|s| &e.keys[s.key.0 as usize..s.key.1 as usize] <= key);
        out.extend(
            e.simple[first_hit..]
                .iter()
                .map(|s| hit(s.advisory, s.affected, Some(&s.fixed))),
        );
        if e.general.is_empty() {
            return;
        }
        let Ok(v) = Version::parse(scheme, pkg_version(pkg, scheme)) else {
            return;
        };
        for g in &e.general {
            let mut found = g
                .ranges
                .iter()
                .filter_map(|r| range_hit(&v, r))
                .reduce(|a, b| a.or(b));
            if found.is_none() && g.versions.contains(&v) {
                found = Some(None);
            }
            if let Some(fix) = found {
                out.push(hit(g.advisory, g.affected, fix));
            }
        }
    }
}

/// The version compared for a package: the source version where advisories
/// name source packages (deb, apk), the package version for rpm.
fn pkg_version(pkg: &InstalledPackage, scheme: Scheme) -> &str {
    match scheme {
        Scheme::Rpm => &pkg.version,
        Scheme::Deb | Scheme::Apk => pkg.source_version(),
    }
}

/// One matching advisory entry of a package, before it is tied to the
/// installed package.
#[derive(Clone, Copy)]
pub(super) struct Hit<'a> {
    pub advisory: &'a Advisory,
    pub affected: &'a Affected,
    pub fixed_version: Option<&'a str>,
}

impl<'a> Hit<'a> {
    pub fn finding<'p>(&self, package: &'p InstalledPackage) -> Finding<'p>
    where
        'a: 'p,
    {
        Finding {
            package,
            advisory: self.advisory,
            affected: self.affected,
            fixed_version: self.fixed_version,
        }
    }
}
