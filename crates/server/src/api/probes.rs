//! Network checks (`/checks`) and Prometheus scrape targets (`/scrape-targets`) the server
//! runs itself. Staff change them; a customer's user reads its own. A scrape target's
//! password or token is sealed before the store sees it and never returned.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{
    Check, CheckInput, CheckPatch, Event, EventFilter, ScrapeTarget, ScrapeTargetInput,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_checks, create_check))
        .routes(routes!(get_check, patch_check, delete_check))
        .routes(routes!(check_events))
        .routes(routes!(list_targets, create_target))
        .routes(routes!(get_target, patch_target, delete_target))
}

#[derive(Deserialize, IntoParams)]
struct ByHost {
    /// Only those of this host.
    host_id: Option<String>,
}

#[utoipa::path(get, path = "/checks", params(ByHost), responses((status = 200, body = Vec<Check>)))]
async fn list_checks(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<ByHost>,
) -> ApiResult<Json<Vec<Check>>> {
    Ok(Json(
        s.store
            .list_checks(&auth.scope, q.host_id.as_deref())
            .await?,
    ))
}

/// Add a check; its asset becomes a monitored host polled by the server.
#[utoipa::path(post, path = "/checks", request_body = CheckInput, responses((status = 201, body = Check), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn create_check(
    State(s): State<AppState>,
    auth: Auth,
    Body(i): Body<CheckInput>,
) -> ApiResult<(StatusCode, Json<Check>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_check(&auth.scope, i).await?),
    ))
}

#[utoipa::path(get, path = "/checks/{id}", responses((status = 200, body = Check), (status = 404)))]
async fn get_check(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Check>> {
    Ok(Json(s.store.get_check(&auth.scope, &id).await?))
}

#[utoipa::path(patch, path = "/checks/{id}", request_body = CheckPatch, responses((status = 200, body = Check), (status = 403), (status = 404), (status = 422)))]
async fn patch_check(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(p): Body<CheckPatch>,
) -> ApiResult<Json<Check>> {
    Ok(Json(s.store.update_check(&auth.scope, &id, p).await?))
}

#[utoipa::path(delete, path = "/checks/{id}", responses((status = 204), (status = 403), (status = 404)))]
async fn delete_check(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.delete_check(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The events the check raised (one each time it turned from ok to failing), newest first.
#[utoipa::path(get, path = "/checks/{id}/events", responses((status = 200, body = Vec<Event>), (status = 404)))]
async fn check_events(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Event>>> {
    let c = s.store.get_check(&auth.scope, &id).await?;
    let f = EventFilter {
        host_id: Some(c.host_id),
        source: Some("check".into()),
        limit: Some(1000),
        ..Default::default()
    };
    let mut events = s.store.list_events(&auth.scope, &f).await?;
    events.retain(|e| e.kind == c.id);
    Ok(Json(events))
}

#[utoipa::path(get, path = "/scrape-targets", params(ByHost), responses((status = 200, body = Vec<ScrapeTarget>)))]
async fn list_targets(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<ByHost>,
) -> ApiResult<Json<Vec<ScrapeTarget>>> {
    Ok(Json(
        s.store
            .list_scrape_targets(&auth.scope, q.host_id.as_deref())
            .await?,
    ))
}

/// Add a scrape target; its asset becomes a monitored host polled by the server.
#[utoipa::path(post, path = "/scrape-targets", request_body = ScrapeTargetInput, responses((status = 201, body = ScrapeTarget), (status = 403), (status = 404), (status = 422)))]
async fn create_target(
    State(s): State<AppState>,
    auth: Auth,
    Body(mut i): Body<ScrapeTargetInput>,
) -> ApiResult<(StatusCode, Json<ScrapeTarget>)> {
    let sealed = seal(&s, &mut i);
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_scrape_target(&auth.scope, i, sealed).await?),
    ))
}

#[utoipa::path(get, path = "/scrape-targets/{id}", responses((status = 200, body = ScrapeTarget), (status = 404)))]
async fn get_target(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ScrapeTarget>> {
    Ok(Json(s.store.get_scrape_target(&auth.scope, &id).await?))
}

/// Change a target; a given `auth_secret` replaces the stored one, `auth_kind: none` drops it.
#[utoipa::path(patch, path = "/scrape-targets/{id}", request_body = ScrapeTargetInput, responses((status = 200, body = ScrapeTarget), (status = 403), (status = 404), (status = 422)))]
async fn patch_target(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(mut i): Body<ScrapeTargetInput>,
) -> ApiResult<Json<ScrapeTarget>> {
    let sealed = seal(&s, &mut i);
    Ok(Json(
        s.store
            .update_scrape_target(&auth.scope, &id, i, sealed)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/scrape-targets/{id}", responses((status = 204), (status = 403), (status = 404)))]
async fn delete_target(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.delete_scrape_target(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take the clear secret out of the input and seal it (shared with the UI).
pub(crate) fn seal(s: &AppState, i: &mut ScrapeTargetInput) -> Option<String> {
    i.auth_secret
        .take()
        .filter(|v| !v.is_empty())
        .map(|v| s.crypto.encrypt(&v))
}
