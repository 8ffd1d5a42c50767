//! Annual plans at scale through the real store (SQLite in a temp dir, or `DB_URL`): create
//! CONTRACTS contracts (Tokyo office calendar with Japanese holidays, eight recurring
//! services each), then time generating every contract's plan for 2026 (`ensure_plan`:
//! expansion, shift, one write transaction per contract), reading them back
//! (`contract_plan`), and the scheduler pass that creates the work orders due by 1 April.
//!
//! `cargo run --release -p onestop-store --example plan_fleet -- [CONTRACTS] [DB_URL]`
//! (defaults: 1000, a temp SQLite file).
use onestop_store::{ContractInput, ContractService, CustomerInput, Scope, Store};
use std::time::Instant;

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

fn ms(date: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("onestop.db").display()));
    let store = Store::open(&url).await.expect("open");
    let sys = Scope::System;
    let t0 = Instant::now();
    let mut ids = vec![];
    for i in 0..n {
        let c = store
            .create_customer(
                &sys,
                CustomerInput {
                    name: Some(format!("Customer {i}")),
                    ..Default::default()
                },
            )
            .await
            .expect("customer");
        let month = 1 + (i % 3) as u32;
        let k = store
            .create_contract(
                &sys,
                ContractInput {
                    customer_id: Some(c.id),
                    name: Some(format!("Contract {i}")),
                    starts_on: Some(format!("2026-{month:02}-{:02}", 1 + i % 28)),
                    calendar_toml: Some(CALENDAR.into()),
                    services: Some(
                        SERVICES
                            .iter()
                            .map(|(s, r)| ContractService {
                                service: s.to_string(),
                                rrule: r.to_string(),
                                params: serde_json::json!({}),
                            })
                            .collect(),
                    ),
                    ..Default::default()
                },
            )
            .await
            .expect("contract");
        ids.push(k.id);
    }
    eprintln!("setup: {n} customers and contracts in {:?}", t0.elapsed());
    let now = ms("2026-01-01");
    let t = Instant::now();
    for id in &ids {
        store.ensure_plan(&sys, id, 2026, now).await.expect("plan");
    }
    let gen_time = t.elapsed();
    let t = Instant::now();
    let mut activities = 0;
    for id in &ids {
        activities += store
            .contract_plan(&sys, id, 2026, now)
            .await
            .expect("read")
            .activities
            .len();
    }
    let read_time = t.elapsed();
    let t = Instant::now();
    let mut made = 0;
    loop {
        let k = store
            .create_due_work_orders(ms("2026-04-01"))
            .await
            .expect("work orders");
        if k == 0 {
            break;
        }
        made += k;
    }
    let wo_time = t.elapsed();
    let backend = store.backend();
    println!("{n} contracts, {activities} activities ({backend:?})");
    println!(
        "plan generation through the store: {gen_time:?} ({:.2} ms per contract)",
        gen_time.as_secs_f64() * 1000.0 / n as f64
    );
    println!("plan reads: {read_time:?}");
    println!("work orders due by 2026-04-01: {made} in {wo_time:?}");
}
