//! rpm package lists, one package a line, as printed by
//! `rpm -qa --queryformat '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH}\n'`.
//!
//! The `EPOCH:` prefix may be missing (epoch 0) or read `(none):` (as
//! `%{EPOCH}` prints it), which is dropped. An optional fourth column holds
//! `%{SOURCERPM}` (`openssl-3.0.7-27.el9.src.rpm`), giving the source name.
//! Blank lines and lines starting with `#` are skipped. An arch of `(none)`
//! (gpg-pubkey entries) is recorded as unknown.

use super::{InstalledPackage, InventoryError};

/// Parse an rpm list.
pub fn parse_rpm_list(text: &str) -> Result<Vec<InstalledPackage>, InventoryError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        if !(2..=4).contains(&fields.len()) {
            return Err(InventoryError::new(
                i + 1,
                "expected 'NAME [EPOCH:]VERSION-RELEASE ARCH [SOURCERPM]'",
            ));
        }
        let evr = fields[1].strip_prefix("(none):").unwrap_or(fields[1]);
        let mut pkg = InstalledPackage::new(fields[0], evr);
        pkg.arch = fields
            .get(2)
            .filter(|a| **a != "(none)")
            .map(|a| a.to_string());
        pkg.source_name = fields
            .get(3)
            .and_then(|s| source_rpm_name(s))
            .filter(|src| *src != fields[0])
            .map(str::to_string);
        out.push(pkg);
    }
    Ok(out)
}

/// `name-version-release.src.rpm` → `name`.
pub fn source_rpm_name(srpm: &str) -> Option<&str> {
    let base = srpm
        .strip_suffix(".src.rpm")
        .or_else(|| srpm.strip_suffix(".nosrc.rpm"))?;
    let (nv, _release) = base.rsplit_once('-')?;
    let (name, _version) = nv.rsplit_once('-')?;
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_arches_and_sources() {
        let text = "\
openssl-libs 1:3.0.7-24.el9 x86_64 openssl-3.0.7-24.el9.src.rpm
bash 0:5.1.8-6.el9_1 x86_64
# comment

firefox 128.11.0-1.el9_6 x86_64
gpg-pubkey (none):3228467c-613798eb (none)
";
        let p = parse_rpm_list(text).unwrap();
        assert_eq!(p.len(), 4);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("openssl-libs", "1:3.0.7-24.el9")
        );
        assert_eq!(p[0].source_name(), "openssl");
        assert_eq!(p[1].version, "0:5.1.8-6.el9_1");
        assert_eq!(p[1].source_name, None);
        assert_eq!(p[2].version, "128.11.0-1.el9_6");
        assert_eq!(p[2].arch.as_deref(), Some("x86_64"));
        assert_eq!(p[3].version, "3228467c-613798eb");
        assert_eq!(p[3].arch, None);
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert_eq!(
            parse_rpm_list("ok 1-1 x86_64\nlonely\n").unwrap_err().line,
            2
        );
        assert!(parse_rpm_list("a 1-1 x86_64 b c\n").is_err());
        assert_eq!(
            source_rpm_name("kernel-5.14.0-362.8.1.el9_3.src.rpm"),
            Some("kernel")
        );
        assert_eq!(source_rpm_name("(none)"), None);
    }
}
