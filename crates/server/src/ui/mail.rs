//! E-mail pages: the triage queue (`/mail/triage`), one received message with "open a ticket
//! for customer X" and "discard" (`/mail/inbound/{id}`), and the ticket page's mail panel
//! (delivery state of each outgoing message, bounces, messages received).
use super::{Ctx, OrPage, Page, UiResult, format_when, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use onestop_store::mail::{InboundRecord, TicketMail, TriageQuery};
use onestop_store::{Customer, CustomerQuery, Scope, Store};
use serde::Deserialize;

/// The ticket page's mail panel.
pub struct TicketMailPanel {
    pub outgoing: Vec<TicketMail>,
    pub incoming: Vec<InboundRecord>,
}

impl TicketMailPanel {
    pub async fn load(
        store: &Store,
        scope: &Scope,
        ticket_id: &str,
    ) -> onestop_store::Result<Self> {
        let outgoing = store.ticket_mail(scope, ticket_id).await?;
        let incoming = if scope.is_staff() {
            store.ticket_inbound_mail(scope, ticket_id).await?
        } else {
            vec![]
        };
        Ok(TicketMailPanel { outgoing, incoming })
    }
}

#[derive(Template)]
#[template(path = "mail_triage.html")]
struct Triage {
    ctx: Ctx,
    state: String,
    items: Vec<InboundRecord>,
    total: i64,
}

impl Triage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

pub async fn triage(
    State(s): State<AppState>,
    page: Page,
    Query(q): Query<TriageQuery>,
) -> UiResult {
    let list = s
        .store
        .mail_triage(&page.auth.scope, &q)
        .await
        .or_page(&page.ctx)?;
    Ok(render(Triage {
        ctx: page.ctx,
        state: q.state.unwrap_or_else(|| "open".into()),
        items: list.items,
        total: list.total,
    }))
}

#[derive(Template)]
#[template(path = "mail_inbound.html")]
struct Inbound {
    ctx: Ctx,
    m: InboundRecord,
    customers: Vec<Customer>,
    received: String,
}

pub async fn inbound(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let scope = &page.auth.scope;
    let m = s.store.inbound_mail(scope, &id).await.or_page(&page.ctx)?;
    let q = CustomerQuery {
        per_page: Some(500),
        ..Default::default()
    };
    let customers = s
        .store
        .list_customers(scope, &q)
        .await
        .or_page(&page.ctx)?
        .items;
    let received = format_when(page.ctx.t, m.received_at);
    Ok(render(Inbound {
        ctx: page.ctx,
        m,
        customers,
        received,
    }))
}

#[derive(Deserialize)]
pub struct OpenForm {
    _csrf: String,
    customer_id: String,
}

pub async fn open(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<OpenForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let dir = s.settings.data_dir.join("attachments");
    let t = crate::mail::open_from_triage(&s.store, &page.auth.scope, &id, &f.customer_id, &dir)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/tickets/{}", t.id)).into_response())
}

#[derive(Deserialize)]
pub struct DiscardForm {
    _csrf: String,
}

pub async fn discard(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<DiscardForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .triage_discard(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/mail/triage").into_response())
}
