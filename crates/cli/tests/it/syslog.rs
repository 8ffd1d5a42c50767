//! Syslog reception end to end: util-linux `logger` over UDP and TCP (RFC 5424 and 3164,
//! octet counting and LF), rsyslog forwarding with omfwd, routing to a registered host,
//! the log API, a clean shutdown that keeps everything read, and templates across restarts.
use crate::support::{free_port, http_status, run_cli};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Api {
    c: Client,
    base: String,
    token: String,
}

impl Api {
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self
            .c
            .get(format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .c
            .post(format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }
    /// Poll `/logs?…` until `want` messages match (or 30 s pass); the items.
    async fn wait_logs(&self, query: &str, want: usize) -> Vec<Value> {
        let t0 = Instant::now();
        loop {
            let (st, v) = self.get(&format!("/logs?limit=1000&{query}")).await;
            assert_eq!(st, 200, "{v}");
            let items = v["items"].as_array().unwrap().clone();
            if items.len() >= want || t0.elapsed() > Duration::from_secs(30) {
                return items;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A child process killed when the test ends, however it ends.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `onestop serve` with syslog listeners; stderr goes to `<dir>/server.log`.
fn serve(dir: &Path, extra: &[String]) -> (Proc, String) {
    let port = free_port();
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let child = Command::new(crate::support::bin())
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.join("data"))
        .args(extra)
        .env("ONESTOP_LOG", "info")
        .env("ONESTOP_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let t0 = Instant::now();
    while http_status(&base, "/readyz") != Some(200) {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (Proc(child), base)
}

fn db_args(dir: &Path) -> Vec<String> {
    vec!["--data-dir".into(), dir.join("data").display().to_string()]
}

fn token(dir: &Path, user: &str) -> String {
    let (code, out, err) = run_cli(
        &["admin", "token", "create", "--username", user],
        &db_args(dir),
        None,
    );
    assert_eq!(code, 0, "{err}");
    out.trim().to_string()
}

fn logger(args: &[&str]) {
    let out = Command::new("logger")
        .args(args)
        .output()
        .expect("util-linux logger");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

fn stop(p: &mut Proc) {
    let child = &mut p.0;
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let t0 = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "server did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// rsyslogd in the foreground with its own config: receives on UDP `input`, forwards every
/// message to the server twice: TCP octet-counted RFC 5424, and TCP LF-framed traditional.
fn rsyslog(dir: &Path, input: u16, tcp: u16) -> Proc {
    let work = dir.join("rsyslog");
    std::fs::create_dir_all(&work).unwrap();
    let conf = work.join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            r#"global(workDirectory="{w}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{input}")
*.* action(type="omfwd" target="127.0.0.1" port="{tcp}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
*.* action(type="omfwd" target="127.0.0.1" port="{tcp}" protocol="tcp" template="RSYSLOG_ForwardFormat")
"#,
            w = work.display()
        ),
    )
    .unwrap();
    let child = Command::new("rsyslogd")
        .args(["-n", "-f"])
        .arg(&conf)
        .arg("-i")
        .arg(work.join("rsyslogd.pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rsyslogd (apt-get install rsyslog)");
    std::thread::sleep(Duration::from_millis(500));
    Proc(child)
}

#[tokio::test]
async fn logger_and_rsyslog_deliver_routed_and_searchable() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (udp, tcp) = (free_port(), free_port());
    let extra: Vec<String> = vec![
        "--syslog-udp".into(),
        format!("127.0.0.1:{udp}"),
        "--syslog-tcp".into(),
        format!("127.0.0.1:{tcp}"),
    ];
    let (mut child, base) = serve(dir, &extra);
    let api = Api {
        c: Client::new(),
        base: base.clone(),
        token: token(dir, "admin"),
    };
    // The host is registered under this machine's name: routing by the hostname logger writes.
    let (_, cust) = api.post("/customers", json!({"name": "Acme"})).await;
    let cid = cust["id"].as_str().unwrap().to_string();
    let (st, host) = api
        .post(
            &format!("/customers/{cid}/assets"),
            json!({"name": this_host(), "kind": "server"}),
        )
        .await;
    assert_eq!(st, 201, "{host}");
    let hid = host["id"].as_str().unwrap().to_string();
    let (_, other) = api.post("/customers", json!({"name": "Globex"})).await;
    let oid = other["id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(2500)).await; // the router's register check

    let (u, t) = (udp.to_string(), tcp.to_string());
    logger(&[
        "--server",
        "127.0.0.1",
        "--port",
        &u,
        "--udp",
        "--rfc5424",
        "-t",
        "app1",
        "udp5424 hello one",
    ]);
    logger(&[
        "--server",
        "127.0.0.1",
        "--port",
        &u,
        "--udp",
        "--rfc3164",
        "-t",
        "app2",
        "udp3164 hello two",
    ]);
    logger(&[
        "--server",
        "127.0.0.1",
        "--port",
        &t,
        "--tcp",
        "--rfc5424",
        "--octet-count",
        "-t",
        "app3",
        "tcp5424 octet three",
    ]);
    logger(&[
        "--server",
        "127.0.0.1",
        "--port",
        &t,
        "--tcp",
        "--rfc3164",
        "-t",
        "app4",
        "tcp3164 lf four",
    ]);
    logger(&[
        "--server",
        "127.0.0.1",
        "--port",
        &t,
        "--tcp",
        "-p",
        "kern.err",
        "-t",
        "kernel",
        "EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0",
    ]);
    let items = api.wait_logs(&format!("host={hid}"), 5).await;
    assert_eq!(items.len(), 5, "{items:?}");
    for (text, program) in [
        ("udp5424 hello one", "app1"),
        ("udp3164 hello two", "app2"),
        ("tcp5424 octet three", "app3"),
        ("tcp3164 lf four", "app4"),
    ] {
        let m = items
            .iter()
            .find(|m| m["message"] == text)
            .unwrap_or_else(|| panic!("{text} missing: {items:?}"));
        assert_eq!(m["program"], program);
        assert_eq!(m["customer_id"], cid.as_str());
        assert_eq!(m["severity"], "notice");
    }
    // The rule file raises nothing above the syslog severity here, but the kernel error is
    // an error and matched the filesystem rule.
    let (_, v) = api.get(&format!("/logs?host={hid}&severity=error")).await;
    let errs = v["items"].as_array().unwrap();
    assert_eq!(errs.len(), 1, "{v}");
    assert!(
        errs[0]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("ext4") || r.as_str().unwrap().contains("fs")),
        "{v}"
    );

    // rsyslog forwards to the server (octet-counted RFC 5424 and LF-framed traditional).
    let rs_in = free_port();
    let _rs = rsyslog(dir, rs_in, tcp);
    for i in 0..20 {
        logger(&[
            "--server",
            "127.0.0.1",
            "--port",
            &rs_in.to_string(),
            "--udp",
            "--rfc3164",
            "-t",
            "relay",
            &format!("via rsyslog number {i}"),
        ]);
    }
    let relayed = api
        .wait_logs(&format!("host={hid}&program=relay"), 40)
        .await;
    assert_eq!(
        relayed.len(),
        40,
        "each of 20 messages over both forwarding actions"
    );
    for i in 0..20 {
        let text = format!("via rsyslog number {i}");
        let n = relayed
            .iter()
            .filter(|m| m["message"] == text.as_str())
            .count();
        assert_eq!(n, 2, "{text}: {relayed:#?}");
    }
    // One template for the 40 relayed messages, with its count.
    let (st, tpls) = api.get(&format!("/log-templates?host={hid}")).await;
    assert_eq!(st, 200);
    let relay_t = tpls
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["template"] == "via rsyslog number <*>")
        .unwrap_or_else(|| panic!("{tpls}"));
    assert_eq!(relay_t["count"], 40);
    let tid = relay_t["id"].as_str().unwrap().to_string();
    let (_, v) = api
        .get(&format!("/logs?host={hid}&template={tid}&q=NUMBER%201"))
        .await;
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        2 * 11,
        "number 1 and 10-19, twice"
    );

    // The diagnosis report: a baseline of three hours with a few `backup` messages an hour,
    // then a spike of them in the last hour, the kernel error as a problem with its meaning.
    let now = chrono::Utc::now();
    let mut c = std::net::TcpStream::connect(("127.0.0.1", tcp)).unwrap();
    let host = this_host();
    for h in 1..=3 {
        for i in 0..2 {
            let at = (now - chrono::Duration::minutes(60 * h + 10 + i)).to_rfc3339();
            let msg = format!("<14>1 {at} {host} backup - - - backup chunk {i} written");
            write!(c, "{} {msg}", msg.len()).unwrap();
        }
    }
    for i in 0..30 {
        let at = (now - chrono::Duration::minutes(1 + i % 10)).to_rfc3339();
        let msg = format!("<14>1 {at} {host} backup - - - backup chunk {i} written");
        write!(c, "{} {msg}", msg.len()).unwrap();
    }
    drop(c);
    api.wait_logs(&format!("host={hid}&program=backup"), 36)
        .await;
    let from = (now - chrono::Duration::hours(1)).to_rfc3339();
    let to = (now + chrono::Duration::seconds(5)).to_rfc3339();
    let range = format!("from={}&to={}", urlenc(&from), urlenc(&to));
    let (st, rep) = api
        .get(&format!("/log-report?host={hid}&{range}&periods=3"))
        .await;
    assert_eq!(st, 200, "{rep}");
    let spike = rep["spikes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["template"] == "backup chunk <*> written")
        .unwrap_or_else(|| panic!("{rep:#}"));
    assert_eq!(spike["count"], 30);
    assert!(
        (spike["baseline_mean"].as_f64().unwrap() - 2.0).abs() < 1e-9,
        "{spike}"
    );
    let problem = rep["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["template"].as_str().unwrap().starts_with("EXT4-fs error"))
        .unwrap_or_else(|| panic!("{rep:#}"));
    assert_eq!(problem["severity"], "error");
    assert!(problem["meaning"].as_str().unwrap().len() > 20, "{problem}");
    assert_eq!(problem["examples"].as_array().unwrap().len(), 1);
    assert!(
        rep["new_templates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["template"] == "via rsyslog number <*>"),
        "{rep:#}"
    );
    assert_eq!(rep["top_talkers"][0]["name"], "relay", "{rep:#}");
    assert_eq!(rep["top_talkers"][0]["count"], 40);
    // The finding opens an incident carrying the messages.
    let (st, ticket) = api
        .post("/log-report/tickets", json!({"host": hid, "template": problem["id"], "from": from, "to": to, "impact": "high"}))
        .await;
    assert_eq!(st, 201, "{ticket}");
    assert!(
        ticket["number"].as_str().unwrap().starts_with("INC-"),
        "{ticket}"
    );
    assert!(
        ticket["description"]
            .as_str()
            .unwrap()
            .contains("ext4_find_entry"),
        "{ticket}"
    );
    assert_eq!(ticket["customer_id"], cid.as_str());
    let (st, v) = api
        .post(
            "/log-report/tickets",
            json!({"host": hid, "template": "E999"}),
        )
        .await;
    assert_eq!(st, 404, "{v}");
    let (st, v) = api
        .get(&format!(
            "/log-report?host={hid}&from=2026-02-01&to=2026-01-01"
        ))
        .await;
    assert_eq!(st, 422, "{v}");

    // The UI pages, signed in as admin, without JavaScript.
    let pw = std::fs::read_to_string(dir.join("data/initial-admin-password")).unwrap();
    let mut web = Web::sign_in(&base, "admin", pw.trim()).await;
    let (st, html, _) = web.get(&format!("/logs?host={hid}&q=hello")).await;
    assert_eq!(st, 200);
    assert!(
        html.contains("udp5424 hello one") && !html.contains("via rsyslog"),
        "{html}"
    );
    let (st, html, _) = web.get(&format!("/logs/templates?host={hid}")).await;
    assert_eq!(st, 200);
    assert!(
        html.contains("via rsyslog number &#60;*&#62;") && html.contains("<svg class=\"spark\""),
        "{html}"
    );
    let (st, html, _) = web
        .get(&format!("/logs/report?host={hid}&{range}&periods=3"))
        .await;
    assert_eq!(st, 200);
    assert!(
        html.contains("EXT4-fs error") && html.contains("backup chunk &#60;*&#62; written"),
        "{html}"
    );
    let csrf = hidden(&html, "_csrf");
    let (st, _, loc) = web
        .post(
            "/logs/report/ticket",
            &[
                ("_csrf", csrf.as_str()),
                ("host", hid.as_str()),
                ("template", problem["id"].as_str().unwrap()),
                ("from", &from),
                ("to", &to),
            ],
        )
        .await;
    assert_eq!(st, 303);
    let loc = loc.unwrap();
    assert!(loc.contains("opened=INC-"), "{loc}");
    let (_, html, _) = web.get(&loc).await;
    assert!(
        html.contains("class=\"flash\"") && html.contains("INC-"),
        "{html}"
    );
    assert_eq!(web.get("/logs?from=someday").await.0, 422);

    // A source no host matches is unrouted: staff see it, the customer does not.
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.send_to(
        b"<11>1 2026-01-01T00:00:00Z stranger app - - - who am i",
        ("127.0.0.1", udp),
    )
    .unwrap();
    let un = api.wait_logs("unrouted=true", 1).await;
    assert_eq!(un.len(), 1);
    assert_eq!(un[0]["hostname"], "stranger");
    assert_eq!(un[0]["customer_id"], Value::Null);
    let (code, _, err) = run_cli(
        &[
            "admin",
            "user",
            "create",
            "--username",
            "acme-bob",
            "--role",
            "customer",
            "--customer",
            &cid,
            "--password-stdin",
        ],
        &db_args(dir),
        Some("correct horse battery staple\n"),
    );
    assert_eq!(code, 0, "{err}");
    let bob = Api {
        c: Client::new(),
        base: base.clone(),
        token: token(dir, "acme-bob"),
    };
    let (_, v) = bob.get("/logs?limit=1000").await;
    let seen = v["items"].as_array().unwrap();
    assert_eq!(seen.len(), 5 + 40 + 36, "the host's messages");
    assert!(seen.iter().all(|m| m["customer_id"] == cid.as_str()));
    assert_eq!(bob.get("/logs?unrouted=true").await.0, 404);
    assert_eq!(bob.get(&format!("/logs?customer={oid}")).await.0, 404);
    // The pipeline's counters on /metrics: everything read was stored.
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "onestop_syslog_received_total 82",
        "onestop_syslog_stored_total 82",
        "onestop_syslog_lost_total 0",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in {metrics}");
    }
    // Bad input is a 4xx JSON error.
    for q in [
        "/logs?from=yesterday",
        "/logs?severity=loud",
        "/logs?limit=x",
        "/logs?bogus=1",
        "/log-templates?to=soon",
    ] {
        let (st, v) = api.get(q).await;
        assert!(st.is_client_error(), "{q}: {st}");
        assert!(v["error"]["code"].is_string(), "{q}: {v}");
    }
    stop(&mut child);
}

#[tokio::test]
async fn shutdown_keeps_what_was_read_and_templates_survive_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let tcp = free_port();
    let extra: Vec<String> = vec!["--syslog-tcp".into(), format!("127.0.0.1:{tcp}")];
    let (mut child, base) = serve(dir, &extra);
    let api = Api {
        c: Client::new(),
        base: base.clone(),
        token: token(dir, "admin"),
    };
    // Ids of a few templates before the restart.
    let mut c = std::net::TcpStream::connect(("127.0.0.1", tcp)).unwrap();
    for i in 0..50 {
        writeln!(
            c,
            "<14>Jan  1 00:00:00 gw sshd[1]: Accepted publickey for user{i} from 10.0.0.{i} port 22"
        )
        .unwrap();
        writeln!(
            c,
            "<11>Jan  1 00:00:00 gw nginx: upstream timed out after {i} ms"
        )
        .unwrap();
    }
    drop(c);
    let items = api.wait_logs("unrouted=true", 100).await;
    assert_eq!(items.len(), 100);
    let before = api.get("/log-templates?unrouted=true").await.1;
    assert_eq!(before.as_array().unwrap().len(), 2, "{before}");

    // A burst, the connection closed, and an immediate SIGTERM: whatever was read is stored.
    let n = 30_000;
    let mut c = std::net::TcpStream::connect(("127.0.0.1", tcp)).unwrap();
    let mut buf = Vec::new();
    for i in 0..n {
        let msg = format!("<13>1 2026-01-01T00:00:00Z gw burst - - - burst message {i}");
        buf.extend_from_slice(format!("{} {msg}", msg.len()).as_bytes());
    }
    c.write_all(&buf).unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    stop(&mut child);
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("syslog: ingest stopped"))
        .unwrap_or_else(|| panic!("{log}"));
    let fields: Value = serde_json::from_str::<Value>(line).unwrap()["fields"].clone();
    let (stored, received) = (
        fields["stored"].as_u64().unwrap() as usize,
        fields["received"].as_u64().unwrap() as usize,
    );
    assert_eq!(stored, received, "{line}");
    assert_eq!(fields["lost"], 0, "{line}");
    assert!(received > 100, "{line}");

    // Restart: everything read is there, and the old templates keep their ids.
    let (mut child, base) = serve(dir, &extra);
    let api = Api {
        c: Client::new(),
        base,
        token: token(dir, "admin"),
    };
    let (_, v) = api.get("/log-templates?unrouted=true").await;
    let count: i64 = v
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["count"].as_i64().unwrap())
        .sum();
    assert_eq!(count as usize, received - 100 + 100, "{v}");
    let mut c = std::net::TcpStream::connect(("127.0.0.1", tcp)).unwrap();
    writeln!(
        c,
        "<11>Jan  1 00:00:01 gw nginx: upstream timed out after 999 ms"
    )
    .unwrap();
    writeln!(
        c,
        "<14>Jan  1 00:00:01 gw sshd[1]: Accepted publickey for zed from 10.9.9.9 port 22"
    )
    .unwrap();
    drop(c);
    let items = api.wait_logs("unrouted=true&q=after%20999%20ms", 1).await;
    let old = |needle: &str| {
        before
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["template"].as_str().unwrap().contains(needle))
            .unwrap()["id"]
            .clone()
    };
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0]["template_id"],
        old("upstream"),
        "{before} {items:?}"
    );
    let items = api.wait_logs("unrouted=true&q=zed", 1).await;
    assert_eq!(items[0]["template_id"], old("Accepted"));
    stop(&mut child);
}

/// A crash (kill -9) leaves the miner lease to run out (30 s): the next server stores what
/// it receives unmined meanwhile, then takes the lease over and mines those rows with the
/// templates the crashed one stored.
#[tokio::test]
async fn after_a_crash_the_miner_lease_is_taken_over_and_rows_are_mined() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let tcp = free_port();
    let extra: Vec<String> = vec!["--syslog-tcp".into(), format!("127.0.0.1:{tcp}")];
    let send = |port: u16| {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", tcp)).unwrap();
        writeln!(
            c,
            "<14>Jan  1 00:00:00 gw sshd[1]: Accepted publickey for ann from 10.0.0.1 port {port}"
        )
        .unwrap();
    };
    let (mut child, base) = serve(dir, &extra);
    let api = Api {
        c: Client::new(),
        base,
        token: token(dir, "admin"),
    };
    send(22);
    let items = api.wait_logs("unrouted=true&q=ann", 1).await;
    let id = items[0]["template_id"].clone();
    assert_ne!(id, "E0", "{items:?}");
    child.0.kill().unwrap();
    child.0.wait().unwrap();

    let (_child, base) = serve(dir, &extra);
    let api = Api {
        c: Client::new(),
        base,
        token: token(dir, "admin"),
    };
    send(23);
    let t0 = Instant::now();
    loop {
        let items = api.wait_logs("unrouted=true&q=ann", 2).await;
        assert_eq!(items.len(), 2, "{items:?}");
        let new = items
            .iter()
            .find(|m| m["message"].as_str().unwrap().ends_with("port 23"))
            .unwrap();
        if new["template_id"] != "E0" {
            assert_eq!(new["template_id"], id);
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "never mined");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn tls_listener_accepts_rfc5425() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success());
    let port = free_port();
    let extra: Vec<String> = vec![
        "--syslog-tls".into(),
        format!("127.0.0.1:{port}"),
        "--syslog-tls-cert".into(),
        cert.display().to_string(),
        "--syslog-tls-key".into(),
        key.display().to_string(),
    ];
    let (mut child, base) = serve(dir, &extra);
    let api = Api {
        c: Client::new(),
        base,
        token: token(dir, "admin"),
    };
    // openssl s_client as the RFC 5425 sender: octet-counted frames over TLS.
    let mut frames = String::new();
    for i in 0..3 {
        let msg = format!("<10>1 2026-01-01T00:00:00Z fw01 pam - - - tls message {i}");
        frames.push_str(&format!("{} {msg}", msg.len()));
    }
    let mut s = Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-connect",
            &format!("127.0.0.1:{port}"),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    s.stdin
        .take()
        .unwrap()
        .write_all(frames.as_bytes())
        .unwrap();
    let items = api.wait_logs("unrouted=true&q=tls%20message", 3).await;
    let _ = s.kill();
    let _ = s.wait();
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(
        items
            .iter()
            .all(|m| m["severity"] == "critical" && m["program"] == "pam")
    );
    stop(&mut child);
}

fn urlenc(s: &str) -> String {
    s.replace(':', "%3A").replace('+', "%2B")
}

/// A browser without JavaScript: keeps cookies, follows nothing by itself.
struct Web {
    c: Client,
    base: String,
    cookies: Vec<String>,
}

impl Web {
    async fn sign_in(base: &str, user: &str, password: &str) -> Web {
        let c = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut w = Web {
            c,
            base: base.into(),
            cookies: vec![],
        };
        let (_, html, _) = w.get("/login").await;
        let csrf = hidden(&html, "_csrf");
        let (st, _, _) = w
            .post(
                "/login",
                &[("username", user), ("password", password), ("_csrf", &csrf)],
            )
            .await;
        assert_eq!(st, 303);
        w
    }
    fn keep(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all("set-cookie") {
            let kv = v.to_str().unwrap().split(';').next().unwrap().to_string();
            let name = kv.split('=').next().unwrap().to_string();
            self.cookies.retain(|c| !c.starts_with(&format!("{name}=")));
            self.cookies.push(kv);
        }
    }
    async fn get(&mut self, path: &str) -> (StatusCode, String, Option<String>) {
        let r = self
            .c
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookies.join("; "))
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (r.status(), r.text().await.unwrap(), loc)
    }
    async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let r = self
            .c
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookies.join("; "))
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (r.status(), r.text().await.unwrap(), loc)
    }
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}
