//! A received trap as an event: v1 traps mapped to their SNMPv2 trap OID (RFC 3584 §3.1),
//! the generic traps named (linkDown/linkUp with the interface), a severity by kind, and the
//! varbinds as detail. Pure.
use super::value::{Val, dotted};
use serde_json::json;

const SNMP_TRAPS: [u64; 9] = [1, 3, 6, 1, 6, 3, 1, 1, 5];
const SNMP_TRAP_OID: [u64; 11] = [1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];
const SYS_UPTIME: [u64; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];
const IF_ENTRY: [u64; 9] = [1, 3, 6, 1, 2, 1, 2, 2, 1];
const IF_NAME: [u64; 11] = [1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1];

/// The v1 trap header.
pub struct V1 {
    pub enterprise: Vec<u64>,
    pub agent_addr: String,
    pub generic: i64,
    pub specific: i64,
    pub timestamp: u32,
}

/// A trap, whichever version it came in.
pub struct Trap {
    pub version: &'static str,
    pub varbinds: Vec<(Vec<u64>, Val)>,
    pub v1: Option<V1>,
}

/// What the event says: kind (the trap OID), severity, title, detail.
#[derive(Debug, PartialEq)]
pub struct Described {
    pub kind: String,
    pub severity: &'static str,
    pub title: String,
    pub detail: serde_json::Value,
}

/// The SNMPv2 trap OID of a trap (RFC 3584 §3.1 for v1).
pub fn trap_oid(t: &Trap) -> Option<Vec<u64>> {
    if let Some(v1) = &t.v1 {
        return Some(if (0..6).contains(&v1.generic) {
            let mut o = SNMP_TRAPS.to_vec();
            o.push(v1.generic as u64 + 1);
            o
        } else {
            let mut o = v1.enterprise.clone();
            o.extend([0, v1.specific.max(0) as u64]);
            o
        });
    }
    t.varbinds
        .iter()
        .find(|(o, _)| o[..] == SNMP_TRAP_OID)
        .and_then(|(_, v)| match v {
            Val::Oid(o) => Some(o.clone()),
            _ => None,
        })
}

/// The interface a link trap names: its ifName (or ifDescr) and ifIndex.
fn interface(t: &Trap) -> String {
    let mut index = None;
    let mut name = None;
    for (oid, v) in &t.varbinds {
        if let Some([col, i]) = oid.strip_prefix(&IF_ENTRY[..]) {
            index = Some(*i);
            if *col == 2 && name.is_none() {
                name = v.text();
            }
        } else if let Some([i]) = oid.strip_prefix(&IF_NAME[..]) {
            index = Some(*i);
            name = v.text();
        }
    }
    match (name, index) {
        (Some(n), Some(i)) => format!("{n} (ifIndex {i})"),
        (None, Some(i)) => format!("ifIndex {i}"),
        (Some(n), None) => n,
        (None, None) => "unknown interface".into(),
    }
}

/// Describe a trap from `sender`; `None` when it carries no trap OID.
pub fn describe(t: &Trap, sender: &str) -> Option<Described> {
    let oid = trap_oid(t)?;
    let generic = oid.strip_prefix(&SNMP_TRAPS[..]).and_then(|r| match r {
        [n] => Some(*n),
        _ => None,
    });
    let (severity, title) = match generic {
        Some(1) => ("warning", "coldStart: the device restarted".to_string()),
        Some(2) => ("info", "warmStart: the device reinitialised".to_string()),
        Some(3) => ("warning", format!("linkDown: {}", interface(t))),
        Some(4) => ("info", format!("linkUp: {}", interface(t))),
        Some(5) => (
            "warning",
            "authenticationFailure: a request was not authenticated".to_string(),
        ),
        Some(6) => ("info", "egpNeighborLoss".to_string()),
        _ => ("info", format!("trap {}", dotted(&oid))),
    };
    let varbinds: Vec<_> = t
        .varbinds
        .iter()
        .map(|(o, v)| json!({"oid": dotted(o), "value": v.json()}))
        .collect();
    let uptime = t
        .varbinds
        .iter()
        .find(|(o, _)| o[..] == SYS_UPTIME)
        .and_then(|(_, v)| v.num());
    let mut detail = json!({
        "sender": sender,
        "version": t.version,
        "trap_oid": dotted(&oid),
        "uptime_ticks": uptime.or(t.v1.as_ref().map(|v| f64::from(v.timestamp))),
        "varbinds": varbinds,
    });
    if let Some(v1) = &t.v1 {
        detail["enterprise"] = json!(dotted(&v1.enterprise));
        detail["agent_addr"] = json!(v1.agent_addr);
        detail["generic_trap"] = json!(v1.generic);
        detail["specific_trap"] = json!(v1.specific);
    }
    Some(Described {
        kind: dotted(&oid),
        severity,
        title,
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1(generic: i64, specific: i64, varbinds: Vec<(Vec<u64>, Val)>) -> Trap {
        Trap {
            version: "v1",
            varbinds,
            v1: Some(V1 {
                enterprise: vec![1, 3, 6, 1, 4, 1, 8072, 3, 2, 10],
                agent_addr: "192.0.2.1".into(),
                generic,
                specific,
                timestamp: 42,
            }),
        }
    }

    #[test]
    fn v1_generic_and_enterprise_traps_map_per_rfc3584() {
        let d = describe(&v1(0, 0, vec![]), "192.0.2.1").unwrap();
        assert_eq!(
            (d.kind.as_str(), d.severity),
            ("1.3.6.1.6.3.1.1.5.1", "warning")
        );
        assert!(d.title.starts_with("coldStart"));
        assert_eq!(d.detail["uptime_ticks"], json!(42.0));
        let link = vec![(vec![1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 7], Val::Int(7))];
        let d = describe(&v1(2, 0, link), "x").unwrap();
        assert_eq!(d.title, "linkDown: ifIndex 7");
        let d = describe(&v1(6, 99, vec![]), "x").unwrap();
        assert_eq!(
            (d.kind.as_str(), d.severity),
            ("1.3.6.1.4.1.8072.3.2.10.0.99", "info")
        );
        assert_eq!(d.title, "trap 1.3.6.1.4.1.8072.3.2.10.0.99");
    }

    #[test]
    fn v2_link_down_names_the_interface_and_no_trap_oid_is_none() {
        let mut vbs = vec![
            (SYS_UPTIME.to_vec(), Val::Ticks(500)),
            (
                SNMP_TRAP_OID.to_vec(),
                Val::Oid(vec![1, 3, 6, 1, 6, 3, 1, 1, 5, 3]),
            ),
            (vec![1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 2], Val::Int(2)),
            (
                IF_NAME.iter().copied().chain([2]).collect(),
                Val::Bytes(b"eth1".to_vec()),
            ),
        ];
        let t = Trap {
            version: "v2c",
            varbinds: vbs.clone(),
            v1: None,
        };
        let d = describe(&t, "10.0.0.1").unwrap();
        assert_eq!(
            (d.title.as_str(), d.severity),
            ("linkDown: eth1 (ifIndex 2)", "warning")
        );
        assert_eq!(d.detail["varbinds"][3]["value"], json!("eth1"));
        vbs[1].1 = Val::Oid(vec![1, 3, 6, 1, 6, 3, 1, 1, 5, 5]);
        let d = describe(
            &Trap {
                version: "v2c",
                varbinds: vbs.clone(),
                v1: None,
            },
            "x",
        )
        .unwrap();
        assert_eq!(d.severity, "warning");
        vbs.remove(1);
        assert_eq!(
            describe(
                &Trap {
                    version: "v2c",
                    varbinds: vbs,
                    v1: None
                },
                "x"
            ),
            None
        );
    }
}
