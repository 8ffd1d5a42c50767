//! Clock synchronisation status.
//!
//! node_exporter reads `node_timex_sync_status` with the `adjtimex` system
//! call, which needs `unsafe` (no safe wrapper exists in `rustix` or `nix`).
//! Instead this reports systemd-timesyncd's own flag file as
//! `onestop_time_sync_status{source="timesyncd"}`; hosts using another NTP
//! daemon get no sample.

use super::{CollectError, Context};
use crate::metrics::Metrics;

pub(super) fn collect(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let flag = &ctx.timesync_flag;
    let in_use = flag.parent().is_some_and(|dir| dir.is_dir());
    if in_use {
        m.gauge(
            "onestop_time_sync_status",
            "Whether the clock is synchronised (1) or not (0), by source.",
            &[("source", "timesyncd")],
            if flag.exists() { 1.0 } else { 0.0 },
        );
    }
    Ok(())
}
