//! Pages of planned work: the contracts' plans (`/plans`), a contract's plan against actual
//! by month with edit forms (`/contracts/{id}/plan`), and the checklist templates
//! (`/checklist-templates`, administrators edit them as JSON items).
use super::{Ctx, OrPage, Page, UiResult, render};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use chrono::Datelike;
use onestop_store::{
    Activity, ActivityPatch, ChecklistTemplate, Contract, ContractQuery, TemplateInput,
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    ctx: Ctx,
    contracts: Vec<Contract>,
    year: i32,
}

pub async fn plans(State(s): State<AppState>, page: Page) -> UiResult {
    let q = ContractQuery {
        per_page: Some(200),
        ..Default::default()
    };
    let contracts = s
        .store
        .list_contracts(&page.auth.scope, &q)
        .await
        .or_page(&page.ctx)?
        .items;
    Ok(render(PlansPage {
        ctx: page.ctx,
        contracts,
        year: chrono::Utc::now().year(),
    }))
}

#[derive(Deserialize)]
pub struct YearQ {
    year: Option<i32>,
}

/// One month of the plan.
pub struct Month {
    pub number: u32,
    pub activities: Vec<Activity>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    ctx: Ctx,
    contract: Contract,
    year: i32,
    months: Vec<Month>,
    counts: Vec<(&'static str, usize)>,
}

impl PlanPage {
    fn tr<S: std::fmt::Display + ?Sized>(&self, prefix: &str, v: &S) -> &'static str {
        self.ctx.t.get(&format!("{prefix}{v}"))
    }
}

pub async fn plan(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<YearQ>,
) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let year = q.year.unwrap_or_else(|| chrono::Utc::now().year());
    let contract = s.store.get_contract(&scope, &id).await.or_page(&ctx)?;
    let p = s
        .store
        .contract_plan(&scope, &id, year, onestop_store::now_ms())
        .await
        .or_page(&ctx)?;
    let counts = ["planned", "work_order", "done", "late", "skipped"]
        .into_iter()
        .map(|st| (st, p.activities.iter().filter(|a| a.status == st).count()))
        .collect();
    let months = (1..=12)
        .map(|m| Month {
            number: m,
            activities: p
                .activities
                .iter()
                .filter(|a| a.date.get(5..7).and_then(|x| x.parse::<u32>().ok()) == Some(m))
                .cloned()
                .collect(),
        })
        .collect();
    Ok(render(PlanPage {
        ctx,
        contract,
        year,
        months,
        counts,
    }))
}

#[derive(Deserialize)]
pub struct ActivityForm {
    _csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    owner_role: String,
    #[serde(default)]
    skip_reason: String,
    #[serde(default)]
    unskip: String,
}

pub async fn edit_activity(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<ActivityForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let opt = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    let p = ActivityPatch {
        date: opt(f.date),
        owner_role: opt(f.owner_role),
        skip_reason: opt(f.skip_reason),
        unskip: Some(!f.unskip.is_empty()),
        ..Default::default()
    };
    let a = s
        .store
        .update_activity(&page.auth.scope, &id, p)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!(
        "/contracts/{}/plan?year={}",
        a.contract_id, a.year
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "checklist_templates.html")]
struct TemplatesPage {
    ctx: Ctx,
    templates: Vec<ChecklistTemplate>,
    checks: &'static [&'static str],
}

impl TemplatesPage {
    fn items_json(&self, t: &ChecklistTemplate) -> String {
        serde_json::to_string_pretty(&t.items).unwrap_or_default()
    }
}

pub async fn templates(State(s): State<AppState>, page: Page) -> UiResult {
    let templates = s.store.list_templates().await.or_page(&page.ctx)?;
    Ok(render(TemplatesPage {
        ctx: page.ctx,
        templates,
        checks: onestop_proto::CHECK_IDS,
    }))
}

#[derive(Deserialize)]
pub struct TemplateForm {
    _csrf: String,
    #[serde(default)]
    code: String,
    name_en: String,
    #[serde(default)]
    name_ja: String,
    items: String,
}

pub async fn save_template(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<TemplateForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let items = serde_json::from_str(&f.items)
        .map_err(|e| {
            ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("items: {e}"),
            )
        })
        .or_page(&page.ctx)?;
    let code = f.code.trim().to_string();
    let existing = s.store.get_template(&code).await.is_ok();
    let input = TemplateInput {
        code: Some(code.clone()),
        name_en: Some(f.name_en),
        name_ja: Some(f.name_ja),
        items: Some(items),
    };
    let scope = &page.auth.scope;
    let r = if existing {
        s.store.save_template(scope, Some(&code), input).await
    } else {
        s.store.save_template(scope, None, input).await
    };
    r.or_page(&page.ctx)?;
    Ok(Redirect::to("/checklist-templates").into_response())
}
