//! OSV parsing, normalisation and matching through the public API.

use onestop_vuln::inventory::InstalledPackage;
use onestop_vuln::osv::{Event, merge_advisories};
use onestop_vuln::{Advisory, AdvisoryIndex, Ecosystem, Severity, parse_osv};

fn one(json: &str) -> Advisory {
    let mut v = parse_osv(json.as_bytes()).unwrap();
    assert_eq!(v.len(), 1);
    v.remove(0).advisory
}

fn record(id: &str, eco: &str, name: &str, events: &str, extra: &str) -> String {
    format!(
        r#"{{"id": "{id}", "modified": "2024-01-01T00:00:00Z", {extra}
        "affected": [{{"package": {{"ecosystem": "{eco}", "name": "{name}"}},
        "ranges": [{{"type": "ECOSYSTEM", "events": [{events}]}}]}}]}}"#
    )
}

fn hits(
    advisories: Vec<Advisory>,
    eco: &str,
    pkgs: &[InstalledPackage],
) -> Vec<(String, String, Option<String>)> {
    let index = AdvisoryIndex::new(advisories);
    let eco: Ecosystem = eco.parse().unwrap();
    let r = index.match_host(&eco, pkgs);
    r.findings
        .iter()
        .map(|f| {
            (
                f.package.name.clone(),
                f.advisory.id.clone(),
                f.fixed_version.map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn severity_sources_and_cves() {
    let a = one(&record(
        "ALSA-1",
        "AlmaLinux:9",
        "x",
        r#"{"introduced": "0"}, {"fixed": "1-1"}"#,
        r#""summary": "Moderate: x update", "related": ["CVE-2024-10001", "CVE-2024-9999"], "aliases": ["CVE-2024-9999"],"#,
    ));
    assert_eq!(a.severity, Severity::Medium);
    assert_eq!(a.cves, ["CVE-2024-9999", "CVE-2024-10001"]);
    let cvss = r#""severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}], "summary": "Low: x","#;
    let b = one(&record(
        "ALSA-2",
        "AlmaLinux:9",
        "x",
        r#"{"introduced": "0"}, {"fixed": "1-1"}"#,
        cvss,
    ));
    assert_eq!(b.severity, Severity::Critical, "CVSS comes first");
    assert_eq!(b.cvss.unwrap().score, 9.8);
    let eco_specific = r#"{"id": "DSA-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "Debian:12", "name": "x"},
        "ecosystem_specific": {"urgency": "low"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}"#;
    assert_eq!(one(eco_specific).severity, Severity::Low);
}

#[test]
fn unsupported_or_upstream_only_records() {
    let pypi = record(
        "PYSEC-1",
        "PyPI",
        "x",
        r#"{"introduced": "0"}, {"fixed": "1.0"}"#,
        "",
    );
    assert!(
        parse_osv(pypi.as_bytes()).is_err(),
        "no supported ecosystem left"
    );
    let git = r#"{"id": "A-1", "modified": "2024-01-01T00:00:00Z", "affected": [
        {"package": {"ecosystem": "AlmaLinux:9", "name": "x"}, "ranges": [{"type": "GIT", "repo": "r", "events": [{"introduced": "0"}]}]},
        {"package": {"ecosystem": "AlmaLinux:9", "name": "y"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "bad version!"}]}]}]}"#;
    assert!(parse_osv(git.as_bytes()).is_err());
    assert!(
        parse_osv(b"{\"id\": \"x\"}").is_err(),
        "modified is required"
    );
    assert!(parse_osv(b"not json").is_err());
}

#[test]
fn ranges_withdrawn_releases_and_names() {
    let v = |n: &str, ver: &str| InstalledPackage::new(n, ver);
    let adv = vec![
        one(&record(
            "A-1",
            "AlmaLinux:9",
            "foo",
            r#"{"introduced": "0"}, {"fixed": "2.0-1.el9"}"#,
            "",
        )),
        one(&record(
            "A-2",
            "AlmaLinux:8",
            "foo",
            r#"{"introduced": "0"}, {"fixed": "9.0-1.el8"}"#,
            "",
        )),
        one(&record(
            "A-3",
            "AlmaLinux:9",
            "foo",
            r#"{"introduced": "0"}, {"fixed": "3.0-1.el9"}"#,
            r#""withdrawn": "2024-02-01T00:00:00Z","#,
        )),
        one(&record(
            "A-4",
            "AlmaLinux:9",
            "bar",
            r#"{"introduced": "1.5-1"}, {"last_affected": "1.7-1"}"#,
            "",
        )),
        one(&record(
            "A-5",
            "AlmaLinux:9",
            "src",
            r#"{"introduced": "0"}, {"fixed": "5.0-1"}"#,
            "",
        )),
    ];
    let mut sub = v("src-libs", "4.0-1");
    sub.source_name = Some("src".into());
    let pkgs = [
        v("foo", "1.9-1.el9"),
        v("bar", "1.6-1"),
        v("bar", "1.8-1"),
        sub,
        v("foo", "2.0-1.el9"),
    ];
    assert_eq!(
        hits(adv, "AlmaLinux:9", &pkgs),
        [
            (
                "foo".to_string(),
                "A-1".to_string(),
                Some("2.0-1.el9".to_string())
            ),
            ("bar".into(), "A-4".into(), None),
            ("src-libs".into(), "A-5".into(), Some("5.0-1".into())),
        ]
    );
}

#[test]
fn versions_list_and_merge_and_serde_round_trip() {
    let listed = r#"{"id": "U-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "s"},
        "versions": ["1.0-1", "1.0-2"]}]}"#;
    let mut deb = InstalledPackage::new("bin", "1.0-2+b1");
    deb.source_name = Some("s".into());
    deb.source_version = Some("1.0-2".into());
    assert_eq!(
        hits(vec![one(listed)], "Ubuntu:22.04", &[deb]).len(),
        1,
        "source version listed"
    );

    let a = one(&record(
        "D-1",
        "AlmaLinux:9",
        "a",
        r#"{"introduced": "0"}, {"fixed": "1-1"}"#,
        "",
    ));
    let mut b = one(&record(
        "D-1",
        "AlmaLinux:8",
        "a",
        r#"{"introduced": "0"}, {"fixed": "1-1"}"#,
        "",
    ));
    b.modified = "2024-06-01T00:00:00Z".parse().unwrap();
    let merged = merge_advisories(vec![a.clone(), b, a]);
    assert_eq!(merged.len(), 1);
    assert_eq!(merged[0].affected.len(), 2);

    let json = serde_json::to_string(&merged[0]).unwrap();
    assert!(
        json.contains(r#"{"fixed":"1-1"}"#),
        "events keep OSV's shape: {json}"
    );
    let back: Advisory = serde_json::from_str(&json).unwrap();
    assert_eq!(back, merged[0]);
    assert_eq!(back.affected[0].ranges[0][1], Event::Fixed("1-1".into()));
}
