//! Is a reboot needed to run the newest installed kernel?
//!
//! Each installed kernel package is mapped to the `uname -r` string it would
//! boot as:
//! * rpm: `kernel`, `kernel-core`, `kernel-uek(-core)`, `kernel-rt(-core)`,
//!   `kernel-lt`, `kernel-ml`: `VERSION-RELEASE.ARCH` (epoch dropped);
//! * deb: `linux-image-<uname>` (the name carries the release; the meta
//!   packages such as `linux-image-amd64` and `-dbg`/`-unsigned` variants are
//!   skipped), ordered by package version;
//! * apk: `linux-<flavor>` at `X.Y.Z-rN` boots as `X.Y.Z-N-<flavor>`; only the
//!   running flavor is considered.
//!
//! A reboot is required when the newest installed kernel is newer than the
//! running one. When the running kernel's package is not installed any more,
//! its version is read from the release string where the scheme allows
//! (rpm, apk); otherwise any newest kernel with a different release counts.
//! Debian rebuilds that keep the same ABI name cannot be seen from `uname -r`.

use super::InstalledPackage;
use crate::version::{Scheme, Version};

const RPM_KERNELS: [&str; 8] = [
    "kernel",
    "kernel-core",
    "kernel-uek",
    "kernel-uek-core",
    "kernel-rt",
    "kernel-rt-core",
    "kernel-lt",
    "kernel-ml",
];

/// Outcome of [`reboot_status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebootStatus {
    /// The release the newest installed kernel would boot as, if any.
    pub newest_installed: Option<String>,
    /// Version of the running kernel's package, when it can be determined.
    pub running_version: Option<Version>,
    /// Whether the newest installed kernel is not the one running.
    pub reboot_required: bool,
}

/// Installed kernels as (release, package version).
fn installed_kernels(
    scheme: Scheme,
    running: &str,
    packages: &[InstalledPackage],
) -> Vec<(String, Version)> {
    let mut out = Vec::new();
    for p in packages {
        let release = match scheme {
            Scheme::Rpm if RPM_KERNELS.contains(&p.name.as_str()) => {
                let vr = p
                    .version
                    .split_once(':')
                    .map_or(p.version.as_str(), |(_, vr)| vr);
                match &p.arch {
                    Some(a) => format!("{vr}.{a}"),
                    None => vr.to_string(),
                }
            }
            Scheme::Deb => match p.name.strip_prefix("linux-image-") {
                Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) && !r.ends_with("-dbg") => {
                    r.to_string()
                }
                _ => continue,
            },
            Scheme::Apk => {
                let flavor = running.rsplit('-').next().unwrap_or_default();
                if p.name != format!("linux-{flavor}") {
                    continue;
                }
                match p.version.rsplit_once("-r") {
                    Some((v, r)) => format!("{v}-{r}-{flavor}"),
                    None => continue,
                }
            }
            _ => continue,
        };
        if let Ok(v) = Version::parse(scheme, &p.version) {
            out.push((release, v));
        }
    }
    out
}

/// Read a package version out of a running release where the scheme allows.
fn version_from_release(scheme: Scheme, running: &str) -> Option<Version> {
    let text = match scheme {
        Scheme::Rpm => {
            let base = running.split('+').next().unwrap_or(running);
            base.rsplit_once('.')
                .map_or(base, |(vr, _arch)| vr)
                .to_string()
        }
        Scheme::Apk => {
            let mut parts = running.rsplitn(3, '-');
            let (_flavor, rev, ver) = (parts.next()?, parts.next()?, parts.next()?);
            format!("{ver}-r{rev}")
        }
        Scheme::Deb => return None,
    };
    Version::parse(scheme, &text).ok()
}

/// Compare the running kernel release (`uname -r`) with the installed ones.
pub fn reboot_status(scheme: Scheme, running: &str, packages: &[InstalledPackage]) -> RebootStatus {
    let kernels = installed_kernels(scheme, running, packages);
    let running_version = kernels
        .iter()
        .find(|(r, _)| r == running)
        .map(|(_, v)| v.clone())
        .or_else(|| version_from_release(scheme, running));
    let newest = kernels.iter().max_by(|a, b| a.1.cmp(&b.1));
    let reboot_required = match (newest, &running_version) {
        (None, _) => false,
        (Some((_, v)), Some(rv)) => v > rv,
        (Some((r, _)), None) => r != running,
    };
    RebootStatus {
        newest_installed: newest.map(|(r, _)| r.clone()),
        running_version,
        reboot_required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str, arch: &str) -> InstalledPackage {
        let mut p = InstalledPackage::new(name, version);
        p.arch = Some(arch.to_string());
        p
    }

    #[test]
    fn rpm_kernels() {
        let pkgs = [
            pkg("kernel-core", "5.14.0-362.8.1.el9_3", "x86_64"),
            pkg("kernel-core", "5.14.0-362.18.1.el9_3", "x86_64"),
            pkg("bash", "5.1.8-6.el9", "x86_64"),
        ];
        let st = reboot_status(Scheme::Rpm, "5.14.0-362.8.1.el9_3.x86_64", &pkgs);
        assert!(st.reboot_required);
        assert_eq!(
            st.newest_installed.as_deref(),
            Some("5.14.0-362.18.1.el9_3.x86_64")
        );
        assert!(!reboot_status(Scheme::Rpm, "5.14.0-362.18.1.el9_3.x86_64", &pkgs).reboot_required);
        // Running a kernel newer than any installed one (package removed).
        assert!(!reboot_status(Scheme::Rpm, "5.14.0-400.1.el9_4.x86_64", &pkgs).reboot_required);
        assert!(!reboot_status(Scheme::Rpm, "5.14.0-1.el9.x86_64", &[]).reboot_required);
    }

    #[test]
    fn deb_kernels() {
        let pkgs = [
            pkg("linux-image-6.1.0-13-amd64", "6.1.55-1", "amd64"),
            pkg("linux-image-6.1.0-15-amd64", "6.1.66-1", "amd64"),
            pkg("linux-image-amd64", "6.1.66-1", "amd64"),
        ];
        assert!(reboot_status(Scheme::Deb, "6.1.0-13-amd64", &pkgs).reboot_required);
        let st = reboot_status(Scheme::Deb, "6.1.0-15-amd64", &pkgs);
        assert!(!st.reboot_required);
        assert_eq!(st.running_version.unwrap().as_str(), "6.1.66-1");
    }

    #[test]
    fn apk_kernels() {
        let pkgs = [
            pkg("linux-lts", "6.6.14-r0", "x86_64"),
            pkg("linux-firmware", "20240115-r0", "x86_64"),
        ];
        assert!(reboot_status(Scheme::Apk, "6.6.8-0-lts", &pkgs).reboot_required);
        assert!(!reboot_status(Scheme::Apk, "6.6.14-0-lts", &pkgs).reboot_required);
        assert!(!reboot_status(Scheme::Apk, "6.6.8-0-virt", &pkgs).reboot_required);
    }
}
