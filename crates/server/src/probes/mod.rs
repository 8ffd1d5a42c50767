//! The server's own probes: Prometheus scrapes (`scrape`, parsing with `expo`) and network
//! checks (`run`: ICMP, TCP, HTTP(S) through `fetch`, DNS), each on its own interval. One
//! server runs them at a time (the `probes` lease in `monitor_leases`); every due item runs
//! in a task of its own under a bound on concurrency, so a slow target never delays the
//! others (an item still running when it comes due again is skipped, not doubled). Results
//! enter storage through `Store::ingest_polled` as series of the item's host; a check that
//! turns from ok (or never run) to failing raises one event (source `check`, kind = its id).
pub mod dns;
pub mod expo;
#[cfg(test)]
mod expo_tests;
pub mod fetch;
pub mod icmp;
pub mod run;
pub mod scrape;
mod task;

pub use task::{check_once, scrape_once};

use crate::{Crypto, Settings};
use onestop_store::{Check, ScrapeJob, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc};

/// How often the list of checks and targets is read again.
const RELOAD: Duration = Duration::from_secs(2);
/// How long the lease lasts without renewal.
const LEASE_MS: i64 = 30_000;

enum Item {
    Check(Check),
    Scrape(ScrapeJob),
}

impl Item {
    fn every(&self) -> Duration {
        let s = match self {
            Item::Check(c) => c.interval_secs,
            Item::Scrape(j) => j.target.interval_secs,
        };
        Duration::from_secs(s.max(1) as u64)
    }
}

/// Start the scheduler unless `probe_concurrency` is 0.
pub fn spawn(store: Store, crypto: Arc<Crypto>, settings: &Settings) {
    let limit = settings.probe_concurrency;
    if limit <= 0 {
        tracing::info!("server probes are off (probe_concurrency = 0)");
        return;
    }
    tokio::spawn(schedule(store, crypto, limit as usize));
}

async fn load(store: &Store) -> onestop_store::Result<HashMap<String, Item>> {
    let mut items = HashMap::new();
    for c in store.check_jobs().await? {
        items.insert(format!("c:{}:{}", c.id, c.updated_at), Item::Check(c));
    }
    for j in store.scrape_jobs().await? {
        let key = format!("s:{}:{}", j.target.id, j.target.updated_at);
        items.insert(key, Item::Scrape(j));
    }
    Ok(items)
}

async fn schedule(store: Store, crypto: Arc<Crypto>, limit: usize) {
    let holder = onestop_store::new_id();
    let permits = Arc::new(Semaphore::new(limit));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<String>();
    let mut items: HashMap<String, Item> = HashMap::new();
    // Per item key: when it is next due, and whether it is running.
    let mut due: HashMap<String, Instant> = HashMap::new();
    let mut running: std::collections::HashSet<String> = Default::default();
    let (mut loaded_at, mut leased_at) = (None::<Instant>, None::<Instant>);
    let mut leased = false;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tick.tick().await;
        while let Ok(k) = done_rx.try_recv() {
            running.remove(&k);
        }
        let now = Instant::now();
        if leased_at.is_none_or(|t| now - t > Duration::from_secs(5)) {
            leased = match store.acquire_lease("probes", &holder, LEASE_MS).await {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!(error = %e, "probe lease");
                    false
                }
            };
            leased_at = Some(now);
        }
        if !leased {
            continue;
        }
        if loaded_at.is_none_or(|t| now - t > RELOAD) {
            match load(&store).await {
                Ok(new) => {
                    due.retain(|k, _| new.contains_key(k));
                    items = new;
                }
                Err(e) => tracing::warn!(error = %e, "loading probes"),
            }
            loaded_at = Some(now);
        }
        for (key, item) in &items {
            let at = due.entry(key.clone()).or_insert(now);
            if *at > now || running.contains(key) {
                continue;
            }
            *at = now + item.every();
            running.insert(key.clone());
            let (store, crypto, permits, done) = (
                store.clone(),
                crypto.clone(),
                permits.clone(),
                done_tx.clone(),
            );
            let (key, item) = (key.clone(), clone_item(item));
            tokio::spawn(async move {
                if let Ok(_permit) = permits.acquire_owned().await {
                    match &item {
                        Item::Check(c) => {
                            check_once(&store, c).await;
                        }
                        Item::Scrape(j) => scrape_once(&store, &crypto, j).await,
                    }
                }
                let _ = done.send(key);
            });
        }
    }
}

fn clone_item(i: &Item) -> Item {
    match i {
        Item::Check(c) => Item::Check(c.clone()),
        Item::Scrape(j) => Item::Scrape(j.clone()),
    }
}
