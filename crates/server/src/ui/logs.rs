//! Log pages: search (customer, host, time range, severity, program, template, text), the
//! template list with counts and hourly sparklines, and the diagnosis report whose findings
//! open tickets. Times typed in the form are in the viewer's zone (JST for Japanese, UTC).
use super::{Ctx, Lang, OrPage, Page, UiResult, query_base, render};
use crate::logreport::{self, FindingTicket, LogReport, ReportQuery};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect};
use onestop_store::logs::{LogMessage, LogQuery, SEVERITIES, TemplateCount, TemplateQuery};
use onestop_store::{Asset, AssetQuery, Customer, CustomerQuery, Scope, Store};
use serde::Deserialize;

/// The filters as the form sends them (empty fields are absent filters).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LogForm {
    pub customer: String,
    pub host: String,
    pub from: String,
    pub to: String,
    pub severity: String,
    pub program: String,
    pub template: String,
    pub q: String,
    pub offset: i64,
    pub periods: String,
    /// The number of a ticket just opened from the report.
    pub opened: String,
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// A `datetime-local` value in the viewer's zone, else whatever the store accepts.
fn time_arg(t: &super::T, s: &str) -> Option<String> {
    let s = opt(s)?;
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(&s, fmt) {
            let ms = match t.0 {
                Lang::Ja => n
                    .and_local_timezone(chrono_tz::Asia::Tokyo)
                    .earliest()
                    .map(|d| d.timestamp_millis()),
                Lang::En => Some(n.and_utc().timestamp_millis()),
            };
            return ms.map(|m| m.to_string()).or(Some(s));
        }
    }
    Some(s)
}

/// A time given as milliseconds or RFC 3339 (a link from an alert, a ticket or an event)
/// shown as the form's `datetime-local` value in the viewer's zone; other text unchanged.
fn local_input(t: &super::T, s: &str) -> String {
    let ms = s.trim().parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(s.trim())
            .ok()
            .map(|d| d.timestamp_millis())
    });
    let Some(utc) = ms.and_then(chrono::DateTime::from_timestamp_millis) else {
        return s.to_string();
    };
    let fmt = "%Y-%m-%dT%H:%M:%S";
    match t.0 {
        Lang::Ja => utc
            .with_timezone(&chrono_tz::Asia::Tokyo)
            .format(fmt)
            .to_string(),
        Lang::En => utc.format(fmt).to_string(),
    }
}

impl LogForm {
    /// Show linked times in the form's own notation, so that filtering again keeps them.
    fn localize(&mut self, t: &super::T) {
        self.from = local_input(t, &self.from);
        self.to = local_input(t, &self.to);
    }

    fn query(&self, t: &super::T) -> LogQuery {
        LogQuery {
            host: opt(&self.host),
            customer: opt(&self.customer),
            from: time_arg(t, &self.from),
            to: time_arg(t, &self.to),
            q: opt(&self.q),
            severity: opt(&self.severity),
            program: opt(&self.program),
            template: opt(&self.template),
            limit: Some(100),
            offset: Some(self.offset.max(0)),
            unrouted: None,
        }
    }

    fn link_base(&self) -> String {
        query_base(&[
            ("customer", Some(&self.customer)),
            ("host", Some(&self.host)),
            ("from", Some(&self.from)),
            ("to", Some(&self.to)),
            ("severity", Some(&self.severity)),
            ("program", Some(&self.program)),
            ("template", Some(&self.template)),
            ("q", Some(&self.q)),
        ])
    }
}

/// Customers (staff) and hosts for the pickers: at most 200 each.
async fn pickers(store: &Store, scope: &Scope, customer: &str) -> (Vec<Customer>, Vec<Asset>) {
    let customers = if scope.is_staff() {
        let q = CustomerQuery {
            per_page: Some(200),
            ..Default::default()
        };
        store
            .list_customers(scope, &q)
            .await
            .map(|p| p.items)
            .unwrap_or_default()
    } else {
        vec![]
    };
    let q = AssetQuery {
        customer_id: opt(customer),
        per_page: Some(200),
        sort: Some("name".into()),
        ..Default::default()
    };
    let hosts = store
        .list_assets(scope, &q)
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    (customers, hosts)
}

#[derive(Template)]
#[template(path = "logs.html")]
struct LogsPage {
    ctx: Ctx,
    f: LogForm,
    customers: Vec<Customer>,
    hosts: Vec<Asset>,
    severities: [&'static str; 8],
    items: Vec<LogMessage>,
    prev: Option<String>,
    next: Option<String>,
    base: String,
}

impl LogsPage {
    fn when(&self, ms: &i64) -> String {
        super::format_when(self.ctx.t, *ms)
    }
    fn host_name(&self, m: &LogMessage) -> String {
        m.host_id
            .as_ref()
            .and_then(|h| self.hosts.iter().find(|a| &a.id == h))
            .map(|a| a.name.clone())
            .or_else(|| m.hostname.clone())
            .unwrap_or_else(|| m.source.clone())
    }
}

pub async fn search(
    State(s): State<AppState>,
    page: Page,
    Query(mut f): Query<LogForm>,
) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let q = f.query(&ctx.t);
    f.localize(&ctx.t);
    let result = s.store.search_logs(&scope, &q).await.or_page(&ctx)?;
    let (customers, hosts) = pickers(&s.store, &scope, &f.customer).await;
    let base = f.link_base();
    let prev = (f.offset > 0).then(|| format!("{base}offset={}", (f.offset - 100).max(0)));
    let next = result
        .more
        .then(|| format!("{base}offset={}", f.offset.max(0) + 100));
    Ok(render(LogsPage {
        ctx,
        f,
        customers,
        hosts,
        severities: SEVERITIES,
        items: result.items,
        prev,
        next,
        base,
    }))
}

#[derive(Template)]
#[template(path = "log_templates.html")]
struct TemplatesPage {
    ctx: Ctx,
    f: LogForm,
    customers: Vec<Customer>,
    hosts: Vec<Asset>,
    templates: Vec<(TemplateCount, String)>,
    base: String,
}

impl TemplatesPage {
    fn when(&self, ms: &i64) -> String {
        super::format_when(self.ctx.t, *ms)
    }
}

/// An SVG sparkline of counts (one bar per bucket), drawn on the server.
fn sparkline(counts: &[i64]) -> String {
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bars: String = counts
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let h = (n as f64 / max * 20.0)
                .round()
                .max(if n > 0 { 1.0 } else { 0.0 });
            format!(
                "<rect x=\"{}\" y=\"{}\" width=\"3\" height=\"{h}\"/>",
                i * 4,
                20.0 - h
            )
        })
        .collect();
    format!(
        "<svg class=\"spark\" width=\"{}\" height=\"20\" role=\"img\" aria-label=\"{}\">{bars}</svg>",
        counts.len() * 4,
        counts
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

pub async fn templates(
    State(s): State<AppState>,
    page: Page,
    Query(mut f): Query<LogForm>,
) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let q = TemplateQuery {
        host: opt(&f.host),
        customer: opt(&f.customer),
        from: time_arg(&ctx.t, &f.from),
        to: time_arg(&ctx.t, &f.to),
        unrouted: None,
        limit: Some(200),
    };
    f.localize(&ctx.t);
    let list = s.store.log_templates(&scope, &q).await.or_page(&ctx)?;
    // Sparklines: messages per hour over the last 24 hours, for the listed templates.
    let now = onestop_store::now_ms();
    let hours = s
        .store
        .log_template_hours(
            &scope,
            q.host.as_deref(),
            q.customer.as_deref(),
            now - 24 * 3_600_000,
            24,
        )
        .await
        .or_page(&ctx)?;
    let templates = list
        .into_iter()
        .map(|t| {
            let counts = hours
                .get(&(t.customer_id.clone(), t.id.clone()))
                .cloned()
                .unwrap_or_else(|| vec![0; 24]);
            (t, sparkline(&counts))
        })
        .collect();
    let (customers, hosts) = pickers(&s.store, &scope, &f.customer).await;
    let base = f.link_base();
    Ok(render(TemplatesPage {
        ctx,
        f,
        customers,
        hosts,
        templates,
        base,
    }))
}

#[derive(Template)]
#[template(path = "log_report.html")]
struct ReportPage {
    ctx: Ctx,
    f: LogForm,
    customers: Vec<Customer>,
    hosts: Vec<Asset>,
    report: LogReport,
}

impl ReportPage {
    fn when(&self, ms: &i64) -> String {
        super::format_when(self.ctx.t, *ms)
    }
}

pub async fn report(
    State(s): State<AppState>,
    page: Page,
    Query(mut f): Query<LogForm>,
) -> UiResult {
    let (mut ctx, scope) = (page.ctx, page.auth.scope);
    let (customers, hosts) = pickers(&s.store, &scope, &f.customer).await;
    let q = ReportQuery {
        host: opt(&f.host),
        customer: opt(&f.customer),
        from: time_arg(&ctx.t, &f.from),
        to: time_arg(&ctx.t, &f.to),
        periods: f.periods.trim().parse().ok(),
    };
    f.localize(&ctx.t);
    let rules = crate::syslog::rules(&s.settings).map_err(|e| {
        super::error_page(
            &ctx,
            crate::error::ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                e.to_string(),
            ),
        )
    })?;
    let report = logreport::build(&s.store, &rules, &scope, &q)
        .await
        .or_page(&ctx)?;
    ctx.flash = opt(&f.opened).map(|n| format!("{}: {n}", ctx.t.get("ticket_opened")));
    Ok(render(ReportPage {
        ctx,
        f,
        customers,
        hosts,
        report,
    }))
}

#[derive(Deserialize)]
pub struct TicketForm {
    _csrf: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    customer: String,
    template: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn open_ticket(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<TicketForm>,
) -> UiResult {
    let ctx = &page.ctx;
    page.auth.check_csrf(Some(&f._csrf)).or_page(ctx)?;
    let rules = crate::syslog::rules(&s.settings).map_err(|e| {
        super::error_page(
            ctx,
            crate::error::ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                e.to_string(),
            ),
        )
    })?;
    let finding = FindingTicket {
        host: opt(&f.host),
        customer: opt(&f.customer),
        template: f.template.clone(),
        from: opt(&f.from),
        to: opt(&f.to),
        impact: None,
        urgency: None,
    };
    let t = logreport::open_ticket(&s.store, &rules, &page.auth.scope, finding)
        .await
        .or_page(ctx)?;
    let back = query_base(&[
        ("host", Some(&f.host)),
        ("customer", Some(&f.customer)),
        ("from", Some(&f.from)),
        ("to", Some(&f.to)),
        ("opened", Some(&t.number)),
    ]);
    Ok(Redirect::to(&format!("/logs/report{back}")).into_response())
}
