//! Assets: create, change, list with filters, sort and pages, and coming expiries.
use super::customers::{order_by, page_bounds};
use super::{Asset, AssetInput, AssetQuery, Expiry, Page, staff_only};
use crate::scope::Filter;
use crate::util::new_id;
use crate::{Result, Scope, Store, StoreError, WriteTx};
use onestop_domain::model::{
    AssetKind, AssetStatus, Criticality, ValidationError, valid_date, valid_name,
};
use sqlx::{Row, any::AnyRow};

pub(crate) const ASSET_COLS: &str = "id, customer_id, site_id, name, kind, model, vendor, serial, os, ip_addresses, location, rack, owner, \
     support_contract, support_expiry, warranty_expiry, criticality, status, attributes, created_at, updated_at";

pub(crate) fn asset_from_row(r: &AnyRow) -> Result<Asset> {
    let attrs: String = r.try_get("attributes")?;
    Ok(Asset {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        site_id: r.try_get("site_id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        model: r.try_get("model")?,
        vendor: r.try_get("vendor")?,
        serial: r.try_get("serial")?,
        os: r.try_get("os")?,
        ip_addresses: r.try_get("ip_addresses")?,
        location: r.try_get("location")?,
        rack: r.try_get("rack")?,
        owner: r.try_get("owner")?,
        support_contract: r.try_get("support_contract")?,
        support_expiry: r.try_get("support_expiry")?,
        warranty_expiry: r.try_get("warranty_expiry")?,
        criticality: r.try_get("criticality")?,
        status: r.try_get("status")?,
        attributes: serde_json::from_str(&attrs).unwrap_or_default(),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The columns written on every insert and update, in binding order (see [`bind_editable`]).
const EDITABLE: [&str; 18] = [
    "site_id",
    "name",
    "kind",
    "model",
    "vendor",
    "serial",
    "os",
    "ip_addresses",
    "location",
    "rack",
    "owner",
    "support_contract",
    "support_expiry",
    "warranty_expiry",
    "criticality",
    "status",
    "attributes",
    "search",
];

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Bind the [`EDITABLE`] columns of `a`, then `updated_at`.
fn bind_editable<'q>(q: AnyQuery<'q>, a: &'q Asset) -> AnyQuery<'q> {
    let text = [
        &a.name,
        &a.kind,
        &a.model,
        &a.vendor,
        &a.serial,
        &a.os,
        &a.ip_addresses,
        &a.location,
        &a.rack,
        &a.owner,
        &a.support_contract,
    ];
    let mut q = q.bind(&a.site_id);
    for t in text {
        q = q.bind(t);
    }
    q.bind(&a.support_expiry)
        .bind(&a.warranty_expiry)
        .bind(&a.criticality)
        .bind(&a.status)
        .bind(a.attributes.to_string())
        .bind(a.search_text())
        .bind(a.updated_at)
}

fn opt_date(field: &str, v: String) -> Result<Option<String>> {
    let v = v.trim().to_string();
    if v.is_empty() {
        Ok(None)
    } else {
        Ok(Some(valid_date(field, &v)?))
    }
}

impl Asset {
    /// What a search looks in: name, serial, model and addresses, lower-cased.
    fn search_text(&self) -> String {
        format!(
            "{} {} {} {}",
            self.name, self.serial, self.model, self.ip_addresses
        )
        .to_lowercase()
    }

    /// A blank asset of `customer_id`, to which an input is then applied.
    pub fn blank(customer_id: &str) -> Asset {
        Asset {
            id: new_id(),
            customer_id: customer_id.into(),
            site_id: None,
            name: String::new(),
            kind: String::new(),
            model: String::new(),
            vendor: String::new(),
            serial: String::new(),
            os: String::new(),
            ip_addresses: String::new(),
            location: String::new(),
            rack: String::new(),
            owner: String::new(),
            support_contract: String::new(),
            support_expiry: None,
            warranty_expiry: None,
            criticality: Criticality::Medium.as_str().into(),
            status: AssetStatus::InService.as_str().into(),
            attributes: serde_json::json!({}),
            created_at: 0,
            updated_at: 0,
        }
    }

    /// Apply and validate an input; every rejected field is reported.
    pub fn apply(&mut self, i: AssetInput) -> std::result::Result<(), Vec<ValidationError>> {
        let mut errs = Vec::new();
        let mut keep = |r: std::result::Result<(), ValidationError>| {
            if let Err(e) = r {
                errs.push(e)
            }
        };
        if let Some(n) = i.name {
            keep(valid_name("name", &n).map(|n| self.name = n));
        }
        if let Some(k) = i.kind {
            keep(
                k.trim()
                    .parse::<AssetKind>()
                    .map(|k| self.kind = k.as_str().into())
                    .map_err(|m| ValidationError::new("kind", m)),
            );
        }
        if let Some(c) = i.criticality {
            keep(
                c.trim()
                    .parse::<Criticality>()
                    .map(|c| self.criticality = c.as_str().into())
                    .map_err(|m| ValidationError::new("criticality", m)),
            );
        }
        if let Some(s) = i.status {
            keep(
                s.trim()
                    .parse::<AssetStatus>()
                    .map(|s| self.status = s.as_str().into())
                    .map_err(|m| ValidationError::new("status", m)),
            );
        }
        if let Some(d) = i.support_expiry {
            match opt_date("support_expiry", d) {
                Ok(d) => self.support_expiry = d,
                Err(StoreError::Invalid(e)) => errs.push(e),
                Err(_) => {}
            }
        }
        if let Some(d) = i.warranty_expiry {
            match opt_date("warranty_expiry", d) {
                Ok(d) => self.warranty_expiry = d,
                Err(StoreError::Invalid(e)) => errs.push(e),
                Err(_) => {}
            }
        }
        if let Some(a) = i.attributes {
            if a.is_object() {
                self.attributes = a
            } else {
                errs.push(ValidationError::new("attributes", "must be a JSON object"))
            }
        }
        if i.site_id.is_some() {
            self.site_id = i.site_id.filter(|s| !s.is_empty());
        }
        for (slot, v) in [
            (&mut self.model, i.model),
            (&mut self.vendor, i.vendor),
            (&mut self.serial, i.serial),
            (&mut self.os, i.os),
            (&mut self.ip_addresses, i.ip_addresses),
            (&mut self.location, i.location),
            (&mut self.rack, i.rack),
            (&mut self.owner, i.owner),
            (&mut self.support_contract, i.support_contract),
        ] {
            if let Some(v) = v {
                *slot = v.trim().to_string();
            }
        }
        if self.name.is_empty() && !errs.iter().any(|e| e.field == "name") {
            errs.push(ValidationError::new("name", "is required"));
        }
        if self.kind.is_empty() && !errs.iter().any(|e| e.field == "kind") {
            errs.push(ValidationError::new("kind", "is required"));
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

fn first_error(errs: Vec<ValidationError>) -> StoreError {
    StoreError::Invalid(
        errs.into_iter()
            .next()
            .unwrap_or_else(|| ValidationError::new("asset", "invalid")),
    )
}

impl Store {
    pub async fn list_assets(&self, scope: &Scope, q: &AssetQuery) -> Result<Page<Asset>> {
        let mut f = Filter::scoped(scope, "customer_id");
        for (col, v) in [
            ("customer_id", &q.customer_id),
            ("kind", &q.kind),
            ("status", &q.status),
            ("criticality", &q.criticality),
            ("site_id", &q.site_id),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                f.eq(col, v);
            }
        }
        if let Some(t) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            if self.backend() == crate::Backend::Sqlite && t.chars().count() >= 3 {
                // Trigram index: a quoted phrase matches any substring of three or more characters.
                let phrase = format!("\"{}\"", t.to_lowercase().replace('"', "\"\""));
                f.raw(
                    "rowid IN (SELECT rowid FROM assets_fts WHERE assets_fts MATCH {})",
                    &phrase,
                );
            } else {
                f.contains_lowered("search", t);
            }
        }
        let (page, per) = page_bounds(q.page, q.per_page);
        let allowed = [
            "name",
            "kind",
            "criticality",
            "status",
            "updated_at",
            "created_at",
            "warranty_expiry",
            "support_expiry",
        ];
        let order = order_by(q.sort.as_deref(), &allowed, "name");
        f.page(
            &self.pool,
            "assets",
            ASSET_COLS,
            &order,
            (page, per),
            asset_from_row,
        )
        .await
    }

    pub async fn get_asset(&self, scope: &Scope, id: &str) -> Result<Asset> {
        let mut f = Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let row = f
            .query(&format!("SELECT {ASSET_COLS} FROM assets{}", f.sql))
            .fetch_optional(&self.pool)
            .await?;
        asset_from_row(&row.ok_or(StoreError::NotFound)?)
    }

    pub async fn create_asset(
        &self,
        scope: &Scope,
        customer_id: &str,
        input: AssetInput,
    ) -> Result<Asset> {
        staff_only(scope)?;
        self.ensure_customer(scope, customer_id).await?;
        let mut a = Asset::blank(customer_id);
        a.apply(input).map_err(first_error)?;
        let mut tx = self.write(scope).await?;
        insert_assets(&mut tx, std::slice::from_mut(&mut a)).await?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn update_asset(&self, scope: &Scope, id: &str, input: AssetInput) -> Result<Asset> {
        staff_only(scope)?;
        let before = self.get_asset(scope, id).await?;
        let mut a = before.clone();
        a.apply(input).map_err(first_error)?;
        let mut tx = self.write(scope).await?;
        check_site(&mut tx, &a).await?;
        a.updated_at = tx.now;
        let sql = format!(
            "UPDATE assets SET {}, updated_at = ${} WHERE id = ${}",
            EDITABLE
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ${}", i + 1))
                .collect::<Vec<_>>()
                .join(", "),
            EDITABLE.len() + 1,
            EDITABLE.len() + 2
        );
        bind_editable(sqlx::query(&sql), &a)
            .bind(&a.id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let (b, af) = (
            serde_json::to_value(&before).unwrap_or_default(),
            serde_json::to_value(&a).unwrap_or_default(),
        );
        tx.audit(
            "asset.update",
            "asset",
            id,
            Some(&a.customer_id),
            Some(&b),
            Some(&af),
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// Warranty and support expiries on or before `until` (YYYY-MM-DD), soonest first.
    pub async fn expiries(&self, scope: &Scope, until: &str, limit: i64) -> Result<Vec<Expiry>> {
        let mut out = Vec::new();
        for (col, what) in [
            ("warranty_expiry", "warranty"),
            ("support_expiry", "support"),
        ] {
            let mut f = Filter::scoped(scope, "customer_id");
            f.raw(&format!("{col} IS NOT NULL AND {col} <= {{}}"), until)
                .raw("status = {}", "in_service");
            let sql = format!(
                "SELECT id, name, customer_id, {col} FROM assets{} ORDER BY {col} LIMIT {limit}",
                f.sql
            );
            for r in f.query(&sql).fetch_all(&self.pool).await? {
                out.push(Expiry {
                    asset_id: r.try_get(0)?,
                    asset_name: r.try_get(1)?,
                    customer_id: r.try_get(2)?,
                    what: what.into(),
                    date: r.try_get(3)?,
                });
            }
        }
        out.sort_by(|a, b| a.date.cmp(&b.date));
        out.truncate(limit as usize);
        Ok(out)
    }
}

async fn check_site(tx: &mut WriteTx, a: &Asset) -> Result<()> {
    if let Some(site) = &a.site_id {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM sites WHERE id = $1 AND customer_id = $2")
            .bind(site)
            .bind(&a.customer_id)
            .fetch_one(tx.conn())
            .await?
            .try_get(0)?;
        if n == 0 {
            return Err(ValidationError::new("site_id", "is not a site of this customer").into());
        }
    }
    Ok(())
}

/// Insert validated assets with one audit entry each, inside the caller's transaction.
pub(crate) async fn insert_assets(tx: &mut WriteTx, assets: &mut [Asset]) -> Result<()> {
    for a in assets.iter_mut() {
        check_site(tx, a).await?;
        a.created_at = tx.now;
        a.updated_at = tx.now;
        let params: Vec<String> = (1..=EDITABLE.len() + 4).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO assets ({}, updated_at, id, customer_id, created_at) VALUES ({})",
            EDITABLE.join(", "),
            params.join(", ")
        );
        bind_editable(sqlx::query(&sql), a)
            .bind(&a.id)
            .bind(&a.customer_id)
            .bind(a.created_at)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let after = serde_json::to_value(&*a).unwrap_or_default();
        tx.audit(
            "asset.create",
            "asset",
            &a.id,
            Some(&a.customer_id),
            None,
            Some(&after),
        )
        .await?;
    }
    Ok(())
}
