//! Remote monitoring on every backend: enrolment, ingest with deduplication, compaction into
//! chunks and rollups, range queries, retention, alerts opening one incident, backups.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_proto::{Batch, Payload, Point, Series, encode_batch};
use onestop_store::*;
use std::collections::BTreeMap;

const H: i64 = 3_600_000;

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

fn customer_user(customer_id: &str) -> Scope {
    Scope::Customer {
        user_id: "u-c".into(),
        username: "carol".into(),
        customer_id: customer_id.into(),
    }
}

async fn enroll(
    s: &Store,
    customer_id: &str,
    host: &str,
    machine: &str,
) -> (Enrolled, AgentIdentity) {
    let (_, token) = s
        .create_enrollment_token(&staff(), customer_id, H)
        .await
        .unwrap();
    let e = s
        .enroll_host(EnrollInput {
            token,
            hostname: host.into(),
            machine_id: machine.into(),
            os: "Debian GNU/Linux 12".into(),
            ip_addresses: "192.0.2.7".into(),
        })
        .await
        .unwrap();
    let who = s.agent_by_credential(&e.credential).await.unwrap().unwrap();
    (e, who)
}

/// (name, labels, samples) of one series in a test batch.
type TestSeries<'a> = (&'a str, &'a [(&'a str, &'a str)], Vec<(i64, f64)>);

fn batch(seq: u64, series: Vec<TestSeries>) -> (BatchMeta, Vec<u8>) {
    let mut n = 0;
    let series = series
        .into_iter()
        .map(|(name, labels, pts)| {
            n += pts.len() as u64;
            Series {
                name: name.into(),
                labels: labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                points: pts
                    .into_iter()
                    .map(|(ts_ms, value)| Point { ts_ms, value })
                    .collect(),
            }
        })
        .collect();
    let b = Batch {
        version: 1,
        seq,
        sent_at_ms: 0,
        payload: Payload {
            series,
            ..Default::default()
        },
    };
    (
        BatchMeta {
            seq,
            samples: n,
            has_inventory: false,
            log_lines: 0,
            checks: 0,
        },
        encode_batch(&b).unwrap(),
    )
}

on_both!(
    enrolment_tokens_are_one_time_and_hosts_join_the_register,
    |f: Fresh| async move {
        let s = &f.store;
        let acme = customer(s, "Acme").await;
        let other = customer(s, "Globex").await;
        // Staff only.
        assert!(matches!(
            s.create_enrollment_token(&customer_user(&acme.id), &acme.id, H)
                .await,
            Err(StoreError::Forbidden(_))
        ));
        let (_, token) = s
            .create_enrollment_token(&staff(), &acme.id, H)
            .await
            .unwrap();
        let input = |t: &str| EnrollInput {
            token: t.into(),
            hostname: "web1".into(),
            machine_id: "m-1".into(),
            os: "Debian GNU/Linux 12".into(),
            ip_addresses: "192.0.2.7".into(),
        };
        let e = s.enroll_host(input(&token)).await.unwrap();
        assert!(!e.relinked);
        let asset = s.get_asset(&staff(), &e.host_id).await.unwrap();
        assert_eq!(
            (
                asset.kind.as_str(),
                asset.name.as_str(),
                asset.customer_id.as_str()
            ),
            ("server", "web1", acme.id.as_str())
        );
        assert_eq!(
            (asset.os.as_str(), asset.ip_addresses.as_str()),
            ("Debian GNU/Linux 12", "192.0.2.7")
        );
        // Used up.
        assert!(matches!(
            s.enroll_host(input(&token)).await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            s.enroll_host(input("ose_bogus")).await,
            Err(StoreError::Forbidden(_))
        ));
        // The credential is stored hashed and identifies the host.
        let who = s.agent_by_credential(&e.credential).await.unwrap().unwrap();
        assert_eq!(
            (who.host_id.as_str(), who.customer_id.as_str()),
            (e.host_id.as_str(), acme.id.as_str())
        );
        assert!(s.agent_by_credential("osa_wrong").await.unwrap().is_none());
        // The same installation enrolling again keeps its host; the old credential stops working.
        let (_, t2) = s
            .create_enrollment_token(&staff(), &acme.id, H)
            .await
            .unwrap();
        let again = s.enroll_host(input(&t2)).await.unwrap();
        assert_eq!(again.host_id, e.host_id);
        assert!(again.relinked);
        assert!(
            s.agent_by_credential(&e.credential)
                .await
                .unwrap()
                .is_none()
        );
        // An asset of the same name already in the register is linked, not duplicated.
        let db1 = s
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
        let (_, t3) = s
            .create_enrollment_token(&staff(), &acme.id, H)
            .await
            .unwrap();
        let mut i3 = input(&t3);
        (i3.hostname, i3.machine_id) = ("DB1".into(), "m-2".into());
        assert_eq!(s.enroll_host(i3).await.unwrap().host_id, db1.id);
        // An expired token is refused.
        let (tok, t4) = s
            .create_enrollment_token(&staff(), &acme.id, 60_000)
            .await
            .unwrap();
        let pool = sqlx::AnyPool::connect(&f.url).await.unwrap();
        sqlx::query("UPDATE enrollment_tokens SET expires_at = 1 WHERE id = $1")
            .bind(&tok.id)
            .execute(&pool)
            .await
            .unwrap();
        assert!(matches!(
            s.enroll_host(input(&t4)).await,
            Err(StoreError::Forbidden(_))
        ));
        // Scoping: a customer's user sees its hosts only.
        assert_eq!(
            s.list_hosts(&customer_user(&acme.id), 60_000)
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(
            s.list_hosts(&customer_user(&other.id), 60_000)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            s.get_host(&customer_user(&other.id), &e.host_id, 1).await,
            Err(StoreError::NotFound)
        ));
        let hosts = s.list_hosts(&staff(), 60_000).await.unwrap();
        assert!(hosts.iter().all(|h| h.status == "never"));
        // Every change was audited.
        let report = s.audit_verify().await.unwrap();
        assert!(matches!(report, VerifyReport::Intact { .. }), "{report:?}");
    }
);

on_both!(
    ingest_dedupes_compacts_and_answers_range_queries,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Acme").await;
        let (e, who) = enroll(s, &c.id, "web1", "m-1").await;
        let t0 = 1_700_000_000_000i64;
        // A counter that resets between the 3rd and 4th sample, and a gauge.
        let counter: Vec<(i64, f64)> = vec![
            (t0, 100.0),
            (t0 + 10_000, 110.0),
            (t0 + 20_000, 120.0),
            (t0 + 30_000, 5.0),
            (t0 + 40_000, 15.0),
        ];
        let gauge: Vec<(i64, f64)> = (0..5).map(|i| (t0 + i * 10_000, i as f64)).collect();
        let (meta, body) = batch(
            1,
            vec![
                ("x_total", &[("dev", "a")], counter.clone()),
                ("load", &[], gauge.clone()),
            ],
        );
        assert!(s.ingest_batch(&who, meta, &body).await.unwrap());
        // Sent again: acknowledged, not stored twice.
        assert!(!s.ingest_batch(&who, meta, &body).await.unwrap());
        assert_eq!(s.batch_totals(&e.host_id).await.unwrap(), (1, 10));
        let host = s.get_host(&staff(), &e.host_id, 60_000).await.unwrap();
        assert_eq!((host.status.as_str(), host.last_seq), ("up", Some(1)));
        let now = t0 + 60_000;
        let r = s.compact(now, 100, Retention::default()).await.unwrap();
        assert_eq!((r.batches, r.samples, r.series), (1, 10, 2));
        // Nothing left to compact; the row of a metrics-only batch is gone, and a resend of it
        // is still recognised (the host's seq mark).
        assert_eq!(s.compact_batches(now, 100).await.unwrap().batches, 0);
        assert_eq!(s.batch_totals(&e.host_id).await.unwrap(), (0, 0));
        assert!(!s.ingest_batch(&who, meta, &body).await.unwrap());
        // Group commit: several batches in one transaction, duplicates and old seqs refused.
        let (m5, b5) = batch(5, vec![("load", &[], vec![(t0 - 5000, 1.0)])]);
        let (m3, b3) = batch(3, vec![("load", &[], vec![(t0 - 6000, 1.0)])]);
        let (e2, who2) = enroll(s, &c.id, "web2", "m-2").await;
        let got = s
            .ingest_batches(&[
                (&who, m5, &b5[..]),
                (&who2, m3, &b3[..]),
                (&who, m5, &b5[..]),
                (&who, m3, &b3[..]),
                (&who2, m5, &b5[..]),
                (&who2, m3, &b3[..]),
            ])
            .await
            .unwrap();
        assert_eq!(got, vec![true, true, false, false, true, false]);
        assert_eq!(s.batch_totals(&e2.host_id).await.unwrap(), (2, 2));
        assert_eq!(
            s.get_host(&staff(), &e2.host_id, 60_000)
                .await
                .unwrap()
                .last_seq,
            Some(5)
        );
        assert_eq!(
            s.get_host(&staff(), &e.host_id, 60_000)
                .await
                .unwrap()
                .last_seq,
            Some(5)
        );
        s.compact(now, 100, Retention::default()).await.unwrap();
        let q = |name: &str, step: i64, agg: Option<onestop_tsdb::Agg>| SeriesQuery {
            name: name.into(),
            labels: BTreeMap::new(),
            from_ms: t0,
            to_ms: t0 + 40_000,
            step_ms: step,
            agg,
        };
        let res = s
            .query_series(
                &staff(),
                &e.host_id,
                &q("load", 10_000, Some(onestop_tsdb::Agg::Last)),
            )
            .await
            .unwrap();
        assert_eq!(res.len(), 1);
        assert_eq!(res[0].resolution, "raw");
        assert_eq!(res[0].points, gauge);
        // Counter rate over the whole range: increases 10+10+5+10 = 35 over 40 s, reset handled.
        let res = s
            .query_series(
                &staff(),
                &e.host_id,
                &SeriesQuery {
                    from_ms: t0 + 40_000,
                    step_ms: 40_000,
                    ..q("x_total", 1, None)
                },
            )
            .await
            .unwrap();
        assert_eq!(res[0].agg, "rate");
        assert_eq!(res[0].labels.get("dev").map(String::as_str), Some("a"));
        assert_eq!(res[0].points, vec![(t0 + 40_000, 35.0 / 40.0)]);
        // Label matchers.
        let mut lq = q("x_total", 10_000, None);
        lq.labels.insert("dev".into(), "b".into());
        assert!(
            s.query_series(&staff(), &e.host_id, &lq)
                .await
                .unwrap()
                .is_empty()
        );
        // A second batch lands in another piece; queries merge pieces, and merging keeps them.
        let (m2, b2) = batch(6, vec![("load", &[], vec![(t0 + 50_000, 9.0)])]);
        s.ingest_batch(&who, m2, &b2).await.unwrap();
        s.compact(now, 100, Retention::default()).await.unwrap();
        let all = |s: &Store| {
            let id = e.host_id.clone();
            let s = s.clone();
            async move {
                let q = SeriesQuery {
                    to_ms: t0 + 50_000,
                    ..q("load", 10_000, Some(onestop_tsdb::Agg::Last))
                };
                s.query_series(&staff(), &id, &q).await.unwrap()[0]
                    .points
                    .clone()
            }
        };
        assert_eq!(all(s).await.len(), 6);
        s.merge_chunks(now, true).await.unwrap();
        assert_eq!(all(s).await.len(), 6);
        assert_eq!(
            all(s).await[0],
            (t0, 0.0),
            "the sample of batch 5 is before the range"
        );
        // Bad queries are validation errors.
        assert!(matches!(
            s.query_series(
                &staff(),
                &e.host_id,
                &SeriesQuery {
                    step_ms: 1,
                    from_ms: 0,
                    to_ms: t0,
                    ..q("load", 1, None)
                }
            )
            .await,
            Err(StoreError::Invalid(_))
        ));
        // Another customer's user cannot query the host.
        let other = customer(s, "Globex").await;
        assert!(matches!(
            s.query_series(
                &customer_user(&other.id),
                &e.host_id,
                &q("load", 10_000, None)
            )
            .await,
            Err(StoreError::NotFound)
        ));
    }
);

on_both!(
    closed_windows_roll_up_and_retention_prunes,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Acme").await;
        let (e, who) = enroll(s, &c.id, "web1", "m-1").await;
        // Two days of a gauge and a counter at 60 s, the counter resetting once, in 4 batches.
        let t0 = 1_700_000_000_000i64.div_euclid(6 * H) * 6 * H;
        let n = 2 * 24 * 60;
        let gauge: Vec<(i64, f64)> = (0..n).map(|i| (t0 + i * 60_000, (i % 60) as f64)).collect();
        let counter: Vec<(i64, f64)> = (0..n)
            .map(|i| {
                (
                    t0 + i * 60_000,
                    if i < 1000 {
                        2.0 * i as f64
                    } else {
                        2.0 * (i - 1000) as f64
                    },
                )
            })
            .collect();
        for (k, part) in (0..4).map(|k| {
            (
                k,
                k as usize * n as usize / 4..(k as usize + 1) * n as usize / 4,
            )
        }) {
            let (m, b) = batch(
                k + 1,
                vec![
                    ("g", &[], gauge[part.clone()].to_vec()),
                    ("c_total", &[], counter[part].to_vec()),
                ],
            );
            s.ingest_batch(&who, m, &b).await.unwrap();
        }
        let now = t0 + 3 * 24 * H;
        let r = s.compact(now, 100, Retention::default()).await.unwrap();
        assert_eq!(r.samples, 2 * n as u64);
        assert_eq!(
            r.rolled_up,
            2 * 8,
            "two series, eight closed six-hour windows"
        );
        // Hour buckets answer an hourly query exactly: the gauge averages 29.5 every hour.
        let q = |name: &str, agg| SeriesQuery {
            name: name.into(),
            labels: BTreeMap::new(),
            from_ms: t0 + H,
            to_ms: t0 + 48 * H,
            step_ms: H,
            agg: Some(agg),
        };
        let g = s
            .query_series(&staff(), &e.host_id, &q("g", onestop_tsdb::Agg::Avg))
            .await
            .unwrap();
        assert_eq!(g[0].resolution, "hour");
        assert_eq!(g[0].points.len(), 48);
        assert!(
            g[0].points.iter().all(|p| p.1 == 29.5),
            "{:?}",
            &g[0].points[..3]
        );
        let mx = s
            .query_series(&staff(), &e.host_id, &q("g", onestop_tsdb::Agg::Max))
            .await
            .unwrap();
        assert!(mx[0].points.iter().all(|p| p.1 == 59.0));
        // The counter's hourly rate is 2 per minute everywhere, across six-hour windows, except
        // in the first hour (nothing before the first sample) and the hour of the reset (the
        // value after a reset counts in full).
        let c = s
            .query_series(&staff(), &e.host_id, &q("c_total", onestop_tsdb::Agg::Rate))
            .await
            .unwrap();
        assert_eq!(c[0].points.len(), 48);
        assert!((c[0].points[0].1 - 118.0 / 3600.0).abs() < 1e-12);
        let reset_hour = t0 + 1000 * 60_000;
        for (t, v) in &c[0].points[1..] {
            if *t - H <= reset_hour && reset_hour < *t {
                assert!((v - (2.0 * 59.0) / 3600.0).abs() < 1e-12, "reset hour {v}");
                continue;
            }
            assert!((v - 2.0 / 60.0).abs() < 1e-12, "rate at {t}: {v}");
        }
        // Minute buckets: same answer at one-minute step.
        let m = s
            .query_series(
                &staff(),
                &e.host_id,
                &SeriesQuery {
                    from_ms: t0 + 60_000,
                    to_ms: t0 + 600_000,
                    step_ms: 60_000,
                    ..q("g", onestop_tsdb::Agg::Avg)
                },
            )
            .await
            .unwrap();
        assert_eq!(m[0].resolution, "minute");
        assert_eq!(m[0].points[0], (t0 + 60_000, 0.0));
        // Retention: with one day of raw data kept, the first day's raw chunks go, rollups stay.
        let keep = Retention {
            raw_ms: 24 * H,
            ..Retention::default()
        };
        let pruned = s.prune(now, keep).await.unwrap();
        assert!(pruned >= 8, "pruned {pruned}");
        let raw = s
            .query_series(
                &staff(),
                &e.host_id,
                &SeriesQuery {
                    step_ms: 60_000 * 10,
                    ..q("g", onestop_tsdb::Agg::Avg)
                },
            )
            .await
            .unwrap();
        assert!(!raw[0].points.is_empty());
        let early = s
            .query_series(
                &staff(),
                &e.host_id,
                &SeriesQuery {
                    from_ms: t0 + 10_000,
                    to_ms: t0 + 100_000,
                    step_ms: 10_000,
                    ..q("g", onestop_tsdb::Agg::Avg)
                },
            )
            .await
            .unwrap();
        assert!(
            early[0].points.is_empty(),
            "raw samples of day one are pruned"
        );
        let hourly = s
            .query_series(&staff(), &e.host_id, &q("g", onestop_tsdb::Agg::Avg))
            .await
            .unwrap();
        assert_eq!(
            hourly[0].points.len(),
            48,
            "hour rollups outlive raw samples"
        );
    }
);

on_both!(
    a_firing_alert_opens_one_incident_and_recovery_resolves_it,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Acme").await;
        let (e, _) = enroll(s, &c.id, "web1", "m-1").await;
        let spec: RuleSpec = serde_json::from_str(r#"{"kind":"threshold","signal":"metric","metric":"node_load1","threshold":5,"recover":2,"for_secs":60}"#).unwrap();
        // Validation.
        let bad = AlertRuleInput {
            name: "x".into(),
            customer_id: None,
            severity: Some("fatal".into()),
            enabled: None,
            spec: spec.clone(),
        };
        assert!(matches!(
            s.create_alert_rule(&staff(), bad).await,
            Err(StoreError::Invalid(_))
        ));
        let mut bad_spec = spec.clone();
        bad_spec.signal = "nonsense".into();
        let bad = AlertRuleInput {
            name: "x".into(),
            customer_id: None,
            severity: None,
            enabled: None,
            spec: bad_spec,
        };
        assert!(matches!(
            s.create_alert_rule(&staff(), bad).await,
            Err(StoreError::Invalid(_))
        ));
        let input = AlertRuleInput {
            name: "Load".into(),
            customer_id: None,
            severity: Some("critical".into()),
            enabled: None,
            spec,
        };
        assert!(matches!(
            s.create_alert_rule(&customer_user(&c.id), input.clone())
                .await,
            Err(StoreError::Forbidden(_))
        ));
        let rule = s.create_alert_rule(&staff(), input).await.unwrap();
        let apply = |what: AlertTransition, at: i64| {
            let (s, rule, h) = (s.clone(), rule.clone(), e.host_id.clone());
            let c = c.id.clone();
            async move {
                s.apply_alert(&rule, &h, "web1", &c, what, at)
                    .await
                    .unwrap()
            }
        };
        let b = |v: &str| AlertTransition::Breached(v.into());
        let t = 1_000_000;
        assert_eq!(apply(b("6"), t).await, "pending");
        assert_eq!(apply(b("7"), t + 30_000).await, "pending");
        assert_eq!(apply(b("8"), t + 60_000).await, "firing");
        assert_eq!(apply(b("9"), t + 90_000).await, "firing");
        assert_eq!(apply(AlertTransition::Hold, t + 100_000).await, "firing");
        let incidents = |s: Store| async move {
            s.list_tickets(&staff(), &TicketQuery::default())
                .await
                .unwrap()
                .items
        };
        let open = incidents(s.clone()).await;
        assert_eq!(open.len(), 1, "exactly one incident");
        let inc = &open[0];
        assert_eq!(
            (
                inc.channel.as_str(),
                inc.impact.as_str(),
                inc.urgency.as_str()
            ),
            ("monitoring", "critical", "high")
        );
        assert!(inc.number.starts_with("INC-"));
        let alerts = s.list_alerts(&staff(), Some("firing"), None).await.unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].ticket_id.as_deref(), Some(inc.id.as_str()));
        // Recovery: a note, and the incident resolved.
        assert_eq!(
            apply(AlertTransition::Clear("1".into()), t + 120_000).await,
            "resolved"
        );
        let t1 = s.get_ticket(&staff(), &inc.id).await.unwrap();
        assert_eq!(t1.status, "resolved");
        // Firing again while resolved (not closed) reopens the same incident.
        apply(b("9"), t + 200_000).await;
        assert_eq!(apply(b("9"), t + 260_000).await, "firing");
        assert_eq!(incidents(s.clone()).await.len(), 1);
        assert_eq!(
            s.get_ticket(&staff(), &inc.id).await.unwrap().status,
            "in_progress"
        );
        let events = s.ticket_events(&staff(), &inc.id).await.unwrap();
        assert!(
            events
                .iter()
                .any(|ev| ev.data.to_string().contains("recovered")),
            "{events:?}"
        );
        apply(AlertTransition::Clear("1".into()), t + 300_000).await;
        // Maintenance silences: the condition holds but no incident is touched.
        let now = now_ms();
        s.create_maintenance(
            &staff(),
            MaintenanceInput {
                asset_id: None,
                collect: None,
                customer_id: c.id.clone(),
                host_id: Some(e.host_id.clone()),
                starts_at: now - 1000,
                ends_at: now + H,
                reason: "patching".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(apply(b("9"), now).await, "pending");
        assert_eq!(apply(b("9"), now + 61_000).await, "silenced");
        assert_eq!(
            s.get_ticket(&staff(), &inc.id).await.unwrap().status,
            "resolved"
        );
        assert_eq!(incidents(s.clone()).await.len(), 1);
        assert_eq!(
            s.list_alerts(&customer_user(&c.id), None, None)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { .. }
        ));
        // Default rules install once.
        assert!(s.ensure_default_rules().await.unwrap() >= 5);
        assert_eq!(s.ensure_default_rules().await.unwrap(), 0);
    }
);

on_both!(
    monitoring_tables_survive_backup_and_restore,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Acme").await;
        let (e, who) = enroll(s, &c.id, "web1", "m-1").await;
        let t0 = 1_700_000_000_000i64;
        let (m, b) = batch(
            1,
            vec![(
                "load",
                &[],
                (0..30).map(|i| (t0 + i * 10_000, i as f64 / 4.0)).collect(),
            )],
        );
        s.ingest_batch(&who, m, &b).await.unwrap();
        s.compact(t0, 10, Retention::default()).await.unwrap();
        let mut out = Vec::new();
        s.backup(&mut out).await.unwrap();
        let fresh = crate::support::sqlite().await;
        fresh
            .store
            .restore(&mut std::io::BufReader::new(&out[..]))
            .await
            .unwrap();
        let q = SeriesQuery {
            name: "load".into(),
            labels: BTreeMap::new(),
            from_ms: t0,
            to_ms: t0 + 290_000,
            step_ms: 10_000,
            agg: Some(onestop_tsdb::Agg::Last),
        };
        let a = s.query_series(&staff(), &e.host_id, &q).await.unwrap();
        let b = fresh
            .store
            .query_series(&staff(), &e.host_id, &q)
            .await
            .unwrap();
        assert_eq!(a[0].points.len(), 30);
        assert_eq!(a[0].points, b[0].points);
        assert!(
            fresh
                .store
                .agent_by_credential(&e.credential)
                .await
                .unwrap()
                .is_some()
        );
    }
);

on_both!(
    job_leases_have_one_holder_until_they_expire,
    |f: Fresh| async move {
        let s = &f.store;
        assert!(s.acquire_lease("compact", "a", 60_000).await.unwrap());
        assert!(!s.acquire_lease("compact", "b", 60_000).await.unwrap());
        assert!(
            s.acquire_lease("compact", "a", 60_000).await.unwrap(),
            "renewed by its holder"
        );
        assert!(
            s.acquire_lease("alerts", "b", 60_000).await.unwrap(),
            "leases are per job"
        );
        // An expired lease can be taken over.
        assert!(s.acquire_lease("other", "a", -1).await.unwrap());
        assert!(s.acquire_lease("other", "b", 60_000).await.unwrap());
    }
);

on_both!(
    polled_hosts_take_server_samples_in_order,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Acme").await;
        let other = customer(s, "Globex").await;
        let sw = s
            .create_asset(
                &staff(),
                &c.id,
                AssetInput {
                    name: Some("core-switch".into()),
                    kind: Some("network_device".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(matches!(
            s.ensure_polled_host(&staff(), &sw.id, "carrier-pigeon")
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.ensure_polled_host(&customer_user(&other.id), &sw.id, "snmp")
                .await,
            Err(StoreError::NotFound)
        ));
        let host = s
            .ensure_polled_host(&staff(), &sw.id, "snmp")
            .await
            .unwrap();
        assert_eq!(host, sw.id);
        // A second call keeps the one host.
        assert_eq!(
            s.ensure_polled_host(&staff(), &sw.id, "snmp")
                .await
                .unwrap(),
            host
        );
        let h = s.get_host(&staff(), &host, 60_000).await.unwrap();
        assert_eq!((h.source.as_str(), h.status.as_str()), ("snmp", "never"));
        // No agent can present the placeholder credential.
        assert!(
            s.agent_by_credential(&format!("polled:{host}"))
                .await
                .unwrap()
                .is_none()
        );
        let t0 = 1_700_000_000_000i64;
        let series = |i: i64| {
            vec![Series {
                name: "ifHCInOctets".into(),
                labels: [("ifName".to_string(), "ge-0/0/1".to_string())].into(),
                points: vec![Point {
                    ts_ms: t0 + i * 60_000,
                    value: (i * 1000) as f64,
                }],
            }]
        };
        // Two pollers at once never take the same sequence number.
        let (a, b) = tokio::join!(
            s.ingest_polled(&host, series(0)),
            s.ingest_polled(&host, series(1))
        );
        let mut seqs = vec![a.unwrap(), b.unwrap()];
        seqs.sort();
        assert_eq!(seqs, vec![1, 2]);
        assert_eq!(s.ingest_polled(&host, series(2)).await.unwrap(), 3);
        assert!(matches!(
            s.ingest_polled("no-such-host", series(3)).await,
            Err(StoreError::NotFound)
        ));
        s.compact(t0 + 3_600_000, 10, Retention::default())
            .await
            .unwrap();
        let q = SeriesQuery {
            name: "ifHCInOctets".into(),
            labels: BTreeMap::new(),
            from_ms: t0,
            to_ms: t0 + 180_000,
            step_ms: 60_000,
            agg: Some(onestop_tsdb::Agg::Last),
        };
        let got = s.query_series(&staff(), &host, &q).await.unwrap();
        let values: Vec<f64> = got[0].points.iter().map(|p| p.1).collect();
        assert_eq!(values, vec![0.0, 1000.0, 2000.0]);
        let h = s.get_host(&staff(), &host, 60_000).await.unwrap();
        assert_eq!(h.status, "up");
        // The server may poll an agent's host too, without disturbing the agent's numbers.
        let (e, who) = enroll(s, &c.id, "web1", "m-1").await;
        assert_eq!(
            s.ensure_polled_host(&staff(), &e.host_id, "scrape")
                .await
                .unwrap(),
            e.host_id
        );
        let (m1, b1) = batch(1, vec![("load", &[], vec![(t0, 1.0)])]);
        assert!(s.ingest_batch(&who, m1, &b1).await.unwrap());
        assert_eq!(s.ingest_polled(&e.host_id, series(0)).await.unwrap(), 1);
        let (m2, b2) = batch(2, vec![("load", &[], vec![(t0 + 10_000, 2.0)])]);
        assert!(
            s.ingest_batch(&who, m2, &b2).await.unwrap(),
            "agent's next batch is fresh"
        );
        let agent_host = s.get_host(&staff(), &e.host_id, 60_000).await.unwrap();
        assert_eq!(
            (agent_host.source.as_str(), agent_host.last_seq),
            ("agent", Some(2))
        );
        let report = s.audit_verify().await.unwrap();
        assert!(matches!(report, VerifyReport::Intact { .. }), "{report:?}");
    }
);

on_both!(events_are_recorded_and_scoped, |f: Fresh| async move {
    let s = &f.store;
    let acme = customer(s, "Acme").await;
    let other = customer(s, "Globex").await;
    let ev = |c: &str, sev: &str, at: i64| EventInput {
        customer_id: c.into(),
        host_id: None,
        source: "snmp_trap".into(),
        kind: "1.3.6.1.6.3.1.1.5.3".into(),
        severity: sev.into(),
        title: "linkDown ge-0/0/1".into(),
        detail: serde_json::json!({"ifIndex": 3}),
        occurred_at: at,
    };
    // One bad event stores nothing.
    assert!(matches!(
        s.raise_events(&[ev(&acme.id, "warning", 1), ev(&acme.id, "loud", 2)])
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        s.list_events(&staff(), &EventFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let ids = s
        .raise_events(&[
            ev(&acme.id, "warning", 1_000),
            ev(&acme.id, "critical", 2_000),
            ev(&other.id, "info", 3_000),
        ])
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    let all = s
        .list_events(&staff(), &EventFilter::default())
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|e| e.occurred_at).collect::<Vec<_>>(),
        vec![3_000, 2_000, 1_000]
    );
    assert_eq!(all[1].detail["ifIndex"], 3);
    let mine = s
        .list_events(&customer_user(&acme.id), &EventFilter::default())
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|e| e.customer_id == acme.id));
    let q = EventFilter {
        severity: Some("critical".into()),
        from_ms: Some(1_500),
        ..Default::default()
    };
    assert_eq!(s.list_events(&staff(), &q).await.unwrap().len(), 1);
});
