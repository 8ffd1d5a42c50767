//! Host inventory for the wire: `/etc/os-release`, running and installed
//! kernels, and installed Debian packages from the dpkg status file.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use onestop_proto::{Inventory, Kernel, OsInfo, Package};

/// Parse `os-release` text (`KEY=value`, values optionally quoted).
pub fn parse_os_release(text: &str) -> OsInfo {
    let mut os = OsInfo::default();
    for line in text.lines() {
        let Some((k, v)) = line.trim().split_once('=') else {
            continue;
        };
        let v = v
            .trim()
            .trim_matches('"')
            .trim_matches('\'')
            .replace("\\\"", "\"");
        let slot = match k {
            "ID" => &mut os.id,
            "ID_LIKE" => &mut os.id_like,
            "NAME" => &mut os.name,
            "VERSION_ID" => &mut os.version_id,
            "VERSION_CODENAME" => &mut os.version_codename,
            "PRETTY_NAME" => &mut os.pretty_name,
            _ => continue,
        };
        *slot = Some(v);
    }
    os
}

/// Read `/etc/os-release` (falling back to `/usr/lib/os-release`) under `root`.
pub fn os_info(root: &Path) -> OsInfo {
    ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|p| std::fs::read_to_string(root.join(p)).ok())
        .map(|t| parse_os_release(&t))
        .unwrap_or_default()
}

/// Parse a dpkg `status` file, keeping packages whose status ends in `installed`.
pub fn parse_dpkg_status(text: &str) -> Vec<Package> {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        let (mut name, mut version, mut arch, mut source, mut installed) =
            (None, None, None, None, false);
        for line in para.lines() {
            let Some((k, v)) = line.split_once(": ") else {
                continue;
            };
            match k {
                "Package" => name = Some(v.trim().to_string()),
                "Version" => version = Some(v.trim().to_string()),
                "Architecture" => arch = Some(v.trim().to_string()),
                "Source" => source = Some(v.trim().to_string()),
                "Status" => installed = v.trim().ends_with(" installed"),
                _ => {}
            }
        }
        let (Some(name), Some(version), Some(arch), true) = (name, version, arch, installed) else {
            continue;
        };
        // `Source: name (version)` when the source version differs.
        let (source, source_version) = match source {
            Some(s) => match s.split_once(" (") {
                Some((n, v)) => (
                    Some(n.to_string()),
                    Some(v.trim_end_matches(')').to_string()),
                ),
                None => (Some(s), None),
            },
            None => (None, None),
        };
        out.push(Package {
            name,
            version,
            arch,
            source,
            source_version,
        });
    }
    out
}

/// Where the inventory is read from: a root (`/`; tests point it at a fixture tree) and,
/// optionally, a dpkg status file elsewhere.
#[derive(Debug, Clone)]
pub struct Sources {
    pub root: PathBuf,
    pub dpkg_status: Option<PathBuf>,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            root: PathBuf::from("/"),
            dpkg_status: None,
        }
    }
}

impl Sources {
    fn dpkg(&self) -> PathBuf {
        self.dpkg_status
            .clone()
            .unwrap_or_else(|| self.root.join("var/lib/dpkg/status"))
    }

    /// A cheap token that changes when the package database or the OS identity may have
    /// changed (sizes and modification times), so the agent re-reads only then.
    pub fn fingerprint(&self) -> Vec<Option<(u64, SystemTime)>> {
        [
            self.dpkg(),
            self.root.join("etc/os-release"),
            self.root.join("lib/modules"),
        ]
        .iter()
        .map(|p| {
            let m = std::fs::metadata(p).ok()?;
            Some((m.len(), m.modified().ok()?))
        })
        .collect()
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
        let packages = std::fs::read_to_string(self.dpkg())
            .map(|t| parse_dpkg_status(&t))
            .unwrap_or_default();
        Inventory {
            os: os_info(&self.root),
            kernel: Kernel { running, installed },
            packages,
        }
    }
}

/// Collect the inventory of the host whose file system is at `root`.
pub fn collect(root: &Path) -> Inventory {
    Sources {
        root: root.to_path_buf(),
        dpkg_status: None,
    }
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_and_dpkg() {
        let os = parse_os_release(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
        );
        assert_eq!(os.id.as_deref(), Some("debian"));
        assert_eq!(os.version_id.as_deref(), Some("12"));
        let status = "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl (3.0.11-1)\nVersion: 3.0.11-1+b1\n\nPackage: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1\n\nPackage: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2-2\n";
        let p = parse_dpkg_status(status);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].source.as_deref(), Some("openssl"));
        assert_eq!(p[0].source_version.as_deref(), Some("3.0.11-1"));
        assert_eq!(p[1].name, "bash");
        assert_eq!(p[1].source, None);
    }
}
