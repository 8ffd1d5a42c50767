//! The table of a zone's offset changes between 1960 and 2160, found by
//! probing chrono-tz weekly and bisecting each change to the second.

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

pub(super) const DAY: i64 = 86_400;
pub(super) const WINDOW_START: i64 = -3_653 * DAY; // 1960-01-01T00:00:00Z
pub(super) const WINDOW_END: i64 = 69_396 * DAY; // 2160-01-01T00:00:00Z
const PROBE_STEP: i64 = 7 * DAY;
/// No zone is further than this from UTC.
pub(super) const MAX_SHIFT: i64 = 26 * 3_600;

#[derive(Debug, Clone)]
pub(super) struct Table {
    /// Offset in force at `WINDOW_START`, in seconds east of UTC.
    pub base: i32,
    /// `(instant, offset from that instant on)`, sorted by instant.
    pub changes: Vec<(i64, i32)>,
}

/// The offset chrono-tz gives for an instant, in seconds east of UTC.
pub(super) fn chrono_offset(tz: Tz, utc: i64) -> i32 {
    let naive = DateTime::from_timestamp(utc, 0).map_or(NaiveDateTime::MIN, |d| d.naive_utc());
    tz.offset_from_utc_datetime(&naive).fix().local_minus_utc()
}

impl Table {
    pub(super) fn build(tz: Tz) -> Self {
        let base = chrono_offset(tz, WINDOW_START);
        let mut changes = Vec::new();
        let (mut at, mut current) = (WINDOW_START, base);
        while at < WINDOW_END {
            let probe = (at + PROBE_STEP).min(WINDOW_END);
            let target = chrono_offset(tz, probe);
            // Several distinct changes may hide in one step: bisect each.
            while current != target {
                let (mut lo, mut hi) = (at, probe);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if chrono_offset(tz, mid) == current {
                        lo = mid
                    } else {
                        hi = mid
                    }
                }
                current = chrono_offset(tz, hi);
                changes.push((hi, current));
                at = hi;
            }
            at = probe;
        }
        Self { base, changes }
    }

    pub(super) fn offset_at(&self, utc: i64) -> i32 {
        match self.changes.partition_point(|&(t, _)| t <= utc) {
            0 => self.base,
            i => self.changes[i - 1].1,
        }
    }

    /// Period `k` runs from `changes[k-1].0` (or −∞) to `changes[k].0` (or +∞).
    pub(super) fn to_utc(&self, local: i64) -> i64 {
        let mut k = self
            .changes
            .partition_point(|&(t, _)| t <= local - MAX_SHIFT);
        loop {
            let start = if k == 0 {
                i64::MIN
            } else {
                self.changes[k - 1].0
            };
            let offset = if k == 0 {
                self.base
            } else {
                self.changes[k - 1].1
            };
            let utc = local - i64::from(offset);
            if utc < start {
                return start; // skipped by a forward jump
            }
            match self.changes.get(k) {
                Some(&(end, _)) if utc >= end => k += 1,
                _ => return utc,
            }
        }
    }
}
