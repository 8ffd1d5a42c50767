//! The customer-facing messages, queued into the outbox inside the transaction that decided to
//! send them: the acknowledgement of a new ticket, every public reply, and the resolution.
//! Each goes to the ticket's reporter (its contact's address, else the address that wrote),
//! in their language, threaded by `In-Reply-To`/`References` and the `[INC-…]` subject tag.
use super::text::{self, Kind};
use crate::{OutMail, Result, Ticket, WriteTx, new_message_id};
use sqlx::Row;

/// Who hears about a ticket: (address, name, language).
pub(crate) async fn recipient(
    tx: &mut WriteTx,
    t: &Ticket,
) -> Result<Option<(String, Option<String>, String)>> {
    if let Some(c) = &t.contact_id {
        let row = sqlx::query("SELECT email, name, language FROM contacts WHERE id = $1")
            .bind(c)
            .fetch_optional(tx.conn())
            .await?;
        if let Some(r) = row
            && let Some(email) = r
                .try_get::<Option<String>, _>(0)?
                .filter(|e| e.contains('@'))
        {
            return Ok(Some((email, r.try_get(1)?, r.try_get(2)?)));
        }
    }
    let row =
        sqlx::query("SELECT addr, name, lang FROM ticket_mail_reporters WHERE ticket_id = $1")
            .bind(&t.id)
            .fetch_optional(tx.conn())
            .await?;
    if let Some(r) = row {
        return Ok(Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)));
    }
    // A portal ticket: the customer's user who opened it.
    let row = sqlx::query(
        "SELECT email, display_name, language FROM users WHERE username = $1 AND customer_id = $2",
    )
    .bind(&t.created_by)
    .bind(&t.customer_id)
    .fetch_optional(tx.conn())
    .await?;
    if let Some(r) = row
        && let Some(email) = r
            .try_get::<Option<String>, _>(0)?
            .filter(|e| e.contains('@'))
    {
        let lang: Option<String> = r.try_get(2)?;
        return Ok(Some((
            email,
            r.try_get(1)?,
            lang.unwrap_or_else(|| "ja".into()),
        )));
    }
    Ok(None)
}

/// The conversation so far: every Message-ID sent or received on the ticket, oldest first.
async fn thread_ids(tx: &mut WriteTx, t: &Ticket) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT message_id, at FROM (\
           SELECT message_id, created_at AS at FROM mail_outbox WHERE ticket_id = $1 AND kind IN ('ack', 'reply', 'resolved') \
           UNION ALL SELECT message_id, received_at AS at FROM inbound_mail WHERE ticket_id = $2\
         ) m ORDER BY at, message_id",
    )
    .bind(&t.id)
    .bind(&t.id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// The domain of our Message-IDs (`settings`), `onestop.invalid` until one is configured.
async fn domain(tx: &mut WriteTx) -> Result<String> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(super::DOMAIN_KEY)
        .fetch_optional(tx.conn())
        .await?;
    Ok(row
        .map(|r| r.try_get::<String, _>(0))
        .transpose()?
        .unwrap_or_else(|| "onestop.invalid".into()))
}

async fn queue(tx: &mut WriteTx, t: &Ticket, kind: Kind, answering: Option<&str>) -> Result<()> {
    let Some((addr, name, lang)) = recipient(tx, t).await? else {
        return Ok(());
    };
    let lang = if lang == "en" { "en" } else { "ja" };
    let mut ids = thread_ids(tx, t).await?;
    if let Some(a) = answering
        && !ids.iter().any(|i| i == a)
    {
        ids.push(a.to_string());
    }
    // References: the first message and the latest few (RFC 5322 §3.6.4 allows trimming).
    let refs: Vec<String> = match ids.len() {
        0..=10 => ids.clone(),
        n => std::iter::once(ids[0].clone())
            .chain(ids[n - 9..].iter().cloned())
            .collect(),
    };
    let kind_name = kind.as_str();
    let msg = text::compose(kind, lang, t, name.as_deref());
    let mail = OutMail {
        ticket_id: Some(t.id.clone()),
        kind: kind_name.into(),
        to_addr: addr,
        to_name: name,
        lang: lang.into(),
        subject: msg.subject,
        body_text: msg.text,
        body_html: Some(msg.html),
        message_id: new_message_id(&domain(tx).await?),
        in_reply_to: answering
            .map(str::to_string)
            .or_else(|| ids.last().cloned()),
        refs: (!refs.is_empty()).then(|| refs.join(" ")),
    };
    tx.enqueue_mail(&mail).await?;
    Ok(())
}

/// Acknowledge a new ticket (`answering`: the customer's Message-ID when it came by mail).
pub(crate) async fn queue_ack(tx: &mut WriteTx, t: &Ticket, answering: Option<&str>) -> Result<()> {
    queue(tx, t, Kind::Ack, answering).await
}

/// Send a public reply of the desk to the reporter.
pub(crate) async fn queue_reply(tx: &mut WriteTx, t: &Ticket, body: &str) -> Result<()> {
    queue(tx, t, Kind::Reply(body.to_string()), None).await
}

/// Tell the reporter the ticket is resolved and ask them to confirm.
pub(crate) async fn queue_resolved(tx: &mut WriteTx, t: &Ticket) -> Result<()> {
    queue(tx, t, Kind::Resolved, None).await
}
