//! Patch installation (Proxy work): a work order planned from open findings for chosen hosts
//! and packages in a window agreed with the customer. The customer's approval (a portal user
//! with the sign-off role, or recorded by staff) creates one maintenance window per host, which
//! silences their alerts; the record compares the versions before with the inventory after,
//! lists the findings closed and says whether a reboot is pending.
use super::orders::{NewWorkOrder, insert};
use super::{
    PatchHostRecord, PatchPackageRecord, PatchPlanInput, PatchRecord, SignoffInput, WorkOrder,
    invalid,
};
use crate::desk::staff_only;
use crate::util::new_id;
use crate::{FindingQuery, Result, Scope, Store, StoreError};
use serde_json::{Value, json};
use std::collections::BTreeMap;

impl Store {
    /// Plan a patch installation (staff).
    pub async fn plan_patch_installation(
        &self,
        scope: &Scope,
        i: PatchPlanInput,
    ) -> Result<WorkOrder> {
        staff_only(scope)?;
        self.ensure_customer(scope, &i.customer_id).await?;
        if i.host_ids.is_empty() {
            return Err(invalid("host_ids", "choose at least one host"));
        }
        if i.ends_at <= i.starts_at {
            return Err(invalid("ends_at", "must be after starts_at"));
        }
        let wanted: Option<Vec<String>> = i.packages.clone().filter(|p| !p.is_empty());
        let mut hosts = vec![];
        for h in &i.host_ids {
            let asset = self
                .get_asset(scope, h)
                .await
                .map_err(|_| invalid("host_ids", format!("`{h}` is not a host")))?;
            if asset.customer_id != i.customer_id {
                return Err(invalid(
                    "host_ids",
                    format!("`{h}` belongs to another customer"),
                ));
            }
            let q = FindingQuery {
                host: Some(h.clone()),
                state: Some("open".into()),
                per_page: Some(500),
                ..Default::default()
            };
            let findings = self.list_findings(scope, &q).await?.items;
            let installed = self.host_packages(scope, h).await.unwrap_or_default();
            let mut packages: BTreeMap<String, Value> = BTreeMap::new();
            for f in findings
                .iter()
                .filter(|f| wanted.as_ref().is_none_or(|w| w.contains(&f.package)))
            {
                let e = packages.entry(f.package.clone()).or_insert_with(|| {
                    let before = installed.iter().find(|p| p.name == f.package).map(|p| p.version.clone());
                    json!({"name": f.package, "before": before, "wanted": f.fixed_version, "findings": []})
                });
                if let Some(list) = e["findings"].as_array_mut() {
                    list.push(json!(f.id));
                }
                if e["wanted"].is_null()
                    || f.fixed_version
                        .as_deref()
                        .is_some_and(|v| Some(v) > e["wanted"].as_str())
                {
                    e["wanted"] = json!(f.fixed_version);
                }
            }
            if let Some(w) = &wanted {
                for p in w {
                    packages.entry(p.clone()).or_insert_with(|| {
                        let before = installed
                            .iter()
                            .find(|x| &x.name == p)
                            .map(|x| x.version.clone());
                        json!({"name": p, "before": before, "wanted": null, "findings": []})
                    });
                }
            }
            if packages.is_empty() {
                return Err(invalid(
                    "host_ids",
                    format!("`{}` has no open finding to patch", asset.name),
                ));
            }
            hosts.push(json!({"host_id": h, "name": asset.name, "packages": packages.into_values().collect::<Vec<_>>()}));
        }
        let n_packages: usize = hosts
            .iter()
            .map(|h| h["packages"].as_array().map_or(0, Vec::len))
            .sum();
        let title = i
            .title
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| {
                format!(
                    "Patch installation: {} packages on {} hosts",
                    n_packages,
                    hosts.len()
                )
            });
        let template = self.get_template("patch_installation").await.ok();
        let mut tx = self.write(scope).await?;
        if let Some(a) = i.assignee_id.as_deref().filter(|a| !a.is_empty()) {
            super::orders::check_assignee(tx.conn(), a).await?;
        }
        let id = insert(
            &mut tx,
            NewWorkOrder {
                customer_id: i.customer_id.clone(),
                contract_id: None,
                activity_id: None,
                ticket_id: None,
                kind: "patch",
                title,
                description: "Awaiting the customer's approval of the maintenance window.".into(),
                template: template.as_ref().map(|t| t.code.clone()),
                assets: i.host_ids.clone(),
                owner_role: Some("cse".into()),
                assignee_id: i.assignee_id.filter(|a| !a.is_empty()),
                start: i.starts_at,
                end: i.ends_at,
                patch: Some(json!({"hosts": hosts, "maintenance_ids": []})),
            },
            template.as_ref().map(|t| &t.items[..]).unwrap_or(&[]),
        )
        .await?;
        tx.commit().await?;
        self.get_work_order(scope, &id).await
    }

    /// The customer approves the patch installation: by a portal user with the sign-off role,
    /// or recorded by staff with the approver's name. Creates the maintenance windows.
    pub async fn approve_patch(
        &self,
        scope: &Scope,
        id: &str,
        i: SignoffInput,
    ) -> Result<WorkOrder> {
        let before = self.get_work_order(scope, id).await?;
        if before.kind != "patch" {
            return Err(invalid("id", "is not a patch installation"));
        }
        if before.approved_at.is_some() {
            return Err(StoreError::Conflict("already approved".into()));
        }
        if !super::orders::is_active(&before.status) {
            return Err(StoreError::Conflict(format!(
                "the work order is {}",
                before.status
            )));
        }
        let approver = match scope {
            Scope::Customer {
                user_id, username, ..
            } => {
                if !self.is_signer(user_id).await? {
                    return Err(StoreError::Forbidden(
                        "you do not have the sign-off role".into(),
                    ));
                }
                username.clone()
            }
            _ => {
                let name = i
                    .name
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| {
                        invalid(
                            "name",
                            "the approver's name is required when staff record an approval",
                        )
                    })?;
                format!("{name} (recorded by {})", scope.actor())
            }
        };
        let mut w = before.clone();
        let mut tx = self.write(scope).await?;
        let mut windows = vec![];
        for h in &w.assets {
            let mid = new_id();
            sqlx::query("INSERT INTO maintenance_windows (id, customer_id, host_id, starts_at, ends_at, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(&mid)
                .bind(&w.customer_id)
                .bind(h)
                .bind(w.scheduled_start)
                .bind(w.scheduled_end)
                .bind(format!("{} {}", w.number, w.title))
                .bind(scope.actor())
                .bind(tx.now)
                .execute(tx.conn())
                .await?;
            tx.audit("maintenance.create", "maintenance_window", &mid, Some(&w.customer_id), None, Some(&json!({"host_id": h, "starts_at": w.scheduled_start, "ends_at": w.scheduled_end, "work_order": w.number})))
                .await?;
            windows.push(mid);
        }
        let mut patch = w.patch.clone().unwrap_or_else(|| json!({}));
        patch["maintenance_ids"] = json!(windows);
        w.patch = Some(patch);
        w.approved_by = Some(approver);
        w.approved_at = Some(tx.now);
        w.maintenance_id = windows.first().cloned();
        sqlx::query("UPDATE work_orders SET approved_by = $1, approved_at = $2, maintenance_id = $3, patch_json = $4, updated_at = $2 WHERE id = $5")
            .bind(&w.approved_by)
            .bind(w.approved_at)
            .bind(&w.maintenance_id)
            .bind(w.patch.as_ref().map(|p| p.to_string()))
            .bind(id)
            .execute(tx.conn())
            .await?;
        super::orders::audit_change(&mut tx, "work_order.approve", &before, &w).await?;
        tx.commit().await?;
        self.get_work_order(scope, id).await
    }

    /// What the installation did, from the inventory history since the window opened.
    pub async fn patch_record(&self, scope: &Scope, id: &str) -> Result<PatchRecord> {
        let w = self.get_work_order(scope, id).await?;
        let Some(patch) = &w.patch else {
            return Err(invalid("id", "is not a patch installation"));
        };
        let mut hosts = vec![];
        for h in patch["hosts"].as_array().cloned().unwrap_or_default() {
            let host_id = h["host_id"].as_str().unwrap_or_default().to_string();
            let ev = self
                .patch_evidence(scope, &host_id, w.scheduled_start, i64::MAX)
                .await?;
            let installed = self
                .host_packages(scope, &host_id)
                .await
                .unwrap_or_default();
            let packages = h["packages"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|p| {
                    let name = p["name"].as_str().unwrap_or_default().to_string();
                    let after = installed
                        .iter()
                        .filter(|x| x.name == name)
                        .map(|x| x.version.clone())
                        .max();
                    PatchPackageRecord {
                        before: p["before"].as_str().map(Into::into),
                        wanted: p["wanted"].as_str().map(Into::into),
                        after,
                        name,
                    }
                })
                .collect();
            hosts.push(PatchHostRecord {
                host_name: ev.host_name,
                host_id,
                packages,
                findings_closed: ev
                    .findings_closed
                    .iter()
                    .map(|f| format!("{} {}", f.advisory_id, f.package))
                    .collect(),
                findings_open: ev.findings_open,
                reboot_pending: ev.reboot_pending,
                kernel_running: ev.kernel_running,
                newest_kernel: ev.newest_kernel,
            });
        }
        Ok(PatchRecord {
            work_order_id: w.id,
            hosts,
        })
    }
}
