//! Helpers shared by the integration tests.

use chrono::{DateTime, NaiveDate, Utc};
use onestop_domain::calendar::{Calendar, Instant};

/// Parses an RFC 3339 instant.
pub fn at(text: &str) -> Instant {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("bad instant {text}: {e}"))
        .with_timezone(&Utc)
}

/// A date from its parts.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad date {y}-{m}-{d}"))
}

/// Builds a calendar from TOML text, panicking on errors.
pub fn cal(text: &str) -> Calendar {
    Calendar::from_toml(text).unwrap_or_else(|e| panic!("bad calendar: {e}"))
}

/// An instant rendered in the calendar's zone as RFC 3339.
pub fn local(cal: &Calendar, at: Instant) -> String {
    cal.to_local(at).to_rfc3339()
}

/// Mon–Fri 09:00–18:00 in Tokyo with Japanese holidays.
pub fn tokyo_office() -> Calendar {
    cal(r#"
timezone = "Asia/Tokyo"
holidays = "jp"
[hours]
mon = ["09:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
thu = ["09:00-18:00"]
fri = ["09:00-18:00"]
"#)
}

/// The SLA policy used by the SLA tests. Calendars: `office` (Tokyo office
/// hours with Japanese holidays) and `24x7`.
pub fn policy() -> &'static onestop_domain::sla::SlaPolicy {
    static POLICY: std::sync::LazyLock<onestop_domain::sla::SlaPolicy> =
        std::sync::LazyLock::new(build_policy);
    &POLICY
}

fn build_policy() -> onestop_domain::sla::SlaPolicy {
    use onestop_domain::sla::{
        PauseOn, PendingReason, Priority::*, SlaPolicy, Status, Target, TargetKind::*,
    };
    let pending = PauseOn::all_pending();
    let customer = PauseOn::NONE.with(Status::Pending(PendingReason::WaitingCustomer));
    SlaPolicy::new()
        .with_calendar("office", tokyo_office())
        .with_calendar("24x7", Calendar::always())
        .with_target(Target::new(FirstResponse, Critical, 60, "24x7"))
        .with_target(Target::new(FirstResponse, High, 120, "office"))
        .with_target(Target::new(FirstResponse, Medium, 240, "office").paused_on(pending))
        .with_target(Target::new(FirstResponse, Low, 480, "office"))
        .with_target(Target::new(Resolution, Critical, 240, "24x7").paused_on(customer))
        .with_target(Target::new(Resolution, High, 480, "office").paused_on(pending))
        .with_target(Target::new(Resolution, Medium, 1440, "office").paused_on(pending))
        .with_target(Target::new(Resolution, Low, 2880, "office"))
        .with_target(Target::new(VendorEscalation, High, 240, "office").paused_on(customer))
        .with_target(
            Target::new(Resolution, Medium, 600, "office")
                .for_contract("gold")
                .paused_on(pending),
        )
        .with_target(Target::new(FirstResponse, Medium, 300, "office").for_contract("gold"))
}

/// Looks up a target's calendar in a policy.
pub trait CalendarFor {
    /// The calendar a target is measured in.
    fn calendar_for(&self, target: &onestop_domain::sla::Target) -> &Calendar;
}

impl CalendarFor for onestop_domain::sla::SlaPolicy {
    fn calendar_for(&self, target: &onestop_domain::sla::Target) -> &Calendar {
        use onestop_domain::sla::SlaResolver;
        self.calendar(&target.calendar).expect("known calendar")
    }
}
