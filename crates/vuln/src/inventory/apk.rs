//! `/lib/apk/db/installed` parsing: blank-line separated records of
//! `K:value` lines; `P` name, `V` version, `A` architecture, `o` origin
//! (source package). Every record there is an installed package.

use super::{InstalledPackage, InventoryError, stanzas};

/// Parse an apk installed database.
pub fn parse_apk_installed(text: &str) -> Result<Vec<InstalledPackage>, InventoryError> {
    let mut out = Vec::new();
    for st in stanzas(text, ':')? {
        let err = |what: &str| InventoryError::new(st.line, what.to_string());
        let name = st
            .get("P")
            .filter(|v| !v.is_empty())
            .ok_or_else(|| err("record without P: name"))?;
        let version = st
            .get("V")
            .filter(|v| !v.is_empty())
            .ok_or_else(|| err("record without V: version"))?;
        let mut pkg = InstalledPackage::new(name, version);
        pkg.arch = st.get("A").map(str::to_string);
        pkg.source_name = st
            .get("o")
            .filter(|o| *o != name && !o.is_empty())
            .map(str::to_string);
        out.push(pkg);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_with_origin() {
        let text = "\
C:Q1abc=
P:libcrypto3
V:3.1.4-r5
A:x86_64
S:1000
o:openssl
F:lib
R:libcrypto.so.3

P:musl
V:1.2.4_git20230717-r4
A:x86_64
o:musl
";
        let p = parse_apk_installed(text).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("libcrypto3", "3.1.4-r5")
        );
        assert_eq!(p[0].source_name(), "openssl");
        assert_eq!(p[1].source_name, None);
        assert_eq!(p[1].arch.as_deref(), Some("x86_64"));
    }

    #[test]
    fn records_need_name_and_version() {
        assert!(parse_apk_installed("P:x\nA:x86_64\n").is_err());
        assert!(parse_apk_installed("V:1\n").is_err());
    }
}
