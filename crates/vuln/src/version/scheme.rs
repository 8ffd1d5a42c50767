//! The version schemes and the error for versions they refuse.

use serde::{Deserialize, Serialize};
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
