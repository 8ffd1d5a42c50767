//! The service desk through a real server: a phone report, a customer's portal ticket, and
//! SLA clocks pausing while the desk waits for the customer.
use crate::support::{Api, Server};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// A user made with the CLI, and a bearer token for it.
fn user_token(s: &Server, username: &str, role: &str, customer: Option<&str>) -> String {
    let mut args = vec![
        "admin",
        "user",
        "create",
        "--username",
        username,
        "--role",
        role,
        "--password-stdin",
    ];
    if let Some(c) = customer {
        args.extend(["--customer", c]);
    }
    let (code, _, err) = s.cli(&args, Some("secret-pass-1\n"));
    assert_eq!(code, 0, "{err}");
    let (code, tok, err) = s.cli(&["admin", "token", "create", "--username", username], None);
    assert_eq!(code, 0, "{err}");
    tok.trim().to_string()
}

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

#[tokio::test]
async fn desk_phone_report_portal_ticket_and_sla_pause() {
    let s = Server::start();
    let admin = Api::new(&s, s.admin_token());
    let (_, acme) = admin.post("/customers", json!({"name": "Acme"})).await;
    let (_, globex) = admin.post("/customers", json!({"name": "Globex"})).await;
    let (acme_id, globex_id) = (
        acme["id"].as_str().unwrap().to_string(),
        globex["id"].as_str().unwrap().to_string(),
    );
    let (st, contract) = admin
        .post("/contracts", json!({"customer_id": acme_id, "name": "Acme 24x7", "sla": {"critical": {"first_response": 15, "resolution": 120}}}))
        .await;
    assert_eq!(st, 201, "{contract}");
    let year = chrono::Utc::now().format("%Y").to_string();

    // A desk operator takes a phone report.
    let desk = Api::new(&s, user_token(&s, "desk1", "front", None));
    let (st, t) = desk
        .post("/tickets", json!({"customer_id": acme_id, "type": "incident", "title": "Core switch down", "description": "caller: Sato", "impact": "critical", "urgency": "high", "channel": "phone", "category": "network"}))
        .await;
    assert_eq!(st, 201, "{t}");
    assert!(
        t["number"]
            .as_str()
            .unwrap()
            .starts_with(&format!("INC-{year}-")),
        "{t}"
    );
    assert_eq!(
        (
            t["priority"].as_str(),
            t["status"].as_str(),
            t["channel"].as_str()
        ),
        (Some("critical"), Some("new"), Some("phone"))
    );
    assert_eq!(t["contract_id"], contract["id"]);
    for clock in ["first_response", "resolution"] {
        assert!(is_rfc3339(&t["sla"][clock]["due"]), "{t}");
        assert_eq!(t["sla"][clock]["state"], "running");
    }
    let phone_id = t["id"].as_str().unwrap().to_string();
    // Bad values are 422 naming the field; never 5xx.
    for (body, field) in [
        (
            json!({"customer_id": acme_id, "title": "x", "impact": "huge"}),
            "impact",
        ),
        (
            json!({"customer_id": acme_id, "title": "x", "channel": "pigeon"}),
            "channel",
        ),
        (
            json!({"customer_id": acme_id, "title": "x", "type": "outage"}),
            "type",
        ),
        (json!({"customer_id": acme_id, "title": " "}), "title"),
    ] {
        let (st, e) = desk.post("/tickets", body).await;
        assert_eq!(st, 422, "{e}");
        assert!(
            e["error"]["message"].as_str().unwrap().starts_with(field),
            "{e}"
        );
    }
    let (st, e) = desk
        .post(
            &format!("/tickets/{phone_id}/transitions"),
            json!({"to": "closed"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    let (st, e) = desk
        .post(
            &format!("/tickets/{phone_id}/transitions"),
            json!({"to": "pending"}),
        )
        .await;
    assert_eq!(
        (
            st,
            e["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("reason")
        ),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    assert_eq!(
        desk.patch(&format!("/tickets/{phone_id}"), json!({"urgency": 3}))
            .await
            .0,
        422
    );
    assert_eq!(
        desk.post(
            "/contracts",
            json!({"customer_id": acme_id, "name": "x", "calendar_toml": "nonsense ="})
        )
        .await
        .0,
        422
    );

    // The customer's user opens a ticket for its own customer only, and replies.
    let cust = Api::new(&s, user_token(&s, "acme-user", "customer", Some(&acme_id)));
    let (st, e) = cust
        .post(
            "/tickets",
            json!({"customer_id": globex_id, "title": "not mine"}),
        )
        .await;
    assert_eq!(st, 404, "{e}");
    let (st, mine) = cust.post("/tickets", json!({"customer_id": acme_id, "title": "Printer jams", "impact": "low", "urgency": "medium", "channel": "phone"})).await;
    assert_eq!(st, 201, "{mine}");
    assert_eq!(
        (mine["channel"].as_str(), mine["priority"].as_str()),
        (Some("portal"), Some("medium"))
    );
    let mine_id = mine["id"].as_str().unwrap().to_string();
    let (st, _) = cust
        .post(
            &format!("/tickets/{mine_id}/comments"),
            json!({"body": "it is the 3rd floor one"}),
        )
        .await;
    assert_eq!(st, 201);
    let (_, g) = admin
        .post(
            "/tickets",
            json!({"customer_id": globex_id, "title": "Globex VPN", "channel": "email"}),
        )
        .await;
    assert_eq!(
        cust.get(&format!("/tickets/{}", g["id"].as_str().unwrap()))
            .await
            .0,
        404
    );
    assert_eq!(
        cust.get(&format!("/tickets/{}/events", g["id"].as_str().unwrap()))
            .await
            .0,
        404
    );
    let (_, list) = cust.get("/tickets").await;
    assert_eq!(list["total"], 2, "{list}");
    let (_, list) = desk.get(&format!("/tickets?customer_id={globex_id}")).await;
    assert_eq!(list["total"], 1);
    assert_eq!(cust.get("/contracts").await.1["total"], 1);
    assert_eq!(
        cust.post(
            "/contracts",
            json!({"customer_id": acme_id, "name": "free"})
        )
        .await
        .0,
        403
    );

    // Waiting for the customer pauses resolution; the customer's reply resumes it.
    let (st, t) = desk
        .post(
            &format!("/tickets/{phone_id}/comments"),
            json!({"body": "Engineer dispatched", "visibility": "public"}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    assert_eq!(t["sla"]["first_response"]["state"], "met");
    desk.post(
        &format!("/tickets/{phone_id}/transitions"),
        json!({"to": "in_progress"}),
    )
    .await;
    let (st, t) = desk
        .post(
            &format!("/tickets/{phone_id}/transitions"),
            json!({"to": "pending", "reason": "waiting_customer"}),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    let (_, t) = cust.get(&format!("/tickets/{phone_id}")).await;
    assert_eq!(
        (t["status"].as_str(), t["pending_reason"].as_str()),
        (Some("pending"), Some("waiting_customer"))
    );
    assert_eq!(t["sla"]["resolution"]["state"], "paused", "{t}");
    let (st, _) = cust
        .post(
            &format!("/tickets/{phone_id}/comments"),
            json!({"body": "The rack is unlocked now"}),
        )
        .await;
    assert_eq!(st, 201);
    let (_, t) = desk.get(&format!("/tickets/{phone_id}")).await;
    assert_eq!(t["status"], "in_progress");
    assert_eq!(t["sla"]["resolution"]["state"], "running", "{t}");
    assert!(is_rfc3339(&t["sla"]["resolution"]["due"]));
    let (st, ev) = desk.get(&format!("/tickets/{phone_id}/events")).await;
    assert_eq!(st, 200);
    let kinds: Vec<&str> = ev
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "comment",
            "first_response",
            "status_changed",
            "status_changed",
            "comment",
            "status_changed"
        ]
    );
    assert_eq!(ev[6]["actor"], "acme-user");
    let (st, t) = desk
        .post(
            &format!("/tickets/{phone_id}/transitions"),
            json!({"to": "resolved"}),
        )
        .await;
    assert_eq!(
        (st, t["sla"]["resolution"]["state"].as_str()),
        (StatusCode::OK, Some("met"))
    );

    let doc: Value = Client::new()
        .get(format!("{}/api/openapi.json", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/tickets/{id}/transitions"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/contracts/{id}"]["patch"].is_object());
    let (code, out, _) = s.cli(&["audit", "verify"], None);
    assert_eq!(code, 0, "{out}");
}

#[tokio::test]
async fn desk_settings_default_sla_and_escalation_api() {
    let s = Server::start();
    let api = Api::new(&s, s.admin_token());
    // A customer without a contract gets the provider's defaults, which are configurable.
    let (st, err) = api
        .send(
            Method::PUT,
            "/desk/settings",
            Some(json!({"auto_close_days": 3, "reopen_days": 10, "default_calendar": "timezone = 'Mars/Olympus'", "default_sla": {}})),
        )
        .await;
    assert_eq!(
        (st, err["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("invalid")),
        "{err}"
    );
    let settings = json!({
        "auto_close_days": 3,
        "reopen_days": 10,
        "default_calendar": null,
        "default_sla": {"medium": {"first_response": 10, "resolution": 100}}
    });
    let (st, saved) = api
        .send(Method::PUT, "/desk/settings", Some(settings))
        .await;
    assert_eq!(st, 200, "{saved}");
    assert_eq!(saved["auto_close_days"], 3);
    let (_, c) = api.post("/customers", json!({"name": "No contract"})).await;
    let (st, t) = api
        .post("/tickets", json!({"customer_id": c["id"], "title": "x", "impact": "medium", "urgency": "low", "channel": "fax"}))
        .await;
    assert_eq!(st, 201);
    assert_eq!(t["sla"]["first_response"]["budget_minutes"], 10);
    assert_eq!(t["sla"]["resolution"]["budget_minutes"], 100);
    // Escalation rules: validated, listed; queues reject unknown names.
    let (st, _) = api
        .post(
            "/escalation-rules",
            json!({"name": "x", "trigger": "never", "action": "notify_team"}),
        )
        .await;
    assert_eq!(st, 422);
    let (st, r) = api
        .post(
            "/escalation-rules",
            json!({"name": "warn ASE", "trigger": "sla_warning", "action": "notify_ase"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let (st, r) = api
        .patch(
            &format!("/escalation-rules/{}", r["id"].as_str().unwrap()),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!((st, r["enabled"].clone()), (StatusCode::OK, json!(false)));
    assert_eq!(
        api.get("/escalation-rules")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(api.get("/tickets?queue=whenever").await.0, 422);
    let (st, page) = api.get("/tickets?queue=unassigned&sort=sla_due").await;
    assert_eq!((st, page["total"].clone()), (StatusCode::OK, json!(1)));
}
