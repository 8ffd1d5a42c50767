//! The writer task: decodes, routes, mines and diagnoses received frames, and commits them
//! in batches (many rows per transaction). It ends when every listener has gone (their
//! senders dropped) and the channel is drained, after a last checkpoint of the miners.
use super::findings::{self, Seen};
use super::miners::Miners;
use super::role::Role;
use super::route::Routes;
use super::{Frame, Stats};
use onestop_logs::RuleSet;
use onestop_logs::syslog::{DecodeContext, decode};
use onestop_store::logs::{AgentBatchLines, LogBatch, NewLogMessage};
use onestop_store::{Scope, Store};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Messages per transaction, at most.
const BATCH: usize = 2000;
/// How often miner states and refreshed templates are saved.
const CHECKPOINT: Duration = Duration::from_secs(5);
/// How long the writer waits for frames before its periodic work (checkpoint, mining rows
/// stored unmined, spikes).
const IDLE: Duration = Duration::from_secs(1);
/// How often the register is checked for changed assets.
const ROUTES_CHECK: Duration = Duration::from_secs(2);

/// The batch write in flight, and the tenure token it was mined under (none: unmined).
struct Pending {
    miner: Option<String>,
    write: JoinHandle<Option<bool>>,
}

pub struct Ingest {
    pub store: Store,
    pub rules: RuleSet,
    pub stats: Arc<Stats>,
}

struct RouteCache {
    routes: Routes,
    fingerprint: Option<(i64, i64)>,
    checked: Option<Instant>,
}

impl RouteCache {
    async fn refresh(&mut self, store: &Store) {
        if self.checked.is_some_and(|t| t.elapsed() < ROUTES_CHECK) {
            return;
        }
        self.checked = Some(Instant::now());
        let fp = match store.assets_fingerprint().await {
            Ok(fp) => fp,
            Err(e) => {
                tracing::warn!(error = %e, "syslog: cannot read the asset register");
                return;
            }
        };
        if self.fingerprint == Some(fp) {
            return;
        }
        match store.log_routes(&Scope::System).await {
            Ok(hosts) => {
                self.routes = Routes::new(hosts);
                self.fingerprint = Some(fp);
                tracing::debug!(hosts = self.routes.len(), "syslog: routes loaded");
            }
            Err(e) => tracing::warn!(error = %e, "syslog: cannot load routes"),
        }
    }
}

impl Ingest {
    /// Run until the channel closes.
    pub async fn run(self, mut rx: mpsc::Receiver<Vec<Frame>>) {
        let mut miners = Miners::default();
        let mut role = Role::new();
        let mut routes = RouteCache {
            routes: Routes::default(),
            fingerprint: None,
            checked: None,
        };
        let mut pending: Option<Pending> = None;
        let mut last_checkpoint = Instant::now();
        let mut chunks = Vec::new();
        loop {
            chunks.clear();
            let mut n = 0;
            tokio::select! {
                got = rx.recv_many(&mut chunks, 4) => if got == 0 { break },
                _ = tokio::time::sleep(IDLE) => {}
            }
            n += chunks.iter().map(Vec::len).sum::<usize>();
            while n < BATCH {
                match rx.try_recv() {
                    Ok(c) => {
                        n += c.len();
                        chunks.push(c);
                    }
                    Err(_) => break,
                }
            }
            if n > 0 {
                tracing::debug!(messages = n, "syslog: batch received");
                routes.refresh(&self.store).await;
                // An agent's host enrolled since the last reload: reload now, not in 2 s.
                let unknown_agent_host = chunks.iter().flatten().any(|f| {
                    f.agent
                        .as_ref()
                        .is_some_and(|a| routes.routes.by_id(&a.host_id).is_none())
                });
                if unknown_agent_host {
                    routes.checked = None;
                    routes.fingerprint = None;
                    routes.refresh(&self.store).await;
                }
                role.claim(&self.store, &mut miners).await;
                let batch = match self
                    .build(&mut miners, &role, &routes.routes, &chunks)
                    .await
                {
                    Ok(b) => b,
                    Err(e) => {
                        // The miners may have learnt from part of it: they start over from
                        // the store, and the batch is stored unmined (which cannot fail).
                        tracing::error!(error = %e, "syslog: cannot mine a batch; storing it unmined");
                        role.lost(&self.store, &mut miners).await;
                        match self
                            .build(&mut miners, &role, &routes.routes, &chunks)
                            .await
                        {
                            Ok(b) => b,
                            Err(e) => {
                                tracing::error!(error = %e, messages = n, "syslog: batch dropped");
                                self.stats.lost.fetch_add(n as u64, Ordering::Relaxed);
                                continue;
                            }
                        }
                    }
                };
                // One write in flight while the next batch is prepared; order is kept.
                self.settle(&mut pending, &mut role, &mut miners).await;
                let store = self.store.clone();
                let stats = self.stats.clone();
                pending = Some(Pending {
                    miner: batch.miner.clone(),
                    write: tokio::spawn(write(store, stats, batch)),
                });
            }
            let checkpoint_due = last_checkpoint.elapsed() >= CHECKPOINT;
            // Rows stored unmined are mined when idle, and at least every second when busy.
            let catch_up = n == 0 || role.catch_up_due();
            if checkpoint_due || catch_up {
                self.settle(&mut pending, &mut role, &mut miners).await;
            }
            if checkpoint_due {
                self.checkpoint(&mut miners, &mut role).await;
                last_checkpoint = Instant::now();
            }
            if catch_up {
                role.claim(&self.store, &mut miners).await;
                role.catch_up(&self.store, &mut miners).await;
                role.spikes(&self.store).await;
            }
        }
        self.settle(&mut pending, &mut role, &mut miners).await;
        self.checkpoint(&mut miners, &mut role).await;
        role.release(&self.store).await;
        tracing::info!(
            received = self.stats.received.load(Ordering::Relaxed),
            stored = self.stats.stored.load(Ordering::Relaxed),
            lost = self.stats.lost.load(Ordering::Relaxed),
            "syslog: ingest stopped"
        );
    }

    /// Wait for the write in flight. A mined batch that was refused its mining (the lease
    /// was lost) or dropped ends the tenure it was mined in, if it is still the current one:
    /// the store does not know what the miners learnt from it.
    async fn settle(&self, pending: &mut Option<Pending>, role: &mut Role, miners: &mut Miners) {
        let Some(p) = pending.take() else { return };
        let kept = p.write.await.ok().flatten();
        if kept != Some(true) && p.miner.as_deref() == Some(role.holder.as_str()) {
            role.lost(&self.store, miners).await;
        }
    }

    async fn build(
        &self,
        miners: &mut Miners,
        role: &Role,
        routes: &Routes,
        chunks: &[Vec<Frame>],
    ) -> anyhow::Result<LogBatch> {
        let mut batch = LogBatch {
            // Fenced by the lease only when mined here; unmined rows are kept as they are.
            miner: role.is_miner.then(|| role.holder.clone()),
            ..Default::default()
        };
        let mut marks = std::collections::HashSet::new();
        for f in chunks.iter().flatten() {
            let received = chrono::DateTime::from_timestamp_millis(
                f.agent.as_ref().map_or(f.received_at, |a| a.ts_ms),
            )
            .unwrap_or_default();
            let mut m = decode(&f.bytes, &DecodeContext::utc(received));
            // rsyslog keeps the space after a BSD tag in the message; so would the templates.
            let trimmed = m.message.trim();
            if trimmed.len() != m.message.len() {
                m.message = trimmed.to_string();
            }
            let host = match &f.agent {
                Some(a) => routes.by_id(&a.host_id),
                None => routes.route(f.source, m.hostname.as_deref()),
            };
            let customer = host.map(|h| h.customer_id.as_str());
            let fallback = f.agent.as_ref().map_or(f.received_at, |a| a.ts_ms);
            let at = m.timestamp.map_or(fallback, |t| t.timestamp_millis());
            if let Some(a) = &f.agent {
                let i = batch.messages.len();
                match batch.agent_batches.last_mut() {
                    Some(l) if l.host_id == a.host_id && l.seq == a.seq && l.range.end == i => {
                        l.range.end = i + 1
                    }
                    _ => batch.agent_batches.push(AgentBatchLines {
                        host_id: a.host_id.clone(),
                        seq: a.seq,
                        range: i..i + 1,
                    }),
                }
            }
            let (template, new) = match role.is_miner {
                true => {
                    miners
                        .mine(&self.store, customer, &m.message, at, &mut batch.templates)
                        .await?
                }
                false => (0, false),
            };
            let d = self.rules.diagnose_syslog(&m);
            if let (Some(h), Some(c)) = (host, customer) {
                let seen = Seen {
                    customer_id: c,
                    host_id: &h.asset_id,
                    host_name: &h.name,
                    program: m.app_name.as_deref().filter(|a| *a != "-"),
                    at,
                    message: &m.message,
                };
                let text = new
                    .then(|| batch.templates.last().map(|t| t.template.clone()))
                    .flatten();
                if let Some(text) = &text {
                    let f = findings::new_template_finding(i64::from(template), text, &seen);
                    batch.mined_findings.push(f);
                }
                if d.severity.code() <= 3 && !d.rules.is_empty() {
                    // The template's text is known only when mined here; the id goes along.
                    let t = (template > 0).then(|| (i64::from(template), ""));
                    let found =
                        findings::rule_findings(&self.rules, &d.rules, t, &seen, f.received_at);
                    for finding in found {
                        if marks.insert(finding.mark.clone()) {
                            batch.findings.push(finding);
                        }
                    }
                }
            }
            batch.messages.push(NewLogMessage {
                id: onestop_store::new_id(),
                received_at: f.received_at,
                at,
                customer_id: customer.map(str::to_string),
                host_id: host.map(|h| h.asset_id.clone()),
                source: match f.agent {
                    Some(_) => "agent".to_string(),
                    None => f.source.to_canonical().to_string(),
                },
                hostname: m.hostname.filter(|h| h != "-"),
                program: m.app_name.filter(|a| a != "-"),
                facility: m.facility.map(i64::from),
                syslog_severity: m.severity.map(|s| i64::from(s.code())),
                severity: i64::from(d.severity.code()),
                template_id: i64::from(template),
                rules: d.rules.join(","),
                message: m.message,
            });
        }
        batch.states = miners.states_with_new_templates()?;
        Ok(batch)
    }

    async fn checkpoint(&self, miners: &mut Miners, role: &mut Role) {
        match miners.checkpoint() {
            Ok((states, updates)) if !states.is_empty() || !updates.is_empty() => {
                match self
                    .store
                    .save_miner_states_as(Some(&role.holder), &states, &updates)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => role.lost(&self.store, miners).await,
                    Err(e) => tracing::error!(error = %e, "syslog: cannot save miner states"),
                }
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "syslog: cannot export miner states"),
        }
    }
}

/// Commit a batch, retrying for a minute while the database is unavailable; whether its
/// mining was kept (`None` when it was dropped).
async fn write(store: Store, stats: Arc<Stats>, batch: LogBatch) -> Option<bool> {
    let mut delay = Duration::from_millis(100);
    let deadline = Instant::now() + Duration::from_secs(60);
    let t0 = Instant::now();
    loop {
        match store.insert_log_batch(&batch).await {
            Ok(mined) => {
                tracing::debug!(
                    messages = batch.messages.len(),
                    ms = t0.elapsed().as_millis() as u64,
                    "syslog: batch committed"
                );
                stats
                    .stored
                    .fetch_add(batch.messages.len() as u64, Ordering::Relaxed);
                return Some(mined);
            }
            Err(e) if Instant::now() < deadline => {
                tracing::warn!(error = %e, "syslog: batch write failed, retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => {
                stats
                    .lost
                    .fetch_add(batch.messages.len() as u64, Ordering::Relaxed);
                tracing::error!(error = %e, messages = batch.messages.len(), "syslog: batch dropped");
                return None;
            }
        }
    }
}
