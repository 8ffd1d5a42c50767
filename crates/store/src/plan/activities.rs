//! A contract's annual plan: generated from its services (`onestop_domain::plan::generate`)
//! once per (contract, year) and again whenever the contract changes; regeneration keeps
//! activities that were edited, turned into work orders, done or skipped. Edits are audited.
use super::{Activity, ActivityInput, ActivityPatch, Plan, invalid};
use crate::desk::contracts::calendar_of;
use crate::util::{from_json, new_id, to_json};
use crate::{Contract, Result, Scope, Store, StoreError, WriteTx};
use chrono::{Datelike, Days, NaiveDate};
use onestop_domain::plan::{
    OWNER_ROLES, ServicePlan, Shift, Term, default_owner_role, default_template, generate,
    status_on,
};
use sqlx::{Row, any::AnyRow};
use std::collections::HashMap;

pub(super) const COLS: &str = "id, contract_id, customer_id, year, service, occurrence, planned_on, lead_days, owner_role, assets_json, template, status, skip_reason, edited, work_order_id, done_on";

/// Default days between a work order's creation and its activity's date.
pub const DEFAULT_LEAD_DAYS: i64 = 14;

pub(super) fn from_row(r: &AnyRow, today: NaiveDate) -> Result<Activity> {
    let stored: String = r.try_get("status")?;
    let date: String = r.try_get("planned_on")?;
    let done_on: Option<String> = r.try_get("done_on")?;
    let parse = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let shown = match parse(&date) {
        Some(d) => status_on(&stored, d, done_on.as_deref().and_then(parse), today)
            .as_str()
            .to_string(),
        None => stored,
    };
    Ok(Activity {
        id: r.try_get("id")?,
        contract_id: r.try_get("contract_id")?,
        customer_id: r.try_get("customer_id")?,
        year: r.try_get("year")?,
        service: r.try_get("service")?,
        occurrence: r.try_get("occurrence")?,
        date,
        lead_days: r.try_get("lead_days")?,
        owner_role: r.try_get("owner_role")?,
        assets: from_json(&r.try_get::<String, _>("assets_json")?),
        template: r.try_get("template")?,
        status: shown,
        skip_reason: r.try_get("skip_reason")?,
        edited: r.try_get::<i64, _>("edited")? != 0,
        work_order_id: r.try_get("work_order_id")?,
        done_on,
    })
}

pub(super) fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(field, "is not a date (YYYY-MM-DD)"))
}

/// A service's plan settings from the contract's `params`: shift, owner_role, assets,
/// lead_days, template.
struct Settings {
    plan: ServicePlan,
    lead_days: i64,
    template: Option<String>,
}

fn settings(c: &Contract) -> Result<Vec<Settings>> {
    let mut out = vec![];
    for s in &c.services {
        let p = &s.params;
        let text = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let shift = match text("shift") {
            Some(v) => v.parse::<Shift>().map_err(|e| invalid("services", e))?,
            None => Shift::Next,
        };
        let owner_role =
            text("owner_role").unwrap_or_else(|| default_owner_role(&s.service).into());
        valid_role(&owner_role)?;
        let assets = match p.get("assets") {
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|_| invalid("services", "params.assets must be a list of asset ids"))?,
            None => vec![],
        };
        let lead_days = match p.get("lead_days") {
            Some(v) => v
                .as_i64()
                .filter(|d| (0..=365).contains(d))
                .ok_or_else(|| invalid("services", "params.lead_days must be 0 to 365"))?,
            None => DEFAULT_LEAD_DAYS,
        };
        out.push(Settings {
            template: text("template").or_else(|| default_template(&s.service).map(Into::into)),
            plan: ServicePlan {
                service: s.service.clone(),
                rrule: s.rrule.clone(),
                shift,
                owner_role,
                assets,
            },
            lead_days,
        });
    }
    Ok(out)
}

pub(super) fn valid_role(role: &str) -> Result<()> {
    if OWNER_ROLES.contains(&role) {
        Ok(())
    } else {
        Err(invalid("owner_role", "must be ase, cse or ce"))
    }
}

fn minus_days(d: NaiveDate, n: i64) -> String {
    d.checked_sub_days(Days::new(n.max(0) as u64))
        .unwrap_or(d)
        .to_string()
}

impl Store {
    /// Generate (or bring up to date) the plan of `year` for a contract: once per contract
    /// version. New occurrences are added; activities still only planned and never edited
    /// follow the contract; everything else is kept. Returns whether anything was written.
    pub async fn ensure_plan(
        &self,
        scope: &Scope,
        contract_id: &str,
        year: i32,
        now: i64,
    ) -> Result<bool> {
        let c = self.get_contract(scope, contract_id).await?;
        let current = sqlx::query(
            "SELECT contract_updated_at FROM plan_years WHERE contract_id = $1 AND year = $2",
        )
        .bind(&c.id)
        .bind(i64::from(year))
        .fetch_optional(&self.pool)
        .await?;
        if let Some(r) = current
            && r.try_get::<i64, _>(0)? == c.updated_at
        {
            return Ok(false);
        }
        let term = Term {
            starts_on: parse_date("starts_on", &c.starts_on)?,
            ends_on: parse_date("ends_on", &c.ends_on)?,
        };
        let cal = calendar_of(c.calendar_toml.as_deref())?;
        let services = settings(&c)?;
        let plans: Vec<ServicePlan> = services.iter().map(|s| s.plan.clone()).collect();
        let generated =
            generate(&plans, &cal, term, year).map_err(|e| invalid("services", e.to_string()))?;
        let by_service: HashMap<&str, &Settings> = services
            .iter()
            .map(|s| (s.plan.service.as_str(), s))
            .collect();
        let mut tx = self.write_at(&Scope::System, now).await?;
        // Another process may have generated this version meanwhile (writes are serialised).
        let again = sqlx::query(
            "SELECT contract_updated_at FROM plan_years WHERE contract_id = $1 AND year = $2",
        )
        .bind(&c.id)
        .bind(i64::from(year))
        .fetch_optional(tx.conn())
        .await?;
        if let Some(r) = &again
            && r.try_get::<i64, _>(0)? == c.updated_at
        {
            return Ok(false);
        }
        let rows = sqlx::query("SELECT id, service, occurrence, planned_on, status, edited, owner_role, assets_json, lead_days FROM plan_activities WHERE contract_id = $1 AND year = $2 AND occurrence IS NOT NULL")
            .bind(&c.id)
            .bind(i64::from(year))
            .fetch_all(tx.conn())
            .await?;
        let mut existing: HashMap<(String, String), (String, bool)> = HashMap::new();
        for r in &rows {
            let free = r.try_get::<String, _>("status")? == "planned"
                && r.try_get::<i64, _>("edited")? == 0;
            existing.insert(
                (r.try_get("service")?, r.try_get("occurrence")?),
                (r.try_get("id")?, free),
            );
        }
        let (mut added, mut updated) = (0, 0);
        let mut fresh = vec![];
        for g in &generated {
            let s = by_service[g.service.as_str()];
            let key = (g.service.clone(), g.occurrence.to_string());
            let wo_due = minus_days(g.date, s.lead_days);
            match existing.remove(&key) {
                Some((id, true)) => {
                    let n = sqlx::query("UPDATE plan_activities SET planned_on = $1, wo_due_on = $2, lead_days = $3, owner_role = $4, assets_json = $5, template = $6, updated_at = $7 WHERE id = $8 AND (planned_on <> $1 OR wo_due_on <> $2 OR owner_role <> $4 OR assets_json <> $5)")
                        .bind(g.date.to_string())
                        .bind(&wo_due)
                        .bind(s.lead_days)
                        .bind(&g.owner_role)
                        .bind(to_json(&g.assets))
                        .bind(&s.template)
                        .bind(tx.now)
                        .bind(&id)
                        .execute(tx.conn())
                        .await?;
                    updated += n.rows_affected() as usize;
                }
                Some((_, false)) => {}
                None => {
                    fresh.push((g, wo_due, s));
                    added += 1;
                }
            }
        }
        // New activities in multi-row inserts (one round trip per 100 rows).
        for chunk in fresh.chunks(100) {
            let mut sql = String::from(
                "INSERT INTO plan_activities (id, contract_id, customer_id, year, service, occurrence, planned_on, wo_due_on, lead_days, owner_role, assets_json, template, status, edited, created_at, updated_at) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * 13;
                let p: Vec<String> = (1..=13).map(|k| format!("${}", b + k)).collect();
                sql.push_str(&format!(
                    "{}({}, 'planned', 0, {}, {})",
                    if i == 0 { "" } else { ", " },
                    p[..12].join(", "),
                    p[12],
                    p[12]
                ));
            }
            let mut q = sqlx::query(&sql);
            for (g, wo_due, s) in chunk {
                q = q
                    .bind(new_id())
                    .bind(&c.id)
                    .bind(&c.customer_id)
                    .bind(i64::from(year))
                    .bind(&g.service)
                    .bind(g.occurrence.to_string())
                    .bind(g.date.to_string())
                    .bind(wo_due.clone())
                    .bind(s.lead_days)
                    .bind(&g.owner_role)
                    .bind(to_json(&g.assets))
                    .bind(&s.template)
                    .bind(tx.now);
            }
            q.execute(tx.conn()).await.map_err(StoreError::from_write)?;
        }
        // Occurrences the contract no longer gives: dropped unless someone touched them.
        let mut removed = 0;
        for (id, free) in existing.into_values() {
            if free {
                sqlx::query("DELETE FROM plan_activities WHERE id = $1")
                    .bind(&id)
                    .execute(tx.conn())
                    .await?;
                removed += 1;
            }
        }
        let sql = if again.is_some() {
            "UPDATE plan_years SET contract_updated_at = $3, generated_at = $4 WHERE contract_id = $1 AND year = $2"
        } else {
            "INSERT INTO plan_years (contract_id, year, contract_updated_at, generated_at) VALUES ($1, $2, $3, $4)"
        };
        sqlx::query(sql)
            .bind(&c.id)
            .bind(i64::from(year))
            .bind(c.updated_at)
            .bind(tx.now)
            .execute(tx.conn())
            .await?;
        tx.audit(
            "plan.generate",
            "contract",
            &c.id,
            Some(&c.customer_id),
            None,
            Some(&serde_json::json!({"year": year, "added": added, "updated": updated, "removed": removed})),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The plan of `year` (generated first when missing or out of date), with plan against
    /// actual as of `today`.
    pub async fn contract_plan(
        &self,
        scope: &Scope,
        contract_id: &str,
        year: i32,
        now: i64,
    ) -> Result<Plan> {
        if !(2000..=2100).contains(&year) {
            return Err(invalid("year", "must be between 2000 and 2100"));
        }
        self.ensure_plan(scope, contract_id, year, now).await?;
        let today = super::today(now);
        let rows = sqlx::query(&format!("SELECT {COLS} FROM plan_activities WHERE contract_id = $1 AND year = $2 ORDER BY planned_on, service, id"))
            .bind(contract_id)
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?;
        Ok(Plan {
            contract_id: contract_id.into(),
            year: i64::from(year),
            activities: rows
                .iter()
                .map(|r| from_row(r, today))
                .collect::<Result<_>>()?,
        })
    }

    pub async fn get_activity(&self, scope: &Scope, id: &str) -> Result<Activity> {
        let mut f = crate::scope::Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let row = f
            .query(&format!("SELECT {COLS} FROM plan_activities{}", f.sql))
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row, super::today(crate::now_ms()))
    }

    /// Change an activity (staff). Marks it edited, so regeneration leaves it alone.
    pub async fn update_activity(
        &self,
        scope: &Scope,
        id: &str,
        p: ActivityPatch,
    ) -> Result<Activity> {
        crate::desk::staff_only(scope)?;
        let before = self.get_activity(scope, id).await?;
        let mut a = before.clone();
        if let Some(d) = &p.date {
            let d = parse_date("date", d)?;
            if i64::from(d.year()) != a.year {
                return Err(invalid("date", "must stay within the plan's year"));
            }
            a.date = d.to_string();
        }
        if let Some(r) = p.owner_role {
            valid_role(&r)?;
            a.owner_role = r;
        }
        if let Some(assets) = p.assets {
            self.check_assets(scope, &a.customer_id, &assets).await?;
            a.assets = assets;
        }
        if let Some(l) = p.lead_days {
            if !(0..=365).contains(&l) {
                return Err(invalid("lead_days", "must be 0 to 365"));
            }
            a.lead_days = l;
        }
        if let Some(t) = p.template {
            a.template = Some(t).filter(|t| !t.trim().is_empty());
            if let Some(t) = &a.template {
                self.get_template(t).await?;
            }
        }
        let mut stored = stored_status(&before);
        if let Some(reason) = p.skip_reason {
            if reason.trim().is_empty() {
                return Err(invalid("skip_reason", "is required to skip"));
            }
            if stored == "done" {
                return Err(StoreError::Conflict("the activity is already done".into()));
            }
            stored = "skipped".into();
            a.skip_reason = Some(reason.trim().into());
        }
        if p.unskip == Some(true) && stored == "skipped" {
            stored = if a.work_order_id.is_some() {
                "work_order"
            } else {
                "planned"
            }
            .into();
            a.skip_reason = None;
        }
        a.edited = true;
        let d = parse_date("date", &a.date)?;
        let mut tx = self.write(scope).await?;
        sqlx::query("UPDATE plan_activities SET planned_on = $1, wo_due_on = $2, lead_days = $3, owner_role = $4, assets_json = $5, template = $6, status = $7, skip_reason = $8, edited = 1, updated_at = $9 WHERE id = $10")
            .bind(&a.date)
            .bind(minus_days(d, a.lead_days))
            .bind(a.lead_days)
            .bind(&a.owner_role)
            .bind(to_json(&a.assets))
            .bind(&a.template)
            .bind(&stored)
            .bind(&a.skip_reason)
            .bind(tx.now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        audit_activity(&mut tx, "plan.activity.update", &a, Some(&before)).await?;
        tx.commit().await?;
        self.get_activity(scope, id).await
    }

    /// Add an activity to a contract's plan by hand (staff).
    pub async fn add_activity(
        &self,
        scope: &Scope,
        contract_id: &str,
        i: ActivityInput,
    ) -> Result<Activity> {
        crate::desk::staff_only(scope)?;
        let c = self.get_contract(scope, contract_id).await?;
        let known = c.services.iter().any(|s| s.service == i.service)
            || self.catalog_service(&i.service).await.is_ok();
        if !known {
            return Err(invalid("service", "is not a service of the catalog"));
        }
        let d = parse_date("date", &i.date)?;
        let role = i
            .owner_role
            .unwrap_or_else(|| default_owner_role(&i.service).into());
        valid_role(&role)?;
        let assets = i.assets.unwrap_or_default();
        self.check_assets(scope, &c.customer_id, &assets).await?;
        let lead = i.lead_days.unwrap_or(DEFAULT_LEAD_DAYS);
        if !(0..=365).contains(&lead) {
            return Err(invalid("lead_days", "must be 0 to 365"));
        }
        let template = i
            .template
            .or_else(|| default_template(&i.service).map(Into::into));
        if let Some(t) = &template {
            self.get_template(t).await?;
        }
        let id = new_id();
        let mut tx = self.write(scope).await?;
        sqlx::query("INSERT INTO plan_activities (id, contract_id, customer_id, year, service, occurrence, planned_on, wo_due_on, lead_days, owner_role, assets_json, template, status, edited, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11, 'planned', 1, $12, $12)")
            .bind(&id)
            .bind(&c.id)
            .bind(&c.customer_id)
            .bind(i64::from(d.year()))
            .bind(&i.service)
            .bind(d.to_string())
            .bind(minus_days(d, lead))
            .bind(lead)
            .bind(&role)
            .bind(to_json(&assets))
            .bind(&template)
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let a = Activity {
            id: id.clone(),
            contract_id: c.id.clone(),
            customer_id: c.customer_id.clone(),
            year: i64::from(d.year()),
            service: i.service,
            date: d.to_string(),
            occurrence: None,
            owner_role: role,
            assets,
            lead_days: lead,
            template,
            status: "planned".into(),
            skip_reason: None,
            edited: true,
            work_order_id: None,
            done_on: None,
        };
        audit_activity(&mut tx, "plan.activity.create", &a, None).await?;
        tx.commit().await?;
        self.get_activity(scope, &id).await
    }

    /// Every asset id belongs to the customer.
    pub(super) async fn check_assets(
        &self,
        scope: &Scope,
        customer_id: &str,
        assets: &[String],
    ) -> Result<()> {
        for a in assets {
            let asset = self
                .get_asset(scope, a)
                .await
                .map_err(|_| invalid("assets", format!("`{a}` is not an asset")))?;
            if asset.customer_id != customer_id {
                return Err(invalid(
                    "assets",
                    format!("`{a}` belongs to another customer"),
                ));
            }
        }
        Ok(())
    }
}

/// The stored status behind a shown one (`late` is derived).
fn stored_status(a: &Activity) -> String {
    match a.status.as_str() {
        "late" if a.done_on.is_some() => "done".into(),
        "late" if a.work_order_id.is_some() => "work_order".into(),
        "late" => "planned".into(),
        s => s.into(),
    }
}

async fn audit_activity(
    tx: &mut WriteTx,
    action: &str,
    a: &Activity,
    before: Option<&Activity>,
) -> Result<()> {
    let json = |a: &Activity| serde_json::to_value(a).unwrap_or_default();
    tx.audit(
        action,
        "plan_activity",
        &a.id,
        Some(&a.customer_id),
        before.map(json).as_ref(),
        Some(&json(a)),
    )
    .await
}
