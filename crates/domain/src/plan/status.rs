//! Plan against actual: an activity's status as seen on a given day.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What became of a planned activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    /// Not yet turned into a work order.
    Planned,
    /// A work order exists and is not finished.
    WorkOrder,
    /// Done (on or before its date).
    Done,
    /// Its date has passed and it is not done, or it was done after its date.
    Late,
    /// Skipped, with a reason.
    Skipped,
}

impl ActivityStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Planned => "planned",
            ActivityStatus::WorkOrder => "work_order",
            ActivityStatus::Done => "done",
            ActivityStatus::Late => "late",
            ActivityStatus::Skipped => "skipped",
        }
    }
}

/// The status shown on `today` of an activity dated `date` whose stored state is `stored`
/// (`planned`, `work_order`, `done` or `skipped`), done on `done_on` if done.
pub fn status_on(
    stored: &str,
    date: NaiveDate,
    done_on: Option<NaiveDate>,
    today: NaiveDate,
) -> ActivityStatus {
    match stored {
        "skipped" => ActivityStatus::Skipped,
        "done" if done_on.is_some_and(|d| d > date) => ActivityStatus::Late,
        "done" => ActivityStatus::Done,
        _ if date < today => ActivityStatus::Late,
        "work_order" => ActivityStatus::WorkOrder,
        _ => ActivityStatus::Planned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_is_judged_against_today() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let date = d("2026-04-10");
        assert_eq!(
            status_on("planned", date, None, d("2026-04-10")),
            ActivityStatus::Planned
        );
        assert_eq!(
            status_on("work_order", date, None, d("2026-04-11")),
            ActivityStatus::Late
        );
        assert_eq!(
            status_on("done", date, Some(d("2026-04-09")), d("2026-05-01")),
            ActivityStatus::Done
        );
        assert_eq!(
            status_on("done", date, Some(d("2026-04-12")), d("2026-05-01")),
            ActivityStatus::Late
        );
        assert_eq!(
            status_on("skipped", date, None, d("2026-05-01")),
            ActivityStatus::Skipped
        );
    }
}
