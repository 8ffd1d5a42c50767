//! `onestop version compare`.

use super::{run, stderr, stdout};

fn cmp(eco: &str, a: &str, b: &str) -> String {
    let o = run(&["version", "compare", "--ecosystem", eco, a, b], "");
    assert!(o.status.success(), "{eco} {a} {b}: {}", stderr(&o));
    stdout(&o).trim_end().to_string()
}

#[test]
fn compares_each_scheme() {
    assert_eq!(cmp("deb", "1.0~rc1", "1.0"), "<");
    assert_eq!(cmp("deb", "1:0.1", "2.0"), ">");
    assert_eq!(cmp("deb", "1.0-1", "1.0-1+b1"), "<");
    assert_eq!(cmp("deb", "1.0", "1.00"), "=");
    assert_eq!(cmp("rpm", "1.0~rc1", "1.0"), "<");
    assert_eq!(cmp("rpm", "1.0^post", "1.0.1"), "<");
    assert_eq!(cmp("rpm", "1.0a", "1.0.a"), "=");
    assert_eq!(cmp("rpm", "1.01", "1.1"), "=");
    assert_eq!(cmp("apk", "1.0_rc1", "1.0"), "<");
    assert_eq!(cmp("apk", "1.0_p1", "1.0a"), "<");
    assert_eq!(cmp("apk", "1.0-r2", "1.0-r1"), ">");
}

#[test]
fn invalid_version_is_one_line_and_exit_2() {
    for (eco, v) in [("deb", "abc"), ("rpm", "1.0-"), ("apk", "1.0-1")] {
        let o = run(&["version", "compare", "--ecosystem", eco, v, "1.0"], "");
        assert_eq!(o.status.code(), Some(2), "{eco} {v}");
        assert!(stdout(&o).is_empty());
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(v), "{err}");
    }
    let o = run(
        &["version", "compare", "--ecosystem", "pacman", "1", "2"],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1);
}

#[test]
fn batch_writes_one_line_per_input_line() {
    let input = "1.0 2.0\n2.0 1.0\n1.0 1.0\n1.0 a\nonly-one\n\n1:1 2\n";
    let o = run(
        &["version", "compare", "--ecosystem", "deb", "--batch"],
        input,
    );
    assert!(o.status.success());
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), input.lines().count());
    assert_eq!(&lines[..3], ["<", ">", "="]);
    assert!(
        lines[3].starts_with("error: ")
            && lines[4].starts_with("error: ")
            && lines[5].starts_with("error: ")
    );
    assert_eq!(lines[6], ">");
}
