//! Process counts by state, from `/proc/[pid]/stat` (node_exporter has no
//! default equivalent, hence the `onestop_` prefix).

use std::collections::BTreeMap;

use super::{CollectError, Context};
use crate::metrics::Metrics;

fn state_name(c: char) -> &'static str {
    match c {
        'R' => "running",
        'S' => "sleeping",
        'D' => "disk_sleep",
        'Z' => "zombie",
        'T' | 't' => "stopped",
        'I' => "idle",
        _ => "other",
    }
}

pub(super) fn collect(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let root = &ctx.proc_root;
    let dir = std::fs::read_dir(root).map_err(|source| CollectError::Io {
        path: root.clone(),
        source,
    })?;
    let mut counts: BTreeMap<&str, u64> = [
        "running",
        "sleeping",
        "disk_sleep",
        "zombie",
        "stopped",
        "idle",
        "other",
    ]
    .into_iter()
    .map(|s| (s, 0))
    .collect();
    let mut threads = 0u64;
    for entry in dir.flatten() {
        let name = entry.file_name();
        if !name
            .to_str()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        // Processes can exit between listing and reading: skip them quietly.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let Some(state) = fields.first().and_then(|s| s.chars().next()) else {
            continue;
        };
        *counts.entry(state_name(state)).or_default() += 1;
        // Field 20 (num_threads) is the 18th after the command.
        threads += fields
            .get(17)
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
    }
    for (state, n) in counts {
        m.gauge(
            "onestop_processes",
            "Number of processes by state.",
            &[("state", state)],
            n as f64,
        );
    }
    m.gauge(
        "onestop_threads",
        "Number of threads of all processes.",
        &[],
        threads as f64,
    );
    Ok(())
}
