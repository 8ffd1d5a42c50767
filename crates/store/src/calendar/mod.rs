//! The calendar: one list of dated entries (field visits, maintenance windows and, once the
//! plan lands, planned activities and work orders) gathered from one source per kind, per
//! customer or per engineer, under the caller's scope. Feed tokens for the iCalendar feed
//! live in [`feed`].
mod feed;

pub use feed::{FeedSubject, FeedToken, NewFeedToken};

use crate::scope::Filter;
use crate::{Result, Scope, Store};
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

/// A field visit without a finish time is shown as lasting this long.
pub const VISIT_MS: i64 = 3_600_000;

/// One dated thing on the calendar.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CalendarEntry {
    /// `dispatch`, `maintenance`, `planned` or `work_order`.
    pub kind: String,
    /// The source record's id (stable: the feed's UID is built from kind and id).
    pub id: String,
    pub title: String,
    /// Start, ms since the epoch (UTC).
    pub starts_at: i64,
    /// End, ms; for an all-day entry the day after the last day.
    pub ends_at: i64,
    /// A whole-day entry (a planned activity's date), not a timed one.
    pub all_day: bool,
    pub customer_id: String,
    pub customer_name: String,
    /// The engineer doing it, if one is named.
    pub engineer_id: Option<String>,
    pub engineer: Option<String>,
    /// More words for the feed's DESCRIPTION.
    pub detail: String,
    /// Where the UI shows it (path), if anywhere.
    pub link: Option<String>,
    /// Last change of the source record, ms (the feed's LAST-MODIFIED).
    pub updated_at: i64,
}

/// Which entries: a time range (entries overlapping `[from_ms, to_ms)`), narrowed to one
/// customer or one engineer.
#[derive(Debug, Clone, Default)]
pub struct CalendarQuery {
    pub from_ms: i64,
    pub to_ms: i64,
    pub customer_id: Option<String>,
    pub engineer_id: Option<String>,
}

impl Store {
    /// Every calendar entry the scope may see in the query's range, by start time. One line
    /// per source; entries with no engineer (maintenance windows) are left out of an
    /// engineer's calendar.
    pub async fn calendar_entries(
        &self,
        scope: &Scope,
        q: &CalendarQuery,
    ) -> Result<Vec<CalendarEntry>> {
        let mut out = Vec::new();
        out.extend(self.calendar_dispatches(scope, q).await?);
        out.extend(self.calendar_maintenance(scope, q).await?);
        out.extend(self.calendar_planned_work(scope, q).await?);
        if let Some(e) = &q.engineer_id {
            out.retain(|x| x.engineer_id.as_deref() == Some(e.as_str()));
        }
        out.sort_by(|a, b| (a.starts_at, &a.kind, &a.id).cmp(&(b.starts_at, &b.kind, &b.id)));
        Ok(out)
    }

    /// The annual plan's activities still without a work order (whole days, kind `planned`)
    /// and work orders (kind `work_order`) in the range.
    async fn calendar_planned_work(
        &self,
        scope: &Scope,
        q: &CalendarQuery,
    ) -> Result<Vec<CalendarEntry>> {
        let work = self.planned_work_between(scope, q.from_ms, q.to_ms).await?;
        Ok(work
            .into_iter()
            .filter(|w| q.customer_id.as_ref().is_none_or(|c| *c == w.customer_id))
            .map(|w| {
                let activity = w.kind == "activity";
                CalendarEntry {
                    kind: if activity { "planned" } else { "work_order" }.into(),
                    link: Some(if activity {
                        "/plans".to_string()
                    } else {
                        format!("/work-orders/{}", w.id)
                    }),
                    id: w.id,
                    title: w.title,
                    starts_at: w.starts_at,
                    ends_at: w.ends_at,
                    all_day: activity,
                    customer_id: w.customer_id,
                    customer_name: w.customer_name,
                    engineer_id: w.assignee_id,
                    engineer: w.assignee_name,
                    detail: if activity {
                        format!("planned activity ({})", w.status)
                    } else {
                        format!("work order ({})", w.status)
                    },
                    updated_at: w.updated_at,
                }
            })
            .collect())
    }

    /// Field visits (the desk's dispatches) that overlap the range.
    async fn calendar_dispatches(
        &self,
        scope: &Scope,
        q: &CalendarQuery,
    ) -> Result<Vec<CalendarEntry>> {
        let mut f = Filter::scoped(scope, "d.customer_id");
        if let Some(c) = &q.customer_id {
            f.eq("d.customer_id", c);
        }
        if let Some(e) = &q.engineer_id {
            f.eq("d.engineer_id", e);
        }
        f.raw("d.planned_at < CAST({} AS BIGINT)", &q.to_ms.to_string());
        f.raw(
            &format!("COALESCE(d.finished_at, d.planned_at + {VISIT_MS}) > CAST({{}} AS BIGINT)"),
            &q.from_ms.to_string(),
        );
        let sql = format!(
            "SELECT d.id, d.planned_at, d.finished_at, d.status, d.customer_id, c.name, d.engineer_id, u.display_name, t.number, t.title, t.id, d.updated_at \
             FROM dispatches d JOIN customers c ON c.id = d.customer_id JOIN users u ON u.id = d.engineer_id JOIN tickets t ON t.id = d.ticket_id{} \
             ORDER BY d.planned_at",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let start: i64 = r.try_get(1)?;
                let finished: Option<i64> = r.try_get(2)?;
                let status: String = r.try_get(3)?;
                let number: String = r.try_get(8)?;
                let title: String = r.try_get(9)?;
                let ticket: String = r.try_get(10)?;
                Ok(CalendarEntry {
                    kind: "dispatch".into(),
                    id: r.try_get(0)?,
                    title: format!("{number} {title}"),
                    starts_at: start,
                    ends_at: finished.filter(|f| *f > start).unwrap_or(start + VISIT_MS),
                    all_day: false,
                    customer_id: r.try_get(4)?,
                    customer_name: r.try_get(5)?,
                    engineer_id: r.try_get(6)?,
                    engineer: r.try_get(7)?,
                    detail: format!("field visit ({status})"),
                    link: Some(format!("/tickets/{ticket}")),
                    updated_at: r.try_get(11)?,
                })
            })
            .collect()
    }

    /// Maintenance windows that overlap the range.
    async fn calendar_maintenance(
        &self,
        scope: &Scope,
        q: &CalendarQuery,
    ) -> Result<Vec<CalendarEntry>> {
        let mut f = Filter::scoped(scope, "m.customer_id");
        if let Some(c) = &q.customer_id {
            f.eq("m.customer_id", c);
        }
        f.raw("m.starts_at < CAST({} AS BIGINT)", &q.to_ms.to_string());
        f.raw("m.ends_at > CAST({} AS BIGINT)", &q.from_ms.to_string());
        let sql = format!(
            "SELECT m.id, m.starts_at, m.ends_at, m.reason, m.customer_id, c.name, a.name, m.created_at, m.host_id \
             FROM maintenance_windows m JOIN customers c ON c.id = m.customer_id LEFT JOIN assets a ON a.id = m.host_id{} \
             ORDER BY m.starts_at",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let reason: String = r.try_get(3)?;
                let host: Option<String> = r.try_get(6)?;
                let host_id: Option<String> = r.try_get(8)?;
                let what = host.clone().unwrap_or_else(|| "all hosts".into());
                Ok(CalendarEntry {
                    kind: "maintenance".into(),
                    id: r.try_get(0)?,
                    title: format!("maintenance: {what}"),
                    starts_at: r.try_get(1)?,
                    ends_at: r.try_get(2)?,
                    all_day: false,
                    customer_id: r.try_get(4)?,
                    customer_name: r.try_get(5)?,
                    engineer_id: None,
                    engineer: None,
                    detail: reason,
                    link: host_id.map(|h| format!("/hosts/{h}")),
                    updated_at: r.try_get(7)?,
                })
            })
            .collect()
    }
}
