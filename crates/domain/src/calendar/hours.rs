//! Opening hours: time-of-day ranges at minute resolution.
//!
//! A [`TimeRange`] is a half-open span `[start, end)` of minutes after local
//! midnight; `24:00` (minute 1440) marks the end of the day. A [`DayHours`]
//! is a sorted list of non-overlapping ranges with its total precomputed.

use std::fmt;

use super::CalendarError;

/// Minutes in a day; the value of `24:00`.
pub const MINUTES_PER_DAY: u16 = 1440;

/// A half-open span of local time within one day, in minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeRange {
    start: u16,
    end: u16,
}

impl TimeRange {
    /// A range from `start` to `end` minutes after midnight (`end` ≤ 1440).
    pub fn new(start: u16, end: u16) -> Result<Self, CalendarError> {
        let text = format!("{}-{}", hhmm(start), hhmm(end));
        if end > MINUTES_PER_DAY || start >= end {
            return Err(CalendarError::InvalidRange {
                range: text,
                reason: "the end must be after the start and no later than 24:00",
            });
        }
        Ok(Self { start, end })
    }

    /// Parses `"HH:MM-HH:MM"`, e.g. `"09:00-17:30"` or `"00:00-24:00"`.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        let bad = |reason| CalendarError::InvalidRange {
            range: text.to_string(),
            reason,
        };
        let (a, b) = text.split_once('-').ok_or(bad("expected HH:MM-HH:MM"))?;
        let start = parse_time(a.trim()).map_err(|_| bad("the start is not a valid HH:MM"))?;
        let end = parse_time(b.trim()).map_err(|_| bad("the end is not a valid HH:MM"))?;
        if start >= end {
            return Err(bad("the end must be after the start"));
        }
        Ok(Self { start, end })
    }

    /// Start, in minutes after midnight.
    pub fn start(self) -> u16 {
        self.start
    }

    /// End, in minutes after midnight (1440 for `24:00`).
    pub fn end(self) -> u16 {
        self.end
    }

    /// Length of the range in minutes.
    pub fn minutes(self) -> u32 {
        u32::from(self.end - self.start)
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", hhmm(self.start), hhmm(self.end))
    }
}

/// Parses a time of day `HH:MM` into minutes after midnight; `24:00` is 1440.
pub fn parse_time(text: &str) -> Result<u16, CalendarError> {
    let bad = || CalendarError::InvalidTime(text.to_string());
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The opening ranges of one day, sorted and non-overlapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DayHours {
    ranges: Vec<TimeRange>,
    total: u32,
}

impl DayHours {
    /// A day with no opening time.
    pub fn closed() -> Self {
        Self::default()
    }

    /// A day open from `00:00` to `24:00`.
    pub fn all_day() -> Self {
        let whole = TimeRange {
            start: 0,
            end: MINUTES_PER_DAY,
        };
        Self {
            ranges: vec![whole],
            total: u32::from(MINUTES_PER_DAY),
        }
    }

    /// Builds a day from ranges in any order. Touching ranges are merged;
    /// overlapping ones are rejected.
    pub fn new(mut ranges: Vec<TimeRange>) -> Result<Self, CalendarError> {
        ranges.sort();
        let mut merged: Vec<TimeRange> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start < last.end => {
                    return Err(CalendarError::InvalidRange {
                        range: r.to_string(),
                        reason: "it overlaps another range of the same day",
                    });
                }
                Some(last) if r.start == last.end => last.end = r.end,
                _ => merged.push(r),
            }
        }
        let total = merged.iter().map(|r| r.minutes()).sum();
        Ok(Self {
            ranges: merged,
            total,
        })
    }

    /// Parses a list of `"HH:MM-HH:MM"` strings.
    pub fn parse<S: AsRef<str>>(texts: &[S]) -> Result<Self, CalendarError> {
        let ranges = texts
            .iter()
            .map(|t| TimeRange::parse(t.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(ranges)
    }

    /// The ranges, sorted by start.
    pub fn ranges(&self) -> &[TimeRange] {
        &self.ranges
    }

    /// Total opening minutes (by the wall clock; DST days may differ).
    pub fn total_minutes(&self) -> u32 {
        self.total
    }

    /// True when the day has no opening range.
    pub fn is_closed(&self) -> bool {
        self.ranges.is_empty()
    }
}

/// A closed day, shared by every calendar.
pub(crate) static CLOSED_DAY: DayHours = DayHours {
    ranges: Vec::new(),
    total: 0,
};
