//! Runbooks in the web UI: the list with a create form (`/runbooks`), one runbook with its
//! versions, an edit form (a new version) and the agreement form (`/runbooks/{id}`), and the
//! run section of the ticket page (`ticket_runbooks.html`, [`TicketRunbooks`]) whose forms
//! start a run, start and end steps and finish it, each redirecting back to the ticket.
use super::{Ctx, OrPage, Page, T, UiResult, format_when, render};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use onestop_domain::desk::DeskEvent;
use onestop_store::{
    AgreeInput, Customer, CustomerQuery, Result, Runbook, RunbookEdit, RunbookInput, RunbookRun,
    RunbookStep, RunbookVersion, Scope, StepInput, Store,
};
use serde::Deserialize;

/// A runbook event of a ticket's timeline, in words.
pub fn timeline_text(t: T, e: &DeskEvent) -> String {
    match e {
        DeskEvent::RunbookStarted { title, version, .. } => {
            format!("{}: {title} (v{version})", t.get("rb_run_started"))
        }
        DeskEvent::RunbookStep {
            step,
            phase,
            result,
            notes,
            ..
        } => {
            let mut s = format!(
                "{} {step}: {}",
                t.get("rb_step"),
                t.get(if phase == "started" {
                    "rb_started"
                } else {
                    "rb_ended"
                })
            );
            if let Some(r) = result {
                s.push_str(&format!(" — {}", t.get(&format!("rb_{r}"))));
            }
            if let Some(n) = notes {
                s.push_str(&format!(" — {n}"));
            }
            s
        }
        DeskEvent::RunbookFinished { status, .. } => {
            format!(
                "{}: {}",
                t.get("rb_run_finished"),
                t.get(&format!("rb_{status}"))
            )
        }
        _ => String::new(),
    }
}

/// Steps from a textarea: one a line, `text | expected result | command`.
pub fn parse_steps(text: &str) -> Vec<RunbookStep> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, '|').map(str::trim);
            RunbookStep {
                text: parts.next().unwrap_or("").to_string(),
                expected: parts.next().unwrap_or("").to_string(),
                command: parts.next().map(str::to_string).filter(|c| !c.is_empty()),
            }
        })
        .collect()
}

/// The textarea form of steps.
pub fn steps_text(steps: &[RunbookStep]) -> String {
    steps
        .iter()
        .map(|s| match &s.command {
            Some(c) => format!("{} | {} | {c}", s.text, s.expected),
            None if s.expected.is_empty() => s.text.clone(),
            None => format!("{} | {}", s.text, s.expected),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the ticket page's runbook section shows.
pub struct TicketRunbooks {
    pub runs: Vec<RunbookRun>,
    /// The customer's runbooks, those fitting the ticket first (staff only).
    pub choices: Vec<(Runbook, bool)>,
}

impl TicketRunbooks {
    pub fn when(&self, t: &T, ms: &Option<i64>) -> String {
        ms.map(|m| format_when(*t, m)).unwrap_or_default()
    }
}

pub async fn load(store: &Store, scope: &Scope, ticket_id: &str) -> Result<TicketRunbooks> {
    let runs = if scope.is_staff() {
        store.ticket_runbook_runs(scope, ticket_id).await?
    } else {
        vec![]
    };
    let choices = if scope.is_staff() {
        store.runbooks_for_ticket(scope, ticket_id).await?
    } else {
        vec![]
    };
    Ok(TicketRunbooks { runs, choices })
}

fn back(ticket_id: &str) -> axum::response::Response {
    Redirect::to(&format!("/tickets/{ticket_id}#runbooks")).into_response()
}

#[derive(Template)]
#[template(path = "runbooks.html")]
struct ListPage {
    ctx: Ctx,
    runbooks: Vec<Runbook>,
    customers: Vec<Customer>,
    asset_id: String,
    customer_id: String,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    customer_id: Option<String>,
    asset_id: Option<String>,
}

pub async fn list(State(s): State<AppState>, page: Page, Query(p): Query<ListParams>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let cid = p.customer_id.filter(|c| !c.is_empty());
    let aid = p.asset_id.filter(|c| !c.is_empty());
    let runbooks = s
        .store
        .list_runbooks(&scope, cid.as_deref(), aid.as_deref())
        .await
        .or_page(&ctx)?;
    let customers = if ctx.staff {
        let q = CustomerQuery {
            per_page: Some(200),
            ..Default::default()
        };
        s.store
            .list_customers(&scope, &q)
            .await
            .or_page(&ctx)?
            .items
    } else {
        vec![]
    };
    Ok(render(ListPage {
        ctx,
        runbooks,
        customers,
        asset_id: aid.unwrap_or_default(),
        customer_id: cid.unwrap_or_default(),
    }))
}

#[derive(Deserialize)]
pub struct CreateForm {
    _csrf: String,
    customer_id: String,
    #[serde(default)]
    asset_id: String,
    #[serde(default)]
    service: String,
    title: String,
    steps: String,
}

pub async fn create(State(s): State<AppState>, page: Page, Form(f): Form<CreateForm>) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let input = RunbookInput {
        customer_id: f.customer_id,
        asset_id: Some(f.asset_id),
        service: Some(f.service),
        title: f.title,
        steps: parse_steps(&f.steps),
        note: None,
    };
    let rb = s
        .store
        .create_runbook(&page.auth.scope, input)
        .await
        .or_page(ctx)?;
    Ok(Redirect::to(&format!("/runbooks/{}", rb.id)).into_response())
}

#[derive(Template)]
#[template(path = "runbook.html")]
struct DetailPage {
    ctx: Ctx,
    rb: Runbook,
    versions: Vec<RunbookVersion>,
    steps_text: String,
}

impl DetailPage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

pub async fn detail(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let rb = s.store.get_runbook(&scope, &id).await.or_page(&ctx)?;
    let versions = s.store.runbook_versions(&scope, &id).await.or_page(&ctx)?;
    let steps_text = steps_text(&rb.steps);
    Ok(render(DetailPage {
        ctx,
        rb,
        versions,
        steps_text,
    }))
}

#[derive(Deserialize)]
pub struct EditForm {
    _csrf: String,
    title: String,
    steps: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    service: String,
}

pub async fn edit(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let e = RunbookEdit {
        title: f.title,
        steps: parse_steps(&f.steps),
        note: Some(f.note),
        asset_id: None,
        service: Some(f.service),
    };
    s.store
        .update_runbook(&page.auth.scope, &id, e)
        .await
        .or_page(ctx)?;
    Ok(Redirect::to(&format!("/runbooks/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct AgreeForm {
    _csrf: String,
    version: String,
    #[serde(default)]
    agreed_by: String,
}

fn bad(field: &str, msg: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        format!("{field}: {msg}"),
    )
}

pub async fn agree(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<AgreeForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let version = f
        .version
        .trim()
        .parse()
        .map_err(|_| bad("version", "must be a number"))
        .or_page(ctx)?;
    let input = AgreeInput {
        version,
        agreed_by: Some(f.agreed_by),
    };
    s.store
        .agree_runbook(&page.auth.scope, &id, input)
        .await
        .or_page(ctx)?;
    Ok(Redirect::to(&format!("/runbooks/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct StartForm {
    _csrf: String,
    runbook_id: String,
}

pub async fn start_run(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<StartForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    s.store
        .start_runbook_run(&page.auth.scope, &id, &f.runbook_id, None)
        .await
        .or_page(ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct StepForm {
    _csrf: String,
    action: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    notes: String,
}

pub async fn step(
    State(s): State<AppState>,
    page: Page,
    Path((run, n)): Path<(String, i64)>,
    Form(f): Form<StepForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let input = StepInput {
        action: f.action,
        result: Some(f.result).filter(|r| !r.is_empty()),
        notes: Some(f.notes),
    };
    let r = s
        .store
        .runbook_step(&page.auth.scope, &run, n, input)
        .await
        .or_page(ctx)?;
    Ok(back(&r.ticket_id))
}

#[derive(Deserialize)]
pub struct FinishForm {
    _csrf: String,
    status: String,
}

pub async fn finish(
    State(s): State<AppState>,
    page: Page,
    Path(run): Path<String>,
    Form(f): Form<FinishForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let r = s
        .store
        .finish_runbook_run(&page.auth.scope, &run, &f.status)
        .await
        .or_page(ctx)?;
    Ok(back(&r.ticket_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip_through_the_textarea() {
        let steps = parse_steps(
            "Stop the app | no process left | systemctl stop app\n\nCheck disk\nStart | port 80 open\n",
        );
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].command.as_deref(), Some("systemctl stop app"));
        assert_eq!(
            (
                steps[1].text.as_str(),
                steps[1].expected.as_str(),
                steps[1].command.clone()
            ),
            ("Check disk", "", None)
        );
        assert_eq!(parse_steps(&steps_text(&steps)), steps);
    }
}
