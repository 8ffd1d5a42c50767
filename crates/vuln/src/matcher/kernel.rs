//! Kernel findings: an advisory against the kernel package is about the
//! *running* kernel. A fix that is installed but not booted still leaves the
//! host exposed until a reboot.

use crate::version::{Scheme, Version};

/// State of a kernel finding relative to the running kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelExposure {
    /// The running kernel is older than the fix and no fixed kernel is installed.
    Vulnerable,
    /// A fixed kernel is installed but the running one is older: reboot.
    RebootPending,
    /// The running kernel already has the fix.
    Fixed,
}

/// Whether a package (by binary or source name) is a kernel image.
pub fn is_kernel_package(scheme: Scheme, name: &str) -> bool {
    match scheme {
        Scheme::Rpm => matches!(
            name,
            "kernel" | "kernel-core" | "kernel-uek" | "kernel-rt" | "kernel-rt-core"
        ),
        Scheme::Deb => {
            name == "linux" || name.starts_with("linux-signed") || name.starts_with("linux-image-")
        }
        Scheme::Apk => matches!(
            name,
            "linux-lts" | "linux-virt" | "linux-edge" | "linux-rpi" | "linux-stable"
        ),
    }
}

/// Evaluate a kernel finding. `fixed` is the advisory's fixed version
/// (`None`: unfixed); `running` the running kernel's package version (see
/// [`crate::inventory::kernel::reboot_status`]); `newest_installed` the
/// newest installed kernel package version.
pub fn kernel_exposure(
    running: &Version,
    fixed: Option<&Version>,
    newest_installed: Option<&Version>,
) -> KernelExposure {
    match fixed {
        Some(f) if running >= f => KernelExposure::Fixed,
        Some(f) if newest_installed.is_some_and(|n| n >= f) => KernelExposure::RebootPending,
        _ => KernelExposure::Vulnerable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_versus_installed() {
        let v = |s: &str| Version::parse(Scheme::Rpm, s).unwrap();
        let (old, fix, new) = (
            v("5.14.0-362.8.1.el9_3"),
            v("5.14.0-362.13.1.el9_3"),
            v("5.14.0-362.18.1.el9_3"),
        );
        assert_eq!(
            kernel_exposure(&old, Some(&fix), Some(&new)),
            KernelExposure::RebootPending
        );
        assert_eq!(
            kernel_exposure(&old, Some(&fix), Some(&old)),
            KernelExposure::Vulnerable
        );
        assert_eq!(
            kernel_exposure(&new, Some(&fix), Some(&new)),
            KernelExposure::Fixed
        );
        assert_eq!(
            kernel_exposure(&new, None, Some(&new)),
            KernelExposure::Vulnerable
        );
        assert!(
            is_kernel_package(Scheme::Rpm, "kernel-core")
                && !is_kernel_package(Scheme::Rpm, "kernel-headers")
        );
        assert!(is_kernel_package(Scheme::Deb, "linux"));
    }
}
