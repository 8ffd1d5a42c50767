//! onestop-vuln: pure vulnerability matching for installed OS packages.
//!
//! * [`version`]: dpkg, rpm and apk version ordering.
//! * [`inventory`]: parsers for os-release and installed-package databases.
//! * [`ecosystem`]: OSV ecosystem strings and their mapping from OS identity.
//! * [`osv`]: OSV advisory parsing, normalisation and merging.
//! * [`matcher`]: an index over advisories and per-host matching.
//! * [`load`]: reading advisories from files, directories and zip archives.
//!
//! Everything except [`load`] works on in-memory text or bytes.

pub mod version;

pub use version::{Scheme, Version, VersionError, compare};
pub mod ecosystem;
pub mod inventory;

pub use ecosystem::{Distro, Ecosystem};
pub mod osv;

pub use osv::{Advisory, Severity, parse_osv};
pub mod matcher;

pub use matcher::{AdvisoryIndex, Finding, HostReport};
pub mod load;

pub use load::{LoadError, LoadReport, load_path};
