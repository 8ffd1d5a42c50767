//! The calendar page (`/calendar`): a month or week grid of field visits, maintenance windows
//! (and, with the plan, planned work) per customer or per engineer, in the viewer's zone (JST
//! for Japanese, UTC otherwise, as every page shows times), with plain links for moving
//! around — no JavaScript. The same page lists the user's iCalendar feed tokens, makes new
//! ones (the URL is shown once) and revokes them.
use super::{Ctx, Lang, OrPage, Page, UiResult, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use onestop_store::{CalendarEntry, CalendarQuery, Customer, CustomerQuery, FeedToken, User};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(page))
        .route("/calendar/feed-tokens", post(create_token))
        .route("/calendar/feed-tokens/{id}/revoke", post(revoke_token))
}

/// One day cell.
pub struct Day {
    pub date: NaiveDate,
    pub in_range: bool,
    pub today: bool,
    /// (time or "", entry)
    pub entries: Vec<(String, CalendarEntry)>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    view: String,
    title: String,
    weeks: Vec<Vec<Day>>,
    prev: String,
    next: String,
    today_link: String,
    week_link: String,
    month_link: String,
    customers: Vec<Customer>,
    engineers: Vec<User>,
    customer_id: String,
    engineer_id: String,
    tokens: Vec<FeedToken>,
    new_url: Option<String>,
}

impl CalendarPage {
    fn when(&self, ms: &i64) -> String {
        super::format_when(self.ctx.t, *ms)
    }
}

#[derive(Deserialize, Default)]
pub struct Params {
    view: Option<String>,
    date: Option<String>,
    customer_id: Option<String>,
    engineer_id: Option<String>,
}

/// Midnight of `d` in the viewer's zone, ms.
fn midnight(lang: Lang, d: NaiveDate) -> i64 {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    match lang {
        Lang::Ja => chrono_tz::Asia::Tokyo
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or(0),
        Lang::En => naive.and_utc().timestamp_millis(),
    }
}

fn local_today(lang: Lang) -> NaiveDate {
    let now = chrono::Utc::now();
    match lang {
        Lang::Ja => now.with_timezone(&chrono_tz::Asia::Tokyo).date_naive(),
        Lang::En => now.date_naive(),
    }
}

fn local_time(lang: Lang, ms: i64) -> String {
    let t = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    match lang {
        Lang::Ja => t
            .with_timezone(&chrono_tz::Asia::Tokyo)
            .format("%H:%M")
            .to_string(),
        Lang::En => t.format("%H:%M").to_string(),
    }
}

/// The days shown: whole weeks (Monday first) around the month, or the week of `date`.
pub fn grid(view: &str, date: NaiveDate) -> (NaiveDate, NaiveDate, NaiveDate, NaiveDate) {
    let monday = |d: NaiveDate| d - Duration::days(d.weekday().num_days_from_monday() as i64);
    if view == "week" {
        let start = monday(date);
        (
            start,
            start + Duration::days(7),
            start,
            start + Duration::days(7),
        )
    } else {
        let first = date.with_day(1).unwrap_or(date);
        let next_month = (first + Duration::days(32)).with_day(1).unwrap_or(first);
        let start = monday(first);
        let end = monday(next_month - Duration::days(1)) + Duration::days(7);
        (start, end, first, next_month)
    }
}

async fn build(s: &AppState, page: Page, p: Params, new_url: Option<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let lang = ctx.t.0;
    let view = if p.view.as_deref() == Some("week") {
        "week"
    } else {
        "month"
    }
    .to_string();
    let date = p
        .date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| local_today(lang));
    let (start, end, r0, r1) = grid(&view, date);
    let customer_id = p.customer_id.filter(|c| !c.is_empty()).unwrap_or_default();
    let engineer_id = p.engineer_id.filter(|c| !c.is_empty()).unwrap_or_default();
    let q = CalendarQuery {
        from_ms: midnight(lang, start),
        to_ms: midnight(lang, end),
        customer_id: Some(customer_id.clone()).filter(|c| !c.is_empty()),
        engineer_id: Some(engineer_id.clone()).filter(|c| !c.is_empty()),
    };
    let entries = s.store.calendar_entries(&scope, &q).await.or_page(&ctx)?;
    let today = local_today(lang);
    let mut weeks = Vec::new();
    let mut d = start;
    while d < end {
        let mut week = Vec::new();
        for _ in 0..7 {
            let (d0, d1) = (midnight(lang, d), midnight(lang, d + Duration::days(1)));
            let on_day = entries
                .iter()
                .filter(|e| e.starts_at < d1 && e.ends_at.max(e.starts_at + 1) > d0)
                .map(|e| {
                    let time = if e.all_day || e.starts_at < d0 {
                        String::new()
                    } else {
                        local_time(lang, e.starts_at)
                    };
                    (time, e.clone())
                })
                .collect();
            week.push(Day {
                date: d,
                in_range: d >= r0 && d < r1,
                today: d == today,
                entries: on_day,
            });
            d += Duration::days(1);
        }
        weeks.push(week);
    }
    let link = |v: &str, day: NaiveDate| {
        let mut l = format!("/calendar?view={v}&date={day}");
        if !customer_id.is_empty() {
            l.push_str(&format!("&customer_id={customer_id}"));
        }
        if !engineer_id.is_empty() {
            l.push_str(&format!("&engineer_id={engineer_id}"));
        }
        l
    };
    let (prev, next) = if view == "week" {
        (date - Duration::days(7), date + Duration::days(7))
    } else {
        (r0 - Duration::days(1), r1)
    };
    let title = if view == "week" {
        format!("{start} – {}", end - Duration::days(1))
    } else {
        r0.format("%Y-%m").to_string()
    };
    let (customers, engineers) = if ctx.staff {
        let cq = CustomerQuery {
            per_page: Some(200),
            ..Default::default()
        };
        let customers = s
            .store
            .list_customers(&scope, &cq)
            .await
            .or_page(&ctx)?
            .items;
        let engineers = s
            .store
            .list_users(&scope)
            .await
            .or_page(&ctx)?
            .into_iter()
            .filter(|u| u.role.is_staff() && !u.disabled)
            .collect();
        (customers, engineers)
    } else {
        (vec![], vec![])
    };
    let tokens = s.store.list_feed_tokens(&scope).await.or_page(&ctx)?;
    Ok(render(CalendarPage {
        prev: link(&view, prev),
        next: link(&view, next),
        today_link: link(&view, today),
        week_link: link("week", date),
        month_link: link("month", date),
        ctx,
        view,
        title,
        weeks,
        customers,
        engineers,
        customer_id,
        engineer_id,
        tokens,
        new_url,
    }))
}

pub async fn page(State(s): State<AppState>, page: Page, Query(p): Query<Params>) -> UiResult {
    build(&s, page, p, None).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    _csrf: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    customer_id: String,
}

pub async fn create_token(
    State(s): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    let customer = Some(f.customer_id.as_str()).filter(|c| !c.is_empty());
    let t = s
        .store
        .create_feed_token(&page.auth.scope, customer, &f.label)
        .await
        .or_page(&page.ctx)?;
    let url = format!(
        "{}/api/v1/feeds/{}.ics",
        crate::api::feed_base_url(&s, &headers),
        t.secret
    );
    build(&s, page, Params::default(), Some(url)).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    _csrf: String,
}

pub async fn revoke_token(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f._csrf)).or_page(&page.ctx)?;
    s.store
        .revoke_feed_token(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to("/calendar#feeds").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_and_week_grids_start_on_monday() {
        let d = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        let (start, end, r0, r1) = grid("month", d);
        assert_eq!(start.to_string(), "2026-12-28");
        assert_eq!(end.to_string(), "2027-02-01");
        assert_eq!(
            (r0.to_string(), r1.to_string()),
            ("2027-01-01".into(), "2027-02-01".into())
        );
        let (start, end, ..) = grid("week", d);
        assert_eq!(
            (start.to_string(), end.to_string()),
            ("2027-01-11".into(), "2027-01-18".into())
        );
        assert_eq!(midnight(Lang::Ja, d) + 9 * 3_600_000, midnight(Lang::En, d));
    }
}
