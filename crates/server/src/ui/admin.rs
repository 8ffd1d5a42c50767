//! Pages for people and accountability: users and teams, API tokens, the audit log.
use super::{Ctx, OrPage, Page, UiResult, format_when, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use onestop_domain::model::Role;
use onestop_store::{
    ApiToken, AuditEntry, AuditFilter, Customer, CustomerQuery, NewUser, Team, User,
};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "users.html")]
struct Users {
    ctx: Ctx,
    users: Vec<User>,
    teams: Vec<Team>,
    customers: Vec<Customer>,
    roles: Vec<&'static str>,
    mfa_roles: Vec<(&'static str, bool)>,
}

pub async fn users(State(s): State<AppState>, page: Page) -> UiResult {
    page.auth.require_staff_page(&page.ctx)?;
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let users = s.store.list_users(&scope).await.or_page(&ctx)?;
    let teams = s.store.list_teams().await.or_page(&ctx)?;
    let customers = s
        .store
        .list_customers(
            &scope,
            &CustomerQuery {
                per_page: Some(200),
                ..Default::default()
            },
        )
        .await
        .or_page(&ctx)?
        .items;
    let required = s.store.mfa_required_roles().await.or_page(&ctx)?;
    let staff_roles: Vec<&'static str> = Role::ALL
        .iter()
        .filter(|r| r.is_staff())
        .map(|r| r.as_str())
        .collect();
    let mfa_roles = staff_roles
        .iter()
        .map(|r| (*r, required.iter().any(|x| x == r)))
        .collect();
    Ok(render(Users {
        ctx,
        users,
        teams,
        customers,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        mfa_roles,
    }))
}

impl crate::auth::Auth {
    #[allow(clippy::result_large_err)]
    fn require_staff_page(&self, ctx: &Ctx) -> Result<(), axum::response::Response> {
        self.require_staff().or_page(ctx)
    }
}

#[derive(Deserialize)]
pub struct UserForm {
    _csrf: String,
    username: String,
    #[serde(default)]
    display_name: String,
    role: String,
    #[serde(default)]
    customer_id: String,
    password: String,
}

pub async fn create_user(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<UserForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let role = f
        .role
        .parse::<Role>()
        .map_err(|m| onestop_domain::model::ValidationError::new("role", m))
        .map_err(onestop_store::StoreError::from)
        .or_page(&page.ctx)?;
    let input = NewUser {
        username: f.username,
        display_name: Some(f.display_name).filter(|d| !d.trim().is_empty()),
        email: None,
        role,
        customer_id: Some(f.customer_id).filter(|c| !c.is_empty() && role == Role::Customer),
        password: Some(f.password),
        language: None,
    };
    s.store
        .create_user(&page.auth.scope, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/users").into_response())
}

#[derive(Deserialize)]
pub struct TeamForm {
    _csrf: String,
    name: String,
}

pub async fn create_team(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<TeamForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .create_team(&page.auth.scope, &f.name)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/users").into_response())
}

#[derive(Deserialize)]
pub struct MemberForm {
    _csrf: String,
    team_id: String,
    user_id: String,
}

pub async fn add_member(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<MemberForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .add_team_member(&page.auth.scope, &f.team_id, &f.user_id)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/users").into_response())
}

pub async fn set_mfa_roles(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<HashMap<String, String>>,
) -> UiResult {
    page.auth
        .check_csrf(f.get("_csrf").map(String::as_str))
        .or_page(&page.ctx)?;
    let roles: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| r.is_staff() && f.contains_key(&format!("role_{}", r.as_str())))
        .map(|r| r.as_str())
        .collect();
    let value = serde_json::to_string(&roles).unwrap_or_default();
    s.store
        .set_setting(&page.auth.scope, "mfa_required_roles", &value)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/users").into_response())
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct Tokens {
    ctx: Ctx,
    tokens: Vec<ApiToken>,
    secret: Option<String>,
}

impl Tokens {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

pub async fn tokens(State(s): State<AppState>, page: Page) -> UiResult {
    let tokens = s
        .store
        .list_tokens(&page.auth.user.id)
        .await
        .or_page(&page.ctx)?;
    Ok(render(Tokens {
        ctx: page.ctx,
        tokens,
        secret: None,
    }))
}

pub async fn create_token(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<TeamForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let name = onestop_domain::model::valid_name("name", &f.name)
        .map_err(onestop_store::StoreError::from)
        .or_page(&page.ctx)?;
    let (_, secret) = s
        .store
        .create_token(&page.auth.scope, &page.auth.user.id, &name)
        .await
        .or_page(&page.ctx)?;
    let tokens = s
        .store
        .list_tokens(&page.auth.user.id)
        .await
        .or_page(&page.ctx)?;
    Ok(render(Tokens {
        ctx: page.ctx,
        tokens,
        secret: Some(secret),
    }))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    _csrf: String,
}

pub async fn revoke_token(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .revoke_token(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/tokens").into_response())
}

#[derive(Template)]
#[template(path = "audit.html")]
struct Audit {
    ctx: Ctx,
    entries: Vec<AuditEntry>,
    f: AuditFilter,
}

impl Audit {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

pub async fn audit(
    State(s): State<AppState>,
    page: Page,
    Query(f): Query<AuditFilter>,
) -> UiResult {
    let entries = s
        .store
        .audit_list(
            &page.auth.scope,
            &AuditFilter {
                limit: Some(100),
                ..f.clone()
            },
        )
        .await
        .or_page(&page.ctx)?;
    Ok(render(Audit {
        ctx: page.ctx,
        entries,
        f,
    }))
}
