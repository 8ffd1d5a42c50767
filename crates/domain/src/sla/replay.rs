//! Replays a ticket history into one [`Run`] per target kind: the business
//! time each clock used, segment by segment, and how it stopped.
//!
//! Business time is measured per stretch: from the instant a clock starts
//! counting in a calendar to the instant it stops or switches calendar, so
//! events that change nothing for a clock cost it nothing.
//! Business time accumulates only while a clock is live (started, not
//! stopped, ticket not resolved) and its current status is not one of its
//! target's pause statuses, measured in the calendar of the target in force
//! at the time. A priority or contract change keeps the time used so far
//! (and time paused stays paused); the judge then applies the target in
//! force at the last live moment to the whole of it.

use super::run::{Memo, Run, close, resolve, sync};
use super::{EventKind, SlaError, SlaResolver, Status, TicketEvent};

/// Replays `history` up to `now`; `None` when the ticket opens after `now`.
pub(crate) fn replay<'r, R: SlaResolver + ?Sized>(
    history: &[TicketEvent],
    resolver: &'r R,
    now: i64,
) -> Result<Option<[Run<'r>; 3]>, SlaError> {
    let Some(TicketEvent {
        at,
        kind: EventKind::Opened { priority, contract },
    }) = history.first()
    else {
        return Err(SlaError::NotOpened);
    };
    let mut last = at.timestamp();
    if last > now {
        return Ok(None);
    }
    let (mut status, mut priority, mut contract) = (Status::New, *priority, contract.as_deref());
    let mut targets = resolve(resolver, contract, priority)?;
    let mut runs: [Run<'r>; 3] = Default::default();
    for (run, target) in runs.iter_mut().zip(targets).take(2) {
        run.started = true;
        run.target = target;
    }
    let mut memo: Memo<'r> = None;
    sync(&mut runs, status, last, &mut memo);
    for (index, event) in history.iter().enumerate().skip(1) {
        let at = event.at.timestamp();
        if at < last {
            return Err(SlaError::OutOfOrder { index });
        }
        if at > now {
            break;
        }
        last = at;
        let [first, resolution, vendor] = &mut runs;
        match &event.kind {
            EventKind::Opened { .. } => return Err(SlaError::OpenedTwice { index }),
            EventKind::StatusChanged(next) => {
                if next.is_done() && !status.is_done() {
                    if first.live() {
                        first.stopped_at = Some(at);
                    }
                    resolution.done_at = Some(at);
                    vendor.done_at = Some(at);
                } else if !next.is_done() {
                    resolution.done_at = None;
                    vendor.done_at = None;
                }
                status = *next;
            }
            EventKind::PriorityChanged(p) => {
                priority = *p;
                targets = resolve(resolver, contract, priority)?;
            }
            EventKind::ContractChanged(c) => {
                contract = c.as_deref();
                targets = resolve(resolver, contract, priority)?;
            }
            EventKind::FirstResponse if first.live() => first.stopped_at = Some(at),
            EventKind::VendorEscalated if !vendor.started || vendor.stopped_at.is_some() => {
                // A fresh clock; the segment buffer is reused.
                let segments = std::mem::take(&mut vendor.segments);
                let done_at = status.is_done().then_some(at);
                *vendor = Run::restarted(done_at, segments);
            }
            EventKind::VendorAnswered if vendor.started && vendor.stopped_at.is_none() => {
                vendor.stopped_at = Some(at);
            }
            EventKind::FirstResponse | EventKind::VendorEscalated | EventKind::VendorAnswered => {}
        }
        for (run, target) in runs.iter_mut().zip(targets) {
            if run.live() {
                run.target = target;
            }
        }
        sync(&mut runs, status, at, &mut memo);
    }
    for run in &mut runs {
        close(run, now, &mut memo);
    }
    for run in &mut runs {
        run.paused = run.live() && run.target.is_some_and(|(t, _)| t.pause_on.contains(status));
    }
    Ok(Some(runs))
}
