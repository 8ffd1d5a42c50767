//! The routing rules: event + facts → one delivery per recipient.
use super::{CONTACT_ROLE_TICKETS, Event};

/// A customer contact and its roles (`open_tickets`, `security_notices`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFact {
    pub id: String,
    pub roles: Vec<String>,
}

/// What the store knows around the event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The user who caused the event; never told about their own action.
    pub actor: Option<String>,
    pub assignee: Option<String>,
    /// Members of the ticket's team.
    pub team: Vec<String>,
    pub ase: Option<String>,
    pub cse: Option<String>,
    pub contacts: Vec<ContactFact>,
    /// The ticket is critical.
    pub critical: bool,
    /// The provider's default calendar has the desk closed.
    pub after_hours: bool,
    /// Who is on call now (all rotations).
    pub on_call: Vec<String>,
    /// For escalations: the users the rule names (assignee, team, ASE, new assignee).
    pub targets: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    User(String),
    Contact(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Assignee,
    Team,
    Ase,
    Cse,
    Target,
    OnCall,
    Contact,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Assignee => "assignee",
            Reason::Team => "team",
            Reason::Ase => "ase",
            Reason::Cse => "cse",
            Reason::Target => "rule",
            Reason::OnCall => "on_call",
            Reason::Contact => "contact",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub who: Who,
    pub reason: Reason,
    /// Critical ticket or on-call page: e-mail ignores quiet hours.
    pub urgent: bool,
    /// An on-call page: in-app and e-mail whatever the preferences say.
    pub page: bool,
}

fn add(out: &mut Vec<Delivery>, facts: &Facts, who: Who, reason: Reason, page: bool) {
    if let Who::User(u) = &who
        && facts.actor.as_deref() == Some(u.as_str())
    {
        return;
    }
    let urgent = page || facts.critical;
    match out.iter_mut().find(|d| d.who == who) {
        Some(d) => {
            d.urgent |= urgent;
            d.page |= page;
        }
        None => out.push(Delivery {
            who,
            reason,
            urgent,
            page,
        }),
    }
}

/// Does the on-call engineer hear of it? Outside business hours, escalations and critical
/// tickets (new, answered by the customer, SLA warning or breach).
fn pages_on_call(event: Event, facts: &Facts) -> bool {
    facts.after_hours
        && (event == Event::Escalated
            || (facts.critical
                && matches!(
                    event,
                    Event::TicketCreated
                        | Event::CustomerReplied
                        | Event::SlaWarning
                        | Event::SlaBreached
                )))
}

/// The recipients of `event`, one delivery each (the first reason wins).
pub fn route(event: Event, facts: &Facts) -> Vec<Delivery> {
    let mut out = vec![];
    let user = |s: &String| Who::User(s.clone());
    let assignee_or_team = |out: &mut Vec<Delivery>| {
        if let Some(a) = &facts.assignee {
            add(out, facts, user(a), Reason::Assignee, false);
        } else {
            for m in &facts.team {
                add(out, facts, user(m), Reason::Team, false);
            }
        }
    };
    match event {
        Event::TicketCreated | Event::CustomerReplied | Event::SlaWarning => {
            assignee_or_team(&mut out);
            if facts.critical
                && let Some(a) = &facts.ase
            {
                add(&mut out, facts, user(a), Reason::Ase, false);
            }
        }
        Event::TicketAssigned | Event::TicketUpdated | Event::TicketCommented => {
            if let Some(a) = &facts.assignee {
                add(&mut out, facts, user(a), Reason::Assignee, false);
            }
        }
        Event::TicketResolved => {}
        Event::SlaBreached => {
            if let Some(a) = &facts.assignee {
                add(&mut out, facts, user(a), Reason::Assignee, false);
            }
            for m in &facts.team {
                add(&mut out, facts, user(m), Reason::Team, false);
            }
            if let Some(a) = &facts.ase {
                add(&mut out, facts, user(a), Reason::Ase, false);
            }
        }
        Event::Escalated => match &facts.targets {
            Some(t) => {
                for u in t {
                    add(&mut out, facts, user(u), Reason::Target, false);
                }
            }
            None => assignee_or_team(&mut out),
        },
        Event::RenewalReminder => {
            for (u, r) in [(&facts.ase, Reason::Ase), (&facts.cse, Reason::Cse)] {
                if let Some(u) = u {
                    add(&mut out, facts, user(u), r, false);
                }
            }
        }
    }
    if pages_on_call(event, facts) {
        for u in &facts.on_call {
            add(&mut out, facts, user(u), Reason::OnCall, true);
        }
    }
    if event.customer_facing() {
        for c in &facts.contacts {
            if c.roles.iter().any(|r| r == CONTACT_ROLE_TICKETS) {
                add(
                    &mut out,
                    facts,
                    Who::Contact(c.id.clone()),
                    Reason::Contact,
                    false,
                );
            }
        }
    }
    out
}
