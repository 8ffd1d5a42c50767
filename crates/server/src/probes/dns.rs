//! DNS resolution checks with hickory's resolver: the configured server (`ip` or `ip:port`,
//! UDP then TCP) or the system's resolvers, no cache, one attempt within the timeout.
use hickory_resolver::Resolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::rr::RecordType;
use hickory_resolver::proto::xfer::Protocol;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

/// The answers (as text: addresses, `10 mx.example.`, TXT strings, …) of a lookup.
pub async fn resolve(
    name: &str,
    record_type: &str,
    server: Option<&str>,
    timeout: Duration,
) -> Result<Vec<String>, String> {
    let ty = RecordType::from_str(record_type).map_err(|e| format!("record type: {e}"))?;
    let mut opts = ResolverOpts::default();
    opts.timeout = timeout;
    opts.attempts = 1;
    opts.cache_size = 1; // a resolver per run: nothing is reused anyway
    let builder = match server {
        Some(s) => {
            let addr = s
                .parse::<SocketAddr>()
                .or_else(|_| s.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                .map_err(|_| format!("bad DNS server `{s}`"))?;
            let mut cfg = ResolverConfig::new();
            cfg.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
            cfg.add_name_server(NameServerConfig::new(addr, Protocol::Tcp));
            Resolver::builder_with_config(cfg, TokioConnectionProvider::default())
        }
        None => Resolver::builder_tokio().map_err(|e| format!("system resolver: {e}"))?,
    };
    let resolver = builder.with_options(opts).build();
    match resolver.lookup(name, ty).await {
        Ok(lookup) => Ok(lookup
            .record_iter()
            .filter(|r| r.record_type() == ty)
            .map(|r| r.data().to_string())
            .collect()),
        Err(e) if e.is_no_records_found() => Ok(Vec::new()),
        Err(e) => Err(format!("{name} {record_type}: {e}")),
    }
}

/// Whether `expect` is among `answers`, ignoring case, a trailing dot and TXT quotes.
pub fn matches(answers: &[String], expect: &str) -> bool {
    let norm = |s: &str| {
        s.trim()
            .trim_matches('"')
            .trim_end_matches('.')
            .to_ascii_lowercase()
    };
    let want = norm(expect);
    answers.iter().any(|a| norm(a) == want)
}
