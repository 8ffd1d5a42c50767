//! Log search and the template list, both through the scope.
use super::{
    LogMessage, LogPage, LogQuery, TemplateCount, TemplateQuery, parse_severity, parse_template_id,
    severity_name,
};
use crate::scope::Filter;
use crate::{Result, Scope, Store, StoreError};
use onestop_domain::model::ValidationError;
use sqlx::{Row, any::AnyRow};

const MSG_COLS: &str = "m.id, m.at, m.received_at, m.customer_id, m.host_id, m.source, m.hostname, \
     m.program, m.facility, m.syslog_severity, m.severity, m.template_id, m.rules, m.message";

/// Filters shared by searches, the template list and reports.
#[derive(Debug, Clone, Default)]
pub struct LogScope<'a> {
    pub host: Option<&'a str>,
    pub customer: Option<&'a str>,
    pub unrouted: bool,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A time filter: RFC 3339, a date `YYYY-MM-DD` (midnight UTC), or milliseconds.
pub fn parse_time(field: &str, s: &str) -> Result<i64> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
            .timestamp_millis());
    }
    Err(ValidationError::new(
        field,
        "must be RFC 3339, YYYY-MM-DD or milliseconds since the epoch",
    )
    .into())
}

impl Store {
    /// The WHERE clause (on `m.` columns) for a scope and the shared filters; a host or
    /// customer the scope may not see is not found.
    pub(crate) async fn log_filter(&self, scope: &Scope, s: &LogScope<'_>) -> Result<Filter> {
        let mut f = Filter::scoped(scope, "m.customer_id");
        if let Some(c) = s.customer {
            self.ensure_customer(scope, c).await?;
            f.eq("m.customer_id", c);
        }
        if let Some(h) = s.host {
            let row = sqlx::query("SELECT customer_id FROM assets WHERE id = $1")
                .bind(h)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
            let customer: String = row.try_get(0)?;
            self.ensure_customer(scope, &customer).await?;
            f.eq("m.host_id", h);
        }
        if s.unrouted {
            if !scope.is_staff() {
                return Err(StoreError::NotFound);
            }
            f.sql.push_str(" AND m.customer_id IS NULL");
        }
        if let Some(from) = s.from {
            let t = parse_time("from", from)?;
            f.sql.push_str(&format!(" AND m.at >= {t}"));
        }
        if let Some(to) = s.to {
            let t = parse_time("to", to)?;
            f.sql.push_str(&format!(" AND m.at < {t}"));
        }
        Ok(f)
    }

    /// Messages matching `q`, newest first.
    pub async fn search_logs(&self, scope: &Scope, q: &LogQuery) -> Result<LogPage> {
        let common = LogScope {
            host: some(&q.host),
            customer: some(&q.customer),
            unrouted: q.unrouted.unwrap_or(false),
            from: some(&q.from),
            to: some(&q.to),
        };
        let mut f = self.log_filter(scope, &common).await?;
        if let Some(sev) = some(&q.severity) {
            let n = parse_severity(sev).ok_or_else(|| {
                ValidationError::new("severity", "must be a syslog severity name or 0-7")
            })?;
            f.sql.push_str(&format!(" AND m.severity <= {n}"));
        }
        if let Some(p) = some(&q.program) {
            f.eq("m.program", p);
        }
        if let Some(t) = some(&q.template) {
            let n = parse_template_id(t).ok_or_else(|| {
                ValidationError::new("template", "must be a template id like E12")
            })?;
            f.sql.push_str(&format!(
                " AND m.template_id IN (SELECT t.template_id FROM log_templates t \
                 WHERE t.scope_key = COALESCE(m.customer_id, '') AND t.canonical_id = {n})"
            ));
        }
        if let Some(text) = some(&q.q) {
            f.contains_any(&["m.message"], text);
        }
        let limit = q.limit.unwrap_or(100).clamp(1, 1000);
        let offset = q.offset.unwrap_or(0).max(0);
        let sql = format!(
            "SELECT {MSG_COLS} FROM log_messages m{} ORDER BY m.at DESC, m.id DESC LIMIT {} OFFSET {offset}",
            f.sql,
            limit + 1
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        let more = rows.len() as i64 > limit;
        let items = rows
            .iter()
            .take(limit as usize)
            .map(message_from_row)
            .collect::<Result<_>>()?;
        Ok(LogPage {
            items,
            limit,
            offset,
            more,
        })
    }

    /// Templates with the number of stored messages matching the filters, most frequent first.
    pub async fn log_templates(
        &self,
        scope: &Scope,
        q: &TemplateQuery,
    ) -> Result<Vec<TemplateCount>> {
        let common = LogScope {
            host: some(&q.host),
            customer: some(&q.customer),
            unrouted: q.unrouted.unwrap_or(false),
            from: some(&q.from),
            to: some(&q.to),
        };
        let f = self.log_filter(scope, &common).await?;
        let limit = q.limit.unwrap_or(200).clamp(1, 1000);
        self.template_counts(&f, limit).await
    }

    pub(crate) async fn template_counts(
        &self,
        f: &Filter,
        limit: i64,
    ) -> Result<Vec<TemplateCount>> {
        let sql = format!(
            "SELECT c.template_id, m.customer_id, c.template, c.first_seen, COUNT(*), MIN(m.severity), MAX(m.at) \
             FROM log_messages m \
             JOIN log_templates t ON t.scope_key = COALESCE(m.customer_id, '') AND t.template_id = m.template_id \
             JOIN log_templates c ON c.scope_key = t.scope_key AND c.template_id = t.canonical_id{} \
             GROUP BY m.customer_id, c.template_id, c.template, c.first_seen \
             ORDER BY COUNT(*) DESC, c.template_id LIMIT {limit}",
            f.sql
        );
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let worst: i64 = r.try_get(5)?;
                Ok(TemplateCount {
                    id: format!("E{id}"),
                    customer_id: r.try_get(1)?,
                    template: r.try_get(2)?,
                    first_seen: r.try_get(3)?,
                    count: r.try_get(4)?,
                    worst_severity: severity_name(worst).into(),
                    last_at: r.try_get(6)?,
                })
            })
            .collect()
    }
}

pub(crate) fn message_from_row(r: &AnyRow) -> Result<LogMessage> {
    let rules: String = r.try_get("rules")?;
    let sev: i64 = r.try_get("severity")?;
    let tid: i64 = r.try_get("template_id")?;
    Ok(LogMessage {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        received_at: r.try_get("received_at")?,
        customer_id: r.try_get("customer_id")?,
        host_id: r.try_get("host_id")?,
        source: r.try_get("source")?,
        hostname: r.try_get("hostname")?,
        program: r.try_get("program")?,
        facility: r.try_get("facility")?,
        syslog_severity: r.try_get("syslog_severity")?,
        severity: severity_name(sev).into(),
        template_id: format!("E{tid}"),
        rules: rules
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        message: r.try_get("message")?,
    })
}
