//! `/customers`, their contacts and sites.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{
    Contact, ContactInput, Customer, CustomerInput, CustomerQuery, Page, Site, SiteInput,
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customers, create_customer))
        .routes(routes!(get_customer, patch_customer, delete_customer))
        .routes(routes!(list_contacts, create_contact))
        .routes(routes!(list_sites, create_site))
}

#[utoipa::path(get, path = "/customers", params(CustomerQuery), responses((status = 200, body = Page<Customer>)))]
async fn list_customers(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<CustomerQuery>,
) -> ApiResult<Json<Page<Customer>>> {
    Ok(Json(s.store.list_customers(&auth.scope, &q).await?))
}

#[utoipa::path(post, path = "/customers", request_body = CustomerInput, responses((status = 201, body = Customer), (status = 422)))]
async fn create_customer(
    State(s): State<AppState>,
    auth: Auth,
    Body(input): Body<CustomerInput>,
) -> ApiResult<(StatusCode, Json<Customer>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_customer(&auth.scope, input).await?),
    ))
}

#[utoipa::path(get, path = "/customers/{id}", responses((status = 200, body = Customer), (status = 404)))]
async fn get_customer(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Customer>> {
    Ok(Json(s.store.get_customer(&auth.scope, &id).await?))
}

#[utoipa::path(patch, path = "/customers/{id}", request_body = CustomerInput, responses((status = 200, body = Customer), (status = 404)))]
async fn patch_customer(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<CustomerInput>,
) -> ApiResult<Json<Customer>> {
    Ok(Json(
        s.store.update_customer(&auth.scope, &id, input).await?,
    ))
}

#[utoipa::path(delete, path = "/customers/{id}", responses((status = 204), (status = 404), (status = 409)))]
async fn delete_customer(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.delete_customer(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/customers/{id}/contacts", responses((status = 200, body = Vec<Contact>)))]
async fn list_contacts(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Contact>>> {
    Ok(Json(s.store.customer_contacts(&auth.scope, &id).await?))
}

#[utoipa::path(post, path = "/customers/{id}/contacts", request_body = ContactInput, responses((status = 201, body = Contact)))]
async fn create_contact(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<ContactInput>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_contact(&auth.scope, &id, input).await?),
    ))
}

#[utoipa::path(get, path = "/customers/{id}/sites", responses((status = 200, body = Vec<Site>)))]
async fn list_sites(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Site>>> {
    Ok(Json(s.store.customer_sites(&auth.scope, &id).await?))
}

#[utoipa::path(post, path = "/customers/{id}/sites", request_body = SiteInput, responses((status = 201, body = Site)))]
async fn create_site(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<SiteInput>,
) -> ApiResult<(StatusCode, Json<Site>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_site(&auth.scope, &id, input).await?),
    ))
}
