//! Worked examples of the SLA engine.

use onestop_domain::sla::{
    ClockState::*, EventKind, PendingReason, Priority, SlaError, SlaPolicy, Status, Target,
    TargetKind::*, TicketEvent, compute_clocks,
};

use crate::support::{at, policy};

fn ev(when: &str, kind: EventKind) -> TicketEvent {
    TicketEvent::new(at(when), kind)
}

fn opened(when: &str, priority: Priority, contract: Option<&str>) -> TicketEvent {
    ev(
        when,
        EventKind::Opened {
            priority,
            contract: contract.map(str::to_string),
        },
    )
}

fn status(when: &str, s: Status) -> TicketEvent {
    ev(when, EventKind::StatusChanged(s))
}

const MON_10: &str = "2026-06-01T10:00:00+09:00";

#[test]
fn running_clocks_and_next_action() {
    let h = [opened(MON_10, Priority::Medium, None)];
    let r = compute_clocks(&h, policy(), at("2026-06-01T11:00:00+09:00")).unwrap();
    let fr = r.clock(FirstResponse).unwrap();
    assert_eq!(
        (fr.state, fr.used_minutes(), fr.left_minutes()),
        (Running, 60, 180)
    );
    assert_eq!(fr.due, Some(at("2026-06-01T14:00:00+09:00")));
    assert_eq!(fr.warning_at, Some(at("2026-06-01T13:00:00+09:00")));
    assert!(!fr.warning);
    let res = r.clock(Resolution).unwrap();
    assert_eq!(res.due, Some(at("2026-06-03T16:00:00+09:00")));
    assert!(
        r.clock(VendorEscalation).is_none(),
        "no escalation, no vendor clock"
    );
    assert_eq!(r.next_action, Some(at("2026-06-01T13:00:00+09:00")));
    // At the warning instant the clock warns and the next action is the due.
    let r = compute_clocks(&h, policy(), at("2026-06-01T13:00:00+09:00")).unwrap();
    assert!(r.clock(FirstResponse).unwrap().warning);
    assert_eq!(r.next_action, Some(at("2026-06-01T14:00:00+09:00")));
}

#[test]
fn met_and_breached() {
    let answered = |when| {
        [
            opened(MON_10, Priority::Medium, None),
            ev(when, EventKind::FirstResponse),
        ]
    };
    let now = at("2026-06-02T12:00:00+09:00");
    let r = compute_clocks(&answered("2026-06-01T12:00:00+09:00"), policy(), now).unwrap();
    let fr = r.clock(FirstResponse).unwrap();
    assert_eq!(
        (fr.state, fr.used_minutes(), fr.stopped_at),
        (Met, 120, Some(at("2026-06-01T12:00:00+09:00")))
    );
    // Exactly at the due instant is still on time.
    let r = compute_clocks(&answered("2026-06-01T14:00:00+09:00"), policy(), now).unwrap();
    assert_eq!(r.clock(FirstResponse).unwrap().state, Met);
    let r = compute_clocks(&answered("2026-06-01T14:00:01+09:00"), policy(), now).unwrap();
    let fr = r.clock(FirstResponse).unwrap();
    assert_eq!(
        (fr.state, fr.breached_at),
        (Breached, Some(at("2026-06-01T14:00:00+09:00")))
    );
    // Running into the due instant is a breach at that instant.
    let h = [opened(MON_10, Priority::Medium, None)];
    let r = compute_clocks(&h, policy(), at("2026-06-01T14:00:00+09:00")).unwrap();
    assert_eq!(r.clock(FirstResponse).unwrap().state, Breached);
    // 75% of 1440 office minutes from Monday 10:00 is Wednesday 10:00.
    assert_eq!(
        r.next_action,
        Some(at("2026-06-03T10:00:00+09:00")),
        "resolution warning"
    );
}

#[test]
fn pending_pauses_and_keeps_used_time() {
    let h = [
        opened(MON_10, Priority::Medium, None),
        status(
            "2026-06-01T11:00:00+09:00",
            Status::Pending(PendingReason::WaitingCustomer),
        ),
        status("2026-06-01T16:00:00+09:00", Status::InProgress),
    ];
    let r = compute_clocks(&h, policy(), at("2026-06-02T09:30:00+09:00")).unwrap();
    let fr = r.clock(FirstResponse).unwrap();
    assert_eq!((fr.state, fr.used_minutes()), (Running, 60 + 120 + 30));
    assert_eq!(fr.due, Some(at("2026-06-02T10:00:00+09:00")));
    // While pending: paused, no due, nothing to schedule for it.
    let r = compute_clocks(&h[..2], policy(), at("2026-06-01T15:00:00+09:00")).unwrap();
    let fr = r.clock(FirstResponse).unwrap();
    assert_eq!((fr.state, fr.due, fr.used_minutes()), (Paused, None, 60));
    assert_eq!(r.next_action, None);
}

#[test]
fn priority_changes_apply_the_new_target_to_all_time_used() {
    // Low (480) upgraded to High (120) after 240 minutes: breached when 120 were used.
    let h = [
        opened(MON_10, Priority::Low, None),
        ev(
            "2026-06-01T14:00:00+09:00",
            EventKind::PriorityChanged(Priority::High),
        ),
    ];
    let r = compute_clocks(&h, policy(), at("2026-06-01T15:00:00+09:00")).unwrap();
    let fr = r.clock(FirstResponse).unwrap();
    assert_eq!(
        (fr.state, fr.breached_at),
        (Breached, Some(at("2026-06-01T12:00:00+09:00")))
    );
    assert_eq!(fr.target.budget_minutes, 120);
    // Critical (60, 24x7) downgraded to Medium (240, office) after 30 minutes.
    let h = [
        opened("2026-06-01T10:00:00+09:00", Priority::Critical, None),
        ev(
            "2026-06-01T10:30:00+09:00",
            EventKind::PriorityChanged(Priority::Medium),
        ),
    ];
    let r = compute_clocks(&h, policy(), at("2026-06-01T11:00:00+09:00")).unwrap();
    let fr = r.clock(FirstResponse).unwrap();
    assert_eq!((fr.state, fr.used_minutes()), (Running, 60));
    assert_eq!(fr.due, Some(at("2026-06-01T14:00:00+09:00")));
    // Paused time stays paused across a change to a target that does not pause.
    let h = [
        opened(MON_10, Priority::Medium, None),
        status(
            "2026-06-01T11:00:00+09:00",
            Status::Pending(PendingReason::WaitingParts),
        ),
        ev(
            "2026-06-01T15:00:00+09:00",
            EventKind::PriorityChanged(Priority::Low),
        ),
    ];
    let r = compute_clocks(&h, policy(), at("2026-06-01T16:00:00+09:00")).unwrap();
    assert_eq!(r.clock(FirstResponse).unwrap().used_minutes(), 60 + 60);
}

#[test]
fn contract_targets_strictest_wins() {
    let h = [opened(MON_10, Priority::Medium, Some("gold"))];
    let r = compute_clocks(&h, policy(), at("2026-06-01T11:00:00+09:00")).unwrap();
    assert_eq!(r.clock(Resolution).unwrap().target.budget_minutes, 600);
    assert_eq!(
        r.clock(FirstResponse).unwrap().target.budget_minutes,
        240,
        "default is stricter"
    );
    let h = [
        opened(MON_10, Priority::Medium, None),
        ev(
            "2026-06-01T12:00:00+09:00",
            EventKind::ContractChanged(Some("gold".into())),
        ),
    ];
    let r = compute_clocks(&h, policy(), at("2026-06-01T13:00:00+09:00")).unwrap();
    let res = r.clock(Resolution).unwrap();
    assert_eq!((res.target.budget_minutes, res.used_minutes()), (600, 180));
    assert_eq!(
        res.due,
        Some(at("2026-06-02T11:00:00+09:00")),
        "420 minutes left at 13:00"
    );
}

#[test]
fn resolution_reopen_and_vendor() {
    let h = [
        opened(MON_10, Priority::High, None),
        ev("2026-06-01T11:00:00+09:00", EventKind::VendorEscalated),
        status("2026-06-01T12:00:00+09:00", Status::Resolved),
        status("2026-06-02T10:00:00+09:00", Status::InProgress),
        ev("2026-06-02T11:00:00+09:00", EventKind::VendorAnswered),
    ];
    let r = compute_clocks(&h, policy(), at("2026-06-02T12:00:00+09:00")).unwrap();
    let fr = r.clock(FirstResponse).unwrap();
    assert_eq!(
        (fr.state, fr.stopped_at),
        (Met, Some(at("2026-06-01T12:00:00+09:00")))
    );
    let res = r.clock(Resolution).unwrap();
    assert_eq!((res.state, res.used_minutes()), (Running, 120 + 120));
    let vendor = r.clock(VendorEscalation).unwrap();
    assert_eq!((vendor.state, vendor.used_minutes()), (Met, 60 + 60));
    // While resolved the resolution clock is met.
    let r = compute_clocks(&h[..3], policy(), at("2026-06-01T13:00:00+09:00")).unwrap();
    assert_eq!(r.clock(Resolution).unwrap().state, Met);
    // A new escalation starts a fresh vendor clock.
    let mut again = h.to_vec();
    again.push(ev("2026-06-02T11:30:00+09:00", EventKind::VendorEscalated));
    let r = compute_clocks(&again, policy(), at("2026-06-02T12:00:00+09:00")).unwrap();
    let vendor = r.clock(VendorEscalation).unwrap();
    assert_eq!((vendor.state, vendor.used_minutes()), (Running, 30));
}

#[test]
fn holidays_push_the_due_instant() {
    let h = [opened("2026-05-01T17:00:00+09:00", Priority::Medium, None)];
    let r = compute_clocks(&h, policy(), at("2026-05-01T17:00:00+09:00")).unwrap();
    assert_eq!(
        r.clock(FirstResponse).unwrap().due,
        Some(at("2026-05-07T12:00:00+09:00"))
    );
}

#[test]
fn custom_warning_share() {
    let p = SlaPolicy::new()
        .with_calendar("24x7", onestop_domain::calendar::Calendar::always())
        .with_target(Target::new(FirstResponse, Priority::Low, 100, "24x7").warn_at_percent(50));
    let h = [opened("2026-06-01T00:00:00Z", Priority::Low, None)];
    let r = compute_clocks(&h, &p, at("2026-06-01T00:00:00Z")).unwrap();
    assert_eq!(
        r.clock(FirstResponse).unwrap().warning_at,
        Some(at("2026-06-01T00:50:00Z"))
    );
    assert!(r.clock(Resolution).is_none(), "no target, no clock");
}

#[test]
fn errors_and_future_events() {
    let p = policy();
    let now = at("2026-06-02T00:00:00Z");
    assert_eq!(compute_clocks(&[], &p, now), Err(SlaError::NotOpened));
    let first_is_not_open = [status(MON_10, Status::Assigned)];
    assert_eq!(
        compute_clocks(&first_is_not_open, &p, now),
        Err(SlaError::NotOpened)
    );
    let twice = [
        opened(MON_10, Priority::Low, None),
        opened(MON_10, Priority::Low, None),
    ];
    assert_eq!(
        compute_clocks(&twice, &p, now),
        Err(SlaError::OpenedTwice { index: 1 })
    );
    let backwards = [
        opened(MON_10, Priority::Low, None),
        status("2026-06-01T09:00:00+09:00", Status::Assigned),
    ];
    assert_eq!(
        compute_clocks(&backwards, &p, now),
        Err(SlaError::OutOfOrder { index: 1 })
    );
    let bad = SlaPolicy::new().with_target(Target::new(Resolution, Priority::Low, 1, "nope"));
    let h = [opened(MON_10, Priority::Low, None)];
    assert_eq!(
        compute_clocks(&h, &bad, now),
        Err(SlaError::UnknownCalendar("nope".into()))
    );
    // Opened after now: nothing yet. A response after now is not seen.
    assert!(
        compute_clocks(&h, &p, at("2026-05-01T00:00:00Z"))
            .unwrap()
            .clocks
            .is_empty()
    );
    let later = [
        opened(MON_10, Priority::Medium, None),
        ev("2026-06-01T12:00:00+09:00", EventKind::FirstResponse),
    ];
    let r = compute_clocks(&later, &p, at("2026-06-01T11:00:00+09:00")).unwrap();
    assert_eq!(r.clock(FirstResponse).unwrap().state, Running);
}

#[test]
fn targets_and_events_round_trip_through_json() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Doc {
        targets: Vec<Target>,
        events: Vec<TicketEvent>,
    }
    let pause = onestop_domain::sla::PauseOn::NONE
        .with(Status::Pending(PendingReason::WaitingParts))
        .with(Status::Resolved);
    let doc = Doc {
        targets: vec![
            Target::new(Resolution, Priority::High, 480, "office")
                .for_contract("gold")
                .paused_on(pause)
                .warn_at_percent(80),
        ],
        events: vec![
            opened(MON_10, Priority::High, Some("gold")),
            status(MON_10, Status::Pending(PendingReason::WaitingCustomer)),
            ev(MON_10, EventKind::ContractChanged(None)),
        ],
    };
    let text = serde_json::to_string(&doc).expect("serialise");
    assert!(
        text.contains("waiting_parts") && text.contains("resolution"),
        "{text}"
    );
    let back: Doc = serde_json::from_str(&text).expect("deserialise");
    assert_eq!(back, doc);
    assert!(back.targets[0].pause_on.contains(Status::Resolved));
    assert!(!back.targets[0].pause_on.contains(Status::New));
    assert_eq!(
        "pending:waiting_vendor".parse::<Status>(),
        Ok(Status::Pending(PendingReason::WaitingVendor))
    );
    assert!("pending".parse::<Status>().is_err());
}
