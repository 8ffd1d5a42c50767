//! Parsing calendar files, and the one-line errors for bad ones.

use chrono::Weekday;
use onestop_domain::calendar::{Calendar, CalendarError, HolidaySet, NonWorkingReason};

use crate::support::{cal, date};

fn err(text: &str) -> CalendarError {
    Calendar::from_toml(text).expect_err("should be rejected")
}

#[test]
fn full_file() {
    let c = cal(r#"
timezone = "Asia/Tokyo"
holidays = "jp"
closed = ["2026-08-14", "2026-12-29..2027-01-03"]
[hours]
mon = ["09:00-12:00", "13:00-18:00"]
sat = ["00:00-24:00"]
sun = []
[open]
"2026-12-26" = ["09:00-12:00"]
"#);
    assert_eq!(c.timezone(), chrono_tz::Asia::Tokyo);
    assert_eq!(c.holiday_set(), HolidaySet::Japan);
    assert_eq!(c.weekly_hours(Weekday::Mon).total_minutes(), 480);
    assert_eq!(c.weekly_hours(Weekday::Mon).ranges().len(), 2);
    assert!(
        c.weekly_hours(Weekday::Tue).is_closed(),
        "missing key means closed"
    );
    assert_eq!(c.weekly_hours(Weekday::Sat).total_minutes(), 1440);
    assert!(
        !c.is_working_day(date(2027, 1, 2)),
        "Saturday inside the closure"
    );
    assert!(c.is_working_day(date(2027, 1, 9)), "an ordinary Saturday");
    assert_eq!(c.hours_on(date(2026, 12, 26)).total_minutes(), 180);
    let days = c.non_working_days(2026);
    assert!(days.contains(&(date(2026, 8, 14), NonWorkingReason::Closed)));
    assert!(days.contains(&(date(2026, 12, 31), NonWorkingReason::Closed)));
    assert_eq!(
        days.iter()
            .filter(|d| matches!(d.1, NonWorkingReason::Holiday(_)))
            .count(),
        18
    );
    assert_eq!(days.len(), 18 + 1 + 3);
}

#[test]
fn minimal_file() {
    let c = cal("timezone = \"UTC\"\n");
    assert_eq!(c.holiday_set(), HolidaySet::None);
    assert!(!c.is_working_day(date(2026, 1, 5)));
}

#[test]
fn rejects_bad_files_with_one_line_messages() {
    let cases: [(&str, &str); 12] = [
        (
            "timezone = \"Asia/Tokyo\"\nfoo = 1\n",
            "unknown field `foo`",
        ),
        (
            "timezone = \"Asia/Tokyo\"\n[hours]\nmonday = []\n",
            "unknown field `monday`",
        ),
        ("holidays = \"jp\"\n", "missing field `timezone`"),
        (
            "timezone = \"Mars/Olympus\"\n",
            "unknown time zone \"Mars/Olympus\"",
        ),
        (
            "timezone = \"UTC\"\nholidays = \"us\"\n",
            "unknown holiday set \"us\"",
        ),
        (
            "timezone = \"UTC\"\n[hours]\nmon = [\"09:00-25:00\"]\n",
            "hours.mon = 09:00-25:00",
        ),
        (
            "timezone = \"UTC\"\n[hours]\nmon = [\"12:00-09:00\"]\n",
            "the end must be after the start",
        ),
        (
            "timezone = \"UTC\"\n[hours]\nmon = [\"09:00-12:00\", \"11:00-13:00\"]\n",
            "overlaps",
        ),
        (
            "timezone = \"UTC\"\n[hours]\nmon = [\"9-12\"]\n",
            "invalid opening range",
        ),
        (
            "timezone = \"UTC\"\nclosed = [\"2026-02-30\"]\n",
            "invalid date \"2026-02-30\"",
        ),
        (
            "timezone = \"UTC\"\nclosed = [\"2026-03-02..2026-03-01\"]\n",
            "invalid date",
        ),
        ("timezone = \"UTC\"\n[hours\n", "line 2"),
    ];
    for (text, needle) in cases {
        let message = err(text).to_string();
        assert!(
            message.contains(needle),
            "{message:?} should contain {needle:?}"
        );
        assert!(!message.contains('\n'), "{message:?} should be one line");
    }
}

#[test]
fn touching_ranges_merge() {
    let c = cal("timezone = \"UTC\"\n[hours]\nmon = [\"13:00-18:00\", \"09:00-13:00\"]\n");
    assert_eq!(c.weekly_hours(Weekday::Mon).ranges().len(), 1);
    assert_eq!(c.weekly_hours(Weekday::Mon).total_minutes(), 540);
    assert_eq!(
        c.weekly_hours(Weekday::Mon).ranges()[0].to_string(),
        "09:00-18:00"
    );
}
