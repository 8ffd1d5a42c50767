//! Who is calling: bearer tokens for the API, session cookies (with CSRF) for the browser,
//! sign-in throttling, and TOTP second factors.
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{Method, request::Parts};
use axum_extra::extract::CookieJar;
use onestop_store::{Scope, User};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const SESSION_COOKIE: &str = "onestop_session";

/// An authenticated caller.
#[derive(Clone)]
pub struct Auth {
    pub user: User,
    pub scope: Scope,
    /// The session's CSRF token when the caller came with a cookie.
    pub csrf: Option<String>,
}

pub fn scope_of(user: &User) -> Scope {
    match &user.customer_id {
        Some(c) if !user.role.is_staff() => Scope::Customer {
            user_id: user.id.clone(),
            username: user.username.clone(),
            customer_id: c.clone(),
        },
        _ => Scope::Staff {
            user_id: user.id.clone(),
            username: user.username.clone(),
            role: user.role,
        },
    }
}

impl Auth {
    fn new(user: User, csrf: Option<String>) -> Auth {
        Auth {
            scope: scope_of(&user),
            user,
            csrf,
        }
    }

    /// Reject a cookie-authenticated change whose form or header lacks the session's CSRF token.
    pub fn check_csrf(&self, presented: Option<&str>) -> Result<(), ApiError> {
        match &self.csrf {
            Some(expected) if presented != Some(expected.as_str()) => Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "csrf",
                "missing or wrong CSRF token; reload the page",
            )),
            _ => Ok(()),
        }
    }

    pub fn require_staff(&self) -> Result<(), ApiError> {
        if self.scope.is_staff() {
            Ok(())
        } else {
            Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "forbidden",
                "staff only",
            ))
        }
    }
}

/// Resolve the caller from a bearer token or a fully signed-in session cookie.
pub async fn authenticate(state: &AppState, parts: &Parts) -> Result<Option<Auth>, ApiError> {
    if let Some(h) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let token = h
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(ApiError::unauthorized)?;
        return Ok(state
            .store
            .user_by_token(token.trim())
            .await?
            .map(|u| Auth::new(u, None)));
    }
    let jar = CookieJar::from_headers(&parts.headers);
    if let Some(c) = jar.get(SESSION_COOKIE)
        && let Some(s) = state.store.session(c.value()).await?
        && s.mfa_ok
    {
        return Ok(Some(Auth::new(s.user, Some(s.csrf))));
    }
    Ok(None)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = authenticate(state, parts)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        // Cookie-authenticated API calls that change things must carry the CSRF header.
        if auth.csrf.is_some()
            && parts.uri.path().starts_with("/api/")
            && !matches!(parts.method, Method::GET | Method::HEAD)
        {
            let h = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            auth.check_csrf(h)?;
        }
        Ok(auth)
    }
}

/// Counts failed sign-ins per key (user name, and address) in a sliding window.
pub struct Throttle {
    max: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    pub fn new(max: u32) -> Self {
        Throttle {
            max,
            window: Duration::from_secs(15 * 60),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Whether any of the keys has used up its attempts. An address (`ip:` key) gets four
    /// times a user's allowance, so one office behind NAT is not locked out by one person.
    pub fn blocked(&self, keys: &[&str]) -> bool {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter().any(|k| {
            let max = if k.starts_with("ip:") {
                self.max * 4
            } else {
                self.max
            };
            map.get(*k)
                .is_some_and(|(n, since)| *n >= max && since.elapsed() < self.window)
        })
    }

    pub fn fail(&self, keys: &[&str]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for k in keys {
            let e = map.entry(k.to_string()).or_insert((0, Instant::now()));
            if e.1.elapsed() >= self.window {
                *e = (0, Instant::now());
            }
            e.0 += 1;
        }
    }

    pub fn succeed(&self, keys: &[&str]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for k in keys {
            map.remove(*k);
        }
    }
}

/// RFC 6238 TOTP (SHA-1, 6 digits, 30 s), one step of clock drift allowed.
pub fn totp(secret_base32: &str, account: &str) -> Option<totp_rs::TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .ok()?;
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("onestop".into()),
        account.to_string(),
    )
    .ok()
}

pub fn new_totp_secret() -> String {
    totp_rs::Secret::generate_secret().to_encoded().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_blocks_after_max() {
        let t = Throttle::new(3);
        for _ in 0..2 {
            t.fail(&["u:a", "ip:1"]);
        }
        assert!(!t.blocked(&["u:a"]));
        t.fail(&["u:a", "ip:1"]);
        assert!(t.blocked(&["u:a"]) && !t.blocked(&["ip:1"]) && !t.blocked(&["u:b"]));
        for _ in 0..9 {
            t.fail(&["ip:1"]);
        }
        assert!(t.blocked(&["ip:1"]));
        t.succeed(&["u:a"]);
        assert!(!t.blocked(&["u:a"]));
    }

    #[test]
    fn totp_checks_codes() {
        let secret = new_totp_secret();
        let t = totp(&secret, "alice").unwrap();
        let code = t.generate(1_700_000_000);
        assert!(t.check(&code, 1_700_000_000));
        assert!(!t.check("000000", 1_700_000_000) || code == "000000");
    }
}
