//! Patch and security information: host inventories and packages, findings and decisions
//! about them, advisories, notices, and evidence of patching.
use super::{Body, Q};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use onestop_store::{
    AdvisoryRecord, Evidence, Finding, FindingPatch, FindingQuery, HostInventory, HostPackage,
    InventoryOutcome, Notice, NoticeQuery, PackageChange, Page,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_inventory, put_inventory))
        .routes(routes!(host_packages))
        .routes(routes!(host_changes))
        .routes(routes!(host_evidence))
        .routes(routes!(list_findings))
        .routes(routes!(get_finding, patch_finding))
        .routes(routes!(get_advisory))
        .routes(routes!(list_notices))
        .routes(routes!(get_notice))
}

#[utoipa::path(get, path = "/hosts/{id}/inventory", responses((status = 200, body = HostInventory), (status = 404)))]
async fn get_inventory(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<HostInventory>> {
    Ok(Json(s.store.host_inventory(&auth.scope, &id).await?))
}

/// Store the inventory of a host (an asset id) that has no agent: the agent protocol's
/// `Inventory` JSON (`os`, `kernel`, `packages`). Records what changed since the last one,
/// matches the host and records a security notice for new findings. Staff only.
#[utoipa::path(put, path = "/hosts/{id}/inventory", request_body(content = Object, description = "onestop_proto::Inventory: {\"os\": {\"id\", \"version_id\", …}, \"kernel\": {\"running\", \"installed\"}, \"packages\": [{\"name\", \"version\", \"arch\", \"source\", \"source_version\"}]}"), responses((status = 200, body = InventoryOutcome), (status = 404), (status = 422)))]
async fn put_inventory(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(inv): Body<onestop_proto::Inventory>,
) -> ApiResult<Json<InventoryOutcome>> {
    Ok(Json(
        s.store
            .put_inventory(&auth.scope, &id, &inv, "upload")
            .await?,
    ))
}

#[utoipa::path(get, path = "/hosts/{id}/packages", responses((status = 200, body = Vec<HostPackage>), (status = 404)))]
async fn host_packages(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<HostPackage>>> {
    Ok(Json(s.store.host_packages(&auth.scope, &id).await?))
}

/// A period: `from` and `to` as RFC 3339 times or `YYYY-MM-DD` dates (UTC); default the
/// last 30 days up to now.
#[derive(Deserialize, IntoParams)]
pub(crate) struct Period {
    pub from: Option<String>,
    pub to: Option<String>,
}

fn instant(field: &str, s: &str, end_of_day: bool) -> Result<i64, ApiError> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_request(format!("{field}: `{s}` is not an RFC 3339 time or a date"))
    })?;
    let d = if end_of_day {
        d.succ_opt().unwrap_or(d)
    } else {
        d
    };
    Ok(d.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_millis())
}

impl Period {
    /// `[from, to)` in ms; a `to` date includes that whole day.
    pub(crate) fn bounds(&self) -> Result<(i64, i64), ApiError> {
        let now = chrono::Utc::now().timestamp_millis();
        let to = match self.to.as_deref().filter(|s| !s.is_empty()) {
            Some(t) => instant("to", t, true)?,
            None => now + 1,
        };
        let from = match self.from.as_deref().filter(|s| !s.is_empty()) {
            Some(f) => instant("from", f, false)?,
            None => to - 30 * 86_400_000,
        };
        if from >= to {
            return Err(ApiError::bad_request("from must be before to"));
        }
        Ok((from, to))
    }
}

/// `[from, to)` in ms from optional `from` / `to` texts (for the UI's forms).
pub(crate) fn period_bounds(
    from: Option<String>,
    to: Option<String>,
) -> Result<(i64, i64), ApiError> {
    Period { from, to }.bounds()
}

#[utoipa::path(get, path = "/hosts/{id}/package-changes", params(Period), responses((status = 200, body = Vec<PackageChange>), (status = 404)))]
async fn host_changes(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(p): Q<Period>,
) -> ApiResult<Json<Vec<PackageChange>>> {
    let (from, to) = p.bounds()?;
    Ok(Json(
        s.store.package_changes(&auth.scope, &id, from, to).await?,
    ))
}

/// Evidence of patching: package changes from → to, findings closed, reboot pending.
#[utoipa::path(get, path = "/hosts/{id}/evidence", params(Period), responses((status = 200, body = Evidence), (status = 404)))]
async fn host_evidence(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Q(p): Q<Period>,
) -> ApiResult<Json<Evidence>> {
    let (from, to) = p.bounds()?;
    Ok(Json(
        s.store.patch_evidence(&auth.scope, &id, from, to).await?,
    ))
}

#[utoipa::path(get, path = "/findings", params(FindingQuery), responses((status = 200, body = Page<Finding>), (status = 422)))]
async fn list_findings(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<FindingQuery>,
) -> ApiResult<Json<Page<Finding>>> {
    Ok(Json(s.store.list_findings(&auth.scope, &q).await?))
}

#[utoipa::path(get, path = "/findings/{id}", responses((status = 200, body = Finding), (status = 404)))]
async fn get_finding(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Finding>> {
    Ok(Json(s.store.get_finding(&auth.scope, &id).await?))
}

/// Accept the risk of a finding or ignore it (with a reason and optional expiry, for this
/// host or the whole customer), or reopen it. Staff only.
#[utoipa::path(patch, path = "/findings/{id}", request_body = FindingPatch, responses((status = 200, body = Finding), (status = 403), (status = 404), (status = 422)))]
async fn patch_finding(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(p): Body<FindingPatch>,
) -> ApiResult<Json<Finding>> {
    Ok(Json(s.store.decide_finding(&auth.scope, &id, p).await?))
}

#[utoipa::path(get, path = "/advisories/{id}", responses((status = 200, body = AdvisoryRecord), (status = 404)))]
async fn get_advisory(
    State(s): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<AdvisoryRecord>> {
    Ok(Json(s.store.get_advisory(&id).await?))
}

#[utoipa::path(get, path = "/notices", params(NoticeQuery), responses((status = 200, body = Page<Notice>)))]
async fn list_notices(
    State(s): State<AppState>,
    auth: Auth,
    Q(q): Q<NoticeQuery>,
) -> ApiResult<Json<Page<Notice>>> {
    Ok(Json(s.store.list_notices(&auth.scope, &q).await?))
}

#[utoipa::path(get, path = "/notices/{id}", responses((status = 200, body = Notice), (status = 404)))]
async fn get_notice(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Notice>> {
    Ok(Json(s.store.get_notice(&auth.scope, &id).await?))
}
