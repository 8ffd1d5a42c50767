//! Block device I/O from `/proc/diskstats`, skipping node_exporter's default
//! excluded devices (RAM disks, loop and floppy devices, partitions).

use super::{CollectError, Context, read};
use crate::metrics::{Kind, Metrics};

/// node_exporter's default `^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$`.
pub(crate) fn device_excluded(name: &str) -> bool {
    let digits_at = name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits_at == name.len() {
        return false;
    }
    let prefix = &name[..digits_at];
    if matches!(prefix, "ram" | "zram" | "loop" | "fd") {
        return true;
    }
    for dev in ["hd", "sd", "vd", "xvd"] {
        if let Some(rest) = prefix.strip_prefix(dev)
            && rest.len() == 1
            && rest.as_bytes()[0].is_ascii_lowercase()
        {
            return true;
        }
    }
    // nvme<digits>n<digits>p
    let Some(rest) = prefix
        .strip_prefix("nvme")
        .and_then(|r| r.strip_suffix('p'))
    else {
        return false;
    };
    let Some((ctrl, ns)) = rest.split_once('n') else {
        return false;
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(ctrl) && all_digits(ns)
}

/// (field index after the name, metric, help, scale, kind)
const FIELDS: &[(usize, &str, &str, f64, Kind)] = &[
    (
        0,
        "reads_completed_total",
        "The total number of reads completed successfully.",
        1.0,
        Kind::Counter,
    ),
    (
        1,
        "reads_merged_total",
        "The total number of reads merged.",
        1.0,
        Kind::Counter,
    ),
    (
        2,
        "read_bytes_total",
        "The total number of bytes read successfully.",
        512.0,
        Kind::Counter,
    ),
    (
        3,
        "read_time_seconds_total",
        "The total number of seconds spent by all reads.",
        0.001,
        Kind::Counter,
    ),
    (
        4,
        "writes_completed_total",
        "The total number of writes completed successfully.",
        1.0,
        Kind::Counter,
    ),
    (
        5,
        "writes_merged_total",
        "The number of writes merged.",
        1.0,
        Kind::Counter,
    ),
    (
        6,
        "written_bytes_total",
        "The total number of bytes written successfully.",
        512.0,
        Kind::Counter,
    ),
    (
        7,
        "write_time_seconds_total",
        "This is the total number of seconds spent by all writes.",
        0.001,
        Kind::Counter,
    ),
    (
        8,
        "io_now",
        "The number of I/Os currently in progress.",
        1.0,
        Kind::Gauge,
    ),
    (
        9,
        "io_time_seconds_total",
        "Total seconds spent doing I/Os.",
        0.001,
        Kind::Counter,
    ),
    (
        10,
        "io_time_weighted_seconds_total",
        "The weighted # of seconds spent doing I/Os.",
        0.001,
        Kind::Counter,
    ),
    (
        11,
        "discards_completed_total",
        "The total number of discards completed successfully.",
        1.0,
        Kind::Counter,
    ),
    (
        12,
        "discards_merged_total",
        "The total number of discards merged.",
        1.0,
        Kind::Counter,
    ),
    (
        13,
        "discarded_sectors_total",
        "The total number of sectors discarded successfully.",
        1.0,
        Kind::Counter,
    ),
    (
        14,
        "discard_time_seconds_total",
        "This is the total number of seconds spent by all discards.",
        0.001,
        Kind::Counter,
    ),
    (
        15,
        "flush_requests_total",
        "The total number of flush requests completed successfully",
        1.0,
        Kind::Counter,
    ),
    (
        16,
        "flush_requests_time_seconds_total",
        "This is the total number of seconds spent by all flush requests.",
        0.001,
        Kind::Counter,
    ),
];

pub(super) fn collect(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let text = read(&ctx.proc("diskstats"))?;
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 14 {
            continue;
        }
        let dev = f[2];
        if device_excluded(dev) {
            continue;
        }
        let vals: Vec<f64> = f[3..]
            .iter()
            .map(|v| v.parse::<f64>().unwrap_or(0.0))
            .collect();
        for &(idx, suffix, help, scale, kind) in FIELDS {
            let Some(v) = vals.get(idx) else { break };
            m.add(
                &format!("node_disk_{suffix}"),
                help,
                kind,
                &[("device", dev)],
                v * scale,
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::device_excluded;

    #[test]
    fn excludes_like_node_exporter() {
        for d in [
            "ram0",
            "zram0",
            "loop12",
            "fd0",
            "sda1",
            "vdb2",
            "xvda1",
            "hda3",
            "nvme0n1p1",
        ] {
            assert!(device_excluded(d), "{d}");
        }
        for d in [
            "sda", "vda", "nvme0n1", "md0", "dm-0", "sr0", "mmcblk0", "sdaa1",
        ] {
            assert!(!device_excluded(d), "{d}");
        }
    }
}
