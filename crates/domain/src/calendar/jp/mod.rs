//! Japanese national holidays (祝日), built in.
//!
//! Correct for the laws in force from 1949; checked against the published
//! lists for 2000–2030. Equinoxes use the standard approximation formula
//! (valid 1900–2150; it is extrapolated beyond). Lookups by date go through
//! a bitset of every day from 1949 to 2299 built once per process.

mod names;
mod rules;

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

pub use names::HolidayName;
pub use rules::{autumnal_equinox_day, vernal_equinox_day};

/// One holiday: a date and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Holiday {
    /// The local date.
    pub date: NaiveDate,
    /// Which holiday it is.
    pub name: HolidayName,
}

/// All Japanese national holidays of a year, in date order.
pub fn holidays(year: i32) -> Vec<Holiday> {
    rules::all_holidays(year)
        .into_iter()
        .map(|(date, name)| Holiday { date, name })
        .collect()
}

/// The holiday on a date, if it is one.
pub fn holiday_on(date: NaiveDate) -> Option<HolidayName> {
    if !is_holiday(date) {
        return None;
    }
    let all = rules::all_holidays(date.year());
    all.iter().find(|h| h.0 == date).map(|h| h.1)
}

/// True when a date is a Japanese national holiday.
pub fn is_holiday(date: NaiveDate) -> bool {
    is_holiday_day(i64::from(date.num_days_from_ce()) - EPOCH_FROM_CE)
}

/// Days from 0001-01-01 (day 1 in chrono's count) to 1970-01-01.
pub(crate) const EPOCH_FROM_CE: i64 = 719_163;
/// 1949-01-01 and 2300-01-01 as days since 1970-01-01.
const FIRST_DAY: i64 = -7_670;
const END_DAY: i64 = 120_530;

fn bitset() -> &'static [u64] {
    static BITS: OnceLock<Vec<u64>> = OnceLock::new();
    BITS.get_or_init(|| {
        let len = usize::try_from(END_DAY - FIRST_DAY).unwrap_or(0);
        let mut bits = vec![0u64; len.div_ceil(64)];
        for year in rules::FIRST_YEAR..2300 {
            for (date, _) in rules::all_holidays(year) {
                let i = i64::from(date.num_days_from_ce()) - EPOCH_FROM_CE - FIRST_DAY;
                if let Ok(i) = usize::try_from(i) {
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
        }
        bits
    })
}

/// True when local day `day` (days since 1970-01-01) is a holiday.
pub(crate) fn is_holiday_day(day: i64) -> bool {
    if (FIRST_DAY..END_DAY).contains(&day) {
        let i = usize::try_from(day - FIRST_DAY).unwrap_or(0);
        return bitset()[i / 64] & (1 << (i % 64)) != 0;
    }
    let date = i32::try_from(day + EPOCH_FROM_CE)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt);
    date.is_some_and(|d| rules::all_holidays(d.year()).iter().any(|h| h.0 == d))
}
