//! OSV advisories: parsing ([`parse_osv`]), the normalised [`Advisory`]
//! model (serde-serialisable for storage), severity ([`Severity`]) and
//! merging of records that share an id ([`merge`]).

mod convert;
pub mod merge;
mod raw;
pub mod severity;

pub use merge::{Upsert, merge_advisories, upsert_decision};
pub use severity::{CvssScore, Severity};

use crate::ecosystem::{Ecosystem, UnsupportedEcosystem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A normalised OSV advisory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// OSV id, e.g. `ALSA-2025:10073`.
    pub id: String,
    /// Last modification time (required by OSV).
    pub modified: DateTime<Utc>,
    /// Publication time.
    pub published: Option<DateTime<Utc>>,
    /// Set when the advisory was withdrawn; such advisories never match.
    pub withdrawn: Option<DateTime<Utc>>,
    /// One-line summary (may be empty).
    pub summary: String,
    /// Long description (may be empty).
    pub details: String,
    /// `aliases` as given.
    pub aliases: Vec<String>,
    /// `related` as given.
    pub related: Vec<String>,
    /// CVE ids from `aliases`, `related`, `upstream` and the id itself,
    /// sorted and deduplicated.
    pub cves: Vec<String>,
    /// Normalised severity (see [`severity`] for the sources).
    pub severity: Severity,
    /// The CVSS vector the severity came from, if any.
    pub cvss: Option<CvssScore>,
    /// Affected packages in supported ecosystems.
    pub affected: Vec<Affected>,
    /// Reference URLs.
    pub references: Vec<String>,
}

impl Advisory {
    /// Whether the advisory was withdrawn.
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.is_some()
    }
}

/// One affected package of an advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// The ecosystem string as given (`AlmaLinux:9`, `Ubuntu:22.04:LTS`).
    pub ecosystem: String,
    /// Package name (binary or source, depending on the distribution).
    pub name: String,
    /// `ECOSYSTEM` ranges, each a list of events; other range types (GIT,
    /// SEMVER: upstream data) are dropped on import.
    pub ranges: Vec<Vec<Event>>,
    /// Explicitly listed affected versions.
    pub versions: Vec<String>,
    /// Per-package rating, when the record gives one.
    pub severity: Option<Severity>,
}

impl Affected {
    /// The parsed ecosystem.
    pub fn ecosystem(&self) -> Result<Ecosystem, UnsupportedEcosystem> {
        self.ecosystem.parse()
    }
}

/// A range event, serialised as OSV writes it (`{"fixed": "1.2-3"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Vulnerable from this version on (`"0"`: from the beginning).
    Introduced(String),
    /// Fixed in this version.
    Fixed(String),
    /// Vulnerable up to and including this version.
    LastAffected(String),
    /// Upper bound of the range (`"*"`: none).
    Limit(String),
}

/// An advisory plus what was dropped while normalising it.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The advisory.
    pub advisory: Advisory,
    /// Human-readable notes about dropped ranges or packages.
    pub warnings: Vec<String>,
}

/// Why an OSV document was refused.
#[derive(Debug, thiserror::Error)]
pub enum OsvError {
    /// Not JSON, or not shaped like an OSV record.
    #[error("invalid OSV JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A required field is missing or malformed.
    #[error("{id}: {reason}")]
    Record {
        /// The record id.
        id: String,
        /// What is wrong.
        reason: String,
    },
}

/// Parse a JSON document holding one OSV record or an array of records.
pub fn parse_osv(bytes: &[u8]) -> Result<Vec<Parsed>, OsvError> {
    match serde_json::from_slice::<raw::RawFile>(bytes)? {
        raw::RawFile::One(r) => Ok(vec![convert::convert(*r)?]),
        raw::RawFile::Many(rs) => rs.into_iter().map(convert::convert).collect(),
    }
}
