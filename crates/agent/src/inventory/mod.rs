//! Host inventory for the wire: `/etc/os-release`, running and installed kernels, and the
//! installed packages from the package manager the OS identity names: dpkg ([`dpkg`]), rpm
//! ([`rpm`], by running `rpm -qa`) or apk ([`apk`]). Everything is read under a root
//! directory, so tests point it at a fixture tree.

pub mod apk;
pub mod dpkg;
mod os;
pub mod rpm;

pub use dpkg::parse_dpkg_status;
pub use os::{PackageManager, os_info, package_manager, parse_os_release};

use onestop_proto::{Inventory, Kernel, Package};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Where the inventory is read from: a root (`/`; tests point it at a fixture tree) and,
/// optionally, package databases elsewhere.
#[derive(Debug, Clone)]
pub struct Sources {
    pub root: PathBuf,
    /// The dpkg status file (default `var/lib/dpkg/status` under the root).
    pub dpkg_status: Option<PathBuf>,
    /// The rpm database directory, as rpm's `--dbpath` (inside the root).
    pub rpm_dbpath: Option<PathBuf>,
    /// The `rpm` program (default `rpm` on `PATH`).
    pub rpm: String,
    /// apk's installed database (default `lib/apk/db/installed` under the root).
    pub apk_installed: Option<PathBuf>,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            root: PathBuf::from("/"),
            dpkg_status: None,
            rpm_dbpath: None,
            rpm: "rpm".into(),
            apk_installed: None,
        }
    }
}

impl Sources {
    /// Sources under `root` with every database at its usual place.
    pub fn at(root: &Path) -> Self {
        Sources {
            root: root.to_path_buf(),
            ..Sources::default()
        }
    }

    fn dpkg(&self) -> PathBuf {
        self.dpkg_status
            .clone()
            .unwrap_or_else(|| self.root.join("var/lib/dpkg/status"))
    }

    fn apk(&self) -> PathBuf {
        self.apk_installed
            .clone()
            .unwrap_or_else(|| self.root.join("lib/apk/db/installed"))
    }

    /// The rpm database directory inside the root: the one configured, else the first of the
    /// usual places that exists (rpm's own default differs between builds: Debian's is
    /// `~/.rpmdb`).
    fn rpm_dbpath(&self) -> PathBuf {
        self.rpm_dbpath.clone().unwrap_or_else(|| {
            ["/var/lib/rpm", "/usr/lib/sysimage/rpm"]
                .iter()
                .map(PathBuf::from)
                .find(|p| self.root.join(p.strip_prefix("/").unwrap_or(p)).exists())
                .unwrap_or_else(|| PathBuf::from("/var/lib/rpm"))
        })
    }

    /// The rpm database directory as seen from outside the root.
    fn rpmdb(&self) -> PathBuf {
        let d = self.rpm_dbpath();
        self.root.join(d.strip_prefix("/").unwrap_or(&d))
    }

    /// A cheap token that changes when a package database or the OS identity may have
    /// changed (sizes and modification times), so the agent re-reads only then.
    pub fn fingerprint(&self) -> Vec<Option<(u64, SystemTime)>> {
        let mut paths = vec![
            self.dpkg(),
            self.apk(),
            self.root.join("etc/os-release"),
            self.root.join("lib/modules"),
        ];
        let db = self.rpmdb();
        paths.push(db.clone());
        // The rpm database's files change in place; the directory's time may not.
        if let Ok(rd) = std::fs::read_dir(&db) {
            let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            files.sort();
            paths.extend(files);
        }
        paths
            .iter()
            .map(|p| {
                let m = std::fs::metadata(p).ok()?;
                Some((m.len(), m.modified().ok()?))
            })
            .collect()
    }

    /// The installed packages, from the package manager chosen by the OS identity.
    pub fn packages(&self, pm: PackageManager) -> Vec<Package> {
        match pm {
            PackageManager::Dpkg => std::fs::read_to_string(self.dpkg())
                .map(|t| parse_dpkg_status(&t))
                .unwrap_or_default(),
            PackageManager::Apk => std::fs::read_to_string(self.apk())
                .map(|t| apk::parse_apk_installed(&t))
                .unwrap_or_default(),
            PackageManager::Rpm => rpm::query(&self.rpm, &self.root, Some(&self.rpm_dbpath()))
                .unwrap_or_else(|e| {
                    eprintln!("onestop-agent: rpm inventory: {e}");
                    Vec::new()
                }),
            PackageManager::None => Vec::new(),
        }
    }

    /// Collect the inventory.
    pub fn collect(&self) -> Inventory {
        let running = rustix::system::uname()
            .release()
            .to_string_lossy()
            .into_owned();
        let mut installed: Vec<String> = std::fs::read_dir(self.root.join("lib/modules"))
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        installed.sort();
        let os = os_info(&self.root);
        let pm = package_manager(&os, |p| match p {
            PackageManager::Dpkg => self.dpkg().exists(),
            PackageManager::Apk => self.apk().exists(),
            PackageManager::Rpm => self.rpm_dbpath.is_some() || self.rpmdb().exists(),
            PackageManager::None => false,
        });
        let packages = self.packages(pm);
        Inventory {
            os,
            kernel: Kernel { running, installed },
            packages,
        }
    }
}

/// Collect the inventory of the host whose file system is at `root`.
pub fn collect(root: &Path) -> Inventory {
    Sources::at(root).collect()
}
