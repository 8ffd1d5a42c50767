//! `onestop mail ingest` end to end: routing (contact, domain, triage for free-mail, shared
//! domains and strangers), threading by Message-ID and by subject, resuming a ticket waiting
//! for the customer, duplicates, the loop guards (an auto-reply storm, bounces recorded
//! against the outbox), the rate limit, the triage actions, and exit 75 without a database.
//! On SQLite, and on PostgreSQL when `ONESTOP_TEST_POSTGRES_URL` is set.
use crate::mail_support::{customers, ingest, message, ticket_by_number, ticket_count};
use crate::support::{Api, Server, postgres_url};
use serde_json::json;

async fn scenario(pg: Option<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let s = Server::start_with(&tmp.path().join("data"), pg.as_deref());
    let api = Api::new(&s, s.admin_token());
    let (acme, alice, beta) = customers(&api).await;
    let env = [("ONESTOP_MAIL_DOMAIN", "desk.provider.example")];
    let db = &s.db;

    // A known contact (address matched case-insensitively) opens a ticket for her customer.
    let raw = message(
        "Alice <alice@ACME.example>",
        "Printer on fire",
        "m1@acme.example",
        "",
        "It is on fire.",
    );
    let (code, number, err) = ingest(db, &env, &raw);
    assert_eq!(code, 0, "{err}");
    assert!(number.starts_with("INC-"), "{number}");
    let t = ticket_by_number(&api, &number).await;
    assert_eq!(t["customer_id"], acme.as_str());
    assert_eq!(t["contact_id"], alice.as_str());
    assert_eq!(t["channel"], "email");
    assert_eq!(t["title"], "Printer on fire");
    assert_eq!(t["description"], "It is on fire.");
    let id = t["id"].as_str().unwrap().to_string();
    // The acknowledgement is queued, in English (Alice's language), threaded on her message.
    let (_, mail) = api.get(&format!("/tickets/{id}/mail")).await;
    let out = mail["outgoing"].as_array().unwrap();
    assert_eq!(out.len(), 1, "{mail}");
    assert_eq!(out[0]["kind"], "ack");
    assert_eq!(out[0]["to_addr"], "alice@acme.example");
    assert_eq!(out[0]["status"], "pending");
    assert!(
        out[0]["subject"]
            .as_str()
            .unwrap()
            .contains(&format!("[{number}]"))
    );
    assert_eq!(mail["incoming"][0]["message_id"], "m1@acme.example");

    // The same Message-ID again is recognised, not applied twice.
    let before = ticket_count(&api).await;
    let (code, out, _) = ingest(db, &env, &raw);
    assert_eq!(code, 0);
    assert!(out.starts_with("ignored duplicate"), "{out}");
    assert_eq!(ticket_count(&api).await, before);

    // An unknown address at a domain registered to exactly one customer.
    let (_, n2, _) = ingest(
        db,
        &env,
        &message(
            "bob@acme.example",
            "VPN down",
            "m2@acme.example",
            "",
            "No VPN.",
        ),
    );
    let t2 = ticket_by_number(&api, &n2).await;
    assert_eq!(t2["customer_id"], acme.as_str());
    assert!(t2["contact_id"].is_null());

    // Free-mail, a shared domain, a stranger, and a subject naming someone else's ticket: triage.
    let cases = [
        ("someone@gmail.com", "triage free-mail domain gmail.com"),
        (
            "x@shared.example",
            "triage domain shared.example is shared by several customers",
        ),
        ("who@nowhere.example", "triage unknown sender"),
    ];
    for (i, (from, expect)) in cases.iter().enumerate() {
        let (code, out, _) = ingest(
            db,
            &env,
            &message(from, "Help", &format!("t{i}@x"), "", "?"),
        );
        assert_eq!((code, out.as_str()), (0, *expect));
    }
    let (_, out, _) = ingest(
        db,
        &env,
        &message(
            "who@nowhere.example",
            &format!("Re: [{number}] x"),
            "t9@x",
            "",
            "?",
        ),
    );
    assert!(out.starts_with("triage subject names"), "{out}");
    assert_eq!(ticket_count(&api).await, before + 1);

    // Replies: the desk waits for the customer; her answer by subject number resumes it.
    let (st, _) = api
        .post(
            &format!("/tickets/{id}/transitions"),
            json!({"to": "pending", "reason": "waiting_customer"}),
        )
        .await;
    assert_eq!(st, 200);
    let reply = message(
        "alice@acme.example",
        &format!("Re: [{number}] Printer on fire"),
        "m3@acme.example",
        "",
        "Still burning.",
    );
    let (_, out, _) = ingest(db, &env, &reply);
    assert_eq!(out, number);
    let t = ticket_by_number(&api, &number).await;
    assert_eq!(t["status"], "in_progress");
    let (_, events) = api.get(&format!("/tickets/{id}/events")).await;
    let comment = events
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["kind"] == "comment")
        .unwrap();
    assert_eq!(comment["data"]["body"], "Still burning.");
    assert_eq!(comment["data"]["by_customer"], true);
    // …and by In-Reply-To our acknowledgement's Message-ID, with no number in the subject.
    let (_, mail) = api.get(&format!("/tickets/{id}/mail")).await;
    let ack_id = mail["outgoing"][0]["id"].as_str().unwrap().to_string();
    let ack_mid = mail_message_id(&api, &id).await;
    assert!(ack_mid.ends_with("@desk.provider.example"), "{ack_mid}");
    let threaded = message(
        "carol@elsewhere.example",
        "about that",
        "m4@else",
        &format!("In-Reply-To: <{ack_mid}>\r\n"),
        "Me too.",
    );
    let (_, out, _) = ingest(db, &env, &threaded);
    assert_eq!(out, number);

    // An auto-reply storm: 50 automatic messages open nothing and send nothing.
    let (tickets, outbox) = (ticket_count(&api).await, outbox_len(&api, &id).await);
    let kinds = [
        "Auto-Submitted: auto-replied\r\n",
        "Precedence: bulk\r\n",
        "X-Autoreply: yes\r\n",
        "Auto-Submitted: auto-generated; x\r\n",
        "Precedence: auto_reply\r\n",
    ];
    for i in 0..50 {
        let m = message(
            "alice@acme.example",
            "Out of office",
            &format!("auto{i}@acme.example"),
            kinds[i % kinds.len()],
            "I am away.",
        );
        let (code, out, _) = ingest(db, &env, &m);
        assert_eq!(code, 0);
        assert!(out.starts_with("ignored automatic message"), "{out}");
    }
    let m = message(
        "alice@acme.example",
        "Not automatic",
        "noauto@acme.example",
        "Auto-Submitted: no\r\n",
        "Hi",
    );
    assert!(ingest(db, &env, &m).1.starts_with("INC-"));
    assert_eq!(ticket_count(&api).await, tickets + 1);
    assert_eq!(outbox_len(&api, &id).await, outbox);

    // A bounce of our acknowledgement is recorded against it and opens nothing.
    let bounce = bounce_of(&ack_mid);
    let (code, out, _) = ingest(db, &env, &bounce);
    assert_eq!((code, out.as_str()), (0, "ignored bounce recorded"));
    let (_, mail) = api.get(&format!("/tickets/{id}/mail")).await;
    let ack = mail["outgoing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == ack_id.as_str())
        .unwrap()
        .clone();
    assert!(ack["bounced_at"].is_i64(), "{ack}");
    assert!(
        ack["bounce_reason"].as_str().unwrap().contains("5.1.1"),
        "{ack}"
    );
    assert_eq!(ticket_count(&api).await, tickets + 1);

    // The rate limit: beyond N new tickets per sender per hour, triage.
    let limited = [("ONESTOP_MAIL_MAX_NEW_PER_HOUR", "2")];
    let mut outs = vec![];
    for i in 0..3 {
        outs.push(
            ingest(
                db,
                &limited,
                &message(
                    "dave@acme.example",
                    "Spam?",
                    &format!("r{i}@acme.example"),
                    "",
                    "x",
                ),
            )
            .1,
        );
    }
    assert!(
        outs[0].starts_with("INC-") && outs[1].starts_with("INC-"),
        "{outs:?}"
    );
    assert!(outs[2].starts_with("triage rate limit"), "{outs:?}");

    // Triage: open a ticket for the right customer, discard another; both once only.
    let (_, q) = api.get("/mail/triage").await;
    let items = q["items"].as_array().unwrap();
    let pick = |from: &str| {
        items.iter().find(|m| m["from_addr"] == from).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (shared, stranger) = (pick("x@shared.example"), pick("who@nowhere.example"));
    let (st, t) = api
        .post(
            &format!("/mail/inbound/{shared}/open"),
            json!({"customer_id": beta}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    assert_eq!(t["customer_id"], beta.as_str());
    assert_eq!(t["channel"], "email");
    // A message with a file, opened from triage: the file is kept on the ticket.
    let with_file = "From: z@gmail.com\r\nSubject: log attached\r\nMessage-ID: <f1@gmail.com>\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"Q\"\r\n\r\n--Q\r\nContent-Type: text/plain\r\n\r\nsee file\r\n\
        --Q\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"error.log\"\r\n\r\nERROR disk\r\n--Q--\r\n";
    assert_eq!(
        ingest(db, &env, with_file.as_bytes()).1,
        "triage free-mail domain gmail.com"
    );
    let (_, q) = api.get("/mail/triage").await;
    let f1 = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["message_id"] == "f1@gmail.com")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, t) = api
        .post(
            &format!("/mail/inbound/{f1}/open"),
            json!({"customer_id": acme}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    let (_, files) = api
        .get(&format!(
            "/tickets/{}/attachments",
            t["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(files[0]["filename"], "error.log", "{files}");
    let (st, _) = api
        .post(&format!("/mail/inbound/{stranger}/discard"), json!({}))
        .await;
    assert_eq!(st, 204);
    let (st, e) = api
        .post(&format!("/mail/inbound/{stranger}/discard"), json!({}))
        .await;
    assert_eq!(st, 409, "{e}");
    let (st, e) = api
        .post(
            &format!("/mail/inbound/{shared}/open"),
            json!({"customer_id": ""}),
        )
        .await;
    assert!(st == 409 || st == 422, "{st} {e}");
    let (_, q) = api.get("/mail/triage?state=discarded").await;
    assert_eq!(q["total"], 1);
    let (st, e) = api.get("/mail/triage?state=bogus").await;
    assert_eq!(st, 422, "{e}");
    let (_, audit) = api.get("/audit?action=mail.triage.opened").await;
    assert!(audit.to_string().contains("mail.triage.opened"), "{audit}");

    // Everything stays on the audit chain.
    let (code, out, err) = s.cli(&["audit", "verify"], None);
    assert_eq!(code, 0, "{out}{err}");
}

/// The Message-ID of the ticket's first outgoing message (the acknowledgement).
async fn mail_message_id(api: &Api, ticket: &str) -> String {
    let (_, mail) = api.get(&format!("/tickets/{ticket}/mail")).await;
    mail["outgoing"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn outbox_len(api: &Api, ticket: &str) -> usize {
    api.get(&format!("/tickets/{ticket}/mail")).await.1["outgoing"]
        .as_array()
        .unwrap()
        .len()
}

/// A delivery status notification for `original` (RFC 3464).
fn bounce_of(original: &str) -> Vec<u8> {
    format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\r\nTo: desk@desk.provider.example\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         Message-ID: <bounce1@mx.acme.example>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
         --B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n\
         --B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.acme.example\r\n\r\nFinal-Recipient: rfc822; alice@acme.example\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\
         \r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: desk@desk.provider.example\r\nTo: alice@acme.example\r\nMessage-ID: <{original}>\r\nSubject: [INC] x\r\n\
         \r\n--B--\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn mail_ingest_sqlite() {
    scenario(None).await;
}

#[tokio::test]
async fn mail_ingest_postgres() {
    if let Some(pg) = postgres_url() {
        scenario(Some(pg)).await;
    }
}

#[test]
fn mail_ingest_tempfail_without_database() {
    // A PostgreSQL URL to a closed port: the MTA must keep the message and retry.
    let port = crate::support::free_port();
    let db = [
        "--database-url".to_string(),
        format!("postgres://postgres@127.0.0.1:{port}/x"),
    ];
    let (code, out, err) = ingest(&db, &[], &message("a@b.example", "x", "x@b", "", "x"));
    assert_eq!(code, 75, "{out} {err}");
    assert!(out.is_empty());
    assert!(err.contains("database unavailable"), "{err}");
}
