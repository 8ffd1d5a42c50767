//! Matching again after an import touches only the hosts that have a package the changed
//! advisories name; the others, and a re-run that changes nothing, write nothing.
use crate::on_both;
use crate::patches::{advisories, customer_with_host, deb_advisory, debian, pkg};
use crate::support::{Fresh, staff};
use onestop_proto::{Inventory, Kernel, OsInfo, Package};
use onestop_store::*;

/// The `findings.match` audit entries, by host id.
async fn match_audits(s: &Store) -> Vec<String> {
    let f = AuditFilter {
        action: Some("findings.match".into()),
        limit: Some(1000),
        ..Default::default()
    };
    let mut ids: Vec<String> = s
        .audit_list(&staff(), &f)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.entity_id)
        .collect();
    ids.sort();
    ids
}

async fn findings_of(s: &Store, host: &str) -> Vec<Finding> {
    let q = FindingQuery {
        host: Some(host.into()),
        sort: Some("package".into()),
        ..Default::default()
    };
    s.list_findings(&staff(), &q).await.unwrap().items
}

on_both!(
    a_new_advisory_matches_only_the_hosts_with_its_package,
    |f: Fresh| async move {
        let s = &f.store;
        let (_, h1) = customer_with_host(s, "Acme").await;
        let (_, h2) = customer_with_host(s, "Beta").await;
        let openssl = |modified: &str| {
            advisories(&deb_advisory(
                "DSA-1",
                modified,
                "openssl",
                "3.0.11-1~deb12u2",
                false,
            ))
        };
        s.import_advisories(&staff(), openssl("2024-01-01T00:00:00Z"), "t")
            .await
            .unwrap();
        let mut packages: Vec<_> = (0..50)
            .map(|i| pkg(&format!("lib{i}"), "1.0-1", None))
            .collect();
        packages.push(pkg(
            "libssl3",
            "3.0.11-1~deb12u1",
            Some(("openssl", "3.0.11-1~deb12u1")),
        ));
        let mut with_curl = packages.clone();
        with_curl.push(pkg("libcurl4", "7.88.1-10", Some(("curl", "7.88.1-10"))));
        let o = s
            .put_inventory(&staff(), &h1.id, &debian(with_curl), "upload")
            .await
            .unwrap();
        assert_eq!(o.findings_opened, 1);
        let o = s
            .put_inventory(&staff(), &h2.id, &debian(packages.clone()), "upload")
            .await
            .unwrap();
        assert_eq!(o.findings_opened, 1);
        let h2_before = findings_of(s, &h2.id).await;
        let audits = match_audits(s).await;
        assert_eq!(audits.len(), 2);

        // A new advisory against curl (a source package): only h1 has it.
        let curl = advisories(&deb_advisory(
            "DSA-2",
            "2024-02-01T00:00:00Z",
            "curl",
            "7.88.1-10+deb12u5",
            false,
        ));
        let r = s.import_advisories(&staff(), curl, "t").await.unwrap();
        assert_eq!(
            (r.new, r.hosts_matched, r.hosts_unchanged, r.findings_opened),
            (1, 1, 1, 1)
        );
        let h1_now = findings_of(s, &h1.id).await;
        let got: Vec<(&str, &str, &str)> = h1_now
            .iter()
            .map(|f| (f.package.as_str(), f.advisory_id.as_str(), f.state.as_str()))
            .collect();
        assert_eq!(
            got,
            [("libcurl4", "DSA-2", "open"), ("libssl3", "DSA-1", "open")]
        );
        // h2 untouched: same rows, same last_seen, no audit entry for it.
        let h2_now = findings_of(s, &h2.id).await;
        assert_eq!(
            h2_now
                .iter()
                .map(|f| (&f.id, f.last_seen, &f.state))
                .collect::<Vec<_>>(),
            h2_before
                .iter()
                .map(|f| (&f.id, f.last_seen, &f.state))
                .collect::<Vec<_>>()
        );
        let mut want = audits.clone();
        want.push(h1.id.clone());
        want.sort();
        assert_eq!(match_audits(s).await, want);

        // The same content again with a newer `modified`: nobody matched, nothing written.
        let r = s
            .import_advisories(&staff(), openssl("2024-03-01T00:00:00Z"), "t")
            .await
            .unwrap();
        assert_eq!((r.updated, r.hosts_matched, r.hosts_unchanged), (1, 0, 2));
        // The same inventory again: not matched either.
        let o = s
            .put_inventory(&staff(), &h2.id, &debian(packages.clone()), "agent")
            .await
            .unwrap();
        assert_eq!((o.findings_opened, o.findings_fixed), (0, 0));
        assert_eq!(match_audits(s).await, want);
        assert_eq!(findings_of(s, &h1.id).await.len(), 2);
        assert_eq!(findings_of(s, &h2.id).await.len(), 1);

        // The openssl fix moves: both hosts have it, both are matched again, and only
        // that finding changes; h1's curl finding keeps its row.
        let r = s
            .import_advisories(
                &staff(),
                advisories(&deb_advisory(
                    "DSA-1",
                    "2024-04-01T00:00:00Z",
                    "openssl",
                    "3.0.11-1~deb12u1",
                    false,
                )),
                "t",
            )
            .await
            .unwrap();
        assert_eq!((r.updated, r.hosts_matched, r.hosts_unchanged), (1, 2, 0));
        let h1_after = findings_of(s, &h1.id).await;
        assert_eq!(h1_after.len(), 2);
        assert_eq!(
            (h1_after[0].id.as_str(), h1_after[0].last_seen),
            (h1_now[0].id.as_str(), h1_now[0].last_seen)
        );
        assert_eq!(
            (h1_after[1].package.as_str(), h1_after[1].state.as_str()),
            ("libssl3", "fixed")
        );
        assert_eq!(findings_of(s, &h2.id).await[0].state, "fixed");
    }
);

on_both!(a_big_import_matches_hosts_whole, |f: Fresh| async move {
    let s = &f.store;
    let (_, h1) = customer_with_host(s, "Acme").await;
    let (_, h2) = customer_with_host(s, "Beta").await;
    let packages: Vec<_> = (0..300)
        .map(|i| pkg(&format!("p{i}"), "1.0-1", None))
        .collect();
    for h in [&h1, &h2] {
        s.put_inventory(&staff(), &h.id, &debian(packages.clone()), "upload")
            .await
            .unwrap();
    }
    // More names than are matched by name: every host is matched whole, and gets
    // exactly the findings of its vulnerable packages.
    let json: Vec<String> = (0..250)
        .map(|i| {
            let fixed = if i % 50 == 0 { "1.0-2" } else { "0.9-1" };
            deb_advisory(
                &format!("DSA-{i}"),
                "2024-01-01T00:00:00Z",
                &format!("p{i}"),
                fixed,
                false,
            )
        })
        .collect();
    let r = s
        .import_advisories(&staff(), advisories(&format!("[{}]", json.join(","))), "t")
        .await
        .unwrap();
    assert_eq!((r.new, r.hosts_matched, r.findings_opened), (250, 2, 10));
    for h in [&h1, &h2] {
        let got: Vec<String> = findings_of(s, &h.id)
            .await
            .into_iter()
            .map(|f| f.package)
            .collect();
        assert_eq!(got, ["p0", "p100", "p150", "p200", "p50"]);
    }
});

on_both!(
    a_kernel_named_by_a_new_advisory_is_judged_on_all_kernels,
    |f: Fresh| async move {
        let s = &f.store;
        let (_, host) = customer_with_host(s, "Acme").await;
        let old = "5.14.0-362.8.1.el9_3";
        let new = "5.14.0-362.18.1.el9_3";
        let rpm = |name: &str, version: &str| Package {
            name: name.into(),
            version: version.into(),
            arch: "x86_64".into(),
            source: None,
            source_version: None,
        };
        // The old kernel-core runs; the newer kernel is installed under another kernel name.
        let inv = Inventory {
            os: OsInfo {
                id: Some("almalinux".into()),
                version_id: Some("9.3".into()),
                ..Default::default()
            },
            kernel: Kernel {
                running: format!("{old}.x86_64"),
                installed: vec![],
            },
            packages: vec![
                rpm("kernel-core", old),
                rpm("kernel", new),
                rpm("bash", "5.1.8-6.el9"),
            ],
        };
        s.put_inventory(&staff(), &host.id, &inv, "agent")
            .await
            .unwrap();
        // An advisory naming only kernel-core: matched again by name, but the kernel rule
        // sees every installed kernel, so the fix is installed and a reboot is pending.
        let adv = r#"{"id": "ALSA-2024:1", "modified": "2024-01-01T00:00:00Z",
      "summary": "Important: kernel security update",
      "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "kernel-core"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.14.0-362.13.1.el9_3"}]}]}]}"#;
        let r = s
            .import_advisories(&staff(), advisories(adv), "t")
            .await
            .unwrap();
        assert_eq!((r.hosts_matched, r.findings_opened), (1, 1));
        let f = findings_of(s, &host.id).await;
        assert_eq!(f.len(), 1);
        assert_eq!(
            (
                f[0].package.as_str(),
                f[0].installed_version.as_str(),
                f[0].kernel,
                f[0].reboot_pending
            ),
            ("kernel-core", old, true, true)
        );
    }
);
