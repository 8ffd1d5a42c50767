//! The hand-over of agent payloads on every backend: pending batches with their flags,
//! inventory consumed, log lines stored once even when the same batch is written twice,
//! rows deleted once compacted and spent.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_proto::{Batch, Inventory, LogLine, Payload, encode_batch};
use onestop_store::logs::{AgentBatchLines, LogBatch, LogQuery, NewLogMessage};
use onestop_store::*;

async fn enrolled(s: &Store) -> AgentIdentity {
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
    let (_, token) = s
        .create_enrollment_token(&staff(), &c.id, 3_600_000)
        .await
        .unwrap();
    let e = s
        .enroll_host(EnrollInput {
            token,
            hostname: "web1".into(),
            machine_id: "m1".into(),
            os: "Debian GNU/Linux 12".into(),
            ip_addresses: "192.0.2.7".into(),
        })
        .await
        .unwrap();
    s.agent_by_credential(&e.credential).await.unwrap().unwrap()
}

fn message(who: &AgentIdentity, text: &str) -> NewLogMessage {
    NewLogMessage {
        id: new_id(),
        received_at: 1_000,
        at: 1_000,
        customer_id: Some(who.customer_id.clone()),
        host_id: Some(who.host_id.clone()),
        source: "agent".into(),
        hostname: None,
        program: Some("sshd".into()),
        facility: None,
        syslog_severity: None,
        severity: 6,
        template_id: 1,
        rules: String::new(),
        message: text.into(),
    }
}

on_both!(a_batch_payload_is_handed_over_once, |f: Fresh| async move {
    let s = &f.store;
    let who = enrolled(s).await;
    let batch = Batch {
        version: onestop_proto::PROTOCOL_VERSION,
        seq: 7,
        sent_at_ms: 1_000,
        payload: Payload {
            series: vec![],
            inventory: Some(Inventory::default()),
            logs: vec![LogLine {
                source: "/var/log/syslog".into(),
                ts_ms: 1_000,
                line: "hello".into(),
                cursor: None,
            }],
            checks: vec![],
        },
    };
    let body = encode_batch(&batch).unwrap();
    let meta = BatchMeta {
        seq: 7,
        samples: 0,
        has_inventory: true,
        log_lines: 1,
        checks: 0,
    };
    assert!(s.ingest_batch(&who, meta, &body).await.unwrap());
    let p = s.pending_payloads(10).await.unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].seq, p[0].has_inventory, p[0].log_lines), (7, true, 1));
    assert_eq!(p[0].body, body);

    // The inventory is consumed; the log lines are still pending.
    s.consume_payload(&who.host_id, 7, false).await.unwrap();
    let p = s.pending_payloads(10).await.unwrap();
    assert_eq!((p[0].has_inventory, p[0].log_lines), (false, 1));

    // The same agent batch written twice (a second dispatch, built anew with a syslog line
    // received meanwhile): its lines stored once, the syslog lines both.
    let write = || LogBatch {
        messages: vec![
            message(&who, "unrelated syslog"),
            message(&who, "from agent"),
        ],
        agent_batches: vec![AgentBatchLines {
            host_id: who.host_id.clone(),
            seq: 7,
            range: 1..2,
        }],
        ..Default::default()
    };
    s.insert_log_batch(&write()).await.unwrap();
    s.insert_log_batch(&write()).await.unwrap();
    let page = s
        .search_logs(
            &staff(),
            &LogQuery {
                host: Some(who.host_id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let texts: Vec<&str> = page.items.iter().map(|m| m.message.as_str()).collect();
    assert_eq!(texts.iter().filter(|t| **t == "from agent").count(), 1);
    assert_eq!(
        texts.iter().filter(|t| **t == "unrelated syslog").count(),
        2
    );
    assert!(s.pending_payloads(10).await.unwrap().is_empty());
    // Not compacted yet: the row stays for compaction, which then deletes it.
    assert_eq!(s.batch_totals(&who.host_id).await.unwrap().0, 1);
    s.compact(now_ms(), 100, Retention::default())
        .await
        .unwrap();
    assert_eq!(s.batch_totals(&who.host_id).await.unwrap().0, 0);
    // A resend of the batch is not stored again (the seq mark), so nothing is pending.
    assert!(!s.ingest_batch(&who, meta, &body).await.unwrap());
    assert!(s.pending_payloads(10).await.unwrap().is_empty());

    // A compacted batch whose payload is consumed afterwards is deleted then.
    let meta8 = BatchMeta { seq: 8, ..meta };
    assert!(s.ingest_batch(&who, meta8, &body).await.unwrap());
    s.compact(now_ms(), 100, Retention::default())
        .await
        .unwrap();
    assert_eq!(s.batch_totals(&who.host_id).await.unwrap().0, 1);
    assert_eq!(s.pending_payloads(10).await.unwrap().len(), 1);
    s.consume_payload(&who.host_id, 8, true).await.unwrap();
    assert_eq!(s.batch_totals(&who.host_id).await.unwrap().0, 0);
});
