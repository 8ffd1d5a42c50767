//! End-to-end tests of `onestop logs mine` and `onestop logs evaluate`.

use std::path::Path;
use std::process::{Command, Output};

fn onestop(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onestop"))
        .args(args)
        .output()
        .expect("run onestop")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

const FORMAT: &str = r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>";

fn log() -> String {
    let mut s = String::new();
    for (i, user) in ["alice", "bob", "carol", "dave", "erin", "frank"]
        .iter()
        .enumerate()
    {
        s.push_str(&format!(
            "Jun 14 15:16:0{i} combo sshd[{}]: Invalid user {user} from 10.0.0.{i}\r\n",
            100 + i
        ));
        s.push_str(&format!(
            "Jun 14 15:16:0{i} combo kernel: Out of memory, \"kill\" {i}\r\n"
        ));
    }
    s.push_str("not a syslog line at all\r\n");
    s
}

#[test]
fn mine_writes_structured_csv_and_evaluate_scores_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.log", &log());
    let out = dir.path().join("out.csv").to_string_lossy().into_owned();
    let o = onestop(&["logs", "mine", "--log-format", FORMAT, &input, "-o", &out]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "LineId,Content,EventId,EventTemplate");
    assert_eq!(lines.len(), 14);
    assert_eq!(
        lines[1],
        "1,Invalid user alice from 10.0.0.0,E1,Invalid user <*> from <*>"
    );
    assert!(
        lines[2].starts_with("2,\"Out of memory, \"\"kill\"\" 0\",E"),
        "{}",
        lines[2]
    );
    assert!(
        lines[2].ends_with(",\"Out of memory, \"\"kill\"\" <*>\""),
        "{}",
        lines[2]
    );
    assert!(lines[13].starts_with("13,not a syslog line at all,E"));

    // Scoring the output against itself is perfect; against a coarser truth it is not.
    let o = onestop(&["logs", "evaluate", "--truth", &out, "--parsed", &out]);
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "GA: 1.0000\nFGA: 1.0000\nPA: 1.0000\n"
    );
    let mut truth = String::from("LineId,Content,EventId,EventTemplate\n");
    for i in 1..=13 {
        truth.push_str(&format!("{i},x,E1,x <*>\n"));
    }
    let truth = write(dir.path(), "truth.csv", &truth);
    let o = onestop(&["logs", "evaluate", "--truth", &truth, "--parsed", &out]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "GA: 0.0000\nFGA: 0.0000\nPA: 0.0000\n"
    );
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.log", "a b c\n");
    let out = dir.path().join("o.csv").to_string_lossy().into_owned();
    for args in [
        vec![
            "logs",
            "mine",
            "--log-format",
            "<Date> (<Content>",
            input.as_str(),
            "-o",
            out.as_str(),
        ],
        vec![
            "logs",
            "mine",
            "--log-format",
            "<Date> <Time>",
            input.as_str(),
            "-o",
            out.as_str(),
        ],
        vec![
            "logs",
            "mine",
            "--log-format",
            "<Content>",
            "/nonexistent/x.log",
            "-o",
            out.as_str(),
        ],
        vec![
            "logs",
            "evaluate",
            "--truth",
            input.as_str(),
            "--parsed",
            input.as_str(),
        ],
        vec![
            "logs",
            "evaluate",
            "--truth",
            "/nonexistent.csv",
            "--parsed",
            input.as_str(),
        ],
    ] {
        let o = onestop(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn evaluate_flags_change_keys_and_pa_mode() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(
        dir.path(),
        "t.csv",
        "LineId,Content,EventId,EventTemplate\n1,a 1,E1,a <*>\n2,a 2,E2,a <*>\n3,b x:1,E3,b <*>:<*>\n",
    );
    let parsed = write(
        dir.path(),
        "p.csv",
        "LineId,Content,EventId,EventTemplate\n1,a 1,E1,a <*>\n2,a 2,E1,a <*>\n3,b x:1,E2,b <*>\n",
    );
    let run = |extra: &[&str]| {
        let mut args = vec![
            "logs",
            "evaluate",
            "--truth",
            truth.as_str(),
            "--parsed",
            parsed.as_str(),
        ];
        args.extend_from_slice(extra);
        String::from_utf8_lossy(&onestop(&args).stdout).into_owned()
    };
    // By EventId the truth has three groups and only {3} is matched exactly.
    assert_eq!(run(&[]), "GA: 0.3333\nFGA: 0.4000\nPA: 1.0000\n");
    assert_eq!(
        run(&["--group-by-template"]),
        "GA: 1.0000\nFGA: 1.0000\nPA: 1.0000\n"
    );
    assert_eq!(run(&["--exact"]), "GA: 0.3333\nFGA: 0.4000\nPA: 0.6667\n");
}
