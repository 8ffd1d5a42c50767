//! Pages of the server's probes: the list of network checks and scrape targets (all, or one
//! host's with `?host=`) with their last result, forms to add them (staff), and an edit page
//! each with delete. Also the probe charts of the host page (`host_charts`).
use super::{Ctx, OrPage, Page, UiResult, format_when, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use onestop_store::{Check, CheckInput, CheckParams, CheckPatch, ScrapeTarget, ScrapeTargetInput};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/probes", get(list))
        .route("/probes/checks", post(create_check))
        .route("/probes/checks/{id}", get(check_page).post(edit_check))
        .route("/probes/checks/{id}/delete", post(delete_check))
        .route("/probes/scrape", post(create_target))
        .route("/probes/scrape/{id}", get(target_page).post(edit_target))
        .route("/probes/scrape/{id}/delete", post(delete_target))
}

type Pairs = Vec<(String, String)>;

fn field<'a>(f: &'a Pairs, k: &str) -> Option<&'a str> {
    f.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn num(f: &Pairs, k: &str) -> Option<i64> {
    field(f, k).and_then(|v| v.parse().ok())
}

#[allow(clippy::result_large_err)]
fn csrf(page: &Page, f: &Pairs) -> Result<(), axum::response::Response> {
    page.auth.check_csrf(field(f, "_csrf")).or_page(&page.ctx)
}

fn params(f: &Pairs) -> CheckParams {
    let s = |k| field(f, k).map(str::to_string);
    CheckParams {
        expect_status: field(f, "expect_status")
            .map(|v| {
                v.split([',', ' '])
                    .filter_map(|x| x.trim().parse().ok())
                    .collect()
            })
            .unwrap_or_default(),
        body_regex: s("body_regex"),
        insecure: field(f, "insecure").is_some(),
        record_type: s("record_type"),
        server: s("server"),
        expect: s("expect"),
        icmp_mode: s("icmp_mode"),
        tcp_port: field(f, "tcp_port").and_then(|v| v.parse().ok()),
    }
}

fn labels(f: &Pairs) -> BTreeMap<String, String> {
    field(f, "labels")
        .unwrap_or("")
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn back(host: &str) -> axum::response::Response {
    Redirect::to(&format!("/probes?host={host}")).into_response()
}

#[derive(Template)]
#[template(path = "probes.html")]
struct ListPage {
    ctx: Ctx,
    host: Option<String>,
    checks: Vec<Check>,
    targets: Vec<ScrapeTarget>,
}

impl ListPage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

#[derive(Deserialize)]
pub struct HostParam {
    host: Option<String>,
}

async fn list(State(s): State<AppState>, page: Page, Query(q): Query<HostParam>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let host = q.host.filter(|h| !h.is_empty());
    let checks = s
        .store
        .list_checks(&scope, host.as_deref())
        .await
        .or_page(&ctx)?;
    let targets = s
        .store
        .list_scrape_targets(&scope, host.as_deref())
        .await
        .or_page(&ctx)?;
    Ok(render(ListPage {
        ctx,
        host,
        checks,
        targets,
    }))
}

async fn create_check(State(s): State<AppState>, page: Page, Form(f): Form<Pairs>) -> UiResult {
    csrf(&page, &f)?;
    let host = field(&f, "host_id").unwrap_or_default().to_string();
    let i = CheckInput {
        host_id: host.clone(),
        name: field(&f, "name").unwrap_or_default().into(),
        kind: field(&f, "kind").unwrap_or_default().into(),
        target: field(&f, "target").unwrap_or_default().into(),
        params: Some(params(&f)),
        interval_secs: num(&f, "interval_secs"),
        timeout_ms: num(&f, "timeout_ms"),
        enabled: Some(true),
    };
    s.store
        .create_check(&page.auth.scope, i)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&host))
}

#[derive(Template)]
#[template(path = "probe_edit.html")]
struct EditPage {
    ctx: Ctx,
    check: Option<Check>,
    target: Option<ScrapeTarget>,
}

async fn check_page(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let check = s
        .store
        .get_check(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(render(EditPage {
        ctx: page.ctx,
        check: Some(check),
        target: None,
    }))
}

async fn edit_check(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    let p = CheckPatch {
        name: field(&f, "name").map(Into::into),
        target: field(&f, "target").map(Into::into),
        params: Some(params(&f)),
        interval_secs: num(&f, "interval_secs"),
        timeout_ms: num(&f, "timeout_ms"),
        enabled: Some(field(&f, "enabled").is_some()),
    };
    let c = s
        .store
        .update_check(&page.auth.scope, &id, p)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&c.host_id))
}

async fn delete_check(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    let c = s
        .store
        .delete_check(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&c.host_id))
}

fn target_input(s: &AppState, f: &Pairs) -> (ScrapeTargetInput, Option<String>) {
    let mut i = ScrapeTargetInput {
        host_id: field(f, "host_id").unwrap_or_default().into(),
        url: field(f, "url").unwrap_or_default().into(),
        labels: Some(labels(f)),
        interval_secs: num(f, "interval_secs"),
        timeout_ms: num(f, "timeout_ms"),
        auth_kind: field(f, "auth_kind").map(Into::into),
        auth_user: field(f, "auth_user").map(Into::into),
        auth_secret: field(f, "auth_secret").map(Into::into),
        enabled: Some(field(f, "enabled").is_some() || field(f, "new").is_some()),
    };
    let sealed = crate::api::probes::seal(s, &mut i);
    (i, sealed)
}

async fn create_target(State(s): State<AppState>, page: Page, Form(f): Form<Pairs>) -> UiResult {
    csrf(&page, &f)?;
    let (i, sealed) = target_input(&s, &f);
    let t = s
        .store
        .create_scrape_target(&page.auth.scope, i, sealed)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&t.host_id))
}

async fn target_page(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let t = s
        .store
        .get_scrape_target(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(render(EditPage {
        ctx: page.ctx,
        check: None,
        target: Some(t),
    }))
}

async fn edit_target(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    let (i, sealed) = target_input(&s, &f);
    let t = s
        .store
        .update_scrape_target(&page.auth.scope, &id, i, sealed)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&t.host_id))
}

async fn delete_target(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    let t = s
        .store
        .delete_scrape_target(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&t.host_id))
}

impl EditPage {
    fn params_json(&self) -> String {
        self.check
            .as_ref()
            .map(|c| serde_json::to_string(&c.params).unwrap_or_default())
            .unwrap_or_default()
    }
}

impl ListPage {
    /// A new item's form starts from the defaults.
    fn v(&self, key: &str) -> String {
        match key {
            "interval_secs" => "60".into(),
            "timeout_ms" => "5000".into(),
            "scrape_timeout_ms" => "10000".into(),
            _ => String::new(),
        }
    }

    fn sel(&self, option: &str) -> bool {
        matches!(option, "A" | "auto" | "none")
    }
}

impl EditPage {
    /// The edited item's current value of a form field.
    fn v(&self, key: &str) -> String {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        if let Some(c) = &self.check {
            let p = &c.params;
            return match key {
                "interval_secs" => c.interval_secs.to_string(),
                "timeout_ms" => c.timeout_ms.to_string(),
                "expect_status" => p
                    .expect_status
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                "body_regex" => opt(&p.body_regex),
                "server" => opt(&p.server),
                "expect" => opt(&p.expect),
                "tcp_port" => p.tcp_port.map(|x| x.to_string()).unwrap_or_default(),
                "insecure" => {
                    if p.insecure {
                        "1".into()
                    } else {
                        String::new()
                    }
                }
                _ => String::new(),
            };
        }
        let Some(t) = &self.target else {
            return String::new();
        };
        match key {
            "interval_secs" => t.interval_secs.to_string(),
            "scrape_timeout_ms" => t.timeout_ms.to_string(),
            "labels" => t
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            "auth_user" => opt(&t.auth_user),
            _ => String::new(),
        }
    }

    /// Whether a select's option is the item's current choice.
    fn sel(&self, option: &str) -> bool {
        if let Some(c) = &self.check {
            let p = &c.params;
            return p.record_type.as_deref().unwrap_or("A") == option
                || p.icmp_mode.as_deref().unwrap_or("auto") == option;
        }
        self.target.as_ref().is_some_and(|t| t.auth_kind == option)
    }
}

/// The host page's probe charts (only those with data): check success and duration by
/// check, scrape `up` by instance.
pub async fn host_charts(
    store: &onestop_store::Store,
    scope: &onestop_store::Scope,
    host: &str,
    (from, to, step): (i64, i64, i64),
    t: super::i18n::T,
) -> onestop_store::Result<Vec<(&'static str, Vec<(String, Vec<(i64, f64)>)>)>> {
    let mut out = vec![];
    for (key, name, by) in [
        ("probe_chart_success", "probe_success", "check"),
        ("probe_chart_duration", "probe_duration_seconds", "check"),
        ("probe_chart_up", "up", "instance"),
    ] {
        let q = onestop_store::SeriesQuery {
            name: name.into(),
            labels: BTreeMap::new(),
            from_ms: from,
            to_ms: to,
            step_ms: step,
            agg: None,
        };
        let lines: Vec<_> = store
            .query_series(scope, host, &q)
            .await?
            .into_iter()
            .filter(|s| !s.points.is_empty())
            .map(|s| (s.labels.get(by).cloned().unwrap_or_default(), s.points))
            .collect();
        if !lines.is_empty() {
            out.push((t.get(key), lines));
        }
    }
    Ok(out)
}
