//! Command-line behaviour: config errors, backup/restore while serving, tamper detection.
use crate::support::{Server, run_cli};

#[test]
fn unknown_config_key_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("onestop.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:0\"\nlistne = 1\n").unwrap();
    let (code, _, err) = run_cli(&["serve", "--config", cfg.to_str().unwrap()], &[], None);
    assert_eq!(code, 2);
    assert!(err.contains("listne"), "{err}");
}

#[test]
fn backup_while_serving_restore_and_verify() {
    let s = Server::start();
    let tok = s.admin_token();
    // Changes keep landing while the backup runs.
    let (code, _, err) = s.cli(
        &[
            "admin",
            "user",
            "create",
            "--username",
            "op1",
            "--role",
            "front",
            "--password-stdin",
        ],
        Some("a-long-password\n"),
    );
    assert_eq!(code, 0, "{err}");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("backup.jsonl");
    let (code, _, err) = s.cli(&["admin", "backup", "--out", file.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(!tok.is_empty());
    let target = tmp.path().join("restored");
    let db = vec!["--data-dir".to_string(), target.display().to_string()];
    let (code, _, err) = run_cli(&["admin", "restore", file.to_str().unwrap()], &db, None);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = run_cli(&["audit", "verify"], &db, None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"));
    // Restoring twice into the same place is refused.
    let (code, _, err) = run_cli(&["admin", "restore", file.to_str().unwrap()], &db, None);
    assert_ne!(code, 0);
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn audit_verify_names_the_altered_entry() {
    let s = Server::start();
    s.admin_token();
    s.admin_token();
    let db = s.data_dir.join("onestop.db");
    // Alter entry 2 behind the product's back (the sqlite3 shell is installed by .ci/run).
    let o = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("UPDATE audit_log SET actor = 'x' WHERE seq = 2")
        .output()
        .expect("sqlite3 shell");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (code, out, _) = s.cli(&["audit", "verify"], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("entry 2"), "{out}");
}
