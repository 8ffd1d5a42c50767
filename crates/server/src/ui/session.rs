//! Sign-in (password, then TOTP when enabled or required), sign-out, and the user's account.
use super::{Anonymous, Ctx, OrPage, Page, T, UiResult, render};
use crate::auth::{SESSION_COOKIE, new_totp_secret, totp};
use crate::state::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    error: Option<&'static str>,
}

/// Cookie of the double-submit CSRF token that protects the sign-in form itself.
const LOGIN_CSRF: &str = "onestop_login_csrf";

fn login_form(
    s: &AppState,
    jar: CookieJar,
    lang: super::Lang,
    error: Option<&'static str>,
    status: axum::http::StatusCode,
) -> Response {
    let token = onestop_store::auth::new_secret("");
    let cookie = Cookie::build((LOGIN_CSRF, token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(s.tls)
        .path("/login")
        .build();
    let ctx = Ctx {
        csrf: token,
        ..Ctx::anonymous(lang)
    };
    let mut r = render(LoginPage { ctx, error });
    *r.status_mut() = status;
    (jar.add(cookie), r).into_response()
}

pub async fn login_page(
    State(s): State<AppState>,
    Anonymous(lang): Anonymous,
    jar: CookieJar,
) -> Response {
    login_form(&s, jar, lang, None, axum::http::StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    _csrf: String,
}

fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.tls)
        .path("/")
        .build()
}

pub async fn login(
    State(s): State<AppState>,
    Anonymous(lang): Anonymous,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Response {
    let ctx = Ctx::anonymous(lang);
    let (ukey, ikey) = (format!("u:{}", f.username), format!("ip:{}", addr.ip()));
    let keys = [ukey.as_str(), ikey.as_str()];
    let fail = |msg| {
        use axum::http::StatusCode;
        let status = match msg {
            "throttled" => StatusCode::TOO_MANY_REQUESTS,
            "csrf" => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        };
        login_form(&s, jar.clone(), lang, Some(T(lang).get(msg)), status)
    };
    if f._csrf.is_empty() || jar.get(LOGIN_CSRF).map(|c| c.value()) != Some(f._csrf.as_str()) {
        return fail("csrf");
    }
    if s.throttle.blocked(&keys) {
        return fail("throttled");
    }
    let found = match s
        .store
        .user_for_login(f.username.trim())
        .await
        .or_page(&ctx)
    {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Some((user, Some(hash), totp_secret)) = found.filter(|(u, _, _)| !u.disabled) else {
        s.throttle.fail(&keys);
        return fail("bad_login");
    };
    let ok = tokio::task::spawn_blocking({
        let (p, h) = (f.password.clone(), hash.clone());
        move || onestop_store::auth::verify_password(&p, &h)
    })
    .await
    .unwrap_or(false);
    if !ok {
        s.throttle.fail(&keys);
        return fail("bad_login");
    }
    s.throttle.succeed(&keys);
    let required = s
        .store
        .mfa_required_roles()
        .await
        .unwrap_or_default()
        .iter()
        .any(|r| r == user.role.as_str());
    let needs_second = totp_secret.is_some() || (required && user.role.is_staff());
    let ttl = s.settings.session_hours * 3_600_000;
    let addr_s = addr.ip().to_string();
    match s
        .store
        .create_session(&user, !needs_second, ttl, &addr_s)
        .await
        .or_page(&ctx)
    {
        Ok((token, _csrf)) => {
            let next = match (needs_second, totp_secret.is_some()) {
                (false, _) => "/",
                (true, true) => "/login/totp",
                (true, false) => "/account/totp",
            };
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF).path("/login"))
                .add(session_cookie(&s, token));
            (jar, Redirect::to(next)).into_response()
        }
        Err(r) => r,
    }
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    ctx: Ctx,
    error: Option<&'static str>,
    action: &'static str,
    setup_secret: Option<String>,
    setup_url: String,
}

/// A session that has passed the password but not yet the second factor.
async fn pending(s: &AppState, jar: &CookieJar) -> Option<(String, onestop_store::Session)> {
    let token = jar.get(SESSION_COOKIE)?.value().to_string();
    let session = s.store.session(&token).await.ok()??;
    Some((token, session))
}

fn pending_ctx(lang: super::Lang, session: &onestop_store::Session) -> Ctx {
    Ctx {
        csrf: session.csrf.clone(),
        ..Ctx::anonymous(lang)
    }
}

pub async fn totp_page(
    State(s): State<AppState>,
    Anonymous(lang): Anonymous,
    jar: CookieJar,
) -> Response {
    match pending(&s, &jar).await {
        Some((_, session)) => render(TotpPage {
            ctx: pending_ctx(lang, &session),
            error: None,
            action: "/login/totp",
            setup_secret: None,
            setup_url: String::new(),
        }),
        None => Redirect::to("/login").into_response(),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    _csrf: String,
    #[serde(default)]
    secret: Option<String>,
}

pub async fn totp_verify(
    State(s): State<AppState>,
    Anonymous(lang): Anonymous,
    jar: CookieJar,
    Form(f): Form<CodeForm>,
) -> Response {
    let Some((token, session)) = pending(&s, &jar).await else {
        return Redirect::to("/login").into_response();
    };
    let ctx = pending_ctx(lang, &session);
    if f._csrf != session.csrf {
        return Redirect::to("/login").into_response();
    }
    let key = format!("totp:{}", session.user.id);
    if s.throttle.blocked(&[&key]) {
        return render(TotpPage {
            ctx,
            error: Some(T(lang).get("throttled")),
            action: "/login/totp",
            setup_secret: None,
            setup_url: String::new(),
        });
    }
    let secret = match s.store.user_for_login(&session.user.username).await {
        Ok(Some((_, _, Some(sealed)))) => s.crypto.decrypt(&sealed),
        _ => None,
    };
    let now = chrono::Utc::now().timestamp() as u64;
    if secret
        .and_then(|sec| totp(&sec, &session.user.username))
        .is_some_and(|t| t.check(f.code.trim(), now))
    {
        s.throttle.succeed(&[&key]);
        if let Err(r) = s.store.session_mfa_ok(&token).await.or_page(&ctx) {
            return r;
        }
        return Redirect::to("/").into_response();
    }
    s.throttle.fail(&[&key]);
    render(TotpPage {
        ctx,
        error: Some(T(lang).get("bad_code")),
        action: "/login/totp",
        setup_secret: None,
        setup_url: String::new(),
    })
}

#[derive(Deserialize)]
pub struct CsrfForm {
    _csrf: String,
}

pub async fn logout(
    State(s): State<AppState>,
    page: Page,
    jar: CookieJar,
    Form(f): Form<CsrfForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    if let Some(c) = jar.get(SESSION_COOKIE) {
        s.store
            .end_session(c.value(), &page.auth.user)
            .await
            .or_page(&page.ctx)?;
    }
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Ctx,
    totp_on: bool,
}

pub async fn account(page: Page) -> Response {
    let totp_on = page.auth.user.totp_enabled;
    render(AccountPage {
        ctx: page.ctx,
        totp_on,
    })
}

#[derive(Deserialize)]
pub struct LanguageForm {
    _csrf: String,
    language: String,
}

pub async fn set_language(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<LanguageForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let lang = if f.language == "ja" { "ja" } else { "en" };
    s.store
        .update_user_field(&page.auth.scope, &page.auth.user.id, "language", lang)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/account").into_response())
}

/// TOTP enrollment; reachable with a password-only session so a role that requires a second
/// factor can enroll on first sign-in. The secret travels in the form until a code confirms it.
pub async fn totp_setup_page(
    State(s): State<AppState>,
    Anonymous(lang): Anonymous,
    jar: CookieJar,
) -> Response {
    let Some((_, session)) = pending(&s, &jar).await else {
        return Redirect::to("/login").into_response();
    };
    let secret = new_totp_secret();
    let url = totp(&secret, &session.user.username)
        .map(|t| t.get_url())
        .unwrap_or_default();
    let ctx = pending_ctx(lang, &session);
    render(TotpPage {
        ctx,
        error: None,
        action: "/account/totp",
        setup_secret: Some(secret),
        setup_url: url,
    })
}

pub async fn totp_setup(
    State(s): State<AppState>,
    Anonymous(lang): Anonymous,
    jar: CookieJar,
    Form(f): Form<CodeForm>,
) -> Response {
    let Some((token, session)) = pending(&s, &jar).await else {
        return Redirect::to("/login").into_response();
    };
    let ctx = pending_ctx(lang, &session);
    if f._csrf != session.csrf {
        return Redirect::to("/login").into_response();
    }
    let secret = f.secret.unwrap_or_default();
    let now = chrono::Utc::now().timestamp() as u64;
    if !totp(&secret, &session.user.username).is_some_and(|t| t.check(f.code.trim(), now)) {
        let url = totp(&secret, &session.user.username)
            .map(|t| t.get_url())
            .unwrap_or_default();
        return render(TotpPage {
            ctx,
            error: Some(T(lang).get("bad_code")),
            action: "/account/totp",
            setup_secret: Some(secret),
            setup_url: url,
        });
    }
    let scope = crate::auth::scope_of(&session.user);
    if let Err(r) = s
        .store
        .update_user_field(&scope, &session.user.id, "totp", &s.crypto.encrypt(&secret))
        .await
        .or_page(&ctx)
    {
        return r;
    }
    if let Err(r) = s.store.session_mfa_ok(&token).await.or_page(&ctx) {
        return r;
    }
    Redirect::to("/account").into_response()
}
