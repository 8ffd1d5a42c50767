//! Building a [`Calendar`] in code: zone, weekly hours, holidays,
//! closures and extra opening days.

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;

use super::zone::Zone;
use super::{Calendar, DayHours, HolidaySet, LAST_DAY, day_number};

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
}
