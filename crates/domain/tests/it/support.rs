//! Helpers shared by the integration tests.

use chrono::{DateTime, NaiveDate, Utc};
use onestop_domain::calendar::{Calendar, Instant};

/// Parses an RFC 3339 instant.
pub fn at(text: &str) -> Instant {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("bad instant {text}: {e}"))
        .with_timezone(&Utc)
}

/// A date from its parts.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date {y}-{m}-{d}"))
}

/// Builds a calendar from TOML text, panicking on errors.
pub fn cal(text: &str) -> Calendar {
    Calendar::from_toml(text).unwrap_or_else(|e| panic!("bad calendar: {e}"))
}

/// An instant rendered in the calendar's zone as RFC 3339.
pub fn local(cal: &Calendar, at: Instant) -> String {
    cal.to_local(at).to_rfc3339()
}

/// Mon–Fri 09:00–18:00 in Tokyo with Japanese holidays.
pub fn tokyo_office() -> Calendar {
    cal(r#"
timezone = "Asia/Tokyo"
holidays = "jp"
[hours]
mon = ["09:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
thu = ["09:00-18:00"]
fri = ["09:00-18:00"]
"#)
}
