//! `/runbooks`: recovery procedures per customer (asset or service), versioned and agreed by
//! the customer; `/tickets/{id}/runbook-runs`: running one as a checklist inside a ticket;
//! `/alert-rules/{id}/runbook`: the rule's runbook reference; `/hosts/{id}/checks`: the
//! newest result of each of the agent's built-in checks.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{
    AgreeInput, HostCheck, Runbook, RunbookEdit, RunbookInput, RunbookRun, RunbookVersion,
    StepInput,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_runbooks, create_runbook))
        .routes(routes!(get_runbook, update_runbook))
        .routes(routes!(runbook_versions))
        .routes(routes!(agree_runbook))
        .routes(routes!(list_runs, start_run))
        .routes(routes!(step_run))
        .routes(routes!(finish_run))
        .routes(routes!(set_rule_runbook))
        .routes(routes!(host_checks))
}

#[derive(Deserialize, IntoParams)]
struct ListParams {
    customer_id: Option<String>,
    asset_id: Option<String>,
}

#[utoipa::path(get, path = "/runbooks", params(ListParams), responses((status = 200, body = Vec<Runbook>)))]
async fn list_runbooks(
    State(s): State<AppState>,
    auth: Auth,
    Q(p): Q<ListParams>,
) -> ApiResult<Json<Vec<Runbook>>> {
    Ok(Json(
        s.store
            .list_runbooks(&auth.scope, p.customer_id.as_deref(), p.asset_id.as_deref())
            .await?,
    ))
}

/// Create a runbook (version 1; staff only).
#[utoipa::path(post, path = "/runbooks", request_body = RunbookInput, responses((status = 201, body = Runbook), (status = 403), (status = 404), (status = 422)))]
async fn create_runbook(
    State(s): State<AppState>,
    auth: Auth,
    Body(input): Body<RunbookInput>,
) -> ApiResult<(StatusCode, Json<Runbook>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_runbook(&auth.scope, input).await?),
    ))
}

#[utoipa::path(get, path = "/runbooks/{id}", responses((status = 200, body = Runbook), (status = 404)))]
async fn get_runbook(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Runbook>> {
    Ok(Json(s.store.get_runbook(&auth.scope, &id).await?))
}

/// Change a runbook: always a new version (staff only).
#[utoipa::path(put, path = "/runbooks/{id}", request_body = RunbookEdit, responses((status = 200, body = Runbook), (status = 403), (status = 404), (status = 422)))]
async fn update_runbook(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(edit): Body<RunbookEdit>,
) -> ApiResult<Json<Runbook>> {
    Ok(Json(s.store.update_runbook(&auth.scope, &id, edit).await?))
}

#[utoipa::path(get, path = "/runbooks/{id}/versions", responses((status = 200, body = Vec<RunbookVersion>), (status = 404)))]
async fn runbook_versions(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RunbookVersion>>> {
    Ok(Json(s.store.runbook_versions(&auth.scope, &id).await?))
}

/// Record the customer's agreement to a version (a customer's user agrees as themself;
/// staff name who agreed).
#[utoipa::path(post, path = "/runbooks/{id}/agreement", request_body = AgreeInput, responses((status = 200, body = Runbook), (status = 404), (status = 422)))]
async fn agree_runbook(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<AgreeInput>,
) -> ApiResult<Json<Runbook>> {
    Ok(Json(s.store.agree_runbook(&auth.scope, &id, input).await?))
}

#[utoipa::path(get, path = "/tickets/{id}/runbook-runs", responses((status = 200, body = Vec<RunbookRun>), (status = 404)))]
async fn list_runs(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RunbookRun>>> {
    Ok(Json(s.store.ticket_runbook_runs(&auth.scope, &id).await?))
}

#[derive(Deserialize, ToSchema)]
struct StartRun {
    runbook_id: String,
    /// Default: the agreed version, else the newest.
    #[serde(default)]
    version: Option<i64>,
}

/// Start running a runbook inside the ticket (staff only); pins the version.
#[utoipa::path(post, path = "/tickets/{id}/runbook-runs", request_body = StartRun, responses((status = 201, body = RunbookRun), (status = 403), (status = 404), (status = 422)))]
async fn start_run(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(b): Body<StartRun>,
) -> ApiResult<(StatusCode, Json<RunbookRun>)> {
    let run = s
        .store
        .start_runbook_run(&auth.scope, &id, &b.runbook_id, b.version)
        .await?;
    Ok((StatusCode::CREATED, Json(run)))
}

/// Start or end a step (1-based); each goes onto the ticket's timeline.
#[utoipa::path(post, path = "/runbook-runs/{id}/steps/{step}", request_body = StepInput, responses((status = 200, body = RunbookRun), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn step_run(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, step)): Path<(String, i64)>,
    Body(input): Body<StepInput>,
) -> ApiResult<Json<RunbookRun>> {
    Ok(Json(
        s.store.runbook_step(&auth.scope, &id, step, input).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct FinishRun {
    /// `done` or `abandoned`.
    status: String,
}

#[utoipa::path(post, path = "/runbook-runs/{id}/finish", request_body = FinishRun, responses((status = 200, body = RunbookRun), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn finish_run(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(b): Body<FinishRun>,
) -> ApiResult<Json<RunbookRun>> {
    Ok(Json(
        s.store
            .finish_runbook_run(&auth.scope, &id, &b.status)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct RuleRunbook {
    /// The runbook; null clears the reference.
    runbook_id: Option<String>,
}

/// Point an alert rule at a runbook (staff only).
#[utoipa::path(put, path = "/alert-rules/{id}/runbook", request_body = RuleRunbook, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
async fn set_rule_runbook(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(b): Body<RuleRunbook>,
) -> ApiResult<StatusCode> {
    s.store
        .set_alert_rule_runbook(&auth.scope, &id, b.runbook_id.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The newest result of each built-in check the host's agent reported, with its evidence.
#[utoipa::path(get, path = "/hosts/{id}/checks", responses((status = 200, body = Vec<HostCheck>), (status = 404)))]
async fn host_checks(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<HostCheck>>> {
    Ok(Json(s.store.latest_host_checks(&auth.scope, &id).await?))
}
