//! Patch information at fleet scale through the real store (SQLite in a temp dir, or
//! `DB_URL`): import the AlmaLinux OSV database, store HOSTS inventories of PACKAGES
//! AlmaLinux 9 packages each (every one matched as it is stored), then re-import the
//! database with every record newer, which matches all hosts again from the database.
//!
//! `cargo run --release -p onestop-store --example patch_fleet -- [ZIP] [HOSTS] [PACKAGES] [DB_URL]`
//! (defaults: /work/shared/data/osv/AlmaLinux-all.zip, 1000, 1500, a temp SQLite file).
use onestop_proto::{Inventory, Kernel, OsInfo, Package};
use onestop_store::{AssetInput, CustomerInput, Scope, Store};
use onestop_vuln::osv::Event;
use onestop_vuln::{Ecosystem, load_path};
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

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let zip = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "/work/shared/data/osv/AlmaLinux-all.zip".into());
    let hosts: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let per: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1500);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = args
        .get(4)
        .cloned()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("onestop.db").display()));
    let store = Store::open(&url).await.expect("open");
    let sys = Scope::System;

    let t = Instant::now();
    let report = load_path(std::path::Path::new(&zip)).expect("load");
    let loaded = t.elapsed();
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
    let candidates: Vec<(String, Vec<String>)> = fixes
        .into_iter()
        .map(|(n, mut vs)| {
            let base = vs[0]
                .rsplit_once('-')
                .map_or(vs[0].clone(), |(v, _)| v.to_string());
            vs.push(format!("{base}-0"));
            (n, vs)
        })
        .collect();
    let mut again = report.advisories.clone();
    let t = Instant::now();
    let r = store
        .import_advisories(&sys, report.advisories, &zip)
        .await
        .expect("import");
    println!(
        "import {} advisories: read {:.2} s, stored {:.2} s (new {})",
        r.new + r.updated + r.unchanged,
        loaded.as_secs_f64(),
        t.elapsed().as_secs_f64(),
        r.new
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
    let t = Instant::now();
    let mut findings = 0;
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
        while packages.len() < per.min(candidates.len()) {
            let (name, versions) = &candidates[rng.below(candidates.len())];
            packages.entry(name.clone()).or_insert_with(|| Package {
                name: name.clone(),
                version: versions[rng.below(versions.len())].clone(),
                arch: "x86_64".into(),
                source: None,
                source_version: None,
            });
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
        let out = store
            .put_inventory(&sys, &a.id, &inv, "upload")
            .await
            .expect("inventory");
        findings += out.findings_opened;
    }
    let stored = t.elapsed();
    println!(
        "{hosts} inventories of {} packages stored and matched: {:.2} s ({:.1} ms per host), {findings} findings",
        per.min(candidates.len()),
        stored.as_secs_f64(),
        stored.as_secs_f64() * 1000.0 / hosts as f64
    );

    for a in &mut again {
        a.modified += chrono::Duration::seconds(1);
    }
    let t = Instant::now();
    let r = store
        .import_advisories(&sys, again, &zip)
        .await
        .expect("reimport");
    println!(
        "re-import with every record newer: {} updated, {} hosts matched again from the database in {:.2} s",
        r.updated,
        r.hosts_matched,
        t.elapsed().as_secs_f64()
    );
}
