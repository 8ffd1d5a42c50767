//! SNMP in the server: polling devices (v2c, v3 USM with engine discovery) for the system
//! group, IF-MIB and HOST-RESOURCES into series, and the trap receiver that turns traps into
//! events. BER, USM and the protocol come from the `snmp2` crate (RustCrypto backend); the
//! MIB mapping (`mib.rs`) and the trap semantics (`event.rs`) are ours.
mod event;
mod mib;
mod poll;
mod session;
mod trap;
mod value;

use crate::{Settings, crypto::Crypto};
use onestop_store::Store;
use std::sync::Arc;

/// Start the poller and, when configured, the trap receiver (a bind failure is fatal).
pub async fn start(settings: &Settings, store: Store, crypto: Arc<Crypto>) -> anyhow::Result<()> {
    if let Some(addr) = &settings.snmp_trap {
        trap::start(addr, store.clone(), settings.snmp_trap_community.clone()).await?;
    }
    poll::spawn(
        store,
        crypto,
        settings.snmp_poll_concurrency.clamp(1, 1024) as usize,
    );
    Ok(())
}
