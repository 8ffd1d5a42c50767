//! Property tests of business-time arithmetic, with a brute-force oracle.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc};
use onestop_domain::calendar::{Calendar, Instant};
use proptest::prelude::*;

use crate::support::{cal, date};

/// 2025-06-01T00:00:00Z .. +3 years, in seconds.
const SPAN_START: i64 = 1_748_736_000;
const SPAN: i64 = 3 * 365 * 86_400;

/// Tokyo office with holidays and closures; `[open]` extras are appended
/// by [`calendars`].
const TOKYO: &str = r#"
timezone = "Asia/Tokyo"
holidays = "jp"
closed = ["2026-08-13..2026-08-16", "2025-12-29..2026-01-04"]
[hours]
mon = ["09:00-12:00", "13:00-18:00"]
tue = ["09:00-12:00", "13:00-18:00"]
wed = ["09:00-12:00", "13:00-18:00"]
thu = ["09:00-12:00", "13:00-18:00"]
fri = ["09:00-12:00", "13:00-18:00"]
sat = ["10:00-12:30"]
"#;

fn calendars() -> Vec<Calendar> {
    vec![
        cal(&format!(
            "{TOKYO}[open]\n\"2026-05-04\" = [\"10:00-15:00\"]\n"
        )),
        cal(r#"
timezone = "America/New_York"
closed = ["2026-11-26..2026-11-27"]
[hours]
mon = ["00:00-03:00", "08:30-17:00", "22:00-24:00"]
tue = ["08:30-17:00"]
wed = ["08:30-17:00"]
thu = ["08:30-17:00"]
fri = ["08:30-17:00"]
sun = ["01:00-04:00"]
"#),
        cal(r#"
timezone = "Europe/Berlin"
[hours]
mon = ["00:00-24:00"]
sat = ["02:00-03:30"]
sun = ["00:00-24:00"]
"#),
        Calendar::always(),
    ]
}

fn instant(secs: i64) -> Instant {
    DateTime::from_timestamp(secs, 0).expect("in range")
}

fn any_instant() -> impl Strategy<Value = i64> {
    SPAN_START..SPAN_START + SPAN
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn adding_then_measuring_gives_the_budget(c in 0..4usize, start in any_instant(), minutes in 0u64..30_000) {
        let cal = &calendars()[c];
        let due = cal.add_business_minutes(instant(start), minutes).expect("open calendar");
        prop_assert_eq!(cal.business_seconds_between(instant(start), due), minutes * 60);
        prop_assert_eq!(cal.business_minutes_between(instant(start), due), minutes);
        // The due instant is the earliest such: the second before it was open.
        if minutes > 0 {
            prop_assert!(cal.is_open(due - Duration::seconds(1)));
        }
    }

    #[test]
    fn adding_is_monotone(c in 0..4usize, a in any_instant(), b in any_instant(), m in 0u64..20_000, n in 0u64..20_000) {
        let cal = &calendars()[c];
        let (a, b) = (instant(a.min(b)), instant(a.max(b)));
        let (m, n) = (m.min(n), m.max(n));
        prop_assert!(cal.add_business_minutes(a, m).unwrap() <= cal.add_business_minutes(a, n).unwrap());
        prop_assert!(cal.add_business_minutes(a, m).unwrap() <= cal.add_business_minutes(b, m).unwrap());
    }

    #[test]
    fn measuring_is_additive_and_monotone(c in 0..4usize, a in any_instant(), b in 0i64..2_000_000, d in 0i64..2_000_000) {
        let cal = &calendars()[c];
        let (x, y, z) = (instant(a), instant(a + b), instant(a + b + d));
        let xy = cal.business_seconds_between(x, y);
        let yz = cal.business_seconds_between(y, z);
        prop_assert_eq!(cal.business_seconds_between(x, z), xy + yz);
        prop_assert!(xy <= u64::try_from(b).unwrap());
    }

    #[test]
    fn open_means_business_time_passes(c in 0..4usize, t in any_instant()) {
        let cal = &calendars()[c];
        let next = cal.business_seconds_between(instant(t), instant(t + 1));
        prop_assert_eq!(cal.is_open(instant(t)), next == 1);
    }

    #[test]
    fn no_business_time_inside_closed_days(start in any_instant(), len in 0i64..20, minutes in 1u64..5_000) {
        let first = instant(start).with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
        let last = first + Duration::days(len);
        // Without extra opening days, which would win over the closure.
        let closed = cal(TOKYO).with_closed(first, last);
        let from = first.and_time(NaiveTime::MIN).and_local_timezone(chrono_tz::Asia::Tokyo).unwrap();
        let to = (last + Duration::days(1)).and_time(NaiveTime::MIN).and_local_timezone(chrono_tz::Asia::Tokyo).unwrap();
        let (from, to) = (from.with_timezone(&Utc), to.with_timezone(&Utc));
        prop_assert_eq!(closed.business_seconds_between(from, to), 0);
        let due = closed.add_business_minutes(instant(start), minutes).unwrap();
        prop_assert!(due <= from || due > to, "due {due} inside closure {first}..{last}");
        let cob = closed.close_of_business(instant(start), 1).unwrap();
        let cob_day = (cob - Duration::seconds(1)).with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
        prop_assert!(cob_day < first || cob_day > last);
    }

    #[test]
    fn close_of_business_is_increasing(c in 0..4usize, t in any_instant(), n in 1u32..30) {
        let cal = &calendars()[c];
        let a = cal.close_of_business(instant(t), n).unwrap();
        let b = cal.close_of_business(instant(t), n + 1).unwrap();
        prop_assert!(instant(t) < a && a < b);
        prop_assert!(!cal.is_open(b) || cal.is_open(b - Duration::seconds(1)));
    }

    /// Brute force in Tokyo (no DST): minute by minute through local time.
    #[test]
    fn matches_a_minute_by_minute_oracle(start in any_instant(), len in 0i64..(4 * 1440)) {
        let cal = &calendars()[0];
        let from = start - start % 60;
        let mut expected = 0u64;
        for i in 0..len {
            let local = instant(from + i * 60).with_timezone(&chrono_tz::Asia::Tokyo);
            let minute = u16::try_from(local.hour() * 60 + local.minute()).unwrap();
            let d = date(local.year(), local.month(), local.day());
            if cal.hours_on(d).ranges().iter().any(|r| r.start() <= minute && minute < r.end()) {
                expected += 1;
            }
        }
        prop_assert_eq!(cal.business_minutes_between(instant(from), instant(from + len * 60)), expected);
    }
}
