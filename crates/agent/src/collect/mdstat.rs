//! Linux software RAID state from `/proc/mdstat` (node_exporter's `node_md_*`).
//! A host without md arrays has no `/proc/mdstat`: that is not an error.

use super::{CollectError, Context, read};
use crate::metrics::Metrics;

/// One array as described by `/proc/mdstat`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct MdArray {
    pub name: String,
    /// `active`, `inactive`, `recovering`, `resyncing` or `checking`.
    pub state: &'static str,
    pub required: u64,
    pub active: u64,
    pub failed: u64,
    pub spare: u64,
    pub down: u64,
    pub blocks: u64,
    pub synced: u64,
}

pub(crate) fn parse(text: &str) -> Vec<MdArray> {
    let mut arrays: Vec<MdArray> = Vec::new();
    for line in text.lines() {
        if let Some((name, rest)) = line.split_once(" : ").filter(|(n, _)| n.starts_with("md")) {
            let mut a = MdArray {
                name: name.trim().to_string(),
                ..Default::default()
            };
            let words: Vec<&str> = rest.split_whitespace().collect();
            a.state = if words.first() == Some(&"inactive") {
                "inactive"
            } else {
                "active"
            };
            for w in &words[1..] {
                if w.ends_with("(F)") {
                    a.failed += 1;
                } else if w.ends_with("(S)") {
                    a.spare += 1;
                }
            }
            arrays.push(a);
            continue;
        }
        let Some(a) = arrays.last_mut() else { continue };
        let t = line.trim();
        if t.contains(" blocks") {
            a.blocks = t
                .split_whitespace()
                .next()
                .and_then(|w| w.parse().ok())
                .unwrap_or(0);
            a.synced = a.blocks;
            if let Some(counts) = t.split('[').find_map(|p| {
                p.split_once(']')
                    .map(|(c, _)| c)
                    .filter(|c| c.contains('/'))
            }) {
                let (req, act) = counts.split_once('/').unwrap_or(("0", "0"));
                a.required = req.parse().unwrap_or(0);
                a.active = act.parse().unwrap_or(0);
            }
            if let Some(map) = t
                .rsplit('[')
                .next()
                .and_then(|p| p.strip_suffix(']'))
                .filter(|m| m.chars().all(|c| c == 'U' || c == '_'))
            {
                a.down = map.chars().filter(|&c| c == '_').count() as u64;
            }
        } else if a.state == "active" {
            for (word, state) in [
                ("recovery", "recovering"),
                ("resync", "resyncing"),
                ("check", "checking"),
                ("reshape", "recovering"),
            ] {
                if t.contains(&format!("{word} =")) {
                    a.state = state;
                    a.synced = t
                        .split_once('(')
                        .and_then(|(_, r)| r.split_once('/'))
                        .and_then(|(done, _)| done.parse().ok())
                        .unwrap_or(0);
                }
            }
        }
    }
    arrays
}

pub(super) fn collect(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let path = ctx.proc("mdstat");
    if !path.exists() {
        return Ok(());
    }
    for a in parse(&read(&path)?) {
        let dev = a.name.as_str();
        let disks_help = "Number of active/failed/spare disks of device.";
        for (state, n) in [
            ("active", a.active),
            ("failed", a.failed),
            ("spare", a.spare),
            ("down", a.down),
        ] {
            m.gauge(
                "node_md_disks",
                disks_help,
                &[("device", dev), ("state", state)],
                n as f64,
            );
        }
        m.gauge(
            "node_md_disks_required",
            "Total number of disks of device.",
            &[("device", dev)],
            a.required as f64,
        );
        for (label, state) in [
            ("active", "active"),
            ("inactive", "inactive"),
            ("recovering", "recovering"),
            ("resync", "resyncing"),
            ("check", "checking"),
        ] {
            let v = if a.state == state { 1.0 } else { 0.0 };
            m.gauge(
                "node_md_state",
                "Indicates the state of md-device.",
                &[("device", dev), ("state", label)],
                v,
            );
        }
        m.gauge(
            "node_md_blocks",
            "Total number of blocks on device.",
            &[("device", dev)],
            a.blocks as f64,
        );
        m.gauge(
            "node_md_blocks_synced",
            "Number of blocks synced on device.",
            &[("device", dev)],
            a.synced as f64,
        );
        let degraded = a.failed > 0 || a.down > 0 || (a.required > 0 && a.active < a.required);
        m.gauge(
            "onestop_md_degraded",
            "Whether the md array is missing or has failed member disks.",
            &[("device", dev)],
            if degraded { 1.0 } else { 0.0 },
        );
    }
    Ok(())
}
