//! `disk_headroom` and `inode_headroom`: `statvfs` of each real filesystem in the mount table
//! (the metric collector's exclusions, but the root filesystem always counts), judged
//! against the configured percentages. Used space is counted as `df` does.

use std::collections::HashSet;

use serde_json::json;

use super::{ChecksConfig, Outcome, read_opt, status_of};
use crate::collect::filesystem::{EXCLUDED_FSTYPES, mountpoint_excluded, unescape};

const VERSION: u32 = 1;

/// Blocks and inodes of one filesystem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Usage {
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub files: u64,
    pub ffree: u64,
}

impl Usage {
    /// Percent of blocks used, as `df` shows it (reserved blocks count as unavailable).
    pub fn used_percent(&self) -> Option<f64> {
        let used = self.blocks.saturating_sub(self.bfree);
        let denom = used + self.bavail;
        (denom > 0).then(|| used as f64 * 100.0 / denom as f64)
    }

    /// Percent of inodes used; `None` for filesystems without a fixed inode table.
    pub fn inode_percent(&self) -> Option<f64> {
        (self.files > 0)
            .then(|| self.files.saturating_sub(self.ffree) as f64 * 100.0 / self.files as f64)
    }
}

/// Mount points worth judging, from `/proc/*/mounts` text.
pub(crate) fn mountpoints(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 {
            continue;
        }
        let mp = unescape(f[1]);
        if mp != "/" && (EXCLUDED_FSTYPES.contains(&f[2]) || mountpoint_excluded(&mp)) {
            continue;
        }
        if seen.insert(mp.clone()) {
            out.push(mp);
        }
    }
    out
}

/// Judge the usage of each mount point: (disk outcome, inode outcome).
pub(crate) fn judge(
    fs: &[(String, Usage)],
    max_used: f64,
    max_inodes: f64,
    source: &str,
) -> (Outcome, Outcome) {
    let pct = |v: Option<f64>| v.map(|p| (p * 10.0).round() / 10.0);
    let mut out = Vec::new();
    for (kind, max) in [("blocks", max_used), ("inodes", max_inodes)] {
        let rows: Vec<(String, f64)> = fs
            .iter()
            .filter_map(|(mp, u)| {
                let p = if kind == "blocks" {
                    u.used_percent()
                } else {
                    u.inode_percent()
                };
                pct(p).map(|p| (mp.clone(), p))
            })
            .collect();
        if rows.is_empty() {
            out.push(Outcome::na("no filesystem to judge", source));
            continue;
        }
        let over: Vec<String> = rows
            .iter()
            .filter(|(_, p)| *p > max)
            .map(|(m, p)| format!("{m} {p}%"))
            .collect();
        let (worst_mp, worst) = rows
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .cloned()
            .unwrap_or_default();
        let summary = if over.is_empty() {
            format!("fullest {worst_mp} at {worst}% {kind} used (limit {max}%)")
        } else {
            format!("over {max}% {kind} used: {}", over.join(", "))
        };
        let detail: serde_json::Map<String, serde_json::Value> =
            rows.into_iter().map(|(m, p)| (m, json!(p))).collect();
        out.push(Outcome::new(
            status_of(!over.is_empty()),
            summary,
            json!({ "used_percent": detail, "limit": max }),
            source,
        ));
    }
    let inode = out.pop().expect("two outcomes");
    (out.pop().expect("two outcomes"), inode)
}

pub(super) fn run(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    let text = match read_opt(cfg, "/proc/1/mounts") {
        Ok(Some(t)) => Some(("/proc/1/mounts", t)),
        _ => read_opt(cfg, "/proc/self/mounts")
            .ok()
            .flatten()
            .map(|t| ("/proc/self/mounts", t)),
    };
    let Some((file, text)) = text else {
        let e = || Outcome::error("no mount table", "/proc/self/mounts");
        return vec![
            ("disk_headroom", VERSION, e()),
            ("inode_headroom", VERSION, e()),
        ];
    };
    let mut fs = Vec::new();
    for mp in mountpoints(&text) {
        if let Ok(st) = rustix::fs::statvfs(cfg.path(&mp)) {
            fs.push((
                mp,
                Usage {
                    blocks: st.f_blocks,
                    bfree: st.f_bfree,
                    bavail: st.f_bavail,
                    files: st.f_files,
                    ffree: st.f_ffree,
                },
            ));
        }
    }
    let source = format!("statvfs of {file}");
    let (d, i) = judge(
        &fs,
        cfg.disk_max_used_percent,
        cfg.inode_max_used_percent,
        &source,
    );
    vec![
        ("disk_headroom", VERSION, d),
        ("inode_headroom", VERSION, i),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use onestop_proto::CheckStatus;

    #[test]
    fn mount_table_and_thresholds() {
        let m = "overlay / overlay rw 0 0\nproc /proc proc rw 0 0\n/dev/sda1 /boot ext4 rw 0 0\n/dev/sdb1 /srv/my\\040data xfs rw 0 0\ntmpfs /run tmpfs rw 0 0\n";
        assert_eq!(mountpoints(m), ["/", "/boot", "/srv/my data", "/run"]);
        let u = |blocks, bfree, bavail, files, ffree| Usage {
            blocks,
            bfree,
            bavail,
            files,
            ffree,
        };
        let fs = vec![
            ("/".to_string(), u(1000, 100, 50, 100, 50)),
            ("/boot".to_string(), u(1000, 900, 850, 1000, 10)),
            ("/btrfs".to_string(), u(1000, 500, 500, 0, 0)),
        ];
        let (d, i) = judge(&fs, 90.0, 90.0, "s");
        // 900 used / (900 + 50) = 94.7 %
        assert_eq!(d.status, CheckStatus::Finding);
        assert_eq!(d.summary, "over 90% blocks used: / 94.7%");
        assert_eq!(i.status, CheckStatus::Finding);
        assert_eq!(i.detail["used_percent"]["/boot"], 99.0);
        assert!(i.detail["used_percent"].get("/btrfs").is_none());
        let (d, _) = judge(&fs, 95.0, 99.5, "s");
        assert_eq!(d.status, CheckStatus::Ok);
        assert_eq!(
            judge(&[], 90.0, 90.0, "s").0.status,
            CheckStatus::NotApplicable
        );
    }
}
