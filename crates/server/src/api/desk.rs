//! The desk's configuration and staff inbox: escalation rules, desk settings, notifications.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{DeskSettings, EscalationRule, EscalationRuleInput, Notification};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(patch_rule))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_notifications))
        .routes(routes!(read_notifications))
}

#[utoipa::path(get, path = "/escalation-rules", responses((status = 200, body = Vec<EscalationRule>)))]
async fn list_rules(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<EscalationRule>>> {
    Ok(Json(s.store.escalation_rules(&auth.scope).await?))
}

#[utoipa::path(post, path = "/escalation-rules", request_body = EscalationRuleInput, responses((status = 201, body = EscalationRule), (status = 422)))]
async fn create_rule(
    State(s): State<AppState>,
    auth: Auth,
    Body(i): Body<EscalationRuleInput>,
) -> ApiResult<(StatusCode, Json<EscalationRule>)> {
    let r = s.store.save_escalation_rule(&auth.scope, None, i).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

#[utoipa::path(patch, path = "/escalation-rules/{id}", request_body = EscalationRuleInput, responses((status = 200, body = EscalationRule), (status = 404), (status = 422)))]
async fn patch_rule(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(i): Body<EscalationRuleInput>,
) -> ApiResult<Json<EscalationRule>> {
    Ok(Json(
        s.store
            .save_escalation_rule(&auth.scope, Some(&id), i)
            .await?,
    ))
}

#[utoipa::path(get, path = "/desk/settings", responses((status = 200, body = DeskSettings)))]
async fn get_settings(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<DeskSettings>> {
    if !auth.scope.is_staff() {
        return Err(onestop_store::StoreError::Forbidden("staff only".into()).into());
    }
    Ok(Json(s.store.desk_settings().await?))
}

/// Automatic closing, the reopen window, and the default calendar and SLA for customers
/// without a contract. Administrators only.
#[utoipa::path(put, path = "/desk/settings", request_body = DeskSettings, responses((status = 200, body = DeskSettings), (status = 422)))]
async fn put_settings(
    State(s): State<AppState>,
    auth: Auth,
    Body(d): Body<DeskSettings>,
) -> ApiResult<Json<DeskSettings>> {
    s.store.set_desk_settings(&auth.scope, &d).await?;
    Ok(Json(s.store.desk_settings().await?))
}

#[derive(Deserialize, IntoParams)]
struct Limit {
    limit: Option<i64>,
}

/// The caller's in-app notifications, newest first.
#[utoipa::path(get, path = "/notifications", params(Limit), responses((status = 200, body = Vec<Notification>)))]
async fn list_notifications(
    State(s): State<AppState>,
    auth: Auth,
    Q(l): Q<Limit>,
) -> ApiResult<Json<Vec<Notification>>> {
    Ok(Json(
        s.store
            .notifications(&auth.scope, l.limit.unwrap_or(50))
            .await?,
    ))
}

/// Mark all of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read", responses((status = 204)))]
async fn read_notifications(State(s): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    s.store.mark_notifications_read(&auth.scope, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
