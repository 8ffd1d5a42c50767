//! SNMP end to end with real processes: Debian's `snmpd` (started here with its own
//! configuration, a v2c community and a v3 authPriv user, on free ports), a real `onestop
//! serve` with the trap receiver on, devices registered through the API, interface series
//! read back through the API and drawn on the host page; traps sent with net-snmp's
//! `snmptrap` (v2c linkDown, v1 coldStart) and `snmpinform` (answered) become events;
//! a wrong community and a wrong v3 passphrase put the device in an error state.
use crate::support::Server;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Snmpd(Child);

impl Drop for Snmpd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `snmpd` in the foreground on 127.0.0.1 and 127.0.0.2 (two devices to the server).
fn start_snmpd(dir: &Path, port: u16) -> Snmpd {
    let persist = dir.join("persist");
    std::fs::create_dir_all(&persist).unwrap();
    let conf = dir.join("snmpd.conf");
    std::fs::write(
        &conf,
        format!(
            "[snmp] persistentDir {}\nrocommunity s3cret-ro 127.0.0.0/8\n\
             createUser opsuser SHA-256 auth-pass-123 AES priv-pass-456\nrouser opsuser priv\n",
            persist.display()
        ),
    )
    .unwrap();
    let child = Command::new("/usr/sbin/snmpd")
        .env("MIBS", "")
        .arg("-f")
        .arg("-C")
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(dir.join("snmpd.pid"))
        .arg("-Lf")
        .arg(dir.join("snmpd.log"))
        .arg(format!("udp:127.0.0.1:{port},udp:127.0.0.2:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("snmpd (Debian package snmpd)");
    // Ready once it answers.
    let t0 = Instant::now();
    loop {
        let out = Command::new("snmpget")
            .env("MIBS", "")
            .args(["-On", "-v2c", "-c", "s3cret-ro", "-t", "0.3", "-r", "0"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("1.3.6.1.2.1.1.5.0")
            .output()
            .expect("snmpget (Debian package snmp)");
        if out.status.success() {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "snmpd did not start: {}",
            std::fs::read_to_string(dir.join("snmpd.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Snmpd(child)
}

struct Api {
    c: Client,
    base: String,
    token: String,
}

impl Api {
    async fn send(
        &self,
        m: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self
            .c
            .request(m, format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
    async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }
    /// GET `path` until `done` holds for the answer, which is returned.
    async fn get_until(&self, path: &str, secs: u64, done: impl Fn(&Value) -> bool) -> Value {
        let t0 = Instant::now();
        loop {
            let v = self.get(path).await;
            if done(&v) {
                return v;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(secs),
                "timed out on {path}: {v}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    async fn get(&self, path: &str) -> Value {
        let (st, v) = self.send(reqwest::Method::GET, path, None).await;
        assert_eq!(st, StatusCode::OK, "GET {path}: {v}");
        v
    }
    async fn page(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .c
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
}

async fn wait_for<F, Fut>(what: &str, secs: u64, mut f: F)
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
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The `lo` series of `name` on `host`: its points.
async fn lo_points(api: &Api, host: &str, name: &str) -> Vec<Value> {
    let (from, to) = (now_ms() - 600_000, now_ms() + 60_000);
    let v = api
        .get(&format!(
            "/hosts/{host}/series?name={name}&from={from}&to={to}&step=1s&agg=last"
        ))
        .await;
    v["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["labels"]["ifName"] == "lo"
                && s["labels"]["ifIndex"] == "1"
                && s["labels"]["ifDescr"] == "lo"
        })
        .map(|s| s["points"].as_array().unwrap().clone())
        .unwrap_or_default()
}

fn net_snmp(tool: &str, args: &[&str]) {
    let out = Command::new(tool)
        .env("MIBS", "")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snmpd_is_polled_over_v2c_and_v3_and_traps_become_events() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_udp_port();
    let _snmpd = start_snmpd(tmp.path(), port);
    let trap_port = free_udp_port();
    let trap_addr = format!("127.0.0.1:{trap_port}");
    let server = Server::start_env(&[
        ("ONESTOP_MONITOR_COMPACT_SECS", "1"),
        ("ONESTOP_SNMP_TRAP", trap_addr.as_str()),
    ]);
    let api = Api {
        c: Client::new(),
        base: server.base.clone(),
        token: server.admin_token(),
    };
    let (_, acme) = api.post("/customers", json!({"name": "Acme"})).await;
    let cid = acme["id"].as_str().unwrap().to_string();
    let (_, sw) = api
        .post(
            &format!("/customers/{cid}/assets"),
            json!({"name": "sw1", "kind": "network_device"}),
        )
        .await;
    let (_, rt) = api
        .post(
            &format!("/customers/{cid}/assets"),
            json!({"name": "rt1", "kind": "network_device"}),
        )
        .await;
    let (sw, rt) = (
        sw["id"].as_str().unwrap().to_string(),
        rt["id"].as_str().unwrap().to_string(),
    );

    // Bad input: a clear 422, nothing stored.
    let (st, e) = api
        .post(
            "/snmp-devices",
            json!({"asset_id": sw, "address": "127.0.0.1", "version": "v2c"}),
        )
        .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid")),
        "{e}"
    );
    let (st, _) = api.post("/snmp-devices", json!({"asset_id": sw, "address": "127.0.0.1", "version": "v3", "v3_user": "u", "auth_protocol": "sha", "auth_password": "short"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = api
        .post("/snmp-devices", json!({"asset_id": sw, "bogus": 1}))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    let (st, v2) = api
        .post(
            "/snmp-devices",
            json!({
                "asset_id": sw, "address": "127.0.0.1", "port": port, "version": "v2c",
                "community": "s3cret-ro", "interval_secs": 10, "timeout_ms": 1000, "retries": 0
            }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v2}");
    assert_eq!(
        (v2["has_community"].as_bool(), v2["status"].as_str()),
        (Some(true), Some("pending"))
    );
    assert!(
        !v2.to_string().contains("s3cret-ro"),
        "the community is never shown back"
    );
    let (st, v3) = api
        .post(
            "/snmp-devices",
            json!({
                "asset_id": rt, "address": "127.0.0.2", "port": port, "version": "v3",
                "v3_user": "opsuser", "auth_protocol": "sha256", "auth_password": "auth-pass-123",
                "priv_protocol": "aes", "priv_password": "priv-pass-456",
                "interval_secs": 10, "timeout_ms": 1000, "retries": 1
            }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v3}");
    assert!(!v3.to_string().contains("pass-"));
    let (st, _) = api
        .post(
            "/snmp-devices",
            json!({"asset_id": rt, "address": "127.0.0.2", "version": "v2c", "community": "x"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    // Both are polled: lo's octet counters arrive as series, facts on the device.
    for host in [&sw, &rt] {
        wait_for("lo's ifHCInOctets", 40, || async {
            lo_points(&api, host, "ifHCInOctets").await.len() >= 2
        })
        .await;
        assert!(!lo_points(&api, host, "ifHCOutOctets").await.is_empty());
        assert!(!lo_points(&api, host, "ifOperStatus").await.is_empty());
        let d = api.get(&format!("/snmp-devices/{host}")).await;
        assert_eq!(d["status"], "ok", "{d}");
        assert!(d["sys_descr"].as_str().unwrap().contains("Linux"), "{d}");
        assert!(d["sys_uptime_secs"].as_i64().is_some());
    }
    let hosts = api.get("/hosts").await.to_string();
    assert!(hosts.contains("sw1") && hosts.contains("rt1"));
    // HOST-RESOURCES, as snmpd offers it: storage in bytes by description.
    let (from, to) = (now_ms() - 600_000, now_ms() + 60_000);
    let hr = api
        .get(&format!(
            "/hosts/{sw}/series?name=hrStorageSize&from={from}&to={to}&step=1s&agg=last"
        ))
        .await;
    assert!(hr["series"].to_string().contains("Physical memory"), "{hr}");
    // The host page draws the interface charts.
    let (st, html) = api.page(&format!("/hosts/{sw}?range=15m")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("id=\"snmp-charts\"") && html.contains("lo: bits/s") && html.contains("<svg"),
        "{html}"
    );
    let (st, html) = api.page(&format!("/assets/{rt}/snmp")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("opsuser") && !html.contains("auth-pass-123"));

    // Traps: a v2c linkDown, a v1 coldStart, a v2c inform (answered, or snmpinform fails).
    let agent = trap_addr.as_str();
    net_snmp(
        "snmptrap",
        &[
            "-v",
            "2c",
            "-c",
            "public",
            agent,
            "",
            "1.3.6.1.6.3.1.1.5.3",
            "1.3.6.1.2.1.2.2.1.1.1",
            "i",
            "1",
            "1.3.6.1.2.1.31.1.1.1.1.1",
            "s",
            "lo",
            "1.3.6.1.2.1.2.2.1.8.1",
            "i",
            "2",
        ],
    );
    net_snmp(
        "snmptrap",
        &[
            "-v",
            "1",
            "-c",
            "public",
            agent,
            "1.3.6.1.4.1.8072.3.2.10",
            "127.0.0.1",
            "0",
            "0",
            "",
        ],
    );
    net_snmp(
        "snmpinform",
        &[
            "-v",
            "2c",
            "-c",
            "public",
            "-t",
            "3",
            "-r",
            "1",
            agent,
            "",
            "1.3.6.1.6.3.1.1.5.4",
            "1.3.6.1.2.1.2.2.1.1.1",
            "i",
            "1",
        ],
    );
    let traps = api
        .get_until(&format!("/snmp-devices/{sw}/traps"), 20, |t| {
            t.as_array().unwrap().len() >= 3
        })
        .await;
    let find = |kind: &str| {
        traps
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("{kind} in {traps}"))
    };
    let down = find("1.3.6.1.6.3.1.1.5.3");
    assert_eq!(
        (
            down["title"].as_str(),
            down["severity"].as_str(),
            down["source"].as_str()
        ),
        (
            Some("linkDown: lo (ifIndex 1)"),
            Some("warning"),
            Some("snmp_trap")
        ),
        "{down}"
    );
    assert_eq!(down["customer_id"], json!(cid));
    assert_eq!(
        down["detail"]["varbinds"].as_array().unwrap().len(),
        5,
        "{down}"
    );
    let cold = find("1.3.6.1.6.3.1.1.5.1");
    assert_eq!(
        (
            cold["severity"].as_str(),
            cold["detail"]["version"].as_str()
        ),
        (Some("warning"), Some("v1"))
    );
    assert_eq!(find("1.3.6.1.6.3.1.1.5.4")["severity"], "info");
    let (_, html) = api.page(&format!("/hosts/{sw}")).await;
    assert!(html.contains("linkDown: lo (ifIndex 1)"));

    // Wrong community, wrong v3 passphrase: an error state, nothing crashes.
    let (st, d) = api
        .patch(
            &format!("/snmp-devices/{sw}"),
            json!({"community": "wrong-community"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let (st, _) = api
        .patch(
            &format!("/snmp-devices/{rt}"),
            json!({"auth_password": "not-the-password"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    for host in [&sw, &rt] {
        let d = api
            .get_until(&format!("/snmp-devices/{host}"), 30, |d| {
                d["status"] == "error"
            })
            .await;
        assert!(
            d["last_error"].as_str().is_some_and(|e| !e.is_empty()),
            "{d}"
        );
    }
    assert_eq!(api.get("/snmp-devices").await.as_array().unwrap().len(), 2);
    let audit = api.get("/audit?entity=snmp_device").await.to_string();
    assert!(
        audit.contains("snmp_device.create") && audit.contains("snmp_device.update"),
        "{audit}"
    );
    assert!(!audit.contains("wrong-community") && !audit.contains("s3cret-ro"));
    let (st, _) = api
        .send(
            reqwest::Method::DELETE,
            &format!("/snmp-devices/{rt}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = api
        .send(reqwest::Method::GET, &format!("/snmp-devices/{rt}"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        crate::support::http_status(&server.base, "/healthz"),
        Some(200)
    );
}
