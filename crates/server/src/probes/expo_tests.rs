//! Tests of the exposition parser on node_exporter-shaped text and its edge cases.
use super::expo::parse;

#[test]
fn node_exporter_text() {
    let text = "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n\
# TYPE node_cpu_seconds_total counter\n\
node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 12345.67\n\
node_load1 0.5\n\
\n\
http_request_duration_seconds_bucket{le=\"+Inf\",path=\"/a\\\"b\\\\c\\nd\"} 3 1700000000000\n\
weird_value{a=\"x\",} NaN\n\
neg -Inf\n\
{\"my.metric\", zone=\"a b\"} 1e3\n";
    let s = parse(text).unwrap();
    assert_eq!(s.len(), 6);
    assert_eq!(s[0].name, "node_cpu_seconds_total");
    assert_eq!(s[0].labels["mode"], "idle");
    assert_eq!(s[0].value, 12345.67);
    assert_eq!(s[1].labels.len(), 0);
    assert_eq!(s[2].labels["path"], "/a\"b\\c\nd");
    assert_eq!(s[2].labels["le"], "+Inf");
    assert_eq!(s[2].ts_ms, Some(1_700_000_000_000));
    assert!(s[3].value.is_nan());
    assert_eq!(s[4].value, f64::NEG_INFINITY);
    assert_eq!((s[5].name.as_str(), s[5].value), ("my.metric", 1000.0));
    assert_eq!(s[5].labels["zone"], "a b");
}

#[test]
fn malformed_lines_fail_with_their_number() {
    for (bad, what) in [
        ("ok 1\nbroken{a=\"1\" 2\n", "line 2"),
        ("x{a=1} 2", "line 1"),
        ("x{a=\"1\",a=\"2\"} 2", "repeated"),
        ("x 1 2 3", "after the timestamp"),
        ("x one", "bad value"),
        ("x", "missing value"),
        ("x{a=\"1", "unterminated"),
        ("{a=\"1\"} 3", "missing metric name"),
    ] {
        let e = parse(bad).unwrap_err();
        assert!(e.contains(what), "{bad:?}: {e}");
    }
}
