//! `/logs`, `/log-templates`, `/log-report`: log search, templates with counts, and the log
//! diagnosis report (whose findings can open tickets). All customer-scoped.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::logreport::{self, FindingTicket, LogReport, ReportQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onestop_store::Ticket;
use onestop_store::logs::{LogPage, LogQuery, TemplateCount, TemplateQuery};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(templates))
        .routes(routes!(report))
        .routes(routes!(finding_ticket))
}

/// Search received log messages, newest first. `severity` is a minimum (`warning` gives
/// warnings and worse); `q` is a case-insensitive substring; `template` is `E<n>`.
#[utoipa::path(get, path = "/logs", params(LogQuery), responses((status = 200, body = LogPage), (status = 404), (status = 422)))]
async fn search(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<LogQuery>,
) -> ApiResult<Json<LogPage>> {
    Ok(Json(s.store.search_logs(&auth.scope, &q).await?))
}

/// Templates with the number of stored messages matching the filters, most frequent first.
#[utoipa::path(get, path = "/log-templates", params(TemplateQuery), responses((status = 200, body = Vec<TemplateCount>), (status = 404), (status = 422)))]
async fn templates(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<TemplateQuery>,
) -> ApiResult<Json<Vec<TemplateCount>>> {
    Ok(Json(s.store.log_templates(&auth.scope, &q).await?))
}

/// The log diagnosis report for a host or customer and period.
#[utoipa::path(get, path = "/log-report", params(ReportQuery), responses((status = 200, body = LogReport), (status = 404), (status = 422)))]
async fn report(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<ReportQuery>,
) -> ApiResult<Json<LogReport>> {
    let rules = crate::syslog::rules(&s.settings).map_err(rules_error)?;
    Ok(Json(
        logreport::build(&s.store, &rules, &auth.scope, &q).await?,
    ))
}

/// Open an incident for a report finding (a template on a host or customer).
#[utoipa::path(post, path = "/log-report/tickets", request_body = FindingTicket, responses((status = 201, body = Ticket), (status = 404), (status = 422)))]
async fn finding_ticket(
    State(s): State<AppState>,
    auth: Auth,
    Body(f): Body<FindingTicket>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    let rules = crate::syslog::rules(&s.settings).map_err(rules_error)?;
    Ok((
        StatusCode::CREATED,
        Json(logreport::open_ticket(&s.store, &rules, &auth.scope, f).await?),
    ))
}

fn rules_error(e: anyhow::Error) -> crate::error::ApiError {
    tracing::error!(error = %e, "log rules");
    crate::error::ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the log rules cannot be loaded",
    )
}
