//! Benchmark of the SLA engine: replaying a 50-event ticket history.

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use onestop_domain::calendar::Calendar;
use onestop_domain::sla::{
    EventKind, PauseOn, PendingReason, Priority, SlaPolicy, Status, Target, TargetKind,
    TicketEvent, compute_clocks,
};

fn policy() -> SlaPolicy {
    let office = Calendar::from_toml(
        r#"
timezone = "Asia/Tokyo"
holidays = "jp"
[hours]
mon = ["09:00-12:00", "13:00-18:00"]
tue = ["09:00-12:00", "13:00-18:00"]
wed = ["09:00-12:00", "13:00-18:00"]
thu = ["09:00-12:00", "13:00-18:00"]
fri = ["09:00-12:00", "13:00-18:00"]
"#,
    )
    .expect("valid calendar");
    let mut p = SlaPolicy::new()
        .with_calendar("office", office)
        .with_calendar("24x7", Calendar::always());
    let prios = [
        Priority::Critical,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ];
    for (i, prio) in prios.into_iter().enumerate() {
        let scale = 1 << i;
        for contract in [None, Some("gold"), Some("silver")] {
            let cal = if i == 0 { "24x7" } else { "office" };
            let targets = [
                Target::new(TargetKind::FirstResponse, prio, 60 * scale, cal),
                Target::new(TargetKind::Resolution, prio, 480 * scale, cal)
                    .paused_on(PauseOn::all_pending()),
                Target::new(TargetKind::VendorEscalation, prio, 240 * scale, cal),
            ];
            for t in targets {
                p = p.with_target(match contract {
                    Some(c) => t.for_contract(c),
                    None => t,
                });
            }
        }
    }
    p
}

/// 50 events over about two weeks: statuses cycling through pending
/// reasons, a few priority and contract changes, vendor escalations.
fn history() -> (Vec<TicketEvent>, DateTime<Utc>) {
    let mut t = DateTime::parse_from_rfc3339("2026-04-20T09:30:00+09:00")
        .expect("instant")
        .with_timezone(&Utc);
    let mut events = vec![TicketEvent::new(
        t,
        EventKind::Opened {
            priority: Priority::Low,
            contract: None,
        },
    )];
    let cycle = [
        EventKind::StatusChanged(Status::Assigned),
        EventKind::StatusChanged(Status::InProgress),
        EventKind::StatusChanged(Status::Pending(PendingReason::WaitingCustomer)),
        EventKind::StatusChanged(Status::InProgress),
        EventKind::VendorEscalated,
        EventKind::StatusChanged(Status::Pending(PendingReason::WaitingVendor)),
        EventKind::VendorAnswered,
        EventKind::StatusChanged(Status::InProgress),
    ];
    for i in 1..50 {
        t += Duration::minutes(137 + 61 * (i % 5));
        let kind = match i {
            3 => EventKind::FirstResponse,
            10 => EventKind::PriorityChanged(Priority::Medium),
            20 => EventKind::ContractChanged(Some("gold".to_string())),
            30 => EventKind::PriorityChanged(Priority::High),
            _ => cycle[i as usize % cycle.len()].clone(),
        };
        events.push(TicketEvent::new(t, kind));
    }
    (events, t + Duration::hours(1))
}

fn bench(c: &mut Criterion) {
    let (events, now) = history();
    assert_eq!(events.len(), 50);
    let policy = policy();
    let mut group = c.benchmark_group("sla");
    group.throughput(Throughput::Elements(1));
    group.bench_function("replay_50_events", |b| {
        b.iter(|| black_box(compute_clocks(black_box(&events), &policy, now).ok()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
