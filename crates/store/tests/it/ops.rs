//! Agent check results, runbooks (versions, agreement, runs inside tickets on the timeline,
//! alert rule references) and the calendar with its feed tokens, on every backend.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_domain::model::Role;
use onestop_proto::{Batch, CheckResult, CheckStatus, Payload, encode_batch};
use onestop_store::*;

fn customer_user(customer_id: &str) -> Scope {
    Scope::Customer {
        user_id: "u-cust".into(),
        username: "bob".into(),
        customer_id: customer_id.into(),
    }
}

async fn customer(s: &Store, name: &str) -> Customer {
    let input = CustomerInput {
        name: Some(name.into()),
        ..Default::default()
    };
    s.create_customer(&staff(), input).await.unwrap()
}

async fn ticket(s: &Store, customer_id: &str, title: &str) -> Ticket {
    let input = TicketInput {
        customer_id: Some(customer_id.into()),
        kind: Some("incident".into()),
        title: Some(title.into()),
        impact: Some("high".into()),
        urgency: Some("high".into()),
        channel: Some("phone".into()),
        ..Default::default()
    };
    s.create_ticket(&staff(), input).await.unwrap()
}

async fn enrolled(s: &Store, customer_id: &str, host: &str) -> AgentIdentity {
    let (_, token) = s
        .create_enrollment_token(&staff(), customer_id, 3_600_000)
        .await
        .unwrap();
    let e = s
        .enroll_host(EnrollInput {
            token,
            hostname: host.into(),
            machine_id: format!("m-{host}"),
            os: "Debian GNU/Linux 12".into(),
            ip_addresses: "192.0.2.7".into(),
        })
        .await
        .unwrap();
    s.agent_by_credential(&e.credential).await.unwrap().unwrap()
}

fn check(id: &str, status: CheckStatus, summary: &str, at: i64) -> CheckResult {
    CheckResult {
        check: id.into(),
        version: 1,
        status,
        summary: summary.into(),
        detail: serde_json::json!({ "n": at }),
        source: "/etc/passwd".into(),
        observed_at_ms: at,
    }
}

async fn send(s: &Store, who: &AgentIdentity, seq: u64, checks: Vec<CheckResult>) -> bool {
    let b = Batch {
        version: onestop_proto::PROTOCOL_VERSION,
        seq,
        sent_at_ms: 0,
        payload: Payload {
            checks: checks.clone(),
            ..Default::default()
        },
    };
    let meta = BatchMeta {
        seq,
        samples: 0,
        has_inventory: false,
        log_lines: 0,
        checks: checks.len() as u32,
    };
    s.ingest_batch(who, meta, &encode_batch(&b).unwrap())
        .await
        .unwrap()
}

on_both!(
    check_results_are_stored_once_and_read_newest_first,
    |f: Fresh| async move {
        let s = &f.store;
        let (acme, globex) = (customer(s, "Acme").await, customer(s, "Globex").await);
        let who = enrolled(s, &acme.id, "web1").await;
        let first = vec![
            check(
                "uid0_accounts",
                CheckStatus::Finding,
                "UID 0 besides root: toor",
                1_000,
            ),
            check("ntp_sync", CheckStatus::Ok, "clock synchronized", 1_000),
            check("from_a_newer_agent", CheckStatus::Ok, "skipped", 1_000),
        ];
        assert!(send(s, &who, 1, first.clone()).await);
        assert!(
            !send(s, &who, 1, first).await,
            "a resent batch is not stored again"
        );
        let second = vec![check(
            "uid0_accounts",
            CheckStatus::Ok,
            "only root has UID 0",
            2_000,
        )];
        assert!(send(s, &who, 2, second).await);
        let latest = s.latest_host_checks(&staff(), &who.host_id).await.unwrap();
        let got: Vec<(&str, &str, &str)> = latest
            .iter()
            .map(|c| (c.check_id.as_str(), c.status.as_str(), c.summary.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("ntp_sync", "ok", "clock synchronized"),
                ("uid0_accounts", "ok", "only root has UID 0"),
            ],
            "CHECK_IDS order, newest per check, unknown checks skipped"
        );
        assert_eq!(latest[1].source, "/etc/passwd");
        assert_eq!(latest[1].observed_at, 2_000);
        assert_eq!(latest[1].detail["n"], 2_000);
        let own = s
            .latest_host_checks(&customer_user(&acme.id), &who.host_id)
            .await
            .unwrap();
        assert_eq!(own.len(), 2);
        assert!(matches!(
            s.latest_host_checks(&customer_user(&globex.id), &who.host_id)
                .await,
            Err(StoreError::NotFound)
        ));
    }
);

fn step(text: &str) -> RunbookStep {
    RunbookStep {
        text: text.into(),
        expected: format!("{text} done"),
        command: Some(format!("echo {text}")),
    }
}

fn field_of(e: StoreError) -> String {
    match e {
        StoreError::Invalid(v) => v.field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

on_both!(
    runbooks_are_versioned_agreed_and_run_inside_tickets,
    |f: Fresh| async move {
        let s = &f.store;
        let (acme, globex) = (customer(s, "Acme").await, customer(s, "Globex").await);
        let db = s
            .create_asset(
                &staff(),
                &acme.id,
                AssetInput {
                    name: Some("db1".into()),
                    kind: Some("server".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let input = |customer: &str, steps: Vec<RunbookStep>| RunbookInput {
            customer_id: customer.into(),
            asset_id: Some(db.id.clone()),
            service: Some("database".into()),
            title: "Restart the database".into(),
            steps,
            note: None,
        };
        assert_eq!(
            field_of(
                s.create_runbook(&staff(), input(&acme.id, vec![]))
                    .await
                    .unwrap_err()
            ),
            "steps"
        );
        assert_eq!(
            field_of(
                s.create_runbook(&staff(), input(&globex.id, vec![step("a")]))
                    .await
                    .unwrap_err()
            ),
            "asset_id",
            "another customer's asset"
        );
        assert!(matches!(
            s.create_runbook(&customer_user(&acme.id), input(&acme.id, vec![step("a")]))
                .await,
            Err(StoreError::Forbidden(_))
        ));
        let rb = s
            .create_runbook(&staff(), input(&acme.id, vec![step("stop"), step("start")]))
            .await
            .unwrap();
        assert_eq!((rb.current_version, rb.agreed_version), (1, None));
        // The customer agrees to version 1 as themself.
        let rb = s
            .agree_runbook(
                &customer_user(&acme.id),
                &rb.id,
                AgreeInput {
                    version: 1,
                    agreed_by: Some("someone else".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (rb.agreed_version, rb.agreed_by.as_deref()),
            (Some(1), Some("bob"))
        );
        assert!(rb.agreed_at.is_some());
        // A change makes version 2; the agreement stays on version 1.
        let edit = RunbookEdit {
            title: "Restart the database safely".into(),
            steps: vec![step("drain"), step("stop"), step("start")],
            note: Some("drain first".into()),
            asset_id: None,
            service: None,
        };
        let rb2 = s.update_runbook(&staff(), &rb.id, edit).await.unwrap();
        assert_eq!(
            (rb2.current_version, rb2.agreed_version, rb2.steps.len()),
            (2, Some(1), 3)
        );
        let versions = s.runbook_versions(&staff(), &rb.id).await.unwrap();
        assert_eq!(
            versions.iter().map(|v| v.version).collect::<Vec<_>>(),
            [2, 1]
        );
        assert_eq!(
            versions[1].steps.len(),
            2,
            "old versions are kept as they were"
        );
        assert_eq!(
            field_of(
                s.agree_runbook(
                    &staff(),
                    &rb.id,
                    AgreeInput {
                        version: 2,
                        agreed_by: None
                    }
                )
                .await
                .unwrap_err()
            ),
            "agreed_by"
        );
        assert_eq!(
            field_of(
                s.agree_runbook(
                    &staff(),
                    &rb.id,
                    AgreeInput {
                        version: 3,
                        agreed_by: Some("Tanaka".into())
                    }
                )
                .await
                .unwrap_err()
            ),
            "version"
        );
        // Scoping: the other customer sees nothing.
        assert!(matches!(
            s.get_runbook(&customer_user(&globex.id), &rb.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            s.list_runbooks(&customer_user(&globex.id), None, None)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.list_runbooks(&staff(), None, Some(&db.id))
                .await
                .unwrap()
                .len(),
            1
        );

        // A run inside an incident pins the agreed version (1: two steps).
        let t = ticket(s, &acme.id, "DB down").await;
        let other = ticket(s, &globex.id, "Other").await;
        assert_eq!(
            field_of(
                s.start_runbook_run(&staff(), &other.id, &rb.id, None)
                    .await
                    .unwrap_err()
            ),
            "runbook_id"
        );
        let run = s
            .start_runbook_run(&staff(), &t.id, &rb.id, None)
            .await
            .unwrap();
        assert_eq!(
            (run.version, run.steps.len(), run.status.as_str()),
            (1, 2, "running")
        );
        let start = StepInput {
            action: "start".into(),
            result: None,
            notes: None,
        };
        let run1 = s
            .runbook_step(&staff(), &run.id, 1, start.clone())
            .await
            .unwrap();
        assert!(run1.steps[0].started_at.is_some() && run1.steps[0].ended_at.is_none());
        assert!(matches!(
            s.runbook_step(&staff(), &run.id, 1, start.clone()).await,
            Err(StoreError::Conflict(_))
        ));
        let end = |r: &str, n: &str| StepInput {
            action: "end".into(),
            result: Some(r.into()),
            notes: Some(n.into()),
        };
        assert_eq!(
            field_of(
                s.runbook_step(&staff(), &run.id, 1, end("maybe", ""))
                    .await
                    .unwrap_err()
            ),
            "result"
        );
        assert_eq!(
            field_of(
                s.runbook_step(&staff(), &run.id, 3, start.clone())
                    .await
                    .unwrap_err()
            ),
            "step"
        );
        let run1 = s
            .runbook_step(&staff(), &run.id, 1, end("ok", "stopped in 20 s"))
            .await
            .unwrap();
        assert_eq!(
            (
                run1.steps[0].result.as_deref(),
                run1.steps[0].notes.as_str()
            ),
            (Some("ok"), "stopped in 20 s")
        );
        s.runbook_step(&staff(), &run.id, 2, end("failed", "port busy"))
            .await
            .unwrap();
        assert!(matches!(
            s.runbook_step(&customer_user(&acme.id), &run.id, 2, start.clone())
                .await,
            Err(StoreError::Forbidden(_))
        ));
        let done = s
            .finish_runbook_run(&staff(), &run.id, "done")
            .await
            .unwrap();
        assert_eq!(done.status, "done");
        assert!(matches!(
            s.runbook_step(&staff(), &run.id, 2, start).await,
            Err(StoreError::Conflict(_))
        ));
        let kinds: Vec<String> = s
            .ticket_events(&staff(), &t.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds
                .iter()
                .filter(|k| k.starts_with("runbook"))
                .collect::<Vec<_>>(),
            [
                "runbook_started",
                "runbook_step",
                "runbook_step",
                "runbook_step",
                "runbook_finished"
            ]
        );
        let cust_kinds: Vec<String> = s
            .ticket_events(&customer_user(&acme.id), &t.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(
            !cust_kinds.iter().any(|k| k.starts_with("runbook")),
            "run notes are internal"
        );
        let runs = s.ticket_runbook_runs(&staff(), &t.id).await.unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].steps[1].result.as_deref(), Some("failed"));
        let audits = s
            .audit_list(
                &staff(),
                &AuditFilter {
                    entity: Some("runbook_run".into()),
                    entity_id: Some(run.id.clone()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(audits.len(), 5);
        let audits = s
            .audit_list(
                &staff(),
                &AuditFilter {
                    entity: Some("runbook".into()),
                    entity_id: Some(rb.id.clone()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(audits.len(), 3, "create, agree, update");

        // Alert rules carry a runbook reference.
        let rule = s.list_alert_rules(&staff()).await.unwrap();
        let rule = match rule.first() {
            Some(r) => r.clone(),
            None => {
                s.ensure_default_rules().await.unwrap();
                s.list_alert_rules(&staff()).await.unwrap()[0].clone()
            }
        };
        s.set_alert_rule_runbook(&staff(), &rule.id, Some(&rb.id))
            .await
            .unwrap();
        assert_eq!(
            s.alert_rule_runbook(&staff(), &rule.id)
                .await
                .unwrap()
                .unwrap()
                .id,
            rb.id
        );
        let listed = s.list_alert_rules(&staff()).await.unwrap();
        let listed = listed.iter().find(|r| r.id == rule.id).unwrap();
        assert_eq!(listed.runbook_id.as_deref(), Some(rb.id.as_str()));
        assert!(
            s.alert_rule_runbook(&customer_user(&globex.id), &rule.id)
                .await
                .unwrap()
                .is_none()
        );
        s.set_alert_rule_runbook(&staff(), &rule.id, None)
            .await
            .unwrap();
        assert!(
            s.alert_rule_runbook(&staff(), &rule.id)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            field_of(
                s.set_alert_rule_runbook(&staff(), &rule.id, Some("nope"))
                    .await
                    .unwrap_err()
            ),
            "runbook_id"
        );
        // The ticket's asset makes the runbook fit it.
        let fits = s.runbooks_for_ticket(&staff(), &t.id).await.unwrap();
        assert_eq!(fits.len(), 1);
    }
);

on_both!(calendar_entries_and_feed_tokens, |f: Fresh| async move {
    let s = &f.store;
    let (acme, globex) = (customer(s, "Acme").await, customer(s, "Globex").await);
    let user = |name: &str, role, customer_id: Option<String>| NewUser {
        username: name.into(),
        display_name: None,
        email: None,
        role,
        customer_id,
        password: None,
        language: None,
    };
    let ken = s
        .create_user(&staff(), user("ken", Role::Ce, None))
        .await
        .unwrap();
    let joe = s
        .create_user(&staff(), user("joe", Role::Ce, None))
        .await
        .unwrap();
    let t = ticket(s, &acme.id, "PSU failed").await;
    let g = ticket(s, &globex.id, "Fan noise").await;
    let day = 86_400_000;
    let base = 1_800_000_000_000; // 2027-01-15
    let d1 = s
        .create_dispatch(
            &staff(),
            &t.id,
            DispatchInput {
                engineer_id: ken.id.clone(),
                planned_at: base,
            },
        )
        .await
        .unwrap();
    s.create_dispatch(
        &staff(),
        &g.id,
        DispatchInput {
            engineer_id: joe.id.clone(),
            planned_at: base + day,
        },
    )
    .await
    .unwrap();
    let who = enrolled(s, &acme.id, "web1").await;
    let m = s
        .create_maintenance(
            &staff(),
            MaintenanceInput {
                asset_id: None,
                collect: None,
                customer_id: acme.id.clone(),
                host_id: Some(who.host_id.clone()),
                starts_at: base + 2 * day,
                ends_at: base + 2 * day + 7_200_000,
                reason: "kernel update".into(),
            },
        )
        .await
        .unwrap();
    let q = |customer: Option<&str>, engineer: Option<&str>| CalendarQuery {
        from_ms: base - day,
        to_ms: base + 7 * day,
        customer_id: customer.map(str::to_string),
        engineer_id: engineer.map(str::to_string),
    };
    let all = s.calendar_entries(&staff(), &q(None, None)).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["dispatch", "dispatch", "maintenance"]
    );
    assert_eq!(all[0].id, d1.id);
    assert_eq!((all[0].starts_at, all[0].ends_at), (base, base + VISIT_MS));
    assert!(all[0].title.starts_with(&t.number));
    assert_eq!(all[2].id, m.id);
    assert_eq!(all[2].title, "maintenance: web1");
    let acme_only = s
        .calendar_entries(&staff(), &q(Some(&acme.id), None))
        .await
        .unwrap();
    assert_eq!(acme_only.len(), 2);
    assert!(acme_only.iter().all(|e| e.customer_id == acme.id));
    let scoped = s
        .calendar_entries(&customer_user(&acme.id), &q(Some(&globex.id), None))
        .await
        .unwrap();
    assert!(
        scoped.is_empty(),
        "a customer never sees another's entries, even when asking"
    );
    let kens = s
        .calendar_entries(&staff(), &q(None, Some(&ken.id)))
        .await
        .unwrap();
    assert_eq!(kens.len(), 1);
    assert_eq!(kens[0].engineer.as_deref(), Some("ken"));
    let outside = CalendarQuery {
        from_ms: base + 10 * day,
        to_ms: base + 20 * day,
        ..Default::default()
    };
    assert!(
        s.calendar_entries(&staff(), &outside)
            .await
            .unwrap()
            .is_empty()
    );

    // Feed tokens: hashed, subject by scope, revocable.
    let ken_scope = Scope::Staff {
        user_id: ken.id.clone(),
        username: "ken".into(),
        role: Role::Ce,
    };
    let own = s
        .create_feed_token(&ken_scope, None, "phone")
        .await
        .unwrap();
    assert!(own.secret.starts_with("osf_"));
    let (u, subject) = s.feed_by_secret(&own.secret).await.unwrap().unwrap();
    assert_eq!(
        (u.id.as_str(), subject),
        (ken.id.as_str(), FeedSubject::Engineer(ken.id.clone()))
    );
    let of_acme = s
        .create_feed_token(&ken_scope, Some(&acme.id), "")
        .await
        .unwrap();
    assert_eq!(
        s.feed_by_secret(&of_acme.secret).await.unwrap().unwrap().1,
        FeedSubject::Customer(acme.id.clone())
    );
    assert_eq!(
        field_of(
            s.create_feed_token(&ken_scope, Some("nope"), "")
                .await
                .unwrap_err()
        ),
        "customer_id"
    );
    let listed = s.list_feed_tokens(&ken_scope).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|t| t.last_used_at.is_some()));
    let joe_scope = Scope::Staff {
        user_id: joe.id.clone(),
        username: "joe".into(),
        role: Role::Ce,
    };
    assert!(matches!(
        s.revoke_feed_token(&joe_scope, &own.token.id).await,
        Err(StoreError::NotFound)
    ));
    s.revoke_feed_token(&ken_scope, &own.token.id)
        .await
        .unwrap();
    assert!(s.feed_by_secret(&own.secret).await.unwrap().is_none());
    assert!(s.feed_by_secret("osf_guess").await.unwrap().is_none());
    let audits = s
        .audit_list(
            &staff(),
            &AuditFilter {
                entity: Some("feed_token".into()),
                entity_id: Some(own.token.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(audits.len(), 2);
});
