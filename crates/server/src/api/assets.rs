//! `/assets` and a customer's assets: register, relations, impact, expiries, CSV.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use onestop_store::{Asset, AssetInput, AssetQuery, Expiry, ImpactReport, Page, Relation};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customer_assets, create_asset))
        .routes(routes!(import_csv))
        .routes(routes!(export_csv))
        .routes(routes!(list_assets))
        .routes(routes!(get_asset, patch_asset))
        .routes(routes!(impact))
        .routes(routes!(list_relations, create_relation))
        .routes(routes!(expiries))
}

#[utoipa::path(get, path = "/customers/{id}/assets", params(AssetQuery), responses((status = 200, body = Page<Asset>)))]
async fn list_customer_assets(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(mut q): Q<AssetQuery>,
) -> ApiResult<Json<Page<Asset>>> {
    s.store.get_customer(&auth.scope, &id).await?;
    q.customer_id = Some(id);
    Ok(Json(s.store.list_assets(&auth.scope, &q).await?))
}

#[utoipa::path(post, path = "/customers/{id}/assets", request_body = AssetInput, responses((status = 201, body = Asset), (status = 422)))]
async fn create_asset(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<AssetInput>,
) -> ApiResult<(StatusCode, Json<Asset>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_asset(&auth.scope, &id, input).await?),
    ))
}

/// Import assets from CSV (`text/csv` body). Any bad row rejects the whole file with every
/// problem listed, each with its row number.
#[utoipa::path(post, path = "/customers/{id}/assets/import", request_body(content = String, content_type = "text/csv"), responses((status = 200), (status = 422)))]
async fn import_csv(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: String,
) -> ApiResult<Response> {
    match s.store.import_assets_csv(&auth.scope, &id, &body).await? {
        Ok(n) => Ok(Json(serde_json::json!({"imported": n})).into_response()),
        Err(errs) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({"error": {"code": "invalid_csv", "message": format!("{} problem(s); nothing was imported", errs.0.len()), "rows": errs.0}})),
        )
            .into_response()),
    }
}

#[utoipa::path(get, path = "/customers/{id}/assets.csv", responses((status = 200, content_type = "text/csv")))]
async fn export_csv(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let csv = s.store.export_assets_csv(&auth.scope, &id).await?;
    Ok((
        [
            ("content-type", "text/csv; charset=utf-8"),
            ("content-disposition", "attachment; filename=\"assets.csv\""),
        ],
        csv,
    )
        .into_response())
}

#[utoipa::path(get, path = "/assets", params(AssetQuery), responses((status = 200, body = Page<Asset>)))]
async fn list_assets(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<AssetQuery>,
) -> ApiResult<Json<Page<Asset>>> {
    Ok(Json(s.store.list_assets(&auth.scope, &q).await?))
}

#[utoipa::path(get, path = "/assets/{id}", responses((status = 200, body = Asset), (status = 404)))]
async fn get_asset(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Asset>> {
    Ok(Json(s.store.get_asset(&auth.scope, &id).await?))
}

#[utoipa::path(patch, path = "/assets/{id}", request_body = AssetInput, responses((status = 200, body = Asset), (status = 404), (status = 422)))]
async fn patch_asset(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<AssetInput>,
) -> ApiResult<Json<Asset>> {
    Ok(Json(s.store.update_asset(&auth.scope, &id, input).await?))
}

#[utoipa::path(get, path = "/assets/{id}/impact", responses((status = 200, body = ImpactReport), (status = 404)))]
async fn impact(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ImpactReport>> {
    Ok(Json(s.store.impact(&auth.scope, &id).await?))
}

#[utoipa::path(get, path = "/assets/{id}/relations", responses((status = 200, body = Vec<Relation>)))]
async fn list_relations(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Relation>>> {
    Ok(Json(s.store.asset_relations(&auth.scope, &id).await?))
}

/// A relation from this asset to another.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewRelation {
    to_asset: String,
    /// runs_on, connected_to, depends_on, member_of
    kind: String,
}

#[utoipa::path(post, path = "/assets/{id}/relations", request_body = NewRelation, responses((status = 201, body = Relation)))]
async fn create_relation(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(r): Body<NewRelation>,
) -> ApiResult<(StatusCode, Json<Relation>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            s.store
                .create_relation(&auth.scope, &id, &r.to_asset, &r.kind)
                .await?,
        ),
    ))
}

#[derive(Deserialize, IntoParams)]
struct ExpiryQuery {
    /// Look this many days ahead (default 90, at most 3650).
    days: Option<i64>,
}

#[utoipa::path(get, path = "/expiries", params(ExpiryQuery), responses((status = 200, body = Vec<Expiry>)))]
async fn expiries(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<ExpiryQuery>,
) -> ApiResult<Json<Vec<Expiry>>> {
    let days = q.days.unwrap_or(90);
    if !(0..=3650).contains(&days) {
        return Err(ApiError::bad_request("days must be between 0 and 3650"));
    }
    let until = (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string();
    Ok(Json(s.store.expiries(&auth.scope, &until, 500).await?))
}
