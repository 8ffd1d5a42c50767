//! `listening_ports`: sockets listening according to `/proc/net/{tcp,tcp6,udp,udp6}`,
//! against the expected list of the configuration. Listeners bound to loopback only are
//! reported but never unexpected (they are not reachable from the network).

use std::collections::BTreeSet;

use serde_json::json;

use super::{ChecksConfig, Outcome, read_opt, status_of};
use onestop_proto::CheckStatus;

const VERSION: u32 = 1;

/// One listening socket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Listener {
    pub proto: &'static str,
    pub port: u16,
    pub loopback: bool,
}

/// Parse one `/proc/net/<proto>` table; `proto` is `tcp` or `udp` (v6 tables use the same).
pub(crate) fn parse_table(text: &str, proto: &'static str) -> Vec<Listener> {
    let listen_state = if proto == "tcp" { "0A" } else { "07" };
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 4 || f[3] != listen_state {
            continue;
        }
        if proto == "udp" && !f[2].ends_with(":0000") {
            continue; // connected UDP socket, not a listener
        }
        let Some((addr, port)) = f[1].split_once(':') else {
            continue;
        };
        let Ok(port) = u16::from_str_radix(port, 16) else {
            continue;
        };
        out.push(Listener {
            proto,
            port,
            loopback: is_loopback(addr),
        });
    }
    out
}

/// Whether a hex address of `/proc/net` (little-endian words) is a loopback address.
fn is_loopback(hex: &str) -> bool {
    match hex.len() {
        8 => hex.ends_with("7F"),
        32 => {
            hex == "00000000000000000000000001000000"
                || hex.starts_with("0000000000000000FFFF0000") && hex.ends_with("7F")
        }
        _ => false,
    }
}

/// `tcp/22`, `udp/123` or `22` (TCP).
pub(crate) fn parse_expected(s: &str) -> Result<(String, u16), String> {
    let (proto, port) = s.split_once('/').unwrap_or(("tcp", s));
    let proto = proto.trim().to_ascii_lowercase();
    if proto != "tcp" && proto != "udp" {
        return Err(format!("`{s}`: protocol must be tcp or udp"));
    }
    let port = port
        .trim()
        .parse::<u16>()
        .map_err(|_| format!("`{s}`: not a port number"))?;
    Ok((proto, port))
}

/// Judge the listeners against the expected list (empty: report only).
pub(crate) fn judge(listeners: &[Listener], expected: &[String], source: String) -> Outcome {
    let all: BTreeSet<(String, u16)> = listeners
        .iter()
        .map(|l| (l.proto.to_string(), l.port))
        .collect();
    let external: BTreeSet<(String, u16)> = listeners
        .iter()
        .filter(|l| !l.loopback)
        .map(|l| (l.proto.to_string(), l.port))
        .collect();
    let name = |(p, n): &(String, u16)| format!("{p}/{n}");
    let listening: Vec<String> = all.iter().map(name).collect();
    if expected.is_empty() {
        return Outcome::new(
            CheckStatus::NotApplicable,
            format!("{} listening, no expected list configured", listening.len()),
            json!({ "listening": listening }),
            source,
        );
    }
    let want: BTreeSet<(String, u16)> = expected
        .iter()
        .filter_map(|e| parse_expected(e).ok())
        .collect();
    let unexpected: Vec<String> = external.difference(&want).map(name).collect();
    let missing: Vec<String> = want.difference(&all).map(name).collect();
    let summary = if unexpected.is_empty() && missing.is_empty() {
        format!("{} listening, as expected", listening.len())
    } else {
        format!(
            "unexpected: {}; not listening: {}",
            none_or(&unexpected),
            none_or(&missing)
        )
    };
    Outcome::new(
        status_of(!unexpected.is_empty() || !missing.is_empty()),
        summary,
        json!({ "listening": listening, "unexpected": unexpected, "missing": missing }),
        source,
    )
}

fn none_or(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

pub(super) fn run(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    let mut listeners = Vec::new();
    let mut sources = Vec::new();
    for (file, proto) in [
        ("tcp", "tcp"),
        ("tcp6", "tcp"),
        ("udp", "udp"),
        ("udp6", "udp"),
    ] {
        let p = format!("/proc/net/{file}");
        match read_opt(cfg, &p) {
            Ok(Some(t)) => {
                listeners.extend(parse_table(&t, proto));
                sources.push(p);
            }
            Ok(None) => {}
            Err(e) => {
                return vec![(
                    "listening_ports",
                    VERSION,
                    Outcome::error(format!("{p}: {e}"), p),
                )];
            }
        }
    }
    let o = if sources.is_empty() {
        Outcome::error("no /proc/net tables", "/proc/net/tcp")
    } else {
        judge(&listeners, &cfg.expected_ports, sources.join(" "))
    };
    vec![("listening_ports", VERSION, o)]
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0
   2: 0F02000A:0016 0202000A:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 100 0 0 10 0
   3: 00000000:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0000000000000000 100 0 0 10 0
";
    const UDP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  1: 00000000000000000000000000000000:007B 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5 2 0000000000000000 0
";

    #[test]
    fn parses_listeners_and_judges_them() {
        let mut l = parse_table(TCP, "tcp");
        l.extend(parse_table(UDP6, "udp"));
        assert_eq!(l.len(), 4, "the established connection is not a listener");
        assert!(l.iter().any(|x| x.port == 25 && x.loopback));
        let exp = vec![
            "tcp/22".to_string(),
            "udp/123".to_string(),
            "443".to_string(),
        ];
        let o = judge(&l, &exp, "f".into());
        assert_eq!(o.status, CheckStatus::Finding);
        assert_eq!(o.detail["unexpected"], json!(["tcp/3306"]));
        assert_eq!(o.detail["missing"], json!(["tcp/443"]));
        let o = judge(
            &l,
            &["22".into(), "udp/123".into(), "tcp/3306".into()],
            "f".into(),
        );
        assert_eq!(o.status, CheckStatus::Ok, "{}", o.summary);
        assert_eq!(
            judge(&l, &[], "f".into()).status,
            CheckStatus::NotApplicable
        );
        assert!(parse_expected("sctp/1").is_err() && parse_expected("tcp/x").is_err());
    }
}
