//! Rollup and range-query behaviour on plain data.

use onestop_tsdb::*;

#[test]
fn minute_and_hour_rollups() {
    let samples: Vec<(i64, f64)> = (0..720).map(|i| (i * 10_000, i as f64)).collect();
    let mins = rollup_minutes(&samples);
    assert_eq!(mins.len(), 120);
    assert_eq!(
        mins[0],
        Rollup {
            start_ms: 0,
            min: 0.0,
            max: 5.0,
            sum: 15.0,
            count: 6
        }
    );
    assert_eq!(mins[119].start_ms, 119 * MINUTE_MS);
    let hours = rollup_hours(&samples);
    assert_eq!(hours.len(), 2);
    assert_eq!(hours[1].count, 360);
    assert_eq!(hours[1].min, 360.0);
    assert_eq!(merge_rollups(&mins, HOUR_MS), hours);
    assert_eq!(hours[0].avg(), 179.5);
}

#[test]
fn rollup_skips_nan_and_handles_negative_time_and_disorder() {
    let samples = [(-1, 4.0), (5, f64::NAN), (-59_999, 2.0), (-60_001, 9.0)];
    let r = rollup(&samples, MINUTE_MS);
    assert_eq!(r.len(), 2);
    assert_eq!(
        r[0],
        Rollup {
            start_ms: -120_000,
            min: 9.0,
            max: 9.0,
            sum: 9.0,
            count: 1
        }
    );
    assert_eq!(
        r[1],
        Rollup {
            start_ms: -60_000,
            min: 2.0,
            max: 4.0,
            sum: 6.0,
            count: 2
        }
    );
}

#[test]
fn counter_rate_handles_resets() {
    // 0 -> 100, reset, 30 -> 50: increase 100 + 30 + 20 = 150 over 30 s.
    let s = [(0, 0.0), (10_000, 100.0), (20_000, 30.0), (30_000, 50.0)];
    assert_eq!(counter_increase(&s), Some(150.0));
    assert_eq!(counter_rate(&s, 0, 30_000), Some(5.0));
    assert_eq!(counter_rate(&s, 20_000, 30_000), Some(2.0));
    assert_eq!(counter_rate(&s, 25_000, 30_000), None);
    assert_eq!(counter_increase(&s[..1]), None);
}

#[test]
fn range_query_aggregations() {
    let s: Vec<(i64, f64)> = (0..12).map(|i| (i * 10_000, (i * 10) as f64)).collect();
    let q = |agg| RangeQuery {
        start_ms: 60_000,
        end_ms: 110_000,
        step_ms: 30_000,
        window_ms: None,
        agg,
    };
    assert_eq!(
        range_query(&s, &q(Agg::Avg)).unwrap(),
        vec![(60_000, 50.0), (90_000, 80.0)]
    );
    assert_eq!(
        range_query(&s, &q(Agg::Min)).unwrap(),
        vec![(60_000, 40.0), (90_000, 70.0)]
    );
    assert_eq!(
        range_query(&s, &q(Agg::Max)).unwrap(),
        vec![(60_000, 60.0), (90_000, 90.0)]
    );
    assert_eq!(
        range_query(&s, &q(Agg::Sum)).unwrap(),
        vec![(60_000, 150.0), (90_000, 240.0)]
    );
    assert_eq!(
        range_query(&s, &q(Agg::Last)).unwrap(),
        vec![(60_000, 60.0), (90_000, 90.0)]
    );
    // 10 per 10 s = 1/s, including the step boundary sample.
    assert_eq!(
        range_query(&s, &q(Agg::Rate)).unwrap(),
        vec![(60_000, 1.0), (90_000, 1.0)]
    );
    let gap = RangeQuery {
        start_ms: 500_000,
        end_ms: 600_000,
        step_ms: 50_000,
        window_ms: Some(10),
        agg: Agg::Avg,
    };
    assert!(range_query(&s, &gap).unwrap().is_empty());
}

#[test]
fn range_query_rejects_bad_ranges() {
    let s = [(0, 1.0)];
    let bad = RangeQuery {
        start_ms: 0,
        end_ms: 10,
        step_ms: 0,
        window_ms: None,
        agg: Agg::Avg,
    };
    assert!(matches!(
        range_query(&s, &bad),
        Err(QueryError::InvalidRange(_))
    ));
    let back = RangeQuery {
        start_ms: 10,
        end_ms: 0,
        step_ms: 1,
        window_ms: None,
        agg: Agg::Avg,
    };
    assert!(matches!(
        range_query(&s, &back),
        Err(QueryError::InvalidRange(_))
    ));
    let huge = RangeQuery {
        start_ms: 0,
        end_ms: i64::MAX / 2,
        step_ms: 1,
        window_ms: None,
        agg: Agg::Avg,
    };
    assert!(matches!(
        range_query(&s, &huge),
        Err(QueryError::TooManyPoints(_))
    ));
}
