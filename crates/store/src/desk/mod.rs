//! The service desk: contracts, tickets, their history and SLA clocks.
pub(crate) mod attachments;
mod catalog;
pub(crate) mod contracts;
mod group;
mod scheduler;
mod search;
pub(crate) mod tickets;
mod types;
mod work;
mod work_types;

pub use catalog::{GROUPS as CATALOG_GROUPS, occurrences, valid_rrule};
pub(crate) use group::CreateGroup;
pub(crate) use scheduler::desk_settings_on;
pub use scheduler::{
    ACTIONS, DeskSettings, EscalationRule, EscalationRuleInput, Notification, TRIGGERS, TickReport,
};
pub(crate) use tickets::{instant, next_counter};
pub use types::*;
pub use work_types::*;

use crate::{Result, Scope, StoreError};

pub(crate) fn staff_only(scope: &Scope) -> Result<()> {
    if scope.is_staff() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "only the provider's staff may do this".into(),
        ))
    }
}
