//! Pages of notifications and the on-call rota: the user's notification preferences (from
//! the account page), who is on call now and next with the coming weeks (rotations and
//! overrides edited by administrators), and the webhook subscriptions with their deliveries.
use super::{Ctx, OrPage, Page, UiResult, format_when, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use chrono::TimeZone;
use onestop_domain::notify::{Choice, Event, Prefs, QuietHours};
use onestop_store::{
    OncallStatus, OverrideInput, RotationInput, User, Webhook, WebhookDelivery, WebhookInput,
    WebhookPatch,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/notifications", get(prefs_page).post(save_prefs))
        .route("/oncall", get(oncall).post(save_rotation))
        .route("/oncall/overrides", post(add_override))
        .route("/oncall/overrides/delete", post(delete_override))
        .route("/settings/webhooks", get(webhooks).post(create_webhook))
        .route("/settings/webhooks/{id}", get(webhook).post(toggle_webhook))
}

type Pairs = Vec<(String, String)>;

fn field<'a>(f: &'a Pairs, k: &str) -> Option<&'a str> {
    f.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

#[allow(clippy::result_large_err)]
fn csrf(page: &Page, f: &Pairs) -> Result<(), axum::response::Response> {
    page.auth.check_csrf(field(f, "_csrf")).or_page(&page.ctx)
}

pub struct EventRow {
    pub name: &'static str,
    pub in_app: bool,
    pub email: bool,
}

#[derive(Template)]
#[template(path = "notify_prefs.html")]
struct PrefsPage {
    ctx: Ctx,
    prefs: Prefs,
    quiet_start: String,
    quiet_end: String,
    events: Vec<EventRow>,
}

async fn prefs_page(State(s): State<AppState>, page: Page) -> UiResult {
    let prefs = s
        .store
        .notification_prefs(&page.auth.scope)
        .await
        .or_page(&page.ctx)?;
    let events = Event::ALL
        .iter()
        .map(|e| {
            let c = prefs.choice(*e);
            EventRow {
                name: e.as_str(),
                in_app: c.in_app,
                email: c.email,
            }
        })
        .collect();
    let (quiet_start, quiet_end) = prefs
        .quiet_hours
        .as_ref()
        .map(|q| (q.start.clone(), q.end.clone()))
        .unwrap_or_default();
    Ok(render(PrefsPage {
        ctx: page.ctx,
        prefs,
        quiet_start,
        quiet_end,
        events,
    }))
}

async fn save_prefs(State(s): State<AppState>, page: Page, Form(f): Form<Pairs>) -> UiResult {
    csrf(&page, &f)?;
    let mut p = Prefs {
        time_zone: field(&f, "time_zone").unwrap_or("Asia/Tokyo").to_string(),
        ..Prefs::default()
    };
    if let (Some(a), Some(b)) = (field(&f, "quiet_start"), field(&f, "quiet_end")) {
        p.quiet_hours = Some(QuietHours {
            start: a.into(),
            end: b.into(),
        });
    }
    for e in Event::ALL {
        let on = |ch: &str| field(&f, &format!("{ch}:{}", e.as_str())).is_some();
        p.events.insert(
            e.as_str().into(),
            Choice {
                in_app: on("in_app"),
                email: on("email"),
            },
        );
    }
    s.store
        .set_notification_prefs(&page.auth.scope, p)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/account/notifications").into_response())
}

#[derive(Template)]
#[template(path = "oncall.html")]
struct OncallPage {
    ctx: Ctx,
    rotations: Vec<OncallStatus>,
    users: Vec<User>,
}

impl OncallPage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
    fn name(&self, id: &str) -> String {
        self.users
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| u.display_name.clone())
    }
}

async fn oncall(State(s): State<AppState>, page: Page) -> UiResult {
    let scope = &page.auth.scope;
    let rotations = s
        .store
        .oncall(scope, onestop_store::now_ms(), 4)
        .await
        .or_page(&page.ctx)?;
    let users = s
        .store
        .list_users(scope)
        .await
        .or_page(&page.ctx)?
        .into_iter()
        .filter(|u| u.role.is_staff())
        .collect();
    Ok(render(OncallPage {
        ctx: page.ctx,
        rotations,
        users,
    }))
}

async fn save_rotation(State(s): State<AppState>, page: Page, Form(f): Form<Pairs>) -> UiResult {
    csrf(&page, &f)?;
    let members = f
        .iter()
        .filter(|(k, v)| k == "members" && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect();
    let input = RotationInput {
        name: field(&f, "name").map(str::to_string),
        members: Some(members),
        handover: field(&f, "handover").map(str::to_string),
        period: field(&f, "period").map(str::to_string),
        time_zone: field(&f, "time_zone").map(str::to_string),
        starts_on: field(&f, "starts_on").map(str::to_string),
    };
    s.store
        .save_rotation(&page.auth.scope, None, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/oncall").into_response())
}

/// A `datetime-local` value read in the rotation's time zone, as ms.
#[allow(clippy::result_large_err)]
fn local_ms(
    v: Option<&str>,
    tz: &str,
    what: &str,
    ctx: &Ctx,
) -> Result<i64, axum::response::Response> {
    let bad = || {
        super::error_page(
            ctx,
            crate::error::ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("{what} must be a date and time"),
            ),
        )
    };
    let naive = v
        .and_then(|v| chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M").ok())
        .ok_or_else(bad)?;
    let tz: chrono_tz::Tz = tz.parse().map_err(|_| bad())?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(bad)
}

async fn add_override(State(s): State<AppState>, page: Page, Form(f): Form<Pairs>) -> UiResult {
    csrf(&page, &f)?;
    let rotation = field(&f, "rotation_id").unwrap_or_default().to_string();
    let all = s
        .store
        .oncall(&page.auth.scope, onestop_store::now_ms(), 1)
        .await
        .or_page(&page.ctx)?;
    let tz = all
        .iter()
        .find(|r| r.rotation.id == rotation)
        .map(|r| r.rotation.time_zone.clone())
        .unwrap_or_else(|| "UTC".into());
    let input = OverrideInput {
        user_id: field(&f, "user_id").unwrap_or_default().to_string(),
        replaces_user_id: field(&f, "replaces_user_id").map(str::to_string),
        starts_at: local_ms(field(&f, "starts_at"), &tz, "starts_at", &page.ctx)?,
        ends_at: local_ms(field(&f, "ends_at"), &tz, "ends_at", &page.ctx)?,
        note: field(&f, "note").map(str::to_string),
    };
    s.store
        .add_override(&page.auth.scope, &rotation, input)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/oncall").into_response())
}

async fn delete_override(State(s): State<AppState>, page: Page, Form(f): Form<Pairs>) -> UiResult {
    csrf(&page, &f)?;
    let (r, o) = (
        field(&f, "rotation_id").unwrap_or_default(),
        field(&f, "id").unwrap_or_default(),
    );
    s.store
        .delete_override(&page.auth.scope, r, o)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/oncall").into_response())
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    ctx: Ctx,
    hooks: Vec<Webhook>,
    events: Vec<&'static str>,
    /// The secret of the subscription just created, shown this once.
    secret: Option<String>,
}

async fn webhooks(State(s): State<AppState>, page: Page) -> UiResult {
    let hooks = s
        .store
        .webhooks(&page.auth.scope)
        .await
        .or_page(&page.ctx)?;
    let events = Event::ALL.iter().map(|e| e.as_str()).collect();
    Ok(render(WebhooksPage {
        ctx: page.ctx,
        hooks,
        events,
        secret: None,
    }))
}

async fn create_webhook(State(s): State<AppState>, page: Page, Form(f): Form<Pairs>) -> UiResult {
    csrf(&page, &f)?;
    let input = WebhookInput {
        name: field(&f, "name").map(str::to_string),
        url: field(&f, "url").unwrap_or_default().to_string(),
        events: f
            .iter()
            .filter(|(k, _)| k == "events")
            .map(|(_, v)| v.clone())
            .collect(),
        customer_id: field(&f, "customer_id").map(str::to_string),
        format: field(&f, "format").map(str::to_string),
    };
    let (_, secret) = crate::api::webhooks::create_hook(&s, &page.auth, input)
        .await
        .or_page(&page.ctx)?;
    let hooks = s
        .store
        .webhooks(&page.auth.scope)
        .await
        .or_page(&page.ctx)?;
    let events = Event::ALL.iter().map(|e| e.as_str()).collect();
    Ok(render(WebhooksPage {
        ctx: page.ctx,
        hooks,
        events,
        secret: Some(secret),
    }))
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct WebhookPage {
    ctx: Ctx,
    hook: Webhook,
    deliveries: Vec<WebhookDelivery>,
}

impl WebhookPage {
    fn when(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
}

async fn webhook(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    let hook = s
        .store
        .webhook(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    let deliveries = s
        .store
        .webhook_deliveries(&page.auth.scope, &id, 100)
        .await
        .or_page(&page.ctx)?;
    Ok(render(WebhookPage {
        ctx: page.ctx,
        hook,
        deliveries,
    }))
}

async fn toggle_webhook(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> UiResult {
    csrf(&page, &f)?;
    let p = WebhookPatch {
        enabled: Some(field(&f, "enabled") == Some("1")),
        ..Default::default()
    };
    s.store
        .update_webhook(&page.auth.scope, &id, p)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/settings/webhooks/{id}")).into_response())
}
