//! Security notices and digests. A security notice lists a customer's open findings that no
//! notice has reported yet, so each finding is announced once (again only if it reopens).
//! A digest lists all open findings, once per customer and month. Both are kept for ever,
//! addressed to the customer's contacts with the `security_notices` role and its ASE/CSE,
//! and shaped for an outbox: subject, plain-text body, recipients with addresses, and an
//! e-mail status that stays `pending` until a mailer sends it. The portal shows them as
//! soon as they are recorded.
use super::advisories::split_words;
use super::notice_mail;
use super::notice_text::NoticeText;
use super::rows::{V, insert_many, params};
use super::{Notice, NoticeItem, NoticeQuery, Recipient};
use crate::registry::{Page, page_bounds};
use crate::scope::Filter;
use crate::util::{from_json, new_id, to_json};
use crate::{Result, Scope, Store, StoreError, WriteTx};
use onestop_vuln::Severity;
use sqlx::{Row, any::AnyRow};

/// The role a contact needs to receive security notices.
pub const NOTICE_ROLE: &str = "security_notices";

const NOTICE_COLS: &str = "id, customer_id, kind, period, created_at, subject, body, items_json, recipients_json, finding_count, max_severity, email_status, email_sent_at";

fn notice_from_row(r: &AnyRow) -> Result<Notice> {
    Ok(Notice {
        id: r.try_get(0)?,
        customer_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        period: r.try_get(3)?,
        created_at: r.try_get(4)?,
        subject: r.try_get(5)?,
        body: r.try_get(6)?,
        items: from_json(&r.try_get::<String, _>(7)?),
        recipients: from_json(&r.try_get::<String, _>(8)?),
        finding_count: r.try_get(9)?,
        max_severity: r.try_get(10)?,
        email_status: r.try_get(11)?,
        email_sent_at: r.try_get(12)?,
    })
}

/// Open findings of a customer, optionally only those no notice has reported.
async fn open_items(
    tx: &mut WriteTx,
    customer_id: &str,
    unreported: bool,
) -> Result<Vec<NoticeItem>> {
    let extra = if unreported {
        " AND f.notice_id IS NULL"
    } else {
        ""
    };
    let rows = sqlx::query(&format!(
        "SELECT f.id, f.host_id, a.name, f.package, f.installed_version, f.fixed_version, \
         f.advisory_id, f.severity, adv.cves, adv.summary FROM findings f \
         JOIN assets a ON a.id = f.host_id JOIN advisories adv ON adv.id = f.advisory_id \
         WHERE f.customer_id = $1 AND f.state = 'open'{extra} \
         ORDER BY {}, a.name, f.package, f.advisory_id",
        super::findings::SEVERITY_RANK.replace("severity", "f.severity")
    ))
    .bind(customer_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NoticeItem {
                finding_id: r.try_get(0)?,
                host_id: r.try_get(1)?,
                host_name: r.try_get(2)?,
                package: r.try_get(3)?,
                installed_version: r.try_get(4)?,
                fixed_version: r.try_get(5)?,
                advisory_id: r.try_get(6)?,
                severity: r.try_get(7)?,
                cves: split_words(&r.try_get::<String, _>(8)?),
                summary: r.try_get(9)?,
            })
        })
        .collect()
}

/// Contacts with the notice role, then the customer's ASE and CSE.
async fn recipients(tx: &mut WriteTx, customer_id: &str) -> Result<(String, Vec<Recipient>)> {
    let c = sqlx::query("SELECT name, ase_id, cse_id FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let name: String = c.try_get(0)?;
    let mut out = Vec::new();
    let contacts = sqlx::query(
        "SELECT id, name, email, language, roles FROM contacts WHERE customer_id = $1 ORDER BY name, id",
    )
    .bind(customer_id)
    .fetch_all(tx.conn())
    .await?;
    for r in &contacts {
        let roles: Vec<String> = from_json(&r.try_get::<String, _>(4)?);
        if roles.iter().any(|x| x == NOTICE_ROLE) {
            out.push(Recipient {
                kind: "contact".into(),
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                email: r.try_get(2)?,
                role: NOTICE_ROLE.into(),
                language: r.try_get(3)?,
                message_id: None,
                delivery: None,
                sent_at: None,
            });
        }
    }
    for (role, col) in [("ase", 1), ("cse", 2)] {
        let Some(uid) = c.try_get::<Option<String>, _>(col)? else {
            continue;
        };
        if let Some(u) =
            sqlx::query("SELECT id, display_name, email, language FROM users WHERE id = $1")
                .bind(&uid)
                .fetch_optional(tx.conn())
                .await?
        {
            out.push(Recipient {
                kind: "user".into(),
                id: u.try_get(0)?,
                name: u.try_get(1)?,
                email: u.try_get(2)?,
                role: role.into(),
                language: u
                    .try_get::<Option<String>, _>(3)?
                    .unwrap_or_else(|| "ja".into()),
                message_id: None,
                delivery: None,
                sent_at: None,
            });
        }
    }
    Ok((name, out))
}

fn max_severity(items: &[NoticeItem]) -> Severity {
    items
        .iter()
        .filter_map(|i| Severity::from_word(&i.severity))
        .max()
        .unwrap_or_default()
}

async fn insert_notice(
    tx: &mut WriteTx,
    customer_id: &str,
    kind: &str,
    period: Option<&str>,
    items: Vec<NoticeItem>,
) -> Result<Option<String>> {
    let (name, mut recipients) = recipients(tx, customer_id).await?;
    let id = new_id();
    let status = if recipients.iter().any(|r| r.email.is_some()) {
        "pending"
    } else {
        "no_recipients"
    };
    let key = period.unwrap_or(&id).to_string();
    let max = max_severity(&items).as_str();
    let n = sqlx::query(
        "SELECT COUNT(*) FROM security_notices WHERE customer_id = $1 AND kind = $2 AND period = $3",
    )
    .bind(customer_id)
    .bind(kind)
    .bind(&key)
    .fetch_one(tx.conn())
    .await?
    .try_get::<i64, _>(0)?;
    if n > 0 {
        return Ok(None);
    }
    let text = NoticeText {
        kind,
        customer: &name,
        period,
        max_severity: max,
        items: &items,
    };
    // The record keeps the English text; each recipient is mailed in their language.
    let (subject, body) = (text.subject("en"), text.body("en"));
    notice_mail::queue(tx, &text, &mut recipients).await?;
    let period = key;
    let now = tx.now;
    insert_many(
        tx.conn(),
        "security_notices",
        &NOTICE_COLS.split(", ").collect::<Vec<_>>(),
        &[vec![
            V::S(id.clone()),
            V::S(customer_id.into()),
            V::S(kind.into()),
            V::S(period),
            V::I(now),
            V::S(subject.clone()),
            V::S(body),
            V::S(to_json(&items)),
            V::S(to_json(&recipients)),
            V::I(items.len() as i64),
            V::S(max.into()),
            V::S(status.into()),
            V::OI(None),
        ]],
        "",
    )
    .await?;
    if kind == "security" {
        let ids: Vec<&str> = items.iter().map(|i| i.finding_id.as_str()).collect();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "UPDATE findings SET notice_id = $1 WHERE id IN ({})",
                params(1, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(&id);
            for f in chunk {
                q = q.bind(*f);
            }
            q.execute(tx.conn()).await?;
        }
    }
    tx.audit(
        "notice.create",
        "security_notice",
        &id,
        Some(customer_id),
        None,
        Some(&serde_json::json!({
            "kind": kind, "subject": subject, "findings": items.len(),
            "recipients": recipients.len(),
        })),
    )
    .await?;
    Ok(Some(id))
}

/// Record a security notice for the customer's open findings no notice has reported yet.
/// Returns its id, or `None` when there is nothing new.
pub(crate) async fn notify_new(tx: &mut WriteTx, customer_id: &str) -> Result<Option<String>> {
    let items = open_items(tx, customer_id, true).await?;
    if items.is_empty() {
        return Ok(None);
    }
    insert_notice(tx, customer_id, "security", None, items).await
}

impl Store {
    /// Record a security notice for every customer with unreported open findings (a safety
    /// net for the notices recorded right after each import and inventory). Returns ids.
    pub async fn notify_pending(&self) -> Result<Vec<String>> {
        let customers: Vec<String> = sqlx::query(
            "SELECT DISTINCT customer_id FROM findings WHERE state = 'open' AND notice_id IS NULL",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::new();
        for c in customers {
            let mut tx = self.write(&Scope::System).await?;
            if let Some(id) = notify_new(&mut tx, &c).await? {
                out.push(id);
            }
            tx.commit().await?;
        }
        Ok(out)
    }

    /// The digest of all open findings for `period` (`YYYY-MM`), once per customer with
    /// inventoried hosts; customers that already have this period's digest are skipped, so
    /// several servers may run this together. Returns the ids created.
    pub async fn create_digests(&self, period: &str) -> Result<Vec<String>> {
        let customers: Vec<String> = sqlx::query(
            "SELECT DISTINCT customer_id FROM host_inventories WHERE customer_id NOT IN \
             (SELECT customer_id FROM security_notices WHERE kind = 'digest' AND period = $1)",
        )
        .bind(period)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::new();
        for c in customers {
            let mut tx = self.write(&Scope::System).await?;
            let items = open_items(&mut tx, &c, false).await?;
            if let Some(id) = insert_notice(&mut tx, &c, "digest", Some(period), items).await? {
                out.push(id);
            }
            tx.commit().await?;
        }
        Ok(out)
    }

    /// The notice history the scope may see, newest first.
    pub async fn list_notices(&self, scope: &Scope, q: &NoticeQuery) -> Result<Page<Notice>> {
        let mut f = Filter::scoped(scope, "customer_id");
        if let Some(c) = q.customer.as_deref().filter(|c| !c.is_empty()) {
            f.eq("customer_id", c);
        }
        if let Some(k) = q.kind.as_deref().filter(|c| !c.is_empty()) {
            f.eq("kind", k);
        }
        let (page, per) = page_bounds(q.page, q.per_page);
        let mut out = f
            .page(
                &self.pool,
                "security_notices",
                NOTICE_COLS,
                "created_at DESC",
                (page, per),
                notice_from_row,
            )
            .await?;
        notice_mail::fill_delivery(&self.pool, &mut out.items).await?;
        Ok(out)
    }

    pub async fn get_notice(&self, scope: &Scope, id: &str) -> Result<Notice> {
        let mut f = Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let row = f
            .query(&format!(
                "SELECT {NOTICE_COLS} FROM security_notices{}",
                f.sql
            ))
            .fetch_optional(&self.pool)
            .await?;
        let mut n = [notice_from_row(&row.ok_or(StoreError::NotFound)?)?];
        notice_mail::fill_delivery(&self.pool, &mut n).await?;
        let [n] = n;
        Ok(n)
    }
}
