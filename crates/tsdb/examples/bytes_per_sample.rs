//! Bytes per sample on simulated node metrics.
//!
//! Reads one Prometheus text exposition (e.g. `onestop-agent --once --print`),
//! then simulates every series for one day at a 10 s interval starting from its
//! real value: counters grow at their average rate since boot (±50 %, in the
//! value's own granularity, e.g. 0.01 s for CPU time), gauges that are static
//! on a real host (sizes, totals, flags) stay put, and the others take small
//! random steps (30 % of the time unchanged). Chunks are encoded with
//! [`ChunkEncoder`] at several chunk lengths and with or without timestamp
//! jitter (the agent stamps samples with the scheduled tick, so no jitter is
//! the agent's case). Every chunk is decoded and checked bit for bit.
//!
//! Usage: `cargo run --release -p onestop-tsdb --example bytes_per_sample -- FILE`

use onestop_tsdb::{ChunkEncoder, decode_all};

const STEPS: usize = 8640;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Smallest power-of-ten step in which `v` is exact (1, 0.1, … 0.001), else None.
fn granularity(v: f64) -> Option<f64> {
    (0..4)
        .map(|k| 10f64.powi(k))
        .find(|p| (v * p).round() / p == v)
        .map(|p| 1.0 / p)
}

fn is_static(name: &str) -> bool {
    const STATIC: [&str; 16] = [
        "size_bytes",
        "_files{",
        "boot_time",
        "MemTotal",
        "SwapTotal",
        "HugePages",
        "Hugepagesize",
        "readonly",
        "device_error",
        "required",
        "build_info",
        "chip_names",
        "sensor_label",
        "collector_success",
        "VmallocTotal",
        "DirectMap",
    ];
    STATIC.iter().any(|s| name.contains(s)) || name.starts_with("node_md_")
}

fn simulate(name: &str, v0: f64, uptime: f64, rng: &mut Rng) -> Vec<f64> {
    let counter = name.contains("_total") || name.starts_with("node_vmstat_");
    let g = granularity(v0).unwrap_or(0.01);
    let mut v = v0;
    let mut out = Vec::with_capacity(STEPS);
    for _ in 0..STEPS {
        out.push(v);
        if name.starts_with("node_time_seconds") {
            v += 10.0 + (rng.next() % 5000) as f64 * 1e-6;
        } else if counter {
            let rate = if v0 > 0.0 { v0 / uptime * 10.0 } else { 0.0 };
            let inc = if rate > 0.0 {
                rate * (0.5 + rng.unit())
            } else if rng.unit() < 0.001 {
                1.0
            } else {
                0.0
            };
            v = ((v + inc) / g).round() * g;
        } else if !is_static(name) && rng.unit() > 0.3 {
            let g = if v0 >= 4096.0 && v0 % 4096.0 == 0.0 {
                4096.0
            } else {
                g
            };
            let step = (v0.abs() * 0.001).max(g) * (rng.unit() * 2.0 - 1.0);
            v = (((v + step) / g).round() * g).max(0.0);
        }
    }
    out
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: bytes_per_sample FILE");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let series: Vec<(String, f64)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            l.rsplit_once(' ')
                .and_then(|(s, v)| Some((s.to_string(), v.parse().ok()?)))
        })
        .collect();
    let get = |n: &str| series.iter().find(|(s, _)| s == n).map(|&(_, v)| v);
    let uptime = match (get("node_time_seconds"), get("node_boot_time_seconds")) {
        (Some(now), Some(boot)) if now > boot => now - boot,
        _ => 86_400.0,
    };
    println!(
        "{} series from {path}, uptime {:.0} s, {STEPS} samples each (1 day at 10 s)",
        series.len(),
        uptime
    );
    for jitter_ms in [0u64, 20] {
        for chunk_len in [120usize, 720, STEPS] {
            let mut rng = Rng(0x2545_f491_4f6c_dd1d);
            let (mut bytes, mut samples) = (0usize, 0usize);
            for (name, v0) in &series {
                let vals = simulate(name, *v0, uptime, &mut rng);
                for (c, chunk) in vals.chunks(chunk_len).enumerate() {
                    let mut enc = ChunkEncoder::new();
                    let pts: Vec<(i64, f64)> = chunk
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| {
                            let j = if jitter_ms > 0 {
                                (rng.next() % jitter_ms) as i64
                            } else {
                                0
                            };
                            (
                                1_700_000_000_000 + ((c * chunk_len + i) as i64) * 10_000 + j,
                                v,
                            )
                        })
                        .collect();
                    for &(t, v) in &pts {
                        enc.push(t, v);
                    }
                    let out = enc.finish();
                    let back = decode_all(&out).expect("decodes");
                    assert!(
                        back.iter()
                            .zip(&pts)
                            .all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits())
                    );
                    bytes += out.len();
                    samples += pts.len();
                }
            }
            println!(
                "chunk {chunk_len:>5} samples, ts jitter {jitter_ms:>2} ms: {:.3} bytes/sample ({bytes} bytes, {samples} samples)",
                bytes as f64 / samples as f64
            );
        }
    }
}
