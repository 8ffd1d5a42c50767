//! Log shipping through a real spool: rotation by rename and by copytruncate,
//! restarts (also a crash on either side of the spool append),
//! include/exclude patterns, the rate limit, batch bounds and the journal
//! (journal files built with systemd-journal-remote). Every test asserts
//! the exact lines, once, in order.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use onestop_agent::logship::{LogsConfig, Tailer, position};
use onestop_agent::metrics::Metrics;
use onestop_agent::ship::record_to_batch;
use onestop_agent::spool::{Spool, SpoolConfig};
use onestop_proto::{Payload, decode_batch};

struct Rig {
    _tmp: tempfile::TempDir,
    logs: PathBuf,
    state: PathBuf,
    spool: Option<Spool>,
}

impl Rig {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let logs = tmp.path().join("log");
        let state = tmp.path().join("state");
        fs::create_dir_all(&logs).unwrap();
        fs::create_dir_all(&state).unwrap();
        let mut r = Rig {
            _tmp: tmp,
            logs,
            state,
            spool: None,
        };
        r.reopen_spool();
        r
    }

    fn reopen_spool(&mut self) {
        self.spool = None;
        self.spool = Some(Spool::open(&self.state.join("spool"), SpoolConfig::default()).unwrap());
    }

    fn spool(&mut self) -> &mut Spool {
        self.spool.as_mut().unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.logs.join(name)
    }

    fn config(&self, files: &[&str]) -> LogsConfig {
        LogsConfig {
            files: files
                .iter()
                .map(|f| self.path(f).to_string_lossy().into_owned())
                .collect(),
            journal: false,
            read_existing: true,
            ..LogsConfig::default()
        }
    }

    fn tailer(&mut self, cfg: LogsConfig) -> Tailer {
        let state = self.state.clone();
        Tailer::open(&state, cfg, self.spool()).unwrap()
    }

    /// One poll and spool, then everything the spool holds, acknowledged.
    fn step(&mut self, t: &mut Tailer) -> Vec<String> {
        t.poll(1_000);
        t.spool_with(self.spool(), 1_000, Payload::default())
            .unwrap();
        self.drain()
    }

    fn drain(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for rec in self.spool().pending(usize::MAX).unwrap() {
            let b = decode_batch(&record_to_batch(&rec, 0).unwrap()).unwrap();
            out.extend(b.payload.logs.into_iter().map(|l| l.line));
            self.spool().ack(rec.seq).unwrap();
        }
        out
    }
}

fn append(path: &Path, lines: &[&str]) {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

fn numbered(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i}")).collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn rotation_by_rename_loses_nothing_and_repeats_nothing() {
    let mut r = Rig::new();
    let log = r.path("syslog");
    append(&log, &["a1", "a2", "a3"]);
    let mut t = r.tailer(r.config(&["syslog"]));
    assert_eq!(r.step(&mut t), ["a1", "a2", "a3"]);
    append(&log, &["a4"]);
    fs::rename(&log, r.path("syslog.1")).unwrap();
    // The writer still holds the old file until it reopens.
    append(&r.path("syslog.1"), &["a5"]);
    append(&log, &["b1", "b2"]);
    assert_eq!(r.step(&mut t), ["a4", "a5", "b1", "b2"]);
    append(&r.path("syslog.1"), &["a6"]);
    append(&log, &["b3"]);
    assert_eq!(r.step(&mut t), ["a6", "b3"]);
    assert_eq!(r.step(&mut t), Vec::<String>::new());

    // Rotated again while the agent is down: the rest of the renamed file
    // is found by inode, then the new file is read from its start.
    drop(t);
    append(&log, &["b4"]);
    fs::rename(&log, r.path("syslog.1")).unwrap();
    append(&log, &["c1"]);
    let mut t = r.tailer(r.config(&["syslog"]));
    assert_eq!(r.step(&mut t), ["b4", "c1"]);
    assert_eq!(r.step(&mut t), Vec::<String>::new());
}

#[test]
fn rotation_by_copytruncate_starts_over_once() {
    let mut r = Rig::new();
    let log = r.path("app.log");
    append(&log, &["a1", "a2", "a3"]);
    let mut t = r.tailer(r.config(&["*.log"]));
    assert_eq!(r.step(&mut t), ["a1", "a2", "a3"]);
    // Shorter than before.
    fs::copy(&log, r.path("app.log.1")).unwrap();
    OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(0)
        .unwrap();
    append(&log, &["b1"]);
    assert_eq!(r.step(&mut t), ["b1"]);
    // Longer than before by the next poll: noticed by the first bytes.
    fs::copy(&log, r.path("app.log.1")).unwrap();
    OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(0)
        .unwrap();
    let many = numbered("c", 20);
    append(&log, &strs(&many));
    assert_eq!(r.step(&mut t), many);
    // Across a restart too.
    drop(t);
    OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(0)
        .unwrap();
    let more = numbered("d", 30);
    append(&log, &strs(&more));
    let mut t = r.tailer(r.config(&["*.log"]));
    assert_eq!(r.step(&mut t), more);
}

#[test]
fn restart_in_the_middle_resumes_exactly() {
    let mut r = Rig::new();
    let log = r.path("syslog");
    let lines = numbered("line-", 300);
    append(&log, &strs(&lines));
    // Small batches: each poll reads only part of the file.
    let cfg = LogsConfig {
        max_line_bytes: 64,
        batch_bytes: 4096,
        ..r.config(&["syslog"])
    };
    let mut got = Vec::new();
    let mut t = r.tailer(cfg.clone());
    got.extend(r.step(&mut t));
    assert!(!got.is_empty() && got.len() < 300, "{}", got.len());
    // Read but not spooled, then the process ends: read again after restart.
    t.poll(1_000);
    drop(t);
    r.reopen_spool();

    // Crash after the append, before the positions were committed.
    let saved = fs::read(r.state.join("logship.json")).unwrap();
    let mut t = r.tailer(cfg.clone());
    got.extend(r.step(&mut t));
    drop(t);
    fs::rename(
        r.state.join("logship.json"),
        r.state.join("logship.next.json"),
    )
    .unwrap();
    fs::write(r.state.join("logship.json"), &saved).unwrap();
    r.reopen_spool();

    // Crash before the append: the intent names a batch that never came.
    let mut t = r.tailer(cfg.clone());
    let saved = fs::read(r.state.join("logship.json")).unwrap();
    t.poll(1_000);
    drop(t);
    let mut intent: position::Positions = serde_json::from_slice(&saved).unwrap();
    intent.seq = r.spool().stats().next_seq;
    intent.files.values_mut().for_each(|p| {
        p.current.as_mut().unwrap().offset += 4000;
    });
    position::prepare(&r.state, &intent).unwrap();
    r.reopen_spool();

    let mut t = r.tailer(cfg);
    for _ in 0..100 {
        got.extend(r.step(&mut t));
    }
    assert_eq!(got, lines);
}

#[test]
fn include_and_exclude_patterns() {
    let mut r = Rig::new();
    let log = r.path("auth.log");
    append(
        &log,
        &[
            "sshd[1]: Accepted publickey for alice",
            "cron[2]: (root) CMD (run-parts)",
            "sshd[3]: debug1: channel 0",
            "kernel: Out of memory: Killed process 99",
            "sudo: bob : TTY=pts/0",
        ],
    );
    let cfg = LogsConfig {
        include: vec!["^sshd".into(), "^kernel:".into()],
        exclude: vec!["debug[0-9]".into()],
        ..r.config(&["auth.log"])
    };
    let mut t = r.tailer(cfg);
    assert_eq!(
        r.step(&mut t),
        [
            "sshd[1]: Accepted publickey for alice",
            "kernel: Out of memory: Killed process 99"
        ]
    );
    assert_eq!((t.stats().read, t.stats().excluded), (5, 3));
    append(&log, &["cron[4]: nothing"]);
    assert_eq!(r.step(&mut t), Vec::<String>::new());
    // Positions of filtered-only reads are saved too.
    drop(t);
    append(&log, &["sshd[5]: Disconnected"]);
    let cfg = LogsConfig {
        include: vec!["^sshd".into()],
        ..r.config(&["auth.log"])
    };
    let mut t = r.tailer(cfg);
    assert_eq!(r.step(&mut t), ["sshd[5]: Disconnected"]);
}

#[test]
fn rate_limit_drops_and_counts() {
    let mut r = Rig::new();
    let log = r.path("syslog");
    let lines = numbered("burst-", 20);
    append(&log, &strs(&lines));
    let cfg = LogsConfig {
        rate_per_second: 2.0,
        rate_burst: 5,
        ..r.config(&["syslog"])
    };
    let mut t = r.tailer(cfg);
    assert_eq!(r.step(&mut t), &lines[..5]);
    assert_eq!(t.stats().rate_dropped, 15);
    // Two seconds later the bucket holds four more.
    append(&log, &strs(&numbered("later-", 6)));
    t.poll(3_000);
    t.spool_with(r.spool(), 3_000, Payload::default()).unwrap();
    assert_eq!(r.drain(), ["later-1", "later-2", "later-3", "later-4"]);
    let mut m = Metrics::default();
    t.self_metrics(&mut m);
    let text = m.render();
    assert!(
        text.contains("onestop_agent_log_lines_dropped_total{reason=\"rate_limit\"} 17"),
        "{text}"
    );
}

#[test]
fn batches_stay_within_their_bound_and_go_with_metrics() {
    let mut r = Rig::new();
    let log = r.path("syslog");
    let lines: Vec<String> = (0..200)
        .map(|i| format!("{i:04} {}", "x".repeat(90)))
        .collect();
    append(&log, &strs(&lines));
    let cfg = LogsConfig {
        max_line_bytes: 128,
        batch_bytes: 2048,
        ..r.config(&["syslog"])
    };
    let mut t = r.tailer(cfg);
    let mut got = Vec::new();
    let mut records = 0;
    while got.len() < lines.len() {
        t.poll(1_000);
        assert!(t.full() || records > 0);
        let series = vec![onestop_proto::Series::new("up", Default::default())];
        t.spool_with(
            r.spool(),
            1_000,
            Payload {
                series,
                ..Payload::default()
            },
        )
        .unwrap();
        for rec in r.spool().pending(usize::MAX).unwrap() {
            let b = decode_batch(&record_to_batch(&rec, 0).unwrap()).unwrap();
            assert_eq!(b.payload.series.len(), 1, "lines ride with the metrics");
            let size: usize = b
                .payload
                .logs
                .iter()
                .map(|l| serde_json::to_vec(l).unwrap().len() + 1)
                .sum();
            assert!(size <= 2048, "{size}");
            got.extend(b.payload.logs.into_iter().map(|l| l.line));
            r.spool().ack(rec.seq).unwrap();
            records += 1;
        }
        assert!(records < 100);
    }
    assert_eq!(got, lines);
    assert!(records >= 10, "{records}");
}

fn journal_remote() -> Option<PathBuf> {
    let p = PathBuf::from("/lib/systemd/systemd-journal-remote");
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "skipping: systemd-journal-remote is not installed (apt-get install systemd-journal-remote)"
        );
        None
    }
}

fn write_journal(bin: &Path, dir: &Path, name: &str, first: u64, msgs: &[&str]) {
    let mut export = String::new();
    for (i, m) in msgs.iter().enumerate() {
        let n = first + i as u64;
        export.push_str(&format!(
            "__CURSOR=x\n__REALTIME_TIMESTAMP={}\n__MONOTONIC_TIMESTAMP={n}\n\
             _BOOT_ID=0123456789abcdef0123456789abcdef\n_MACHINE_ID=0123456789abcdef0123456789abcdef\n\
             _HOSTNAME=h\nSYSLOG_IDENTIFIER=app\n_PID=7\nMESSAGE={m}\n\n",
            1_700_000_000_000_000 + n * 1000
        ));
    }
    let src = dir.join(format!("{name}.export"));
    fs::write(&src, export).unwrap();
    let st = std::process::Command::new(bin)
        .arg(format!(
            "--output={}",
            dir.join(format!("{name}.journal")).display()
        ))
        .arg(&src)
        .output()
        .unwrap();
    assert!(st.status.success(), "{st:?}");
    fs::remove_file(src).unwrap();
}

fn until_lines(r: &mut Rig, t: &mut Tailer, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    while got.len() < n && Instant::now() < deadline {
        got.extend(r.step(t));
        std::thread::sleep(Duration::from_millis(20));
    }
    got
}

#[test]
fn journal_follows_and_resumes_after_its_cursor() {
    let Some(bin) = journal_remote() else { return };
    let mut r = Rig::new();
    let jdir = r.logs.join("journal");
    fs::create_dir_all(&jdir).unwrap();
    write_journal(&bin, &jdir, "one", 1, &["j1", "j2", "j3"]);
    let cfg = LogsConfig {
        journal: true,
        journal_directory: Some(jdir.clone()),
        exclude: vec!["j2".into()],
        ..r.config(&[])
    };
    let mut t = r.tailer(cfg.clone());
    assert_eq!(until_lines(&mut r, &mut t, 2), ["app[7]: j1", "app[7]: j3"]);
    drop(t);
    // Written while the agent is down; it resumes after the saved cursor.
    write_journal(&bin, &jdir, "two", 10, &["k1", "k2"]);
    let mut t = r.tailer(cfg.clone());
    assert_eq!(until_lines(&mut r, &mut t, 2), ["app[7]: k1", "app[7]: k2"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(r.step(&mut t), Vec::<String>::new());

    // A first start at the end of the journal still saves where that is.
    drop(t);
    let mut r2 = Rig::new();
    let cfg = LogsConfig {
        read_existing: false,
        ..cfg
    };
    let mut t = r2.tailer(cfg.clone());
    assert_eq!(r2.step(&mut t), Vec::<String>::new());
    drop(t);
    write_journal(&bin, &jdir, "three", 20, &["m1"]);
    let mut t = r2.tailer(cfg);
    assert_eq!(until_lines(&mut r2, &mut t, 1), ["app[7]: m1"]);
}

/// A stand-in server that acknowledges every batch and keeps them by sequence number.
fn fake_server() -> (
    String,
    std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<u64, onestop_proto::Batch>>>,
) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", server.server_addr().to_ip().unwrap());
    let batches = std::sync::Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::new()));
    let store = batches.clone();
    std::thread::spawn(move || {
        for mut req in server.incoming_requests() {
            let mut body = Vec::new();
            req.as_reader().read_to_end(&mut body).unwrap();
            let batch = decode_batch(&body).unwrap();
            let ack = onestop_proto::Ack {
                seq: batch.seq,
                accepted: true,
                reason: None,
            };
            store.lock().unwrap().insert(batch.seq, batch);
            let _ = req.respond(tiny_http::Response::from_string(
                serde_json::to_string(&ack).unwrap(),
            ));
        }
    });
    (addr, batches)
}

#[test]
fn agent_run_ships_lines_once_across_a_kill() {
    use rustix::process::{Pid, Signal, kill_process};
    let (addr, batches) = fake_server();
    let r = Rig::new();
    onestop_agent::ship::Credential {
        server: addr,
        host_id: "h1".into(),
        credential: "s3cret".into(),
    }
    .save(&r.state)
    .unwrap();
    let log = r.path("syslog");
    let lines = numbered("event number ", 3000);
    append(&log, &strs(&lines[..2000]));
    let config = r.state.join("agent.toml");
    fs::write(
        &config,
        format!(
            "interval_secs = 1\n[spool]\nreplay_per_second = 100.0\n[logs]\nfiles = [{:?}]\n\
             journal = false\nread_existing = true\nbatch_bytes = 8192\nmax_line_bytes = 1024\n",
            log.to_string_lossy()
        ),
    )
    .unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host1");
    let start = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_onestop-agent"))
            .arg("--proc-root")
            .arg(fixtures.join("proc"))
            .arg("--sys-root")
            .arg(fixtures.join("sys"))
            .args(["--no-smart", "run", "--state-dir"])
            .arg(&r.state)
            .arg("--config")
            .arg(&config)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let received = || -> Vec<String> {
        batches
            .lock()
            .unwrap()
            .values()
            .flat_map(|b| b.payload.logs.iter().map(|l| l.line.clone()))
            .collect()
    };
    let wait = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while received().len() < n {
            assert!(Instant::now() < deadline, "got {} lines", received().len());
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let mut child = start();
    wait(300);
    kill_process(Pid::from_child(&child), Signal::KILL).unwrap();
    child.wait().unwrap();
    eprintln!("killed with {} of 2000 lines received", received().len());
    append(&log, &strs(&lines[2000..]));
    let mut child = start();
    wait(3000);
    std::thread::sleep(Duration::from_millis(1500));
    kill_process(Pid::from_child(&child), Signal::TERM).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(received(), lines);
    let all = batches.lock().unwrap();
    let last = all.values().last().unwrap();
    assert!(
        last.payload
            .series
            .iter()
            .any(|s| s.name == "onestop_agent_log_lines_spooled_total"),
        "the agent reports its log counters"
    );
}
