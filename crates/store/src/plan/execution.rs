//! The rest of a work order's execution record: attachments, tickets opened from findings,
//! and the customer's sign-off (by a portal user allowed to sign, or recorded by staff).
use super::{SignoffInput, WorkOrder, WorkOrderAttachment, invalid};
use crate::desk::attachments::check_content;
use crate::desk::staff_only;
use crate::util::new_id;
use crate::{NewAttachment, Result, Scope, Store, StoreError, Ticket, TicketInput};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::path::{Path, PathBuf};

/// Where a work order attachment's bytes live: `<dir>/work-orders/<work order>/<id>`.
pub fn wo_attachment_path(dir: &Path, a: &WorkOrderAttachment) -> PathBuf {
    dir.join("work-orders").join(&a.work_order_id).join(&a.id)
}

impl Store {
    pub(super) async fn wo_attachments(&self, id: &str) -> Result<Vec<WorkOrderAttachment>> {
        let rows = sqlx::query("SELECT id, work_order_id, filename, content_type, size, sha256, uploaded_by, created_at FROM work_order_attachments WHERE work_order_id = $1 ORDER BY created_at, id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(WorkOrderAttachment {
                    id: r.try_get(0)?,
                    work_order_id: r.try_get(1)?,
                    filename: r.try_get(2)?,
                    content_type: r.try_get(3)?,
                    size: r.try_get(4)?,
                    sha256: r.try_get(5)?,
                    uploaded_by: r.try_get(6)?,
                    created_at: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// Attach a file (photos, reports) to a work order (staff). Checked like ticket
    /// attachments; the file is removed again if the write fails.
    pub async fn add_wo_attachment(
        &self,
        scope: &Scope,
        id: &str,
        dir: &Path,
        input: NewAttachment,
    ) -> Result<WorkOrderAttachment> {
        staff_only(scope)?;
        let w = self.get_work_order(scope, id).await?;
        let filename: String = input
            .filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let filename = filename.trim().to_string();
        if filename.is_empty() || filename == "." || filename == ".." {
            return Err(invalid("file", "needs a file name"));
        }
        if input.bytes.is_empty() {
            return Err(invalid("file", "is empty"));
        }
        let content_type = check_content(&filename, input.content_type.as_deref(), &input.bytes)?;
        let mut a = WorkOrderAttachment {
            id: new_id(),
            work_order_id: w.id.clone(),
            filename,
            content_type,
            size: input.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(&input.bytes)),
            uploaded_by: scope.actor(),
            created_at: 0,
        };
        let path = wo_attachment_path(dir, &a);
        let io = |e: std::io::Error| StoreError::Other(format!("cannot store attachment: {e}"));
        tokio::fs::create_dir_all(path.parent().unwrap_or(dir))
            .await
            .map_err(io)?;
        tokio::fs::write(&path, &input.bytes).await.map_err(io)?;
        let result = async {
            let mut tx = self.write(scope).await?;
            a.created_at = tx.now;
            sqlx::query("INSERT INTO work_order_attachments (id, work_order_id, customer_id, filename, content_type, size, sha256, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(&a.id)
                .bind(&a.work_order_id)
                .bind(&w.customer_id)
                .bind(&a.filename)
                .bind(&a.content_type)
                .bind(a.size)
                .bind(&a.sha256)
                .bind(&a.uploaded_by)
                .bind(a.created_at)
                .execute(tx.conn())
                .await
                .map_err(StoreError::from_write)?;
            let after = serde_json::to_value(&a).unwrap_or_default();
            tx.audit("work_order.attach", "work_order_attachment", &a.id, Some(&w.customer_id), None, Some(&after)).await?;
            tx.commit().await
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&path).await;
        }
        result.map(|_| a)
    }

    /// One attachment of a work order the scope may see.
    pub async fn wo_attachment(
        &self,
        scope: &Scope,
        id: &str,
        attachment: &str,
    ) -> Result<WorkOrderAttachment> {
        let w = self.get_work_order(scope, id).await?;
        w.attachments
            .into_iter()
            .find(|a| a.id == attachment)
            .ok_or(StoreError::NotFound)
    }

    /// Open an incident from an item recorded as a finding, linked to the item (staff). The
    /// ticket carries the item's notes, measured values and the agent's evidence.
    pub async fn ticket_from_item(&self, scope: &Scope, id: &str, pos: i64) -> Result<Ticket> {
        staff_only(scope)?;
        let w = self.get_work_order(scope, id).await?;
        let item = w
            .items
            .iter()
            .find(|i| i.pos == pos)
            .ok_or(StoreError::NotFound)?;
        if item.result.as_deref() != Some("finding") {
            return Err(invalid(
                "pos",
                "only an item recorded as a finding opens a ticket",
            ));
        }
        if let Some(t) = &item.ticket_id {
            return Err(StoreError::Conflict(format!(
                "ticket {t} is already open for this item"
            )));
        }
        let mut description = format!(
            "Finding in work order {} ({}), item {}: {}\n",
            w.number, w.title, item.pos, item.title
        );
        for (label, v) in [("Notes", &item.notes), ("Measured", &item.measured)] {
            if !v.is_empty() {
                description.push_str(&format!("\n{label}: {v}"));
            }
        }
        if let Some(e) = &item.evidence {
            description.push_str(&format!("\nAgent evidence: {e}"));
        }
        let t = self
            .create_ticket(
                scope,
                TicketInput {
                    customer_id: Some(w.customer_id.clone()),
                    title: Some(format!("{}: {}", w.number, item.title)),
                    description: Some(description),
                    assets: Some(w.assets.clone()),
                    contract_id: w.contract_id.clone(),
                    ..Default::default()
                },
            )
            .await?;
        let mut tx = self.write(scope).await?;
        let n = sqlx::query("UPDATE work_order_items SET ticket_id = $1 WHERE work_order_id = $2 AND pos = $3 AND ticket_id IS NULL")
            .bind(&t.id)
            .bind(id)
            .bind(pos)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() == 1 {
            tx.audit(
                "work_order.item_ticket",
                "work_order",
                id,
                Some(&w.customer_id),
                None,
                Some(&serde_json::json!({"pos": pos, "ticket_id": t.id, "ticket": t.number})),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(t)
    }

    /// Whether a customer's user may sign off work orders and approve patch installations.
    pub async fn is_signer(&self, user_id: &str) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 FROM work_order_signers WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// Grant or withdraw the sign-off role of a customer's user (administrators).
    pub async fn set_signer(&self, scope: &Scope, user_id: &str, allowed: bool) -> Result<()> {
        if !scope.is_admin() {
            return Err(StoreError::Forbidden(
                "only administrators grant the sign-off role".into(),
            ));
        }
        let row = sqlx::query("SELECT role, customer_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let customer: Option<String> = row.try_get(1)?;
        if row.try_get::<String, _>(0)? != "customer" {
            return Err(invalid("user_id", "only customers' users sign off"));
        }
        let mut tx = self.write(scope).await?;
        if allowed {
            sqlx::query("INSERT INTO work_order_signers (user_id, granted_by, granted_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING")
                .bind(user_id)
                .bind(scope.actor())
                .bind(tx.now)
                .execute(tx.conn())
                .await?;
        } else {
            sqlx::query("DELETE FROM work_order_signers WHERE user_id = $1")
                .bind(user_id)
                .execute(tx.conn())
                .await?;
        }
        tx.audit(
            if allowed {
                "user.signer_grant"
            } else {
                "user.signer_revoke"
            },
            "user",
            user_id,
            customer.as_deref(),
            None,
            None,
        )
        .await?;
        tx.commit().await
    }

    /// The customer's sign-off of a finished work order.
    pub async fn sign_off(&self, scope: &Scope, id: &str, i: SignoffInput) -> Result<WorkOrder> {
        let before = self.get_work_order(scope, id).await?;
        if before.status != "done" {
            return Err(StoreError::Conflict(
                "only a finished work order is signed off".into(),
            ));
        }
        if before.signoff_at.is_some() {
            return Err(StoreError::Conflict(
                "the work order is already signed off".into(),
            ));
        }
        let now = crate::now_ms();
        let (name, user, recorded_by, at) = match scope {
            Scope::Customer { user_id, .. } => {
                if !self.is_signer(user_id).await? {
                    return Err(StoreError::Forbidden(
                        "you do not have the sign-off role".into(),
                    ));
                }
                let name: String = sqlx::query("SELECT display_name FROM users WHERE id = $1")
                    .bind(user_id)
                    .fetch_one(&self.pool)
                    .await?
                    .try_get(0)?;
                (name, Some(user_id.clone()), None, now)
            }
            _ => {
                let name = i
                    .name
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| {
                        invalid(
                            "name",
                            "the signer's name is required when staff record a sign-off",
                        )
                    })?;
                let at = i.signed_at.unwrap_or(now);
                if at > now + 60_000 || before.done_at.is_some_and(|d| at < d - 86_400_000) {
                    return Err(invalid("signed_at", "must be between the work and now"));
                }
                (name, None, Some(scope.actor()), at)
            }
        };
        let mut w = before.clone();
        w.signoff_name = Some(name);
        w.signoff_user_id = user;
        w.signoff_recorded_by = recorded_by;
        w.signoff_at = Some(at);
        let mut tx = self.write(scope).await?;
        sqlx::query("UPDATE work_orders SET signoff_name = $1, signoff_user_id = $2, signoff_recorded_by = $3, signoff_at = $4, updated_at = $5 WHERE id = $6 AND signoff_at IS NULL")
            .bind(&w.signoff_name)
            .bind(&w.signoff_user_id)
            .bind(&w.signoff_recorded_by)
            .bind(w.signoff_at)
            .bind(tx.now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        super::orders::audit_change(&mut tx, "work_order.signoff", &before, &w).await?;
        tx.commit().await?;
        self.get_work_order(scope, id).await
    }
}

/// Helper for pages: whether this work order can be signed by the scope right now.
pub fn can_sign(w: &WorkOrder) -> bool {
    w.status == "done" && w.signoff_at.is_none()
}
