//! Small helpers: ids, time, JSON columns.
use serde::{Serialize, de::DeserializeOwned};

/// A new stable, non-guessable id (UUIDv7: time-ordered, 74 random bits).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current time in milliseconds since the epoch. Only the store and the server read the
/// clock; the domain takes time as a parameter.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

pub(crate) fn from_json<T: DeserializeOwned + Default>(s: &str) -> T {
    serde_json::from_str(s).unwrap_or_default()
}
