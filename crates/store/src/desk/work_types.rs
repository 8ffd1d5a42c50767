//! Work records on a ticket and the service catalog, as read and written through the API.
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A file attached to a ticket. The bytes live under the server's `attachments/` directory.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub ticket_id: String,
    pub customer_id: String,
    pub filename: String,
    /// The type sniffed from the bytes (or `text/plain`, or `application/octet-stream`).
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// `public` (the customer sees it) or `internal`.
    pub visibility: String,
    pub note: String,
    pub uploaded_by: String,
    pub created_at: i64,
}

/// A file to attach: its name, the type the sender claimed, and the bytes.
#[derive(Debug, Clone, Default)]
pub struct NewAttachment {
    pub filename: String,
    /// The declared `Content-Type`, if any; checked against the bytes.
    pub content_type: Option<String>,
    /// `public` or `internal`; customers' users always attach publicly. Staff default to
    /// `internal`.
    pub visibility: Option<String>,
    pub note: Option<String>,
    pub bytes: Vec<u8>,
}

/// Time spent on a ticket.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimeEntry {
    pub id: String,
    pub ticket_id: String,
    pub customer_id: String,
    pub user_id: Option<String>,
    pub username: String,
    pub minutes: i64,
    /// When the work was done (ms since the epoch).
    pub worked_at: i64,
    pub note: String,
    pub billable: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeEntryInput {
    /// 1 to 1440.
    pub minutes: i64,
    /// When the work was done (ms since the epoch); defaults to now; not in the future.
    pub worked_at: Option<i64>,
    pub note: Option<String>,
    /// Defaults to true.
    pub billable: Option<bool>,
    /// The staff user who did the work; defaults to the caller.
    pub user_id: Option<String>,
}

/// A link as seen from one ticket: `relation` reads "this ticket's <relation> is `number`".
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TicketLink {
    pub id: String,
    /// `problem` (the other ticket is this incident's problem), `incident`, `duplicate_of`,
    /// `duplicated_by`, `parent`, `child`.
    pub relation: String,
    pub other_id: String,
    pub other_number: String,
    pub other_title: String,
    pub other_status: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// From this ticket's side: `problem`, `incident`, `duplicate_of`, `duplicated_by`,
    /// `parent`, `child`.
    pub relation: String,
    /// The other ticket's id or number (`PRB-2026-000001`).
    pub ticket: String,
}

/// A case raised with another vendor's support; it runs the ticket's vendor SLA clock.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VendorCase {
    pub id: String,
    pub ticket_id: String,
    pub customer_id: String,
    pub vendor: String,
    /// The vendor's own case number.
    pub case_number: Option<String>,
    /// `open`, `answered` or `closed`.
    pub status: String,
    pub raised_at: i64,
    pub raised_by: String,
    pub note: String,
    pub updated_at: i64,
    pub answers: Vec<VendorAnswer>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VendorAnswer {
    pub id: String,
    pub at: i64,
    pub body: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorCaseInput {
    pub vendor: String,
    pub case_number: Option<String>,
    pub note: Option<String>,
}

/// Changes to a vendor case: its number, or its status (`open` again re-raises it and starts
/// a fresh vendor clock; `closed` ends it).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorCasePatch {
    pub case_number: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorAnswerInput {
    pub body: String,
}

/// A part replaced during a field visit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub name: String,
    #[serde(default)]
    pub part_number: Option<String>,
    #[serde(default)]
    pub removed_serial: Option<String>,
    #[serde(default)]
    pub installed_serial: Option<String>,
    #[serde(default = "one")]
    pub quantity: i64,
}

fn one() -> i64 {
    1
}

/// An on-site visit by a field engineer (`ce`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Dispatch {
    pub id: String,
    pub ticket_id: String,
    pub customer_id: String,
    pub engineer_id: String,
    pub engineer: String,
    /// `planned`, `on_site`, `done` or `cancelled`.
    pub status: String,
    pub planned_at: i64,
    pub arrived_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub work_done: String,
    pub parts: Vec<Part>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchInput {
    /// A user with the `ce` role.
    pub engineer_id: String,
    /// Planned arrival (ms since the epoch).
    pub planned_at: i64,
}

/// Changes to a visit; absent fields stay. Moving to `on_site` records the arrival (now,
/// unless given), `done` the finish.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchPatch {
    pub status: Option<String>,
    pub engineer_id: Option<String>,
    pub planned_at: Option<i64>,
    pub arrived_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub work_done: Option<String>,
    pub parts: Option<Vec<Part>>,
}

/// One service of the provider's menu.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogService {
    pub id: String,
    /// Stable code contracts refer to, e.g. `periodic_inspection`.
    pub code: String,
    /// `proactive`, `reactive`, `management`, `proxy` or `system_support`.
    pub group: String,
    pub name_en: String,
    pub name_ja: String,
    pub description: String,
    /// Default frequency as an RFC 5545 RRULE (`FREQ=MONTHLY;INTERVAL=6`), if periodic.
    pub default_rrule: Option<String>,
    pub active: bool,
    pub sort_order: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Fields of a catalog service; absent fields stay (an empty `default_rrule` clears it).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogInput {
    /// Required on creation; cannot change.
    pub code: Option<String>,
    pub group: Option<String>,
    pub name_en: Option<String>,
    pub name_ja: Option<String>,
    pub description: Option<String>,
    pub default_rrule: Option<String>,
    pub active: Option<bool>,
    pub sort_order: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct CatalogQuery {
    /// Include inactive services (default: only active ones).
    pub all: Option<bool>,
}

/// A contract whose renewal notice period has begun.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RenewalDue {
    pub contract_id: String,
    pub customer_id: String,
    pub name: String,
    pub ends_on: String,
    /// `ends_on` less `renewal_notice_days`.
    pub remind_on: String,
    pub days_left: i64,
}
