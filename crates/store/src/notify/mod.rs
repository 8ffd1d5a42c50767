//! Notifications applied: [`emit`] gathers the facts around an event (assignee, team,
//! ASE/CSE, contacts and roles, whether the provider's calendar is closed, who is on call),
//! asks the domain router who is told, and — in the event's own transaction — writes the
//! in-app entries, queues e-mail in the outbox (held to the end of quiet hours when the
//! preferences say so) and queues webhook deliveries.
mod deliveries;
mod prefs;
mod webhooks;

pub use deliveries::{Claimed, DeliveryOutcome, WebhookAttempt, WebhookDelivery};
pub use webhooks::{NewWebhook, Webhook, WebhookInput, WebhookPatch};

use crate::desk::Ticket;
use crate::outbox::OutMail;
use crate::util::{from_json, new_id};
use crate::{Result, WriteTx};
use onestop_domain::calendar::Calendar;
use onestop_domain::notify::{ContactFact, EmailWhen, Event, Facts, Who, route};
use sqlx::Row;

/// One event to tell people about.
pub(crate) struct Notice<'a> {
    pub event: Event,
    pub ticket: Option<&'a Ticket>,
    pub customer_id: &'a str,
    /// One line: `INC-2026-000001 Title: why`.
    pub text: String,
    /// For escalations: the users the rule names.
    pub targets: Option<Vec<String>>,
}

async fn strings(tx: &mut WriteTx, sql: &str, arg: &str) -> Result<Vec<String>> {
    Ok(sqlx::query(sql)
        .bind(arg)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<std::result::Result<_, _>>()?)
}

/// Is the provider's default calendar (desk settings) closed now? 24x365 when unset.
async fn after_hours(tx: &mut WriteTx) -> Result<bool> {
    let settings = tx.desk_settings().await?;
    let cal = settings
        .default_calendar
        .as_deref()
        .and_then(|c| Calendar::from_toml(c).ok())
        .unwrap_or_else(Calendar::always);
    Ok(!cal.is_open(crate::desk::instant(tx.now)))
}

async fn facts(tx: &mut WriteTx, n: &Notice<'_>) -> Result<Facts> {
    let mut f = Facts {
        actor: tx.scope().user_id().map(str::to_string),
        targets: n.targets.clone(),
        ..Facts::default()
    };
    if let Some(t) = n.ticket {
        f.assignee = t.assignee_id.clone();
        f.critical = t.priority == "critical";
        if let Some(team) = &t.team_id {
            f.team = strings(
                tx,
                "SELECT user_id FROM team_members WHERE team_id = $1 ORDER BY user_id",
                team,
            )
            .await?;
        }
    }
    if let Some(r) = sqlx::query("SELECT ase_id, cse_id FROM customers WHERE id = $1")
        .bind(n.customer_id)
        .fetch_optional(tx.conn())
        .await?
    {
        f.ase = r.try_get(0)?;
        f.cse = r.try_get(1)?;
    }
    if n.event.customer_facing() {
        let own = n.ticket.and_then(|t| t.contact_id.clone());
        for r in sqlx::query("SELECT id, roles FROM contacts WHERE customer_id = $1 AND email IS NOT NULL ORDER BY id")
            .bind(n.customer_id)
            .fetch_all(tx.conn())
            .await?
        {
            let id: String = r.try_get(0)?;
            // The ticket's own contact hears through the desk's mail (ack, replies).
            if own.as_deref() != Some(id.as_str()) {
                f.contacts.push(ContactFact {
                    id,
                    roles: from_json(&r.try_get::<String, _>(1)?),
                });
            }
        }
    }
    f.after_hours = after_hours(tx).await?;
    if f.after_hours {
        f.on_call = crate::oncall::on_call_now(tx).await?;
    }
    Ok(f)
}

/// Tell everyone the router names about `n`; returns the number of deliveries (in-app,
/// e-mail, webhook).
pub(crate) async fn emit(tx: &mut WriteTx, n: Notice<'_>) -> Result<usize> {
    let f = facts(tx, &n).await?;
    let now = crate::desk::instant(tx.now);
    let ticket_id = n.ticket.map(|t| t.id.clone());
    let mut count = 0;
    for d in route(n.event, &f) {
        match &d.who {
            Who::User(u) => {
                let Some(r) = sqlx::query("SELECT email, language FROM users WHERE id = $1 AND disabled = 0 AND role <> 'customer'")
                    .bind(u)
                    .fetch_optional(tx.conn())
                    .await?
                else {
                    continue;
                };
                let (email, lang): (Option<String>, Option<String>) =
                    (r.try_get(0)?, r.try_get(1)?);
                let prefs = prefs::prefs_on(tx.conn(), u).await?;
                let ch = prefs.channels(n.event, &d, now);
                if ch.in_app {
                    sqlx::query("INSERT INTO notifications (id, user_id, ticket_id, kind, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(new_id())
                        .bind(u)
                        .bind(&ticket_id)
                        .bind(n.event.kind())
                        .bind(&n.text)
                        .bind(tx.now)
                        .execute(tx.conn())
                        .await?;
                    count += 1;
                }
                let at = match ch.email {
                    EmailWhen::No => continue,
                    EmailWhen::Now => tx.now,
                    EmailWhen::At(t) => t.timestamp_millis(),
                };
                if let Some(to) = email.filter(|e| !e.trim().is_empty()) {
                    let why = if d.page { "on-call" } else { d.reason.as_str() };
                    mail(tx, &n, to, lang.unwrap_or_else(|| "en".into()), why, at).await?;
                    count += 1;
                }
            }
            Who::Contact(c) => {
                let r = sqlx::query("SELECT email, language, name FROM contacts WHERE id = $1")
                    .bind(c)
                    .fetch_one(tx.conn())
                    .await?;
                if let Some(to) = r.try_get::<Option<String>, _>(0)? {
                    mail(tx, &n, to, r.try_get(1)?, "contact", tx.now).await?;
                    count += 1;
                }
            }
        }
    }
    count += webhooks::enqueue(tx, &n).await?;
    Ok(count)
}

/// Queue one notification e-mail, to be sent at `at` (now, or when quiet hours end).
async fn mail(
    tx: &mut WriteTx,
    n: &Notice<'_>,
    to: String,
    lang: String,
    why: &str,
    at: i64,
) -> Result<()> {
    let ja = lang == "ja";
    let subject = match n.ticket {
        // `[INC-2026-000001] title: why`: the tag threads replies onto the ticket.
        Some(t) => {
            let rest = n.text.strip_prefix(t.number.as_str()).unwrap_or(&n.text);
            format!("[{}] {}", t.number, rest.trim_start())
        }
        None => n.text.clone(),
    };
    let body = if ja {
        format!(
            "{}\n\nイベント: {}\n通知理由: {}\n",
            n.text,
            n.event.as_str(),
            why
        )
    } else {
        format!(
            "{}\n\nEvent: {}\nWhy you: {}\n",
            n.text,
            n.event.as_str(),
            why
        )
    };
    let id = tx
        .enqueue_mail(&OutMail {
            ticket_id: n.ticket.map(|t| t.id.clone()),
            kind: "notification".into(),
            to_addr: to,
            lang: if ja { "ja".into() } else { "en".into() },
            subject,
            body_text: body,
            ..OutMail::default()
        })
        .await?;
    if at > tx.now {
        sqlx::query("UPDATE mail_outbox SET next_attempt_at = $1 WHERE message_id = $2")
            .bind(at)
            .bind(&id)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}
