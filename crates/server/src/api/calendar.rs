//! `/calendar`: the calendar entries of a range (JSON); `/feed-tokens`: revocable tokens for
//! the iCalendar feed; `/feeds/{token}.ics`: the feed itself, authenticated by the token in
//! the URL only (calendar programs send no other credential).
use super::Q;
use crate::auth::{Auth, scope_of};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use onestop_store::{CalendarEntry, CalendarQuery, FeedSubject, FeedToken};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

/// The feed covers this far back and ahead.
const FEED_PAST_MS: i64 = 90 * 86_400_000;
const FEED_AHEAD_MS: i64 = 400 * 86_400_000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(entries))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(feed))
}

#[derive(Deserialize, IntoParams)]
struct RangeParams {
    /// Start, ms.
    from: i64,
    /// End (exclusive), ms; at most 400 days after `from`.
    to: i64,
    customer_id: Option<String>,
    engineer_id: Option<String>,
}

#[utoipa::path(get, path = "/calendar", params(RangeParams), responses((status = 200, body = Vec<CalendarEntry>), (status = 400)))]
async fn entries(
    State(s): State<AppState>,
    auth: Auth,
    Q(p): Q<RangeParams>,
) -> ApiResult<Json<Vec<CalendarEntry>>> {
    if p.to <= p.from || p.to - p.from > 400 * 86_400_000 {
        return Err(ApiError::bad_request(
            "`to` must be after `from`, by at most 400 days",
        ));
    }
    let q = CalendarQuery {
        from_ms: p.from,
        to_ms: p.to,
        customer_id: p.customer_id,
        engineer_id: p.engineer_id,
    };
    Ok(Json(s.store.calendar_entries(&auth.scope, &q).await?))
}

/// The base URL callers reached us at (for absolute feed links).
pub(crate) fn base_url(s: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .map(str::to_string)
        .unwrap_or_else(|| s.settings.listen.clone());
    let scheme = if s.tls { "https" } else { "http" };
    format!("{scheme}://{host}")
}

#[derive(Deserialize, ToSchema, Default)]
struct TokenRequest {
    /// Staff: the customer whose calendar the feed shows (default: the caller's own
    /// schedule). A customer's user always gets their own customer's.
    #[serde(default)]
    customer_id: Option<String>,
    #[serde(default)]
    label: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct NewToken {
    /// The feed's URL, with its secret; shown once.
    url: String,
    token: FeedToken,
}

/// Make a feed token; the answer's `url` is the iCalendar feed.
#[utoipa::path(post, path = "/feed-tokens", request_body = TokenRequest, responses((status = 201, body = NewToken), (status = 404), (status = 422)))]
async fn create_token(
    State(s): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<NewToken>)> {
    // An empty body is allowed: the caller's own feed.
    let b: TokenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        TokenRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            if e.is_data() {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
            } else {
                ApiError::bad_request(e.to_string())
            }
        })?
    };
    let t = s
        .store
        .create_feed_token(
            &auth.scope,
            b.customer_id.as_deref(),
            b.label.as_deref().unwrap_or(""),
        )
        .await?;
    let url = format!("{}/api/v1/feeds/{}.ics", base_url(&s, &headers), t.secret);
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            url,
            token: t.token,
        }),
    ))
}

#[utoipa::path(get, path = "/feed-tokens", responses((status = 200, body = Vec<FeedToken>)))]
async fn list_tokens(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<FeedToken>>> {
    Ok(Json(s.store.list_feed_tokens(&auth.scope).await?))
}

#[utoipa::path(delete, path = "/feed-tokens/{id}", responses((status = 204), (status = 404)))]
async fn revoke_token(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.revoke_feed_token(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The iCalendar feed of a token (`text/calendar`); 404 for an unknown or revoked token.
#[utoipa::path(get, path = "/feeds/{token}", security(()), responses((status = 200, content_type = "text/calendar", body = String), (status = 404)))]
async fn feed(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> ApiResult<Response> {
    let secret = token.strip_suffix(".ics").unwrap_or(&token);
    let (user, subject) = s
        .store
        .feed_by_secret(secret)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let scope = scope_of(&user);
    let now = onestop_store::now_ms();
    let mut q = CalendarQuery {
        from_ms: now - FEED_PAST_MS,
        to_ms: now + FEED_AHEAD_MS,
        ..Default::default()
    };
    let name = match &subject {
        FeedSubject::Engineer(id) => {
            q.engineer_id = Some(id.clone());
            format!("onestop: {}", user.display_name)
        }
        FeedSubject::Customer(c) => {
            q.customer_id = Some(c.clone());
            let c = s.store.get_customer(&scope, c).await?;
            format!("onestop: {}", c.name)
        }
    };
    let list = s.store.calendar_entries(&scope, &q).await?;
    let body = crate::ical::render(&name, &list, now, &base_url(&s, &headers));
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}
