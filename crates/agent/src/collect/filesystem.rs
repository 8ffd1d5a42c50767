//! Filesystem sizes from the mount table and `statvfs`, with node_exporter's
//! default exclusions of pseudo filesystems and system mount points.

use std::collections::HashSet;

use super::{CollectError, Context, read};
use crate::metrics::Metrics;

pub(crate) const EXCLUDED_FSTYPES: &[&str] = &[
    "autofs",
    "binfmt_misc",
    "bpf",
    "cgroup",
    "cgroup2",
    "configfs",
    "debugfs",
    "devpts",
    "devtmpfs",
    "erofs",
    "fusectl",
    "hugetlbfs",
    "iso9660",
    "mqueue",
    "nsfs",
    "overlay",
    "proc",
    "procfs",
    "pstore",
    "rpc_pipefs",
    "securityfs",
    "selinuxfs",
    "squashfs",
    "sysfs",
    "tracefs",
];

/// node_exporter's `^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)`.
pub(crate) fn mountpoint_excluded(mp: &str) -> bool {
    let under = |p: &str| mp == p || mp.strip_prefix(p).is_some_and(|r| r.starts_with('/'));
    let strictly_under = |p: &str| {
        mp.strip_prefix(p)
            .is_some_and(|r| r.starts_with('/') && r.len() > 1)
    };
    under("/dev")
        || under("/proc")
        || under("/sys")
        || strictly_under("/run/credentials")
        || strictly_under("/var/lib/docker")
        || strictly_under("/var/lib/containers/storage")
}

/// Decode the octal escapes (`\040` for a space) of `/proc/*/mounts`.
pub(crate) fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn collect(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let pid1 = ctx.proc("1/mounts");
    let text = match read(&pid1) {
        Ok(t) => t,
        Err(_) => read(&ctx.proc("self/mounts"))?,
    };
    let mut seen = HashSet::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 4 {
            continue;
        }
        let (device, mountpoint, fstype) = (unescape(f[0]), unescape(f[1]), f[2]);
        if EXCLUDED_FSTYPES.contains(&fstype) || mountpoint_excluded(&mountpoint) {
            continue;
        }
        if !seen.insert((device.clone(), mountpoint.clone(), fstype.to_string())) {
            continue;
        }
        let readonly = f[3].split(',').any(|o| o == "ro");
        let labels = [
            ("device", device.as_str()),
            ("fstype", fstype),
            ("mountpoint", mountpoint.as_str()),
        ];
        let stat = rustix::fs::statvfs(mountpoint.as_str());
        m.gauge(
            "node_filesystem_device_error",
            "Whether an error occurred while getting statistics for the given device.",
            &labels,
            if stat.is_ok() { 0.0 } else { 1.0 },
        );
        let Ok(st) = stat else { continue };
        let bsize = st.f_bsize as f64;
        m.gauge(
            "node_filesystem_size_bytes",
            "Filesystem size in bytes.",
            &labels,
            st.f_blocks as f64 * bsize,
        );
        m.gauge(
            "node_filesystem_free_bytes",
            "Filesystem free space in bytes.",
            &labels,
            st.f_bfree as f64 * bsize,
        );
        m.gauge(
            "node_filesystem_avail_bytes",
            "Filesystem space available to non-root users in bytes.",
            &labels,
            st.f_bavail as f64 * bsize,
        );
        m.gauge(
            "node_filesystem_files",
            "Filesystem total file nodes.",
            &labels,
            st.f_files as f64,
        );
        m.gauge(
            "node_filesystem_files_free",
            "Filesystem total free file nodes.",
            &labels,
            st.f_ffree as f64,
        );
        m.gauge(
            "node_filesystem_readonly",
            "Filesystem read-only status.",
            &labels,
            if readonly { 1.0 } else { 0.0 },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusions_match_node_exporter_defaults() {
        for mp in [
            "/dev",
            "/dev/shm",
            "/proc",
            "/sys/fs/cgroup",
            "/run/credentials/x.service",
            "/var/lib/docker/overlay2/a",
        ] {
            assert!(mountpoint_excluded(mp), "{mp}");
        }
        for mp in [
            "/",
            "/run",
            "/run/credentials",
            "/var/lib/docker",
            "/devices",
            "/home",
        ] {
            assert!(!mountpoint_excluded(mp), "{mp}");
        }
    }

    #[test]
    fn unescapes_octal() {
        assert_eq!(unescape("/mnt/my\\040disk"), "/mnt/my disk");
        assert_eq!(unescape("/plain"), "/plain");
        assert_eq!(unescape("bad\\0"), "bad\\0");
    }
}
