//! `onestop calendar ...` end to end, with temporary calendar files.

use std::path::PathBuf;
use std::process::{Command, Output};

const OFFICE: &str = r#"
timezone = "Asia/Tokyo"
holidays = "jp"
closed = ["2026-08-14", "2025-12-29..2026-01-04"]
[hours]
mon = ["09:00-12:00", "13:00-18:00"]
tue = ["09:00-12:00", "13:00-18:00"]
wed = ["09:00-12:00", "13:00-18:00"]
thu = ["09:00-12:00", "13:00-18:00"]
fri = ["09:00-12:00", "13:00-18:00"]
[open]
"2026-12-26" = ["09:00-12:00"]
"#;

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write calendar");
        path
    }
}

fn onestop(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onestop"))
        .args(args)
        .output()
        .expect("run onestop")
}

fn ok(args: &[&str]) -> String {
    let out = onestop(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn fails(args: &[&str], needle: &str) {
    let out = onestop(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should exit 2; stderr: {stderr}"
    );
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line expected, got {stderr:?}"
    );
    assert!(
        stderr.contains(needle),
        "{stderr:?} should mention {needle:?}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn due_with_business_time() {
    let f = Files::new();
    let cal = f.write("office.toml", OFFICE);
    let c = cal.to_str().expect("utf-8 path");
    let due = |from: &str, business: &str| {
        ok(&[
            "calendar",
            "due",
            "--calendar",
            c,
            "--from",
            from,
            "--business",
            business,
        ])
    };
    assert_eq!(
        due("2025-12-26T17:00:00+09:00", "2h30m"),
        "2026-01-05T10:30:00+09:00\n"
    );
    assert_eq!(
        due("2026-06-01T09:00:00+09:00", "3h"),
        "2026-06-01T12:00:00+09:00\n"
    );
    assert_eq!(
        due("2026-06-01T00:00:00Z", "90m"),
        "2026-06-01T10:30:00+09:00\n"
    );
    assert_eq!(
        due("2026-04-28T17:00:00+09:00", "4h"),
        "2026-04-30T12:00:00+09:00\n"
    );
}

#[test]
fn due_with_working_days() {
    let f = Files::new();
    let cal = f.write("office.toml", OFFICE);
    let c = cal.to_str().expect("utf-8 path");
    let due = |from: &str, n: &str| {
        ok(&[
            "calendar",
            "due",
            "--calendar",
            c,
            "--from",
            from,
            "--working-days",
            n,
        ])
    };
    assert_eq!(
        due("2026-04-28T10:00:00+09:00", "1"),
        "2026-04-30T18:00:00+09:00\n"
    );
    assert_eq!(
        due("2026-04-28T10:00:00+09:00", "3"),
        "2026-05-07T18:00:00+09:00\n"
    );
    assert_eq!(
        due("2026-12-25T10:00:00+09:00", "1"),
        "2026-12-26T12:00:00+09:00\n"
    );
}

#[test]
fn elapsed_minutes() {
    let f = Files::new();
    let cal = f.write("office.toml", OFFICE);
    let c = cal.to_str().expect("utf-8 path");
    let elapsed = |from: &str, to: &str| {
        ok(&[
            "calendar",
            "elapsed",
            "--calendar",
            c,
            "--from",
            from,
            "--to",
            to,
        ])
    };
    assert_eq!(
        elapsed("2026-06-01T09:00:00+09:00", "2026-06-02T09:00:00+09:00"),
        "480\n"
    );
    assert_eq!(
        elapsed("2026-06-01T11:30:00+09:00", "2026-06-01T13:30:59+09:00"),
        "60\n"
    );
    assert_eq!(
        elapsed("2026-06-02T09:00:00+09:00", "2026-06-01T09:00:00+09:00"),
        "0\n"
    );
}

#[test]
fn dst_in_the_cli() {
    let f = Files::new();
    let ny = f.write(
        "ny.toml",
        "timezone = \"America/New_York\"\n[hours]\nsun = [\"00:00-24:00\"]\n",
    );
    let c = ny.to_str().expect("utf-8 path");
    let out = ok(&[
        "calendar",
        "elapsed",
        "--calendar",
        c,
        "--from",
        "2026-03-08T00:00:00-05:00",
        "--to",
        "2026-03-09T00:00:00-04:00",
    ]);
    assert_eq!(out, "1380\n");
    let out = ok(&[
        "calendar",
        "due",
        "--calendar",
        c,
        "--from",
        "2026-03-08T00:00:00-05:00",
        "--business",
        "3h",
    ]);
    assert_eq!(out, "2026-03-08T04:00:00-04:00\n");
}

#[test]
fn holidays_listing() {
    let out = ok(&["calendar", "holidays", "--year", "2026"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 18);
    assert_eq!(lines[0], "2026-01-01\tNew Year's Day (元日)");
    assert!(lines.contains(&"2026-09-22\tCitizens' Holiday (国民の休日)"));
    assert!(lines.contains(&"2026-05-06\tSubstitute Holiday (振替休日)"));
    let f = Files::new();
    let cal = f.write("office.toml", OFFICE);
    let out = ok(&[
        "calendar",
        "holidays",
        "--year",
        "2026",
        "--calendar",
        cal.to_str().expect("utf-8 path"),
    ]);
    let lines: Vec<&str> = out.lines().collect();
    // 18 holidays, 2026-08-14 and 2026-01-02..04 closed (01-01 is listed as the holiday).
    assert_eq!(lines.len(), 18 + 1 + 3);
    assert!(lines.contains(&"2026-08-14\tCompany closure"));
    assert!(lines.contains(&"2026-01-02\tCompany closure"));
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "sorted by date");
    let none = f.write(
        "none.toml",
        "timezone = \"UTC\"\nholidays = \"none\"\nclosed = [\"2026-03-03\"]\n",
    );
    let out = ok(&[
        "calendar",
        "holidays",
        "--year",
        "2026",
        "--calendar",
        none.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out, "2026-03-03\tCompany closure\n");
}

#[test]
fn errors_are_one_line_and_exit_2() {
    let f = Files::new();
    let good = f.write("office.toml", OFFICE);
    let g = good.to_str().expect("utf-8 path");
    let from = "2026-06-01T09:00:00+09:00";
    let bad_zone = f.write("zone.toml", "timezone = \"Asia/Atlantis\"\n");
    let bad_range = f.write(
        "range.toml",
        "timezone = \"UTC\"\n[hours]\nmon = [\"18:00-09:00\"]\n",
    );
    let unknown = f.write("unknown.toml", "timezone = \"UTC\"\nholiday = \"jp\"\n");
    let broken = f.write("broken.toml", "timezone = \"UTC\n");
    let bad_date = f.write(
        "date.toml",
        "timezone = \"UTC\"\nclosed = [\"2026-13-01\"]\n",
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--calendar",
                "/nonexistent/cal.toml",
                "--from",
                from,
                "--business",
                "1h",
            ],
            "cannot read calendar file",
        ),
        (
            vec![
                "--calendar",
                bad_zone.to_str().unwrap(),
                "--from",
                from,
                "--business",
                "1h",
            ],
            "unknown time zone",
        ),
        (
            vec![
                "--calendar",
                bad_range.to_str().unwrap(),
                "--from",
                from,
                "--business",
                "1h",
            ],
            "18:00-09:00",
        ),
        (
            vec![
                "--calendar",
                unknown.to_str().unwrap(),
                "--from",
                from,
                "--business",
                "1h",
            ],
            "unknown field `holiday`",
        ),
        (
            vec![
                "--calendar",
                broken.to_str().unwrap(),
                "--from",
                from,
                "--business",
                "1h",
            ],
            "line 1",
        ),
        (
            vec![
                "--calendar",
                bad_date.to_str().unwrap(),
                "--from",
                from,
                "--business",
                "1h",
            ],
            "invalid date",
        ),
        (
            vec![
                "--calendar",
                g,
                "--from",
                "2026-06-01 09:00",
                "--business",
                "1h",
            ],
            "invalid time --from",
        ),
        (
            vec!["--calendar", g, "--from", from, "--business", "2d"],
            "invalid duration \"2d\"",
        ),
        (
            vec!["--calendar", g, "--from", from, "--working-days", "0"],
            "invalid --working-days",
        ),
    ];
    for (args, needle) in cases {
        let mut full = vec!["calendar", "due"];
        full.extend(args);
        fails(&full, needle);
    }
    fails(
        &[
            "calendar",
            "elapsed",
            "--calendar",
            g,
            "--from",
            from,
            "--to",
            "tomorrow",
        ],
        "invalid time --to",
    );
    fails(&["calendar", "holidays", "--year", "20x6"], "invalid year");
    let never = f.write("never.toml", "timezone = \"UTC\"\n");
    fails(
        &[
            "calendar",
            "due",
            "--calendar",
            never.to_str().unwrap(),
            "--from",
            from,
            "--business",
            "1h",
        ],
        "no opening time",
    );
}
