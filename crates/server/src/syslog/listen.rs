//! The listeners: UDP (a datagram is a message), TCP and TLS (RFC 6587 framing, octet
//! counting or LF, detected per frame). Every frame read is handed to the writer; on shutdown
//! the listeners stop accepting and reading, hand over what they have read (a trailing
//! unterminated frame included), and drop their senders.
use super::{Frame, Stats};
use onestop_logs::syslog::framing::FrameDecoder;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

pub type Tx = mpsc::Sender<Vec<Frame>>;

/// Resolves when shutdown is signalled (or its sender is gone).
pub async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}

pub async fn udp(sock: UdpSocket, tx: Tx, stats: Arc<Stats>, mut stop: watch::Receiver<bool>) {
    let mut buf = vec![0u8; 65536];
    loop {
        tokio::select! {
            biased;
            _ = stopped(&mut stop) => break,
            r = sock.recv_from(&mut buf) => match r {
                Ok((n, peer)) => {
                    stats.received.fetch_add(1, Ordering::Relaxed);
                    let f = Frame { received_at: onestop_store::now_ms(), source: peer.ip(), bytes: buf[..n].to_vec(), agent: None };
                    if tx.send(vec![f]).await.is_err() { break; }
                }
                Err(e) => tracing::warn!(error = %e, "syslog udp: receive failed"),
            }
        }
    }
}

/// Accept TCP connections (TLS when `tls` is given) until shutdown, then wait for the
/// connections to hand over what they read.
pub async fn tcp(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    tx: Tx,
    stats: Arc<Stats>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            _ = stopped(&mut stop) => break,
            r = listener.accept() => match r {
                Ok((sock, peer)) => {
                    let (tx, stats, stop) = (tx.clone(), stats.clone(), stop.clone());
                    let tls = tls.clone();
                    conns.spawn(async move {
                        let _ = sock.set_nodelay(true);
                        match tls {
                            None => connection(sock, peer, tx, stats, stop).await,
                            Some(acc) => match acc.accept(sock).await {
                                Ok(s) => connection(s, peer, tx, stats, stop).await,
                                Err(e) => tracing::warn!(error = %e, %peer, "syslog tls: handshake failed"),
                            },
                        }
                    });
                }
                Err(e) => tracing::warn!(error = %e, "syslog tcp: accept failed"),
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    while conns.join_next().await.is_some() {}
}

async fn connection<S: AsyncRead + Unpin>(
    mut s: S,
    peer: SocketAddr,
    tx: Tx,
    stats: Arc<Stats>,
    mut stop: watch::Receiver<bool>,
) {
    let mut dec = FrameDecoder::default();
    let mut buf = vec![0u8; 64 * 1024];
    let mut stopping: Option<tokio::time::Instant> = None;
    let mut eof = false;
    loop {
        let read = async {
            match s.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::debug!(error = %e, %peer, "syslog: connection read failed");
                    0
                }
            }
        };
        let n = if let Some(deadline) = stopping {
            // Shutting down: read on only to complete a frame already begun, for a second.
            if dec.pending() == 0 {
                break;
            }
            match tokio::time::timeout_at(deadline, read).await {
                Ok(n) => n,
                Err(_) => break,
            }
        } else {
            tokio::select! {
                biased;
                _ = stopped(&mut stop) => {
                    stopping = Some(tokio::time::Instant::now() + std::time::Duration::from_secs(1));
                    continue;
                }
                n = read => n,
            }
        };
        if n == 0 {
            eof = true;
            break;
        }
        dec.push(&buf[..n]);
        let now = onestop_store::now_ms();
        let mut frames = Vec::new();
        while let Some(f) = dec.next_frame() {
            match f {
                Ok(bytes) => frames.push(Frame {
                    received_at: now,
                    source: peer.ip(),
                    bytes,
                    agent: None,
                }),
                Err(e) => {
                    stats.malformed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, %peer, "syslog: bad frame skipped");
                }
            }
        }
        if !frames.is_empty() {
            stats
                .received
                .fetch_add(frames.len() as u64, Ordering::Relaxed);
            if tx.send(frames).await.is_err() {
                return;
            }
        }
    }
    if !eof && dec.pending() > 0 {
        // A frame cut off by the shutdown: not a whole message.
        stats.malformed.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(bytes = dec.pending(), %peer, "syslog: incomplete frame at shutdown dropped");
    } else if let Some(bytes) = dec.finish() {
        stats.received.fetch_add(1, Ordering::Relaxed);
        let f = Frame {
            received_at: onestop_store::now_ms(),
            source: peer.ip(),
            bytes,
            agent: None,
        };
        let _ = tx.send(vec![f]).await;
    }
}
