//! From a [`HostReport`] to the host's findings as they are kept: one per
//! (advisory, package name), owned, with the kernel rule applied.
//!
//! * Several installed versions of one package (multilib, install-only
//!   packages) give one finding, at the oldest affected version.
//! * A kernel finding is about the *running* kernel: it is dropped when the
//!   running kernel has the fix, kept (with `reboot_pending`) when the fix is
//!   only installed, and reports the running kernel's version. When the
//!   running kernel's version cannot be told, every installed kernel counts.

use super::HostReport;
use super::kernel::{KernelExposure, is_kernel_package, kernel_exposure};
use crate::ecosystem::Ecosystem;
use crate::inventory::InstalledPackage;
use crate::inventory::kernel::reboot_status;
use crate::osv::Severity;
use crate::version::{Scheme, Version};
use std::collections::HashMap;

/// One finding of a host, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct HostFinding {
    /// Advisory id.
    pub advisory_id: String,
    /// Installed binary package name.
    pub package: String,
    /// The affected installed version (the running kernel's for kernels).
    pub installed_version: String,
    /// The distribution's fixed version, if published.
    pub fixed_version: Option<String>,
    /// The package entry's rating, else the advisory's.
    pub severity: Severity,
    /// Judged on the running kernel.
    pub kernel: bool,
    /// The fix is installed but the host still runs an older kernel.
    pub reboot_pending: bool,
}

fn is_kernel(scheme: Scheme, p: &InstalledPackage) -> bool {
    is_kernel_package(scheme, &p.name) || is_kernel_package(scheme, p.source_name())
}

/// The findings of a host of ecosystem `eco`, sorted by (package, advisory).
/// `running_kernel` is `uname -r`, when known.
pub fn host_findings(
    report: &HostReport<'_>,
    eco: &Ecosystem,
    packages: &[InstalledPackage],
    running_kernel: Option<&str>,
) -> Vec<HostFinding> {
    let scheme = eco.scheme();
    let running = running_kernel
        .filter(|r| !r.is_empty())
        .and_then(|r| reboot_status(scheme, r, packages).running_version);
    let newest_kernel = packages
        .iter()
        .filter(|p| is_kernel(scheme, p))
        .filter_map(|p| Version::parse(scheme, &p.version).ok())
        .max();
    let mut out: HashMap<(&str, &str), (HostFinding, Option<Version>)> = HashMap::new();
    for f in &report.findings {
        let kernel = is_kernel(scheme, f.package);
        let fixed = f.fixed_version.and_then(|v| Version::parse(scheme, v).ok());
        let mut installed = f.package.version.clone();
        let mut reboot_pending = false;
        if let (true, Some(rv)) = (kernel, &running) {
            match kernel_exposure(rv, fixed.as_ref(), newest_kernel.as_ref()) {
                KernelExposure::Fixed => continue,
                KernelExposure::RebootPending => reboot_pending = true,
                KernelExposure::Vulnerable => {}
            }
            installed = rv.as_str().to_string();
        }
        let candidate = HostFinding {
            advisory_id: f.advisory.id.clone(),
            package: f.package.name.clone(),
            installed_version: installed,
            fixed_version: f.fixed_version.map(str::to_string),
            severity: f.affected.severity.unwrap_or(f.advisory.severity),
            kernel,
            reboot_pending,
        };
        let parsed = Version::parse(scheme, &candidate.installed_version).ok();
        let key = (f.advisory.id.as_str(), f.package.name.as_str());
        match out.get_mut(&key) {
            Some((kept, kv)) => {
                if parsed.is_some() && (kv.is_none() || parsed < *kv) {
                    *kept = candidate;
                    *kv = parsed;
                }
            }
            None => {
                out.insert(key, (candidate, parsed));
            }
        }
    }
    let mut list: Vec<HostFinding> = out.into_values().map(|(f, _)| f).collect();
    list.sort_by(|a, b| (&a.package, &a.advisory_id).cmp(&(&b.package, &b.advisory_id)));
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AdvisoryIndex;
    use crate::osv::parse_osv;

    fn index() -> AdvisoryIndex {
        let json = br#"[
          {"id": "ALSA-1", "modified": "2024-01-01T00:00:00Z", "summary": "Important: kernel update",
           "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "kernel-core"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.14.0-362.13.1.el9_3"}]}]}]},
          {"id": "ALSA-2", "modified": "2024-01-01T00:00:00Z", "summary": "Low: glibc update",
           "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "glibc"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.34-100.el9"}]}]}]}
        ]"#;
        AdvisoryIndex::new(
            parse_osv(json)
                .unwrap()
                .into_iter()
                .map(|p| p.advisory)
                .collect(),
        )
    }

    fn pkg(name: &str, v: &str, arch: &str) -> InstalledPackage {
        let mut p = InstalledPackage::new(name, v);
        p.arch = Some(arch.into());
        p
    }

    #[test]
    fn kernel_rule_and_multilib() {
        let idx = index();
        let eco: Ecosystem = "AlmaLinux:9".parse().unwrap();
        let pkgs = vec![
            pkg("kernel-core", "5.14.0-362.8.1.el9_3", "x86_64"),
            pkg("kernel-core", "5.14.0-362.18.1.el9_3", "x86_64"),
            pkg("glibc", "2.34-60.el9", "x86_64"),
            pkg("glibc", "2.34-50.el9", "i686"),
        ];
        let report = idx.match_host(&eco, &pkgs);
        // Running the old kernel: reboot pending.
        let f = host_findings(&report, &eco, &pkgs, Some("5.14.0-362.8.1.el9_3.x86_64"));
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].package.as_str(), f[0].installed_version.as_str()),
            ("glibc", "2.34-50.el9")
        );
        assert_eq!(f[0].severity, Severity::Low);
        assert!(f[1].kernel && f[1].reboot_pending);
        assert_eq!(f[1].installed_version, "5.14.0-362.8.1.el9_3");
        // Running the fixed kernel: no kernel finding although the old one is installed.
        let f = host_findings(&report, &eco, &pkgs, Some("5.14.0-362.18.1.el9_3.x86_64"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].package, "glibc");
        // Unknown running kernel: the installed old kernel counts.
        let f = host_findings(&report, &eco, &pkgs, None);
        assert_eq!(f.len(), 2);
        assert!(!f[1].reboot_pending);
    }
}
