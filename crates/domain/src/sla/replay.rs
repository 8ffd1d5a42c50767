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

use super::{EventKind, SlaError, SlaResolver, Status, Target, TicketEvent};
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
    fn live(&self) -> bool {
        self.started && self.stopped_at.is_none() && self.done_at.is_none()
    }

    fn counting(&self, status: Status) -> Option<&'r Calendar> {
        let (target, calendar) = self.target?;
        (self.live() && !target.pause_on.contains(status)).then_some(calendar)
    }
}

type Resolved<'r> = [Option<(&'r Target, &'r Calendar)>; 3];

fn resolve<'r, R: SlaResolver + ?Sized>(
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
type Memo<'r> = Option<(i64, i64, &'r Calendar, i64)>;

/// Ends a clock's counting stretch at `at`, recording it as a segment.
fn close<'r>(run: &mut Run<'r>, at: i64, memo: &mut Memo<'r>) {
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
fn sync<'r>(runs: &mut [Run<'r>; 3], status: Status, at: i64, memo: &mut Memo<'r>) {
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
                let mut segments = std::mem::take(&mut vendor.segments);
                segments.clear();
                let done_at = status.is_done().then_some(at);
                *vendor = Run {
                    started: true,
                    done_at,
                    segments,
                    ..Run::default()
                };
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
