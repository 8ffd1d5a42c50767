//! Business-time arithmetic on a [`Calendar`].
//!
//! All operations walk local days one at a time, using each day's
//! precomputed opening total when the whole day is covered, so their cost
//! grows with the number of days spanned, not the number of minutes.

use chrono::DateTime;

use super::{Calendar, CalendarError, Instant};

fn secs(at: Instant) -> i64 {
    at.timestamp()
}

fn instant(secs: i64) -> Result<Instant, CalendarError> {
    DateTime::from_timestamp(secs, 0).ok_or(CalendarError::NeverOpens)
}

impl Calendar {
    /// The instant at which `minutes` of business time have passed since
    /// `start`. A start outside opening hours begins counting at the next
    /// opening; a budget that runs out exactly at a closing time is due at
    /// that closing time. Zero minutes gives `start` itself.
    pub fn add_business_minutes(
        &self,
        start: Instant,
        minutes: u64,
    ) -> Result<Instant, CalendarError> {
        self.add_business_seconds(start, minutes.saturating_mul(60))
    }

    /// Like [`Self::add_business_minutes`], to the second.
    pub fn add_business_seconds(
        &self,
        start: Instant,
        seconds: u64,
    ) -> Result<Instant, CalendarError> {
        let seconds = i64::try_from(seconds).map_err(|_| CalendarError::NeverOpens)?;
        let due = self
            .add_secs(secs(start), seconds)
            .ok_or(CalendarError::NeverOpens)?;
        instant(due)
    }

    /// Whole business minutes between two instants, rounded down; zero when
    /// `to` is not after `from`.
    pub fn business_minutes_between(&self, from: Instant, to: Instant) -> u64 {
        self.business_seconds_between(from, to) / 60
    }

    /// Business seconds between two instants; zero when `to` ≤ `from`.
    pub fn business_seconds_between(&self, from: Instant, to: Instant) -> u64 {
        u64::try_from(self.between_secs(secs(from), secs(to))).unwrap_or(0)
    }

    /// True when the calendar is open at `at` (opening instants included,
    /// closing instants excluded).
    pub fn is_open(&self, at: Instant) -> bool {
        let t = secs(at);
        let span = self.zone.day_of(t);
        let hours = self.hours_on_day(span.day);
        hours.ranges().iter().any(|r| {
            self.zone.at_minute(&span, r.start()) <= t && t < self.zone.at_minute(&span, r.end())
        })
    }

    /// Close of business of the `n`th working day after the local date of
    /// `start` (the day after is the first), `n` ≥ 1: the end of that day's
    /// last opening range.
    pub fn close_of_business(&self, start: Instant, n: u32) -> Result<Instant, CalendarError> {
        if n == 0 {
            return Err(CalendarError::ZeroWorkingDays);
        }
        let mut span = self.zone.day_of(secs(start));
        let mut left = n;
        loop {
            span = self.zone.next_span(&span);
            if span.day > self.last_open_day {
                return Err(CalendarError::NeverOpens);
            }
            if let Some(last) = self.hours_on_day(span.day).ranges().last() {
                left -= 1;
                if left == 0 {
                    return instant(self.zone.at_minute(&span, last.end()));
                }
            }
        }
    }

    /// Instant (UTC seconds) when `budget` business seconds have passed since
    /// `start`; `None` when the calendar never opens again.
    pub(crate) fn add_secs(&self, start: i64, budget: i64) -> Option<i64> {
        if budget <= 0 {
            return Some(start);
        }
        let mut remaining = budget;
        let mut span = self.zone.day_of(start);
        loop {
            if span.day > self.last_open_day {
                return None;
            }
            let hours = self.hours_on_day(span.day);
            let whole = i64::from(hours.total_minutes()) * 60;
            if span.uniform.is_some() && start <= span.start && whole < remaining {
                remaining -= whole;
            } else {
                for r in hours.ranges() {
                    let close = self.zone.at_minute(&span, r.end());
                    if close <= start {
                        continue;
                    }
                    let open = self.zone.at_minute(&span, r.start()).max(start);
                    if remaining <= close - open {
                        return Some(open + remaining);
                    }
                    remaining -= close - open;
                }
            }
            span = self.zone.next_span(&span);
        }
    }

    /// Business seconds in `[from, to)`.
    pub(crate) fn between_secs(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        let mut span = self.zone.day_of(from);
        while span.start < to && span.day <= self.last_open_day {
            let hours = self.hours_on_day(span.day);
            if span.uniform.is_some() && from <= span.start && span.end <= to {
                total += i64::from(hours.total_minutes()) * 60;
            } else {
                for r in hours.ranges() {
                    let open = self.zone.at_minute(&span, r.start()).max(from);
                    let close = self.zone.at_minute(&span, r.end()).min(to);
                    total += (close - open).max(0);
                }
            }
            span = self.zone.next_span(&span);
        }
        total
    }
}
