//! Mining throughput on one thread.
//!
//! Builds a stream of at least 1,000,000 messages from the Loghub 2k samples (the `<Content>`
//! of every line, repeated, with multi-digit numbers perturbed on each repetition), writes it
//! to a file so that `bench/drain3_rate.py` can time Drain3 on exactly the same messages, then
//! times `TemplateMiner::add` over it and prints the rate.
//!
//! Environment: `ONESTOP_LOGHUB` (default `../shared/data/loghub-2k` beside the workspace),
//! `ONESTOP_STREAM` (default `$TMPDIR/onestop-mine-stream.txt`), `ONESTOP_STREAM_LINES`.
//! Without the data, a synthetic stream of varied messages is used instead.

use std::path::{Path, PathBuf};
use std::time::Instant;

use onestop_logs::TemplateMiner;
use onestop_logs::loghub::LogFormat;

fn samples(dir: &Path) -> Vec<String> {
    let Ok(formats) = std::fs::read_to_string(dir.join("formats.tsv")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for row in formats.lines().skip(1) {
        let Some((name, fmt)) = row.split_once('\t') else {
            continue;
        };
        let (Ok(f), Ok(text)) = (
            LogFormat::parse(fmt),
            std::fs::read_to_string(dir.join(name).join(format!("{name}_2k.log"))),
        ) else {
            continue;
        };
        out.extend(text.lines().map(|l| f.content(l).to_string()));
    }
    out
}

fn synthetic() -> Vec<String> {
    let users = [
        "root", "admin", "alice", "bob", "carol", "deploy", "test", "guest",
    ];
    (0..5000)
        .map(|i| match i % 5 {
            0 => format!(
                "Failed password for {} from 10.0.{}.{} port {} ssh2",
                users[i % 8],
                i % 250,
                i % 199,
                1024 + i
            ),
            1 => format!(
                "Received block blk_{} of size {} from /10.251.{}.{}",
                9_000_000 + i * 7,
                67_108_864 - i,
                i % 255,
                i % 97
            ),
            2 => format!(
                "session opened for user {} by (uid={})",
                users[(i / 3) % 8],
                i % 1000
            ),
            3 => format!(
                "Connection broken for id {}, my id = {}, error = ",
                i % 7,
                i % 3
            ),
            _ => format!(
                "jk2_init() Found child {} in scoreboard slot {}",
                2000 + i,
                i % 12
            ),
        })
        .collect()
}

/// Changes every digit of runs of two or more digits, differently on each repetition.
fn perturb(line: &str, rep: usize) -> String {
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in b.iter().enumerate() {
        let in_run = c.is_ascii_digit()
            && (b.get(i + 1).is_some_and(u8::is_ascii_digit)
                || (i > 0 && b[i - 1].is_ascii_digit()));
        if in_run {
            out.push(char::from(
                b'0' + (c - b'0' + (rep % 10) as u8 + (i % 3) as u8) % 10,
            ));
        } else {
            out.push(char::from(c));
        }
    }
    if line.is_ascii() {
        out
    } else {
        line.to_string()
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let data = std::env::var_os("ONESTOP_LOGHUB")
        .map_or_else(|| root.join("shared/data/loghub-2k"), PathBuf::from);
    let stream = std::env::var_os("ONESTOP_STREAM").map_or_else(
        || std::env::temp_dir().join("onestop-mine-stream.txt"),
        PathBuf::from,
    );
    let want: usize = std::env::var("ONESTOP_STREAM_LINES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut base = samples(&data);
    let source = if base.is_empty() {
        "synthetic"
    } else {
        "loghub-2k"
    };
    if base.is_empty() {
        base = synthetic();
    }
    let mut lines = Vec::with_capacity(want + base.len());
    let mut rep = 0;
    while lines.len() < want {
        lines.extend(base.iter().map(|l| perturb(l, rep)));
        rep += 1;
    }
    if let Err(e) = std::fs::write(&stream, lines.join("\n") + "\n") {
        eprintln!("cannot write {}: {e}", stream.display());
    }
    let (mut best, mut best_cpu) = (f64::MAX, f64::MAX);
    let mut templates = 0;
    for _ in 0..5 {
        let mut miner = TemplateMiner::default();
        let (t, cpu) = (Instant::now(), cpu_secs());
        for l in &lines {
            std::hint::black_box(miner.add(l));
        }
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu, cpu_secs()) {
            best_cpu = best_cpu.min(b - a);
        }
        templates = miner.templates().len();
    }
    let n = lines.len() as f64;
    println!(
        "onestop miner: {} lines ({source}, {templates} templates) in {best:.3} s = {:.0} lines/s wall, {:.0} lines/s on-CPU (stream: {})",
        lines.len(),
        n / best,
        n / best_cpu,
        stream.display()
    );
}

/// Time this thread has spent on a CPU, from `/proc/thread-self/schedstat` (Linux), so that
/// the rate can also be read on a machine shared with other work.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
