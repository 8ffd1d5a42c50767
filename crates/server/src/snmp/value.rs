//! Owned SNMP values and OIDs: what a response's varbinds are turned into at once, so they
//! outlive the session's receive buffer and can be matched without the wire types.
use snmp2::{Oid, Value};

/// A varbind's value, owned.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Int(i64),
    /// Counter32, Counter64, Gauge32/Unsigned32, TimeTicks.
    Uint(u64),
    Counter32(u32),
    Counter64(u64),
    Ticks(u32),
    Bytes(Vec<u8>),
    Oid(Vec<u64>),
    Ip([u8; 4]),
    Null,
    /// noSuchObject, noSuchInstance, endOfMibView.
    Missing,
    Other,
}

impl Val {
    pub fn from_wire(v: &Value<'_>) -> Val {
        match v {
            Value::Integer(i) => Val::Int(*i),
            Value::Counter32(c) => Val::Counter32(*c),
            Value::Counter64(c) => Val::Counter64(*c),
            Value::Unsigned32(u) => Val::Uint(u64::from(*u)),
            Value::Timeticks(t) => Val::Ticks(*t),
            Value::OctetString(b) => Val::Bytes(b.to_vec()),
            Value::ObjectIdentifier(o) => Val::Oid(oid_parts(o)),
            Value::IpAddress(a) => Val::Ip(*a),
            Value::Null => Val::Null,
            Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView => Val::Missing,
            _ => Val::Other,
        }
    }

    /// The value as a number, when it is one.
    pub fn num(&self) -> Option<f64> {
        match self {
            Val::Int(i) => Some(*i as f64),
            Val::Uint(u) | Val::Counter64(u) => Some(*u as f64),
            Val::Counter32(c) | Val::Ticks(c) => Some(f64::from(*c)),
            _ => None,
        }
    }

    /// Text, for display strings (lossy UTF-8, control characters dropped).
    pub fn text(&self) -> Option<String> {
        match self {
            Val::Bytes(b) => Some(
                String::from_utf8_lossy(b)
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect(),
            ),
            _ => None,
        }
    }

    /// A JSON rendering for event detail.
    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Val::Int(i) => json!(i),
            Val::Uint(u) | Val::Counter64(u) => json!(u),
            Val::Counter32(c) | Val::Ticks(c) => json!(c),
            Val::Bytes(b) => match std::str::from_utf8(b) {
                Ok(s) if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => json!(s),
                _ => json!(format!("0x{}", hex::encode(b))),
            },
            Val::Oid(o) => json!(dotted(o)),
            Val::Ip(a) => json!(std::net::Ipv4Addr::from(*a).to_string()),
            Val::Null | Val::Missing | Val::Other => serde_json::Value::Null,
        }
    }
}

/// The arcs of an OID (empty when an arc does not fit 64 bits).
pub fn oid_parts(o: &Oid<'_>) -> Vec<u64> {
    o.iter().map(|i| i.collect()).unwrap_or_default()
}

/// `1.3.6.1…`
pub fn dotted(o: &[u64]) -> String {
    o.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}
