//! Daylight-saving transitions in both directions (New York, Berlin).

use onestop_domain::calendar::Calendar;

use crate::support::{at, cal, local};

fn all_week(zone: &str) -> Calendar {
    cal(&format!(
        r#"
timezone = "{zone}"
[hours]
mon = ["00:00-24:00"]
tue = ["00:00-24:00"]
wed = ["00:00-24:00"]
thu = ["00:00-24:00"]
fri = ["00:00-24:00"]
sat = ["00:00-24:00"]
sun = ["00:00-24:00"]
"#
    ))
}

#[test]
fn new_york_days_are_23_and_25_hours_long() {
    let c = all_week("America/New_York");
    let spring = c.business_minutes_between(
        at("2026-03-08T00:00:00-05:00"),
        at("2026-03-09T00:00:00-04:00"),
    );
    assert_eq!(spring, 23 * 60);
    let autumn = c.business_minutes_between(
        at("2026-11-01T00:00:00-04:00"),
        at("2026-11-02T00:00:00-05:00"),
    );
    assert_eq!(autumn, 25 * 60);
    // A whole week with the spring change in it.
    let week = c.business_minutes_between(
        at("2026-03-02T00:00:00-05:00"),
        at("2026-03-09T00:00:00-04:00"),
    );
    assert_eq!(week, 7 * 1440 - 60);
    // 24 business hours are 24 real hours: noon EST + 24 h is 13:00 EDT.
    let due = c
        .add_business_minutes(at("2026-03-07T12:00:00-05:00"), 1440)
        .expect("due");
    assert_eq!(local(&c, due), "2026-03-08T13:00:00-04:00");
    let due = c
        .add_business_minutes(at("2026-10-31T12:00:00-04:00"), 1440)
        .expect("due");
    assert_eq!(local(&c, due), "2026-11-01T11:00:00-05:00");
    // Close of business of a 24-hour day is the next local midnight.
    let cob = c
        .close_of_business(at("2026-03-07T12:00:00-05:00"), 1)
        .expect("cob");
    assert_eq!(local(&c, cob), "2026-03-09T00:00:00-04:00");
}

#[test]
fn new_york_ranges_across_the_gap() {
    let c = cal(r#"
timezone = "America/New_York"
[hours]
sun = ["01:00-04:00"]
mon = ["09:00-17:00"]
"#);
    // 01:00 EST to 04:00 EDT on the spring day is two real hours.
    let m = c.business_minutes_between(
        at("2026-03-08T00:00:00-05:00"),
        at("2026-03-09T00:00:00-04:00"),
    );
    assert_eq!(m, 120);
    let due = c
        .add_business_minutes(at("2026-03-08T00:00:00-05:00"), 90)
        .expect("due");
    assert_eq!(local(&c, due), "2026-03-08T03:30:00-04:00");
    // On the autumn day 01:00–04:00 spans four real hours (01:00 EDT to 04:00 EST).
    let m = c.business_minutes_between(
        at("2026-11-01T00:00:00-04:00"),
        at("2026-11-02T00:00:00-05:00"),
    );
    assert_eq!(m, 240);
    // Monday after the change: ordinary 8 hours at the new offset.
    let due = c
        .add_business_minutes(at("2026-03-08T03:59:00-04:00"), 60)
        .expect("due");
    assert_eq!(local(&c, due), "2026-03-09T09:59:00-04:00");
}

#[test]
fn a_range_inside_the_gap_is_empty() {
    let c = cal(r#"
timezone = "America/New_York"
[hours]
sun = ["02:00-03:00"]
"#);
    let m = c.business_minutes_between(
        at("2026-03-01T00:00:00-05:00"),
        at("2026-03-15T00:00:00-04:00"),
    );
    assert_eq!(m, 60, "only the ordinary Sunday 1 March counts");
    // The next Sunday with real time in it is 15 March.
    let due = c
        .add_business_minutes(at("2026-03-07T00:00:00-05:00"), 30)
        .expect("due");
    assert_eq!(local(&c, due), "2026-03-15T02:30:00-04:00");
}

#[test]
fn berlin_office_hours_keep_local_time_across_changes() {
    let c = cal(r#"
timezone = "Europe/Berlin"
[hours]
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-17:00"]
"#);
    let due = c
        .add_business_minutes(at("2026-03-27T16:00:00+01:00"), 120)
        .expect("due");
    assert_eq!(local(&c, due), "2026-03-30T10:00:00+02:00");
    let due = c
        .add_business_minutes(at("2026-10-23T16:00:00+02:00"), 120)
        .expect("due");
    assert_eq!(local(&c, due), "2026-10-26T10:00:00+01:00");
    let week = c.business_minutes_between(
        at("2026-03-23T00:00:00+01:00"),
        at("2026-04-06T00:00:00+02:00"),
    );
    assert_eq!(week, 10 * 480);
}

#[test]
fn berlin_repeated_hour() {
    let c = all_week("Europe/Berlin");
    let autumn = c.business_minutes_between(
        at("2026-10-25T00:00:00+02:00"),
        at("2026-10-26T00:00:00+01:00"),
    );
    assert_eq!(autumn, 25 * 60);
    let spring = c.business_minutes_between(
        at("2026-03-29T00:00:00+01:00"),
        at("2026-03-30T00:00:00+02:00"),
    );
    assert_eq!(spring, 23 * 60);
    // A range ending inside the repeated hour ends at its first occurrence.
    let early = cal(r#"
timezone = "Europe/Berlin"
[hours]
sun = ["00:00-02:30"]
"#);
    let m = early.business_minutes_between(
        at("2026-10-25T00:00:00+02:00"),
        at("2026-10-26T00:00:00+01:00"),
    );
    assert_eq!(m, 150);
    assert!(early.is_open(at("2026-10-25T02:15:00+02:00")));
    assert!(!early.is_open(at("2026-10-25T02:15:00+01:00")));
    let due = early
        .add_business_minutes(at("2026-10-25T00:00:00+02:00"), 150)
        .expect("due");
    assert_eq!(local(&early, due), "2026-10-25T02:30:00+02:00");
}

#[test]
fn zones_without_dst_and_far_dates() {
    let c = all_week("Asia/Kolkata");
    let due = c
        .add_business_minutes(at("2026-01-01T00:00:00+05:30"), 90)
        .expect("due");
    assert_eq!(local(&c, due), "2026-01-01T01:30:00+05:30");
    // Beyond the precomputed offset window (after 2160) lookups still work.
    let ny = all_week("America/New_York");
    let m = ny.business_minutes_between(
        at("2199-01-01T00:00:00-05:00"),
        at("2199-01-02T00:00:00-05:00"),
    );
    assert_eq!(m, 1440);
}
