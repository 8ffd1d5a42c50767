//! Evidence of patching for a host and period: the package changes, the findings seen fixed,
//! and whether a reboot is still pending (running kernel older than the newest installed).
use super::Evidence;
use super::findings::finding_from_row;
use crate::{Result, Scope, Store};

impl Store {
    /// Evidence for `host_id` over `[from, to)` (ms since the epoch).
    pub async fn patch_evidence(
        &self,
        scope: &Scope,
        host_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Evidence> {
        let asset = self.get_asset(scope, host_id).await?;
        let changes = self.package_changes(scope, host_id, from, to).await?;
        let inv = self.host_inventory(scope, host_id).await.ok();
        let closed = sqlx::query(&format!(
            "SELECT {} FROM {} WHERE host_id = $1 AND state = 'fixed' AND fixed_at >= $2 AND fixed_at < $3 \
             ORDER BY fixed_at, package, advisory_id",
            super::findings::COLS_PUB,
            super::findings::VIEW_PUB
        ))
        .bind(host_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(finding_from_row)
        .collect::<Result<Vec<_>>>()?;
        let open: i64 = sqlx::Row::try_get(
            &sqlx::query("SELECT COUNT(*) FROM findings WHERE host_id = $1 AND state = 'open'")
                .bind(host_id)
                .fetch_one(&self.pool)
                .await?,
            0,
        )?;
        Ok(Evidence {
            host_id: host_id.into(),
            host_name: asset.name,
            from,
            to,
            changes,
            findings_closed: closed,
            findings_open: open,
            kernel_running: inv
                .as_ref()
                .map(|i| i.kernel_running.clone())
                .unwrap_or_default(),
            newest_kernel: inv.as_ref().and_then(|i| i.newest_kernel.clone()),
            reboot_pending: inv.is_some_and(|i| i.reboot_required),
        })
    }
}
