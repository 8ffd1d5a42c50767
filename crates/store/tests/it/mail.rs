//! E-mail in the store, on every backend: the outbox claim (two holders never get one row),
//! backoff and giving up; the customer messages queued with ticket changes (acknowledgement,
//! public reply, resolution) in the reporter's language and threaded; the intake's
//! duplicates and threading by our Message-IDs.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_store::mail::{InboundMail, IntakeOutcome, IntakePolicy};
use onestop_store::*;

fn policy() -> IntakePolicy {
    IntakePolicy {
        freemail: vec!["gmail.com".into()],
        max_new_per_hour: 10,
        attachments_dir: None,
    }
}

fn inbound(from: &str, id: &str, subject: &str, refs: &[&str]) -> InboundMail {
    InboundMail {
        message_id: id.into(),
        from_addr: from.into(),
        subject: subject.into(),
        references: refs.iter().map(|r| r.to_string()).collect(),
        body_text: "body".into(),
        lang: "en".into(),
        raw: format!("Message-ID: <{id}>\r\n\r\nbody").into_bytes(),
        source: "ingest".into(),
        ..Default::default()
    }
}

async fn setup(s: &Store) -> (Customer, Contact) {
    let c = s
        .create_customer(
            &staff(),
            CustomerInput {
                name: Some("Acme".into()),
                domains: Some(vec!["acme.example".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let input = ContactInput {
        name: "山田".into(),
        email: Some("yamada@acme.example".into()),
        language: Some("ja".into()),
        ..Default::default()
    };
    let contact = s.create_contact(&staff(), &c.id, input).await.unwrap();
    (c, contact)
}

on_both!(
    outbox_claims_are_exclusive_with_backoff,
    |f: Fresh| async move {
        let s = &f.store;
        let mut tx = s.write(&Scope::System).await.unwrap();
        let now = tx.now;
        for i in 0..10 {
            let m = OutMail {
                kind: "notification".into(),
                to_addr: format!("u{i}@x.example"),
                lang: "en".into(),
                subject: "s".into(),
                body_text: "b".into(),
                ..Default::default()
            };
            tx.enqueue_mail(&m).await.unwrap();
        }
        tx.commit().await.unwrap();
        let a = s.claim_due_mail("a", now, 6, 60_000).await.unwrap();
        let b = s.claim_due_mail("b", now, 6, 60_000).await.unwrap();
        assert_eq!((a.len(), b.len()), (6, 4));
        assert!(a.iter().all(|m| !b.iter().any(|n| n.id == m.id)));
        assert!(
            s.claim_due_mail("c", now, 10, 60_000)
                .await
                .unwrap()
                .is_empty()
        );
        // A claim that expires (its holder died) is taken over.
        assert_eq!(
            s.claim_due_mail("c", now + 60_001, 20, 60_000)
                .await
                .unwrap()
                .len(),
            10
        );

        // A temporary failure waits base · 2^(attempt-1); the last attempt gives up.
        let m = &a[0];
        assert!(
            !s.mail_failed(m, now, "421 busy", false, 3, 1_000)
                .await
                .unwrap()
        );
        let later = s.claim_due_mail("a", now + 999, 20, 1).await.unwrap();
        assert!(!later.iter().any(|x| x.id == m.id));
        let again = s.claim_due_mail("a", now + 120_000, 20, 1).await.unwrap();
        let m = again.iter().find(|x| x.id == m.id).unwrap().clone();
        assert_eq!(m.attempts, 1);
        assert!(
            !s.mail_failed(&m, now + 120_000, "421 busy", false, 3, 1_000)
                .await
                .unwrap()
        );
        let m2 = s
            .claim_due_mail("a", now + 240_000, 20, 1)
            .await
            .unwrap()
            .into_iter()
            .find(|x| x.id == m.id)
            .unwrap();
        assert!(
            s.mail_failed(&m2, now + 240_000, "421 busy", false, 3, 1_000)
                .await
                .unwrap()
        );
        let rest = s.claim_due_mail("a", now + 999_999, 20, 1).await.unwrap();
        assert!(
            !rest.iter().any(|x| x.id == m.id),
            "a failed message is not retried"
        );
        // A permanent error gives up at once; a success is final.
        assert!(
            s.mail_failed(&rest[0], now + 999_999, "550 no such user", true, 8, 1_000)
                .await
                .unwrap()
        );
        s.mail_sent(&rest[1], now + 999_999).await.unwrap();
        assert!(
            !s.claim_due_mail("z", now + 9_999_999, 20, 1)
                .await
                .unwrap()
                .iter()
                .any(|x| x.id == rest[1].id)
        );
        assert_eq!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { entries: 3 }
        );
    }
);

on_both!(ticket_changes_queue_customer_mail, |f: Fresh| async move {
    let s = &f.store;
    let (c, contact) = setup(s).await;
    s.set_mail_domain("desk.example").await.unwrap();
    let input = TicketInput {
        customer_id: Some(c.id.clone()),
        title: Some("停止".into()),
        contact_id: Some(contact.id.clone()),
        channel: Some("phone".into()),
        ..Default::default()
    };
    let t = s.create_ticket(&staff(), input).await.unwrap();
    // A phone ticket is not acknowledged by mail; an internal note is not sent.
    assert!(s.ticket_mail(&staff(), &t.id).await.unwrap().is_empty());
    let note = CommentInput {
        body: "internal".into(),
        visibility: Some("internal".into()),
    };
    s.add_ticket_comment(&staff(), &t.id, note).await.unwrap();
    assert!(s.ticket_mail(&staff(), &t.id).await.unwrap().is_empty());
    let reply = CommentInput {
        body: "再起動してください".into(),
        visibility: Some("public".into()),
    };
    s.add_ticket_comment(&staff(), &t.id, reply).await.unwrap();
    let to = TransitionInput {
        to: "resolved".into(),
        ..Default::default()
    };
    s.transition_ticket(&staff(), &t.id, to).await.unwrap();
    let mail = s.ticket_mail(&staff(), &t.id).await.unwrap();
    assert_eq!(
        mail.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>(),
        ["reply", "resolved"]
    );
    assert!(
        mail.iter()
            .all(|m| m.to_addr == "yamada@acme.example" && m.status == "pending")
    );
    assert!(mail[0].subject.contains(&format!("[{}]", t.number)));
    assert!(mail[1].subject.contains("解決"), "{}", mail[1].subject);
    assert!(mail[0].message_id.ends_with("@desk.example"));

    // The customer answers the resolution by its Message-ID: a reply on the same ticket.
    let answer = inbound(
        "yamada@acme.example",
        "ans1@acme.example",
        "Re: ok",
        &[&mail[1].message_id],
    );
    let out = s.intake_mail(&answer, &policy()).await.unwrap();
    assert_eq!(
        out,
        IntakeOutcome::Replied {
            ticket_id: t.id.clone(),
            number: t.number.clone()
        }
    );
    // Delivered again: recognised, not applied twice.
    let again = s.intake_mail(&answer, &policy()).await.unwrap();
    assert!(matches!(again, IntakeOutcome::Ignored(r) if r.starts_with("duplicate")));
    let comments = s
        .ticket_events(&staff(), &t.id)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == "comment")
        .count();
    assert_eq!(comments, 3);
    let incoming = s.ticket_inbound_mail(&staff(), &t.id).await.unwrap();
    assert_eq!(incoming.len(), 1);
    assert_eq!(incoming[0].outcome, "reply");

    // A new message from the contact: a ticket, acknowledged in Japanese, threaded on it.
    let out = s
        .intake_mail(
            &inbound("yamada@acme.example", "new1@acme.example", "新規", &[]),
            &policy(),
        )
        .await
        .unwrap();
    let IntakeOutcome::Created { ticket_id, .. } = out else {
        panic!("{out:?}")
    };
    let ack = s.ticket_mail(&staff(), &ticket_id).await.unwrap();
    assert_eq!(ack.len(), 1);
    assert_eq!(ack[0].kind, "ack");
    assert!(ack[0].subject.contains("受付"));
    let due = s
        .claim_due_mail("w", now_ms() + 1, 50, 1_000)
        .await
        .unwrap();
    let row = due.iter().find(|m| m.id == ack[0].id).unwrap();
    assert_eq!(row.in_reply_to.as_deref(), Some("new1@acme.example"));
    assert_eq!(row.lang, "ja");
    assert!(row.body_html.as_deref().unwrap().contains("受付番号"));
    assert!(matches!(
        s.audit_verify().await.unwrap(),
        VerifyReport::Intact { .. }
    ));
});
