//! The log diagnosis report: per host or customer and period, error and warning counts by
//! template with examples, new and rare templates, spikes against the baseline of the
//! periods before, top talkers, and what they may mean. A finding can open a ticket.
use crate::error::{ApiError, ApiResult};
use onestop_logs::RuleSet;
use onestop_logs::novelty::{Baseline, Finding, NoveltyConfig, assess};
use onestop_store::logs::search::{LogScope, parse_time};
use onestop_store::logs::{LogMessage, Talker, parse_template_id, severity_name};
use onestop_store::{Scope, Store, TicketInput};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};

/// Which logs and which period. Times are RFC 3339, `YYYY-MM-DD` or milliseconds.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Asset id of the host.
    pub host: Option<String>,
    pub customer: Option<String>,
    /// Default: 24 hours before `to`.
    pub from: Option<String>,
    /// Default: now.
    pub to: Option<String>,
    /// Periods of the same length before `from` that form the baseline (default 7, 1-60).
    pub periods: Option<i64>,
}

/// Messages of one template at warning or worse.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemTemplate {
    pub id: String,
    pub customer_id: Option<String>,
    pub template: String,
    pub count: i64,
    pub severity: String,
    pub rules: Vec<String>,
    pub meaning: String,
    pub examples: Vec<LogMessage>,
}

/// A template that is new, rare or spiking in the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoveltyItem {
    /// `new`, `rare` or `spike`.
    pub kind: String,
    pub id: String,
    pub customer_id: Option<String>,
    pub template: String,
    pub count: i64,
    pub severity: String,
    /// Mean count per baseline period.
    pub baseline_mean: f64,
    pub meaning: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LogReport {
    pub host: Option<String>,
    pub customer: Option<String>,
    pub from: i64,
    pub to: i64,
    pub periods: i64,
    pub total: i64,
    /// Messages per diagnosed severity.
    pub by_severity: BTreeMap<String, i64>,
    pub problems: Vec<ProblemTemplate>,
    pub new_templates: Vec<NoveltyItem>,
    pub rare_templates: Vec<NoveltyItem>,
    pub spikes: Vec<NoveltyItem>,
    pub top_talkers: Vec<Talker>,
}

/// A finding to turn into a ticket: the template (and its period) on a host or customer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingTicket {
    pub host: Option<String>,
    pub customer: Option<String>,
    /// `E<n>`.
    pub template: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Ticket impact and urgency (default medium).
    pub impact: Option<String>,
    pub urgency: Option<String>,
}

fn period(q_from: Option<&str>, q_to: Option<&str>) -> ApiResult<(i64, i64)> {
    let to = match q_to.filter(|s| !s.trim().is_empty()) {
        Some(t) => parse_time("to", t)?,
        None => onestop_store::now_ms(),
    };
    let from = match q_from.filter(|s| !s.trim().is_empty()) {
        Some(f) => parse_time("from", f)?,
        None => to - 86_400_000,
    };
    if from >= to {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "from: must be before to",
        ));
    }
    Ok((from, to))
}

fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn scope_of(q: &ReportQuery) -> LogScope<'_> {
    LogScope {
        host: some(&q.host),
        customer: some(&q.customer),
        ..LogScope::default()
    }
}

fn meaning_of(rules: &RuleSet, ids: &[String], severity: &str) -> String {
    let found: Vec<&str> = ids
        .iter()
        .filter_map(|id| rules.rules().iter().find(|r| &r.id == id))
        .map(|r| r.meaning.as_str())
        .collect();
    match found.first() {
        Some(m) => (*m).to_string(),
        None => format!(
            "Reported at {severity} by the sender; no diagnosis rule knows this message. Look at the examples and what changed on the host."
        ),
    }
}

/// Build the report.
pub async fn build(
    store: &Store,
    rules: &RuleSet,
    scope: &Scope,
    q: &ReportQuery,
) -> ApiResult<LogReport> {
    let (from, to) = period(q.from.as_deref(), q.to.as_deref())?;
    let periods = q.periods.unwrap_or(7).clamp(1, 60);
    let ls = scope_of(q);
    let data = store
        .log_report_data(scope, &ls, (from, to), periods)
        .await?;
    let window = LogScope {
        from: None,
        to: None,
        ..ls.clone()
    };
    let from_s = from.to_string();
    let to_s = to.to_string();
    let in_period = LogScope {
        from: Some(&from_s),
        to: Some(&to_s),
        ..window
    };
    let mut problems = Vec::new();
    for t in data
        .templates
        .iter()
        .filter(|t| onestop_store::logs::parse_severity(&t.worst_severity).is_some_and(|s| s <= 4))
        .take(20)
    {
        let n = parse_template_id(&t.id).unwrap_or(0);
        let examples = store
            .log_examples(scope, &in_period, t.customer_id.as_deref(), n, 3)
            .await?;
        let mut rule_ids: Vec<String> = examples.iter().flat_map(|e| e.rules.clone()).collect();
        rule_ids.sort();
        rule_ids.dedup();
        problems.push(ProblemTemplate {
            id: t.id.clone(),
            customer_id: t.customer_id.clone(),
            template: t.template.clone(),
            count: t.count,
            severity: t.worst_severity.clone(),
            meaning: meaning_of(rules, &rule_ids, &t.worst_severity),
            rules: rule_ids,
            examples,
        });
    }
    problems.sort_by(|a, b| {
        let sa = onestop_store::logs::parse_severity(&a.severity);
        let sb = onestop_store::logs::parse_severity(&b.severity);
        sa.cmp(&sb).then(b.count.cmp(&a.count))
    });
    // Novelty against the baseline periods, keyed by (customer, template number).
    type Key = (String, i64);
    let key = |c: &Option<String>, n: i64| (c.clone().unwrap_or_default(), n);
    let mut past: Vec<HashMap<Key, u64>> = vec![HashMap::new(); periods as usize];
    for (c, n, p, count) in &data.baseline {
        if let Some(slot) = usize::try_from(*p).ok().and_then(|p| past.get_mut(p)) {
            *slot.entry(key(c, *n)).or_default() += *count as u64;
        }
    }
    let baseline = Baseline::from_periods(&past);
    let mut current: HashMap<Key, u64> = HashMap::new();
    let mut info = HashMap::new();
    for t in &data.templates {
        let n = parse_template_id(&t.id).unwrap_or(0);
        current.insert(key(&t.customer_id, n), t.count as u64);
        info.insert(key(&t.customer_id, n), t);
    }
    let (mut new_templates, mut rare_templates, mut spikes) = (vec![], vec![], vec![]);
    for f in assess(&current, &baseline, &NoveltyConfig::default()) {
        let (kind, k, count, mean) = match f {
            Finding::New { key, count } => ("new", key, count, 0.0),
            Finding::Rare {
                key,
                count,
                baseline_total,
            } => ("rare", key, count, baseline_total as f64 / periods as f64),
            Finding::Spike {
                key,
                count,
                baseline_mean,
            } => ("spike", key, count, baseline_mean),
        };
        let Some(t) = info.get(&k) else { continue };
        let meaning = match kind {
            "new" => format!(
                "Not seen in the {periods} periods before: a change, a new failure or a first occurrence. Check whether it was expected."
            ),
            "rare" => "Seen only a few times before: an unusual event worth a look.".to_string(),
            _ => format!(
                "{count} messages against about {mean:.1} per period before: something changed in volume (a failure repeating, an attack, a load change)."
            ),
        };
        let item = NoveltyItem {
            kind: kind.into(),
            id: t.id.clone(),
            customer_id: t.customer_id.clone(),
            template: t.template.clone(),
            count: count as i64,
            severity: t.worst_severity.clone(),
            baseline_mean: mean,
            meaning,
        };
        match kind {
            "new" => new_templates.push(item),
            "rare" => rare_templates.push(item),
            _ => spikes.push(item),
        }
    }
    spikes.sort_by_key(|s| std::cmp::Reverse(s.count));
    let by_severity = data
        .by_severity
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| (severity_name(i as i64).to_string(), *n))
        .collect();
    Ok(LogReport {
        host: ls.host.map(str::to_string),
        customer: ls.customer.map(str::to_string),
        from,
        to,
        periods,
        total: data.total,
        by_severity,
        problems,
        new_templates,
        rare_templates,
        spikes,
        top_talkers: data.talkers,
    })
}

/// Open an incident for a finding: the template, its meaning and the latest examples.
pub async fn open_ticket(
    store: &Store,
    rules: &RuleSet,
    scope: &Scope,
    f: FindingTicket,
) -> ApiResult<onestop_store::Ticket> {
    let n = parse_template_id(&f.template).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "template: must be a template id like E12",
        )
    })?;
    let q = ReportQuery {
        host: f.host.clone(),
        customer: f.customer.clone(),
        from: f.from.clone(),
        to: f.to.clone(),
        periods: None,
    };
    let (from, to) = period(q.from.as_deref(), q.to.as_deref())?;
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let ls = LogScope {
        from: Some(&from_s),
        to: Some(&to_s),
        ..scope_of(&q)
    };
    let customer = match (&ls.customer, &ls.host) {
        (Some(c), _) => Some(c.to_string()),
        (None, Some(h)) => Some(store.get_asset(scope, h).await?.customer_id),
        (None, None) => scope.customer().map(str::to_string),
    };
    let Some(customer) = customer else {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "customer: a ticket needs a host or a customer",
        ));
    };
    let examples = store
        .log_examples(scope, &ls, Some(&customer), n, 5)
        .await?;
    let Some(first) = examples.first() else {
        return Err(ApiError::not_found());
    };
    let mut rule_ids: Vec<String> = examples.iter().flat_map(|e| e.rules.clone()).collect();
    rule_ids.sort();
    rule_ids.dedup();
    let meaning = meaning_of(rules, &rule_ids, &first.severity);
    let host_name = match &ls.host {
        Some(h) => store.get_asset(scope, h).await?.name,
        None => first
            .hostname
            .clone()
            .unwrap_or_else(|| first.source.clone()),
    };
    let mut description = format!(
        "Log diagnosis finding: template {} ({}) on {host_name}.\n\n{meaning}\n\nLatest messages:\n",
        f.template.trim(),
        first.severity
    );
    for e in &examples {
        let when = chrono::DateTime::from_timestamp_millis(e.at).unwrap_or_default();
        description.push_str(&format!(
            "- {} {} {}: {}\n",
            when.format("%Y-%m-%d %H:%M:%S UTC"),
            e.hostname.as_deref().unwrap_or(&e.source),
            e.program.as_deref().unwrap_or("-"),
            e.message
        ));
    }
    // A jump back to the logs around the finding (ten minutes either side of the examples).
    let around = |ms: i64| ms.to_string();
    let last = examples.last().map_or(first.at, |e| e.at);
    let filter = match &ls.host {
        Some(h) => format!("host={h}"),
        None => format!("customer={}", first.customer_id.as_deref().unwrap_or("")),
    };
    description.push_str(&format!(
        "\nLogs around it: /logs?{filter}&from={}&to={}\n",
        around(last - 600_000),
        around(first.at + 600_000)
    ));
    let title: String = format!("Logs: {} on {host_name}", first.message)
        .chars()
        .take(120)
        .collect();
    let input = TicketInput {
        customer_id: Some(customer),
        title: Some(title),
        description: Some(description),
        impact: f.impact,
        urgency: f.urgency,
        channel: Some("monitoring".into()),
        assets: ls.host.map(|h| vec![h.to_string()]),
        ..TicketInput::default()
    };
    Ok(store.create_ticket(scope, input).await?)
}
