//! A contract's SLA terms and the clocks they give a ticket.
use crate::calendar::{Calendar, Instant};
use crate::sla::{
    ClockState, PauseOn, PendingReason, Priority, SlaError, SlaPolicy, Status, Target, TargetKind,
    TicketEvent, compute_clocks,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Budgets in business minutes for one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaTerms {
    pub first_response: u32,
    pub resolution: u32,
    /// Budget for a vendor's answer to an escalation; `None` takes the provider default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<u32>,
}

/// Budgets per priority, as stored on a contract; priorities left out take the provider's
/// default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SlaTable(pub BTreeMap<Priority, SlaTerms>);

impl SlaTable {
    /// The provider's default: critical 30/240, high 60/480, medium 240/1440, low 480/2880;
    /// a vendor's answer within 120, 240, 480 and 960 minutes.
    pub fn provider_default() -> SlaTable {
        let t = |first_response, resolution, vendor| SlaTerms {
            first_response,
            resolution,
            vendor: Some(vendor),
        };
        SlaTable(BTreeMap::from([
            (Priority::Critical, t(30, 240, 120)),
            (Priority::High, t(60, 480, 240)),
            (Priority::Medium, t(240, 1440, 480)),
            (Priority::Low, t(480, 2880, 960)),
        ]))
    }

    /// The vendor-escalation budget for `p`: this table's, else the provider default's.
    pub fn vendor_minutes(&self, p: Priority) -> u32 {
        self.0
            .get(&p)
            .and_then(|t| t.vendor)
            .or_else(|| Self::provider_default().0[&p].vendor)
            .unwrap_or(480)
    }

    /// The terms for `p`: this table's, else the provider default's.
    pub fn terms(&self, p: Priority) -> SlaTerms {
        self.0
            .get(&p)
            .copied()
            .unwrap_or_else(|| Self::provider_default().0[&p])
    }

    /// A message naming the first budget that is zero.
    pub fn check(&self) -> Result<(), String> {
        for (p, t) in &self.0 {
            if t.first_response == 0 || t.resolution == 0 || t.vendor == Some(0) {
                return Err(format!(
                    "{}: budgets must be at least one minute",
                    super::priority_str(*p)
                ));
            }
        }
        Ok(())
    }
}

const CALENDAR: &str = "contract";

/// The SLA policy of one ticket: `table`'s budgets in `calendar`; resolution pauses while the
/// ticket waits for the customer. The vendor clock (raised → answered) never pauses.
pub fn policy_for(table: &SlaTable, calendar: Calendar) -> SlaPolicy {
    let mut policy = SlaPolicy::new().with_calendar(CALENDAR, calendar);
    let waiting = PauseOn::NONE.with(Status::Pending(PendingReason::WaitingCustomer));
    for p in [
        Priority::Critical,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ] {
        let terms = table.terms(p);
        policy = policy
            .with_target(Target::new(
                TargetKind::FirstResponse,
                p,
                terms.first_response,
                CALENDAR,
            ))
            .with_target(
                Target::new(TargetKind::Resolution, p, terms.resolution, CALENDAR)
                    .paused_on(waiting),
            )
            .with_target(Target::new(
                TargetKind::VendorEscalation,
                p,
                table.vendor_minutes(p),
                CALENDAR,
            ));
    }
    policy
}

/// One clock as shown to people: its due instant (while running or once breached) and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockView {
    pub due: Option<Instant>,
    /// `running`, `paused`, `met` or `breached`.
    pub state: String,
    pub used_minutes: u64,
    pub budget_minutes: u64,
    pub stopped_at: Option<Instant>,
    /// When the warning share of the budget is or was reached, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_at: Option<Instant>,
    /// True once the warning share is used.
    #[serde(default)]
    pub warning: bool,
}

/// A warning or breach a scheduler must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaAction {
    pub key: String,
    pub clock: &'static str,
    /// A breach, or else a warning.
    pub breach: bool,
    pub at: Instant,
}

/// A ticket's first-response and resolution clocks, and the vendor clock while the ticket
/// has (had) a vendor escalation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaSummary {
    pub first_response: Option<ClockView>,
    pub resolution: Option<ClockView>,
    /// The next instant at which a running clock reaches its warning or its breach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_action: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<ClockView>,
}

impl SlaSummary {
    /// The clocks that exist, with their names.
    pub fn clocks(&self) -> Vec<(&'static str, &ClockView)> {
        [
            ("first_response", &self.first_response),
            ("resolution", &self.resolution),
            ("vendor", &self.vendor),
        ]
        .into_iter()
        .filter_map(|(n, c)| c.as_ref().map(|c| (n, c)))
        .collect()
    }

    /// The earliest due instant of a clock still running or already breached (a queue of what
    /// is breaching soon lists those first).
    pub fn earliest_due(&self) -> Option<Instant> {
        self.clocks()
            .into_iter()
            .filter(|(_, c)| c.state == "running" || c.state == "breached")
            .filter_map(|(_, c)| c.due)
            .min()
    }

    /// The warnings and breaches these clocks call for, each with a key that names it once per
    /// ticket (`warning:<clock>`, `breach:<clock>`) and the instant it is due.
    pub fn actions(&self) -> Vec<SlaAction> {
        let mut out = vec![];
        for (name, c) in self.clocks() {
            if c.state != "running" && c.state != "breached" {
                continue;
            }
            let Some(due) = c.due else { continue };
            if let Some(w) = c.warning_at {
                out.push(SlaAction {
                    key: format!("warning:{name}"),
                    clock: name,
                    breach: false,
                    at: w,
                });
            }
            out.push(SlaAction {
                key: format!("breach:{name}"),
                clock: name,
                breach: true,
                at: due,
            });
        }
        out
    }

    /// The worst state of all clocks, for badges and queues: `breached`, `warning`, `running`,
    /// `paused`, `met`, or empty when there is no clock.
    pub fn worst(&self) -> &'static str {
        let mut worst = "";
        let rank = |s: &str| match s {
            "breached" => 5,
            "warning" => 4,
            "running" => 3,
            "paused" => 2,
            "met" => 1,
            _ => 0,
        };
        for (_, c) in self.clocks() {
            let s = match c.state.as_str() {
                "breached" => "breached",
                "running" if c.warning => "warning",
                "running" => "running",
                "paused" => "paused",
                "met" => "met",
                _ => "",
            };
            if rank(s) > rank(worst) {
                worst = s;
            }
        }
        worst
    }
}

fn state_str(s: ClockState) -> &'static str {
    match s {
        ClockState::Running => "running",
        ClockState::Paused => "paused",
        ClockState::Met => "met",
        ClockState::Breached => "breached",
    }
}

/// Replays `history` under `policy` as of `now`.
pub fn compute_summary(
    history: &[TicketEvent],
    policy: &SlaPolicy,
    now: Instant,
) -> Result<SlaSummary, SlaError> {
    let report = compute_clocks(history, policy, now)?;
    let view = |kind| {
        report.clock(kind).map(|c| ClockView {
            due: c.due,
            state: state_str(c.state).into(),
            used_minutes: c.used_minutes(),
            budget_minutes: c.budget_seconds / 60,
            stopped_at: c.stopped_at,
            warning_at: c.warning_at,
            warning: c.warning,
        })
    };
    Ok(SlaSummary {
        first_response: view(TargetKind::FirstResponse),
        resolution: view(TargetKind::Resolution),
        next_action: report.next_action,
        vendor: view(TargetKind::VendorEscalation),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::EventKind;

    fn at(mins: i64) -> Instant {
        chrono::DateTime::from_timestamp(1_800_000_000 + mins * 60, 0).unwrap()
    }

    fn opened(p: Priority) -> TicketEvent {
        TicketEvent::new(
            at(0),
            EventKind::Opened {
                priority: p,
                contract: None,
            },
        )
    }

    #[test]
    fn provider_default_budgets_run_around_the_clock() {
        let policy = policy_for(&SlaTable::default(), Calendar::always());
        let s = compute_summary(&[opened(Priority::Critical)], &policy, at(10)).unwrap();
        let fr = s.first_response.unwrap();
        assert_eq!((fr.state.as_str(), fr.due), ("running", Some(at(30))));
        assert_eq!(s.resolution.unwrap().due, Some(at(240)));
        let s = compute_summary(&[opened(Priority::Low)], &policy, at(10)).unwrap();
        assert_eq!(s.resolution.unwrap().due, Some(at(2880)));
    }

    #[test]
    fn waiting_for_the_customer_pauses_resolution_only() {
        let policy = policy_for(&SlaTable::default(), Calendar::always());
        let wc = Status::Pending(PendingReason::WaitingCustomer);
        let mut h = vec![
            opened(Priority::High),
            TicketEvent::new(at(10), EventKind::StatusChanged(wc)),
        ];
        let s = compute_summary(&h, &policy, at(1000)).unwrap();
        assert_eq!(s.resolution.as_ref().unwrap().state, "paused");
        assert_eq!(s.resolution.unwrap().used_minutes, 10);
        // First response is not paused: 60 minutes ran out long ago.
        assert_eq!(s.first_response.unwrap().state, "breached");
        h.push(TicketEvent::new(
            at(1000),
            EventKind::StatusChanged(Status::InProgress),
        ));
        let s = compute_summary(&h, &policy, at(1000)).unwrap();
        let r = s.resolution.unwrap();
        assert_eq!(r.state, "running");
        // 480 minutes budget, 10 used before the pause: due 470 minutes after the resume.
        assert_eq!(r.due, Some(at(1470)));
        h.push(TicketEvent::new(
            at(1100),
            EventKind::StatusChanged(Status::Resolved),
        ));
        assert_eq!(
            compute_summary(&h, &policy, at(2000))
                .unwrap()
                .resolution
                .unwrap()
                .state,
            "met"
        );
    }

    #[test]
    fn contract_terms_override_per_priority() {
        let mut table = SlaTable::default();
        table.0.insert(
            Priority::High,
            SlaTerms {
                first_response: 15,
                resolution: 120,
                vendor: None,
            },
        );
        assert_eq!(table.terms(Priority::High).first_response, 15);
        assert_eq!(table.terms(Priority::Low).first_response, 480);
        let json = serde_json::to_string(&table).unwrap();
        assert_eq!(json, r#"{"high":{"first_response":15,"resolution":120}}"#);
        assert_eq!(serde_json::from_str::<SlaTable>(&json).unwrap(), table);
        table.0.insert(
            Priority::Low,
            SlaTerms {
                first_response: 0,
                resolution: 1,
                vendor: None,
            },
        );
        assert!(table.check().unwrap_err().starts_with("low"));
    }

    #[test]
    fn the_vendor_clock_runs_from_raise_to_answer() {
        let mut table = SlaTable::default();
        table.0.insert(
            Priority::High,
            SlaTerms {
                first_response: 60,
                resolution: 480,
                vendor: Some(90),
            },
        );
        assert_eq!(table.vendor_minutes(Priority::High), 90);
        assert_eq!(table.vendor_minutes(Priority::Low), 960);
        let policy = policy_for(&table, Calendar::always());
        let mut h = vec![opened(Priority::High)];
        assert_eq!(compute_summary(&h, &policy, at(5)).unwrap().vendor, None);
        h.push(TicketEvent::new(at(10), EventKind::VendorEscalated));
        let v = compute_summary(&h, &policy, at(20))
            .unwrap()
            .vendor
            .unwrap();
        assert_eq!((v.state.as_str(), v.due), ("running", Some(at(100))));
        h.push(TicketEvent::new(at(70), EventKind::VendorAnswered));
        let v = compute_summary(&h, &policy, at(200))
            .unwrap()
            .vendor
            .unwrap();
        assert_eq!((v.state.as_str(), v.used_minutes), ("met", 60));
        let json = serde_json::to_string(&table).unwrap();
        assert!(json.contains(r#""vendor":90"#), "{json}");
        table.0.get_mut(&Priority::High).unwrap().vendor = Some(0);
        assert!(table.check().is_err());
    }
}
