//! ICMP echo: an unprivileged ICMP datagram socket where `net.ipv4.ping_group_range`
//! allows it, else a raw socket (root or CAP_NET_RAW), else a TCP connect to a port of the
//! host (an answer, even a refusal, shows the host is up). Which way was used is returned.
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io::{ErrorKind, Read};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// How the host was reached, and the round trip.
pub struct Echo {
    pub method: &'static str,
    pub rtt: Duration,
}

/// Ping `host` once within `timeout`. `mode`: `auto`, `dgram`, `raw` or `tcp`.
pub async fn ping(
    host: &str,
    mode: &str,
    tcp_port: u16,
    timeout: Duration,
) -> Result<Echo, (String, Option<&'static str>)> {
    let addr = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| (format!("resolving {host}: {e}"), None))?
        .next()
        .ok_or_else(|| (format!("{host} has no address"), None))?
        .ip();
    let ways: &[&'static str] = match mode {
        "dgram" => &["icmp-dgram"],
        "raw" => &["icmp-raw"],
        "tcp" => &["tcp"],
        _ => &["icmp-dgram", "icmp-raw", "tcp"],
    };
    let mut last = String::new();
    for &way in ways {
        let t0 = Instant::now();
        let r = match way {
            "tcp" => tcp_reach(addr, tcp_port, timeout).await,
            _ => {
                let raw = way == "icmp-raw";
                tokio::task::spawn_blocking(move || echo(addr, raw, timeout))
                    .await
                    .unwrap_or_else(|e| Err(Failure::Failed(e.to_string())))
            }
        };
        match r {
            Ok(()) => {
                return Ok(Echo {
                    method: way,
                    rtt: t0.elapsed(),
                });
            }
            Err(Failure::NotPermitted(e)) => last = format!("{way}: {e}"),
            Err(Failure::Failed(e)) => return Err((e, Some(way))),
        }
    }
    Err((
        format!("no way to reach the host is permitted ({last})"),
        None,
    ))
}

enum Failure {
    /// This way is not allowed here; try the next.
    NotPermitted(String),
    /// The host did not answer.
    Failed(String),
}

async fn tcp_reach(ip: IpAddr, port: u16, timeout: Duration) -> Result<(), Failure> {
    let target = SocketAddr::new(ip, port);
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(target)).await {
        Err(_) => Err(Failure::Failed(format!(
            "no answer from {target} within the timeout"
        ))),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) if e.kind() == ErrorKind::ConnectionRefused => Ok(()),
        Ok(Err(e)) => Err(Failure::Failed(format!("{target}: {e}"))),
    }
}

/// One echo request and its reply on a datagram or raw ICMP socket (blocking).
fn echo(ip: IpAddr, raw: bool, timeout: Duration) -> Result<(), Failure> {
    let v6 = ip.is_ipv6();
    let (domain, proto) = if v6 {
        (Domain::IPV6, Protocol::ICMPV6)
    } else {
        (Domain::IPV4, Protocol::ICMPV4)
    };
    let ty = if raw { Type::RAW } else { Type::DGRAM };
    let sock = Socket::new(domain, ty, Some(proto)).map_err(|e| match e.kind() {
        ErrorKind::PermissionDenied => Failure::NotPermitted(e.to_string()),
        _ if e.raw_os_error() == Some(1) || e.raw_os_error() == Some(13) => {
            Failure::NotPermitted(e.to_string())
        }
        _ => Failure::Failed(e.to_string()),
    })?;
    let ident = (std::process::id() as u16) ^ (rand::random::<u16>());
    let seq = rand::random::<u16>();
    let packet = request(v6, ident, seq);
    let deadline = Instant::now() + timeout;
    sock.send_to(&packet, &SockAddr::from(SocketAddr::new(ip, 0)))
        .map_err(|e| Failure::Failed(format!("sending the echo request: {e}")))?;
    let reply_type = if v6 { 129 } else { 0 };
    let mut buf = [0u8; 1500];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::Failed("no echo reply within the timeout".into()));
        }
        sock.set_read_timeout(Some(left))
            .map_err(|e| Failure::Failed(e.to_string()))?;
        let n = match (&sock).read(&mut buf) {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(e) => return Err(Failure::Failed(format!("receiving: {e}"))),
        };
        // A raw IPv4 socket hands over the IP header too.
        let icmp = if raw && !v6 {
            &buf[usize::from(buf[0] & 0x0f) * 4..n]
        } else {
            &buf[..n]
        };
        if icmp.len() >= 8 && icmp[0] == reply_type && u16::from_be_bytes([icmp[6], icmp[7]]) == seq
        {
            // Datagram sockets rewrite the identifier to the socket's; raw ones keep ours.
            if !raw || u16::from_be_bytes([icmp[4], icmp[5]]) == ident {
                return Ok(());
            }
        }
    }
}

/// An echo request: type, code, checksum, identifier, sequence, 16 bytes of payload.
fn request(v6: bool, ident: u16, seq: u16) -> Vec<u8> {
    let mut p = vec![if v6 { 128 } else { 8 }, 0, 0, 0];
    p.extend_from_slice(&ident.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(b"onestop-probe-00");
    if !v6 {
        // ICMPv6 checksums cover a pseudo-header; the kernel fills them in.
        let sum = checksum(&p);
        p[2..4].copy_from_slice(&sum.to_be_bytes());
    }
    p
}

/// The Internet checksum (RFC 1071).
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    #[test]
    fn checksum_of_a_request_verifies() {
        let p = super::request(false, 0x1234, 7);
        assert_eq!(
            super::checksum(&p),
            0,
            "a packet with its checksum sums to zero"
        );
        assert_eq!(&p[4..8], &[0x12, 0x34, 0, 7]);
    }
}
