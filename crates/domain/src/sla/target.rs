//! SLA targets and how the engine finds them and their calendars.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{PauseOn, Priority, TargetKind};
use crate::calendar::Calendar;

/// Default warning threshold, in percent of the budget.
pub const DEFAULT_WARN_PERCENT: u8 = 75;

/// One SLA target: a business-time budget for one kind of clock, for one
/// priority, under one contract (or any contract when `contract` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    /// Which clock this target is for.
    pub kind: TargetKind,
    /// Contract id it applies to; `None` is the default for every ticket.
    pub contract: Option<String>,
    /// Priority it applies to.
    pub priority: Priority,
    /// The budget in business minutes.
    pub budget_minutes: u32,
    /// Statuses that pause the clock.
    pub pause_on: PauseOn,
    /// Name of the business calendar the budget is measured in.
    pub calendar: String,
    /// Warning threshold in percent of the budget (1–100).
    pub warn_percent: u8,
}

impl Target {
    /// A default-contract target, never paused, warning at 75%.
    pub fn new(kind: TargetKind, priority: Priority, budget_minutes: u32, calendar: &str) -> Self {
        Self {
            kind,
            contract: None,
            priority,
            budget_minutes,
            pause_on: PauseOn::NONE,
            calendar: calendar.to_string(),
            warn_percent: DEFAULT_WARN_PERCENT,
        }
    }

    /// Limits the target to one contract.
    pub fn for_contract(mut self, contract: &str) -> Self {
        self.contract = Some(contract.to_string());
        self
    }

    /// Sets the statuses that pause the clock.
    pub fn paused_on(mut self, pause_on: PauseOn) -> Self {
        self.pause_on = pause_on;
        self
    }

    /// Sets the warning threshold (clamped to 1–100 percent).
    pub fn warn_at_percent(mut self, percent: u8) -> Self {
        self.warn_percent = percent.clamp(1, 100);
        self
    }

    /// True when the target applies to a ticket of that contract and priority.
    pub fn applies(&self, kind: TargetKind, contract: Option<&str>, priority: Priority) -> bool {
        self.kind == kind
            && self.priority == priority
            && (self.contract.is_none() || self.contract.as_deref() == contract)
    }

    /// Ordering key: smaller is stricter. Ties go to contract-specific
    /// targets, then the earlier warning, then the calendar name.
    pub(crate) fn strictness(&self) -> (u32, bool, u8, &str) {
        (
            self.budget_minutes,
            self.contract.is_none(),
            self.warn_percent,
            &self.calendar,
        )
    }
}

/// Where the engine finds targets and calendars.
pub trait SlaResolver {
    /// Every target the engine may pick from.
    fn targets(&self) -> &[Target];
    /// The calendar with that name.
    fn calendar(&self, name: &str) -> Option<&Calendar>;
}

impl<T: SlaResolver + ?Sized> SlaResolver for &T {
    fn targets(&self) -> &[Target] {
        (**self).targets()
    }

    fn calendar(&self, name: &str) -> Option<&Calendar> {
        (**self).calendar(name)
    }
}

/// A ready-made resolver: a list of targets and named calendars.
#[derive(Debug, Clone, Default)]
pub struct SlaPolicy {
    targets: Vec<Target>,
    calendars: BTreeMap<String, Calendar>,
}

impl SlaPolicy {
    /// An empty policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a target.
    pub fn with_target(mut self, target: Target) -> Self {
        self.targets.push(target);
        self
    }

    /// Adds (or replaces) a named calendar.
    pub fn with_calendar(mut self, name: &str, calendar: Calendar) -> Self {
        self.calendars.insert(name.to_string(), calendar);
        self
    }
}

impl SlaResolver for SlaPolicy {
    fn targets(&self) -> &[Target] {
        &self.targets
    }

    fn calendar(&self, name: &str) -> Option<&Calendar> {
        self.calendars.get(name)
    }
}
