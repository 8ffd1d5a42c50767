//! Sending notices: one message per recipient with an address, queued into the mail outbox
//! in the transaction that records the notice (so a notice is mailed if and only if it was
//! recorded), in the recipient's language; and reading back what became of each message.
use super::notice_text::NoticeText;
use super::rows::params;
use super::{Notice, Recipient};
use crate::{OutMail, Result, WriteTx, new_message_id};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;

/// Queue the notice for every recipient with an address; each gets its Message-ID.
/// Returns how many were queued.
pub(crate) async fn queue(
    tx: &mut WriteTx,
    text: &NoticeText<'_>,
    recipients: &mut [Recipient],
) -> Result<usize> {
    let domain = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(crate::mail::DOMAIN_KEY)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| r.try_get::<String, _>(0))
        .transpose()?
        .unwrap_or_else(|| "onestop.invalid".into());
    let mut n = 0;
    for r in recipients.iter_mut() {
        let Some(addr) = r.email.clone().filter(|e| e.contains('@')) else {
            continue;
        };
        let lang = if r.language == "en" { "en" } else { "ja" };
        let id = tx
            .enqueue_mail(&OutMail {
                kind: "notice".into(),
                to_addr: addr,
                to_name: Some(r.name.clone()),
                lang: lang.into(),
                subject: text.subject(lang),
                body_text: text.body(lang),
                message_id: new_message_id(&domain),
                ..OutMail::default()
            })
            .await?;
        r.message_id = Some(id);
        n += 1;
    }
    Ok(n)
}

/// Fill each recipient's delivery state from the outbox, and each notice's e-mail status:
/// `sent` (with the time of the last message) once every message went out, `failed` when
/// one was given up, else `pending`; `no_recipients` stays.
pub(crate) async fn fill_delivery(pool: &AnyPool, notices: &mut [Notice]) -> Result<()> {
    let ids: Vec<String> = notices
        .iter()
        .flat_map(|n| n.recipients.iter().filter_map(|r| r.message_id.clone()))
        .collect();
    let mut state: HashMap<String, (String, Option<i64>)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT message_id, status, sent_at FROM mail_outbox WHERE message_id IN ({})",
            params(0, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(pool).await? {
            state.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
        }
    }
    for n in notices {
        let mut all_sent = true;
        let mut any = false;
        for r in &mut n.recipients {
            let Some((status, at)) = r.message_id.as_ref().and_then(|m| state.get(m)) else {
                continue;
            };
            any = true;
            r.delivery = Some(status.clone());
            r.sent_at = *at;
            all_sent &= status == "sent";
            if status == "failed" {
                n.email_status = "failed".into();
            }
            n.email_sent_at = n.email_sent_at.max(*at);
        }
        if any && all_sent {
            n.email_status = "sent".into();
        } else {
            n.email_sent_at = None;
        }
    }
    Ok(())
}
