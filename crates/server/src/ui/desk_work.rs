//! The work records of a ticket in the web UI: `TicketWork` (what `ticket_work.html` shows,
//! included by the ticket page) and the form handlers behind it, each redirecting back to
//! `/tickets/{id}`; plus the service catalog page.
use super::{Ctx, OrPage, Page, T, UiResult, format_when, render};
use crate::api::ticket_work::{attachment_dir, read_upload};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use onestop_domain::model::Role;
use onestop_store::{
    Attachment, CATALOG_GROUPS, CatalogInput, CatalogQuery, CatalogService, Dispatch,
    DispatchInput, DispatchPatch, LinkInput, Part, Result, Scope, Store, TicketLink, TimeEntry,
    TimeEntryInput, VendorAnswerInput, VendorCase, VendorCaseInput, VendorCasePatch,
};
use serde::Deserialize;

/// Everything `ticket_work.html` shows of one ticket. Customers' users get the public part
/// only: public attachments, links to their own tickets, field visits.
pub struct TicketWork {
    pub attachments: Vec<Attachment>,
    pub time_entries: Vec<TimeEntry>,
    pub total_minutes: i64,
    pub billable_minutes: i64,
    pub links: Vec<TicketLink>,
    pub vendor_cases: Vec<VendorCase>,
    pub dispatches: Vec<Dispatch>,
    /// Field engineers (`ce` users) as (id, name), for the dispatch form; staff only.
    pub engineers: Vec<(String, String)>,
}

impl TicketWork {
    /// A timestamp in the viewer's zone.
    pub fn when(&self, t: &T, ms: &i64) -> String {
        format_when(*t, *ms)
    }

    pub fn when_dt(&self, t: &T, at: &chrono::DateTime<chrono::Utc>) -> String {
        format_when(*t, at.timestamp_millis())
    }

    pub fn when_opt(&self, t: &T, ms: &Option<i64>) -> String {
        ms.map(|m| format_when(*t, m)).unwrap_or_default()
    }

    /// `1 h 30 min` style.
    pub fn duration(&self, minutes: &i64) -> String {
        match (minutes / 60, minutes % 60) {
            (0, m) => format!("{m} min"),
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        }
    }

    /// A size in B, KiB or MiB.
    pub fn size(&self, bytes: &i64) -> String {
        match *bytes {
            b if b < 1024 => format!("{b} B"),
            b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
            b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        }
    }

    /// A part as one line: `name (part no) removed → installed ×n`.
    pub fn part(&self, p: &Part) -> String {
        let mut s = p.name.clone();
        if let Some(n) = &p.part_number {
            s.push_str(&format!(" ({n})"));
        }
        if p.removed_serial.is_some() || p.installed_serial.is_some() {
            s.push_str(&format!(
                " {} → {}",
                p.removed_serial.as_deref().unwrap_or("-"),
                p.installed_serial.as_deref().unwrap_or("-")
            ));
        }
        if p.quantity != 1 {
            s.push_str(&format!(" ×{}", p.quantity));
        }
        s
    }
}

/// Load the work records of `ticket_id` the scope may see.
pub async fn load(store: &Store, scope: &Scope, ticket_id: &str) -> Result<TicketWork> {
    let staff = scope.is_staff();
    let attachments = store.list_attachments(scope, ticket_id).await?;
    let links = store.list_ticket_links(scope, ticket_id).await?;
    let dispatches = store.list_dispatches(scope, ticket_id).await?;
    let (time_entries, vendor_cases, engineers) = if staff {
        let engineers = store
            .list_users(scope)
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Ce && !u.disabled)
            .map(|u| (u.id, u.display_name))
            .collect();
        (
            store.list_time_entries(scope, ticket_id).await?,
            store.list_vendor_cases(scope, ticket_id).await?,
            engineers,
        )
    } else {
        (vec![], vec![], vec![])
    };
    Ok(TicketWork {
        total_minutes: time_entries.iter().map(|e| e.minutes).sum(),
        billable_minutes: time_entries
            .iter()
            .filter(|e| e.billable)
            .map(|e| e.minutes)
            .sum(),
        attachments,
        time_entries,
        links,
        vendor_cases,
        dispatches,
        engineers,
    })
}

fn back(ticket_id: &str) -> Response {
    Redirect::to(&format!("/tickets/{ticket_id}")).into_response()
}

fn bad(field: &str, msg: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        format!("{field}: {msg}"),
    )
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM`) in the viewer's zone (JST for Japanese, UTC
/// otherwise, as `format_when` shows times) → ms since the epoch.
pub fn parse_local(t: T, field: &str, v: &str) -> Result<Option<i64>, ApiError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let naive = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| bad(field, "is not a date and time (YYYY-MM-DDTHH:MM)"))?;
    let ms = match t.0 {
        super::Lang::Ja => naive
            .and_local_timezone(chrono_tz::Asia::Tokyo)
            .single()
            .map(|d| d.timestamp_millis()),
        super::Lang::En => Some(naive.and_utc().timestamp_millis()),
    };
    ms.map(Some)
        .ok_or_else(|| bad(field, "is not a valid local time"))
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
    let mut file = up
        .file
        .filter(|f| !f.filename.is_empty())
        .ok_or_else(|| bad("file", "choose a file"))
        .or_page(&page.ctx)?;
    file.visibility = up.fields.get("visibility").cloned();
    file.note = up.fields.get("note").cloned();
    s.store
        .add_attachment(&page.auth.scope, &id, &attachment_dir(&s), file)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct TimeForm {
    _csrf: String,
    minutes: String,
    #[serde(default)]
    worked_at: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    billable: Option<String>,
    #[serde(default)]
    user_id: String,
}

pub async fn add_time(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<TimeForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let minutes = f
        .minutes
        .trim()
        .parse()
        .map_err(|_| bad("minutes", "is not a number"))
        .or_page(ctx)?;
    let input = TimeEntryInput {
        minutes,
        worked_at: parse_local(ctx.t, "worked_at", &f.worked_at).or_page(ctx)?,
        note: Some(f.note),
        billable: Some(f.billable.is_some()),
        user_id: Some(f.user_id).filter(|u| !u.trim().is_empty()),
    };
    s.store
        .add_time_entry(&page.auth.scope, &id, input)
        .await
        .or_page(ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct LinkForm {
    _csrf: String,
    relation: String,
    ticket: String,
}

pub async fn add_link(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<LinkForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .add_ticket_link(
            &page.auth.scope,
            &id,
            LinkInput {
                relation: f.relation,
                ticket: f.ticket,
            },
        )
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    _csrf: String,
}

pub async fn remove_link(
    State(s): State<AppState>,
    page: Page,
    Path((id, link_id)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .remove_ticket_link(&page.auth.scope, &id, &link_id)
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct VendorForm {
    _csrf: String,
    vendor: String,
    #[serde(default)]
    case_number: String,
    #[serde(default)]
    note: String,
}

pub async fn raise_vendor(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<VendorForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .raise_vendor_case(
            &page.auth.scope,
            &id,
            VendorCaseInput {
                vendor: f.vendor,
                case_number: Some(f.case_number),
                note: Some(f.note),
            },
        )
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    _csrf: String,
    body: String,
}

pub async fn answer_vendor(
    State(s): State<AppState>,
    page: Page,
    Path((id, case_id)): Path<(String, String)>,
    Form(f): Form<AnswerForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .answer_vendor_case(
            &page.auth.scope,
            &id,
            &case_id,
            VendorAnswerInput { body: f.body },
        )
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct VendorCaseForm {
    _csrf: String,
    #[serde(default)]
    status: String,
    case_number: Option<String>,
}

pub async fn update_vendor(
    State(s): State<AppState>,
    page: Page,
    Path((id, case_id)): Path<(String, String)>,
    Form(f): Form<VendorCaseForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .update_vendor_case(
            &page.auth.scope,
            &id,
            &case_id,
            VendorCasePatch {
                case_number: f.case_number,
                status: Some(f.status).filter(|s| !s.is_empty()),
            },
        )
        .await
        .or_page(&page.ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct DispatchForm {
    _csrf: String,
    engineer_id: String,
    planned_at: String,
}

pub async fn create_dispatch(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<DispatchForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let planned_at = parse_local(ctx.t, "planned_at", &f.planned_at)
        .or_page(ctx)?
        .ok_or_else(|| bad("planned_at", "is required"))
        .or_page(ctx)?;
    s.store
        .create_dispatch(
            &page.auth.scope,
            &id,
            DispatchInput {
                engineer_id: f.engineer_id,
                planned_at,
            },
        )
        .await
        .or_page(ctx)?;
    Ok(back(&id))
}

#[derive(Deserialize)]
pub struct DispatchUpdateForm {
    _csrf: String,
    #[serde(default)]
    status: String,
    work_done: Option<String>,
    /// One part a line: `name | part number | removed serial | installed serial | quantity`.
    parts: Option<String>,
}

/// Parts from the form's lines.
pub fn parse_parts(text: &str) -> Result<Vec<Part>, ApiError> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('|').map(str::trim).collect();
            let col = |i: usize| cols.get(i).filter(|c| !c.is_empty()).map(|c| c.to_string());
            let quantity = match col(4) {
                Some(q) => q
                    .parse()
                    .map_err(|_| bad("parts", "quantity is not a number"))?,
                None => 1,
            };
            Ok(Part {
                name: col(0).unwrap_or_default(),
                part_number: col(1),
                removed_serial: col(2),
                installed_serial: col(3),
                quantity,
            })
        })
        .collect()
}

pub async fn update_dispatch(
    State(s): State<AppState>,
    page: Page,
    Path((id, dispatch_id)): Path<(String, String)>,
    Form(f): Form<DispatchUpdateForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let parts = match f.parts.as_deref() {
        Some(p) => Some(parse_parts(p).or_page(ctx)?),
        None => None,
    };
    s.store
        .update_dispatch(
            &page.auth.scope,
            &id,
            &dispatch_id,
            DispatchPatch {
                status: Some(f.status).filter(|s| !s.is_empty()),
                work_done: f.work_done,
                parts,
                ..Default::default()
            },
        )
        .await
        .or_page(ctx)?;
    Ok(back(&id))
}

// ---- the service catalog page ----

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    ctx: Ctx,
    services: Vec<CatalogService>,
    groups: &'static [&'static str],
}

impl CatalogPage {
    fn name<'a>(&self, s: &'a CatalogService) -> &'a str {
        match self.ctx.t.0 {
            super::Lang::Ja => &s.name_ja,
            super::Lang::En => &s.name_en,
        }
    }
}

pub async fn catalog(State(s): State<AppState>, page: Page) -> UiResult {
    let services = s
        .store
        .list_catalog(&CatalogQuery {
            all: Some(page.ctx.admin),
        })
        .await
        .or_page(&page.ctx)?;
    Ok(render(CatalogPage {
        ctx: page.ctx,
        services,
        groups: CATALOG_GROUPS,
    }))
}

#[derive(Deserialize)]
pub struct CatalogForm {
    _csrf: String,
    #[serde(default)]
    code: Option<String>,
    group: String,
    name_en: String,
    name_ja: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    default_rrule: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    sort_order: String,
}

impl CatalogForm {
    fn input(self, creating: bool) -> Result<CatalogInput, ApiError> {
        let sort_order = match self.sort_order.trim() {
            "" => None,
            v => Some(
                v.parse()
                    .map_err(|_| bad("sort_order", "is not a number"))?,
            ),
        };
        Ok(CatalogInput {
            code: self.code,
            group: Some(self.group),
            name_en: Some(self.name_en),
            name_ja: Some(self.name_ja),
            description: Some(self.description),
            default_rrule: Some(self.default_rrule),
            active: if creating {
                None
            } else {
                Some(self.active.is_some())
            },
            sort_order,
        })
    }
}

pub async fn create_catalog(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<CatalogForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let input = f.input(true).or_page(ctx)?;
    s.store
        .create_catalog_service(&page.auth.scope, input)
        .await
        .or_page(ctx)?;
    Ok(Redirect::to("/catalog").into_response())
}

pub async fn update_catalog(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<CatalogForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let input = f.input(false).or_page(ctx)?;
    s.store
        .update_catalog_service(&page.auth.scope, &id, input)
        .await
        .or_page(ctx)?;
    Ok(Redirect::to("/catalog").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Lang;

    #[derive(Template)]
    #[template(source = "{% include \"ticket_work.html\" %}", ext = "html")]
    struct Including<'a> {
        ctx: &'a Ctx,
        ticket: onestop_store::Ticket,
        work: TicketWork,
    }

    fn ctx(lang: Lang, staff: bool) -> Ctx {
        Ctx {
            t: T(lang),
            user: None,
            csrf: "tok".into(),
            staff,
            admin: staff,
            flash: None,
            unread: 0,
        }
    }

    fn sample() -> (onestop_store::Ticket, TicketWork) {
        let ticket: onestop_store::Ticket = serde_json::from_value(serde_json::json!({
            "id": "t1", "customer_id": "c1", "number": "INC-2026-000001", "type": "incident",
            "channel": "phone", "title": "disk", "description": "", "category": null,
            "impact": "high", "urgency": "low", "priority": "high", "status": "in_progress",
            "pending_reason": null, "contact_id": null, "assignee_id": null, "team_id": null,
            "contract_id": null, "created_by": "alice", "created_at": 0, "updated_at": 0,
            "resolved_at": null, "closed_at": null, "assets": [],
            "sla": {"first_response": null, "resolution": null, "vendor": {
                "due": "2026-11-26T04:00:00Z", "state": "running", "used_minutes": 5,
                "budget_minutes": 240, "stopped_at": null}}
        }))
        .unwrap();
        let work =
            TicketWork {
                attachments: vec![serde_json::from_value(serde_json::json!({
                "id": "a1", "ticket_id": "t1", "customer_id": "c1", "filename": "dmesg <1>.txt",
                "content_type": "text/plain", "size": 2048, "sha256": "ab".repeat(32),
                "visibility": "internal", "note": "", "uploaded_by": "alice", "created_at": 0
            }))
            .unwrap()],
                time_entries: vec![],
                total_minutes: 90,
                billable_minutes: 60,
                links: vec![TicketLink {
                    id: "l1".into(),
                    relation: "problem".into(),
                    other_id: "t2".into(),
                    other_number: "PRB-2026-000001".into(),
                    other_title: "RAID firmware".into(),
                    other_status: "new".into(),
                    created_by: "alice".into(),
                    created_at: 0,
                }],
                vendor_cases: vec![],
                dispatches: vec![],
                engineers: vec![("u1".into(), "Ken".into())],
            };
        (ticket, work)
    }

    #[test]
    fn the_work_section_renders_for_staff_and_customers() {
        let (ticket, work) = sample();
        let staff = ctx(Lang::Ja, true);
        let html = Including {
            ctx: &staff,
            ticket: ticket.clone(),
            work,
        }
        .render()
        .unwrap();
        assert!(
            html.contains("dmesg &#60;1&#62;.txt") || html.contains("dmesg &lt;1&gt;.txt"),
            "{html}"
        );
        assert!(html.contains("問題") && html.contains("PRB-2026-000001"));
        assert!(html.contains("ベンダーSLA") && html.contains("5/240"));
        assert!(html.contains("1 h 30 min") && html.contains("id=\"time-form\""));
        assert!(html.contains("2.0 KiB"));
        let (_, work) = sample();
        let customer = ctx(Lang::En, false);
        let html = Including {
            ctx: &customer,
            ticket,
            work,
        }
        .render()
        .unwrap();
        assert!(html.contains("attach-form") && !html.contains("time-form"));
        assert!(!html.contains("vendor-form") && !html.contains("dispatch-form"));
    }

    #[test]
    fn form_values_parse() {
        let ja = parse_local(T(Lang::Ja), "x", "2026-04-01T09:00")
            .unwrap()
            .unwrap();
        let en = parse_local(T(Lang::En), "x", "2026-04-01T00:00")
            .unwrap()
            .unwrap();
        assert_eq!(ja, en);
        assert_eq!(parse_local(T(Lang::En), "x", " ").unwrap(), None);
        assert!(parse_local(T(Lang::En), "x", "tomorrow").is_err());
        let parts = parse_parts("PSU | P1 | OLD | NEW | 2\n\nfan").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].quantity, parts[1].quantity), (2, 1));
        assert_eq!(parts[0].installed_serial.as_deref(), Some("NEW"));
        assert!(parse_parts("PSU | | | | many").is_err());
    }
}
