//! Work records on tickets on every backend: attachments, time, links, vendor cases and
//! field visits, each scoped, audited and on the timeline; the service catalog; renewals.
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

async fn ticket(s: &Store, customer_id: &str, kind: &str, title: &str) -> Ticket {
    s.create_ticket(
        &staff(),
        TicketInput {
            customer_id: Some(customer_id.into()),
            kind: Some(kind.into()),
            title: Some(title.into()),
            impact: Some("high".into()),
            urgency: Some("low".into()),
            channel: Some("phone".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn field_of(e: StoreError) -> String {
    match e {
        StoreError::Invalid(v) => v.field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn kinds(s: &Store, scope: &Scope, id: &str) -> Vec<String> {
    s.ticket_events(scope, id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn audited(s: &Store, entity: &str, id: &str) -> usize {
    s.audit_list(
        &staff(),
        &AuditFilter {
            entity: Some(entity.into()),
            entity_id: Some(id.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .len()
}

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn upload(name: &str, ty: Option<&str>, vis: Option<&str>, bytes: &[u8]) -> NewAttachment {
    NewAttachment {
        filename: name.into(),
        content_type: ty.map(str::to_string),
        visibility: vis.map(str::to_string),
        note: None,
        bytes: bytes.to_vec(),
    }
}

on_both!(
    attachments_are_checked_stored_and_scoped,
    |f: Fresh| async move {
        let s = &f.store;
        let dir = tempfile::tempdir().unwrap();
        let (acme, globex) = (customer(s, "Acme").await, customer(s, "Globex").await);
        let t = ticket(s, &acme.id, "incident", "disk").await;
        let shot = s
            .add_attachment(
                &staff(),
                &t.id,
                dir.path(),
                upload("../../screen.png", Some("image/png"), Some("public"), PNG),
            )
            .await
            .unwrap();
        assert_eq!(
            (shot.filename.as_str(), shot.content_type.as_str()),
            ("screen.png", "image/png")
        );
        assert_eq!(shot.size, PNG.len() as i64);
        let (_, path) = s
            .attachment(&staff(), &t.id, &shot.id, dir.path())
            .await
            .unwrap();
        assert!(path.starts_with(dir.path()));
        assert_eq!(std::fs::read(&path).unwrap(), PNG);
        use sha2::Digest;
        assert_eq!(shot.sha256, hex::encode(sha2::Sha256::digest(PNG)));
        // Staff attach internally by default.
        let dump = s
            .add_attachment(
                &staff(),
                &t.id,
                dir.path(),
                upload("dump.txt", None, None, b"panic at 0x0"),
            )
            .await
            .unwrap();
        assert_eq!(
            (dump.visibility.as_str(), dump.content_type.as_str()),
            ("internal", "text/plain")
        );
        // The customer sees public attachments only, and cannot fetch the internal one.
        let me = customer_user(&acme.id);
        let mine = s.list_attachments(&me, &t.id).await.unwrap();
        assert_eq!(
            mine.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            [shot.id.as_str()]
        );
        assert!(matches!(
            s.attachment(&me, &t.id, &dump.id, dir.path()).await,
            Err(StoreError::NotFound)
        ));
        assert!(s.attachment(&me, &t.id, &shot.id, dir.path()).await.is_ok());
        // A customer's upload is public whatever it asks for.
        let log = s
            .add_attachment(
                &me,
                &t.id,
                dir.path(),
                upload("app.log", Some("text/plain"), Some("internal"), b"error 42"),
            )
            .await
            .unwrap();
        assert_eq!(log.visibility, "public");
        // Another customer sees nothing of the ticket.
        let other = customer_user(&globex.id);
        assert!(matches!(
            s.list_attachments(&other, &t.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.attachment(&other, &t.id, &shot.id, dir.path()).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.add_attachment(&other, &t.id, dir.path(), upload("x.txt", None, None, b"x"))
                .await,
            Err(StoreError::NotFound)
        ));
        // Executables and mismatches are refused, and leave no file behind.
        let before = std::fs::read_dir(dir.path().join(&t.id)).unwrap().count();
        for bad in [
            upload(
                "setup.exe",
                None,
                None,
                b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0",
            ),
            upload(
                "tool",
                None,
                None,
                b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0",
            ),
            upload("fix.sh", Some("text/plain"), None, b"#!/bin/sh\necho hi\n"),
            upload("report.pdf", None, None, PNG),
            upload(
                "photo.png",
                Some("image/png"),
                None,
                b"this is text, not a PNG",
            ),
            upload("empty.txt", None, None, b""),
        ] {
            assert_eq!(
                field_of(
                    s.add_attachment(&staff(), &t.id, dir.path(), bad)
                        .await
                        .unwrap_err()
                ),
                "file"
            );
        }
        assert_eq!(
            std::fs::read_dir(dir.path().join(&t.id)).unwrap().count(),
            before
        );
        // Timeline and audit.
        assert_eq!(
            kinds(s, &staff(), &t.id)
                .await
                .iter()
                .filter(|k| *k == "attachment_added")
                .count(),
            3
        );
        assert_eq!(
            kinds(s, &me, &t.id)
                .await
                .iter()
                .filter(|k| *k == "attachment_added")
                .count(),
            2
        );
        assert_eq!(audited(s, "ticket_attachment", &dump.id).await, 1);
    }
);

on_both!(time_entries_are_staff_records, |f: Fresh| async move {
    let s = &f.store;
    let acme = customer(s, "Acme").await;
    let t = ticket(s, &acme.id, "incident", "slow db").await;
    let ce = s
        .create_user(
            &staff(),
            NewUser {
                username: "ken".into(),
                display_name: None,
                email: None,
                role: Role::Ce,
                customer_id: None,
                password: None,
                language: None,
            },
        )
        .await
        .unwrap();
    let e = s
        .add_time_entry(
            &staff(),
            &t.id,
            TimeEntryInput {
                minutes: 45,
                note: Some("log review".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(e.billable && e.username == "alice" && e.user_id.is_none());
    let yesterday = now_ms() - 86_400_000;
    let e2 = s
        .add_time_entry(
            &staff(),
            &t.id,
            TimeEntryInput {
                minutes: 90,
                worked_at: Some(yesterday),
                billable: Some(false),
                user_id: Some(ce.id.clone()),
                note: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (e2.username.as_str(), e2.worked_at, e2.billable),
        ("ken", yesterday, false)
    );
    let list = s.list_time_entries(&staff(), &t.id).await.unwrap();
    assert_eq!(list.iter().map(|e| e.minutes).collect::<Vec<_>>(), [90, 45]);
    for (input, field) in [
        (
            TimeEntryInput {
                minutes: 0,
                ..Default::default()
            },
            "minutes",
        ),
        (
            TimeEntryInput {
                minutes: 2000,
                ..Default::default()
            },
            "minutes",
        ),
        (
            TimeEntryInput {
                minutes: 5,
                worked_at: Some(now_ms() + 3_600_000),
                ..Default::default()
            },
            "worked_at",
        ),
        (
            TimeEntryInput {
                minutes: 5,
                user_id: Some("nobody".into()),
                ..Default::default()
            },
            "user_id",
        ),
    ] {
        assert_eq!(
            field_of(s.add_time_entry(&staff(), &t.id, input).await.unwrap_err()),
            field
        );
    }
    let me = customer_user(&acme.id);
    assert!(matches!(
        s.add_time_entry(
            &me,
            &t.id,
            TimeEntryInput {
                minutes: 5,
                ..Default::default()
            }
        )
        .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.list_time_entries(&me, &t.id).await,
        Err(StoreError::Forbidden(_))
    ));
    // Effort is internal: not on the customer's timeline.
    assert_eq!(
        kinds(s, &staff(), &t.id)
            .await
            .iter()
            .filter(|k| *k == "time_logged")
            .count(),
        2
    );
    assert!(
        !kinds(s, &me, &t.id)
            .await
            .contains(&"time_logged".to_string())
    );
    assert_eq!(audited(s, "time_entry", &e.id).await, 1);
});

on_both!(links_show_on_both_ends, |f: Fresh| async move {
    let s = &f.store;
    let (acme, globex) = (customer(s, "Acme").await, customer(s, "Globex").await);
    let prb = ticket(s, &acme.id, "problem", "RAID firmware").await;
    let inc1 = ticket(s, &acme.id, "incident", "disk 1").await;
    let inc2 = ticket(s, &globex.id, "incident", "disk 2").await;
    let dup = ticket(s, &acme.id, "incident", "disk 1 again").await;
    let link = |t: &Ticket, relation: &str, other: &str| {
        let (id, input) = (
            t.id.clone(),
            LinkInput {
                relation: relation.into(),
                ticket: other.into(),
            },
        );
        async move { s.add_ticket_link(&staff(), &id, input).await }
    };
    let l = link(&inc1, "problem", &prb.number).await.unwrap();
    assert_eq!(
        (l.relation.as_str(), l.other_id.as_str()),
        ("problem", prb.id.as_str())
    );
    link(&prb, "incident", &inc2.id).await.unwrap();
    link(&dup, "duplicate_of", &inc1.id).await.unwrap();
    link(&inc1, "parent", &prb.id).await.unwrap();
    let rel = |v: Vec<TicketLink>| {
        let mut r: Vec<(String, String)> = v
            .into_iter()
            .map(|l| (l.relation, l.other_number))
            .collect();
        r.sort();
        r
    };
    assert_eq!(
        rel(s.list_ticket_links(&staff(), &prb.id).await.unwrap()),
        [
            ("child".into(), inc1.number.clone()),
            ("incident".into(), inc1.number.clone()),
            ("incident".into(), inc2.number.clone())
        ]
    );
    assert_eq!(
        rel(s.list_ticket_links(&staff(), &inc1.id).await.unwrap()),
        [
            ("duplicated_by".into(), dup.number.clone()),
            ("parent".into(), prb.number.clone()),
            ("problem".into(), prb.number.clone())
        ]
    );
    // Refusals: itself, a non-problem as problem, the reverse of an existing link, twice.
    assert_eq!(
        field_of(link(&inc1, "duplicate_of", &inc1.id).await.unwrap_err()),
        "ticket"
    );
    assert_eq!(
        field_of(link(&inc1, "problem", &dup.id).await.unwrap_err()),
        "relation"
    );
    assert_eq!(
        field_of(link(&inc1, "duplicate_of", &dup.id).await.unwrap_err()),
        "relation"
    );
    assert_eq!(
        field_of(link(&inc1, "sibling", &dup.id).await.unwrap_err()),
        "relation"
    );
    assert_eq!(
        field_of(link(&inc1, "problem", "PRB-1999-000001").await.unwrap_err()),
        "ticket"
    );
    assert!(matches!(
        link(&inc1, "problem", &prb.id).await,
        Err(StoreError::Conflict(_))
    ));
    // Acme's user sees links to Acme's tickets only, and no customers can link.
    let me = customer_user(&acme.id);
    assert_eq!(
        rel(s.list_ticket_links(&me, &prb.id).await.unwrap()),
        [
            ("child".into(), inc1.number.clone()),
            ("incident".into(), inc1.number.clone())
        ]
    );
    // The cross-customer link is not on Acme's timeline.
    assert_eq!(
        kinds(s, &me, &prb.id)
            .await
            .iter()
            .filter(|k| *k == "linked")
            .count(),
        2
    );
    assert!(matches!(
        s.add_ticket_link(
            &me,
            &dup.id,
            LinkInput {
                relation: "duplicate_of".into(),
                ticket: inc1.id.clone()
            }
        )
        .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.list_ticket_links(&customer_user(&globex.id), &prb.id)
            .await,
        Err(StoreError::NotFound)
    ));
    // Both timelines carry the link; removing it is recorded on both too.
    assert_eq!(
        kinds(s, &staff(), &prb.id)
            .await
            .iter()
            .filter(|k| *k == "linked")
            .count(),
        3
    );
    s.remove_ticket_link(&staff(), &prb.id, &l.id)
        .await
        .unwrap();
    assert!(
        kinds(s, &staff(), &inc1.id)
            .await
            .contains(&"unlinked".to_string())
    );
    assert_eq!(
        s.list_ticket_links(&staff(), &prb.id).await.unwrap().len(),
        2
    );
    assert!(matches!(
        s.remove_ticket_link(&staff(), &prb.id, &l.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(audited(s, "ticket_link", &l.id).await, 2);
});

on_both!(vendor_cases_run_the_vendor_clock, |f: Fresh| async move {
    let s = &f.store;
    let (acme, globex) = (customer(s, "Acme").await, customer(s, "Globex").await);
    let t = ticket(s, &acme.id, "incident", "DB crash").await;
    assert!(t.sla.vendor.is_none());
    let c = s
        .raise_vendor_case(
            &staff(),
            &t.id,
            VendorCaseInput {
                vendor: "Oracle".into(),
                case_number: Some("SR 3-1234".into()),
                note: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(c.status, "open");
    // High priority: the provider default gives the vendor 240 minutes.
    let got = s.get_ticket(&staff(), &t.id).await.unwrap();
    let v = got.sla.vendor.clone().expect("vendor clock");
    assert_eq!(v.state, "running");
    assert_eq!(v.budget_minutes, 240);
    let raised = kinds(s, &staff(), &t.id).await;
    assert!(raised.contains(&"vendor_raised".to_string()));
    let answered = s
        .answer_vendor_case(
            &staff(),
            &t.id,
            &c.id,
            VendorAnswerInput {
                body: "apply patch 36".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (answered.status.as_str(), answered.answers.len()),
        ("answered", 1)
    );
    let v = s
        .get_ticket(&staff(), &t.id)
        .await
        .unwrap()
        .sla
        .vendor
        .unwrap();
    assert_eq!(v.state, "met");
    assert!(v.stopped_at.is_some());
    // Reopening raises it again: a fresh clock.
    let re = s
        .update_vendor_case(
            &staff(),
            &t.id,
            &c.id,
            VendorCasePatch {
                status: Some("open".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(re.status, "open");
    assert_eq!(
        s.get_ticket(&staff(), &t.id)
            .await
            .unwrap()
            .sla
            .vendor
            .unwrap()
            .state,
        "running"
    );
    assert_eq!(
        field_of(
            s.update_vendor_case(
                &staff(),
                &t.id,
                &c.id,
                VendorCasePatch {
                    status: Some("answered".into()),
                    ..Default::default()
                }
            )
            .await
            .unwrap_err()
        ),
        "status"
    );
    let closed = s
        .update_vendor_case(
            &staff(),
            &t.id,
            &c.id,
            VendorCasePatch {
                status: Some("closed".into()),
                case_number: Some("SR 3-9".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (closed.status.as_str(), closed.case_number.as_deref()),
        ("closed", Some("SR 3-9"))
    );
    assert_eq!(
        field_of(
            s.answer_vendor_case(
                &staff(),
                &t.id,
                &c.id,
                VendorAnswerInput {
                    body: "late".into()
                }
            )
            .await
            .unwrap_err()
        ),
        "status"
    );
    let cases = s.list_vendor_cases(&staff(), &t.id).await.unwrap();
    assert_eq!((cases.len(), cases[0].answers.len()), (1, 1));
    // Customers neither raise nor see vendor cases; another customer's user finds no ticket.
    let me = customer_user(&acme.id);
    let input = || VendorCaseInput {
        vendor: "HPE".into(),
        ..Default::default()
    };
    assert!(matches!(
        s.raise_vendor_case(&me, &t.id, input()).await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.list_vendor_cases(&me, &t.id).await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.list_vendor_cases(&customer_user(&globex.id), &t.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        !kinds(s, &me, &t.id)
            .await
            .iter()
            .any(|k| k.starts_with("vendor"))
    );
    assert_eq!(
        field_of(
            s.raise_vendor_case(&staff(), &t.id, VendorCaseInput::default())
                .await
                .unwrap_err()
        ),
        "vendor"
    );
    assert_eq!(audited(s, "vendor_case", &c.id).await, 4);
});

on_both!(dispatches_send_field_engineers, |f: Fresh| async move {
    let s = &f.store;
    let (acme, globex) = (customer(s, "Acme").await, customer(s, "Globex").await);
    let t = ticket(s, &acme.id, "incident", "PSU failed").await;
    let user = |name: &str, role| NewUser {
        username: name.into(),
        display_name: None,
        email: None,
        role,
        customer_id: None,
        password: None,
        language: None,
    };
    let ce = s
        .create_user(&staff(), user("ken", Role::Ce))
        .await
        .unwrap();
    let front = s
        .create_user(&staff(), user("fran", Role::Front))
        .await
        .unwrap();
    let planned = now_ms() + 3_600_000;
    assert_eq!(
        field_of(
            s.create_dispatch(
                &staff(),
                &t.id,
                DispatchInput {
                    engineer_id: front.id.clone(),
                    planned_at: planned
                }
            )
            .await
            .unwrap_err()
        ),
        "engineer_id"
    );
    let d = s
        .create_dispatch(
            &staff(),
            &t.id,
            DispatchInput {
                engineer_id: ce.id.clone(),
                planned_at: planned,
            },
        )
        .await
        .unwrap();
    assert_eq!((d.status.as_str(), d.engineer.as_str()), ("planned", "ken"));
    let patch = |p: DispatchPatch| {
        let (tid, did) = (t.id.clone(), d.id.clone());
        async move { s.update_dispatch(&staff(), &tid, &did, p).await }
    };
    let on_site = patch(DispatchPatch {
        status: Some("on_site".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(on_site.arrived_at.is_some());
    let done = patch(DispatchPatch {
        status: Some("done".into()),
        work_done: Some("replaced PSU 2".into()),
        parts: Some(vec![Part {
            name: "PSU 800W".into(),
            part_number: Some("P38995-B21".into()),
            removed_serial: Some("OLD1".into()),
            installed_serial: Some("NEW1".into()),
            quantity: 1,
        }]),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!((done.status.as_str(), done.parts.len()), ("done", 1));
    assert!(done.finished_at >= done.arrived_at);
    assert_eq!(
        field_of(
            patch(DispatchPatch {
                status: Some("planned".into()),
                ..Default::default()
            })
            .await
            .unwrap_err()
        ),
        "status"
    );
    assert_eq!(
        field_of(
            patch(DispatchPatch {
                parts: Some(vec![Part {
                    name: " ".into(),
                    quantity: 1,
                    ..Default::default()
                }]),
                ..Default::default()
            })
            .await
            .unwrap_err()
        ),
        "parts"
    );
    // The customer sees the visit on its own ticket, but cannot plan one.
    let me = customer_user(&acme.id);
    let seen = s.list_dispatches(&me, &t.id).await.unwrap();
    assert_eq!(
        (seen.len(), seen[0].work_done.as_str()),
        (1, "replaced PSU 2")
    );
    assert!(
        kinds(s, &me, &t.id)
            .await
            .contains(&"dispatch_planned".to_string())
    );
    assert!(matches!(
        s.create_dispatch(
            &me,
            &t.id,
            DispatchInput {
                engineer_id: ce.id.clone(),
                planned_at: planned
            }
        )
        .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.list_dispatches(&customer_user(&globex.id), &t.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(audited(s, "dispatch", &d.id).await, 3);
});

on_both!(
    the_catalog_feeds_contracts_and_renewals,
    |f: Fresh| async move {
        let s = &f.store;
        let acme = customer(s, "Acme").await;
        let menu = s.list_catalog(&CatalogQuery::default()).await.unwrap();
        assert!(menu.len() >= 30, "{}", menu.len());
        let inspection = menu
            .iter()
            .find(|c| c.code == "periodic_inspection")
            .unwrap();
        assert_eq!(
            inspection.default_rrule.as_deref(),
            Some("FREQ=MONTHLY;INTERVAL=6")
        );
        assert_eq!(inspection.name_ja, "定期点検");
        for g in CATALOG_GROUPS {
            assert!(menu.iter().any(|c| &c.group == g), "{g}");
        }
        // Administrators edit it; others may not.
        let front = Scope::Staff {
            user_id: "u-front".into(),
            username: "fran".into(),
            role: Role::Front,
        };
        let new = CatalogInput {
            code: Some("backup_check".into()),
            group: Some("proactive".into()),
            name_en: Some("Backup check".into()),
            name_ja: Some("バックアップ確認".into()),
            default_rrule: Some("FREQ=WEEKLY;BYDAY=MO".into()),
            ..Default::default()
        };
        assert!(matches!(
            s.create_catalog_service(&front, new.clone()).await,
            Err(StoreError::Forbidden(_))
        ));
        let b = s
            .create_catalog_service(&staff(), new.clone())
            .await
            .unwrap();
        assert!(matches!(
            s.create_catalog_service(&staff(), new).await,
            Err(StoreError::Conflict(_))
        ));
        let bad = |i: CatalogInput| {
            let id = b.id.clone();
            async move {
                field_of(
                    s.update_catalog_service(&staff(), &id, i)
                        .await
                        .unwrap_err(),
                )
            }
        };
        assert_eq!(
            bad(CatalogInput {
                default_rrule: Some("FREQ=FORTNIGHTLY".into()),
                ..Default::default()
            })
            .await,
            "default_rrule"
        );
        assert_eq!(
            bad(CatalogInput {
                group: Some("misc".into()),
                ..Default::default()
            })
            .await,
            "group"
        );
        assert_eq!(
            bad(CatalogInput {
                code: Some("other".into()),
                ..Default::default()
            })
            .await,
            "code"
        );
        let off = s
            .update_catalog_service(
                &staff(),
                &b.id,
                CatalogInput {
                    active: Some(false),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(!off.active);
        assert!(
            !s.list_catalog(&CatalogQuery::default())
                .await
                .unwrap()
                .iter()
                .any(|c| c.code == "backup_check")
        );
        assert!(
            s.list_catalog(&CatalogQuery { all: Some(true) })
                .await
                .unwrap()
                .iter()
                .any(|c| c.code == "backup_check")
        );
        assert_eq!(audited(s, "catalog_service", &b.id).await, 2);
        // Contracts choose active catalog services; an empty RRULE takes the default.
        let svc = |code: &str, rrule: &str| ContractService {
            service: code.into(),
            rrule: rrule.into(),
            params: serde_json::json!({}),
        };
        let today = chrono::Utc::now().date_naive();
        let k = s
            .create_contract(
                &staff(),
                ContractInput {
                    customer_id: Some(acme.id.clone()),
                    name: Some("Gold".into()),
                    ends_on: Some((today + chrono::Days::new(30)).to_string()),
                    services: Some(vec![
                        svc("periodic_inspection", ""),
                        svc("log_diagnosis", "freq=monthly;bymonthday=1"),
                        svc("reception", ""),
                    ]),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let rules: Vec<&str> = k.services.iter().map(|s| s.rrule.as_str()).collect();
        assert_eq!(
            rules,
            ["FREQ=MONTHLY;INTERVAL=6", "FREQ=MONTHLY;BYMONTHDAY=1", ""]
        );
        let update = |services| {
            let id = k.id.clone();
            async move {
                s.update_contract(
                    &staff(),
                    &id,
                    ContractInput {
                        services: Some(services),
                        ..Default::default()
                    },
                )
                .await
            }
        };
        assert_eq!(
            field_of(update(vec![svc("backup_check", "")]).await.unwrap_err()),
            "services"
        );
        assert_eq!(
            field_of(update(vec![svc("no_such", "")]).await.unwrap_err()),
            "services"
        );
        assert_eq!(
            field_of(
                update(vec![svc("log_diagnosis", "FREQ=MONTHLY;BYMONTHDAY=99")])
                    .await
                    .unwrap_err()
            ),
            "services"
        );
        assert_eq!(
            field_of(
                update(vec![svc("reception", ""), svc("reception", "")])
                    .await
                    .unwrap_err()
            ),
            "services"
        );
        // A service leaving the catalog does not block other changes to a contract that has it.
        let reception = menu.iter().find(|c| c.code == "reception").unwrap();
        s.update_catalog_service(
            &staff(),
            &reception.id,
            CatalogInput {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let renamed = s
            .update_contract(
                &staff(),
                &k.id,
                ContractInput {
                    name: Some("Gold+".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (renamed.name.as_str(), renamed.services.len()),
            ("Gold+", 3)
        );
        // Renewal: 30 days left with 60 days' notice is due; a contract with 10 days' notice is not.
        let globex = customer(s, "Globex").await;
        s.create_contract(
            &staff(),
            ContractInput {
                customer_id: Some(globex.id.clone()),
                name: Some("Silver".into()),
                ends_on: Some((today + chrono::Days::new(30)).to_string()),
                renewal_notice_days: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let due = s.contracts_due_for_renewal(&staff(), today).await.unwrap();
        assert_eq!(
            due.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
            ["Gold+"]
        );
        assert_eq!(due[0].days_left, 30);
        assert_eq!(
            due[0].remind_on,
            (today + chrono::Days::new(30) - chrono::Days::new(60)).to_string()
        );
        let later = s
            .contracts_due_for_renewal(&staff(), today + chrono::Days::new(25))
            .await
            .unwrap();
        assert_eq!(later.len(), 2);
        assert!(
            s.contracts_due_for_renewal(&staff(), today + chrono::Days::new(31))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.contracts_due_for_renewal(&customer_user(&globex.id), today + chrono::Days::new(25))
                .await
                .unwrap()
                .iter()
                .all(|d| d.customer_id == globex.id)
        );
        // The catalog survives a backup and restore into a fresh store.
        let mut out = Vec::new();
        s.backup(&mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("backup_check") && text.contains("periodic_inspection"));
    }
);
