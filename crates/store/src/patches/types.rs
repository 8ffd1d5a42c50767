//! The records of patch information as read and written through the API.
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What an advisory import did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct AdvisoryImport {
    /// Advisories not stored before.
    pub new: usize,
    /// Stored advisories replaced by a newer `modified`.
    pub updated: usize,
    /// Stored advisories whose `modified` is not older than the incoming one.
    pub unchanged: usize,
    /// Of the new and updated ones, how many are withdrawn.
    pub withdrawn: usize,
    /// Hosts matched again because an advisory of their ecosystem changed: only for the
    /// package names the changed advisories name when the host was up to date before the
    /// import, else for all its packages.
    pub hosts_matched: usize,
    /// Hosts of those ecosystems not matched again: up to date with the advisory content
    /// of their ecosystem, or up to date before the import and with none of the package
    /// names it changed.
    pub hosts_unchanged: usize,
    /// Findings opened by this import.
    pub findings_opened: usize,
    /// Security notices recorded because of this import.
    pub notices: usize,
}

/// A stored advisory. `advisory` is the normalised OSV record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdvisoryRecord {
    pub id: String,
    /// ms since the epoch.
    pub modified: i64,
    pub published: Option<i64>,
    pub withdrawn: Option<i64>,
    /// unknown, low, medium, high, critical
    pub severity: String,
    pub summary: String,
    pub cves: Vec<String>,
    pub imported_at: i64,
    /// The whole normalised advisory: details, aliases, affected packages and ranges,
    /// references, CVSS.
    #[schema(value_type = Object)]
    pub advisory: serde_json::Value,
}

/// A host's current inventory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HostInventory {
    pub host_id: String,
    pub customer_id: String,
    pub os_id: Option<String>,
    pub os_version_id: Option<String>,
    pub os_id_like: Option<String>,
    pub os_pretty_name: Option<String>,
    /// OSV ecosystem derived from the OS identity (`AlmaLinux:9`), when supported.
    pub ecosystem: Option<String>,
    pub kernel_running: String,
    pub kernels_installed: Vec<String>,
    /// The release the newest installed kernel boots as.
    pub newest_kernel: Option<String>,
    /// The newest installed kernel is not the running one.
    pub reboot_required: bool,
    pub package_count: i64,
    /// `agent` or `upload`.
    pub source: String,
    pub updated_at: i64,
}

/// One installed package of a host.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct HostPackage {
    pub name: String,
    /// Empty when unknown.
    pub arch: String,
    pub version: String,
    pub source_name: Option<String>,
    pub source_version: Option<String>,
}

/// One change between two inventories of a host.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PackageChange {
    pub id: String,
    pub host_id: String,
    pub at: i64,
    pub name: String,
    pub arch: String,
    /// installed, removed, upgraded, downgraded
    pub change: String,
    pub from_version: Option<String>,
    pub to_version: Option<String>,
}

/// What storing an inventory did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InventoryOutcome {
    pub inventory: HostInventory,
    pub installed: usize,
    pub removed: usize,
    pub upgraded: usize,
    pub downgraded: usize,
    pub findings_opened: usize,
    pub findings_fixed: usize,
    /// The security notice recorded for findings new since the last notice, if any.
    pub notice_id: Option<String>,
}

/// An advisory that affects an installed package of a host.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Finding {
    pub id: String,
    pub customer_id: String,
    pub host_id: String,
    pub host_name: String,
    pub advisory_id: String,
    pub summary: String,
    pub cves: Vec<String>,
    pub package: String,
    pub installed_version: String,
    /// None: the distribution has not published a fix.
    pub fixed_version: Option<String>,
    /// unknown, low, medium, high, critical
    pub severity: String,
    /// A kernel finding: judged on the running kernel.
    pub kernel: bool,
    /// A fixed kernel is installed but not running.
    pub reboot_pending: bool,
    /// open, fixed, accepted_risk, ignored, withdrawn
    pub state: String,
    pub reason: Option<String>,
    pub expires_at: Option<i64>,
    pub first_seen: i64,
    pub last_seen: i64,
    pub fixed_at: Option<i64>,
    /// The version installed when the finding was seen fixed.
    pub fixed_version_seen: Option<String>,
    /// The security notice that reported it.
    pub notice_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct FindingQuery {
    /// Customer id.
    pub customer: Option<String>,
    /// Host (asset) id.
    pub host: Option<String>,
    /// One or more of unknown, low, medium, high, critical (comma-separated).
    pub severity: Option<String>,
    /// One or more of open, fixed, accepted_risk, ignored, withdrawn (comma-separated).
    pub state: Option<String>,
    /// Advisory id.
    pub advisory: Option<String>,
    /// `severity` (default: most severe first), `age` (oldest first), `host`, `package`.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A decision about a finding.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingPatch {
    /// accepted_risk or ignored (needs a reason), or open (withdraws the decision).
    pub state: String,
    pub reason: Option<String>,
    /// When the decision lapses (ms since the epoch); none: until withdrawn.
    pub expires_at: Option<i64>,
    /// `host` (default): this host only; `customer`: every host of the customer.
    pub apply_to: Option<String>,
}

/// One line of a notice.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NoticeItem {
    pub finding_id: String,
    pub host_id: String,
    pub host_name: String,
    pub package: String,
    pub installed_version: String,
    pub fixed_version: Option<String>,
    pub advisory_id: String,
    pub severity: String,
    pub cves: Vec<String>,
    pub summary: String,
}

/// Someone a notice is addressed to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recipient {
    /// `contact` or `user`.
    pub kind: String,
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// `security_notices` (a contact's role), `ase` or `cse`.
    pub role: String,
    /// `ja` or `en`.
    pub language: String,
    /// The Message-ID of the e-mail queued for this recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// What became of that e-mail: `pending`, `sent` or `failed` (read from the outbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
    /// When it was sent (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<i64>,
}

/// A security notice (new findings) or a monthly digest (all open findings).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    pub id: String,
    pub customer_id: String,
    /// `security` or `digest`.
    pub kind: String,
    /// The digest's month (`2026-11`); the notice id for security notices.
    pub period: String,
    pub created_at: i64,
    pub subject: String,
    /// Plain-text body, ready for an outbox.
    pub body: String,
    pub items: Vec<NoticeItem>,
    pub recipients: Vec<Recipient>,
    pub finding_count: i64,
    pub max_severity: String,
    /// `pending` until the mail worker has sent every recipient's message, then `sent`
    /// (`failed` when one was given up); `no_recipients` when nobody has an address. The
    /// portal shows it either way.
    pub email_status: String,
    pub email_sent_at: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct NoticeQuery {
    pub customer: Option<String>,
    /// `security` or `digest`.
    pub kind: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Evidence of patching for a host and period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub host_id: String,
    pub host_name: String,
    pub from: i64,
    pub to: i64,
    /// Package changes in the period, oldest first.
    pub changes: Vec<PackageChange>,
    /// Findings seen fixed in the period.
    pub findings_closed: Vec<Finding>,
    /// Findings still open at the end of the report.
    pub findings_open: i64,
    pub kernel_running: String,
    pub newest_kernel: Option<String>,
    /// The running kernel is older than the newest installed one.
    pub reboot_pending: bool,
}
