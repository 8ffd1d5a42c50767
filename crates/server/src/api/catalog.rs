//! `/catalog`: the provider's service menu (administrators edit it), and
//! `/contracts/renewals`: contracts whose renewal notice has begun.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{CatalogInput, CatalogQuery, CatalogService, RenewalDue};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_catalog, create_service))
        .routes(routes!(get_service, patch_service))
        .routes(routes!(renewals))
}

#[utoipa::path(get, path = "/catalog", params(CatalogQuery), responses((status = 200, body = Vec<CatalogService>)))]
async fn list_catalog(
    State(s): State<AppState>,
    _auth: Auth,
    Q(q): Q<CatalogQuery>,
) -> ApiResult<Json<Vec<CatalogService>>> {
    Ok(Json(s.store.list_catalog(&q).await?))
}

/// Add a service (administrators). `default_rrule` is an RFC 5545 RRULE.
#[utoipa::path(post, path = "/catalog", request_body = CatalogInput, responses((status = 201, body = CatalogService), (status = 403), (status = 409), (status = 422)))]
async fn create_service(
    State(s): State<AppState>,
    auth: Auth,
    Body(input): Body<CatalogInput>,
) -> ApiResult<(StatusCode, Json<CatalogService>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_catalog_service(&auth.scope, input).await?),
    ))
}

/// One service, by id or code.
#[utoipa::path(get, path = "/catalog/{id}", responses((status = 200, body = CatalogService), (status = 404)))]
async fn get_service(
    State(s): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<CatalogService>> {
    Ok(Json(s.store.catalog_service(&id).await?))
}

#[utoipa::path(patch, path = "/catalog/{id}", request_body = CatalogInput, responses((status = 200, body = CatalogService), (status = 403), (status = 404), (status = 422)))]
async fn patch_service(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<CatalogInput>,
) -> ApiResult<Json<CatalogService>> {
    Ok(Json(
        s.store
            .update_catalog_service(&auth.scope, &id, input)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct RenewalQuery {
    /// `YYYY-MM-DD`; defaults to today (UTC).
    until: Option<String>,
}

/// Contracts whose renewal notice has begun by `until` and that have not ended before it.
#[utoipa::path(get, path = "/contracts/renewals", params(RenewalQuery), responses((status = 200, body = Vec<RenewalDue>), (status = 400)))]
async fn renewals(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<RenewalQuery>,
) -> ApiResult<Json<Vec<RenewalDue>>> {
    let until = match q.until.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => chrono::NaiveDate::parse_from_str(u, "%Y-%m-%d")
            .map_err(|_| ApiError::bad_request("until: not a date (YYYY-MM-DD)"))?,
        None => chrono::Utc::now().date_naive(),
    };
    Ok(Json(
        s.store
            .contracts_due_for_renewal(&auth.scope, until)
            .await?,
    ))
}
