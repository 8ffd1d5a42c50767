//! Checking a rule's spec: every kind's fields, every problem named by field.
use super::RuleSpec;
use onestop_domain::model::ValidationError;

/// The signals a `threshold` or `rate` rule can watch.
pub const SIGNALS: [&str; 6] = [
    "cpu_used_percent",
    "memory_used_percent",
    "swap_used_percent",
    "disk_used_percent",
    "load_per_cpu",
    "metric",
];

/// The rule kinds.
pub const KINDS: [&str; 4] = ["threshold", "rate", "forecast", "absent"];

fn bad(field: &str, msg: &str) -> Result<(), ValidationError> {
    Err(ValidationError::new(field, msg))
}

fn check_signal(s: &RuleSpec) -> Result<(), ValidationError> {
    if !SIGNALS.contains(&s.signal.as_str()) {
        return bad(
            "spec.signal",
            &format!("must be one of {}", SIGNALS.join(", ")),
        );
    }
    if s.signal == "metric" && s.metric.as_deref().is_none_or(|m| m.trim().is_empty()) {
        return bad("spec.metric", "is required for signal metric");
    }
    if let Some(a) = &s.agg {
        a.parse::<onestop_tsdb::Agg>()
            .map_err(|m| ValidationError::new("spec.agg", m))?;
    }
    if !matches!(s.op.as_deref(), None | Some(">") | Some("<") | Some("==")) {
        return bad("spec.op", "must be >, < or ==");
    }
    if !s.threshold.is_finite() || s.recover.is_some_and(|r| !r.is_finite()) {
        return bad("spec.threshold", "must be a number");
    }
    if s.last_n.is_some_and(|n| !(1..=100).contains(&n)) {
        return bad("spec.last_n", "must be between 1 and 100");
    }
    if !matches!(s.transform.as_deref(), None | Some("days_until")) {
        return bad("spec.transform", "must be days_until");
    }
    if s.guard_metric.is_some() && s.guard_value.is_none_or(|v| !v.is_finite()) {
        return bad("spec.guard_value", "is required with guard_metric");
    }
    Ok(())
}

fn check_level(field: &str, v: &Option<String>, allowed: &[&str]) -> Result<(), ValidationError> {
    match v.as_deref() {
        Some(x) if !allowed.contains(&x) => {
            bad(field, &format!("must be one of {}", allowed.join(", ")))
        }
        _ => Ok(()),
    }
}

/// Check a rule's spec.
pub fn validate_spec(s: &RuleSpec) -> Result<(), ValidationError> {
    match s.kind.as_str() {
        "absent" => {}
        "threshold" => check_signal(s)?,
        "rate" => {
            check_signal(s)?;
            if !matches!(s.per.as_deref(), None | Some("second" | "minute" | "hour")) {
                return bad("spec.per", "must be second, minute or hour");
            }
        }
        "forecast" => {
            if s.horizon_hours
                .is_none_or(|h| !(h > 0.0 && h <= 24.0 * 365.0))
            {
                return bad("spec.horizon_hours", "must be between 0 and 8760 hours");
            }
        }
        _ => return bad("spec.kind", &format!("must be one of {}", KINDS.join(", "))),
    }
    if !(0..=30 * 86_400).contains(&s.for_secs) {
        return bad("spec.for_secs", "must be between 0 and 30 days");
    }
    let max_window = if s.kind == "forecast" {
        30 * 86_400
    } else {
        86_400
    };
    if s.window_secs
        .is_some_and(|w| !(10..=max_window).contains(&w))
    {
        return bad(
            "spec.window_secs",
            "must be between 10 s and 1 day (30 days for a forecast)",
        );
    }
    check_level(
        "spec.impact",
        &s.impact,
        &["critical", "high", "medium", "low"],
    )?;
    check_level(
        "spec.urgency",
        &s.urgency,
        &["critical", "high", "medium", "low"],
    )?;
    if s.flap_window_secs
        .is_some_and(|w| !(60..=86_400).contains(&w))
    {
        return bad("spec.flap_window_secs", "must be between 60 s and 1 day");
    }
    if s.flap_limit.is_some_and(|n| !(2..=1000).contains(&n)) {
        return bad("spec.flap_limit", "must be between 2 and 1000");
    }
    Ok(())
}

/// Impact and urgency of an incident: the rule's own, else from its severity (critical →
/// critical/high, warning → medium/medium, info → low/low).
pub fn impact_urgency_of(severity: &str, spec: &RuleSpec) -> (String, String) {
    let (i, u) = super::alerts::impact_urgency(severity);
    (
        spec.impact.clone().unwrap_or_else(|| i.into()),
        spec.urgency.clone().unwrap_or_else(|| u.into()),
    )
}
