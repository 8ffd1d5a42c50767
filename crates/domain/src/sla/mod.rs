//! The SLA engine: replays a ticket's history into its SLA clocks.
//!
//! Pure and deterministic: [`compute_clocks`] takes the history, a
//! [`SlaResolver`] for targets and calendars, and `now`, and returns the
//! same [`SlaReport`] every time for the same input.
//!
//! Semantics:
//! * Clocks: first response (opening → first response or resolution),
//!   resolution (opening → entering `resolved`/`closed`; a reopen resumes it
//!   with the time used so far), vendor escalation (raised → answered; a new
//!   escalation after an answer starts a fresh clock). Resolving a ticket
//!   also stops the vendor clock, and a reopen resumes it.
//! * The target of a clock is, among the targets for its kind, the ticket's
//!   priority and contract (or the default contract), the strictest: the
//!   smallest budget. A clock with no matching target is not reported.
//! * On a priority or contract change the time used so far is kept (paused
//!   time stays paused) and the new target is applied to all of it: the
//!   breach instant is when the used time reached the new budget, which may
//!   lie before the change.
//! * Warning at the target's share of the budget (default 75%); breach at
//!   100%. A clock stopped exactly at its due instant is met; a running
//!   clock whose due instant is `now` is breached.
//! * Events must be in time order; events after `now` are ignored.

mod clock;
mod event;
mod model;
mod pause;
mod replay;
mod run;
mod target;

use thiserror::Error;

pub use clock::{Clock, ClockState};
pub use event::{EventKind, TicketEvent};
pub use model::{PendingReason, Priority, Status, TargetKind};
pub use pause::PauseOn;
pub use target::{DEFAULT_WARN_PERCENT, SlaPolicy, SlaResolver, Target};

use crate::calendar::Instant;

/// Why a history cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SlaError {
    /// The history is empty or does not start with an `Opened` event.
    #[error("the ticket history must start with an `opened` event")]
    NotOpened,
    /// A second `Opened` event.
    #[error("event {index} opens the ticket a second time")]
    OpenedTwice {
        /// Position in the history.
        index: usize,
    },
    /// An event earlier than the one before it.
    #[error("event {index} is earlier than the event before it")]
    OutOfOrder {
        /// Position in the history.
        index: usize,
    },
    /// A target names a calendar the resolver does not know.
    #[error("unknown calendar {0:?}")]
    UnknownCalendar(String),
}

/// The clocks of a ticket as of `now`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlaReport<'r> {
    /// One clock per kind that has a target (and, for the vendor clock, an
    /// escalation), in the order first response, resolution, vendor.
    pub clocks: Vec<Clock<'r>>,
    /// The next instant after `now` at which a running clock reaches its
    /// warning or its breach: a scheduler can sleep until then.
    pub next_action: Option<Instant>,
}

impl<'r> SlaReport<'r> {
    /// The clock of one kind, if reported.
    pub fn clock(&self, kind: TargetKind) -> Option<&Clock<'r>> {
        self.clocks.iter().find(|c| c.kind == kind)
    }
}

/// Replays `history` (in time order, starting with `Opened`) into clocks.
pub fn compute_clocks<'r, R: SlaResolver + ?Sized>(
    history: &[TicketEvent],
    resolver: &'r R,
    now: Instant,
) -> Result<SlaReport<'r>, SlaError> {
    let now_secs = now.timestamp();
    let Some(runs) = replay::replay(history, resolver, now_secs)? else {
        return Ok(SlaReport::default());
    };
    let clocks: Vec<Clock<'r>> = TargetKind::ALL
        .into_iter()
        .zip(&runs)
        .filter_map(|(kind, run)| clock::judge(kind, run, now_secs))
        .collect();
    let next_action = clocks
        .iter()
        .filter(|c| c.state == ClockState::Running)
        .flat_map(|c| [c.warning_at, c.due])
        .flatten()
        .filter(|t| *t > now)
        .min();
    Ok(SlaReport {
        clocks,
        next_action,
    })
}
