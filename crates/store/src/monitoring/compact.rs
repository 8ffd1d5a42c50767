//! The tsdb storage half: raw batches are compacted into per-series chunk pieces (one per
//! series and window per run), pieces are merged into one chunk per window (when the window
//! has closed, or when pieces pile up), a closed raw window is rolled up into minute and hour
//! buckets (themselves merged the same way), and each resolution is pruned by its retention.
use super::{HOUR_MS, MINUTE_MS, series_id, window_of};
use crate::{Backend, Result, Store};
use onestop_tsdb::{Bucket, ChunkEncoder, bucketize, decode_all, decode_buckets, encode_buckets};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

/// A window is closed (no more merges expected) this long after its end.
const GRACE_MS: i64 = 5 * MINUTE_MS;
/// Pieces of one open window that trigger a merge.
const MERGE_AT: i64 = 8;

/// How long each resolution is kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub raw_ms: i64,
    pub minute_ms: i64,
    pub hour_ms: i64,
}

impl Default for Retention {
    /// Raw 14 days, minute rollups 90 days, hour rollups 5 years.
    fn default() -> Self {
        Retention {
            raw_ms: 14 * 24 * HOUR_MS,
            minute_ms: 90 * 24 * HOUR_MS,
            hour_ms: 5 * 365 * 24 * HOUR_MS,
        }
    }
}

/// What one compaction run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompactReport {
    pub batches: u64,
    pub samples: u64,
    pub series: u64,
    pub merged: u64,
    pub rolled_up: u64,
    pub pruned: u64,
}

#[derive(Default)]
struct Acc {
    host: String,
    name: String,
    labels: String,
    points: Vec<(i64, f64)>,
}

type Pending = Vec<(String, i64, Option<Vec<u8>>)>;

/// Decode batches and group their samples per series id (CPU work, off the async threads).
/// Samples inside a maintenance window without collection (`skip`, per host) are dropped.
fn group(batches: &Pending, skip: &HashMap<String, Vec<(i64, i64)>>) -> HashMap<i64, Acc> {
    let mut out: HashMap<i64, Acc> = HashMap::new();
    let none = Vec::new();
    for (host, seq, body) in batches {
        let spans = skip.get(host).unwrap_or(&none);
        let kept = |t: i64| !spans.iter().any(|(a, b)| *a <= t && t < *b);
        let Some(body) = body else { continue };
        let batch = match onestop_proto::decode_batch(body) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(host, seq, error = %e, "undecodable stored batch skipped");
                continue;
            }
        };
        for s in batch.payload.series {
            let labels = serde_json::to_string(&s.labels).unwrap_or_else(|_| "{}".into());
            let id = series_id(host, &s.name, &labels);
            let acc = out.entry(id).or_insert_with(|| Acc {
                host: host.clone(),
                name: s.name.clone(),
                labels,
                points: Vec::new(),
            });
            acc.points.extend(
                s.points
                    .iter()
                    .filter(|p| kept(p.ts_ms))
                    .map(|p| (p.ts_ms, p.value)),
            );
        }
    }
    out
}

/// A part number for a compaction run as of `now`: later runs get larger numbers (merges read
/// parts in order, the last written wins), and two runs of this process never share one, even
/// with the same `now` (a shared number would overwrite the earlier run's chunk). Runs of
/// different processes are serialised by the lease and a millisecond apart at least.
fn next_part(now: i64) -> i64 {
    static LAST: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let base = now.saturating_mul(1000) + 1;
    let prev = LAST
        .fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |last| Some(base.max(last + 1)),
        )
        .unwrap_or(0);
    base.max(prev + 1)
}

/// Sort by time; of equal timestamps the one appended last wins.
fn sort_dedupe<T: Copy>(v: &mut Vec<(i64, T)>) {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by_key(|&i| (v[i].0, i));
    let mut out: Vec<(i64, T)> = Vec::with_capacity(v.len());
    for i in idx {
        match out.last_mut() {
            Some(last) if last.0 == v[i].0 => *last = v[i],
            _ => out.push(v[i]),
        }
    }
    *v = out;
}

fn encode(points: &[(i64, f64)]) -> Vec<u8> {
    let mut enc = ChunkEncoder::new();
    for &(t, v) in points {
        enc.push(t, v);
    }
    enc.finish()
}

#[allow(clippy::too_many_arguments)]
async fn put_chunk(
    conn: &mut AnyConnection,
    series: i64,
    res: i64,
    window: i64,
    part: i64,
    (start, end, n): (i64, i64, usize),
    data: &[u8],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO metric_chunks (series_id, res, window_ms, part, start_ms, end_ms, samples, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (series_id, res, window_ms, part) \
         DO UPDATE SET start_ms = excluded.start_ms, end_ms = excluded.end_ms, samples = excluded.samples, data = excluded.data",
    )
    .bind(series)
    .bind(res)
    .bind(window)
    .bind(part)
    .bind(start)
    .bind(end)
    .bind(n as i64)
    .bind(data)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// One compaction run at `now`: up to `limit` pending batches into chunk pieces, then
    /// merges and roll-ups, then retention. Safe to call repeatedly; run under a lease.
    pub async fn compact(&self, now: i64, limit: i64, keep: Retention) -> Result<CompactReport> {
        let mut report = self.compact_batches(now, limit).await?;
        let (merged, rolled) = self.merge_chunks(now, false).await?;
        report.merged = merged;
        report.rolled_up = rolled;
        report.pruned = self.prune(now, keep).await?;
        Ok(report)
    }

    /// Compact pending batches into one chunk piece per (series, window).
    pub async fn compact_batches(&self, now: i64, limit: i64) -> Result<CompactReport> {
        let rows = sqlx::query(
            "SELECT host_id, seq, body FROM metric_batches WHERE compacted_at IS NULL ORDER BY received_at, seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let pending: Pending = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_>>()?;
        if pending.is_empty() {
            return Ok(CompactReport::default());
        }
        let mut skip = HashMap::new();
        for (host, _, _) in &pending {
            if !skip.contains_key(host) {
                skip.insert(host.clone(), self.no_collect_spans(host).await?);
            }
        }
        let (pending, groups) = tokio::task::spawn_blocking(move || {
            let g = group(&pending, &skip);
            (pending, g)
        })
        .await
        .map_err(|e| crate::StoreError::Other(format!("compaction task: {e}")))?;
        let mut report = CompactReport {
            batches: pending.len() as u64,
            series: groups.len() as u64,
            ..Default::default()
        };
        let part = next_part(now);
        let mut tx = self.begin_write().await?;
        for (id, mut acc) in groups {
            sort_dedupe(&mut acc.points);
            let Some(&(last_ts, _)) = acc.points.last() else {
                continue;
            };
            report.samples += acc.points.len() as u64;
            sqlx::query(
                "INSERT INTO metric_series (id, host_id, name, labels, created_at, last_ts) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (id) DO UPDATE SET last_ts = CASE WHEN excluded.last_ts > metric_series.last_ts \
                 THEN excluded.last_ts ELSE metric_series.last_ts END",
            )
            .bind(id)
            .bind(&acc.host)
            .bind(&acc.name)
            .bind(&acc.labels)
            .bind(now)
            .bind(last_ts)
            .execute(&mut *tx)
            .await?;
            let w = window_of(0);
            let mut start = 0;
            while start < acc.points.len() {
                let window = acc.points[start].0.div_euclid(w) * w;
                let end = start + acc.points[start..].partition_point(|p| p.0 < window + w);
                let pts = &acc.points[start..end];
                let span = (pts[0].0, pts[pts.len() - 1].0, pts.len());
                put_chunk(&mut tx, id, 0, window, part, span, &encode(pts)).await?;
                start = end;
            }
        }
        // Metrics-only batches are gone once compacted (the host's seq mark still dedupes
        // resends); batches with inventory or log lines stay for their consumers.
        for (host, seq, _) in &pending {
            sqlx::query("DELETE FROM metric_batches WHERE host_id = $1 AND seq = $2 AND has_inventory = 0 AND log_lines = 0")
                .bind(host)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE metric_batches SET compacted_at = $1 WHERE host_id = $2 AND seq = $3",
            )
            .bind(now)
            .bind(host)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Merge the pieces of closed windows (and of open windows with many pieces) into one
    /// chunk each; a closed raw window is also rolled up into minute and hour buckets.
    /// `all` merges every window with pieces (benchmarks, tests). Returns (merged, rolled up).
    pub async fn merge_chunks(&self, now: i64, all: bool) -> Result<(u64, u64)> {
        let (mut merged, mut rolled) = (0, 0);
        // Raw first, so that the rollup pieces it emits are merged in the same call.
        for res in [0, MINUTE_MS, HOUR_MS] {
            let rows = sqlx::query(
                "SELECT series_id, window_ms, COUNT(*) FROM metric_chunks WHERE part <> 0 AND res = $1 \
                 GROUP BY series_id, window_ms",
            )
            .bind(res)
            .fetch_all(&self.pool)
            .await?;
            let mut groups = Vec::new();
            for r in &rows {
                let (series, window, n): (i64, i64, i64) =
                    (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
                let closed = window + window_of(res) + GRACE_MS <= now;
                if all || closed || n >= MERGE_AT {
                    groups.push((series, window, closed || all));
                }
            }
            for chunk in groups.chunks(64) {
                let mut tx = self.begin_write().await?;
                for &(series, window, closed) in chunk {
                    let r = merge_one(&mut tx, series, res, window, closed).await?;
                    merged += 1;
                    rolled += u64::from(r);
                }
                tx.commit().await?;
            }
        }
        Ok((merged, rolled))
    }

    /// Drop what each resolution's retention no longer keeps, and compacted batches older
    /// than the raw retention. Returns the rows deleted.
    pub async fn prune(&self, now: i64, keep: Retention) -> Result<u64> {
        let mut n = 0;
        for (res, ms) in [
            (0, keep.raw_ms),
            (MINUTE_MS, keep.minute_ms),
            (HOUR_MS, keep.hour_ms),
        ] {
            n += sqlx::query("DELETE FROM metric_chunks WHERE res = $1 AND window_ms + $2 < $3")
                .bind(res)
                .bind(window_of(res))
                .bind(now - ms)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        n += sqlx::query(
            "DELETE FROM metric_batches WHERE compacted_at IS NOT NULL AND received_at < $1",
        )
        .bind(now - keep.raw_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        n += sqlx::query(
            "DELETE FROM metric_series WHERE last_ts < $1 AND id NOT IN (SELECT DISTINCT series_id FROM metric_chunks)",
        )
        .bind(now - keep.hour_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n)
    }
}

/// Merge one window's pieces; roll a closed raw window up. Returns whether it rolled up.
async fn merge_one(
    conn: &mut AnyConnection,
    series: i64,
    res: i64,
    window: i64,
    closed: bool,
) -> Result<bool> {
    let rows = sqlx::query(
        "SELECT data FROM metric_chunks WHERE series_id = $1 AND res = $2 AND window_ms = $3 ORDER BY part",
    )
    .bind(series)
    .bind(res)
    .bind(window)
    .fetch_all(&mut *conn)
    .await?;
    let blobs: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    sqlx::query("DELETE FROM metric_chunks WHERE series_id = $1 AND res = $2 AND window_ms = $3")
        .bind(series)
        .bind(res)
        .bind(window)
        .execute(&mut *conn)
        .await?;
    if res != 0 {
        let mut all: Vec<(i64, Bucket)> = Vec::new();
        for b in &blobs {
            match decode_buckets(b) {
                Ok(v) => all.extend(v.into_iter().map(|x| (x.start_ms, x))),
                Err(e) => {
                    tracing::warn!(series, res, window, error = %e, "corrupt rollup piece dropped")
                }
            }
        }
        sort_dedupe(&mut all);
        if let (Some(first), Some(last)) = (all.first(), all.last()) {
            let span = (first.0, last.0, all.len());
            let buckets: Vec<Bucket> = all.iter().map(|x| x.1).collect();
            put_chunk(
                conn,
                series,
                res,
                window,
                0,
                span,
                &encode_buckets(&buckets),
            )
            .await?;
        }
        return Ok(false);
    }
    let mut pts: Vec<(i64, f64)> = Vec::new();
    for b in &blobs {
        match decode_all(b) {
            Ok(v) => pts.extend(v),
            Err(e) => tracing::warn!(series, window, error = %e, "corrupt chunk piece dropped"),
        }
    }
    sort_dedupe(&mut pts);
    let (Some(first), Some(last)) = (pts.first().copied(), pts.last().copied()) else {
        return Ok(false);
    };
    put_chunk(
        conn,
        series,
        0,
        window,
        0,
        (first.0, last.0, pts.len()),
        &encode(&pts),
    )
    .await?;
    if !closed {
        return Ok(false);
    }
    // The sample before this window, for the first bucket's counter increase.
    let prev_blob: Option<Vec<u8>> = sqlx::query(
        "SELECT data FROM metric_chunks WHERE series_id = $1 AND res = 0 AND window_ms < $2 ORDER BY window_ms DESC, part DESC LIMIT 1",
    )
    .bind(series)
    .bind(window)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| r.try_get(0))
    .transpose()?;
    let prev = prev_blob
        .and_then(|b| decode_all(&b).ok())
        .and_then(|v| v.last().map(|p| p.1));
    for res in [MINUTE_MS, HOUR_MS] {
        let buckets = bucketize(&pts, res, prev);
        let (Some(f), Some(l)) = (buckets.first(), buckets.last()) else {
            continue;
        };
        let w = window_of(res);
        // The piece is named after the raw window, so re-rolling it replaces it.
        let span = (f.start_ms, l.start_ms, buckets.len());
        put_chunk(
            conn,
            series,
            res,
            window.div_euclid(w) * w,
            window.max(1),
            span,
            &encode_buckets(&buckets),
        )
        .await?;
    }
    Ok(true)
}

/// Samples of one series grouped per window, for queries (pieces merged on the fly).
pub(crate) fn merge_pieces(blobs: Vec<(i64, Vec<u8>)>) -> Vec<(i64, f64)> {
    let mut per_window: BTreeMap<i64, Vec<(i64, f64)>> = BTreeMap::new();
    for (window, b) in blobs {
        if let Ok(v) = decode_all(&b) {
            per_window.entry(window).or_default().extend(v);
        }
    }
    let mut out = Vec::new();
    for (_, mut v) in per_window {
        sort_dedupe(&mut v);
        out.extend(v);
    }
    out
}

/// Buckets of one series (pieces merged on the fly, later pieces winning).
pub(crate) fn merge_bucket_pieces(blobs: Vec<(i64, Vec<u8>)>) -> Vec<Bucket> {
    let mut per_window: BTreeMap<i64, Vec<(i64, Bucket)>> = BTreeMap::new();
    for (window, b) in blobs {
        if let Ok(v) = decode_buckets(&b) {
            per_window
                .entry(window)
                .or_default()
                .extend(v.into_iter().map(|x| (x.start_ms, x)));
        }
    }
    let mut out = Vec::new();
    for (_, mut v) in per_window {
        sort_dedupe(&mut v);
        out.extend(v.into_iter().map(|x| x.1));
    }
    out
}
