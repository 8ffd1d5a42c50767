//! Rollups: min, max, sum and count of samples per fixed time bucket.

/// One minute in milliseconds.
pub const MINUTE_MS: i64 = 60_000;
/// One hour in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;

/// Aggregate of the samples whose timestamps fall in `[start_ms, start_ms + bucket)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rollup {
    /// Bucket start, a multiple of the bucket width (Unix milliseconds).
    pub start_ms: i64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Sum of the values.
    pub sum: f64,
    /// Number of values (NaN samples are not counted).
    pub count: u64,
}

impl Rollup {
    /// Mean of the bucket's values.
    pub fn avg(&self) -> f64 {
        self.sum / self.count as f64
    }

    fn single(start_ms: i64, v: f64) -> Self {
        Self {
            start_ms,
            min: v,
            max: v,
            sum: v,
            count: 1,
        }
    }

    fn absorb(&mut self, other: &Rollup) {
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum += other.sum;
        self.count += other.count;
    }
}

fn bucket_start(ts_ms: i64, bucket_ms: i64) -> i64 {
    ts_ms.div_euclid(bucket_ms) * bucket_ms
}

/// Roll samples up into buckets of `bucket_ms` (> 0). Samples may come in any
/// order; NaN values are skipped; the result is sorted by bucket start.
pub fn rollup(samples: &[(i64, f64)], bucket_ms: i64) -> Vec<Rollup> {
    let parts: Vec<Rollup> = samples
        .iter()
        .filter(|(_, v)| !v.is_nan())
        .map(|&(ts, v)| Rollup::single(bucket_start(ts, bucket_ms), v))
        .collect();
    merge_rollups(&parts, bucket_ms)
}

/// Per-minute rollups.
pub fn rollup_minutes(samples: &[(i64, f64)]) -> Vec<Rollup> {
    rollup(samples, MINUTE_MS)
}

/// Per-hour rollups.
pub fn rollup_hours(samples: &[(i64, f64)]) -> Vec<Rollup> {
    rollup(samples, HOUR_MS)
}

/// Merge finer rollups (e.g. minutes) into buckets of `bucket_ms` (e.g. hours).
pub fn merge_rollups(parts: &[Rollup], bucket_ms: i64) -> Vec<Rollup> {
    assert!(bucket_ms > 0, "bucket width must be positive");
    let mut sorted: Vec<Rollup> = parts.to_vec();
    sorted.sort_by_key(|r| r.start_ms);
    let mut out: Vec<Rollup> = Vec::new();
    for r in sorted.iter().filter(|r| r.count > 0) {
        let start = bucket_start(r.start_ms, bucket_ms);
        match out.last_mut() {
            Some(last) if last.start_ms == start => last.absorb(r),
            _ => {
                let mut first = *r;
                first.start_ms = start;
                out.push(first);
            }
        }
    }
    out
}
