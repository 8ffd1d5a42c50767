//! The desk's records as read and written through the API.
use onestop_domain::desk::{SlaSummary, SlaTable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A recurring service a contract includes (e.g. a monthly report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractService {
    /// The code of an active service of the catalog (`GET /api/v1/catalog`).
    pub service: String,
    /// An RFC 5545 RRULE, e.g. `FREQ=MONTHLY;BYMONTHDAY=1`; empty takes the catalog's default
    /// frequency (and stays empty for services without one).
    #[serde(default)]
    pub rrule: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Contract {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    /// `YYYY-MM-DD`.
    pub ends_on: String,
    pub renewal_notice_days: i64,
    /// A business calendar in the calendar file format; `None` means 24x365.
    pub calendar_toml: Option<String>,
    /// Budgets in minutes per priority: `{"high": {"first_response": 60, "resolution": 480}}`;
    /// priorities left out take the provider default.
    #[schema(value_type = Object)]
    pub sla: SlaTable,
    pub critical_procedure: String,
    pub services: Vec<ContractService>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Fields of a contract to create or change; absent fields stay as they are (or take their
/// defaults on creation: starting today, ending a year later, 60 days' renewal notice).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractInput {
    /// Required on creation; cannot change.
    pub customer_id: Option<String>,
    pub name: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub renewal_notice_days: Option<i64>,
    /// An empty string clears the calendar (24x365).
    pub calendar_toml: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub sla: Option<SlaTable>,
    pub critical_procedure: Option<String>,
    pub services: Option<Vec<ContractService>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ContractQuery {
    pub customer_id: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Ticket {
    pub id: String,
    pub customer_id: String,
    /// `INC-2026-000123`, `REQ-…`, `PRB-…`, `CHG-…`.
    pub number: String,
    /// incident, service_request, problem, change.
    #[serde(rename = "type")]
    pub kind: String,
    /// phone, fax, email, portal, api, monitoring.
    pub channel: String,
    pub title: String,
    pub description: String,
    /// hardware, software, network, security, other.
    pub category: Option<String>,
    /// low, medium, high, critical.
    pub impact: String,
    pub urgency: String,
    /// From impact × urgency.
    pub priority: String,
    /// new, assigned, in_progress, pending, resolved, closed.
    pub status: String,
    /// With `pending`: waiting_customer, waiting_vendor or waiting_parts.
    pub pending_reason: Option<String>,
    pub contact_id: Option<String>,
    pub assignee_id: Option<String>,
    pub team_id: Option<String>,
    pub contract_id: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// The SLA clocks: `{"first_response": {"due", "state", …}, "resolution": {…}}`. Computed
    /// now for a single ticket; as of the last change in lists.
    #[schema(value_type = Object)]
    pub sla: SlaSummary,
    /// Affected asset ids (filled on single-ticket reads, empty in lists).
    pub assets: Vec<String>,
}

/// A new ticket.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketInput {
    pub customer_id: Option<String>,
    /// incident (default), service_request, problem, change.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// low, medium (default), high, critical.
    pub impact: Option<String>,
    pub urgency: Option<String>,
    /// phone, fax, email, portal, api (default), monitoring; always `portal` for customers.
    pub channel: Option<String>,
    pub contact_id: Option<String>,
    pub category: Option<String>,
    pub assets: Option<Vec<String>>,
    /// Defaults to the customer's contract in force today, if any.
    pub contract_id: Option<String>,
}

/// Fields of a ticket to change; an empty string clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    pub category: Option<String>,
    pub assignee_id: Option<String>,
    pub team_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct TicketQuery {
    /// Words of the title, description or replies (and, for staff, internal notes), or a
    /// ticket number; Japanese text included.
    pub q: Option<String>,
    /// A queue: `mine`, `team` (my teams), `unassigned`, `breaching` (a running clock due within
    /// 8 hours, or breached), `open` (not resolved or closed), or `all` (default).
    pub queue: Option<String>,
    pub team_id: Option<String>,
    pub category: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub customer_id: Option<String>,
    pub assignee_id: Option<String>,
    /// `updated_at` (default, newest first), `created_at`, `sla_due`, `priority`, `status`,
    /// `number`; prefix `-` for descending.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub body: String,
    /// `public` (a reply the customer sees) or `internal` (a note for staff). Defaults to
    /// `internal` for staff and `public` for customers' users, who may only reply.
    pub visibility: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// new, assigned, in_progress, pending, resolved, closed.
    pub to: String,
    /// With `pending`: waiting_customer, waiting_vendor or waiting_parts.
    pub reason: Option<String>,
    pub note: Option<String>,
}

/// One entry of a ticket's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketEventRecord {
    pub id: String,
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}
