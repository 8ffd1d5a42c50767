//! Routing: which registered host (an asset of the register) a syslog message came from.
//!
//! By the hostname in the message first (a relay such as rsyslog forwards other hosts'
//! messages from its own address), then by the source address. A name or address that
//! several customers' assets share is settled by the other key; what stays ambiguous or
//! unknown is unrouted.
use onestop_store::logs::LogRoute;
use std::collections::HashMap;
use std::net::IpAddr;

/// The lookup tables built from the register.
#[derive(Debug, Default)]
pub struct Routes {
    hosts: Vec<LogRoute>,
    by_ip: HashMap<IpAddr, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
    by_id: HashMap<String, usize>,
}

/// The addresses written in an asset's `ip_addresses` (comma, space or semicolon separated,
/// an optional `/prefix` ignored).
pub fn addresses(text: &str) -> Vec<IpAddr> {
    text.split([',', ' ', ';', '\n', '\t'])
        .filter_map(|a| a.split('/').next()?.trim().parse::<IpAddr>().ok())
        .map(|a| a.to_canonical())
        .collect()
}

fn names(name: &str) -> Vec<String> {
    let full = name.trim().to_lowercase();
    if full.is_empty() {
        return vec![];
    }
    let short = full.split('.').next().unwrap_or("").to_string();
    if short != full && !short.is_empty() && full.parse::<IpAddr>().is_err() {
        vec![full, short]
    } else {
        vec![full]
    }
}

impl Routes {
    pub fn new(hosts: Vec<LogRoute>) -> Routes {
        let mut r = Routes {
            hosts,
            ..Routes::default()
        };
        for (i, h) in r.hosts.iter().enumerate() {
            r.by_id.insert(h.asset_id.clone(), i);
            for a in addresses(&h.ip_addresses) {
                let v = r.by_ip.entry(a).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
            for n in names(&h.name) {
                let v = r.by_name.entry(n).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
        }
        r
    }

    /// The registered host with this asset id (agent-shipped lines name their host).
    pub fn by_id(&self, asset_id: &str) -> Option<&LogRoute> {
        self.by_id.get(asset_id).map(|&i| &self.hosts[i])
    }

    pub fn len(&self) -> usize {
        self.hosts.len()
    }

    /// The host a message from `source` naming itself `hostname` belongs to.
    pub fn route(&self, source: IpAddr, hostname: Option<&str>) -> Option<&LogRoute> {
        let by_ip: &[usize] = self
            .by_ip
            .get(&source.to_canonical())
            .map_or(&[], Vec::as_slice);
        let mut by_name: &[usize] = &[];
        if let Some(h) = hostname {
            for n in names(h) {
                if let Some(v) = self.by_name.get(&n) {
                    by_name = v;
                    break;
                }
            }
            // A hostname that is an address names the host by address.
            if by_name.is_empty()
                && let Ok(a) = h.trim().parse::<IpAddr>()
                && let Some(v) = self.by_ip.get(&a.to_canonical())
            {
                by_name = v;
            }
        }
        let pick = match (by_name.len(), by_ip.len()) {
            (1, _) => Some(by_name[0]),
            (0, 1) => Some(by_ip[0]),
            (n, _) if n > 1 => {
                let both: Vec<usize> = by_name
                    .iter()
                    .copied()
                    .filter(|i| by_ip.contains(i))
                    .collect();
                (both.len() == 1).then(|| both[0])
            }
            _ => None,
        };
        pick.map(|i| &self.hosts[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(id: &str, customer: &str, name: &str, ips: &str) -> LogRoute {
        LogRoute {
            asset_id: id.into(),
            customer_id: customer.into(),
            name: name.into(),
            ip_addresses: ips.into(),
        }
    }

    #[test]
    fn by_name_then_address_and_ambiguity() {
        let r = Routes::new(vec![
            host("a1", "c1", "web01.example.jp", "10.0.0.1, 192.0.2.10/24"),
            host("a2", "c2", "web01", "10.0.0.1"),
            host("a3", "c2", "db01", "10.0.0.3; 2001:db8::3"),
        ]);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let id = |x: Option<&LogRoute>| x.map(|h| h.asset_id.clone());
        // Relay address, hostname decides.
        assert_eq!(
            id(r.route(ip("127.0.0.1"), Some("DB01"))),
            Some("a3".into())
        );
        assert_eq!(
            id(r.route(ip("127.0.0.1"), Some("db01.corp"))),
            Some("a3".into())
        );
        // Only the address.
        assert_eq!(id(r.route(ip("192.0.2.10"), None)), Some("a1".into()));
        assert_eq!(
            id(r.route(ip("::ffff:10.0.0.3"), Some("-"))),
            Some("a3".into())
        );
        assert_eq!(id(r.route(ip("2001:db8::3"), None)), Some("a3".into()));
        // `web01` names two hosts and 10.0.0.1 is both: ambiguous; the address settles it
        // when it belongs to only one of them.
        assert_eq!(id(r.route(ip("10.0.0.1"), Some("web01"))), None);
        assert_eq!(
            id(r.route(ip("192.0.2.10"), Some("web01"))),
            Some("a1".into())
        );
        assert_eq!(id(r.route(ip("10.9.9.9"), Some("unknown"))), None);
        // A hostname field holding an address.
        assert_eq!(
            id(r.route(ip("127.0.0.1"), Some("10.0.0.3"))),
            Some("a3".into())
        );
    }
}
