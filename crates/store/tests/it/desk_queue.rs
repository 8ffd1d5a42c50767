//! The desk's queues, full-text search and scheduler on every backend.
use crate::on_both;
use crate::support::{Fresh, staff};
use onestop_domain::model::Role;
use onestop_store::*;

const MIN: i64 = 60_000;

async fn user(s: &Store, name: &str, role: Role) -> User {
    s.create_user(
        &Scope::System,
        NewUser {
            username: name.into(),
            display_name: None,
            email: None,
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

fn ticket(customer_id: &str, title: &str, description: &str, impact: &str) -> TicketInput {
    TicketInput {
        customer_id: Some(customer_id.into()),
        title: Some(title.into()),
        description: Some(description.into()),
        impact: Some(impact.into()),
        urgency: Some("low".into()),
        channel: Some("phone".into()),
        ..Default::default()
    }
}

fn numbers(p: &Page<Ticket>) -> Vec<String> {
    p.items.iter().map(|t| t.title.clone()).collect()
}

fn queue(name: &str) -> TicketQuery {
    TicketQuery {
        queue: Some(name.into()),
        ..Default::default()
    }
}

on_both!(queues_pick_the_right_tickets, |f: Fresh| async move {
    let s = &f.store;
    let c = customer(s, "Acme").await;
    let alice = user(s, "alice", Role::Front).await;
    let bob = user(s, "bob", Role::Cse).await;
    let team = s.create_team(&staff(), "Front desk").await.unwrap();
    s.add_team_member(&staff(), &team.id, &alice.id)
        .await
        .unwrap();
    let mine = s
        .create_ticket(&staff(), ticket(&c.id, "mine", "", "medium"))
        .await
        .unwrap();
    let bobs = s
        .create_ticket(&staff(), ticket(&c.id, "bobs", "", "medium"))
        .await
        .unwrap();
    let teams = s
        .create_ticket(&staff(), ticket(&c.id, "teams", "", "medium"))
        .await
        .unwrap();
    s.create_ticket(&staff(), ticket(&c.id, "nobody", "", "critical"))
        .await
        .unwrap();
    let done = s
        .create_ticket(&staff(), ticket(&c.id, "done", "", "low"))
        .await
        .unwrap();
    let assign = |user: Option<&str>, team: Option<&str>| TicketPatch {
        assignee_id: user.map(str::to_string),
        team_id: team.map(str::to_string),
        ..Default::default()
    };
    s.update_ticket(&staff(), &mine.id, assign(Some(&alice.id), None))
        .await
        .unwrap();
    s.update_ticket(&staff(), &bobs.id, assign(Some(&bob.id), None))
        .await
        .unwrap();
    s.update_ticket(&staff(), &teams.id, assign(None, Some(&team.id)))
        .await
        .unwrap();
    s.update_ticket(&staff(), &done.id, assign(Some(&alice.id), None))
        .await
        .unwrap();
    s.transition_ticket(
        &staff(),
        &done.id,
        TransitionInput {
            to: "resolved".into(),
            reason: None,
            note: None,
        },
    )
    .await
    .unwrap();
    let me = as_user(&alice);
    assert_eq!(
        numbers(&s.list_tickets(&me, &queue("mine")).await.unwrap()),
        ["mine"]
    );
    assert_eq!(
        numbers(&s.list_tickets(&me, &queue("team")).await.unwrap()),
        ["teams"]
    );
    let mut unassigned = numbers(&s.list_tickets(&me, &queue("unassigned")).await.unwrap());
    unassigned.sort();
    assert_eq!(unassigned, ["nobody", "teams"]);
    assert_eq!(s.list_tickets(&me, &queue("open")).await.unwrap().total, 4);
    assert_eq!(s.list_tickets(&me, &queue("all")).await.unwrap().total, 5);
    // Priority sorts by rank: critical first.
    let q = TicketQuery {
        queue: Some("open".into()),
        sort: Some("-priority".into()),
        ..Default::default()
    };
    assert_eq!(
        numbers(&s.list_tickets(&me, &q).await.unwrap())[0],
        "nobody"
    );
    // Breaching soon: everything open is due within the default budgets' horizon from a day
    // later; nothing is due within 8 hours right now except the critical one (default 1 h/4 h).
    let soon = s.list_tickets(&me, &queue("breaching")).await.unwrap();
    assert_eq!(numbers(&soon)[0], "nobody", "earliest due first");
    let later = s
        .list_tickets_at(
            &me,
            &queue("breaching"),
            chrono::Utc::now().timestamp_millis() + 30 * 86_400_000,
        )
        .await
        .unwrap();
    assert_eq!(later.total, 4);
    assert!(matches!(
        s.list_tickets(&me, &queue("someday")).await,
        Err(StoreError::Invalid(_))
    ));
});

on_both!(search_finds_words_and_japanese, |f: Fresh| async move {
    let s = &f.store;
    let a = customer(s, "Acme").await;
    let b = customer(s, "Globex").await;
    let t1 = s
        .create_ticket(
            &staff(),
            ticket(
                &a.id,
                "サーバ障害",
                "本日10時からディスク障害が発生しています",
                "high",
            ),
        )
        .await
        .unwrap();
    s.create_ticket(
        &staff(),
        ticket(
            &a.id,
            "Printer offline",
            "The printer on 3F is offline",
            "low",
        ),
    )
    .await
    .unwrap();
    s.create_ticket(&staff(), ticket(&b.id, "障害報告", "Globexの障害", "low"))
        .await
        .unwrap();
    s.add_ticket_comment(
        &staff(),
        &t1.id,
        CommentInput {
            body: "RAIDコントローラ交換を手配".into(),
            visibility: Some("internal".into()),
        },
    )
    .await
    .unwrap();
    s.add_ticket_comment(
        &staff(),
        &t1.id,
        CommentInput {
            body: "Replacement disk ordered".into(),
            visibility: Some("public".into()),
        },
    )
    .await
    .unwrap();
    let find = |scope: Scope, q: &str| {
        let q = TicketQuery {
            q: Some(q.into()),
            ..Default::default()
        };
        async move { numbers(&s.list_tickets(&scope, &q).await.unwrap()) }
    };
    let mut both = find(staff(), "障害").await;
    both.sort();
    assert_eq!(both, ["サーバ障害", "障害報告"]);
    assert_eq!(find(staff(), "ディスク障害").await, ["サーバ障害"]);
    assert_eq!(find(staff(), "offline printer").await, ["Printer offline"]);
    assert_eq!(find(staff(), "replacement").await, ["サーバ障害"]);
    assert_eq!(find(staff(), "コントローラ").await, ["サーバ障害"]);
    assert!(find(staff(), "障害 printer").await.is_empty());
    assert_eq!(
        find(staff(), &t1.number.to_lowercase()).await,
        ["サーバ障害"]
    );
    // A customer's user: its own tickets only, and never words of internal notes.
    let cust = Scope::Customer {
        user_id: "u-c".into(),
        username: "carol".into(),
        customer_id: a.id.clone(),
    };
    assert_eq!(find(cust.clone(), "障害").await, ["サーバ障害"]);
    assert!(find(cust.clone(), "コントローラ").await.is_empty());
    assert_eq!(find(cust, "replacement").await, ["サーバ障害"]);
    // Staff searching within one customer: the customer's tag narrows the index walk.
    let within = TicketQuery {
        q: Some("障害".into()),
        customer_id: Some(b.id.clone()),
        ..Default::default()
    };
    assert_eq!(
        numbers(&s.list_tickets(&staff(), &within).await.unwrap()),
        ["障害報告"]
    );
    // Editing the title re-indexes it.
    s.update_ticket(
        &staff(),
        &t1.id,
        TicketPatch {
            title: Some("ストレージ停止".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(find(staff(), "停止").await, ["ストレージ停止"]);
});

on_both!(scheduler_fires_once_and_escalates, |f: Fresh| async move {
    let s = &f.store;
    let c = customer(s, "Acme").await;
    let alice = user(s, "alice", Role::Front).await;
    let ase = user(s, "anna", Role::Ase).await;
    s.update_customer(
        &staff(),
        &c.id,
        CustomerInput {
            ase_id: Some(ase.id.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let team = s.create_team(&staff(), "Front desk").await.unwrap();
    s.add_team_member(&staff(), &team.id, &alice.id)
        .await
        .unwrap();
    let rule = |name: &str, trigger: &str, minutes: i64, action: &str| EscalationRuleInput {
        name: Some(name.into()),
        trigger: Some(trigger.into()),
        minutes: Some(minutes),
        action: Some(action.into()),
        target_team_id: Some(team.id.clone()),
        ..Default::default()
    };
    s.save_escalation_rule(
        &staff(),
        None,
        rule("breach to ASE", "sla_breach", 0, "notify_ase"),
    )
    .await
    .unwrap();
    s.save_escalation_rule(
        &staff(),
        None,
        rule("unassigned 30", "unassigned", 30, "notify_team"),
    )
    .await
    .unwrap();
    s.save_escalation_rule(
        &staff(),
        None,
        rule("warn raises", "sla_warning", 0, "raise_priority"),
    )
    .await
    .unwrap();
    assert!(matches!(
        s.save_escalation_rule(&staff(), None, rule("bad", "sometimes", 0, "notify_team"))
            .await,
        Err(StoreError::Invalid(_))
    ));
    // Medium priority, no contract: provider default SLA on 24x365.
    let t = s
        .create_ticket(&staff(), ticket(&c.id, "slow", "", "medium"))
        .await
        .unwrap();
    let fr = t.sla.first_response.clone().unwrap();
    let due = fr.due.unwrap().timestamp_millis();
    let warn = fr.warning_at.unwrap().timestamp_millis();
    assert!(warn < due);
    let t0 = t.created_at;
    // Nothing yet.
    let r = s.desk_tick("A", t0 + MIN).await.unwrap();
    assert_eq!(
        (r.leader, r.warnings, r.breaches, r.escalations),
        (true, 0, 0, 0)
    );
    // A second process is kept out while the lease is valid.
    assert!(!s.desk_tick("B", t0 + MIN).await.unwrap().leader);
    // Unassigned for 30 minutes: the team is told, once.
    let r = s.desk_tick("A", t0 + 31 * MIN).await.unwrap();
    assert_eq!(r.escalations, 1);
    let r = s.desk_tick("A", t0 + 32 * MIN).await.unwrap();
    assert_eq!(r.escalations, 0);
    assert_eq!(s.unread_notifications(&as_user(&alice)).await.unwrap(), 1);
    // The warning raises the priority (medium → high, which also tightens the clocks).
    let r = s.desk_tick("A", warn.max(t0 + 33 * MIN)).await.unwrap();
    assert_eq!((r.warnings, r.escalations), (1, 1), "{r:?}");
    let now = s.get_ticket(&staff(), &t.id).await.unwrap();
    assert_eq!(now.priority, "high");
    // The breach, far later, tells the ASE; a second process after the lease expired finds
    // nothing left to do.
    let late = due + 10 * 86_400_000;
    let r = s.desk_tick("A", late).await.unwrap();
    assert!(r.breaches >= 1, "{r:?}");
    assert!(s.unread_notifications(&as_user(&ase)).await.unwrap() >= 1);
    let r = s.desk_tick("B", late + 2 * MIN).await.unwrap();
    assert!(r.leader);
    assert_eq!((r.warnings, r.breaches, r.escalations), (0, 0, 0), "{r:?}");
    let events = s.ticket_events(&staff(), &t.id).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    // Both clocks (first response, resolution) breached, each recorded once.
    assert_eq!(
        kinds.iter().filter(|k| **k == "sla_breached").count(),
        2,
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"sla_warning") && kinds.contains(&"escalated"),
        "{kinds:?}"
    );
    // Resolved tickets close after the configured days.
    s.transition_ticket(
        &staff(),
        &t.id,
        TransitionInput {
            to: "resolved".into(),
            reason: None,
            note: None,
        },
    )
    .await
    .unwrap();
    let resolved_at = s
        .get_ticket(&staff(), &t.id)
        .await
        .unwrap()
        .resolved_at
        .unwrap();
    let r = s
        .desk_tick("B", resolved_at + 6 * 86_400_000)
        .await
        .unwrap();
    assert_eq!(r.closed, 0);
    let r = s
        .desk_tick("B", resolved_at + 7 * 86_400_000 + MIN)
        .await
        .unwrap();
    assert_eq!(r.closed, 1);
    let closed = s.get_ticket(&staff(), &t.id).await.unwrap();
    assert_eq!(closed.status, "closed");
    assert!(matches!(
        s.audit_verify().await.unwrap(),
        VerifyReport::Intact { .. }
    ));
});

on_both!(
    a_damaged_ticket_does_not_stop_the_others_warnings,
    |f: Fresh| async move {
        let s = &f.store;
        let c = customer(s, "Acme").await;
        let broken = s
            .create_ticket(&staff(), ticket(&c.id, "broken", "", "medium"))
            .await
            .unwrap();
        let fine = s
            .create_ticket(&staff(), ticket(&c.id, "fine", "", "medium"))
            .await
            .unwrap();
        // The first ticket's history is lost (its clocks can no longer be computed).
        let pool = sqlx::AnyPool::connect(&f.url).await.unwrap();
        sqlx::query("DELETE FROM ticket_events WHERE ticket_id = $1")
            .bind(&broken.id)
            .execute(&pool)
            .await
            .unwrap();
        let due = fine.sla.first_response.clone().unwrap().due.unwrap();
        let r = s
            .desk_tick("A", due.timestamp_millis() + MIN)
            .await
            .unwrap();
        assert_eq!(r.failed, 1, "{r:?}");
        assert!(r.breaches >= 1, "{r:?}");
        let kinds: Vec<String> = s
            .ticket_events(&staff(), &fine.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(kinds.iter().any(|k| k == "sla_breached"), "{kinds:?}");
    }
);

on_both!(two_schedulers_never_double, |f: Fresh| async move {
    // Two store handles on one database, ticking concurrently with the lease expired each
    // time: every action still happens exactly once.
    let s = &f.store;
    let other = Store::open(&f.url).await.unwrap();
    let c = customer(s, "Acme").await;
    let alice = user(s, "alice", Role::Front).await;
    let team = s.create_team(&staff(), "Front desk").await.unwrap();
    s.add_team_member(&staff(), &team.id, &alice.id)
        .await
        .unwrap();
    s.save_escalation_rule(
        &staff(),
        None,
        EscalationRuleInput {
            name: Some("critical to team".into()),
            trigger: Some("critical".into()),
            action: Some("notify_team".into()),
            target_team_id: Some(team.id.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut t0 = 0;
    for i in 0..5 {
        let t = s
            .create_ticket(
                &staff(),
                ticket(&c.id, &format!("down {i}"), "", "critical"),
            )
            .await
            .unwrap();
        t0 = t.created_at;
    }
    let mut total = 0;
    for round in 0..4 {
        // Each round is more than the lease later, so whoever comes first leads.
        let now = t0 + (round + 1) * 2 * MIN;
        let (a, b) = tokio::join!(s.desk_tick("A", now), other.desk_tick("B", now));
        let (a, b) = (a.unwrap(), b.unwrap());
        total += a.escalations + b.escalations;
    }
    assert_eq!(total, 5);
    assert_eq!(s.unread_notifications(&as_user(&alice)).await.unwrap(), 5);
});

on_both!(renewal_reminders_once_per_term, |f: Fresh| async move {
    let s = &f.store;
    let c = customer(s, "Acme").await;
    let ase = user(s, "anna", Role::Ase).await;
    s.update_customer(
        &staff(),
        &c.id,
        CustomerInput {
            ase_id: Some(ase.id.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let today = chrono::Utc::now().date_naive();
    let ends = today + chrono::Days::new(30);
    s.create_contract(
        &staff(),
        ContractInput {
            customer_id: Some(c.id.clone()),
            name: Some("Gold".into()),
            starts_on: Some((today - chrono::Days::new(300)).to_string()),
            ends_on: Some(ends.to_string()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let r = s.desk_tick("A", now).await.unwrap();
    assert_eq!(r.reminders, 1);
    let r = s.desk_tick("A", now + MIN).await.unwrap();
    assert_eq!(r.reminders, 0);
    let n = s.notifications(&as_user(&ase), 10).await.unwrap();
    assert_eq!(n.len(), 1);
    assert!(
        n[0].body.contains("Gold") && n[0].body.contains(&ends.to_string()),
        "{}",
        n[0].body
    );
});
