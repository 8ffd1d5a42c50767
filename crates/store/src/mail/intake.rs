//! One received message applied in one write transaction: the raw message, what became of it
//! (a new ticket, a reply on one, triage, ignored, a bounce) and that effect commit together,
//! so nothing is lost and a redelivered Message-ID is recognised instead of applied twice.
use super::compose;
use crate::desk::tickets::{append, finish, load};
use crate::{
    NewAttachment, Result, Scope, Store, StoreError, Ticket, TicketInput, WriteTx, new_id,
};
use onestop_domain::desk::{DeskEvent, Visibility, looks_like_number};
use onestop_domain::sla::{PendingReason, Status};
use sqlx::Row;
use std::path::PathBuf;

/// A file attached to a received message.
#[derive(Debug, Clone, Default)]
pub struct MailAttachment {
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// A delivery report (bounce): the Message-IDs it names and why delivery failed.
#[derive(Debug, Clone, Default)]
pub struct Bounce {
    pub original_ids: Vec<String>,
    pub reason: String,
}

/// The facts of a received message the intake decides on (the server parses the MIME).
#[derive(Debug, Clone, Default)]
pub struct InboundMail {
    /// Without angle brackets; the caller makes one from the raw bytes' hash when absent.
    pub message_id: String,
    /// Lower-case address.
    pub from_addr: String,
    pub from_name: Option<String>,
    pub subject: String,
    /// `In-Reply-To` then `References`, without angle brackets.
    pub references: Vec<String>,
    /// Why the message is automatic (`Auto-Submitted: auto-replied`, …); such mail is stored
    /// and ignored, and never answered.
    pub auto_reason: Option<String>,
    pub bounce: Option<Bounce>,
    pub body_text: String,
    pub body_html: Option<String>,
    pub attachments: Vec<MailAttachment>,
    /// `ja` or `en`: the language the message seems to be written in.
    pub lang: String,
    pub raw: Vec<u8>,
    /// `ingest` or `imap`.
    pub source: String,
}

/// Intake settings.
#[derive(Debug, Clone)]
pub struct IntakePolicy {
    /// Domains whose senders go to triage (lower case).
    pub freemail: Vec<String>,
    /// New tickets per sender per hour; beyond it messages go to triage.
    pub max_new_per_hour: i64,
    /// Where ticket attachments are kept (`<data_dir>/attachments`); `None` drops them.
    pub attachments_dir: Option<PathBuf>,
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    Created { ticket_id: String, number: String },
    Replied { ticket_id: String, number: String },
    Triage(String),
    Ignored(String),
}

impl std::fmt::Display for IntakeOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntakeOutcome::Created { number, .. } | IntakeOutcome::Replied { number, .. } => {
                write!(f, "{number}")
            }
            IntakeOutcome::Triage(r) => write!(f, "triage {r}"),
            IntakeOutcome::Ignored(r) => write!(f, "ignored {r}"),
        }
    }
}

struct Record<'a> {
    outcome: &'a str,
    reason: Option<&'a str>,
    ticket: Option<&'a Ticket>,
    triage: bool,
}

async fn record(tx: &mut WriteTx, m: &InboundMail, r: Record<'_>) -> Result<()> {
    let id = new_id();
    let now = tx.now;
    sqlx::query(
        "INSERT INTO inbound_mail (id, message_id, from_addr, from_name, subject, source, raw, body_text, body_html, outcome, reason, ticket_id, customer_id, triage_state, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&id)
    .bind(&m.message_id)
    .bind(&m.from_addr)
    .bind(&m.from_name)
    .bind(&m.subject)
    .bind(&m.source)
    .bind(m.raw.clone())
    .bind(&m.body_text)
    .bind(&m.body_html)
    .bind(r.outcome)
    .bind(r.reason)
    .bind(r.ticket.map(|t| t.id.clone()))
    .bind(r.ticket.map(|t| t.customer_id.clone()))
    .bind(r.triage.then_some("open"))
    .bind(now)
    .execute(tx.conn())
    .await
    .map_err(StoreError::from_write)?;
    let after = serde_json::json!({
        "message_id": m.message_id, "from": m.from_addr, "subject": m.subject,
        "outcome": r.outcome, "reason": r.reason, "ticket_id": r.ticket.map(|t| &t.id),
    });
    let customer = r.ticket.map(|t| t.customer_id.clone());
    tx.audit(
        "mail.receive",
        "inbound_mail",
        &id,
        customer.as_deref(),
        None,
        Some(&after),
    )
    .await
}

/// `[INC-2026-000123]` (or any ticket number in brackets) in a subject.
pub(crate) fn number_in_subject(subject: &str) -> Option<String> {
    subject
        .split('[')
        .skip(1)
        .filter_map(|s| s.split_once(']').map(|(n, _)| n.trim()))
        .find(|n| looks_like_number(n))
        .map(str::to_ascii_uppercase)
}

fn domain_of(addr: &str) -> &str {
    addr.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

/// Contacts with this address: (contact id, customer id).
async fn contacts_of(tx: &mut WriteTx, addr: &str) -> Result<Vec<(String, String)>> {
    let rows =
        sqlx::query("SELECT id, customer_id FROM contacts WHERE LOWER(email) = $1 ORDER BY id")
            .bind(addr)
            .fetch_all(tx.conn())
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Customers that registered this mail domain.
async fn customers_of_domain(tx: &mut WriteTx, domain: &str) -> Result<Vec<String>> {
    if domain.is_empty() {
        return Ok(vec![]);
    }
    let rows = sqlx::query("SELECT id, domains FROM customers WHERE LOWER(domains) LIKE $1")
        .bind(format!("%{}%", domain.replace(['%', '_'], "")))
        .fetch_all(tx.conn())
        .await?;
    let mut out = vec![];
    for r in &rows {
        let domains: String = r.try_get(1)?;
        let list: Vec<String> = serde_json::from_str(&domains).unwrap_or_default();
        if list.iter().any(|d| d.trim().eq_ignore_ascii_case(domain)) {
            out.push(r.try_get(0)?);
        }
    }
    Ok(out)
}

/// The ticket a reply belongs to, by the Message-IDs it refers to (ours or received ones).
async fn thread_by_refs(tx: &mut WriteTx, refs: &[String]) -> Result<Option<String>> {
    for id in refs.iter().rev() {
        for sql in [
            "SELECT ticket_id FROM mail_outbox WHERE message_id = $1 AND ticket_id IS NOT NULL",
            "SELECT ticket_id FROM inbound_mail WHERE message_id = $1 AND ticket_id IS NOT NULL",
        ] {
            let row = sqlx::query(sql).bind(id).fetch_optional(tx.conn()).await?;
            if let Some(r) = row {
                return Ok(Some(r.try_get(0)?));
            }
        }
    }
    Ok(None)
}

async fn ticket_by_number(tx: &mut WriteTx, number: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT id FROM tickets WHERE number = $1")
        .bind(number)
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The customer's answer becomes a public comment by the customer; a ticket waiting for the
/// customer resumes.
async fn add_reply(tx: &mut WriteTx, ticket_id: &str, m: &InboundMail) -> Result<Ticket> {
    let before = load(tx.conn(), &Scope::System, ticket_id).await?;
    let mut t = before.clone();
    t.updated_at = tx.now;
    let body = match m.body_text.trim() {
        "" => format!("({})", m.subject),
        b => b.to_string(),
    };
    let comment = DeskEvent::Comment {
        visibility: Visibility::Public,
        body,
        by_customer: true,
    };
    append(tx, &t, &comment).await?;
    let waiting = Status::Pending(PendingReason::WaitingCustomer);
    if t.status_value() == waiting {
        t.set_status(Status::InProgress);
        let resumed = DeskEvent::StatusChanged {
            from: waiting.as_str().into(),
            to: Status::InProgress.as_str().into(),
            note: Some("the customer replied by e-mail".into()),
        };
        append(tx, &t, &resumed).await?;
    }
    finish(tx, &mut t, "ticket.comment", &before).await?;
    Ok(t)
}

/// Record who a ticket opened by e-mail answers to.
pub(crate) async fn set_reporter(tx: &mut WriteTx, t: &Ticket, m: &InboundMail) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_mail_reporters (ticket_id, addr, name, lang) VALUES ($1, $2, $3, $4)",
    )
    .bind(&t.id)
    .bind(&m.from_addr)
    .bind(&m.from_name)
    .bind(&m.lang)
    .execute(tx.conn())
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// The ticket's title from a subject: at most 200 characters, never empty.
pub(crate) fn title_of(subject: &str) -> String {
    let s: String = subject.trim().chars().take(200).collect();
    if s.trim().is_empty() {
        "(no subject)".into()
    } else {
        s
    }
}

impl Store {
    /// Apply one received message (see the module doc). Attachments of a new ticket or a
    /// reply are added after the commit, each in its own transaction (the raw message, kept
    /// with the record, still holds them if that fails).
    pub async fn intake_mail(
        &self,
        m: &InboundMail,
        policy: &IntakePolicy,
    ) -> Result<IntakeOutcome> {
        let mut tx = self.write(&Scope::System).await?;
        let dup = sqlx::query("SELECT outcome FROM inbound_mail WHERE message_id = $1")
            .bind(&m.message_id)
            .fetch_optional(tx.conn())
            .await?;
        if let Some(r) = dup {
            let outcome: String = r.try_get(0)?;
            return Ok(IntakeOutcome::Ignored(format!(
                "duplicate Message-ID <{}> (already stored: {outcome})",
                m.message_id
            )));
        }
        let outcome = self.decide(&mut tx, m, policy).await?;
        tx.commit().await?;
        if let (
            IntakeOutcome::Created { ticket_id, .. } | IntakeOutcome::Replied { ticket_id, .. },
            Some(dir),
        ) = (&outcome, &policy.attachments_dir)
        {
            for a in &m.attachments {
                let input = NewAttachment {
                    filename: a.filename.clone(),
                    content_type: a.content_type.clone(),
                    visibility: Some("public".into()),
                    note: Some(format!("e-mail from {}", m.from_addr)),
                    bytes: a.bytes.clone(),
                };
                if let Err(e) = self
                    .add_attachment(&Scope::System, ticket_id, dir, input)
                    .await
                {
                    tracing::warn!(file = %a.filename, error = %e, "mail attachment not kept");
                }
            }
        }
        Ok(outcome)
    }

    async fn decide(
        &self,
        tx: &mut WriteTx,
        m: &InboundMail,
        policy: &IntakePolicy,
    ) -> Result<IntakeOutcome> {
        fn ignore(reason: &str) -> Record<'_> {
            Record {
                outcome: "ignored",
                reason: Some(reason),
                ticket: None,
                triage: false,
            }
        }
        if let Some(b) = &m.bounce {
            let n = super::delivery::record_bounce(tx, b).await?;
            let reason = if n > 0 {
                "bounce recorded"
            } else {
                "bounce of an unknown message"
            };
            record(
                tx,
                m,
                Record {
                    outcome: "bounce",
                    ..ignore(reason)
                },
            )
            .await?;
            return Ok(IntakeOutcome::Ignored(reason.into()));
        }
        if let Some(why) = &m.auto_reason {
            let reason = format!("automatic message ({why})");
            record(tx, m, ignore(&reason)).await?;
            return Ok(IntakeOutcome::Ignored(reason));
        }
        let contacts = contacts_of(tx, &m.from_addr).await?;
        let domain = domain_of(&m.from_addr).to_string();
        let domain_customers = customers_of_domain(tx, &domain).await?;
        // A reply: by the Message-IDs it answers, else by the ticket number in the subject
        // when the sender belongs to that ticket's customer.
        let mut target = thread_by_refs(tx, &m.references).await?;
        if target.is_none()
            && let Some(n) = number_in_subject(&m.subject)
            && let Some(id) = ticket_by_number(tx, &n).await?
        {
            let t = load(tx.conn(), &Scope::System, &id).await?;
            let theirs = contacts.iter().any(|(_, c)| *c == t.customer_id)
                || domain_customers.contains(&t.customer_id);
            if !theirs {
                let reason = format!("subject names {n}, which is not the sender's");
                return triage(tx, m, reason).await;
            }
            target = Some(id);
        }
        if let Some(id) = target {
            let t = add_reply(tx, &id, m).await?;
            record(
                tx,
                m,
                Record {
                    outcome: "reply",
                    reason: None,
                    ticket: Some(&t),
                    triage: false,
                },
            )
            .await?;
            return Ok(IntakeOutcome::Replied {
                ticket_id: t.id,
                number: t.number,
            });
        }
        let mut customers: Vec<&String> = contacts.iter().map(|(_, c)| c).collect();
        customers.sort();
        customers.dedup();
        let (customer, contact) = match customers.as_slice() {
            [c] => ((*c).clone(), Some(contacts[0].0.clone())),
            [] if domain.is_empty() => return triage(tx, m, "no sender address".into()).await,
            [] if policy.freemail.contains(&domain) => {
                return triage(tx, m, format!("free-mail domain {domain}")).await;
            }
            [] => match domain_customers.as_slice() {
                [c] => (c.clone(), None),
                [] => return triage(tx, m, "unknown sender".into()).await,
                _ => {
                    return triage(
                        tx,
                        m,
                        format!("domain {domain} is shared by several customers"),
                    )
                    .await;
                }
            },
            _ => return triage(tx, m, "address known to several customers".into()).await,
        };
        let recent: i64 = sqlx::query(
            "SELECT COUNT(*) FROM inbound_mail WHERE from_addr = $1 AND outcome = 'ticket' AND received_at > $2",
        )
        .bind(&m.from_addr)
        .bind(tx.now - 3_600_000)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        if recent >= policy.max_new_per_hour {
            let reason =
                format!("rate limit: {recent} new tickets from this sender in the last hour");
            return triage(tx, m, reason).await;
        }
        let t = self.open_from_mail(tx, m, customer, contact).await?;
        record(
            tx,
            m,
            Record {
                outcome: "ticket",
                reason: None,
                ticket: Some(&t),
                triage: false,
            },
        )
        .await?;
        Ok(IntakeOutcome::Created {
            ticket_id: t.id,
            number: t.number,
        })
    }

    /// A ticket for `customer` from a message, its reporter, and the acknowledgement.
    pub(crate) async fn open_from_mail(
        &self,
        tx: &mut WriteTx,
        m: &InboundMail,
        customer: String,
        contact: Option<String>,
    ) -> Result<Ticket> {
        let input = TicketInput {
            customer_id: Some(customer),
            title: Some(title_of(&m.subject)),
            description: Some(m.body_text.clone()),
            channel: Some("email".into()),
            contact_id: contact,
            ..Default::default()
        };
        let t = self.create_ticket_in(tx, input).await?;
        set_reporter(tx, &t, m).await?;
        compose::queue_ack(tx, &t, Some(&m.message_id)).await?;
        Ok(t)
    }
}

async fn triage(tx: &mut WriteTx, m: &InboundMail, reason: String) -> Result<IntakeOutcome> {
    let r = Record {
        outcome: "triage",
        reason: Some(&reason),
        ticket: None,
        triage: true,
    };
    record(tx, m, r).await?;
    Ok(IntakeOutcome::Triage(reason))
}
