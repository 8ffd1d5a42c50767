//! Planned work on every backend: plan generation on a calendar with holidays, regeneration
//! keeping edits, work orders created once per activity, results, automated items from
//! `host_checks`, findings to tickets, sign-off, overdue escalation once.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_domain::model::Role;
use onestop_store::*;
use serde_json::json;

const TOKYO: &str = r#"
timezone = "Asia/Tokyo"
holidays = "jp"
[hours]
mon = ["09:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
thu = ["09:00-18:00"]
fri = ["09:00-18:00"]
"#;

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

async fn user(s: &Store, name: &str, role: Role, customer: Option<&str>) -> User {
    s.create_user(
        &Scope::System,
        NewUser {
            username: name.into(),
            display_name: Some(format!("{name} san")),
            email: None,
            role,
            customer_id: customer.map(Into::into),
            password: None,
            language: None,
        },
    )
    .await
    .unwrap()
}

async fn customer(s: &Store, name: &str, ase: Option<&str>) -> Customer {
    s.create_customer(
        &staff(),
        CustomerInput {
            name: Some(name.into()),
            ase_id: ase.map(Into::into),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn server(s: &Store, c: &Customer, name: &str) -> Asset {
    s.create_asset(
        &staff(),
        &c.id,
        AssetInput {
            name: Some(name.into()),
            kind: Some("server".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn service(code: &str, rrule: &str, params: serde_json::Value) -> ContractService {
    ContractService {
        service: code.into(),
        rrule: rrule.into(),
        params,
    }
}

async fn contract(s: &Store, c: &Customer, services: Vec<ContractService>) -> Contract {
    s.create_contract(
        &staff(),
        ContractInput {
            customer_id: Some(c.id.clone()),
            name: Some("Support 2026".into()),
            starts_on: Some("2026-01-01".into()),
            ends_on: Some("2026-12-31".into()),
            calendar_toml: Some(TOKYO.into()),
            services: Some(services),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn of<'a>(p: &'a Plan, service: &str) -> Vec<&'a Activity> {
    p.activities
        .iter()
        .filter(|a| a.service == service)
        .collect()
}

fn dates(acts: &[&Activity]) -> Vec<String> {
    acts.iter().map(|a| a.date.clone()).collect()
}

on_both!(
    plan_shifts_off_holidays_and_regeneration_keeps_edits,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Acme", None).await;
        let k = contract(
            s,
            &c,
            vec![
                service("log_diagnosis", "FREQ=MONTHLY", json!({})),
                service(
                    "technical_review",
                    "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=3",
                    json!({"shift": "previous"}),
                ),
                service(
                    "periodic_inspection",
                    "FREQ=MONTHLY;INTERVAL=6",
                    json!({"owner_role": "ce", "lead_days": 7}),
                ),
                service("reception", "", json!({})),
            ],
        )
        .await;
        let now = ms("2026-01-05T00:00:00Z");
        let p = s.contract_plan(&staff(), &k.id, 2026, now).await.unwrap();
        assert_eq!(p.activities.len(), 12 + 1 + 2);
        let logs = of(&p, "log_diagnosis");
        // New Year's Day, Sundays and a Saturday move to the next working day.
        assert_eq!(
            dates(&logs),
            [
                "2026-01-02",
                "2026-02-02",
                "2026-03-02",
                "2026-04-01",
                "2026-05-01",
                "2026-06-01",
                "2026-07-01",
                "2026-08-03",
                "2026-09-01",
                "2026-10-01",
                "2026-11-02",
                "2026-12-01"
            ]
        );
        assert_eq!(logs[0].owner_role, "cse");
        assert_eq!(logs[0].lead_days, DEFAULT_LEAD_DAYS);
        // Golden Week: 3 May (Sunday, holiday) moves back to Friday 1 May.
        assert_eq!(dates(&of(&p, "technical_review")), ["2026-05-01"]);
        let insp = of(&p, "periodic_inspection");
        assert_eq!(dates(&insp), ["2026-01-02", "2026-07-01"]);
        assert!(
            insp.iter()
                .all(|a| a.owner_role == "ce" && a.lead_days == 7)
        );
        assert_eq!(insp[0].template.as_deref(), Some("hardware_inspection"));
        assert!(
            p.activities
                .iter()
                .all(|a| a.status == "planned" || a.status == "late")
        );
        // The activities are whole days on the customer's calendar.
        let jan = CalendarQuery {
            from_ms: ms("2026-01-01T00:00:00Z"),
            to_ms: ms("2026-02-01T00:00:00Z"),
            customer_id: Some(c.id.clone()),
            ..Default::default()
        };
        let cal = s.calendar_entries(&staff(), &jan).await.unwrap();
        let planned: Vec<_> = cal.iter().filter(|e| e.kind == "planned").collect();
        assert_eq!(planned.len(), 2, "{cal:?}");
        assert!(
            planned
                .iter()
                .all(|e| e.all_day && e.starts_at == ms("2026-01-02T00:00:00Z"))
        );
        // Asking again changes nothing.
        let again = s.contract_plan(&staff(), &k.id, 2026, now).await.unwrap();
        assert_eq!(again.activities, p.activities);

        // Edits: February moved, March skipped with a reason; both audited.
        let feb = s
            .update_activity(
                &staff(),
                &logs[1].id,
                ActivityPatch {
                    date: Some("2026-02-10".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(feb.edited);
        let mar = s
            .update_activity(
                &staff(),
                &logs[2].id,
                ActivityPatch {
                    skip_reason: Some("customer closed for stocktaking".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(mar.status, "skipped");
        let bad = s
            .update_activity(
                &staff(),
                &logs[3].id,
                ActivityPatch {
                    date: Some("2027-01-10".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(bad, StoreError::Invalid(_)));
        let added = s
            .add_activity(
                &staff(),
                &k.id,
                ActivityInput {
                    service: "technical_review".into(),
                    date: "2026-11-20".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(added.occurrence, None);

        // The contract changes to the 15th of each month: untouched 1st-of-month activities go,
        // the 15ths come, the edited and skipped ones stay.
        let mut services = k.services.clone();
        services[0].rrule = "FREQ=MONTHLY;BYMONTHDAY=15".into();
        s.update_contract(
            &staff(),
            &k.id,
            ContractInput {
                services: Some(services),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let p = s.contract_plan(&staff(), &k.id, 2026, now).await.unwrap();
        let logs = of(&p, "log_diagnosis");
        // 15 Feb and 15 Mar 2026 are Sundays, 15 Aug a Saturday, 15 Nov a Sunday.
        assert_eq!(
            dates(&logs),
            [
                "2026-01-15",
                "2026-02-10",
                "2026-02-16",
                "2026-03-02",
                "2026-03-16",
                "2026-04-15",
                "2026-05-15",
                "2026-06-15",
                "2026-07-15",
                "2026-08-17",
                "2026-09-15",
                "2026-10-15",
                "2026-11-16",
                "2026-12-15"
            ]
        );
        let kept: Vec<_> = logs
            .iter()
            .filter(|a| a.edited)
            .map(|a| (a.date.as_str(), a.status.as_str()))
            .collect();
        assert_eq!(kept, [("2026-02-10", "planned"), ("2026-03-02", "skipped")]);
        assert!(p.activities.iter().any(|a| a.id == added.id));
        // Customers see their own plan and may not edit it; others see nothing.
        let me = Scope::Customer {
            user_id: "u1".into(),
            username: "bob".into(),
            customer_id: c.id.clone(),
        };
        assert_eq!(
            s.contract_plan(&me, &k.id, 2026, now)
                .await
                .unwrap()
                .activities
                .len(),
            p.activities.len()
        );
        assert!(matches!(
            s.update_activity(&me, &added.id, ActivityPatch::default())
                .await
                .unwrap_err(),
            StoreError::Forbidden(_)
        ));
        let other = customer(s, "Other", None).await;
        let them = Scope::Customer {
            user_id: "u2".into(),
            username: "eve".into(),
            customer_id: other.id,
        };
        assert!(matches!(
            s.contract_plan(&them, &k.id, 2026, now).await.unwrap_err(),
            StoreError::NotFound
        ));
    }
);

async fn host_check(url: &str, host: &Asset, check: &str, status: &str, summary: &str, at: &str) {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::query("INSERT INTO host_checks (id, host_id, customer_id, check_id, check_version, status, summary, detail, source, observed_at, received_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $9)")
        .bind(new_id())
        .bind(&host.id)
        .bind(&host.customer_id)
        .bind(check)
        .bind(status)
        .bind(summary)
        .bind(json!({"summary": summary}).to_string())
        .bind(format!("/usr/bin/{check}"))
        .bind(ms(at))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

on_both!(
    work_orders_once_results_automation_tickets_signoff,
    |f: Fresh| async move {
        let s = &f.store;
        let ase = user(s, "ase1", Role::Ase, None).await;
        let c = customer(s, "Acme", Some(&ase.id)).await;
        let host = server(s, &c, "web1").await;
        let k = contract(
            s,
            &c,
            vec![service(
                "system_inspection",
                "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=10",
                json!({"owner_role": "ase", "assets": [host.id]}),
            )],
        )
        .await;
        // 10 March 2026 is a Tuesday; 14 days' lead: the work order is due on 24 February.
        let r = s.plan_tick("a", ms("2026-02-20T00:00:00Z")).await.unwrap();
        assert!(r.leader);
        assert_eq!((r.plans, r.work_orders), (1, 0));
        let (x, y) = tokio::join!(
            s.create_due_work_orders(ms("2026-02-24T01:00:00Z")),
            s.create_due_work_orders(ms("2026-02-24T01:00:00Z"))
        );
        assert_eq!(x.unwrap() + y.unwrap(), 1);
        // Another holder is kept out by the lease; once it expires it finds nothing left to do.
        let r = s.plan_tick("a", ms("2026-02-24T01:00:10Z")).await.unwrap();
        assert_eq!((r.leader, r.work_orders), (true, 0));
        assert!(
            !s.plan_tick("b", ms("2026-02-24T01:00:30Z"))
                .await
                .unwrap()
                .leader
        );
        let r = s.plan_tick("b", ms("2026-02-25T00:00:00Z")).await.unwrap();
        assert_eq!((r.leader, r.work_orders), (true, 0));
        let list = s
            .list_work_orders(&staff(), &WorkOrderQuery::default())
            .await
            .unwrap();
        assert_eq!(list.items.len(), 1);
        let wo = s.get_work_order(&staff(), &list.items[0].id).await.unwrap();
        assert_eq!(wo.kind, "planned");
        assert!(wo.number.starts_with("WO-2026-"));
        assert_eq!(wo.assignee_id.as_deref(), Some(ase.id.as_str()));
        assert_eq!(wo.assets, std::slice::from_ref(&host.id));
        // 09:00-18:00 in Tokyo on 10 March.
        assert_eq!(wo.scheduled_start, ms("2026-03-10T00:00:00Z"));
        assert_eq!(wo.scheduled_end, ms("2026-03-10T09:00:00Z"));
        assert_eq!(wo.items.len(), 11);
        let plan = s
            .contract_plan(&staff(), &k.id, 2026, ms("2026-02-25T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            plan.activities[0].work_order_id.as_deref(),
            Some(wo.id.as_str())
        );

        // The agent's newest results fill the automated items when the work starts.
        host_check(
            &f.url,
            &host,
            "disk_headroom",
            "finding",
            "/ 91% used",
            "2026-03-01T00:00:00Z",
        )
        .await;
        host_check(
            &f.url,
            &host,
            "disk_headroom",
            "ok",
            "/ 62% used",
            "2026-03-09T00:00:00Z",
        )
        .await;
        host_check(
            &f.url,
            &host,
            "failed_units",
            "finding",
            "backup.service failed",
            "2026-03-09T00:00:00Z",
        )
        .await;
        host_check(
            &f.url,
            &host,
            "raid_state",
            "n/a",
            "no RAID",
            "2026-03-09T00:00:00Z",
        )
        .await;
        let wo = s
            .update_work_order(
                &staff(),
                &wo.id,
                WorkOrderPatch {
                    status: Some("in_progress".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let item = |w: &WorkOrder, check: &str| {
            w.items
                .iter()
                .find(|i| i.auto_check.as_deref() == Some(check))
                .unwrap()
                .clone()
        };
        let disk = item(&wo, "disk_headroom");
        assert_eq!(disk.result.as_deref(), Some("ok"));
        assert_eq!(disk.recorded_by.as_deref(), Some("agent"));
        assert_eq!(disk.measured, "/ 62% used");
        let ev = &disk.evidence.as_ref().unwrap()[0];
        assert_eq!(ev["source"], "/usr/bin/disk_headroom");
        assert_eq!(ev["observed_at"], ms("2026-03-09T00:00:00Z"));
        assert_eq!(item(&wo, "failed_units").result.as_deref(), Some("finding"));
        assert_eq!(item(&wo, "raid_state").result.as_deref(), Some("n_a"));
        assert_eq!(item(&wo, "ntp_sync").result, None);

        // A person's result is not overwritten by a later fill.
        let ntp = item(&wo, "ntp_sync").pos;
        s.record_results(
            &staff(),
            &wo.id,
            ResultsInput {
                items: vec![ItemResult {
                    pos: ntp,
                    result: "ok".into(),
                    notes: Some("chrony synced".into()),
                    measured: Some("offset 2 ms".into()),
                }],
                minutes: Some(30),
            },
        )
        .await
        .unwrap();
        host_check(
            &f.url,
            &host,
            "ntp_sync",
            "finding",
            "not synchronised",
            "2026-03-10T00:00:00Z",
        )
        .await;
        s.fill_from_agent(&staff(), &wo.id).await.unwrap();
        let wo = s.get_work_order(&staff(), &wo.id).await.unwrap();
        assert_eq!(item(&wo, "ntp_sync").result.as_deref(), Some("ok"));
        assert_eq!(wo.minutes_spent, 30);
        assert_eq!(wo.status, "in_progress");

        // Bad input is a validation error; done needs every item.
        let bad = s
            .record_results(
                &staff(),
                &wo.id,
                ResultsInput {
                    items: vec![ItemResult {
                        pos: 1,
                        result: "great".into(),
                        ..Default::default()
                    }],
                    minutes: None,
                },
            )
            .await;
        assert!(matches!(bad.unwrap_err(), StoreError::Invalid(_)));
        let early = s
            .update_work_order(
                &staff(),
                &wo.id,
                WorkOrderPatch {
                    status: Some("done".into()),
                    ..Default::default()
                },
            )
            .await;
        assert!(matches!(early.unwrap_err(), StoreError::Invalid(_)));
        let rest: Vec<ItemResult> = wo
            .items
            .iter()
            .filter(|i| i.result.is_none())
            .map(|i| ItemResult {
                pos: i.pos,
                result: "n/a".into(),
                ..Default::default()
            })
            .collect();
        s.record_results(
            &staff(),
            &wo.id,
            ResultsInput {
                items: rest,
                minutes: Some(45),
            },
        )
        .await
        .unwrap();

        // The failed unit opens an incident, once.
        let fu = item(&wo, "failed_units").pos;
        let t = s.ticket_from_item(&staff(), &wo.id, fu).await.unwrap();
        assert!(t.title.contains("systemd"));
        assert!(t.description.contains("backup.service failed"));
        assert!(matches!(
            s.ticket_from_item(&staff(), &wo.id, fu).await.unwrap_err(),
            StoreError::Conflict(_)
        ));
        assert!(matches!(
            s.ticket_from_item(&staff(), &wo.id, ntp).await.unwrap_err(),
            StoreError::Invalid(_)
        ));

        let wo = s
            .update_work_order(
                &staff(),
                &wo.id,
                WorkOrderPatch {
                    status: Some("done".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(wo.status, "done");
        assert_eq!(wo.minutes_spent, 75);
        assert_eq!(
            item(&wo, "failed_units").ticket_id.as_deref(),
            Some(t.id.as_str())
        );
        let plan = s
            .contract_plan(&staff(), &k.id, 2026, ms("2026-03-11T00:00:00Z"))
            .await
            .unwrap();
        // Done today (the wall clock), after its date in March: plan against actual says late.
        assert_eq!(plan.activities[0].status, "late");
        assert!(plan.activities[0].done_on.is_some());

        // Sign-off: a portal user needs the sign-off role; staff record a name.
        let bob = user(s, "bob", Role::Customer, Some(&c.id)).await;
        let bob_scope = Scope::Customer {
            user_id: bob.id.clone(),
            username: "bob".into(),
            customer_id: c.id.clone(),
        };
        assert!(matches!(
            s.sign_off(&bob_scope, &wo.id, SignoffInput::default())
                .await
                .unwrap_err(),
            StoreError::Forbidden(_)
        ));
        s.set_signer(&staff(), &bob.id, true).await.unwrap();
        let signed = s
            .sign_off(&bob_scope, &wo.id, SignoffInput::default())
            .await
            .unwrap();
        assert_eq!(signed.signoff_name.as_deref(), Some("bob san"));
        assert_eq!(signed.signoff_user_id.as_deref(), Some(bob.id.as_str()));
        assert!(matches!(
            s.sign_off(
                &staff(),
                &wo.id,
                SignoffInput {
                    name: Some("X".into()),
                    signed_at: None
                }
            )
            .await
            .unwrap_err(),
            StoreError::Conflict(_)
        ));
        // The portal sees its own work orders only.
        assert_eq!(
            s.list_work_orders(&bob_scope, &WorkOrderQuery::default())
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        let other = customer(s, "Other", None).await;
        let eve = Scope::Customer {
            user_id: "u-eve".into(),
            username: "eve".into(),
            customer_id: other.id.clone(),
        };
        assert!(
            s.list_work_orders(&eve, &WorkOrderQuery::default())
                .await
                .unwrap()
                .items
                .is_empty()
        );
        assert!(matches!(
            s.get_work_order(&eve, &wo.id).await.unwrap_err(),
            StoreError::NotFound
        ));
        let q = WorkOrderQuery {
            status: Some("active".into()),
            ..Default::default()
        };
        assert!(
            s.list_work_orders(&staff(), &q)
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }
);

on_both!(overdue_work_orders_escalate_once, |f: Fresh| async move {
    let s = &f.store;
    let ase = user(s, "ase1", Role::Ase, None).await;
    let eng = user(s, "eng1", Role::Cse, None).await;
    let c = customer(s, "Acme", Some(&ase.id)).await;
    let t = s
        .create_ticket(
            &staff(),
            TicketInput {
                customer_id: Some(c.id.clone()),
                title: Some("Disk noise".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let start = ms("2026-04-01T01:00:00Z");
    let wo = s
        .create_work_order(
            &staff(),
            WorkOrderInput {
                ticket_id: Some(t.id.clone()),
                template: Some("hardware_inspection".into()),
                assignee_id: Some(eng.id.clone()),
                scheduled_start: Some(start),
                scheduled_end: Some(start + 3_600_000),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(wo.customer_id, c.id);
    assert_eq!(wo.ticket_id.as_deref(), Some(t.id.as_str()));
    assert!(wo.title.contains("Disk noise"));
    assert_eq!(wo.items.len(), 9);
    assert_eq!(s.escalate_overdue(start + 3_000_000).await.unwrap(), 0);
    let (x, y) = tokio::join!(
        s.escalate_overdue(start + 3_700_000),
        s.escalate_overdue(start + 3_700_000)
    );
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(s.escalate_overdue(start + 9_000_000).await.unwrap(), 0);
    for u in [&ase, &eng] {
        let me = Scope::Staff {
            user_id: u.id.clone(),
            username: u.username.clone(),
            role: Role::Cse,
        };
        let n = s.notifications(&me, 50).await.unwrap();
        assert_eq!(n.len(), 1, "{}", u.username);
        assert_eq!(n[0].kind, "work_order_overdue");
        assert!(n[0].body.contains(&wo.number));
    }
    // The work order is on its engineer's calendar, and not on another's.
    let around = |engineer: &str| CalendarQuery {
        from_ms: start - 86_400_000,
        to_ms: start + 86_400_000,
        engineer_id: Some(engineer.to_string()),
        ..Default::default()
    };
    let cal = s
        .calendar_entries(&staff(), &around(&eng.id))
        .await
        .unwrap();
    assert!(
        cal.iter()
            .any(|e| e.kind == "work_order" && e.id == wo.id && e.starts_at == start),
        "{cal:?}"
    );
    let other = s
        .calendar_entries(&staff(), &around(&ase.id))
        .await
        .unwrap();
    assert!(other.iter().all(|e| e.id != wo.id));
    // Assigning a customer's user is refused.
    let bob = user(s, "bob", Role::Customer, Some(&c.id)).await;
    let e = s
        .update_work_order(
            &staff(),
            &wo.id,
            WorkOrderPatch {
                assignee_id: Some(bob.id),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)));
});

on_both!(
    patch_installation_from_findings_with_approval_and_record,
    |f: Fresh| async move {
        use onestop_proto::{Inventory, Kernel, OsInfo, Package};
        let s = &f.store;
        let adv = r#"[{"id": "DSA-22", "modified": "2024-01-01T00:00:00Z", "summary": "curl security update",
        "affected": [{"package": {"ecosystem": "Debian:12", "name": "curl"},
          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "7.88.1-10+deb12u5"}]}]}]}]"#;
        let advs = onestop_vuln::parse_osv(adv.as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| p.advisory)
            .collect();
        s.import_advisories(&staff(), advs, "t").await.unwrap();
        let c = customer(s, "Acme", None).await;
        let host = server(s, &c, "web1").await;
        let inv = |v: &str| Inventory {
            os: OsInfo {
                id: Some("debian".into()),
                version_id: Some("12".into()),
                ..Default::default()
            },
            kernel: Kernel {
                running: "6.1.0-13-amd64".into(),
                installed: vec!["6.1.0-13-amd64".into()],
            },
            packages: vec![Package {
                name: "libcurl4".into(),
                version: v.into(),
                arch: "amd64".into(),
                source: Some("curl".into()),
                source_version: Some(v.into()),
            }],
        };
        s.put_inventory(&staff(), &host.id, &inv("7.88.1-10+deb12u4"), "upload")
            .await
            .unwrap();
        let finding = s
            .list_findings(&staff(), &FindingQuery::default())
            .await
            .unwrap()
            .items
            .remove(0);
        let now = now_ms();
        let input = PatchPlanInput {
            customer_id: c.id.clone(),
            host_ids: vec![host.id.clone()],
            packages: None,
            starts_at: now - 60_000,
            ends_at: now + 7_200_000,
            title: None,
            assignee_id: None,
        };
        let wo = s
            .plan_patch_installation(&staff(), input.clone())
            .await
            .unwrap();
        assert_eq!(wo.kind, "patch");
        assert_eq!(wo.template.as_deref(), Some("patch_installation"));
        let pkg = &wo.patch.as_ref().unwrap()["hosts"][0]["packages"][0];
        assert_eq!(pkg["name"], finding.package.as_str());
        assert_eq!(pkg["wanted"], "7.88.1-10+deb12u5");
        assert_eq!(pkg["findings"], json!([finding.id]));
        // A host without open findings has nothing to patch; another customer's host is refused.
        let clean = server(s, &c, "web2").await;
        let e = s
            .plan_patch_installation(
                &staff(),
                PatchPlanInput {
                    host_ids: vec![clean.id.clone()],
                    ..input.clone()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)));
        // Approval: the customer's signer, or staff recording a name; it opens the window.
        let bob = user(s, "bob", Role::Customer, Some(&c.id)).await;
        let bob_scope = Scope::Customer {
            user_id: bob.id.clone(),
            username: "bob".into(),
            customer_id: c.id.clone(),
        };
        assert!(matches!(
            s.approve_patch(&bob_scope, &wo.id, SignoffInput::default())
                .await
                .unwrap_err(),
            StoreError::Forbidden(_)
        ));
        assert!(matches!(
            s.approve_patch(&staff(), &wo.id, SignoffInput::default())
                .await
                .unwrap_err(),
            StoreError::Invalid(_)
        ));
        assert!(!s.in_maintenance(&c.id, &host.id, now).await.unwrap());
        s.set_signer(&staff(), &bob.id, true).await.unwrap();
        let wo = s
            .approve_patch(&bob_scope, &wo.id, SignoffInput::default())
            .await
            .unwrap();
        assert_eq!(wo.approved_by.as_deref(), Some("bob"));
        assert!(s.in_maintenance(&c.id, &host.id, now).await.unwrap());
        assert!(matches!(
            s.approve_patch(&bob_scope, &wo.id, SignoffInput::default())
                .await
                .unwrap_err(),
            StoreError::Conflict(_)
        ));
        // The installation happens; the record shows before/after and the closed finding.
        s.put_inventory(&staff(), &host.id, &inv("7.88.1-10+deb12u5"), "upload")
            .await
            .unwrap();
        let r = s.patch_record(&staff(), &wo.id).await.unwrap();
        let h = &r.hosts[0];
        assert_eq!(h.packages[0].before.as_deref(), Some("7.88.1-10+deb12u4"));
        assert_eq!(h.packages[0].after.as_deref(), Some("7.88.1-10+deb12u5"));
        assert_eq!(h.findings_closed.len(), 1);
        assert_eq!(h.findings_open, 0);
        assert!(!h.reboot_pending);
        assert_eq!(
            s.patch_record(&bob_scope, &wo.id)
                .await
                .unwrap()
                .hosts
                .len(),
            1
        );
    }
);

on_both!(
    a_backdated_contract_gets_work_orders_only_from_a_month_ago,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Late Co", None).await;
        let k = contract(
            s,
            &c,
            vec![service(
                "log_diagnosis",
                "FREQ=MONTHLY;BYMONTHDAY=20",
                json!({"shift": "none"}),
            )],
        )
        .await;
        // Entered on 10 June: 20 May (21 days ago) and 20 June are due; January to April are late.
        let now = ms("2026-06-10T00:00:00Z");
        s.plan_tick("a", now).await.unwrap();
        let plan = s.contract_plan(&staff(), &k.id, 2026, now).await.unwrap();
        let with_wo: Vec<&str> = plan
            .activities
            .iter()
            .filter(|a| a.work_order_id.is_some())
            .map(|a| a.date.as_str())
            .collect();
        assert_eq!(with_wo, ["2026-05-20", "2026-06-20"]);
        assert_eq!(
            plan.activities
                .iter()
                .filter(|a| a.date.as_str() < "2026-05-20")
                .count(),
            4
        );
    }
);
