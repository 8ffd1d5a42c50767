//! Which hours a given local date has once holidays, closures and extra
//! opening days are applied.

use chrono::{Datelike, Days, NaiveDate};

use super::hours::CLOSED_DAY;
use super::{Calendar, DayHours, HolidaySet, NonWorkingReason, day_number, jp};

impl Calendar {
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
