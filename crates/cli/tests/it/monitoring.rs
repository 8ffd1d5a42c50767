//! Remote monitoring end to end with real processes: `onestop serve`, `onestop admin
//! enrollment-token create`, `onestop-agent enroll` and `onestop-agent run` at a one-second
//! interval; series through the API; a server killed (SIGKILL) and restarted while the agent
//! spools, after which every sample is there exactly once; a threshold crossing that opens
//! exactly one incident, which recovery resolves.
use crate::support::{Server, free_port};
use reqwest::Client;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The agent binary next to `onestop`, built when missing (`cargo test -p onestop-cli`).
fn agent_bin() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_onestop"))
        .parent()
        .unwrap()
        .to_path_buf();
    let bin = dir.join("onestop-agent");
    if !bin.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "onestop-agent", "--bin", "onestop-agent"])
            .status()
            .expect("cargo build onestop-agent");
        assert!(status.success());
    }
    bin
}

const FAST: &[(&str, &str)] = &[
    ("ONESTOP_MONITOR_COMPACT_SECS", "1"),
    ("ONESTOP_MONITOR_ALERT_SECS", "1"),
    ("ONESTOP_MONITOR_DOWN_SECS", "5"),
];

struct Api {
    c: Client,
    base: String,
    token: String,
}

impl Api {
    async fn get(&self, path: &str) -> Value {
        let r = self
            .c
            .get(format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.unwrap()
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .c
            .post(format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }
}

async fn wait_until<F, Fut>(what: &str, secs: u64, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let t0 = Instant::now();
    while !f().await {
        assert!(
            t0.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn run_agent(proc_root: &Path, sys_root: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(agent_bin());
    c.arg("--proc-root")
        .arg(proc_root)
        .arg("--sys-root")
        .arg(sys_root)
        .arg("--no-smart")
        .args(args);
    c
}

struct Agent(Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn set_load(proc_root: &Path, load: f64) {
    std::fs::write(
        proc_root.join("loadavg"),
        format!("{load:.2} 0.41 0.33 2/345 41312\n"),
    )
    .unwrap();
}

/// `node_load1` points of the host over the last `span_ms`, one per second.
async fn load_points(api: &Api, host: &str, from: i64, to: i64) -> Vec<(i64, f64)> {
    let v = api
        .get(&format!(
            "/hosts/{host}/series?name=node_load1&from={from}&to={to}&step=1s&agg=last"
        ))
        .await;
    let Some(s) = v["series"].as_array().and_then(|a| a.first()) else {
        return vec![];
    };
    s["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_i64().unwrap(), p[1].as_f64().unwrap()))
        .collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_ships_through_an_outage_and_a_threshold_opens_one_incident() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let port = free_port();
    let mut server = Server::start_on(&data, None, port, FAST);
    let api = Api {
        c: Client::new(),
        base: server.base.clone(),
        token: server.admin_token(),
    };
    let (code, cust) = api.post("/customers", json!({"name": "Acme"})).await;
    assert_eq!(code, 201, "{cust}");
    let customer = cust["id"].as_str().unwrap().to_string();
    // The enrolment token, alone on stdout.
    let (code, out, err) = server.cli(
        &[
            "admin",
            "enrollment-token",
            "create",
            "--customer",
            &customer,
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1);
    let token = out.trim().to_string();
    let (code, _, err) = server.cli(
        &["admin", "enrollment-token", "create", "--customer", "nope"],
        None,
    );
    assert_ne!(code, 0);
    assert!(err.contains("no customer"), "{err}");
    // A rule on the load, with hysteresis.
    let (code, rule) = api
        .post(
            "/alert-rules",
            json!({"name": "Test load", "severity": "critical", "spec": {"kind": "threshold", "signal": "metric",
                   "metric": "node_load1", "agg": "last", "threshold": 50, "recover": 10, "for_secs": 2, "window_secs": 10}}),
        )
        .await;
    assert_eq!(code, 201, "{rule}");
    let (code, bad) = api
        .post(
            "/alert-rules",
            json!({"name": "x", "spec": {"kind": "sometimes"}}),
        )
        .await;
    assert_eq!(code, 422, "{bad}");
    // A host of recorded /proc and /sys trees whose load the test controls.
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../agent/tests/fixtures/host1");
    let host_root = tmp.path().join("host1");
    assert!(
        Command::new("cp")
            .arg("-a")
            .arg(&fixtures)
            .arg(&host_root)
            .status()
            .unwrap()
            .success()
    );
    let (proc_root, sys_root) = (host_root.join("proc"), host_root.join("sys"));
    set_load(&proc_root, 0.5);
    let state = tmp.path().join("agent-state");
    let out = run_agent(
        &proc_root,
        &sys_root,
        &[
            "enroll",
            "--server",
            &server.base,
            "--token",
            &token,
            "--state-dir",
        ],
    )
    .arg(&state)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = std::fs::metadata(state.join("credential.json")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o600
    );
    // The token is used up.
    let again = run_agent(
        &proc_root,
        &sys_root,
        &[
            "enroll",
            "--server",
            &server.base,
            "--token",
            &token,
            "--state-dir",
        ],
    )
    .arg(tmp.path().join("other-state"))
    .output()
    .unwrap();
    assert!(!again.status.success());
    // Agent endpoints answer callers' mistakes with 4xx JSON errors.
    let cred: Value =
        serde_json::from_slice(&std::fs::read(state.join("credential.json")).unwrap()).unwrap();
    let batches = format!("{}/api/v1/agent/batches", server.base);
    let cases = [
        (None, b"x".to_vec(), 401),
        (Some("osa_bogus"), b"x".to_vec(), 401),
        (cred["credential"].as_str(), b"not gzip".to_vec(), 400),
    ];
    for (bearer, body, want) in cases {
        let mut r = api
            .c
            .post(&batches)
            .header("content-encoding", "gzip")
            .body(body);
        if let Some(b) = bearer {
            r = r.bearer_auth(b);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status().as_u16(), want);
        let v: Value = r.json().await.unwrap();
        assert!(v["error"]["code"].is_string(), "{v}");
    }
    let enroll = format!("{}/api/v1/agent/enroll", server.base);
    let r = api
        .c
        .post(&enroll)
        .json(
            &json!({"version": 1, "token": "ose_x", "hostname": "h", "machine_id": "m", "os": {}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = api
        .c
        .post(&enroll)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // The host is an asset of the customer's register.
    let hosts = api.get("/hosts").await;
    assert_eq!(hosts.as_array().unwrap().len(), 1);
    let host = hosts[0]["id"].as_str().unwrap().to_string();
    let asset = api.get(&format!("/assets/{host}")).await;
    assert_eq!(
        (asset["kind"].as_str(), asset["customer_id"].as_str()),
        (Some("server"), Some(customer.as_str()))
    );
    assert_eq!(hosts[0]["status"], "never");

    let config = tmp.path().join("agent.toml");
    std::fs::write(
        &config,
        "interval_secs = 1\nsmart_disabled = true\n[spool]\nreplay_per_second = 50.0\n",
    )
    .unwrap();
    let t_start = now_ms();
    let _agent = Agent(
        run_agent(&proc_root, &sys_root, &["run", "--config"])
            .arg(&config)
            .arg("--state-dir")
            .arg(&state)
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Live series through the API.
    wait_until("series", 30, || async {
        load_points(&api, &host, t_start - 2000, now_ms())
            .await
            .len()
            >= 3
    })
    .await;
    let hosts = api.get("/hosts").await;
    assert_eq!(hosts[0]["status"], "up");
    let listed = api.get(&format!("/hosts/{host}/series")).await;
    assert!(
        listed["available"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "node_cpu_seconds_total")
    );
    let rate = api
        .get(&format!(
            "/hosts/{host}/series?name=node_cpu_seconds_total&step=5s&labels=cpu=0,mode=idle"
        ))
        .await;
    assert_eq!(rate["series"].as_array().unwrap().len(), 1);
    assert_eq!(rate["series"][0]["agg"], "rate");
    // Bad queries are 4xx JSON errors.
    for q in [
        "step=0s",
        "step=1ms&from=0",
        "from=yesterday",
        "agg=median",
        "labels=novalue",
    ] {
        let r = api
            .c
            .get(format!(
                "{}/api/v1/hosts/{host}/series?name=node_load1&{q}",
                api.base
            ))
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{q}: {}", r.status());
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["code"].is_string(), "{q}: {body}");
    }

    // Outage: the server is killed (SIGKILL) and comes back on the same port 6 s later.
    drop(server);
    let down_at = now_ms();
    tokio::time::sleep(Duration::from_secs(6)).await;
    server = Server::start_on(&data, None, port, FAST);
    let up_at = now_ms();
    // Wait for the spooled samples, then for two more.
    wait_until("replay", 60, || async {
        load_points(&api, &host, t_start - 2000, now_ms())
            .await
            .iter()
            .any(|p| p.0 > up_at + 2000)
    })
    .await;
    let pts = load_points(&api, &host, t_start - 2000, now_ms()).await;
    let ts: Vec<i64> = pts.iter().map(|p| p.0).collect();
    assert!(ts.windows(2).all(|w| w[1] > w[0]));
    let outage: Vec<&i64> = ts.iter().filter(|t| **t > down_at && **t < up_at).collect();
    assert!(
        outage.len() >= 4,
        "samples taken during the outage arrived: {outage:?}"
    );
    assert!(
        ts.windows(2).all(|w| w[1] - w[0] <= 1000),
        "no sample lost: {ts:?}"
    );
    // Exactly once: one stored sample per batch, batches numbered without gaps.
    let h = &api.get(&format!("/hosts/{host}")).await;
    let last_seq = h["last_seq"].as_i64().unwrap();
    let raw = api
        .get(&format!(
            "/hosts/{host}/series?name=node_load1&from={}&to={}&step=1s&agg=sum",
            ts[0] - 1000,
            ts[ts.len() - 1]
        ))
        .await;
    let sums: Vec<f64> = raw["series"][0]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_f64().unwrap())
        .collect();
    assert!(
        sums.iter().all(|v| (*v - 0.5).abs() < 1e-9),
        "one sample per second, none twice: {sums:?}"
    );
    assert!(
        last_seq >= ts.len() as i64,
        "seq {last_seq} vs {} samples",
        ts.len()
    );

    // A threshold crossing opens exactly one incident; recovery resolves it.
    set_load(&proc_root, 99.0);
    let incidents = || async {
        let t = api.get("/tickets?q=Test%20load").await;
        t["items"].as_array().unwrap().clone()
    };
    wait_until("incident", 30, || async { !incidents().await.is_empty() }).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let open = incidents().await;
    assert_eq!(open.len(), 1, "exactly one incident: {open:?}");
    assert_eq!(
        (
            open[0]["channel"].as_str(),
            open[0]["impact"].as_str(),
            open[0]["urgency"].as_str()
        ),
        (Some("monitoring"), Some("critical"), Some("high"))
    );
    let firing = api.get("/alerts?state=firing").await;
    assert!(
        firing
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["rule_name"] == "Test load" && a["ticket_id"] == open[0]["id"])
    );
    // Between the thresholds nothing changes; below the recovery value the incident resolves.
    set_load(&proc_root, 30.0);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let id = open[0]["id"].as_str().unwrap().to_string();
    assert_eq!(api.get(&format!("/tickets/{id}")).await["status"], "new");
    set_load(&proc_root, 1.0);
    wait_until("resolution", 30, || async {
        api.get(&format!("/tickets/{id}")).await["status"] == "resolved"
    })
    .await;
    assert_eq!(incidents().await.len(), 1);
    // A maintenance window on the host silences it: the same crossing opens nothing while it
    // lasts, and the samples are still stored (collect defaults to true).
    let (code, w) = api
        .post(
            "/maintenance-windows",
            json!({"customer_id": customer, "host_id": host, "starts_at": now_ms() - 1000,
                   "ends_at": now_ms() + 3_600_000, "reason": "disk swap"}),
        )
        .await;
    assert_eq!(code, 201, "{w}");
    set_load(&proc_root, 99.0);
    let from = now_ms();
    wait_until("samples during maintenance", 30, || async {
        load_points(&api, &host, from, now_ms())
            .await
            .iter()
            .any(|(_, v)| *v > 90.0)
    })
    .await;
    // Longer than the crossing took to open the first incident.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let after = incidents().await;
    assert_eq!(after.len(), 1, "maintenance silenced the alert: {after:?}");
    assert_eq!(
        api.get(&format!("/tickets/{id}")).await["status"],
        "resolved"
    );
    set_load(&proc_root, 1.0);
    // The host page draws its charts without JavaScript.
    let page = api
        .c
        .get(format!("{}/hosts/{host}?range=15m", api.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<svg") && html.contains("<polyline") && !html.contains("<script"),
        "host page"
    );
    drop(server);
}
