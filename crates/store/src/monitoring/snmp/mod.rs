//! SNMP devices: per-asset polling settings (v2c community or v3 USM user, secrets sealed by
//! the server), their CRUD under the caller's scope (staff change, a customer reads its own;
//! every change audited), and the poller's side: due devices, poll outcomes with the system
//! group's facts, and finding the host a trap came from.
mod crud;
mod poll;
mod types;

pub use poll::{SnmpPollOutcome, SnmpTarget};
pub use types::{
    SNMP_AUTH_PROTOCOLS, SNMP_PRIV_PROTOCOLS, SealedSnmpInput, SnmpDevice, SnmpDeviceInput,
};
