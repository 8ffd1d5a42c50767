//! Who is told what: the notification router. [`route`] turns an event about a ticket (or a
//! contract) and the facts around it — assignee, team, the customer's ASE/CSE, contacts and
//! their roles, whether the desk is closed and who is on call — into deliveries; a user's
//! [`Prefs`] then pick the channels (in-app, e-mail now, e-mail held for quiet hours).
//! Pure: the store gathers the facts and applies the result in the event's transaction.
mod oncall;
mod prefs;
mod route;

pub use oncall::{Override, Period, Rotation, Shift, on_call_at, schedule};
pub use prefs::{Channels, Choice, EmailWhen, Prefs, QuietHours};
pub use route::{ContactFact, Delivery, Facts, Reason, Who, route};

/// What happened. The string forms are the event types of webhooks and preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Event {
    TicketCreated,
    TicketAssigned,
    TicketUpdated,
    TicketCommented,
    CustomerReplied,
    TicketResolved,
    SlaWarning,
    SlaBreached,
    Escalated,
    RenewalReminder,
}

impl Event {
    pub const ALL: [Event; 10] = [
        Event::TicketCreated,
        Event::TicketAssigned,
        Event::TicketUpdated,
        Event::TicketCommented,
        Event::CustomerReplied,
        Event::TicketResolved,
        Event::SlaWarning,
        Event::SlaBreached,
        Event::Escalated,
        Event::RenewalReminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::TicketCreated => "ticket.created",
            Event::TicketAssigned => "ticket.assigned",
            Event::TicketUpdated => "ticket.updated",
            Event::TicketCommented => "ticket.commented",
            Event::CustomerReplied => "ticket.customer_replied",
            Event::TicketResolved => "ticket.resolved",
            Event::SlaWarning => "sla.warning",
            Event::SlaBreached => "sla.breached",
            Event::Escalated => "ticket.escalated",
            Event::RenewalReminder => "contract.renewal",
        }
    }

    pub fn parse(s: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// Events the customer's contacts hear about (by e-mail, by their roles).
    pub fn customer_facing(self) -> bool {
        matches!(self, Event::TicketCreated | Event::TicketResolved)
    }

    /// E-mail is on by default for these; in-app for every event.
    pub fn email_by_default(self) -> bool {
        matches!(
            self,
            Event::TicketAssigned | Event::SlaBreached | Event::Escalated | Event::RenewalReminder
        )
    }

    /// The `notifications.kind` of the in-app entry.
    pub fn kind(self) -> &'static str {
        match self {
            Event::Escalated => "escalation",
            Event::TicketAssigned => "assigned",
            Event::RenewalReminder => "renewal",
            Event::SlaWarning => "sla_warning",
            Event::SlaBreached => "sla_breach",
            Event::TicketCreated => "created",
            Event::CustomerReplied => "customer_reply",
            Event::TicketCommented => "comment",
            Event::TicketResolved => "resolved",
            Event::TicketUpdated => "updated",
        }
    }
}

/// The contact role that receives customer-facing ticket mail.
pub const CONTACT_ROLE_TICKETS: &str = "open_tickets";
