//! OSV ecosystem strings of the supported distributions, and the mapping from
//! a host's os-release to its ecosystem.
//!
//! Parsing normalises the release so that strings naming the same package set
//! compare equal: `Ubuntu:22.04:LTS` = `Ubuntu:22.04`, `Alpine:v3.19` =
//! `Alpine:3.19`, `AlmaLinux:9.3` = `AlmaLinux:9`. Variants stay apart:
//! `Ubuntu:Pro:18.04:LTS` (ESM) is not `Ubuntu:18.04`, and a Red Hat product
//! stream other than `enterprise_linux` (e.g. `rhel_eus:9.2`) is its own key.
//! The repository suffix of Red Hat strings (`::appstream`) is ignored.

use crate::inventory::os_release::OsRelease;
use crate::version::Scheme;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A supported distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Distro {
    /// `Debian`
    Debian,
    /// `Ubuntu`
    Ubuntu,
    /// `AlmaLinux`
    AlmaLinux,
    /// `Rocky Linux`
    RockyLinux,
    /// `Red Hat`
    RedHat,
    /// `Alpine`
    Alpine,
}

impl Distro {
    /// The version ordering its packages use.
    pub fn scheme(self) -> Scheme {
        match self {
            Distro::Debian | Distro::Ubuntu => Scheme::Deb,
            Distro::AlmaLinux | Distro::RockyLinux | Distro::RedHat => Scheme::Rpm,
            Distro::Alpine => Scheme::Apk,
        }
    }

    /// The ecosystem name as OSV spells it.
    pub fn osv_name(self) -> &'static str {
        match self {
            Distro::Debian => "Debian",
            Distro::Ubuntu => "Ubuntu",
            Distro::AlmaLinux => "AlmaLinux",
            Distro::RockyLinux => "Rocky Linux",
            Distro::RedHat => "Red Hat",
            Distro::Alpine => "Alpine",
        }
    }

    fn from_name(s: &str) -> Option<Distro> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "debian" => Distro::Debian,
            "ubuntu" => Distro::Ubuntu,
            "almalinux" => Distro::AlmaLinux,
            "rocky linux" | "rocky" => Distro::RockyLinux,
            "red hat" | "redhat" | "rhel" => Distro::RedHat,
            "alpine" => Distro::Alpine,
            _ => return None,
        })
    }
}

/// A normalised ecosystem: distribution, release and variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Ecosystem {
    /// The distribution.
    pub distro: Distro,
    /// Normalised release (`12`, `22.04`, `3.19`, `9`), if the string had one.
    pub release: Option<String>,
    /// `pro` for Ubuntu Pro; the product for Red Hat streams other than
    /// `enterprise_linux`.
    pub variant: Option<String>,
}

/// An ecosystem string this crate does not handle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unsupported ecosystem {0:?} (supported: Debian, Ubuntu, AlmaLinux, Rocky Linux, Red Hat, Alpine)"
)]
pub struct UnsupportedEcosystem(pub String);

fn major(v: &str) -> String {
    v.split('.').next().unwrap_or(v).to_string()
}

fn major_minor(v: &str) -> String {
    v.split('.').take(2).collect::<Vec<_>>().join(".")
}

impl Ecosystem {
    /// The version ordering of this ecosystem.
    pub fn scheme(&self) -> Scheme {
        self.distro.scheme()
    }

    /// The ecosystem a host belongs to, from its os-release (`ID`,
    /// `VERSION_ID`). `None` for other distributions or a missing version.
    pub fn from_os_release(os: &OsRelease) -> Option<Ecosystem> {
        let v = os.version_id.as_deref().filter(|v| !v.is_empty())?;
        let (distro, release) = match os.id.as_str() {
            "debian" => (Distro::Debian, major(v)),
            "ubuntu" => (Distro::Ubuntu, major_minor(v)),
            "almalinux" => (Distro::AlmaLinux, major(v)),
            "rocky" => (Distro::RockyLinux, major(v)),
            "rhel" => (Distro::RedHat, major(v)),
            "alpine" => (Distro::Alpine, major_minor(v)),
            _ => return None,
        };
        Some(Ecosystem {
            distro,
            release: Some(release),
            variant: None,
        })
    }
}

impl FromStr for Ecosystem {
    type Err = UnsupportedEcosystem;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unsupported = || UnsupportedEcosystem(s.to_string());
        let mut parts = s.split(':').map(str::trim);
        let distro = Distro::from_name(parts.next().unwrap_or_default()).ok_or_else(unsupported)?;
        let rest: Vec<&str> = parts.collect();
        let first = rest.first().copied().filter(|p| !p.is_empty());
        let (release, variant) = match distro {
            Distro::Debian | Distro::AlmaLinux | Distro::RockyLinux => (first.map(major), None),
            Distro::Alpine => (first.map(|r| major_minor(r.trim_start_matches('v'))), None),
            Distro::Ubuntu => {
                let pro = first.is_some_and(|p| p.eq_ignore_ascii_case("pro"));
                let rel = if pro { rest.get(1).copied() } else { first };
                (
                    rel.filter(|r| !r.is_empty()).map(str::to_string),
                    pro.then(|| "pro".to_string()),
                )
            }
            Distro::RedHat => match first {
                Some(p) if p.starts_with(|c: char| c.is_ascii_digit()) => (Some(major(p)), None),
                Some("enterprise_linux") => (
                    rest.get(1).filter(|r| !r.is_empty()).map(|r| major(r)),
                    None,
                ),
                Some(product) => (
                    rest.get(1).filter(|r| !r.is_empty()).map(|r| r.to_string()),
                    Some(product.to_string()),
                ),
                None => (None, None),
            },
        };
        Ok(Ecosystem {
            distro,
            release,
            variant,
        })
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.distro.osv_name())?;
        match (self.distro, &self.variant) {
            (Distro::Ubuntu, Some(v)) => write!(f, ":{}", if v == "pro" { "Pro" } else { v })?,
            (Distro::RedHat, Some(v)) => write!(f, ":{v}")?,
            (Distro::RedHat, None) if self.release.is_some() => f.write_str(":enterprise_linux")?,
            _ => {}
        }
        match (&self.release, self.distro) {
            (Some(r), Distro::Alpine) => write!(f, ":v{r}"),
            (Some(r), _) => write!(f, ":{r}"),
            (None, _) => Ok(()),
        }
    }
}
