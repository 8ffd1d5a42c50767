//! The annual plan: RRULE expansion inside the contract's term and the year, and the shift
//! rules on a calendar with Japanese holidays.
use crate::support::{date, tokyo_office};
use onestop_domain::plan::{PlannedDate, ServicePlan, Shift, Term, generate, shift_date};

fn service(code: &str, rrule: &str, shift: Shift) -> ServicePlan {
    ServicePlan {
        service: code.into(),
        rrule: rrule.into(),
        shift,
        owner_role: "cse".into(),
        assets: vec!["a1".into()],
    }
}

fn dates(plan: &[PlannedDate]) -> Vec<String> {
    plan.iter().map(|p| p.date.to_string()).collect()
}

const YEAR_2026: Term = Term {
    starts_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    ends_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
};

#[test]
fn monthly_dates_move_off_weekends_and_holidays() {
    let cal = tokyo_office();
    let plan = generate(
        &[service("log_diagnosis", "FREQ=MONTHLY", Shift::Next)],
        &cal,
        YEAR_2026,
        2026,
    )
    .unwrap();
    // 1 Jan is New Year's Day (Thu): the 2nd. Feb 1, Mar 1 and Nov 1 are Sundays, Aug 1 a
    // Saturday: the Monday after.
    assert_eq!(
        dates(&plan),
        [
            "2026-01-02",
            "2026-02-02",
            "2026-03-02",
            "2026-04-01",
            "2026-05-01",
            "2026-06-01",
            "2026-07-01",
            "2026-08-03",
            "2026-09-01",
            "2026-10-01",
            "2026-11-02",
            "2026-12-01"
        ]
    );
    assert_eq!(plan[0].occurrence, date(2026, 1, 1));
    assert!(
        plan.iter()
            .all(|p| p.owner_role == "cse" && p.assets == ["a1"])
    );
}

#[test]
fn golden_week_shifts_both_ways_and_none_keeps_the_date() {
    let cal = tokyo_office();
    // 3 May 2026 is a Sunday and Constitution Day; 4, 5 and 6 May are holidays too.
    let d = date(2026, 5, 3);
    assert_eq!(shift_date(&cal, d, Shift::Next), date(2026, 5, 7));
    assert_eq!(shift_date(&cal, d, Shift::Previous), date(2026, 5, 1));
    assert_eq!(shift_date(&cal, d, Shift::None), d);
    let plan = generate(
        &[
            service(
                "technical_review",
                "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=3",
                Shift::Previous,
            ),
            service(
                "system_analysis",
                "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=3",
                Shift::None,
            ),
        ],
        &cal,
        YEAR_2026,
        2026,
    )
    .unwrap();
    assert_eq!(dates(&plan), ["2026-05-01", "2026-05-03"]);
    // Autumn: 21-23 Sep 2026 are holidays (Respect for the Aged, the bridge day, the equinox).
    assert_eq!(
        shift_date(&cal, date(2026, 9, 21), Shift::Next),
        date(2026, 9, 24)
    );
}

#[test]
fn the_term_bounds_the_year_and_rules_anchor_at_its_start() {
    let cal = tokyo_office();
    let term = Term {
        starts_on: date(2026, 4, 1),
        ends_on: date(2027, 3, 31),
    };
    let s = [service(
        "periodic_inspection",
        "FREQ=MONTHLY;INTERVAL=6",
        Shift::Next,
    )];
    assert_eq!(
        dates(&generate(&s, &cal, term, 2026).unwrap()),
        ["2026-04-01", "2026-10-01"]
    );
    assert!(generate(&s, &cal, term, 2027).unwrap().is_empty());
    assert!(generate(&s, &cal, term, 2025).unwrap().is_empty());
    // A service without a rule is not planned; a bad rule names its service.
    assert!(
        generate(&[service("reception", "", Shift::Next)], &cal, term, 2026)
            .unwrap()
            .is_empty()
    );
    let e = generate(
        &[service("x", "FREQ=SOMETIMES", Shift::Next)],
        &cal,
        term,
        2026,
    )
    .unwrap_err();
    assert_eq!(e.service, "x");
}
