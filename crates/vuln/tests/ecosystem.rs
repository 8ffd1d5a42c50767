//! Ecosystem strings: normalisation, display and the os-release mapping.

use onestop_vuln::Ecosystem;
use onestop_vuln::Scheme;
use onestop_vuln::inventory::os_release::OsRelease;

fn eco(s: &str) -> Ecosystem {
    s.parse().unwrap()
}

#[test]
fn normalised_equalities() {
    assert_eq!(eco("Ubuntu:22.04:LTS"), eco("Ubuntu:22.04"));
    assert_ne!(eco("Ubuntu:Pro:18.04:LTS"), eco("Ubuntu:18.04:LTS"));
    assert_eq!(eco("Alpine:v3.19"), eco("Alpine:3.19"));
    assert_eq!(eco("AlmaLinux:9"), eco("almalinux:9.3"));
    assert_eq!(
        eco("Red Hat:enterprise_linux:9::appstream"),
        eco("Red Hat:enterprise_linux:9::baseos")
    );
    assert_eq!(
        eco("Red Hat:enterprise_linux:9::appstream"),
        eco("Red Hat:9")
    );
    assert_ne!(eco("Red Hat:rhel_eus:9.2::baseos"), eco("Red Hat:9"));
    assert_eq!(eco("Rocky Linux:9").scheme(), Scheme::Rpm);
    assert!("PyPI".parse::<Ecosystem>().is_err());
    assert!("Debian:".parse::<Ecosystem>().unwrap().release.is_none());
}

#[test]
fn display_round_trips() {
    for s in [
        "Debian:12",
        "Ubuntu:22.04",
        "Ubuntu:Pro:18.04",
        "Alpine:v3.19",
        "AlmaLinux:9",
        "Rocky Linux:9",
    ] {
        assert_eq!(eco(s).to_string(), s);
        assert_eq!(eco(&eco(s).to_string()), eco(s));
    }
    assert_eq!(
        eco("Red Hat:rhel_eus:9.2::baseos").to_string(),
        "Red Hat:rhel_eus:9.2"
    );
    assert_eq!(eco("Red Hat:9").to_string(), "Red Hat:enterprise_linux:9");
}

#[test]
fn from_os_identity() {
    let os = |id: &str, v: &str| OsRelease {
        id: id.into(),
        version_id: Some(v.into()),
        ..OsRelease::default()
    };
    let cases = [
        ("almalinux", "9.3", "AlmaLinux:9"),
        ("debian", "12", "Debian:12"),
        ("ubuntu", "22.04", "Ubuntu:22.04"),
        ("alpine", "3.19.1", "Alpine:v3.19"),
        ("rocky", "9.3", "Rocky Linux:9"),
        ("rhel", "9.3", "Red Hat:enterprise_linux:9"),
    ];
    for (id, v, want) in cases {
        assert_eq!(
            Ecosystem::from_os_release(&os(id, v)).unwrap().to_string(),
            want
        );
    }
    assert_eq!(Ecosystem::from_os_release(&os("arch", "1")), None);
    assert_eq!(
        Ecosystem::from_os_release(&OsRelease {
            id: "debian".into(),
            ..OsRelease::default()
        }),
        None
    );
}
