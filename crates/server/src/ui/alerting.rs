//! Alerting pages: the alerts list by state (firing, pending, flapping, suppressed,
//! silenced), the rule editor (each kind's fields as a form), maintenance windows
//! (create, end, delete), the events list, a host's performance check with a period
//! selector, and the chart of an alert's series on its incident.
use super::alerting_form::{input_from, rule_form_fields};
use super::{Ctx, OrPage, Page, UiResult, format_when, render};
use crate::monitor::{chart, perf};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use onestop_store::{
    Alert, AlertRule, Event, EventFilter, MaintenanceInput, MaintenanceWindow, now_ms,
};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/alerts", get(alerts))
        .route("/alert-rules", get(rules).post(create_rule))
        .route("/alert-rules/{id}", get(rule_page).post(save_rule))
        .route("/alert-rules/{id}/toggle", post(toggle_rule))
        .route("/alert-rules/{id}/delete", post(delete_rule))
        .route("/maintenance", get(maintenance).post(create_maintenance))
        .route("/maintenance/{id}/end", post(end_maintenance))
        .route("/maintenance/{id}/delete", post(delete_maintenance))
        .route("/events", get(events))
        .route("/hosts/{id}/performance", get(performance))
        .route("/tickets/{id}/alert-chart.svg", get(ticket_chart))
}

pub(super) type Pairs = Vec<(String, String)>;

pub(super) fn field<'a>(f: &'a Pairs, k: &str) -> Option<&'a str> {
    f.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

#[allow(clippy::result_large_err)]
fn csrf(page: &Page, f: &Pairs) -> Result<(), axum::response::Response> {
    page.auth.check_csrf(field(f, "_csrf")).or_page(&page.ctx)
}

pub const STATES: [&str; 7] = [
    "firing",
    "pending",
    "flapping",
    "suppressed",
    "silenced",
    "resolved",
    "ok",
];

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    ctx: Ctx,
    alerts: Vec<Alert>,
    state: String,
    states: [&'static str; 7],
}

impl AlertsPage {
    fn when(&self, ms: &Option<i64>) -> String {
        ms.map(|m| format_when(self.ctx.t, m))
            .unwrap_or_else(|| "—".into())
    }
}

#[derive(Deserialize)]
pub struct StateQ {
    state: Option<String>,
}

async fn alerts(State(s): State<AppState>, page: Page, Query(q): Query<StateQ>) -> UiResult {
    let state = q.state.unwrap_or_default();
    let alerts = s
        .store
        .list_alerts(&page.auth.scope, Some(&state), None)
        .await
        .or_page(&page.ctx)?;
    Ok(render(AlertsPage {
        ctx: page.ctx,
        alerts,
        state,
        states: STATES,
    }))
}

#[derive(Template)]
#[template(path = "alert_rules.html")]
struct RulesPage {
    ctx: Ctx,
    rules: Vec<AlertRule>,
}

async fn rules(State(s): State<AppState>, page: Page) -> UiResult {
    let rules = s
        .store
        .list_alert_rules(&page.auth.scope)
        .await
        .or_page(&page.ctx)?;
    Ok(render(RulesPage {
        ctx: page.ctx,
        rules,
    }))
}

#[derive(Template)]
#[template(path = "alert_rule.html")]
struct RulePage {
    ctx: Ctx,
    /// `new` or the rule's id.
    id: String,
    f: std::collections::BTreeMap<&'static str, String>,
    builtin: bool,
}

impl RulePage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("")
    }
}

async fn rule_page(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let rule = if id == "new" {
        None
    } else {
        Some(
            s.store
                .get_alert_rule(&page.auth.scope, &id)
                .await
                .or_page(&page.ctx)?,
        )
    };
    let builtin = rule.as_ref().is_some_and(|r| r.builtin);
    Ok(render(RulePage {
        ctx: page.ctx,
        id,
        f: rule_form_fields(rule.as_ref()),
        builtin,
    }))
}

async fn create_rule(State(s): State<AppState>, page: Page, Form(f): Form<Pairs>) -> UiResult {
    csrf(&page, &f)?;
    let input = input_from(&f).or_page(&page.ctx)?;
    let r = s
        .store
        .create_alert_rule(&page.auth.scope, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/alert-rules/{}", r.id)).into_response())
}

async fn save_rule(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    let input = input_from(&f).or_page(&page.ctx)?;
    s.store
        .update_alert_rule(&page.auth.scope, &id, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/alert-rules").into_response())
}

async fn toggle_rule(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    let on = field(&f, "enabled") == Some("1");
    s.store
        .set_alert_rule_enabled(&page.auth.scope, &id, on)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/alert-rules").into_response())
}

async fn delete_rule(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    s.store
        .delete_alert_rule(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/alert-rules").into_response())
}

#[derive(Template)]
#[template(path = "maintenance.html")]
struct MaintenancePage {
    ctx: Ctx,
    windows: Vec<MaintenanceWindow>,
}

impl MaintenancePage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

async fn maintenance(State(s): State<AppState>, page: Page) -> UiResult {
    let windows = s
        .store
        .list_maintenance(&page.auth.scope, now_ms() - 86_400_000)
        .await
        .or_page(&page.ctx)?;
    Ok(render(MaintenancePage {
        ctx: page.ctx,
        windows,
    }))
}

fn local_time(v: &str) -> Option<i64> {
    let t = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M").ok()?;
    Some(t.and_utc().timestamp_millis())
}

async fn create_maintenance(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    let bad = |m: &str| {
        onestop_store::StoreError::Invalid(onestop_domain::model::ValidationError::new("time", m))
    };
    let starts = field(&f, "starts_at")
        .and_then(local_time)
        .unwrap_or_else(now_ms);
    let hours: f64 = field(&f, "hours")
        .unwrap_or("2")
        .parse()
        .map_err(|_| bad("hours must be a number"))
        .or_page(&page.ctx)?;
    let input = MaintenanceInput {
        customer_id: field(&f, "customer_id").unwrap_or("").into(),
        host_id: field(&f, "host_id").map(str::to_string),
        asset_id: field(&f, "asset_id").map(str::to_string),
        collect: Some(field(&f, "collect").is_some()),
        starts_at: starts,
        ends_at: starts + (hours * 3_600_000.0) as i64,
        reason: field(&f, "reason").unwrap_or("").into(),
    };
    s.store
        .create_maintenance(&page.auth.scope, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/maintenance").into_response())
}

async fn end_maintenance(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    s.store
        .end_maintenance(&page.auth.scope, &id, false)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/maintenance").into_response())
}

async fn delete_maintenance(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    s.store
        .end_maintenance(&page.auth.scope, &id, true)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/maintenance").into_response())
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    ctx: Ctx,
    events: Vec<Event>,
    source: String,
    severity: String,
}

impl EventsPage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

#[derive(Deserialize)]
pub struct EventQ {
    source: Option<String>,
    severity: Option<String>,
    host_id: Option<String>,
}

async fn events(State(s): State<AppState>, page: Page, Query(q): Query<EventQ>) -> UiResult {
    let nonempty = |v: Option<String>| v.filter(|x| !x.trim().is_empty());
    let filter = EventFilter {
        source: nonempty(q.source.clone()),
        severity: nonempty(q.severity.clone()),
        host_id: nonempty(q.host_id),
        ..Default::default()
    };
    let events = s
        .store
        .list_events(&page.auth.scope, &filter)
        .await
        .or_page(&page.ctx)?;
    Ok(render(EventsPage {
        ctx: page.ctx,
        events,
        source: q.source.unwrap_or_default(),
        severity: q.severity.unwrap_or_default(),
    }))
}

#[derive(Template)]
#[template(path = "host_perf.html")]
struct PerfPage {
    ctx: Ctx,
    host_id: String,
    host_name: String,
    period: String,
    perf: perf::PerfReport,
}

impl PerfPage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

#[derive(Deserialize)]
pub struct PeriodQ {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

async fn performance(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<PeriodQ>,
) -> UiResult {
    let host = s
        .store
        .get_host(&page.auth.scope, &id, i64::MAX)
        .await
        .or_page(&page.ctx)?;
    let period = q.period.unwrap_or_else(|| "week".into());
    let now = now_ms();
    let day = 86_400_000;
    let (from, to) = match period.as_str() {
        "day" => (now - day, now),
        "month" => (now - 30 * day, now),
        "custom" => {
            let d = |v: &Option<String>| {
                v.as_deref()
                    .and_then(|x| chrono::NaiveDate::parse_from_str(x, "%Y-%m-%d").ok())
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc().timestamp_millis())
            };
            let to = d(&q.to).map(|t| t + day).unwrap_or(now);
            (d(&q.from).unwrap_or(to - 7 * day).min(to - 3_600_000), to)
        }
        _ => (now - 7 * day, now),
    };
    let perf = perf::report(&s.store, &page.auth.scope, &id, from, to)
        .await
        .or_page(&page.ctx)?;
    Ok(render(PerfPage {
        ctx: page.ctx,
        host_id: host.id,
        host_name: host.name,
        period,
        perf,
    }))
}

/// The measured series around each firing recorded on the ticket, as one SVG.
async fn ticket_chart(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let scope = &page.auth.scope;
    s.store.get_ticket(scope, &id).await.or_page(&page.ctx)?;
    let firings = s
        .store
        .alert_incidents(scope, &id)
        .await
        .or_page(&page.ctx)?;
    let Some(last) = firings.last() else {
        return Ok((
            [(header::CONTENT_TYPE, "image/svg+xml")],
            chart::svg("—", &[], 0, 1),
        )
            .into_response());
    };
    let (from, to) = (
        last.fired_at - 3_600_000,
        (last.fired_at + 1_800_000)
            .min(now_ms())
            .max(last.fired_at + 60_000),
    );
    let mut lines = Vec::new();
    let mut title = last.value.clone();
    if let Ok(m) = serde_json::from_str::<serde_json::Value>(&last.measured)
        && let Some(name) = m.get("metric").and_then(|v| v.as_str())
    {
        let labels = serde_json::from_value(m.get("labels").cloned().unwrap_or_default())
            .unwrap_or_default();
        let q = onestop_store::SeriesQuery {
            name: name.into(),
            labels,
            from_ms: from,
            to_ms: to,
            step_ms: 60_000,
            agg: None,
        };
        for r in s
            .store
            .query_series(scope, &last.host_id, &q)
            .await
            .or_page(&page.ctx)?
        {
            lines.push((name.to_string(), r.points));
        }
        title = format!("{name}: {}", last.value);
    }
    let svg = chart::svg(&title, &lines, from, to);
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}
