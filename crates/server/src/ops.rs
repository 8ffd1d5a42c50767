//! Operational endpoints: `/healthz`, `/readyz`, `/metrics` (Prometheus text format).
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// (method, route, status class) → (count, latency sum, histogram buckets).
type RequestTable = BTreeMap<(String, String, u16), (u64, f64, [u64; 10])>;

/// Request counters and latency histograms per (method, route, status class).
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<RequestTable>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        let mut m = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        let e = m
            .entry((method.to_string(), route.to_string(), status))
            .or_insert((0, 0.0, [0; 10]));
        e.0 += 1;
        e.1 += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                e.2[i] += 1;
            }
        }
    }

    fn render(&self, out: &mut String) {
        let m = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str("# HELP onestop_http_requests_total HTTP requests served.\n# TYPE onestop_http_requests_total counter\n");
        for ((method, route, status), (n, _, _)) in m.iter() {
            let _ = writeln!(
                out,
                "onestop_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP onestop_http_request_duration_seconds Time to answer HTTP requests.\n# TYPE onestop_http_request_duration_seconds histogram\n");
        for ((method, route, status), (n, sum, buckets)) in m.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (b, c) in BUCKETS.iter().zip(buckets) {
                let _ = writeln!(
                    out,
                    "onestop_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {c}"
                );
            }
            let _ = writeln!(
                out,
                "onestop_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {n}"
            );
            let _ = writeln!(
                out,
                "onestop_http_request_duration_seconds_sum{{{labels}}} {sum}"
            );
            let _ = writeln!(
                out,
                "onestop_http_request_duration_seconds_count{{{labels}}} {n}"
            );
        }
    }
}

/// Middleware: time every request and count it under its route template (not its raw path).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}")).into_response(),
    }
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    out.push_str(
        "# HELP onestop_build_info Build of the running server.\n# TYPE onestop_build_info gauge\n",
    );
    let _ = writeln!(
        out,
        "onestop_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    state.metrics.render(&mut out);
    state.syslog.render(&mut out);
    let ready = state.store.ping().await.is_ok() as u8;
    out.push_str("# HELP onestop_database_up Whether the database answered.\n# TYPE onestop_database_up gauge\n");
    let _ = writeln!(out, "onestop_database_up {ready}");
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
