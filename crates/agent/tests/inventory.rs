//! `onestop-agent inventory` reads the package database the OS identity names: real rpm
//! packages built with `rpmbuild` and installed with `rpm` into a temporary root, and an
//! apk database in the format apk writes (`tests/fixtures/alpine`).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn agent_inventory(args: &[&str], root: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_onestop-agent"))
        .arg("--inventory-root")
        .arg(root)
        .args(args)
        .arg("inventory")
        .output()
        .expect("agent runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("inventory JSON")
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Build the packages of `spec` into `out`; returns the built files.
fn rpmbuild(dir: &Path, name: &str, spec: &str) -> Vec<PathBuf> {
    let file = dir.join(format!("{name}.spec"));
    std::fs::write(&file, spec).unwrap();
    let out = dir.join("rpms");
    run(Command::new("rpmbuild")
        .arg("--define")
        .arg(format!("_topdir {}", dir.join("top").display()))
        .arg("--define")
        .arg(format!("_rpmdir {}", out.display()))
        .arg("--define")
        .arg(format!("_dbpath {}", dir.join("builddb").display()))
        .arg("-bb")
        .arg(&file));
    let mut files: Vec<PathBuf> = std::fs::read_dir(out.join("noarch"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(name))
        .collect();
    files.sort();
    files
}

const HELLO: &str = "Name: onestop-hello\nVersion: 1.2.3\nRelease: 4.el9\nEpoch: 2\n\
Summary: test package\nLicense: MIT\nBuildArch: noarch\n%description\ntest\n\
%package libs\nSummary: its library\n%description libs\nlibrary\n%files\n%files libs\n";
const TOOL: &str = "Name: onestop-tool\nVersion: 0.9\nRelease: 1.el9_4\n\
Summary: another\nLicense: MIT\nBuildArch: noarch\n%description\nother\n%files\n";

#[test]
fn rpm_packages_from_a_real_rpm_database() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(
        root.join("etc/os-release"),
        "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n",
    )
    .unwrap();
    let mut rpms = rpmbuild(dir.path(), "onestop-hello", HELLO);
    rpms.extend(rpmbuild(dir.path(), "onestop-tool", TOOL));
    assert_eq!(rpms.len(), 3, "{rpms:?}");
    let rpm = |args: &[&str]| {
        let mut c = Command::new("rpm");
        c.arg("--root")
            .arg(&root)
            .args(["--dbpath", "/var/lib/rpm"]);
        c.args(args);
        c
    };
    run(&mut rpm(&["--initdb"]));
    run(rpm(&["-i", "--nodeps", "--noscripts", "--ignoreos"]).args(&rpms));

    // The database at its usual place under the root, found from os-release alone.
    let inv = agent_inventory(&[], &root);
    assert_eq!(inv["os"]["id"], "almalinux");
    assert_eq!(inv["os"]["version_id"], "9.4");
    let mut pkgs: Vec<(String, String, String, String)> = inv["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or("").to_string();
            (s("name"), s("version"), s("arch"), s("source"))
        })
        .collect();
    pkgs.sort();
    assert_eq!(
        pkgs,
        [
            ("onestop-hello", "2:1.2.3-4.el9", "noarch", ""),
            (
                "onestop-hello-libs",
                "2:1.2.3-4.el9",
                "noarch",
                "onestop-hello"
            ),
            ("onestop-tool", "0.9-1.el9_4", "noarch", ""),
        ]
        .map(|(a, b, c, d)| (a.into(), b.into(), c.into(), d.into()))
    );
    // The same database named explicitly, and a database path that holds none.
    let again = agent_inventory(&["--rpm-dbpath", "/var/lib/rpm"], &root);
    assert_eq!(again["packages"].as_array().unwrap().len(), 3);
    let none = agent_inventory(&["--rpm-dbpath", "/nowhere"], &root);
    assert_eq!(none["packages"].as_array().unwrap().len(), 0);
}

#[test]
fn apk_packages_from_the_installed_database() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alpine");
    let inv = agent_inventory(&[], &root);
    assert_eq!(inv["os"]["id"], "alpine");
    assert_eq!(inv["kernel"]["installed"][0], "6.6.14-0-lts");
    let pkgs = inv["packages"].as_array().unwrap();
    let names: Vec<&str> = pkgs.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["musl", "libcrypto3", "busybox"]);
    assert_eq!(pkgs[0]["version"], "1.2.4_git20230717-r4");
    assert_eq!(pkgs[1]["source"], "openssl");
    assert_eq!(pkgs[1]["arch"], "x86_64");
    assert!(pkgs[2].get("source").is_none());
}
