//! The service desk: contracts, tickets, their history and SLA clocks.
mod contracts;
mod scheduler;
mod search;
mod tickets;
mod types;

pub use scheduler::{
    ACTIONS, DeskSettings, EscalationRule, EscalationRuleInput, Notification, TRIGGERS, TickReport,
};
pub use types::*;

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
