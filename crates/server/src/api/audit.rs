//! `/audit`: browse the audit log (staff).
use super::Q;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use onestop_store::{AuditEntry, AuditFilter};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

#[utoipa::path(get, path = "/audit", params(AuditFilter), responses((status = 200, body = Vec<AuditEntry>), (status = 403)))]
async fn list_audit(
    State(s): State<AppState>,
    auth: Auth,
    Q(f): Q<AuditFilter>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    Ok(Json(s.store.audit_list(&auth.scope, &f).await?))
}
