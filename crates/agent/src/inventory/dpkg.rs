//! Installed Debian packages from the dpkg `status` file, with `Source:` and its own version.

use onestop_proto::Package;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_packages_with_sources() {
        let status = "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl (3.0.11-1)\nVersion: 3.0.11-1+b1\n\nPackage: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1\n\nPackage: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2-2\n";
        let p = parse_dpkg_status(status);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].source.as_deref(), Some("openssl"));
        assert_eq!(p[0].source_version.as_deref(), Some("3.0.11-1"));
        assert_eq!(p[1].name, "bash");
        assert_eq!(p[1].source, None);
    }
}
