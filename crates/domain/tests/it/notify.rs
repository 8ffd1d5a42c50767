//! The notification router's rules, preferences with quiet hours, and the on-call rota.
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use onestop_domain::notify::{
    Choice, ContactFact, Delivery, EmailWhen, Event, Facts, Override, Period, Prefs, QuietHours,
    Reason, Rotation, Who, on_call_at, route, schedule,
};

fn u(s: &str) -> Who {
    Who::User(s.into())
}

fn users(ds: &[Delivery]) -> Vec<(Who, Reason, bool)> {
    ds.iter()
        .map(|d| (d.who.clone(), d.reason, d.page))
        .collect()
}

fn facts() -> Facts {
    Facts {
        actor: Some("alice".into()),
        assignee: Some("bob".into()),
        team: vec!["bob".into(), "carol".into()],
        ase: Some("ase".into()),
        cse: Some("cse".into()),
        contacts: vec![
            ContactFact {
                id: "c1".into(),
                roles: vec!["open_tickets".into()],
            },
            ContactFact {
                id: "c2".into(),
                roles: vec!["security_notices".into()],
            },
        ],
        critical: false,
        after_hours: false,
        on_call: vec!["oncall".into()],
        targets: None,
    }
}

#[test]
fn created_goes_to_assignee_else_team_and_contacts_by_role() {
    let f = facts();
    assert_eq!(
        users(&route(Event::TicketCreated, &f)),
        vec![
            (u("bob"), Reason::Assignee, false),
            (Who::Contact("c1".into()), Reason::Contact, false)
        ]
    );
    let f = Facts {
        assignee: None,
        ..facts()
    };
    let r = users(&route(Event::TicketCreated, &f));
    assert_eq!(r[0], (u("bob"), Reason::Team, false));
    assert_eq!(r[1], (u("carol"), Reason::Team, false));
    // Internal events never reach contacts.
    assert!(
        route(Event::SlaBreached, &f)
            .iter()
            .all(|d| matches!(d.who, Who::User(_)))
    );
}

#[test]
fn the_actor_is_not_told_and_recipients_are_unique() {
    let f = Facts {
        actor: Some("bob".into()),
        ..facts()
    };
    assert!(route(Event::TicketCommented, &f).is_empty());
    let r = route(Event::SlaBreached, &facts());
    assert_eq!(
        users(&r),
        vec![
            (u("bob"), Reason::Assignee, false),
            (u("carol"), Reason::Team, false),
            (u("ase"), Reason::Ase, false)
        ]
    );
}

#[test]
fn escalations_go_to_the_rule_targets_renewals_to_ase_and_cse() {
    let f = Facts {
        targets: Some(vec!["dave".into()]),
        ..facts()
    };
    assert_eq!(
        users(&route(Event::Escalated, &f)),
        vec![(u("dave"), Reason::Target, false)]
    );
    assert_eq!(
        users(&route(Event::RenewalReminder, &facts())),
        vec![
            (u("ase"), Reason::Ase, false),
            (u("cse"), Reason::Cse, false)
        ]
    );
}

#[test]
fn on_call_is_paged_after_hours_for_critical_tickets_and_escalations_only() {
    let night = Facts {
        after_hours: true,
        critical: true,
        ..facts()
    };
    let r = route(Event::TicketCreated, &night);
    assert!(r.iter().any(|d| d.who == u("oncall") && d.page && d.urgent));
    // Critical also tells the ASE, urgently.
    assert!(r.iter().any(|d| d.who == u("ase") && d.urgent && !d.page));
    // By day: no page.
    let day = Facts {
        after_hours: false,
        ..night.clone()
    };
    assert!(
        !route(Event::TicketCreated, &day)
            .iter()
            .any(|d| d.who == u("oncall"))
    );
    // At night, a non-critical new ticket does not page; an escalation does.
    let quiet = Facts {
        critical: false,
        ..night.clone()
    };
    assert!(
        !route(Event::TicketCreated, &quiet)
            .iter()
            .any(|d| d.who == u("oncall"))
    );
    assert!(
        route(Event::Escalated, &quiet)
            .iter()
            .any(|d| d.who == u("oncall") && d.page)
    );
    // The on-call engineer who is also the assignee gets one delivery, marked as a page.
    let both = Facts {
        on_call: vec!["bob".into()],
        ..night
    };
    let r = route(Event::TicketCreated, &both);
    assert_eq!(r.iter().filter(|d| d.who == u("bob")).count(), 1);
    assert!(r.iter().any(|d| d.who == u("bob") && d.page));
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn plain() -> Delivery {
    Delivery {
        who: u("bob"),
        reason: Reason::Assignee,
        urgent: false,
        page: false,
    }
}

#[test]
fn preferences_choose_channels_and_quiet_hours_hold_mail() {
    let mut p = Prefs {
        time_zone: "Asia/Tokyo".into(),
        quiet_hours: Some(QuietHours {
            start: "22:00".into(),
            end: "07:00".into(),
        }),
        ..Prefs::default()
    };
    p.validate().unwrap();
    // Defaults: in-app always, e-mail for breaches, not for comments.
    let day = at("2026-11-26T12:00:00+09:00");
    let c = p.channels(Event::SlaBreached, &plain(), day);
    assert!(c.in_app);
    assert_eq!(c.email, EmailWhen::Now);
    assert_eq!(
        p.channels(Event::TicketCommented, &plain(), day).email,
        EmailWhen::No
    );
    // 23:30 Tokyo: held until 07:00 the next morning; 06:00: until 07:00 the same day.
    let late = at("2026-11-26T23:30:00+09:00");
    assert_eq!(
        p.channels(Event::SlaBreached, &plain(), late).email,
        EmailWhen::At(at("2026-11-27T07:00:00+09:00"))
    );
    assert_eq!(
        p.quiet_until(at("2026-11-27T06:00:00+09:00")),
        Some(at("2026-11-27T07:00:00+09:00"))
    );
    assert_eq!(p.quiet_until(at("2026-11-27T07:00:00+09:00")), None);
    // Urgent mail goes at once; a page ignores the event choice as well.
    let urgent = Delivery {
        urgent: true,
        ..plain()
    };
    assert_eq!(
        p.channels(Event::SlaBreached, &urgent, late).email,
        EmailWhen::Now
    );
    p.events.insert(
        "ticket.escalated".into(),
        Choice {
            in_app: false,
            email: false,
        },
    );
    let c = p.channels(Event::Escalated, &plain(), day);
    assert!(!c.in_app && c.email == EmailWhen::No);
    let page = Delivery {
        urgent: true,
        page: true,
        ..plain()
    };
    let c = p.channels(Event::Escalated, &page, late);
    assert!(c.in_app && c.email == EmailWhen::Now);
}

#[test]
fn invalid_preferences_name_the_field() {
    let bad = Prefs {
        time_zone: "Mars/Olympus".into(),
        ..Prefs::default()
    };
    assert_eq!(bad.validate().unwrap_err().0, "time_zone");
    let mut bad = Prefs::default();
    bad.events.insert(
        "ticket.exploded".into(),
        Choice {
            in_app: true,
            email: true,
        },
    );
    assert_eq!(bad.validate().unwrap_err().0, "events");
    let bad = Prefs {
        quiet_hours: Some(QuietHours {
            start: "25:00".into(),
            end: "07:00".into(),
        }),
        ..Prefs::default()
    };
    assert_eq!(bad.validate().unwrap_err().0, "quiet_hours");
}

fn rota(period: Period) -> Rotation {
    Rotation {
        members: vec!["ann".into(), "ben".into(), "cat".into()],
        handover: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        period,
        tz: chrono_tz::Asia::Tokyo,
        starts_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
    }
}

#[test]
fn rota_now_and_next_daily_and_weekly() {
    let r = rota(Period::Daily);
    // 2026-11-02 09:00 JST ann, 11-03 ben, 11-04 cat, 11-05 ann...
    let (now, next) = on_call_at(&r, &[], at("2026-11-04T08:59:00+09:00"));
    assert_eq!(now.as_ref().unwrap().user, "ben");
    assert_eq!(now.unwrap().end, at("2026-11-04T09:00:00+09:00"));
    assert_eq!(next.unwrap().user, "cat");
    let (now, _) = on_call_at(&r, &[], at("2026-11-05T09:00:00+09:00"));
    assert_eq!(now.unwrap().user, "ann");
    // Before the rota starts: nobody now, ann next.
    let (now, next) = on_call_at(&r, &[], at("2026-11-01T12:00:00+09:00"));
    assert!(now.is_none());
    assert_eq!(next.unwrap().start, at("2026-11-02T09:00:00+09:00"));
    let w = rota(Period::Weekly);
    let (now, next) = on_call_at(&w, &[], at("2026-11-20T03:00:00+09:00"));
    assert_eq!(now.unwrap().user, "cat");
    assert_eq!(next.unwrap().start, at("2026-11-23T09:00:00+09:00"));
    let s = schedule(
        &w,
        &[],
        at("2026-11-02T09:00:00+09:00"),
        at("2026-11-30T09:00:00+09:00"),
    );
    let names: Vec<&str> = s.iter().map(|s| s.user.as_str()).collect();
    assert_eq!(names, ["ann", "ben", "cat", "ann"]);
}

#[test]
fn overrides_replace_an_absent_member_or_cover_a_range() {
    let r = rota(Period::Daily);
    // Ben is away on his day (11-03 09:00 → 11-04 09:00): dan stands in for him only.
    let absence = Override {
        user: "dan".into(),
        replaces: Some("ben".into()),
        start: at("2026-11-03T00:00:00+09:00"),
        end: at("2026-11-05T00:00:00+09:00"),
    };
    let s = schedule(
        &r,
        std::slice::from_ref(&absence),
        at("2026-11-03T09:00:00+09:00"),
        at("2026-11-05T09:00:00+09:00"),
    );
    let v: Vec<(&str, Option<&str>)> = s
        .iter()
        .map(|s| (s.user.as_str(), s.instead_of.as_deref()))
        .collect();
    assert_eq!(v, [("dan", Some("ben")), ("cat", None)]);
    // A cover of 02:00–04:00 on cat's night, later than the absence, wins.
    let cover = Override {
        user: "eve".into(),
        replaces: None,
        start: at("2026-11-05T02:00:00+09:00"),
        end: at("2026-11-05T04:00:00+09:00"),
    };
    let (now, next) = on_call_at(&r, &[absence, cover], at("2026-11-05T02:30:00+09:00"));
    let now = now.unwrap();
    assert_eq!(
        (now.user.as_str(), now.instead_of.as_deref()),
        ("eve", Some("cat"))
    );
    assert_eq!(now.end, at("2026-11-05T04:00:00+09:00"));
    let next = next.unwrap();
    assert_eq!(
        (next.user.as_str(), next.start),
        ("cat", at("2026-11-05T04:00:00+09:00"))
    );
}

#[test]
fn handover_across_dst_in_a_zone_with_dst() {
    let r = Rotation {
        tz: chrono_tz::Europe::Berlin,
        handover: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
        starts_on: NaiveDate::from_ymd_opt(2026, 3, 28).unwrap(),
        ..rota(Period::Daily)
    };
    // 2026-03-29 02:30 does not exist in Berlin: the hand-over moves to 03:30 CEST (01:30Z).
    let (now, _) = on_call_at(
        &r,
        &[],
        Utc.with_ymd_and_hms(2026, 3, 29, 1, 29, 0).unwrap(),
    );
    assert_eq!(now.unwrap().user, "ann");
    let (now, _) = on_call_at(
        &r,
        &[],
        Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap(),
    );
    assert_eq!(now.unwrap().user, "ben");
}
