//! Counter rates (reset-aware) and stepped range aggregation over samples.

/// How samples in each step window are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// Mean value.
    Avg,
    /// Smallest value.
    Min,
    /// Largest value.
    Max,
    /// Sum of values.
    Sum,
    /// Latest value.
    Last,
    /// Per-second increase of a counter, handling resets.
    Rate,
}

impl std::str::FromStr for Agg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "avg" => Agg::Avg,
            "min" => Agg::Min,
            "max" => Agg::Max,
            "sum" => Agg::Sum,
            "last" => Agg::Last,
            "rate" => Agg::Rate,
            other => {
                return Err(format!(
                    "unknown aggregation `{other}` (avg, min, max, sum, last, rate)"
                ));
            }
        })
    }
}

impl Agg {
    /// The name accepted by [`str::parse`].
    pub fn as_str(self) -> &'static str {
        match self {
            Agg::Avg => "avg",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Sum => "sum",
            Agg::Last => "last",
            Agg::Rate => "rate",
        }
    }
}

/// A stepped range query over one series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeQuery {
    /// First output timestamp (Unix ms).
    pub start_ms: i64,
    /// Last output timestamp, inclusive.
    pub end_ms: i64,
    /// Distance between output timestamps (> 0).
    pub step_ms: i64,
    /// Each output at `t` covers `(t - window_ms, t]`; `None` means one step.
    pub window_ms: Option<i64>,
    /// Aggregation applied to each window.
    pub agg: Agg,
}

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Step or window not positive, or end before start.
    #[error("invalid range: {0}")]
    InvalidRange(&'static str),
    /// Too many output points would be produced.
    #[error("query would produce {0} points (limit {MAX_POINTS})")]
    TooManyPoints(i64),
}

/// Largest number of points a range query returns.
pub const MAX_POINTS: i64 = 11_000;

/// Total increase of a counter over time-ordered samples: a drop is taken as a
/// reset to zero, so the value after the drop counts as increase in full.
/// `None` with fewer than two samples.
pub fn counter_increase(samples: &[(i64, f64)]) -> Option<f64> {
    if samples.len() < 2 {
        return None;
    }
    let inc = samples
        .windows(2)
        .map(|w| {
            let (prev, cur) = (w[0].1, w[1].1);
            if cur >= prev { cur - prev } else { cur }
        })
        .sum();
    Some(inc)
}

/// Per-second rate of a counter over time-ordered samples whose timestamps are
/// in `[start_ms, end_ms]`: the increase divided by the time between the first
/// and last sample used. `None` without two samples spanning some time.
pub fn counter_rate(samples: &[(i64, f64)], start_ms: i64, end_ms: i64) -> Option<f64> {
    let lo = samples.partition_point(|s| s.0 < start_ms);
    let hi = samples.partition_point(|s| s.0 <= end_ms);
    let slice = samples.get(lo..hi)?;
    let span_ms = slice.last()?.0 - slice.first()?.0;
    if span_ms <= 0 {
        return None;
    }
    Some(counter_increase(slice)? * 1000.0 / span_ms as f64)
}

/// Validate a query; returns the number of output steps.
pub(crate) fn check(q: &RangeQuery) -> Result<i64, QueryError> {
    let window = q.window_ms.unwrap_or(q.step_ms);
    if q.step_ms <= 0 || window <= 0 {
        return Err(QueryError::InvalidRange("step and window must be positive"));
    }
    if q.end_ms < q.start_ms {
        return Err(QueryError::InvalidRange("end before start"));
    }
    let points = (i128::from(q.end_ms) - i128::from(q.start_ms)) / i128::from(q.step_ms) + 1;
    if points > i128::from(MAX_POINTS) {
        return Err(QueryError::TooManyPoints(
            i64::try_from(points).unwrap_or(i64::MAX),
        ));
    }
    Ok(points as i64)
}

/// Evaluate `q` over time-ordered samples. A step with no samples in its
/// window yields no point. For [`Agg::Rate`] the last sample before the window
/// is included, so that consecutive windows together cover every increase.
pub fn range_query(samples: &[(i64, f64)], q: &RangeQuery) -> Result<Vec<(i64, f64)>, QueryError> {
    let window = q.window_ms.unwrap_or(q.step_ms);
    let points = check(q)?;
    let mut out = Vec::new();
    for i in 0..points {
        let t = q.start_ms + i * q.step_ms;
        let lo = samples.partition_point(|s| s.0 <= t.saturating_sub(window));
        let hi = samples.partition_point(|s| s.0 <= t);
        if lo >= hi {
            continue;
        }
        let win = &samples[lo..hi];
        let vals = || win.iter().map(|s| s.1);
        let v = match q.agg {
            Agg::Avg => vals().sum::<f64>() / win.len() as f64,
            Agg::Min => vals().fold(f64::INFINITY, f64::min),
            Agg::Max => vals().fold(f64::NEG_INFINITY, f64::max),
            Agg::Sum => vals().sum(),
            Agg::Last => win[win.len() - 1].1,
            Agg::Rate => {
                let from = lo.saturating_sub(1);
                match counter_rate(&samples[from..hi], i64::MIN, i64::MAX) {
                    Some(r) => r,
                    None => continue,
                }
            }
        };
        out.push((t, v));
    }
    Ok(out)
}
