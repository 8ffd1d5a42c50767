//! Installed Alpine packages from apk's database (`lib/apk/db/installed`): blank-line
//! separated records of `K:value` lines, of which `P` (name), `V` (version), `A`
//! (architecture) and `o` (origin, the source package) are kept.

use onestop_proto::Package;

/// Parse apk's installed database. Records without a name or a version are skipped (apk
/// never writes them); an origin equal to the name is not repeated as the source.
pub fn parse_apk_installed(text: &str) -> Vec<Package> {
    let mut out = Vec::new();
    for record in text.split("\n\n") {
        let (mut name, mut version, mut arch, mut origin) = (None, None, None, None);
        for line in record.lines() {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let v = v.trim();
            match k {
                "P" => name = Some(v.to_string()),
                "V" => version = Some(v.to_string()),
                "A" => arch = Some(v.to_string()),
                "o" => origin = Some(v.to_string()),
                _ => {}
            }
        }
        let (Some(name), Some(version)) = (name, version) else {
            continue;
        };
        if name.is_empty() || version.is_empty() {
            continue;
        }
        let source = origin.filter(|o| !o.is_empty() && *o != name);
        out.push(Package {
            name,
            version,
            arch: arch.unwrap_or_default(),
            source,
            source_version: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_with_origin() {
        // As apk writes it: checksum, name, version, arch, sizes, ..., origin, files.
        let text = "C:Q1Sb4wGkUfq0aNNl0uFXDkuI1SS1o=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\nS:1716457\nI:4202496\nT:Crypto library from openssl\nU:https://www.openssl.org/\nL:Apache-2.0\no:openssl\nm:Ariadne Conill <ariadne@dereferenced.org>\nt:1706029283\nc:2a8e1d1e\nD:so:libc.musl-x86_64.so.1\np:so:libcrypto.so.3=3\nr:libcrypto1.1\nF:lib\nR:libcrypto.so.3\na:0:0:755\nZ:Q1l3RhDmNH4XrYd0k0BqU4wN0IuVI=\n\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\n\nC:Q1xx=\nV:1.0-r0\n";
        let p = parse_apk_installed(text);
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("libcrypto3", "3.1.4-r5")
        );
        assert_eq!(p[0].source.as_deref(), Some("openssl"));
        assert_eq!(p[0].arch, "x86_64");
        assert_eq!(p[1].source, None);
    }
}
