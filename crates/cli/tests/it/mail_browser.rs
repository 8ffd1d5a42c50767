//! The triage queue in a real Chromium (no script needed): a message from a free-mail address
//! waits in `/mail/triage`; staff open a ticket for the right customer from it (the ticket page
//! then shows the acknowledgement queued), and discard another.
use crate::browser::{browser, sign_in, wait_for};
use crate::mail_support::{customers, ingest, message};
use crate::support::{Api, Server};
use fantoccini::Locator;

#[tokio::test]
async fn triage_in_the_browser() {
    let s = Server::start();
    let api = Api::new(&s, s.admin_token());
    let (_, _, beta) = customers(&api).await;
    let m1 = message(
        "Taro <taro@gmail.com>",
        "プリンター故障",
        "g1@gmail.com",
        "",
        "印刷できません",
    );
    assert_eq!(
        ingest(&s.db, &[], &m1).1,
        "triage free-mail domain gmail.com"
    );
    let m2 = message(
        "spam@nowhere.example",
        "Buy now",
        "s1@nowhere.example",
        "",
        "…",
    );
    assert_eq!(ingest(&s.db, &[], &m2).1, "triage unknown sender");
    let password = std::fs::read_to_string(s.data_dir.join("initial-admin-password")).unwrap();
    let (_driver, c, _profile) = browser().await;
    let run = async {
        sign_in(&c, &s.base, "admin", password.trim()).await?;
        c.find(Locator::Id("nav-mail-triage"))
            .await?
            .click()
            .await?;
        let table = wait_for(&c, Locator::Id("triage")).await?.text().await?;
        assert!(
            table.contains("プリンター故障") && table.contains("free-mail domain gmail.com"),
            "{table}"
        );
        c.find(Locator::LinkText("プリンター故障"))
            .await?
            .click()
            .await?;
        let body = wait_for(&c, Locator::Id("mail-body")).await?.text().await?;
        assert_eq!(body, "印刷できません");
        c.find(Locator::Id("triage-customer"))
            .await?
            .select_by_value(&beta)
            .await?;
        c.find(Locator::Id("triage-open")).await?.click().await?;
        let mail = wait_for(&c, Locator::Id("ticket-mail"))
            .await?
            .text()
            .await?;
        assert!(
            mail.contains("taro@gmail.com") && mail.contains("ack"),
            "{mail}"
        );
        c.goto(&format!("{}/mail/triage", s.base)).await?;
        c.find(Locator::LinkText("Buy now")).await?.click().await?;
        wait_for(&c, Locator::Id("triage-discard"))
            .await?
            .click()
            .await?;
        let table = wait_for(&c, Locator::Id("triage")).await?.text().await?;
        assert!(
            !table.contains("Buy now") && !table.contains("プリンター故障"),
            "{table}"
        );
        Ok::<(), fantoccini::error::CmdError>(())
    };
    let r = run.await;
    c.close().await.ok();
    r.unwrap();
    let (_, q) = api.get("/mail/triage?state=opened").await;
    assert_eq!(q["items"][0]["customer_id"], beta.as_str());
}
