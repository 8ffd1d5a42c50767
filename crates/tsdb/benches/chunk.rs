//! Criterion benchmarks: chunk encode and decode speed on node-like series
//! (a tick counter in hundredths, a byte counter, a slightly varying gauge),
//! two hours at a 10 s interval with millisecond jitter.

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

criterion_group!(benches, bench);
criterion_main!(benches);
