//! How many network checks per second one server runs, on this machine: N TCP checks
//! against local listeners (10 ports, accepting and closing), first the probe alone
//! (`probes::run::run`), then the whole path the scheduler takes per check
//! (`probes::check_once`: probe, `ingest_polled` of its series into SQLite, newest result),
//! both at the default concurrency of 64.
//!
//! Usage: `cargo run --release -p onestop-server --example probe_bench [N]` (default 1000).
use onestop_server::probes;
use onestop_store::{AssetInput, CheckInput, CustomerInput, Scope, Store};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

const CONCURRENCY: usize = 64;

async fn listeners(n: usize) -> Vec<u16> {
    let mut ports = vec![];
    for _ in 0..n {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        ports.push(l.local_addr().unwrap().port());
        tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                drop(s);
            }
        });
    }
    ports
}

async fn timed<F, Fut>(checks: &[onestop_store::Check], f: F) -> (f64, usize)
where
    F: Fn(onestop_store::Check) -> Fut,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let t = Instant::now();
    let mut tasks = vec![];
    for c in checks {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let fut = f(c.clone());
        tasks.push(tokio::spawn(async move {
            let ok = fut.await;
            drop(permit);
            ok
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += usize::from(t.await.unwrap());
    }
    (checks.len() as f64 / t.elapsed().as_secs_f64(), ok)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let dir = std::env::temp_dir().join(format!("onestop-probebench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("onestop.db").display()))
        .await
        .unwrap();
    let sys = Scope::System;
    let customer = store
        .create_customer(
            &sys,
            CustomerInput {
                name: Some("Bench".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let asset = store
        .create_asset(
            &sys,
            &customer.id,
            AssetInput {
                name: Some("bench".into()),
                kind: Some("server".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ports = listeners(10).await;
    let mut checks = vec![];
    for i in 0..n {
        let input = CheckInput {
            host_id: asset.id.clone(),
            name: format!("tcp-{i}"),
            kind: "tcp".into(),
            target: format!("127.0.0.1:{}", ports[i % ports.len()]),
            ..Default::default()
        };
        checks.push(store.create_check(&sys, input).await.unwrap());
    }
    let (rate, ok) = timed(&checks, |c| async move { probes::run::run(&c).await.ok }).await;
    println!("{n} TCP checks, probe only:                     {rate:>8.0} checks/s ({ok} ok)");
    let s = store.clone();
    let (rate, ok) = timed(&checks, move |c| {
        let s = s.clone();
        async move { probes::check_once(&s, &c).await.ok }
    })
    .await;
    println!("{n} TCP checks, probe + store (SQLite, 2 series): {rate:>8.0} checks/s ({ok} ok)");
    let _ = std::fs::remove_dir_all(&dir);
}
