//! Runbooks and the calendar in a real Chromium, without any script of ours: an engineer
//! writes a runbook, runs it inside an incident (start a step, end it with notes, seen on the
//! timeline), and takes an iCalendar feed URL from the calendar page.
use crate::browser::{browser, click_away, sign_in, wait_for, wait_text};
use crate::support::{Api, Server};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
async fn runbook_run_and_feed_url_in_the_browser() {
    let s = Server::start();
    let api = Api::new(&s, s.admin_token());
    let password = std::fs::read_to_string(s.data_dir.join("initial-admin-password"))
        .unwrap()
        .trim()
        .to_string();
    let (_, acme) = api.post("/customers", json!({"name": "Acme"})).await;
    let acme = acme["id"].as_str().unwrap().to_string();
    let (_, asset) = api
        .post(
            &format!("/customers/{acme}/assets"),
            json!({"name": "web1", "kind": "server"}),
        )
        .await;
    let asset = asset["id"].as_str().unwrap().to_string();
    let (_, ticket) = api.post("/tickets", json!({"customer_id": acme, "title": "Site down", "channel": "phone", "assets": [asset]})).await;
    let ticket = ticket["id"].as_str().unwrap().to_string();
    let (_driver, c, _profile) = browser().await;
    let run = async {
        sign_in(&c, &s.base, "admin", &password).await?;
        // Write a runbook for the asset.
        c.goto(&format!(
            "{}/runbooks?customer_id={acme}&asset_id={asset}",
            s.base
        ))
        .await?;
        c.find(Locator::Css("#runbook-form input[name='title']"))
            .await?
            .send_keys("Web recovery")
            .await?;
        c.find(Locator::Css("#runbook-form textarea[name='steps']"))
            .await?
            .send_keys("Restart nginx | port 443 answers | systemctl restart nginx\nCheck the site | HTTP 200")
            .await?;
        click_away(&c.find(Locator::Css("#runbook-form button")).await?).await?;
        let steps = wait_for(&c, Locator::Id("steps")).await?.text().await?;
        assert!(
            steps.contains("Restart nginx") && steps.contains("systemctl restart nginx"),
            "{steps}"
        );
        // Run it inside the incident.
        c.goto(&format!("{}/tickets/{ticket}", s.base)).await?;
        let choice = c
            .find(Locator::Css("#runbook-start select"))
            .await?
            .text()
            .await?;
        assert!(
            choice.contains("★ Web recovery"),
            "the asset's runbook is offered first: {choice}"
        );
        click_away(&c.find(Locator::Css("#runbook-start button")).await?).await?;
        click_away(&wait_for(&c, Locator::Css(".runbook-run form.inline button")).await?).await?;
        let notes = wait_for(
            &c,
            Locator::Css(".runbook-run .run-steps form.row input[name='notes']"),
        )
        .await?;
        notes.send_keys("nginx back after 20 s").await?;
        click_away(
            &c.find(Locator::Css(".runbook-run .run-steps form.row button"))
                .await?,
        )
        .await?;
        wait_for(
            &c,
            Locator::XPath("//ol[@id='timeline'][contains(., 'nginx back after 20 s')]"),
        )
        .await?;
        let table = c
            .find(Locator::Css(".runbook-run .run-steps"))
            .await?
            .text()
            .await?;
        assert!(
            table.contains("ok") && table.contains("nginx back after 20 s"),
            "{table}"
        );
        // A feed URL from the calendar page.
        c.goto(&format!("{}/calendar", s.base)).await?;
        wait_for(&c, Locator::Id("calendar")).await?;
        click_away(&c.find(Locator::Css("#feed-form button")).await?).await?;
        // The form post replaces the page: look until the new page shows the URL.
        let url = wait_text(&c, Locator::Id("new-feed-url"), |t| t.ends_with(".ics")).await?;
        Ok::<String, fantoccini::error::CmdError>(url)
    };
    let result = run.await;
    c.close().await.ok();
    let url = result.unwrap();
    assert!(url.starts_with(&s.base) && url.ends_with(".ics"), "{url}");
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().starts_with("BEGIN:VCALENDAR\r\n"));
}
