//! A minimal HTTP endpoint serving `/metrics` (tiny_http, one thread).

use std::time::SystemTime;

use anyhow::anyhow;
use onestop_agent::collect::{self, Context, SmartCache};
use tiny_http::{Header, Response, Server};

/// Bind the listening socket (so a bad address fails at start).
pub fn bind(addr: &str) -> anyhow::Result<Server> {
    Server::http(addr).map_err(|e| anyhow!("listening on {addr}: {e}"))
}

/// Serve `GET /metrics` on `addr` until the process ends.
pub fn serve_forever(addr: &str, ctx: Context) -> anyhow::Result<()> {
    serve(bind(addr)?, ctx)
}

/// Answer requests on a bound server until the process ends.
pub fn serve(server: Server, ctx: Context) -> anyhow::Result<()> {
    let mut smart = SmartCache::default();
    let text_type: Header = "Content-Type: text/plain; version=0.0.4; charset=utf-8"
        .parse()
        .map_err(|_| anyhow!("bad header"))?;
    for req in server.incoming_requests() {
        let path = req.url().split('?').next().unwrap_or("");
        let resp = match (req.method(), path) {
            (tiny_http::Method::Get, "/metrics") => {
                let body = collect::collect_all(&ctx, &mut smart, SystemTime::now()).render();
                Response::from_string(body).with_header(text_type.clone())
            }
            (tiny_http::Method::Get, "/") => Response::from_string("onestop-agent: see /metrics\n"),
            _ => Response::from_string("not found\n").with_status_code(404),
        };
        if let Err(e) = req.respond(resp) {
            eprintln!("onestop-agent: responding: {e}");
        }
    }
    Ok(())
}
