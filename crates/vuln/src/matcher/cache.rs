//! Matching many hosts that share package versions: [`MatchCache`] keeps the
//! outcome per (names, version) so a package seen on an earlier host costs one
//! hash lookup. A fleet of hosts built from one distribution's repositories
//! repeats the same few versions of every package, so most lookups hit.

use super::host::Hit;
use super::{AdvisoryIndex, HostReport};
use crate::ecosystem::{Distro, Ecosystem};
use crate::inventory::InstalledPackage;
use std::collections::HashMap;

/// Per-(package, version) results of one index and ecosystem.
pub struct MatchCache<'a> {
    index: &'a AdvisoryIndex,
    eco: Ecosystem,
    /// Key: the names and version the match depends on, `\0`-separated.
    map: HashMap<String, Result<Vec<Hit<'a>>, String>>,
    key: String,
    scratch: Vec<u8>,
    hits: u64,
    misses: u64,
}

impl<'a> MatchCache<'a> {
    /// An empty cache for hosts of `eco` matched against `index`.
    pub fn new(index: &'a AdvisoryIndex, eco: &Ecosystem) -> Self {
        MatchCache {
            index,
            eco: eco.clone(),
            map: HashMap::new(),
            key: String::with_capacity(128),
            scratch: Vec::with_capacity(64),
            hits: 0,
            misses: 0,
        }
    }

    /// (lookups answered from the cache, lookups computed).
    pub fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }

    /// Match one host, like [`AdvisoryIndex::match_host`] (same findings, same
    /// order), reusing earlier results for packages already seen.
    pub fn match_host<'p>(&mut self, packages: &'p [InstalledPackage]) -> HostReport<'p>
    where
        'a: 'p,
    {
        let mut report = HostReport::default();
        let Some(names) = self.index.by_eco.get(&self.eco) else {
            return report;
        };
        report.findings.reserve(packages.len());
        let scheme = self.eco.scheme();
        let by_source = !matches!(
            self.eco.distro,
            Distro::AlmaLinux | Distro::RockyLinux | Distro::RedHat
        );
        for pkg in packages {
            let (primary, extra, ver) = if by_source {
                (pkg.source_name(), "", pkg.source_version())
            } else {
                (
                    pkg.name.as_str(),
                    pkg.source_name.as_deref().unwrap_or(""),
                    pkg.version.as_str(),
                )
            };
            if !names.contains_key(primary) && (extra.is_empty() || !names.contains_key(extra)) {
                continue;
            }
            self.key.clear();
            for part in [primary, extra, ver] {
                self.key.push_str(part);
                self.key.push('\0');
            }
            let cached = match self.map.get(self.key.as_str()) {
                Some(c) => {
                    self.hits += 1;
                    c
                }
                None => {
                    self.misses += 1;
                    let mut found = Vec::new();
                    let outcome = self
                        .index
                        .package_hits(names, scheme, by_source, pkg, &mut self.scratch, &mut found)
                        .map(|()| found);
                    self.map.entry(self.key.clone()).or_insert(outcome)
                }
            };
            match cached {
                Ok(hits) => report.findings.extend(hits.iter().map(|h| h.finding(pkg))),
                Err(e) => report.unparsable.push((pkg, e.clone())),
            }
        }
        report
    }
}
