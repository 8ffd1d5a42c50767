//! Log storage: batched ingest with templates and miner state in one transaction, scoped
//! search and template counts, unrouted messages for staff only, report data, retention.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_store::logs::search::LogScope;
use onestop_store::logs::*;
use onestop_store::*;

fn msg(
    customer: Option<&str>,
    host: Option<&str>,
    at: i64,
    sev: i64,
    tid: i64,
    text: &str,
) -> NewLogMessage {
    NewLogMessage {
        id: new_id(),
        received_at: at,
        at,
        customer_id: customer.map(str::to_string),
        host_id: host.map(str::to_string),
        source: "192.0.2.1".into(),
        hostname: Some("web1".into()),
        program: Some(if sev <= 3 { "kernel" } else { "sshd" }.into()),
        facility: Some(4),
        syslog_severity: Some(sev),
        severity: sev,
        template_id: tid,
        rules: if sev <= 3 {
            "disk-io-error".into()
        } else {
            String::new()
        },
        message: text.into(),
    }
}

fn tpl(customer: Option<&str>, id: i64, text: &str) -> NewLogTemplate {
    NewLogTemplate {
        customer_id: customer.map(str::to_string),
        template_id: id,
        template: text.into(),
        first_seen: 1_000,
    }
}

async fn setup(s: &Store) -> (Customer, Customer, Asset, Asset) {
    let named = |n: &str| CustomerInput {
        name: Some(n.into()),
        ..Default::default()
    };
    let a = s.create_customer(&staff(), named("Acme")).await.unwrap();
    let b = s.create_customer(&staff(), named("Globex")).await.unwrap();
    let host = |n: &str, ip: &str| AssetInput {
        name: Some(n.into()),
        kind: Some("server".into()),
        ip_addresses: Some(ip.into()),
        ..Default::default()
    };
    let ha = s
        .create_asset(&staff(), &a.id, host("web1", "192.0.2.1"))
        .await
        .unwrap();
    let hb = s
        .create_asset(&staff(), &b.id, host("db1", "192.0.2.2"))
        .await
        .unwrap();
    (a, b, ha, hb)
}

fn customer_scope(c: &Customer) -> Scope {
    Scope::Customer {
        user_id: "u1".into(),
        username: "bob".into(),
        customer_id: c.id.clone(),
    }
}

on_both!(ingest_search_and_scoping, |f: Fresh| async move {
    let s = &f.store;
    let (a, b, ha, hb) = setup(s).await;
    let routes = s.log_routes(&Scope::System).await.unwrap();
    assert_eq!(routes.len(), 2);
    assert!(
        routes
            .iter()
            .any(|r| r.asset_id == ha.id && r.ip_addresses == "192.0.2.1")
    );
    let mut batch = LogBatch {
        templates: vec![
            tpl(Some(&a.id), 1, "Accepted password for <*>"),
            tpl(Some(&a.id), 2, "I/O error on dev <*>"),
            tpl(Some(&b.id), 1, "Connection from <*>"),
            tpl(None, 1, "unknown thing <*>"),
        ],
        states: vec![(a.id.clone(), "{\"state\":1}".into())],
        ..Default::default()
    };
    for i in 0..700 {
        batch.messages.push(msg(
            Some(&a.id),
            Some(&ha.id),
            10_000 + i,
            6,
            1,
            &format!("Accepted password for user{i}"),
        ));
    }
    batch.messages.push(msg(
        Some(&a.id),
        Some(&ha.id),
        20_000,
        3,
        2,
        "I/O error on dev sda",
    ));
    batch.messages.push(msg(
        Some(&b.id),
        Some(&hb.id),
        20_001,
        6,
        1,
        "Connection from 10.1.1.1",
    ));
    batch
        .messages
        .push(msg(None, None, 20_002, 6, 1, "unknown thing 42"));
    s.insert_log_batch(&batch).await.unwrap();
    assert_eq!(
        s.load_miner_state(&a.id).await.unwrap().as_deref(),
        Some("{\"state\":1}")
    );
    assert_eq!(s.load_miner_state(&b.id).await.unwrap(), None);

    // Staff see everything, newest first, with paging.
    let all = s
        .search_logs(
            &staff(),
            &LogQuery {
                limit: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
    assert!(all.more);
    assert_eq!(all.items[0].message, "unknown thing 42");
    assert_eq!(all.items[0].customer_id, None);
    // A customer's user sees only its customer: no unrouted, no other customer.
    let ca = customer_scope(&a);
    let mine = s
        .search_logs(
            &ca,
            &LogQuery {
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 701);
    assert!(
        mine.items
            .iter()
            .all(|m| m.customer_id.as_deref() == Some(a.id.as_str()))
    );
    let other = LogQuery {
        host: Some(hb.id.clone()),
        ..Default::default()
    };
    assert!(matches!(
        s.search_logs(&ca, &other).await,
        Err(StoreError::NotFound)
    ));
    let other = LogQuery {
        customer: Some(b.id.clone()),
        ..Default::default()
    };
    assert!(matches!(
        s.search_logs(&ca, &other).await,
        Err(StoreError::NotFound)
    ));
    let unrouted = LogQuery {
        unrouted: Some(true),
        ..Default::default()
    };
    assert!(matches!(
        s.search_logs(&ca, &unrouted).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        s.search_logs(&staff(), &unrouted)
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    // Filters: severity minimum, text, time, program, template.
    let q = |f: &dyn Fn(&mut LogQuery)| {
        let mut q = LogQuery {
            host: Some(ha.id.clone()),
            limit: Some(1000),
            ..Default::default()
        };
        f(&mut q);
        q
    };
    let n = |p: LogPage| p.items.len();
    assert_eq!(
        n(
            s.search_logs(&staff(), &q(&|q| q.severity = Some("warning".into())))
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        n(
            s.search_logs(&staff(), &q(&|q| q.severity = Some("3".into())))
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        n(
            s.search_logs(&staff(), &q(&|q| q.q = Some("USER69".into())))
                .await
                .unwrap()
        ),
        11
    );
    assert_eq!(
        n(s.search_logs(&staff(), &q(&|q| q.q = Some("100%".into())))
            .await
            .unwrap()),
        0
    );
    assert_eq!(
        n(s.search_logs(
            &staff(),
            &q(&|q| {
                q.from = Some("10100".into());
                q.to = Some("10200".into());
            })
        )
        .await
        .unwrap()),
        100
    );
    assert_eq!(
        n(
            s.search_logs(&staff(), &q(&|q| q.program = Some("kernel".into())))
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        n(
            s.search_logs(&staff(), &q(&|q| q.template = Some("E2".into())))
                .await
                .unwrap()
        ),
        1
    );
    // Template E1 of customer A only, not B's E1 nor the unrouted E1.
    let e1 = LogQuery {
        template: Some("E1".into()),
        limit: Some(1000),
        ..Default::default()
    };
    assert_eq!(n(s.search_logs(&ca, &e1).await.unwrap()), 700);
    assert_eq!(n(s.search_logs(&staff(), &e1).await.unwrap()), 702);
    for bad in [
        q(&|q| q.severity = Some("loud".into())),
        q(&|q| q.from = Some("yesterday".into())),
        q(&|q| q.template = Some("X".into())),
    ] {
        assert!(
            matches!(
                s.search_logs(&staff(), &bad).await,
                Err(StoreError::Invalid(_))
            ),
            "{bad:?}"
        );
    }

    // Template counts, per host and per customer scope.
    let t = s
        .log_templates(
            &staff(),
            &TemplateQuery {
                host: Some(ha.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        t.iter()
            .map(|t| (t.id.as_str(), t.count))
            .collect::<Vec<_>>(),
        [("E1", 700), ("E2", 1)]
    );
    assert_eq!(t[1].worst_severity, "error");
    assert_eq!(t[0].template, "Accepted password for <*>");
    let t = s
        .log_templates(&customer_scope(&b), &TemplateQuery::default())
        .await
        .unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].template, "Connection from <*>");
});

on_both!(merged_templates_and_report_data, |f: Fresh| async move {
    let s = &f.store;
    let (a, _, ha, _) = setup(s).await;
    let hour = 3_600_000;
    let mut batch = LogBatch {
        templates: vec![
            tpl(Some(&a.id), 1, "session opened for root"),
            tpl(Some(&a.id), 2, "session opened for bob"),
            tpl(Some(&a.id), 3, "disk failed <*>"),
        ],
        ..Default::default()
    };
    // Baseline: two earlier hours with 2 messages each of E1; the report hour: 30 of E1,
    // 5 of E2 (to be merged into E1) and a new error template E3.
    for p in 0..2 {
        for i in 0..2 {
            batch.messages.push(msg(
                Some(&a.id),
                Some(&ha.id),
                p * hour + i,
                6,
                1,
                "session opened for root",
            ));
        }
    }
    for i in 0..30 {
        batch.messages.push(msg(
            Some(&a.id),
            Some(&ha.id),
            2 * hour + i,
            6,
            1,
            "session opened for root",
        ));
    }
    for i in 0..5 {
        batch.messages.push(msg(
            Some(&a.id),
            Some(&ha.id),
            2 * hour + 100 + i,
            6,
            2,
            "session opened for bob",
        ));
    }
    batch.messages.push(msg(
        Some(&a.id),
        Some(&ha.id),
        2 * hour + 500,
        2,
        3,
        "disk failed sdb",
    ));
    s.insert_log_batch(&batch).await.unwrap();
    s.save_miner_states(
        &[(a.id.clone(), "{}".into())],
        &[
            TemplateUpdate {
                customer_id: Some(a.id.clone()),
                template_id: 2,
                canonical_id: 1,
                template: "session opened for <*>".into(),
            },
            TemplateUpdate {
                customer_id: Some(a.id.clone()),
                template_id: 1,
                canonical_id: 1,
                template: "session opened for <*>".into(),
            },
        ],
    )
    .await
    .unwrap();
    let rows = s.log_template_rows(&a.id).await.unwrap();
    assert_eq!(rows[1], (2, 1, "session opened for <*>".to_string()));
    // E2 counts under E1 now, and searching E1 finds E2's messages.
    let t = s
        .log_templates(
            &staff(),
            &TemplateQuery {
                host: Some(ha.id.clone()),
                from: Some((2 * hour).to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        t.iter()
            .map(|t| (t.id.as_str(), t.count))
            .collect::<Vec<_>>(),
        [("E1", 35), ("E3", 1)]
    );
    let ls = LogScope {
        host: Some(&ha.id),
        ..Default::default()
    };
    let d = s
        .log_report_data(&staff(), &ls, (2 * hour, 3 * hour), 2)
        .await
        .unwrap();
    assert_eq!(d.total, 36);
    assert_eq!(d.by_severity[2], 1);
    assert_eq!(d.by_severity[6], 35);
    let mut base = d.baseline.clone();
    base.sort();
    assert_eq!(
        base,
        vec![(Some(a.id.clone()), 1, 0, 2), (Some(a.id.clone()), 1, 1, 2)]
    );
    assert_eq!(
        d.talkers
            .iter()
            .map(|t| (t.name.as_str(), t.count))
            .collect::<Vec<_>>(),
        [("sshd", 35), ("kernel", 1)]
    );
    let ex = s
        .log_examples(&staff(), &ls, Some(&a.id), 1, 3)
        .await
        .unwrap();
    assert_eq!(ex.len(), 3);
    assert_eq!(ex[0].message, "session opened for bob");
    // Customer-level talkers are hosts.
    let d = s
        .log_report_data(
            &staff(),
            &LogScope {
                customer: Some(&a.id),
                ..Default::default()
            },
            (0, 3 * hour),
            1,
        )
        .await
        .unwrap();
    assert_eq!(d.talkers[0].name, "web1");
    assert_eq!(d.talkers[0].host_id.as_deref(), Some(ha.id.as_str()));
    // Retention: everything received before the report hour goes, in slices.
    assert_eq!(s.purge_logs(2 * hour).await.unwrap(), 4);
    assert_eq!(
        s.search_logs(
            &staff(),
            &LogQuery {
                limit: Some(1000),
                ..Default::default()
            }
        )
        .await
        .unwrap()
        .items
        .len(),
        36
    );
    // Backup includes the log tables.
    let mut out = Vec::new();
    let sum = s.backup(&mut out).await.unwrap();
    assert!(sum.rows > 36 + 3);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("session opened for bob") && text.contains("disk failed <*>"));
});
