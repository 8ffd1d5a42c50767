//! `/tickets/{id}/…`: the work records of a ticket — attachments (multipart upload, download),
//! time entries, links, vendor cases and field visits. Customers' users see their own
//! tickets' public records only (public attachments, links to their own tickets, visits).
use super::Body;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use onestop_store::{
    Attachment, Dispatch, DispatchInput, DispatchPatch, LinkInput, NewAttachment, TicketLink,
    TimeEntry, TimeEntryInput, VendorAnswerInput, VendorCase, VendorCaseInput, VendorCasePatch,
};
use std::collections::HashMap;
use std::path::PathBuf;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_attachments, upload_attachment))
        .routes(routes!(download_attachment))
        .routes(routes!(list_time_entries, add_time_entry))
        .routes(routes!(list_links, add_link))
        .routes(routes!(remove_link))
        .routes(routes!(list_vendor_cases, raise_vendor_case))
        .routes(routes!(patch_vendor_case))
        .routes(routes!(answer_vendor_case))
        .routes(routes!(list_dispatches, create_dispatch))
        .routes(routes!(patch_dispatch))
        // Uploads are limited by `attachment_max_bytes` while they stream, not by axum's
        // default 2 MB.
        .layer(DefaultBodyLimit::disable())
}

/// Where the server keeps attachments: `<data_dir>/attachments`.
pub(crate) fn attachment_dir(s: &AppState) -> PathBuf {
    s.settings.data_dir.join("attachments")
}

fn too_large(limit: i64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("the file is larger than the limit of {limit} bytes"),
    )
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.body_text())
    } else {
        ApiError::bad_request(e.body_text())
    }
}

/// A multipart form read with the file part capped at `limit` bytes: the text fields, and
/// the file part (`file`) as an attachment to store.
pub(crate) struct Upload {
    pub fields: HashMap<String, String>,
    pub file: Option<NewAttachment>,
}

pub(crate) async fn read_upload(mut mp: Multipart, limit: i64) -> ApiResult<Upload> {
    let mut fields = HashMap::new();
    let mut file = None;
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let filename = field.file_name().unwrap_or("").to_string();
            let content_type = field.content_type().map(str::to_string);
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                if (bytes.len() + chunk.len()) as i64 > limit {
                    return Err(too_large(limit));
                }
                bytes.extend_from_slice(&chunk);
            }
            file = Some(NewAttachment {
                filename,
                content_type,
                bytes,
                ..Default::default()
            });
        } else {
            let text = field.text().await.map_err(multipart_error)?;
            if text.len() > 64 * 1024 {
                return Err(ApiError::bad_request(format!("field `{name}` is too long")));
            }
            fields.insert(name, text);
        }
    }
    Ok(Upload { fields, file })
}

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
struct AttachmentUpload {
    /// The file (its part's `Content-Type` and file name are checked against its bytes).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `public` or `internal` (staff default); customers' users always attach publicly.
    visibility: Option<String>,
    note: Option<String>,
}

#[utoipa::path(get, path = "/tickets/{id}/attachments", responses((status = 200, body = Vec<Attachment>), (status = 404)))]
async fn list_attachments(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Attachment>>> {
    Ok(Json(s.store.list_attachments(&auth.scope, &id).await?))
}

/// Attach a file (multipart/form-data). Executables and files whose bytes contradict their
/// type or extension are refused (422); files over `attachment_max_bytes` get 413.
#[utoipa::path(post, path = "/tickets/{id}/attachments", request_body(content = AttachmentUpload, content_type = "multipart/form-data"), responses((status = 201, body = Attachment), (status = 404), (status = 413), (status = 422)))]
async fn upload_attachment(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    mp: Multipart,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let limit = s.settings.attachment_max_bytes;
    let up = read_upload(mp, limit).await?;
    let mut file = up.file.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "file: a `file` part is required",
        )
    })?;
    file.visibility = up.fields.get("visibility").cloned();
    file.note = up.fields.get("note").cloned();
    let a = s
        .store
        .add_attachment(&auth.scope, &id, &attachment_dir(&s), file)
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// `attachment; filename="…"; filename*=UTF-8''…` with an ASCII fallback.
pub(crate) fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Download an attachment's bytes (always as a download, never rendered inline).
#[utoipa::path(get, path = "/tickets/{id}/attachments/{attachment_id}", responses((status = 200, description = "The file's bytes"), (status = 404)))]
async fn download_attachment(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, attachment_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (a, path) = s
        .store
        .attachment(&auth.scope, &id, &attachment_id, &attachment_dir(&s))
        .await?;
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        tracing::error!(error = %e, path = %path.display(), "attachment file unreadable");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the attachment's file is missing",
        )
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition(&a.filename)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (
                header::HeaderName::from_static("x-content-sha256"),
                a.sha256.clone(),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(get, path = "/tickets/{id}/time-entries", responses((status = 200, body = Vec<TimeEntry>), (status = 403), (status = 404)))]
async fn list_time_entries(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<TimeEntry>>> {
    Ok(Json(s.store.list_time_entries(&auth.scope, &id).await?))
}

/// Log time spent on the ticket (staff only).
#[utoipa::path(post, path = "/tickets/{id}/time-entries", request_body = TimeEntryInput, responses((status = 201, body = TimeEntry), (status = 403), (status = 404), (status = 422)))]
async fn add_time_entry(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<TimeEntryInput>,
) -> ApiResult<(StatusCode, Json<TimeEntry>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.add_time_entry(&auth.scope, &id, input).await?),
    ))
}

/// Links from this ticket's side (both ends of every link it takes part in).
#[utoipa::path(get, path = "/tickets/{id}/links", responses((status = 200, body = Vec<TicketLink>), (status = 404)))]
async fn list_links(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<TicketLink>>> {
    Ok(Json(s.store.list_ticket_links(&auth.scope, &id).await?))
}

/// Link to another ticket: `{"relation": "problem", "ticket": "PRB-2026-000001"}` (staff).
#[utoipa::path(post, path = "/tickets/{id}/links", request_body = LinkInput, responses((status = 201, body = TicketLink), (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn add_link(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<LinkInput>,
) -> ApiResult<(StatusCode, Json<TicketLink>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.add_ticket_link(&auth.scope, &id, input).await?),
    ))
}

#[utoipa::path(delete, path = "/tickets/{id}/links/{link_id}", responses((status = 204), (status = 403), (status = 404)))]
async fn remove_link(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, link_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.store
        .remove_ticket_link(&auth.scope, &id, &link_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/tickets/{id}/vendor-cases", responses((status = 200, body = Vec<VendorCase>), (status = 403), (status = 404)))]
async fn list_vendor_cases(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<VendorCase>>> {
    Ok(Json(s.store.list_vendor_cases(&auth.scope, &id).await?))
}

/// Raise a case with a vendor (staff): starts the ticket's vendor SLA clock.
#[utoipa::path(post, path = "/tickets/{id}/vendor-cases", request_body = VendorCaseInput, responses((status = 201, body = VendorCase), (status = 403), (status = 404), (status = 422)))]
async fn raise_vendor_case(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<VendorCaseInput>,
) -> ApiResult<(StatusCode, Json<VendorCase>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.raise_vendor_case(&auth.scope, &id, input).await?),
    ))
}

/// Change the vendor's case number, close the case, or reopen it (a fresh vendor clock).
#[utoipa::path(patch, path = "/tickets/{id}/vendor-cases/{case_id}", request_body = VendorCasePatch, responses((status = 200, body = VendorCase), (status = 403), (status = 404), (status = 422)))]
async fn patch_vendor_case(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, case_id)): Path<(String, String)>,
    Body(input): Body<VendorCasePatch>,
) -> ApiResult<Json<VendorCase>> {
    Ok(Json(
        s.store
            .update_vendor_case(&auth.scope, &id, &case_id, input)
            .await?,
    ))
}

/// Record the vendor's answer: the case is answered and the vendor clock stops.
#[utoipa::path(post, path = "/tickets/{id}/vendor-cases/{case_id}/answers", request_body = VendorAnswerInput, responses((status = 201, body = VendorCase), (status = 403), (status = 404), (status = 422)))]
async fn answer_vendor_case(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, case_id)): Path<(String, String)>,
    Body(input): Body<VendorAnswerInput>,
) -> ApiResult<(StatusCode, Json<VendorCase>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            s.store
                .answer_vendor_case(&auth.scope, &id, &case_id, input)
                .await?,
        ),
    ))
}

#[utoipa::path(get, path = "/tickets/{id}/dispatches", responses((status = 200, body = Vec<Dispatch>), (status = 404)))]
async fn list_dispatches(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Dispatch>>> {
    Ok(Json(s.store.list_dispatches(&auth.scope, &id).await?))
}

/// Plan an on-site visit by a field engineer (`ce` user; staff only).
#[utoipa::path(post, path = "/tickets/{id}/dispatches", request_body = DispatchInput, responses((status = 201, body = Dispatch), (status = 403), (status = 404), (status = 422)))]
async fn create_dispatch(
    State(s): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(input): Body<DispatchInput>,
) -> ApiResult<(StatusCode, Json<Dispatch>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_dispatch(&auth.scope, &id, input).await?),
    ))
}

/// Record arrival, work done, parts replaced, or move the visit on (staff only).
#[utoipa::path(patch, path = "/tickets/{id}/dispatches/{dispatch_id}", request_body = DispatchPatch, responses((status = 200, body = Dispatch), (status = 403), (status = 404), (status = 422)))]
async fn patch_dispatch(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, dispatch_id)): Path<(String, String)>,
    Body(input): Body<DispatchPatch>,
) -> ApiResult<Json<Dispatch>> {
    Ok(Json(
        s.store
            .update_dispatch(&auth.scope, &id, &dispatch_id, input)
            .await?,
    ))
}
