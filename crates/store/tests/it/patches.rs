//! Patch information on every backend: idempotent advisory import, inventories with their
//! history, findings and their states, the kernel rule, notices, digests and scoping.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_proto::{Inventory, Kernel, OsInfo, Package};
use onestop_store::*;
use onestop_vuln::{Advisory, parse_osv};

pub(crate) fn advisories(json: &str) -> Vec<Advisory> {
    parse_osv(json.as_bytes())
        .unwrap()
        .into_iter()
        .map(|p| p.advisory)
        .collect()
}

pub(crate) fn deb_advisory(
    id: &str,
    modified: &str,
    source: &str,
    fixed: &str,
    withdrawn: bool,
) -> String {
    let w = if withdrawn {
        format!(r#""withdrawn": "{modified}","#)
    } else {
        String::new()
    };
    format!(
        r#"{{"id": "{id}", "modified": "{modified}", {w} "summary": "{source} security update",
        "aliases": ["CVE-2024-0{}"],
        "affected": [{{"package": {{"ecosystem": "Debian:12", "name": "{source}"}},
          "ecosystem_specific": {{"urgency": "high"}},
          "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#,
        id.len() * 1000 + 1
    )
}

pub(crate) fn pkg(name: &str, version: &str, source: Option<(&str, &str)>) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        arch: "amd64".into(),
        source: source.map(|s| s.0.into()),
        source_version: source.map(|s| s.1.into()),
    }
}

pub(crate) fn debian(packages: Vec<Package>) -> Inventory {
    Inventory {
        os: OsInfo {
            id: Some("debian".into()),
            version_id: Some("12".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            ..Default::default()
        },
        kernel: Kernel {
            running: "6.1.0-13-amd64".into(),
            installed: vec!["6.1.0-13-amd64".into()],
        },
        packages,
    }
}

pub(crate) async fn customer_with_host(s: &Store, name: &str) -> (Customer, Asset) {
    let c = s
        .create_customer(
            &staff(),
            CustomerInput {
                name: Some(name.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let a = s
        .create_asset(
            &staff(),
            &c.id,
            AssetInput {
                name: Some(format!("{name}-web1")),
                kind: Some("server".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    (c, a)
}

fn customer_user(customer_id: &str) -> Scope {
    Scope::Customer {
        user_id: "u-cust".into(),
        username: "bob".into(),
        customer_id: customer_id.into(),
    }
}

on_both!(
    import_is_idempotent_and_honours_withdrawn,
    |f: Fresh| async move {
        let s = &f.store;
        let one = deb_advisory(
            "DSA-1",
            "2024-01-01T00:00:00Z",
            "openssl",
            "3.0.11-1~deb12u2",
            false,
        );
        let two = deb_advisory(
            "DSA-22",
            "2024-01-01T00:00:00Z",
            "curl",
            "7.88.1-10+deb12u5",
            false,
        );
        let all = advisories(&format!("[{one}, {two}]"));
        let r = s
            .import_advisories(&staff(), all.clone(), "t")
            .await
            .unwrap();
        assert_eq!((r.new, r.updated, r.unchanged), (2, 0, 0));
        let r = s.import_advisories(&staff(), all, "t").await.unwrap();
        assert_eq!((r.new, r.updated, r.unchanged), (0, 0, 2));
        // A customer's host with the vulnerable curl.
        let (c, host) = customer_with_host(s, "Acme").await;
        let inv = debian(vec![pkg(
            "libcurl4",
            "7.88.1-10+deb12u4",
            Some(("curl", "7.88.1-10+deb12u4")),
        )]);
        let out = s
            .put_inventory(&staff(), &host.id, &inv, "upload")
            .await
            .unwrap();
        assert_eq!(out.findings_opened, 1);
        // Newer record of DSA-22, withdrawn: updated, and its finding is withdrawn, not fixed.
        let w = deb_advisory(
            "DSA-22",
            "2024-02-01T00:00:00Z",
            "curl",
            "7.88.1-10+deb12u5",
            true,
        );
        let r = s
            .import_advisories(&staff(), advisories(&w), "t")
            .await
            .unwrap();
        assert_eq!((r.new, r.updated, r.unchanged, r.withdrawn), (0, 1, 0, 1));
        assert_eq!(r.hosts_matched, 1);
        let q = FindingQuery {
            customer: Some(c.id.clone()),
            ..Default::default()
        };
        let list = s.list_findings(&staff(), &q).await.unwrap();
        assert_eq!(list.total, 1);
        assert_eq!(list.items[0].state, "withdrawn");
        let a = s.get_advisory("DSA-22").await.unwrap();
        assert!(a.withdrawn.is_some());
        assert_eq!(a.advisory["id"], "DSA-22");
        // An older record does not replace a newer one.
        let old = deb_advisory("DSA-22", "2023-01-01T00:00:00Z", "curl", "1", false);
        let r = s
            .import_advisories(&staff(), advisories(&old), "t")
            .await
            .unwrap();
        assert_eq!((r.updated, r.unchanged), (0, 1));
        assert!(s.get_advisory("DSA-22").await.unwrap().withdrawn.is_some());
        assert!(matches!(
            s.get_advisory("nope").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.import_advisories(&customer_user(&c.id), vec![], "t")
                .await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { .. }
        ));
    }
);

on_both!(
    inventory_history_findings_and_notices,
    |f: Fresh| async move {
        let s = &f.store;
        let (c, host) = customer_with_host(s, "Acme").await;
        s.create_contact(
            &staff(),
            &c.id,
            ContactInput {
                name: "Sec Officer".into(),
                email: Some("sec@acme.example".into()),
                roles: vec!["security_notices".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        s.create_contact(
            &staff(),
            &c.id,
            ContactInput {
                name: "Someone Else".into(),
                email: Some("else@acme.example".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let adv = deb_advisory(
            "DSA-1",
            "2024-01-01T00:00:00Z",
            "openssl",
            "3.0.11-1~deb12u2",
            false,
        );
        s.import_advisories(&staff(), advisories(&adv), "t")
            .await
            .unwrap();
        // Binary libssl3 from source openssl: Debian advisories name the source package.
        let v1 = debian(vec![
            pkg(
                "libssl3",
                "3.0.11-1~deb12u1",
                Some(("openssl", "3.0.11-1~deb12u1")),
            ),
            pkg("bash", "5.2.15-2+b2", Some(("bash", "5.2.15-2"))),
        ]);
        let out = s
            .put_inventory(&staff(), &host.id, &v1, "upload")
            .await
            .unwrap();
        assert_eq!(out.inventory.ecosystem.as_deref(), Some("Debian:12"));
        assert_eq!(
            (out.installed, out.upgraded),
            (0, 0),
            "the first inventory is the baseline"
        );
        assert_eq!(out.findings_opened, 1);
        let notice_id = out.notice_id.expect("a security notice");
        let n = s.get_notice(&staff(), &notice_id).await.unwrap();
        assert_eq!(n.kind, "security");
        assert_eq!(n.items.len(), 1);
        assert_eq!(n.items[0].package, "libssl3");
        assert_eq!(
            n.items[0].fixed_version.as_deref(),
            Some("3.0.11-1~deb12u2")
        );
        assert_eq!(n.max_severity, "high");
        assert_eq!(n.email_status, "pending");
        let names: Vec<&str> = n.recipients.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Sec Officer"], "only contacts with the notice role");
        // The same inventory again: nothing new, no second notice.
        let again = s
            .put_inventory(&staff(), &host.id, &v1, "upload")
            .await
            .unwrap();
        assert_eq!((again.findings_opened, again.notice_id), (0, None));
        // The fix is installed (and bash removed, curl installed).
        let v2 = debian(vec![
            pkg(
                "libssl3",
                "3.0.11-1~deb12u2",
                Some(("openssl", "3.0.11-1~deb12u2")),
            ),
            pkg("curl", "7.88.1-10+deb12u5", None),
        ]);
        let out = s
            .put_inventory(&staff(), &host.id, &v2, "upload")
            .await
            .unwrap();
        assert_eq!((out.upgraded, out.installed, out.removed), (1, 1, 1));
        assert_eq!(out.findings_fixed, 1);
        let fnd = s
            .list_findings(
                &staff(),
                &FindingQuery {
                    host: Some(host.id.clone()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(fnd.items[0].state, "fixed");
        assert_eq!(
            fnd.items[0].fixed_version_seen.as_deref(),
            Some("3.0.11-1~deb12u2")
        );
        let now = now_ms();
        let changes = s
            .package_changes(&staff(), &host.id, 0, now + 1)
            .await
            .unwrap();
        let up = changes.iter().find(|c| c.name == "libssl3").unwrap();
        assert_eq!(
            (
                up.change.as_str(),
                up.from_version.as_deref(),
                up.to_version.as_deref()
            ),
            (
                "upgraded",
                Some("3.0.11-1~deb12u1"),
                Some("3.0.11-1~deb12u2")
            )
        );
        let ev = s
            .patch_evidence(&staff(), &host.id, 0, now + 1)
            .await
            .unwrap();
        assert_eq!(ev.changes.len(), 3);
        assert_eq!(ev.findings_closed.len(), 1);
        assert_eq!(ev.findings_open, 0);
        let pk = s.host_packages(&staff(), &host.id).await.unwrap();
        assert_eq!(
            pk.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["curl", "libssl3"]
        );
        // Downgrading brings the finding back, and it is announced again.
        let out = s
            .put_inventory(&staff(), &host.id, &v1, "upload")
            .await
            .unwrap();
        assert_eq!(out.findings_opened, 1);
        assert!(out.notice_id.is_some());
        let notices = s
            .list_notices(&staff(), &NoticeQuery::default())
            .await
            .unwrap();
        assert_eq!(notices.total, 2);
        // The monthly digest: once per customer and period.
        let d = s.create_digests("2026-11").await.unwrap();
        assert_eq!(d.len(), 1);
        assert!(s.create_digests("2026-11").await.unwrap().is_empty());
        let digest = s.get_notice(&staff(), &d[0]).await.unwrap();
        assert_eq!((digest.kind.as_str(), digest.finding_count), ("digest", 1));
        // Bad input is a validation error.
        let mut bad = v1.clone();
        bad.packages[0].name = "has space".into();
        assert!(matches!(
            s.put_inventory(&staff(), &host.id, &bad, "upload").await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { .. }
        ));
    }
);

on_both!(customers_see_only_their_hosts, |f: Fresh| async move {
    let s = &f.store;
    let adv = deb_advisory(
        "DSA-1",
        "2024-01-01T00:00:00Z",
        "openssl",
        "3.0.11-1~deb12u2",
        false,
    );
    s.import_advisories(&staff(), advisories(&adv), "t")
        .await
        .unwrap();
    let (acme, acme_host) = customer_with_host(s, "Acme").await;
    let (globex, globex_host) = customer_with_host(s, "Globex").await;
    let inv = debian(vec![pkg("openssl", "3.0.11-1~deb12u1", None)]);
    for h in [&acme_host, &globex_host] {
        s.put_inventory(&staff(), &h.id, &inv, "upload")
            .await
            .unwrap();
    }
    let bob = customer_user(&acme.id);
    let mine = s
        .list_findings(&bob, &FindingQuery::default())
        .await
        .unwrap();
    assert_eq!(mine.total, 1);
    assert_eq!(mine.items[0].host_id, acme_host.id);
    // Asking for the other customer's data filters to nothing, or is "not found".
    let theirs = FindingQuery {
        customer: Some(globex.id.clone()),
        ..Default::default()
    };
    assert_eq!(s.list_findings(&bob, &theirs).await.unwrap().total, 0);
    assert!(matches!(
        s.host_packages(&bob, &globex_host.id).await,
        Err(StoreError::NotFound)
    ));
    let other = s
        .list_findings(
            &staff(),
            &FindingQuery {
                host: Some(globex_host.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        s.get_finding(&bob, &other.items[0].id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        s.list_notices(&bob, &NoticeQuery::default())
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(s.host_packages(&bob, &acme_host.id).await.unwrap().len(), 1);
    // Customers read but do not decide or upload.
    assert!(matches!(
        s.put_inventory(&bob, &acme_host.id, &inv, "upload").await,
        Err(StoreError::Forbidden(_))
    ));
    let p = FindingPatch {
        state: "ignored".into(),
        reason: Some("x".into()),
        expires_at: None,
        apply_to: None,
    };
    assert!(matches!(
        s.decide_finding(&bob, &mine.items[0].id, p).await,
        Err(StoreError::Forbidden(_))
    ));
});

on_both!(decisions_per_host_and_customer, |f: Fresh| async move {
    let s = &f.store;
    let adv = deb_advisory(
        "DSA-1",
        "2024-01-01T00:00:00Z",
        "openssl",
        "3.0.11-1~deb12u2",
        false,
    );
    s.import_advisories(&staff(), advisories(&adv), "t")
        .await
        .unwrap();
    let (c, h1) = customer_with_host(s, "Acme").await;
    let inv = debian(vec![pkg("openssl", "3.0.11-1~deb12u1", None)]);
    s.put_inventory(&staff(), &h1.id, &inv, "upload")
        .await
        .unwrap();
    let q = FindingQuery {
        customer: Some(c.id.clone()),
        ..Default::default()
    };
    let f1 = s.list_findings(&staff(), &q).await.unwrap().items.remove(0);
    let decide = |state: &str, reason: &str, apply: &str, exp: Option<i64>| FindingPatch {
        state: state.into(),
        reason: Some(reason.into()),
        expires_at: exp,
        apply_to: Some(apply.into()),
    };
    let err = s
        .decide_finding(&staff(), &f1.id, decide("accepted_risk", "", "host", None))
        .await;
    assert!(
        matches!(err, Err(StoreError::Invalid(_))),
        "a reason is required"
    );
    let err = s
        .decide_finding(&staff(), &f1.id, decide("closed", "x", "host", None))
        .await;
    assert!(matches!(err, Err(StoreError::Invalid(_))));
    let later = now_ms() + 86_400_000;
    let d = s
        .decide_finding(
            &staff(),
            &f1.id,
            decide("accepted_risk", "isolated network", "customer", Some(later)),
        )
        .await
        .unwrap();
    assert_eq!(
        (d.state.as_str(), d.reason.as_deref()),
        ("accepted_risk", Some("isolated network"))
    );
    // A second host of the customer inherits the customer-wide decision and is not announced.
    let h2 = s
        .create_asset(
            &staff(),
            &c.id,
            AssetInput {
                name: Some("db1".into()),
                kind: Some("server".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let out = s
        .put_inventory(&staff(), &h2.id, &inv, "upload")
        .await
        .unwrap();
    assert_eq!((out.findings_opened, out.notice_id), (0, None));
    let states: Vec<String> = s
        .list_findings(&staff(), &q)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|f| f.state)
        .collect();
    assert_eq!(states, ["accepted_risk", "accepted_risk"]);
    // Withdrawing the decision reopens; a past expiry is refused.
    let d = s
        .decide_finding(&staff(), &f1.id, decide("open", "", "customer", None))
        .await
        .unwrap();
    assert_eq!(d.state, "open");
    let err = s
        .decide_finding(&staff(), &f1.id, decide("ignored", "x", "host", Some(1)))
        .await;
    assert!(matches!(err, Err(StoreError::Invalid(_))));
    assert_eq!(s.expire_finding_decisions().await.unwrap(), 0);
    // A decision that lapses reopens the finding.
    let soon = now_ms() + 300;
    let d = s
        .decide_finding(
            &staff(),
            &f1.id,
            decide("ignored", "maintenance window", "host", Some(soon)),
        )
        .await
        .unwrap();
    assert_eq!(d.state, "ignored");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(s.expire_finding_decisions().await.unwrap(), 1);
    assert_eq!(s.get_finding(&staff(), &f1.id).await.unwrap().state, "open");
});

on_both!(
    kernel_findings_follow_the_running_kernel,
    |f: Fresh| async move {
        let s = &f.store;
        let adv = r#"{"id": "ALSA-2024:1", "modified": "2024-01-01T00:00:00Z",
      "summary": "Important: kernel security update", "related": ["CVE-2024-1086"],
      "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "kernel-core"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.14.0-362.13.1.el9_3"}]}]}]}"#;
        s.import_advisories(&staff(), advisories(adv), "t")
            .await
            .unwrap();
        let (_, host) = customer_with_host(s, "Acme").await;
        let alma = |running: &str, kernels: &[&str]| Inventory {
            os: OsInfo {
                id: Some("almalinux".into()),
                version_id: Some("9.3".into()),
                ..Default::default()
            },
            kernel: Kernel {
                running: running.into(),
                installed: vec![],
            },
            packages: kernels
                .iter()
                .map(|v| Package {
                    name: "kernel-core".into(),
                    version: (*v).into(),
                    arch: "x86_64".into(),
                    source: None,
                    source_version: None,
                })
                .collect(),
        };
        let old = "5.14.0-362.8.1.el9_3";
        let new = "5.14.0-362.18.1.el9_3";
        let out = s
            .put_inventory(
                &staff(),
                &host.id,
                &alma(&format!("{old}.x86_64"), &[old]),
                "agent",
            )
            .await
            .unwrap();
        assert_eq!(out.findings_opened, 1);
        assert!(!out.inventory.reboot_required);
        // The fixed kernel is installed, the old one still runs: still open, reboot pending.
        let out = s
            .put_inventory(
                &staff(),
                &host.id,
                &alma(&format!("{old}.x86_64"), &[old, new]),
                "agent",
            )
            .await
            .unwrap();
        assert!(out.inventory.reboot_required);
        assert_eq!(out.installed, 1);
        let q = FindingQuery {
            host: Some(host.id.clone()),
            ..Default::default()
        };
        let f1 = s.list_findings(&staff(), &q).await.unwrap().items.remove(0);
        assert_eq!(
            (f1.state.as_str(), f1.kernel, f1.reboot_pending),
            ("open", true, true)
        );
        // After the reboot the finding is fixed, though the old kernel is still installed.
        let out = s
            .put_inventory(
                &staff(),
                &host.id,
                &alma(&format!("{new}.x86_64"), &[old, new]),
                "agent",
            )
            .await
            .unwrap();
        assert_eq!(out.findings_fixed, 1);
        assert!(!out.inventory.reboot_required);
    }
);
