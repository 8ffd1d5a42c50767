//! SNMP pages: the device editor reached from the asset page (staff change, customers read;
//! secrets are write-only: the form shows whether one is set, never its value), and the
//! host page's SNMP section (interface traffic in bits per second from the octet
//! counters, interface status, recent traps).
use super::monitoring::Chart;
use super::{Ctx, OrPage, Page, UiResult, format_when, render};
use crate::monitor::chart;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use onestop_store::{Asset, Event, Scope, SeriesQuery, SnmpDevice, SnmpDeviceInput, StoreError};
use onestop_tsdb::Agg;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "snmp_device.html")]
struct EditorPage {
    ctx: Ctx,
    asset: Asset,
    device: Option<SnmpDevice>,
    traps: Vec<Event>,
    error: Option<String>,
    auth_protocols: &'static [&'static str],
    priv_protocols: &'static [&'static str],
}

impl EditorPage {
    fn when(&self, ms: &Option<i64>) -> String {
        ms.map(|m| format_when(self.ctx.t, m))
            .unwrap_or_else(|| "—".into())
    }
    fn status_key(&self) -> &'static str {
        match self.device.as_ref().map(|d| d.status.as_str()) {
            Some("ok") => "snmp_ok",
            Some("error") => "snmp_error",
            Some("disabled") => "snmp_disabled",
            _ => "snmp_pending",
        }
    }
    fn when_ms(&self, ms: &i64) -> String {
        format_when(self.ctx.t, *ms)
    }
    /// A stored setting for the form ("" when there is no device).
    fn field(&self, name: &str) -> &str {
        let Some(d) = &self.device else { return "" };
        match name {
            "address" => &d.address,
            "version" => &d.version,
            "v3_user" => d.v3_user.as_deref().unwrap_or(""),
            "auth_protocol" => d.auth_protocol.as_deref().unwrap_or(""),
            _ => d.priv_protocol.as_deref().unwrap_or(""),
        }
    }
    fn enabled(&self) -> bool {
        self.device.as_ref().is_none_or(|d| d.enabled)
    }
}

async fn editor_page(s: &AppState, page: Page, id: &str, error: Option<String>) -> UiResult {
    let (ctx, scope) = (page.ctx, page.auth.scope);
    let asset = s.store.get_asset(&scope, id).await.or_page(&ctx)?;
    let device = match s.store.snmp_device(&scope, id).await {
        Ok(d) => Some(d),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e).or_page(&ctx),
    };
    let traps = s
        .store
        .list_events(&scope, &crate::api::snmp_recent_traps(id))
        .await
        .or_page(&ctx)?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(EditorPage {
            ctx,
            asset,
            device,
            traps,
            error,
            auth_protocols: &onestop_store::SNMP_AUTH_PROTOCOLS,
            priv_protocols: &onestop_store::SNMP_PRIV_PROTOCOLS,
        }),
    )
        .into_response())
}

pub async fn editor(State(s): State<AppState>, page: Page, Path(id): Path<String>) -> UiResult {
    editor_page(&s, page, &id, None).await
}

#[derive(Deserialize)]
pub struct DeviceForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    address: String,
    port: String,
    version: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    v3_user: String,
    #[serde(default)]
    auth_protocol: String,
    #[serde(default)]
    auth_password: String,
    #[serde(default)]
    priv_protocol: String,
    #[serde(default)]
    priv_password: String,
    interval_secs: String,
    timeout_ms: String,
    retries: String,
    #[serde(default)]
    enabled: Option<String>,
}

fn number(field: &str, v: &str) -> Result<Option<i64>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|_| format!("{field}: not a number"))
}

fn input(f: DeviceForm) -> Result<SnmpDeviceInput, String> {
    let secret = |v: String| Some(v).filter(|v| !v.is_empty());
    Ok(SnmpDeviceInput {
        asset_id: None,
        address: Some(f.address),
        port: number("port", &f.port)?,
        version: Some(f.version),
        community: secret(f.community),
        v3_user: Some(f.v3_user),
        auth_protocol: Some(f.auth_protocol).filter(|p| !p.is_empty()),
        auth_password: secret(f.auth_password),
        priv_protocol: Some(f.priv_protocol).filter(|p| !p.is_empty()),
        priv_password: secret(f.priv_password),
        interval_secs: number("interval_secs", &f.interval_secs)?,
        timeout_ms: number("timeout_ms", &f.timeout_ms)?,
        retries: number("retries", &f.retries)?,
        enabled: Some(f.enabled.is_some()),
    })
}

/// Create or change the asset's device.
pub async fn save(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<DeviceForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f.csrf)).or_page(&page.ctx)?;
    let scope = page.auth.scope.clone();
    let result = match input(f) {
        Err(e) => Err(e),
        Ok(mut i) => {
            let exists = s.store.snmp_device(&scope, &id).await.is_ok();
            if !exists {
                i.asset_id = Some(id.clone());
            }
            let done = match crate::api::snmp_seal(&s, i) {
                Err(e) => Err(e),
                Ok(sealed) if exists => s.store.update_snmp_device(&scope, &id, sealed).await,
                Ok(sealed) => s.store.create_snmp_device(&scope, sealed).await,
            };
            done.map_err(|e| crate::error::ApiError::from(e).message)
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/assets/{id}/snmp")).into_response()),
        Err(e) => editor_page(&s, page, &id, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Stop polling the asset over SNMP.
pub async fn remove(
    State(s): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> UiResult {
    page.auth.check_csrf(Some(&f.csrf)).or_page(&page.ctx)?;
    s.store
        .delete_snmp_device(&page.auth.scope, &id)
        .await
        .or_page(&page.ctx)?;
    Ok(Redirect::to(&format!("/assets/{id}/snmp")).into_response())
}

/// The host page's SNMP part.
pub struct HostSnmp {
    pub device: Option<SnmpDevice>,
    pub charts: Vec<Chart>,
    pub traps: Vec<Event>,
}

/// Most interfaces charted on a host page.
const MAX_INTERFACES: usize = 24;

/// Per-interface lines of `name` (by `ifName`), as `agg`.
async fn by_interface(
    s: &AppState,
    scope: &Scope,
    host: &str,
    names: &[&str],
    (from, to, step): (i64, i64, i64),
    agg: Agg,
) -> onestop_store::Result<BTreeMap<String, Vec<(i64, f64)>>> {
    for name in names {
        let q = SeriesQuery {
            name: name.to_string(),
            labels: BTreeMap::new(),
            from_ms: from,
            to_ms: to,
            step_ms: step,
            agg: Some(agg),
        };
        let res = s.store.query_series(scope, host, &q).await?;
        if !res.is_empty() {
            return Ok(res
                .into_iter()
                .map(|r| {
                    (
                        r.labels.get("ifName").cloned().unwrap_or_default(),
                        r.points,
                    )
                })
                .collect());
        }
    }
    Ok(BTreeMap::new())
}

/// Interface charts and recent traps of `host`, when it is an SNMP device or got traps.
pub async fn host_section(
    s: &AppState,
    scope: &Scope,
    host: &str,
    w: (i64, i64, i64),
) -> onestop_store::Result<HostSnmp> {
    let device = s.store.snmp_device(scope, host).await.ok();
    let traps = s
        .store
        .list_events(scope, &crate::api::snmp_recent_traps(host))
        .await?;
    let mut charts = Vec::new();
    if device.is_some() {
        let bits = |m: BTreeMap<String, Vec<(i64, f64)>>| -> BTreeMap<String, Vec<(i64, f64)>> {
            m.into_iter()
                .map(|(k, v)| (k, v.into_iter().map(|(t, x)| (t, x * 8.0)).collect()))
                .collect()
        };
        let rx = bits(
            by_interface(
                s,
                scope,
                host,
                &["ifHCInOctets", "ifInOctets"],
                w,
                Agg::Rate,
            )
            .await?,
        );
        let tx = bits(
            by_interface(
                s,
                scope,
                host,
                &["ifHCOutOctets", "ifOutOctets"],
                w,
                Agg::Rate,
            )
            .await?,
        );
        for (name, points) in rx.iter().take(MAX_INTERFACES) {
            let mut lines = vec![(format!("{name} in"), points.clone())];
            if let Some(out) = tx.get(name) {
                lines.push((format!("{name} out"), out.clone()));
            }
            let title = format!("{name}: bits/s");
            charts.push(Chart {
                svg: chart::svg(&title, &lines, w.0, w.1),
                title,
            });
        }
        let status: Vec<(String, Vec<(i64, f64)>)> =
            by_interface(s, scope, host, &["ifOperStatus"], w, Agg::Last)
                .await?
                .into_iter()
                .take(MAX_INTERFACES)
                .collect();
        if !status.is_empty() {
            let title = "ifOperStatus (1 up, 2 down, 7 lowerLayerDown)".to_string();
            charts.push(Chart {
                svg: chart::svg(&title, &status, w.0, w.1),
                title,
            });
        }
    }
    Ok(HostSnmp {
        device,
        charts,
        traps,
    })
}
