//! The performance maths with plain data: known slopes, p95 on known sets, seasonal sinusoids.
use onestop_tsdb::perf::*;

const H: i64 = 3_600_000;

#[test]
fn a_known_slope_is_found_exactly() {
    let pts: Vec<(i64, f64)> = (0..100)
        .map(|i| (i * 60_000, 10.0 + 0.5 * i as f64))
        .collect();
    let f = linear_fit(&pts).unwrap();
    assert!((f.slope * 60_000.0 - 0.5).abs() < 1e-9, "{f:?}");
    assert!((f.at(0) - 10.0).abs() < 1e-9);
    assert!((f.per_hour() - 30.0).abs() < 1e-6);
    assert!(linear_fit(&[(5, 1.0), (5, 2.0)]).is_none(), "one time only");
    assert!(linear_fit(&[]).is_none());
}

#[test]
fn p95_by_nearest_rank() {
    let v: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(percentile(&v, 95.0), Some(95.0));
    assert_eq!(percentile(&v, 100.0), Some(100.0));
    assert_eq!(percentile(&[3.0, 1.0, 2.0], 50.0), Some(2.0));
    assert_eq!(percentile(&[7.0], 95.0), Some(7.0));
    let twenty: Vec<f64> = (1..=20).map(f64::from).collect();
    assert_eq!(percentile(&twenty, 95.0), Some(19.0));
    assert_eq!(percentile(&[], 95.0), None);
}

#[test]
fn summary_has_avg_peak_p95_and_trend() {
    let pts: Vec<(i64, f64)> = (0..10).map(|i| (i * H, i as f64)).collect();
    let s = summarize(&pts).unwrap();
    assert_eq!((s.avg, s.peak, s.p95, s.samples), (4.5, 9.0, 9.0, 10));
    assert!((s.trend.unwrap().per_hour() - 1.0).abs() < 1e-9);
}

#[test]
fn linear_forecast_of_a_filling_disk() {
    // 50 % used, +1 %/h: full (100 %) in 50 h.
    let pts: Vec<(i64, f64)> = (0..=24).map(|i| (i * H, 26.0 + i as f64)).collect();
    let now = 24 * H;
    let f = forecast_linear(&pts, 100.0, now, 100 * H).unwrap();
    assert_eq!(f.at, Some(now + 50 * H));
    assert!(f.method.contains("linear"));
    assert_eq!(
        forecast_linear(&pts, 100.0, now, 10 * H).unwrap().at,
        None,
        "beyond horizon"
    );
    // Falling free space reaches zero.
    let free: Vec<(i64, f64)> = (0..=10).map(|i| (i * H, 100.0 - 5.0 * i as f64)).collect();
    assert_eq!(
        forecast_linear(&free, 0.0, 10 * H, 100 * H).unwrap().at,
        Some(20 * H)
    );
    // Flat: never.
    let flat: Vec<(i64, f64)> = (0..=10).map(|i| (i * H, 5.0)).collect();
    assert_eq!(
        forecast_linear(&flat, 100.0, 10 * H, 1000 * H).unwrap().at,
        None
    );
}

#[test]
fn seasonal_forecast_sees_the_daily_peak_the_line_misses() {
    // A slow trend (+0.05/h from 20) with a daily sinusoid of amplitude 20 peaking at 06:00,
    // four weeks of it (a weekly profile is used).
    let value = |t: i64| {
        let h = t as f64 / H as f64;
        20.0 + 0.05 * h + 20.0 * (2.0 * std::f64::consts::PI * h / 24.0).sin()
    };
    let pts: Vec<(i64, f64)> = (0..28 * 24 * 4)
        .map(|i| (i * H / 4, value(i * H / 4)))
        .collect();
    let now = 28 * 24 * H;
    // Limit 80: the trend alone reaches it at hour 1200; with the daily peaks (+20) it is
    // reached once the trend is at 60, around hour 800 + 6.
    let lin = forecast_linear(&pts, 80.0, now, 2000 * H).unwrap();
    let sea = forecast_seasonal(&pts, 80.0, now, 2000 * H).unwrap();
    assert!(sea.method.contains("weekly"), "{}", sea.method);
    let (l, s) = (lin.at.unwrap(), sea.at.unwrap());
    // (Least squares over whole days of a sine still tilts the line a little: ±50 h.)
    assert!((l / H - 1200).abs() < 50, "linear {}", l / H);
    assert!((s / H - 806).abs() <= 40, "seasonal {}", s / H);
    assert!(s < l - 300 * H, "well before the line");
    // Its phase is the peak's (06:00 ± 3 h).
    assert!(
        ((s % (24 * H)) / H - 6).abs() <= 3,
        "{}",
        (s % (24 * H)) / H
    );
}

#[test]
fn the_season_follows_the_span_and_the_method_is_stated() {
    let pts =
        |days: i64| -> Vec<(i64, f64)> { (0..days * 24).map(|i| (i * H, i as f64)).collect() };
    let m = |p: &[(i64, f64)]| {
        forecast_seasonal(p, 1e9, p.last().unwrap().0, H)
            .unwrap()
            .method
    };
    assert!(m(&pts(3)).contains("daily"));
    assert!(m(&pts(15)).contains("weekly"));
    assert_eq!(m(&pts(1)), "linear least-squares trend");
    // A pure line forecasts the same either way.
    let p = pts(3);
    let now = p.last().unwrap().0;
    let a = forecast_linear(&p, 100.0, now, 100 * H)
        .unwrap()
        .at
        .unwrap();
    let b = forecast_seasonal(&p, 100.0, now, 100 * H)
        .unwrap()
        .at
        .unwrap();
    assert!((a - b).abs() <= H, "{a} {b}");
}
