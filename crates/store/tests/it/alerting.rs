//! Alerting on every backend: flapping holds incident work, suppression through CMDB
//! relations, maintenance per asset and without collection, events into incidents (one per
//! condition), rule edits and the default set, the alert and its incident in one transaction.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_proto::{Batch, Payload, Point, Series, encode_batch};
use onestop_store::*;

const H: i64 = 3_600_000;

async fn customer(s: &Store, name: &str) -> Customer {
    let input = CustomerInput {
        name: Some(name.into()),
        ..Default::default()
    };
    s.create_customer(&staff(), input).await.unwrap()
}

async fn host(s: &Store, customer_id: &str, name: &str) -> (String, AgentIdentity) {
    let (_, token) = s
        .create_enrollment_token(&staff(), customer_id, H)
        .await
        .unwrap();
    let input = EnrollInput {
        token,
        hostname: name.into(),
        machine_id: format!("m-{name}"),
        os: "Debian".into(),
        ip_addresses: "192.0.2.1".into(),
    };
    let e = s.enroll_host(input).await.unwrap();
    let who = s.agent_by_credential(&e.credential).await.unwrap().unwrap();
    (e.host_id, who)
}

async fn rule(s: &Store, name: &str, spec: &str) -> AlertRule {
    let input = AlertRuleInput {
        name: name.into(),
        customer_id: None,
        severity: Some("warning".into()),
        enabled: None,
        spec: serde_json::from_str(spec).unwrap(),
    };
    s.create_alert_rule(&staff(), input).await.unwrap()
}

fn on(host_id: &str, name: &str, c: &str) -> AlertHost {
    AlertHost {
        host_id: host_id.into(),
        host_name: name.into(),
        customer_id: c.into(),
    }
}

async fn tickets(s: &Store) -> Vec<Ticket> {
    s.list_tickets(&staff(), &TicketQuery::default())
        .await
        .unwrap()
        .items
}

fn b(v: &str) -> AlertTransition {
    AlertTransition::Breached(v.into())
}

fn c(v: &str) -> AlertTransition {
    AlertTransition::Clear(v.into())
}

on_both!(
    flapping_holds_incident_work_until_calm,
    |f: Fresh| async move {
        let s = &f.store;
        let cu = customer(s, "Acme").await;
        let (h, _) = host(s, &cu.id, "web1").await;
        let r = rule(s, "Flappy", r#"{"kind":"threshold","signal":"metric","metric":"x","threshold":1,"for_secs":0,"flap_limit":4,"flap_window_secs":600}"#).await;
        let t0 = 10_000_000;
        let at = |i: i64| t0 + i * 10_000;
        let target = on(&h, "web1", &cu.id);
        let apply = |w: AlertTransition, t: i64| {
            let (s, r, target) = (s.clone(), r.clone(), target.clone());
            async move { s.apply_alert_on(&r, &target, w, "", t).await.unwrap() }
        };
        // fire (1), recover (2), fire (3), recover (4): at the limit, incident work goes on.
        assert_eq!(apply(b("2"), at(0)).await, "firing");
        assert_eq!(
            tickets(s).await.len(),
            1,
            "the first firing opens the incident"
        );
        assert_eq!(apply(c("0"), at(1)).await, "resolved");
        assert_eq!(apply(b("2"), at(2)).await, "firing");
        assert_eq!(apply(c("0"), at(3)).await, "resolved");
        let t = &tickets(s).await[0];
        assert_eq!(
            s.get_ticket(&staff(), &t.id).await.unwrap().status,
            "resolved"
        );
        let notes = |s: Store, id: String| async move {
            s.ticket_events(&staff(), &id).await.unwrap().len()
        };
        // The fifth change passes the limit: flapping, nothing reaches the incident.
        assert_eq!(apply(b("2"), at(4)).await, "flapping");
        let held = notes(s.clone(), t.id.clone()).await;
        assert_eq!(
            s.get_ticket(&staff(), &t.id).await.unwrap().status,
            "resolved",
            "held: not reopened"
        );
        assert_eq!(apply(c("0"), at(5)).await, "flapping");
        assert_eq!(apply(b("2"), at(6)).await, "flapping");
        assert_eq!(
            notes(s.clone(), t.id.clone()).await,
            held,
            "no notes while flapping"
        );
        let flapping = s
            .list_alerts(&staff(), Some("flapping"), None)
            .await
            .unwrap();
        assert_eq!(
            (flapping.len(), flapping[0].base_state.as_str()),
            (1, "firing")
        );
        // Calm: once the changes in the window drop to half the limit, the held state is
        // released: still firing, so the incident is reopened with a note.
        assert_eq!(apply(b("2"), at(6) + 600_000).await, "firing");
        assert_eq!(
            s.get_ticket(&staff(), &t.id).await.unwrap().status,
            "in_progress"
        );
        assert_eq!(tickets(s).await.len(), 1, "still one incident");
        assert!(
            s.list_alerts(&staff(), Some("flapping"), None)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { .. }
        ));
    }
);

on_both!(
    a_down_parent_suppresses_its_children_and_lists_them,
    |f: Fresh| async move {
        let s = &f.store;
        let cu = customer(s, "Acme").await;
        let (sw, _) = host(s, &cu.id, "switch1").await;
        let (web, _) = host(s, &cu.id, "web1").await;
        let (vm, _) = host(s, &cu.id, "vm1").await;
        s.create_relation(&staff(), &web, &sw, "connected_to")
            .await
            .unwrap();
        s.create_relation(&staff(), &vm, &web, "runs_on")
            .await
            .unwrap();
        let down = rule(s, "Down", r#"{"kind":"absent","for_secs":0}"#).await;
        let cpu = rule(
            s,
            "Busy",
            r#"{"kind":"threshold","signal":"metric","metric":"x","threshold":1,"for_secs":0}"#,
        )
        .await;
        let t = 50_000_000;
        assert_eq!(
            s.apply_alert_on(&down, &on(&sw, "switch1", &cu.id), b("no data"), "", t)
                .await
                .unwrap(),
            "firing"
        );
        assert_eq!(
            s.apply_alert_on(&down, &on(&web, "web1", &cu.id), b("no data"), "", t)
                .await
                .unwrap(),
            "suppressed"
        );
        assert_eq!(
            s.apply_alert_on(&cpu, &on(&web, "web1", &cu.id), b("5"), "", t)
                .await
                .unwrap(),
            "suppressed"
        );
        // Two levels down: suppressed through the suppressed parent.
        assert_eq!(
            s.apply_alert_on(&down, &on(&vm, "vm1", &cu.id), b("no data"), "", t)
                .await
                .unwrap(),
            "suppressed"
        );
        let all = tickets(s).await;
        assert_eq!(all.len(), 1, "one failure, one incident");
        let events = s.ticket_events(&staff(), &all[0].id).await.unwrap();
        let text = events
            .iter()
            .map(|e| e.data.to_string())
            .collect::<String>();
        assert!(
            text.contains("web1") && text.contains("vm1") && text.contains("Busy"),
            "{text}"
        );
        let sup = s
            .list_alerts(&staff(), Some("suppressed"), None)
            .await
            .unwrap();
        assert_eq!(sup.len(), 3);
        assert!(
            sup.iter()
                .all(|a| a.suppressed_by.is_some() && a.ticket_id.is_none())
        );
        // The parent recovers; the child's condition alone opens its own incident.
        s.apply_alert_on(&down, &on(&sw, "switch1", &cu.id), c("back"), "", t + 1)
            .await
            .unwrap();
        s.apply_alert_on(&down, &on(&web, "web1", &cu.id), c("back"), "", t + 1)
            .await
            .unwrap();
        assert_eq!(
            s.apply_alert_on(&cpu, &on(&web, "web1", &cu.id), b("5"), "", t + 2)
                .await
                .unwrap(),
            "firing"
        );
        assert_eq!(tickets(s).await.len(), 2);
    }
);

fn batch(seq: u64, name: &str, pts: Vec<(i64, f64)>) -> (BatchMeta, Vec<u8>) {
    let n = pts.len() as u64;
    let b = Batch {
        version: 1,
        seq,
        sent_at_ms: 0,
        payload: Payload {
            series: vec![Series {
                name: name.into(),
                labels: Default::default(),
                points: pts
                    .into_iter()
                    .map(|(ts_ms, value)| Point { ts_ms, value })
                    .collect(),
            }],
            ..Default::default()
        },
    };
    let meta = BatchMeta {
        seq,
        samples: n,
        has_inventory: false,
        log_lines: 0,
        checks: 0,
    };
    (meta, encode_batch(&b).unwrap())
}

on_both!(
    maintenance_per_asset_and_without_collection,
    |f: Fresh| async move {
        let s = &f.store;
        let cu = customer(s, "Acme").await;
        let (web, who) = host(s, &cu.id, "web1").await;
        let (other, _) = host(s, &cu.id, "db1").await;
        let rack = s
            .create_asset(
                &staff(),
                &cu.id,
                AssetInput {
                    name: Some("rack-a".into()),
                    kind: Some("other".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        s.create_relation(&staff(), &web, &rack.id, "runs_on")
            .await
            .unwrap();
        let t0 = 1_700_000_000_000i64;
        let win = |asset: Option<String>, host: Option<String>, collect: bool| MaintenanceInput {
            customer_id: cu.id.clone(),
            host_id: host,
            asset_id: asset,
            collect: Some(collect),
            starts_at: t0 + 100_000,
            ends_at: t0 + 200_000,
            reason: "works".into(),
        };
        let both = MaintenanceInput {
            asset_id: Some(rack.id.clone()),
            ..win(None, Some(web.clone()), true)
        };
        assert!(matches!(
            s.create_maintenance(&staff(), both).await,
            Err(StoreError::Invalid(_))
        ));
        let m = s
            .create_maintenance(&staff(), win(Some(rack.id.clone()), None, false))
            .await
            .unwrap();
        assert!(!m.collect);
        // The asset's window covers what runs on it, not the other host.
        assert!(s.in_maintenance(&cu.id, &web, t0 + 150_000).await.unwrap());
        assert!(
            !s.in_maintenance(&cu.id, &other, t0 + 150_000)
                .await
                .unwrap()
        );
        assert!(!s.in_maintenance(&cu.id, &web, t0 + 250_000).await.unwrap());
        // Without collection: samples inside the window are dropped at compaction.
        let pts: Vec<(i64, f64)> = (0..30).map(|i| (t0 + i * 10_000, i as f64)).collect();
        let (meta, body) = batch(1, "g", pts);
        s.ingest_batch(&who, meta, &body).await.unwrap();
        s.compact(t0 + 400_000, 100, Retention::default())
            .await
            .unwrap();
        let sid = s.series_of_host(&web, Some("g")).await.unwrap()[0].id;
        let kept = s.raw_samples(sid, t0, t0 + 400_000).await.unwrap();
        assert_eq!(kept.len(), 20, "10 samples inside the window dropped");
        assert!(
            kept.iter()
                .all(|p| p.0 < t0 + 100_000 || p.0 >= t0 + 200_000)
        );
        // End and delete, audited; customers' users cannot.
        let cuser = Scope::Customer {
            user_id: "u".into(),
            username: "c".into(),
            customer_id: cu.id.clone(),
        };
        assert!(matches!(
            s.end_maintenance(&cuser, &m.id, false).await,
            Err(StoreError::Forbidden(_))
        ));
        s.end_maintenance(&staff(), &m.id, true).await.unwrap();
        assert!(matches!(
            s.end_maintenance(&staff(), &m.id, true).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { .. }
        ));
    }
);

fn event(c: &str, h: Option<&str>, kind: &str, sev: &str) -> EventInput {
    EventInput {
        customer_id: c.into(),
        host_id: h.map(str::to_string),
        source: "snmp_trap".into(),
        kind: kind.into(),
        severity: sev.into(),
        title: format!("trap {kind}"),
        detail: serde_json::json!({"oid": kind}),
        occurred_at: 1_000,
    }
}

on_both!(
    events_become_one_incident_per_condition,
    |f: Fresh| async move {
        let s = &f.store;
        let cu = customer(s, "Acme").await;
        let (h, _) = host(s, &cu.id, "sw1").await;
        let (quiet, _) = host(s, &cu.id, "sw2").await;
        let now = now_ms();
        s.create_maintenance(
            &staff(),
            MaintenanceInput {
                customer_id: cu.id.clone(),
                host_id: Some(quiet.clone()),
                asset_id: None,
                collect: None,
                starts_at: now - H,
                ends_at: now + H,
                reason: String::new(),
            },
        )
        .await
        .unwrap();
        s.raise_events(&[
            event(&cu.id, Some(&h), "linkDown", "warning"),
            event(&cu.id, Some(&h), "linkDown", "critical"),
            event(&cu.id, Some(&h), "coldStart", "warning"),
            event(&cu.id, Some(&h), "linkUp", "info"),
            event(&cu.id, Some(&quiet), "linkDown", "critical"),
        ])
        .await
        .unwrap();
        let p = s.handle_events("warning", 100, now).await.unwrap();
        assert_eq!(
            p,
            EventPass {
                opened: 2,
                noted: 1,
                silenced: 1
            }
        );
        assert_eq!(
            s.handle_events("warning", 100, now).await.unwrap(),
            EventPass::default(),
            "handled once"
        );
        let all = tickets(s).await;
        assert_eq!(all.len(), 2);
        assert!(
            all.iter()
                .all(|t| t.channel == "monitoring" && t.kind == "incident")
        );
        let evs = s
            .list_events(&staff(), &EventFilter::default())
            .await
            .unwrap();
        let link: Vec<&Event> = evs
            .iter()
            .filter(|e| e.kind == "linkDown" && e.host_id.as_deref() == Some(h.as_str()))
            .collect();
        assert_eq!(link.len(), 2);
        assert!(
            link[0].ticket_id.is_some() && link[0].ticket_id == link[1].ticket_id,
            "one incident per condition"
        );
        let info = evs.iter().find(|e| e.kind == "linkUp").unwrap();
        assert!(info.handled_at.is_none(), "below the level: left alone");
        let q = evs
            .iter()
            .find(|e| e.host_id.as_deref() == Some(quiet.as_str()))
            .unwrap();
        assert!(
            q.handled_at.is_some() && q.ticket_id.is_none(),
            "maintenance: handled, no ticket"
        );
        // Once the incident is resolved, the condition opens a new one.
        let first = link[0].ticket_id.clone().unwrap();
        s.transition_ticket(
            &staff(),
            &first,
            TransitionInput {
                to: "resolved".into(),
                reason: None,
                note: None,
            },
        )
        .await
        .unwrap();
        s.raise_events(&[event(&cu.id, Some(&h), "linkDown", "critical")])
            .await
            .unwrap();
        assert_eq!(
            s.handle_events("critical", 100, now).await.unwrap().opened,
            1
        );
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { .. }
        ));
    }
);

on_both!(
    rules_are_edited_and_defaults_added_without_touching_edits,
    |f: Fresh| async move {
        let s = &f.store;
        assert_eq!(s.ensure_default_rules().await.unwrap(), DEFAULT_RULES.len());
        let rules = s.list_alert_rules(&staff()).await.unwrap();
        for name in [
            "Disk full forecast",
            "Certificate expiring",
            "Check failing",
            "Interface down",
            "Host down",
        ] {
            assert!(rules.iter().any(|r| r.name == name && r.builtin), "{name}");
        }
        let cpu = rules.iter().find(|r| r.name == "CPU busy").unwrap().clone();
        let mut spec = cpu.spec.clone();
        spec.threshold = 95.0;
        spec.impact = Some("high".into());
        let edit = |name: &str, spec: RuleSpec| AlertRuleInput {
            name: name.into(),
            customer_id: None,
            severity: Some("critical".into()),
            enabled: Some(true),
            spec,
        };
        assert!(matches!(
            s.update_alert_rule(&staff(), &cpu.id, edit("Renamed", spec.clone()))
                .await,
            Err(StoreError::Invalid(_))
        ));
        let after = s
            .update_alert_rule(&staff(), &cpu.id, edit("CPU busy", spec.clone()))
            .await
            .unwrap();
        assert_eq!(
            (after.spec.threshold, after.severity.as_str()),
            (95.0, "critical")
        );
        assert_eq!(
            impact_urgency_of(&after.severity, &after.spec),
            ("high".to_string(), "high".to_string())
        );
        assert!(matches!(
            s.delete_alert_rule(&staff(), &cpu.id).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(
            !s.set_alert_rule_enabled(&staff(), &cpu.id, false)
                .await
                .unwrap()
                .enabled
        );
        assert_eq!(s.ensure_default_rules().await.unwrap(), 0);
        let again = s.get_alert_rule(&staff(), &cpu.id).await.unwrap();
        assert_eq!(
            (again.spec.threshold, again.enabled),
            (95.0, false),
            "edits survive"
        );
        // Kinds validated by field.
        let bad = |spec: &str| {
            validate_spec(&serde_json::from_str(spec).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert!(bad(r#"{"kind":"forecast"}"#).contains("horizon_hours"));
        assert!(
            bad(r#"{"kind":"rate","signal":"metric","metric":"m","per":"day"}"#).contains("per")
        );
        assert!(
            bad(r#"{"kind":"threshold","signal":"metric","metric":"m","op":"!="}"#).contains("op")
        );
        assert!(
            bad(r#"{"kind":"threshold","signal":"metric","metric":"m","impact":"huge"}"#)
                .contains("impact")
        );
        assert!(
            bad(r#"{"kind":"threshold","signal":"metric","metric":"m","flap_limit":1}"#)
                .contains("flap_limit")
        );
        let own = rule(
            s,
            "Mine",
            r#"{"kind":"rate","signal":"metric","metric":"m","threshold":5,"per":"second"}"#,
        )
        .await;
        s.delete_alert_rule(&staff(), &own.id).await.unwrap();
        assert!(matches!(
            s.get_alert_rule(&staff(), &own.id).await,
            Err(StoreError::NotFound)
        ));
    }
);

on_both!(
    an_alert_and_its_incident_commit_together,
    |f: Fresh| async move {
        let s = &f.store;
        let cu = customer(s, "Acme").await;
        let (h, _) = host(s, &cu.id, "web1").await;
        let r = rule(s, "Busy", r#"{"kind":"threshold","signal":"metric","metric":"x","threshold":1,"for_secs":0,"urgency":"low"}"#).await;
        let measured = r#"{"metric":"x","labels":{}}"#;
        assert_eq!(
            s.apply_alert_on(&r, &on(&h, "web1", &cu.id), b("5 (x{})"), measured, 1_000)
                .await
                .unwrap(),
            "firing"
        );
        let t = tickets(s).await.remove(0);
        assert_eq!(
            (t.impact.as_str(), t.urgency.as_str()),
            ("medium", "low"),
            "impact from severity, urgency from the rule"
        );
        assert!(t.description.contains("5 (x{})") && t.description.contains("chart"));
        let firings = s.alert_incidents(&staff(), &t.id).await.unwrap();
        assert_eq!((firings.len(), firings[0].measured.as_str()), (1, measured));
        let other = customer(s, "Globex").await;
        let outsider = Scope::Customer {
            user_id: "u".into(),
            username: "g".into(),
            customer_id: other.id,
        };
        assert!(
            s.alert_incidents(&outsider, &t.id)
                .await
                .unwrap()
                .is_empty(),
            "scoped"
        );
        // One transaction: the alert row, the ticket and both audit entries share a timestamp.
        let a = &s.list_alerts(&staff(), None, None).await.unwrap()[0];
        assert_eq!(a.ticket_id.as_deref(), Some(t.id.as_str()));
        assert_eq!(a.updated_at, t.created_at, "written by one transaction");
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { .. }
        ));
    }
);
