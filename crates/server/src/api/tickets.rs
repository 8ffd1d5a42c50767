//! `/tickets`: the service desk's tickets, their comments, transitions and timeline.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{
    CommentInput, Page, Ticket, TicketEventRecord, TicketInput, TicketPatch, TicketQuery,
    TransitionInput,
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tickets, create_ticket))
        .routes(routes!(get_ticket, patch_ticket))
        .routes(routes!(add_comment))
        .routes(routes!(transition))
        .routes(routes!(events))
}

#[utoipa::path(get, path = "/tickets", params(TicketQuery), responses((status = 200, body = Page<Ticket>)))]
async fn list_tickets(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<TicketQuery>,
) -> ApiResult<Json<Page<Ticket>>> {
    Ok(Json(s.store.list_tickets(&auth.scope, &q).await?))
}

/// Open a ticket. Customers' users open tickets for their own customer only, through the
/// `portal` channel.
#[utoipa::path(post, path = "/tickets", request_body = TicketInput, responses((status = 201, body = Ticket), (status = 404), (status = 422)))]
async fn create_ticket(
    State(s): State<AppState>,
    auth: Auth,
    Body(input): Body<TicketInput>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_ticket(&auth.scope, input).await?),
    ))
}

#[utoipa::path(get, path = "/tickets/{id}", responses((status = 200, body = Ticket), (status = 404)))]
async fn get_ticket(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(s.store.get_ticket(&auth.scope, &id).await?))
}

#[utoipa::path(patch, path = "/tickets/{id}", request_body = TicketPatch, responses((status = 200, body = Ticket), (status = 404), (status = 422)))]
async fn patch_ticket(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<TicketPatch>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(s.store.update_ticket(&auth.scope, &id, input).await?))
}

/// Add an internal note or a reply; answers with the ticket as changed.
#[utoipa::path(post, path = "/tickets/{id}/comments", request_body = CommentInput, responses((status = 201, body = Ticket), (status = 404), (status = 422)))]
async fn add_comment(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<CommentInput>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.add_ticket_comment(&auth.scope, &id, input).await?),
    ))
}

/// Move the ticket through its lifecycle (`{"to": "pending", "reason": "waiting_customer"}`).
#[utoipa::path(post, path = "/tickets/{id}/transitions", request_body = TransitionInput, responses((status = 200, body = Ticket), (status = 404), (status = 422)))]
async fn transition(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<TransitionInput>,
) -> ApiResult<Json<Ticket>> {
    Ok(Json(
        s.store.transition_ticket(&auth.scope, &id, input).await?,
    ))
}

/// The ticket's timeline, oldest first.
#[utoipa::path(get, path = "/tickets/{id}/events", responses((status = 200, body = Vec<TicketEventRecord>), (status = 404)))]
async fn events(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<TicketEventRecord>>> {
    Ok(Json(s.store.ticket_events(&auth.scope, &id).await?))
}
