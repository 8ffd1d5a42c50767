//! Planned work end to end: a contract's plan over the API, the scheduler in `onestop serve`
//! turning due activities into work orders, execution through the API, the portal's view, and
//! two servers on one PostgreSQL creating each work order once.
use crate::support::{Api, Server, postgres_url};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A customer with a server and a contract starting today with a weekly inspection (14 days'
/// lead: today's, next week's and the one after are due at once) and a yearly review.
async fn setup(api: &Api, name: &str) -> (Value, Value, Value) {
    let (st, c) = api.post("/customers", json!({"name": name})).await;
    assert_eq!(st, 201, "{c}");
    let cid = c["id"].as_str().unwrap();
    let (st, host) = api
        .post(
            &format!("/customers/{cid}/assets"),
            json!({"name": format!("{name}-db1"), "kind": "server"}),
        )
        .await;
    assert_eq!(st, 201, "{host}");
    let (st, k) = api
        .post(
            "/contracts",
            json!({"customer_id": cid, "name": "Managed service", "starts_on": today().to_string(),
                   "services": [
                       {"service": "system_inspection", "rrule": "FREQ=WEEKLY", "params": {"assets": [host["id"]], "owner_role": "cse"}},
                       {"service": "technical_review", "rrule": "FREQ=YEARLY"}
                   ]}),
        )
        .await;
    assert_eq!(st, 201, "{k}");
    (c, host, k)
}

async fn wait_for_work_orders(api: &Api, contract: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (st, page) = api
            .get(&format!("/work-orders?contract={contract}&per_page=100"))
            .await;
        assert_eq!(st, 200, "{page}");
        let items = page["items"].as_array().unwrap().clone();
        if items.len() >= n || Instant::now() > deadline {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error body: {v}"))
}

#[tokio::test]
async fn plan_and_work_orders_through_the_api() {
    let s = Server::start();
    let api = Api::new(&s, s.admin_token());
    let (c, host, k) = setup(&api, "Kaito").await;
    let kid = k["id"].as_str().unwrap();
    let year = today().format("%Y").to_string();
    let (st, plan) = api.get(&format!("/contracts/{kid}/plan?year={year}")).await;
    assert_eq!(st, 200, "{plan}");
    let acts = plan["activities"].as_array().unwrap();
    assert!(!acts.is_empty());
    for a in acts {
        for f in [
            "id",
            "service",
            "date",
            "owner_role",
            "status",
            "work_order_id",
        ] {
            assert!(a.get(f).is_some(), "{f} missing in {a}");
        }
        assert!(chrono::NaiveDate::parse_from_str(a["date"].as_str().unwrap(), "%Y-%m-%d").is_ok());
    }
    assert_eq!(acts[0]["date"], today().to_string());
    // Bad input is a 4xx JSON error.
    let (st, e) = api.get(&format!("/contracts/{kid}/plan?year=1200")).await;
    assert_eq!(
        (st, error_code(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
    );
    let (st, e) = api.get("/contracts/nope/plan").await;
    assert_eq!((st, error_code(&e)), (StatusCode::NOT_FOUND, "not_found"));

    // The scheduler (every second in tests) creates the due work orders.
    let due = acts
        .iter()
        .filter(|a| {
            a["date"].as_str().unwrap() <= (today() + chrono::Days::new(14)).to_string().as_str()
        })
        .count();
    assert!(due >= 3);
    let wos = wait_for_work_orders(&api, kid, due).await;
    assert_eq!(wos.len(), due, "{wos:?}");
    let (_, plan) = api.get(&format!("/contracts/{kid}/plan?year={year}")).await;
    let with_wo = plan["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["work_order_id"].is_string())
        .count();
    assert_eq!(with_wo, due);
    let wo_id = wos
        .iter()
        .find(|w| w["template"] == "system_inspection")
        .unwrap()["id"]
        .as_str()
        .unwrap();
    let (st, wo) = api.get(&format!("/work-orders/{wo_id}")).await;
    assert_eq!(st, 200);
    assert_eq!(wo["assets"], json!([host["id"]]));
    assert_eq!(wo["template"], "system_inspection");
    let items = wo["items"].as_array().unwrap();
    assert_eq!(items.len(), 11);

    // Results: validated, recorded, audited.
    let (st, e) = api
        .post(
            &format!("/work-orders/{wo_id}/results"),
            json!({"items": [{"pos": 1, "result": "maybe"}]}),
        )
        .await;
    assert_eq!(
        (st, error_code(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
    );
    let (st, e) = api
        .post(
            &format!("/work-orders/{wo_id}/results"),
            json!({"items": [{"pos": 99, "result": "ok"}]}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    let (st, e) = api
        .post(
            "/work-orders/nope/results",
            json!({"items": [{"pos": 1, "result": "ok"}]}),
        )
        .await;
    assert_eq!(st, 404, "{e}");
    let (st, wo) = api
        .post(&format!("/work-orders/{wo_id}/results"), json!({"items": [{"pos": 1, "result": "ok", "measured": "/ 40%"}, {"pos": 3, "result": "finding", "notes": "nginx.service failed"}], "minutes": 25}))
        .await;
    assert_eq!(st, 200, "{wo}");
    assert_eq!(wo["status"], "in_progress");
    assert_eq!(wo["minutes_spent"], 25);
    assert_eq!(wo["items"][0]["result"], "ok");
    let (st, e) = api
        .patch(&format!("/work-orders/{wo_id}"), json!({"status": "done"}))
        .await;
    assert_eq!(st, 422, "{e}");
    // A finding opens a linked incident.
    let (st, t) = api
        .post(&format!("/work-orders/{wo_id}/items/3/ticket"), json!({}))
        .await;
    assert_eq!(st, 201, "{t}");
    assert!(t["number"].as_str().unwrap().starts_with("INC-"));
    let (_, wo) = api.get(&format!("/work-orders/{wo_id}")).await;
    assert_eq!(wo["items"][2]["ticket_id"], t["id"]);
    let (_, audit) = api
        .get(&format!("/audit?entity=work_order&entity_id={wo_id}"))
        .await;
    assert!(audit.to_string().contains("work_order.results"), "{audit}");

    // Ad hoc from a ticket, with a template; templates are listed.
    let (st, wo2) = api
        .post(
            "/work-orders",
            json!({"ticket_id": t["id"], "template": "network_inspection"}),
        )
        .await;
    assert_eq!(st, 201, "{wo2}");
    assert_eq!(wo2["kind"], "adhoc");
    assert_eq!(wo2["customer_id"], c["id"]);
    let (st, e) = api
        .post("/work-orders", json!({"customer_id": c["id"]}))
        .await;
    assert_eq!(
        (st, error_code(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
    );
    let (_, templates) = api.get("/checklist-templates").await;
    let codes: Vec<&str> = templates
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    for code in [
        "system_inspection",
        "network_inspection",
        "security_inspection",
        "hardware_inspection",
        "environment_assessment",
    ] {
        assert!(codes.contains(&code), "{codes:?}");
    }
    let (st, e) = api
        .send(
            reqwest::Method::PUT,
            "/checklist-templates/system_inspection",
            Some(json!({"items": [{"title": "x", "auto": "rm -rf /"}]})),
        )
        .await;
    assert_eq!(st, 422, "{e}");

    // Filters.
    let (_, mine) = api
        .get(&format!(
            "/work-orders?status=in_progress&customer={}",
            c["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let (st, e) = api.get("/work-orders?status=sleeping").await;
    assert_eq!(st, 422, "{e}");
    let (st, e) = api.get("/work-orders?due_from=yesterday").await;
    assert_eq!(st, 422, "{e}");

    // The portal: the customer's own work orders only, read-only.
    let (other, _, _) = setup(&api, "Other").await;
    let (st, u) = api
        .post("/users", json!({"username": "kaito-user", "role": "customer", "customer_id": c["id"], "password": "pw-portal-1"}))
        .await;
    assert_eq!(st, 201, "{u}");
    let (code, tok, err) = s.cli(
        &["admin", "token", "create", "--username", "kaito-user"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let portal = Api::new(&s, tok.trim().to_string());
    let (_, seen) = portal.get("/work-orders?per_page=100").await;
    let seen = seen["items"].as_array().unwrap();
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|w| w["customer_id"] == c["id"]));
    let (_, theirs) = api
        .get(&format!(
            "/work-orders?customer={}",
            other["id"].as_str().unwrap()
        ))
        .await;
    if let Some(w) = theirs["items"].as_array().unwrap().first() {
        let (st, _) = portal
            .get(&format!("/work-orders/{}", w["id"].as_str().unwrap()))
            .await;
        assert_eq!(st, 404);
    }
    let (st, e) = portal
        .post(
            &format!("/work-orders/{wo_id}/results"),
            json!({"items": [{"pos": 2, "result": "ok"}]}),
        )
        .await;
    assert_eq!((st, error_code(&e)), (StatusCode::FORBIDDEN, "forbidden"));
}

#[tokio::test]
async fn two_servers_create_each_work_order_once() {
    let Some(url) = postgres_url() else {
        eprintln!("ONESTOP_TEST_POSTGRES_URL not set: skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let a = Server::start_with(&tmp.path().join("a"), Some(&url));
    let b = Server::start_with(&tmp.path().join("b"), Some(&url));
    let api_a = Api::new(&a, a.admin_token());
    let api_b = Api::new(&b, b.admin_token());
    let mut contracts = vec![];
    for i in 0..4 {
        let api = if i % 2 == 0 { &api_a } else { &api_b };
        let (_, _, k) = setup(api, &format!("Shared{i}")).await;
        contracts.push(k["id"].as_str().unwrap().to_string());
    }
    // Both servers run the plan scheduler every second; let them race for a while.
    let year = today().format("%Y").to_string();
    for k in &contracts {
        let (_, plan) = api_b.get(&format!("/contracts/{k}/plan?year={year}")).await;
        let due = plan["activities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                a["date"].as_str().unwrap()
                    <= (today() + chrono::Days::new(14)).to_string().as_str()
            })
            .count();
        let wos = wait_for_work_orders(&api_a, k, due).await;
        assert_eq!(wos.len(), due);
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (_, all) = api_b.get("/work-orders?per_page=200").await;
    let all = all["items"].as_array().unwrap();
    let mut activities: Vec<&str> = all
        .iter()
        .map(|w| w["activity_id"].as_str().unwrap())
        .collect();
    let n = activities.len();
    activities.sort();
    activities.dedup();
    assert_eq!(activities.len(), n, "an activity got two work orders");
    let mut numbers: Vec<&str> = all.iter().map(|w| w["number"].as_str().unwrap()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), n);
    for k in &contracts {
        let (_, plan) = api_a.get(&format!("/contracts/{k}/plan?year={year}")).await;
        for act in plan["activities"].as_array().unwrap() {
            if let Some(w) = act["work_order_id"].as_str() {
                assert_eq!(all.iter().filter(|x| x["id"] == w).count(), 1);
            }
        }
    }
}

#[tokio::test]
async fn pages_execute_a_work_order_without_javascript() {
    let s = Server::start();
    let token = s.admin_token();
    let api = Api::new(&s, token.clone());
    let (_, _, k) = setup(&api, "Pages").await;
    let kid = k["id"].as_str().unwrap();
    let wos = wait_for_work_orders(&api, kid, 3).await;
    let wo = wos
        .iter()
        .find(|w| w["template"] == "system_inspection")
        .unwrap();
    let id = wo["id"].as_str().unwrap();
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = |path: String, lang: &'static str| {
        let c = c.clone();
        let (base, token) = (s.base.clone(), token.clone());
        async move {
            let r = c
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (st, html) = page(format!("/contracts/{kid}/plan"), "en").await;
    assert_eq!(st, 200);
    assert!(html.contains("class=\"activity st-work_order\""), "{html}");
    let (st, html) = page(format!("/contracts/{kid}/plan"), "ja").await;
    assert_eq!(st, 200);
    assert!(html.contains("作業指示済"));
    let (st, html) = page("/work-orders".into(), "en").await;
    assert_eq!(st, 200);
    assert!(html.contains(wo["number"].as_str().unwrap()));
    let (st, html) = page(format!("/work-orders/{id}"), "ja").await;
    assert_eq!(st, 200);
    assert!(
        html.contains("チェックリスト") && html.contains("ディスク空き容量"),
        "{html}"
    );
    // The checklist form: two results, notes, measured value and time, in one post.
    let r = c
        .post(format!("{}/work-orders/{id}/results", s.base))
        .bearer_auth(&token)
        .form(&[
            ("_csrf", ""),
            ("result_1", "ok"),
            ("measured_1", "/ 35%"),
            ("result_2", "finding"),
            ("notes_2", "/var 92% inodes"),
            ("result_3", ""),
            ("minutes", "20"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, w) = api.get(&format!("/work-orders/{id}")).await;
    assert_eq!(
        (
            w["items"][0]["result"].clone(),
            w["items"][0]["measured"].clone()
        ),
        (json!("ok"), json!("/ 35%"))
    );
    assert_eq!(w["items"][1]["result"], "finding");
    assert_eq!(w["items"][2]["result"], Value::Null);
    assert_eq!(w["minutes_spent"], 20);
    // Open a ticket from the finding through the page's button.
    let r = c
        .post(format!("{}/work-orders/{id}/items/2/ticket", s.base))
        .bearer_auth(&token)
        .form(&[("_csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/tickets/")
    );
    // A work order from a ticket through the list page's form.
    let (_, t) = api
        .post(
            "/tickets",
            json!({"customer_id": wo["customer_id"], "title": "Fan noise"}),
        )
        .await;
    let tid = t["id"].as_str().unwrap();
    let (st, html) = page(
        format!("/work-orders?page=1&status=active&ticket_id={tid}"),
        "en",
    )
    .await;
    assert_eq!(st, 200);
    assert!(html.contains(tid));
    let r = c
        .post(format!("{}/work-orders", s.base))
        .bearer_auth(&token)
        .form(&[
            ("_csrf", ""),
            ("ticket_id", tid),
            ("template", "hardware_inspection"),
            ("date", "2026-12-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let new_id = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/work-orders/")
        .to_string();
    let (_, w) = api.get(&format!("/work-orders/{new_id}")).await;
    assert_eq!(
        (w["ticket_id"].as_str(), w["template"].as_str()),
        (Some(tid), Some("hardware_inspection"))
    );
    let (st, html) = page("/checklist-templates".into(), "en").await;
    assert_eq!(st, 200);
    assert!(html.contains("tpl-security_inspection") && html.contains("sshd_config"));
}
