//! onestop-store: persistence behind one API for SQLite (embedded) and PostgreSQL (scale).
//!
//! Every read or write of customer-owned data takes a [`Scope`]; the store applies it, so no
//! caller filters by customer by hand. Every change to business data goes through a
//! [`WriteTx`], which appends to the audit chain in the same transaction.
mod audit;
pub mod auth;
mod backup;
mod calendar;
mod db;
mod desk;
mod error;
pub mod logs;
pub mod mail;
mod migrate;
mod monitoring;
mod notify;
mod oncall;
mod outbox;
mod patches;
mod people;
mod plan;
mod registry;
mod runbooks;
mod scope;
mod util;

pub use audit::{AuditEntry, AuditFilter, VerifyReport};
pub use backup::BackupSummary;
pub use calendar::{CalendarEntry, CalendarQuery, FeedSubject, FeedToken, NewFeedToken, VISIT_MS};
pub use db::{Backend, Store, WriteTx};
pub use desk::{
    ACTIONS, Attachment, CATALOG_GROUPS, CatalogInput, CatalogQuery, CatalogService, DeskSettings,
    Dispatch, DispatchInput, DispatchPatch, EscalationRule, EscalationRuleInput, LinkInput,
    NewAttachment, Notification, Part, RenewalDue, TRIGGERS, TickReport, TicketLink, TimeEntry,
    TimeEntryInput, VendorAnswer, VendorAnswerInput, VendorCase, VendorCaseInput, VendorCasePatch,
    occurrences, valid_rrule,
};
pub use desk::{
    CommentInput, Contract, ContractInput, ContractQuery, ContractService, Ticket,
    TicketEventRecord, TicketInput, TicketPatch, TicketQuery, TransitionInput,
};
pub use error::StoreError;
pub use monitoring::*;
pub use notify::{
    Claimed, DeliveryOutcome, NewWebhook, Webhook, WebhookAttempt, WebhookDelivery, WebhookInput,
    WebhookPatch,
};
pub use oncall::{
    OncallOverride, OncallRotation, OncallShift, OncallStatus, OverrideInput, RotationInput,
};
pub use outbox::{OutMail, new_message_id};
pub use patches::{
    AdvisoryImport, AdvisoryRecord, Evidence, Finding, FindingPatch, FindingQuery, HostInventory,
    HostPackage, InventoryOutcome, Notice, NoticeItem, NoticeQuery, PackageChange, Recipient,
};
pub use people::{ApiToken, NewUser, Session, Team, User};
pub use plan::*;
pub use registry::{
    Asset, AssetInput, AssetQuery, CSV_COLUMNS, Contact, ContactInput, CsvErrors, Customer,
    CustomerInput, CustomerQuery, Expiry, ImpactReport, ImpactedAsset, Page, Relation, Site,
    SiteInput,
};
pub use registry::{ContactPatch, ContactQuery, SitePatch, SiteQuery};
pub use runbooks::{
    AgreeInput, RunStep, Runbook, RunbookEdit, RunbookInput, RunbookRun, RunbookStep,
    RunbookVersion, StepInput,
};
pub use scope::Scope;
pub use util::{new_id, now_ms};

/// Result of a store call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
