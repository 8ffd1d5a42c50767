//! Tests of the rule engine and of the built-in rule set.

use super::*;

#[test]
fn builtin_rules_compile_and_fire() {
    let rs = RuleSet::builtin().unwrap();
    assert!(rs.rules().len() >= 20);
    for (app, msg, id, sev) in [
        (
            "kernel",
            "Out of memory: Killed process 1234 (java) total-vm:1kB",
            "oom-killer",
            Severity::Critical,
        ),
        (
            "kernel",
            "EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0",
            "fs-ext4-error",
            Severity::Error,
        ),
        (
            "kernel",
            "blk_update_request: I/O error, dev sda, sector 12345",
            "disk-io-error",
            Severity::Error,
        ),
        (
            "sshd",
            "Failed password for root from 10.0.0.1 port 22 ssh2",
            "sshd-failed-password",
            Severity::Warning,
        ),
        (
            "sudo",
            "alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls",
            "sudo-auth-failure",
            Severity::Warning,
        ),
        (
            "kernel",
            "md/raid1:md0: Disk failure on sdb1, disabling device.",
            "raid-disk-failure",
            Severity::Critical,
        ),
        (
            "kernel",
            "e1000e: eth0 NIC Link is Down",
            "nic-link-down",
            Severity::Warning,
        ),
        (
            "systemd",
            "nginx.service: Failed with result 'exit-code'.",
            "systemd-unit-failed",
            Severity::Error,
        ),
        (
            "chronyd",
            "Can't synchronise: no selectable sources",
            "ntp-unsynchronised",
            Severity::Warning,
        ),
        (
            "kernel",
            "Kernel panic - not syncing: Fatal exception",
            "kernel-panic",
            Severity::Emergency,
        ),
    ] {
        let d = rs.diagnose(Some(Severity::Informational), Some(app), msg);
        assert!(
            d.rules.iter().any(|r| r == id),
            "{id} should match {msg:?}: {d:?}"
        );
        assert!(d.severity <= sev, "{id}: {d:?}");
        assert!(d.meaning.is_some());
    }
    let quiet = rs.diagnose(
        Some(Severity::Notice),
        Some("cron"),
        "(root) CMD (run-parts /etc/cron.hourly)",
    );
    assert_eq!(quiet.severity, Severity::Notice);
    assert!(quiet.rules.is_empty());
}

#[test]
fn app_keywords_and_severity_combine() {
    let rs = RuleSet::from_toml(
        r#"
        [[rule]]
        id = "a"
        app = "^disk$"
        keywords = ["FAILED"]
        severity = "error"
        meaning = "m-a"
        [[rule]]
        id = "b"
        pattern = "temp(erature)? [0-9]+"
        severity = "warning"
        meaning = "m-b"
        "#,
    )
    .unwrap();
    let d = rs.diagnose(None, Some("disk"), "self-test failed at temp 80");
    assert_eq!(
        (d.severity, d.rules.clone(), d.meaning.as_deref()),
        (Severity::Error, vec!["a".into(), "b".into()], Some("m-a"))
    );
    assert!(rs.diagnose(None, Some("other"), "failed").rules.is_empty());
    assert_eq!(
        rs.diagnose(Some(Severity::Alert), None, "temp 9").severity,
        Severity::Alert
    );
    assert_eq!(
        rs.diagnose(None, None, "nothing").severity,
        Severity::Informational
    );
}

#[test]
fn bad_rule_files_are_refused() {
    for text in [
        "[[rule]]\nid='x'\nseverity='error'\nmeaning='m'",
        "[[rule]]\nid='x'\npattern='('\nseverity='error'\nmeaning='m'",
        "[[rule]]\nid='x'\npattern='a'\nseverity='loud'\nmeaning='m'",
        "[[rule]]\nid='x'\npattern='a'\nseverity='error'\nmeaning='m'\n[[rule]]\nid='x'\npattern='b'\nseverity='error'\nmeaning='m'",
    ] {
        assert!(RuleSet::from_toml(text).is_err(), "{text}");
    }
}

#[test]
fn diagnoses_decoded_syslog() {
    use crate::syslog::{DecodeContext, decode};
    use chrono::{TimeZone, Utc};
    let ctx = DecodeContext::utc(Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap());
    let m = decode(
        b"<6>Jun  1 00:00:00 host kernel: [123.4] Out of memory: Killed process 42 (java)",
        &ctx,
    );
    let d = RuleSet::builtin().unwrap().diagnose_syslog(&m);
    assert_eq!(d.severity, Severity::Critical);
    assert_eq!(d.rules, vec!["oom-killer".to_string()]);
}
