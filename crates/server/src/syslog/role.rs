//! This process's part in mining: every writer stores what it receives, but only the holder
//! of the database's `log-miner` lease mines (see `onestop_store::logs` mining). The role
//! tries to take the lease now and then, renews it while idle, mines rows other processes
//! stored unmined, looks for spikes, and gives the lease up on a clean shutdown.
//!
//! Each tenure as miner has its own holder token: when a tenure ends (the lease was lost, or
//! a mined batch could not be stored) the in-memory miners are forgotten and the token is
//! replaced, so a batch mined during the old tenure can never be kept under a later one.
use super::findings::{self, Seen};
use super::miners::Miners;
use onestop_store::Store;
use onestop_store::logs::{MINER_TTL_MS, MinedRows, MinerLease};
use std::time::{Duration, Instant};

/// How often a process that is not the miner tries to take the lease.
const CLAIM_EVERY: Duration = Duration::from_secs(2);
/// How often the miner renews its lease when it writes nothing (every write renews it).
const RENEW_EVERY: Duration = Duration::from_millis(MINER_TTL_MS as u64 / 3);
/// How often the miner looks for rows stored unmined.
const CATCH_UP_EVERY: Duration = Duration::from_secs(1);
/// How often the miner looks for spikes.
const SPIKES_EVERY: Duration = Duration::from_secs(60);
/// Unmined rows mined per transaction.
const CATCH_UP_BATCH: i64 = 2000;

pub struct Role {
    /// This tenure's token in the lease row.
    pub holder: String,
    pub is_miner: bool,
    last_claim: Option<Instant>,
    last_catch_up: Option<Instant>,
    last_spikes: Option<Instant>,
}

impl Role {
    pub fn new() -> Self {
        Role {
            holder: onestop_store::new_id(),
            is_miner: false,
            last_claim: None,
            last_catch_up: None,
            last_spikes: None,
        }
    }

    /// Try to become the miner (at most every 2 s), or renew the lease as the miner (every
    /// 10 s); a fresh tenure starts from the stored states.
    pub async fn claim(&mut self, store: &Store, miners: &mut Miners) {
        let every = if self.is_miner {
            RENEW_EVERY
        } else {
            CLAIM_EVERY
        };
        if self.last_claim.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        self.last_claim = Some(Instant::now());
        match store.claim_miner_lease(&self.holder).await {
            Ok(MinerLease::Held { continuous }) if !self.is_miner || !continuous => {
                tracing::info!(
                    holder = self.holder,
                    "syslog: this process mines log templates"
                );
                *miners = Miners::default();
                self.is_miner = true;
            }
            Ok(MinerLease::Held { .. }) => {}
            Ok(MinerLease::Elsewhere) if self.is_miner => self.lost(store, miners).await,
            Ok(MinerLease::Elsewhere) => {}
            Err(e) => tracing::warn!(error = %e, "syslog: cannot claim the miner lease"),
        }
    }

    /// End this tenure: the lease was lost, or the store may not know what the in-memory
    /// miners know (a mined write failed). Give up the lease if this tenure still holds it,
    /// forget the miners and take a new token; the next claim starts afresh.
    pub async fn lost(&mut self, store: &Store, miners: &mut Miners) {
        if self.is_miner {
            tracing::warn!(
                holder = self.holder,
                "syslog: no longer the miner; storing unmined"
            );
        }
        if let Err(e) = store.release_miner_lease(&self.holder).await {
            tracing::warn!(error = %e, "syslog: cannot release the miner lease");
        }
        self.holder = onestop_store::new_id();
        self.is_miner = false;
        self.last_claim = None;
        *miners = Miners::default();
    }

    /// On a clean shutdown, after the last write: let another process mine at once.
    pub async fn release(&mut self, store: &Store) {
        if !self.is_miner {
            return;
        }
        match store.release_miner_lease(&self.holder).await {
            Ok(()) => tracing::info!(holder = self.holder, "syslog: miner lease released"),
            Err(e) => tracing::warn!(error = %e, "syslog: cannot release the miner lease"),
        }
        self.is_miner = false;
    }

    /// Whether [`Role::catch_up`] has something to do now.
    pub fn catch_up_due(&self) -> bool {
        self.is_miner
            && self
                .last_catch_up
                .is_none_or(|t| t.elapsed() >= CATCH_UP_EVERY)
    }

    /// As the miner: mine rows stored unmined (by other processes, or by this one while it
    /// was not the miner), a batch at a time, at most every second.
    pub async fn catch_up(&mut self, store: &Store, miners: &mut Miners) {
        if !self.catch_up_due() {
            return;
        }
        self.last_catch_up = Some(Instant::now());
        match self.mine_unmined(store, miners).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(rows = n, "syslog: mined rows stored unmined"),
            Err(e) => {
                tracing::warn!(error = %e, "syslog: cannot mine rows stored unmined");
                self.lost(store, miners).await;
            }
        }
    }

    /// One batch of unmined rows mined and stored; how many (0 also when the lease was lost).
    async fn mine_unmined(&mut self, store: &Store, miners: &mut Miners) -> anyhow::Result<usize> {
        let rows = store.unmined_logs(CATCH_UP_BATCH).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut work = MinedRows::default();
        for r in &rows {
            let customer = r.customer_id.as_deref();
            let (id, new) = miners
                .mine(store, customer, &r.message, r.at, &mut work.templates)
                .await?;
            if let (true, Some(c), Some(h)) = (new, customer, r.host_id.as_deref()) {
                let text = work
                    .templates
                    .last()
                    .map(|t| t.template.clone())
                    .unwrap_or_default();
                let seen = Seen {
                    customer_id: c,
                    host_id: h,
                    host_name: r.hostname.as_deref().unwrap_or(h),
                    program: r.program.as_deref(),
                    at: r.at,
                    message: &r.message,
                };
                work.findings
                    .push(findings::new_template_finding(i64::from(id), &text, &seen));
            }
            work.assigned.push((r.id.clone(), i64::from(id)));
        }
        work.states = miners.states_with_new_templates()?;
        if store.apply_mined(&self.holder, &work).await? {
            Ok(rows.len())
        } else {
            self.lost(store, miners).await;
            Ok(0)
        }
    }

    /// As the miner: raise spikes (once a minute).
    pub async fn spikes(&mut self, store: &Store) {
        if !self.is_miner || self.last_spikes.is_some_and(|t| t.elapsed() < SPIKES_EVERY) {
            return;
        }
        self.last_spikes = Some(Instant::now());
        let now = onestop_store::now_ms();
        let found = match store
            .spike_counts(
                now,
                findings::SPIKE_WINDOW_MS,
                findings::SPIKE_BASELINE_WINDOWS,
                findings::SPIKE_MIN,
            )
            .await
        {
            Ok(c) => findings::spikes(&c, now),
            Err(e) => {
                tracing::warn!(error = %e, "syslog: cannot count templates for spikes");
                return;
            }
        };
        match store.raise_log_findings(&found).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(events = n, "syslog: log spikes raised"),
            Err(e) => tracing::warn!(error = %e, "syslog: cannot raise spikes"),
        }
    }
}
