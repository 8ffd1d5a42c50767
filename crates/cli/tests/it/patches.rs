//! Patch information end to end through real processes: `onestop advisories import` into
//! the database of a running server, an uploaded inventory that is affected (finding +
//! security notice), a newer inventory with the fix (finding fixed, upgrade in the history),
//! the API's filters, scoping and errors, and the UI pages.
use crate::support::Server;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

struct Api {
    c: Client,
    base: String,
    token: String,
}

impl Api {
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut r = self
            .c
            .request(method, format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }
    async fn page(&self, path: &str) -> (StatusCode, String) {
        let resp = self
            .c
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.text().await.unwrap())
    }
}

const DSA: &str = r#"{"id": "DSA-5532-1", "modified": "2024-01-10T00:00:00Z",
  "published": "2024-01-09T00:00:00Z", "summary": "openssl security update",
  "aliases": ["CVE-2023-5678"], "related": ["CVE-2023-5363"],
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
    "ecosystem_specific": {"urgency": "high"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]}]}]}"#;
const OTHER: &str = r#"{"id": "DSA-5600-1", "modified": "2024-01-10T00:00:00Z",
  "summary": "zlib security update",
  "affected": [{"package": {"ecosystem": "Debian:11", "name": "zlib"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.2.11.dfsg-2+deb11u3"}]}]}]}"#;

fn inventory(openssl: &str) -> Value {
    json!({
        "os": {"id": "debian", "version_id": "12", "pretty_name": "Debian GNU/Linux 12 (bookworm)"},
        "kernel": {"running": "6.1.0-13-amd64", "installed": ["6.1.0-13-amd64"]},
        "packages": [
            {"name": "libssl3", "version": openssl, "arch": "amd64", "source": "openssl"},
            {"name": "openssl", "version": openssl, "arch": "amd64"},
            {"name": "bash", "version": "5.2.15-2+b2", "arch": "amd64", "source": "bash", "source_version": "5.2.15-2"}
        ]
    })
}

#[tokio::test]
async fn import_inventory_finding_notice_fix_and_history() {
    let s = Server::start();
    let admin = Api {
        c: Client::new(),
        base: s.base.clone(),
        token: s.admin_token(),
    };
    let (_, acme) = admin
        .send(Method::POST, "/customers", Some(json!({"name": "Acme"})))
        .await;
    let cid = acme["id"].as_str().unwrap().to_string();
    let (st, _) = admin
        .send(
            Method::POST,
            &format!("/customers/{cid}/contacts"),
            Some(json!({"name": "Sec Officer", "email": "sec@acme.example", "roles": ["security_notices"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, host) = admin
        .send(
            Method::POST,
            &format!("/customers/{cid}/assets"),
            Some(json!({"name": "web1", "kind": "server"})),
        )
        .await;
    let hid = host["id"].as_str().unwrap().to_string();

    // The advisories: a directory with two records and a broken file.
    let osv = tempfile::tempdir().unwrap();
    std::fs::write(osv.path().join("DSA-5532-1.json"), DSA).unwrap();
    std::fs::write(osv.path().join("DSA-5600-1.json"), OTHER).unwrap();
    std::fs::write(osv.path().join("broken.json"), "{not json").unwrap();
    let dir = osv.path().to_str().unwrap();
    let (code, out, err) = s.cli(&["advisories", "import", dir], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("new: 2\n"), "{out}");
    assert!(
        out.contains("updated: 0\n") && out.contains("unchanged: 0\n"),
        "{out}"
    );
    assert!(
        out.contains("rejected: 1\n") && out.contains("broken.json"),
        "{out}"
    );
    let (code, out, _) = s.cli(&["advisories", "import", dir], None);
    assert_eq!(code, 0);
    assert!(
        out.contains("new: 0\n") && out.contains("unchanged: 2\n"),
        "{out}"
    );
    let (code, _, err) = s.cli(&["advisories", "import", "/nonexistent/osv"], None);
    assert_eq!(code, 2, "an unreadable input fails");
    assert!(err.contains("/nonexistent/osv"), "{err}");

    // An affected inventory: a finding and a security notice.
    let (st, o) = admin
        .send(
            Method::PUT,
            &format!("/hosts/{hid}/inventory"),
            Some(inventory("3.0.11-1~deb12u1")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{o}");
    assert_eq!(o["inventory"]["ecosystem"], "Debian:12");
    assert_eq!(
        o["findings_opened"], 2,
        "libssl3 and openssl, both from source openssl"
    );
    let notice_id = o["notice_id"].as_str().expect("a notice").to_string();
    let (st, list) = admin
        .get(&format!(
            "/findings?customer={cid}&severity=high&state=open"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["total"], 2, "{list}");
    let f0 = &list["items"][0];
    assert_eq!(f0["advisory_id"], "DSA-5532-1");
    assert_eq!(f0["fixed_version"], "3.0.11-1~deb12u2");
    assert_eq!(f0["cves"], json!(["CVE-2023-5363", "CVE-2023-5678"]));
    let (_, none) = admin
        .get(&format!("/findings?customer={cid}&severity=low"))
        .await;
    assert_eq!(none["total"], 0);
    let (st, n) = admin.get(&format!("/notices/{notice_id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(n["kind"], "security");
    assert_eq!(n["recipients"][0]["email"], "sec@acme.example");
    assert_eq!(n["items"].as_array().unwrap().len(), 2);
    let (_, pk) = admin.get(&format!("/hosts/{hid}/packages")).await;
    assert_eq!(pk.as_array().unwrap().len(), 3);
    let (st, adv) = admin.get("/advisories/DSA-5532-1").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(adv["severity"], "high");
    assert_eq!(adv["advisory"]["affected"][0]["name"], "openssl");

    // The fixed version is installed: the findings are fixed, the history shows the upgrade.
    let (st, o) = admin
        .send(
            Method::PUT,
            &format!("/hosts/{hid}/inventory"),
            Some(inventory("3.0.11-1~deb12u2")),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{o}");
    assert_eq!(
        (o["findings_fixed"].as_i64(), o["upgraded"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(o["notice_id"], Value::Null);
    let (_, open) = admin
        .get(&format!("/findings?customer={cid}&state=open"))
        .await;
    assert_eq!(open["total"], 0);
    let (_, fixed) = admin
        .get(&format!("/findings?host={hid}&state=fixed"))
        .await;
    assert_eq!(fixed["total"], 2);
    assert_eq!(fixed["items"][0]["fixed_version_seen"], "3.0.11-1~deb12u2");
    let (_, ch) = admin.get(&format!("/hosts/{hid}/package-changes")).await;
    let up = ch
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "libssl3")
        .expect("libssl3 changed");
    assert_eq!(up["change"], "upgraded");
    assert_eq!(up["from_version"], "3.0.11-1~deb12u1");
    assert_eq!(up["to_version"], "3.0.11-1~deb12u2");
    let (st, ev) = admin.get(&format!("/hosts/{hid}/evidence")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(ev["findings_closed"].as_array().unwrap().len(), 2);
    assert_eq!(ev["reboot_pending"], false);

    // Caller mistakes are 4xx JSON errors.
    let (st, e) = admin
        .send(
            Method::PUT,
            &format!("/hosts/{hid}/inventory"),
            Some(json!({"os": {}})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let mut bad = inventory("1");
    bad["packages"][0]["name"] = json!("");
    let (st, e) = admin
        .send(Method::PUT, &format!("/hosts/{hid}/inventory"), Some(bad))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["code"], "invalid");
    let fid = fixed["items"][0]["id"].as_str().unwrap();
    let (st, _) = admin
        .send(
            Method::PATCH,
            &format!("/findings/{fid}"),
            Some(json!({"state": "gone"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = admin.get("/findings?sort=sideways").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = admin
        .get(&format!("/hosts/{hid}/evidence?from=yesterday"))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, e) = admin.get("/advisories/NOPE-1").await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (st, _) = admin
        .get("/hosts/0190aaaa-0000-7000-8000-000000000000/packages")
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Another customer's user sees none of it.
    let (_, globex) = admin
        .send(Method::POST, "/customers", Some(json!({"name": "Globex"})))
        .await;
    let gid = globex["id"].as_str().unwrap();
    let (code, _, err) = s.cli(
        &[
            "admin",
            "user",
            "create",
            "--username",
            "gina",
            "--role",
            "customer",
            "--customer",
            gid,
            "--password-stdin",
        ],
        Some("secret-pass-1\n"),
    );
    assert_eq!(code, 0, "{err}");
    let (_, tok, _) = s.cli(&["admin", "token", "create", "--username", "gina"], None);
    let gina = Api {
        c: Client::new(),
        base: s.base.clone(),
        token: tok.trim().into(),
    };
    let (st, _) = gina.get(&format!("/hosts/{hid}/packages")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, l) = gina.get("/findings").await;
    assert_eq!(l["total"], 0);
    let (st, _) = gina.get(&format!("/notices/{notice_id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The pages.
    let (st, html) = admin.page(&format!("/patches/hosts/{hid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("3.0.11-1~deb12u2") && html.contains("upgraded"),
        "{html}"
    );
    let (st, html) = admin.page("/patches?state=fixed").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("DSA-5532-1"));
    let (st, html) = admin.page("/patches/advisories/DSA-5532-1").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("CVE-2023-5678") && html.contains("web1"));
    let (st, html) = admin.page("/patches/notices").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Security patch information"));
    let (st, html) = admin.page(&format!("/patches/notices/{notice_id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("sec@acme.example"));
    let (st, html) = admin.page(&format!("/patches/hosts/{hid}/evidence")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("3.0.11-1~deb12u1"));

    let (code, out, _) = s.cli(&["audit", "verify"], None);
    assert_eq!(code, 0, "{out}");
}

/// A `serve` process started with extra environment, killed on drop.
struct Serve {
    child: std::process::Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_with_env(env: &[(&str, &str)]) -> Serve {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::support::free_port();
    let child = std::process::Command::new(crate::support::bin())
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.path().join("data"))
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    Serve {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    }
}

/// Answer one HTTP request with `body` on a fresh port; returns the URL.
fn one_shot_http(body: &'static str) -> String {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/osv/all.json", l.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut c, _)) = l.accept() {
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            let _ = write!(
                c,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// The server imports advisories from a configured path, and from a URL, on its own.
#[tokio::test]
async fn scheduled_import_from_path_and_url() {
    let osv = tempfile::tempdir().unwrap();
    let file = osv.path().join("dsa.json");
    std::fs::write(&file, DSA).unwrap();
    let url = one_shot_http(OTHER);
    for (source, id) in [
        (file.to_str().unwrap().to_string(), "DSA-5532-1"),
        (url, "DSA-5600-1"),
    ] {
        let s = serve_with_env(&[("ONESTOP_ADVISORIES_SOURCE", source.as_str())]);
        let t0 = std::time::Instant::now();
        while crate::support::http_status(&s.base, "/readyz") != Some(200) {
            assert!(t0.elapsed().as_secs() < 30, "server did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let db = [
            "--data-dir".to_string(),
            s._dir.path().join("data").display().to_string(),
        ];
        let (code, tok, err) = crate::support::run_cli(
            &["admin", "token", "create", "--username", "admin"],
            &db,
            None,
        );
        assert_eq!(code, 0, "{err}");
        let api = Api {
            c: Client::new(),
            base: s.base.clone(),
            token: tok.trim().into(),
        };
        // Nobody imports it but the server's job.
        loop {
            let (st, a) = api.get(&format!("/advisories/{id}")).await;
            if st == StatusCode::OK {
                assert_eq!(a["id"], id);
                break;
            }
            assert_eq!(st, StatusCode::NOT_FOUND);
            assert!(
                t0.elapsed().as_secs() < 30,
                "{id} was not imported from {source}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}
