//! Fast UTC-offset lookups for a calendar's time zone.
//!
//! chrono-tz lookups are comparatively costly, so on first use of a zone the
//! process records every offset change of that zone between 1960 and 2160 in a
//! sorted table (found by probing weekly and bisecting to the second), shared
//! by every calendar in that zone: building it takes about ten thousand
//! chrono-tz lookups, which a calendar parsed per ticket must not pay. Lookups in
//! that window are a binary search; outside it they fall back to chrono-tz.
//! Two changes that cancel out within the same week would be missed; no zone
//! in the tz database does that within the window.
//!
//! Local wall-clock times are mapped to instants by one monotone rule: a
//! local time that occurs twice maps to its earlier occurrence, and one that
//! is skipped by a forward jump maps to the instant of the jump.

mod table;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

use table::{DAY, MAX_SHIFT, Table, WINDOW_END, WINDOW_START, chrono_offset};

/// A time zone together with its lazily built table of offset changes.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    tz: Tz,
    table: OnceLock<Arc<Table>>,
}

/// The process's table of `tz`, built on first use. Two threads asking at once for a zone
/// not yet built may both build it; one result is kept (they are equal).
fn shared_table(tz: Tz) -> Arc<Table> {
    static TABLES: OnceLock<Mutex<HashMap<Tz, Arc<Table>>>> = OnceLock::new();
    let tables = TABLES.get_or_init(Mutex::default);
    if let Some(t) = tables.lock().unwrap_or_else(|p| p.into_inner()).get(&tz) {
        return t.clone();
    }
    let built = Arc::new(Table::build(tz));
    tables
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(tz)
        .or_insert(built)
        .clone()
}

/// Where a local day lies in UTC.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DaySpan {
    /// Days since 1970-01-01 of the local date.
    pub day: i64,
    /// Local wall-clock seconds of the day's midnight.
    pub local: i64,
    /// Instant of the day's start.
    pub start: i64,
    /// Instant of the next day's start.
    pub end: i64,
    /// The day's offset when it is the same all day long.
    pub uniform: Option<i32>,
    /// Instant of the next offset change after `start` (a lower bound).
    pub next_change: i64,
}

impl Zone {
    pub(crate) fn new(tz: Tz) -> Self {
        Self {
            tz,
            table: OnceLock::new(),
        }
    }

    pub(crate) fn tz(&self) -> Tz {
        self.tz
    }

    fn table(&self) -> &Table {
        self.table.get_or_init(|| shared_table(self.tz))
    }

    /// Offset in seconds east of UTC at an instant.
    pub(crate) fn offset_at(&self, utc: i64) -> i32 {
        if (WINDOW_START..WINDOW_END).contains(&utc) {
            self.table().offset_at(utc)
        } else {
            chrono_offset(self.tz, utc)
        }
    }

    /// The instant of a local wall-clock time (earliest if repeated, the jump
    /// instant if skipped).
    pub(crate) fn to_utc(&self, local: i64) -> i64 {
        if (WINDOW_START + MAX_SHIFT..WINDOW_END - MAX_SHIFT).contains(&local) {
            return self.table().to_utc(local);
        }
        self.to_utc_slow(local)
    }

    fn to_utc_slow(&self, local: i64) -> i64 {
        let mut probe = local;
        // Step through a gap minute by minute until a valid local time.
        for _ in 0..(2 * MAX_SHIFT / 60) {
            let naive =
                DateTime::from_timestamp(probe, 0).map_or(NaiveDateTime::MIN, |d| d.naive_utc());
            match self.tz.offset_from_local_datetime(&naive) {
                LocalResult::Single(o) | LocalResult::Ambiguous(o, _) => {
                    return probe - i64::from(o.fix().local_minus_utc());
                }
                LocalResult::None => probe += 60,
            }
        }
        local - i64::from(chrono_offset(self.tz, local))
    }

    /// Where local day `day` (days since 1970-01-01) lies in UTC.
    pub(crate) fn day_span(&self, day: i64) -> DaySpan {
        let local = day * DAY;
        let start = self.to_utc(local);
        let offset = self.offset_at(start);
        let end_guess = local + DAY - i64::from(offset);
        let next_change = if (WINDOW_START..WINDOW_END - DAY).contains(&start) {
            let t = self.table();
            let next = t.changes.partition_point(|&(c, _)| c <= start);
            t.changes.get(next).map_or(WINDOW_END, |&(c, _)| c)
        } else if self.offset_at(end_guess - 1) == offset {
            end_guess
        } else {
            start
        };
        let uniform = next_change >= end_guess && local - i64::from(offset) == start;
        if uniform {
            let uniform = Some(offset);
            return DaySpan {
                day,
                local,
                start,
                end: end_guess,
                uniform,
                next_change,
            };
        }
        let end = self.to_utc(local + DAY);
        DaySpan {
            day,
            local,
            start,
            end,
            uniform: None,
            next_change,
        }
    }

    /// The span of the day after `span`, cheaply when no offset change is near.
    #[inline]
    pub(crate) fn next_span(&self, span: &DaySpan) -> DaySpan {
        match span.uniform {
            Some(_) if span.next_change >= span.end + DAY => DaySpan {
                day: span.day + 1,
                local: span.local + DAY,
                start: span.end,
                end: span.end + DAY,
                ..*span
            },
            _ => self.day_span(span.day + 1),
        }
    }

    /// The instant of minute `minute` of a day described by `span`.
    #[inline]
    pub(crate) fn at_minute(&self, span: &DaySpan, minute: u16) -> i64 {
        let local = span.local + i64::from(minute) * 60;
        match span.uniform {
            Some(offset) => local - i64::from(offset),
            None => self.to_utc(local),
        }
    }

    /// The local day (days since 1970-01-01) an instant belongs to, with the
    /// day's span.
    pub(crate) fn day_of(&self, utc: i64) -> DaySpan {
        let local = utc + i64::from(self.offset_at(utc));
        let mut span = self.day_span(local.div_euclid(DAY));
        while utc < span.start {
            span = self.day_span(span.day - 1);
        }
        while utc >= span.end {
            span = self.day_span(span.day + 1);
        }
        span
    }
}
