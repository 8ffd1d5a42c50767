//! Round-trip and rejection tests for the batch codec.

use std::collections::BTreeMap;

use onestop_proto::*;
use proptest::prelude::*;

fn sample_batch() -> Batch {
    let mut labels = BTreeMap::new();
    labels.insert("cpu".to_string(), "0".to_string());
    labels.insert("mode".to_string(), "idle".to_string());
    let mut s = Series::new("node_cpu_seconds_total", labels);
    s.points.push(Point {
        ts_ms: 1_700_000_000_000,
        value: 12.5,
    });
    s.points.push(Point {
        ts_ms: 1_700_000_010_000,
        value: f64::NAN,
    });
    s.points.push(Point {
        ts_ms: 1_700_000_020_000,
        value: f64::INFINITY,
    });
    s.points.push(Point {
        ts_ms: 1_700_000_030_000,
        value: f64::NEG_INFINITY,
    });
    Batch {
        version: PROTOCOL_VERSION,
        seq: 42,
        sent_at_ms: 1_700_000_040_000,
        payload: Payload {
            series: vec![s],
            inventory: Some(Inventory {
                os: OsInfo {
                    id: Some("debian".into()),
                    version_id: Some("12".into()),
                    ..Default::default()
                },
                kernel: Kernel {
                    running: "6.1.0-9-amd64".into(),
                    installed: vec!["6.1.0-9-amd64".into(), "6.1.0-10-amd64".into()],
                },
                packages: vec![Package {
                    name: "libssl3".into(),
                    version: "3.0.11-1~deb12u2".into(),
                    arch: "amd64".into(),
                    source: Some("openssl".into()),
                    source_version: None,
                }],
            }),
            logs: vec![LogLine {
                source: "/var/log/syslog".into(),
                ts_ms: 1,
                line: "hello".into(),
                cursor: Some("123".into()),
            }],
            checks: vec![CheckResult {
                check: "sshd_config".into(),
                version: 1,
                status: CheckStatus::Finding,
                summary: "PermitRootLogin yes".into(),
                detail: serde_json::json!({"permit_root_login": "yes"}),
                source: "/etc/ssh/sshd_config".into(),
                observed_at_ms: 2,
            }],
        },
    }
}

#[test]
fn roundtrip_keeps_everything_including_non_finite() {
    let b = sample_batch();
    let bytes = encode_batch(&b).unwrap();
    let back = decode_batch(&bytes).unwrap();
    assert_eq!(back.seq, 42);
    assert_eq!(back.payload.inventory, b.payload.inventory);
    assert_eq!(back.payload.logs, b.payload.logs);
    let pts = &back.payload.series[0].points;
    assert_eq!(pts[0].value, 12.5);
    assert!(pts[1].value.is_nan());
    assert_eq!(pts[2].value, f64::INFINITY);
    assert_eq!(pts[3].value, f64::NEG_INFINITY);
}

#[test]
fn points_are_compact_pairs() {
    let json = serde_json::to_string(&Point {
        ts_ms: 5,
        value: 1.5,
    })
    .unwrap();
    assert_eq!(json, "[5,1.5]");
    assert_eq!(
        serde_json::to_string(&Point {
            ts_ms: 5,
            value: f64::NAN
        })
        .unwrap(),
        "[5,\"NaN\"]"
    );
    assert!(serde_json::from_str::<Point>("[5,\"bogus\"]").is_err());
    assert!(serde_json::from_str::<Point>("[5,1,2]").is_err());
}

#[test]
fn rejects_garbage_future_versions_and_bombs() {
    assert!(matches!(decode_batch(b"not gzip"), Err(ProtoError::Io(_))));
    let mut b = sample_batch();
    b.version = PROTOCOL_VERSION + 1;
    let bytes = encode_batch(&b).unwrap();
    assert!(matches!(
        decode_batch(&bytes),
        Err(ProtoError::UnsupportedVersion(_))
    ));
    let ok = encode_batch(&sample_batch()).unwrap();
    assert!(matches!(
        decode_batch_limited(&ok, 50),
        Err(ProtoError::TooLarge { limit: 50 })
    ));
}

#[test]
fn ack_and_enroll_shapes() {
    let ack: Ack = serde_json::from_str(r#"{"seq":7,"accepted":true}"#).unwrap();
    assert_eq!(
        ack,
        Ack {
            seq: 7,
            accepted: true,
            reason: None
        }
    );
    let resp: EnrollResponse =
        serde_json::from_str(r#"{"host_id":"h1","credential":"c"}"#).unwrap();
    assert_eq!(resp.credential, "c");
}

proptest! {
    #[test]
    fn arbitrary_points_roundtrip(pts in prop::collection::vec((any::<i64>(), any::<f64>()), 0..50), seq in any::<u64>()) {
        let mut s = Series::new("m", BTreeMap::new());
        s.points = pts.iter().map(|&(ts_ms, value)| Point { ts_ms, value }).collect();
        let b = Batch { version: PROTOCOL_VERSION, seq, sent_at_ms: 0, payload: Payload { series: vec![s], ..Default::default() } };
        let back = decode_batch(&encode_batch(&b).unwrap()).unwrap();
        prop_assert_eq!(back.seq, seq);
        let got = &back.payload.series[0].points;
        prop_assert_eq!(got.len(), pts.len());
        for (g, &(ts, v)) in got.iter().zip(&pts) {
            prop_assert_eq!(g.ts_ms, ts);
            // NaN payload bits are not kept on the wire; every NaN decodes as NaN.
            prop_assert!(g.value == v || (g.value.is_nan() && v.is_nan()));
        }
    }
}

/// The wire shape the server must accept, spelled out once.
#[test]
fn golden_json_shape() {
    let json = r#"{
        "version": 1, "seq": 9, "sent_at_ms": 1700000000000,
        "payload": {
            "series": [{"name": "node_load1", "points": [[1700000000000, 0.5], [1700000010000, "NaN"]]},
                       {"name": "node_cpu_seconds_total", "labels": {"cpu": "0", "mode": "idle"}, "points": [[1700000000000, 12.5]]}],
            "inventory": {"os": {"id": "debian", "version_id": "12"},
                          "kernel": {"running": "6.1.0-9-amd64", "installed": ["6.1.0-9-amd64"]},
                          "packages": [{"name": "bash", "version": "5.2.15-2+b2", "arch": "amd64", "source": "bash"}]},
            "logs": [{"source": "/var/log/syslog", "ts_ms": 1700000000000, "line": "hello", "cursor": "42"}]
        }
    }"#;
    let b: Batch = serde_json::from_str(json).unwrap();
    assert_eq!(b.seq, 9);
    assert_eq!(b.payload.series[1].labels["mode"], "idle");
    assert!(b.payload.series[0].points[1].value.is_nan());
    assert_eq!(
        b.payload.inventory.as_ref().unwrap().packages[0]
            .source
            .as_deref(),
        Some("bash")
    );
    assert_eq!(b.payload.logs[0].cursor.as_deref(), Some("42"));
    let empty: Batch =
        serde_json::from_str(r#"{"version":1,"seq":1,"sent_at_ms":0,"payload":{}}"#).unwrap();
    assert!(empty.payload.series.is_empty() && empty.payload.inventory.is_none());
    let round = serde_json::to_value(&empty).unwrap();
    assert_eq!(
        round,
        serde_json::json!({"version":1,"seq":1,"sent_at_ms":0,"payload":{}})
    );
}

#[test]
fn sample_values_may_be_integers_but_not_other_text() {
    let p: Point = serde_json::from_str("[1, 42]").unwrap();
    assert_eq!((p.ts_ms, p.value), (1, 42.0));
    let p: Point = serde_json::from_str("[1, -3]").unwrap();
    assert_eq!(p.value, -3.0);
    let p: Point = serde_json::from_str("[1, \"-Inf\"]").unwrap();
    assert_eq!(p.value, f64::NEG_INFINITY);
    for bad in [
        "[1, \"lots\"]",
        "[1, null]",
        "[1, true]",
        "[1]",
        "[1, 2, 3]",
        "[\"x\", 2]",
    ] {
        assert!(serde_json::from_str::<Point>(bad).is_err(), "{bad}");
    }
}
