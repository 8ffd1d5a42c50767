//! The OS identity (`os-release`) and the package manager it implies.

use onestop_proto::OsInfo;
use std::path::Path;

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

/// Where a host's installed packages are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    Dpkg,
    Rpm,
    Apk,
    None,
}

/// The package manager of `os`: from `ID`, then each `ID_LIKE` word; when the identity
/// names none we know, the first whose database `exists` (dpkg, rpm, apk).
pub fn package_manager(os: &OsInfo, exists: impl Fn(PackageManager) -> bool) -> PackageManager {
    let ids = os
        .id
        .iter()
        .map(String::as_str)
        .chain(os.id_like.iter().flat_map(|l| l.split_whitespace()));
    for id in ids {
        match id {
            "debian" | "ubuntu" => return PackageManager::Dpkg,
            "rhel" | "fedora" | "centos" | "almalinux" | "rocky" | "suse" | "opensuse" => {
                return PackageManager::Rpm;
            }
            "alpine" => return PackageManager::Apk,
            _ => {}
        }
    }
    [
        PackageManager::Dpkg,
        PackageManager::Rpm,
        PackageManager::Apk,
    ]
    .into_iter()
    .find(|p| exists(*p))
    .unwrap_or(PackageManager::None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_chooses_the_package_manager() {
        let os = parse_os_release(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
        );
        assert_eq!(os.id.as_deref(), Some("debian"));
        assert_eq!(os.version_id.as_deref(), Some("12"));
        assert_eq!(package_manager(&os, |_| false), PackageManager::Dpkg);
        let alma = parse_os_release(
            "ID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n",
        );
        assert_eq!(package_manager(&alma, |_| false), PackageManager::Rpm);
        let odd = parse_os_release("ID=mylinux\nID_LIKE=\"rhel fedora\"\n");
        assert_eq!(package_manager(&odd, |_| false), PackageManager::Rpm);
        let alpine = parse_os_release("ID=alpine\nVERSION_ID=3.19.1\n");
        assert_eq!(package_manager(&alpine, |_| true), PackageManager::Apk);
        let unknown = OsInfo::default();
        assert_eq!(
            package_manager(&unknown, |p| p == PackageManager::Apk),
            PackageManager::Apk
        );
        assert_eq!(package_manager(&unknown, |_| false), PackageManager::None);
    }
}
