//! Work order pages: the list with filters (`/work-orders`) and one work order
//! (`/work-orders/{id}`) whose forms execute the checklist without JavaScript: item results,
//! notes and measured values, time, fill from the agent, attachments, tickets from findings,
//! status, sign-off, and for patch installations the approval and the before/after record.
use super::{Ctx, OrPage, Page, Pager, UiResult, format_when, query_base, render};
use crate::api::ticket_work::{attachment_dir, read_upload};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use onestop_store::{
    ItemResult, PatchRecord, ResultsInput, SignoffInput, User, WorkOrder, WorkOrderPatch,
    WorkOrderQuery,
};
use serde::Deserialize;
use std::collections::HashMap;

fn back(id: &str) -> Response {
    Redirect::to(&format!("/work-orders/{id}")).into_response()
}

fn bad(msg: &str) -> ApiError {
    ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "invalid", msg)
}

#[derive(Template)]
#[template(path = "work_orders.html")]
struct ListPage {
    ctx: Ctx,
    q: WorkOrderQuery,
    page: onestop_store::Page<WorkOrder>,
    pager: Pager,
    customers: Vec<(String, String)>,
    templates: Vec<(String, String)>,
    ticket: String,
}

impl ListPage {
    fn tr<S: std::fmt::Display + ?Sized>(&self, prefix: &str, v: &S) -> &'static str {
        self.ctx.t.get(&format!("{prefix}{v}"))
    }
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

/// `?ticket_id=` prefills the "new work order" form from a ticket.
#[derive(Deserialize)]
pub struct TicketQ {
    #[serde(default)]
    ticket_id: String,
}

pub async fn list(
    State(s): State<AppState>,
    page: Page,
    Query(q): Query<WorkOrderQuery>,
    Query(tq): Query<TicketQ>,
) -> UiResult {
    let result = s
        .store
        .list_work_orders(&page.auth.scope, &q)
        .await
        .or_page(&page.ctx)?;
    let pager = Pager {
        page: result.page,
        per_page: result.per_page,
        total: result.total,
        base: query_base(&[
            ("customer", q.customer.as_deref()),
            ("assignee", q.assignee.as_deref()),
            ("status", q.status.as_deref()),
            ("due_from", q.due_from.as_deref()),
            ("due_to", q.due_to.as_deref()),
            ("contract", q.contract.as_deref()),
        ]),
    };
    let (mut customers, mut templates) = (vec![], vec![]);
    if page.auth.scope.is_staff() {
        let cq = onestop_store::CustomerQuery {
            per_page: Some(200),
            ..Default::default()
        };
        customers = s
            .store
            .list_customers(&page.auth.scope, &cq)
            .await
            .or_page(&page.ctx)?
            .items
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let ja = page.ctx.t.lang() == "ja";
        templates = s
            .store
            .list_templates()
            .await
            .or_page(&page.ctx)?
            .into_iter()
            .map(|t| (t.code, if ja { t.name_ja } else { t.name_en }))
            .collect();
    }
    Ok(render(ListPage {
        ctx: page.ctx,
        q,
        page: result,
        pager,
        customers,
        templates,
        ticket: tq.ticket_id,
    }))
}

#[derive(Deserialize)]
pub struct NewForm {
    _csrf: String,
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    ticket_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    date: String,
}

/// An ad-hoc work order, or one from a ticket, from the list page's form.
pub async fn create(State(s): State<AppState>, page: Page, Form(f): Form<NewForm>) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let opt = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    let start = match opt(f.date) {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| bad("date: not a date (YYYY-MM-DD)"))
                .or_page(&page.ctx)?
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp_millis(),
        ),
        None => None,
    };
    let input = onestop_store::WorkOrderInput {
        customer_id: opt(f.customer_id),
        ticket_id: opt(f.ticket_id),
        title: opt(f.title),
        template: opt(f.template),
        scheduled_start: start,
        scheduled_end: start.map(|s| s + 9 * 3_600_000),
        ..Default::default()
    };
    let w = s
        .store
        .create_work_order(&page.auth.scope, input)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&w.id))
}

#[derive(Template)]
#[template(path = "work_order.html")]
struct OrderPage {
    ctx: Ctx,
    w: WorkOrder,
    staff: Vec<User>,
    record: Option<PatchRecord>,
    can_sign: bool,
}

impl OrderPage {
    fn tr<S: std::fmt::Display + ?Sized>(&self, prefix: &str, v: &S) -> &'static str {
        self.ctx.t.get(&format!("{prefix}{v}"))
    }
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
    fn active(&self) -> bool {
        self.w.status == "open" || self.w.status == "in_progress"
    }
    fn is(&self, v: &Option<String>, want: &str) -> bool {
        v.as_deref() == Some(want)
    }
}

pub async fn show(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let w = s.store.get_work_order(&scope, &id).await.or_page(&ctx)?;
    let staff = if scope.is_staff() {
        s.store
            .list_users(&scope)
            .await
            .or_page(&ctx)?
            .into_iter()
            .filter(|u| u.role != onestop_domain::model::Role::Customer)
            .collect()
    } else {
        vec![]
    };
    let record = if w.kind == "patch" {
        s.store.patch_record(&scope, &id).await.ok()
    } else {
        None
    };
    let can_sign = onestop_store::can_sign(&w)
        && match scope.user_id() {
            Some(u) if !scope.is_staff() => s.store.is_signer(u).await.unwrap_or(false),
            _ => scope.is_staff(),
        };
    Ok(render(OrderPage {
        ctx,
        w,
        staff,
        record,
        can_sign,
    }))
}

/// The checklist form: `result_N`, `notes_N`, `measured_N` per item, and `minutes`.
pub async fn results(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> UiResult {
    page.auth
        .check_csrf(f.get("_csrf").map(String::as_str))
        .or_page(&page.ctx)?;
    let mut items = vec![];
    for (k, v) in &f {
        let Some(pos) = k
            .strip_prefix("result_")
            .and_then(|p| p.parse::<i64>().ok())
        else {
            continue;
        };
        if v.is_empty() {
            continue;
        }
        items.push(ItemResult {
            pos,
            result: v.clone(),
            notes: f.get(&format!("notes_{pos}")).cloned(),
            measured: f.get(&format!("measured_{pos}")).cloned(),
        });
    }
    items.sort_by_key(|i| i.pos);
    let minutes = match f.get("minutes").map(|m| m.trim()).filter(|m| !m.is_empty()) {
        Some(m) => Some(
            m.parse::<i64>()
                .map_err(|_| bad("minutes: a whole number"))
                .or_page(&page.ctx)?,
        ),
        None => None,
    };
    if items.is_empty() && minutes.is_none() {
        return Err(super::error_page(
            &page.ctx,
            bad("choose a result for at least one item"),
        ));
    }
    s.store
        .record_results(&page.auth.scope, &id, ResultsInput { items, minutes })
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    _csrf: String,
}

pub async fn fill(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .fill_from_agent(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

pub async fn item_ticket(
    State(s): State<AppState>,
    page: Page,
    Path((id, pos)): Path<(String, i64)>,
    Form(f): Form<CsrfForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let t = s
        .store
        .ticket_from_item(&page.auth.scope, &id, pos)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/tickets/{}", t.id)).into_response())
}

#[derive(Deserialize)]
pub struct UpdateForm {
    _csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    assignee_id: Option<String>,
    #[serde(default)]
    notes: Option<String>,
}

pub async fn update(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<UpdateForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let p = WorkOrderPatch {
        status: Some(f.status).filter(|s| !s.is_empty()),
        assignee_id: f.assignee_id,
        notes: f.notes,
        ..Default::default()
    };
    s.store
        .update_work_order(&page.auth.scope, &id, p)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct SignForm {
    _csrf: String,
    #[serde(default)]
    name: String,
}

pub async fn sign(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<SignForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let i = SignoffInput {
        name: Some(f.name).filter(|n| !n.trim().is_empty()),
        signed_at: None,
    };
    s.store
        .sign_off(&page.auth.scope, &id, i)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

pub async fn approve(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<SignForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let i = SignoffInput {
        name: Some(f.name).filter(|n| !n.trim().is_empty()),
        signed_at: None,
    };
    s.store
        .approve_patch(&page.auth.scope, &id, i)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

pub async fn upload(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    mp: Multipart,
) -> UiResult {
    let up = read_upload(mp, s.settings.attachment_max_bytes)
        .await
        .or_page(&page.ctx)?;
    page.auth
        .check_csrf(up.fields.get("_csrf").map(String::as_str))
        .or_page(&page.ctx)?;
    let file = up
        .file
        .filter(|f| !f.filename.is_empty())
        .ok_or_else(|| bad("file: choose a file"))
        .or_page(&page.ctx)?;
    let dir = attachment_dir(&s);
    s.store
        .add_wo_attachment(&page.auth.scope, &id, &dir, file)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}
