//! End-to-end tests of the `onestop` binary: real processes, real databases, a real browser,
//! and the offline commands.
mod alerting_browser;
mod api;
mod auth;
mod browser;
mod calendar;
mod cli;
mod desk;
mod desk_browser;
mod desk_work;
mod dispatch;
mod log_miner;
mod logs;
mod mail;
mod mail_browser;
mod mail_content;
mod mail_roundtrip;
mod mail_support;
mod monitoring;
mod ops;
mod ops_browser;
mod patches;
mod patches_mail;
mod plan;
mod plan_browser;
mod probes;
mod scan;
mod snmp;
mod support;
mod syslog;
mod version;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Path of a fixture file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/fixtures")
        .join(name)
}

/// Run `onestop` with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_onestop"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn onestop");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}
mod webhooks;
