//! Criterion benchmarks of chunk encode and decode speed.
//!
//! `node_day`: every series of a recorded `onestop-agent --once --print`
//! (`node-sample.prom`) simulated for one day at 10 s (see
//! `common/node_sim.rs`), in 720-sample chunks; prints bytes per sample.
//! `chunk/*`: three noisy stress series (a tick counter in hundredths, a byte
//! counter with random increments, a random-walk gauge), two hours at 10 s
//! with millisecond jitter.

#[path = "common/node_sim.rs"]
mod node_sim;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use onestop_tsdb::{ChunkEncoder, decode};

const N: usize = 720;

/// Deterministic xorshift generator so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn series() -> Vec<(&'static str, Vec<(i64, f64)>)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut ticks, mut bytes, mut gauge) = (123_456_789u64, 9_876_543_210u64, 4.2e9f64);
    let (mut cpu, mut net, mut mem) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..N {
        let ts = 1_700_000_000_000 + i as i64 * 10_000 + (rng.next() % 5) as i64;
        ticks += 900 + rng.next() % 200;
        bytes += rng.next() % 50_000;
        gauge += ((rng.next() % 64) as f64 - 32.0) * 4096.0;
        cpu.push((ts, ticks as f64 / 100.0));
        net.push((ts, bytes as f64));
        mem.push((ts, gauge));
    }
    vec![("cpu_seconds", cpu), ("net_bytes", net), ("mem_gauge", mem)]
}

fn node_day() -> Vec<Vec<(i64, f64)>> {
    let (series, uptime) = node_sim::parse(include_str!("node-sample.prom"));
    let mut rng = node_sim::Rng(0x2545_f491_4f6c_dd1d);
    let mut chunks = Vec::new();
    for (name, v0) in &series {
        let vals = node_sim::simulate(name, *v0, uptime, &mut rng);
        for (c, chunk) in vals.chunks(720).enumerate() {
            let start = 1_700_000_000_000 + (c * 720) as i64 * 10_000;
            chunks.push(
                chunk
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| (start + i as i64 * 10_000, v))
                    .collect(),
            );
        }
    }
    chunks
}

fn encode(s: &[(i64, f64)]) -> Vec<u8> {
    let mut e = ChunkEncoder::new();
    for &(t, v) in s {
        e.push(t, v);
    }
    e.finish()
}

fn bench_node_day(c: &mut Criterion) {
    let chunks = node_day();
    let samples: usize = chunks.iter().map(Vec::len).sum();
    let encoded: Vec<Vec<u8>> = chunks.iter().map(|s| encode(s)).collect();
    let bytes: usize = encoded.iter().map(Vec::len).sum();
    println!(
        "node_day: {} series-chunks, {samples} samples, {bytes} bytes = {:.3} bytes/sample",
        chunks.len(),
        bytes as f64 / samples as f64
    );
    let mut g = c.benchmark_group("node_day");
    g.sample_size(10);
    g.throughput(Throughput::Elements(samples as u64));
    g.bench_function("encode", |b| {
        b.iter(|| chunks.iter().map(|s| encode(s).len()).sum::<usize>())
    });
    g.bench_function("decode", |b| {
        b.iter(|| {
            encoded
                .iter()
                .map(|e| {
                    decode(e)
                        .map(|it| it.filter_map(Result::ok).count())
                        .unwrap_or(0)
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("chunk");
    g.throughput(Throughput::Elements(N as u64));
    for (name, s) in series() {
        g.bench_function(format!("encode/{name}"), |b| {
            b.iter(|| {
                let mut e = ChunkEncoder::new();
                for &(t, v) in &s {
                    e.push(t, v);
                }
                e.finish()
            })
        });
        let mut e = ChunkEncoder::new();
        for &(t, v) in &s {
            e.push(t, v);
        }
        let bytes = e.finish();
        println!("{name}: {:.3} bytes/sample", bytes.len() as f64 / N as f64);
        g.bench_function(format!("decode/{name}"), |b| {
            b.iter(|| decode(&bytes).map(|it| it.filter_map(Result::ok).count()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_node_day, bench);
criterion_main!(benches);
