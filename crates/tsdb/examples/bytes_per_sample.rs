//! Bytes per sample on simulated node metrics.
//!
//! Reads one Prometheus text exposition (e.g. `onestop-agent --once --print`;
//! `benches/node-sample.prom` is one recorded on a 2-CPU VM), then simulates
//! every series for one day at a 10 s interval (see `benches/common/node_sim.rs`). Chunks are encoded with
//! [`ChunkEncoder`] at several chunk lengths and with or without timestamp
//! jitter (the agent stamps samples with the scheduled tick, so no jitter is
//! the agent's case). Every chunk is decoded and checked bit for bit.
//!
//! Usage: `cargo run --release -p onestop-tsdb --example bytes_per_sample -- FILE`

#[path = "../benches/common/node_sim.rs"]
mod node_sim;

use node_sim::{Rng, STEPS, parse, simulate};
use onestop_tsdb::{ChunkEncoder, decode_all};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: bytes_per_sample FILE");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let (series, uptime) = parse(&text);
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
