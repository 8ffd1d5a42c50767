//! The poller: every second, under the `snmp-poll` lease (one server polls at a time, like
//! the other monitoring jobs), the due devices are polled concurrently (bounded), each on
//! its own interval and never twice at once. A poll reads the system group (facts for the
//! device row), walks IF-MIB's ifTable and ifXTable and, where offered, HOST-RESOURCES, and
//! stores the samples through the polled-host ingest path. Failures (no answer, wrong
//! community or v3 credentials) become the device's error state.
use super::mib::{self, Tables, Wraps};
use super::session::{Client, Cred, Params};
use super::value::Val;
use crate::crypto::Crypto;
use onestop_store::{SnmpPollOutcome, SnmpTarget, Store, now_ms};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Most varbinds taken from one table walk.
const WALK_CAP: usize = 50_000;

#[derive(Default)]
struct Shared {
    busy: HashSet<String>,
    wraps: HashMap<String, Wraps>,
}

/// Start the poll loop.
pub fn spawn(store: Store, crypto: Arc<Crypto>, concurrency: usize) {
    let holder = onestop_store::new_id();
    let shared = Arc::new(Mutex::new(Shared::default()));
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency.clamp(1, 1024)));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            match store.acquire_lease("snmp-poll", &holder, 30_000).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "snmp poll lease");
                    continue;
                }
            }
            let due = match store.due_snmp_devices(now_ms(), 1000).await {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(error = %e, "listing due SNMP devices");
                    continue;
                }
            };
            for t in due {
                if !shared.lock().expect("snmp state").busy.insert(t.id.clone()) {
                    continue;
                }
                let (store, crypto, shared) = (store.clone(), crypto.clone(), shared.clone());
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    return;
                };
                tokio::spawn(async move {
                    let _permit = permit;
                    poll_and_store(&store, &crypto, &shared, t.clone()).await;
                    shared.lock().expect("snmp state").busy.remove(&t.id);
                });
            }
        }
    });
}

/// The device's connection parameters with its secrets opened.
fn params(t: &SnmpTarget, crypto: &Crypto) -> Result<Params, String> {
    let open = |sealed: &Option<String>| -> Result<String, String> {
        match sealed {
            None => Ok(String::new()),
            Some(s) => crypto.decrypt(s).ok_or_else(|| {
                "the stored secret cannot be opened (was secret_key changed?)".into()
            }),
        }
    };
    let cred = if t.version == "v3" {
        Cred::V3 {
            user: t.v3_user.clone().unwrap_or_default(),
            auth: t.auth_protocol.clone().unwrap_or_else(|| "none".into()),
            auth_pass: open(&t.auth_enc)?,
            privacy: t.priv_protocol.clone().unwrap_or_else(|| "none".into()),
            priv_pass: open(&t.priv_enc)?,
        }
    } else {
        Cred::V2c {
            community: open(&t.community_enc)?,
        }
    };
    let addr = if t.address.contains(':') && !t.address.starts_with('[') {
        format!("[{}]:{}", t.address, t.port)
    } else {
        format!("{}:{}", t.address, t.port)
    };
    Ok(Params {
        addr,
        timeout: Duration::from_millis(t.timeout_ms.clamp(100, 60_000) as u64),
        retries: t.retries.clamp(0, 10) as u32,
        cred,
    })
}

/// Poll one device: its facts and tables.
async fn poll(t: &SnmpTarget, crypto: &Crypto) -> Result<(SnmpPollOutcome, Tables), String> {
    let mut c = Client::new(params(t, crypto)?);
    let sys = c
        .get(&[
            mib::SYS_DESCR.to_vec(),
            mib::SYS_UPTIME.to_vec(),
            mib::SYS_NAME.to_vec(),
        ])
        .await?;
    let find = |oid: &[u64]| sys.iter().find(|(o, _)| o == oid).map(|(_, v)| v.clone());
    let uptime = match find(&mib::SYS_UPTIME) {
        Some(Val::Ticks(t)) => Some(t),
        _ => None,
    };
    let outcome = SnmpPollOutcome {
        error: None,
        sys_descr: find(&mib::SYS_DESCR).and_then(|v| v.text()),
        sys_name: find(&mib::SYS_NAME).and_then(|v| v.text()),
        sys_uptime_secs: uptime.map(|t| i64::from(t / 100)),
    };
    let mut tables = Tables {
        uptime_ticks: uptime,
        ..Default::default()
    };
    tables.if_entry = c.walk(&mib::IF_ENTRY, WALK_CAP).await?;
    // Optional groups: a device without them answers with nothing under the root.
    tables.ifx_entry = c.walk(&mib::IFX_ENTRY, WALK_CAP).await.unwrap_or_default();
    tables.hr_cpu = c
        .walk(&mib::HR_PROCESSOR_LOAD, WALK_CAP)
        .await
        .unwrap_or_default();
    tables.hr_storage = c
        .walk(&mib::HR_STORAGE_ENTRY, WALK_CAP)
        .await
        .unwrap_or_default();
    Ok((outcome, tables))
}

async fn poll_and_store(store: &Store, crypto: &Crypto, shared: &Mutex<Shared>, t: SnmpTarget) {
    let at = now_ms();
    let outcome = match poll(&t, crypto).await {
        Ok((outcome, tables)) => {
            let series = {
                let mut s = shared.lock().expect("snmp state");
                mib::series(&tables, at, s.wraps.entry(t.id.clone()).or_default())
            };
            match store.ingest_polled(&t.id, series).await {
                Ok(_) => outcome,
                Err(e) => SnmpPollOutcome {
                    error: Some(format!("storing samples: {e}")),
                    ..outcome
                },
            }
        }
        Err(e) => {
            tracing::info!(device = %t.id, address = %t.address, error = %e, "SNMP poll failed");
            SnmpPollOutcome {
                error: Some(e),
                ..Default::default()
            }
        }
    };
    if let Err(e) = store.record_snmp_poll(&t.id, at, &outcome).await {
        tracing::warn!(device = %t.id, error = %e, "recording an SNMP poll");
    }
}
