//! The signed-in user's notification preferences, and the on-call rota: rotations, overrides,
//! who is on call now and next.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_domain::notify::Prefs;
use onestop_store::{OncallOverride, OncallRotation, OncallStatus, OverrideInput, RotationInput};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_prefs, put_prefs))
        .routes(routes!(status))
        .routes(routes!(create_rotation))
        .routes(routes!(patch_rotation))
        .routes(routes!(add_override))
        .routes(routes!(delete_override))
}

/// Events by type (`{"sla.breached": {"in_app": true, "email": true}}`; others take the
/// defaults), `quiet_hours` (`{"start": "22:00", "end": "07:00"}`) in `time_zone`. During quiet
/// hours e-mail is held until they end, except for critical tickets and on-call pages.
#[utoipa::path(get, path = "/me/notification-preferences", responses((status = 200, body = Object)))]
async fn get_prefs(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Prefs>> {
    Ok(Json(s.store.notification_prefs(&auth.scope).await?))
}

#[utoipa::path(put, path = "/me/notification-preferences", request_body = Object, responses((status = 200, body = Object), (status = 422)))]
async fn put_prefs(
    State(s): State<AppState>,
    auth: Auth,
    Body(p): Body<Prefs>,
) -> ApiResult<Json<Prefs>> {
    Ok(Json(s.store.set_notification_prefs(&auth.scope, p).await?))
}

#[derive(Deserialize, IntoParams)]
struct At {
    /// Milliseconds since the epoch (default: now).
    at: Option<i64>,
    /// Weeks of schedule (default 4, at most 26).
    weeks: Option<i64>,
}

/// Every rotation: who is on call now and next, the coming weeks' shifts, the overrides.
#[utoipa::path(get, path = "/oncall", params(At), responses((status = 200, body = Vec<OncallStatus>)))]
async fn status(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<At>,
) -> ApiResult<Json<Vec<OncallStatus>>> {
    let at = q.at.unwrap_or_else(onestop_store::now_ms);
    Ok(Json(
        s.store
            .oncall(&auth.scope, at, q.weeks.unwrap_or(4))
            .await?,
    ))
}

#[utoipa::path(post, path = "/oncall/rotations", request_body = RotationInput, responses((status = 201, body = OncallRotation), (status = 422)))]
async fn create_rotation(
    State(s): State<AppState>,
    auth: Auth,
    Body(i): Body<RotationInput>,
) -> ApiResult<(StatusCode, Json<OncallRotation>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.save_rotation(&auth.scope, None, i).await?),
    ))
}

#[utoipa::path(patch, path = "/oncall/rotations/{id}", request_body = RotationInput, responses((status = 200, body = OncallRotation), (status = 404), (status = 422)))]
async fn patch_rotation(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(i): Body<RotationInput>,
) -> ApiResult<Json<OncallRotation>> {
    Ok(Json(
        s.store.save_rotation(&auth.scope, Some(&id), i).await?,
    ))
}

/// Someone else on call for a time range: instead of one member (`replaces_user_id`, an
/// absence) or of whoever is scheduled.
#[utoipa::path(post, path = "/oncall/rotations/{id}/overrides", request_body = OverrideInput, responses((status = 201, body = OncallOverride), (status = 404), (status = 422)))]
async fn add_override(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(i): Body<OverrideInput>,
) -> ApiResult<(StatusCode, Json<OncallOverride>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.add_override(&auth.scope, &id, i).await?),
    ))
}

#[utoipa::path(delete, path = "/oncall/rotations/{id}/overrides/{override_id}", responses((status = 204), (status = 404)))]
async fn delete_override(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, oid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.store.delete_override(&auth.scope, &id, &oid).await?;
    Ok(StatusCode::NO_CONTENT)
}
