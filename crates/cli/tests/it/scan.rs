//! `onestop scan` against small OSV fixtures.

use super::{fixture, run, stderr, stdout};
use std::io::Write;

fn scan(eco: &str, inv_flag: &str, inv: &str, adv: &str, format: &str) -> std::process::Output {
    let inv = fixture(inv);
    run(
        &[
            "scan",
            "--ecosystem",
            eco,
            inv_flag,
            inv.to_str().unwrap(),
            "--advisories",
            adv,
            "--format",
            format,
        ],
        "",
    )
}

const ALMA_CSV: &str = "\
package,installed_version,advisory_id,fixed_version,severity,aliases
curl,0:7.76.1-26.el9_3.1,ALSA-2024:0002,7.76.1-26.el9_3.2,medium,CVE-2024-0853
kernel-core,0:5.14.0-362.8.1.el9_3,ALSA-2024:0004,5.14.0-362.13.1.el9_3,critical,CVE-2024-1111
openssl-libs,1:3.0.7-24.el9,ALSA-2024:0001,1:3.0.7-25.el9_3,high,CVE-2023-5678 CVE-2023-6129
";

#[test]
fn almalinux_directory_csv() {
    let dir = fixture("alma-dir");
    let o = scan(
        "AlmaLinux:9",
        "--rpm-list",
        "rpms.txt",
        dir.to_str().unwrap(),
        "csv",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), ALMA_CSV);
    assert!(
        stderr(&o).contains("1 advisory documents rejected"),
        "broken.json is reported: {}",
        stderr(&o)
    );
}

#[test]
fn almalinux_zip_and_single_file() {
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("all.zip");
    let mut zw = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for rel in [
        "almalinux8/ALSA-2024-0001.json",
        "almalinux9/ALSA-2024-0001.json",
        "almalinux9/ALSA-2024-0002.json",
        "almalinux9/ALSA-2024-0003.json",
        "almalinux9/ALSA-2024-0004.json",
    ] {
        zw.start_file(rel, opts).unwrap();
        zw.write_all(&std::fs::read(fixture("alma-dir").join(rel)).unwrap())
            .unwrap();
    }
    zw.finish().unwrap();
    let o = scan(
        "AlmaLinux:9",
        "--rpm-list",
        "rpms.txt",
        zip_path.to_str().unwrap(),
        "csv",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), ALMA_CSV);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));

    let one = fixture("alma-dir/almalinux9/ALSA-2024-0002.json");
    let o = scan(
        "AlmaLinux:9",
        "--rpm-list",
        "rpms.txt",
        one.to_str().unwrap(),
        "csv",
    );
    assert_eq!(stdout(&o).lines().count(), 2);
}

#[test]
fn debian_matches_source_packages() {
    let adv = fixture("debian12.json");
    let o = scan(
        "Debian:12",
        "--dpkg-status",
        "dpkg-status",
        adv.to_str().unwrap(),
        "csv",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "package,installed_version,advisory_id,fixed_version,severity,aliases\n\
         libfoo1,1.2-3+b1,DEBIAN-CVE-2024-2222,1.2-3+a1,unknown,CVE-2024-2222\n\
         libssl3,3.0.11-1~deb12u2,DSA-5678-1,3.0.13-1~deb12u1,medium,CVE-2024-0727\n"
    );
    let o = scan(
        "Debian:11",
        "--dpkg-status",
        "dpkg-status",
        adv.to_str().unwrap(),
        "csv",
    );
    assert_eq!(
        stdout(&o).lines().count(),
        1,
        "Debian 11 entries are another release"
    );
}

#[test]
fn alpine_and_ubuntu() {
    let o = scan(
        "Alpine:v3.19",
        "--apk-installed",
        "apk-installed",
        fixture("alpine.json").to_str().unwrap(),
        "csv",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        out.lines().nth(1),
        Some("libcrypto3,3.1.4-r5,ALPINE-CVE-2024-5535,3.1.6-r0,unknown,CVE-2024-5535")
    );
    assert_eq!(out.lines().count(), 2);

    let adv = fixture("ubuntu.json");
    let o = scan(
        "Ubuntu:22.04",
        "--dpkg-status",
        "ubuntu-status",
        adv.to_str().unwrap(),
        "json",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["package"], "libssl3");
    assert_eq!(rows[0]["source_package"], "openssl");
    assert_eq!(rows[0]["severity"], "high");
    assert_eq!(rows[0]["fixed_version"], "3.0.2-0ubuntu1.15");
    assert_eq!(rows[0]["aliases"][0], "CVE-2024-3333");
}

#[test]
fn table_has_header_and_summary() {
    let dir = fixture("alma-dir");
    let o = scan(
        "AlmaLinux:9",
        "--rpm-list",
        "rpms.txt",
        dir.to_str().unwrap(),
        "table",
    );
    let out = stdout(&o);
    assert!(out.starts_with("PACKAGE"), "{out}");
    assert!(
        out.trim_end()
            .ends_with("3 findings in 3 packages (1 critical, 1 high, 1 medium, 0 low, 0 unknown)"),
        "{out}"
    );
}

#[test]
fn errors_are_one_line_with_exit_2() {
    let dir = fixture("alma-dir");
    let d = dir.to_str().unwrap();
    let cases: Vec<std::process::Output> = vec![
        scan("Foo:1", "--rpm-list", "rpms.txt", d, "csv"),
        scan("Debian:12", "--rpm-list", "rpms.txt", d, "csv"),
        scan(
            "AlmaLinux:9",
            "--rpm-list",
            "rpms.txt",
            "/nonexistent/path",
            "csv",
        ),
        scan("AlmaLinux:9", "--rpm-list", "no-such-file", d, "csv"),
        scan("AlmaLinux:9", "--rpm-list", "apk-installed", d, "csv"),
    ];
    for o in cases {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
}
