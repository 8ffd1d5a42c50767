//! Errors raised while building a calendar or computing with one.

use thiserror::Error;

/// Everything that can go wrong with a business calendar.
///
/// Every message is a single line so a command-line tool can print it as is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// The calendar text is not valid TOML or has an unknown or missing key.
    #[error("invalid calendar file: {0}")]
    Syntax(String),
    /// The time zone is not a known IANA zone name.
    #[error("unknown time zone {0:?}")]
    UnknownZone(String),
    /// The `holidays` value is neither `jp` nor `none`.
    #[error("unknown holiday set {0:?} (expected \"jp\" or \"none\")")]
    UnknownHolidays(String),
    /// A time of day is not `HH:MM` within `00:00`..=`24:00`.
    #[error("invalid time {0:?} (expected HH:MM between 00:00 and 24:00)")]
    InvalidTime(String),
    /// An opening range is malformed, empty, or overlaps another one.
    #[error("invalid opening range {range:?}: {reason}")]
    InvalidRange {
        /// The offending text.
        range: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A date is not `YYYY-MM-DD`, or a date range ends before it starts.
    #[error("invalid date {0:?} (expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)")]
    InvalidDate(String),
    /// The calendar has no opening time at all after the given start.
    #[error("the calendar has no opening time after the start")]
    NeverOpens,
    /// A working-day count of zero was asked for.
    #[error("the number of working days must be at least 1")]
    ZeroWorkingDays,
}
