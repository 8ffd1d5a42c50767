//! Periodic patch-information work of the server: the scheduled advisory import (from a
//! configured file, directory, zip or URL), expiry of accepted-risk decisions, the safety
//! net for security notices, and the monthly digest. Everything here is idempotent, so
//! several servers on one database may run it side by side (digests are unique per customer
//! and month, imports only replace older records).
use crate::Settings;
use anyhow::Context;
use chrono::Datelike;
use onestop_store::{AdvisoryImport, Scope, Store};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often the job loop wakes up.
const TICK: Duration = Duration::from_secs(600);

/// Download `url` into `dir`, keeping a `.zip` extension when the body is a zip archive.
fn download(url: &str, dir: &Path) -> anyhow::Result<PathBuf> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(600)))
        .build()
        .into();
    let resp = agent
        .get(url)
        .call()
        .with_context(|| format!("fetching {url}"))?;
    let mut body = resp
        .into_body()
        .with_config()
        .limit(2 * 1024 * 1024 * 1024)
        .read_to_vec()
        .with_context(|| format!("reading {url}"))?;
    let ext = if body.starts_with(b"PK\x03\x04") {
        "zip"
    } else {
        "json"
    };
    let path = dir.join(format!("advisories-download.{ext}"));
    std::fs::write(&path, &mut body).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Import advisories from `source` (a path, or an `http(s)://` URL fetched first).
pub async fn import_from(
    store: &Store,
    source: &str,
    data_dir: &Path,
) -> anyhow::Result<(AdvisoryImport, usize)> {
    let (src, dir) = (source.to_string(), data_dir.to_path_buf());
    let report = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let path = if src.starts_with("http://") || src.starts_with("https://") {
            download(&src, &dir)?
        } else {
            PathBuf::from(&src)
        };
        Ok(onestop_vuln::load_path(&path)?)
    })
    .await??;
    let rejected = report.rejected.len();
    let out = store
        .import_advisories(&Scope::System, report.advisories, source)
        .await?;
    Ok((out, rejected))
}

async fn tick(store: &Store, settings: &Settings, last_import: &mut Option<Instant>) {
    if let Some(src) = settings
        .advisories_source
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        let every = Duration::from_secs(settings.advisories_import_hours.max(1) * 3600);
        if last_import.is_none_or(|t| t.elapsed() >= every) {
            *last_import = Some(Instant::now());
            match import_from(store, src, &settings.data_dir).await {
                Ok((o, rejected)) => tracing::info!(
                    source = src,
                    new = o.new,
                    updated = o.updated,
                    unchanged = o.unchanged,
                    rejected,
                    notices = o.notices,
                    "scheduled advisory import"
                ),
                Err(e) => {
                    tracing::warn!(source = src, error = %e, "scheduled advisory import failed")
                }
            }
        }
    }
    if let Err(e) = store.expire_finding_decisions().await {
        tracing::warn!(error = %e, "expiring finding decisions failed");
    }
    if let Err(e) = store.notify_pending().await {
        tracing::warn!(error = %e, "security notices failed");
    }
    let today = chrono::Utc::now().date_naive();
    let day = settings.patch_digest_day;
    if day > 0 && today.day() >= day {
        let period = format!("{:04}-{:02}", today.year(), today.month());
        match store.create_digests(&period).await {
            Ok(ids) if !ids.is_empty() => {
                tracing::info!(period, digests = ids.len(), "patch digests")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "patch digests failed"),
        }
    }
}

/// Run the jobs every ten minutes (the first time right away) for as long as the server runs.
pub fn spawn(store: Store, settings: Settings) {
    tokio::spawn(async move {
        let mut last_import = None;
        let mut every = tokio::time::interval(TICK);
        loop {
            every.tick().await;
            tick(&store, &settings, &mut last_import).await;
        }
    });
}
