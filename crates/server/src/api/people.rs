//! `/me`, `/users`, `/teams` and `/tokens`.
use super::Body;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{ApiToken, NewUser, Team, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_users, create_user))
        .routes(routes!(list_teams, create_team))
        .routes(routes!(add_member))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[utoipa::path(get, path = "/me", responses((status = 200, body = User), (status = 401)))]
async fn me(auth: Auth) -> Json<User> {
    Json(auth.user)
}

#[utoipa::path(get, path = "/users", responses((status = 200, body = Vec<User>)))]
async fn list_users(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(s.store.list_users(&auth.scope).await?))
}

#[utoipa::path(post, path = "/users", request_body = NewUser, responses((status = 201, body = User), (status = 403)))]
async fn create_user(
    State(s): State<AppState>,
    auth: Auth,
    Body(u): Body<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_user(&auth.scope, u).await?),
    ))
}

#[utoipa::path(get, path = "/teams", responses((status = 200, body = Vec<Team>)))]
async fn list_teams(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Team>>> {
    auth.require_staff()?;
    Ok(Json(s.store.list_teams().await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewTeam {
    name: String,
}

#[utoipa::path(post, path = "/teams", request_body = NewTeam, responses((status = 201, body = Team)))]
async fn create_team(
    State(s): State<AppState>,
    auth: Auth,
    Body(t): Body<NewTeam>,
) -> ApiResult<(StatusCode, Json<Team>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_team(&auth.scope, &t.name).await?),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewMember {
    user_id: String,
}

#[utoipa::path(post, path = "/teams/{id}/members", request_body = NewMember, responses((status = 204)))]
async fn add_member(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(m): Body<NewMember>,
) -> ApiResult<StatusCode> {
    s.store
        .add_team_member(&auth.scope, &id, &m.user_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/tokens", responses((status = 200, body = Vec<ApiToken>)))]
async fn list_tokens(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(s.store.list_tokens(&auth.user.id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewToken {
    name: String,
}

/// The token's secret, shown only in this response.
#[derive(Serialize, ToSchema)]
struct IssuedToken {
    token: ApiToken,
    secret: String,
}

#[utoipa::path(post, path = "/tokens", request_body = NewToken, responses((status = 201, body = IssuedToken)))]
async fn create_token(
    State(s): State<AppState>,
    auth: Auth,
    Body(t): Body<NewToken>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let name = onestop_domain::model::valid_name("name", &t.name)
        .map_err(onestop_store::StoreError::from)?;
    let (token, secret) = s
        .store
        .create_token(&auth.scope, &auth.user.id, &name)
        .await?;
    Ok((StatusCode::CREATED, Json(IssuedToken { token, secret })))
}

#[utoipa::path(delete, path = "/tokens/{id}", responses((status = 204), (status = 404)))]
async fn revoke_token(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.revoke_token(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
