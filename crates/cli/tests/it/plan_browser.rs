//! A work order in a real Chromium: an engineer records checklist results with the page's
//! form (no script needed), opens a ticket from a finding, finishes the order; the
//! customer's signer signs it off in the portal.
use crate::browser::{browser, sign_in, wait_text};
use crate::support::{Api, Server};
use fantoccini::Locator;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn engineer_executes_and_customer_signs_off() {
    let s = Server::start();
    let api = Api::new(&s, s.admin_token());
    let password = std::fs::read_to_string(s.data_dir.join("initial-admin-password"))
        .unwrap()
        .trim()
        .to_string();
    let (_, cust) = api.post("/customers", json!({"name": "Browser Co"})).await;
    let cid = cust["id"].as_str().unwrap().to_string();
    let today = chrono::Utc::now().date_naive().to_string();
    let (st, k) = api
        .post("/contracts", json!({"customer_id": cid, "name": "Care", "starts_on": today, "services": [{"service": "network_inspection", "rrule": "FREQ=YEARLY"}]}))
        .await;
    assert_eq!(st, 201, "{k}");
    let kid = k["id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let wo = loop {
        let (_, page) = api.get(&format!("/work-orders?contract={kid}")).await;
        if let Some(w) = page["items"].as_array().unwrap().first() {
            break w.clone();
        }
        assert!(Instant::now() < deadline, "no work order");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let id = wo["id"].as_str().unwrap().to_string();
    let n_items = api.get(&format!("/work-orders/{id}")).await.1["items"]
        .as_array()
        .unwrap()
        .len();
    let (code, _, err) = s.cli(
        &[
            "admin",
            "user",
            "create",
            "--username",
            "signer",
            "--role",
            "customer",
            "--customer",
            &cid,
            "--password-stdin",
        ],
        Some("portal-pass-1\n"),
    );
    assert_eq!(code, 0, "{err}");
    let (_, users) = api.get("/users").await;
    let signer = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "signer")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _) = api
        .send(
            reqwest::Method::PUT,
            &format!("/users/{signer}/signer"),
            Some(json!({"allowed": true})),
        )
        .await;
    assert_eq!(st, 204);

    let (_driver, c, _profile) = browser().await;
    let run = async {
        sign_in(&c, &s.base, "admin", &password).await?;
        c.goto(&format!("{}/work-orders/{id}", s.base)).await?;
        // Every item: the first is a finding with a note, the rest are fine.
        for pos in 1..=n_items {
            let v = if pos == 1 { "finding" } else { "ok" };
            c.find(Locator::Css(&format!(
                "select[name='result_{pos}'] option[value='{v}']"
            )))
            .await?
            .click()
            .await?;
        }
        c.find(Locator::Css("input[name='notes_1']"))
            .await?
            .send_keys("CRC errors on Gi0/1")
            .await?;
        c.find(Locator::Css("input[name='measured_1']"))
            .await?
            .send_keys("1,204 errors")
            .await?;
        c.find(Locator::Css("input[name='minutes']"))
            .await?
            .send_keys("90")
            .await?;
        c.find(Locator::Id("save-results")).await?.click().await?;
        let minutes = wait_text(&c, Locator::Id("wo-minutes"), |t| t == "90 min").await?;
        assert_eq!(minutes, "90 min");
        // The finding opens a ticket, and the page leads to it.
        c.find(Locator::Css("button.open-ticket"))
            .await?
            .click()
            .await?;
        let number = wait_text(&c, Locator::Id("ticket-number"), |t| t.starts_with("INC-")).await?;
        assert!(number.starts_with("INC-"), "{number}");
        c.goto(&format!("{}/work-orders/{id}", s.base)).await?;
        c.find(Locator::Css(
            "#wo-update select[name='status'] option[value='done']",
        ))
        .await?
        .click()
        .await?;
        c.find(Locator::Css("#wo-update button"))
            .await?
            .click()
            .await?;
        let status = wait_text(&c, Locator::Id("wo-status"), |t| t.contains("Done")).await?;
        assert!(status.contains("Done"), "{status}");
        c.find(Locator::Css("form[action='/logout'] button"))
            .await?
            .click()
            .await?;
        // The customer's signer sees the order in the portal and signs it off.
        sign_in(&c, &s.base, "signer", "portal-pass-1").await?;
        c.goto(&format!("{}/work-orders", s.base)).await?;
        let list = c.find(Locator::Id("work-orders")).await?.text().await?;
        assert!(list.contains(wo["number"].as_str().unwrap()), "{list}");
        c.goto(&format!("{}/work-orders/{id}", s.base)).await?;
        c.find(Locator::Css("#signoff button"))
            .await?
            .click()
            .await?;
        let signed = wait_text(&c, Locator::Id("wo-signoff"), |t| t.contains("signer")).await?;
        assert!(signed.contains("signer"), "{signed}");
        Ok::<(), fantoccini::error::CmdError>(())
    };
    let result = run.await;
    c.close().await.ok();
    result.unwrap();
    let (_, w) = api.get(&format!("/work-orders/{id}")).await;
    assert_eq!(w["items"][0]["notes"], "CRC errors on Gi0/1");
    assert_eq!(w["signoff_user_id"], signer.as_str());
}
