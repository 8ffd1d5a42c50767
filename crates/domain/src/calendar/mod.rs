//! Business calendars: weekly opening hours in an IANA time zone, built-in
//! Japanese national holidays, company closures and extra opening days.
//!
//! Semantics (the operations themselves are documented on [`Calendar`]):
//! * Opening ranges are local wall-clock times; business time is real
//!   elapsed time, so a DST day that loses an hour counts one hour less.
//! * A working day is a local date with at least one opening range left
//!   after holidays and closures; an open Saturday counts.
//! * An `[open]` extra day replaces the weekly hours of that date and wins
//!   over holidays and closures on that date (an empty list closes it).
//! * Instants are handled to the second; sub-second parts are dropped.

mod build;
mod config;
mod days;
mod error;
mod hours;
pub mod jp;
mod ops;
mod zone;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

pub use config::parse_date;
pub use error::CalendarError;
pub use hours::{DayHours, MINUTES_PER_DAY, TimeRange, parse_time};
use zone::Zone;

/// An instant in time. Calendars take and return UTC instants; use
/// [`Calendar::to_local`] to show one in the calendar's zone.
pub type Instant = DateTime<Utc>;

/// Which public holidays close a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HolidaySet {
    /// No public holidays.
    #[default]
    None,
    /// Japanese national holidays ([`jp`]).
    Japan,
}

/// Why a date is not worked although its weekday may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonWorkingReason {
    /// A public holiday of the calendar's holiday set.
    Holiday(jp::HolidayName),
    /// A company closure.
    Closed,
}

impl NonWorkingReason {
    /// A one-line label, e.g. `New Year's Day (元日)` or `Company closure`.
    pub fn label(self) -> String {
        match self {
            Self::Holiday(h) => format!("{} ({})", h.english(), h.japanese()),
            Self::Closed => "Company closure".to_string(),
        }
    }
}

/// Last day any calendar is walked to: 9999-12-31.
const LAST_DAY: i64 = 2_932_896;

/// A business calendar. Cheap to share; clone it if you need to.
#[derive(Debug, Clone)]
pub struct Calendar {
    zone: Zone,
    holidays: HolidaySet,
    weekly: [DayHours; 7],
    /// Inclusive `(first, last)` day ranges, sorted and merged.
    closed: Vec<(i64, i64)>,
    /// Extra opening days, sorted by day.
    open: Vec<(i64, DayHours)>,
    /// Last day that can be open (`LAST_DAY` if any weekday is open).
    last_open_day: i64,
}

/// Days since 1970-01-01 of a date.
pub(crate) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - jp::EPOCH_FROM_CE
}

impl Calendar {
    /// The calendar's time zone.
    pub fn timezone(&self) -> Tz {
        self.zone.tz()
    }

    /// The calendar's public holiday set.
    pub fn holiday_set(&self) -> HolidaySet {
        self.holidays
    }

    /// An instant shown in the calendar's zone.
    pub fn to_local(&self, at: Instant) -> DateTime<Tz> {
        at.with_timezone(&self.zone.tz())
    }

    /// The weekly hours of a weekday, before holidays and closures.
    pub fn weekly_hours(&self, weekday: Weekday) -> &DayHours {
        &self.weekly[weekday.num_days_from_monday() as usize]
    }
}
