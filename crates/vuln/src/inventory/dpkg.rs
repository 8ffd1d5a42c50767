//! `/var/lib/dpkg/status` parsing.
//!
//! A package counts as installed when the third word of `Status:` is
//! `installed`, `triggers-pending` or `triggers-awaited` (files unpacked and
//! configured, whatever the selection: `install` and `hold` alike). Packages
//! in `config-files`, `not-installed`, `half-installed`, `unpacked` or
//! `half-configured` state are left out. `Source: name (version)` gives the
//! source name and version; without it the source is the binary package.

use super::{InstalledPackage, InventoryError, stanzas};

const INSTALLED_STATES: [&str; 3] = ["installed", "triggers-pending", "triggers-awaited"];

/// Parse a dpkg status file and return the installed packages.
pub fn parse_dpkg_status(text: &str) -> Result<Vec<InstalledPackage>, InventoryError> {
    let mut out = Vec::new();
    for st in stanzas(text, ':')? {
        let err = |what: &str| InventoryError::new(st.line, what.to_string());
        let name = st
            .get("Package")
            .ok_or_else(|| err("stanza without Package"))?;
        let status = st
            .get("Status")
            .ok_or_else(|| err("stanza without Status"))?;
        let words: Vec<&str> = status.split_whitespace().collect();
        if words.len() != 3 {
            return Err(err("Status must have three words"));
        }
        if !INSTALLED_STATES.contains(&words[2]) {
            continue;
        }
        let version = st.get("Version").filter(|v| !v.is_empty());
        let version = version.ok_or_else(|| err("installed package without Version"))?;
        let mut pkg = InstalledPackage::new(name, version);
        pkg.arch = st.get("Architecture").map(str::to_string);
        if let Some(src) = st.get("Source") {
            let (src_name, src_ver) = parse_source(src).ok_or_else(|| err("malformed Source"))?;
            if src_name != name {
                pkg.source_name = Some(src_name.to_string());
            }
            pkg.source_version = src_ver.filter(|v| *v != version).map(str::to_string);
        }
        out.push(pkg);
    }
    Ok(out)
}

/// `name` or `name (version)`.
fn parse_source(s: &str) -> Option<(&str, Option<&str>)> {
    match s.split_once('(') {
        None if !s.is_empty() && !s.contains(char::is_whitespace) => Some((s, None)),
        None => None,
        Some((name, rest)) => {
            let ver = rest.strip_suffix(')')?.trim();
            let name = name.trim();
            (!name.is_empty() && !ver.is_empty()).then_some((name, Some(ver)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "\
Package: libssl3
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit
 This package is part of the OpenSSL project.

Package: old-thing
Status: deinstall ok config-files
Version: 1.0-1

Package: libfoo1
Status: hold ok installed
Architecture: amd64
Source: foo (1.2-3)
Version: 1.2-3+b1

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
";

    #[test]
    fn installed_only_with_sources() {
        let pkgs = parse_dpkg_status(STATUS).unwrap();
        let names: Vec<&str> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["libssl3", "libfoo1", "bash"]);
        assert_eq!(pkgs[0].source_name(), "openssl");
        assert_eq!(pkgs[0].source_version(), "3.0.11-1~deb12u2");
        assert_eq!(pkgs[0].arch.as_deref(), Some("amd64"));
        assert_eq!(pkgs[1].source_name(), "foo");
        assert_eq!(pkgs[1].source_version(), "1.2-3");
        assert_eq!(pkgs[1].version, "1.2-3+b1");
        assert_eq!(pkgs[2].source_name(), "bash");
        assert_eq!(pkgs[2].source_version, None);
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert_eq!(
            parse_dpkg_status("Package: x\nStatus: install ok installed\n")
                .unwrap_err()
                .line,
            1
        );
        assert!(parse_dpkg_status("Package x\n").is_err());
        assert!(parse_dpkg_status("Package: x\nStatus: installed\nVersion: 1\n").is_err());
        let bad_source = "Package: x\nStatus: install ok installed\nVersion: 1\nSource: y (2\n";
        assert!(parse_dpkg_status(bad_source).is_err());
        assert_eq!(parse_dpkg_status("\n\n").unwrap(), vec![]);
    }
}
