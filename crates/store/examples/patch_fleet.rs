//! Patch information at fleet scale through the real store (SQLite in a temp dir, or
//! `DB_URL`). Prints, each with wall and process CPU time:
//! 1. the import of the AlmaLinux OSV database;
//! 2. HOSTS inventories of PACKAGES AlmaLinux 9 packages stored (each matched as stored);
//! 3. the same fleet matched in memory only (the pure matcher, for comparison);
//! 4. every inventory sent again unchanged (the agent's daily refresh);
//! 5. a re-import with every record newer but the same content (hosts skipped);
//! 6. an import of one new advisory that affects every host (all hosts matched again from
//!    the database, each with one new finding);
//! 7. an import of one new advisory that affects one host in a hundred;
//! 8. a re-import with every record newer and one more CVE id (the content of every
//!    advisory changed, the findings not: every host matched whole from the database).
//!
//! `cargo run --release -p onestop-store --example patch_fleet -- [ZIP] [HOSTS] [PACKAGES] [VULN] [DB_URL]`
//! (defaults: /work/shared/data/osv/AlmaLinux-all.zip, 1000, 1500, 1.0, a temp SQLite file).
//! VULN is the share of packages installed at a version some advisory fixes later (1.0:
//! every package picked among vulnerable versions, about 5,900 findings per host; 0.02: a
//! host two per cent behind, the rest at the newest fixed version).
use onestop_proto::{Inventory, Kernel, OsInfo, Package};
use onestop_store::{AssetInput, CustomerInput, Scope, Store};
use onestop_vuln::inventory::InstalledPackage;
use onestop_vuln::osv::Event;
use onestop_vuln::{AdvisoryIndex, Ecosystem, MatchCache, host_findings, load_path};
use std::collections::BTreeMap;
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// CPU time (user + system) of this process in seconds.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    (f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)) as f64 / 100.0
}

struct Clock(Instant, f64);

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now(), cpu())
    }
    fn show(&self) -> String {
        format!(
            "{:.2} s wall, {:.2} s cpu",
            self.0.elapsed().as_secs_f64(),
            cpu() - self.1
        )
    }
}

/// An advisory against `name`, fixed in 1.0-2.el9.
fn probe(id: &str, name: &str) -> onestop_vuln::Advisory {
    let json = format!(
        r#"{{"id": "{id}", "modified": "2030-01-01T00:00:00Z",
  "summary": "Important: {name} security update",
  "affected": [{{"package": {{"ecosystem": "AlmaLinux:9", "name": "{name}"}},
    "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "1.0-2.el9"}}]}}]}}]}}"#
    );
    onestop_vuln::parse_osv(json.as_bytes()).expect("probe")[0]
        .advisory
        .clone()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let zip = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "/work/shared/data/osv/AlmaLinux-all.zip".into());
    let hosts: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let per: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1500);
    let vuln: f64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = args
        .get(5)
        .cloned()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("onestop.db").display()));
    let store = Store::open(&url).await.expect("open");
    let sys = Scope::System;

    let t = Clock::start();
    let report = load_path(std::path::Path::new(&zip)).expect("load");
    let loaded = t.show();
    let eco: Ecosystem = "AlmaLinux:9".parse().unwrap();
    let mut fixes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in &report.advisories {
        for aff in a
            .affected
            .iter()
            .filter(|x| x.ecosystem().ok().as_ref() == Some(&eco))
        {
            for e in aff.ranges.iter().flatten() {
                if let Event::Fixed(v) = e {
                    fixes.entry(aff.name.clone()).or_default().push(v.clone());
                }
            }
        }
    }
    // Per package name: the vulnerable candidates (fixed versions and a base `-0`), and the
    // newest fixed version (not vulnerable to anything in the database).
    let candidates: Vec<(String, Vec<String>, String)> = fixes
        .into_iter()
        .map(|(n, mut vs)| {
            vs.sort_by(|a, b| {
                onestop_vuln::compare(onestop_vuln::Scheme::Rpm, a, b)
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            let newest = vs.last().cloned().unwrap();
            let base = vs[0]
                .rsplit_once('-')
                .map_or(vs[0].clone(), |(v, _)| v.to_string());
            vs.pop();
            vs.push(format!("{base}-0"));
            (n, vs, newest)
        })
        .collect();
    let again = report.advisories.clone();
    let t = Clock::start();
    let r = store
        .import_advisories(&sys, report.advisories, &zip)
        .await
        .expect("import");
    println!(
        "1. import {} advisories: read {loaded}; stored {}",
        r.new + r.updated + r.unchanged,
        t.show()
    );

    let c = store
        .create_customer(
            &sys,
            CustomerInput {
                name: Some("Fleet".into()),
                ..Default::default()
            },
        )
        .await
        .expect("customer");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut fleet: Vec<(String, Inventory)> = Vec::with_capacity(hosts);
    for h in 0..hosts {
        let a = store
            .create_asset(
                &sys,
                &c.id,
                AssetInput {
                    name: Some(format!("alma{h:04}")),
                    kind: Some("server".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("asset");
        let mut packages: BTreeMap<String, Package> = BTreeMap::new();
        packages.insert("fleet-probe".into(), rpm("fleet-probe", "1.0-1.el9"));
        if h % 100 == 0 {
            packages.insert("fleet-rare".into(), rpm("fleet-rare", "1.0-1.el9"));
        }
        while packages.len() < per.min(candidates.len()) {
            let (name, versions, newest) = &candidates[rng.below(candidates.len())];
            let behind = (rng.below(1_000_000) as f64) < vuln * 1_000_000.0;
            let v = if behind {
                versions[rng.below(versions.len())].clone()
            } else {
                newest.clone()
            };
            packages
                .entry(name.clone())
                .or_insert_with(|| rpm(name, &v));
        }
        let inv = Inventory {
            os: OsInfo {
                id: Some("almalinux".into()),
                version_id: Some("9.4".into()),
                ..Default::default()
            },
            kernel: Kernel {
                running: "5.14.0-427.13.1.el9_4.x86_64".into(),
                installed: vec![],
            },
            packages: packages.into_values().collect(),
        };
        fleet.push((a.id, inv));
    }

    let t = Clock::start();
    let mut findings = 0;
    for (id, inv) in &fleet {
        let out = store
            .put_inventory(&sys, id, inv, "upload")
            .await
            .expect("inventory");
        findings += out.findings_opened;
    }
    println!(
        "2. {hosts} inventories of {} packages stored and matched: {} ({:.1} ms per host), {findings} findings",
        fleet.first().map_or(0, |f| f.1.packages.len()),
        t.show(),
        t.0.elapsed().as_secs_f64() * 1000.0 / hosts as f64
    );

    let t = Clock::start();
    let index = AdvisoryIndex::new(again.clone());
    let built = t.show();
    let installed: Vec<Vec<InstalledPackage>> = fleet
        .iter()
        .map(|(_, inv)| {
            inv.packages
                .iter()
                .map(|p| {
                    let mut i = InstalledPackage::new(&p.name, &p.version);
                    i.arch = Some(p.arch.clone());
                    i
                })
                .collect()
        })
        .collect();
    let t = Clock::start();
    let mut cache = MatchCache::new(&index, &eco);
    let mut n = 0;
    for pk in &installed {
        let rep = cache.match_host(pk);
        n += host_findings(&rep, &eco, pk, Some("5.14.0-427.13.1.el9_4.x86_64")).len();
    }
    println!(
        "3. the same {hosts} hosts matched in memory (pure matcher, MatchCache + host_findings): {} ({n} findings; index built in {built})",
        t.show()
    );

    let t = Clock::start();
    let mut rematched = 0;
    for (id, inv) in &fleet {
        let out = store
            .put_inventory(&sys, id, inv, "agent")
            .await
            .expect("inventory");
        rematched += out.findings_opened + out.findings_fixed;
    }
    println!(
        "4. the {hosts} inventories sent again unchanged: {} ({:.1} ms per host, {rematched} findings changed)",
        t.show(),
        t.0.elapsed().as_secs_f64() * 1000.0 / hosts as f64
    );

    let mut newer = again.clone();
    for a in &mut newer {
        a.modified += chrono::Duration::seconds(1);
    }
    let t = Clock::start();
    let r = store
        .import_advisories(&sys, newer, &zip)
        .await
        .expect("reimport");
    println!(
        "5. re-import, every record newer, same content: {} updated, {} hosts matched again, {} unchanged and skipped: {}",
        r.updated,
        r.hosts_matched,
        r.hosts_unchanged,
        t.show()
    );

    for (step, id, name, whom) in [
        (6, "FLEET-PROBE-1", "fleet-probe", "every host"),
        (7, "FLEET-RARE-1", "fleet-rare", "one host in a hundred"),
    ] {
        let t = Clock::start();
        let r = store
            .import_advisories(&sys, vec![probe(id, name)], "probe")
            .await
            .expect("probe import");
        println!(
            "{step}. one new advisory affecting {whom}: {} hosts matched again from the database, {} unchanged, {} findings opened, {} notice(s): {}",
            r.hosts_matched,
            r.hosts_unchanged,
            r.findings_opened,
            r.notices,
            t.show()
        );
    }

    let mut changed = again;
    for a in &mut changed {
        a.modified += chrono::Duration::seconds(2);
        a.cves.push("CVE-2099-0001".into());
    }
    let t = Clock::start();
    let r = store
        .import_advisories(&sys, changed, &zip)
        .await
        .expect("reimport");
    println!(
        "8. re-import, every record with one more CVE id: {} updated, {} hosts matched again, {} findings opened: {}",
        r.updated,
        r.hosts_matched,
        r.findings_opened,
        t.show()
    );
}

fn rpm(name: &str, version: &str) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        arch: "x86_64".into(),
        source: None,
        source_version: None,
    }
}
