//! Installed rpm packages, read by running `rpm -qa` with a query format that prints the
//! epoch, the version-release, the architecture and the source rpm, one package a line.
//! `--root` / `--dbpath` point rpm at another tree or database (tests build one).

use crate::checks::{CmdError, run_command};
use onestop_proto::Package;
use std::path::Path;
use std::time::Duration;

/// Tab-separated: name, epoch (0 when none), version-release, arch, source rpm.
pub const QUERY_FORMAT: &str =
    "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n";

/// Parse the output of `rpm -qa --queryformat QUERY_FORMAT`. A zero epoch is left out of
/// the version (as the advisories spell versions); `(none)` arch and source become unknown;
/// `gpg-pubkey` pseudo-packages are skipped, as are lines that do not have five fields.
pub fn parse_rpm_query(text: &str) -> Vec<Package> {
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let [name, epoch, vr, arch, srpm] = f[..] else {
            continue;
        };
        if name.is_empty() || name == "gpg-pubkey" || vr.is_empty() {
            continue;
        }
        let version = match epoch {
            "" | "0" | "(none)" => vr.to_string(),
            e => format!("{e}:{vr}"),
        };
        let source = source_rpm_name(srpm)
            .filter(|s| *s != name)
            .map(str::to_string);
        out.push(Package {
            name: name.to_string(),
            version,
            arch: Some(arch)
                .filter(|a| *a != "(none)")
                .unwrap_or("")
                .to_string(),
            source,
            source_version: None,
        });
    }
    out
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

/// Run `rpm -qa` for the tree at `root`, with the database at `dbpath` (inside that root,
/// as rpm reads it) when given.
pub fn query(rpm: &str, root: &Path, dbpath: Option<&Path>) -> Result<Vec<Package>, CmdError> {
    let root_s = root.to_string_lossy();
    let db_s = dbpath.map(|d| d.to_string_lossy().into_owned());
    let mut args = vec!["-qa", "--queryformat", QUERY_FORMAT];
    if root_s != "/" {
        args.extend(["--root", &root_s]);
    }
    if let Some(d) = &db_s {
        args.extend(["--dbpath", d]);
    }
    let out = run_command(rpm, &args, Duration::from_secs(120))?;
    Ok(parse_rpm_query(&out.stdout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_arches_and_sources() {
        let text = "openssl-libs\t1\t3.0.7-24.el9\tx86_64\topenssl-3.0.7-24.el9.src.rpm\n\
                    bash\t0\t5.1.8-6.el9_1\tx86_64\tbash-5.1.8-6.el9_1.src.rpm\n\
                    gpg-pubkey\t0\t3228467c-613798eb\t(none)\t(none)\n\
                    broken line\n\
                    tzdata\t0\t2024a-1.el9\tnoarch\t(none)\n";
        let p = parse_rpm_query(text);
        assert_eq!(p.len(), 3);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("openssl-libs", "1:3.0.7-24.el9")
        );
        assert_eq!(p[0].source.as_deref(), Some("openssl"));
        assert_eq!(
            (p[1].version.as_str(), p[1].source.as_deref()),
            ("5.1.8-6.el9_1", None)
        );
        assert_eq!(
            (p[2].arch.as_str(), p[2].source.as_deref()),
            ("noarch", None)
        );
        assert_eq!(
            source_rpm_name("kernel-5.14.0-362.8.1.el9_3.src.rpm"),
            Some("kernel")
        );
        assert_eq!(source_rpm_name("(none)"), None);
    }
}
