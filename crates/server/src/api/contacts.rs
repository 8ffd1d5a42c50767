//! `/contacts`, `/sites` and `/relations/{id}`: the register's smaller records across customers.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{Contact, ContactPatch, ContactQuery, Page, Site, SitePatch, SiteQuery};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts))
        .routes(routes!(get_contact, patch_contact, delete_contact))
        .routes(routes!(list_sites))
        .routes(routes!(get_site, patch_site, delete_site))
        .routes(routes!(delete_relation))
}

#[utoipa::path(get, path = "/contacts", params(ContactQuery), responses((status = 200, body = Page<Contact>)))]
async fn list_contacts(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<ContactQuery>,
) -> ApiResult<Json<Page<Contact>>> {
    Ok(Json(s.store.list_contacts(&auth.scope, &q).await?))
}

#[utoipa::path(get, path = "/contacts/{id}", responses((status = 200, body = Contact), (status = 404)))]
async fn get_contact(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Contact>> {
    Ok(Json(s.store.get_contact(&auth.scope, &id).await?))
}

#[utoipa::path(patch, path = "/contacts/{id}", request_body = ContactPatch, responses((status = 200, body = Contact), (status = 404), (status = 422)))]
async fn patch_contact(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(p): Body<ContactPatch>,
) -> ApiResult<Json<Contact>> {
    Ok(Json(s.store.update_contact(&auth.scope, &id, p).await?))
}

/// A contact still named on tickets cannot be deleted (409).
#[utoipa::path(delete, path = "/contacts/{id}", responses((status = 204), (status = 404), (status = 409)))]
async fn delete_contact(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.delete_contact(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/sites", params(SiteQuery), responses((status = 200, body = Page<Site>)))]
async fn list_sites(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<SiteQuery>,
) -> ApiResult<Json<Page<Site>>> {
    Ok(Json(s.store.list_sites(&auth.scope, &q).await?))
}

#[utoipa::path(get, path = "/sites/{id}", responses((status = 200, body = Site), (status = 404)))]
async fn get_site(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Site>> {
    Ok(Json(s.store.get_site(&auth.scope, &id).await?))
}

#[utoipa::path(patch, path = "/sites/{id}", request_body = SitePatch, responses((status = 200, body = Site), (status = 404), (status = 422)))]
async fn patch_site(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(p): Body<SitePatch>,
) -> ApiResult<Json<Site>> {
    Ok(Json(s.store.update_site(&auth.scope, &id, p).await?))
}

/// A site that assets still stand in cannot be deleted (409).
#[utoipa::path(delete, path = "/sites/{id}", responses((status = 204), (status = 404), (status = 409)))]
async fn delete_site(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.delete_site(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/relations/{id}", responses((status = 204), (status = 404)))]
async fn delete_relation(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.delete_relation(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
