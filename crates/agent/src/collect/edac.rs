//! Memory controller error counters from `/sys/devices/system/edac/mc`.
//! Hosts without EDAC have no such directory: that is not an error.

use super::{CollectError, Context};
use crate::metrics::Metrics;

fn count(path: &std::path::Path) -> Option<f64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn numbered(dir: &std::path::Path, prefix: &str) -> Vec<(String, std::path::PathBuf)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, std::path::PathBuf)> = rd
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let num = name.strip_prefix(prefix)?;
            (!num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()))
                .then(|| (num.to_string(), e.path()))
        })
        .collect();
    out.sort_by_key(|(n, _)| n.parse::<u64>().unwrap_or(u64::MAX));
    out
}

pub(super) fn collect(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let root = ctx.sys("devices/system/edac/mc");
    for (mc, dir) in numbered(&root, "mc") {
        let c = mc.as_str();
        if let Some(v) = count(&dir.join("ce_count")) {
            m.counter(
                "node_edac_correctable_errors_total",
                "Total correctable memory errors.",
                &[("controller", c)],
                v,
            );
        }
        if let Some(v) = count(&dir.join("ue_count")) {
            m.counter(
                "node_edac_uncorrectable_errors_total",
                "Total uncorrectable memory errors.",
                &[("controller", c)],
                v,
            );
        }
        let ce_help = "Total correctable memory errors for this csrow.";
        let ue_help = "Total uncorrectable memory errors for this csrow.";
        if let Some(v) = count(&dir.join("ce_noinfo_count")) {
            m.counter(
                "node_edac_csrow_correctable_errors_total",
                ce_help,
                &[("controller", c), ("csrow", "unknown")],
                v,
            );
        }
        if let Some(v) = count(&dir.join("ue_noinfo_count")) {
            m.counter(
                "node_edac_csrow_uncorrectable_errors_total",
                ue_help,
                &[("controller", c), ("csrow", "unknown")],
                v,
            );
        }
        for (row, rdir) in numbered(&dir, "csrow") {
            let labels = [("controller", c), ("csrow", row.as_str())];
            if let Some(v) = count(&rdir.join("ce_count")) {
                m.counter(
                    "node_edac_csrow_correctable_errors_total",
                    ce_help,
                    &labels,
                    v,
                );
            }
            if let Some(v) = count(&rdir.join("ue_count")) {
                m.counter(
                    "node_edac_csrow_uncorrectable_errors_total",
                    ue_help,
                    &labels,
                    v,
                );
            }
        }
    }
    Ok(())
}
