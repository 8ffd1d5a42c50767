//! Property tests of the SLA engine over random ticket histories.

use chrono::Duration;
use onestop_domain::calendar::{Calendar, Instant};
use onestop_domain::sla::{
    ClockState, EventKind, PauseOn, PendingReason, Priority, SlaPolicy, Status, Target, TargetKind,
    TicketEvent, compute_clocks,
};
use proptest::prelude::*;

use crate::support::{CalendarFor, at, policy};

const PRIORITIES: [Priority; 4] = [
    Priority::Critical,
    Priority::High,
    Priority::Medium,
    Priority::Low,
];

fn event_kind() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        3 => (0..Status::ALL.len()).prop_map(|i| EventKind::StatusChanged(Status::ALL[i])),
        1 => (0..4usize).prop_map(|i| EventKind::PriorityChanged(PRIORITIES[i])),
        1 => prop::bool::ANY.prop_map(|gold| EventKind::ContractChanged(gold.then(|| "gold".to_string()))),
        1 => Just(EventKind::FirstResponse),
        1 => Just(EventKind::VendorEscalated),
        1 => Just(EventKind::VendorAnswered),
    ]
}

/// A history opened at a fixed instant, events 0–10 hours apart.
fn history() -> impl Strategy<Value = Vec<TicketEvent>> {
    let steps = prop::collection::vec((0i64..600, event_kind()), 0..40);
    (0..4usize, steps).prop_map(|(p, steps)| {
        let mut t = at("2026-04-27T08:00:00+09:00");
        let mut out = vec![TicketEvent::new(
            t,
            EventKind::Opened {
                priority: PRIORITIES[p],
                contract: None,
            },
        )];
        for (gap, kind) in steps {
            t += Duration::minutes(gap);
            out.push(TicketEvent::new(t, kind));
        }
        out
    })
}

fn offset(h: &[TicketEvent], minutes: i64) -> Instant {
    h[0].at + Duration::minutes(minutes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn replay_is_deterministic_and_ignores_the_future(h in history(), cut in 0i64..20_000) {
        let p = policy();
        let now = offset(&h, cut);
        let full = compute_clocks(&h, &p, now).unwrap();
        prop_assert_eq!(&full, &compute_clocks(&h, &p, now).unwrap());
        let seen: Vec<TicketEvent> = h.iter().filter(|e| e.at <= now).cloned().collect();
        prop_assert_eq!(&full, &compute_clocks(&seen, &p, now).unwrap());
    }

    #[test]
    fn clocks_are_consistent(h in history(), cut in 0i64..20_000) {
        let p = policy();
        let now = offset(&h, cut);
        for c in compute_clocks(&h, &p, now).unwrap().clocks {
            let over = c.used_seconds >= c.budget_seconds;
            match c.state {
                ClockState::Breached => {
                    prop_assert!(over);
                    prop_assert!(c.breached_at.is_some_and(|b| b <= now) && c.due == c.breached_at);
                }
                ClockState::Met => prop_assert!(c.stopped_at.is_some() && c.due.is_none()),
                ClockState::Paused => prop_assert!(c.due.is_none() && c.stopped_at.is_none() && !over),
                ClockState::Running => {
                    let due = c.due.expect("a running clock has a due instant");
                    prop_assert!(due > now && !over);
                    // The business time left, measured in its calendar, ends at the due instant.
                    let cal = p.calendar_for(c.target);
                    prop_assert_eq!(cal.business_seconds_between(now, due), c.left_seconds());
                }
            }
            prop_assert_eq!(c.left_seconds() + c.used_seconds.min(c.budget_seconds), c.budget_seconds);
        }
    }

    #[test]
    fn used_time_never_decreases_while_the_target_is_unchanged(h in history(), a in 0i64..20_000, b in 0i64..20_000) {
        let p = policy();
        let (a, b) = (offset(&h, a.min(b)), offset(&h, a.max(b)));
        let (ra, rb) = (compute_clocks(&h, &p, a).unwrap(), compute_clocks(&h, &p, b).unwrap());
        for ca in &ra.clocks {
            if let Some(cb) = rb.clock(ca.kind) {
                let fresh_vendor = ca.kind == TargetKind::VendorEscalation;
                if ca.target == cb.target && !fresh_vendor {
                    prop_assert!(ca.used_seconds <= cb.used_seconds);
                }
            }
        }
    }

    #[test]
    fn something_happens_at_the_next_action(h in history(), cut in 0i64..20_000) {
        let p = policy();
        let now = offset(&h, cut);
        let before = compute_clocks(&h, &p, now).unwrap();
        let Some(next) = before.next_action else { return Ok(()) };
        prop_assert!(next > now);
        // Only future events could change the picture; drop them.
        let seen: Vec<TicketEvent> = h.iter().filter(|e| e.at <= now).cloned().collect();
        let after = compute_clocks(&seen, &p, next).unwrap();
        let changed = before.clocks.iter().zip(&after.clocks).any(|(x, y)| {
            x.state == ClockState::Running && (x.warning != y.warning || y.state == ClockState::Breached)
        });
        prop_assert!(changed, "nothing changed at {next}");
        let just_before = compute_clocks(&seen, &p, next - Duration::seconds(1)).unwrap();
        let same = before.clocks.iter().zip(&just_before.clocks).all(|(x, y)| x.state == y.state && x.warning == y.warning);
        prop_assert!(same, "something changed before {next}");
    }

    /// With a 24x7 calendar, used time is wall time minus paused time.
    #[test]
    fn paused_time_does_not_count(gaps in prop::collection::vec((1i64..300, prop::bool::ANY), 1..30), tail in 0i64..300) {
        let p = SlaPolicy::new()
            .with_calendar("24x7", Calendar::always())
            .with_target(Target::new(TargetKind::Resolution, Priority::Low, 100_000, "24x7").paused_on(PauseOn::all_pending()));
        let mut t = at("2026-01-01T00:00:00Z");
        let mut h = vec![TicketEvent::new(t, EventKind::Opened { priority: Priority::Low, contract: None })];
        let (mut expected, mut pending) = (0i64, false);
        for (gap, to_pending) in gaps {
            expected += if pending { 0 } else { gap };
            t += Duration::minutes(gap);
            pending = to_pending;
            let s = if pending { Status::Pending(PendingReason::WaitingVendor) } else { Status::InProgress };
            h.push(TicketEvent::new(t, EventKind::StatusChanged(s)));
        }
        expected += if pending { 0 } else { tail };
        let r = compute_clocks(&h, &p, t + Duration::minutes(tail)).unwrap();
        let c = r.clock(TargetKind::Resolution).unwrap();
        prop_assert_eq!(c.used_seconds, u64::try_from(expected * 60).unwrap());
        prop_assert_eq!(c.state == ClockState::Paused, pending);
    }

    #[test]
    fn the_strictest_matching_target_wins(budgets in prop::collection::vec((1u32..5_000, prop::bool::ANY, 0..4usize), 1..12), p in 0..4usize, gold in prop::bool::ANY) {
        let mut policy = SlaPolicy::new().with_calendar("24x7", Calendar::always());
        for &(budget, for_gold, prio) in &budgets {
            let t = Target::new(TargetKind::Resolution, PRIORITIES[prio], budget, "24x7");
            policy = policy.with_target(if for_gold { t.for_contract("gold") } else { t });
        }
        let contract = gold.then(|| "gold".to_string());
        let h = [TicketEvent::new(at("2026-01-01T00:00:00Z"), EventKind::Opened { priority: PRIORITIES[p], contract })];
        let r = compute_clocks(&h, &policy, at("2026-01-01T00:00:00Z")).unwrap();
        let best = budgets.iter().filter(|b| b.2 == p && (gold || !b.1)).map(|b| b.0).min();
        prop_assert_eq!(r.clock(TargetKind::Resolution).map(|c| c.target.budget_minutes), best);
    }
}
