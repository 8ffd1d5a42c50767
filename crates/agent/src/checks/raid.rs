//! `raid_state` (Linux software RAID from `/proc/mdstat`, parsed by the metric collector's
//! parser) and `smart_state` (`smartctl --scan`, then `smartctl -H` per device; n/a without
//! smartctl or disks).

use serde_json::json;

use super::{ChecksConfig, Outcome, cmd::CmdError, cmd::run_command, read_opt, status_of};
use crate::collect::mdstat::{self, MdArray};

const VERSION: u32 = 1;

/// Judge the arrays: a failed or missing member, an inactive or recovering array is a finding.
pub(crate) fn judge_md(arrays: &[MdArray]) -> Outcome {
    if arrays.is_empty() {
        return Outcome::na("no md arrays", "/proc/mdstat");
    }
    let bad: Vec<String> = arrays
        .iter()
        .filter(|a| a.failed > 0 || a.down > 0 || matches!(a.state, "inactive" | "recovering"))
        .map(|a| {
            format!(
                "{} {} ({}/{} active, {} failed)",
                a.name, a.state, a.active, a.required, a.failed
            )
        })
        .collect();
    let detail: Vec<serde_json::Value> = arrays
        .iter()
        .map(|a| json!({ "name": a.name, "state": a.state, "required": a.required, "active": a.active, "failed": a.failed, "down": a.down }))
        .collect();
    let summary = if bad.is_empty() {
        format!("{} arrays healthy", arrays.len())
    } else {
        format!("degraded: {}", bad.join("; "))
    };
    Outcome::new(
        status_of(!bad.is_empty()),
        summary,
        json!({ "arrays": detail }),
        "/proc/mdstat",
    )
}

pub(super) fn run_raid(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    let o = match read_opt(cfg, "/proc/mdstat") {
        Ok(Some(t)) => judge_md(&mdstat::parse(&t)),
        Ok(None) => Outcome::na("no /proc/mdstat (md driver not loaded)", "/proc/mdstat"),
        Err(e) => Outcome::error(format!("/proc/mdstat: {e}"), "/proc/mdstat"),
    };
    vec![("raid_state", VERSION, o)]
}

/// Device arguments from `smartctl --scan` (`/dev/sda -d sat # comment`).
pub(crate) fn parse_scan(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter_map(|l| {
            let l = l.split('#').next()?.trim();
            (!l.is_empty()).then(|| l.split_whitespace().map(str::to_string).collect())
        })
        .collect()
}

/// `Some(passed)` from `smartctl -H` text (ATA `…test result: PASSED`, SCSI `…Status: OK`).
pub(crate) fn parse_health(text: &str) -> Option<bool> {
    text.lines().find_map(|l| {
        if let Some((_, v)) = l.split_once("self-assessment test result:") {
            Some(v.trim() == "PASSED")
        } else {
            l.strip_prefix("SMART Health Status:")
                .map(|v| v.trim() == "OK")
        }
    })
}

pub(super) fn run_smart(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    const ID: &str = "smart_state";
    if !cfg.commands {
        return vec![(ID, VERSION, Outcome::na("commands disabled", "smartctl"))];
    }
    let t = cfg.timeout();
    let smartctl = ["smartctl", "/usr/sbin/smartctl", "/sbin/smartctl"]
        .into_iter()
        .find_map(|p| match run_command(p, &["--scan"], t) {
            Err(CmdError::Missing(_)) => None,
            r => Some((p, r)),
        });
    let o = match smartctl {
        None => Outcome::na("smartctl not installed", "smartctl"),
        Some((_, Err(e))) => Outcome::error(e.to_string(), "smartctl --scan"),
        Some((p, Ok(scan))) => {
            let devices = parse_scan(&scan.stdout);
            if devices.is_empty() {
                Outcome::na("no SMART devices", "smartctl --scan")
            } else {
                let mut rows = Vec::new();
                for d in &devices {
                    let mut args: Vec<&str> = vec!["-H"];
                    args.extend(d.iter().map(String::as_str));
                    let h = run_command(p, &args, t)
                        .ok()
                        .and_then(|o| parse_health(&o.stdout));
                    rows.push((d[0].clone(), h));
                }
                let failed: Vec<&str> = rows
                    .iter()
                    .filter(|(_, h)| *h == Some(false))
                    .map(|(d, _)| d.as_str())
                    .collect();
                let unknown = rows.iter().filter(|(_, h)| h.is_none()).count();
                let detail: serde_json::Map<String, serde_json::Value> =
                    rows.iter().map(|(d, h)| (d.clone(), json!(h))).collect();
                let summary = if failed.is_empty() {
                    format!("{} devices passed, {unknown} unknown", rows.len() - unknown)
                } else {
                    format!("health FAILED: {}", failed.join(", "))
                };
                Outcome::new(
                    status_of(!failed.is_empty()),
                    summary,
                    json!({ "passed": detail }),
                    "smartctl -H",
                )
            }
        }
    };
    vec![(ID, VERSION, o)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use onestop_proto::CheckStatus;

    #[test]
    fn md_arrays() {
        let healthy = "Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n      1046528 blocks super 1.2 [2/2] [UU]\n\nunused devices: <none>\n";
        let o = judge_md(&mdstat::parse(healthy));
        assert_eq!(
            (o.status, o.summary.as_str()),
            (CheckStatus::Ok, "1 arrays healthy")
        );
        let degraded =
            "md0 : active raid1 sdb1[1](F) sda1[0]\n      1046528 blocks super 1.2 [2/1] [U_]\n";
        let o = judge_md(&mdstat::parse(degraded));
        assert_eq!(o.status, CheckStatus::Finding);
        assert!(o.summary.starts_with("degraded: md0"), "{}", o.summary);
        assert_eq!(judge_md(&[]).status, CheckStatus::NotApplicable);
    }

    #[test]
    fn smartctl_text() {
        let scan = "/dev/sda -d scsi # /dev/sda, SCSI device\n/dev/nvme0 -d nvme # /dev/nvme0, NVMe device\n";
        assert_eq!(
            parse_scan(scan),
            vec![
                vec!["/dev/sda", "-d", "scsi"],
                vec!["/dev/nvme0", "-d", "nvme"]
            ]
        );
        assert_eq!(
            parse_health(
                "=== START OF READ SMART DATA SECTION ===\nSMART overall-health self-assessment test result: PASSED\n"
            ),
            Some(true)
        );
        assert_eq!(
            parse_health("SMART overall-health self-assessment test result: FAILED!\n"),
            Some(false)
        );
        assert_eq!(parse_health("SMART Health Status: OK\n"), Some(true));
        assert_eq!(
            parse_health("Smartctl open device: /dev/sda failed: Permission denied\n"),
            None
        );
    }
}
