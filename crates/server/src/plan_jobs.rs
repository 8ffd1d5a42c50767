//! The plan scheduler loop: every process runs it every `desk_tick_secs`; the store's lease
//! lets one act at a time, and each work order is keyed by its activity, so several servers
//! never create one twice (`Store::plan_tick`).
use onestop_store::Store;
use std::time::Duration;

pub fn spawn(store: Store, every: Duration) {
    let holder = onestop_store::new_id();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match store.plan_tick(&holder, onestop_store::now_ms()).await {
                Ok(r) if r.plans + r.work_orders + r.overdue > 0 => tracing::info!(
                    plans = r.plans,
                    work_orders = r.work_orders,
                    overdue = r.overdue,
                    "plan scheduler"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "plan scheduler pass failed"),
            }
        }
    });
}
