//! Full-text search over tickets: `ticket_text` holds each ticket's search words (see
//! `onestop_domain::desk::search_words`: words plus CJK bigrams), one row for what the customer
//! sees and one for internal notes; FTS5 indexes it on SQLite, a GIN index over its words on
//! PostgreSQL.
use super::Ticket;
use crate::registry::Page;
use crate::scope::Filter;
use crate::{Backend, Result, Scope, Store, WriteTx};
use onestop_domain::desk::{DeskEvent, Visibility, customer_tag, query_terms, search_words};
use sqlx::{AnyConnection, Row};

/// Rebuild a ticket's two search documents from its fields and its comments.
pub(super) async fn index_text(tx: &mut WriteTx, t: &Ticket) -> Result<()> {
    let rows = sqlx::query(
        "SELECT data_json FROM ticket_events WHERE ticket_id = $1 AND kind = 'comment' ORDER BY seq",
    )
    .bind(&t.id)
    .fetch_all(tx.conn())
    .await?;
    let mut public = format!("{} {} {}", t.number, t.title, t.description);
    let mut internal = String::new();
    for r in &rows {
        let data: String = r.try_get(0)?;
        if let Ok(DeskEvent::Comment {
            visibility, body, ..
        }) = serde_json::from_str::<DeskEvent>(&data)
        {
            let doc = match visibility {
                Visibility::Public => &mut public,
                Visibility::Internal => &mut internal,
            };
            doc.push(' ');
            doc.push_str(&body);
        }
    }
    let tag = customer_tag(&t.customer_id);
    for (visibility, text) in [("public", public), ("internal", internal)] {
        let words = format!("{} {tag}", search_words(&text));
        upsert(tx.conn(), t, visibility, &words).await?;
    }
    Ok(())
}

/// The two search documents of a ticket just created (no comments yet), in one statement.
pub(super) async fn index_new(tx: &mut WriteTx, t: &Ticket) -> Result<()> {
    let tag = customer_tag(&t.customer_id);
    let public = format!("{} {} {}", t.number, t.title, t.description);
    sqlx::query(
        "INSERT INTO ticket_text (ticket_id, customer_id, visibility, body) \
         VALUES ($1, $2, 'public', $3), ($1, $2, 'internal', $4)",
    )
    .bind(&t.id)
    .bind(&t.customer_id)
    .bind(format!("{} {tag}", search_words(&public)))
    .bind(format!("{} {tag}", search_words("")))
    .execute(tx.conn())
    .await?;
    Ok(())
}

async fn upsert(conn: &mut AnyConnection, t: &Ticket, visibility: &str, body: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_text (ticket_id, customer_id, visibility, body) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (ticket_id, visibility) DO UPDATE SET body = excluded.body, customer_id = excluded.customer_id",
    )
    .bind(&t.id)
    .bind(&t.customer_id)
    .bind(visibility)
    .bind(body)
    .execute(conn)
    .await?;
    Ok(())
}

/// Search totals count at most this many matches ("1000 or more").
pub const SEARCH_TOTAL_CAP: i64 = 1_000;

impl Store {
    /// Tickets matching every term of `text` (each term a phrase of its words), newest change
    /// first, within the filter `f` already scoped to the caller.
    pub(super) async fn search_tickets(
        &self,
        scope: &Scope,
        mut f: Filter,
        text: &str,
        customer: Option<&str>,
        (page, per): (i64, i64),
    ) -> Result<Page<Ticket>> {
        let mut terms = query_terms(text);
        if terms.is_empty() {
            return Ok(Page {
                items: vec![],
                total: 0,
                page,
                per_page: per,
            });
        }
        // Within one customer (a portal user, or a customer filter), its tag is one more term.
        if let Some(c) = scope.customer().or(customer) {
            terms.push(vec![customer_tag(c)]);
        }
        // Customers' users never match words that only internal notes hold.
        let visible = if scope.is_staff() {
            "'public', 'internal'"
        } else {
            "'public'"
        };
        match self.backend() {
            Backend::Sqlite => {
                let expr = terms
                    .iter()
                    .map(|g| format!("\"{}\"", g.join(" ")))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                self.search_sqlite(f, &expr, visible, (page, per)).await
            }
            Backend::Postgres => {
                // Every word of every term; the GIN index answers `@>`.
                let words = terms.concat().join(" ");
                f.raw(
                    &format!(
                        "id IN (SELECT x.ticket_id FROM ticket_text x WHERE string_to_array(x.body, ' ') @> string_to_array({{}}, ' ') \
                         AND x.visibility IN ({visible}))"
                    ),
                    &words,
                );
                f.page(
                    &self.pool,
                    "tickets",
                    super::tickets::TICKET_COLS,
                    "updated_at DESC",
                    (page, per),
                    super::tickets::ticket_from_row,
                )
                .await
            }
        }
    }

    /// SQLite: walk the FTS index newest document first and stop after the page, instead of
    /// collecting every match and sorting it (a frequent word matches a fifth of all tickets).
    async fn search_sqlite(
        &self,
        f: Filter,
        expr: &str,
        visible: &str,
        (page, per): (i64, i64),
    ) -> Result<Page<Ticket>> {
        let m = f.args.len() + 1;
        let from = format!(
            "FROM (SELECT x.ticket_id AS hit_id, ticket_fts.rowid AS hit_rank FROM ticket_fts \
             JOIN ticket_text x ON x.rowid = ticket_fts.rowid \
             WHERE ticket_fts MATCH ${m} AND x.visibility IN ({visible})) hits \
             JOIN tickets ON tickets.id = hits.hit_id{}",
            f.sql
        );
        let count_sql = format!(
            "SELECT COUNT(DISTINCT hit_id) FROM (SELECT hit_id {from} LIMIT {}) capped",
            SEARCH_TOTAL_CAP
        );
        let total: i64 = f
            .query(&count_sql)
            .bind(expr)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        // A ticket can match in both its documents: take a few extra rows and keep the first.
        let sql = format!(
            "SELECT {} {from} ORDER BY hits.hit_rank DESC LIMIT {} OFFSET {}",
            super::tickets::TICKET_COLS
                .split(", ")
                .map(|c| format!("tickets.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
            per * 2,
            (page - 1) * per
        );
        let rows = f.query(&sql).bind(expr).fetch_all(&self.pool).await?;
        let mut items: Vec<Ticket> = Vec::with_capacity(per as usize);
        for r in &rows {
            let t = super::tickets::ticket_from_row(r)?;
            if !items.iter().any(|x| x.id == t.id) {
                items.push(t);
            }
            if items.len() as i64 == per {
                break;
            }
        }
        Ok(Page {
            items,
            total,
            page,
            per_page: per,
        })
    }
}
