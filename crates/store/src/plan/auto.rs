//! Automated checklist items: the newest result of the named agent check on each host of the
//! work order (`host_checks`, filled by the agent) becomes the item's result and its evidence
//! (which command or file, when). `pending_security_updates` falls back to the open findings
//! when the agent has not reported it. Items a person recorded are left alone.
use super::WorkOrder;
use crate::{Result, Scope, Store, StoreError};
use serde_json::{Value, json};
use sqlx::Row;

/// The worst of several hosts' results: finding > ok > n_a; errors give no result.
fn combine(statuses: &[String]) -> Option<&'static str> {
    if statuses.iter().any(|s| s == "finding") {
        Some("finding")
    } else if statuses.iter().any(|s| s == "error") || statuses.is_empty() {
        None
    } else if statuses.iter().any(|s| s == "ok") {
        Some("ok")
    } else {
        Some("n_a")
    }
}

impl Store {
    /// Fill the work order's automated items from the agent's newest results (staff).
    /// Returns how many items were filled.
    pub async fn fill_from_agent(&self, scope: &Scope, id: &str) -> Result<usize> {
        crate::desk::staff_only(scope)?;
        let w: WorkOrder = self.get_work_order(scope, id).await?;
        if !super::orders::is_active(&w.status) {
            return Err(StoreError::Conflict(format!(
                "the work order is {}",
                w.status
            )));
        }
        let mut fills = vec![];
        for item in &w.items {
            let Some(check) = &item.auto_check else {
                continue;
            };
            if item.recorded_by.as_deref().is_some_and(|r| r != "agent") {
                continue;
            }
            let mut evidence = vec![];
            let mut statuses = vec![];
            for host in &w.assets {
                let row = sqlx::query("SELECT check_id, check_version, status, summary, detail, source, observed_at FROM host_checks WHERE host_id = $1 AND check_id = $2 AND customer_id = $3 ORDER BY observed_at DESC, id DESC LIMIT 1")
                    .bind(host)
                    .bind(check)
                    .bind(&w.customer_id)
                    .fetch_optional(&self.pool)
                    .await?;
                if let Some(r) = row {
                    let status: String = r.try_get(2)?;
                    let detail: String = r.try_get(4)?;
                    evidence.push(json!({
                        "host_id": host,
                        "check": r.try_get::<String, _>(0)?,
                        "version": r.try_get::<i64, _>(1)?,
                        "status": status,
                        "summary": r.try_get::<String, _>(3)?,
                        "detail": serde_json::from_str::<Value>(&detail).unwrap_or(Value::String(detail)),
                        "source": r.try_get::<String, _>(5)?,
                        "observed_at": r.try_get::<i64, _>(6)?,
                    }));
                    statuses.push(status);
                } else if check == "pending_security_updates" {
                    let r = sqlx::query("SELECT COUNT(*), COALESCE(MAX(last_seen), 0) FROM findings WHERE host_id = $1 AND customer_id = $2 AND state = 'open'")
                        .bind(host)
                        .bind(&w.customer_id)
                        .fetch_one(&self.pool)
                        .await?;
                    let open: i64 = r.try_get(0)?;
                    let has_inventory =
                        sqlx::query("SELECT 1 FROM host_packages WHERE host_id = $1 LIMIT 1")
                            .bind(host)
                            .fetch_optional(&self.pool)
                            .await?
                            .is_some();
                    if !has_inventory && open == 0 {
                        continue;
                    }
                    let status = if open > 0 { "finding" } else { "ok" };
                    evidence.push(json!({
                        "host_id": host,
                        "check": check,
                        "status": status,
                        "summary": format!("{open} open security findings"),
                        "source": "findings (package inventory matched against advisories)",
                        "observed_at": r.try_get::<i64, _>(1)?,
                    }));
                    statuses.push(status.to_string());
                }
            }
            if evidence.is_empty() {
                continue;
            }
            let summary: Vec<String> = evidence
                .iter()
                .map(|e| e["summary"].as_str().unwrap_or_default().to_string())
                .collect();
            fills.push((
                item.pos,
                combine(&statuses),
                summary.join("; "),
                Value::Array(evidence),
            ));
        }
        if fills.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write(scope).await?;
        for (pos, result, summary, evidence) in &fills {
            sqlx::query("UPDATE work_order_items SET result = $1, measured = $2, evidence_json = $3, recorded_by = 'agent', recorded_at = $4 WHERE work_order_id = $5 AND pos = $6 AND (recorded_by IS NULL OR recorded_by = 'agent')")
                .bind(*result)
                .bind(summary)
                .bind(evidence.to_string())
                .bind(tx.now)
                .bind(id)
                .bind(*pos)
                .execute(tx.conn())
                .await?;
        }
        let audit: Vec<Value> = fills
            .iter()
            .map(|(p, r, s, _)| json!({"pos": p, "result": r, "summary": s}))
            .collect();
        tx.audit(
            "work_order.fill_from_agent",
            "work_order",
            id,
            Some(&w.customer_id),
            None,
            Some(&json!({"items": audit})),
        )
        .await?;
        tx.commit().await?;
        Ok(fills.len())
    }
}
