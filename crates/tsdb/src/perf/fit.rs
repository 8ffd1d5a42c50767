//! Least-squares lines, percentiles and the summary of a series.

/// A straight line `value = intercept + slope * (t - t0)`, times in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Change per millisecond.
    pub slope: f64,
    /// The value at `t0`.
    pub intercept: f64,
    /// The time the line is anchored at (the first point's), to keep the sums exact.
    pub t0: i64,
}

impl Fit {
    /// The line's value at `t`.
    pub fn at(&self, t: i64) -> f64 {
        self.intercept + self.slope * (t - self.t0) as f64
    }

    /// Change per hour.
    pub fn per_hour(&self) -> f64 {
        self.slope * 3_600_000.0
    }
}

/// The least-squares line through `points`; `None` for fewer than two distinct times or
/// non-finite values.
pub fn linear_fit(points: &[(i64, f64)]) -> Option<Fit> {
    let pts: Vec<(i64, f64)> = points.iter().copied().filter(|p| p.1.is_finite()).collect();
    let t0 = pts.first()?.0;
    let n = pts.len() as f64;
    let mean_x = pts.iter().map(|p| (p.0 - t0) as f64).sum::<f64>() / n;
    let mean_y = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for &(t, v) in &pts {
        let dx = (t - t0) as f64 - mean_x;
        sxy += dx * (v - mean_y);
        sxx += dx * dx;
    }
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    Some(Fit {
        slope,
        intercept: mean_y - slope * mean_x,
        t0,
    })
}

/// The `p`-th percentile (0–100) by the nearest-rank method: the smallest value with at
/// least `p`% of the values at or below it. `None` when empty.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((p.clamp(0.0, 100.0) / 100.0) * v.len() as f64).ceil() as usize;
    Some(v[rank.clamp(1, v.len()) - 1])
}

/// Average, peak, 95th percentile and trend of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub avg: f64,
    pub peak: f64,
    pub p95: f64,
    pub trend: Option<Fit>,
    pub samples: usize,
}

/// Summarise `points`; `None` when there are none.
pub fn summarize(points: &[(i64, f64)]) -> Option<Summary> {
    let vals: Vec<f64> = points
        .iter()
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .collect();
    if vals.is_empty() {
        return None;
    }
    Some(Summary {
        avg: vals.iter().sum::<f64>() / vals.len() as f64,
        peak: vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        p95: percentile(&vals, 95.0)?,
        trend: linear_fit(points),
        samples: vals.len(),
    })
}
