//! Work records through a real server: attachments uploaded (multipart) and downloaded,
//! executables and oversized files refused, a vendor case whose clock shows in the ticket's
//! `sla`, time, links and field visits with customer scoping, the service catalog, and the
//! browser forms behind `ticket_work.html`.
use crate::support::{Api, Server};
use reqwest::{Client, StatusCode, redirect::Policy};
use serde_json::{Value, json};

impl Api {
    /// POST a multipart form built by hand: text fields, then the file part.
    async fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Option<&str>, &[u8])>,
    ) -> (StatusCode, Value) {
        let (ct, body) = multipart(fields, file);
        let resp = self
            .c
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

fn multipart(
    fields: &[(&str, &str)],
    file: Option<(&str, Option<&str>, &[u8])>,
) -> (String, Vec<u8>) {
    let b = "----onestop-test-boundary-7f3a";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").bytes(),
        );
    }
    if let Some((name, ty, bytes)) = file {
        body.extend(
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            )
            .bytes(),
        );
        if let Some(t) = ty {
            body.extend(format!("Content-Type: {t}\r\n").bytes());
        }
        body.extend(b"\r\n");
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{b}--\r\n").bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

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

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

#[tokio::test]
async fn attachments_vendor_clock_and_work_records_over_http() {
    let s = Server::start_env(&[("ONESTOP_ATTACHMENT_MAX_BYTES", "65536")]);
    let admin = Api::new(&s, s.admin_token());
    let (_, acme) = admin.post("/customers", json!({"name": "Acme"})).await;
    let (_, globex) = admin.post("/customers", json!({"name": "Globex"})).await;
    let (acme_id, globex_id) = (acme["id"].as_str().unwrap(), globex["id"].as_str().unwrap());
    let acme_user = Api::new(&s, user_token(&s, "acme-user", "customer", Some(acme_id)));
    let globex_user = Api::new(
        &s,
        user_token(&s, "globex-user", "customer", Some(globex_id)),
    );
    let ce = Api::new(&s, user_token(&s, "ken", "ce", None));
    let (st, t) = admin
        .post(
            "/tickets",
            json!({"customer_id": acme_id, "title": "DB crash", "impact": "high"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{t}");
    let tid = t["id"].as_str().unwrap().to_string();
    let at = |p: &str| format!("/tickets/{tid}{p}");

    // A screenshot for the customer, checked by its bytes, stored with its SHA-256.
    let (st, shot) = admin
        .upload(
            &at("/attachments"),
            &[("visibility", "public"), ("note", "the console")],
            Some(("console.png", Some("image/png"), PNG)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{shot}");
    assert_eq!(shot["content_type"], "image/png");
    let resp = admin
        .c
        .get(format!(
            "{}{}",
            admin.base,
            at(&format!("/attachments/{}", shot["id"].as_str().unwrap()))
        ))
        .bearer_auth(&acme_user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(
        resp.headers()["x-content-sha256"].to_str().unwrap(),
        shot["sha256"].as_str().unwrap()
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PNG);
    // The bytes sit under <data-dir>/attachments.
    let stored = s
        .data_dir
        .join("attachments")
        .join(&tid)
        .join(shot["id"].as_str().unwrap());
    assert_eq!(std::fs::read(stored).unwrap(), PNG);

    // An internal note's attachment: the customer neither lists nor downloads it.
    let (st, dump) = admin
        .upload(
            &at("/attachments"),
            &[],
            Some(("dump.txt", Some("text/plain"), b"core dumped")),
        )
        .await;
    assert_eq!(
        (st, dump["visibility"].as_str()),
        (StatusCode::CREATED, Some("internal"))
    );
    let (_, seen) = acme_user.get(&at("/attachments")).await;
    assert_eq!(seen.as_array().unwrap().len(), 1);
    let (st, _) = acme_user
        .get(&at(&format!(
            "/attachments/{}",
            dump["id"].as_str().unwrap()
        )))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = globex_user.get(&at("/attachments")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Refused: an executable (422), a PNG that is not one (422), too large (413), no file (422).
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0";
    let (st, err) = admin
        .upload(
            &at("/attachments"),
            &[],
            Some(("tool.exe", Some("application/octet-stream"), exe)),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("executable"),
        "{err}"
    );
    let (st, err) = admin
        .upload(
            &at("/attachments"),
            &[],
            Some(("photo.png", Some("image/png"), b"plain text")),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let big = vec![b'a'; 100 * 1024];
    let (st, err) = admin
        .upload(
            &at("/attachments"),
            &[],
            Some(("big.log", Some("text/plain"), &big)),
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
    assert_eq!(err["error"]["code"], "too_large");
    let (st, err) = admin
        .upload(&at("/attachments"), &[("note", "x")], None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (st, _) = admin.post(&at("/attachments"), json!({})).await;
    assert!(st.is_client_error(), "{st}");

    // A vendor case runs the vendor clock, shown in the ticket's `sla`.
    let (st, case) = admin
        .post(
            &at("/vendor-cases"),
            json!({"vendor": "Oracle", "case_number": "SR 3-1"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{case}");
    let (_, t) = admin.get(&at("")).await;
    assert_eq!(t["sla"]["vendor"]["state"], "running", "{t}");
    assert_eq!(t["sla"]["vendor"]["budget_minutes"], 240);
    assert!(t["sla"]["vendor"]["due"].is_string());
    let cid = case["id"].as_str().unwrap();
    let (st, answered) = admin
        .post(
            &at(&format!("/vendor-cases/{cid}/answers")),
            json!({"body": "apply patch 36"}),
        )
        .await;
    assert_eq!(
        (st, answered["status"].as_str()),
        (StatusCode::CREATED, Some("answered"))
    );
    let (_, t) = admin.get(&at("")).await;
    assert_eq!(t["sla"]["vendor"]["state"], "met", "{t}");
    let (st, _) = admin
        .patch(
            &at(&format!("/vendor-cases/{cid}")),
            json!({"status": "bogus"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Customers raise no vendor cases and log no time; both are internal.
    assert_eq!(
        acme_user
            .post(&at("/vendor-cases"), json!({"vendor": "HPE"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        acme_user.get(&at("/vendor-cases")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        acme_user
            .post(&at("/time-entries"), json!({"minutes": 5}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (st, e) = admin
        .post(
            &at("/time-entries"),
            json!({"minutes": 30, "note": "analysis"}),
        )
        .await;
    assert_eq!(
        (st, e["billable"].as_bool()),
        (StatusCode::CREATED, Some(true))
    );
    assert_eq!(
        admin
            .post(&at("/time-entries"), json!({"minutes": "x"}))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Links show on both ends; the customer sees links between its own tickets.
    let (_, prb) = admin
        .post(
            "/tickets",
            json!({"customer_id": acme_id, "title": "DB bug", "type": "problem"}),
        )
        .await;
    let (st, l) = admin
        .post(
            &at("/links"),
            json!({"relation": "problem", "ticket": prb["number"]}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{l}");
    let (_, from_problem) = acme_user
        .get(&format!("/tickets/{}/links", prb["id"].as_str().unwrap()))
        .await;
    assert_eq!(from_problem[0]["relation"], "incident");
    assert_eq!(from_problem[0]["other_id"], tid.as_str());
    assert_eq!(
        admin
            .post(
                &at("/links"),
                json!({"relation": "problem", "ticket": prb["id"]})
            )
            .await
            .0,
        StatusCode::CONFLICT
    );

    // A field visit by the CE; the customer sees it, another customer does not.
    let (_, me) = ce.get("/me").await;
    let ce_id = me["id"].as_str().unwrap().to_string();
    let planned = chrono::Utc::now().timestamp_millis() + 3_600_000;
    let (st, d) = admin
        .post(
            &at("/dispatches"),
            json!({"engineer_id": ce_id, "planned_at": planned}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    let (st, d) = ce
        .patch(&at(&format!("/dispatches/{}", d["id"].as_str().unwrap())), json!({"status": "done", "work_done": "PSU replaced", "parts": [{"name": "PSU", "installed_serial": "N1"}]}))
        .await;
    assert_eq!(
        (st, d["status"].as_str()),
        (StatusCode::OK, Some("done")),
        "{d}"
    );
    let (_, visits) = acme_user.get(&at("/dispatches")).await;
    assert_eq!(visits[0]["work_done"], "PSU replaced");
    assert_eq!(
        globex_user.get(&at("/dispatches")).await.0,
        StatusCode::NOT_FOUND
    );

    // The timeline carries every record; the customer's omits internal ones.
    let kinds = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = admin.get(&at("/events")).await;
    let all = kinds(&all);
    for k in [
        "attachment_added",
        "vendor_raised",
        "vendor_answered",
        "time_logged",
        "linked",
        "dispatch_planned",
        "dispatch_changed",
    ] {
        assert!(all.contains(&k.to_string()), "{k} missing from {all:?}");
    }
    let (_, theirs) = acme_user.get(&at("/events")).await;
    let theirs = kinds(&theirs);
    assert_eq!(
        theirs.iter().filter(|k| *k == "attachment_added").count(),
        1
    );
    assert!(
        !theirs
            .iter()
            .any(|k| k.starts_with("vendor") || k == "time_logged"),
        "{theirs:?}"
    );

    // The service catalog: seeded, readable by all, edited by administrators.
    let (_, menu) = acme_user.get("/catalog").await;
    let insp = menu
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "periodic_inspection")
        .unwrap()
        .clone();
    assert_eq!(insp["default_rrule"], "FREQ=MONTHLY;INTERVAL=6");
    let path = format!("/catalog/{}", insp["id"].as_str().unwrap());
    assert_eq!(
        acme_user.patch(&path, json!({"name_en": "x"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin
            .patch(&path, json!({"default_rrule": "FREQ=NEVER"}))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (st, c) = admin
        .patch(&path, json!({"default_rrule": "FREQ=YEARLY;BYMONTH=4"}))
        .await;
    assert_eq!(
        (st, c["default_rrule"].as_str()),
        (StatusCode::OK, Some("FREQ=YEARLY;BYMONTH=4"))
    );
    let (st, k) = admin
        .post("/contracts", json!({"customer_id": acme_id, "name": "Gold", "services": [{"service": "periodic_inspection"}, {"service": "reception", "rrule": ""}]}))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{k}");
    assert_eq!(k["services"][0]["rrule"], "FREQ=YEARLY;BYMONTH=4");
    let (st, _) = admin.post("/contracts", json!({"customer_id": acme_id, "name": "Bad", "services": [{"service": "teleportation"}]})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, due) = admin.get("/contracts/renewals?until=2099-01-01").await;
    assert_eq!(
        (st, due.as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    assert_eq!(
        admin.get("/contracts/renewals?until=soon").await.0,
        StatusCode::BAD_REQUEST
    );

    // The OpenAPI document describes the new endpoints.
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", s.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for p in [
        "/api/v1/tickets/{id}/attachments",
        "/api/v1/tickets/{id}/vendor-cases",
        "/api/v1/catalog/{id}",
        "/api/v1/contracts/renewals",
    ] {
        assert!(
            doc["paths"][p].is_object(),
            "{p} not in the OpenAPI document"
        );
    }
}

/// The forms of `ticket_work.html`, posted by a signed-in browser (cookie + CSRF).
#[tokio::test]
async fn work_forms_post_and_redirect_to_the_ticket() {
    let s = Server::start();
    let admin = Api::new(&s, s.admin_token());
    let (_, acme) = admin.post("/customers", json!({"name": "Acme"})).await;
    let (_, t) = admin
        .post(
            "/tickets",
            json!({"customer_id": acme["id"], "title": "fan noise"}),
        )
        .await;
    let tid = t["id"].as_str().unwrap().to_string();
    let c = Client::builder().redirect(Policy::none()).build().unwrap();
    // Sign in.
    let r = c.get(format!("{}/login", s.base)).send().await.unwrap();
    let mut cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let html = r.text().await.unwrap();
    let csrf = hidden(&html);
    let password = std::fs::read_to_string(s.data_dir.join("initial-admin-password")).unwrap();
    let r = c
        .post(format!("{}/login", s.base))
        .header("cookie", cookies.join("; "))
        .form(&[
            ("username", "admin"),
            ("password", password.trim()),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    cookies.extend(
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string()),
    );
    let cookie = cookies.join("; ");
    // The catalog page carries the session's CSRF token in its forms.
    let r = c
        .get(format!("{}/catalog", s.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("periodic_inspection") && page.contains("FREQ=MONTHLY;INTERVAL=6"));
    let csrf = hidden(&page);
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let (c, cookie) = (c.clone(), cookie.clone());
        let url = format!("{}{path}", s.base);
        async move {
            c.post(url)
                .header("cookie", cookie)
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let back = format!("/tickets/{tid}");
    let r = post(
        format!("/tickets/{tid}/time"),
        vec![
            ("_csrf", csrf.clone()),
            ("minutes", "25".into()),
            ("note", "cleaned filter".into()),
            ("billable", "on".into()),
            ("worked_at", "".into()),
        ],
    )
    .await;
    assert_eq!(
        (r.status(), r.headers()["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, back.as_str())
    );
    let r = post(
        format!("/tickets/{tid}/vendor-cases"),
        vec![
            ("_csrf", csrf.clone()),
            ("vendor", "Dell".into()),
            ("case_number", "".into()),
            ("note", "".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Without the CSRF token nothing happens.
    let r = post(
        format!("/tickets/{tid}/time"),
        vec![("_csrf", "wrong".into()), ("minutes", "5".into())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A multipart upload from the form.
    let (ct, body) = multipart(
        &[("_csrf", &csrf), ("visibility", "internal"), ("note", "")],
        Some(("fan.png", Some("image/png"), PNG)),
    );
    let r = c
        .post(format!("{}/tickets/{tid}/attachments", s.base))
        .header("cookie", &cookie)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (ct, body) = multipart(
        &[("_csrf", &csrf)],
        Some(("evil.exe", None, b"MZ\x90\0\x03\0\0\0")),
    );
    let r = c
        .post(format!("{}/tickets/{tid}/attachments", s.base))
        .header("cookie", &cookie)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // What the forms did is there.
    let (_, entries) = admin.get(&format!("/tickets/{tid}/time-entries")).await;
    assert_eq!(
        (
            entries[0]["minutes"].as_i64(),
            entries[0]["username"].as_str()
        ),
        (Some(25), Some("admin"))
    );
    let (_, cases) = admin.get(&format!("/tickets/{tid}/vendor-cases")).await;
    assert_eq!(cases[0]["vendor"], "Dell");
    let (_, files) = admin.get(&format!("/tickets/{tid}/attachments")).await;
    assert_eq!(files.as_array().unwrap().len(), 1);
    // An administrator edits the catalog from its page.
    let (_, menu) = admin.get("/catalog").await;
    let id = menu
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "log_diagnosis")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = post(
        format!("/catalog/{id}"),
        vec![
            ("_csrf", csrf.clone()),
            ("group", "management".into()),
            ("name_en", "Log diagnosis".into()),
            ("name_ja", "ログ診断".into()),
            ("default_rrule", "FREQ=MONTHLY;INTERVAL=2".into()),
            ("active", "on".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, svc) = admin.get(&format!("/catalog/{id}")).await;
    assert_eq!(svc["default_rrule"], "FREQ=MONTHLY;INTERVAL=2");
}

fn hidden(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no _csrf in {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}
