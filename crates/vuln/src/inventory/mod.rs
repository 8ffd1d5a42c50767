//! Parsers for what a host reports about itself: its OS identity
//! ([`os_release`]) and its installed packages ([`dpkg`], [`rpm`], [`apk`]),
//! plus the kernel reboot check ([`kernel`]). All parsers take text.

pub mod apk;
pub mod dpkg;
pub mod kernel;
pub mod os_release;
pub mod rpm;

use serde::{Deserialize, Serialize};

/// One installed binary package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledPackage {
    /// Binary package name.
    pub name: String,
    /// Installed version, as the package database spells it.
    pub version: String,
    /// Architecture, when known.
    pub arch: Option<String>,
    /// Source package name when the database records one that differs
    /// (dpkg `Source:`, apk `o:` origin, rpm SOURCERPM).
    pub source_name: Option<String>,
    /// Source package version when it differs from `version` (dpkg binNMUs).
    pub source_version: Option<String>,
}

impl InstalledPackage {
    /// A package with only name and version.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        InstalledPackage {
            name: name.into(),
            version: version.into(),
            arch: None,
            source_name: None,
            source_version: None,
        }
    }

    /// The source package name, falling back to the binary name.
    pub fn source_name(&self) -> &str {
        self.source_name.as_deref().unwrap_or(&self.name)
    }

    /// The source package version, falling back to the binary version.
    pub fn source_version(&self) -> &str {
        self.source_version.as_deref().unwrap_or(&self.version)
    }
}

/// A package database or os-release text that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct InventoryError {
    /// 1-based line number where the problem was found.
    pub line: usize,
    /// What is wrong there.
    pub reason: String,
}

impl InventoryError {
    pub(crate) fn new(line: usize, reason: impl Into<String>) -> Self {
        InventoryError {
            line,
            reason: reason.into(),
        }
    }
}

/// A blank-line separated block of `key<sep>value` fields.
pub(crate) struct Stanza<'a> {
    /// 1-based line of the first field.
    pub line: usize,
    pub fields: Vec<(&'a str, &'a str)>,
}

impl<'a> Stanza<'a> {
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.fields.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
    }
}

/// Split `text` into stanzas. Lines starting with a space or tab continue the
/// previous field and are skipped (no field we read spans lines).
pub(crate) fn stanzas(text: &str, sep: char) -> Result<Vec<Stanza<'_>>, InventoryError> {
    let mut out = Vec::new();
    let mut cur: Option<Stanza<'_>> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            out.extend(cur.take());
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if cur.is_none() {
                return Err(InventoryError::new(n, "continuation line without a field"));
            }
            continue;
        }
        let Some((k, v)) = line.split_once(sep) else {
            return Err(InventoryError::new(
                n,
                format!("expected 'Field{sep} value'"),
            ));
        };
        cur.get_or_insert_with(|| Stanza {
            line: n,
            fields: Vec::new(),
        })
        .fields
        .push((k.trim(), v.trim()));
    }
    out.extend(cur);
    Ok(out)
}
