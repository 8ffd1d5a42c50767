//! Security notices and the monthly digest reach people: an inventory, then an advisory import
//! (`onestop advisories import` beside the running server) that affects it → the notice is
//! recorded and e-mailed through real SMTP (aiosmtpd) to each notice contact in their
//! language; the notice history shows it sent. A server started with the digest due mails
//! the month's digest the same way.
use crate::mail_support::{Smtp, server};
use crate::support::Api;
use onestop_server::mail::parse::parse;
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

const ALSA: &str = r#"{"id": "ALSA-2024:0001", "modified": "2024-01-10T00:00:00Z",
  "summary": "Important: openssl security update", "aliases": ["CVE-2024-0727"],
  "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "openssl-libs"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}]}]}]}"#;

fn env(smtp: &Smtp, digest_day: &str) -> Vec<(String, String)> {
    [
        ("ONESTOP_MAIL_SMTP_HOST", "127.0.0.1".to_string()),
        ("ONESTOP_MAIL_SMTP_PORT", smtp.port.to_string()),
        ("ONESTOP_MAIL_SMTP_TLS", "none".into()),
        (
            "ONESTOP_MAIL_FROM",
            "Service Desk <desk@provider.example>".into(),
        ),
        ("ONESTOP_MAIL_OUTBOX_SECS", "1".into()),
        ("ONESTOP_PATCH_DIGEST_DAY", digest_day.into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[tokio::test]
async fn security_notice_and_digest_are_mailed_in_each_language() {
    let tmp = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(tmp.path());
    // No digest from this server: only the notice is mailed.
    let s = server(tmp.path(), None, &env(&smtp, "0"));
    let api = Api::new(&s, s.admin_token());
    let (_, c) = api.post("/customers", json!({"name": "Acme"})).await;
    let cid = c["id"].as_str().unwrap().to_string();
    for (name, email, lang) in [
        ("Taro", "taro@acme.example", "ja"),
        ("Ann", "ann@acme.example", "en"),
    ] {
        let (st, b) = api
            .post(
                &format!("/customers/{cid}/contacts"),
                json!({"name": name, "email": email, "language": lang, "roles": ["security_notices"]}),
            )
            .await;
        assert_eq!(st, 201, "{b}");
    }
    let (_, host) = api
        .post(
            &format!("/customers/{cid}/assets"),
            json!({"name": "alma1", "kind": "server"}),
        )
        .await;
    let hid = host["id"].as_str().unwrap().to_string();
    let inv = json!({
        "os": {"id": "almalinux", "id_like": "rhel centos fedora", "version_id": "9.3"},
        "kernel": {"running": "5.14.0-362.8.1.el9_3.x86_64", "installed": []},
        "packages": [{"name": "openssl-libs", "version": "1:3.0.7-24.el9", "arch": "x86_64", "source": "openssl"}]
    });
    let (st, o) = api
        .send(Method::PUT, &format!("/hosts/{hid}/inventory"), Some(inv))
        .await;
    assert_eq!(st, 200, "{o}");
    assert_eq!(o["findings_opened"], 0, "no advisories yet");

    let osv = tmp.path().join("ALSA-2024-0001.json");
    std::fs::write(&osv, ALSA).unwrap();
    let (code, out, err) = s.cli(&["advisories", "import", osv.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("new: 1"), "{out}");

    let got = smtp.wait_for(2, Duration::from_secs(60));
    let mut mails: Vec<_> = got.iter().map(|raw| parse(raw, "test")).collect();
    assert_eq!(mails.len(), 2);
    let to = |raw: &[u8]| crate::mail_roundtrip::header(raw, "To").unwrap_or_default();
    let ja = got
        .iter()
        .position(|r| to(r).contains("taro@"))
        .expect("mail to Taro");
    let en = got
        .iter()
        .position(|r| to(r).contains("ann@"))
        .expect("mail to Ann");
    let (ja, en) = (mails.remove(ja.max(en)), mails.remove(ja.min(en)));
    let (ja, en) = if ja.subject.contains("セキュリティ") {
        (ja, en)
    } else {
        (en, ja)
    };
    assert!(
        ja.subject
            .contains("【重要】Acme 様 セキュリティパッチ情報"),
        "{}",
        ja.subject
    );
    assert!(
        ja.body_text.contains(
            "alma1 openssl-libs 1:3.0.7-24.el9 → 1:3.0.7-25.el9_3 (ALSA-2024:0001: CVE-2024-0727)"
        ),
        "{}",
        ja.body_text
    );
    assert!(ja.body_text.contains("ポータル"), "{}", ja.body_text);
    assert!(
        en.subject
            .contains("[high] Security patch information for Acme: 1 new finding(s) on 1 host(s)"),
        "{}",
        en.subject
    );
    assert!(
        en.body_text
            .contains("openssl-libs 1:3.0.7-24.el9 → 1:3.0.7-25.el9_3"),
        "{}",
        en.body_text
    );

    // The history: what, to whom, and that it went out.
    let t0 = Instant::now();
    let notice = loop {
        let (_, page) = api.get(&format!("/notices?customer={cid}")).await;
        let n = page["items"][0].clone();
        if n["email_status"] == "sent" || t0.elapsed() > Duration::from_secs(30) {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(notice["email_status"], "sent", "{notice}");
    assert_eq!(notice["kind"], "security");
    assert_eq!(notice["items"][0]["package"], "openssl-libs");
    assert!(notice["email_sent_at"].as_i64().is_some());
    let rec = notice["recipients"].as_array().unwrap();
    assert_eq!(rec.len(), 2);
    assert!(
        rec.iter()
            .all(|r| r["delivery"] == "sent" && r["message_id"].is_string())
    );

    // A server whose digest day has come mails the month's digest on its first pass.
    let s2 = crate::support::Server::start_with_env(
        &tmp.path().join("data"),
        None,
        &env(&smtp, "1")
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    );
    let got = smtp.wait_for(4, Duration::from_secs(60));
    let digests: Vec<_> = got[2..].iter().map(|raw| parse(raw, "test")).collect();
    assert!(
        digests
            .iter()
            .any(|m| m.subject.contains("Acme 様 パッチ情報")),
        "{:?}",
        digests.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(
        digests
            .iter()
            .any(|m| m.subject.contains("Patch information for Acme")
                && m.subject.contains("1 open finding(s)"))
    );
    let (_, page) = api
        .get(&format!("/notices?customer={cid}&kind=digest"))
        .await;
    assert_eq!(page["total"], 1, "{page}");
    drop(s2);
}
