//! `/contracts`: terms, business calendars and SLA budgets of customers' contracts.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{Contract, ContractInput, ContractQuery, Page};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contracts, create_contract))
        .routes(routes!(get_contract, patch_contract))
}

#[utoipa::path(get, path = "/contracts", params(ContractQuery), responses((status = 200, body = Page<Contract>)))]
async fn list_contracts(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<ContractQuery>,
) -> ApiResult<Json<Page<Contract>>> {
    Ok(Json(s.store.list_contracts(&auth.scope, &q).await?))
}

#[utoipa::path(post, path = "/contracts", request_body = ContractInput, responses((status = 201, body = Contract), (status = 403), (status = 422)))]
async fn create_contract(
    State(s): State<AppState>,
    auth: Auth,
    Body(input): Body<ContractInput>,
) -> ApiResult<(StatusCode, Json<Contract>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_contract(&auth.scope, input).await?),
    ))
}

#[utoipa::path(get, path = "/contracts/{id}", responses((status = 200, body = Contract), (status = 404)))]
async fn get_contract(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Contract>> {
    Ok(Json(s.store.get_contract(&auth.scope, &id).await?))
}

#[utoipa::path(patch, path = "/contracts/{id}", request_body = ContractInput, responses((status = 200, body = Contract), (status = 404), (status = 422)))]
async fn patch_contract(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<ContractInput>,
) -> ApiResult<Json<Contract>> {
    Ok(Json(
        s.store.update_contract(&auth.scope, &id, input).await?,
    ))
}
