//! `onestop-agent --once --print` against the recorded tree in
//! `tests/fixtures/host1` (degraded RAID, EDAC errors, hwmon temperatures,
//! a failing SMART disk via a stand-in smartctl).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::Command;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn run_fixture() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_onestop-agent"))
        .args(["--once", "--print", "--proc-root"])
        .arg(fixture("host1/proc"))
        .arg("--sys-root")
        .arg(fixture("host1/sys"))
        .arg("--smartctl")
        .arg(fixture("smartctl-failing.sh"))
        .output()
        .expect("agent runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Samples keyed by their full series text (`name{labels}`).
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_string(), value.parse().unwrap())
        })
        .collect()
}

#[test]
fn fixture_values() {
    let s = samples(&run_fixture());
    let want = [
        (r#"node_cpu_seconds_total{cpu="0",mode="user"}"#, 377.84),
        (r#"node_cpu_seconds_total{cpu="1",mode="idle"}"#, 5584.55),
        ("node_boot_time_seconds", 1.7e9),
        ("node_procs_running", 3.0),
        ("node_procs_blocked", 1.0),
        ("node_context_switches_total", 25871823.0),
        ("node_load5", 0.41),
        ("node_memory_MemTotal_bytes", 16318412.0 * 1024.0),
        ("node_memory_Active_anon_bytes", 4869120.0 * 1024.0),
        ("node_memory_HugePages_Total", 0.0),
        ("node_vmstat_pswpin", 1024.0),
        ("node_vmstat_pswpout", 2048.0),
        (
            r#"node_disk_read_bytes_total{device="sda"}"#,
            12884942.0 * 512.0,
        ),
        (r#"node_disk_io_time_seconds_total{device="sda"}"#, 321.5),
        (
            r#"node_network_receive_bytes_total{device="eth0"}"#,
            987654321.0,
        ),
        (r#"node_network_transmit_drop_total{device="eth0"}"#, 2.0),
        (r#"node_md_disks{device="md0",state="failed"}"#, 1.0),
        (r#"node_md_disks{device="md0",state="active"}"#, 1.0),
        (r#"node_md_disks_required{device="md0"}"#, 2.0),
        (r#"node_md_state{device="md1",state="recovering"}"#, 1.0),
        (r#"node_md_disks{device="md1",state="spare"}"#, 1.0),
        (r#"onestop_md_degraded{device="md2"}"#, 0.0),
        (r#"node_edac_correctable_errors_total{controller="0"}"#, 5.0),
        (
            r#"node_edac_uncorrectable_errors_total{controller="0"}"#,
            1.0,
        ),
        (
            r#"node_edac_csrow_correctable_errors_total{controller="0",csrow="0"}"#,
            3.0,
        ),
        (
            r#"node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"}"#,
            45.0,
        ),
        (
            r#"node_hwmon_temp_celsius{chip="nvme",sensor="temp1"}"#,
            38.85,
        ),
        (r#"onestop_smart_healthy{device="sda"}"#, 0.0),
        (r#"onestop_smart_reallocated_sectors{device="sda"}"#, 3912.0),
        (r#"onestop_processes{state="zombie"}"#, 1.0),
        (
            r#"node_filesystem_device_error{device="/dev/vdb1",fstype="ext4",mountpoint="/srv/gone away"}"#,
            1.0,
        ),
        (
            r#"onestop_scrape_collector_success{collector="smart"}"#,
            1.0,
        ),
    ];
    for (series, v) in want {
        assert_eq!(s.get(series), Some(&v), "{series}");
    }
    let absent = [
        "loop0",
        "sda1",
        "/proc",
        "/sys",
        "cgroup2",
        "overlay",
        "/run/credentials",
        r#"device="loop0""#,
    ];
    for series in s.keys() {
        for a in absent {
            assert!(!series.contains(a), "{series} should be excluded");
        }
    }
    assert!(s.contains_key(
        r#"node_filesystem_size_bytes{device="/dev/vda1",fstype="ext4",mountpoint="/"}"#
    ));
}

/// Structural checks promtool would also make: one HELP and TYPE per family,
/// before its samples, samples of a family contiguous, counters end in `_total`,
/// no duplicate series.
#[test]
fn exposition_is_well_formed() {
    let text = run_fixture();
    let mut types: HashMap<String, String> = HashMap::new();
    let mut seen_series = HashSet::new();
    let mut finished = HashSet::new();
    let mut current = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(
                types.insert(name.to_string(), kind.to_string()).is_none(),
                "TYPE twice for {name}"
            );
            assert!(!finished.contains(name), "{name} not contiguous");
            finished.insert(std::mem::replace(&mut current, name.to_string()));
            if kind == "counter" {
                assert!(name.ends_with("_total"), "counter {name}");
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let name = line.split(['{', ' ']).next().unwrap();
        assert_eq!(name, current, "sample outside its family");
        let series = line.rsplit_once(' ').unwrap().0;
        assert!(
            seen_series.insert(series.to_string()),
            "duplicate series {series}"
        );
    }
    // Optional cross-check with promtool when installed (Debian package `prometheus`).
    if let Ok(mut child) = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let report = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        for l in report.lines() {
            assert!(
                l.contains("camelCase") && l.starts_with("node_memory_"),
                "promtool: {l}"
            );
        }
    }
}
