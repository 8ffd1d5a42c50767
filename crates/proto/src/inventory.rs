//! Host inventory: OS release, kernels and installed packages.

use serde::{Deserialize, Serialize};

/// The fields of `/etc/os-release` that matter for matching advisories.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// `ID`, e.g. `debian`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `ID_LIKE`, e.g. `rhel fedora`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_like: Option<String>,
    /// `NAME`, e.g. `Debian GNU/Linux`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `VERSION_ID`, e.g. `12`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// `VERSION_CODENAME`, e.g. `bookworm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_codename: Option<String>,
    /// `PRETTY_NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
}

/// Running and installed kernels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kernel {
    /// The running kernel release (`uname -r`).
    pub running: String,
    /// Kernel releases installed on disk (e.g. under `/lib/modules`).
    #[serde(default)]
    pub installed: Vec<String>,
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Binary package name.
    pub name: String,
    /// Installed version, in the package manager's syntax.
    pub version: String,
    /// Architecture, e.g. `amd64`, `x86_64`, `all`.
    pub arch: String,
    /// Source package name, when it differs or is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Source package version, when it differs or is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
}

/// A snapshot of what is installed on the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// OS release fields.
    pub os: OsInfo,
    /// Kernels.
    pub kernel: Kernel,
    /// Installed packages.
    #[serde(default)]
    pub packages: Vec<Package>,
}
