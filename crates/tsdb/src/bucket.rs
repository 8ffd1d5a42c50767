//! Stored rollup buckets: per fixed bucket (minute, hour) the min, max, sum and
//! count of the samples, plus the last value and the reset-aware counter
//! increase, so that averages, extremes, last values and counter rates can be
//! answered from rollups after the raw samples have expired.
//!
//! A bucket series is stored as a sequence of columns, each one a
//! [`ChunkEncoder`] chunk over the bucket start times (regular starts cost a
//! bit per bucket), each prefixed by its length as a varint.

use crate::chunk::{ChunkEncoder, ChunkError, decode_all};
use crate::query::{Agg, QueryError, RangeQuery};
use crate::varint::{get_varint, put_varint};

/// One rollup bucket `[start_ms, start_ms + width)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Bucket start (a multiple of the width), Unix milliseconds.
    pub start_ms: i64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Sum of the values.
    pub sum: f64,
    /// Number of values.
    pub count: u64,
    /// The latest value in the bucket.
    pub last: f64,
    /// Counter increase from the sample before the bucket (when known) to the
    /// last sample in it, a drop being taken as a reset to zero.
    pub inc: f64,
}

/// Roll time-ordered samples up into buckets of `width_ms` (> 0). `prev` is
/// the sample just before the first one (for the first bucket's increase).
/// NaN values are skipped.
pub fn bucketize(samples: &[(i64, f64)], width_ms: i64, prev: Option<f64>) -> Vec<Bucket> {
    assert!(width_ms > 0, "bucket width must be positive");
    let mut out: Vec<Bucket> = Vec::new();
    let mut prev = prev;
    for &(ts, v) in samples.iter().filter(|s| !s.1.is_nan()) {
        let start = ts.div_euclid(width_ms) * width_ms;
        let inc = match prev {
            Some(p) if v >= p => v - p,
            Some(_) => v,
            None => 0.0,
        };
        prev = Some(v);
        match out.last_mut() {
            Some(b) if b.start_ms == start => {
                b.min = b.min.min(v);
                b.max = b.max.max(v);
                b.sum += v;
                b.count += 1;
                b.last = v;
                b.inc += inc;
            }
            _ => out.push(Bucket {
                start_ms: start,
                min: v,
                max: v,
                sum: v,
                count: 1,
                last: v,
                inc,
            }),
        }
    }
    out
}

/// Combine finer buckets (time-ordered) into buckets of `width_ms`.
pub fn coarsen(parts: &[Bucket], width_ms: i64) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::new();
    for p in parts {
        let start = p.start_ms.div_euclid(width_ms) * width_ms;
        match out.last_mut() {
            Some(b) if b.start_ms == start => {
                b.min = b.min.min(p.min);
                b.max = b.max.max(p.max);
                b.sum += p.sum;
                b.count += p.count;
                b.last = p.last;
                b.inc += p.inc;
            }
            _ => out.push(Bucket {
                start_ms: start,
                ..*p
            }),
        }
    }
    out
}

/// Encode buckets (sorted by start) into one compact blob.
pub fn encode_buckets(buckets: &[Bucket]) -> Vec<u8> {
    let cols: [fn(&Bucket) -> f64; 6] = [
        |b| b.min,
        |b| b.max,
        |b| b.sum,
        |b| b.count as f64,
        |b| b.last,
        |b| b.inc,
    ];
    let mut out = vec![1u8];
    for col in cols {
        let mut enc = ChunkEncoder::new();
        for b in buckets {
            enc.push(b.start_ms, col(b));
        }
        let bytes = enc.finish();
        put_varint(&mut out, bytes.len() as u64);
        out.extend(bytes);
    }
    out
}

/// Decode a blob written by [`encode_buckets`].
pub fn decode_buckets(bytes: &[u8]) -> Result<Vec<Bucket>, ChunkError> {
    if bytes.first() != Some(&1) {
        return Err(ChunkError::Header("unknown bucket format"));
    }
    let mut pos = 1usize;
    let mut cols: Vec<Vec<(i64, f64)>> = Vec::with_capacity(6);
    for _ in 0..6 {
        let len = get_varint(bytes, &mut pos)? as usize;
        let end = pos
            .checked_add(len)
            .filter(|&e| e <= bytes.len())
            .ok_or(ChunkError::Header("bucket column truncated"))?;
        cols.push(decode_all(&bytes[pos..end])?);
        pos = end;
    }
    let n = cols[0].len();
    if cols.iter().any(|c| c.len() != n) {
        return Err(ChunkError::Header("bucket columns differ in length"));
    }
    Ok((0..n)
        .map(|i| Bucket {
            start_ms: cols[0][i].0,
            min: cols[0][i].1,
            max: cols[1][i].1,
            sum: cols[2][i].1,
            count: cols[3][i].1 as u64,
            last: cols[4][i].1,
            inc: cols[5][i].1,
        })
        .collect())
}

/// Evaluate a stepped query over buckets of `width_ms` (sorted by start). The
/// output at `t` combines the buckets that start in `(t - window, t]` minus one
/// bucket width, i.e. those lying inside the window. A step with no bucket
/// yields no point. [`Agg::Rate`] divides the summed increase by the window.
pub fn bucket_range_query(
    buckets: &[Bucket],
    width_ms: i64,
    q: &RangeQuery,
) -> Result<Vec<(i64, f64)>, QueryError> {
    let window = q.window_ms.unwrap_or(q.step_ms);
    crate::query::check(q)?;
    let mut out = Vec::new();
    let mut t = q.start_ms;
    while t <= q.end_ms {
        // Buckets whose whole span ends within (t - window, t].
        let lo = buckets.partition_point(|b| b.start_ms + width_ms <= t - window);
        let hi = buckets.partition_point(|b| b.start_ms + width_ms <= t);
        if lo < hi {
            let win = &buckets[lo..hi];
            let count: u64 = win.iter().map(|b| b.count).sum();
            let v = match q.agg {
                Agg::Avg => win.iter().map(|b| b.sum).sum::<f64>() / count.max(1) as f64,
                Agg::Min => win.iter().map(|b| b.min).fold(f64::INFINITY, f64::min),
                Agg::Max => win.iter().map(|b| b.max).fold(f64::NEG_INFINITY, f64::max),
                Agg::Sum => win.iter().map(|b| b.sum).sum(),
                Agg::Last => win[win.len() - 1].last,
                Agg::Rate => {
                    let span = (win.len() as i64 * width_ms).max(width_ms);
                    win.iter().map(|b| b.inc).sum::<f64>() * 1000.0 / span as f64
                }
            };
            out.push((t, v));
        }
        t += q.step_ms;
    }
    Ok(out)
}
