//! Running one network check: the kinds' logic and the blackbox_exporter-named values it
//! yields (`probe_success`, `probe_duration_seconds`, and per kind
//! `probe_http_status_code`, `probe_ssl_earliest_cert_expiry`, `probe_dns_answers`).
use super::{dns, fetch, icmp};
use onestop_store::Check;
use std::time::{Duration, Instant};

/// The result of one run.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ok: bool,
    pub message: String,
    pub duration: Duration,
    /// ICMP: `icmp-dgram`, `icmp-raw` or `tcp`.
    pub method: Option<String>,
    /// Further values by series name.
    pub values: Vec<(&'static str, f64)>,
}

/// Run `c` once, within its timeout.
pub async fn run(c: &Check) -> Outcome {
    let timeout = Duration::from_millis(c.timeout_ms.max(1) as u64);
    let t0 = Instant::now();
    let mut o = match tokio::time::timeout(timeout, kind(c, timeout)).await {
        Ok(o) => o,
        Err(_) => fail(format!("no result within {} ms", c.timeout_ms)),
    };
    o.duration = t0.elapsed();
    o
}

fn fail(message: String) -> Outcome {
    Outcome {
        ok: false,
        message,
        duration: Duration::ZERO,
        method: None,
        values: vec![],
    }
}

fn pass(message: String) -> Outcome {
    Outcome {
        ok: true,
        message,
        duration: Duration::ZERO,
        method: None,
        values: vec![],
    }
}

async fn kind(c: &Check, timeout: Duration) -> Outcome {
    let p = &c.params;
    match c.kind.as_str() {
        "tcp" => match tokio::net::TcpStream::connect(c.target.as_str()).await {
            Ok(_) => pass(format!("connected to {}", c.target)),
            Err(e) => fail(format!("{}: {e}", c.target)),
        },
        "icmp" => {
            let mode = p.icmp_mode.as_deref().unwrap_or("auto");
            match icmp::ping(&c.target, mode, p.tcp_port.unwrap_or(80), timeout).await {
                Ok(e) => Outcome {
                    method: Some(e.method.into()),
                    ..pass(format!(
                        "reply in {:.1} ms by {}",
                        e.rtt.as_secs_f64() * 1e3,
                        e.method
                    ))
                },
                Err((e, method)) => Outcome {
                    method: method.map(Into::into),
                    ..fail(e)
                },
            }
        }
        "dns" => {
            let ty = p.record_type.as_deref().unwrap_or("A");
            match dns::resolve(&c.target, ty, p.server.as_deref(), timeout).await {
                Err(e) => Outcome {
                    values: vec![("probe_dns_answers", 0.0)],
                    ..fail(e)
                },
                Ok(answers) => {
                    let n = answers.len() as f64;
                    let mut o = match &p.expect {
                        _ if answers.is_empty() => {
                            fail(format!("no {ty} records for {}", c.target))
                        }
                        Some(want) if !dns::matches(&answers, want) => fail(format!(
                            "{want} is not among the answers: {}",
                            answers.join(", ")
                        )),
                        _ => pass(answers.join(", ")),
                    };
                    o.values.push(("probe_dns_answers", n));
                    o
                }
            }
        }
        "http" => http(c).await,
        other => fail(format!("unknown kind {other}")),
    }
}

async fn http(c: &Check) -> Outcome {
    let p = &c.params;
    let f = match fetch::get(&c.target, &[], p.insecure).await {
        Ok(f) => f,
        Err(e) => {
            return Outcome {
                values: vec![("probe_http_status_code", 0.0)],
                ..fail(e)
            };
        }
    };
    let mut values = vec![("probe_http_status_code", f64::from(f.status))];
    if let Some(t) = f.cert_not_after {
        values.push(("probe_ssl_earliest_cert_expiry", t as f64));
    }
    let status_ok = if p.expect_status.is_empty() {
        (200..300).contains(&f.status)
    } else {
        p.expect_status.contains(&f.status)
    };
    let mut o = if !status_ok {
        fail(format!("status {} not expected", f.status))
    } else if let Some(re) = &p.body_regex {
        match regex::Regex::new(re) {
            Ok(r) if r.is_match(&String::from_utf8_lossy(&f.body)) => {
                pass(format!("status {}, body matches", f.status))
            }
            Ok(_) => fail(format!("status {}, body does not match /{re}/", f.status)),
            Err(e) => fail(format!("bad body_regex: {e}")),
        }
    } else {
        pass(format!("status {}", f.status))
    };
    o.values = values;
    o
}
