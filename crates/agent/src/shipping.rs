//! The shipping thread of `run` and the agent's own counters: spooled
//! batches go out oldest first at a paced rate, are acknowledged into the
//! spool, and failures back off exponentially up to five minutes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use onestop_agent::metrics::Metrics;
use onestop_agent::ship::Shipper;
use onestop_agent::spool::{Pacer, Spool};

use crate::run::now_ms;

/// Shared between the collecting and the shipping thread.
pub struct Shared {
    pub spool: Mutex<Spool>,
    pub shipper: Mutex<Option<Shipper>>,
    pub pace: Mutex<f64>,
    pub stop: Arc<AtomicBool>,
    pub shipped: AtomicU64,
    pub refused: AtomicU64,
    pub errors: AtomicU64,
}

pub fn self_metrics(shared: &Shared, spool: &Spool, m: &mut Metrics) {
    let st = spool.stats();
    m.gauge(
        "onestop_agent_spool_bytes",
        "Bytes in spool segment files.",
        &[],
        st.bytes as f64,
    );
    m.gauge(
        "onestop_agent_spool_pending_batches",
        "Batches waiting to be shipped.",
        &[],
        st.pending as f64,
    );
    m.counter(
        "onestop_agent_spool_dropped_batches_total",
        "Batches dropped by spool bounds.",
        &[],
        st.dropped as f64,
    );
    let shipped = shared.shipped.load(Ordering::Relaxed) as f64;
    m.counter(
        "onestop_agent_shipped_batches_total",
        "Batches acknowledged by the server.",
        &[],
        shipped,
    );
    let refused = shared.refused.load(Ordering::Relaxed) as f64;
    m.counter(
        "onestop_agent_refused_batches_total",
        "Batches the server refused.",
        &[],
        refused,
    );
    let errors = shared.errors.load(Ordering::Relaxed) as f64;
    m.counter(
        "onestop_agent_ship_errors_total",
        "Failed shipping attempts.",
        &[],
        errors,
    );
}

pub fn ship_loop(s: &Shared) {
    let mut pacer = Pacer::new(
        *s.pace.lock().unwrap_or_else(|p| p.into_inner()),
        5,
        Instant::now(),
    );
    let mut pace = *s.pace.lock().unwrap_or_else(|p| p.into_inner());
    let mut backoff = Duration::from_secs(1);
    while !s.stop.load(Ordering::Relaxed) {
        let new_pace = *s.pace.lock().unwrap_or_else(|p| p.into_inner());
        if new_pace != pace {
            pace = new_pace;
            pacer = Pacer::new(pace, 5, Instant::now());
        }
        let shipper = s.shipper.lock().unwrap_or_else(|p| p.into_inner()).clone();
        // Not enrolled: leave the spool alone.
        let rec = match &shipper {
            Some(_) => s
                .spool
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pending(1)
                .ok()
                .and_then(|mut v| v.pop()),
            None => None,
        };
        let (Some(shipper), Some(rec)) = (shipper, rec) else {
            std::thread::sleep(Duration::from_millis(500));
            continue;
        };
        if !pacer.try_take(Instant::now()) {
            std::thread::sleep(pacer.wait().min(Duration::from_secs(1)));
            continue;
        }
        match shipper.send(&rec, now_ms()) {
            Ok(ack) => {
                backoff = Duration::from_secs(1);
                let counter = if ack.accepted { &s.shipped } else { &s.refused };
                counter.fetch_add(1, Ordering::Relaxed);
                if !ack.accepted {
                    eprintln!(
                        "onestop-agent: server refused batch {}: {}",
                        ack.seq,
                        ack.reason.unwrap_or_default()
                    );
                }
                if let Err(e) = s
                    .spool
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .ack(ack.seq)
                {
                    eprintln!("onestop-agent: spool ack: {e}");
                }
            }
            Err(e) => {
                s.errors.fetch_add(1, Ordering::Relaxed);
                eprintln!(
                    "onestop-agent: shipping batch {} failed (retry in {backoff:?}): {e}",
                    rec.seq
                );
                let until = Instant::now() + backoff;
                while Instant::now() < until && !s.stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                }
                backoff = (backoff * 2).min(Duration::from_secs(300));
            }
        }
    }
}
