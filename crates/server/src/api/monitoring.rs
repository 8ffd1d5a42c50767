//! Remote monitoring: agent enrolment and batch ingest (agent credentials), enrolment tokens,
//! hosts and their series, alert rules, alerts and maintenance windows.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::{StatusCode, request::Parts};
use onestop_proto::{Ack, EnrollRequest, EnrollResponse, PROTOCOL_VERSION};
use onestop_store::{
    AgentIdentity, Alert, AlertRule, AlertRuleInput, EnrollInput, EnrollmentToken, Host,
    MaintenanceInput, MaintenanceWindow, SeriesInfo, SeriesQuery, SeriesResult,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enroll))
        .routes(routes!(batches))
        .routes(routes!(create_enrollment_token))
        .routes(routes!(list_hosts))
        .routes(routes!(get_host))
        .routes(routes!(series))
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(list_alerts))
        .routes(routes!(list_maintenance, create_maintenance))
}

/// An agent, identified by its per-host credential (`Authorization: Bearer …`). Not a user.
pub struct AgentAuth(pub AgentIdentity);

impl FromRequestParts<AppState> for AgentAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(ApiError::unauthorized)?;
        s.store
            .agent_by_credential(token)
            .await?
            .map(AgentAuth)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// The enrolment request (see `onestop-proto`).
#[derive(ToSchema)]
#[allow(dead_code)]
struct EnrollDoc {
    version: u32,
    token: String,
    hostname: String,
    machine_id: String,
    #[schema(value_type = Object)]
    os: (),
}

/// The enrolment answer: the host id and its credential.
#[derive(ToSchema)]
#[allow(dead_code)]
struct EnrolledDoc {
    host_id: String,
    credential: String,
}

/// Trade a one-time enrolment token for a host credential. The host is created in (or
/// re-linked to) the customer's asset register as a `server`.
#[utoipa::path(post, path = "/agent/enroll", request_body = EnrollDoc, security(()), responses((status = 200, body = EnrolledDoc), (status = 403), (status = 422)))]
async fn enroll(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Body(req): Body<EnrollRequest>,
) -> ApiResult<Json<EnrollResponse>> {
    if req.version == 0 || req.version > PROTOCOL_VERSION {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!(
                "unsupported protocol version {} (this server speaks up to {PROTOCOL_VERSION})",
                req.version
            ),
        ));
    }
    let os = req.os.pretty_name.clone().unwrap_or_else(|| {
        [req.os.name.as_deref(), req.os.version_id.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    });
    let done = s
        .store
        .enroll_host(EnrollInput {
            token: req.token,
            hostname: req.hostname,
            machine_id: req.machine_id,
            os,
            ip_addresses: peer.ip().to_string(),
        })
        .await?;
    Ok(Json(EnrollResponse {
        host_id: done.host_id,
        credential: done.credential,
    }))
}

/// The acknowledgement of a batch.
#[derive(ToSchema)]
#[allow(dead_code)]
struct AckDoc {
    seq: u64,
    accepted: bool,
    reason: Option<String>,
}

/// Receive one gzip-compressed JSON batch (see `onestop-proto`). Acknowledged once stored; a
/// batch sent again (same sequence number) is acknowledged but not stored twice.
#[utoipa::path(post, path = "/agent/batches", request_body(content = Vec<u8>, content_type = "application/json"), responses((status = 200, body = AckDoc), (status = 400), (status = 401)))]
async fn batches(
    State(s): State<AppState>,
    AgentAuth(agent): AgentAuth,
    body: axum::body::Bytes,
) -> ApiResult<Json<Ack>> {
    Ok(Json(s.ingest.accept(&agent, body).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Lifetime in seconds (default one day, at most 30 days).
    pub ttl_secs: Option<i64>,
}

/// A new enrolment token: the secret is shown only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewEnrollmentToken {
    pub token: String,
    #[serde(flatten)]
    pub info: EnrollmentToken,
}

/// Issue a one-time enrolment token for a customer (staff).
#[utoipa::path(post, path = "/customers/{id}/enrollment-tokens", request_body = TokenRequest, responses((status = 201, body = NewEnrollmentToken), (status = 403), (status = 404)))]
async fn create_enrollment_token(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(req): Body<TokenRequest>,
) -> ApiResult<(StatusCode, Json<NewEnrollmentToken>)> {
    auth.require_staff()?;
    let ttl = req.ttl_secs.unwrap_or(86_400).saturating_mul(1000);
    let (info, token) = s
        .store
        .create_enrollment_token(&auth.scope, &id, ttl)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewEnrollmentToken { token, info }),
    ))
}

/// Monitored hosts with their status (last seen, up or down).
#[utoipa::path(get, path = "/hosts", responses((status = 200, body = Vec<Host>)))]
async fn list_hosts(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Host>>> {
    let down = s.settings.monitor_down_secs * 1000;
    Ok(Json(s.store.list_hosts(&auth.scope, down).await?))
}

#[utoipa::path(get, path = "/hosts/{id}", responses((status = 200, body = Host), (status = 404)))]
async fn get_host(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Host>> {
    let down = s.settings.monitor_down_secs * 1000;
    Ok(Json(s.store.get_host(&auth.scope, &id, down).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct SeriesParams {
    /// Metric name. Without it, the host's series are listed.
    pub name: Option<String>,
    /// Start: RFC 3339 or Unix milliseconds (default: an hour before `to`).
    pub from: Option<String>,
    /// End: RFC 3339 or Unix milliseconds (default: now).
    pub to: Option<String>,
    /// Step: `30s`, `5m`, `1h`, `1d` or seconds (default 60 s).
    pub step: Option<String>,
    /// avg, min, max, sum, last or rate (default: rate for `*_total`, else avg).
    pub agg: Option<String>,
    /// Label matchers `k=v,k2=v2`.
    pub labels: Option<String>,
}

/// The answer of `GET /hosts/{id}/series`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesAnswer {
    pub from: i64,
    pub to: i64,
    pub step: i64,
    /// Matching series and their points (with `name`).
    pub series: Vec<SeriesResult>,
    /// The host's series (without `name`).
    pub available: Vec<SeriesInfo>,
}

fn invalid(field: &str, msg: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_request",
        format!("{field}: {msg}"),
    )
}

/// Parse a time: RFC 3339 or Unix milliseconds.
pub fn parse_time(field: &str, v: &str) -> Result<i64, ApiError> {
    let v = v.trim();
    if let Ok(ms) = v.parse::<i64>() {
        return Ok(ms);
    }
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|d| d.timestamp_millis())
        .map_err(|_| invalid(field, "expected RFC 3339 or Unix milliseconds"))
}

/// Parse a step: `30s`, `5m`, `1h`, `1d`, or seconds. In milliseconds.
pub fn parse_step(v: &str) -> Result<i64, ApiError> {
    let v = v.trim();
    let (num, unit) = match v.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&v[..i], &v[i..]),
        None => (v, "s"),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| invalid("step", "expected e.g. 30s, 5m, 1h"))?;
    let unit_ms = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(invalid("step", "unit must be ms, s, m, h or d")),
    };
    match n.checked_mul(unit_ms) {
        Some(ms) if ms > 0 => Ok(ms),
        _ => Err(invalid("step", "must be positive")),
    }
}

/// Parse `k=v,k2=v2`.
pub fn parse_labels(v: &str) -> Result<BTreeMap<String, String>, ApiError> {
    v.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| invalid("labels", "expected k=v,k2=v2"))
        })
        .collect()
}

/// A host's series: a range query with step and aggregation when `name` is given (counter
/// rates handle resets), else the list of the host's series.
#[utoipa::path(get, path = "/hosts/{id}/series", params(SeriesParams), responses((status = 200, body = SeriesAnswer), (status = 400), (status = 404), (status = 422)))]
async fn series(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(p): Q<SeriesParams>,
) -> ApiResult<Json<SeriesAnswer>> {
    let to = match &p.to {
        Some(t) => parse_time("to", t)?,
        None => onestop_store::now_ms(),
    };
    let from = match &p.from {
        Some(t) => parse_time("from", t)?,
        None => to - 3_600_000,
    };
    let step = p
        .step
        .as_deref()
        .map(parse_step)
        .transpose()?
        .unwrap_or(60_000);
    let agg = p
        .agg
        .as_deref()
        .map(|a| {
            a.parse::<onestop_tsdb::Agg>()
                .map_err(|m| invalid("agg", &m))
        })
        .transpose()?;
    let labels = p
        .labels
        .as_deref()
        .map(parse_labels)
        .transpose()?
        .unwrap_or_default();
    let Some(name) = p.name.filter(|n| !n.is_empty()) else {
        let available = s.store.host_series(&auth.scope, &id, None).await?;
        return Ok(Json(SeriesAnswer {
            from,
            to,
            step,
            series: vec![],
            available,
        }));
    };
    let q = SeriesQuery {
        name,
        labels,
        from_ms: from,
        to_ms: to,
        step_ms: step,
        agg,
    };
    let series = s.store.query_series(&auth.scope, &id, &q).await?;
    Ok(Json(SeriesAnswer {
        from,
        to,
        step,
        series,
        available: vec![],
    }))
}

#[utoipa::path(get, path = "/alert-rules", responses((status = 200, body = Vec<AlertRule>)))]
async fn list_rules(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<AlertRule>>> {
    Ok(Json(s.store.list_alert_rules(&auth.scope).await?))
}

/// Create an alert rule (staff): a threshold with `for_secs` and a recovery value, or the
/// absence of data.
#[utoipa::path(post, path = "/alert-rules", request_body = AlertRuleInput, responses((status = 201, body = AlertRule), (status = 403), (status = 409), (status = 422)))]
async fn create_rule(
    State(s): State<AppState>,
    auth: Auth,
    Body(input): Body<AlertRuleInput>,
) -> ApiResult<(StatusCode, Json<AlertRule>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_alert_rule(&auth.scope, input).await?),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AlertParams {
    /// ok, pending, firing, silenced or resolved.
    pub state: Option<String>,
    pub host_id: Option<String>,
}

/// Alerts: the state of each (rule, host) pair and the incident it opened.
#[utoipa::path(get, path = "/alerts", params(AlertParams), responses((status = 200, body = Vec<Alert>)))]
async fn list_alerts(
    State(s): State<AppState>,
    auth: Auth,
    Q(p): Q<AlertParams>,
) -> ApiResult<Json<Vec<Alert>>> {
    Ok(Json(
        s.store
            .list_alerts(&auth.scope, p.state.as_deref(), p.host_id.as_deref())
            .await?,
    ))
}

/// Maintenance windows not yet over.
#[utoipa::path(get, path = "/maintenance-windows", responses((status = 200, body = Vec<MaintenanceWindow>)))]
async fn list_maintenance(
    State(s): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<Vec<MaintenanceWindow>>> {
    Ok(Json(
        s.store
            .list_maintenance(&auth.scope, onestop_store::now_ms())
            .await?,
    ))
}

/// Silence a customer's (or one host's) alerts for a while (staff).
#[utoipa::path(post, path = "/maintenance-windows", request_body = MaintenanceInput, responses((status = 201, body = MaintenanceWindow), (status = 403), (status = 404), (status = 422)))]
async fn create_maintenance(
    State(s): State<AppState>,
    auth: Auth,
    Body(input): Body<MaintenanceInput>,
) -> ApiResult<(StatusCode, Json<MaintenanceWindow>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_maintenance(&auth.scope, input).await?),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_steps_times_and_labels() {
        assert_eq!(parse_step("30s").unwrap(), 30_000);
        assert_eq!(parse_step("5m").unwrap(), 300_000);
        assert_eq!(parse_step("2").unwrap(), 2000);
        assert!(parse_step("0s").is_err() && parse_step("5x").is_err() && parse_step("").is_err());
        assert_eq!(parse_time("t", "1700000000000").unwrap(), 1_700_000_000_000);
        assert_eq!(
            parse_time("t", "2023-11-14T22:13:20Z").unwrap(),
            1_700_000_000_000
        );
        assert!(parse_time("t", "yesterday").is_err());
        let l = parse_labels("mode=idle, cpu=0").unwrap();
        assert_eq!(l.get("cpu").map(String::as_str), Some("0"));
        assert!(parse_labels("novalue").is_err());
    }
}
