//! The OSV JSON schema as read from disk (only the fields we use; unknown
//! fields are ignored, `null` lists read as empty).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One OSV record.
#[derive(Debug, Deserialize)]
pub(crate) struct RawRecord {
    pub id: String,
    pub modified: Option<String>,
    pub published: Option<String>,
    pub withdrawn: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub aliases: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub related: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub upstream: Vec<String>,
    pub summary: Option<String>,
    pub details: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "nullable")]
    pub affected: Vec<RawAffected>,
    #[serde(default, deserialize_with = "nullable")]
    pub references: Vec<RawReference>,
    pub database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawSeverity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawAffected {
    pub package: Option<RawPackage>,
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "nullable")]
    pub ranges: Vec<RawRange>,
    #[serde(default, deserialize_with = "nullable")]
    pub versions: Vec<String>,
    pub ecosystem_specific: Option<Value>,
    pub database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawPackage {
    pub ecosystem: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawRange {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub events: Vec<RawEvent>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawEvent {
    pub introduced: Option<String>,
    pub fixed: Option<String>,
    pub last_affected: Option<String>,
    pub limit: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawReference {
    pub url: String,
}

/// A file holds one record or an array of records.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum RawFile {
    One(Box<RawRecord>),
    Many(Vec<RawRecord>),
}
