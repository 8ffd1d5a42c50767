//! The round trip against real servers: a customer's mail arrives in a dovecot mailbox → the
//! server's IMAP poller opens a ticket → the acknowledgement and a staff reply go out through
//! SMTP (aiosmtpd) with threading headers → the customer answers (In-Reply-To our
//! Message-ID, no number in the subject) → the answer lands on the same ticket. Also: IMAP
//! over STARTTLS, a delivery failure visible on the ticket, and two servers on one PostgreSQL
//! sending each queued message once.
use crate::mail_support::{
    Imap, Smtp, customers, ingest, message, server, ticket_by_number, ticket_count,
};
use crate::support::{Api, postgres_url};
use serde_json::json;
use std::time::{Duration, Instant};

/// The unfolded value of header `name` in a raw message.
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text
        .split("\r\n\r\n")
        .next()
        .unwrap_or("")
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ");
    let head = head
        .split("\n\n")
        .next()
        .unwrap_or("")
        .replace("\n ", " ")
        .replace("\n\t", " ");
    head.lines()
        .find(|l| {
            l.len() > name.len()
                && l[..name.len()].eq_ignore_ascii_case(name)
                && l[name.len()..].starts_with(':')
        })
        .map(|l| l[name.len() + 1..].trim().to_string())
}

fn smtp_env(smtp: &Smtp) -> Vec<(String, String)> {
    vec![
        ("ONESTOP_MAIL_SMTP_HOST".into(), "127.0.0.1".into()),
        ("ONESTOP_MAIL_SMTP_PORT".into(), smtp.port.to_string()),
        ("ONESTOP_MAIL_SMTP_TLS".into(), "none".into()),
        (
            "ONESTOP_MAIL_FROM".into(),
            "Service Desk <desk@desk.provider.example>".into(),
        ),
        ("ONESTOP_MAIL_OUTBOX_SECS".into(), "1".into()),
    ]
}

async fn wait<F: AsyncFn() -> bool>(what: &str, within: Duration, f: F) {
    let t0 = Instant::now();
    while !f().await {
        assert!(t0.elapsed() < within, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn round_trip(pg: Option<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(tmp.path());
    let imap = Imap::start(tmp.path());
    let mut env = smtp_env(&smtp);
    env.extend(imap.env(false));
    let s = server(tmp.path(), pg.as_deref(), &env);
    let api = Api::new(&s, s.admin_token());
    let (acme, _, _) = customers(&api).await;

    // In: the customer writes to the desk's mailbox.
    imap.deliver(&message(
        "Alice <alice@acme.example>",
        "Mail server slow",
        "c1@acme.example",
        "",
        "Mail takes minutes.",
    ));
    wait(
        "the IMAP poller to open a ticket",
        Duration::from_secs(30),
        async || ticket_count(&api).await == 1,
    )
    .await;
    let (_, page) = api.get("/tickets").await;
    let t = page["items"][0].clone();
    let (id, number) = (
        t["id"].as_str().unwrap().to_string(),
        t["number"].as_str().unwrap().to_string(),
    );
    assert_eq!(t["customer_id"], acme.as_str());
    assert_eq!(t["channel"], "email");
    assert_eq!(imap.unseen(), 0, "the poller marks what it stored as seen");

    // Out: the acknowledgement.
    let got = smtp.wait_for(1, Duration::from_secs(30));
    let ack = &got[0];
    assert!(
        header(ack, "Subject")
            .unwrap()
            .contains(&format!("[{number}]"))
    );
    assert_eq!(
        header(ack, "Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    assert_eq!(
        header(ack, "In-Reply-To").as_deref(),
        Some("<c1@acme.example>")
    );
    assert!(
        header(ack, "Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    assert!(header(ack, "To").unwrap().contains("alice@acme.example"));
    let ack_id = header(ack, "Message-ID").unwrap();
    assert!(ack_id.ends_with("@desk.provider.example>"), "{ack_id}");

    // Out: a staff reply, threaded after the acknowledgement; no Auto-Submitted.
    let t0 = Instant::now();
    let (st, _) = api
        .post(
            &format!("/tickets/{id}/comments"),
            json!({"body": "Please restart the relay.", "visibility": "public"}),
        )
        .await;
    assert_eq!(st, 201);
    let got = smtp.wait_for(2, Duration::from_secs(30));
    eprintln!(
        "outbound: reply saved → accepted by SMTP in {:?}",
        t0.elapsed()
    );
    let reply = &got[1];
    assert!(String::from_utf8_lossy(reply).contains("Please restart the relay."));
    assert_eq!(header(reply, "Auto-Submitted"), None);
    assert!(
        header(reply, "References")
            .unwrap()
            .contains("<c1@acme.example>")
    );
    assert!(header(reply, "References").unwrap().contains(&ack_id));
    let reply_id = header(reply, "Message-ID").unwrap();

    // In: the customer answers the reply, with no number in the subject.
    let answer = message(
        "alice@acme.example",
        "Re: thanks",
        "c2@acme.example",
        &format!(
            "In-Reply-To: {reply_id}\r\nReferences: <c1@acme.example> {ack_id} {reply_id}\r\n"
        ),
        "Restarted, it works now.",
    );
    imap.deliver(&answer);
    let api2 = api.clone();
    let id2 = id.clone();
    wait(
        "the answer on the ticket",
        Duration::from_secs(30),
        async || {
            let (_, ev) = api2.get(&format!("/tickets/{id2}/events")).await;
            ev.to_string().contains("Restarted, it works now.")
        },
    )
    .await;
    assert_eq!(ticket_count(&api).await, 1);

    // The ticket shows each message's delivery state.
    let (_, mail) = api.get(&format!("/tickets/{id}/mail")).await;
    let out = mail["outgoing"].as_array().unwrap();
    assert_eq!(out.len(), 2);
    assert!(
        out.iter()
            .all(|m| m["status"] == "sent" && m["sent_at"].is_i64()),
        "{mail}"
    );
    assert_eq!(mail["incoming"].as_array().unwrap().len(), 2);

    // Resolution: a request to confirm goes out.
    let (st, _) = api
        .post(
            &format!("/tickets/{id}/transitions"),
            json!({"to": "resolved"}),
        )
        .await;
    assert_eq!(st, 200);
    let got = smtp.wait_for(3, Duration::from_secs(30));
    assert!(
        header(&got[2], "Subject")
            .unwrap()
            .contains("Resolved, please confirm")
    );
    let _ = ticket_by_number(&api, &number).await;
}

#[tokio::test]
async fn mail_round_trip_sqlite() {
    round_trip(None).await;
}

#[tokio::test]
async fn mail_round_trip_postgres() {
    if let Some(pg) = postgres_url() {
        round_trip(Some(pg)).await;
    }
}

#[tokio::test]
async fn mail_imap_starttls_and_failed_delivery() {
    let tmp = tempfile::tempdir().unwrap();
    let imap = Imap::start(tmp.path());
    // SMTP to a closed port: two attempts a second apart, then `failed`, shown on the ticket.
    let closed = crate::support::free_port();
    let mut env = vec![
        (
            "ONESTOP_MAIL_SMTP_HOST".to_string(),
            "127.0.0.1".to_string(),
        ),
        ("ONESTOP_MAIL_SMTP_PORT".into(), closed.to_string()),
        ("ONESTOP_MAIL_SMTP_TLS".into(), "none".into()),
        (
            "ONESTOP_MAIL_FROM".into(),
            "desk@desk.provider.example".into(),
        ),
        ("ONESTOP_MAIL_OUTBOX_SECS".into(), "1".into()),
        ("ONESTOP_MAIL_MAX_ATTEMPTS".into(), "2".into()),
        ("ONESTOP_MAIL_RETRY_BASE_SECS".into(), "1".into()),
    ];
    env.extend(imap.env(true));
    let s = server(tmp.path(), None, &env);
    let api = Api::new(&s, s.admin_token());
    customers(&api).await;
    imap.deliver(&message(
        "alice@acme.example",
        "Over STARTTLS",
        "st1@acme.example",
        "",
        "Hello.",
    ));
    wait(
        "a ticket from IMAP over STARTTLS",
        Duration::from_secs(30),
        async || ticket_count(&api).await == 1,
    )
    .await;
    let (_, page) = api.get("/tickets").await;
    let id = page["items"][0]["id"].as_str().unwrap().to_string();
    let api2 = api.clone();
    wait(
        "the acknowledgement to fail",
        Duration::from_secs(30),
        async || {
            let (_, mail) = api2.get(&format!("/tickets/{id}/mail")).await;
            mail["outgoing"][0]["status"] == "failed"
        },
    )
    .await;
    let (_, mail) = api.get(&format!("/tickets/{id}/mail")).await;
    assert_eq!(mail["outgoing"][0]["attempts"], 2);
    assert!(
        !mail["outgoing"][0]["last_error"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    let (_, audit) = api.get("/audit?action=mail.failed").await;
    assert_eq!(audit.as_array().map(|a| a.len()), Some(1), "{audit}");
}

#[tokio::test]
async fn mail_two_servers_send_each_message_once() {
    let Some(pg) = postgres_url() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(tmp.path());
    let env = smtp_env(&smtp);
    let a = server(&tmp.path().join("a"), Some(&pg), &env);
    let _b = server(&tmp.path().join("b"), Some(&pg), &env);
    let api = Api::new(&a, a.admin_token());
    customers(&api).await;
    for i in 0..30 {
        let many = [("ONESTOP_MAIL_MAX_NEW_PER_HOUR", "100")];
        let (code, out, err) = ingest(
            &a.db,
            &many,
            &message(
                "alice@acme.example",
                &format!("n{i}"),
                &format!("two{i}@acme.example"),
                "",
                "x",
            ),
        );
        assert_eq!(code, 0, "{out}{err}");
    }
    let got = smtp.wait_for(30, Duration::from_secs(60));
    std::thread::sleep(Duration::from_secs(3));
    let got = if smtp.messages().len() > got.len() {
        smtp.messages()
    } else {
        got
    };
    let mut ids: Vec<String> = got
        .iter()
        .map(|m| header(m, "Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!((got.len(), ids.len()), (30, 30));
}

/// Outgoing mail over STARTTLS and over implicit TLS, with AUTH, against aiosmtpd, the
/// certificate trusted through `mail_smtp_ca` (an IP address as the TLS server name). A wrong
/// password is not tested: aiosmtpd 1.4 hangs on a failed AUTH (Python's smtplib too).
#[tokio::test]
async fn mail_smtp_starttls_tls_and_auth() {
    for implicit in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let (smtp, cert) = Smtp::start_tls(tmp.path(), implicit);
        let env = vec![
            (
                "ONESTOP_MAIL_SMTP_HOST".to_string(),
                "127.0.0.1".to_string(),
            ),
            ("ONESTOP_MAIL_SMTP_PORT".into(), smtp.port.to_string()),
            (
                "ONESTOP_MAIL_SMTP_TLS".into(),
                if implicit { "tls" } else { "starttls" }.into(),
            ),
            ("ONESTOP_MAIL_SMTP_USER".into(), "desk".into()),
            ("ONESTOP_MAIL_SMTP_PASSWORD".into(), "secret".into()),
            ("ONESTOP_MAIL_SMTP_CA".into(), cert.display().to_string()),
            (
                "ONESTOP_MAIL_FROM".into(),
                "desk@desk.provider.example".into(),
            ),
            ("ONESTOP_MAIL_OUTBOX_SECS".into(), "1".into()),
        ];
        let s = server(tmp.path(), None, &env);
        let api = Api::new(&s, s.admin_token());
        customers(&api).await;
        let (_, number, _) = ingest(
            &s.db,
            &[],
            &message("alice@acme.example", "TLS", "tls1@acme.example", "", "x"),
        );
        let got = smtp.wait_for(1, Duration::from_secs(40));
        assert!(
            header(&got[0], "Subject")
                .unwrap()
                .contains(&format!("[{number}]")),
            "implicit={implicit}"
        );
        let id = ticket_by_number(&api, &number).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let api2 = api.clone();
        wait("the sent state", Duration::from_secs(10), async || {
            api2.get(&format!("/tickets/{id}/mail")).await.1["outgoing"][0]["status"] == "sent"
        })
        .await;
    }
}
