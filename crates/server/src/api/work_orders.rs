//! Planned work: `/contracts/{id}/plan` (the annual plan, plan against actual),
//! `/plan-activities/{id}`, `/work-orders` (list, ad hoc, patch installations, execution:
//! results, automated fill, attachments, finding → ticket, sign-off, approval),
//! `/checklist-templates`, `/planned-work` (for calendars) and the sign-off role of users.
use super::ticket_work::{attachment_dir, disposition, read_upload};
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use onestop_store::{
    Activity, ActivityInput, ActivityPatch, ChecklistTemplate, Page, PatchPlanInput, PatchRecord,
    Plan, PlannedWork, ResultsInput, SignoffInput, TemplateInput, Ticket, WorkOrder,
    WorkOrderAttachment, WorkOrderInput, WorkOrderPatch, WorkOrderQuery, now_ms,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_plan))
        .routes(routes!(add_activity))
        .routes(routes!(patch_activity))
        .routes(routes!(list_work_orders, create_work_order))
        .routes(routes!(plan_patch))
        .routes(routes!(get_work_order, patch_work_order))
        .routes(routes!(post_results))
        .routes(routes!(fill))
        .routes(routes!(item_ticket))
        .routes(routes!(sign_off))
        .routes(routes!(approve))
        .routes(routes!(patch_record))
        .routes(routes!(upload))
        .routes(routes!(download))
        .routes(routes!(list_templates, create_template))
        .routes(routes!(get_template, put_template))
        .routes(routes!(planned_work))
        .routes(routes!(set_signer))
        .layer(DefaultBodyLimit::disable())
}

#[derive(Debug, Deserialize, IntoParams)]
struct YearQuery {
    /// `YYYY`; defaults to this year (UTC).
    year: Option<i32>,
}

/// The contract's plan for a year, generated on first request and after the contract
/// changes: `{"activities": [{"id", "service", "date", "owner_role", "status",
/// "work_order_id", …}]}` with dates as `YYYY-MM-DD` and status planned, work_order, done,
/// late or skipped.
#[utoipa::path(get, path = "/contracts/{id}/plan", params(YearQuery), responses((status = 200, body = Plan), (status = 404), (status = 422)))]
async fn get_plan(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(q): Q<YearQuery>,
) -> ApiResult<Json<Plan>> {
    use chrono::Datelike;
    let year = q.year.unwrap_or_else(|| chrono::Utc::now().year());
    Ok(Json(
        s.store
            .contract_plan(&auth.scope, &id, year, now_ms())
            .await?,
    ))
}

/// Add an activity to the plan by hand (staff).
#[utoipa::path(post, path = "/contracts/{id}/plan/activities", request_body = ActivityInput, responses((status = 201, body = Activity), (status = 403), (status = 404), (status = 422)))]
async fn add_activity(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(i): Body<ActivityInput>,
) -> ApiResult<(StatusCode, Json<Activity>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.add_activity(&auth.scope, &id, i).await?),
    ))
}

/// Move, reassign, re-scope, skip (with a reason) or un-skip an activity (staff; audited).
#[utoipa::path(patch, path = "/plan-activities/{id}", request_body = ActivityPatch, responses((status = 200, body = Activity), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn patch_activity(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(p): Body<ActivityPatch>,
) -> ApiResult<Json<Activity>> {
    Ok(Json(s.store.update_activity(&auth.scope, &id, p).await?))
}

/// Work orders, soonest first. Filters: customer, assignee (`me`), status (comma-separated,
/// or `active`), due range on the scheduled end (`due_from`, `due_to`: ms or `YYYY-MM-DD`).
#[utoipa::path(get, path = "/work-orders", params(WorkOrderQuery), responses((status = 200, body = Page<WorkOrder>), (status = 422)))]
async fn list_work_orders(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<WorkOrderQuery>,
) -> ApiResult<Json<Page<WorkOrder>>> {
    Ok(Json(s.store.list_work_orders(&auth.scope, &q).await?))
}

/// An ad-hoc work order, or one from a ticket (`ticket_id`), with a checklist template.
#[utoipa::path(post, path = "/work-orders", request_body = WorkOrderInput, responses((status = 201, body = WorkOrder), (status = 403), (status = 404), (status = 422)))]
async fn create_work_order(
    State(s): State<AppState>,
    auth: Auth,
    Body(i): Body<WorkOrderInput>,
) -> ApiResult<(StatusCode, Json<WorkOrder>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_work_order(&auth.scope, i).await?),
    ))
}

/// Plan a patch installation from open findings for chosen hosts and packages in a
/// maintenance window; it waits for the customer's approval.
#[utoipa::path(post, path = "/work-orders/patch-installations", request_body = PatchPlanInput, responses((status = 201, body = WorkOrder), (status = 403), (status = 404), (status = 422)))]
async fn plan_patch(
    State(s): State<AppState>,
    auth: Auth,
    Body(i): Body<PatchPlanInput>,
) -> ApiResult<(StatusCode, Json<WorkOrder>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.plan_patch_installation(&auth.scope, i).await?),
    ))
}

#[utoipa::path(get, path = "/work-orders/{id}", responses((status = 200, body = WorkOrder), (status = 404)))]
async fn get_work_order(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<WorkOrder>> {
    Ok(Json(s.store.get_work_order(&auth.scope, &id).await?))
}

/// Assign, reschedule, add notes and time, or move the status (done needs every item).
#[utoipa::path(patch, path = "/work-orders/{id}", request_body = WorkOrderPatch, responses((status = 200, body = WorkOrder), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn patch_work_order(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(p): Body<WorkOrderPatch>,
) -> ApiResult<Json<WorkOrder>> {
    Ok(Json(s.store.update_work_order(&auth.scope, &id, p).await?))
}

/// Record item results: `{"items": [{"pos": 1, "result": "ok|finding|n_a", "notes", "measured"}], "minutes": 30}`.
#[utoipa::path(post, path = "/work-orders/{id}/results", request_body = ResultsInput, responses((status = 200, body = WorkOrder), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn post_results(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(i): Body<ResultsInput>,
) -> ApiResult<Json<WorkOrder>> {
    Ok(Json(s.store.record_results(&auth.scope, &id, i).await?))
}

/// Fill the automated items from the agent's newest check results on the work order's hosts.
#[utoipa::path(post, path = "/work-orders/{id}/fill", responses((status = 200, body = WorkOrder), (status = 403), (status = 404), (status = 409)))]
async fn fill(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<WorkOrder>> {
    s.store.fill_from_agent(&auth.scope, &id).await?;
    Ok(Json(s.store.get_work_order(&auth.scope, &id).await?))
}

/// Open an incident from an item recorded as a finding; the item links to it.
#[utoipa::path(post, path = "/work-orders/{id}/items/{pos}/ticket", responses((status = 201, body = Ticket), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn item_ticket(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, pos)): Path<(String, i64)>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.ticket_from_item(&auth.scope, &id, pos).await?),
    ))
}

/// The customer's sign-off of a finished work order: a portal user with the sign-off role,
/// or staff recording the signer's `name` (and `signed_at`).
#[utoipa::path(post, path = "/work-orders/{id}/signoff", request_body = SignoffInput, responses((status = 200, body = WorkOrder), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn sign_off(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(i): Body<SignoffInput>,
) -> ApiResult<Json<WorkOrder>> {
    Ok(Json(s.store.sign_off(&auth.scope, &id, i).await?))
}

/// The customer's approval of a patch installation; creates the maintenance windows.
#[utoipa::path(post, path = "/work-orders/{id}/approve", request_body = SignoffInput, responses((status = 200, body = WorkOrder), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn approve(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(i): Body<SignoffInput>,
) -> ApiResult<Json<WorkOrder>> {
    Ok(Json(s.store.approve_patch(&auth.scope, &id, i).await?))
}

/// Before/after versions, findings closed and reboot state of a patch installation.
#[utoipa::path(get, path = "/work-orders/{id}/patch-record", responses((status = 200, body = PatchRecord), (status = 404), (status = 422)))]
async fn patch_record(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<PatchRecord>> {
    Ok(Json(s.store.patch_record(&auth.scope, &id).await?))
}

/// Attach a file (multipart, part `file`).
#[utoipa::path(post, path = "/work-orders/{id}/attachments", responses((status = 201, body = WorkOrderAttachment), (status = 403), (status = 404), (status = 413), (status = 422)))]
async fn upload(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    mp: Multipart,
) -> ApiResult<(StatusCode, Json<WorkOrderAttachment>)> {
    let up = read_upload(mp, s.settings.attachment_max_bytes).await?;
    let file = up.file.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "file: a `file` part is required",
        )
    })?;
    Ok((
        StatusCode::CREATED,
        Json(
            s.store
                .add_wo_attachment(&auth.scope, &id, &attachment_dir(&s), file)
                .await?,
        ),
    ))
}

#[utoipa::path(get, path = "/work-orders/{id}/attachments/{attachment_id}", responses((status = 200, description = "the file"), (status = 404)))]
async fn download(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, aid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let a = s.store.wo_attachment(&auth.scope, &id, &aid).await?;
    let path = onestop_store::wo_attachment_path(&attachment_dir(&s), &a);
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        tracing::error!(error = %e, path = %path.display(), "attachment file unreadable");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the attachment's file is missing",
        )
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition(&a.filename)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(get, path = "/checklist-templates", responses((status = 200, body = Vec<ChecklistTemplate>)))]
async fn list_templates(
    State(s): State<AppState>,
    _auth: Auth,
) -> ApiResult<Json<Vec<ChecklistTemplate>>> {
    Ok(Json(s.store.list_templates().await?))
}

/// A new template (administrators). Items may name an agent check in `auto`.
#[utoipa::path(post, path = "/checklist-templates", request_body = TemplateInput, responses((status = 201, body = ChecklistTemplate), (status = 403), (status = 409), (status = 422)))]
async fn create_template(
    State(s): State<AppState>,
    auth: Auth,
    Body(i): Body<TemplateInput>,
) -> ApiResult<(StatusCode, Json<ChecklistTemplate>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.save_template(&auth.scope, None, i).await?),
    ))
}

#[utoipa::path(get, path = "/checklist-templates/{code}", responses((status = 200, body = ChecklistTemplate), (status = 404)))]
async fn get_template(
    State(s): State<AppState>,
    _auth: Auth,
    Path(code): Path<String>,
) -> ApiResult<Json<ChecklistTemplate>> {
    Ok(Json(s.store.get_template(&code).await?))
}

/// Change a template (administrators); existing work orders keep their checklists.
#[utoipa::path(put, path = "/checklist-templates/{code}", request_body = TemplateInput, responses((status = 200, body = ChecklistTemplate), (status = 403), (status = 404), (status = 422)))]
async fn put_template(
    State(s): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    Body(i): Body<TemplateInput>,
) -> ApiResult<Json<ChecklistTemplate>> {
    Ok(Json(
        s.store.save_template(&auth.scope, Some(&code), i).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct RangeQuery {
    /// ms since the epoch.
    from: i64,
    /// ms since the epoch (exclusive).
    to: i64,
}

/// Plan activities without a work order, and work orders, between two instants.
#[utoipa::path(get, path = "/planned-work", params(RangeQuery), responses((status = 200, body = Vec<PlannedWork>), (status = 400), (status = 422)))]
async fn planned_work(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<RangeQuery>,
) -> ApiResult<Json<Vec<PlannedWork>>> {
    if q.to <= q.from || q.to - q.from > 400 * 86_400_000 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "to must be after from, at most 400 days later",
        ));
    }
    Ok(Json(
        s.store
            .planned_work_between(&auth.scope, q.from, q.to)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SignerInput {
    allowed: bool,
}

/// Grant or withdraw a customer user's sign-off role (administrators).
#[utoipa::path(put, path = "/users/{id}/signer", request_body = SignerInput, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
async fn set_signer(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(i): Body<SignerInput>,
) -> ApiResult<StatusCode> {
    s.store.set_signer(&auth.scope, &id, i.allowed).await?;
    Ok(StatusCode::NO_CONTENT)
}
