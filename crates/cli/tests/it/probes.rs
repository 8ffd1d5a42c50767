//! Server probes end to end with real processes: `onestop serve` scrapes a real
//! `onestop-agent --listen` endpoint into a host's series; network checks against a local
//! HTTPS server with a short-lived self-signed certificate (rcgen), open and closed TCP
//! ports, a real DNS server (Debian's dnsmasq on a free port) and ICMP to 127.0.0.1 (the
//! method that works here, and the TCP fallback forced). API scoping and validation too.
use crate::support::{Api, Server, free_port};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn agent_bin() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_onestop"))
        .parent()
        .unwrap()
        .to_path_buf();
    let bin = dir.join("onestop-agent");
    if !bin.exists() {
        let ok = Command::new(env!("CARGO"))
            .args(["build", "-p", "onestop-agent", "--bin", "onestop-agent"])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
    bin
}

async fn wait_for<F, Fut>(what: &str, secs: u64, mut f: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<Value>>,
{
    let t0 = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The newest point of `name` (with `labels`, e.g. `check=web`) of a host, if any.
async fn last_point(api: &Api, host: &str, name: &str, labels: &str) -> Option<f64> {
    let from = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 600_000;
    let (st, v) = api
        .get(&format!(
            "/hosts/{host}/series?name={name}&labels={labels}&from={from}&step=1s&agg=last"
        ))
        .await;
    assert_eq!(st, 200, "{v}");
    let pts = v["series"].as_array()?.first()?["points"]
        .as_array()?
        .clone();
    pts.last().and_then(|p| p[1].as_f64())
}

async fn setup(server: &Server) -> (Api, String, String) {
    let api = Api::new(server, server.admin_token());
    let (st, c) = api.post("/customers", json!({"name": "Probe Co"})).await;
    assert_eq!(st, 201, "{c}");
    let cid = c["id"].as_str().unwrap().to_string();
    let (st, a) = api
        .post(
            &format!("/customers/{cid}/assets"),
            json!({"name": "web1", "kind": "server"}),
        )
        .await;
    assert_eq!(st, 201, "{a}");
    (api, cid, a["id"].as_str().unwrap().to_string())
}

async fn check_state(api: &Api, id: &str, runs_ok: Option<bool>) -> Value {
    wait_for("a check result", 30, || async {
        let (_, c) = api.get(&format!("/checks/{id}")).await;
        let last = &c["last"];
        match runs_ok {
            _ if last.is_null() => None,
            Some(ok) if last["ok"] != json!(ok) => None,
            _ => Some(c.clone()),
        }
    })
    .await
}

const FAST: &[(&str, &str)] = &[("ONESTOP_MONITOR_COMPACT_SECS", "1")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrape_an_agent_endpoint_into_a_host() {
    let server = Server::start_env(FAST);
    let (api, cid, host) = setup(&server).await;
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../agent/tests/fixtures/host1");
    let port = free_port();
    let _agent = Kill(
        Command::new(agent_bin())
            .arg("--proc-root")
            .arg(fixtures.join("proc"))
            .arg("--sys-root")
            .arg(fixtures.join("sys"))
            .args(["--no-smart", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("http://127.0.0.1:{port}/metrics");
    let (st, t) = api
        .post("/scrape-targets", json!({"host_id": host, "url": url, "interval_secs": 1, "labels": {"job": "node"}, "auth_kind": "bearer", "auth_secret": "s3cret-token"}))
        .await;
    assert_eq!(st, 201, "{t}");
    assert_eq!(t["has_secret"], true);
    assert!(
        !t.to_string().contains("s3cret-token"),
        "the secret is never shown: {t}"
    );
    // The host is now a monitored host, and the agent's series arrive through the scrape.
    let (st, h) = api.get(&format!("/hosts/{host}")).await;
    assert_eq!(
        (st.as_u16(), h["customer_id"].as_str()),
        (200, Some(cid.as_str())),
        "{h}"
    );
    let load = wait_for("node_load1 scraped", 40, || async {
        last_point(&api, &host, "node_load1", "job=node")
            .await
            .map(|v| json!(v))
    })
    .await;
    let want: f64 = std::fs::read_to_string(fixtures.join("proc/loadavg"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(load.as_f64().unwrap(), want);
    let inst = format!("instance=127.0.0.1:{port}");
    assert_eq!(last_point(&api, &host, "up", &inst).await, Some(1.0));
    assert!(
        last_point(&api, &host, "scrape_duration_seconds", &inst)
            .await
            .unwrap()
            > 0.0
    );
    let (_, cpu) = api
        .get(&format!(
            "/hosts/{host}/series?name=node_cpu_seconds_total&step=1s&agg=last&labels=mode=idle"
        ))
        .await;
    assert!(!cpu["series"].as_array().unwrap().is_empty(), "{cpu}");
    let (_, t) = api
        .get(&format!("/scrape-targets/{}", t["id"].as_str().unwrap()))
        .await;
    assert_eq!(t["last"]["ok"], true, "{t}");
    assert!(t["last_samples"].as_i64().unwrap() > 50, "{t}");
    // A target that does not answer: up = 0.
    let dead = free_port();
    let (st, d) = api
        .post("/scrape-targets", json!({"host_id": host, "url": format!("http://127.0.0.1:{dead}/metrics"), "interval_secs": 1, "timeout_ms": 500}))
        .await;
    assert_eq!(st, 201, "{d}");
    wait_for("up = 0 for the dead target", 30, || async {
        let v = last_point(&api, &host, "up", &format!("instance=127.0.0.1:{dead}")).await;
        (v == Some(0.0)).then_some(json!(0))
    })
    .await;
    // Bad input is a 4xx JSON error.
    for bad in [
        json!({"host_id": host, "url": "ftp://x/metrics"}),
        json!({"host_id": host, "url": url, "labels": {"__name__": "x"}}),
        json!({"host_id": host, "url": url, "auth_kind": "basic"}),
        json!({"host_id": host, "url": url, "interval_secs": 0}),
    ] {
        let (st, e) = api.post("/scrape-targets", bad.clone()).await;
        assert_eq!(st, 422, "{bad} → {e}");
        assert!(e["error"]["code"].is_string(), "{e}");
    }
    let (st, _) = api
        .post("/scrape-targets", json!({"host_id": "nope", "url": url}))
        .await;
    assert_eq!(st, 404);
}

/// An HTTPS server on 127.0.0.1 with a self-signed certificate for `localhost` expiring at
/// `not_after` (Unix seconds), answering every request with `body`.
async fn https_server(not_after: i64, body: &'static str) -> u16 {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
    params.not_before = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    params.not_after = time::OffsetDateTime::from_unix_timestamp(not_after).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(resp.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn dnsmasq(dir: &Path, port: u16) -> Kill {
    Kill(
        Command::new("dnsmasq")
            .args([
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
                "--bind-interfaces",
                "--listen-address=127.0.0.1",
                &format!("--port={port}"),
                "--address=/probe.test/192.0.2.7",
                "--txt-record=probe.test,hello probes",
                "--user=root",
            ])
            .arg(format!("--pid-file={}", dir.join("dnsmasq.pid").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dnsmasq (Debian package dnsmasq-base) must be installed"),
    )
}

async fn add_check(api: &Api, host: &str, body: Value) -> String {
    let mut body = body;
    body["host_id"] = json!(host);
    body["interval_secs"] = json!(1);
    body["timeout_ms"] = json!(2000);
    let (st, c) = api.post("/checks", body).await;
    assert_eq!(st, 201, "{c}");
    c["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_checks_store_blackbox_series_and_raise_one_event() {
    let server = Server::start_env(FAST);
    let (api, cid, host) = setup(&server).await;
    let tmp = tempfile::tempdir().unwrap();
    let expiry = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 60
        + 3 * 24 * 60)
        * 60;
    let https = https_server(expiry, "<html>status: all good</html>").await;
    let dns_port = free_port();
    let _dns = dnsmasq(tmp.path(), dns_port);
    let url = format!("https://localhost:{https}/health");
    let web = add_check(&api, &host, json!({"name": "web", "kind": "http", "target": url, "params": {"insecure": true, "body_regex": "all good"}})).await;
    let body_bad = add_check(&api, &host, json!({"name": "web-body", "kind": "http", "target": url, "params": {"insecure": true, "body_regex": "^nope$"}})).await;
    let verified = add_check(
        &api,
        &host,
        json!({"name": "web-verified", "kind": "http", "target": url}),
    )
    .await;
    let open = add_check(
        &api,
        &host,
        json!({"name": "tcp-open", "kind": "tcp", "target": format!("127.0.0.1:{https}")}),
    )
    .await;
    let closed = add_check(&api, &host, json!({"name": "tcp-closed", "kind": "tcp", "target": format!("127.0.0.1:{}", free_port())})).await;
    let server_addr = format!("127.0.0.1:{dns_port}");
    let dns_a = add_check(&api, &host, json!({"name": "dns-a", "kind": "dns", "target": "probe.test", "params": {"server": server_addr, "expect": "192.0.2.7"}})).await;
    let dns_txt = add_check(&api, &host, json!({"name": "dns-txt", "kind": "dns", "target": "probe.test", "params": {"server": server_addr, "record_type": "TXT", "expect": "hello probes"}})).await;
    let dns_wrong = add_check(&api, &host, json!({"name": "dns-wrong", "kind": "dns", "target": "probe.test", "params": {"server": server_addr, "expect": "192.0.2.8"}})).await;
    let ping = add_check(
        &api,
        &host,
        json!({"name": "ping", "kind": "icmp", "target": "127.0.0.1"}),
    )
    .await;
    let ping_tcp = add_check(&api, &host, json!({"name": "ping-tcp", "kind": "icmp", "target": "127.0.0.1", "params": {"icmp_mode": "tcp", "tcp_port": https}})).await;

    let c = check_state(&api, &web, Some(true)).await;
    assert!(
        c["last"]["message"].as_str().unwrap().contains("200"),
        "{c}"
    );
    for (id, ok) in [
        (&open, true),
        (&closed, false),
        (&body_bad, false),
        (&verified, false),
        (&dns_a, true),
        (&dns_txt, true),
        (&dns_wrong, false),
    ] {
        let c = check_state(&api, id, Some(ok)).await;
        assert_eq!(c["last"]["ok"], ok, "{c}");
    }
    let c = check_state(&api, &ping, Some(true)).await;
    let method = c["last"]["method"].as_str().unwrap().to_string();
    assert!(method == "icmp-dgram" || method == "icmp-raw", "{c}");
    let c = check_state(&api, &ping_tcp, Some(true)).await;
    assert_eq!(c["last"]["method"], "tcp", "{c}");

    // Series with blackbox_exporter's names and the check label.
    let point = |name: &'static str, check: &'static str| {
        let (api, host) = (api.clone(), host.clone());
        async move {
            wait_for(&format!("{name} of {check}"), 30, || async {
                last_point(&api, &host, name, &format!("check={check}"))
                    .await
                    .map(|v| json!(v))
            })
            .await
            .as_f64()
            .unwrap()
        }
    };
    assert_eq!(point("probe_success", "web").await, 1.0);
    assert_eq!(point("probe_http_status_code", "web").await, 200.0);
    assert_eq!(
        point("probe_ssl_earliest_cert_expiry", "web").await,
        expiry as f64
    );
    assert!(point("probe_duration_seconds", "web").await > 0.0);
    assert_eq!(point("probe_success", "web-body").await, 0.0);
    assert_eq!(point("probe_success", "tcp-closed").await, 0.0);
    assert_eq!(point("probe_success", "tcp-open").await, 1.0);
    assert_eq!(point("probe_dns_answers", "dns-a").await, 1.0);
    assert_eq!(point("probe_success", "ping").await, 1.0);

    // Failing for several runs, one event each (raised on the change to failing).
    tokio::time::sleep(Duration::from_secs(3)).await;
    for id in [&body_bad, &closed, &verified] {
        let (st, ev) = api.get(&format!("/checks/{id}/events")).await;
        assert_eq!(st, 200);
        let ev = ev.as_array().unwrap();
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert_eq!(
            (ev[0]["source"].as_str(), ev[0]["customer_id"].as_str()),
            (Some("check"), Some(cid.as_str()))
        );
    }
    let (_, ev) = api.get(&format!("/checks/{web}/events")).await;
    assert_eq!(ev, json!([]));

    // Staff change, customers read their own; changes are audited; bad input is a 4xx.
    let (st, u) = api.post("/users", json!({"username": "probe-user", "role": "customer", "customer_id": cid, "password": "pw-probe-user-1"})).await;
    assert_eq!(st, 201, "{u}");
    let (code, tok, err) = server.cli(
        &["admin", "token", "create", "--username", "probe-user"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let cust = Api::new(&server, tok.trim().to_string());
    let (st, list) = cust.get(&format!("/checks?host_id={host}")).await;
    assert_eq!((st.as_u16(), list.as_array().unwrap().len()), (200, 10));
    let (st, e) = cust
        .post(
            "/checks",
            json!({"host_id": host, "name": "x", "kind": "tcp", "target": "a:1"}),
        )
        .await;
    assert_eq!(st, 403, "{e}");
    let (st, c) = api
        .patch(&format!("/checks/{closed}"), json!({"enabled": false}))
        .await;
    assert_eq!((st.as_u16(), &c["enabled"]), (200, &json!(false)));
    let (st, _) = api
        .send(
            reqwest::Method::DELETE,
            &format!("/checks/{dns_wrong}"),
            None,
        )
        .await;
    assert_eq!(st, 204);
    let (_, audit) = api.get("/audit?entity=check").await;
    let actions: Vec<_> = audit["items"]
        .as_array()
        .or(audit.as_array())
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in ["check.create", "check.update", "check.delete"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    for bad in [
        json!({"host_id": host, "name": "b", "kind": "tcp", "target": "no-port"}),
        json!({"host_id": host, "name": "b", "kind": "smtp", "target": "a:25"}),
        json!({"host_id": host, "name": "b", "kind": "http", "target": "https://x/", "params": {"body_regex": "("}}),
        json!({"host_id": host, "name": "b", "kind": "dns", "target": "x", "params": {"record_type": "BOGUS"}}),
        json!({"host_id": host, "name": "b", "kind": "tcp", "target": "a:1", "timeout_ms": 1}),
    ] {
        let (st, e) = api.post("/checks", bad.clone()).await;
        assert_eq!(st, 422, "{bad} → {e}");
    }
    let (st, _) = api
        .post(
            "/checks",
            json!({"host_id": host, "name": "web", "kind": "tcp", "target": "a:1"}),
        )
        .await;
    assert_eq!(st, 409, "a second check of the same name on one host");
}
