//! Small system checks: `ntp_sync` (`timedatectl show`, else `chronyc tracking`, else
//! systemd-timesyncd's flag file; the `adjtimex` call needs `unsafe` and is not used),
//! `last_reboot` (`/proc/stat` btime, `/proc/uptime`, Debian's `reboot-required` flag) and
//! `uid0_accounts` (`/etc/passwd`).

use serde_json::json;

use super::{ChecksConfig, Outcome, cmd::run_command, read_opt, status_of};
use onestop_proto::CheckStatus;

const VERSION: u32 = 1;

/// `Some(synced)` from `timedatectl show` output (`NTPSynchronized=yes`).
pub(crate) fn parse_timedatectl(text: &str) -> Option<bool> {
    text.lines()
        .find_map(|l| l.strip_prefix("NTPSynchronized="))
        .map(|v| v.trim() == "yes")
}

/// `Some(synced)` from `chronyc tracking` output (`Leap status : Normal`).
pub(crate) fn parse_chronyc(text: &str) -> Option<bool> {
    text.lines()
        .find(|l| l.starts_with("Leap status"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim() != "Not synchronised")
}

fn ntp_outcome(synced: bool, source: &str) -> Outcome {
    Outcome::new(
        status_of(!synced),
        if synced {
            "clock synchronized"
        } else {
            "clock NOT synchronized"
        },
        json!({ "synchronized": synced }),
        source,
    )
}

pub(super) fn run_ntp(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    const ID: &str = "ntp_sync";
    if cfg.commands {
        if let Ok(o) = run_command("timedatectl", &["show"], cfg.timeout())
            && o.success
            && let Some(s) = parse_timedatectl(&o.stdout)
        {
            return vec![(ID, VERSION, ntp_outcome(s, "timedatectl show"))];
        }
        if let Ok(o) = run_command("chronyc", &["tracking"], cfg.timeout())
            && o.success
            && let Some(s) = parse_chronyc(&o.stdout)
        {
            return vec![(ID, VERSION, ntp_outcome(s, "chronyc tracking"))];
        }
    }
    let flag = "/run/systemd/timesync/synchronized";
    let o = if cfg.path("/run/systemd/timesync").is_dir() {
        ntp_outcome(cfg.path(flag).exists(), flag)
    } else {
        Outcome::error(
            "no time synchronisation service could be queried",
            "timedatectl, chronyc, /run/systemd/timesync",
        )
    };
    vec![(ID, VERSION, o)]
}

/// Boot time (Unix seconds) from `/proc/stat`.
pub(crate) fn parse_btime(stat: &str) -> Option<i64> {
    stat.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

pub(super) fn run_reboot(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    const ID: &str = "last_reboot";
    let btime = match read_opt(cfg, "/proc/stat") {
        Ok(Some(t)) => parse_btime(&t),
        _ => None,
    };
    let uptime = read_opt(cfg, "/proc/uptime")
        .ok()
        .flatten()
        .and_then(|t| t.split_whitespace().next()?.parse::<f64>().ok());
    let pending =
        cfg.path("/run/reboot-required").exists() || cfg.path("/var/run/reboot-required").exists();
    let o = match btime {
        None => Outcome::error("no btime in /proc/stat", "/proc/stat"),
        Some(b) => {
            let days = uptime.map(|u| (u / 86400.0).floor() as i64);
            let mut summary = match days {
                Some(d) => format!("up {d} days"),
                None => "uptime unknown".into(),
            };
            if pending {
                summary.push_str(", reboot required");
            }
            Outcome::new(
                status_of(pending),
                summary,
                json!({ "boot_time_s": b, "uptime_s": uptime, "reboot_required": pending }),
                "/proc/stat /proc/uptime /run/reboot-required",
            )
        }
    };
    vec![(ID, VERSION, o)]
}

/// Account names with UID 0 in `/etc/passwd`.
pub(crate) fn parse_uid0(passwd: &str) -> Vec<String> {
    passwd
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() >= 3 && f[2].trim() == "0").then(|| f[0].to_string())
        })
        .collect()
}

pub(super) fn run_uid0(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    const ID: &str = "uid0_accounts";
    let src = "/etc/passwd";
    let o = match read_opt(cfg, src) {
        Ok(Some(t)) => {
            let all = parse_uid0(&t);
            let others: Vec<&String> = all.iter().filter(|n| *n != "root").collect();
            let summary = if others.is_empty() {
                "only root has UID 0".to_string()
            } else {
                format!(
                    "UID 0 besides root: {}",
                    others
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            Outcome::new(
                status_of(!others.is_empty()),
                summary,
                json!({ "uid0": all }),
                src,
            )
        }
        Ok(None) => Outcome::new(CheckStatus::Error, "no /etc/passwd", json!(null), src),
        Err(e) => Outcome::error(format!("{src}: {e}"), src),
    };
    vec![(ID, VERSION, o)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_sync_sources() {
        assert_eq!(
            parse_timedatectl("Timezone=UTC\nNTP=yes\nNTPSynchronized=no\n"),
            Some(false)
        );
        assert_eq!(parse_timedatectl("NTPSynchronized=yes\n"), Some(true));
        assert_eq!(parse_timedatectl("Timezone=UTC\n"), None);
        let chrony = "Reference ID    : A9FEA97B (169.254.169.123)\nStratum         : 4\nLeap status     : Normal\n";
        assert_eq!(parse_chronyc(chrony), Some(true));
        assert_eq!(
            parse_chronyc("Leap status     : Not synchronised\n"),
            Some(false)
        );
    }

    #[test]
    fn boot_time_and_uid0() {
        assert_eq!(
            parse_btime("cpu  1 2 3\nbtime 1700000000\nprocesses 5\n"),
            Some(1_700_000_000)
        );
        let p = "root:x:0:0:root:/root:/bin/bash\n# toor:x:0:0\ntoor:x:0:0::/root:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/sh\n";
        assert_eq!(parse_uid0(p), ["root", "toor"]);
    }

    #[test]
    fn reboot_required_flag_is_a_finding() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("proc")).unwrap();
        std::fs::create_dir_all(d.path().join("run")).unwrap();
        std::fs::write(d.path().join("proc/stat"), "btime 1700000000\n").unwrap();
        std::fs::write(d.path().join("proc/uptime"), "190000.5 10.0\n").unwrap();
        let cfg = ChecksConfig {
            root: d.path().into(),
            ..Default::default()
        };
        let o = &run_reboot(&cfg)[0].2;
        assert_eq!(
            (o.status, o.summary.as_str()),
            (CheckStatus::Ok, "up 2 days")
        );
        std::fs::write(d.path().join("run/reboot-required"), "").unwrap();
        let o = &run_reboot(&cfg)[0].2;
        assert_eq!(o.status, CheckStatus::Finding);
    }
}
