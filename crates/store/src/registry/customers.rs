//! Customers, their contacts and their sites.
use super::{Customer, CustomerInput, CustomerQuery, Page, staff_only};
use crate::scope::Filter;
use crate::util::{from_json, new_id, to_json};
use crate::{Result, Scope, Store, StoreError};
use onestop_domain::model::{ValidationError, valid_name};
use sqlx::{Row, any::AnyRow};

const CUSTOMER_COLS: &str =
    "id, name, code, domains, notes, ase_id, cse_id, ce_ids, created_at, updated_at";

fn customer_from_row(r: &AnyRow) -> Result<Customer> {
    Ok(Customer {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        code: r.try_get("code")?,
        domains: from_json(&r.try_get::<String, _>("domains")?),
        notes: r.try_get("notes")?,
        ase_id: r.try_get("ase_id")?,
        cse_id: r.try_get("cse_id")?,
        ce_ids: from_json(&r.try_get::<String, _>("ce_ids")?),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub(crate) fn page_bounds(page: Option<i64>, per_page: Option<i64>) -> (i64, i64) {
    (
        page.unwrap_or(1).max(1),
        per_page.unwrap_or(50).clamp(1, 200),
    )
}

/// `sort` like `-name` → ("name", "DESC") when `name` is allowed; else the default.
pub(crate) fn order_by(sort: Option<&str>, allowed: &[&str], default: &str) -> String {
    let s = sort.unwrap_or(default);
    let (col, dir) = match s.strip_prefix('-') {
        Some(c) => (c, "DESC"),
        None => (s, "ASC"),
    };
    let col = if allowed.contains(&col) { col } else { default };
    format!("{col} {dir}")
}

impl Customer {
    fn apply(&mut self, i: CustomerInput) -> Result<()> {
        if let Some(n) = i.name {
            self.name = valid_name("name", &n)?;
        }
        if let Some(c) = i.code {
            self.code = Some(c.trim().to_string()).filter(|c| !c.is_empty());
        }
        if let Some(d) = i.domains {
            self.domains = d
                .iter()
                .map(|d| d.trim().to_lowercase())
                .filter(|d| !d.is_empty())
                .collect();
        }
        if let Some(n) = i.notes {
            self.notes = n;
        }
        if i.ase_id.is_some() {
            self.ase_id = i.ase_id.filter(|s| !s.is_empty());
        }
        if i.cse_id.is_some() {
            self.cse_id = i.cse_id.filter(|s| !s.is_empty());
        }
        if let Some(c) = i.ce_ids {
            self.ce_ids = c;
        }
        Ok(())
    }
}

impl Store {
    pub async fn list_customers(&self, scope: &Scope, q: &CustomerQuery) -> Result<Page<Customer>> {
        let mut f = Filter::scoped(scope, "id");
        if let Some(t) = q.q.as_deref().filter(|t| !t.is_empty()) {
            f.contains_any(&["name", "code"], t);
        }
        let (page, per) = page_bounds(q.page, q.per_page);
        let order = order_by(
            q.sort.as_deref(),
            &["name", "created_at", "updated_at"],
            "name",
        );
        f.page(
            &self.pool,
            "customers",
            CUSTOMER_COLS,
            &order,
            (page, per),
            customer_from_row,
        )
        .await
    }

    pub async fn get_customer(&self, scope: &Scope, id: &str) -> Result<Customer> {
        let mut f = Filter::scoped(scope, "id");
        f.eq("id", id);
        let row = f
            .query(&format!("SELECT {CUSTOMER_COLS} FROM customers{}", f.sql))
            .fetch_optional(&self.pool)
            .await?;
        customer_from_row(&row.ok_or(StoreError::NotFound)?)
    }

    pub async fn create_customer(&self, scope: &Scope, input: CustomerInput) -> Result<Customer> {
        staff_only(scope)?;
        let name = input
            .name
            .clone()
            .ok_or_else(|| ValidationError::new("name", "is required"))?;
        let mut c = Customer {
            id: new_id(),
            name,
            code: None,
            domains: vec![],
            notes: String::new(),
            ase_id: None,
            cse_id: None,
            ce_ids: vec![],
            created_at: 0,
            updated_at: 0,
        };
        c.apply(input)?;
        let mut tx = self.write(scope).await?;
        c.created_at = tx.now;
        c.updated_at = tx.now;
        self.save_customer(&mut tx, &c, true).await?;
        tx.audit(
            "customer.create",
            "customer",
            &c.id,
            Some(&c.id),
            None,
            Some(&serde_json::to_value(&c).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn update_customer(
        &self,
        scope: &Scope,
        id: &str,
        input: CustomerInput,
    ) -> Result<Customer> {
        staff_only(scope)?;
        let before = self.get_customer(scope, id).await?;
        let mut c = before.clone();
        c.apply(input)?;
        let mut tx = self.write(scope).await?;
        c.updated_at = tx.now;
        self.save_customer(&mut tx, &c, false).await?;
        let (b, a) = (
            serde_json::to_value(&before).unwrap_or_default(),
            serde_json::to_value(&c).unwrap_or_default(),
        );
        tx.audit(
            "customer.update",
            "customer",
            id,
            Some(id),
            Some(&b),
            Some(&a),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    async fn save_customer(
        &self,
        tx: &mut crate::WriteTx,
        c: &Customer,
        insert: bool,
    ) -> Result<()> {
        let sql = if insert {
            "INSERT INTO customers (name, code, domains, notes, ase_id, cse_id, ce_ids, created_at, updated_at, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        } else {
            "UPDATE customers SET name = $1, code = $2, domains = $3, notes = $4, ase_id = $5, cse_id = $6, ce_ids = $7, created_at = $8, updated_at = $9 WHERE id = $10"
        };
        sqlx::query(sql)
            .bind(&c.name)
            .bind(&c.code)
            .bind(to_json(&c.domains))
            .bind(&c.notes)
            .bind(&c.ase_id)
            .bind(&c.cse_id)
            .bind(to_json(&c.ce_ids))
            .bind(c.created_at)
            .bind(c.updated_at)
            .bind(&c.id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Delete a customer that has no assets, contacts, sites or users left.
    pub async fn delete_customer(&self, scope: &Scope, id: &str) -> Result<()> {
        staff_only(scope)?;
        let before = self.get_customer(scope, id).await?;
        let mut tx = self.write(scope).await?;
        for table in ["assets", "contacts", "sites", "users"] {
            let n: i64 = sqlx::query(&format!(
                "SELECT COUNT(*) FROM {table} WHERE customer_id = $1"
            ))
            .bind(id)
            .fetch_one(tx.conn())
            .await?
            .try_get(0)?;
            if n > 0 {
                return Err(StoreError::Conflict(format!(
                    "the customer still has {n} {table}; remove them first"
                )));
            }
        }
        sqlx::query("DELETE FROM customers WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        tx.audit(
            "customer.delete",
            "customer",
            id,
            Some(id),
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            None,
        )
        .await?;
        tx.commit().await
    }
}

impl Store {
    /// Names of the given customers the scope may see, in one query (for lists of assets).
    pub async fn customer_names(
        &self,
        scope: &Scope,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, String>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let f = Filter::scoped(scope, "id");
        let first = f.args.len() + 1;
        let params: Vec<String> = (first..first + ids.len())
            .map(|i| format!("${i}"))
            .collect();
        let sql = format!(
            "SELECT id, name FROM customers{} AND id IN ({})",
            f.sql,
            params.join(", ")
        );
        let mut q = f.query(&sql);
        for id in ids {
            q = q.bind(id.as_str());
        }
        let mut out = std::collections::HashMap::new();
        for r in q.fetch_all(&self.pool).await? {
            out.insert(r.try_get(0)?, r.try_get(1)?);
        }
        Ok(out)
    }
}
