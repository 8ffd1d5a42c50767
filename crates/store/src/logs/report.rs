//! What the log diagnosis report is computed from: counts by template in a period and in the
//! periods before it, examples, and top talkers. The server turns these into findings.
use super::search::{LogScope, message_from_row};
use super::{LogMessage, TemplateCount};
use crate::{Result, Scope, Store};
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

/// A host (or, within one host, a program) and how many messages it sent in the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Talker {
    /// Asset id of the host; `None` for a program or an unrouted source.
    pub host_id: Option<String>,
    /// Host name, program, or source address.
    pub name: String,
    pub count: i64,
}

/// Raw material of a report over `[from, to)` and `periods` equal periods before it.
#[derive(Debug, Clone)]
pub struct ReportData {
    pub total: i64,
    /// Messages per diagnosed severity code 0..=7.
    pub by_severity: [i64; 8],
    /// Templates in the period, most frequent first (at most 1000).
    pub templates: Vec<TemplateCount>,
    /// (customer id, template number, period index 0..periods, count) before `from`.
    pub baseline: Vec<(Option<String>, i64, i64, i64)>,
    pub talkers: Vec<Talker>,
}

impl Store {
    /// Counts for a report on a host or customer (or everything the scope sees).
    pub async fn log_report_data(
        &self,
        scope: &Scope,
        s: &LogScope<'_>,
        (from, to): (i64, i64),
        periods: i64,
    ) -> Result<ReportData> {
        let base = LogScope {
            from: None,
            to: None,
            ..s.clone()
        };
        let mut f = self.log_filter(scope, &base).await?;
        let all = f.sql.clone();
        f.sql
            .push_str(&format!(" AND m.at >= {from} AND m.at < {to}"));
        let rows = f
            .query(&format!(
                "SELECT m.severity, COUNT(*) FROM log_messages m{} GROUP BY m.severity",
                f.sql
            ))
            .fetch_all(&self.pool)
            .await?;
        let mut by_severity = [0i64; 8];
        for r in &rows {
            let (sev, n): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
            if let Some(slot) = by_severity.get_mut(usize::try_from(sev).unwrap_or(6)) {
                *slot += n;
            }
        }
        let templates = self.template_counts(&f, 1000).await?;
        let len = (to - from).max(1);
        let start = from - periods * len;
        let mut b = crate::scope::Filter {
            sql: all,
            args: f.args.clone(),
        };
        b.sql
            .push_str(&format!(" AND m.at >= {start} AND m.at < {from}"));
        let sql = format!(
            "SELECT m.customer_id, t.canonical_id, (m.at - {start}) / {len}, COUNT(*) FROM log_messages m \
             JOIN log_templates t ON t.scope_key = COALESCE(m.customer_id, '') AND t.template_id = m.template_id{} \
             GROUP BY m.customer_id, t.canonical_id, (m.at - {start}) / {len}",
            b.sql
        );
        let baseline = b
            .query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<_>>()?;
        let talkers = if s.host.is_some() {
            let sql = format!(
                "SELECT NULL, COALESCE(m.program, '-'), COUNT(*) FROM log_messages m{} \
                 GROUP BY COALESCE(m.program, '-') ORDER BY COUNT(*) DESC LIMIT 10",
                f.sql
            );
            self.talkers(&f, &sql).await?
        } else {
            let sql = format!(
                "SELECT m.host_id, COALESCE(a.name, m.hostname, m.source), COUNT(*) FROM log_messages m \
                 LEFT JOIN assets a ON a.id = m.host_id{} \
                 GROUP BY m.host_id, COALESCE(a.name, m.hostname, m.source) ORDER BY COUNT(*) DESC LIMIT 10",
                f.sql
            );
            self.talkers(&f, &sql).await?
        };
        Ok(ReportData {
            total: by_severity.iter().sum(),
            by_severity,
            templates,
            baseline,
            talkers,
        })
    }

    async fn talkers(&self, f: &crate::scope::Filter, sql: &str) -> Result<Vec<Talker>> {
        f.query(sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Talker {
                    host_id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    count: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// The latest `n` messages of a template (canonical number) in the period.
    pub async fn log_examples(
        &self,
        scope: &Scope,
        s: &LogScope<'_>,
        customer_id: Option<&str>,
        template: i64,
        n: i64,
    ) -> Result<Vec<LogMessage>> {
        let mut f = self.log_filter(scope, s).await?;
        match customer_id {
            Some(c) => {
                f.eq("m.customer_id", c);
            }
            None => f.sql.push_str(" AND m.customer_id IS NULL"),
        }
        f.sql.push_str(&format!(
            " AND m.template_id IN (SELECT t.template_id FROM log_templates t \
             WHERE t.scope_key = COALESCE(m.customer_id, '') AND t.canonical_id = {template})"
        ));
        let sql = format!(
            "SELECT m.id, m.at, m.received_at, m.customer_id, m.host_id, m.source, m.hostname, m.program, \
             m.facility, m.syslog_severity, m.severity, m.template_id, m.rules, m.message \
             FROM log_messages m{} ORDER BY m.at DESC, m.id DESC LIMIT {n}",
            f.sql
        );
        f.query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(message_from_row)
            .collect()
    }
}

/// Per (customer, `E<n>`): message counts in `buckets` hours from `start`.
pub type HourlyCounts = std::collections::HashMap<(Option<String>, String), Vec<i64>>;

impl Store {
    /// Hourly counts per canonical template from `start`, for sparklines.
    pub async fn log_template_hours(
        &self,
        scope: &Scope,
        host: Option<&str>,
        customer: Option<&str>,
        start: i64,
        buckets: i64,
    ) -> Result<HourlyCounts> {
        let ls = LogScope {
            host,
            customer,
            ..LogScope::default()
        };
        let mut f = self.log_filter(scope, &ls).await?;
        let end = start + buckets * 3_600_000;
        f.sql
            .push_str(&format!(" AND m.at >= {start} AND m.at < {end}"));
        let sql = format!(
            "SELECT m.customer_id, t.canonical_id, (m.at - {start}) / 3600000, COUNT(*) FROM log_messages m \
             JOIN log_templates t ON t.scope_key = COALESCE(m.customer_id, '') AND t.template_id = m.template_id{} \
             GROUP BY m.customer_id, t.canonical_id, (m.at - {start}) / 3600000",
            f.sql
        );
        let mut out = HourlyCounts::new();
        for r in f.query(&sql).fetch_all(&self.pool).await? {
            let (c, id, h, n): (Option<String>, i64, i64, i64) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
            let v = out
                .entry((c, format!("E{id}")))
                .or_insert_with(|| vec![0; buckets as usize]);
            if let Some(slot) = usize::try_from(h).ok().and_then(|h| v.get_mut(h)) {
                *slot += n;
            }
        }
        Ok(out)
    }
}
