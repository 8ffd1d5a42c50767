//! Monitoring pages: the hosts list with status, and a host page with server-drawn SVG charts
//! over a selectable range, its alerts, and (for staff) enrolment tokens.
use super::{Ctx, OrPage, Page, UiResult, format_when, render};
use crate::monitor::chart;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use onestop_store::{
    Alert, Customer, CustomerQuery, Host, Scope, SeriesQuery, SeriesResult, Store, now_ms,
};
use onestop_tsdb::Agg;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "hosts.html")]
struct HostsPage {
    ctx: Ctx,
    hosts: Vec<Host>,
    alerts: Vec<Alert>,
    customers: Vec<Customer>,
    token: Option<String>,
}

impl HostsPage {
    fn when(&self, ms: &Option<i64>) -> String {
        ms.map(|m| format_when(self.ctx.t, m))
            .unwrap_or_else(|| "—".into())
    }
}

pub async fn hosts(State(s): State<AppState>, page: Page) -> UiResult {
    hosts_page(&s, page, None).await
}

async fn hosts_page(s: &AppState, page: Page, token: Option<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let down = s.settings.monitor_down_secs * 1000;
    let hosts = s.store.list_hosts(&scope, down).await.or_page(&ctx)?;
    let alerts = s
        .store
        .list_alerts(&scope, Some("firing"), None)
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
    Ok(render(HostsPage {
        ctx,
        hosts,
        alerts,
        customers,
        token,
    }))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    customer_id: String,
}

/// Issue an enrolment token from the hosts page (shown once).
pub async fn create_token(
    State(s): State<AppState>,
    page: Page,
    Form(f): Form<TokenForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f.csrf)).or_page(&page.ctx)?;
    let (_, token) = s
        .store
        .create_enrollment_token(&page.auth.scope, &f.customer_id, 86_400_000)
        .await
        .or_page(&page.ctx)?;
    hosts_page(&s, page, Some(token)).await
}

/// One chart: a title and its SVG.
pub struct Chart {
    pub title: String,
    pub svg: String,
}

#[derive(Template)]
#[template(path = "host.html")]
struct HostPage {
    ctx: Ctx,
    host: Host,
    range: String,
    ranges: Vec<&'static str>,
    charts: Vec<Chart>,
    alerts: Vec<Alert>,
    checks: Vec<onestop_store::HostCheck>,
    snmp: super::snmp::HostSnmp,
}

impl HostPage {
    fn when_ms(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }

    fn when(&self, ms: &Option<i64>) -> String {
        ms.map(|m| format_when(self.ctx.t, m))
            .unwrap_or_else(|| "—".into())
    }
}

#[derive(Deserialize)]
pub struct RangeParam {
    range: Option<String>,
}

const RANGES: [(&str, i64, i64); 6] = [
    ("15m", 15 * 60_000, 10_000),
    ("1h", 3_600_000, 60_000),
    ("6h", 6 * 3_600_000, 300_000),
    ("24h", 24 * 3_600_000, 900_000),
    ("7d", 7 * 86_400_000, 3_600_000),
    ("30d", 30 * 86_400_000, 6 * 3_600_000),
];

/// Query `name` and combine its series by the label `by` (summing), filtered by `keep`.
async fn grouped(
    store: &Store,
    scope: &Scope,
    host: &str,
    name: &str,
    (from, to, step): (i64, i64, i64),
    by: &str,
    keep: impl Fn(&BTreeMap<String, String>) -> bool,
) -> onestop_store::Result<Vec<(String, Vec<(i64, f64)>)>> {
    let q = SeriesQuery {
        name: name.into(),
        labels: BTreeMap::new(),
        from_ms: from,
        to_ms: to,
        step_ms: step,
        agg: None,
    };
    let res: Vec<SeriesResult> = store.query_series(scope, host, &q).await?;
    let mut out: BTreeMap<String, BTreeMap<i64, f64>> = BTreeMap::new();
    for s in res.into_iter().filter(|s| keep(&s.labels)) {
        let key = if by.is_empty() {
            name.to_string()
        } else {
            s.labels.get(by).cloned().unwrap_or_default()
        };
        let line = out.entry(key).or_default();
        for (t, v) in s.points {
            *line.entry(t).or_default() += v;
        }
    }
    Ok(out
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect())
}

pub async fn host(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(p): Query<RangeParam>,
) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let down = s.settings.monitor_down_secs * 1000;
    let host = s.store.get_host(&scope, &id, down).await.or_page(&ctx)?;
    let range = p.range.unwrap_or_else(|| "1h".into());
    let &(_, span, step) = RANGES.iter().find(|r| r.0 == range).unwrap_or(&RANGES[1]);
    let to = now_ms().div_euclid(step) * step;
    let w = (to - span, to, step);
    let st = &s.store;
    let h = host.id.as_str();
    let all = |_: &BTreeMap<String, String>| true;
    let mut charts = Vec::new();
    let mut add = |title: &str, lines: Vec<(String, Vec<(i64, f64)>)>| {
        charts.push(Chart {
            title: title.into(),
            svg: chart::svg(title, &lines, w.0, w.1),
        });
    };
    let cpu = grouped(st, &scope, h, "node_cpu_seconds_total", w, "mode", |l| {
        l.get("mode").is_some_and(|m| m != "idle")
    })
    .await
    .or_page(&ctx)?;
    add("CPU seconds/s by mode (all CPUs, without idle)", cpu);
    let mut load = Vec::new();
    for n in ["node_load1", "node_load5", "node_load15"] {
        load.extend(grouped(st, &scope, h, n, w, "", all).await.or_page(&ctx)?);
    }
    add("Load average", load);
    let mut mem = Vec::new();
    for n in [
        "node_memory_MemTotal_bytes",
        "node_memory_MemAvailable_bytes",
        "node_memory_SwapFree_bytes",
    ] {
        mem.extend(grouped(st, &scope, h, n, w, "", all).await.or_page(&ctx)?);
    }
    add("Memory (bytes)", mem);
    let avail = grouped(
        st,
        &scope,
        h,
        "node_filesystem_avail_bytes",
        w,
        "mountpoint",
        all,
    )
    .await
    .or_page(&ctx)?;
    let size = grouped(
        st,
        &scope,
        h,
        "node_filesystem_size_bytes",
        w,
        "mountpoint",
        all,
    )
    .await
    .or_page(&ctx)?;
    let used: Vec<(String, Vec<(i64, f64)>)> = avail
        .into_iter()
        .filter_map(|(m, a)| {
            let sz = &size.iter().find(|x| x.0 == m)?.1;
            let pts = a
                .iter()
                .filter_map(|&(t, av)| {
                    let s = sz.iter().find(|p| p.0 == t)?.1;
                    (s > 0.0).then(|| (t, (1.0 - av / s) * 100.0))
                })
                .collect();
            Some((m, pts))
        })
        .collect();
    add("Filesystem used (%)", used);
    let not_lo = |l: &BTreeMap<String, String>| l.get("device").is_none_or(|d| d != "lo");
    let mut net = grouped(
        st,
        &scope,
        h,
        "node_network_receive_bytes_total",
        w,
        "",
        not_lo,
    )
    .await
    .or_page(&ctx)?;
    net.extend(
        grouped(
            st,
            &scope,
            h,
            "node_network_transmit_bytes_total",
            w,
            "",
            not_lo,
        )
        .await
        .or_page(&ctx)?,
    );
    add("Network bytes/s (without lo)", net);
    let mut disk = grouped(st, &scope, h, "node_disk_read_bytes_total", w, "", all)
        .await
        .or_page(&ctx)?;
    disk.extend(
        grouped(st, &scope, h, "node_disk_written_bytes_total", w, "", all)
            .await
            .or_page(&ctx)?,
    );
    add("Disk bytes/s", disk);
    for (title, lines) in super::probes::host_charts(st, &scope, h, w, ctx.t)
        .await
        .or_page(&ctx)?
    {
        add(title, lines);
    }
    let alerts = st.list_alerts(&scope, None, Some(h)).await.or_page(&ctx)?;
    let _ = Agg::Avg;
    let checks = s
        .store
        .latest_host_checks(&scope, &id)
        .await
        .or_page(&ctx)?;
    let snmp = super::snmp::host_section(&s, &scope, &id, w)
        .await
        .or_page(&ctx)?;
    Ok(render(HostPage {
        snmp,
        checks,
        ctx,
        host,
        range,
        ranges: RANGES.iter().map(|r| r.0).collect(),
        charts,
        alerts,
    }))
}
