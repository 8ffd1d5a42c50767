//! One miner per database, and log findings raised as events once per condition: two store
//! handles on one database (two processes), the `log-miner` lease fencing every mined write,
//! rows stored unmined by the other handle mined later by the holder, and marks.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_store::logs::*;

use onestop_store::*;

fn msg(customer: &str, host: &str, at: i64, tid: i64, text: &str) -> NewLogMessage {
    NewLogMessage {
        id: new_id(),
        received_at: at,
        at,
        customer_id: Some(customer.into()),
        host_id: Some(host.into()),
        source: "192.0.2.1".into(),
        hostname: Some("web1".into()),
        program: Some("sshd".into()),
        facility: Some(4),
        syslog_severity: Some(6),
        severity: 6,
        template_id: tid,
        rules: String::new(),
        message: text.into(),
    }
}

async fn setup(s: &Store) -> (Customer, Asset) {
    let c = s
        .create_customer(
            &staff(),
            CustomerInput {
                name: Some("Acme".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let h = s
        .create_asset(
            &staff(),
            &c.id,
            AssetInput {
                name: Some("web1".into()),
                kind: Some("server".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    (c, h)
}

fn finding(c: &Customer, h: &Asset, mark: &str, until_ms: i64) -> LogFinding {
    LogFinding {
        mark: mark.into(),
        until_ms,
        event: EventInput {
            customer_id: c.id.clone(),
            host_id: Some(h.id.clone()),
            source: "log".into(),
            kind: "oom-killer".into(),
            severity: "critical".into(),
            title: "web1: out of memory".into(),
            detail: serde_json::json!({"logs": "/logs?host=x"}),
            occurred_at: 1_000,
        },
    }
}

async fn log_events(s: &Store) -> usize {
    let q = EventFilter {
        source: Some("log".into()),
        ..Default::default()
    };
    s.list_events(&Scope::System, &q).await.unwrap().len()
}

on_both!(one_miner_fences_mined_writes, |f: Fresh| async move {
    let s1 = &f.store;
    let s2 = Store::open(&f.url).await.unwrap();
    let (c, h) = setup(s1).await;
    assert_eq!(
        s1.claim_miner_lease("p1").await.unwrap(),
        MinerLease::Held { continuous: false }
    );
    assert_eq!(
        s1.claim_miner_lease("p1").await.unwrap(),
        MinerLease::Held { continuous: true }
    );
    assert_eq!(
        s2.claim_miner_lease("p2").await.unwrap(),
        MinerLease::Elsewhere
    );

    let batch = |holder: &str, tid: i64, text: &str, at: i64| LogBatch {
        messages: vec![msg(&c.id, &h.id, at, tid, text)],
        templates: vec![NewLogTemplate {
            customer_id: Some(c.id.clone()),
            template_id: tid,
            template: format!("{text} <*>"),
            first_seen: at,
        }],
        states: vec![(c.id.clone(), format!("{{\"by\":\"{holder}\"}}"))],
        miner: Some(holder.into()),
        ..Default::default()
    };
    // The holder's mining is kept; the other's batch is stored, unmined, template and state
    // left out.
    assert!(
        s1.insert_log_batch(&batch("p1", 1, "from p1", 1_000))
            .await
            .unwrap()
    );
    assert!(
        !s2.insert_log_batch(&batch("p2", 1, "from p2", 2_000))
            .await
            .unwrap()
    );
    assert_eq!(
        s1.log_template_rows(&c.id).await.unwrap(),
        vec![(1, 1, "from p1 <*>".into())]
    );
    assert_eq!(
        s1.load_miner_state(&c.id).await.unwrap().as_deref(),
        Some("{\"by\":\"p1\"}")
    );
    let unmined = s1.unmined_logs(10).await.unwrap();
    assert_eq!(unmined.len(), 1);
    assert_eq!(unmined[0].message, "from p2");

    // Only the holder may apply mining of unmined rows, and each row once.
    let work = MinedRows {
        assigned: vec![(unmined[0].id.clone(), 2)],
        templates: vec![NewLogTemplate {
            customer_id: Some(c.id.clone()),
            template_id: 2,
            template: "from p2 <*>".into(),
            first_seen: 2_000,
        }],
        ..Default::default()
    };
    assert!(!s2.apply_mined("p2", &work).await.unwrap());
    assert_eq!(s1.unmined_logs(10).await.unwrap().len(), 1);
    assert!(s1.apply_mined("p1", &work).await.unwrap());
    assert!(s1.unmined_logs(10).await.unwrap().is_empty());
    let q = LogQuery {
        customer: Some(c.id.clone()),
        ..Default::default()
    };
    let page = s1.search_logs(&staff(), &q).await.unwrap();
    let mut ids: Vec<_> = page.items.iter().map(|m| m.template_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["E1", "E2"]);

    // The lease expires and p2 takes it: p1's next mined write and checkpoint are refused.
    sqlx_expire(&f.url).await;
    assert_eq!(
        s2.claim_miner_lease("p2").await.unwrap(),
        MinerLease::Held { continuous: false }
    );
    assert!(
        !s1.insert_log_batch(&batch("p1", 3, "late p1", 3_000))
            .await
            .unwrap()
    );
    assert!(
        !s1.save_miner_states_as(Some("p1"), &[(c.id.clone(), "{}".into())], &[])
            .await
            .unwrap()
    );
    assert_eq!(
        s1.load_miner_state(&c.id).await.unwrap().as_deref(),
        Some("{\"by\":\"p1\"}")
    );
    assert_eq!(s2.unmined_logs(10).await.unwrap().len(), 1);
    assert_eq!(s1.log_template_rows(&c.id).await.unwrap().len(), 2);

    // Released on a clean shutdown: only by its holder, and then taken at once.
    s1.release_miner_lease("p1").await.unwrap();
    assert_eq!(
        s1.claim_miner_lease("p1").await.unwrap(),
        MinerLease::Elsewhere
    );
    s2.release_miner_lease("p2").await.unwrap();
    assert_eq!(
        s1.claim_miner_lease("p1").await.unwrap(),
        MinerLease::Held { continuous: false }
    );

    // A batch written again (a retry after a commit whose outcome was unknown) is stored
    // once: its messages carry their ids from the first attempt.
    let again = batch("p1", 4, "retried", 4_000);
    assert!(s1.insert_log_batch(&again).await.unwrap());
    assert!(s1.insert_log_batch(&again).await.unwrap());
    let q = LogQuery {
        customer: Some(c.id.clone()),
        q: Some("retried".into()),
        ..Default::default()
    };
    assert_eq!(s1.search_logs(&staff(), &q).await.unwrap().items.len(), 1);
});

/// Expire the miner lease, as if its holder had stalled for longer than the lease.
async fn sqlx_expire(url: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::query("UPDATE monitor_leases SET until_ms = 0 WHERE name = $1")
        .bind(MINER_LEASE)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

on_both!(findings_once_per_condition, |f: Fresh| async move {
    let s = &f.store;
    let (c, h) = setup(s).await;
    let now = now_ms();
    let hour = |m: &str| finding(&c, &h, m, now + 3_600_000);
    // Rule findings ride the batch; the same mark in a later batch raises nothing more.
    let b = LogBatch {
        messages: vec![msg(&c.id, &h.id, now, 1, "Out of memory: Killed process 1")],
        findings: vec![hour("rule:a:h:oom:1")],
        ..Default::default()
    };
    s.insert_log_batch(&b).await.unwrap();
    s.insert_log_batch(&b).await.unwrap();
    assert_eq!(log_events(s).await, 1);
    // Mined findings are dropped with the mining when the batch's miner lost the lease.
    assert_eq!(
        s.claim_miner_lease("p1").await.unwrap(),
        MinerLease::Held { continuous: false }
    );
    let mut b2 = LogBatch {
        messages: vec![msg(&c.id, &h.id, now, 1, "new thing")],
        mined_findings: vec![hour("new:a:h:7")],
        miner: Some("other".into()),
        ..Default::default()
    };
    assert!(!s.insert_log_batch(&b2).await.unwrap());
    assert_eq!(log_events(s).await, 1);
    b2.miner = Some("p1".into());
    assert!(s.insert_log_batch(&b2).await.unwrap());
    assert_eq!(log_events(s).await, 2);
    // A spike: raised once, extended while it lasts, raised again after it ended.
    let spike = |until| vec![finding(&c, &h, "spike:a:h:E3", until)];
    assert_eq!(
        s.raise_log_findings(&spike(now + 1_000_000)).await.unwrap(),
        1
    );
    assert_eq!(
        s.raise_log_findings(&spike(now + 2_000_000)).await.unwrap(),
        0
    );
    assert_eq!(s.raise_log_findings(&spike(now - 10)).await.unwrap(), 0);
    assert_eq!(log_events(s).await, 3);
    // (the last call extended it to "now": it has ended by the next check)
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(
        s.raise_log_findings(&spike(now + 1_000_000)).await.unwrap(),
        1
    );
    assert_eq!(log_events(s).await, 4);
    let ev = s
        .list_events(&Scope::System, &EventFilter::default())
        .await
        .unwrap();
    assert!(
        ev.iter()
            .all(|e| e.source == "log" && e.customer_id == c.id)
    );
    assert_eq!(ev[0].detail["logs"], "/logs?host=x");
});

on_both!(spike_counts_per_host_and_template, |f: Fresh| async move {
    let s = &f.store;
    let (c, h) = setup(s).await;
    let now = now_ms();
    let w = 600_000;
    let mut b = LogBatch::default();
    for i in 0..6 {
        b.messages.push(msg(
            &c.id,
            &h.id,
            now - w - 1 - i * w,
            5,
            "Failed password 1",
        ));
    }
    for i in 0..60 {
        b.messages.push(msg(
            &c.id,
            &h.id,
            now - 1 - i,
            5,
            &format!("Failed password {i}"),
        ));
    }
    b.messages.push(msg(&c.id, &h.id, now - 1, 6, "quiet"));
    b.templates.push(NewLogTemplate {
        customer_id: Some(c.id.clone()),
        template_id: 5,
        template: "Failed password <*>".into(),
        first_seen: 0,
    });
    s.insert_log_batch(&b).await.unwrap();
    let mut counts = s.spike_counts(now, w, 6, 50).await.unwrap();
    counts.sort_by_key(|c| (c.template_id, c.current));
    assert_eq!(counts.len(), 3);
    assert_eq!(
        (counts[0].template_id, counts[0].current, counts[0].count),
        (5, false, 6)
    );
    let cur = &counts[1];
    assert_eq!((cur.template_id, cur.current, cur.count), (5, true, 60));
    assert_eq!(cur.template, "Failed password <*>");
    assert_eq!(cur.host_name.as_deref(), Some("web1"));
    assert_eq!(cur.example, "Failed password 0");
    assert_eq!(
        (
            counts[2].template_id,
            counts[2].count,
            counts[2].template.as_str()
        ),
        (6, 1, "")
    );
});
