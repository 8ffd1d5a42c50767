//! Notifications through the router (preferences, quiet hours, contacts by role), the
//! on-call page at night, the rota with overrides, and webhook deliveries claimed once and
//! retried with backoff — on every backend.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_domain::model::Role;
use onestop_domain::notify::{Choice, Prefs, QuietHours};
use onestop_store::*;
use sqlx::Row;

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
/// Tokyo is UTC+9 all year.
const JST: i64 = 9 * HOUR;

async fn user(s: &Store, name: &str, role: Role, email: Option<&str>) -> User {
    s.create_user(
        &Scope::System,
        NewUser {
            username: name.into(),
            display_name: None,
            email: email.map(str::to_string),
            role,
            customer_id: None,
            password: None,
            language: None,
        },
    )
    .await
    .unwrap()
}

fn as_user(u: &User) -> Scope {
    Scope::Staff {
        user_id: u.id.clone(),
        username: u.username.clone(),
        role: u.role,
    }
}

async fn customer(s: &Store, name: &str) -> Customer {
    let input = CustomerInput {
        name: Some(name.into()),
        ..Default::default()
    };
    s.create_customer(&staff(), input).await.unwrap()
}

fn ticket(customer_id: &str, title: &str, level: &str) -> TicketInput {
    TicketInput {
        customer_id: Some(customer_id.into()),
        title: Some(title.into()),
        impact: Some(level.into()),
        urgency: Some(level.into()),
        channel: Some("phone".into()),
        ..Default::default()
    }
}

/// (to, next_attempt_at, ticket_id) of queued notification mail.
async fn outbox(url: &str) -> Vec<(String, i64, Option<String>)> {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let rows = sqlx::query("SELECT to_addr, next_attempt_at, ticket_id FROM mail_outbox WHERE kind = 'notification' ORDER BY created_at")
        .fetch_all(&pool)
        .await
        .unwrap();
    rows.iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

on_both!(
    preferences_quiet_hours_and_contacts,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Acme").await;
        let eng = user(s, "eng", Role::Front, Some("eng@example.net")).await;
        let off = user(s, "off", Role::Front, Some("off@example.net")).await;
        // Quiet hours around now (Tokyo): the assignment mail is held until they end.
        let now = now_ms();
        let hour_jst = (now + JST).rem_euclid(DAY) / HOUR;
        let end_ms = now - (now + JST).rem_euclid(HOUR) + 2 * HOUR;
        let prefs = Prefs {
            time_zone: "Asia/Tokyo".into(),
            quiet_hours: Some(QuietHours {
                start: format!("{hour_jst:02}:00"),
                end: format!("{:02}:00", (hour_jst + 2) % 24),
            }),
            ..Prefs::default()
        };
        s.set_notification_prefs(&as_user(&eng), prefs.clone())
            .await
            .unwrap();
        assert_eq!(s.notification_prefs(&as_user(&eng)).await.unwrap(), prefs);
        let mut silent = Prefs::default();
        silent.events.insert(
            "ticket.assigned".into(),
            Choice {
                in_app: false,
                email: false,
            },
        );
        s.set_notification_prefs(&as_user(&off), silent)
            .await
            .unwrap();
        let bad = Prefs {
            time_zone: "Nowhere/Land".into(),
            ..Prefs::default()
        };
        assert!(matches!(
            s.set_notification_prefs(&as_user(&eng), bad).await,
            Err(StoreError::Invalid(_))
        ));
        let t1 = s
            .create_ticket(&staff(), ticket(&c.id, "slow", "medium"))
            .await
            .unwrap();
        let t2 = s
            .create_ticket(&staff(), ticket(&c.id, "slower", "medium"))
            .await
            .unwrap();
        for (t, u) in [(&t1, &eng), (&t2, &off)] {
            let p = TicketPatch {
                assignee_id: Some(u.id.clone()),
                ..Default::default()
            };
            s.update_ticket(&staff(), &t.id, p).await.unwrap();
        }
        let n = s.notifications(&as_user(&eng), 10).await.unwrap();
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!(n[0].kind, "assigned");
        assert!(n[0].body.contains(&t1.number), "{}", n[0].body);
        assert!(
            s.notifications(&as_user(&off), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let mail = outbox(&f.url).await;
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert_eq!(mail[0].0, "eng@example.net");
        assert_eq!(mail[0].1, end_ms, "held until the quiet hours end");
        // A comment by the assignee does not notify the assignee; by someone else it does
        // (in-app only by default).
        s.add_ticket_comment(
            &as_user(&eng),
            &t1.id,
            CommentInput {
                body: "looking".into(),
                visibility: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(s.notifications(&as_user(&eng), 10).await.unwrap().len(), 1);
        s.add_ticket_comment(
            &staff(),
            &t1.id,
            CommentInput {
                body: "any news?".into(),
                visibility: None,
            },
        )
        .await
        .unwrap();
        let n = s.notifications(&as_user(&eng), 10).await.unwrap();
        assert_eq!((n.len(), n[0].kind.as_str()), (2, "comment"));
        assert_eq!(outbox(&f.url).await.len(), 1);
        // Customer-facing events reach the customer's contacts with the `open_tickets` role by
        // e-mail (not the ticket's own contact, whom the desk's own mail answers).
        let mut ids = vec![];
        for (name, roles) in [
            ("Ops", vec!["open_tickets"]),
            ("Sec", vec!["security_notices"]),
        ] {
            let ci = ContactInput {
                name: name.into(),
                email: Some(format!("{}@acme.example", name.to_lowercase())),
                roles: roles.into_iter().map(str::to_string).collect(),
                ..Default::default()
            };
            ids.push(s.create_contact(&staff(), &c.id, ci).await.unwrap().id);
        }
        s.create_ticket(&staff(), ticket(&c.id, "printer", "low"))
            .await
            .unwrap();
        let mut own = ticket(&c.id, "scanner", "low");
        own.contact_id = Some(ids[0].clone());
        s.create_ticket(&staff(), own).await.unwrap();
        let to: Vec<String> = outbox(&f.url).await.into_iter().map(|m| m.0).collect();
        assert_eq!(to, ["eng@example.net", "ops@acme.example"]);
    }
);

/// The next instant at `hh` o'clock Tokyo time on or after `from`.
fn jst_at(from: i64, hh: i64) -> i64 {
    let day = (from + JST).div_euclid(DAY);
    let t = day * DAY + hh * HOUR - JST;
    if t >= from { t } else { t + DAY }
}

on_both!(
    the_on_call_engineer_receives_a_critical_escalation_at_night,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Acme").await;
        let eng = user(s, "eng", Role::Front, Some("eng@example.net")).await;
        let night = user(s, "night", Role::Front, Some("night@example.net")).await;
        let team = s.create_team(&staff(), "Desk").await.unwrap();
        s.add_team_member(&staff(), &team.id, &eng.id)
            .await
            .unwrap();
        // Business hours: weekdays 09:00–18:00 Tokyo.
        let cal = "timezone = \"Asia/Tokyo\"\n[hours]\nmon = [\"09:00-18:00\"]\ntue = [\"09:00-18:00\"]\nwed = [\"09:00-18:00\"]\nthu = [\"09:00-18:00\"]\nfri = [\"09:00-18:00\"]\n";
        let settings = DeskSettings {
            default_calendar: Some(cal.into()),
            ..DeskSettings::default()
        };
        s.set_desk_settings(&staff(), &settings).await.unwrap();
        s.save_escalation_rule(
            &staff(),
            None,
            EscalationRuleInput {
                name: Some("critical to the desk".into()),
                trigger: Some("critical".into()),
                action: Some("notify_team".into()),
                target_team_id: Some(team.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        // Night: 02:00 Tokyo two days on; the rota (night alone, from 00:00 that day) starts
        // after now, so nothing created now pages anyone.
        let night_ms = jst_at(now_ms() + 2 * DAY, 2);
        let night_day = chrono::DateTime::from_timestamp_millis(night_ms + JST)
            .unwrap()
            .date_naive();
        // Day: 12:00 Tokyo on the first weekday after that.
        let mut day_ms = jst_at(night_ms + DAY, 12);
        while {
            let wd = chrono::Datelike::weekday(
                &chrono::DateTime::from_timestamp_millis(day_ms + JST).unwrap(),
            );
            wd == chrono::Weekday::Sat || wd == chrono::Weekday::Sun
        } {
            day_ms += DAY;
        }
        s.save_rotation(
            &staff(),
            None,
            RotationInput {
                name: Some("24x365".into()),
                members: Some(vec![night.id.clone()]),
                handover: Some("00:00".into()),
                period: Some("weekly".into()),
                time_zone: Some("Asia/Tokyo".into()),
                starts_on: Some(night_day.to_string()),
            },
        )
        .await
        .unwrap();
        let st = s.oncall(&staff(), day_ms, 1).await.unwrap();
        assert_eq!(
            st[0].now.as_ref().unwrap().user_id,
            night.id,
            "on call by day too"
        );
        // By day a critical ticket escalates to the team only.
        let a = s
            .create_ticket(&staff(), ticket(&c.id, "core switch down", "critical"))
            .await
            .unwrap();
        assert_eq!(a.priority, "critical");
        let r = s.desk_tick("T", day_ms).await.unwrap();
        assert_eq!(r.escalations, 1, "{r:?}");
        assert!(
            s.notifications(&as_user(&night), 50)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            !outbox(&f.url)
                .await
                .iter()
                .any(|m| m.0 == "night@example.net")
        );
        assert!(
            s.notifications(&as_user(&eng), 50)
                .await
                .unwrap()
                .iter()
                .any(|n| n.kind == "escalation")
        );
        // At 02:00 the same kind of ticket also pages the on-call engineer: in-app and mail.
        let b = s
            .create_ticket(&staff(), ticket(&c.id, "core router down", "critical"))
            .await
            .unwrap();
        let r = s.desk_tick("T", night_ms).await.unwrap();
        assert!(r.escalations >= 1, "{r:?}");
        let n = s.notifications(&as_user(&night), 50).await.unwrap();
        assert!(
            n.iter()
                .any(|n| n.kind == "escalation" && n.ticket_id.as_deref() == Some(b.id.as_str())),
            "{n:?}"
        );
        assert!(
            n.iter()
                .all(|n| n.ticket_id.as_deref() == Some(b.id.as_str()))
        );
        let mail = outbox(&f.url).await;
        assert!(
            mail.iter().any(|m| m.0 == "night@example.net"
                && m.2.as_deref() == Some(b.id.as_str())
                && m.1 == night_ms),
            "{mail:?}"
        );
    }
);

on_both!(rota_now_next_and_overrides, |f: Fresh| async move {
    let s = &f.store;
    let ann = user(s, "ann", Role::Front, None).await;
    let ben = user(s, "ben", Role::Front, None).await;
    let dan = user(s, "dan", Role::Front, None).await;
    let input = RotationInput {
        name: Some("desk".into()),
        members: Some(vec![ann.id.clone(), ben.id.clone()]),
        handover: Some("09:00".into()),
        period: Some("daily".into()),
        time_zone: Some("Asia/Tokyo".into()),
        starts_on: Some("2026-11-02".into()),
    };
    let bad = RotationInput {
        handover: Some("9am".into()),
        ..input.clone()
    };
    assert!(matches!(
        s.save_rotation(&staff(), None, bad).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.save_rotation(&as_user(&ann), None, input.clone()).await,
        Err(StoreError::Forbidden(_))
    ));
    let r = s.save_rotation(&staff(), None, input).await.unwrap();
    // 2026-11-03 10:00 JST: ben (second day); next ann at 11-04 09:00.
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    };
    let st = s
        .oncall(&staff(), at("2026-11-03T10:00:00+09:00"), 2)
        .await
        .unwrap();
    let (now, next) = (st[0].now.clone().unwrap(), st[0].next.clone().unwrap());
    assert_eq!(
        (now.user_id.as_str(), now.user_name.as_str()),
        (ben.id.as_str(), "ben")
    );
    assert_eq!(
        (next.user_id.as_str(), next.start),
        (ann.id.as_str(), at("2026-11-04T09:00:00+09:00"))
    );
    assert!(st[0].schedule.len() >= 14);
    // Ben is away: dan stands in for him that day.
    let o = s
        .add_override(
            &staff(),
            &r.id,
            OverrideInput {
                user_id: dan.id.clone(),
                replaces_user_id: Some(ben.id.clone()),
                starts_at: at("2026-11-03T00:00:00+09:00"),
                ends_at: at("2026-11-04T12:00:00+09:00"),
                note: Some("holiday".into()),
            },
        )
        .await
        .unwrap();
    let st = s
        .oncall(&staff(), at("2026-11-03T10:00:00+09:00"), 1)
        .await
        .unwrap();
    let now = st[0].now.clone().unwrap();
    assert_eq!(
        (now.user_id.as_str(), now.instead_of.as_deref()),
        (dan.id.as_str(), Some(ben.id.as_str()))
    );
    assert_eq!(
        st[0].next.as_ref().unwrap().user_id,
        ann.id,
        "ann's day is not covered"
    );
    let bad = OverrideInput {
        user_id: dan.id.clone(),
        replaces_user_id: None,
        starts_at: 10,
        ends_at: 5,
        note: None,
    };
    assert!(matches!(
        s.add_override(&staff(), &r.id, bad).await,
        Err(StoreError::Invalid(_))
    ));
    s.delete_override(&staff(), &r.id, &o.id).await.unwrap();
    let st = s
        .oncall(&staff(), at("2026-11-03T10:00:00+09:00"), 1)
        .await
        .unwrap();
    assert_eq!(st[0].now.as_ref().unwrap().user_id, ben.id);
    assert!(matches!(
        s.audit_verify().await.unwrap(),
        VerifyReport::Intact { .. }
    ));
});

on_both!(
    webhook_deliveries_once_with_backoff,
    |f: Fresh| async move {
        let s = &f.store;
        let other = Store::open(&f.url).await.unwrap();
        let c1 = customer(s, "Acme").await;
        let c2 = customer(s, "Globex").await;
        let hook =
            |url: &str, events: &[&str], customer: Option<&str>, format: &str| WebhookInput {
                name: None,
                url: url.into(),
                events: events.iter().map(|e| e.to_string()).collect(),
                customer_id: customer.map(str::to_string),
                format: Some(format.into()),
            };
        let bad = hook("ftp://x", &["ticket.created"], None, "onestop");
        assert!(matches!(
            s.create_webhook(&staff(), bad, "sealed").await,
            Err(StoreError::Invalid(_))
        ));
        let bad = hook("http://x", &["ticket.exploded"], None, "onestop");
        assert!(matches!(
            s.create_webhook(&staff(), bad, "sealed").await,
            Err(StoreError::Invalid(_))
        ));
        let a = s
            .create_webhook(
                &staff(),
                hook(
                    "http://a.example/h",
                    &["ticket.created", "ticket.escalated"],
                    Some(&c1.id),
                    "onestop",
                ),
                "sealed-a",
            )
            .await
            .unwrap();
        let b = s
            .create_webhook(
                &staff(),
                hook("http://b.example/h", &["ticket.created"], None, "slack"),
                "sealed-b",
            )
            .await
            .unwrap();
        let off = s
            .create_webhook(
                &staff(),
                hook("http://c.example/h", &["ticket.created"], None, "onestop"),
                "sealed-c",
            )
            .await
            .unwrap();
        s.update_webhook(
            &staff(),
            &off.id,
            WebhookPatch {
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let t = s
            .create_ticket(&staff(), ticket(&c1.id, "mail down", "high"))
            .await
            .unwrap();
        s.create_ticket(&staff(), ticket(&c2.id, "vpn down", "high"))
            .await
            .unwrap();
        // Two senders at once: three deliveries, each taken by exactly one.
        let now = now_ms();
        let (x, y) = tokio::join!(
            s.claim_webhook_deliveries("A", now, 10, 60_000),
            other.claim_webhook_deliveries("B", now, 10, 60_000)
        );
        let mut all: Vec<Claimed> = x.unwrap().into_iter().chain(y.unwrap()).collect();
        let mut ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!((all.len(), ids.len()), (3, 3));
        assert!(
            s.claim_webhook_deliveries("A", now, 10, 60_000)
                .await
                .unwrap()
                .is_empty()
        );
        let slack: Vec<&Claimed> = all.iter().filter(|c| c.format == "slack").collect();
        assert_eq!(slack.len(), 2);
        let text: serde_json::Value = serde_json::from_str(&slack[0].body).unwrap();
        assert!(
            text["text"].as_str().unwrap().contains("ticket.created"),
            "{text}"
        );
        all.retain(|c| c.url == "http://a.example/h");
        let mut c = all.pop().unwrap();
        assert_eq!(c.secret_enc, "sealed-a");
        let body: serde_json::Value = serde_json::from_str(&c.body).unwrap();
        assert_eq!(
            (body["event"].as_str(), body["ticket"]["number"].as_str()),
            (Some("ticket.created"), Some(t.number.as_str()))
        );
        // Whoever claimed it answers 500: retried after the backoff (1 s, then 2 s, …).
        let fail = DeliveryOutcome {
            code: Some(500),
            error: Some("HTTP 500".into()),
            duration_ms: 3,
        };
        // The claim went to A or B; finishing as the wrong holder changes nothing.
        s.finish_webhook_delivery("nobody", &c, now, &fail, 1_000)
            .await
            .unwrap();
        let d = &s.webhook_deliveries(&staff(), &a.id, 10).await.unwrap()[0];
        assert_eq!((d.status.as_str(), d.log.len()), ("sending", 0));
        let mine = ["A", "B"];
        for h in mine {
            s.finish_webhook_delivery(h, &c, now, &fail, 1_000)
                .await
                .unwrap();
        }
        let d = &s.webhook_deliveries(&staff(), &a.id, 10).await.unwrap()[0];
        assert_eq!(
            (d.status.as_str(), d.attempts, d.next_attempt_at),
            ("pending", 1, now + 1_000)
        );
        assert!(
            s.claim_webhook_deliveries("B", now + 999, 10, 60_000)
                .await
                .unwrap()
                .is_empty()
        );
        let again = other
            .claim_webhook_deliveries("B", now + 1_000, 10, 60_000)
            .await
            .unwrap();
        assert_eq!(again.len(), 1);
        c = again.into_iter().next().unwrap();
        assert_eq!(c.attempt, 2);
        s.finish_webhook_delivery("B", &c, now + 1_100, &fail, 1_000)
            .await
            .unwrap();
        let d = &s.webhook_deliveries(&staff(), &a.id, 10).await.unwrap()[0];
        assert_eq!(d.next_attempt_at, now + 1_100 + 2_000, "backoff doubles");
        // A sender that dies loses its lease; another takes the delivery over.
        let gone = s
            .claim_webhook_deliveries("A", now + 3_100, 10, 50)
            .await
            .unwrap();
        assert_eq!(gone.len(), 1);
        let taken = other
            .claim_webhook_deliveries("B", now + 3_200, 10, 60_000)
            .await
            .unwrap();
        assert_eq!(taken[0].attempt, 4);
        let ok = DeliveryOutcome {
            code: Some(204),
            error: None,
            duration_ms: 2,
        };
        s.finish_webhook_delivery("A", &gone[0], now + 3_300, &ok, 1_000)
            .await
            .unwrap();
        s.finish_webhook_delivery("B", &taken[0], now + 3_300, &ok, 1_000)
            .await
            .unwrap();
        let d = &s.webhook_deliveries(&staff(), &a.id, 10).await.unwrap()[0];
        assert_eq!(
            (d.status.as_str(), d.delivered_at),
            ("delivered", Some(now + 3_300))
        );
        let codes: Vec<Option<i64>> = d.log.iter().map(|l| l.code).collect();
        assert_eq!(codes, [Some(500), Some(500), Some(204)]);
        assert!(matches!(
            s.webhooks(&Scope::Customer {
                user_id: "x".into(),
                username: "x".into(),
                customer_id: c1.id.clone()
            })
            .await,
            Err(StoreError::Forbidden(_))
        ));
        assert_eq!(s.webhooks(&staff()).await.unwrap().len(), 3);
        let _ = b;
        assert!(matches!(
            s.audit_verify().await.unwrap(),
            VerifyReport::Intact { .. }
        ));
    }
);
