//! The alert rule form: a rule as form fields and back (every kind's fields, labels as
//! `k=v, k=v`), so the editor never shows raw JSON.
use super::alerting::{Pairs, field};
use onestop_domain::model::ValidationError;
use onestop_store::{AlertRule, AlertRuleInput, RuleSpec, StoreError};
use std::collections::BTreeMap;

fn num<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The form's fields for a rule (empty for a new one).
pub fn rule_form_fields(r: Option<&AlertRule>) -> BTreeMap<&'static str, String> {
    let default = AlertRule {
        id: String::new(),
        name: String::new(),
        customer_id: None,
        severity: "warning".into(),
        enabled: true,
        builtin: false,
        spec: RuleSpec {
            kind: "threshold".into(),
            signal: "metric".into(),
            ..Default::default()
        },
        created_at: 0,
        updated_at: 0,
        runbook_id: None,
    };
    let r = r.unwrap_or(&default);
    let s = &r.spec;
    let labels = s
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    BTreeMap::from([
        ("name", r.name.clone()),
        ("customer_id", r.customer_id.clone().unwrap_or_default()),
        ("severity", r.severity.clone()),
        (
            "enabled",
            if r.enabled { "1".into() } else { String::new() },
        ),
        ("kind", s.kind.clone()),
        ("signal", s.signal.clone()),
        ("metric", s.metric.clone().unwrap_or_default()),
        ("labels", labels),
        ("agg", s.agg.clone().unwrap_or_default()),
        ("op", s.op.clone().unwrap_or_else(|| ">".into())),
        (
            "threshold",
            if r.id.is_empty() {
                String::new()
            } else {
                s.threshold.to_string()
            },
        ),
        ("recover", num(s.recover)),
        ("for_secs", s.for_secs.to_string()),
        ("window_secs", num(s.window_secs)),
        ("per", s.per.clone().unwrap_or_default()),
        ("horizon_hours", num(s.horizon_hours)),
        ("last_n", num(s.last_n)),
        ("transform", s.transform.clone().unwrap_or_default()),
        ("guard_metric", s.guard_metric.clone().unwrap_or_default()),
        ("guard_value", num(s.guard_value)),
        ("impact", s.impact.clone().unwrap_or_default()),
        ("urgency", s.urgency.clone().unwrap_or_default()),
        ("flap_window_secs", num(s.flap_window_secs)),
        ("flap_limit", num(s.flap_limit)),
        (
            "resolve",
            if s.resolve.unwrap_or(true) {
                "1".into()
            } else {
                String::new()
            },
        ),
    ])
}

fn parsed<T: std::str::FromStr>(f: &Pairs, k: &str) -> Result<Option<T>, StoreError> {
    match field(f, k) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            StoreError::Invalid(ValidationError::new(
                &format!("spec.{k}"),
                "must be a number",
            ))
        }),
    }
}

/// A rule from the submitted form; the store validates the rest.
pub fn input_from(f: &Pairs) -> Result<AlertRuleInput, StoreError> {
    let text = |k: &str| field(f, k).map(str::to_string);
    let mut labels = BTreeMap::new();
    for part in field(f, "labels")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (k, v) = part.split_once('=').ok_or_else(|| {
            StoreError::Invalid(ValidationError::new("spec.labels", "expected k=v, k=v"))
        })?;
        labels.insert(k.trim().to_string(), v.trim().to_string());
    }
    let spec = RuleSpec {
        kind: text("kind").unwrap_or_default(),
        signal: text("signal").unwrap_or_default(),
        metric: text("metric"),
        labels,
        agg: text("agg"),
        op: text("op"),
        threshold: parsed(f, "threshold")?.unwrap_or(0.0),
        recover: parsed(f, "recover")?,
        for_secs: parsed(f, "for_secs")?.unwrap_or(0),
        window_secs: parsed(f, "window_secs")?,
        resolve: Some(field(f, "resolve").is_some()),
        per: text("per"),
        horizon_hours: parsed(f, "horizon_hours")?,
        last_n: parsed(f, "last_n")?,
        transform: text("transform"),
        guard_metric: text("guard_metric"),
        guard_value: parsed(f, "guard_value")?,
        impact: text("impact"),
        urgency: text("urgency"),
        flap_window_secs: parsed(f, "flap_window_secs")?,
        flap_limit: parsed(f, "flap_limit")?,
    };
    Ok(AlertRuleInput {
        name: text("name").unwrap_or_default(),
        customer_id: text("customer_id"),
        severity: text("severity"),
        enabled: Some(field(f, "enabled").is_some()),
        spec,
    })
}
