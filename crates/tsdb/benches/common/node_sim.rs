//! Node-metric simulation shared by the chunk bench and the bytes-per-sample
//! example: starting from one real exposition, counters grow at their average
//! rate since boot (±50 %, in the value's own granularity), gauges that are
//! static on a real host stay put, and the others take small random steps
//! (30 % of the time unchanged).

pub const STEPS: usize = 8640;

/// Deterministic xorshift generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn unit(&mut self) -> f64 {
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

/// One day of values for series `name` starting at `v0`.
pub fn simulate(name: &str, v0: f64, uptime: f64, rng: &mut Rng) -> Vec<f64> {
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

/// `(series, value)` pairs of a text exposition, and the uptime it implies.
pub fn parse(text: &str) -> (Vec<(String, f64)>, f64) {
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
    (series, uptime)
}
