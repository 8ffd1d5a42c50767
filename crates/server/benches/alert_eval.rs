//! How long one alert evaluation pass takes for 1,000 hosts × the default rules on SQLite.
//! Each host gets five minutes of node metrics (CPUs, memory, swap, two filesystems, load)
//! in one batch, compacted; then the pass runs twice (the first creates the alert rows, the
//! second is the steady state) and both times are printed.
//! Run: `cargo bench -p onestop-server --bench alert_eval` (HOSTS=n to change the count).
use onestop_proto::{Batch, Payload, Point, Series, encode_batch};
use onestop_store::{BatchMeta, CustomerInput, EnrollInput, Retention, Scope, Store};
use std::collections::BTreeMap;
use std::time::Instant;

fn series(name: &str, labels: &[(&str, &str)], now: i64, f: impl Fn(i64) -> f64) -> Series {
    Series {
        name: name.into(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        points: (0..30)
            .map(|i| Point {
                ts_ms: now - 300_000 + i * 10_000,
                value: f(i),
            })
            .collect(),
    }
}

fn node_batch(now: i64) -> Vec<Series> {
    let mut v = Vec::new();
    for cpu in ["0", "1"] {
        v.push(series(
            "node_cpu_seconds_total",
            &[("cpu", cpu), ("mode", "idle")],
            now,
            |i| 1000.0 + i as f64 * 8.0,
        ));
        v.push(series(
            "node_cpu_seconds_total",
            &[("cpu", cpu), ("mode", "user")],
            now,
            |i| 500.0 + i as f64 * 2.0,
        ));
    }
    v.push(series("node_memory_MemTotal_bytes", &[], now, |_| 8e9));
    v.push(series("node_memory_MemAvailable_bytes", &[], now, |_| 5e9));
    v.push(series("node_memory_SwapTotal_bytes", &[], now, |_| 2e9));
    v.push(series("node_memory_SwapFree_bytes", &[], now, |_| 2e9));
    v.push(series("node_load1", &[], now, |_| 0.5));
    for mp in ["/", "/var"] {
        v.push(series(
            "node_filesystem_size_bytes",
            &[("mountpoint", mp)],
            now,
            |_| 1e11,
        ));
        v.push(series(
            "node_filesystem_avail_bytes",
            &[("mountpoint", mp)],
            now,
            |i| 6e10 - i as f64 * 1e6,
        ));
    }
    v
}

#[tokio::main]
async fn main() {
    let hosts: usize = std::env::var("HOSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = std::env::temp_dir().join(format!("onestop-alert-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = Store::open_data_dir(&dir).await.expect("store");
    let staff = Scope::System;
    let c = store
        .create_customer(
            &staff,
            CustomerInput {
                name: Some("Bench".into()),
                ..Default::default()
            },
        )
        .await
        .expect("customer");
    let now = onestop_store::now_ms();
    let setup = Instant::now();
    for i in 0..hosts {
        let (_, token) = store
            .create_enrollment_token(&staff, &c.id, 3_600_000)
            .await
            .expect("token");
        let e = store
            .enroll_host(EnrollInput {
                token,
                hostname: format!("h{i}"),
                machine_id: format!("m{i}"),
                os: "Debian".into(),
                ip_addresses: String::new(),
            })
            .await
            .expect("enrol");
        let who = store
            .agent_by_credential(&e.credential)
            .await
            .expect("who")
            .expect("agent");
        let b = Batch {
            version: 1,
            seq: 1,
            sent_at_ms: now,
            payload: Payload {
                series: node_batch(now),
                ..Default::default()
            },
        };
        let body = encode_batch(&b).expect("encode");
        let meta = BatchMeta {
            seq: 1,
            samples: 30 * 15,
            has_inventory: false,
            log_lines: 0,
            checks: 0,
        };
        store.ingest_batch(&who, meta, &body).await.expect("ingest");
    }
    while store
        .compact(now, 500, Retention::default())
        .await
        .expect("compact")
        .batches
        > 0
    {}
    let rules = store.ensure_default_rules().await.expect("rules");
    println!(
        "setup: {hosts} hosts, {rules} default rules, {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    for pass in ["first pass (creates alert rows)", "steady-state pass"] {
        let t = Instant::now();
        onestop_server::monitor::eval::evaluate_all(&store, now, 120_000)
            .await
            .expect("evaluate");
        println!(
            "{pass}: {:.3} s for {hosts} hosts × {rules} rules",
            t.elapsed().as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
