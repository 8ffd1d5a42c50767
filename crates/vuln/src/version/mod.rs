//! Package version syntax and ordering for the three package families.
//!
//! * [`Scheme::Deb`]: dpkg (`[epoch:]upstream[-revision]`), see [`deb`].
//! * [`Scheme::Rpm`]: rpm (`[epoch:]version[-release]`), see [`rpm`].
//! * [`Scheme::Apk`]: Alpine apk-tools, see [`apk`].
//!
//! [`Version::parse`] validates a string once; comparing two parsed versions
//! then allocates nothing. [`compare`] is the one-shot convenience.

pub mod apk;
pub mod deb;
pub mod rpm;

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A version-ordering family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Debian and Ubuntu (dpkg).
    Deb,
    /// Red Hat family (rpm).
    Rpm,
    /// Alpine (apk-tools).
    Apk,
}

impl Scheme {
    /// The short name used on the command line: `deb`, `rpm` or `apk`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Deb => "deb",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scheme {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "deb" | "dpkg" | "debian" | "ubuntu" => Ok(Scheme::Deb),
            "rpm" => Ok(Scheme::Rpm),
            "apk" | "alpine" => Ok(Scheme::Apk),
            _ => Err(VersionError::UnknownScheme(s.to_string())),
        }
    }
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The string breaks the syntax rules of its scheme.
    #[error("invalid {scheme} version {version:?}: {reason}")]
    Invalid {
        /// Scheme whose rules were applied.
        scheme: Scheme,
        /// The offending input.
        version: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The scheme name is not one of `deb`, `rpm`, `apk`.
    #[error("unknown version scheme {0:?} (expected deb, rpm or apk)")]
    UnknownScheme(String),
}

impl VersionError {
    pub(crate) fn invalid(scheme: Scheme, version: &str, reason: &'static str) -> Self {
        VersionError::Invalid {
            scheme,
            version: version.to_string(),
            reason,
        }
    }
}

/// A validated version string of one scheme.
///
/// Equality is the scheme's equality (`1.0` equals `1.00` for dpkg), not
/// string equality. Versions of different schemes order by scheme first; that
/// order is arbitrary and only there to make `Ord` total.
#[derive(Clone, Debug)]
pub struct Version {
    scheme: Scheme,
    raw: Box<str>,
    epoch: u64,
    /// Byte range of upstream/version (deb, rpm) or the whole string (apk).
    main: (u32, u32),
    /// Byte range of the revision/release; empty when absent.
    rev: (u32, u32),
}

impl Version {
    /// Validate `s` under `scheme`'s rules.
    pub fn parse(scheme: Scheme, s: &str) -> Result<Self, VersionError> {
        if s.len() > u32::MAX as usize {
            return Err(VersionError::invalid(scheme, "", "too long"));
        }
        let (epoch, main, rev) = match scheme {
            Scheme::Deb => deb::split(s)?,
            Scheme::Rpm => rpm::split(s)?,
            Scheme::Apk => {
                apk::validate(s)?;
                (0, (0, s.len()), (s.len(), s.len()))
            }
        };
        Ok(Version {
            scheme,
            raw: s.into(),
            epoch,
            main: (main.0 as u32, main.1 as u32),
            rev: (rev.0 as u32, rev.1 as u32),
        })
    }

    /// The string as given.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The scheme this version was validated under.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The epoch (0 when absent; always 0 for apk).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    fn main(&self) -> &str {
        &self.raw[self.main.0 as usize..self.main.1 as usize]
    }

    fn rev(&self) -> &str {
        &self.raw[self.rev.0 as usize..self.rev.1 as usize]
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.scheme
            .cmp(&other.scheme)
            .then_with(|| match self.scheme {
                Scheme::Deb => self
                    .epoch
                    .cmp(&other.epoch)
                    .then_with(|| deb::verrevcmp(self.main(), other.main()))
                    .then_with(|| deb::verrevcmp(self.rev(), other.rev())),
                Scheme::Rpm => self
                    .epoch
                    .cmp(&other.epoch)
                    .then_with(|| rpm::rpmvercmp(self.main(), other.main()))
                    .then_with(|| rpm::release_cmp(self.rev(), other.rev())),
                Scheme::Apk => apk::compare_valid(&self.raw, &other.raw),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Validate both strings and compare them under `scheme`.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    let a = Version::parse(scheme, a)?;
    let b = Version::parse(scheme, b)?;
    Ok(a.cmp(&b))
}

/// Compare two runs of ASCII digits as non-negative integers of any length.
pub(crate) fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_zeros(a);
    let b = strip_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn strip_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    &s[n..]
}

/// Length of the run of ASCII digits at the start of `s`.
pub(crate) fn digit_run(s: &[u8]) -> usize {
    s.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Parse an epoch (all digits, non-empty, fits in `max`).
pub(crate) fn parse_epoch(
    scheme: Scheme,
    full: &str,
    e: &str,
    max: u64,
) -> Result<u64, VersionError> {
    if e.is_empty() {
        return Err(VersionError::invalid(scheme, full, "epoch is empty"));
    }
    if !e.bytes().all(|c| c.is_ascii_digit()) {
        return Err(VersionError::invalid(scheme, full, "epoch is not a number"));
    }
    match e.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(VersionError::invalid(scheme, full, "epoch is too big")),
    }
}
