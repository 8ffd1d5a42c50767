//! Records of the runbook API.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One step of a runbook: what to do, what should be seen, and an optional command for the
/// engineer to run by hand (never executed by the product).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RunbookStep {
    pub text: String,
    #[serde(default)]
    pub expected: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// A runbook with its newest version's steps.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Runbook {
    pub id: String,
    pub customer_id: String,
    pub asset_id: Option<String>,
    pub service: Option<String>,
    pub title: String,
    pub current_version: i64,
    /// The version the customer agreed to, who agreed and when (ms).
    pub agreed_version: Option<i64>,
    pub agreed_by: Option<String>,
    pub agreed_at: Option<i64>,
    pub steps: Vec<RunbookStep>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One stored version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunbookVersion {
    pub version: i64,
    pub title: String,
    pub steps: Vec<RunbookStep>,
    pub note: String,
    pub created_by: String,
    pub created_at: i64,
}

/// A new runbook (version 1).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RunbookInput {
    pub customer_id: String,
    #[serde(default)]
    pub asset_id: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    pub title: String,
    pub steps: Vec<RunbookStep>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A change: always a new version with the whole step list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RunbookEdit {
    pub title: String,
    pub steps: Vec<RunbookStep>,
    #[serde(default)]
    pub note: Option<String>,
    /// When given, replaces the asset (empty string: none).
    #[serde(default)]
    pub asset_id: Option<String>,
    /// When given, replaces the service (empty string: none).
    #[serde(default)]
    pub service: Option<String>,
}

/// The customer's agreement to one version. A customer's user agrees as themself; staff
/// record who agreed on the customer's side.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AgreeInput {
    pub version: i64,
    #[serde(default)]
    pub agreed_by: Option<String>,
}

/// A run of a pinned runbook version inside a ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunbookRun {
    pub id: String,
    pub runbook_id: String,
    pub title: String,
    pub version: i64,
    pub ticket_id: String,
    pub customer_id: String,
    /// `running`, `done` or `abandoned`.
    pub status: String,
    pub started_by: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub steps: Vec<RunStep>,
}

/// One step of a run: the pinned version's text and what happened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunStep {
    /// 1-based.
    pub step_no: i64,
    pub text: String,
    pub expected: String,
    pub command: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    /// `ok`, `failed` or `skipped` once ended.
    pub result: Option<String>,
    pub notes: String,
    pub actor: Option<String>,
}

/// Start or end a step of a run.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StepInput {
    /// `start` or `end`.
    pub action: String,
    /// With `end`: `ok`, `failed` or `skipped`.
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}
