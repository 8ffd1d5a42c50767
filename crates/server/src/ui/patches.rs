//! Pages of patch and security information: findings by customer, host, severity and age;
//! a host's packages, history and evidence of patching; advisories; the notice history.
use super::{Ctx, OrPage, Page, Pager, UiResult, format_when, query_base, render};
use crate::api::patches_period_bounds;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use onestop_store::{
    AdvisoryRecord, Asset, CustomerQuery, Evidence, Finding, FindingPatch, FindingQuery,
    HostInventory, HostPackage, Notice, NoticeQuery, PackageChange,
};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/patches", get(findings))
        .route("/patches/findings/{id}", post(decide))
        .route("/patches/hosts/{id}", get(host))
        .route("/patches/hosts/{id}/evidence", get(evidence))
        .route("/patches/advisories/{id}", get(advisory))
        .route("/patches/notices", get(notices))
        .route("/patches/notices/{id}", get(notice))
}

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "unknown"];
const STATES: [&str; 5] = ["open", "accepted_risk", "ignored", "fixed", "withdrawn"];
const SORTS: [&str; 5] = ["severity", "age", "-age", "host", "package"];

fn days_since(ms: i64) -> i64 {
    (chrono::Utc::now().timestamp_millis() - ms).max(0) / 86_400_000
}

#[derive(Template)]
#[template(path = "patches_findings.html")]
struct FindingsPage {
    ctx: Ctx,
    q: FindingQuery,
    page: onestop_store::Page<Finding>,
    pager: Pager,
    customers: Vec<(String, String)>,
    counts: Vec<(&'static str, i64)>,
    severities: [&'static str; 5],
    states: [&'static str; 5],
    sorts: [&'static str; 5],
}

impl FindingsPage {
    fn age(&self, ms: &i64) -> i64 {
        days_since(*ms)
    }
}

pub async fn findings(
    State(s): State<AppState>,
    page: Page,
    Query(mut q): Query<FindingQuery>,
) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    if q.state.is_none() {
        q.state = Some("open".into());
    }
    let result = s.store.list_findings(&scope, &q).await.or_page(&ctx)?;
    let mut counts = Vec::new();
    for sev in SEVERITIES {
        let one = FindingQuery {
            severity: Some(sev.into()),
            per_page: Some(1),
            ..q.clone()
        };
        counts.push((
            sev,
            s.store
                .list_findings(&scope, &one)
                .await
                .or_page(&ctx)?
                .total,
        ));
    }
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
        .items
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let pager = Pager {
        page: result.page,
        per_page: result.per_page,
        total: result.total,
        base: query_base(&[
            ("customer", q.customer.as_deref()),
            ("host", q.host.as_deref()),
            ("severity", q.severity.as_deref()),
            ("state", q.state.as_deref()),
            ("advisory", q.advisory.as_deref()),
            ("sort", q.sort.as_deref()),
        ]),
    };
    Ok(render(FindingsPage {
        ctx,
        q,
        page: result,
        pager,
        customers,
        counts,
        severities: SEVERITIES,
        states: STATES,
        sorts: SORTS,
    }))
}

#[derive(Deserialize)]
pub struct DecideForm {
    _csrf: String,
    state: String,
    #[serde(default)]
    reason: String,
    /// YYYY-MM-DD; empty: no expiry.
    #[serde(default)]
    expires: String,
    #[serde(default)]
    apply_to: String,
    #[serde(default)]
    back: String,
}

pub async fn decide(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<DecideForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let expires_at = match f.expires.trim() {
        "" => None,
        d => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| crate::error::ApiError::bad_request("expires: not a date"))
                .or_page(&page.ctx)?
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp_millis(),
        ),
    };
    let p = FindingPatch {
        state: f.state,
        reason: Some(f.reason),
        expires_at,
        apply_to: Some(f.apply_to).filter(|a| !a.is_empty()),
    };
    let finding = s
        .store
        .decide_finding(&page.auth.scope, &id, p)
        .await
        .or_page(&page.ctx)?;
    let back = if f.back.starts_with("/patches") {
        f.back
    } else {
        format!("/patches/hosts/{}", finding.host_id)
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "patches_host.html")]
struct HostPage {
    ctx: Ctx,
    asset: Asset,
    inventory: Option<HostInventory>,
    findings: Vec<Finding>,
    packages: Vec<HostPackage>,
    changes: Vec<PackageChange>,
}

impl HostPage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
    fn age(&self, ms: &i64) -> i64 {
        days_since(*ms)
    }
}

pub async fn host(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let asset = s.store.get_asset(&scope, &id).await.or_page(&ctx)?;
    let inventory = s.store.host_inventory(&scope, &id).await.ok();
    let q = FindingQuery {
        host: Some(id.clone()),
        state: Some("open,accepted_risk,ignored".into()),
        per_page: Some(200),
        ..Default::default()
    };
    let findings = s.store.list_findings(&scope, &q).await.or_page(&ctx)?.items;
    let packages = s.store.host_packages(&scope, &id).await.or_page(&ctx)?;
    let now = chrono::Utc::now().timestamp_millis();
    let mut changes = s
        .store
        .package_changes(&scope, &id, now - 365 * 86_400_000, now + 1)
        .await
        .or_page(&ctx)?;
    changes.reverse();
    changes.truncate(500);
    Ok(render(HostPage {
        ctx,
        asset,
        inventory,
        findings,
        packages,
        changes,
    }))
}

#[derive(Deserialize, Default)]
pub struct PeriodForm {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "patches_evidence.html")]
struct EvidencePage {
    ctx: Ctx,
    ev: Evidence,
    from: String,
    to: String,
}

impl EvidencePage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

pub async fn evidence(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(p): Query<PeriodForm>,
) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let (from, to) = patches_period_bounds(p.from.clone(), p.to.clone()).or_page(&ctx)?;
    let ev = s
        .store
        .patch_evidence(&scope, &id, from, to)
        .await
        .or_page(&ctx)?;
    let day = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .format("%Y-%m-%d")
            .to_string()
    };
    Ok(render(EvidencePage {
        from: p
            .from
            .filter(|x| !x.is_empty())
            .unwrap_or_else(|| day(from)),
        to: p
            .to
            .filter(|x| !x.is_empty())
            .unwrap_or_else(|| day(to - 1)),
        ctx,
        ev,
    }))
}

#[derive(Template)]
#[template(path = "patches_advisory.html")]
struct AdvisoryPage {
    ctx: Ctx,
    a: AdvisoryRecord,
    details: String,
    references: Vec<String>,
    affected: Vec<(String, String, String)>,
    findings: Vec<Finding>,
}

impl AdvisoryPage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

pub async fn advisory(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let a = s.store.get_advisory(&id).await.or_page(&ctx)?;
    let v = &a.advisory;
    let details = v["details"].as_str().unwrap_or("").to_string();
    let references = v["references"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let affected = v["affected"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|x| {
                    let fixed: Vec<String> = x["ranges"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .flat_map(|r| r.as_array().into_iter().flatten())
                        .filter_map(|e| e["fixed"].as_str().map(str::to_string))
                        .collect();
                    (
                        x["ecosystem"].as_str().unwrap_or("").to_string(),
                        x["name"].as_str().unwrap_or("").to_string(),
                        fixed.join(", "),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let q = FindingQuery {
        advisory: Some(id.clone()),
        per_page: Some(200),
        ..Default::default()
    };
    let findings = s.store.list_findings(&scope, &q).await.or_page(&ctx)?.items;
    Ok(render(AdvisoryPage {
        ctx,
        a,
        details,
        references,
        affected,
        findings,
    }))
}

#[derive(Template)]
#[template(path = "patches_notices.html")]
struct NoticesPage {
    ctx: Ctx,
    page: onestop_store::Page<Notice>,
    pager: Pager,
}

impl NoticesPage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

pub async fn notices(
    State(s): State<AppState>,
    page: Page,
    Query(q): Query<NoticeQuery>,
) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let result = s.store.list_notices(&scope, &q).await.or_page(&ctx)?;
    let pager = Pager {
        page: result.page,
        per_page: result.per_page,
        total: result.total,
        base: query_base(&[
            ("customer", q.customer.as_deref()),
            ("kind", q.kind.as_deref()),
        ]),
    };
    Ok(render(NoticesPage {
        ctx,
        page: result,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "patches_notice.html")]
struct NoticePage {
    ctx: Ctx,
    n: Notice,
}

impl NoticePage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

pub async fn notice(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let n = s.store.get_notice(&scope, &id).await.or_page(&ctx)?;
    Ok(render(NoticePage { ctx, n }))
}
