//! `onestop-agent run`: collect every interval into the spool; a shipper
//! thread sends spooled batches in order at a limited pace and deletes them
//! on acknowledgement. SIGHUP reloads the configuration file; SIGTERM and
//! SIGINT stop both threads after their current step.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use onestop_agent::collect::{self, Context, SmartCache};
use onestop_agent::config::Config;
use onestop_agent::inventory;
use onestop_agent::logship::{LogsConfig, Tailer};
use onestop_agent::ship::{self, Credential, Shipper};
use onestop_agent::spool::Spool;
use onestop_proto::Payload;

/// Command-line settings that take precedence over the file.
pub struct Overrides {
    pub proc_root: PathBuf,
    pub sys_root: PathBuf,
    pub smartctl: Option<PathBuf>,
    pub no_smart: bool,
    pub listen: Option<String>,
    /// Where the inventory is read from.
    pub inventory: inventory::Sources,
}

/// The inventory is sent at start, whenever it changes (checked every tick from file sizes
/// and times, then compared), and at least this often.
const INVENTORY_EVERY: Duration = Duration::from_secs(6 * 3600);

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn load(path: Option<&Path>) -> anyhow::Result<Config> {
    Ok(match path {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    })
}

fn context(cfg: &Config, ov: &Overrides) -> Context {
    let pick = |cli: &PathBuf, default: &str, file: &PathBuf| {
        if cli != Path::new(default) {
            cli.clone()
        } else {
            file.clone()
        }
    };
    let mut ctx = Context {
        proc_root: pick(&ov.proc_root, "/proc", &cfg.proc_root),
        sys_root: pick(&ov.sys_root, "/sys", &cfg.sys_root),
        smart_interval: Duration::from_secs(cfg.smart_interval_secs),
        ..Context::default()
    };
    if let Some(s) = ov.smartctl.clone().or_else(|| cfg.smartctl.clone()) {
        ctx.smartctl = Some(s);
    }
    if ov.no_smart || cfg.smart_disabled {
        ctx.smartctl = None;
    }
    ctx
}

fn shipper_for(cfg: &Config, cred: Option<&Credential>) -> Option<Shipper> {
    let cred = cred?;
    let server = cfg.server.clone().unwrap_or_else(|| cred.server.clone());
    Some(Shipper::new(
        &server,
        cred,
        Duration::from_secs(cfg.http_timeout_secs),
    ))
}

pub fn run(state_dir: &Path, config: Option<&Path>, ov: Overrides) -> anyhow::Result<()> {
    let hup = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGHUP, hup.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGTERM, stop.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGINT, stop.clone())?;
    let mut cfg = load(config)?;
    let cred = Credential::load(state_dir).ok();
    if cred.is_none() {
        eprintln!(
            "onestop-agent: not enrolled ({} missing): collecting into the spool only",
            ship::CREDENTIAL_FILE
        );
    }
    let spool =
        Spool::open(&state_dir.join("spool"), cfg.spool.spool_config()).context("opening spool")?;
    let shared = Arc::new(crate::shipping::Shared {
        spool: Mutex::new(spool),
        shipper: Mutex::new(shipper_for(&cfg, cred.as_ref())),
        pace: Mutex::new(cfg.spool.replay_per_second),
        stop: stop.clone(),
        shipped: AtomicU64::new(0),
        refused: AtomicU64::new(0),
        errors: AtomicU64::new(0),
    });
    let mut ctx = context(&cfg, &ov);
    if let Some(addr) = ov.listen.clone().or_else(|| cfg.listen.clone()) {
        let c = ctx.clone();
        let server = crate::serve::bind(&addr)?;
        std::thread::spawn(move || crate::serve::serve(server, c));
    }
    let ship_thread = {
        let s = shared.clone();
        std::thread::spawn(move || crate::shipping::ship_loop(&s))
    };
    let mut tailer = {
        let spool = shared
            .spool
            .lock()
            .map_err(|_| anyhow::anyhow!("spool lock poisoned"))?;
        open_tailer(state_dir, &cfg.logs, &spool)?
    };
    let mut smart = SmartCache::default();
    let mut last_inventory: Option<SentInventory> = None;
    let mut checks = onestop_agent::checks::Runner::default();
    let mut next = next_tick(now_ms(), cfg.interval_secs);
    while !stop.load(Ordering::Relaxed) {
        if hup.swap(false, Ordering::Relaxed) {
            match load(config) {
                Ok(new) => {
                    ctx = context(&new, &ov);
                    shared
                        .spool
                        .lock()
                        .map_err(|_| anyhow::anyhow!("spool lock poisoned"))?
                        .set_config(new.spool.spool_config());
                    *shared
                        .shipper
                        .lock()
                        .map_err(|_| anyhow::anyhow!("lock poisoned"))? =
                        shipper_for(&new, cred.as_ref());
                    *shared
                        .pace
                        .lock()
                        .map_err(|_| anyhow::anyhow!("lock poisoned"))? =
                        new.spool.replay_per_second;
                    next = next_tick(now_ms(), new.interval_secs);
                    if new.logs != cfg.logs {
                        // Lines read but not spooled are read again from the saved positions.
                        drop(tailer.take());
                        let spool = shared
                            .spool
                            .lock()
                            .map_err(|_| anyhow::anyhow!("spool lock poisoned"))?;
                        tailer = open_tailer(state_dir, &new.logs, &spool)?;
                    }
                    cfg = new;
                    eprintln!("onestop-agent: configuration reloaded");
                }
                Err(e) => {
                    eprintln!("onestop-agent: reload failed, keeping the old configuration: {e:#}")
                }
            }
        }
        let now = now_ms();
        if let Some(t) = &mut tailer {
            t.poll(now);
            if t.full() {
                let mut spool = shared
                    .spool
                    .lock()
                    .map_err(|_| anyhow::anyhow!("spool lock poisoned"))?;
                spool_logs(&mut tailer, state_dir, &mut spool, now, Payload::default())?;
                // Keep reading a backlog, but not past a due collection.
                if now < next {
                    continue;
                }
            }
        }
        if now < next {
            std::thread::sleep(Duration::from_millis((next - now).min(1000) as u64));
            continue;
        }
        let ts = next;
        next = next_tick(now, cfg.interval_secs);
        let mut m = collect::collect_all(&ctx, &mut smart, SystemTime::now());
        let inventory = inventory_due(&ov.inventory, &mut last_inventory);
        let check_results = checks.poll(&cfg.checks);
        let mut spool = shared
            .spool
            .lock()
            .map_err(|_| anyhow::anyhow!("spool lock poisoned"))?;
        crate::shipping::self_metrics(&shared, &spool, &mut m);
        if let Some(t) = &tailer {
            t.self_metrics(&mut m);
        }
        let payload = Payload {
            series: m.to_series(ts),
            inventory,
            logs: Vec::new(),
            checks: check_results,
        };
        if tailer.is_some() {
            spool_logs(&mut tailer, state_dir, &mut spool, ts, payload)?;
        } else if let Err(e) = ship::pack_payload(&payload)
            .map_err(anyhow::Error::from)
            .and_then(|p| Ok(spool.append(ts, &p)?))
        {
            eprintln!("onestop-agent: spool: {e:#}");
        }
        if let Err(e) = spool.enforce_age(now) {
            eprintln!("onestop-agent: spool: {e}");
        }
    }
    let _ = ship_thread.join();
    Ok(())
}

fn next_tick(now_ms: i64, interval_secs: u64) -> i64 {
    let step = (interval_secs.max(1) * 1000) as i64;
    (now_ms.div_euclid(step) + 1) * step
}

fn open_tailer(
    state_dir: &Path,
    cfg: &LogsConfig,
    spool: &Spool,
) -> anyhow::Result<Option<Tailer>> {
    if !cfg.enabled {
        return Ok(None);
    }
    Ok(Some(
        Tailer::open(state_dir, cfg.clone(), spool).context("opening log sources")?,
    ))
}

/// Spool `payload` with the lines read so far. When that fails, the lines
/// are read again from the saved positions (the tailer is reopened).
fn spool_logs(
    tailer: &mut Option<Tailer>,
    state_dir: &Path,
    spool: &mut Spool,
    ts: i64,
    payload: Payload,
) -> anyhow::Result<()> {
    let Some(t) = tailer else { return Ok(()) };
    if let Err(e) = t.spool_with(spool, ts, payload) {
        eprintln!("onestop-agent: spooling logs: {e}");
        let cfg = t.config().clone();
        drop(tailer.take());
        *tailer = open_tailer(state_dir, &cfg, spool)?;
    }
    Ok(())
}

/// What was last sent, and when.
struct SentInventory {
    at: Instant,
    fingerprint: Vec<Option<(u64, SystemTime)>>,
    inventory: onestop_proto::Inventory,
}

/// The inventory to send with this tick: the first one, a changed one, or a daily refresh.
fn inventory_due(
    src: &inventory::Sources,
    last: &mut Option<SentInventory>,
) -> Option<onestop_proto::Inventory> {
    let fingerprint = src.fingerprint();
    if let Some(l) = last.as_mut()
        && l.at.elapsed() < INVENTORY_EVERY
    {
        if l.fingerprint == fingerprint {
            return None;
        }
        l.fingerprint = fingerprint.clone();
        let now = src.collect();
        if now == l.inventory {
            return None;
        }
        l.inventory = now;
        l.at = Instant::now();
        return Some(l.inventory.clone());
    }
    let inv = src.collect();
    *last = Some(SentInventory {
        at: Instant::now(),
        fingerprint,
        inventory: inv.clone(),
    });
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_is_sent_first_then_only_on_change() {
        let dir = tempfile::tempdir().unwrap();
        let status = dir.path().join("status");
        let pkg = |v: &str| {
            format!(
                "Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: {v}\n"
            )
        };
        std::fs::write(&status, pkg("5.2-1")).unwrap();
        let src = inventory::Sources {
            root: dir.path().to_path_buf(),
            dpkg_status: Some(status.clone()),
            ..Default::default()
        };
        let mut last = None;
        let first = inventory_due(&src, &mut last).expect("sent at start");
        assert_eq!(first.packages[0].version, "5.2-1");
        assert!(inventory_due(&src, &mut last).is_none());
        // Rewritten with the same content: the file changed, the inventory did not.
        std::fs::write(&status, pkg("5.2-1")).unwrap();
        assert!(inventory_due(&src, &mut last).is_none());
        std::fs::write(&status, pkg("5.2-12")).unwrap();
        let changed = inventory_due(&src, &mut last).expect("sent on change");
        assert_eq!(changed.packages[0].version, "5.2-12");
        assert!(inventory_due(&src, &mut last).is_none());
    }
}
