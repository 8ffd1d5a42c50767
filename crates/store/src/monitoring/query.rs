//! Range queries over a host's series: the resolution follows the step (raw below a minute,
//! minute buckets below an hour, hour buckets above), and the part of the range not yet
//! rolled up is bucketed from raw samples on the fly.
use super::compact::{merge_bucket_pieces, merge_pieces};
use super::{HOUR_MS, MINUTE_MS, SeriesInfo, SeriesQuery, SeriesResult, window_of};
use crate::{Result, Scope, Store, StoreError};
use onestop_domain::model::ValidationError;
use onestop_tsdb::{
    Agg, Bucket, QueryError, RangeQuery, bucket_range_query, bucketize, range_query,
};
use sqlx::Row;
use std::collections::BTreeMap;

fn query_error(e: QueryError) -> StoreError {
    ValidationError::new("step", e.to_string()).into()
}

impl Store {
    /// The series of a host (optionally of one name), if the scope may see the host.
    pub async fn host_series(
        &self,
        scope: &Scope,
        host_id: &str,
        name: Option<&str>,
    ) -> Result<Vec<SeriesInfo>> {
        self.get_host(scope, host_id, i64::MAX).await?;
        self.series_of_host(host_id, name).await
    }

    pub async fn series_of_host(
        &self,
        host_id: &str,
        name: Option<&str>,
    ) -> Result<Vec<SeriesInfo>> {
        let mut q =
            String::from("SELECT id, name, labels, last_ts FROM metric_series WHERE host_id = $1");
        if name.is_some() {
            q.push_str(" AND name = $2");
        }
        q.push_str(" ORDER BY name, labels");
        let mut query = sqlx::query(&q).bind(host_id);
        if let Some(n) = name {
            query = query.bind(n);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let labels: String = r.try_get(2)?;
                Ok(SeriesInfo {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    labels: serde_json::from_str(&labels).unwrap_or_default(),
                    last_ts: r.try_get(3)?,
                })
            })
            .collect()
    }

    async fn pieces(
        &self,
        series: i64,
        res: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT window_ms, data FROM metric_chunks WHERE series_id = $1 AND res = $2 \
             AND window_ms > $3 AND window_ms <= $4 AND end_ms >= $5 AND start_ms <= $6 ORDER BY window_ms, part",
        )
        .bind(series)
        .bind(res)
        .bind(from - window_of(res))
        .bind(to)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Raw samples of a series with timestamps in `[from, to]`, time-ordered.
    pub async fn raw_samples(&self, series: i64, from: i64, to: i64) -> Result<Vec<(i64, f64)>> {
        let blobs = self.pieces(series, 0, from, to).await?;
        let mut v = tokio::task::spawn_blocking(move || merge_pieces(blobs))
            .await
            .map_err(|e| StoreError::Other(e.to_string()))?;
        v.retain(|p| p.0 >= from && p.0 <= to);
        Ok(v)
    }

    /// Stored rollup buckets of a series starting in `[from, to]`.
    pub async fn stored_buckets(
        &self,
        series: i64,
        res: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<Bucket>> {
        let blobs = self.pieces(series, res, from, to).await?;
        let mut v = merge_bucket_pieces(blobs);
        v.retain(|b| b.start_ms >= from && b.start_ms <= to);
        Ok(v)
    }

    /// Evaluate a range query over every series of the host matching name and labels.
    pub async fn query_series(
        &self,
        scope: &Scope,
        host_id: &str,
        q: &SeriesQuery,
    ) -> Result<Vec<SeriesResult>> {
        if q.step_ms <= 0 || q.to_ms < q.from_ms {
            return Err(ValidationError::new("step", "step must be positive and from ≤ to").into());
        }
        let agg = q.agg.unwrap_or(if q.name.ends_with("_total") {
            Agg::Rate
        } else {
            Agg::Avg
        });
        let rq = RangeQuery {
            start_ms: q.from_ms,
            end_ms: q.to_ms,
            step_ms: q.step_ms,
            window_ms: None,
            agg,
        };
        onestop_tsdb::query::range_query(&[], &rq).map_err(query_error)?;
        let mut out = Vec::new();
        for s in self.host_series(scope, host_id, Some(&q.name)).await? {
            if !q.labels.iter().all(|(k, v)| s.labels.get(k) == Some(v)) {
                continue;
            }
            let (resolution, points) = self.evaluate(s.id, &rq).await?;
            out.push(SeriesResult {
                name: s.name,
                labels: s.labels,
                resolution: resolution.into(),
                agg: agg.as_str().into(),
                points,
            });
        }
        Ok(out)
    }

    /// One series' points for a range query.
    pub async fn evaluate(
        &self,
        series: i64,
        rq: &RangeQuery,
    ) -> Result<(&'static str, Vec<(i64, f64)>)> {
        let from = rq.start_ms - rq.step_ms;
        let res = if rq.step_ms >= HOUR_MS {
            HOUR_MS
        } else if rq.step_ms >= MINUTE_MS {
            MINUTE_MS
        } else {
            let raw = self.raw_samples(series, from, rq.end_ms).await?;
            return Ok(("raw", range_query(&raw, rq).map_err(query_error)?));
        };
        let mut buckets = self.stored_buckets(series, res, from, rq.end_ms).await?;
        let covered = buckets.last().map_or(from, |b| b.start_ms + res);
        if covered <= rq.end_ms {
            let raw = self.raw_samples(series, covered, rq.end_ms).await?;
            let prev = buckets.last().map(|b| b.last);
            buckets.extend(bucketize(&raw, res, prev));
        }
        let label = if res == HOUR_MS { "hour" } else { "minute" };
        Ok((
            label,
            bucket_range_query(&buckets, res, rq).map_err(query_error)?,
        ))
    }

    /// Raw samples since `since` of the host's series named `name` matching `labels`
    /// (for the alert evaluator, which runs as the system).
    pub async fn recent_samples(
        &self,
        host_id: &str,
        name: &str,
        labels: &BTreeMap<String, String>,
        since: i64,
        until: i64,
    ) -> Result<Vec<(BTreeMap<String, String>, Vec<(i64, f64)>)>> {
        let mut out = Vec::new();
        for s in self.series_of_host(host_id, Some(name)).await? {
            if s.last_ts < since || !labels.iter().all(|(k, v)| s.labels.get(k) == Some(v)) {
                continue;
            }
            let pts = self.raw_samples(s.id, since, until).await?;
            out.push((s.labels, pts));
        }
        Ok(out)
    }
}
