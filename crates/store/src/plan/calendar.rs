//! Planned work for the calendar: plan activities (whole days) and work orders between two
//! instants, scoped to what the caller may see.
use super::PlannedWork;
use crate::scope::Filter;
use crate::{Result, Scope, Store};
use sqlx::Row;

fn day_ms(d: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp_millis())
        .unwrap_or_default()
}

fn date_of(ms: i64) -> String {
    super::today(ms).to_string()
}

impl Store {
    /// Activities still without a work order dated in `[from, to)`, and work orders scheduled
    /// to overlap it, soonest first.
    pub async fn planned_work_between(
        &self,
        scope: &Scope,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<PlannedWork>> {
        let mut out = vec![];
        let mut f = Filter::scoped(scope, "a.customer_id");
        f.raw("a.planned_on >= {}", &date_of(from_ms));
        f.raw("a.planned_on <= {}", &date_of(to_ms.saturating_sub(1)));
        f.cond("a.work_order_id IS NULL");
        let sql = format!(
            "SELECT a.id, a.service, a.planned_on, a.customer_id, c.name, a.status, k.name_en, t.name, a.updated_at FROM plan_activities a JOIN customers c ON c.id = a.customer_id JOIN contracts t ON t.id = a.contract_id LEFT JOIN service_catalog k ON k.code = a.service{} ORDER BY a.planned_on, a.id LIMIT 5000",
            f.sql
        );
        for r in f.query(&sql).fetch_all(&self.pool).await? {
            let date: String = r.try_get(2)?;
            let service: Option<String> = r.try_get(6)?;
            let start = day_ms(&date);
            out.push(PlannedWork {
                kind: "activity".into(),
                id: r.try_get(0)?,
                title: format!(
                    "{} — {}",
                    service.unwrap_or(r.try_get(1)?),
                    r.try_get::<String, _>(7)?
                ),
                customer_id: r.try_get(3)?,
                customer_name: r.try_get(4)?,
                assignee_id: None,
                assignee_name: None,
                starts_at: start,
                ends_at: start + 86_400_000,
                date: Some(date),
                status: r.try_get(5)?,
                updated_at: r.try_get(8)?,
            });
        }
        let mut f = Filter::scoped(scope, "w.customer_id");
        f.raw("w.scheduled_end > CAST({} AS BIGINT)", &from_ms.to_string());
        f.raw("w.scheduled_start < CAST({} AS BIGINT)", &to_ms.to_string());
        let sql = format!(
            "SELECT w.id, w.number, w.title, w.customer_id, c.name, w.assignee_id, u.display_name, w.scheduled_start, w.scheduled_end, w.status, w.updated_at FROM work_orders w JOIN customers c ON c.id = w.customer_id LEFT JOIN users u ON u.id = w.assignee_id{} ORDER BY w.scheduled_start, w.id LIMIT 5000",
            f.sql
        );
        for r in f.query(&sql).fetch_all(&self.pool).await? {
            out.push(PlannedWork {
                kind: "work_order".into(),
                id: r.try_get(0)?,
                title: format!(
                    "{} {}",
                    r.try_get::<String, _>(1)?,
                    r.try_get::<String, _>(2)?
                ),
                customer_id: r.try_get(3)?,
                customer_name: r.try_get(4)?,
                assignee_id: r.try_get(5)?,
                assignee_name: r.try_get(6)?,
                starts_at: r.try_get(7)?,
                ends_at: r.try_get(8)?,
                date: None,
                status: r.try_get(9)?,
                updated_at: r.try_get(10)?,
            });
        }
        out.sort_by_key(|p| p.starts_at);
        Ok(out)
    }
}
