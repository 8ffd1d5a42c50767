//! Browser sign-in over plain HTTP: CSRF on every form, throttling, TOTP (by choice and by role),
//! cookie attributes, and HTTPS served directly.
use crate::support::{Server, free_port};
use reqwest::{Client, StatusCode, redirect::Policy};

struct Browser {
    c: Client,
    base: String,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new(s: &Server) -> Browser {
        Browser {
            c: Client::builder().redirect(Policy::none()).build().unwrap(),
            base: s.base.clone(),
            cookies: vec![],
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, r: &reqwest::Response) -> Vec<String> {
        let raw: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &raw {
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !v.is_empty() {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        raw
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, Option<String>) {
        let r = self
            .c
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&r);
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (r.status(), r.text().await.unwrap(), loc)
    }

    async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>, Vec<String>) {
        let r = self
            .c
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        let set = self.keep_cookies(&r);
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (r.status(), r.text().await.unwrap(), loc, set)
    }

    /// Load the sign-in page (for its CSRF token) and submit it.
    async fn sign_in(
        &mut self,
        user: &str,
        password: &str,
    ) -> (StatusCode, Option<String>, Vec<String>) {
        let (_, html, _) = self.get("/login").await;
        let csrf = hidden(&html, "_csrf");
        let (st, _, loc, set) = self
            .post(
                "/login",
                &[("username", user), ("password", password), ("_csrf", &csrf)],
            )
            .await;
        (st, loc, set)
    }
}

/// The value of the first hidden input named `name`.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

fn admin_password(s: &Server) -> String {
    std::fs::read_to_string(s.data_dir.join("initial-admin-password"))
        .unwrap()
        .trim()
        .to_string()
}

fn code(secret: &str, user: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.into()).to_bytes().unwrap();
    let t = totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("onestop".into()),
        user.into(),
    )
    .unwrap();
    t.generate_current().unwrap()
}

#[tokio::test]
async fn csrf_throttling_and_cookies() {
    let s = Server::start();
    let mut b = Browser::new(&s);
    // A sign-in without the form's CSRF token is refused.
    let (st, ..) = b
        .post(
            "/login",
            &[("username", "admin"), ("password", &admin_password(&s))],
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Five wrong passwords, then even the right one is throttled.
    for _ in 0..5 {
        assert_eq!(
            b.sign_in("admin", "wrong").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        b.sign_in("admin", &admin_password(&s)).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Another address-free user signs in; the session cookie is HttpOnly and SameSite=Lax.
    let (code_, _, err) = s.cli(
        &[
            "admin",
            "user",
            "create",
            "--username",
            "desk1",
            "--role",
            "front",
            "--password-stdin",
        ],
        Some("desk-password-1\n"),
    );
    assert_eq!(code_, 0, "{err}");
    let mut d = Browser {
        cookies: vec![],
        ..Browser::new(&s)
    };
    let (st, loc, set) = d.sign_in("desk1", "desk-password-1").await;
    assert_eq!(
        (st, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/")),
        "{set:?}"
    );
    let session = set
        .iter()
        .find(|c| c.starts_with("onestop_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && !session.contains("Secure"),
        "{session}"
    );
    // A form post without the session's CSRF token is refused; with it, it works.
    let (st, ..) = d.post("/customers", &[("name", "NoCsrf")]).await;
    assert_ne!(st, StatusCode::SEE_OTHER);
    let (_, html, _) = d.get("/customers").await;
    let csrf = hidden(&html, "_csrf");
    let (st, _, loc, _) = d
        .post("/customers", &[("name", "WithCsrf"), ("_csrf", &csrf)])
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{loc:?}");
    // Sign-out ends the session.
    let (st, _, loc, _) = d.post("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(
        (st, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/login"))
    );
    let (_, _, loc) = d.get("/customers").await;
    assert_eq!(loc.as_deref(), Some("/login"));
}

#[tokio::test]
async fn totp_by_choice_and_by_role() {
    let s = Server::start();
    let mut b = Browser::new(&s);
    let (st, loc, _) = b.sign_in("admin", &admin_password(&s)).await;
    assert_eq!((st, loc.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
    // Enrol: the page shows a secret; a wrong code is refused, the right one turns TOTP on.
    let (_, html, _) = b.get("/account/totp").await;
    let secret = hidden(&html, "secret");
    let csrf = hidden(&html, "_csrf");
    let (st, ..) = b
        .post(
            "/account/totp",
            &[("code", "000000"), ("secret", &secret), ("_csrf", &csrf)],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, loc, _) = b
        .post(
            "/account/totp",
            &[
                ("code", &code(&secret, "admin")),
                ("secret", &secret),
                ("_csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(
        (st, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/account"))
    );

    // Require TOTP for the `front` role.
    let (_, html, _) = b.get("/users").await;
    let csrf = hidden(&html, "_csrf");
    let (st, ..) = b
        .post("/settings/mfa", &[("role_front", "on"), ("_csrf", &csrf)])
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);

    // Next sign-in asks for the code before anything else is reachable.
    let mut again = Browser::new(&s);
    let (_, loc, _) = again.sign_in("admin", &admin_password(&s)).await;
    assert_eq!(loc.as_deref(), Some("/login/totp"));
    assert_eq!(again.get("/customers").await.2.as_deref(), Some("/login"));
    let (_, html, _) = again.get("/login/totp").await;
    let csrf = hidden(&html, "_csrf");
    let (_, _, loc, _) = again
        .post(
            "/login/totp",
            &[("code", &code(&secret, "admin")), ("_csrf", &csrf)],
        )
        .await;
    assert_eq!(loc.as_deref(), Some("/"));
    assert_eq!(again.get("/customers").await.0, StatusCode::OK);

    // A front-desk user without TOTP is sent to enrol first.
    let (c, _, err) = s.cli(
        &[
            "admin",
            "user",
            "create",
            "--username",
            "front1",
            "--role",
            "front",
            "--password-stdin",
        ],
        Some("front-password-1\n"),
    );
    assert_eq!(c, 0, "{err}");
    let mut f = Browser::new(&s);
    let (_, loc, _) = f.sign_in("front1", "front-password-1").await;
    assert_eq!(loc.as_deref(), Some("/account/totp"));
    assert_eq!(f.get("/assets").await.2.as_deref(), Some("/login"));
}

#[test]
fn serves_https_with_a_given_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let (cert, key) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    let ok = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl")
        .status
        .success();
    assert!(ok);
    let port = free_port();
    let mut child = std::process::Command::new(crate::support::bin())
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(tmp.path().join("data"))
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut answer = String::new();
    for _ in 0..300 {
        let out = std::process::Command::new("curl")
            .args(["-sk", &format!("https://127.0.0.1:{port}/healthz")])
            .output()
            .unwrap();
        answer = String::from_utf8_lossy(&out.stdout).into();
        if answer == "ok" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(answer, "ok");
}
