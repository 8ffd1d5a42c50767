//! `/proc/stat` (CPU time, context switches, forks, interrupts, boot time,
//! running/blocked processes), `/proc/loadavg` and `/proc/uptime`.

use super::{CollectError, Context, parse_err, read};
use crate::metrics::Metrics;

/// Kernel clock ticks per second for `/proc/stat` (USER_HZ, 100 on Linux).
const USER_HZ: f64 = 100.0;
const CPU_MODES: [&str; 8] = [
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
];

fn num(v: &str) -> f64 {
    v.parse::<f64>().unwrap_or(0.0)
}

pub(super) fn collect_cpu(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let path = ctx.proc("stat");
    let text = read(&path)?;
    let mut seen = false;
    for line in text.lines() {
        let mut f = line.split_whitespace();
        let Some(cpu) = f
            .next()
            .and_then(|n| n.strip_prefix("cpu"))
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        seen = true;
        let vals: Vec<f64> = f.map(num).collect();
        for (i, mode) in CPU_MODES.iter().enumerate() {
            let v = vals.get(i).copied().unwrap_or(0.0) / USER_HZ;
            m.counter(
                "node_cpu_seconds_total",
                "Seconds the CPUs spent in each mode.",
                &[("cpu", cpu), ("mode", mode)],
                v,
            );
        }
        for (i, mode) in [(8, "user"), (9, "nice")] {
            let v = vals.get(i).copied().unwrap_or(0.0) / USER_HZ;
            m.counter(
                "node_cpu_guest_seconds_total",
                "Seconds the CPUs spent in guests (VMs) for each mode.",
                &[("cpu", cpu), ("mode", mode)],
                v,
            );
        }
    }
    if !seen {
        return Err(parse_err(&path, "no per-CPU lines"));
    }
    Ok(())
}

pub(super) fn collect_stat(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let path = ctx.proc("stat");
    let text = read(&path)?;
    for line in text.lines() {
        let mut f = line.split_whitespace();
        let (Some(key), Some(v)) = (f.next(), f.next()) else {
            continue;
        };
        let v = num(v);
        match key {
            "intr" => m.counter(
                "node_intr_total",
                "Total number of interrupts serviced.",
                &[],
                v,
            ),
            "ctxt" => m.counter(
                "node_context_switches_total",
                "Total number of context switches.",
                &[],
                v,
            ),
            "btime" => m.gauge(
                "node_boot_time_seconds",
                "Node boot time, in unixtime.",
                &[],
                v,
            ),
            "processes" => m.counter("node_forks_total", "Total number of forks.", &[], v),
            "procs_running" => m.gauge(
                "node_procs_running",
                "Number of processes in runnable state.",
                &[],
                v,
            ),
            "procs_blocked" => m.gauge(
                "node_procs_blocked",
                "Number of processes blocked waiting for I/O to complete.",
                &[],
                v,
            ),
            _ => {}
        }
    }
    if m.get("node_boot_time_seconds").is_none() {
        return Err(parse_err(&path, "no btime line"));
    }
    Ok(())
}

pub(super) fn collect_loadavg(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let path = ctx.proc("loadavg");
    let text = read(&path)?;
    let f: Vec<&str> = text.split_whitespace().collect();
    if f.len() < 3 {
        return Err(parse_err(&path, "fewer than 3 fields"));
    }
    m.gauge("node_load1", "1m load average.", &[], num(f[0]));
    m.gauge("node_load5", "5m load average.", &[], num(f[1]));
    m.gauge("node_load15", "15m load average.", &[], num(f[2]));
    Ok(())
}

pub(super) fn collect_uptime(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let path = ctx.proc("uptime");
    let text = read(&path)?;
    let up = text
        .split_whitespace()
        .next()
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| parse_err(&path, "no uptime"))?;
    m.gauge(
        "onestop_uptime_seconds",
        "Seconds since boot, from /proc/uptime.",
        &[],
        up,
    );
    Ok(())
}
