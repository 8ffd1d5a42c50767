//! End to end: `onestop-agent run` against a stand-in server on loopback.
//! Checks authentication, in-order shipping with retry after a server error,
//! acknowledged batches never re-sent across a restart, SIGHUP reload with a
//! bad file keeping the old configuration, and SIGTERM shutdown.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use onestop_agent::ship::Credential;
use onestop_proto::{Ack, Batch, decode_batch};
use rustix::process::{Pid, Signal, kill_process};

struct FakeServer {
    addr: String,
    batches: Arc<Mutex<Vec<Batch>>>,
}

fn fake_server() -> FakeServer {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", server.server_addr().to_ip().unwrap());
    let batches = Arc::new(Mutex::new(Vec::new()));
    let store = batches.clone();
    std::thread::spawn(move || {
        let mut failed_once = false;
        for mut req in server.incoming_requests() {
            let auth = req
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.to_string());
            if auth.as_deref() != Some("Bearer s3cret") || req.url() != "/api/v1/agent/batches" {
                let _ = req.respond(tiny_http::Response::from_string("no").with_status_code(401));
                continue;
            }
            if !failed_once {
                failed_once = true;
                let _ = req.respond(tiny_http::Response::from_string("busy").with_status_code(503));
                continue;
            }
            let mut body = Vec::new();
            req.as_reader().read_to_end(&mut body).unwrap();
            let batch = decode_batch(&body).unwrap();
            let ack = Ack {
                seq: batch.seq,
                accepted: true,
                reason: None,
            };
            store.lock().unwrap().push(batch);
            let _ = req.respond(tiny_http::Response::from_string(
                serde_json::to_string(&ack).unwrap(),
            ));
        }
    });
    FakeServer { addr, batches }
}

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn start(state: &Path, config: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_onestop-agent"))
        .args(["--proc-root"])
        .arg(fixture("host1/proc"))
        .arg("--sys-root")
        .arg(fixture("host1/sys"))
        .args(["--no-smart", "run", "--state-dir"])
        .arg(state)
        .arg("--config")
        .arg(config)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_for(batches: &Mutex<Vec<Batch>>, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while batches.lock().unwrap().len() < n {
        assert!(
            Instant::now() < deadline,
            "server got only {} batches",
            batches.lock().unwrap().len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn stop(mut child: Child) -> String {
    kill_process(Pid::from_child(&child), Signal::TERM).unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "agent exited with {status}: {err}");
    err
}

#[test]
fn ships_in_order_and_never_resends_acknowledged_batches() {
    let srv = fake_server();
    let state = tempfile::tempdir().unwrap();
    Credential {
        server: srv.addr.clone(),
        host_id: "h1".into(),
        credential: "s3cret".into(),
    }
    .save(state.path())
    .unwrap();
    let mode = std::fs::metadata(state.path().join("credential.json")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o600
    );
    let config = state.path().join("agent.toml");
    std::fs::write(
        &config,
        "interval_secs = 1\n[spool]\nreplay_per_second = 20.0\n",
    )
    .unwrap();

    let child = start(state.path(), &config);
    wait_for(&srv.batches, 3);
    std::fs::write(&config, "interval_secs = 1\nno_such_key = true\n").unwrap();
    kill_process(Pid::from_child(&child), Signal::HUP).unwrap();
    let before = srv.batches.lock().unwrap().len();
    wait_for(&srv.batches, before + 2);
    let err = stop(child);
    assert!(err.contains("reload failed"), "{err}");
    assert!(
        err.contains("503"),
        "the refused first attempt is logged: {err}"
    );

    let first_run: Vec<u64> = srv.batches.lock().unwrap().iter().map(|b| b.seq).collect();
    std::fs::write(&config, "interval_secs = 1\n").unwrap();
    let child = start(state.path(), &config);
    wait_for(&srv.batches, first_run.len() + 2);
    stop(child);

    let all = srv.batches.lock().unwrap();
    let seqs: Vec<u64> = all.iter().map(|b| b.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] > w[0]),
        "strictly increasing, no re-sends: {seqs:?}"
    );
    assert_eq!(seqs[0], 1);
    let first = &all[0];
    assert!(
        first.payload.inventory.is_some(),
        "inventory goes with the first batch"
    );
    let cpu = first
        .payload
        .series
        .iter()
        .find(|s| s.name == "node_cpu_seconds_total")
        .unwrap();
    assert_eq!(cpu.points.len(), 1);
    assert!(all.iter().all(|b| {
        b.payload
            .series
            .iter()
            .any(|s| s.name == "node_memory_MemTotal_bytes")
    }));
}
