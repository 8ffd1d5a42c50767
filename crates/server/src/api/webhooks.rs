//! Webhook subscriptions and their delivery log (administrators only).
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{NewWebhook, Webhook, WebhookDelivery, WebhookInput, WebhookPatch};
use rand::RngCore;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, patch, delete))
        .routes(routes!(deliveries))
}

#[utoipa::path(get, path = "/webhooks", responses((status = 200, body = Vec<Webhook>), (status = 403)))]
async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Webhook>>> {
    Ok(Json(s.store.webhooks(&auth.scope).await?))
}

/// Subscribe a URL to event types. The answer carries the signing secret, shown this once:
/// each delivery has `X-Onestop-Signature: sha256=<hex HMAC-SHA256 of the body>`.
#[utoipa::path(post, path = "/webhooks", request_body = WebhookInput, responses((status = 201, body = NewWebhook), (status = 403), (status = 422)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    Body(i): Body<WebhookInput>,
) -> ApiResult<(StatusCode, Json<NewWebhook>)> {
    let (webhook, secret) = create_hook(&s, &auth, i).await?;
    Ok((StatusCode::CREATED, Json(NewWebhook { webhook, secret })))
}

/// Shared with the admin page: a fresh secret, encrypted for the store.
pub(crate) async fn create_hook(
    s: &AppState,
    auth: &Auth,
    i: WebhookInput,
) -> Result<(Webhook, String), onestop_store::StoreError> {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let secret = format!("whsec_{}", hex::encode(key));
    let w = s
        .store
        .create_webhook(&auth.scope, i, &s.crypto.encrypt(&secret))
        .await?;
    Ok((w, secret))
}

#[utoipa::path(get, path = "/webhooks/{id}", responses((status = 200, body = Webhook), (status = 404)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Webhook>> {
    Ok(Json(s.store.webhook(&auth.scope, &id).await?))
}

/// Change a subscription; `{"enabled": false}` disables it.
#[utoipa::path(patch, path = "/webhooks/{id}", request_body = WebhookPatch, responses((status = 200, body = Webhook), (status = 404), (status = 422)))]
async fn patch(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(p): Body<WebhookPatch>,
) -> ApiResult<Json<Webhook>> {
    Ok(Json(s.store.update_webhook(&auth.scope, &id, p).await?))
}

/// Disable a subscription (its delivery log is kept).
#[utoipa::path(delete, path = "/webhooks/{id}", responses((status = 204), (status = 404)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let p = WebhookPatch {
        enabled: Some(false),
        ..Default::default()
    };
    s.store.update_webhook(&auth.scope, &id, p).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
struct Limit {
    limit: Option<i64>,
}

/// The subscription's deliveries, newest first, each with its attempts (code, error,
/// duration).
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", params(Limit), responses((status = 200, body = Vec<WebhookDelivery>), (status = 404)))]
async fn deliveries(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(l): Q<Limit>,
) -> ApiResult<Json<Vec<WebhookDelivery>>> {
    Ok(Json(
        s.store
            .webhook_deliveries(&auth.scope, &id, l.limit.unwrap_or(100))
            .await?,
    ))
}
