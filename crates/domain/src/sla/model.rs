//! Service-desk vocabulary the SLA engine works with: ticket statuses,
//! pending reasons, priorities and target kinds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a ticket is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingReason {
    /// Waiting for the customer to answer.
    WaitingCustomer,
    /// Waiting for a vendor.
    WaitingVendor,
    /// Waiting for parts to arrive.
    WaitingParts,
}

/// The status of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Just opened.
    New,
    /// Given to someone.
    Assigned,
    /// Being worked on.
    InProgress,
    /// Waiting for something outside the desk.
    Pending(PendingReason),
    /// A solution was given.
    Resolved,
    /// Finished for good.
    Closed,
}

impl Status {
    /// Every status, in a fixed order.
    pub const ALL: [Status; 8] = [
        Status::New,
        Status::Assigned,
        Status::InProgress,
        Status::Pending(PendingReason::WaitingCustomer),
        Status::Pending(PendingReason::WaitingVendor),
        Status::Pending(PendingReason::WaitingParts),
        Status::Resolved,
        Status::Closed,
    ];

    /// True for `resolved` and `closed`: the ticket counts as resolved.
    pub fn is_done(self) -> bool {
        matches!(self, Status::Resolved | Status::Closed)
    }

    /// Position in [`Status::ALL`].
    pub(crate) fn index(self) -> u32 {
        match self {
            Status::New => 0,
            Status::Assigned => 1,
            Status::InProgress => 2,
            Status::Pending(PendingReason::WaitingCustomer) => 3,
            Status::Pending(PendingReason::WaitingVendor) => 4,
            Status::Pending(PendingReason::WaitingParts) => 5,
            Status::Resolved => 6,
            Status::Closed => 7,
        }
    }

    /// The text form: `new`, `in_progress`, `pending:waiting_customer`, ...
    pub fn as_str(self) -> &'static str {
        const NAMES: [&str; 8] = [
            "new",
            "assigned",
            "in_progress",
            "pending:waiting_customer",
            "pending:waiting_vendor",
            "pending:waiting_parts",
            "resolved",
            "closed",
        ];
        NAMES[self.index() as usize]
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown ticket status {s:?}"))
    }
}

/// Ticket priority, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// P1.
    Critical,
    /// P2.
    High,
    /// P3.
    Medium,
    /// P4.
    Low,
}

/// What an SLA target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// From opening to the first response (or resolution, if earlier).
    FirstResponse,
    /// From opening to resolution; a reopened ticket's clock resumes.
    Resolution,
    /// From raising a vendor escalation to the vendor's answer.
    VendorEscalation,
}

impl TargetKind {
    /// Every kind, in report order.
    pub const ALL: [TargetKind; 3] = [
        TargetKind::FirstResponse,
        TargetKind::Resolution,
        TargetKind::VendorEscalation,
    ];

    /// Position in [`TargetKind::ALL`].
    pub(crate) fn index(self) -> usize {
        match self {
            TargetKind::FirstResponse => 0,
            TargetKind::Resolution => 1,
            TargetKind::VendorEscalation => 2,
        }
    }
}
