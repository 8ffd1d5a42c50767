//! Reading a calendar from its TOML text (no file I/O: callers pass a `&str`).
//!
//! ```toml
//! timezone = "Asia/Tokyo"          # any IANA zone (required)
//! holidays = "jp"                  # "jp" or "none" (default "none")
//! closed = ["2026-08-14", "2026-12-29..2027-01-03"]
//! [hours]                          # a missing weekday is closed
//! mon = ["09:00-12:00", "13:00-18:00"]
//! sat = []
//! sun = ["00:00-24:00"]
//! [open]                           # extra opening days
//! "2026-12-26" = ["09:00-12:00"]
//! ```
//! Unknown keys are an error.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use super::{Calendar, CalendarError, DayHours, HolidaySet};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    timezone: String,
    holidays: Option<String>,
    #[serde(default)]
    closed: Vec<String>,
    #[serde(default)]
    hours: RawHours,
    #[serde(default)]
    open: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHours {
    mon: Option<Vec<String>>,
    tue: Option<Vec<String>>,
    wed: Option<Vec<String>>,
    thu: Option<Vec<String>>,
    fri: Option<Vec<String>>,
    sat: Option<Vec<String>>,
    sun: Option<Vec<String>>,
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<NaiveDate, CalendarError> {
    let t = text.trim();
    let well_formed = t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-';
    well_formed
        .then(|| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| CalendarError::InvalidDate(text.to_string()))
}

/// Parses `YYYY-MM-DD` or an inclusive range `YYYY-MM-DD..YYYY-MM-DD`.
fn parse_date_range(text: &str) -> Result<(NaiveDate, NaiveDate), CalendarError> {
    let bad = || CalendarError::InvalidDate(text.to_string());
    let (first, last) = match text.split_once("..") {
        Some((a, b)) => (
            parse_date(a).map_err(|_| bad())?,
            parse_date(b).map_err(|_| bad())?,
        ),
        None => (parse_date(text)?, parse_date(text)?),
    };
    if last < first {
        return Err(bad());
    }
    Ok((first, last))
}

/// One-line description of a TOML error, with its line number.
fn syntax_error(text: &str, err: &toml::de::Error) -> CalendarError {
    let message = err.message().trim().replace('\n', " ");
    match err.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            CalendarError::Syntax(format!("line {line}: {message}"))
        }
        None => CalendarError::Syntax(message),
    }
}

fn in_context(key: &str, err: CalendarError) -> CalendarError {
    match err {
        CalendarError::InvalidRange { range, reason } => CalendarError::InvalidRange {
            range: format!("{key} = {range}"),
            reason,
        },
        other => other,
    }
}

impl Calendar {
    /// Builds a calendar from the text of a calendar file.
    pub fn from_toml(text: &str) -> Result<Self, CalendarError> {
        let raw: RawCalendar = toml::from_str(text).map_err(|e| syntax_error(text, &e))?;
        let tz: Tz = raw
            .timezone
            .parse()
            .map_err(|_| CalendarError::UnknownZone(raw.timezone.clone()))?;
        let holidays = match raw.holidays.as_deref() {
            None | Some("none") => HolidaySet::None,
            Some("jp") => HolidaySet::Japan,
            Some(other) => return Err(CalendarError::UnknownHolidays(other.to_string())),
        };
        let mut cal = Calendar::new(tz).with_holidays(holidays);
        let h = raw.hours;
        let week = [
            (Weekday::Mon, "mon", h.mon),
            (Weekday::Tue, "tue", h.tue),
            (Weekday::Wed, "wed", h.wed),
            (Weekday::Thu, "thu", h.thu),
            (Weekday::Fri, "fri", h.fri),
            (Weekday::Sat, "sat", h.sat),
            (Weekday::Sun, "sun", h.sun),
        ];
        for (weekday, key, ranges) in week {
            let hours = DayHours::parse(&ranges.unwrap_or_default())
                .map_err(|e| in_context(&format!("hours.{key}"), e))?;
            cal = cal.with_hours(weekday, hours);
        }
        for entry in &raw.closed {
            let (first, last) = parse_date_range(entry)?;
            cal = cal.with_closed(first, last);
        }
        for (date, ranges) in &raw.open {
            let day = parse_date(date)?;
            let hours =
                DayHours::parse(ranges).map_err(|e| in_context(&format!("open.{date}"), e))?;
            cal = cal.with_open_day(day, hours);
        }
        Ok(cal)
    }
}
