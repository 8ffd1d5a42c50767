//! This process's part in mining: every writer stores what it receives, but only the holder
//! of the database's `log-miner` lease mines (see `onestop_store::logs` mining). The role
//! tries to take the lease now and then, forgets its miners whenever the lease was not held
//! continuously (they are reloaded from the store), mines rows other processes stored
//! unmined, and looks for spikes.
use super::findings::{self, Seen};
use super::miners::Miners;
use onestop_store::Store;
use onestop_store::logs::{MinedRows, MinerLease};
use std::time::{Duration, Instant};

/// How often a process that is not the miner tries to take the lease.
const CLAIM_EVERY: Duration = Duration::from_secs(2);
/// How often the miner looks for rows stored unmined.
const CATCH_UP_EVERY: Duration = Duration::from_secs(1);
/// How often the miner looks for spikes.
const SPIKES_EVERY: Duration = Duration::from_secs(60);
/// Unmined rows mined per transaction.
const CATCH_UP_BATCH: i64 = 2000;

pub struct Role {
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

    /// Try to become the miner (at most every 2 s); a fresh holder starts from the stored
    /// states.
    pub async fn claim(&mut self, store: &Store, miners: &mut Miners) {
        if self.is_miner || self.last_claim.is_some_and(|t| t.elapsed() < CLAIM_EVERY) {
            return;
        }
        self.last_claim = Some(Instant::now());
        match store.claim_miner_lease(&self.holder).await {
            Ok(MinerLease::Held { .. }) => {
                tracing::info!(
                    holder = self.holder,
                    "syslog: this process mines log templates"
                );
                *miners = Miners::default();
                self.is_miner = true;
            }
            Ok(MinerLease::Elsewhere) => {}
            Err(e) => tracing::warn!(error = %e, "syslog: cannot claim the miner lease"),
        }
    }

    /// The lease was lost: stop mining and forget the in-memory state.
    pub fn lost(&mut self, miners: &mut Miners) {
        if self.is_miner {
            tracing::warn!(
                holder = self.holder,
                "syslog: miner lease lost; storing unmined"
            );
        }
        self.is_miner = false;
        self.last_claim = None;
        *miners = Miners::default();
    }

    /// As the miner: mine rows stored unmined (by other processes, or by this one while it
    /// was not the miner), a batch at a time; whether there may be more.
    pub async fn catch_up(&mut self, store: &Store, miners: &mut Miners) -> anyhow::Result<bool> {
        if !self.is_miner
            || self
                .last_catch_up
                .is_some_and(|t| t.elapsed() < CATCH_UP_EVERY)
        {
            return Ok(false);
        }
        let rows = store.unmined_logs(CATCH_UP_BATCH).await?;
        if rows.is_empty() {
            self.last_catch_up = Some(Instant::now());
            return Ok(false);
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
            tracing::debug!(rows = rows.len(), "syslog: mined rows stored unmined");
            Ok(rows.len() as i64 == CATCH_UP_BATCH)
        } else {
            self.lost(miners);
            Ok(false)
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
