//! The plan's scheduled work, one pass at a time under the `plan-scheduler` lease: plans for
//! this year and next for every contract in force (and again after a contract changes),
//! a work order for each activity whose lead time has begun (at most one per activity: the
//! activity's row and the unique `work_orders.activity_id` are checked inside the serialised
//! write transaction), and a notification to the assignee and the customer's ASE for each
//! overdue work order, once (`desk_jobs_done`).
use super::orders::{NewWorkOrder, insert};
use super::{PlanTickReport, today};
use crate::desk::contracts::calendar_of;
use crate::util::new_id;
use crate::{Result, Scope, Store};
use chrono::{Datelike, NaiveDate, TimeZone};
use sqlx::Row;

const LEASE: &str = "plan-scheduler";

/// Activities dated further back than this get no work order (a contract entered with a
/// start in the past would otherwise flood engineers with orders overdue at birth); they show
/// as late in the plan, and an ad-hoc work order can still be made.
const CATCH_UP_DAYS: u64 = 31;

/// The scheduled hours of an activity's date: its first to last opening hour on the
/// calendar, or 09:00-18:00 when the day is closed; in the calendar's zone.
pub(super) fn working_span(cal: &onestop_domain::calendar::Calendar, d: NaiveDate) -> (i64, i64) {
    let ranges = cal.hours_on(d).ranges();
    let (from, to) = match (ranges.first(), ranges.last()) {
        (Some(a), Some(b)) if b.end() > a.start() => (a.start(), b.end()),
        _ => (9 * 60, 18 * 60),
    };
    let tz = cal.timezone();
    let at = |min: u16| {
        let naive =
            d.and_hms_opt(0, 0, 0).unwrap_or_default() + chrono::Duration::minutes(i64::from(min));
        tz.from_local_datetime(&naive)
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or_else(|| naive.and_utc().timestamp_millis())
    };
    (at(from), at(to))
}

impl Store {
    /// One pass as of `now` by `holder`. Safe from several processes at once.
    pub async fn plan_tick(&self, holder: &str, now: i64) -> Result<PlanTickReport> {
        let mut report = PlanTickReport::default();
        if !self.take_lease(LEASE, holder, now, 120_000).await? {
            return Ok(report);
        }
        report.leader = true;
        let day = today(now);
        for year in [day.year(), day.year() + 1] {
            let ids: Vec<String> = sqlx::query("SELECT c.id FROM contracts c LEFT JOIN plan_years p ON p.contract_id = c.id AND p.year = $1 WHERE c.starts_on <= $2 AND c.ends_on >= $3 AND (p.contract_id IS NULL OR p.contract_updated_at <> c.updated_at) ORDER BY c.id LIMIT 1000")
                .bind(i64::from(year))
                .bind(format!("{year}-12-31"))
                .bind(format!("{year}-01-01"))
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
            for id in ids {
                match self.ensure_plan(&Scope::System, &id, year, now).await {
                    Ok(true) => report.plans += 1,
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(contract = %id, year, error = %e, "cannot plan contract")
                    }
                }
            }
        }
        report.work_orders = self.create_due_work_orders(now).await?;
        report.overdue = self.escalate_overdue(now).await?;
        Ok(report)
    }

    /// Work orders for planned activities whose lead time has begun by `now`.
    pub async fn create_due_work_orders(&self, now: i64) -> Result<usize> {
        let day = today(now);
        let oldest = day
            .checked_sub_days(chrono::Days::new(CATCH_UP_DAYS))
            .unwrap_or(day);
        let ids: Vec<String> = sqlx::query("SELECT id FROM plan_activities WHERE status = 'planned' AND work_order_id IS NULL AND wo_due_on <= $1 AND planned_on >= $2 ORDER BY wo_due_on, id LIMIT 500")
            .bind(day.to_string())
            .bind(oldest.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
        let mut made = 0;
        for id in ids {
            if self.work_order_for_activity(&id, now).await? {
                made += 1;
            }
        }
        Ok(made)
    }

    async fn work_order_for_activity(&self, id: &str, now: i64) -> Result<bool> {
        let a = self.get_activity(&Scope::System, id).await?;
        let contract = self.get_contract(&Scope::System, &a.contract_id).await?;
        let cal = calendar_of(contract.calendar_toml.as_deref())
            .unwrap_or_else(|_| onestop_domain::calendar::Calendar::always());
        let date = super::activities::parse_date("date", &a.date)?;
        let (start, end) = working_span(&cal, date);
        let template = match &a.template {
            Some(t) => self.get_template(t).await.ok(),
            None => None,
        };
        let service = self.catalog_service(&a.service).await.ok();
        let title = format!(
            "{} — {} ({})",
            service
                .as_ref()
                .map(|s| s.name_en.clone())
                .unwrap_or_else(|| a.service.clone()),
            contract.name,
            a.date
        );
        let mut tx = self.write_at(&Scope::System, now).await?;
        // Checked again under the write lock: another process may have just done it.
        let row = sqlx::query("SELECT status, work_order_id FROM plan_activities WHERE id = $1")
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
        if row.try_get::<String, _>(0)? != "planned"
            || row.try_get::<Option<String>, _>(1)?.is_some()
        {
            return Ok(false);
        }
        let assignee: Option<String> = {
            let r = sqlx::query("SELECT ase_id, cse_id, ce_ids FROM customers WHERE id = $1")
                .bind(&a.customer_id)
                .fetch_one(tx.conn())
                .await?;
            match a.owner_role.as_str() {
                "ase" => r.try_get(0)?,
                "cse" => r.try_get(1)?,
                _ => crate::util::from_json::<Vec<String>>(&r.try_get::<String, _>(2)?)
                    .into_iter()
                    .next(),
            }
        };
        let wo = insert(
            &mut tx,
            NewWorkOrder {
                customer_id: a.customer_id.clone(),
                contract_id: Some(a.contract_id.clone()),
                activity_id: Some(a.id.clone()),
                ticket_id: None,
                kind: "planned",
                title,
                description: service.map(|s| s.description).unwrap_or_default(),
                template: template.as_ref().map(|t| t.code.clone()),
                assets: a.assets.clone(),
                owner_role: Some(a.owner_role.clone()),
                assignee_id: assignee,
                start,
                end,
                patch: None,
            },
            template.as_ref().map(|t| &t.items[..]).unwrap_or(&[]),
        )
        .await?;
        sqlx::query("UPDATE plan_activities SET status = 'work_order', work_order_id = $1, updated_at = $2 WHERE id = $3")
            .bind(&wo)
            .bind(tx.now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Notify the assignee and the customer's ASE of each work order past its scheduled end,
    /// once per work order.
    pub async fn escalate_overdue(&self, now: i64) -> Result<usize> {
        let rows = sqlx::query("SELECT id FROM work_orders w WHERE status IN ('open', 'in_progress') AND scheduled_end < $1 AND NOT EXISTS (SELECT 1 FROM desk_jobs_done j WHERE j.job = 'wo-overdue:' || w.id) ORDER BY scheduled_end LIMIT 200")
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
        let mut n = 0;
        for r in rows {
            let id: String = r.try_get(0)?;
            let mut tx = self.write_at(&Scope::System, now).await?;
            let done = sqlx::query("INSERT INTO desk_jobs_done (job, done_at) VALUES ($1, $2) ON CONFLICT (job) DO NOTHING")
                .bind(format!("wo-overdue:{id}"))
                .bind(now)
                .execute(tx.conn())
                .await?;
            if done.rows_affected() != 1 {
                continue;
            }
            let w = sqlx::query("SELECT w.number, w.title, w.assignee_id, c.ase_id, w.customer_id, c.name FROM work_orders w JOIN customers c ON c.id = w.customer_id WHERE w.id = $1")
                .bind(&id)
                .fetch_one(tx.conn())
                .await?;
            let body = format!(
                "{} {} ({}) is overdue",
                w.try_get::<String, _>(0)?,
                w.try_get::<String, _>(1)?,
                w.try_get::<String, _>(5)?
            );
            let mut users: Vec<String> = [w.try_get::<Option<String>, _>(2)?, w.try_get(3)?]
                .into_iter()
                .flatten()
                .collect();
            users.dedup();
            for u in &users {
                sqlx::query("INSERT INTO notifications (id, user_id, ticket_id, kind, body, created_at) VALUES ($1, $2, NULL, 'work_order_overdue', $3, $4)")
                    .bind(new_id())
                    .bind(u)
                    .bind(&body)
                    .bind(now)
                    .execute(tx.conn())
                    .await?;
            }
            let customer: String = w.try_get(4)?;
            tx.audit(
                "work_order.overdue",
                "work_order",
                &id,
                Some(&customer),
                None,
                Some(&serde_json::json!({"notified": users})),
            )
            .await?;
            tx.commit().await?;
            n += 1;
        }
        Ok(n)
    }
}
