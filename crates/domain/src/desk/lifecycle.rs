//! The ticket lifecycle: `new → assigned → in_progress → pending(reason) → resolved → closed`,
//! with reopening.
use crate::calendar::Instant;
use crate::model::ValidationError;
use crate::sla::{PendingReason, Status};
use thiserror::Error;

/// A transition the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("a ticket cannot go from {from} to {to}")]
    NotAllowed { from: Status, to: Status },
    #[error("the ticket was closed more than {days} days ago and can no longer be reopened")]
    ReopenExpired { days: u32 },
}

/// The rules of the lifecycle; `reopen_days` is how long a closed ticket may be reopened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    pub reopen_days: u32,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle { reopen_days: 14 }
    }
}

impl Lifecycle {
    /// Whether a ticket in `from` may move to `to` at `now` (`closed_at` for closed tickets).
    pub fn check(
        &self,
        from: Status,
        to: Status,
        closed_at: Option<Instant>,
        now: Instant,
    ) -> Result<(), TransitionError> {
        use Status::*;
        let allowed = match (from, to) {
            (a, b) if a == b => false,
            (New, Assigned | InProgress | Pending(_) | Resolved) => true,
            (Assigned, InProgress | Pending(_) | Resolved) => true,
            (InProgress, Assigned | Pending(_) | Resolved) => true,
            (Pending(_), Assigned | InProgress | Pending(_) | Resolved) => true,
            (Resolved, InProgress | Closed) => true,
            (Closed, InProgress) => {
                let limit = chrono::Duration::days(i64::from(self.reopen_days));
                return match closed_at {
                    Some(t) if now - t <= limit => Ok(()),
                    _ => Err(TransitionError::ReopenExpired {
                        days: self.reopen_days,
                    }),
                };
            }
            _ => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(TransitionError::NotAllowed { from, to })
        }
    }
}

/// The status column and pending reason of a status: (`pending`, `Some("waiting_customer")`).
pub fn status_parts(s: Status) -> (&'static str, Option<&'static str>) {
    match s {
        Status::Pending(r) => (
            "pending",
            Some(match r {
                PendingReason::WaitingCustomer => "waiting_customer",
                PendingReason::WaitingVendor => "waiting_vendor",
                PendingReason::WaitingParts => "waiting_parts",
            }),
        ),
        other => (other.as_str(), None),
    }
}

/// A status from its column and reason; `pending` needs one of `waiting_customer`,
/// `waiting_vendor`, `waiting_parts`, and other statuses take none.
pub fn parse_status(status: &str, reason: Option<&str>) -> Result<Status, ValidationError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if status == "pending" {
        let r = reason.ok_or_else(|| {
            ValidationError::new(
                "reason",
                "pending needs a reason: waiting_customer, waiting_vendor or waiting_parts",
            )
        })?;
        return format!("pending:{r}").parse().map_err(|_| {
            ValidationError::new(
                "reason",
                format!("unknown pending reason `{r}`; expected waiting_customer, waiting_vendor or waiting_parts"),
            )
        });
    }
    let s: Status = status
        .parse()
        .ok()
        .filter(|s| !matches!(s, Status::Pending(_)))
        .ok_or_else(|| {
            ValidationError::new(
                "to",
                format!("unknown status `{status}`; expected new, assigned, in_progress, pending, resolved or closed"),
            )
        })?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn at(secs: i64) -> Instant {
        chrono::DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn forward_path_and_invalid_jumps() {
        let l = Lifecycle::default();
        let now = at(1_000_000);
        let wc = Pending(PendingReason::WaitingCustomer);
        for (a, b) in [
            (New, Assigned),
            (Assigned, InProgress),
            (InProgress, wc),
            (wc, InProgress),
            (wc, Pending(PendingReason::WaitingParts)),
            (InProgress, Resolved),
            (Resolved, InProgress),
            (Resolved, Closed),
        ] {
            assert_eq!(l.check(a, b, None, now), Ok(()), "{a} -> {b}");
        }
        for (a, b) in [
            (New, Closed),
            (InProgress, Closed),
            (InProgress, New),
            (InProgress, InProgress),
            (Resolved, New),
            (Closed, Resolved),
            (Closed, Assigned),
            (wc, wc),
        ] {
            assert_eq!(
                l.check(a, b, None, now),
                Err(TransitionError::NotAllowed { from: a, to: b }),
                "{a} -> {b}"
            );
        }
    }

    #[test]
    fn closed_reopens_only_within_the_period() {
        let l = Lifecycle { reopen_days: 7 };
        let closed = at(0);
        assert_eq!(
            l.check(Closed, InProgress, Some(closed), at(7 * 86400)),
            Ok(())
        );
        assert_eq!(
            l.check(Closed, InProgress, Some(closed), at(7 * 86400 + 1)),
            Err(TransitionError::ReopenExpired { days: 7 })
        );
        assert!(l.check(Closed, InProgress, None, at(0)).is_err());
    }

    #[test]
    fn statuses_parse_with_reasons() {
        assert_eq!(
            parse_status("pending", Some("waiting_vendor")),
            Ok(Pending(PendingReason::WaitingVendor))
        );
        assert_eq!(parse_status("pending", None).unwrap_err().field, "reason");
        assert_eq!(
            parse_status("pending", Some("lunch")).unwrap_err().field,
            "reason"
        );
        assert_eq!(parse_status("in_progress", None), Ok(InProgress));
        assert_eq!(parse_status("done", None).unwrap_err().field, "to");
        assert_eq!(
            parse_status("pending:waiting_parts", None)
                .unwrap_err()
                .field,
            "to"
        );
        assert_eq!(
            status_parts(Pending(PendingReason::WaitingParts)),
            ("pending", Some("waiting_parts"))
        );
        assert_eq!(status_parts(Resolved), ("resolved", None));
    }
}
