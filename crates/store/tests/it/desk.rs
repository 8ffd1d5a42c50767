//! The service desk on every backend: numbering, scoping, the lifecycle and SLA clocks.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_domain::model::Role;
use onestop_store::*;

fn customer_user(customer_id: &str) -> Scope {
    Scope::Customer {
        user_id: "u-cust".into(),
        username: "bob".into(),
        customer_id: customer_id.into(),
    }
}

async fn customer(s: &Store, name: &str) -> Customer {
    s.create_customer(
        &staff(),
        CustomerInput {
            name: Some(name.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn ticket(customer_id: &str, kind: &str, title: &str) -> TicketInput {
    TicketInput {
        customer_id: Some(customer_id.into()),
        kind: Some(kind.into()),
        title: Some(title.into()),
        impact: Some("high".into()),
        urgency: Some("low".into()),
        channel: Some("phone".into()),
        ..Default::default()
    }
}

fn to(status: &str, reason: Option<&str>) -> TransitionInput {
    TransitionInput {
        to: status.into(),
        reason: reason.map(str::to_string),
        note: None,
    }
}

fn field_of(e: StoreError) -> String {
    match e {
        StoreError::Invalid(v) => v.field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

const DAY_MS: i64 = 86_400_000;

on_both!(numbers_per_type_and_year, |f: Fresh| async move {
    let s = &f.store;
    let c = customer(s, "Acme").await;
    let year = chrono::Utc::now().format("%Y").to_string();
    // Last year's counter must not carry over into this year.
    let pool = sqlx::AnyPool::connect(&f.url).await.unwrap();
    sqlx::query("INSERT INTO ticket_counters (prefix, year, next) VALUES ('INC', $1, 500)")
        .bind(year.parse::<i64>().unwrap() - 1)
        .execute(&pool)
        .await
        .unwrap();
    let mut numbers = vec![];
    for kind in [
        "incident",
        "incident",
        "service_request",
        "problem",
        "change",
        "incident",
    ] {
        let t = s
            .create_ticket(&staff(), ticket(&c.id, kind, "x"))
            .await
            .unwrap();
        numbers.push(t.number);
    }
    let want: Vec<String> = [
        "INC-{y}-000001",
        "INC-{y}-000002",
        "REQ-{y}-000001",
        "PRB-{y}-000001",
        "CHG-{y}-000001",
        "INC-{y}-000003",
    ]
    .iter()
    .map(|n| n.replace("{y}", &year))
    .collect();
    assert_eq!(numbers, want);
    assert_eq!(
        field_of(
            s.create_ticket(&staff(), ticket(&c.id, "outage", "x"))
                .await
                .unwrap_err()
        ),
        "type"
    );
    // The failed create allocated nothing.
    let t = s
        .create_ticket(&staff(), ticket(&c.id, "incident", "y"))
        .await
        .unwrap();
    assert_eq!(t.number, format!("INC-{year}-000004"));
});

on_both!(tickets_are_scoped_to_the_customer, |f: Fresh| async move {
    let s = &f.store;
    let a = customer(s, "Acme").await;
    let b = customer(s, "Globex").await;
    let tb = s
        .create_ticket(&staff(), ticket(&b.id, "incident", "globex down"))
        .await
        .unwrap();
    let cust = customer_user(&a.id);
    // Own customer only; the channel is forced to portal.
    let ta = s
        .create_ticket(&cust, ticket(&a.id, "incident", "acme slow"))
        .await
        .unwrap();
    assert_eq!(ta.channel, "portal");
    assert_eq!(ta.created_by, "bob");
    assert!(matches!(
        s.create_ticket(&cust, ticket(&b.id, "incident", "x")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.get_ticket(&cust, &tb.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.ticket_events(&cust, &tb.id).await,
        Err(StoreError::NotFound)
    ));
    let reply = CommentInput {
        body: "hello".into(),
        visibility: None,
    };
    assert!(matches!(
        s.add_ticket_comment(&cust, &tb.id, reply.clone()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.transition_ticket(&cust, &tb.id, to("in_progress", None))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.update_ticket(
            &cust,
            &tb.id,
            TicketPatch {
                title: Some("mine".into()),
                ..Default::default()
            }
        )
        .await,
        Err(StoreError::NotFound)
    ));
    // Naming the other customer in a filter gives nothing.
    let q = TicketQuery {
        customer_id: Some(b.id.clone()),
        ..Default::default()
    };
    assert_eq!(s.list_tickets(&cust, &q).await.unwrap().total, 0);
    let mine = s
        .list_tickets(&cust, &TicketQuery::default())
        .await
        .unwrap();
    assert_eq!(
        mine.items.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        [ta.id.as_str()]
    );
    assert_eq!(
        s.list_tickets(&staff(), &TicketQuery::default())
            .await
            .unwrap()
            .total,
        2
    );
    // Own tickets: replies yes, internal notes and staff edits no; notes stay hidden.
    s.add_ticket_comment(&cust, &ta.id, reply).await.unwrap();
    assert!(matches!(
        s.add_ticket_comment(
            &cust,
            &ta.id,
            CommentInput {
                body: "x".into(),
                visibility: Some("internal".into())
            }
        )
        .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.transition_ticket(&cust, &ta.id, to("resolved", None))
            .await,
        Err(StoreError::Forbidden(_))
    ));
    s.add_ticket_comment(
        &staff(),
        &ta.id,
        CommentInput {
            body: "secret".into(),
            visibility: None,
        },
    )
    .await
    .unwrap();
    let staff_view = s.ticket_events(&staff(), &ta.id).await.unwrap();
    let cust_view = s.ticket_events(&cust, &ta.id).await.unwrap();
    assert_eq!(staff_view.len(), cust_view.len() + 1);
    assert!(staff_view.iter().any(|e| e.data["body"] == "secret"));
    assert!(!cust_view.iter().any(|e| e.data["body"] == "secret"));
    // Contracts: customers read their own only and write none.
    let kb = s
        .create_contract(
            &staff(),
            ContractInput {
                customer_id: Some(b.id.clone()),
                name: Some("Gold".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        s.get_contract(&cust, &kb.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.create_contract(
            &cust,
            ContractInput {
                customer_id: Some(a.id.clone()),
                name: Some("x".into()),
                ..Default::default()
            }
        )
        .await,
        Err(StoreError::Forbidden(_))
    ));
    assert_eq!(
        s.list_contracts(&cust, &ContractQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
    // Every change is audited.
    let log = s
        .audit_list(
            &staff(),
            &AuditFilter {
                entity: Some("ticket".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(log.len(), 4);
    assert!(matches!(
        s.audit_verify().await.unwrap(),
        VerifyReport::Intact { .. }
    ));
});

on_both!(transitions_follow_the_lifecycle, |f: Fresh| async move {
    let s = &f.store;
    let c = customer(s, "Acme").await;
    let t = s
        .create_ticket(&staff(), ticket(&c.id, "incident", "disk"))
        .await
        .unwrap();
    assert_eq!((t.status.as_str(), t.priority.as_str()), ("new", "high"));
    let bad = |r: Result<Ticket>| field_of(r.unwrap_err());
    assert_eq!(
        bad(s
            .transition_ticket(&staff(), &t.id, to("closed", None))
            .await),
        "to"
    );
    assert_eq!(
        bad(s.transition_ticket(&staff(), &t.id, to("done", None)).await),
        "to"
    );
    assert_eq!(
        bad(s
            .transition_ticket(&staff(), &t.id, to("pending", None))
            .await),
        "reason"
    );
    assert_eq!(
        bad(s
            .transition_ticket(&staff(), &t.id, to("pending", Some("lunch")))
            .await),
        "reason"
    );
    let t1 = s
        .transition_ticket(&staff(), &t.id, to("in_progress", None))
        .await
        .unwrap();
    assert_eq!(t1.status, "in_progress");
    assert_eq!(
        bad(s
            .transition_ticket(&staff(), &t.id, to("in_progress", None))
            .await),
        "to"
    );
    let t2 = s
        .transition_ticket(&staff(), &t.id, to("pending", Some("waiting_vendor")))
        .await
        .unwrap();
    assert_eq!(
        (t2.status.as_str(), t2.pending_reason.as_deref()),
        ("pending", Some("waiting_vendor"))
    );
    let t3 = s
        .transition_ticket(&staff(), &t.id, to("resolved", None))
        .await
        .unwrap();
    assert!(t3.resolved_at.is_some() && t3.pending_reason.is_none());
    // Reopen, resolve again, close; closed is final but for a reopen.
    let t4 = s
        .transition_ticket(&staff(), &t.id, to("in_progress", None))
        .await
        .unwrap();
    assert_eq!(t4.resolved_at, None);
    s.transition_ticket(&staff(), &t.id, to("resolved", None))
        .await
        .unwrap();
    let t5 = s
        .transition_ticket(&staff(), &t.id, to("closed", None))
        .await
        .unwrap();
    assert!(t5.closed_at.is_some());
    assert_eq!(
        bad(s
            .transition_ticket(&staff(), &t.id, to("resolved", None))
            .await),
        "to"
    );
    let t6 = s
        .transition_ticket(&staff(), &t.id, to("in_progress", None))
        .await
        .unwrap();
    assert_eq!((t6.status.as_str(), t6.closed_at), ("in_progress", None));
    let events = s.ticket_events(&staff(), &t.id).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds[0], "opened");
    assert_eq!(kinds.iter().filter(|k| **k == "status_changed").count(), 7);
    assert_eq!(events[2].data["to"], "pending:waiting_vendor");
    assert!(events.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
    // Patching impact recomputes the priority; assigning a new ticket assigns it.
    let u = s
        .create_user(
            &Scope::System,
            NewUser {
                username: "carol".into(),
                display_name: None,
                email: None,
                role: Role::Front,
                customer_id: None,
                password: None,
                language: None,
            },
        )
        .await
        .unwrap();
    let n = s
        .create_ticket(&staff(), ticket(&c.id, "incident", "fan"))
        .await
        .unwrap();
    let p = s
        .update_ticket(
            &staff(),
            &n.id,
            TicketPatch {
                impact: Some("critical".into()),
                assignee_id: Some(u.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (p.priority.as_str(), p.status.as_str()),
        ("critical", "assigned")
    );
    assert_eq!(
        field_of(
            s.update_ticket(
                &staff(),
                &n.id,
                TicketPatch {
                    urgency: Some("extreme".into()),
                    ..Default::default()
                }
            )
            .await
            .unwrap_err()
        ),
        "urgency"
    );
    assert_eq!(
        field_of(
            s.update_ticket(
                &staff(),
                &n.id,
                TicketPatch {
                    assignee_id: Some("nobody".into()),
                    ..Default::default()
                }
            )
            .await
            .unwrap_err()
        ),
        "assignee_id"
    );
    let kinds: Vec<String> = s
        .ticket_events(&staff(), &n.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "field_changed",
            "field_changed",
            "priority_changed",
            "status_changed"
        ]
    );
});

on_both!(
    sla_pauses_while_waiting_for_the_customer,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Acme").await;
        let cust = customer_user(&c.id);
        let t = s
            .create_ticket(&staff(), ticket(&c.id, "incident", "mail"))
            .await
            .unwrap();
        // No contract: the provider default for high, 60 / 480 minutes, 24x365.
        let opened = t.created_at / 1000;
        let fr = t.sla.first_response.clone().unwrap();
        assert_eq!(
            (fr.state.as_str(), fr.due.unwrap().timestamp()),
            ("running", opened + 3600)
        );
        assert_eq!(
            t.sla.resolution.as_ref().unwrap().due.unwrap().timestamp(),
            opened + 480 * 60
        );
        // Two days on without an answer both clocks are breached.
        let later = s
            .ticket_at(&staff(), &t.id, t.created_at + 2 * DAY_MS)
            .await
            .unwrap();
        assert_eq!(later.sla.first_response.unwrap().state, "breached");
        assert_eq!(later.sla.resolution.unwrap().state, "breached");
        // A customer-visible reply by the desk is the first response; an internal note is not.
        let t = s
            .add_ticket_comment(
                &staff(),
                &t.id,
                CommentInput {
                    body: "looking".into(),
                    visibility: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(t.sla.first_response.as_ref().unwrap().state, "running");
        let t = s
            .add_ticket_comment(
                &staff(),
                &t.id,
                CommentInput {
                    body: "which mailbox?".into(),
                    visibility: Some("public".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(t.sla.first_response.as_ref().unwrap().state, "met");
        s.transition_ticket(&staff(), &t.id, to("in_progress", None))
            .await
            .unwrap();
        let t = s
            .transition_ticket(&staff(), &t.id, to("pending", Some("waiting_customer")))
            .await
            .unwrap();
        assert_eq!(t.sla.resolution.as_ref().unwrap().state, "paused");
        // Paused stays paused however long the customer takes.
        let later = s
            .ticket_at(&staff(), &t.id, t.created_at + 30 * DAY_MS)
            .await
            .unwrap();
        assert_eq!(later.sla.resolution.unwrap().state, "paused");
        assert_eq!(later.sla.first_response.unwrap().state, "met");
        // The customer's reply ends the wait by itself and the clock runs again.
        let t = s
            .add_ticket_comment(
                &cust,
                &t.id,
                CommentInput {
                    body: "the sales one".into(),
                    visibility: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (t.status.as_str(), t.pending_reason.as_deref()),
            ("in_progress", None)
        );
        let r = t.sla.resolution.clone().unwrap();
        assert_eq!(r.state, "running");
        assert!(r.due.is_some());
        let later = s
            .ticket_at(&staff(), &t.id, t.updated_at + 30 * DAY_MS)
            .await
            .unwrap();
        assert_eq!(later.sla.resolution.unwrap().state, "breached");
        let kinds: Vec<String> = s
            .ticket_events(&staff(), &t.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds.last().unwrap(), "status_changed");
        // Waiting for a vendor does not pause resolution.
        let t = s
            .transition_ticket(&staff(), &t.id, to("pending", Some("waiting_vendor")))
            .await
            .unwrap();
        assert_eq!(t.sla.resolution.unwrap().state, "running");
    }
);

on_both!(contract_terms_drive_the_clocks, |f: Fresh| async move {
    let s = &f.store;
    let c = customer(s, "Acme").await;
    let sla: serde_json::Value =
        serde_json::json!({"high": {"first_response": 15, "resolution": 120}});
    let k = s
        .create_contract(
            &staff(),
            ContractInput {
                customer_id: Some(c.id.clone()),
                name: Some("Platinum".into()),
                sla: Some(serde_json::from_value(sla).unwrap()),
                services: Some(vec![ContractService {
                    service: "log_diagnosis".into(),
                    rrule: "FREQ=MONTHLY;BYMONTHDAY=1".into(),
                    params: serde_json::json!({}),
                }]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Default term: from today for a year.
    let today = chrono::Utc::now().date_naive();
    assert_eq!(k.starts_on, today.to_string());
    assert!(k.ends_on > k.starts_on);
    assert_eq!(k.renewal_notice_days, 60);
    // The contract in force is picked up by itself.
    let t = s
        .create_ticket(&staff(), ticket(&c.id, "incident", "vpn"))
        .await
        .unwrap();
    assert_eq!(t.contract_id.as_deref(), Some(k.id.as_str()));
    let opened = t.created_at / 1000;
    assert_eq!(
        t.sla
            .first_response
            .as_ref()
            .unwrap()
            .due
            .unwrap()
            .timestamp(),
        opened + 15 * 60
    );
    assert_eq!(
        t.sla.resolution.as_ref().unwrap().due.unwrap().timestamp(),
        opened + 120 * 60
    );
    // Validation names the field.
    let bad = |i: ContractInput| {
        let id = k.id.clone();
        async move { field_of(s.update_contract(&staff(), &id, i).await.unwrap_err()) }
    };
    assert_eq!(
        bad(ContractInput {
            calendar_toml: Some("timezone = 'Mars/Olympus'".into()),
            ..Default::default()
        })
        .await,
        "calendar_toml"
    );
    assert_eq!(
        bad(ContractInput {
            ends_on: Some("2000-01-01".into()),
            ..Default::default()
        })
        .await,
        "ends_on"
    );
    assert_eq!(
        bad(ContractInput {
            starts_on: Some("2026-02-30".into()),
            ..Default::default()
        })
        .await,
        "starts_on"
    );
    assert_eq!(
        bad(ContractInput {
            customer_id: Some("other".into()),
            ..Default::default()
        })
        .await,
        "customer_id"
    );
    let k2 = s
        .update_contract(
            &staff(),
            &k.id,
            ContractInput {
                critical_procedure: Some("call the duty manager".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(k2.critical_procedure, "call the duty manager");
    assert_eq!(
        s.get_contract(&customer_user(&c.id), &k.id)
            .await
            .unwrap()
            .services,
        k.services
    );
    // A backup carries the desk's tables.
    let mut out = Vec::new();
    let sum = s.backup(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("INC-") && text.contains("Platinum"),
        "{sum:?}"
    );
});

on_both!(
    concurrent_creations_commit_together_and_fail_alone,
    |f: Fresh| async move {
        let s = &f.store;
        let acme = customer(s, "Acme").await;
        let other = customer(s, "Globex").await;
        // 48 creations at once: every fourth is refused on its own (an unknown customer, a
        // bad impact, another customer's ticket from a customer's user); the rest are stored.
        let calls = (0..48).map(|i| {
            let (scope, input) = match i % 4 {
                0 => (staff(), ticket("no-such-customer", "incident", "lost")),
                1 => {
                    let mut t = ticket(&acme.id, "incident", &format!("group {i}"));
                    if i % 8 == 1 {
                        t.impact = Some("enormous".into());
                    }
                    (staff(), t)
                }
                2 => (
                    customer_user(&acme.id),
                    ticket(&other.id, "incident", "not mine"),
                ),
                _ => (
                    staff(),
                    ticket(&other.id, "service_request", &format!("req {i}")),
                ),
            };
            async move { (i, s.create_ticket(&scope, input).await) }
        });
        let results = futures_util::future::join_all(calls).await;
        let mut numbers = Vec::new();
        for (i, r) in results {
            match (i % 4, i % 8, r) {
                (0, _, Err(StoreError::NotFound)) => {}
                (1, 1, Err(e)) => assert_eq!(field_of(e), "impact"),
                (1, _, Ok(t)) => {
                    assert_eq!(t.title, format!("group {i}"));
                    numbers.push(t.number);
                }
                (2, _, Err(StoreError::NotFound)) => {}
                (3, _, Ok(t)) => {
                    assert_eq!(t.customer_id, other.id);
                    numbers.push(t.number);
                }
                (_, _, r) => panic!("creation {i}: unexpected {r:?}"),
            }
        }
        assert_eq!(numbers.len(), 18);
        // Numbers are gapless per type: a refused creation took none.
        let inc: Vec<_> = numbers.iter().filter(|n| n.starts_with("INC")).collect();
        let mut seqs: Vec<u32> = inc
            .iter()
            .map(|n| n.rsplit('-').next().unwrap().parse().unwrap())
            .collect();
        seqs.sort();
        assert_eq!(seqs, (1..=6).collect::<Vec<_>>());
        let all = s
            .list_tickets(&staff(), &TicketQuery::default())
            .await
            .unwrap();
        assert_eq!(all.total, 18);
        // One audit entry per stored ticket, none for the refused ones, chain intact.
        let report = s.audit_verify().await.unwrap();
        assert!(matches!(report, VerifyReport::Intact { .. }), "{report:?}");
        let created = s
            .audit_list(
                &staff(),
                &AuditFilter {
                    action: Some("ticket.create".into()),
                    limit: Some(100),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(created.len(), 18);
    }
);
