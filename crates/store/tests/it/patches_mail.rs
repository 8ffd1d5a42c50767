//! Security notices and digests go out by e-mail through the outbox, one message per
//! recipient in their language, and each notice records which message went to whom and
//! whether it was sent; matching after an import skips hosts whose inputs did not change and
//! matches again those whose advisories did.
use crate::on_both;
use crate::patches::{advisories, customer_with_host, deb_advisory, debian, pkg};
use crate::support::{Fresh, staff};
use onestop_store::*;

async fn contact(s: &Store, customer: &str, name: &str, email: &str, lang: &str, role: bool) {
    s.create_contact(
        &staff(),
        customer,
        ContactInput {
            name: name.into(),
            email: Some(email.into()),
            language: Some(lang.into()),
            roles: if role {
                vec!["security_notices".into()]
            } else {
                vec![]
            },
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

on_both!(notices_are_mailed_in_each_language, |f: Fresh| async move {
    let s = &f.store;
    let (c, host) = customer_with_host(s, "Acme").await;
    contact(s, &c.id, "Taro", "taro@acme.example", "ja", true).await;
    contact(s, &c.id, "Ann", "ann@acme.example", "en", true).await;
    contact(s, &c.id, "Nobody", "nobody@acme.example", "en", false).await;
    let adv = deb_advisory(
        "DSA-7",
        "2024-01-01T00:00:00Z",
        "openssl",
        "3.0.11-1~deb12u2",
        false,
    );
    s.import_advisories(&staff(), advisories(&adv), "t")
        .await
        .unwrap();
    let inv = debian(vec![pkg(
        "libssl3",
        "3.0.11-1~deb12u1",
        Some(("openssl", "3.0.11-1~deb12u1")),
    )]);
    let out = s
        .put_inventory(&staff(), &host.id, &inv, "upload")
        .await
        .unwrap();
    let notice_id = out.notice_id.expect("a notice");

    let now = onestop_store::now_ms();
    let mut due = s.claim_due_mail("t", now, 10, 60_000).await.unwrap();
    due.sort_by(|a, b| a.to_addr.cmp(&b.to_addr));
    let to: Vec<(&str, &str, &str)> = due
        .iter()
        .map(|m| (m.to_addr.as_str(), m.lang.as_str(), m.kind.as_str()))
        .collect();
    assert_eq!(
        to,
        [
            ("ann@acme.example", "en", "notice"),
            ("taro@acme.example", "ja", "notice")
        ]
    );
    assert!(
        due[0]
            .subject
            .contains("Security patch information for Acme"),
        "{}",
        due[0].subject
    );
    assert!(
        due[0]
            .body_text
            .contains("libssl3 3.0.11-1~deb12u1 → 3.0.11-1~deb12u2 (DSA-7"),
        "{}",
        due[0].body_text
    );
    assert!(
        due[1].subject.contains("セキュリティパッチ情報"),
        "{}",
        due[1].subject
    );
    assert!(due[1].subject.contains("【重要】"), "{}", due[1].subject);
    assert!(
        due[1].body_text.contains("修正バージョン"),
        "{}",
        due[1].body_text
    );
    assert!(
        due[1]
            .body_text
            .contains("libssl3 3.0.11-1~deb12u1 → 3.0.11-1~deb12u2")
    );

    // The notice records who got which message, and their delivery.
    let n = s.get_notice(&staff(), &notice_id).await.unwrap();
    assert_eq!(n.email_status, "pending");
    let ids: Vec<Option<&str>> = n
        .recipients
        .iter()
        .map(|r| r.message_id.as_deref())
        .collect();
    assert_eq!(ids.len(), 2);
    for m in &due {
        assert!(ids.contains(&Some(m.message_id.as_str())));
    }
    s.mail_sent(&due[0], now + 1).await.unwrap();
    let n = s.get_notice(&staff(), &notice_id).await.unwrap();
    assert_eq!(
        (n.email_status.as_str(), n.email_sent_at),
        ("pending", None)
    );
    s.mail_sent(&due[1], now + 2).await.unwrap();
    let n = s.get_notice(&staff(), &notice_id).await.unwrap();
    assert_eq!(
        (n.email_status.as_str(), n.email_sent_at),
        ("sent", Some(now + 2))
    );
    assert!(
        n.recipients
            .iter()
            .all(|r| r.delivery.as_deref() == Some("sent"))
    );
    let listed = s
        .list_notices(&staff(), &NoticeQuery::default())
        .await
        .unwrap();
    assert_eq!(listed.items[0].email_status, "sent");

    // The monthly digest is mailed too, once.
    let d = s.create_digests("2026-11").await.unwrap();
    assert_eq!(d.len(), 1);
    let due = s
        .claim_due_mail("t", onestop_store::now_ms() + 1_000, 10, 60_000)
        .await
        .unwrap();
    assert_eq!(due.len(), 2);
    assert!(due.iter().any(|m| m.subject.contains("パッチ情報 2026-11")));
    assert!(due.iter().any(|m| {
        m.subject
            .contains("Patch information for Acme, 2026-11: 1 open")
    }));
    assert!(s.create_digests("2026-11").await.unwrap().is_empty());
});

on_both!(
    matching_again_skips_unchanged_hosts,
    |f: Fresh| async move {
        let s = &f.store;
        let (_, h1) = customer_with_host(s, "Acme").await;
        let (_, h2) = customer_with_host(s, "Beta").await;
        let adv = |modified: &str, fixed: &str| {
            advisories(&deb_advisory("DSA-9", modified, "openssl", fixed, false))
        };
        s.import_advisories(
            &staff(),
            adv("2024-01-01T00:00:00Z", "3.0.11-1~deb12u2"),
            "t",
        )
        .await
        .unwrap();
        let mut packages: Vec<_> = (0..300)
            .map(|i| pkg(&format!("lib{i}"), "1.0-1", None))
            .collect();
        packages.push(pkg(
            "libssl3",
            "3.0.11-1~deb12u1",
            Some(("openssl", "3.0.11-1~deb12u1")),
        ));
        let inv = debian(packages.clone());
        for h in [&h1, &h2] {
            let o = s
                .put_inventory(&staff(), &h.id, &inv, "upload")
                .await
                .unwrap();
            assert_eq!(o.findings_opened, 1);
        }
        // The same content with a newer `modified`: stored, but nobody needs matching again.
        let r = s
            .import_advisories(
                &staff(),
                adv("2024-02-01T00:00:00Z", "3.0.11-1~deb12u2"),
                "t",
            )
            .await
            .unwrap();
        assert_eq!((r.updated, r.hosts_matched, r.hosts_unchanged), (1, 0, 2));
        // A new fixed version: both hosts are matched again and their findings say so.
        let r = s
            .import_advisories(
                &staff(),
                adv("2024-03-01T00:00:00Z", "3.0.11-1~deb12u3"),
                "t",
            )
            .await
            .unwrap();
        assert_eq!((r.updated, r.hosts_matched, r.hosts_unchanged), (1, 2, 0));
        let q = FindingQuery {
            state: Some("open".into()),
            ..Default::default()
        };
        let open = s.list_findings(&staff(), &q).await.unwrap();
        assert_eq!(open.total, 2);
        assert!(
            open.items
                .iter()
                .all(|f| f.fixed_version.as_deref() == Some("3.0.11-1~deb12u3"))
        );
        // One package of 301 upgraded: the stored set follows, the history has one upgrade.
        let mut v2 = packages.clone();
        v2[7].version = "1.0-2".into();
        let o = s
            .put_inventory(&staff(), &h1.id, &debian(v2), "upload")
            .await
            .unwrap();
        assert_eq!((o.upgraded, o.installed, o.removed), (1, 0, 0));
        let stored = s.host_packages(&staff(), &h1.id).await.unwrap();
        assert_eq!(stored.len(), 301);
        assert_eq!(
            stored.iter().find(|p| p.name == "lib7").unwrap().version,
            "1.0-2"
        );
        // The fix on h2: its finding closes (inputs changed, so it is matched).
        let mut fixed = packages.clone();
        fixed[300].version = "3.0.11-1~deb12u3".into();
        fixed[300].source_version = Some("3.0.11-1~deb12u3".into());
        let o = s
            .put_inventory(&staff(), &h2.id, &debian(fixed), "upload")
            .await
            .unwrap();
        assert_eq!(o.findings_fixed, 1);
        assert_eq!(s.list_findings(&staff(), &q).await.unwrap().total, 1);
    }
);
