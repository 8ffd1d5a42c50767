//! A clock being replayed: its counting stretches, the segments they left,
//! and the target and calendar it counts in.

use super::{SlaError, SlaResolver, Status, Target};
use crate::calendar::Calendar;

/// A stretch of time during which a clock ran under one calendar.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment<'r> {
    pub start: i64,
    pub end: i64,
    pub used_before: i64,
    pub used_after: i64,
    pub calendar: &'r Calendar,
}

/// A clock as replayed, before it is judged against its target.
#[derive(Debug, Clone, Default)]
pub(crate) struct Run<'r> {
    /// The target in force at the last live moment, with its calendar.
    pub target: Option<(&'r Target, &'r Calendar)>,
    pub started: bool,
    /// Final stop: the first response given, or the vendor's answer.
    pub stopped_at: Option<i64>,
    /// Since when the ticket is resolved (cleared by a reopen).
    pub done_at: Option<i64>,
    /// True when the clock is live but the current status pauses it.
    pub paused: bool,
    pub used: i64,
    pub segments: Vec<Segment<'r>>,
    /// The stretch being counted now: since when, in which calendar.
    open: Option<(i64, &'r Calendar)>,
}

impl<'r> Run<'r> {
    /// A clock started afresh, reusing a segment buffer.
    pub(crate) fn restarted(done_at: Option<i64>, mut segments: Vec<Segment<'r>>) -> Self {
        segments.clear();
        Self {
            started: true,
            done_at,
            segments,
            ..Self::default()
        }
    }

    pub(crate) fn live(&self) -> bool {
        self.started && self.stopped_at.is_none() && self.done_at.is_none()
    }

    fn counting(&self, status: Status) -> Option<&'r Calendar> {
        let (target, calendar) = self.target?;
        (self.live() && !target.pause_on.contains(status)).then_some(calendar)
    }
}

pub(crate) type Resolved<'r> = [Option<(&'r Target, &'r Calendar)>; 3];

pub(crate) fn resolve<'r, R: SlaResolver + ?Sized>(
    resolver: &'r R,
    contract: Option<&str>,
    priority: super::Priority,
) -> Result<Resolved<'r>, SlaError> {
    let mut best: [Option<&'r Target>; 3] = [None; 3];
    for target in resolver.targets() {
        if target.priority != priority
            || target
                .contract
                .as_deref()
                .is_some_and(|c| Some(c) != contract)
        {
            continue;
        }
        let slot = &mut best[target.kind.index()];
        if slot.is_none_or(|b| target.strictness() < b.strictness()) {
            *slot = Some(target);
        }
    }
    let mut out: Resolved<'r> = [None; 3];
    for (slot, target) in out.iter_mut().zip(best) {
        if let Some(target) = target {
            let calendar = resolver
                .calendar(&target.calendar)
                .ok_or_else(|| SlaError::UnknownCalendar(target.calendar.clone()))?;
            *slot = Some((target, calendar));
        }
    }
    Ok(out)
}

/// The last measurement, reused when another clock ran over the same stretch.
pub(crate) type Memo<'r> = Option<(i64, i64, &'r Calendar, i64)>;

/// Ends a clock's counting stretch at `at`, recording it as a segment.
pub(crate) fn close<'r>(run: &mut Run<'r>, at: i64, memo: &mut Memo<'r>) {
    let Some((from, calendar)) = run.open.take() else {
        return;
    };
    if at <= from {
        return;
    }
    let len = match *memo {
        Some((f, t, c, len)) if f == from && t == at && std::ptr::eq(c, calendar) => len,
        _ => calendar.between_secs(from, at),
    };
    *memo = Some((from, at, calendar, len));
    let used = run.used + len;
    match run.segments.last_mut() {
        Some(last) if last.end == from && std::ptr::eq(last.calendar, calendar) => {
            last.end = at;
            last.used_after = used;
        }
        _ => {
            if run.segments.capacity() == 0 {
                run.segments.reserve(16);
            }
            run.segments.push(Segment {
                start: from,
                end: at,
                used_before: run.used,
                used_after: used,
                calendar,
            });
        }
    }
    run.used = used;
}

/// After an event at `at`: starts, ends or switches the counting stretch of
/// every clock whose counting calendar changed.
pub(crate) fn sync<'r>(runs: &mut [Run<'r>; 3], status: Status, at: i64, memo: &mut Memo<'r>) {
    for run in runs.iter_mut() {
        let next = run.counting(status);
        let same = match (run.open, next) {
            (Some((_, a)), Some(b)) => std::ptr::eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            close(run, at, memo);
            run.open = next.map(|c| (at, c));
        }
    }
}
