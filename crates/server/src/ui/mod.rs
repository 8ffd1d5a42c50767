//! The server-rendered web UI (askama), usable without JavaScript, in English and Japanese.
mod admin;
mod alerting;
mod alerting_form;
mod calendar;
mod contacts;
mod desk;
pub mod desk_work;
mod i18n;
mod logs;
pub mod mail;
mod monitoring;
mod notify;
mod patches;
mod plan;
mod probes;
mod registry;
mod runbooks;
mod session;
mod snmp;
mod work_orders;

use crate::auth::{Auth, authenticate};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
pub use i18n::{Lang, T};
use onestop_store::{StoreError, User};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(registry::dashboard))
        .route("/login", get(session::login_page).post(session::login))
        .route(
            "/login/totp",
            get(session::totp_page).post(session::totp_verify),
        )
        .route("/logout", post(session::logout))
        .route("/account", get(session::account))
        .route("/account/language", post(session::set_language))
        .route(
            "/account/totp",
            get(session::totp_setup_page).post(session::totp_setup),
        )
        .route(
            "/customers",
            get(registry::customers).post(registry::create_customer),
        )
        .route(
            "/customers/{id}",
            get(registry::customer).post(registry::update_customer),
        )
        .route("/customers/{id}/contacts", post(registry::create_contact))
        .route("/customers/{id}/sites", post(registry::create_site))
        .route("/customers/{id}/import", post(registry::import_csv))
        .route(
            "/assets",
            get(registry::assets).post(registry::create_asset),
        )
        .route(
            "/assets/{id}",
            get(registry::asset).post(registry::update_asset),
        )
        .route("/assets/{id}/relations", post(registry::create_relation))
        .route("/contacts", get(contacts::contacts))
        .route(
            "/contacts/{id}",
            get(contacts::contact).post(contacts::update_contact),
        )
        .route("/contacts/{id}/delete", post(contacts::delete_contact))
        .route("/sites", get(contacts::sites))
        .route(
            "/sites/{id}",
            get(contacts::site).post(contacts::update_site),
        )
        .route("/sites/{id}/delete", post(contacts::delete_site))
        .route("/relations/{id}/delete", post(contacts::delete_relation))
        .route("/tickets", get(desk::tickets).post(desk::create_ticket))
        .route("/tickets/new", get(desk::new_ticket))
        .route("/tickets/{id}", get(desk::ticket))
        .route("/tickets/{id}/comment", post(desk::comment))
        .route("/tickets/{id}/transition", post(desk::transition))
        .route("/tickets/{id}/edit", post(desk::edit))
        .route(
            "/notifications",
            get(desk::notifications).post(desk::read_notifications),
        )
        .route(
            "/settings/escalations",
            get(desk::escalations).post(desk::save_escalation),
        )
        .route("/services", get(desk::services))
        .route(
            "/settings/desk",
            get(desk::desk_settings).post(desk::save_desk_settings),
        )
        .route("/users", get(admin::users).post(admin::create_user))
        .route("/teams", post(admin::create_team))
        .route("/teams/members", post(admin::add_member))
        .route("/settings/mfa", post(admin::set_mfa_roles))
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/audit", get(admin::audit))
        .route("/hosts", get(monitoring::hosts))
        .route("/hosts/enrollment-tokens", post(monitoring::create_token))
        .route("/hosts/{id}", get(monitoring::host))
        .route("/assets/{id}/snmp", get(snmp::editor).post(snmp::save))
        .route("/assets/{id}/snmp/delete", post(snmp::remove))
        .route(
            "/tickets/{id}/attachments",
            post(desk_work::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/tickets/{id}/time", post(desk_work::add_time))
        .route("/tickets/{id}/links", post(desk_work::add_link))
        .route(
            "/tickets/{id}/links/{link_id}/delete",
            post(desk_work::remove_link),
        )
        .route("/tickets/{id}/vendor-cases", post(desk_work::raise_vendor))
        .route(
            "/tickets/{id}/vendor-cases/{case_id}",
            post(desk_work::update_vendor),
        )
        .route(
            "/tickets/{id}/vendor-cases/{case_id}/answers",
            post(desk_work::answer_vendor),
        )
        .route("/tickets/{id}/dispatches", post(desk_work::create_dispatch))
        .route(
            "/tickets/{id}/dispatches/{dispatch_id}",
            post(desk_work::update_dispatch),
        )
        .route(
            "/catalog",
            get(desk_work::catalog).post(desk_work::create_catalog),
        )
        .route("/catalog/{id}", post(desk_work::update_catalog))
        .route("/logs", get(logs::search))
        .route("/logs/templates", get(logs::templates))
        .route("/logs/report", get(logs::report))
        .route("/logs/report/ticket", post(logs::open_ticket))
        .route(
            "/static/app.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css")],
                    include_str!("../../static/app.css"),
                )
            }),
        )
        .merge(patches::router())
        .route("/plans", get(plan::plans))
        .route("/contracts/{id}/plan", get(plan::plan))
        .route("/plan-activities/{id}", post(plan::edit_activity))
        .route(
            "/checklist-templates",
            get(plan::templates).post(plan::save_template),
        )
        .route(
            "/work-orders",
            get(work_orders::list).post(work_orders::create),
        )
        .route(
            "/work-orders/{id}",
            get(work_orders::show).post(work_orders::update),
        )
        .route("/work-orders/{id}/results", post(work_orders::results))
        .route("/work-orders/{id}/fill", post(work_orders::fill))
        .route(
            "/work-orders/{id}/items/{pos}/ticket",
            post(work_orders::item_ticket),
        )
        .route("/work-orders/{id}/signoff", post(work_orders::sign))
        .route("/work-orders/{id}/approve", post(work_orders::approve))
        .route(
            "/work-orders/{id}/attachments",
            post(work_orders::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .merge(runbooks_router())
        .merge(calendar::router())
}

fn runbooks_router() -> Router<AppState> {
    Router::new()
        .route("/runbooks", get(runbooks::list).post(runbooks::create))
        .route("/runbooks/{id}", get(runbooks::detail).post(runbooks::edit))
        .route("/runbooks/{id}/agree", post(runbooks::agree))
        .route("/tickets/{id}/runbook-runs", post(runbooks::start_run))
        .route("/runbook-runs/{run}/steps/{n}", post(runbooks::step))
        .route("/runbook-runs/{run}/finish", post(runbooks::finish))
        .route("/mail/triage", get(mail::triage))
        .route("/mail/inbound/{id}", get(mail::inbound))
        .route("/mail/inbound/{id}/open", post(mail::open))
        .route("/mail/inbound/{id}/discard", post(mail::discard))
        .merge(notify::router())
        .merge(probes::router())
        .merge(alerting::router())
}

/// What every page needs: the language, the user, the CSRF token, what the nav may show.
pub struct Ctx {
    pub t: T,
    pub user: Option<User>,
    pub csrf: String,
    pub staff: bool,
    pub admin: bool,
    pub flash: Option<String>,
    /// Unread in-app notifications (staff).
    pub unread: i64,
}

impl Ctx {
    pub fn anonymous(parts_lang: Lang) -> Ctx {
        Ctx {
            t: T(parts_lang),
            user: None,
            csrf: String::new(),
            staff: false,
            admin: false,
            flash: None,
            unread: 0,
        }
    }
}

fn accept_language(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A signed-in browser user; anyone else is sent to the sign-in page.
pub struct Page {
    pub auth: Auth,
    pub ctx: Ctx,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = Lang::pick(None, accept_language(parts).as_deref());
        match authenticate(state, parts).await {
            Ok(Some(auth)) => {
                let lang = Lang::pick(
                    auth.user.language.as_deref(),
                    accept_language(parts).as_deref(),
                );
                let unread = if auth.scope.is_staff() {
                    state
                        .store
                        .unread_notifications(&auth.scope)
                        .await
                        .unwrap_or(0)
                } else {
                    0
                };
                let ctx = Ctx {
                    t: T(lang),
                    csrf: auth.csrf.clone().unwrap_or_default(),
                    staff: auth.scope.is_staff(),
                    admin: auth.scope.is_admin(),
                    user: Some(auth.user.clone()),
                    flash: None,
                    unread,
                };
                Ok(Page { auth, ctx })
            }
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(error_page(&Ctx::anonymous(lang), e)),
        }
    }
}

/// The browser's language, for pages shown before sign-in.
pub struct Anonymous(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for Anonymous {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Anonymous(Lang::pick(
            None,
            accept_language(parts).as_deref(),
        )))
    }
}

pub fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: &'a Ctx,
    status: u16,
    message: String,
}

pub fn error_page(ctx: &Ctx, e: ApiError) -> Response {
    let status = e.status;
    let mut resp = render(ErrorPage {
        ctx,
        status: status.as_u16(),
        message: e.message,
    });
    *resp.status_mut() = status;
    resp
}

/// Result of a UI handler: a page, or an error page in the user's language.
pub type UiResult = Result<Response, Response>;

pub trait OrPage<T> {
    #[allow(clippy::result_large_err)]
    fn or_page(self, ctx: &Ctx) -> Result<T, Response>;
}

impl<T> OrPage<T> for Result<T, StoreError> {
    fn or_page(self, ctx: &Ctx) -> Result<T, Response> {
        self.map_err(|e| error_page(ctx, e.into()))
    }
}

impl<T> OrPage<T> for Result<T, ApiError> {
    fn or_page(self, ctx: &Ctx) -> Result<T, Response> {
        self.map_err(|e| error_page(ctx, e))
    }
}

/// Pagination links that keep the current query.
pub struct Pager {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub base: String,
}

impl Pager {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    pub fn link(&self, page: i64) -> String {
        format!("{}page={page}", self.base)
    }
}

/// `?a=1&b=2&` from (key, value) pairs, skipping empty values and `page`.
pub fn query_base(pairs: &[(&str, Option<&str>)]) -> String {
    let mut s = String::from("?");
    for (k, v) in pairs {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            s.push_str(&format!("{k}={}&", urlencode(v)));
        }
    }
    s
}

fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A timestamp (ms) as `YYYY-MM-DD HH:MM` in Japan time for Japanese, UTC otherwise.
pub fn format_when(t: T, ms: i64) -> String {
    let utc = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    match t.0 {
        Lang::Ja => utc
            .with_timezone(&chrono_tz::Asia::Tokyo)
            .format("%Y-%m-%d %H:%M JST")
            .to_string(),
        Lang::En => utc.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// Split a free-text list ("a, b c") into items.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', ' ', '\n', '、'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}
