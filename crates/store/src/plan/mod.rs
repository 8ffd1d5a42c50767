//! Planned work: the annual implementation plan per contract (`activities.rs`), checklist
//! templates (`templates.rs`), work orders (`orders.rs`) with their execution record
//! (`execution.rs`) and automated items from the agent's checks (`auto.rs`), the scheduled
//! pass that plans, creates work orders and escalates overdue ones (`generate.rs`), patch
//! installations (`patch.rs`) and planned work for the calendar (`calendar.rs`).
mod activities;
mod auto;
mod calendar;
mod execution;
mod generate;
mod orders;
mod patch;
mod templates;
mod types;

pub use activities::DEFAULT_LEAD_DAYS;
pub use execution::{can_sign, wo_attachment_path};
pub use types::*;

use crate::StoreError;
use chrono::NaiveDate;
use onestop_domain::model::ValidationError;

pub(crate) fn invalid(field: &str, msg: impl Into<String>) -> StoreError {
    ValidationError::new(field, msg).into()
}

/// The UTC date of an instant (ms): the day the scheduler acts on.
pub(crate) fn today(now: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .date_naive()
}
