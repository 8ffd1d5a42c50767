//! onestop-vuln: pure vulnerability matching for installed OS packages.
//!
//! * [`version`]: dpkg, rpm and apk version syntax and ordering.
//! * [`inventory`]: parsers for os-release and installed-package databases,
//!   and the kernel reboot check.
//! * [`ecosystem`]: OSV ecosystem strings and their mapping from OS identity.
//! * [`osv`]: OSV advisory parsing, normalisation, severity and merging.
//! * [`matcher`]: an index over advisories and per-host matching.
//! * [`load`]: reading advisories from files, directories and zip archives.
//!
//! Everything except [`load`] works on in-memory text or bytes; nothing does
//! network, database or clock access.
//!
//! ```
//! use onestop_vuln::inventory::rpm::parse_rpm_list;
//! use onestop_vuln::{AdvisoryIndex, Ecosystem, parse_osv};
//!
//! let json = br#"{"id": "ALSA-2024:0001", "modified": "2024-01-11T10:00:00Z",
//!   "summary": "Important: openssl security update", "related": ["CVE-2023-5678"],
//!   "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "openssl-libs"},
//!     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}]}]}]}"#;
//! let advisories = parse_osv(json).unwrap().into_iter().map(|p| p.advisory).collect();
//! let index = AdvisoryIndex::new(advisories);
//! let host = parse_rpm_list("openssl-libs 1:3.0.7-24.el9 x86_64\n").unwrap();
//! let eco: Ecosystem = "AlmaLinux:9".parse().unwrap();
//! let report = index.match_host(&eco, &host);
//! assert_eq!(report.findings[0].fixed_version, Some("1:3.0.7-25.el9_3"));
//! assert_eq!(report.findings[0].advisory.cves, ["CVE-2023-5678"]);
//! ```

pub mod ecosystem;
pub mod inventory;
pub mod load;
pub mod matcher;
pub mod osv;
pub mod version;

pub use ecosystem::{Distro, Ecosystem};
pub use load::{LoadError, LoadReport, load_path};
pub use matcher::{AdvisoryIndex, Finding, HostFinding, HostReport, MatchCache, host_findings};
pub use osv::{Advisory, Severity, parse_osv};
pub use version::{Scheme, Version, VersionError, compare};
