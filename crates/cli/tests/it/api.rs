//! The JSON API through a real server process: the interfaces outside checks use.
use crate::support::{Api, Server, postgres_url};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn first_start_registry_and_errors() {
    let s = Server::start();
    assert!(
        s.started_in.as_millis() < 5000,
        "slow start: {:?}",
        s.started_in
    );
    let pw = s.data_dir.join("initial-admin-password");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&pw).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let api = Api::new(&s, s.admin_token());

    // Unauthenticated and bad-token calls get 401 with a JSON error.
    let anon = Api {
        token: "nope".into(),
        ..Api::new(&s, String::new())
    };
    let (st, body) = anon.get("/customers").await;
    assert_eq!(st, 401);
    assert_eq!(body["error"]["code"], "unauthorized");

    let (st, acme) = api.post("/customers", json!({"name": "Acme"})).await;
    assert_eq!(st, 201, "{acme}");
    let acme_id = acme["id"].as_str().unwrap().to_string();
    let (st, globex) = api.post("/customers", json!({"name": "Globex"})).await;
    assert_eq!(st, 201);
    let globex_id = globex["id"].as_str().unwrap().to_string();

    let (st, c) = api.post(&format!("/customers/{acme_id}/contacts"), json!({"name": "Sato", "email": "sato@acme.example", "roles": ["security_notices"], "language": "ja"})).await;
    assert_eq!(st, 201, "{c}");
    let (st, list) = api.get(&format!("/customers/{acme_id}/contacts")).await;
    assert_eq!(
        (st, list[0]["name"].clone()),
        (StatusCode::OK, json!("Sato"))
    );

    let (st, sw) = api
        .post(
            &format!("/customers/{acme_id}/assets"),
            json!({"name": "sw1", "kind": "network_device"}),
        )
        .await;
    assert_eq!(st, 201, "{sw}");
    let (_, srv) = api
        .post(
            &format!("/customers/{acme_id}/assets"),
            json!({"name": "srv1", "kind": "server", "ip_addresses": "10.0.0.5"}),
        )
        .await;
    let (sw_id, srv_id) = (sw["id"].as_str().unwrap(), srv["id"].as_str().unwrap());
    let (st, _) = api
        .post(
            &format!("/assets/{srv_id}/relations"),
            json!({"to_asset": sw_id, "kind": "connected_to"}),
        )
        .await;
    assert_eq!(st, 201);
    let (st, impact) = api.get(&format!("/assets/{sw_id}/impact")).await;
    assert_eq!(st, 200);
    assert_eq!(impact["impacted"][0]["name"], "srv1");

    // Contacts and sites across customers: list with filters, edit, delete; relations removable.
    let contact_id = c["id"].as_str().unwrap();
    let (st, page) = api.get("/contacts?role=security_notices&q=sato").await;
    assert_eq!((st, page["total"].clone()), (StatusCode::OK, json!(1)));
    let (st, changed) = api
        .send(
            reqwest::Method::PATCH,
            &format!("/contacts/{contact_id}"),
            Some(json!({"phone": "03-0000-1111", "roles": ["sign_off"]})),
        )
        .await;
    assert_eq!(st, 200, "{changed}");
    assert_eq!(
        (changed["name"].clone(), changed["roles"].clone()),
        (json!("Sato"), json!(["sign_off"]))
    );
    let bad = Some(json!({"email": "no-at-sign"}));
    let (st, err) = api
        .send(
            reqwest::Method::PATCH,
            &format!("/contacts/{contact_id}"),
            bad,
        )
        .await;
    assert_eq!(
        (st, err["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("invalid"))
    );
    let (st, site) = api
        .post(
            &format!("/customers/{acme_id}/sites"),
            json!({"name": "DC1", "address": "Tokyo"}),
        )
        .await;
    assert_eq!(st, 201);
    let site_id = site["id"].as_str().unwrap();
    let patch = Some(json!({"rooms": ["B1"]}));
    let (st, site) = api
        .send(reqwest::Method::PATCH, &format!("/sites/{site_id}"), patch)
        .await;
    assert_eq!(
        (st, site["rooms"].clone(), site["address"].clone()),
        (StatusCode::OK, json!(["B1"]), json!("Tokyo"))
    );
    assert_eq!(api.get("/sites?q=toky").await.1["total"], 1);
    assert_eq!(
        api.send(reqwest::Method::DELETE, &format!("/sites/{site_id}"), None)
            .await
            .0,
        204
    );
    assert_eq!(api.get(&format!("/sites/{site_id}")).await.0, 404);
    let (_, rels) = api.get(&format!("/assets/{sw_id}/relations")).await;
    let rel_id = rels[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        api.send(
            reqwest::Method::DELETE,
            &format!("/relations/{rel_id}"),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        api.get(&format!("/assets/{sw_id}/impact")).await.1["impacted"],
        json!([])
    );
    let (st, _) = api
        .post(
            &format!("/assets/{srv_id}/relations"),
            json!({"to_asset": sw_id, "kind": "connected_to"}),
        )
        .await;
    assert_eq!(st, 201);
    let (_, gasset) = api
        .post(
            &format!("/customers/{globex_id}/assets"),
            json!({"name": "g1", "kind": "storage"}),
        )
        .await;

    // Malformed bodies: 400 for broken JSON, 422 for the wrong shape or values; never 5xx.
    let raw = api
        .c
        .post(format!("{}/customers", api.base))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    assert!(raw.json::<Value>().await.unwrap()["error"]["message"].is_string());
    assert_eq!(api.post("/customers", json!({"name": 5})).await.0, 422);
    assert_eq!(api.post("/customers", json!({})).await.0, 422);
    assert_eq!(
        api.post(
            &format!("/customers/{acme_id}/assets"),
            json!({"name": "x", "kind": "toaster"})
        )
        .await
        .0,
        422
    );
    assert_eq!(api.get("/assets?page=abc").await.0, 400);
    let (st, body) = api.get("/no-such-resource").await;
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );

    // A customer user sees its own customer only: another customer's objects are 404.
    let (code, _, err) = s.cli(
        &[
            "admin",
            "user",
            "create",
            "--username",
            "acme-user",
            "--role",
            "customer",
            "--customer",
            &acme_id,
            "--password-stdin",
        ],
        Some("secret-pass-1\n"),
    );
    assert_eq!(code, 0, "{err}");
    let (code, tok, _) = s.cli(
        &["admin", "token", "create", "--username", "acme-user"],
        None,
    );
    assert_eq!(code, 0);
    let cust = Api::new(&s, tok.trim().to_string());
    assert_eq!(cust.get(&format!("/customers/{globex_id}")).await.0, 404);
    assert_eq!(
        cust.get(&format!("/assets/{}", gasset["id"].as_str().unwrap()))
            .await
            .0,
        404
    );
    assert_eq!(cust.get(&format!("/customers/{acme_id}")).await.0, 200);
    let (_, mine) = cust.get("/assets").await;
    assert_eq!(mine["total"], 2);
    assert_eq!(cust.get("/audit").await.0, 403);

    // The audit trail saw all of it.
    let (st, audit) = api.get("/audit?entity=asset").await;
    assert_eq!(st, 200);
    assert_eq!(audit.as_array().unwrap().len(), 3);
    let (_, audit) = api.get("/audit?entity=asset_relation").await;
    let actions: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["relation.create", "relation.delete", "relation.create"]
    );
    let (code, out, _) = s.cli(&["audit", "verify"], None);
    assert_eq!(code, 0, "{out}");

    // Operational endpoints need no credentials.
    let c = Client::new();
    assert_eq!(
        c.get(format!("{}/healthz", s.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    let metrics = c
        .get(format!("{}/metrics", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("onestop_http_requests_total{"),
        "{metrics}"
    );
    let mut lint = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool (Debian package prometheus; .ci/run installs it)");
    std::io::Write::write_all(&mut lint.stdin.take().unwrap(), metrics.as_bytes()).unwrap();
    let lint = lint.wait_with_output().unwrap();
    assert!(
        lint.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
    let doc: Value = c
        .get(format!("{}/api/openapi.json", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/customers/{id}/assets"]["post"].is_object());
}

#[tokio::test]
async fn two_servers_share_one_postgres() {
    let Some(url) = postgres_url() else {
        eprintln!("ONESTOP_TEST_POSTGRES_URL not set: skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let a = Server::start_with(&tmp.path().join("a"), Some(&url));
    let b = Server::start_with(&tmp.path().join("b"), Some(&url));
    let api_a = Api::new(&a, a.admin_token());
    let api_b = Api::new(&b, b.admin_token());
    let (st, c) = api_a.post("/customers", json!({"name": "Shared"})).await;
    assert_eq!(st, 201);
    let (st, seen) = api_b
        .get(&format!("/customers/{}", c["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (st, seen["name"].clone()),
        (StatusCode::OK, json!("Shared"))
    );
    // Interleaved writes from both keep one audit chain.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let api = if i % 2 == 0 {
            api_a.clone()
        } else {
            api_b.clone()
        };
        tasks.push(tokio::spawn(async move {
            api.post("/customers", json!({"name": format!("c{i}")}))
                .await
                .0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    // Both servers run the desk scheduler; each escalation still happens once.
    let (st, user) = api_a
        .post(
            "/users",
            json!({"username": "oncall", "role": "front", "password": "pw-oncall-1"}),
        )
        .await;
    assert_eq!(st, 201, "{user}");
    let (_, team) = api_a.post("/teams", json!({"name": "Front desk"})).await;
    let team_id = team["id"].as_str().unwrap();
    let (st, _) = api_a
        .post(
            &format!("/teams/{team_id}/members"),
            json!({"user_id": user["id"]}),
        )
        .await;
    assert_eq!(st, 204);
    let (st, rule) = api_b
        .post(
            "/escalation-rules",
            json!({"name": "critical to the desk", "trigger": "critical", "action": "notify_team", "target_team_id": team_id}),
        )
        .await;
    assert_eq!(st, 201, "{rule}");
    let mut ids = vec![];
    for i in 0..4 {
        let api = if i % 2 == 0 { &api_a } else { &api_b };
        let (st, t) = api
            .post(
                "/tickets",
                json!({"customer_id": c["id"], "title": format!("down {i}"), "impact": "critical", "urgency": "critical", "channel": "phone"}),
            )
            .await;
        assert_eq!(st, 201, "{t}");
        ids.push(t["id"].as_str().unwrap().to_string());
    }
    let (code, tok, _) = a.cli(&["admin", "token", "create", "--username", "oncall"], None);
    assert_eq!(code, 0);
    let oncall = Api::new(&a, tok.trim().to_string());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, n) = oncall.get("/notifications").await;
        if n.as_array().unwrap().len() >= 4 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Several more passes of both schedulers change nothing.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let (_, n) = oncall.get("/notifications").await;
    assert_eq!(n.as_array().unwrap().len(), 4, "{n}");
    for id in &ids {
        let (_, events) = api_b.get(&format!("/tickets/{id}/events")).await;
        let escalated = events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "escalated")
            .count();
        assert_eq!(escalated, 1, "{events}");
    }
    let (code, out, _) = a.cli(&["audit", "verify"], None);
    assert_eq!(code, 0, "{out}");
}
