//! Relations between assets, and the impact view built on them.
use super::{ImpactReport, ImpactedAsset, Relation, staff_only};
use crate::util::new_id;
use crate::{Result, Scope, Store, StoreError};
use onestop_domain::model::{ImpactEdge, RelationKind, ValidationError, impacted};
use sqlx::Row;
use std::collections::BTreeSet;

impl Store {
    /// Relate `from → to` (`from` runs on / connects to / depends on / is a member of `to`).
    pub async fn create_relation(
        &self,
        scope: &Scope,
        from: &str,
        to: &str,
        kind: &str,
    ) -> Result<Relation> {
        staff_only(scope)?;
        let kind = kind
            .parse::<RelationKind>()
            .map_err(|m| ValidationError::new("kind", m))?;
        if from == to {
            return Err(
                ValidationError::new("to_asset", "an asset cannot relate to itself").into(),
            );
        }
        let (a, b) = (
            self.get_asset(scope, from).await?,
            self.get_asset(scope, to).await?,
        );
        let r = Relation {
            id: new_id(),
            from_asset: a.id,
            to_asset: b.id,
            kind: kind.as_str().into(),
            from_name: a.name,
            to_name: b.name,
        };
        let mut tx = self.write(scope).await?;
        sqlx::query("INSERT INTO asset_relations (id, customer_id, from_asset, to_asset, kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&r.id)
            .bind(&a.customer_id)
            .bind(&r.from_asset)
            .bind(&r.to_asset)
            .bind(&r.kind)
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        tx.audit(
            "relation.create",
            "asset_relation",
            &r.id,
            Some(&a.customer_id),
            None,
            Some(&serde_json::to_value(&r).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Remove a relation; the scope must see the asset it starts from.
    pub async fn delete_relation(&self, scope: &Scope, id: &str) -> Result<()> {
        staff_only(scope)?;
        let row = sqlx::query(
            "SELECT r.id, r.from_asset, r.to_asset, r.kind, a.name, b.name, r.customer_id \
             FROM asset_relations r JOIN assets a ON a.id = r.from_asset \
             JOIN assets b ON b.id = r.to_asset WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let customer: String = row.try_get(6)?;
        if !scope.sees(&customer) {
            return Err(StoreError::NotFound);
        }
        let before = Relation {
            id: row.try_get(0)?,
            from_asset: row.try_get(1)?,
            to_asset: row.try_get(2)?,
            kind: row.try_get(3)?,
            from_name: row.try_get(4)?,
            to_name: row.try_get(5)?,
        };
        let mut tx = self.write(scope).await?;
        sqlx::query("DELETE FROM asset_relations WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            "relation.delete",
            "asset_relation",
            id,
            Some(&customer),
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            None,
        )
        .await?;
        tx.commit().await
    }

    /// Relations in which the asset takes part, either side.
    pub async fn asset_relations(&self, scope: &Scope, asset_id: &str) -> Result<Vec<Relation>> {
        self.get_asset(scope, asset_id).await?;
        let rows = sqlx::query(
            "SELECT r.id, r.from_asset, r.to_asset, r.kind, a.name, b.name FROM asset_relations r \
             JOIN assets a ON a.id = r.from_asset JOIN assets b ON b.id = r.to_asset \
             WHERE r.from_asset = $1 OR r.to_asset = $1 ORDER BY r.kind, a.name",
        )
        .bind(asset_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Relation {
                    id: r.try_get(0)?,
                    from_asset: r.try_get(1)?,
                    to_asset: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    from_name: r.try_get(4)?,
                    to_name: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Everything that needs `asset_id`, transitively, with the customers and services touched.
    /// A customer's user sees only its own assets in the result.
    pub async fn impact(&self, scope: &Scope, asset_id: &str) -> Result<ImpactReport> {
        self.get_asset(scope, asset_id).await?;
        // Walk outward level by level, loading only the edges that point at the frontier.
        let mut edges: Vec<ImpactEdge> = Vec::new();
        let mut frontier = vec![asset_id.to_string()];
        let mut seen: BTreeSet<String> = BTreeSet::from([asset_id.to_string()]);
        while !frontier.is_empty() {
            let params: Vec<String> = (1..=frontier.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT from_asset, to_asset FROM asset_relations WHERE to_asset IN ({})",
                params.join(",")
            );
            let mut q = sqlx::query(&sql);
            for f in &frontier {
                q = q.bind(f.as_str());
            }
            let mut next = Vec::new();
            for r in q.fetch_all(&self.pool).await? {
                let (from, to): (String, String) = (r.try_get(0)?, r.try_get(1)?);
                if seen.insert(from.clone()) {
                    next.push(from.clone());
                }
                edges.push(ImpactEdge { from, to });
            }
            frontier = next;
        }
        let mut report = ImpactReport {
            asset_id: asset_id.into(),
            impacted: vec![],
            customers: vec![],
            services: vec![],
        };
        let (mut customers, mut services) = (BTreeSet::new(), BTreeSet::new());
        for (id, depth) in impacted(asset_id, &edges) {
            let Ok(a) = self.get_asset(scope, &id).await else {
                continue;
            };
            customers.insert(a.customer_id.clone());
            if a.kind == "service" {
                services.insert(a.name.clone());
            }
            report.impacted.push(ImpactedAsset {
                id: a.id,
                name: a.name,
                kind: a.kind,
                customer_id: a.customer_id,
                depth,
            });
        }
        report.customers = customers.into_iter().collect();
        report.services = services.into_iter().collect();
        Ok(report)
    }
}
