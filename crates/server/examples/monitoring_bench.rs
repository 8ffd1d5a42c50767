//! Monitoring figures on this machine, into SQLite through the real code paths:
//!
//! 1. ingest: samples/s through decode + store (`monitor::ingest::Ingestor::accept`, as the handler
//!    calls it), with agent-shaped batches (one collection of ~440 node metrics each) from
//!    several hosts at once, and with batches of 60 collections (a spool replay);
//! 2. storage: bytes per sample on disk after compaction (raw chunk bytes, and the whole
//!    database file after VACUUM including rollups, indexes and batch bookkeeping);
//! 3. query: 30 days of one series at a 1 h step, and a host page's worth of queries.
//!
//! Series and values come from `crates/tsdb/benches/node-sample.prom` (a real exposition),
//! simulated at a 10 s interval (see `crates/tsdb/benches/common/node_sim.rs`).
//!
//! Usage: `cargo run --release -p onestop-server --example monitoring_bench [HOURS]`
//! (HOURS of data per host for figures 1 and 2, default 24).
#[path = "../../tsdb/benches/common/node_sim.rs"]
mod node_sim;

use node_sim::{Rng, STEPS, parse, simulate};
use onestop_proto::{Batch, Payload, Point, Series, encode_batch};
use onestop_server::monitor::ingest::Ingestor;
use onestop_store::{
    AgentIdentity, CustomerInput, EnrollInput, Retention, Scope, SeriesQuery, Store,
};
use onestop_tsdb::Agg;
use std::collections::BTreeMap;
use std::time::Instant;

const T0: i64 = 1_700_000_000_000 / 21_600_000 * 21_600_000;
const HOUR: i64 = 3_600_000;

fn split(key: &str) -> (String, BTreeMap<String, String>) {
    let Some((name, rest)) = key.split_once('{') else {
        return (key.to_string(), BTreeMap::new());
    };
    let mut labels = BTreeMap::new();
    for pair in rest.trim_end_matches('}').split("\",") {
        if let Some((k, v)) = pair.split_once("=\"") {
            labels.insert(k.to_string(), v.trim_end_matches('"').to_string());
        }
    }
    (name.to_string(), labels)
}

/// One host's simulated day: per series (name, labels, values at 10 s).
fn simulate_host(seed: u64) -> Vec<(String, BTreeMap<String, String>, Vec<f64>)> {
    let text = include_str!("../../tsdb/benches/node-sample.prom");
    let (series, uptime) = parse(text);
    let mut rng = Rng(seed);
    series
        .iter()
        .map(|(key, v0)| {
            let (name, labels) = split(key);
            (name, labels, simulate(key, *v0, uptime, &mut rng))
        })
        .collect()
}

/// Encoded batches of `per` collections each, over `steps` ticks.
fn batches(
    host: &[(String, BTreeMap<String, String>, Vec<f64>)],
    steps: usize,
    per: usize,
    seq0: u64,
) -> Vec<(u64, Vec<u8>)> {
    (0..steps.div_ceil(per))
        .map(|b| {
            let ticks = b * per..((b + 1) * per).min(steps);
            let series = host
                .iter()
                .map(|(name, labels, vals)| Series {
                    name: name.clone(),
                    labels: labels.clone(),
                    points: ticks
                        .clone()
                        .map(|i| Point {
                            ts_ms: T0 + i as i64 * 10_000,
                            value: vals[i % STEPS],
                        })
                        .collect(),
                })
                .collect();
            let seq = seq0 + b as u64 + 1;
            let batch = Batch {
                version: 1,
                seq,
                sent_at_ms: 0,
                payload: Payload {
                    series,
                    ..Default::default()
                },
            };
            (seq, encode_batch(&batch).unwrap())
        })
        .collect()
}

async fn host(store: &Store, customer: &str, name: &str) -> AgentIdentity {
    let (_, token) = store
        .create_enrollment_token(&Scope::System, customer, HOUR)
        .await
        .unwrap();
    let e = store
        .enroll_host(EnrollInput {
            token,
            hostname: name.into(),
            machine_id: name.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    store
        .agent_by_credential(&e.credential)
        .await
        .unwrap()
        .unwrap()
}

async fn ingest(
    ing: &Ingestor,
    agents: &[AgentIdentity],
    work: Vec<Vec<(u64, Vec<u8>)>>,
) -> (f64, u64) {
    let samples: u64 = work
        .iter()
        .flatten()
        .map(|(_, b)| {
            onestop_proto::decode_batch(b)
                .unwrap()
                .payload
                .series
                .iter()
                .map(|s| s.points.len() as u64)
                .sum::<u64>()
        })
        .sum();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for (agent, list) in agents.iter().cloned().zip(work) {
        let ing = ing.clone();
        tasks.push(tokio::spawn(async move {
            for (_, body) in list {
                ing.accept(&agent, body.into()).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (samples as f64 / t.elapsed().as_secs_f64(), samples)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let hours: usize = std::env::args()
        .nth(1)
        .and_then(|h| h.parse().ok())
        .unwrap_or(24);
    let steps = (hours * 360).min(STEPS);
    let dir = std::env::temp_dir().join(format!("onestop-monbench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("onestop.db");
    let store = Store::open(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let customer = store
        .create_customer(
            &Scope::System,
            CustomerInput {
                name: Some("Bench".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let ing = Ingestor::start(store.clone());
    let sims: Vec<_> = (0..4)
        .map(|i| simulate_host(0x2545_f491_4f6c_dd1d + i))
        .collect();
    let mut agents = Vec::new();
    for i in 0..4 {
        agents.push(host(&store, &customer, &format!("bench{i}")).await);
    }
    println!(
        "{} series per host, {hours} h at 10 s = {steps} collections per host",
        sims[0].len()
    );

    // 1. Ingest.
    let t = Instant::now();
    let agent_shaped: Vec<_> = sims.iter().map(|h| batches(h, steps, 1, 0)).collect();
    eprintln!(
        "(encoded agent-shaped batches in {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let (rate, n) = ingest(&ing, &agents, agent_shaped.clone()).await;
    println!(
        "ingest, 4 agents in parallel, 1 collection per batch: {rate:>11.0} samples/s ({n} samples)"
    );
    // Many agents at once (a server with many hosts): the same kind of data from 64 agents,
    // each sending its part in order, so that commits group.
    let mut many = Vec::new();
    let mut streams = Vec::new();
    for (h, list) in agent_shaped.into_iter().enumerate() {
        let per = list.len().div_ceil(16);
        for (k, part) in list.chunks(per).enumerate() {
            many.push(host(&store, &customer, &format!("many{h}-{k}")).await);
            streams.push(part.to_vec());
        }
    }
    let (rate, n) = ingest(&ing, &many, streams).await;
    println!(
        "ingest, {} agents in parallel, 1 collection per batch: {rate:>10.0} samples/s ({n} samples)",
        many.len()
    );
    let mut more = Vec::new();
    for i in 0..4 {
        more.push(host(&store, &customer, &format!("replay{i}")).await);
    }
    let replay: Vec<_> = sims.iter().map(|h| batches(h, steps, 60, 0)).collect();
    let (rate, n) = ingest(&ing, &more, replay).await;
    println!(
        "ingest, 4 agents in parallel, 60 collections per batch: {rate:>10.0} samples/s ({n} samples)"
    );
    let resent: Vec<_> = sims.iter().map(|h| batches(h, 60, 1, 0)).collect();
    let before = store.batch_totals(&agents[0].host_id).await.unwrap();
    ingest(&ing, &agents, resent).await;
    assert_eq!(
        store.batch_totals(&agents[0].host_id).await.unwrap(),
        before,
        "resent batches are not stored twice"
    );

    let sample_batches = batches(&sims[0], 360, 1, 0);
    let t = Instant::now();
    let mut n = 0u64;
    for (_, b) in &sample_batches {
        n += onestop_proto::decode_batch(b)
            .unwrap()
            .payload
            .series
            .iter()
            .map(|s| s.points.len() as u64)
            .sum::<u64>();
    }
    println!(
        "(reference: decoding alone on one core: {:.0} samples/s)",
        n as f64 / t.elapsed().as_secs_f64()
    );

    // 2. Storage after compaction (every window closed: `now` is a day after the data).
    let now = T0 + (steps as i64 * 10_000) + 24 * HOUR;
    let t = Instant::now();
    let mut compacted = 0;
    loop {
        let r = store.compact_batches(now, 200).await.unwrap();
        compacted += r.samples;
        if r.batches == 0 {
            break;
        }
    }
    let compact_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    store.merge_chunks(now, false).await.unwrap();
    store.merge_chunks(now, true).await.unwrap();
    println!(
        "compaction: {compacted} samples in {compact_s:.1} s ({:.0} samples/s), merge and roll-up {:.1} s",
        compacted as f64 / compact_s,
        t.elapsed().as_secs_f64()
    );
    let (raw_bytes, raw_samples, rollup_bytes) = store.chunk_bytes().await.unwrap();
    println!(
        "storage: raw chunks {:.3} bytes/sample ({raw_bytes} bytes, {raw_samples} samples); rollups add {:.3} bytes/sample",
        raw_bytes as f64 / raw_samples as f64,
        rollup_bytes as f64 / raw_samples as f64
    );
    store.vacuum().await.unwrap();
    let file = std::fs::metadata(&db).unwrap().len();
    println!(
        "storage: database file after VACUUM {:.3} bytes/sample ({file} bytes for {raw_samples} samples, everything included)",
        file as f64 / raw_samples as f64
    );

    // 3. Queries: 30 days of one series (a counter and a gauge) at a 1 h step.
    let q_agent = host(&store, &customer, "thirty-days").await;
    let (gauge, counter) = (
        &sims[0][0],
        &sims[0]
            .iter()
            .find(|s| s.0 == "node_cpu_seconds_total")
            .unwrap(),
    );
    for day in 0..30usize {
        let series = [gauge, *counter]
            .iter()
            .map(|(name, labels, vals)| Series {
                name: name.clone(),
                labels: labels.clone(),
                points: (0..STEPS)
                    .map(|i| Point {
                        ts_ms: T0 + (day * STEPS + i) as i64 * 10_000,
                        value: vals[i]
                            + if name.ends_with("_total") {
                                (day * 100_000) as f64
                            } else {
                                0.0
                            },
                    })
                    .collect(),
            })
            .collect();
        let b = Batch {
            version: 1,
            seq: day as u64 + 1,
            sent_at_ms: 0,
            payload: Payload {
                series,
                ..Default::default()
            },
        };
        ing.accept(&q_agent, encode_batch(&b).unwrap().into())
            .await
            .unwrap();
    }
    let end = T0 + 30 * 24 * HOUR;
    store
        .compact(end + 24 * HOUR, 100, Retention::default())
        .await
        .unwrap();
    for (name, labels, _) in [gauge, *counter] {
        let q = SeriesQuery {
            name: name.clone(),
            labels: labels.clone(),
            from_ms: end - 30 * 24 * HOUR,
            to_ms: end,
            step_ms: HOUR,
            agg: None,
        };
        let r = store
            .query_series(&Scope::System, &q_agent.host_id, &q)
            .await
            .unwrap();
        assert_eq!(r[0].points.len(), 720, "{name}");
        let runs = 200;
        let t = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(
                store
                    .query_series(&Scope::System, &q_agent.host_id, &q)
                    .await
                    .unwrap(),
            );
        }
        println!(
            "query: 30 days of {name} at 1 h step ({}, {}): {:.2} ms",
            r[0].resolution,
            r[0].agg,
            t.elapsed().as_secs_f64() * 1000.0 / runs as f64
        );
    }
    // A host page (24 h at 15 min): the series the page charts, on a host with a day of data.
    let h = &agents[0].host_id;
    let page = [
        "node_cpu_seconds_total",
        "node_load1",
        "node_load5",
        "node_load15",
        "node_memory_MemTotal_bytes",
        "node_memory_MemAvailable_bytes",
        "node_memory_SwapFree_bytes",
        "node_filesystem_avail_bytes",
        "node_filesystem_size_bytes",
        "node_network_receive_bytes_total",
        "node_network_transmit_bytes_total",
        "node_disk_read_bytes_total",
        "node_disk_written_bytes_total",
    ];
    let day_end = T0 + steps as i64 * 10_000;
    let runs = 20;
    let t = Instant::now();
    for _ in 0..runs {
        for name in page {
            let q = SeriesQuery {
                name: name.into(),
                labels: BTreeMap::new(),
                from_ms: day_end - 24 * HOUR,
                to_ms: day_end,
                step_ms: 15 * 60_000,
                agg: None,
            };
            std::hint::black_box(store.query_series(&Scope::System, h, &q).await.unwrap());
        }
    }
    println!(
        "query: a host page's {} series queries (24 h at 15 min): {:.1} ms",
        page.len(),
        t.elapsed().as_secs_f64() * 1000.0 / runs as f64
    );
    let _ = Agg::Avg;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
