//! The records of the plan and of work orders, as read and written through the API.
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One activity of a contract's annual plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Activity {
    pub id: String,
    pub contract_id: String,
    pub customer_id: String,
    pub year: i64,
    /// The catalog code of the service.
    pub service: String,
    /// `YYYY-MM-DD`: the planned date (after the shift off closed days, or as edited).
    pub date: String,
    /// The date the service's RRULE gave; none for activities added by hand.
    pub occurrence: Option<String>,
    /// ase, cse or ce.
    pub owner_role: String,
    /// Asset ids in scope.
    pub assets: Vec<String>,
    /// Days before `date` that the work order is created.
    pub lead_days: i64,
    /// The checklist template of its work order.
    pub template: Option<String>,
    /// Plan against actual as of today: planned, work_order, done, late or skipped.
    pub status: String,
    pub skip_reason: Option<String>,
    /// Changed by hand: regeneration keeps it as it is.
    pub edited: bool,
    pub work_order_id: Option<String>,
    /// `YYYY-MM-DD` the work was done.
    pub done_on: Option<String>,
}

/// The plan of one contract and year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Plan {
    pub contract_id: String,
    pub year: i64,
    pub activities: Vec<Activity>,
}

/// Changes to an activity (all optional). `skip_reason` skips it; `unskip` plans it again.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    /// `YYYY-MM-DD`, within the plan's year.
    pub date: Option<String>,
    pub owner_role: Option<String>,
    pub assets: Option<Vec<String>>,
    pub lead_days: Option<i64>,
    pub template: Option<String>,
    pub skip_reason: Option<String>,
    pub unskip: Option<bool>,
}

/// An activity added to a plan by hand.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    pub service: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub owner_role: Option<String>,
    pub assets: Option<Vec<String>>,
    pub lead_days: Option<i64>,
    pub template: Option<String>,
}

/// One item of a checklist template.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TemplateItem {
    pub title: String,
    #[serde(default)]
    pub title_ja: String,
    #[serde(default)]
    pub guidance: String,
    /// An agent check id (`onestop_proto::CHECK_IDS`) that fills this item in.
    #[serde(default)]
    pub auto: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ChecklistTemplate {
    pub id: String,
    pub code: String,
    pub name_en: String,
    pub name_ja: String,
    pub items: Vec<TemplateItem>,
    pub updated_at: i64,
}

/// A template to create or change (administrators only).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub code: Option<String>,
    pub name_en: Option<String>,
    pub name_ja: Option<String>,
    pub items: Option<Vec<TemplateItem>>,
}

/// One checklist item of a work order and its result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct WorkOrderItem {
    pub pos: i64,
    pub title: String,
    pub title_ja: String,
    pub guidance: String,
    /// The agent check that fills it, if automated.
    pub auto_check: Option<String>,
    /// ok, finding or n_a; none until recorded.
    pub result: Option<String>,
    pub notes: String,
    /// Measured values, free text (e.g. `rack 24.5 C, 41 %RH`).
    pub measured: String,
    /// For automated items: the agent results used, with the command or file and when.
    #[schema(value_type = Option<Object>)]
    pub evidence: Option<serde_json::Value>,
    /// The ticket opened from this item's finding.
    pub ticket_id: Option<String>,
    /// A user name, or `agent` when filled from the agent's checks.
    pub recorded_by: Option<String>,
    pub recorded_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct WorkOrderAttachment {
    pub id: String,
    pub work_order_id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct WorkOrder {
    pub id: String,
    /// `WO-2026-000123`.
    pub number: String,
    pub customer_id: String,
    pub contract_id: Option<String>,
    pub activity_id: Option<String>,
    /// The ticket it was created from.
    pub ticket_id: Option<String>,
    /// planned, adhoc or patch.
    pub kind: String,
    pub title: String,
    pub description: String,
    pub template: Option<String>,
    pub assets: Vec<String>,
    pub owner_role: Option<String>,
    pub assignee_id: Option<String>,
    /// ms since the epoch.
    pub scheduled_start: i64,
    pub scheduled_end: i64,
    /// open, in_progress, done or cancelled.
    pub status: String,
    pub notes: String,
    pub minutes_spent: i64,
    /// For patch installations: hosts and packages with the versions before.
    #[schema(value_type = Option<Object>)]
    pub patch: Option<serde_json::Value>,
    pub approved_by: Option<String>,
    pub approved_at: Option<i64>,
    pub maintenance_id: Option<String>,
    /// Customer sign-off: who signed, the portal user if signed in person, the staff member
    /// who recorded it otherwise, and when.
    pub signoff_name: Option<String>,
    pub signoff_user_id: Option<String>,
    pub signoff_recorded_by: Option<String>,
    pub signoff_at: Option<i64>,
    pub done_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// True when not finished and past its scheduled end.
    pub overdue: bool,
    /// Filled on single reads.
    pub items: Vec<WorkOrderItem>,
    pub attachments: Vec<WorkOrderAttachment>,
}

/// An ad-hoc work order (or one from a ticket).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderInput {
    /// Required unless `ticket_id` is given.
    pub customer_id: Option<String>,
    pub ticket_id: Option<String>,
    pub contract_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// A checklist template code; without one the checklist has a single item.
    pub template: Option<String>,
    pub assets: Option<Vec<String>>,
    pub assignee_id: Option<String>,
    /// ms since the epoch; default now and now + 2 h.
    pub scheduled_start: Option<i64>,
    pub scheduled_end: Option<i64>,
}

/// Changes to a work order. `status` moves it: open, in_progress, done (every item needs a
/// result), cancelled. `add_minutes` adds time spent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Empty string unassigns.
    pub assignee_id: Option<String>,
    pub scheduled_start: Option<i64>,
    pub scheduled_end: Option<i64>,
    pub status: Option<String>,
    pub notes: Option<String>,
    pub add_minutes: Option<i64>,
}

/// One item's result.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemResult {
    pub pos: i64,
    /// ok, finding or n_a (`n/a` accepted).
    pub result: String,
    pub notes: Option<String>,
    pub measured: Option<String>,
}

/// Results of checklist items, with optional time spent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultsInput {
    pub items: Vec<ItemResult>,
    pub minutes: Option<i64>,
}

/// A customer's sign-off: by a portal user allowed to sign (no name needed), or recorded by
/// staff with the signer's name and, optionally, when it was given.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignoffInput {
    pub name: Option<String>,
    pub signed_at: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct WorkOrderQuery {
    /// Customer id.
    pub customer: Option<String>,
    /// User id, or `me`.
    pub assignee: Option<String>,
    /// open, in_progress, done, cancelled, or `active` (open and in progress); comma-separated.
    pub status: Option<String>,
    /// Scheduled end on or after (ms, or `YYYY-MM-DD`).
    pub due_from: Option<String>,
    /// Scheduled end before (ms, or `YYYY-MM-DD`, exclusive).
    pub due_to: Option<String>,
    pub contract: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A patch installation to plan from open findings.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchPlanInput {
    pub customer_id: String,
    pub host_ids: Vec<String>,
    /// Package names; default every package with an open finding on those hosts.
    pub packages: Option<Vec<String>>,
    /// The maintenance window agreed with the customer (ms).
    pub starts_at: i64,
    pub ends_at: i64,
    pub title: Option<String>,
    pub assignee_id: Option<String>,
}

/// What a patch installation did, host by host, from the inventory history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatchRecord {
    pub work_order_id: String,
    pub hosts: Vec<PatchHostRecord>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatchHostRecord {
    pub host_id: String,
    pub host_name: String,
    pub packages: Vec<PatchPackageRecord>,
    /// Findings seen fixed since the window opened.
    pub findings_closed: Vec<String>,
    pub findings_open: i64,
    pub reboot_pending: bool,
    pub kernel_running: String,
    pub newest_kernel: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatchPackageRecord {
    pub name: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The fixed version the findings asked for.
    pub wanted: Option<String>,
}

/// Planned work on the calendar: a plan activity (a whole day) or a work order.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct PlannedWork {
    /// `activity` or `work_order`.
    pub kind: String,
    pub id: String,
    pub title: String,
    pub customer_id: String,
    pub customer_name: String,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    /// ms since the epoch (an activity: midnight UTC of its date).
    pub starts_at: i64,
    pub ends_at: i64,
    /// For activities: `YYYY-MM-DD`.
    pub date: Option<String>,
    pub status: String,
    /// Last change of the activity or work order, ms.
    pub updated_at: i64,
}

/// What one plan scheduler pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanTickReport {
    pub leader: bool,
    pub plans: usize,
    pub work_orders: usize,
    pub overdue: usize,
}
