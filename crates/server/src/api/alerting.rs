//! Alerting beyond the basics: editing and deleting rules, ending and deleting maintenance
//! windows, the events list, and a host's performance check.
use super::monitoring::parse_time;
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::monitor::perf::{self, PerfReport};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onestop_store::{AlertRule, AlertRuleInput, Event, EventFilter, now_ms};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_rule, delete_rule))
        .routes(routes!(end_maintenance, delete_maintenance))
        .routes(routes!(list_events))
        .routes(routes!(performance))
}

/// Change a rule: name, customer, severity, enabled, spec (staff, audited).
#[utoipa::path(put, path = "/alert-rules/{id}", request_body = AlertRuleInput, responses((status = 200, body = AlertRule), (status = 403), (status = 404), (status = 422)))]
async fn update_rule(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<AlertRuleInput>,
) -> ApiResult<Json<AlertRule>> {
    Ok(Json(
        s.store.update_alert_rule(&auth.scope, &id, input).await?,
    ))
}

/// Delete a rule and its alert states (staff; shipped rules can only be switched off).
#[utoipa::path(delete, path = "/alert-rules/{id}", responses((status = 204), (status = 403), (status = 404), (status = 409)))]
async fn delete_rule(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.delete_alert_rule(&auth.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End a maintenance window now (staff).
#[utoipa::path(post, path = "/maintenance-windows/{id}/end", responses((status = 204), (status = 403), (status = 404)))]
async fn end_maintenance(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.end_maintenance(&auth.scope, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete a maintenance window (staff).
#[utoipa::path(delete, path = "/maintenance-windows/{id}", responses((status = 204), (status = 403), (status = 404)))]
async fn delete_maintenance(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    s.store.end_maintenance(&auth.scope, &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct EventParams {
    pub customer_id: Option<String>,
    pub host_id: Option<String>,
    /// `snmp_trap`, `log`, `check`, …
    pub source: Option<String>,
    /// critical, warning or info.
    pub severity: Option<String>,
    /// RFC 3339 or Unix ms.
    pub from: Option<String>,
    pub to: Option<String>,
    /// At most this many (≤ 1,000).
    pub limit: Option<i64>,
}

impl EventParams {
    pub fn filter(self) -> Result<EventFilter, ApiError> {
        if let Some(sev) = &self.severity
            && !onestop_store::EVENT_SEVERITIES.contains(&sev.as_str())
        {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "severity: must be critical, warning or info",
            ));
        }
        Ok(EventFilter {
            customer_id: self.customer_id,
            host_id: self.host_id,
            source: self.source,
            severity: self.severity,
            from_ms: self
                .from
                .as_deref()
                .map(|v| parse_time("from", v))
                .transpose()?,
            to_ms: self
                .to
                .as_deref()
                .map(|v| parse_time("to", v))
                .transpose()?,
            limit: self.limit,
        })
    }
}

/// Events (traps, log findings, failed checks), newest first, with the incident each went to.
#[utoipa::path(get, path = "/events", params(EventParams), responses((status = 200, body = Vec<Event>), (status = 422)))]
async fn list_events(
    State(s): State<AppState>,
    auth: Auth,
    Q(p): Q<EventParams>,
) -> ApiResult<Json<Vec<Event>>> {
    Ok(Json(s.store.list_events(&auth.scope, &p.filter()?).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PerfParams {
    /// RFC 3339 or Unix ms (default: 7 days before `to`).
    pub from: Option<String>,
    /// RFC 3339 or Unix ms (default: now).
    pub to: Option<String>,
}

/// A host's performance check: average, peak, p95, trend and forecasts of exhaustion per
/// resource over the period.
#[utoipa::path(get, path = "/hosts/{id}/performance", params(PerfParams), responses((status = 200, body = PerfReport), (status = 404), (status = 422)))]
async fn performance(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(p): Q<PerfParams>,
) -> ApiResult<Json<PerfReport>> {
    let to =
        p.to.as_deref()
            .map(|v| parse_time("to", v))
            .transpose()?
            .unwrap_or_else(now_ms);
    let from = p
        .from
        .as_deref()
        .map(|v| parse_time("from", v))
        .transpose()?
        .unwrap_or(to - 7 * 86_400_000);
    if from >= to || to - from > 400 * 86_400_000 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "from: must be before to, at most 400 days",
        ));
    }
    s.store.get_host(&auth.scope, &id, i64::MAX).await?;
    Ok(Json(
        perf::report(&s.store, &auth.scope, &id, from, to).await?,
    ))
}
