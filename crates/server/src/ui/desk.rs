//! The desk's pages: queues, quick entry of phone and fax reports, the ticket page with its
//! clocks and timeline, notifications, escalation rules; for customers' users the same pages
//! are the portal (their own tickets only, which the store enforces).
use super::{Ctx, OrPage, Page, Pager, UiResult, format_when, query_base, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use onestop_domain::desk::{ClockView, DeskEvent};
use onestop_store::{
    CommentInput, Contact, ContactQuery, Contract, ContractQuery, Customer, CustomerQuery,
    EscalationRule, EscalationRuleInput, Notification, Page as StorePage, Team, Ticket,
    TicketEventRecord, TicketInput, TicketPatch, TicketQuery, TransitionInput, User,
};
use serde::Deserialize;
use std::collections::HashMap;

const STATUSES: [&str; 6] = [
    "new",
    "assigned",
    "in_progress",
    "pending",
    "resolved",
    "closed",
];
const LEVELS: [&str; 4] = ["low", "medium", "high", "critical"];
const TYPES: [&str; 4] = ["incident", "service_request", "problem", "change"];
const CHANNELS: [&str; 6] = ["phone", "fax", "email", "portal", "api", "monitoring"];
const CATEGORIES: [&str; 5] = ["hardware", "software", "network", "security", "other"];
const REASONS: [&str; 3] = ["waiting_customer", "waiting_vendor", "waiting_parts"];

/// Business time as "2h 05m".
fn hm(minutes: i64) -> String {
    let m = minutes.abs();
    if m >= 60 {
        format!("{}h {:02}m", m / 60, m % 60)
    } else {
        format!("{m}m")
    }
}

/// One clock as shown on the ticket page and in queues.
pub struct ClockLine {
    pub name: &'static str,
    pub state: String,
    pub due: String,
    /// "1h 20m left", "breached", "met", "paused (40m left)".
    pub left: String,
}

fn clock_line(ctx: &Ctx, name: &'static str, c: &ClockView) -> ClockLine {
    let left = c.budget_minutes as i64 - c.used_minutes as i64;
    let state = if c.state == "running" && c.warning {
        "warning".to_string()
    } else {
        c.state.clone()
    };
    let left = match c.state.as_str() {
        "running" => format!("{} {}", hm(left), ctx.t.get("business_left")),
        "paused" => format!("{} {}", hm(left), ctx.t.get("business_left")),
        "breached" => format!("{} {}", hm(-left), ctx.t.get("over_budget")),
        _ => format!(
            "{} / {}",
            hm(c.used_minutes as i64),
            hm(c.budget_minutes as i64)
        ),
    };
    ClockLine {
        name,
        state,
        due: c
            .due
            .map(|d| format_when(ctx.t, d.timestamp_millis()))
            .unwrap_or_else(|| "-".into()),
        left,
    }
}

struct Names {
    customers: HashMap<String, String>,
    users: HashMap<String, String>,
}

impl Names {
    async fn load(s: &AppState, page: &Page, tickets: &[Ticket]) -> onestop_store::Result<Names> {
        let mut ids: Vec<String> = tickets.iter().map(|t| t.customer_id.clone()).collect();
        ids.sort();
        ids.dedup();
        let customers = s.store.customer_names(&page.auth.scope, &ids).await?;
        let users = if page.auth.scope.is_staff() {
            s.store
                .list_users(&page.auth.scope)
                .await?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect()
        } else {
            HashMap::new()
        };
        Ok(Names { customers, users })
    }
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct Tickets {
    ctx: Ctx,
    page: StorePage<Ticket>,
    pager: Pager,
    q: TicketQuery,
    queue: String,
    queues: Vec<&'static str>,
    names: Names,
    customers: Vec<Customer>,
    statuses: [&'static str; 6],
    levels: [&'static str; 4],
    types: [&'static str; 4],
    sorts: Vec<&'static str>,
}

impl Tickets {
    fn customer(&self, id: &str) -> String {
        self.names.customers.get(id).cloned().unwrap_or_default()
    }
    fn user(&self, id: &Option<String>) -> String {
        id.as_ref()
            .and_then(|i| self.names.users.get(i).cloned())
            .unwrap_or_else(|| "-".into())
    }
    fn badge(&self, t: &Ticket) -> (String, String) {
        let worst = t.sla.worst().to_string();
        let due = t
            .sla
            .earliest_due()
            .map(|d| format_when(self.ctx.t, d.timestamp_millis()))
            .unwrap_or_default();
        (worst, due)
    }
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

pub async fn tickets(
    State(s): State<AppState>,
    page: Page,
    Query(mut q): Query<TicketQuery>,
) -> UiResult {
    let staff = page.auth.scope.is_staff();
    let queue = q
        .queue
        .clone()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| if staff { "open" } else { "all" }.into());
    q.queue = Some(queue.clone());
    let result = s
        .store
        .list_tickets(&page.auth.scope, &q)
        .await
        .or_page(&page.ctx)?;
    let names = Names::load(&s, &page, &result.items)
        .await
        .or_page(&page.ctx)?;
    let customers = if staff {
        let cq = CustomerQuery {
            per_page: Some(200),
            ..Default::default()
        };
        s.store
            .list_customers(&page.auth.scope, &cq)
            .await
            .or_page(&page.ctx)?
            .items
    } else {
        vec![]
    };
    let pager = Pager {
        page: result.page,
        per_page: result.per_page,
        total: result.total,
        base: query_base(&[
            ("queue", Some(&queue)),
            ("q", q.q.as_deref()),
            ("customer_id", q.customer_id.as_deref()),
            ("status", q.status.as_deref()),
            ("priority", q.priority.as_deref()),
            ("type", q.kind.as_deref()),
            ("sort", q.sort.as_deref()),
        ]),
    };
    let queues = if staff {
        vec!["mine", "team", "unassigned", "breaching", "open", "all"]
    } else {
        vec!["open", "all"]
    };
    Ok(render(Tickets {
        ctx: page.ctx,
        page: result,
        pager,
        q,
        queue,
        queues,
        names,
        customers,
        statuses: STATUSES,
        levels: LEVELS,
        types: TYPES,
        sorts: vec![
            "-updated_at",
            "sla_due",
            "-priority",
            "-created_at",
            "number",
        ],
    }))
}

#[derive(Deserialize, Default)]
pub struct NewTicketQuery {
    /// What the caller said: a name, phone number, e-mail address or company.
    #[serde(default)]
    find: String,
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    contact_id: String,
    #[serde(default)]
    channel: String,
}

#[derive(Template)]
#[template(path = "ticket_new.html")]
struct NewTicket {
    ctx: Ctx,
    q: NewTicketQuery,
    /// Matches of `find`: contacts (with their customer) and customers.
    found_contacts: Vec<(Contact, String)>,
    found_customers: Vec<Customer>,
    customer: Option<Customer>,
    contacts: Vec<Contact>,
    assets: Vec<(String, String)>,
    levels: [&'static str; 4],
    types: [&'static str; 4],
    channels: [&'static str; 6],
    categories: [&'static str; 5],
}

pub async fn new_ticket(
    State(s): State<AppState>,
    page: Page,
    Query(q): Query<NewTicketQuery>,
) -> UiResult {
    let scope = &page.auth.scope;
    let ctx = &page.ctx;
    let mut found_contacts = vec![];
    let mut found_customers = vec![];
    let find = q.find.trim();
    if scope.is_staff() && !find.is_empty() {
        let cq = ContactQuery {
            q: Some(find.into()),
            per_page: Some(10),
            ..Default::default()
        };
        let contacts = s.store.list_contacts(scope, &cq).await.or_page(ctx)?.items;
        let ids: Vec<String> = contacts.iter().map(|c| c.customer_id.clone()).collect();
        let names = s.store.customer_names(scope, &ids).await.or_page(ctx)?;
        found_contacts = contacts
            .into_iter()
            .map(|c| {
                let n = names.get(&c.customer_id).cloned().unwrap_or_default();
                (c, n)
            })
            .collect();
        let cq = CustomerQuery {
            q: Some(find.into()),
            per_page: Some(10),
            ..Default::default()
        };
        found_customers = s.store.list_customers(scope, &cq).await.or_page(ctx)?.items;
    }
    let customer_id = match scope.customer() {
        Some(c) => Some(c.to_string()),
        None => Some(q.customer_id.clone()).filter(|c| !c.is_empty()),
    };
    let (mut customer, mut contacts, mut assets) = (None, vec![], vec![]);
    if let Some(id) = customer_id {
        customer = Some(s.store.get_customer(scope, &id).await.or_page(ctx)?);
        contacts = s.store.customer_contacts(scope, &id).await.or_page(ctx)?;
        let aq = onestop_store::AssetQuery {
            customer_id: Some(id.clone()),
            per_page: Some(200),
            ..Default::default()
        };
        assets = s
            .store
            .list_assets(scope, &aq)
            .await
            .or_page(ctx)?
            .items
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
    }
    Ok(render(NewTicket {
        ctx: page.ctx,
        q,
        found_contacts,
        found_customers,
        customer,
        contacts,
        assets,
        levels: LEVELS,
        types: TYPES,
        channels: CHANNELS,
        categories: CATEGORIES,
    }))
}

pub async fn create_ticket(
    State(s): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> UiResult {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    };
    page.auth
        .check_csrf(get("_csrf").as_deref())
        .or_page(&page.ctx)?;
    let assets: Vec<String> = pairs
        .iter()
        .filter(|(n, v)| n == "assets" && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect();
    let input = TicketInput {
        customer_id: get("customer_id"),
        kind: get("type"),
        title: get("title"),
        description: get("description"),
        impact: get("impact"),
        urgency: get("urgency"),
        channel: get("channel"),
        contact_id: get("contact_id"),
        category: get("category"),
        assets: Some(assets),
        contract_id: None,
    };
    let t = s
        .store
        .create_ticket(&page.auth.scope, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/tickets/{}", t.id)).into_response())
}

/// One timeline entry in words.
pub struct Entry {
    pub when: String,
    pub actor: String,
    pub kind: String,
    pub text: String,
    pub internal: bool,
}

fn describe(ctx: &Ctx, e: &TicketEventRecord) -> Entry {
    let parsed: Option<DeskEvent> = serde_json::from_value(e.data.clone()).ok();
    let mut internal = false;
    let text = match parsed {
        Some(DeskEvent::Opened { channel, .. }) => {
            format!("{} ({channel})", ctx.t.get("ev_opened"))
        }
        Some(DeskEvent::StatusChanged { from, to, note }) => {
            let mut s = format!("{from} → {to}");
            if let Some(n) = note {
                s.push_str(&format!(": {n}"));
            }
            s
        }
        Some(DeskEvent::PriorityChanged { from, to }) => format!(
            "{}: {} → {}",
            ctx.t.get("priority"),
            onestop_domain::desk::priority_str(from),
            onestop_domain::desk::priority_str(to)
        ),
        Some(DeskEvent::ContractChanged { to }) => {
            format!(
                "{}: {}",
                ctx.t.get("contract"),
                to.unwrap_or_else(|| "-".into())
            )
        }
        Some(DeskEvent::Comment {
            visibility, body, ..
        }) => {
            internal = visibility == onestop_domain::desk::Visibility::Internal;
            body
        }
        Some(DeskEvent::FirstResponse) => ctx.t.get("ev_first_response").to_string(),
        Some(DeskEvent::FieldChanged { field, from, to }) => format!(
            "{field}: {} → {}",
            from.unwrap_or_else(|| "-".into()),
            to.unwrap_or_else(|| "-".into())
        ),
        Some(DeskEvent::SlaWarning { clock }) => {
            format!("{}: {}", ctx.t.get("ev_sla_warning"), ctx.t.get(&clock))
        }
        Some(DeskEvent::SlaBreached { clock }) => {
            format!("{}: {}", ctx.t.get("ev_sla_breached"), ctx.t.get(&clock))
        }
        Some(DeskEvent::Escalated {
            rule,
            action: _,
            detail,
        }) => {
            internal = true;
            format!("{} «{rule}»: {detail}", ctx.t.get("ev_escalated"))
        }
        Some(DeskEvent::AttachmentAdded {
            filename,
            size,
            visibility,
            ..
        }) => {
            internal = visibility == onestop_domain::desk::Visibility::Internal;
            format!("{}: {filename} ({size} B)", ctx.t.get("w_attachments"))
        }
        Some(DeskEvent::TimeLogged {
            user,
            minutes,
            billable,
            ..
        }) => {
            internal = true;
            format!(
                "{}: {user} {} ({})",
                ctx.t.get("w_time"),
                hm(minutes),
                if billable { "billable" } else { "non-billable" }
            )
        }
        Some(DeskEvent::Linked {
            relation, number, ..
        }) => format!("{} {relation} {number}", ctx.t.get("w_links")),
        Some(DeskEvent::Unlinked {
            relation, number, ..
        }) => format!("{} − {relation} {number}", ctx.t.get("w_links")),
        Some(DeskEvent::VendorRaised {
            vendor,
            case_number,
            ..
        }) => {
            internal = true;
            format!(
                "{}: {vendor} {}",
                ctx.t.get("w_vendor_clock"),
                case_number.unwrap_or_default()
            )
        }
        Some(DeskEvent::VendorAnswered { vendor, answer, .. }) => {
            internal = true;
            format!("{vendor}: {answer}")
        }
        Some(DeskEvent::VendorCaseChanged {
            status,
            case_number,
            ..
        }) => {
            internal = true;
            format!("vendor case: {status} {}", case_number.unwrap_or_default())
        }
        Some(DeskEvent::DispatchPlanned {
            engineer,
            planned_at,
            ..
        }) => format!(
            "{}: {engineer} {}",
            ctx.t.get("w_dispatches"),
            format_when(ctx.t, planned_at)
        ),
        Some(DeskEvent::DispatchChanged { status, note, .. }) => format!(
            "{}: {status} {}",
            ctx.t.get("w_dispatches"),
            note.unwrap_or_default()
        ),
        Some(
            ev @ (DeskEvent::RunbookStarted { .. }
            | DeskEvent::RunbookStep { .. }
            | DeskEvent::RunbookFinished { .. }),
        ) => {
            internal = true;
            super::runbooks::timeline_text(ctx.t, &ev)
        }
        None => e.data.to_string(),
    };
    Entry {
        when: format_when(ctx.t, e.at),
        actor: e.actor.clone(),
        kind: e.kind.clone(),
        text,
        internal,
    }
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketView {
    ctx: Ctx,
    ticket: Ticket,
    customer: String,
    contact: Option<Contact>,
    contract: Option<Contract>,
    assets: Vec<(String, String)>,
    clocks: Vec<ClockLine>,
    timeline: Vec<Entry>,
    users: Vec<User>,
    teams: Vec<Team>,
    statuses: [&'static str; 6],
    reasons: [&'static str; 3],
    levels: [&'static str; 4],
    categories: [&'static str; 5],
    assignee: String,
    team: String,
    work: super::desk_work::TicketWork,
    runbooks: super::runbooks::TicketRunbooks,
    mail: super::mail::TicketMailPanel,
}

pub async fn ticket(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let scope = &page.auth.scope;
    let ctx = &page.ctx;
    let ticket = s.store.get_ticket(scope, &id).await.or_page(ctx)?;
    let customer = s
        .store
        .get_customer(scope, &ticket.customer_id)
        .await
        .or_page(ctx)?
        .name;
    let contact = match &ticket.contact_id {
        Some(c) => s.store.get_contact(scope, c).await.ok(),
        None => None,
    };
    let contract = match &ticket.contract_id {
        Some(c) => s.store.get_contract(scope, c).await.ok(),
        None => None,
    };
    let mut assets = vec![];
    for a in &ticket.assets {
        if let Ok(a) = s.store.get_asset(scope, a).await {
            assets.push((a.id, a.name));
        }
    }
    let clocks = ticket
        .sla
        .clocks()
        .into_iter()
        .map(|(n, c)| clock_line(ctx, n, c))
        .collect();
    let timeline = s
        .store
        .ticket_events(scope, &id)
        .await
        .or_page(ctx)?
        .iter()
        .map(|e| describe(ctx, e))
        .collect();
    let (users, teams) = if scope.is_staff() {
        let users: Vec<User> = s
            .store
            .list_users(scope)
            .await
            .or_page(ctx)?
            .into_iter()
            .filter(|u| u.role.is_staff() && !u.disabled)
            .collect();
        (users, s.store.list_teams().await.or_page(ctx)?)
    } else {
        (vec![], vec![])
    };
    let assignee = ticket
        .assignee_id
        .as_ref()
        .and_then(|a| users.iter().find(|u| &u.id == a))
        .map(|u| u.display_name.clone())
        .unwrap_or_else(|| "-".into());
    let team = ticket
        .team_id
        .as_ref()
        .and_then(|a| teams.iter().find(|t| &t.id == a))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| "-".into());
    let work = super::desk_work::load(&s.store, scope, &id)
        .await
        .or_page(ctx)?;
    let runbooks = super::runbooks::load(&s.store, scope, &id)
        .await
        .or_page(ctx)?;
    let mail = super::mail::TicketMailPanel::load(&s.store, scope, &id)
        .await
        .or_page(ctx)?;
    Ok(render(TicketView {
        mail,
        ctx: page.ctx,
        ticket,
        customer,
        contact,
        contract,
        assets,
        clocks,
        timeline,
        users,
        teams,
        statuses: STATUSES,
        reasons: REASONS,
        levels: LEVELS,
        categories: CATEGORIES,
        assignee,
        team,
        work,
        runbooks,
    }))
}

#[derive(Deserialize)]
pub struct CommentForm {
    _csrf: String,
    body: String,
    #[serde(default)]
    visibility: String,
}

pub async fn comment(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<CommentForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let input = CommentInput {
        body: f.body,
        visibility: Some(f.visibility).filter(|v| !v.is_empty()),
    };
    s.store
        .add_ticket_comment(&page.auth.scope, &id, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct TransitionForm {
    _csrf: String,
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

pub async fn transition(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<TransitionForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let input = TransitionInput {
        to: f.to,
        reason: Some(f.reason).filter(|v| !v.is_empty()),
        note: Some(f.note).filter(|v| !v.is_empty()),
    };
    s.store
        .transition_ticket(&page.auth.scope, &id, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct EditForm {
    _csrf: String,
    assignee_id: Option<String>,
    team_id: Option<String>,
    impact: Option<String>,
    urgency: Option<String>,
    category: Option<String>,
}

pub async fn edit(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let p = TicketPatch {
        assignee_id: f.assignee_id,
        team_id: f.team_id,
        impact: f.impact,
        urgency: f.urgency,
        category: f.category,
        ..Default::default()
    };
    s.store
        .update_ticket(&page.auth.scope, &id, p)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct Notifications {
    ctx: Ctx,
    items: Vec<Notification>,
}

impl Notifications {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

pub async fn notifications(State(s): State<AppState>, page: Page) -> UiResult {
    let items = s
        .store
        .notifications(&page.auth.scope, 200)
        .await
        .or_page(&page.ctx)?;
    Ok(render(Notifications {
        ctx: page.ctx,
        items,
    }))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    _csrf: String,
}

pub async fn read_notifications(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<CsrfForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .mark_notifications_read(&page.auth.scope, None)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/notifications").into_response())
}

#[derive(Template)]
#[template(path = "escalations.html")]
struct Escalations {
    ctx: Ctx,
    rules: Vec<EscalationRule>,
    users: Vec<User>,
    teams: Vec<Team>,
    triggers: [&'static str; 4],
    actions: [&'static str; 5],
}

pub async fn escalations(State(s): State<AppState>, page: Page) -> UiResult {
    let scope = &page.auth.scope;
    let rules = s.store.escalation_rules(scope).await.or_page(&page.ctx)?;
    let users = s
        .store
        .list_users(scope)
        .await
        .or_page(&page.ctx)?
        .into_iter()
        .filter(|u| u.role.is_staff())
        .collect();
    let teams = s.store.list_teams().await.or_page(&page.ctx)?;
    Ok(render(Escalations {
        ctx: page.ctx,
        rules,
        users,
        teams,
        triggers: onestop_store::TRIGGERS,
        actions: onestop_store::ACTIONS,
    }))
}

#[derive(Deserialize)]
pub struct RuleForm {
    _csrf: String,
    #[serde(default)]
    id: String,
    name: Option<String>,
    trigger: Option<String>,
    minutes: Option<String>,
    action: Option<String>,
    target_user_id: Option<String>,
    target_team_id: Option<String>,
    enabled: Option<String>,
}

pub async fn save_escalation(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<RuleForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let minutes = match f
        .minutes
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(m) => Some(m.parse::<i64>().map_err(|_| {
            super::error_page(
                &page.ctx,
                crate::error::ApiError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "minutes must be a whole number",
                ),
            )
        })?),
        None => None,
    };
    let input = EscalationRuleInput {
        name: f.name,
        trigger: f.trigger,
        minutes,
        action: f.action,
        target_user_id: f.target_user_id,
        target_team_id: f.target_team_id,
        enabled: f.enabled.map(|e| e == "1" || e == "on" || e == "true"),
    };
    let id = Some(f.id.as_str()).filter(|i| !i.is_empty());
    s.store
        .save_escalation_rule(&page.auth.scope, id, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/settings/escalations").into_response())
}

#[derive(Template)]
#[template(path = "services.html")]
struct Services {
    ctx: Ctx,
    contracts: Vec<Contract>,
}

/// For customers' users: their contracts, the services chosen, and how often each is done.
pub async fn services(State(s): State<AppState>, page: Page) -> UiResult {
    let q = ContractQuery {
        per_page: Some(50),
        ..Default::default()
    };
    let contracts = s
        .store
        .list_contracts(&page.auth.scope, &q)
        .await
        .or_page(&page.ctx)?
        .items;
    Ok(render(Services {
        ctx: page.ctx,
        contracts,
    }))
}

#[derive(Template)]
#[template(path = "desk_settings.html")]
struct DeskSettingsPage {
    ctx: Ctx,
    s: onestop_store::DeskSettings,
    sla_json: String,
}

/// Desk-wide settings (administrators): automatic closing, the reopen window, and the
/// calendar and SLA for customers without a contract.
pub async fn desk_settings(State(s): State<AppState>, page: Page) -> UiResult {
    if !page.auth.scope.is_staff() {
        return Err(super::error_page(
            &page.ctx,
            onestop_store::StoreError::Forbidden("staff only".into()).into(),
        ));
    }
    let settings = s.store.desk_settings().await.or_page(&page.ctx)?;
    let sla_json = serde_json::to_string_pretty(&settings.default_sla).unwrap_or_default();
    Ok(render(DeskSettingsPage {
        ctx: page.ctx,
        s: settings,
        sla_json,
    }))
}

#[derive(Deserialize)]
pub struct DeskSettingsForm {
    _csrf: String,
    auto_close_days: String,
    reopen_days: String,
    #[serde(default)]
    default_calendar: String,
    #[serde(default)]
    default_sla: String,
}

pub async fn save_desk_settings(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<DeskSettingsForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let bad = |field: &str, msg: String| {
        super::error_page(
            &page.ctx,
            onestop_store::StoreError::from(onestop_domain::model::ValidationError::new(
                field, msg,
            ))
            .into(),
        )
    };
    #[allow(clippy::result_large_err)]
    let days = |field: &str, v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| bad(field, "must be a whole number of days".into()))
    };
    let default_sla = if f.default_sla.trim().is_empty() {
        Default::default()
    } else {
        serde_json::from_str(&f.default_sla).map_err(|e| bad("default_sla", e.to_string()))?
    };
    let settings = onestop_store::DeskSettings {
        auto_close_days: days("auto_close_days", &f.auto_close_days)?,
        reopen_days: days("reopen_days", &f.reopen_days)?,
        default_calendar: Some(f.default_calendar).filter(|c| !c.trim().is_empty()),
        default_sla,
    };
    s.store
        .set_desk_settings(&page.auth.scope, &settings)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/settings/desk").into_response())
}
