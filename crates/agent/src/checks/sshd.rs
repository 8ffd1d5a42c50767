//! `sshd_config`: PermitRootLogin and PasswordAuthentication as sshd applies them: from
//! `sshd -T` when it runs (the effective settings), else from `/etc/ssh/sshd_config` with its
//! `Include`s (first value wins; `Match` blocks are conditional and not counted).

use std::collections::BTreeMap;

use serde_json::json;

use super::{ChecksConfig, Outcome, cmd::run_command, read_opt, status_of};

const VERSION: u32 = 1;
const KEYS: [&str; 2] = ["permitrootlogin", "passwordauthentication"];
/// OpenSSH's defaults (since 7.0) for the keys we judge.
const DEFAULTS: [&str; 2] = ["prohibit-password", "yes"];

/// The settings printed by `sshd -T` (lower-case `key value` lines).
pub(crate) fn parse_effective(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.trim().split_once(' ')
            && KEYS.contains(&k)
        {
            out.insert(k.to_string(), v.trim().to_string());
        }
    }
    out
}

/// One config file's lines, in order: `Include` patterns are expanded by `include`
/// (which returns the included files' text). First value of a key wins.
pub(crate) fn parse_config(
    text: &str,
    include: &mut dyn FnMut(&str) -> Vec<String>,
    out: &mut BTreeMap<String, String>,
    depth: u32,
) -> bool {
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line
            .split_once(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or((line, ""));
        let k = k.to_ascii_lowercase();
        let v = v
            .trim_start_matches(|c: char| c.is_whitespace() || c == '=')
            .trim();
        if k == "match" {
            return false; // the rest is conditional
        }
        if k == "include" && depth < 8 {
            for pat in v.split_whitespace() {
                for t in include(pat) {
                    if !parse_config(&t, include, out, depth + 1) {
                        return false;
                    }
                }
            }
        } else if KEYS.contains(&k.as_str()) && !out.contains_key(&k) {
            out.insert(
                k,
                v.split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase(),
            );
        }
    }
    true
}

/// Judge the settings (defaults filled in).
pub(crate) fn judge(mut s: BTreeMap<String, String>, source: String) -> Outcome {
    for (k, d) in KEYS.iter().zip(DEFAULTS) {
        s.entry(k.to_string()).or_insert_with(|| d.to_string());
    }
    let root = s["permitrootlogin"].clone();
    let pw = s["passwordauthentication"].clone();
    let found = root == "yes" || pw == "yes";
    Outcome::new(
        status_of(found),
        format!("PermitRootLogin {root}, PasswordAuthentication {pw}"),
        json!({ "PermitRootLogin": root, "PasswordAuthentication": pw }),
        source,
    )
}

/// `*` and `?` in the last component, files in lexical order.
fn glob(cfg: &ChecksConfig, pattern: &str) -> Vec<String> {
    let abs = if pattern.starts_with('/') {
        pattern.to_string()
    } else {
        format!("/etc/ssh/{pattern}")
    };
    let (dir, name) = abs.rsplit_once('/').unwrap_or(("", &abs));
    let mut names: Vec<String> = std::fs::read_dir(cfg.path(dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| wildcard(name.as_bytes(), n.as_bytes()))
        .collect();
    names.sort();
    names
        .iter()
        .filter_map(|n| read_opt(cfg, &format!("{dir}/{n}")).ok().flatten())
        .collect()
}

fn wildcard(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => wildcard(&p[1..], s) || (!s.is_empty() && wildcard(p, &s[1..])),
        (Some(b'?'), Some(_)) => wildcard(&p[1..], &s[1..]),
        (Some(a), Some(b)) if a == b => wildcard(&p[1..], &s[1..]),
        _ => false,
    }
}

pub(super) fn run(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    if cfg.commands
        && let Ok(o) = run_command("sshd", &["-T"], cfg.timeout())
            .or_else(|_| run_command("/usr/sbin/sshd", &["-T"], cfg.timeout()))
        && o.success
    {
        let s = parse_effective(&o.stdout);
        if s.len() == KEYS.len() {
            return vec![("sshd_config", VERSION, judge(s, "sshd -T".into()))];
        }
    }
    let o = match read_opt(cfg, "/etc/ssh/sshd_config") {
        Ok(Some(text)) => {
            let mut s = BTreeMap::new();
            parse_config(&text, &mut |p| glob(cfg, p), &mut s, 0);
            judge(s, "/etc/ssh/sshd_config".into())
        }
        Ok(None) => Outcome::na(
            "no sshd_config (sshd not installed)",
            "/etc/ssh/sshd_config",
        ),
        Err(e) => Outcome::error(format!("/etc/ssh/sshd_config: {e}"), "/etc/ssh/sshd_config"),
    };
    vec![("sshd_config", VERSION, o)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use onestop_proto::CheckStatus;

    #[test]
    fn effective_settings() {
        let s = parse_effective(
            "port 22\npermitrootlogin without-password\npasswordauthentication no\n",
        );
        let o = judge(s, "sshd -T".into());
        assert_eq!(o.status, CheckStatus::Ok);
        assert_eq!(
            o.summary,
            "PermitRootLogin without-password, PasswordAuthentication no"
        );
    }

    #[test]
    fn config_with_include_first_value_wins_and_match_stops() {
        let main = "# comment\nInclude /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nMatch User bob\n  PasswordAuthentication yes\n";
        let mut include = |p: &str| {
            assert_eq!(p, "/etc/ssh/sshd_config.d/*.conf");
            vec!["PasswordAuthentication=no\nPermitRootLogin yes\n".to_string()]
        };
        let mut s = BTreeMap::new();
        parse_config(main, &mut include, &mut s, 0);
        let o = judge(s, "f".into());
        assert_eq!(
            o.status,
            CheckStatus::Finding,
            "the include set root login first"
        );
        assert_eq!(o.detail["PermitRootLogin"], "yes");
        assert_eq!(o.detail["PasswordAuthentication"], "no");
        let o = judge(BTreeMap::new(), "f".into());
        assert_eq!(
            o.status,
            CheckStatus::Finding,
            "password login is on by default"
        );
        assert!(wildcard(b"*.conf", b"50-cloud.conf") && !wildcard(b"*.conf", b"x.conf.bak"));
    }

    #[test]
    fn reads_includes_under_the_root() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc/ssh/sshd_config.d")).unwrap();
        std::fs::write(
            d.path().join("etc/ssh/sshd_config"),
            "Include sshd_config.d/*.conf\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("etc/ssh/sshd_config.d/10-a.conf"),
            "PasswordAuthentication no\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("etc/ssh/sshd_config.d/20-b.conf"),
            "PasswordAuthentication yes\nPermitRootLogin no\n",
        )
        .unwrap();
        let cfg = ChecksConfig {
            root: d.path().into(),
            commands: false,
            ..Default::default()
        };
        let o = &run(&cfg)[0].2;
        assert_eq!(o.status, CheckStatus::Ok, "{}", o.summary);
        assert_eq!(o.source, "/etc/ssh/sshd_config");
    }
}
