//! onestop-tsdb: metric series storage.
//!
//! This crate currently holds the pure encoding half: compressed chunks for one
//! series ([`chunk`]), the bit-level reader and writer under them ([`bits`]),
//! per-minute/per-hour rollups ([`rollup`]) and counter rates and stepped range
//! aggregation ([`query`]), and stored rollup buckets with last values and
//! counter increases ([`bucket`]). Nothing here does I/O; time is always an
//! argument. The storage half (SQL) lives in `onestop-store`'s `monitoring`
//! module, which keeps all SQL in one crate.

pub mod bits;
pub mod bucket;
pub mod chunk;
mod chunk_int;
mod chunk_xor;
pub mod perf;
pub mod query;
pub mod rollup;
mod varint;

pub use bucket::{Bucket, bucket_range_query, bucketize, coarsen, decode_buckets, encode_buckets};
pub use chunk::{ChunkEncoder, ChunkError, ChunkIter, decode, decode_all};
pub use query::{Agg, QueryError, RangeQuery, counter_increase, counter_rate, range_query};
pub use rollup::{HOUR_MS, MINUTE_MS, Rollup, merge_rollups, rollup, rollup_hours, rollup_minutes};
