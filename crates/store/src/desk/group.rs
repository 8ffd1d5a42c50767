//! Group commit for ticket creation. Every creation is one audited write, and writes are one
//! at a time (SQLite has one writer; on PostgreSQL the audit chain's head row is locked until
//! commit), so concurrent creations queue here and the caller whose turn it is creates all
//! that are waiting in one transaction: one commit, one full-text index flush and one audit
//! head update for the group instead of one each. Each creation runs under its own savepoint
//! and its caller's scope: one that fails (a validation error) is undone alone, its audit
//! entries with it, and the others commit. The group runs in a task of its own, so a caller
//! that goes away (a client hanging up) cannot abandon the others' creations half done.
use super::{Ticket, TicketInput};
use crate::{Result, Scope, Store, StoreError, WriteTx};
use std::collections::VecDeque;
use tokio::sync::oneshot;

/// Most creations committed together.
const MAX_GROUP: usize = 64;

struct Job {
    scope: Scope,
    input: TicketInput,
    done: oneshot::Sender<Result<Ticket>>,
}

/// Creations waiting for a turn, and the turn.
#[derive(Default)]
pub(crate) struct CreateGroup {
    queue: std::sync::Mutex<VecDeque<Job>>,
    turn: tokio::sync::Mutex<()>,
}

impl Store {
    /// Open a ticket: validated, numbered, its SLA clocks computed, audited and indexed for
    /// search, and (for the portal) its acknowledgement queued — committed together with
    /// whatever other creations are waiting at the same moment.
    pub async fn create_ticket(&self, scope: &Scope, input: TicketInput) -> Result<Ticket> {
        let (done, mut result) = oneshot::channel();
        self.tickets
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(Job {
                scope: scope.clone(),
                input,
                done,
            });
        loop {
            let _turn = self.tickets.turn.lock().await;
            match result.try_recv() {
                Ok(r) => return r,
                Err(oneshot::error::TryRecvError::Closed) => {
                    return Err(StoreError::Other("ticket creation was interrupted".into()));
                }
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
            let jobs: Vec<Job> = {
                let mut q = self.tickets.queue.lock().unwrap_or_else(|p| p.into_inner());
                let n = q.len().min(MAX_GROUP);
                q.drain(..n).collect()
            };
            let store = self.clone();
            // Finishes (and answers every job) even if this caller is dropped meanwhile.
            let _ = tokio::spawn(async move { store.create_group(jobs).await }).await;
        }
    }

    async fn create_group(&self, jobs: Vec<Job>) {
        if jobs.len() == 1 {
            let job = jobs.into_iter().next().expect("one job");
            let r = self.create_alone(&job.scope, job.input).await;
            let _ = job.done.send(r);
            return;
        }
        let mut tx = match self.write(&Scope::System).await {
            Ok(tx) => tx,
            Err(e) => return fail_all(jobs, &e),
        };
        let mut results = Vec::with_capacity(jobs.len());
        let mut pending = Vec::with_capacity(jobs.len());
        let mut jobs = jobs.into_iter();
        while let Some(job) = jobs.next() {
            pending.push(job.done);
            match self.create_unit(&mut tx, job.scope, job.input).await {
                Ok(r) => results.push(r),
                Err(e) => {
                    pending.extend(jobs.map(|j| j.done));
                    return fail_all_senders(pending, results, &e);
                }
            }
        }
        match tx.commit().await {
            Ok(()) => {
                for (done, r) in pending.into_iter().zip(results) {
                    let _ = done.send(r);
                }
            }
            Err(e) => fail_all_senders(pending, results, &e),
        }
    }

    /// One creation under its own savepoint. The outer error is the transaction's (the whole
    /// group fails); the inner one is this creation's.
    async fn create_unit(
        &self,
        tx: &mut WriteTx,
        scope: Scope,
        input: TicketInput,
    ) -> Result<Result<Ticket>> {
        let sp = tx.savepoint().await?;
        tx.set_scope(scope);
        match self.create_in_tx(tx, input).await {
            Ok(t) => {
                tx.release(sp).await?;
                Ok(Ok(t))
            }
            Err(e) => {
                tx.rollback_to(sp).await?;
                Ok(Err(e))
            }
        }
    }

    async fn create_alone(&self, scope: &Scope, input: TicketInput) -> Result<Ticket> {
        let mut tx = self.write(scope).await?;
        let t = self.create_in_tx(&mut tx, input).await?;
        tx.commit().await?;
        Ok(t)
    }

    async fn create_in_tx(&self, tx: &mut WriteTx, input: TicketInput) -> Result<Ticket> {
        let t = self.create_ticket_in(tx, input).await?;
        if t.channel == "portal" {
            crate::mail::compose::queue_ack(tx, &t, None).await?;
        }
        Ok(t)
    }
}

fn fail_all(jobs: Vec<Job>, e: &StoreError) {
    let senders = jobs.into_iter().map(|j| j.done).collect();
    fail_all_senders(senders, Vec::new(), e)
}

/// The group's transaction failed: nothing of it was stored. Creations that had failed on
/// their own keep their own error; the others get the transaction's.
fn fail_all_senders(
    senders: Vec<oneshot::Sender<Result<Ticket>>>,
    results: Vec<Result<Ticket>>,
    e: &StoreError,
) {
    let mut results = results.into_iter();
    for done in senders {
        let r = match results.next() {
            Some(Err(own)) => Err(own),
            _ => Err(StoreError::Other(format!("ticket not stored: {e}"))),
        };
        let _ = done.send(r);
    }
}
