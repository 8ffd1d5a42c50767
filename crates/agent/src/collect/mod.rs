//! Collectors: each reads one part of `/proc` or `/sys` (under configurable
//! roots, so tests can point them at recorded trees) and adds metric families
//! named as node_exporter names them.

mod diskstats;
mod edac;
pub(crate) mod filesystem;
mod hwmon;
pub(crate) mod mdstat;
mod meminfo;
mod netdev;
mod processes;
mod smart;
mod stat;
mod timesync;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::metrics::Metrics;

pub use smart::SmartCache;

/// Why a collector failed.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file had an unexpected shape.
    #[error("{path}: {msg}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        msg: String,
    },
}

/// Where collectors look and which helpers they may run.
#[derive(Debug, Clone)]
pub struct Context {
    /// Root of the proc tree (normally `/proc`).
    pub proc_root: PathBuf,
    /// Root of the sys tree (normally `/sys`).
    pub sys_root: PathBuf,
    /// `smartctl` to run, if any.
    pub smartctl: Option<PathBuf>,
    /// How long SMART results are reused before `smartctl` runs again.
    pub smart_interval: Duration,
    /// File whose presence means systemd-timesyncd is synchronized.
    pub timesync_flag: PathBuf,
}

impl Default for Context {
    fn default() -> Self {
        Self {
            proc_root: "/proc".into(),
            sys_root: "/sys".into(),
            smartctl: ["/usr/sbin/smartctl", "/sbin/smartctl", "/usr/bin/smartctl"]
                .iter()
                .map(PathBuf::from)
                .find(|p| p.exists()),
            smart_interval: Duration::from_secs(300),
            timesync_flag: "/run/systemd/timesync/synchronized".into(),
        }
    }
}

impl Context {
    /// Path of `rel` under the proc root.
    pub fn proc(&self, rel: &str) -> PathBuf {
        self.proc_root.join(rel)
    }

    /// Path of `rel` under the sys root.
    pub fn sys(&self, rel: &str) -> PathBuf {
        self.sys_root.join(rel)
    }
}

/// Read a whole file, mapping the error to [`CollectError::Io`].
pub(crate) fn read(path: &Path) -> Result<String, CollectError> {
    std::fs::read_to_string(path).map_err(|source| CollectError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Build a parse error.
pub(crate) fn parse_err(path: &Path, msg: impl Into<String>) -> CollectError {
    CollectError::Parse {
        path: path.to_path_buf(),
        msg: msg.into(),
    }
}

type CollectFn = fn(&Context, &mut Metrics) -> Result<(), CollectError>;

/// Collectors that always run, by name.
const COLLECTORS: &[(&str, CollectFn)] = &[
    ("cpu", stat::collect_cpu),
    ("stat", stat::collect_stat),
    ("loadavg", stat::collect_loadavg),
    ("uptime", stat::collect_uptime),
    ("processes", processes::collect),
    ("meminfo", meminfo::collect_meminfo),
    ("vmstat", meminfo::collect_vmstat),
    ("filesystem", filesystem::collect),
    ("diskstats", diskstats::collect),
    ("netdev", netdev::collect),
    ("mdadm", mdstat::collect),
    ("edac", edac::collect),
    ("hwmon", hwmon::collect),
    ("timesync", timesync::collect),
];

/// Run every collector once. A failing collector is reported through
/// `onestop_scrape_collector_success{collector}` = 0 and logged to stderr;
/// the others still run.
pub fn collect_all(ctx: &Context, smart: &mut SmartCache, now: SystemTime) -> Metrics {
    let mut m = Metrics::new();
    let now_s = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    m.gauge(
        "node_time_seconds",
        "System time in seconds since epoch (1970).",
        &[],
        now_s,
    );
    let run = |name: &str, res: Result<(), CollectError>, m: &mut Metrics| {
        if let Err(e) = &res {
            eprintln!("onestop-agent: collector {name}: {e}");
        }
        m.gauge(
            "onestop_scrape_collector_success",
            "Whether a collector succeeded.",
            &[("collector", name)],
            if res.is_ok() { 1.0 } else { 0.0 },
        );
    };
    for (name, f) in COLLECTORS {
        let res = f(ctx, &mut m);
        run(name, res, &mut m);
    }
    if ctx.smartctl.is_some() {
        let res = smart.collect(ctx, now, &mut m);
        run("smart", res, &mut m);
    }
    m.gauge(
        "onestop_agent_build_info",
        "onestop-agent version.",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1.0,
    );
    m
}
