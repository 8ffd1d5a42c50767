//! Worked examples: New Year, Golden Week, Silver Week, closures, extras.

use chrono::Duration;
use onestop_domain::calendar::{Calendar, CalendarError, DayHours};

use crate::support::{at, cal, date, local, tokyo_office};

fn due(c: &Calendar, from: &str, minutes: u64) -> String {
    local(c, c.add_business_minutes(at(from), minutes).expect("due"))
}

fn cob(c: &Calendar, from: &str, n: u32) -> String {
    local(
        c,
        c.close_of_business(at(from), n).expect("close of business"),
    )
}

const NEW_YEAR_CLOSED: &str = r#"
timezone = "Asia/Tokyo"
holidays = "jp"
closed = ["2025-12-29..2026-01-04", "2026-08-14"]
[hours]
mon = ["09:00-12:00", "13:00-18:00"]
tue = ["09:00-12:00", "13:00-18:00"]
wed = ["09:00-12:00", "13:00-18:00"]
thu = ["09:00-12:00", "13:00-18:00"]
fri = ["09:00-12:00", "13:00-18:00"]
[open]
"2026-12-26" = ["09:00-12:00"]
"2026-05-04" = ["10:00-15:00"]
"#;

#[test]
fn new_year() {
    let plain = tokyo_office();
    // Only 1 January is a national holiday; 29–31 December are worked.
    assert_eq!(
        due(&plain, "2025-12-26T17:00:00+09:00", 120),
        "2025-12-29T10:00:00+09:00"
    );
    assert_eq!(
        due(&plain, "2025-12-31T17:00:00+09:00", 120),
        "2026-01-02T10:00:00+09:00"
    );
    let closed = cal(NEW_YEAR_CLOSED);
    // Friday 17:00: 1 h left that day (lunch break irrelevant), then closed until 5 Jan.
    assert_eq!(
        due(&closed, "2025-12-26T17:00:00+09:00", 150),
        "2026-01-05T10:30:00+09:00"
    );
    assert_eq!(
        cob(&closed, "2025-12-26T10:00:00+09:00", 1),
        "2026-01-05T18:00:00+09:00"
    );
    let elapsed = closed.business_minutes_between(
        at("2025-12-26T00:00:00+09:00"),
        at("2026-01-06T00:00:00+09:00"),
    );
    assert_eq!(elapsed, 2 * 480);
}

#[test]
fn golden_week_2026() {
    let c = tokyo_office();
    // 4/29 Showa Day (Wed); 5/3–5/6 Constitution, Greenery, Children's, substitute.
    assert_eq!(
        due(&c, "2026-04-28T17:00:00+09:00", 180),
        "2026-04-30T11:00:00+09:00"
    );
    assert_eq!(
        due(&c, "2026-05-01T17:30:00+09:00", 60),
        "2026-05-07T09:30:00+09:00"
    );
    assert_eq!(
        cob(&c, "2026-04-28T10:00:00+09:00", 1),
        "2026-04-30T18:00:00+09:00"
    );
    assert_eq!(
        cob(&c, "2026-04-28T10:00:00+09:00", 2),
        "2026-05-01T18:00:00+09:00"
    );
    assert_eq!(
        cob(&c, "2026-04-28T10:00:00+09:00", 3),
        "2026-05-07T18:00:00+09:00"
    );
    let m = c.business_minutes_between(
        at("2026-04-28T09:00:00+09:00"),
        at("2026-05-08T09:00:00+09:00"),
    );
    assert_eq!(m, 4 * 540);
    assert!(!c.is_open(at("2026-05-06T10:00:00+09:00")));
}

#[test]
fn silver_week_2026() {
    let c = tokyo_office();
    // 9/21 Respect for the Aged, 9/22 citizens' holiday, 9/23 autumnal equinox.
    assert_eq!(
        due(&c, "2026-09-18T17:00:00+09:00", 120),
        "2026-09-24T10:00:00+09:00"
    );
    assert_eq!(
        cob(&c, "2026-09-18T12:00:00+09:00", 1),
        "2026-09-24T18:00:00+09:00"
    );
    for d in 19..=23 {
        assert!(!c.is_working_day(date(2026, 9, d)), "2026-09-{d}");
    }
}

#[test]
fn extra_open_days_override_weekends_and_holidays() {
    let c = cal(NEW_YEAR_CLOSED);
    // Saturday 26 December opens 09:00–12:00 and counts as a working day.
    assert_eq!(
        due(&c, "2026-12-25T17:30:00+09:00", 60),
        "2026-12-26T09:30:00+09:00"
    );
    assert_eq!(
        cob(&c, "2026-12-25T10:00:00+09:00", 1),
        "2026-12-26T12:00:00+09:00"
    );
    // Greenery Day 2026-05-04 is opened 10:00–15:00 despite the holiday.
    assert!(c.is_open(at("2026-05-04T10:00:00+09:00")));
    assert_eq!(
        due(&c, "2026-05-01T17:30:00+09:00", 60),
        "2026-05-04T10:30:00+09:00"
    );
    // The company closure on 2026-08-14 (a Friday).
    assert!(!c.is_working_day(date(2026, 8, 14)));
    assert_eq!(
        due(&c, "2026-08-13T17:30:00+09:00", 60),
        "2026-08-17T09:30:00+09:00"
    );
}

#[test]
fn boundaries() {
    let c = cal(NEW_YEAR_CLOSED);
    // A budget that ends exactly at a closing time is due then, not at the next opening.
    assert_eq!(
        due(&c, "2026-06-01T09:00:00+09:00", 180),
        "2026-06-01T12:00:00+09:00"
    );
    assert_eq!(
        due(&c, "2026-06-01T09:00:00+09:00", 480),
        "2026-06-01T18:00:00+09:00"
    );
    assert_eq!(
        due(&c, "2026-06-01T09:00:00+09:00", 481),
        "2026-06-02T09:01:00+09:00"
    );
    // A start outside opening hours counts from the next opening.
    assert_eq!(
        due(&c, "2026-06-06T12:00:00+09:00", 30),
        "2026-06-08T09:30:00+09:00"
    );
    assert_eq!(
        due(&c, "2026-06-01T12:20:00+09:00", 30),
        "2026-06-01T13:30:00+09:00"
    );
    // Zero budget gives the start itself.
    assert_eq!(
        due(&c, "2026-06-06T12:00:00+09:00", 0),
        "2026-06-06T12:00:00+09:00"
    );
    // Whole minutes, rounded down; reversed intervals are zero.
    let from = at("2026-06-01T09:00:00+09:00");
    assert_eq!(
        c.business_minutes_between(from, from + Duration::seconds(119)),
        1
    );
    assert_eq!(
        c.business_minutes_between(from + Duration::hours(1), from),
        0
    );
    // Opening instants are open, closing instants are not.
    assert!(c.is_open(at("2026-06-01T09:00:00+09:00")));
    assert!(!c.is_open(at("2026-06-01T12:00:00+09:00")));
    assert!(c.is_open(at("2026-06-01T17:59:59+09:00")));
    assert!(!c.is_open(at("2026-06-01T18:00:00+09:00")));
}

#[test]
fn midnight_and_24_00() {
    let c = cal(r#"
timezone = "Asia/Tokyo"
[hours]
mon = ["18:00-24:00"]
tue = ["00:00-06:00"]
"#);
    assert_eq!(
        due(&c, "2026-06-01T23:00:00+09:00", 120),
        "2026-06-02T01:00:00+09:00"
    );
    assert_eq!(
        due(&c, "2026-06-01T18:00:00+09:00", 360),
        "2026-06-02T00:00:00+09:00"
    );
    assert_eq!(
        cob(&c, "2026-05-31T12:00:00+09:00", 1),
        "2026-06-02T00:00:00+09:00"
    );
    let m = c.business_minutes_between(
        at("2026-06-01T00:00:00+09:00"),
        at("2026-06-08T00:00:00+09:00"),
    );
    assert_eq!(m, 720);
}

#[test]
fn always_is_24x365() {
    let c = Calendar::always();
    assert_eq!(
        due(&c, "2026-01-01T00:00:00+00:00", 1440),
        "2026-01-02T00:00:00+00:00"
    );
    assert_eq!(
        c.business_minutes_between(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z")),
        365 * 1440
    );
    assert!(c.is_open(at("2026-01-01T00:00:00Z")));
    assert_eq!(
        cob(&c, "2026-01-01T12:00:00Z", 3),
        "2026-01-05T00:00:00+00:00"
    );
}

#[test]
fn errors() {
    let never = Calendar::new(chrono_tz::Asia::Tokyo);
    assert_eq!(
        never.add_business_minutes(at("2026-01-01T00:00:00Z"), 1),
        Err(CalendarError::NeverOpens)
    );
    assert_eq!(
        never.close_of_business(at("2026-01-01T00:00:00Z"), 1),
        Err(CalendarError::NeverOpens)
    );
    assert_eq!(
        never.business_minutes_between(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z")),
        0
    );
    let once = never.with_open_day(date(2026, 3, 3), DayHours::all_day());
    assert_eq!(
        due(&once, "2026-01-01T00:00:00Z", 60),
        "2026-03-03T01:00:00+09:00"
    );
    assert_eq!(
        once.add_business_minutes(at("2026-03-04T00:00:00Z"), 1),
        Err(CalendarError::NeverOpens)
    );
    assert_eq!(
        tokyo_office().close_of_business(at("2026-01-01T00:00:00Z"), 0),
        Err(CalendarError::ZeroWorkingDays)
    );
}

#[test]
fn extra_open_days_win_over_closures() {
    let c = cal(r#"
timezone = "Asia/Tokyo"
closed = ["2026-12-28..2027-01-04"]
[hours]
mon = ["09:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
[open]
"2026-12-30" = ["10:00-12:00"]
"2026-12-29" = []
"#);
    assert!(
        !c.is_working_day(date(2026, 12, 29)),
        "an empty extra day is closed"
    );
    assert!(c.is_working_day(date(2026, 12, 30)));
    assert_eq!(
        due(&c, "2026-12-25T12:00:00+09:00", 90),
        "2026-12-30T11:30:00+09:00"
    );
    assert_eq!(
        due(&c, "2026-12-30T11:00:00+09:00", 120),
        "2027-01-05T10:00:00+09:00"
    );
    let listed = c.non_working_days(2026);
    assert!(
        listed.iter().all(|d| d.0 != date(2026, 12, 30)),
        "open on the 30th"
    );
    assert_eq!(listed.len(), 3, "28, 29 and 31 December");
}
