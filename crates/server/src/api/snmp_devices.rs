//! SNMP devices: how the server polls an asset over SNMP v2c or v3. Staff change them, a
//! customer's user reads its own; communities and passphrases are sealed by the server
//! before the store sees them and are never shown back.
use super::Body;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{Event, EventFilter, SealedSnmpInput, SnmpDevice, SnmpDeviceInput, StoreError};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, patch, delete))
        .routes(routes!(traps))
}

/// Check the secrets and seal them with the server's key (shared with the UI editor).
pub(crate) fn seal(s: &AppState, i: SnmpDeviceInput) -> Result<SealedSnmpInput, StoreError> {
    Ok(i.seal(|clear| s.crypto.encrypt(clear))?)
}

#[utoipa::path(get, path = "/snmp-devices", responses((status = 200, body = Vec<SnmpDevice>)))]
async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<SnmpDevice>>> {
    Ok(Json(s.store.list_snmp_devices(&auth.scope).await?))
}

/// Poll an asset over SNMP; it becomes a monitored host and is polled at once.
#[utoipa::path(post, path = "/snmp-devices", request_body = SnmpDeviceInput, responses((status = 201, body = SnmpDevice), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    Body(i): Body<SnmpDeviceInput>,
) -> ApiResult<(StatusCode, Json<SnmpDevice>)> {
    let d = s
        .store
        .create_snmp_device(&auth.scope, seal(&s, i)?)
        .await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[utoipa::path(get, path = "/snmp-devices/{id}", responses((status = 200, body = SnmpDevice), (status = 404)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<SnmpDevice>> {
    Ok(Json(s.store.snmp_device(&auth.scope, &id).await?))
}

/// Change a device (absent fields and secrets stay); it is polled again at once.
#[utoipa::path(patch, path = "/snmp-devices/{id}", request_body = SnmpDeviceInput, responses((status = 200, body = SnmpDevice), (status = 403), (status = 404), (status = 422)))]
async fn patch(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(i): Body<SnmpDeviceInput>,
) -> ApiResult<Json<SnmpDevice>> {
    Ok(Json(
        s.store
            .update_snmp_device(&auth.scope, &id, seal(&s, i)?)
            .await?,
    ))
}

/// Stop polling the asset over SNMP (its host and samples stay).
#[utoipa::path(delete, path = "/snmp-devices/{id}", responses((status = 204), (status = 403), (status = 404)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.delete_snmp_device(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The asset's recent traps (events of source `snmp_trap`), newest first (at most 200).
#[utoipa::path(get, path = "/snmp-devices/{id}/traps", responses((status = 200, body = Vec<Event>), (status = 404)))]
async fn traps(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Event>>> {
    let d = s.store.snmp_device(&auth.scope, &id).await?;
    Ok(Json(
        s.store
            .list_events(&auth.scope, &recent_traps(&d.id))
            .await?,
    ))
}

/// The filter of a host's recent traps.
pub(crate) fn recent_traps(host_id: &str) -> EventFilter {
    EventFilter {
        host_id: Some(host_id.to_string()),
        source: Some("snmp_trap".into()),
        limit: Some(200),
        ..Default::default()
    }
}
