//! Plan generation for 1,000 contracts: each parses its business calendar (Tokyo office hours,
//! Japanese holidays, a year-end closure) and expands eight services' RRULEs over 2026 with
//! the shift to working days. One iteration is the whole batch.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use onestop_domain::calendar::Calendar;
use onestop_domain::plan::{ServicePlan, Shift, Term, default_owner_role, generate};

const CONTRACTS: usize = 1_000;

const CALENDAR: &str = r#"
timezone = "Asia/Tokyo"
holidays = "jp"
closed = ["2026-12-29..2027-01-03"]
[hours]
mon = ["09:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
thu = ["09:00-18:00"]
fri = ["09:00-18:00"]
"#;

const SERVICES: [(&str, &str); 8] = [
    ("patch_info", "FREQ=MONTHLY"),
    ("periodic_inspection", "FREQ=MONTHLY;INTERVAL=6"),
    ("environment_assessment", "FREQ=MONTHLY;INTERVAL=6"),
    ("technical_review", "FREQ=YEARLY"),
    ("log_diagnosis", "FREQ=MONTHLY"),
    ("performance_check", "FREQ=MONTHLY;INTERVAL=3"),
    ("system_inspection", "FREQ=YEARLY"),
    ("asset_management", "FREQ=WEEKLY;BYDAY=MO"),
];

fn contracts() -> Vec<(Term, Vec<ServicePlan>)> {
    (0..CONTRACTS)
        .map(|i| {
            let start = NaiveDate::from_ymd_opt(2026, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
                .expect("date");
            let term = Term {
                starts_on: start,
                ends_on: start + chrono::Months::new(12) - chrono::Days::new(1),
            };
            let services = SERVICES
                .iter()
                .map(|(code, rule)| ServicePlan {
                    service: code.to_string(),
                    rrule: rule.to_string(),
                    shift: if i % 3 == 0 {
                        Shift::Previous
                    } else {
                        Shift::Next
                    },
                    owner_role: default_owner_role(code).into(),
                    assets: vec![format!("asset-{i}")],
                })
                .collect();
            (term, services)
        })
        .collect()
}

fn plan_all(input: &[(Term, Vec<ServicePlan>)]) -> usize {
    let mut n = 0;
    for (term, services) in input {
        let cal = Calendar::from_toml(CALENDAR).expect("calendar");
        n += generate(services, &cal, *term, 2026).expect("plan").len();
    }
    n
}

fn bench(c: &mut Criterion) {
    let input = contracts();
    let started = std::time::Instant::now();
    let n = plan_all(&input);
    println!(
        "plan generation: {CONTRACTS} contracts, {n} activities in {:?} (one cold pass)",
        started.elapsed()
    );
    let mut g = c.benchmark_group("plan");
    g.sample_size(10);
    g.bench_function("1000_contracts_year", |b| {
        b.iter(|| black_box(plan_all(black_box(&input))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
