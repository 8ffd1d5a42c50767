//! `/mail/…`: the e-mail triage queue (staff) and a ticket's mail (`/tickets/{id}/mail`).
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::mail::{InboundRecord, TicketMail, TriageQuery};
use onestop_store::{Page, Ticket};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_triage))
        .routes(routes!(get_inbound))
        .routes(routes!(open_ticket))
        .routes(routes!(discard))
        .routes(routes!(ticket_mail))
}

#[utoipa::path(get, path = "/mail/triage", params(TriageQuery), responses((status = 200, body = Page<InboundRecord>), (status = 403)))]
async fn list_triage(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<TriageQuery>,
) -> ApiResult<Json<Page<InboundRecord>>> {
    Ok(Json(s.store.mail_triage(&auth.scope, &q).await?))
}

#[utoipa::path(get, path = "/mail/inbound/{id}", responses((status = 200, body = InboundRecord), (status = 404)))]
async fn get_inbound(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<InboundRecord>> {
    Ok(Json(s.store.inbound_mail(&auth.scope, &id).await?))
}

/// The customer a message in triage belongs to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    pub customer_id: String,
}

#[utoipa::path(post, path = "/mail/inbound/{id}/open", request_body = OpenInput, responses((status = 201, body = Ticket), (status = 404), (status = 409), (status = 422)))]
async fn open_ticket(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<OpenInput>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    let dir = s.settings.data_dir.join("attachments");
    let t =
        crate::mail::open_from_triage(&s.store, &auth.scope, &id, &input.customer_id, &dir).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(post, path = "/mail/inbound/{id}/discard", responses((status = 204), (status = 404), (status = 409)))]
async fn discard(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.triage_discard(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A ticket's e-mail: what went out (with delivery state and bounces) and what came in.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketMailView {
    pub outgoing: Vec<TicketMail>,
    pub incoming: Vec<InboundRecord>,
}

#[utoipa::path(get, path = "/tickets/{id}/mail", responses((status = 200, body = TicketMailView), (status = 404)))]
async fn ticket_mail(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TicketMailView>> {
    let outgoing = s.store.ticket_mail(&auth.scope, &id).await?;
    let incoming = if auth.scope.is_staff() {
        s.store.ticket_inbound_mail(&auth.scope, &id).await?
    } else {
        vec![]
    };
    Ok(Json(TicketMailView { outgoing, incoming }))
}
