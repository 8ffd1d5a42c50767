//! Agent payloads end to end with real processes: an enrolled `onestop-agent` reading a
//! fixture dpkg status shows its packages at `/hosts/{id}/packages`; an upgrade in the
//! fixture shows in `/hosts/{id}/package-changes` and closes the finding of an imported OSV
//! advisory; a batch carrying log lines, posted twice with the agent's credential, appears
//! at `/logs?host=…` once, with source `agent`, mined into the host's templates.
use crate::support::{Server, free_port};
use onestop_proto::{Batch, LogLine, PROTOCOL_VERSION, Payload, encode_batch};
use reqwest::Client;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

struct Agent(Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const DSA: &str = r#"{"id": "DSA-5532-1", "modified": "2024-01-10T00:00:00Z",
  "published": "2024-01-09T00:00:00Z", "summary": "openssl security update",
  "aliases": ["CVE-2023-5678"],
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
    "ecosystem_specific": {"urgency": "high"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]}]}]}"#;

fn dpkg_status(openssl: &str) -> String {
    format!(
        "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: {openssl}\n\n\
         Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\n\
         Package: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1.0-1\n"
    )
}

async fn get(c: &Client, base: &str, token: &str, path: &str) -> Value {
    let r = c
        .get(format!("{base}/api/v1{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "GET {path}: {}", r.status());
    r.json().await.unwrap()
}

async fn wait_for(what: &str, secs: u64, mut f: impl AsyncFnMut() -> bool) {
    let t0 = Instant::now();
    while !f().await {
        assert!(
            t0.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_inventory_and_log_lines_reach_the_patch_and_log_stores() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start_on(
        &tmp.path().join("data"),
        None,
        free_port(),
        &[("ONESTOP_MONITOR_COMPACT_SECS", "1")],
    );
    let (c, base, token) = (Client::new(), server.base.clone(), server.admin_token());
    let r = c
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(&token)
        .json(&json!({"name": "Acme"}))
        .send()
        .await
        .unwrap();
    let customer = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let osv = tmp.path().join("osv");
    std::fs::create_dir(&osv).unwrap();
    std::fs::write(osv.join("DSA-5532-1.json"), DSA).unwrap();
    let (code, _, err) = server.cli(&["advisories", "import", osv.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
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
    let enroll_token = out.trim().to_string();

    // A Debian 12 host whose package database the test controls.
    let root = tmp.path().join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(
        root.join("etc/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
    )
    .unwrap();
    let status = tmp.path().join("dpkg-status");
    std::fs::write(&status, dpkg_status("3.0.11-1~deb12u1")).unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../agent/tests/fixtures/host1");
    let agent = |args: &[&str]| {
        let mut cmd = Command::new(agent_bin());
        cmd.arg("--proc-root")
            .arg(fixtures.join("proc"))
            .arg("--sys-root")
            .arg(fixtures.join("sys"))
            .arg("--no-smart")
            .arg("--inventory-root")
            .arg(&root)
            .arg("--dpkg-status")
            .arg(&status)
            .args(args);
        cmd
    };
    let state = tmp.path().join("state");
    let out = agent(&[
        "enroll",
        "--server",
        &base,
        "--token",
        &enroll_token,
        "--state-dir",
    ])
    .arg(&state)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = tmp.path().join("agent.toml");
    std::fs::write(&config, "interval_secs = 1\nsmart_disabled = true\n").unwrap();
    let running = Agent(
        agent(&["run", "--config"])
            .arg(&config)
            .arg("--state-dir")
            .arg(&state)
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let hosts = get(&c, &base, &token, "/hosts").await;
    let host = hosts[0]["id"].as_str().unwrap().to_string();

    // The packages arrive, and the advisory opens a finding on the old openssl.
    let packages = format!("/hosts/{host}/packages");
    wait_for("packages", 60, async || {
        get(&c, &base, &token, &packages)
            .await
            .to_string()
            .contains("3.0.11-1~deb12u1")
    })
    .await;
    let pk = get(&c, &base, &token, &packages).await.to_string();
    assert!(pk.contains("libssl3") && pk.contains("bash"), "{pk}");
    assert!(!pk.contains("\"gone\""), "{pk}");
    let open = format!("/findings?host={host}&state=open");
    wait_for("open finding", 30, async || {
        get(&c, &base, &token, &open).await["total"] == 1
    })
    .await;

    // An upgrade in the package database: sent on change, recorded, and the finding closes.
    std::fs::write(&status, dpkg_status("3.0.11-1~deb12u2")).unwrap();
    let changes = format!("/hosts/{host}/package-changes");
    wait_for("package change", 60, async || {
        let ch = get(&c, &base, &token, &changes).await;
        ch.as_array().unwrap().iter().any(|c| {
            c["name"] == "libssl3"
                && c["change"] == "upgraded"
                && c["from_version"] == "3.0.11-1~deb12u1"
                && c["to_version"] == "3.0.11-1~deb12u2"
        })
    })
    .await;
    wait_for("fixed finding", 30, async || {
        get(
            &c,
            &base,
            &token,
            &format!("/findings?host={host}&state=fixed"),
        )
        .await["total"]
            == 1
    })
    .await;
    assert_eq!(get(&c, &base, &token, &open).await["total"], 0);
    drop(running);

    // A batch with log lines, posted twice with the agent's credential (a seq above the
    // agent's, which has stopped).
    let cred: Value =
        serde_json::from_slice(&std::fs::read(state.join("credential.json")).unwrap()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let lines: Vec<LogLine> = (0..3)
        .map(|i| LogLine {
            source: "/var/log/auth.log".into(),
            ts_ms: now,
            line: format!(
                "Nov 26 02:00:0{i} web1 sshd[42{i}]: Failed password for root from 192.0.2.{i} port 22 ssh2"
            ),
            cursor: None,
        })
        .collect();
    let batch = Batch {
        version: PROTOCOL_VERSION,
        seq: 1 << 40,
        sent_at_ms: now,
        payload: Payload {
            series: vec![],
            inventory: None,
            logs: lines,
            checks: vec![],
        },
    };
    let body = encode_batch(&batch).unwrap();
    for _ in 0..2 {
        let r = c
            .post(format!("{base}/api/v1/agent/batches"))
            .bearer_auth(cred["credential"].as_str().unwrap())
            .header("content-encoding", "gzip")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
    }
    let logs = format!("/logs?host={host}&q=Failed%20password");
    wait_for("log lines", 30, async || {
        get(&c, &base, &token, &logs).await["items"]
            .as_array()
            .unwrap()
            .len()
            >= 3
    })
    .await;
    // Several more dispatch passes: still exactly once.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let page = get(&c, &base, &token, &logs).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{page}");
    for m in items {
        assert_eq!(m["source"], "agent");
        assert_eq!(m["host_id"], host.as_str());
        assert_eq!(m["customer_id"], customer.as_str());
        assert_eq!(m["program"], "sshd");
    }
    let tpl = get(&c, &base, &token, &format!("/log-templates?host={host}")).await;
    assert!(
        tpl.to_string().contains("Failed password for root from"),
        "{tpl}"
    );
}
