//! The monitoring pages in a real Chromium: an engineer writes an alert rule in the editor,
//! changes its threshold, disables and deletes it; opens a maintenance window for a customer
//! and ends it early; sees bad input refused with a message and nothing stored; and opens the
//! alerts, events and host performance pages.
use crate::browser::{browser, sign_in, wait_for, wait_text};
use crate::support::{Api, Server};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

/// The HTTP status of `path` fetched with the browser's session cookies.
async fn status_as_browser(c: &Client, base: &str, path: &str) -> u16 {
    let cookies = c
        .get_all_cookies()
        .await
        .unwrap()
        .iter()
        .map(|k| format!("{}={}", k.name(), k.value()))
        .collect::<Vec<_>>()
        .join("; ");
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn rules(api: &Api) -> Vec<Value> {
    let (code, v) = api.get("/alert-rules").await;
    assert_eq!(code, 200, "{v}");
    v.as_array().unwrap().clone()
}

async fn windows(api: &Api) -> Vec<Value> {
    let (code, v) = api.get("/maintenance-windows").await;
    assert_eq!(code, 200, "{v}");
    v.as_array().unwrap().clone()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn alert_rules_maintenance_and_monitoring_pages_in_the_browser() {
    let s = Server::start();
    let api = Api::new(&s, s.admin_token());
    let password = std::fs::read_to_string(s.data_dir.join("initial-admin-password"))
        .unwrap()
        .trim()
        .to_string();
    let (code, acme) = api.post("/customers", json!({"name": "Acme"})).await;
    assert_eq!(code, 201, "{acme}");
    let acme = acme["id"].as_str().unwrap().to_string();
    // A host, enrolled the way an agent does it (no agent process needed for its pages).
    let (code, out, err) = s.cli(
        &["admin", "enrollment-token", "create", "--customer", &acme],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let r = api
        .c
        .post(format!("{}/api/v1/agent/enroll", s.base))
        .json(
            &json!({"version": 1, "token": out.trim(), "hostname": "perf-host",
                      "machine_id": "m-perf-1", "os": {}}),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let (_, hosts) = api.get("/hosts").await;
    let host = hosts[0]["id"].as_str().unwrap().to_string();
    let rules_before = rules(&api).await.len();

    let (_driver, c, _profile) = browser().await;
    let run = async {
        sign_in(&c, &s.base, "admin", &password).await?;

        // 1. A threshold rule written in the editor.
        c.goto(&format!("{}/alert-rules", s.base)).await?;
        wait_for(&c, Locator::Id("new-rule")).await?.click().await?;
        let form = "#rule-form";
        wait_for(&c, Locator::Css(&format!("{form} input[name='name']")))
            .await?
            .send_keys("Root disk full")
            .await?;
        for (name, value) in [
            ("metric", "node_filesystem_used_percent"),
            ("labels", "mountpoint=/"),
            ("threshold", "90"),
            ("for_secs", "300"),
        ] {
            c.find(Locator::Css(&format!("{form} input[name='{name}']")))
                .await?
                .send_keys(value)
                .await?;
        }
        c.find(Locator::Id("save-rule")).await?.click().await?;
        // The new rule's own page, titled with its name.
        let h1 = wait_text(&c, Locator::Css("h1"), |t| t.contains("Root disk full")).await?;
        assert_eq!(h1, "Rule: Root disk full");
        let url = c.current_url().await?.to_string();
        let id = url.rsplit('/').next().unwrap().to_string();
        assert_ne!(id, "new", "{url}");
        let all = rules(&api).await;
        let rule = all.iter().find(|r| r["id"] == id.as_str()).expect("stored");
        assert_eq!(rule["name"], "Root disk full");
        assert_eq!(rule["enabled"], true);
        assert_eq!(rule["spec"]["kind"], "threshold");
        assert_eq!(rule["spec"]["signal"], "metric");
        assert_eq!(rule["spec"]["metric"], "node_filesystem_used_percent");
        assert_eq!(rule["spec"]["labels"], json!({"mountpoint": "/"}));
        assert_eq!(rule["spec"]["threshold"].as_f64(), Some(90.0));
        assert_eq!(rule["spec"]["for_secs"], 300);
        // Listed, enabled.
        c.goto(&format!("{}/alert-rules", s.base)).await?;
        let row = format!("#rule-{id}");
        let text = wait_for(&c, Locator::Css(&row)).await?.text().await?;
        assert!(
            text.contains("Root disk full") && text.contains("threshold"),
            "{text}"
        );
        let enabled = format!("{row} td:nth-child(4)");
        assert_eq!(c.find(Locator::Css(&enabled)).await?.text().await?, "on");
        // Edit: the threshold goes to 95.
        c.find(Locator::Css(&format!("{row} a")))
            .await?
            .click()
            .await?;
        let threshold =
            wait_for(&c, Locator::Css(&format!("{form} input[name='threshold']"))).await?;
        assert_eq!(threshold.prop("value").await?.as_deref(), Some("90"));
        threshold.clear().await?;
        threshold.send_keys("95").await?;
        c.find(Locator::Id("save-rule")).await?.click().await?;
        wait_for(&c, Locator::Id("rules")).await?;
        let all = rules(&api).await;
        let rule = all.iter().find(|r| r["id"] == id.as_str()).unwrap();
        assert_eq!(rule["spec"]["threshold"].as_f64(), Some(95.0), "{rule}");
        assert_eq!(rule["spec"]["metric"], "node_filesystem_used_percent");
        assert_eq!(rule["spec"]["for_secs"], 300);
        c.goto(&format!("{}/alert-rules/{id}", s.base)).await?;
        let shown = wait_for(&c, Locator::Css(&format!("{form} input[name='threshold']")))
            .await?
            .prop("value")
            .await?;
        assert_eq!(shown.as_deref(), Some("95"));
        // Disable it from the list.
        c.goto(&format!("{}/alert-rules", s.base)).await?;
        let toggle = format!("{row} form[action$='/toggle'] button");
        let label = wait_for(&c, Locator::Css(&toggle)).await?.text().await?;
        assert_eq!(label, "Disable");
        c.find(Locator::Css(&toggle)).await?.click().await?;
        let label = wait_text(&c, Locator::Css(&toggle), |t| t == "Enable").await?;
        assert_eq!(label, "Enable");
        assert_eq!(c.find(Locator::Css(&enabled)).await?.text().await?, "off");
        let class = c.find(Locator::Css(&row)).await?.attr("class").await?;
        assert_eq!(class.as_deref(), Some("inactive"));
        let all = rules(&api).await;
        let rule = all.iter().find(|r| r["id"] == id.as_str()).unwrap();
        assert_eq!(rule["enabled"], false, "{rule}");
        // Delete it.
        c.find(Locator::Css(&format!(
            "{row} form[action$='/delete'] button"
        )))
        .await?
        .click()
        .await?;
        let mut gone = false;
        for _ in 0..100 {
            if c.find(Locator::Css(&row)).await.is_err()
                && c.find(Locator::Id("rules")).await.is_ok()
            {
                gone = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(gone, "the deleted rule is no longer listed");
        let all = rules(&api).await;
        assert!(all.iter().all(|r| r["id"] != id.as_str()));
        assert_eq!(all.len(), rules_before);

        // 2. A maintenance window for the customer, ended early.
        c.goto(&format!("{}/maintenance", s.base)).await?;
        let mw = "#new-window";
        wait_for(&c, Locator::Css(&format!("{mw} input[name='customer_id']")))
            .await?
            .send_keys(&acme)
            .await?;
        c.find(Locator::Css(&format!("{mw} input[name='reason']")))
            .await?
            .send_keys("Router swap")
            .await?;
        let before_create = now_ms();
        c.find(Locator::Css(&format!("{mw} button")))
            .await?
            .click()
            .await?;
        let listed = wait_text(&c, Locator::Id("windows"), |t| t.contains("Router swap")).await?;
        assert!(listed.contains(&acme), "{listed}");
        let after_create = now_ms();
        let open = windows(&api).await;
        let w = open
            .iter()
            .find(|w| w["reason"] == "Router swap")
            .expect("window stored");
        assert_eq!(w["customer_id"], acme.as_str());
        let wid = w["id"].as_str().unwrap().to_string();
        let starts = w["starts_at"].as_i64().unwrap();
        let ends = w["ends_at"].as_i64().unwrap();
        assert!(
            (before_create - 1000..=after_create + 1000).contains(&starts),
            "{w}"
        );
        assert_eq!(ends - starts, 2 * 3_600_000, "the default two hours: {w}");
        let wrow = format!("#mw-{wid}");
        let before_end = now_ms();
        c.find(Locator::Css(&format!("{wrow} form[action$='/end'] button")))
            .await?
            .click()
            .await?;
        // Over now: no longer among the API's windows not yet over…
        let mut ended = false;
        for _ in 0..100 {
            if windows(&api).await.iter().all(|w| w["id"] != wid.as_str()) {
                ended = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(ended, "the ended window is still open");
        let after_end = now_ms();
        // …its end moved to the moment of the click (the audit keeps the new end)…
        let (code, audit) = api
            .get(&format!("/audit?entity_id={wid}&action=maintenance.end"))
            .await;
        assert_eq!(code, 200, "{audit}");
        let after: Value =
            serde_json::from_str(audit[0]["after"].as_str().expect("audited")).unwrap();
        let new_end = after["ends_at"].as_i64().unwrap();
        assert!(
            (before_end - 1000..=after_end + 1000).contains(&new_end),
            "ends_at {new_end} not about now ({before_end}..{after_end})"
        );
        // …and still listed on the page as a window of the last day.
        c.goto(&format!("{}/maintenance", s.base)).await?;
        let text = wait_for(&c, Locator::Css(&wrow)).await?.text().await?;
        assert!(text.contains("Router swap"), "{text}");

        // 3. Bad input: a message, nothing stored, no 5xx.
        c.goto(&format!("{}/alert-rules/new", s.base)).await?;
        wait_for(&c, Locator::Css(&format!("{form} input[name='name']")))
            .await?
            .send_keys("No metric")
            .await?;
        c.find(Locator::Css(&format!("{form} input[name='threshold']")))
            .await?
            .send_keys("1")
            .await?;
        c.find(Locator::Id("save-rule")).await?.click().await?;
        let h1 = wait_text(&c, Locator::Css("h1"), |t| t.starts_with("Error")).await?;
        assert_eq!(h1, "Error 422");
        let msg = c.find(Locator::Css("p.error")).await?.text().await?;
        assert!(
            msg.contains("spec.metric") && msg.contains("required"),
            "{msg}"
        );
        assert!(rules(&api).await.iter().all(|r| r["name"] != "No metric"));
        assert_eq!(rules(&api).await.len(), rules_before);

        c.goto(&format!("{}/maintenance", s.base)).await?;
        wait_for(&c, Locator::Css(&format!("{mw} input[name='customer_id']")))
            .await?
            .send_keys(&acme)
            .await?;
        let hours = c
            .find(Locator::Css(&format!("{mw} input[name='hours']")))
            .await?;
        hours.clear().await?;
        hours.send_keys("-1").await?;
        c.find(Locator::Css(&format!("{mw} input[name='reason']")))
            .await?
            .send_keys("Backwards")
            .await?;
        c.find(Locator::Css(&format!("{mw} button")))
            .await?
            .click()
            .await?;
        let h1 = wait_text(&c, Locator::Css("h1"), |t| t.starts_with("Error")).await?;
        assert_eq!(h1, "Error 422");
        let msg = c.find(Locator::Css("p.error")).await?.text().await?;
        assert!(msg.contains("must be after starts_at"), "{msg}");
        assert!(windows(&api).await.is_empty());
        c.goto(&format!("{}/maintenance", s.base)).await?;
        let listed = wait_for(&c, Locator::Id("windows")).await?.text().await?;
        assert!(!listed.contains("Backwards"), "{listed}");

        // 4. The alerts, events and performance pages.
        for (path, heading) in [
            ("/alerts".to_string(), "Alerts".to_string()),
            ("/events".to_string(), "Events".to_string()),
            (
                format!("/hosts/{host}/performance"),
                "perf-host: Performance".to_string(),
            ),
        ] {
            assert_eq!(status_as_browser(&c, &s.base, &path).await, 200, "{path}");
            c.goto(&format!("{}{path}", s.base)).await?;
            let h1 = wait_for(&c, Locator::Css("h1")).await?.text().await?;
            assert_eq!(h1, heading, "{path}");
        }
        wait_for(&c, Locator::Css("p.ranges strong")).await?;
        c.goto(&format!("{}/alerts", s.base)).await?;
        wait_for(&c, Locator::Id("alerts")).await?;
        c.goto(&format!("{}/events", s.base)).await?;
        wait_for(&c, Locator::Id("events")).await?;
        Ok::<(), fantoccini::error::CmdError>(())
    };
    let result = run.await;
    c.close().await.ok();
    result.unwrap();
}
