//! When will a series reach a limit? Linear: where the least-squares line crosses it.
//! Seasonal-aware: the line plus the average residual at the same phase of a day (or week),
//! walked forward step by step, so a nightly backup that fills a disk for an hour counts.

use super::fit::{Fit, linear_fit};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// A forecast of exhaustion.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// When the limit is reached (ms), `None` when not within the horizon.
    pub at: Option<i64>,
    /// The method used, in words (shown to people).
    pub method: String,
    pub trend: Fit,
}

/// Where the least-squares line through `points` reaches `limit` (rising towards it from
/// below, or falling towards it from above), if after `now` and before `now + horizon`.
pub fn forecast_linear(
    points: &[(i64, f64)],
    limit: f64,
    now: i64,
    horizon: i64,
) -> Option<Forecast> {
    let trend = linear_fit(points)?;
    let current = trend.at(now);
    let at = if trend.slope == 0.0 || (limit - current).signum() != trend.slope.signum() {
        None
    } else {
        let t = now as f64 + (limit - current) / trend.slope;
        (t <= (now + horizon) as f64).then_some(t.ceil() as i64)
    };
    Some(Forecast {
        at,
        method: "linear least-squares trend".into(),
        trend,
    })
}

/// The trend plus a seasonal profile: weekly (168 hourly phases) when the data spans two
/// weeks, daily (24 hourly phases) when it spans two days, else the linear forecast. Walks
/// forward an hour at a time from `now` up to `horizon`; the limit is approached from the
/// side the trend is on at `now`.
pub fn forecast_seasonal(
    points: &[(i64, f64)],
    limit: f64,
    now: i64,
    horizon: i64,
) -> Option<Forecast> {
    let trend = linear_fit(points)?;
    let span = points.last()?.0 - points.first()?.0;
    let (season, name) = if span >= 14 * DAY {
        (7 * DAY, "weekly")
    } else if span >= 2 * DAY {
        (DAY, "daily")
    } else {
        return forecast_linear(points, limit, now, horizon);
    };
    let phases = (season / HOUR) as usize;
    let (mut sum, mut n) = (vec![0.0; phases], vec![0usize; phases]);
    for &(t, v) in points.iter().filter(|p| p.1.is_finite()) {
        let ph = (t.rem_euclid(season) / HOUR) as usize;
        sum[ph] += v - trend.at(t);
        n[ph] += 1;
    }
    let profile: Vec<f64> = sum
        .iter()
        .zip(&n)
        .map(|(s, &k)| if k == 0 { 0.0 } else { s / k as f64 })
        .collect();
    let rising = limit >= trend.at(now);
    let value = |t: i64| trend.at(t) + profile[(t.rem_euclid(season) / HOUR) as usize];
    let mut t = now;
    let mut at = None;
    while t <= now + horizon {
        let v = value(t);
        if (rising && v >= limit) || (!rising && v <= limit) {
            at = Some(t);
            break;
        }
        t += HOUR;
    }
    Some(Forecast {
        at,
        method: format!(
            "linear least-squares trend plus a {name} seasonal profile (hourly phases)"
        ),
        trend,
    })
}
