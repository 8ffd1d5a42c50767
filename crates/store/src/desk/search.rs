//! Full-text search over tickets: `ticket_text` holds each ticket's search words (see
//! `onestop_domain::desk::search_words`: words plus CJK bigrams), one row for what the customer
//! sees and one for internal notes; FTS5 indexes it on SQLite, a GIN index over its words on
//! PostgreSQL.
use super::Ticket;
use crate::registry::Page;
use crate::scope::Filter;
use crate::{Backend, Result, Scope, Store, WriteTx};
use onestop_domain::desk::{DeskEvent, Visibility, query_terms, search_words};
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
    for (visibility, text) in [("public", public), ("internal", internal)] {
        upsert(tx.conn(), t, visibility, &search_words(&text)).await?;
    }
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

impl Store {
    /// Tickets matching every term of `text` (each term a phrase of its words), newest change
    /// first, within the filter `f` already scoped to the caller.
    pub(super) async fn search_tickets(
        &self,
        scope: &Scope,
        mut f: Filter,
        text: &str,
        (page, per): (i64, i64),
    ) -> Result<Page<Ticket>> {
        let terms = query_terms(text);
        if terms.is_empty() {
            return Ok(Page {
                items: vec![],
                total: 0,
                page,
                per_page: per,
            });
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
                f.raw(
                    &format!(
                        "id IN (SELECT x.ticket_id FROM ticket_fts JOIN ticket_text x ON x.rowid = ticket_fts.rowid \
                         WHERE ticket_fts MATCH {{}} AND x.visibility IN ({visible}))"
                    ),
                    &expr,
                );
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
            }
        }
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
