//! `onestop-agent enroll` against a stand-in server: the request follows the
//! proto contract and the credential lands in the state directory, mode 0600.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use onestop_agent::ship::Credential;
use onestop_proto::{EnrollRequest, EnrollResponse, PROTOCOL_VERSION};

#[test]
fn enroll_stores_credential() {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let handle = std::thread::spawn(move || {
        let mut req = server.incoming_requests().next().unwrap();
        assert_eq!(req.url(), "/api/v1/agent/enroll");
        let mut body = String::new();
        req.as_reader().read_to_string(&mut body).unwrap();
        let enroll: EnrollRequest = serde_json::from_str(&body).unwrap();
        let resp = EnrollResponse {
            host_id: "host-7".into(),
            credential: "c-xyz".into(),
        };
        req.respond(tiny_http::Response::from_string(
            serde_json::to_string(&resp).unwrap(),
        ))
        .unwrap();
        enroll
    });
    let state = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_onestop-agent"))
        .args([
            "enroll",
            "--server",
            &url,
            "--token",
            "tok-1",
            "--state-dir",
        ])
        .arg(state.path().join("nested"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent = handle.join().unwrap();
    assert_eq!(sent.token, "tok-1");
    assert_eq!(sent.version, PROTOCOL_VERSION);
    assert!(!sent.hostname.is_empty());
    let path = state.path().join("nested/credential.json");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let cred = Credential::load(&state.path().join("nested")).unwrap();
    assert_eq!(
        cred,
        Credential {
            server: url,
            host_id: "host-7".into(),
            credential: "c-xyz".into()
        }
    );
}

#[test]
fn enroll_failure_is_reported() {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        let req = server.incoming_requests().next().unwrap();
        req.respond(tiny_http::Response::from_string("bad token").with_status_code(403))
            .unwrap();
    });
    let state = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_onestop-agent"))
        .args([
            "enroll",
            "--server",
            &url,
            "--token",
            "wrong",
            "--state-dir",
        ])
        .arg(state.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("403"));
    assert!(!state.path().join("credential.json").exists());
}
