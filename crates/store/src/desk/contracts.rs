//! Contracts: term, business calendar, SLA budgets and included services.
use super::staff_only;
use super::{Contract, ContractInput, ContractQuery};
use crate::registry::{Page, page_bounds};
use crate::scope::Filter;
use crate::util::{from_json, new_id, now_ms, to_json};
use crate::{Result, Scope, Store, StoreError};
use chrono::{Months, NaiveDate};
use onestop_domain::calendar::Calendar;
use onestop_domain::model::{ValidationError, valid_date, valid_name};
use sqlx::{Row, any::AnyRow};

const CONTRACT_COLS: &str = "id, customer_id, name, starts_on, ends_on, renewal_notice_days, calendar_toml, sla_json, critical_procedure, services_json, created_at, updated_at";

fn contract_from_row(r: &AnyRow) -> Result<Contract> {
    Ok(Contract {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        name: r.try_get("name")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        renewal_notice_days: r.try_get("renewal_notice_days")?,
        calendar_toml: r.try_get("calendar_toml")?,
        sla: from_json(&r.try_get::<String, _>("sla_json")?),
        critical_procedure: r.try_get("critical_procedure")?,
        services: from_json(&r.try_get::<String, _>("services_json")?),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn date(field: &str, v: &str) -> Result<NaiveDate> {
    let v = valid_date(field, v)?;
    NaiveDate::parse_from_str(&v, "%Y-%m-%d")
        .map_err(|_| ValidationError::new(field, "is not a date (YYYY-MM-DD)").into())
}

/// The business calendar of a contract's text, or 24x365.
pub(crate) fn calendar_of(toml: Option<&str>) -> Result<Calendar> {
    match toml {
        None => Ok(Calendar::always()),
        Some(t) => Calendar::from_toml(t)
            .map_err(|e| ValidationError::new("calendar_toml", e.to_string()).into()),
    }
}

impl Contract {
    fn apply(&mut self, i: ContractInput) -> Result<()> {
        if let Some(c) = i.customer_id
            && c != self.customer_id
        {
            return Err(ValidationError::new("customer_id", "cannot change").into());
        }
        if let Some(n) = i.name {
            self.name = valid_name("name", &n)?;
        }
        let starts_given = i.starts_on.is_some();
        if let Some(s) = i.starts_on {
            self.starts_on = date("starts_on", &s)?.to_string();
        }
        match i.ends_on {
            Some(e) => self.ends_on = date("ends_on", &e)?.to_string(),
            None if starts_given && self.created_at == 0 => {
                self.ends_on = default_end(&self.starts_on)?;
            }
            None => {}
        }
        if self.ends_on < self.starts_on {
            return Err(ValidationError::new("ends_on", "is before starts_on").into());
        }
        if let Some(d) = i.renewal_notice_days {
            if !(0..=3650).contains(&d) {
                return Err(ValidationError::new(
                    "renewal_notice_days",
                    "must be between 0 and 3650",
                )
                .into());
            }
            self.renewal_notice_days = d;
        }
        if let Some(t) = i.calendar_toml {
            let t = Some(t).filter(|t| !t.trim().is_empty());
            calendar_of(t.as_deref())?;
            self.calendar_toml = t;
        }
        if let Some(s) = i.sla {
            s.check().map_err(|m| ValidationError::new("sla", m))?;
            self.sla = s;
        }
        if let Some(p) = i.critical_procedure {
            self.critical_procedure = p;
        }
        if let Some(services) = i.services {
            // Checked against the catalog by `Store::resolve_services` before saving.
            self.services = services;
        }
        Ok(())
    }
}

/// One year after `starts_on`, less a day.
fn default_end(starts_on: &str) -> Result<String> {
    let s = date("starts_on", starts_on)?;
    s.checked_add_months(Months::new(12))
        .and_then(|d| d.pred_opt())
        .map(|d| d.to_string())
        .ok_or_else(|| ValidationError::new("starts_on", "is out of range").into())
}

impl Store {
    pub async fn create_contract(&self, scope: &Scope, input: ContractInput) -> Result<Contract> {
        staff_only(scope)?;
        let customer_id = input
            .customer_id
            .clone()
            .ok_or_else(|| ValidationError::new("customer_id", "is required"))?;
        self.ensure_customer(scope, &customer_id).await?;
        let name = input
            .name
            .clone()
            .ok_or_else(|| ValidationError::new("name", "is required"))?;
        let today = chrono::DateTime::from_timestamp_millis(now_ms())
            .unwrap_or_default()
            .date_naive()
            .to_string();
        let mut c = Contract {
            id: new_id(),
            customer_id,
            name,
            ends_on: default_end(&today)?,
            starts_on: today,
            renewal_notice_days: 60,
            calendar_toml: None,
            sla: Default::default(),
            critical_procedure: String::new(),
            services: vec![],
            created_at: 0,
            updated_at: 0,
        };
        c.apply(input)?;
        self.resolve_services(&mut c.services, &c.starts_on).await?;
        let mut tx = self.write(scope).await?;
        c.created_at = tx.now;
        c.updated_at = tx.now;
        save(&mut tx, &c, true).await?;
        tx.audit(
            "contract.create",
            "contract",
            &c.id,
            Some(&c.customer_id),
            None,
            Some(&serde_json::to_value(&c).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn get_contract(&self, scope: &Scope, id: &str) -> Result<Contract> {
        let mut f = Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let row = f
            .query(&format!("SELECT {CONTRACT_COLS} FROM contracts{}", f.sql))
            .fetch_optional(&self.pool)
            .await?;
        contract_from_row(&row.ok_or(StoreError::NotFound)?)
    }

    pub async fn list_contracts(&self, scope: &Scope, q: &ContractQuery) -> Result<Page<Contract>> {
        let mut f = Filter::scoped(scope, "customer_id");
        if let Some(c) = q.customer_id.as_deref().filter(|c| !c.is_empty()) {
            f.eq("customer_id", c);
        }
        let (page, per) = page_bounds(q.page, q.per_page);
        f.page(
            &self.pool,
            "contracts",
            CONTRACT_COLS,
            "starts_on DESC",
            (page, per),
            contract_from_row,
        )
        .await
    }

    pub async fn update_contract(
        &self,
        scope: &Scope,
        id: &str,
        input: ContractInput,
    ) -> Result<Contract> {
        let before = self.get_contract(scope, id).await?;
        staff_only(scope)?;
        let mut c = before.clone();
        // Services are checked when they change (older contracts may predate the catalog).
        let services_given = input.services.is_some();
        c.apply(input)?;
        if services_given {
            self.resolve_services(&mut c.services, &c.starts_on).await?;
        }
        let mut tx = self.write(scope).await?;
        c.updated_at = tx.now;
        save(&mut tx, &c, false).await?;
        tx.audit(
            "contract.update",
            "contract",
            id,
            Some(&c.customer_id),
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            Some(&serde_json::to_value(&c).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }
}

async fn save(tx: &mut crate::WriteTx, c: &Contract, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO contracts (customer_id, name, starts_on, ends_on, renewal_notice_days, calendar_toml, sla_json, critical_procedure, services_json, created_at, updated_at, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    } else {
        "UPDATE contracts SET customer_id = $1, name = $2, starts_on = $3, ends_on = $4, renewal_notice_days = $5, calendar_toml = $6, sla_json = $7, critical_procedure = $8, services_json = $9, created_at = $10, updated_at = $11 WHERE id = $12"
    };
    sqlx::query(sql)
        .bind(&c.customer_id)
        .bind(&c.name)
        .bind(&c.starts_on)
        .bind(&c.ends_on)
        .bind(c.renewal_notice_days)
        .bind(&c.calendar_toml)
        .bind(to_json(&c.sla))
        .bind(&c.critical_procedure)
        .bind(to_json(&c.services))
        .bind(c.created_at)
        .bind(c.updated_at)
        .bind(&c.id)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}
