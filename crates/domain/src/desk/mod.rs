//! The service desk: ticket vocabulary, the priority matrix, the ticket lifecycle, the events
//! a ticket's history is made of, and the SLA terms of a contract.
//!
//! Pure like the rest of the crate: time is always a parameter.
mod lifecycle;
mod search;
mod terms;

pub use lifecycle::{Lifecycle, TransitionError, parse_status, status_parts};
pub use search::{customer_tag, query_terms, search_words};
pub use terms::{
    ClockView, SlaAction, SlaSummary, SlaTable, SlaTerms, compute_summary, policy_for,
};

use crate::calendar::Instant;
use crate::model::enums::vocabulary;
use crate::sla::{EventKind, Priority, Status, TicketEvent};
use serde::{Deserialize, Serialize};

vocabulary!(
    /// What a ticket is about.
    TicketType { Incident = "incident", ServiceRequest = "service_request", Problem = "problem", Change = "change" }
);

impl TicketType {
    /// The prefix of its numbers: `INC-2026-000123`.
    pub fn prefix(self) -> &'static str {
        match self {
            TicketType::Incident => "INC",
            TicketType::ServiceRequest => "REQ",
            TicketType::Problem => "PRB",
            TicketType::Change => "CHG",
        }
    }
}

/// A ticket number: `PREFIX-YEAR-NNNNNN`.
pub fn ticket_number(kind: TicketType, year: i32, n: i64) -> String {
    format!("{}-{year}-{n:06}", kind.prefix())
}

/// Whether `s` is a ticket number such as `INC-2026-000123` (any case).
pub fn looks_like_number(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 3
        && ["INC", "REQ", "PRB", "CHG"].contains(&parts[0].to_ascii_uppercase().as_str())
        && parts[1].len() == 4
        && parts[2].len() >= 6
        && parts[1..]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

vocabulary!(
    /// How a ticket reached the desk.
    Channel { Phone = "phone", Fax = "fax", Email = "email", Portal = "portal", Api = "api", Monitoring = "monitoring" }
);

vocabulary!(
    /// What area a ticket concerns.
    Category { Hardware = "hardware", Software = "software", Network = "network", Security = "security", Other = "other" }
);

vocabulary!(
    /// Impact or urgency of a ticket.
    Level { Low = "low", Medium = "medium", High = "high", Critical = "critical" }
);

vocabulary!(
    /// Who may read a comment.
    Visibility { Internal = "internal", Public = "public" }
);

impl Level {
    fn index(self) -> usize {
        match self {
            Level::Low => 0,
            Level::Medium => 1,
            Level::High => 2,
            Level::Critical => 3,
        }
    }

    /// The priority of the same rank.
    pub fn as_priority(self) -> Priority {
        match self {
            Level::Low => Priority::Low,
            Level::Medium => Priority::Medium,
            Level::High => Priority::High,
            Level::Critical => Priority::Critical,
        }
    }
}

/// The wire spelling of a priority.
pub fn priority_str(p: Priority) -> &'static str {
    match p {
        Priority::Critical => "critical",
        Priority::High => "high",
        Priority::Medium => "medium",
        Priority::Low => "low",
    }
}

/// Parses `critical`, `high`, `medium` or `low`.
pub fn parse_priority(s: &str) -> Option<Priority> {
    [
        Priority::Critical,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ]
    .into_iter()
    .find(|p| priority_str(*p) == s)
}

/// Impact × urgency → priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityMatrix {
    /// `cells[impact][urgency]`, both indexed low, medium, high, critical.
    pub cells: [[Priority; 4]; 4],
}

impl Default for PriorityMatrix {
    /// The higher of impact and urgency.
    fn default() -> Self {
        let mut cells = [[Priority::Low; 4]; 4];
        for i in Level::ALL {
            for u in Level::ALL {
                cells[i.index()][u.index()] = i.max_with(*u).as_priority();
            }
        }
        PriorityMatrix { cells }
    }
}

impl Level {
    fn max_with(self, other: Level) -> Level {
        if self.index() >= other.index() {
            self
        } else {
            other
        }
    }
}

impl PriorityMatrix {
    pub fn priority(&self, impact: Level, urgency: Level) -> Priority {
        self.cells[impact.index()][urgency.index()]
    }
}

/// One entry of a ticket's history: what the timeline shows and the SLA engine replays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeskEvent {
    /// The ticket was opened.
    Opened {
        priority: Priority,
        contract: Option<String>,
        channel: String,
    },
    /// The status changed (text form, e.g. `pending:waiting_customer`).
    StatusChanged {
        from: String,
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    PriorityChanged {
        from: Priority,
        to: Priority,
    },
    ContractChanged {
        to: Option<String>,
    },
    /// A comment: an internal note or a reply the customer sees.
    Comment {
        visibility: Visibility,
        body: String,
        by_customer: bool,
    },
    /// The desk answered the customer for the first time.
    FirstResponse,
    /// A field other than status and priority changed.
    FieldChanged {
        field: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// A clock (`first_response`, `resolution`) reached its warning share.
    SlaWarning {
        clock: String,
    },
    /// A clock ran out.
    SlaBreached {
        clock: String,
    },
    /// An escalation rule acted on the ticket.
    Escalated {
        rule: String,
        action: String,
        detail: String,
    },
    /// A file was attached; customers see public attachments only.
    AttachmentAdded {
        attachment: String,
        filename: String,
        size: i64,
        visibility: Visibility,
    },
    /// Work time was logged (internal).
    TimeLogged {
        entry: String,
        user: String,
        minutes: i64,
        billable: bool,
    },
    /// The ticket was linked to another; `relation` reads from this ticket's side
    /// (`problem`, `incident`, `duplicate_of`, `duplicated_by`, `parent`, `child`).
    Linked {
        link: String,
        relation: String,
        other: String,
        number: String,
        /// The other ticket belongs to another customer (hidden from customers).
        #[serde(default)]
        cross_customer: bool,
    },
    /// A link was removed.
    Unlinked {
        link: String,
        relation: String,
        other: String,
        number: String,
        #[serde(default)]
        cross_customer: bool,
    },
    /// A case was raised with a vendor (starts the vendor clock; internal).
    VendorRaised {
        case: String,
        vendor: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        case_number: Option<String>,
    },
    /// The vendor answered (stops the vendor clock; internal).
    VendorAnswered {
        case: String,
        vendor: String,
        answer: String,
    },
    /// A vendor case's status or number changed (internal).
    VendorCaseChanged {
        case: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        case_number: Option<String>,
    },
    /// A field visit was planned.
    DispatchPlanned {
        dispatch: String,
        engineer: String,
        planned_at: i64,
    },
    /// A field visit changed (status, arrival, work done, parts).
    DispatchChanged {
        dispatch: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

impl DeskEvent {
    /// The event's kind as stored: `opened`, `status_changed`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            DeskEvent::Opened { .. } => "opened",
            DeskEvent::StatusChanged { .. } => "status_changed",
            DeskEvent::PriorityChanged { .. } => "priority_changed",
            DeskEvent::ContractChanged { .. } => "contract_changed",
            DeskEvent::Comment { .. } => "comment",
            DeskEvent::FirstResponse => "first_response",
            DeskEvent::FieldChanged { .. } => "field_changed",
            DeskEvent::SlaWarning { .. } => "sla_warning",
            DeskEvent::SlaBreached { .. } => "sla_breached",
            DeskEvent::Escalated { .. } => "escalated",
            DeskEvent::AttachmentAdded { .. } => "attachment_added",
            DeskEvent::TimeLogged { .. } => "time_logged",
            DeskEvent::Linked { .. } => "linked",
            DeskEvent::Unlinked { .. } => "unlinked",
            DeskEvent::VendorRaised { .. } => "vendor_raised",
            DeskEvent::VendorAnswered { .. } => "vendor_answered",
            DeskEvent::VendorCaseChanged { .. } => "vendor_case_changed",
            DeskEvent::DispatchPlanned { .. } => "dispatch_planned",
            DeskEvent::DispatchChanged { .. } => "dispatch_changed",
        }
    }

    /// What the SLA engine sees of this event, if anything.
    pub fn to_sla(&self) -> Option<EventKind> {
        match self {
            DeskEvent::Opened {
                priority, contract, ..
            } => Some(EventKind::Opened {
                priority: *priority,
                contract: contract.clone(),
            }),
            DeskEvent::StatusChanged { to, .. } => {
                to.parse::<Status>().ok().map(EventKind::StatusChanged)
            }
            DeskEvent::PriorityChanged { to, .. } => Some(EventKind::PriorityChanged(*to)),
            DeskEvent::ContractChanged { to } => Some(EventKind::ContractChanged(to.clone())),
            DeskEvent::FirstResponse => Some(EventKind::FirstResponse),
            DeskEvent::VendorRaised { .. } => Some(EventKind::VendorEscalated),
            DeskEvent::VendorAnswered { .. } => Some(EventKind::VendorAnswered),
            DeskEvent::Comment { .. }
            | DeskEvent::FieldChanged { .. }
            | DeskEvent::AttachmentAdded { .. }
            | DeskEvent::TimeLogged { .. }
            | DeskEvent::Linked { .. }
            | DeskEvent::Unlinked { .. }
            | DeskEvent::VendorCaseChanged { .. }
            | DeskEvent::DispatchPlanned { .. }
            | DeskEvent::DispatchChanged { .. }
            | DeskEvent::SlaWarning { .. }
            | DeskEvent::SlaBreached { .. }
            | DeskEvent::Escalated { .. } => None,
        }
    }

    /// True when a customer's user may see this event on the timeline.
    pub fn customer_visible(&self) -> bool {
        match self {
            DeskEvent::Comment { visibility, .. }
            | DeskEvent::AttachmentAdded { visibility, .. } => *visibility == Visibility::Public,
            DeskEvent::Linked { cross_customer, .. }
            | DeskEvent::Unlinked { cross_customer, .. } => !cross_customer,
            DeskEvent::TimeLogged { .. }
            | DeskEvent::VendorRaised { .. }
            | DeskEvent::VendorAnswered { .. }
            | DeskEvent::VendorCaseChanged { .. }
            | DeskEvent::SlaWarning { .. }
            | DeskEvent::Escalated { .. } => false,
            _ => true,
        }
    }
}

/// The SLA history of a list of timed desk events.
pub fn sla_history<'a>(
    events: impl IntoIterator<Item = (Instant, &'a DeskEvent)>,
) -> Vec<TicketEvent> {
    events
        .into_iter()
        .filter_map(|(at, e)| e.to_sla().map(|k| TicketEvent::new(at, k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matrix_takes_the_higher_level() {
        let m = PriorityMatrix::default();
        assert_eq!(m.priority(Level::Low, Level::Low), Priority::Low);
        assert_eq!(m.priority(Level::Low, Level::High), Priority::High);
        assert_eq!(m.priority(Level::Medium, Level::Low), Priority::Medium);
        assert_eq!(m.priority(Level::Critical, Level::Low), Priority::Critical);
        assert_eq!(
            m.priority(Level::Critical, Level::Critical),
            Priority::Critical
        );
    }

    #[test]
    fn a_custom_matrix_is_used_as_given() {
        let mut m = PriorityMatrix::default();
        m.cells[3][0] = Priority::High;
        assert_eq!(m.priority(Level::Critical, Level::Low), Priority::High);
        assert_eq!(m.priority(Level::Low, Level::Critical), Priority::Critical);
    }

    #[test]
    fn numbers_and_vocabularies() {
        assert_eq!(
            ticket_number(TicketType::Incident, 2026, 123),
            "INC-2026-000123"
        );
        assert_eq!(TicketType::ServiceRequest.prefix(), "REQ");
        assert_eq!(TicketType::Problem.prefix(), "PRB");
        assert_eq!(TicketType::Change.prefix(), "CHG");
        assert_eq!(
            "service_request".parse::<TicketType>(),
            Ok(TicketType::ServiceRequest)
        );
        assert!("fax".parse::<Channel>().is_ok());
        assert!("pigeon".parse::<Channel>().unwrap_err().contains("phone"));
        assert!("toaster".parse::<Category>().is_err());
        assert_eq!(parse_priority("high"), Some(Priority::High));
        assert_eq!(parse_priority("p1"), None);
    }

    #[test]
    fn events_round_trip_and_map_to_the_sla_engine() {
        let e = DeskEvent::StatusChanged {
            from: "in_progress".into(),
            to: "pending:waiting_customer".into(),
            note: None,
        };
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains("\"kind\":\"status_changed\""), "{json}");
        assert_eq!(serde_json::from_str::<DeskEvent>(&json).unwrap(), e);
        assert_eq!(
            e.to_sla(),
            Some(EventKind::StatusChanged(Status::Pending(
                crate::sla::PendingReason::WaitingCustomer
            )))
        );
        let note = DeskEvent::Comment {
            visibility: Visibility::Internal,
            body: "x".into(),
            by_customer: false,
        };
        assert_eq!(note.to_sla(), None);
        assert!(!note.customer_visible());
        assert_eq!(
            DeskEvent::FirstResponse.to_sla(),
            Some(EventKind::FirstResponse)
        );
    }

    #[test]
    fn work_records_map_to_the_vendor_clock_and_hide_internal_work() {
        let raised = DeskEvent::VendorRaised {
            case: "c1".into(),
            vendor: "Oracle".into(),
            case_number: Some("SR-1".into()),
        };
        assert_eq!(raised.to_sla(), Some(EventKind::VendorEscalated));
        assert!(!raised.customer_visible());
        let answered = DeskEvent::VendorAnswered {
            case: "c1".into(),
            vendor: "Oracle".into(),
            answer: "apply patch 123".into(),
        };
        assert_eq!(answered.to_sla(), Some(EventKind::VendorAnswered));
        let json = serde_json::to_string(&answered).unwrap();
        assert!(json.contains("\"kind\":\"vendor_answered\""), "{json}");
        assert_eq!(serde_json::from_str::<DeskEvent>(&json).unwrap(), answered);
        let internal_file = DeskEvent::AttachmentAdded {
            attachment: "a".into(),
            filename: "dump.txt".into(),
            size: 1,
            visibility: Visibility::Internal,
        };
        assert!(!internal_file.customer_visible());
        assert_eq!(internal_file.to_sla(), None);
        let time = DeskEvent::TimeLogged {
            entry: "e".into(),
            user: "ce1".into(),
            minutes: 30,
            billable: true,
        };
        assert!(!time.customer_visible());
        let link = |cross_customer| DeskEvent::Linked {
            link: "l".into(),
            relation: "problem".into(),
            other: "t2".into(),
            number: "PRB-2026-000001".into(),
            cross_customer,
        };
        assert!(link(false).customer_visible() && !link(true).customer_visible());
        assert!(
            DeskEvent::DispatchPlanned {
                dispatch: "d".into(),
                engineer: "ce1".into(),
                planned_at: 0
            }
            .customer_visible()
        );
    }
}
