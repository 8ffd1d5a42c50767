//! The desk in a real Chromium: a desk operator takes a phone report (finding the caller as
//! they type), replies and waits for the customer; the customer follows the ticket in the
//! portal, answers, and opens a ticket of their own.
use crate::browser::{browser, sign_in, wait_for};
use crate::support::Server;
use fantoccini::Locator;
use serde_json::{Value, json};

async fn api(s: &Server, token: &str, path: &str, body: Value) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1{path}", s.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

#[tokio::test]
async fn phone_report_and_portal() {
    let s = Server::start();
    let token = s.admin_token();
    let password = std::fs::read_to_string(s.data_dir.join("initial-admin-password"))
        .unwrap()
        .trim()
        .to_string();
    let acme = api(&s, &token, "/customers", json!({"name": "Acme 株式会社"})).await;
    let acme_id = acme["id"].as_str().unwrap().to_string();
    let globex = api(&s, &token, "/customers", json!({"name": "Globex"})).await;
    api(
        &s,
        &token,
        &format!("/customers/{acme_id}/contacts"),
        json!({"name": "山田 太郎", "phone": "03-5555-0101", "email": "yamada@acme.example"}),
    )
    .await;
    let other = api(
        &s,
        &token,
        "/tickets",
        json!({"customer_id": globex["id"], "title": "Globex secret", "channel": "phone"}),
    )
    .await;
    let (code, _, err) = s.cli(
        &[
            "admin",
            "user",
            "create",
            "--username",
            "yamada",
            "--role",
            "customer",
            "--customer",
            &acme_id,
            "--password-stdin",
        ],
        Some("portal-pass-1\n"),
    );
    assert_eq!(code, 0, "{err}");
    let (_driver, c, _profile) = browser().await;
    let run = async {
        sign_in(&c, &s.base, "admin", &password).await?;
        // Quick entry: typing part of the caller's phone number offers the contact.
        c.goto(&format!("{}/tickets/new", s.base)).await?;
        c.find(Locator::Id("caller"))
            .await?
            .send_keys("5555-01")
            .await?;
        wait_for(&c, Locator::Css("#caller-results a.pick-contact"))
            .await?
            .click()
            .await?;
        let chosen = wait_for(&c, Locator::Id("chosen-customer"))
            .await?
            .text()
            .await?;
        assert_eq!(chosen, "Acme 株式会社");
        let contact = c
            .find(Locator::Css("#ticket-contact option:checked"))
            .await?
            .text()
            .await?;
        assert!(contact.contains("山田"), "{contact}");
        c.find(Locator::Id("ticket-title"))
            .await?
            .send_keys("基幹サーバ停止")
            .await?;
        c.find(Locator::Id("ticket-description"))
            .await?
            .send_keys("朝から業務システムに接続できない")
            .await?;
        c.find(Locator::Css("#ticket-impact option[value='high']"))
            .await?
            .click()
            .await?;
        c.find(Locator::Id("create-ticket")).await?.click().await?;
        let number = wait_for(&c, Locator::Id("ticket-number"))
            .await?
            .text()
            .await?;
        assert!(
            number.starts_with("INC-2026-") || number.starts_with("INC-20"),
            "{number}"
        );
        let sla = c.find(Locator::Id("sla")).await?.text().await?;
        assert!(
            sla.contains("running") && sla.contains("business time left"),
            "{sla}"
        );
        // An internal note, then a reply to the customer, then wait for the customer.
        c.find(Locator::Id("comment-body"))
            .await?
            .send_keys("社内: 保守ベンダーに確認中")
            .await?;
        c.find(Locator::Id("send-comment")).await?.click().await?;
        wait_for(
            &c,
            Locator::XPath("//ol[@id='timeline'][contains(., '保守ベンダー')]"),
        )
        .await?;
        c.find(Locator::Id("comment-body"))
            .await?
            .send_keys("再起動を試してください")
            .await?;
        c.find(Locator::Id("vis-public")).await?.click().await?;
        c.find(Locator::Id("send-comment")).await?.click().await?;
        wait_for(
            &c,
            Locator::XPath("//tr[@id='clock-first_response'][contains(., 'met')]"),
        )
        .await?;
        c.find(Locator::Css("#transition-to option[value='pending']"))
            .await?
            .click()
            .await?;
        c.find(Locator::Css(
            "#transition-reason option[value='waiting_customer']",
        ))
        .await?
        .click()
        .await?;
        c.find(Locator::Id("do-transition")).await?.click().await?;
        wait_for(
            &c,
            Locator::XPath("//span[@id='ticket-status'][contains(., 'waiting_customer')]"),
        )
        .await?;
        let ticket_url = c.current_url().await?;
        // Found again by a two-character Japanese word.
        c.goto(&format!("{}/tickets?queue=all&q=停止", s.base))
            .await?;
        let list = c.find(Locator::Id("tickets")).await?.text().await?;
        assert!(list.contains(&number), "{list}");
        c.find(Locator::Id("sign-out")).await?.click().await?;

        // The customer in the portal: sees the ticket and the reply, not the internal note.
        wait_for(&c, Locator::Id("username")).await?;
        sign_in(&c, &s.base, "yamada", "portal-pass-1").await?;
        c.goto(&format!("{}/tickets", s.base)).await?;
        let list = c.find(Locator::Id("tickets")).await?.text().await?;
        assert!(
            list.contains(&number) && !list.contains("Globex secret"),
            "{list}"
        );
        c.goto(ticket_url.as_str()).await?;
        let timeline = wait_for(&c, Locator::Id("timeline")).await?.text().await?;
        assert!(timeline.contains("再起動を試してください"), "{timeline}");
        assert!(
            !timeline.contains("保守ベンダー"),
            "internal note leaked: {timeline}"
        );
        c.find(Locator::Id("comment-body"))
            .await?
            .send_keys("再起動しましたが直りません")
            .await?;
        c.find(Locator::Id("send-comment")).await?.click().await?;
        // The customer's answer ends "waiting for customer" by itself.
        wait_for(
            &c,
            Locator::XPath("//span[@id='ticket-status'][contains(., 'in_progress')]"),
        )
        .await?;
        // Another customer's ticket is simply not there.
        c.goto(&format!(
            "{}/tickets/{}",
            s.base,
            other["id"].as_str().unwrap()
        ))
        .await?;
        let body = c.find(Locator::Css("main")).await?.text().await?;
        assert!(
            body.contains("404") && !body.contains("Globex secret"),
            "{body}"
        );
        // A ticket of their own, through the portal.
        c.goto(&format!("{}/tickets/new", s.base)).await?;
        c.find(Locator::Id("ticket-title"))
            .await?
            .send_keys("VPN slow")
            .await?;
        c.find(Locator::Id("create-ticket")).await?.click().await?;
        let own = wait_for(&c, Locator::Id("ticket-number"))
            .await?
            .text()
            .await?;
        assert!(own.starts_with("INC-"), "{own}");
        let fields = c.find(Locator::Css("main")).await?.text().await?;
        assert!(fields.contains("portal"), "{fields}");
        Ok::<(), fantoccini::error::CmdError>(())
    };
    let result = run.await;
    c.close().await.ok();
    result.unwrap();
}
