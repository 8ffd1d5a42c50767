//! Per-step CPU cost of the agent on this host: one collection, conversion to
//! wire series, packing for the spool, re-wrapping into a batch at send time,
//! and an inventory scan.
//!
//! Usage: `cargo run --release -p onestop-agent --example cost`

use onestop_agent::collect::{Context, SmartCache, collect_all};
use onestop_agent::ship::{pack_payload, record_to_batch};
use onestop_agent::spool::Record;
use onestop_proto::Payload;
use std::time::{Instant, SystemTime};
fn main() {
    let ctx = Context {
        smartctl: None,
        ..Context::default()
    };
    let mut sc = SmartCache::default();
    let n = 200;
    let t = Instant::now();
    let mut m = None;
    for _ in 0..n {
        m = Some(collect_all(&ctx, &mut sc, SystemTime::now()));
    }
    println!("collect {:?}", t.elapsed() / n);
    let m = m.unwrap();
    let t = Instant::now();
    let mut p = None;
    for _ in 0..n {
        p = Some(Payload {
            series: m.to_series(1),
            inventory: None,
            logs: vec![],
            checks: vec![],
        });
    }
    println!("to_series {:?}", t.elapsed() / n);
    let p = p.unwrap();
    let t = Instant::now();
    let mut packed = vec![];
    for _ in 0..n {
        packed = pack_payload(&p).unwrap();
    }
    println!(
        "pack {:?} ({} bytes, json {})",
        t.elapsed() / n,
        packed.len(),
        serde_json::to_vec(&p).unwrap().len()
    );
    let rec = Record {
        seq: 1,
        ts_ms: 1,
        payload: packed,
    };
    let t = Instant::now();
    for _ in 0..n {
        record_to_batch(&rec, 5).unwrap();
    }
    println!("rewrap {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..5 {
        onestop_agent::inventory::collect(std::path::Path::new("/"));
    }
    println!("inventory {:?}", t.elapsed() / 5);
}
