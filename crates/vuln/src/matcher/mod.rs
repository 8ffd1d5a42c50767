//! Matching installed packages against advisories.
//!
//! [`AdvisoryIndex::new`] parses every version bound once and files each
//! affected entry under (ecosystem, package name); matching a host is then
//! one hash lookup per installed package plus range checks on parsed
//! versions. Withdrawn advisories are left out of the index.
//!
//! Name and version used per family:
//! * Debian, Ubuntu, Alpine: advisories name source packages, so the
//!   installed package's source name and source version are used.
//! * AlmaLinux, Rocky Linux, Red Hat: the binary name, and also the source
//!   name when the inventory has one; the installed version.
//!
//! Only entries of the host's own ecosystem (distribution, release, variant)
//! are considered, and only distro (`ECOSYSTEM`) ranges exist in the index.

mod cache;
mod host;
pub mod kernel;
mod outcome;
mod range;

use crate::ecosystem::Ecosystem;
use crate::inventory::InstalledPackage;
use crate::osv::{Advisory, Affected};
use crate::version::Version;
use range::{Bound, compile_range};
use std::collections::HashMap;

pub use cache::MatchCache;
pub use outcome::{HostFinding, host_findings};

/// An entry of the common shape `introduced: "0"`, `fixed: X`, no list.
struct Simple {
    fixed: Version,
    /// Byte range of `fixed`'s key in [`NameEntries::keys`].
    key: (u32, u32),
    advisory: u32,
    affected: u32,
}

/// Any other entry, evaluated with the full algorithm.
struct General {
    advisory: u32,
    affected: u32,
    ranges: Vec<Vec<Bound>>,
    versions: Vec<Version>,
}

/// Entries for one package name of one ecosystem.
#[derive(Default)]
struct NameEntries {
    /// Sorted by `fixed`, so the hits for a version are a suffix.
    simple: Vec<Simple>,
    /// The keys of `simple`'s fixed versions side by side, so a binary search
    /// reads one small block of memory.
    keys: Vec<u8>,
    general: Vec<General>,
    /// Some advisory has several entries here; findings need deduplication.
    repeats: bool,
}

/// Advisories indexed by ecosystem and package name.
pub struct AdvisoryIndex {
    advisories: Vec<Advisory>,
    by_eco: HashMap<Ecosystem, HashMap<String, NameEntries>>,
    skipped_ranges: usize,
}

/// One (installed package, advisory) pair that affects the host.
#[derive(Debug, Clone, Copy)]
pub struct Finding<'a> {
    /// The installed package.
    pub package: &'a InstalledPackage,
    /// The advisory.
    pub advisory: &'a Advisory,
    /// The advisory's entry that matched (its name may be the source name).
    pub affected: &'a Affected,
    /// Version that fixes it, if the distribution published one.
    pub fixed_version: Option<&'a str>,
}

/// Result of matching one host.
#[derive(Debug, Default)]
pub struct HostReport<'a> {
    /// Findings sorted by package name, then advisory id.
    pub findings: Vec<Finding<'a>>,
    /// Installed packages whose version does not parse, with the reason.
    pub unparsable: Vec<(&'a InstalledPackage, String)>,
}

impl AdvisoryIndex {
    /// Build the index. Affected entries of unsupported ecosystems and ranges
    /// whose versions do not parse are skipped (see [`Self::skipped_ranges`]).
    /// Advisories are kept sorted by id.
    pub fn new(mut advisories: Vec<Advisory>) -> Self {
        advisories.sort_by(|a, b| a.id.cmp(&b.id));
        let mut by_eco: HashMap<Ecosystem, HashMap<String, NameEntries>> = HashMap::new();
        let mut skipped_ranges = 0;
        for (ai, adv) in advisories.iter().enumerate() {
            if adv.is_withdrawn() {
                continue;
            }
            for (fi, aff) in adv.affected.iter().enumerate() {
                let Ok(eco) = aff.ecosystem() else { continue };
                let scheme = eco.scheme();
                let mut ranges = Vec::with_capacity(aff.ranges.len());
                for r in &aff.ranges {
                    match compile_range(scheme, r) {
                        Some(c) => ranges.push(c),
                        None => skipped_ranges += 1,
                    }
                }
                let versions: Vec<Version> = aff
                    .versions
                    .iter()
                    .filter_map(|v| Version::parse(scheme, v).ok())
                    .collect();
                let slot = by_eco
                    .entry(eco)
                    .or_default()
                    .entry(aff.name.clone())
                    .or_default();
                let (advisory, affected) = (ai as u32, fi as u32);
                slot.repeats |= slot.simple.iter().any(|e| e.advisory == advisory)
                    || slot.general.iter().any(|e| e.advisory == advisory);
                if let ([r], true) = (ranges.as_slice(), versions.is_empty())
                    && let [Bound::Introduced(None), Bound::Fixed(fixed)] = r.as_slice()
                {
                    let fixed = fixed.clone();
                    slot.simple.push(Simple {
                        fixed,
                        key: (0, 0),
                        advisory,
                        affected,
                    });
                } else {
                    slot.general.push(General {
                        advisory,
                        affected,
                        ranges,
                        versions,
                    });
                }
            }
        }
        for names in by_eco.values_mut() {
            for e in names.values_mut() {
                e.simple.sort_by(|a, b| a.fixed.cmp(&b.fixed));
                for s in &mut e.simple {
                    let start = e.keys.len() as u32;
                    e.keys.extend_from_slice(s.fixed.key());
                    s.key = (start, e.keys.len() as u32);
                }
            }
        }
        AdvisoryIndex {
            advisories,
            by_eco,
            skipped_ranges,
        }
    }

    /// All advisories, withdrawn ones included.
    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }

    /// Ecosystems present in the index.
    pub fn ecosystems(&self) -> impl Iterator<Item = &Ecosystem> {
        self.by_eco.keys()
    }

    /// Ranges left out because a bound did not parse.
    pub fn skipped_ranges(&self) -> usize {
        self.skipped_ranges
    }
}
