//! `pending_security_updates`: upgrades the package manager would install from a security
//! origin — `apt-get -s upgrade` (origins ending in `-security`) or `dnf updateinfo list
//! --security`. Neither present: n/a, and the server's findings (patch information) cover it.
//! Only the local package lists are used; nothing is downloaded.

use std::collections::BTreeSet;

use serde_json::json;

use super::{ChecksConfig, Outcome, cmd::CmdError, cmd::run_command, status_of};

const VERSION: u32 = 1;

/// `(all upgrades, security upgrades)` from `apt-get -s upgrade` output.
pub(crate) fn parse_apt(text: &str) -> (Vec<String>, Vec<String>) {
    let (mut all, mut sec) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("Inst ") else {
            continue;
        };
        let pkg = rest.split_whitespace().next().unwrap_or("").to_string();
        let origin = rest.split_once('(').map(|(_, o)| o).unwrap_or("");
        if origin
            .split_whitespace()
            .nth(1)
            .is_some_and(|o| o.to_ascii_lowercase().contains("-security") || o.contains("Security"))
        {
            sec.push(pkg.clone());
        }
        all.push(pkg);
    }
    (all, sec)
}

/// Package names (without version) from `dnf updateinfo list --security` lines
/// (`ADVISORY SEVERITY/Sec. name-epoch:version-release.arch`).
pub(crate) fn parse_dnf(text: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 3 && f[1].contains("Sec.") {
            // strip `-[epoch:]version-release.arch`
            let nvra = f[2];
            let name = nvra.rsplitn(3, '-').nth(2).unwrap_or(nvra).to_string();
            out.insert(name);
        }
    }
    out.into_iter().collect()
}

fn judge(sec: Vec<String>, total: Option<usize>, source: &str) -> Outcome {
    let summary = match total {
        Some(t) => format!(
            "{} security updates pending ({t} upgrades in all)",
            sec.len()
        ),
        None => format!("{} packages with security updates pending", sec.len()),
    };
    Outcome::new(
        status_of(!sec.is_empty()),
        summary,
        json!({ "security": sec, "upgrades": total }),
        source,
    )
}

pub(super) fn run(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    const ID: &str = "pending_security_updates";
    if !cfg.commands {
        return vec![(
            ID,
            VERSION,
            Outcome::na("commands disabled; see the server's findings", "-"),
        )];
    }
    let apt = "apt-get -s -o Debug::NoLocking=1 upgrade";
    match run_command(
        "apt-get",
        &["-s", "-o", "Debug::NoLocking=1", "upgrade"],
        cfg.timeout(),
    ) {
        Ok(o) if o.success => {
            let (all, sec) = parse_apt(&o.stdout);
            return vec![(ID, VERSION, judge(sec, Some(all.len()), apt))];
        }
        Ok(_) => {
            return vec![(
                ID,
                VERSION,
                Outcome::error("apt-get -s upgrade failed", apt),
            )];
        }
        Err(CmdError::Missing(_)) => {}
        Err(e) => return vec![(ID, VERSION, Outcome::error(e.to_string(), apt))],
    }
    let dnf = "dnf -q --cacheonly updateinfo list --security";
    let o = match run_command(
        "dnf",
        &["-q", "--cacheonly", "updateinfo", "list", "--security"],
        cfg.timeout(),
    ) {
        Ok(o) if o.success => judge(parse_dnf(&o.stdout), None, dnf),
        Ok(_) => Outcome::error("dnf updateinfo failed", dnf),
        Err(CmdError::Missing(_)) => Outcome::na(
            "no apt-get or dnf; see the server's findings",
            "apt-get, dnf",
        ),
        Err(e) => Outcome::error(e.to_string(), dnf),
    };
    vec![(ID, VERSION, o)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use onestop_proto::CheckStatus;

    #[test]
    fn apt_security_origins() {
        let text = "Reading package lists...\n\
Inst libssl3 [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])\n\
Inst tzdata [2024a-0+deb12u1] (2024b-0+deb12u1 Debian:12.7/stable [all])\n\
Inst openssh-client [1:8.9p1-3] (1:8.9p1-3ubuntu0.10 Ubuntu:22.04/jammy-security [amd64])\n\
Conf libssl3 (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])\n";
        let (all, sec) = parse_apt(text);
        assert_eq!(all, ["libssl3", "tzdata", "openssh-client"]);
        assert_eq!(sec, ["libssl3", "openssh-client"]);
        let o = judge(sec, Some(all.len()), "apt");
        assert_eq!(o.status, CheckStatus::Finding);
        assert_eq!(o.summary, "2 security updates pending (3 upgrades in all)");
        assert_eq!(judge(vec![], Some(0), "apt").status, CheckStatus::Ok);
    }

    #[test]
    fn dnf_security_list() {
        let text = "ALSA-2024:1234 Important/Sec. openssl-libs-1:3.0.7-25.el9_3.x86_64\n\
ALSA-2024:1234 Important/Sec. openssl-1:3.0.7-25.el9_3.x86_64\n\
ALBA-2024:9999 bugfix       tzdata-2024a-1.el9.noarch\n\
ALSA-2024:2000 Moderate/Sec.  openssl-1:3.0.7-27.el9.x86_64\n";
        assert_eq!(parse_dnf(text), ["openssl", "openssl-libs"]);
    }
}
