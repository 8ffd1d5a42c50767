//! Figures on the real AlmaLinux OSV database (not committed): load time of
//! `AlmaLinux-all.zip`, index build time, and matching 1,000 synthetic hosts
//! of 1,500 installed packages each against `AlmaLinux:9`.
//!
//! `OSV_ALMALINUX_ZIP=/path/to/AlmaLinux-all.zip cargo bench -p onestop-vuln --bench almalinux`
//! (defaults to `/work/shared/data/osv/AlmaLinux-all.zip`; prints "skipped"
//! when the file is absent).

use onestop_vuln::inventory::InstalledPackage;
use onestop_vuln::osv::Event;
use onestop_vuln::{AdvisoryIndex, Ecosystem, Scheme, Version, load_path};
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

fn main() {
    let path = std::env::var_os("OSV_ALMALINUX_ZIP")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/data/osv/AlmaLinux-all.zip"));
    if !path.exists() {
        println!("skipped: {} not found", path.display());
        return;
    }
    let t = Instant::now();
    let report = load_path(&path).expect("load");
    let load = t.elapsed();
    println!(
        "load {}: {} advisories ({} rejected, {} warnings) in {:.3} s",
        path.display(),
        report.advisories.len(),
        report.rejected.len(),
        report.warnings.len(),
        load.as_secs_f64()
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

    let t = Instant::now();
    let index = AdvisoryIndex::new(report.advisories);
    println!("index build: {:.3} s", t.elapsed().as_secs_f64());

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

    let t = Instant::now();
    let mut findings = 0usize;
    let mut vulnerable_hosts = 0usize;
    for host in &hosts {
        let r = index.match_host(&eco, host);
        findings += r.findings.len();
        vulnerable_hosts += usize::from(!r.findings.is_empty());
    }
    let m = t.elapsed();
    println!(
        "match 1000 hosts x 1500 packages: {:.3} s ({} findings, {} hosts with findings, {:.0} ns/package)",
        m.as_secs_f64(),
        findings,
        vulnerable_hosts,
        m.as_nanos() as f64 / 1.5e6
    );
}
