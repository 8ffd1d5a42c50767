//! Work records on SQLite: latency of logging time and raising/answering vendor cases on one
//! ticket as its history grows (each write replays the history for the SLA clocks), reading
//! the ticket, and attachment throughput. Prints the figures; run with
//! `cargo bench -p onestop-store --bench work_records`.
use onestop_domain::model::Role;
use onestop_store::*;
use std::time::{Duration, Instant};

fn staff() -> Scope {
    Scope::Staff {
        user_id: "u-bench".into(),
        username: "bench".into(),
        role: Role::Admin,
    }
}

fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open_data_dir(dir.path()).await.unwrap();
    let sc = staff();
    let c = s
        .create_customer(
            &sc,
            CustomerInput {
                name: Some("Acme".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let t = s
        .create_ticket(
            &sc,
            TicketInput {
                customer_id: Some(c.id.clone()),
                title: Some("bench".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let n = 1000;
    let mut lat = Vec::with_capacity(n);
    let t0 = Instant::now();
    for i in 0..n {
        let start = Instant::now();
        if i % 10 == 0 {
            let case = s
                .raise_vendor_case(
                    &sc,
                    &t.id,
                    VendorCaseInput {
                        vendor: "V".into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            s.answer_vendor_case(
                &sc,
                &t.id,
                &case.id,
                VendorAnswerInput { body: "ok".into() },
            )
            .await
            .unwrap();
        } else {
            s.add_time_entry(
                &sc,
                &t.id,
                TimeEntryInput {
                    minutes: 5,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        lat.push(start.elapsed());
    }
    let total = t0.elapsed();
    let events = s.ticket_events(&sc, &t.id).await.unwrap().len();
    println!(
        "work records: {n} writes on one ticket in {:.2} s; p50 {:.2} ms, p99 {:.2} ms, last 100 p50 {:.2} ms ({events} events at the end)",
        total.as_secs_f64(),
        pct(lat.clone(), 0.5),
        pct(lat.clone(), 0.99),
        pct(lat[n - 100..].to_vec(), 0.5)
    );
    let mut reads = vec![];
    for _ in 0..100 {
        let start = Instant::now();
        let got = s.get_ticket(&sc, &t.id).await.unwrap();
        assert!(got.sla.vendor.is_some());
        reads.push(start.elapsed());
    }
    println!(
        "get_ticket with {events} events (SLA replay incl. vendor clock): p50 {:.2} ms, p99 {:.2} ms",
        pct(reads.clone(), 0.5),
        pct(reads, 0.99)
    );
    let files = dir.path().join("attachments");
    let mb = 1024 * 1024;
    let body: Vec<u8> = (0..mb).map(|i| b"0123456789abcdef\n"[i % 17]).collect();
    let k = 50;
    let start = Instant::now();
    for i in 0..k {
        s.add_attachment(
            &sc,
            &t.id,
            &files,
            NewAttachment {
                filename: format!("log-{i}.txt"),
                content_type: Some("text/plain".into()),
                bytes: body.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "attachments: {k} × 1 MiB text (sniff, SHA-256, write, row, event, audit) in {secs:.2} s = {:.1} MiB/s, {:.1} ms each",
        k as f64 / secs,
        secs * 1000.0 / k as f64
    );
}
