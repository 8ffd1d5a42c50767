//! The service catalog (the provider's menu, seeded by the migration, edited by
//! administrators), the services a contract chooses from it, and renewal reminders.
use super::{CatalogInput, CatalogQuery, CatalogService, ContractService, RenewalDue};
use crate::scope::Filter;
use crate::util::new_id;
use crate::{Result, Scope, Store, StoreError};
use chrono::{Days, NaiveDate};
use onestop_domain::model::{ValidationError, valid_name};
use sqlx::{Row, any::AnyRow};

const COLS: &str = "id, code, grp, name_en, name_ja, description, default_rrule, active, sort_order, created_at, updated_at";

/// The catalog's groups, in menu order.
pub const GROUPS: &[&str] = &[
    "proactive",
    "reactive",
    "management",
    "proxy",
    "system_support",
];

fn from_row(r: &AnyRow) -> Result<CatalogService> {
    Ok(CatalogService {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        group: r.try_get("grp")?,
        name_en: r.try_get("name_en")?,
        name_ja: r.try_get("name_ja")?,
        description: r.try_get("description")?,
        default_rrule: r.try_get("default_rrule")?,
        active: r.try_get::<i64, _>("active")? != 0,
        sort_order: r.try_get("sort_order")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn invalid(field: &str, msg: impl Into<String>) -> StoreError {
    ValidationError::new(field, msg).into()
}

fn admin_only(scope: &Scope) -> Result<()> {
    if scope.is_admin() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "only administrators may edit the service catalog".into(),
        ))
    }
}

/// An RRULE checked by the `rrule` crate (RFC 5545) against a start date; returned in its
/// canonical upper-case form without an `RRULE:` prefix.
pub fn valid_rrule(field: &str, rule: &str, start: NaiveDate) -> Result<String> {
    let text = rule.trim();
    let text = text
        .strip_prefix("RRULE:")
        .or_else(|| text.strip_prefix("rrule:"))
        .unwrap_or(text)
        .to_ascii_uppercase();
    let parsed: rrule::RRule<rrule::Unvalidated> = text
        .parse()
        .map_err(|e: rrule::RRuleError| invalid(field, format!("`{rule}` is not an RRULE: {e}")))?;
    let start = start
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .with_timezone(&rrule::Tz::UTC);
    parsed
        .validate(start)
        .map_err(|e| invalid(field, format!("`{rule}`: {e}")))?;
    Ok(text)
}

/// The next `n` dates of `rule` from `start`, for showing a schedule.
pub fn occurrences(rule: &str, start: NaiveDate, n: u16) -> Result<Vec<NaiveDate>> {
    let text = valid_rrule("rrule", rule, start)?;
    let parsed: rrule::RRule<rrule::Unvalidated> = text
        .parse()
        .map_err(|e: rrule::RRuleError| invalid("rrule", e.to_string()))?;
    let start = start
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .with_timezone(&rrule::Tz::UTC);
    let set = parsed
        .build(start)
        .map_err(|e| invalid("rrule", e.to_string()))?;
    Ok(set.all(n).dates.iter().map(|d| d.date_naive()).collect())
}

impl CatalogService {
    fn apply(&mut self, i: CatalogInput) -> Result<()> {
        if let Some(c) = i.code
            && c.trim() != self.code
        {
            if self.created_at != 0 {
                return Err(invalid("code", "cannot change"));
            }
            let c = c.trim().to_string();
            if c.is_empty()
                || c.len() > 64
                || !c
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            {
                return Err(invalid("code", "must be 1-64 of a-z, 0-9 and _"));
            }
            self.code = c;
        }
        if let Some(g) = i.group {
            let g = g.trim().to_string();
            if !GROUPS.contains(&g.as_str()) {
                return Err(invalid(
                    "group",
                    format!("must be one of {}", GROUPS.join(", ")),
                ));
            }
            self.group = g;
        }
        if let Some(n) = i.name_en {
            self.name_en = valid_name("name_en", &n)?;
        }
        if let Some(n) = i.name_ja {
            self.name_ja = valid_name("name_ja", &n)?;
        }
        if let Some(d) = i.description {
            self.description = d.trim().into();
        }
        if let Some(r) = i.default_rrule {
            self.default_rrule = if r.trim().is_empty() {
                None
            } else {
                let today = chrono::Utc::now().date_naive();
                Some(valid_rrule("default_rrule", &r, today)?)
            };
        }
        if let Some(a) = i.active {
            self.active = a;
        }
        if let Some(o) = i.sort_order {
            self.sort_order = o;
        }
        Ok(())
    }
}

impl Store {
    /// The catalog in menu order (active services only unless `all`). Everyone signed in may
    /// read it.
    pub async fn list_catalog(&self, q: &CatalogQuery) -> Result<Vec<CatalogService>> {
        let cond = if q.all.unwrap_or(false) {
            ""
        } else {
            " WHERE active = 1"
        };
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM service_catalog{cond} ORDER BY sort_order, code"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn catalog_service(&self, id: &str) -> Result<CatalogService> {
        let row = sqlx::query(&format!(
            "SELECT {COLS} FROM service_catalog WHERE id = $1 OR code = $2"
        ))
        .bind(id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// Add a service to the catalog (administrators only).
    pub async fn create_catalog_service(
        &self,
        scope: &Scope,
        input: CatalogInput,
    ) -> Result<CatalogService> {
        admin_only(scope)?;
        for (field, v) in [
            ("code", &input.code),
            ("group", &input.group),
            ("name_en", &input.name_en),
        ] {
            if v.as_deref().is_none_or(|v| v.trim().is_empty()) {
                return Err(invalid(field, "is required"));
            }
        }
        let mut s = CatalogService {
            id: new_id(),
            code: String::new(),
            group: String::new(),
            name_en: String::new(),
            name_ja: String::new(),
            description: String::new(),
            default_rrule: None,
            active: true,
            sort_order: 1000,
            created_at: 0,
            updated_at: 0,
        };
        if input.name_ja.is_none() {
            s.name_ja = input.name_en.clone().unwrap_or_default().trim().into();
        }
        s.apply(input)?;
        let mut tx = self.write(scope).await?;
        s.created_at = tx.now;
        s.updated_at = tx.now;
        save(&mut tx, &s, true).await?;
        let after = serde_json::to_value(&s).unwrap_or_default();
        tx.audit(
            "catalog.create",
            "catalog_service",
            &s.id,
            None,
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Change a catalog service (administrators only); the code cannot change.
    pub async fn update_catalog_service(
        &self,
        scope: &Scope,
        id: &str,
        input: CatalogInput,
    ) -> Result<CatalogService> {
        admin_only(scope)?;
        let before = self.catalog_service(id).await?;
        let mut s = before.clone();
        s.apply(input)?;
        let mut tx = self.write(scope).await?;
        s.updated_at = tx.now;
        save(&mut tx, &s, false).await?;
        let (b, a) = (
            serde_json::to_value(&before).unwrap_or_default(),
            serde_json::to_value(&s).unwrap_or_default(),
        );
        tx.audit(
            "catalog.update",
            "catalog_service",
            &s.id,
            None,
            Some(&b),
            Some(&a),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Check a contract's services against the catalog: each names an active catalog code;
    /// an empty RRULE takes the catalog's default frequency; every RRULE must parse and
    /// validate from the contract's start.
    pub(crate) async fn resolve_services(
        &self,
        services: &mut [ContractService],
        starts_on: &str,
    ) -> Result<()> {
        let start = NaiveDate::parse_from_str(starts_on, "%Y-%m-%d")
            .map_err(|_| invalid("starts_on", "is not a date (YYYY-MM-DD)"))?;
        let mut seen = std::collections::HashSet::new();
        for s in services.iter_mut() {
            s.service = s.service.trim().to_string();
            let row = sqlx::query(
                "SELECT default_rrule FROM service_catalog WHERE code = $1 AND active = 1",
            )
            .bind(&s.service)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| {
                invalid(
                    "services",
                    format!("`{}` is not an active service of the catalog", s.service),
                )
            })?;
            if !seen.insert(s.service.clone()) {
                return Err(invalid(
                    "services",
                    format!("`{}` is listed twice", s.service),
                ));
            }
            let default: Option<String> = row.try_get(0)?;
            if s.rrule.trim().is_empty() {
                s.rrule = default.unwrap_or_default();
            }
            if !s.rrule.is_empty() {
                s.rrule = valid_rrule("services", &s.rrule, start)?;
            }
            if !(s.params.is_object() || s.params.is_null()) {
                return Err(invalid("services", "params must be an object"));
            }
            if s.params.is_null() {
                s.params = serde_json::json!({});
            }
        }
        Ok(())
    }

    /// Contracts whose renewal notice has begun by `until` (`ends_on` less
    /// `renewal_notice_days` is on or before it) and that have not ended before it. The
    /// scheduler calls this daily with today's date to send reminders.
    pub async fn contracts_due_for_renewal(
        &self,
        scope: &Scope,
        until: NaiveDate,
    ) -> Result<Vec<RenewalDue>> {
        let mut f = Filter::scoped(scope, "customer_id");
        f.raw("ends_on >= {}", &until.to_string());
        let rows = f
            .query(&format!(
                "SELECT id, customer_id, name, ends_on, renewal_notice_days FROM contracts{} ORDER BY ends_on, id",
                f.sql
            ))
            .fetch_all(&self.pool)
            .await?;
        let mut out = vec![];
        for r in &rows {
            let ends_on: String = r.try_get(3)?;
            let notice: i64 = r.try_get(4)?;
            let Ok(end) = NaiveDate::parse_from_str(&ends_on, "%Y-%m-%d") else {
                continue;
            };
            let remind = end
                .checked_sub_days(Days::new(notice.max(0) as u64))
                .unwrap_or(end);
            if remind <= until {
                out.push(RenewalDue {
                    contract_id: r.try_get(0)?,
                    customer_id: r.try_get(1)?,
                    name: r.try_get(2)?,
                    ends_on,
                    remind_on: remind.to_string(),
                    days_left: (end - until).num_days(),
                });
            }
        }
        Ok(out)
    }
}

async fn save(tx: &mut crate::WriteTx, s: &CatalogService, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO service_catalog (code, grp, name_en, name_ja, description, default_rrule, active, sort_order, created_at, updated_at, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    } else {
        "UPDATE service_catalog SET code = $1, grp = $2, name_en = $3, name_ja = $4, description = $5, default_rrule = $6, active = $7, sort_order = $8, created_at = $9, updated_at = $10 WHERE id = $11"
    };
    sqlx::query(sql)
        .bind(&s.code)
        .bind(&s.group)
        .bind(&s.name_en)
        .bind(&s.name_ja)
        .bind(&s.description)
        .bind(&s.default_rrule)
        .bind(i64::from(s.active))
        .bind(s.sort_order)
        .bind(s.created_at)
        .bind(s.updated_at)
        .bind(&s.id)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrules_are_checked_and_expanded() {
        let d = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(
            valid_rrule("f", "rrule:freq=monthly;interval=6", d).unwrap(),
            "FREQ=MONTHLY;INTERVAL=6"
        );
        assert!(valid_rrule("f", "FREQ=SOMETIMES", d).is_err());
        assert!(valid_rrule("f", "INTERVAL=2", d).is_err());
        assert!(valid_rrule("f", "FREQ=MONTHLY;BYMONTHDAY=40", d).is_err());
        let dates = occurrences("FREQ=MONTHLY;INTERVAL=6", d, 3).unwrap();
        assert_eq!(
            dates.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            ["2026-04-01", "2026-10-01", "2027-04-01"]
        );
    }
}
