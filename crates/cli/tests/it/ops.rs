//! Agent checks, runbooks and the calendar end to end with real processes: an enrolled
//! `onestop-agent` runs its built-in checks on a fixture root and the results show at
//! `/api/v1/hosts/{id}/checks` and on the host page; a runbook is versioned, agreed and run
//! step by step inside an incident, every step on the ticket's timeline; the iCalendar feed
//! of a token parses with Python's `icalendar` and a strict checker, never shows another
//! customer's events, and is gone once revoked.
use crate::support::{Api, Server, free_port};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The agent binary, built from this checkout (so it has the checks under test).
fn agent_bin() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "-q",
            "-p",
            "onestop-agent",
            "--bin",
            "onestop-agent",
        ])
        .status()
        .expect("cargo build onestop-agent");
    assert!(status.success());
    Path::new(env!("CARGO_BIN_EXE_onestop"))
        .parent()
        .unwrap()
        .join("onestop-agent")
}

struct Agent(Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn id_of(api: &Api, path: &str, body: Value) -> String {
    let (st, v) = api.post(path, body).await;
    assert!(st.is_success(), "POST {path}: {st} {v}");
    v["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_checks_reach_the_host_api_and_page() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start_on(&tmp.path().join("data"), None, free_port(), &[]);
    let api = Api::new(&server, server.admin_token());
    let customer = id_of(&api, "/customers", json!({"name": "Acme"})).await;
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
    // The host's files: a second UID 0 account and root login allowed in an included file.
    let root = tmp.path().join("root");
    std::fs::create_dir_all(root.join("etc/ssh/sshd_config.d")).unwrap();
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(
        root.join("etc/ssh/sshd_config"),
        "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n",
    )
    .unwrap();
    std::fs::write(
        root.join("etc/ssh/sshd_config.d/50-local.conf"),
        "PermitRootLogin yes\n",
    )
    .unwrap();
    let config = tmp.path().join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "interval_secs = 1\n[logs]\nenabled = false\n[checks]\nroot = \"{}\"\ncommands = false\nwritable_paths = [\"/etc\"]\n",
            root.display()
        ),
    )
    .unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../agent/tests/fixtures/host1");
    let bin = agent_bin();
    let state = tmp.path().join("state");
    let enrolled = Command::new(&bin)
        .args([
            "enroll",
            "--server",
            &server.base,
            "--token",
            out.trim(),
            "--state-dir",
        ])
        .arg(&state)
        .output()
        .unwrap();
    assert!(
        enrolled.status.success(),
        "{}",
        String::from_utf8_lossy(&enrolled.stderr)
    );
    let cred: Value =
        serde_json::from_slice(&std::fs::read(state.join("credential.json")).unwrap_or_default())
            .unwrap_or(Value::Null);
    let _agent = Agent(
        Command::new(&bin)
            .arg("--proc-root")
            .arg(fixtures.join("proc"))
            .arg("--sys-root")
            .arg(fixtures.join("sys"))
            .arg("--no-smart")
            .args(["run", "--state-dir"])
            .arg(&state)
            .arg("--config")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let host = match cred["host_id"].as_str() {
        Some(h) => h.to_string(),
        None => {
            let (_, hosts) = api.get("/hosts").await;
            hosts[0]["id"].as_str().unwrap().to_string()
        }
    };
    let t0 = Instant::now();
    let checks = loop {
        let (st, v) = api.get(&format!("/hosts/{host}/checks")).await;
        assert_eq!(st, 200, "{v}");
        if v.as_array()
            .is_some_and(|a| a.len() == onestop_proto::CHECK_IDS.len())
        {
            break v;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no check results: {v}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let by_id = |id: &str| {
        checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check_id"] == id)
            .unwrap()
            .clone()
    };
    let uid0 = by_id("uid0_accounts");
    assert_eq!(
        (uid0["status"].as_str(), uid0["source"].as_str()),
        (Some("finding"), Some("/etc/passwd"))
    );
    assert_eq!(uid0["summary"], "UID 0 besides root: toor");
    assert_eq!(uid0["detail"]["uid0"], json!(["root", "toor"]));
    assert!(uid0["observed_at"].as_i64().unwrap() > 0);
    let sshd = by_id("sshd_config");
    assert_eq!(sshd["status"], "finding");
    assert_eq!(
        sshd["summary"],
        "PermitRootLogin yes, PasswordAuthentication no"
    );
    assert_eq!(by_id("pending_security_updates")["status"], "n/a");
    assert_eq!(by_id("world_writable")["status"], "ok");
    // The host page shows them with their evidence.
    let html = reqwest::Client::new()
        .get(format!("{}/hosts/{host}", server.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"host-checks\""), "{html}");
    assert!(html.contains("UID 0 besides root: toor") && html.contains("<code>/etc/passwd</code>"));
}

/// Write the feed to a file and run the strict checker and `icalendar` on it.
fn check_ical(dir: &Path, name: &str, body: &str) -> Value {
    let file = dir.join(name);
    std::fs::write(&file, body).unwrap();
    let python = if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let out = Command::new(python)
        .arg(crate::fixture("ical_check.py"))
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "ical_check: {}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runbook_run_in_an_incident_and_calendar_feeds() {
    runbooks_and_feeds(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runbook_run_and_calendar_feeds_on_postgres() {
    match crate::support::postgres_url() {
        Some(url) => runbooks_and_feeds(Some(&url)).await,
        None => eprintln!("ONESTOP_TEST_POSTGRES_URL not set: PostgreSQL leg not run"),
    }
}

async fn runbooks_and_feeds(database_url: Option<&str>) {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start_on(&tmp.path().join("data"), database_url, free_port(), &[]);
    let api = Api::new(&server, server.admin_token());
    let acme = id_of(&api, "/customers", json!({"name": "Acme"})).await;
    let globex = id_of(&api, "/customers", json!({"name": "Globex"})).await;
    let db = id_of(
        &api,
        &format!("/customers/{acme}/assets"),
        json!({"name": "db1", "kind": "server"}),
    )
    .await;

    // A runbook for the asset; a change is a new version; the customer agrees to v2.
    let steps = json!([
        {"text": "Stop the application", "expected": "no connections", "command": "systemctl stop app"},
        {"text": "Restart PostgreSQL", "expected": "pg_isready ok"}
    ]);
    let (st, v) = api
        .post(
            "/runbooks",
            json!({"customer_id": acme, "asset_id": db, "title": "DB recovery", "steps": []}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    assert!(
        v["error"]["code"].is_string() && v["error"]["message"].as_str().unwrap().contains("steps")
    );
    let rb = id_of(&api, "/runbooks", json!({"customer_id": acme, "asset_id": db, "service": "database", "title": "DB recovery", "steps": steps})).await;
    let mut more = steps.as_array().unwrap().clone();
    more.push(json!({"text": "Start the application", "expected": "HTTP 200"}));
    let (st, v) = api
        .send(
            reqwest::Method::PUT,
            &format!("/runbooks/{rb}"),
            Some(json!({"title": "DB recovery", "steps": more, "note": "restart the app too"})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["current_version"].as_i64()),
        (200, Some(2)),
        "{v}"
    );
    let (st, v) = api
        .post(
            &format!("/runbooks/{rb}/agreement"),
            json!({"version": 2, "agreed_by": "Sato (Acme IT)"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["agreed_version"].as_i64()),
        (200, Some(2)),
        "{v}"
    );
    let (_, versions) = api.get(&format!("/runbooks/{rb}/versions")).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);

    // An incident on the asset: run the runbook step by step.
    let ticket = id_of(&api, "/tickets", json!({"customer_id": acme, "type": "incident", "title": "DB down", "impact": "high", "urgency": "high", "channel": "phone", "assets": [db]})).await;
    let (st, run) = api
        .post(
            &format!("/tickets/{ticket}/runbook-runs"),
            json!({"runbook_id": rb}),
        )
        .await;
    assert_eq!(st, 201, "{run}");
    assert_eq!(
        (
            run["version"].as_i64(),
            run["steps"].as_array().unwrap().len()
        ),
        (Some(2), 3)
    );
    let run_id = run["id"].as_str().unwrap();
    let step = |n: i64, body: Value| {
        let api = api.clone();
        let path = format!("/runbook-runs/{run_id}/steps/{n}");
        async move { api.post(&path, body).await }
    };
    assert_eq!(step(1, json!({"action": "start"})).await.0, 200);
    assert_eq!(step(1, json!({"action": "start"})).await.0, 409);
    assert_eq!(
        step(1, json!({"action": "end", "result": "perhaps"}))
            .await
            .0,
        422
    );
    assert_eq!(step(9, json!({"action": "start"})).await.0, 422);
    assert_eq!(
        step(
            1,
            json!({"action": "end", "result": "ok", "notes": "stopped at 10:02"})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        step(
            2,
            json!({"action": "end", "result": "failed", "notes": "port 5432 busy"})
        )
        .await
        .0,
        200
    );
    let (st, done) = api
        .post(
            &format!("/runbook-runs/{run_id}/finish"),
            json!({"status": "abandoned"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), done["status"].as_str()),
        (200, Some("abandoned"))
    );
    let (_, events) = api.get(&format!("/tickets/{ticket}/events")).await;
    let rb_events: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"].as_str().unwrap().starts_with("runbook"))
        .collect();
    assert_eq!(rb_events.len(), 5);
    assert_eq!(rb_events[3]["data"]["notes"], "port 5432 busy");
    let html = reqwest::Client::new()
        .get(format!("{}/tickets/{ticket}", server.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"runbooks\"") && html.contains("port 5432 busy"),
        "runbook section on the ticket page"
    );
    assert_eq!(
        api.post("/tickets/nope/runbook-runs", json!({"runbook_id": rb}))
            .await
            .0,
        404
    );

    // Calendar: a field visit for Acme, one for Globex, a maintenance window for Acme.
    let ce = id_of(
        &api,
        "/users",
        json!({"username": "ken", "role": "ce", "password": "pw-ken-12345"}),
    )
    .await;
    let gt = id_of(&api, "/tickets", json!({"customer_id": globex, "type": "incident", "title": "Globex fan", "impact": "low", "urgency": "low", "channel": "phone"})).await;
    let soon = onestop_store::now_ms() + 86_400_000;
    assert!(
        api.post(
            &format!("/tickets/{ticket}/dispatches"),
            json!({"engineer_id": ce, "planned_at": soon})
        )
        .await
        .0
        .is_success()
    );
    assert!(
        api.post(
            &format!("/tickets/{gt}/dispatches"),
            json!({"engineer_id": ce, "planned_at": soon + 3_600_000})
        )
        .await
        .0
        .is_success()
    );
    assert!(api.post("/maintenance-windows", json!({"customer_id": acme, "starts_at": soon + 7_200_000, "ends_at": soon + 10_800_000, "reason": "kernel; reboot, then check"})).await.0.is_success());
    let (st, list) = api
        .get(&format!(
            "/calendar?from={}&to={}",
            soon - 86_400_000,
            soon + 86_400_000
        ))
        .await;
    assert_eq!(
        (st.as_u16(), list.as_array().map(Vec::len)),
        (200, Some(3)),
        "{list}"
    );
    assert_eq!(api.get("/calendar?from=10&to=5").await.0, 400);

    // Feeds: Acme's (staff naming the customer), and Globex's own user's.
    let (st, v) = api.post("/feed-tokens", json!({"customer_id": acme})).await;
    assert_eq!(st, 201, "{v}");
    let acme_url = v["url"].as_str().unwrap().to_string();
    let acme_token = v["token"]["id"].as_str().unwrap().to_string();
    assert!(acme_url.starts_with(&server.base) && acme_url.ends_with(".ics"));
    assert_eq!(
        api.post("/feed-tokens", json!({"customer_id": "nope"}))
            .await
            .0,
        422
    );
    let http = reqwest::Client::new();
    let fetch = |url: String| {
        let http = http.clone();
        async move {
            let r = http.get(&url).send().await.unwrap();
            let st = r.status().as_u16();
            let ct = r
                .headers()
                .get("content-type")
                .map(|h| h.to_str().unwrap().to_string())
                .unwrap_or_default();
            (st, ct, r.text().await.unwrap())
        }
    };
    let (st, ct, body) = fetch(acme_url.clone()).await;
    assert_eq!(st, 200);
    assert!(ct.starts_with("text/calendar"), "{ct}");
    let acme_cal = check_ical(tmp.path(), "acme.ics", &body);
    assert_eq!(acme_cal["events"], 2, "{acme_cal}");
    let summaries = acme_cal["summaries"].to_string();
    assert!(
        summaries.contains("DB down") && summaries.contains("maintenance"),
        "{summaries}"
    );
    assert!(
        !summaries.contains("Globex fan"),
        "another customer's visit leaked: {summaries}"
    );
    assert!(
        body.contains("kernel\\; reboot\\, then check"),
        "escaped text"
    );

    let (code, _, err) = server.cli(
        &[
            "admin",
            "user",
            "create",
            "--username",
            "gina",
            "--role",
            "customer",
            "--customer",
            &globex,
            "--password-stdin",
        ],
        Some("pw-gina-12345\n"),
    );
    assert_eq!(code, 0, "{err}");
    let (code, gtoken, err) = server.cli(&["admin", "token", "create", "--username", "gina"], None);
    assert_eq!(code, 0, "{err}");
    let gina = Api {
        token: gtoken.trim().to_string(),
        ..api.clone()
    };
    assert_eq!(
        gina.post("/feed-tokens", json!({"customer_id": acme}))
            .await
            .0,
        404,
        "a customer cannot ask for another's feed"
    );
    let (st, v) = gina.send(reqwest::Method::POST, "/feed-tokens", None).await;
    assert_eq!(st, 201, "an empty body is the caller's own feed: {v}");
    let (_, _, body) = fetch(v["url"].as_str().unwrap().to_string()).await;
    let globex_cal = check_ical(tmp.path(), "globex.ics", &body);
    assert_eq!(globex_cal["events"], 1, "{globex_cal}");
    assert!(globex_cal["summaries"].to_string().contains("Globex fan"));
    assert!(!body.contains("DB down") && !body.contains("kernel"));

    // The engineer's own feed has both of his visits.
    let (code, ktoken, _) = server.cli(&["admin", "token", "create", "--username", "ken"], None);
    assert_eq!(code, 0);
    let ken = Api {
        token: ktoken.trim().to_string(),
        ..api.clone()
    };
    let (_, v) = ken.post("/feed-tokens", json!({})).await;
    let (_, _, body) = fetch(v["url"].as_str().unwrap().to_string()).await;
    assert_eq!(check_ical(tmp.path(), "ken.ics", &body)["events"], 2);

    // Revoked: gone.
    let (st, _) = api
        .send(
            reqwest::Method::DELETE,
            &format!("/feed-tokens/{acme_token}"),
            None,
        )
        .await;
    assert_eq!(st, 204);
    assert_eq!(fetch(acme_url).await.0, 404);
    assert_eq!(
        fetch(format!("{}/api/v1/feeds/osf_guess.ics", server.base))
            .await
            .0,
        404
    );
    // The calendar page renders the grid and the tokens.
    let html = http
        .get(format!("{}/calendar?view=week", server.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"calendar\"") && html.contains("id=\"feed-tokens\""),
        "{html}"
    );
}
