//! The set of ticket statuses that pause an SLA clock.

use serde::{Deserialize, Serialize};

use super::{PendingReason, Status};

/// A set of statuses during which a clock is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Status>", into = "Vec<Status>")]
pub struct PauseOn(u16);

impl PauseOn {
    /// Never paused.
    pub const NONE: PauseOn = PauseOn(0);

    /// Paused in every `pending` status, whatever the reason.
    pub fn all_pending() -> Self {
        Self::NONE
            .with(Status::Pending(PendingReason::WaitingCustomer))
            .with(Status::Pending(PendingReason::WaitingVendor))
            .with(Status::Pending(PendingReason::WaitingParts))
    }

    /// This set plus one status.
    pub fn with(self, status: Status) -> Self {
        Self(self.0 | 1 << status.index())
    }

    /// True when the clock pauses in `status`.
    pub fn contains(self, status: Status) -> bool {
        self.0 & (1 << status.index()) != 0
    }
}

impl FromIterator<Status> for PauseOn {
    fn from_iter<I: IntoIterator<Item = Status>>(iter: I) -> Self {
        iter.into_iter().fold(Self::NONE, Self::with)
    }
}

impl From<Vec<Status>> for PauseOn {
    fn from(statuses: Vec<Status>) -> Self {
        statuses.into_iter().collect()
    }
}

impl From<PauseOn> for Vec<Status> {
    fn from(set: PauseOn) -> Self {
        Status::ALL
            .into_iter()
            .filter(|s| set.contains(*s))
            .collect()
    }
}
