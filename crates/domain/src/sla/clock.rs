//! Judging a replayed clock against its target: state, due instant,
//! warning and breach instants.

use chrono::DateTime;

use super::run::Run;
use super::{Target, TargetKind};
use crate::calendar::Instant;

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockState {
    /// Counting business time now.
    Running,
    /// Stopped for now by a pause status.
    Paused,
    /// Stopped (answered / resolved) within its budget.
    Met,
    /// Its budget ran out before it stopped.
    Breached,
}

/// One SLA clock of a ticket, as of `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock<'r> {
    /// Which clock.
    pub kind: TargetKind,
    /// The target it is judged against (in force at its last live moment),
    /// borrowed from the resolver.
    pub target: &'r Target,
    /// Where it stands.
    pub state: ClockState,
    /// Business seconds used so far (or until it stopped).
    pub used_seconds: u64,
    /// The budget in business seconds.
    pub budget_seconds: u64,
    /// When the budget runs out (running) or ran out (breached); `None`
    /// when paused or met.
    pub due: Option<Instant>,
    /// When the warning share of the budget was or will be reached; `None`
    /// when that is unknown (paused or stopped before reaching it).
    pub warning_at: Option<Instant>,
    /// True once the warning share is used.
    pub warning: bool,
    /// When the budget ran out, for a breached clock.
    pub breached_at: Option<Instant>,
    /// When the clock stopped (response, resolution, vendor answer).
    pub stopped_at: Option<Instant>,
}

impl Clock<'_> {
    /// Whole business minutes used, rounded down.
    pub fn used_minutes(&self) -> u64 {
        self.used_seconds / 60
    }

    /// Business seconds left in the budget (zero once used up).
    pub fn left_seconds(&self) -> u64 {
        self.budget_seconds.saturating_sub(self.used_seconds)
    }

    /// Whole business minutes left, rounded down.
    pub fn left_minutes(&self) -> u64 {
        self.left_seconds() / 60
    }
}

fn instant(secs: i64) -> Option<Instant> {
    DateTime::from_timestamp(secs, 0)
}

/// The instant the clock's used time reaches `x` seconds: within a past
/// segment, or projected from `now` when it is running.
fn crossing(run: &Run<'_>, x: i64, now: i64, running: bool) -> Option<i64> {
    let seg = run.segments.iter().find(|s| s.used_after >= x);
    match seg {
        Some(s) => s.calendar.add_secs(s.start, x - s.used_before),
        None if running => run
            .target
            .and_then(|(_, cal)| cal.add_secs(now, x - run.used)),
        None => None,
    }
}

/// Turns a replayed run into a clock; `None` when it has no target or never
/// started.
pub(crate) fn judge<'r>(kind: TargetKind, run: &Run<'r>, now: i64) -> Option<Clock<'r>> {
    let (target, _) = run.target?;
    if !run.started {
        return None;
    }
    let budget = i64::from(target.budget_minutes) * 60;
    let percent = i64::from(target.warn_percent.clamp(1, 100));
    let warn = (budget * percent + 99) / 100;
    let stop = run.stopped_at.or(run.done_at);
    let running = stop.is_none() && !run.paused;
    let due = crossing(run, budget, now, running);
    let warning_at = crossing(run, warn, now, running);
    let state = match stop {
        Some(s) if due.is_some_and(|t| t < s) => ClockState::Breached,
        Some(_) => ClockState::Met,
        None if due.is_some_and(|t| t <= now) => ClockState::Breached,
        None if run.paused => ClockState::Paused,
        None => ClockState::Running,
    };
    let seen_until = stop.unwrap_or(now);
    Some(Clock {
        kind,
        target,
        state,
        used_seconds: u64::try_from(run.used).unwrap_or(0),
        budget_seconds: u64::try_from(budget).unwrap_or(0),
        due: matches!(state, ClockState::Running | ClockState::Breached)
            .then_some(due)
            .flatten()
            .and_then(instant),
        warning_at: warning_at.and_then(instant),
        warning: warning_at.is_some_and(|t| t <= seen_until),
        breached_at: (state == ClockState::Breached)
            .then_some(due)
            .flatten()
            .and_then(instant),
        stopped_at: stop.and_then(instant),
    })
}
