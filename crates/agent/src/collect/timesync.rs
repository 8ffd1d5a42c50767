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

#[cfg(test)]
mod tests {
    use super::*;

    fn status(ctx: &Context) -> Option<f64> {
        let mut m = Metrics::new();
        collect(ctx, &mut m).unwrap();
        m.get("onestop_time_sync_status").map(|f| f.samples[0].1)
    }

    #[test]
    fn reads_timesyncd_flag() {
        let dir = std::env::temp_dir().join(format!("onestop-timesync-{}", std::process::id()));
        let ctx = Context {
            timesync_flag: dir.join("timesync/synchronized"),
            ..Context::default()
        };
        assert_eq!(status(&ctx), None, "no timesyncd directory: no sample");
        std::fs::create_dir_all(dir.join("timesync")).unwrap();
        assert_eq!(status(&ctx), Some(0.0));
        std::fs::write(dir.join("timesync/synchronized"), b"").unwrap();
        assert_eq!(status(&ctx), Some(1.0));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
