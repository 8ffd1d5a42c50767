//! Business calendars: weekly opening hours in an IANA time zone, built-in
//! Japanese national holidays, company closures and extra opening days.
//!
//! Semantics (see also [`ops`](self) methods on [`Calendar`]):
//! * Opening ranges are local wall-clock times; business time is real
//!   elapsed time, so a DST day that loses an hour counts one hour less.
//! * A working day is a local date with at least one opening range left
//!   after holidays and closures; an open Saturday counts.
//! * An `[open]` extra day replaces the weekly hours of that date and wins
//!   over holidays and closures on that date (an empty list closes it).
//! * Instants are handled to the second; sub-second parts are dropped.

mod config;
pub use config::parse_date;
mod error;
mod hours;
pub mod jp;
mod ops;
mod zone;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

pub use error::CalendarError;
use hours::CLOSED_DAY;
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
    /// A calendar in `tz` that is closed every day until hours are added.
    pub fn new(tz: Tz) -> Self {
        Self {
            zone: Zone::new(tz),
            holidays: HolidaySet::None,
            weekly: Default::default(),
            closed: Vec::new(),
            open: Vec::new(),
            last_open_day: i64::MIN,
        }
    }

    /// 24x365: open 00:00–24:00 every day in UTC, no holidays.
    pub fn always() -> Self {
        let mut cal = Self::new(Tz::UTC);
        for day in 0..7 {
            cal.weekly[day] = DayHours::all_day();
        }
        cal.refresh();
        cal
    }

    /// Sets the public holidays that close the calendar.
    pub fn with_holidays(mut self, holidays: HolidaySet) -> Self {
        self.holidays = holidays;
        self
    }

    /// Sets the opening hours of a weekday.
    pub fn with_hours(mut self, weekday: Weekday, hours: DayHours) -> Self {
        self.weekly[weekday.num_days_from_monday() as usize] = hours;
        self.refresh();
        self
    }

    /// Closes the company from `first` to `last`, both included.
    pub fn with_closed(mut self, first: NaiveDate, last: NaiveDate) -> Self {
        let (a, b) = (day_number(first), day_number(last));
        self.closed.push((a.min(b), a.max(b)));
        self.closed.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(self.closed.len());
        for &(a, b) in &self.closed {
            match merged.last_mut() {
                Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.closed = merged;
        self
    }

    /// Opens an extra day with its own hours; it replaces the weekly hours
    /// of that date and wins over holidays and closures.
    pub fn with_open_day(mut self, date: NaiveDate, hours: DayHours) -> Self {
        let day = day_number(date);
        match self.open.binary_search_by_key(&day, |o| o.0) {
            Ok(i) => self.open[i].1 = hours,
            Err(i) => self.open.insert(i, (day, hours)),
        }
        self.refresh();
        self
    }

    fn refresh(&mut self) {
        let last_extra = self
            .open
            .iter()
            .rev()
            .find(|o| !o.1.is_closed())
            .map(|o| o.0);
        self.last_open_day = if self.weekly.iter().any(|h| !h.is_closed()) {
            LAST_DAY
        } else {
            last_extra.unwrap_or(i64::MIN)
        };
    }

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

    /// The opening hours in force on a local date.
    pub fn hours_on(&self, date: NaiveDate) -> &DayHours {
        self.hours_on_day(day_number(date))
    }

    /// True when a local date has at least one opening range.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !self.hours_on(date).is_closed()
    }

    pub(crate) fn hours_on_day(&self, day: i64) -> &DayHours {
        if !self.open.is_empty()
            && let Ok(i) = self.open.binary_search_by_key(&day, |o| o.0)
        {
            return &self.open[i].1;
        }
        if self.is_closed_day(day)
            || (self.holidays == HolidaySet::Japan && jp::is_holiday_day(day))
        {
            return &CLOSED_DAY;
        }
        // 1970-01-01 was a Thursday (index 3 counting from Monday).
        &self.weekly[(day + 3).rem_euclid(7) as usize]
    }

    fn is_closed_day(&self, day: i64) -> bool {
        let i = self.closed.partition_point(|r| r.1 < day);
        self.closed.get(i).is_some_and(|r| r.0 <= day)
    }

    /// Holidays and closures of a year, in date order: dates that the
    /// weekly hours would not explain. Extra opening days are left out, except
    /// those with no hours, which are listed as closures.
    pub fn non_working_days(&self, year: i32) -> Vec<(NaiveDate, NonWorkingReason)> {
        let holidays = match self.holidays {
            HolidaySet::Japan => jp::holidays(year),
            HolidaySet::None => Vec::new(),
        };
        let mut out = Vec::new();
        let mut date = NaiveDate::from_ymd_opt(year, 1, 1);
        while let Some(d) = date.filter(|d| d.year() == year) {
            let day = day_number(d);
            match self.open.binary_search_by_key(&day, |o| o.0) {
                Ok(i) if self.open[i].1.is_closed() => out.push((d, NonWorkingReason::Closed)),
                Ok(_) => {}
                Err(_) => {
                    if let Some(h) = holidays.iter().find(|h| h.date == d) {
                        out.push((d, NonWorkingReason::Holiday(h.name)));
                    } else if self.is_closed_day(day) {
                        out.push((d, NonWorkingReason::Closed));
                    }
                }
            }
            date = d.checked_add_days(Days::new(1));
        }
        out
    }
}
