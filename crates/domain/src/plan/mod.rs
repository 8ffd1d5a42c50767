//! The annual implementation plan: a contract's recurring services (RFC 5545 RRULEs anchored
//! at the contract's start) expanded over one year on the contract's business calendar, each
//! date that falls on a closed day moved by the service's [`Shift`]. Pure: the year, the
//! calendar and the services are parameters.
mod defaults;
mod status;

pub use defaults::{default_owner_role, default_template};
pub use status::{ActivityStatus, status_on};

use crate::calendar::Calendar;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Where a date that falls on a closed day of the calendar goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shift {
    /// The next working day (the default).
    #[default]
    Next,
    /// The previous working day.
    Previous,
    /// Keep the date as the rule gives it.
    None,
}

impl std::str::FromStr for Shift {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "next" => Ok(Shift::Next),
            "previous" => Ok(Shift::Previous),
            "none" => Ok(Shift::None),
            o => Err(format!(
                "unknown shift `{o}`; expected next, previous or none"
            )),
        }
    }
}

/// The roles that own planned work.
pub const OWNER_ROLES: [&str; 3] = ["ase", "cse", "ce"];

/// One recurring service of a contract, as the plan needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePlan {
    /// The catalog code, e.g. `periodic_inspection`.
    pub service: String,
    /// An RRULE without the `RRULE:` prefix; services without one are not planned.
    pub rrule: String,
    pub shift: Shift,
    /// `ase`, `cse` or `ce`.
    pub owner_role: String,
    /// Asset ids in scope.
    pub assets: Vec<String>,
}

/// One generated activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDate {
    pub service: String,
    /// The date the rule gives (the activity's stable key with the service).
    pub occurrence: NaiveDate,
    /// The date after the shift.
    pub date: NaiveDate,
    pub owner_role: String,
    pub assets: Vec<String>,
}

/// A service whose rule cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("service `{service}`: {message}")]
pub struct PlanError {
    pub service: String,
    pub message: String,
}

/// The contract's term, for the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// The plan of `year` for a contract with `term`: every occurrence of each service's RRULE
/// (anchored at the term's start) inside both the year and the term, shifted off closed days.
/// Sorted by date, then service.
pub fn generate(
    services: &[ServicePlan],
    calendar: &Calendar,
    term: Term,
    year: i32,
) -> Result<Vec<PlannedDate>, PlanError> {
    let (Some(jan1), Some(dec31)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(vec![]);
    };
    let from = jan1.max(term.starts_on);
    let to = dec31.min(term.ends_on);
    let mut out = vec![];
    if from > to {
        return Ok(out);
    }
    for s in services.iter().filter(|s| !s.rrule.trim().is_empty()) {
        for occurrence in occurrences(&s.service, &s.rrule, term.starts_on, from, to)? {
            out.push(PlannedDate {
                service: s.service.clone(),
                occurrence,
                date: shift_date(calendar, occurrence, s.shift),
                owner_role: s.owner_role.clone(),
                assets: s.assets.clone(),
            });
        }
    }
    out.sort_by(|a, b| (a.date, &a.service).cmp(&(b.date, &b.service)));
    Ok(out)
}

/// Dates of `rule` anchored at `anchor`, within `[from, to]`.
fn occurrences(
    service: &str,
    rule: &str,
    anchor: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NaiveDate>, PlanError> {
    let err = |m: String| PlanError {
        service: service.into(),
        message: m,
    };
    let text = rule.trim();
    let text = text.strip_prefix("RRULE:").unwrap_or(text);
    let parsed: rrule::RRule<rrule::Unvalidated> = text
        .parse()
        .map_err(|e: rrule::RRuleError| err(e.to_string()))?;
    let start = anchor
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .with_timezone(&rrule::Tz::UTC);
    let set = parsed.build(start).map_err(|e| err(e.to_string()))?;
    let mut out = vec![];
    for d in set.into_iter() {
        let d = d.date_naive();
        if d > to {
            break;
        }
        if d >= from {
            out.push(d);
        }
    }
    Ok(out)
}

/// `date` moved to a working day of `calendar` as `shift` says (at most a year away; a
/// calendar that never opens keeps the date).
pub fn shift_date(calendar: &Calendar, date: NaiveDate, shift: Shift) -> NaiveDate {
    let step = |d: NaiveDate| match shift {
        Shift::Next => d.checked_add_days(Days::new(1)),
        Shift::Previous => d.checked_sub_days(Days::new(1)),
        Shift::None => None,
    };
    let mut d = date;
    for _ in 0..=366 {
        if calendar.is_working_day(d) {
            return d;
        }
        match step(d) {
            Some(n) => d = n,
            None => return date,
        }
    }
    date
}
