//! Figures on the real AlmaLinux OSV database (not committed): load time of
//! `AlmaLinux-all.zip`, index build time, and matching 1,000 synthetic hosts
//! of 1,500 installed packages each against `AlmaLinux:9`, without and with
//! the per-(package, version) [`MatchCache`].
//!
//! `OSV_ALMALINUX_ZIP=/path/to/AlmaLinux-all.zip cargo bench -p onestop-vuln --bench almalinux`
//! (defaults to `/work/shared/data/osv/AlmaLinux-all.zip`; prints "skipped"
//! when the file is absent).

use onestop_vuln::inventory::InstalledPackage;
use onestop_vuln::osv::Event;
use onestop_vuln::{AdvisoryIndex, Ecosystem, MatchCache, Scheme, Version, load_path};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// xorshift64: a deterministic generator, enough for picking test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// CPU time (user + system) of this process in seconds, from
/// `/proc/self/stat` (clock ticks of 1/100 s), so figures stay meaningful
/// on a shared machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // After the command name: state is field 0, utime 11, stime 12.
    (f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)) as f64 / 100.0
}

fn main() {
    let path = std::env::var_os("OSV_ALMALINUX_ZIP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/data/osv/AlmaLinux-all.zip"));
    if !path.exists() {
        println!("skipped: {} not found", path.display());
        return;
    }
    let (t, c) = (Instant::now(), cpu_seconds());
    let report = load_path(&path).expect("load");
    println!(
        "load {}: {} advisories ({} rejected, {} warnings) in {:.3} s wall, {:.2} s cpu",
        path.display(),
        report.advisories.len(),
        report.rejected.len(),
        report.warnings.len(),
        t.elapsed().as_secs_f64(),
        cpu_seconds() - c
    );

    let eco: Ecosystem = "AlmaLinux:9".parse().unwrap();
    // Candidate installed versions per package: each published fix, plus the
    // newest fix's version with release "0" (older than every fix of it).
    let mut fixes: BTreeMap<String, Vec<Version>> = BTreeMap::new();
    for a in &report.advisories {
        for aff in a
            .affected
            .iter()
            .filter(|x| x.ecosystem().ok().as_ref() == Some(&eco))
        {
            for e in aff.ranges.iter().flatten() {
                if let Event::Fixed(v) = e {
                    fixes
                        .entry(aff.name.clone())
                        .or_default()
                        .push(Version::parse(Scheme::Rpm, v).unwrap());
                }
            }
        }
    }
    let mut candidates: Vec<(String, Vec<String>)> = Vec::new();
    for (name, mut vs) in fixes {
        vs.sort();
        let newest = vs.last().unwrap().as_str().to_string();
        let base = newest.rsplit_once('-').map_or(newest.as_str(), |(v, _)| v);
        let mut list: Vec<String> = vs.iter().map(|v| v.as_str().to_string()).collect();
        list.push(format!("{base}-0"));
        candidates.push((name, list));
    }
    println!("AlmaLinux:9 package names with fixes: {}", candidates.len());

    let (t, c) = (Instant::now(), cpu_seconds());
    let index = AdvisoryIndex::new(report.advisories);
    println!(
        "index build: {:.3} s wall, {:.2} s cpu",
        t.elapsed().as_secs_f64(),
        cpu_seconds() - c
    );

    let mut rng = Rng(0x9e3779b97f4a7c15);
    let hosts: Vec<Vec<InstalledPackage>> = (0..1000)
        .map(|_| {
            (0..1500)
                .map(|_| {
                    let (name, versions) = &candidates[rng.below(candidates.len())];
                    let mut p = InstalledPackage::new(
                        name.clone(),
                        versions[rng.below(versions.len())].clone(),
                    );
                    p.arch = Some("x86_64".into());
                    p
                })
                .collect()
        })
        .collect();

    let (t, c) = (Instant::now(), cpu_seconds());
    let mut findings = 0usize;
    let mut vulnerable_hosts = 0usize;
    for host in &hosts {
        let r = index.match_host(&eco, host);
        findings += r.findings.len();
        vulnerable_hosts += usize::from(!r.findings.is_empty());
    }
    let m = t.elapsed();
    println!(
        "match 1000 hosts x 1500 packages: {:.3} s wall, {:.2} s cpu ({} findings, {} hosts with findings, {:.0} ns/package wall)",
        m.as_secs_f64(),
        cpu_seconds() - c,
        findings,
        vulnerable_hosts,
        m.as_nanos() as f64 / 1.5e6
    );

    // With a per-(package, version) cache shared by the fleet, as the server matches.
    let (t, c) = (Instant::now(), cpu_seconds());
    let mut cache = MatchCache::new(&index, &eco);
    let mut cached_findings = 0usize;
    for host in &hosts {
        cached_findings += cache.match_host(host).findings.len();
    }
    let m = t.elapsed();
    assert_eq!(cached_findings, findings, "cached and uncached agree");
    let (hits, misses) = cache.stats();
    println!(
        "match 1000 hosts x 1500 packages, cached: {:.3} s wall, {:.2} s cpu ({} lookups from cache, {} computed)",
        m.as_secs_f64(),
        cpu_seconds() - c,
        hits,
        misses
    );

    let (t, c) = (Instant::now(), cpu_seconds());
    let reports = index.match_hosts(&eco, &hosts, 0);
    let total: usize = reports.iter().map(|r| r.findings.len()).sum();
    assert_eq!(total, findings, "parallel and sequential agree");
    println!(
        "match_hosts on {} threads: {:.3} s wall, {:.2} s cpu",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        t.elapsed().as_secs_f64(),
        cpu_seconds() - c
    );
}
