//! The web UI in a real headless Chromium (through chromedriver): sign in, register a customer
//! and an asset, switch to Japanese.
use crate::support::{Server, free_port};
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

// The child is handed to `Driver`, whose `Drop` kills and waits for it.
#[allow(clippy::zombie_processes)]
pub(crate) async fn browser() -> (Driver, fantoccini::Client, tempfile::TempDir) {
    let port = free_port();
    let driver =
        Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver must be installed (.ci/run installs Debian's chromium-driver)");
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.path().display())]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if let Ok(c) = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return (Driver(driver), c, profile);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not start a Chromium session through chromedriver");
}

/// Find an element, waiting (up to 10 s) for the page a click started to load.
pub(crate) async fn wait_for(
    c: &fantoccini::Client,
    l: Locator<'_>,
) -> Result<fantoccini::elements::Element, fantoccini::error::CmdError> {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(l)
        .await
}

/// Click an element that posts its form (or follows a link) and wait, up to 10 s, until its
/// page has gone: an element looked for right after could otherwise be found on the old page,
/// and go stale (or take the keys typed) while the new one loads.
pub(crate) async fn click_away(
    el: &fantoccini::elements::Element,
) -> Result<(), fantoccini::error::CmdError> {
    el.click().await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match el.tag_name().await {
            // Stale, or (Chromium, mid-navigation) "node does not belong to the document":
            // either way the old page is gone; a real failure shows on the next step.
            Err(_) => return Ok(()),
            Ok(_) if std::time::Instant::now() >= deadline => {
                return Err(fantoccini::error::CmdError::WaitTimeout);
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Sign in through the login form as `user` and wait for the signed-in page.
pub(crate) async fn sign_in(
    c: &fantoccini::Client,
    base: &str,
    user: &str,
    password: &str,
) -> Result<(), fantoccini::error::CmdError> {
    c.goto(&format!("{base}/login")).await?;
    c.find(Locator::Id("username"))
        .await?
        .send_keys(user)
        .await?;
    c.find(Locator::Id("password"))
        .await?
        .send_keys(password)
        .await?;
    c.find(Locator::Id("sign-in")).await?.click().await?;
    wait_for(c, Locator::Css("nav")).await?;
    Ok(())
}

/// The text of the element at `l` once it satisfies `ok`, looking again while a form post
/// replaces the page (an element found on the old page goes stale): up to 10 s, then the last
/// text seen (or the last error).
pub(crate) async fn wait_text(
    c: &fantoccini::Client,
    l: Locator<'_>,
    ok: impl Fn(&str) -> bool,
) -> Result<String, fantoccini::error::CmdError> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let seen = match c.find(l).await {
            Ok(e) => e.text().await,
            Err(e) => Err(e),
        };
        match seen {
            Ok(t) if ok(&t) => return Ok(t),
            other if std::time::Instant::now() >= deadline => return other,
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test]
async fn sign_in_and_create_an_asset() {
    let s = Server::start();
    let password = std::fs::read_to_string(s.data_dir.join("initial-admin-password"))
        .unwrap()
        .trim()
        .to_string();
    let (_driver, c, _profile) = browser().await;
    let run = async {
        c.goto(&format!("{}/customers", s.base)).await?;
        // Not signed in: sent to the sign-in page. A wrong password is refused.
        assert!(c.current_url().await?.path().ends_with("/login"));
        c.find(Locator::Id("username"))
            .await?
            .send_keys("admin")
            .await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys("wrong-password")
            .await?;
        c.find(Locator::Id("sign-in")).await?.click().await?;
        assert!(wait_for(&c, Locator::Id("login-error")).await.is_ok());
        c.find(Locator::Id("username"))
            .await?
            .send_keys("admin")
            .await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys(&password)
            .await?;
        c.find(Locator::Id("sign-in")).await?.click().await?;
        wait_for(&c, Locator::Css("nav")).await?;
        assert_eq!(c.current_url().await?.path(), "/");

        c.goto(&format!("{}/customers", s.base)).await?;
        c.find(Locator::Id("customer-name"))
            .await?
            .send_keys("Browser Co")
            .await?;
        c.find(Locator::Id("create-customer"))
            .await?
            .click()
            .await?;
        let title = wait_for(&c, Locator::Id("customer-title"))
            .await?
            .text()
            .await?;
        assert_eq!(title, "Browser Co");

        // A contact: added on the customer page, then edited on its own page.
        c.find(Locator::Css("#new-contact input[name='name']"))
            .await?
            .send_keys("Suzuki")
            .await?;
        c.find(Locator::Id("add-contact")).await?.click().await?;
        wait_for(&c, Locator::XPath("//table[@id='contacts']//a[.='Suzuki']"))
            .await?
            .click()
            .await?;
        wait_for(&c, Locator::Id("contact-roles-input"))
            .await?
            .send_keys("security_notices")
            .await?;
        c.find(Locator::Id("save-contact")).await?.click().await?;
        let roles = wait_for(
            &c,
            Locator::XPath("//td[@id='contact-roles'][contains(., 'security_notices')]"),
        )
        .await?
        .text()
        .await?;
        assert_eq!(roles, "security_notices");
        c.goto(&format!("{}/contacts?role=security_notices", s.base))
            .await?;
        let table = c.find(Locator::Id("contacts")).await?.text().await?;
        assert!(
            table.contains("Suzuki") && table.contains("Browser Co"),
            "{table}"
        );

        c.goto(&format!("{}/assets", s.base)).await?;
        c.find(Locator::Id("asset-name"))
            .await?
            .send_keys("web-01")
            .await?;
        c.find(Locator::Id("asset-serial"))
            .await?
            .send_keys("SN-42")
            .await?;
        c.find(Locator::Css(
            "#asset-kind option[value='server'], #asset-kind option",
        ))
        .await?
        .click()
        .await?;
        c.find(Locator::Id("create-asset")).await?.click().await?;
        let title = wait_for(&c, Locator::Id("asset-title"))
            .await?
            .text()
            .await?;
        assert_eq!(title, "web-01");
        let fields = wait_for(&c, Locator::Id("asset-fields"))
            .await?
            .text()
            .await?;
        assert!(fields.contains("SN-42"), "{fields}");

        // Edit it in place: the rack moves.
        c.find(Locator::Css("details summary"))
            .await?
            .click()
            .await?;
        c.find(Locator::Css("#edit-asset input[name='rack']"))
            .await?
            .send_keys("R12-U3")
            .await?;
        c.find(Locator::Id("save-asset")).await?.click().await?;
        // The edited page has the new rack; waiting for it skips the page being left.
        let fields = wait_for(
            &c,
            Locator::XPath("//table[@id='asset-fields'][contains(., 'R12-U3')]"),
        )
        .await?
        .text()
        .await?;
        assert!(fields.contains("R12-U3"), "{fields}");

        // The list finds it by search.
        c.goto(&format!("{}/assets?q=web-0", s.base)).await?;
        let table = c.find(Locator::Id("assets")).await?.text().await?;
        assert!(
            table.contains("web-01") && table.contains("Browser Co"),
            "{table}"
        );

        // Japanese, as a per-user setting.
        c.goto(&format!("{}/account", s.base)).await?;
        c.find(Locator::Css("#language option[value='ja']"))
            .await?
            .click()
            .await?;
        c.find(Locator::Id("save-language")).await?.click().await?;
        let nav = wait_for(&c, Locator::XPath("//nav[contains(., '顧客')]"))
            .await?
            .text()
            .await?;
        assert!(nav.contains("顧客") && nav.contains("資産"), "{nav}");

        // The audit log shows who did it.
        c.goto(&format!("{}/audit", s.base)).await?;
        let audit = c.find(Locator::Id("audit")).await?.text().await?;
        assert!(
            audit.contains("asset.create") && audit.contains("auth.sign_in"),
            "{audit}"
        );
        Ok::<(), fantoccini::error::CmdError>(())
    };
    let result = run.await;
    c.close().await.ok();
    result.unwrap();
}
