//! Keeping the spool within its bounds: dropping the oldest segments by size
//! or age (counting what was lost) and deleting fully acknowledged segments.

use std::fs;

use super::{Spool, SpoolError, io_err, state};

impl Spool {
    /// Drop segments whose newest record is older than the age bound at `now_ms`.
    /// Returns how many un-acknowledged records were dropped.
    pub fn enforce_age(&mut self, now_ms: i64) -> Result<u64, SpoolError> {
        let cutoff =
            now_ms.saturating_sub(self.cfg.max_age.as_millis().min(i64::MAX as u128) as i64);
        let before = self.state.dropped;
        while self.segments.first().is_some_and(|s| s.newest_ts < cutoff) {
            self.drop_oldest()?;
        }
        Ok(self.state.dropped - before)
    }

    pub(super) fn total_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.bytes).sum()
    }

    pub(super) fn drop_oldest(&mut self) -> Result<(), SpoolError> {
        let seg = self.segments.remove(0);
        let lost = seg
            .index
            .iter()
            .filter(|(s, _)| *s > self.state.acked_seq)
            .count() as u64;
        self.state.dropped += lost;
        self.state.high_seq = self.state.high_seq.max(seg.last_seq().unwrap_or(0));
        self.state.acked_seq = self.state.acked_seq.max(seg.last_seq().unwrap_or(0));
        state::save(&self.dir, &self.state).map_err(io_err(&self.dir))?;
        fs::remove_file(&seg.path).map_err(io_err(&seg.path))?;
        Ok(())
    }

    pub(super) fn remove_acked_segments(&mut self) -> Result<(), SpoolError> {
        let acked = self.state.acked_seq;
        let mut removed = false;
        while let Some(seg) = self
            .segments
            .first()
            .filter(|s| s.last_seq().is_some_and(|l| l <= acked))
        {
            fs::remove_file(&seg.path).map_err(io_err(&seg.path))?;
            self.segments.remove(0);
            removed = true;
        }
        if removed {
            state::sync_dir(&self.dir).map_err(io_err(&self.dir))?;
        }
        Ok(())
    }
}
