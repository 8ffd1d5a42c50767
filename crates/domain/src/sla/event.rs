//! The ticket history the SLA engine replays.

use serde::{Deserialize, Serialize};

use super::{Priority, Status};
use crate::calendar::Instant;

/// Something that happened to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The ticket was opened (status `new`). Must be the first event.
    Opened {
        /// Priority at opening.
        priority: Priority,
        /// Contract id, if the ticket falls under one.
        contract: Option<String>,
    },
    /// The status changed. Entering `resolved` or `closed` is the resolution.
    StatusChanged(Status),
    /// The priority changed.
    PriorityChanged(Priority),
    /// The contract changed.
    ContractChanged(Option<String>),
    /// The desk answered the customer for the first time.
    FirstResponse,
    /// An escalation to a vendor was raised.
    VendorEscalated,
    /// The vendor answered the escalation.
    VendorAnswered,
}

/// One event of a ticket's history.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TicketEvent {
    /// When it happened.
    pub at: Instant,
    /// What happened.
    pub kind: EventKind,
}

impl TicketEvent {
    /// An event at an instant.
    pub fn new(at: Instant, kind: EventKind) -> Self {
        Self { at, kind }
    }
}
