//! The trap receiver (`--snmp-trap ADDR`, off by default): v1 and v2c traps and v2c
//! informs on UDP. Each trap becomes an event of its sender's host, found by a device's
//! configured address or else an asset's `ip_addresses`; traps from unknown senders are
//! dropped, counted and logged (an event must belong to a customer). An inform is answered
//! only once its event is stored. SNMPv3 traps are not accepted yet (dropped and counted).
use super::event::{self, Trap, V1};
use super::value::{Val, oid_parts};
use onestop_store::{EventInput, Store, now_ms};
use snmp2::{MessageType, Pdu};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::UdpSocket;

/// Traps dropped because no asset claims their sender, or because they could not be read.
pub static UNKNOWN_SENDERS: AtomicU64 = AtomicU64::new(0);
pub static MALFORMED: AtomicU64 = AtomicU64::new(0);

/// Bind `addr` and receive traps until the process ends.
pub async fn start(addr: &str, store: Store, community: Option<String>) -> anyhow::Result<()> {
    let sock = UdpSocket::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("binding the SNMP trap receiver on {addr}: {e}"))?;
    tracing::info!(addr, "SNMP trap receiver listening");
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65_535];
        loop {
            let (n, from) = match sock.recv_from(&mut buf).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "SNMP trap receive");
                    continue;
                }
            };
            let sender = from.ip().to_canonical().to_string();
            match handle(&store, &buf[..n], &sender, community.as_deref()).await {
                Ok(Some(reply)) => {
                    if let Err(e) = sock.send_to(&reply, from).await {
                        tracing::warn!(error = %e, %sender, "answering an inform");
                    }
                }
                Ok(None) => {}
                Err(why) => {
                    MALFORMED.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%sender, why, "SNMP trap dropped");
                }
            }
        }
    });
    Ok(())
}

/// Store the trap in `data`; the answer to send back (for an inform), if any.
async fn handle(
    store: &Store,
    data: &[u8],
    sender: &str,
    community: Option<&str>,
) -> Result<Option<Vec<u8>>, String> {
    let pdu = Pdu::from_bytes(data).map_err(|e| format!("unreadable: {e}"))?;
    if community.is_some_and(|c| c.as_bytes() != pdu.community) {
        return Err("wrong community".into());
    }
    let varbinds: Vec<(Vec<u64>, Val)> = pdu
        .varbinds
        .clone()
        .map(|(o, v)| (oid_parts(&o), Val::from_wire(&v)))
        .collect();
    let trap = match pdu.message_type {
        MessageType::TrapV1 => {
            let i = pdu.v1_trap_info.as_ref().ok_or("v1 trap without header")?;
            Trap {
                version: "v1",
                varbinds,
                v1: Some(V1 {
                    enterprise: oid_parts(&i.enterprise),
                    agent_addr: i.agent_addr.to_string(),
                    generic: i.generic_trap,
                    specific: i.specific_trap,
                    timestamp: i.timestamp,
                }),
            }
        }
        MessageType::Trap | MessageType::InformRequest => Trap {
            version: "v2c",
            varbinds,
            v1: None,
        },
        other => return Err(format!("not a trap ({other:?})")),
    };
    let d = event::describe(&trap, sender).ok_or("no snmpTrapOID")?;
    let Some((customer_id, host_id)) = store
        .snmp_trap_source(sender)
        .await
        .map_err(|e| e.to_string())?
    else {
        let n = UNKNOWN_SENDERS.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::warn!(sender, trap = %d.kind, dropped_so_far = n, "SNMP trap from an unknown sender dropped");
        return Ok(None);
    };
    let e = EventInput {
        customer_id,
        host_id: Some(host_id),
        source: "snmp_trap".into(),
        kind: d.kind,
        severity: d.severity.into(),
        title: d.title,
        detail: d.detail,
        occurred_at: now_ms(),
    };
    store
        .raise_events(&[e])
        .await
        .map_err(|e| format!("storing: {e}"))?;
    if pdu.message_type != MessageType::InformRequest {
        return Ok(None);
    }
    let mut answer = pdu.clone();
    answer.message_type = MessageType::Response;
    answer.error_status = 0;
    answer.error_index = 0;
    answer
        .to_bytes()
        .map(Some)
        .map_err(|e| format!("answering: {e}"))
}
