//! The desk's scheduled work: SLA warnings and breaches at the instants the engine names,
//! escalation rules (warning, breach, unassigned for N minutes, critical priority), automatic
//! closing of resolved tickets, and in-app notifications. Every action is recorded once in
//! `desk_firings` under a key, so two server processes on one database never double one; a
//! lease in `leases` keeps the second from even trying while the first is alive.
use super::contracts::calendar_of;
use super::tickets::{append, finish, instant, load};
use super::{Ticket, staff_only};
use crate::notify::{Notice, emit};
use crate::util::{new_id, to_json};
use crate::{Result, Scope, Store, StoreError, WriteTx};
use onestop_domain::calendar::Calendar;
use onestop_domain::desk::{
    DeskEvent, Level, PriorityMatrix, SlaTable, parse_priority, priority_str,
};
use onestop_domain::model::ValidationError;
use onestop_domain::notify::Event;
use onestop_domain::sla::Status;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

pub const TRIGGERS: [&str; 4] = ["sla_warning", "sla_breach", "unassigned", "critical"];
pub const ACTIONS: [&str; 5] = [
    "notify_assignee",
    "notify_team",
    "notify_ase",
    "raise_priority",
    "reassign",
];

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct EscalationRule {
    pub id: String,
    pub name: String,
    /// sla_warning, sla_breach, unassigned, critical.
    pub trigger: String,
    /// For `unassigned`: minutes without an assignee.
    pub minutes: i64,
    /// notify_assignee, notify_team, notify_ase, raise_priority, reassign.
    pub action: String,
    /// For `reassign`: the new assignee.
    pub target_user_id: Option<String>,
    /// For `notify_team` (instead of the ticket's team) and `reassign`.
    pub target_team_id: Option<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationRuleInput {
    pub name: Option<String>,
    pub trigger: Option<String>,
    pub minutes: Option<i64>,
    pub action: Option<String>,
    pub target_user_id: Option<String>,
    pub target_team_id: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    pub id: String,
    pub ticket_id: Option<String>,
    pub kind: String,
    pub body: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// Desk-wide settings: automatic closing, the reopen window, and what a customer without a
/// contract gets (a calendar in the calendar TOML format, or 24x365; SLA budgets per priority).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DeskSettings {
    pub auto_close_days: u32,
    pub reopen_days: u32,
    pub default_calendar: Option<String>,
    #[schema(value_type = Object)]
    pub default_sla: SlaTable,
}

impl Default for DeskSettings {
    fn default() -> Self {
        DeskSettings {
            auto_close_days: 7,
            reopen_days: 14,
            default_calendar: None,
            default_sla: SlaTable::default(),
        }
    }
}

/// What one scheduler pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// False when another process holds the scheduler lease.
    pub leader: bool,
    pub warnings: usize,
    pub breaches: usize,
    pub escalations: usize,
    pub closed: usize,
    /// Contract renewal reminders sent.
    pub reminders: usize,
    /// Tickets whose SLA actions failed this pass (logged; the others went on).
    pub failed: usize,
}

impl TickReport {
    /// What one ticket's action gave; a failure (a ticket whose clocks cannot be computed, a
    /// damaged history) is logged and counted so that it does not hold up every other ticket.
    fn tally<T: Default>(&mut self, ticket: &str, r: Result<T>) -> T {
        r.unwrap_or_else(|e| {
            tracing::warn!(ticket, error = %e, "scheduled desk action on a ticket failed");
            self.failed += 1;
            T::default()
        })
    }
}

const LEASE: &str = "desk-scheduler";
const SETTINGS_KEY: &str = "desk.settings";

/// The desk settings (defaults when unset), read on a connection that may be inside a
/// transaction.
pub(crate) async fn desk_settings_on(conn: &mut sqlx::AnyConnection) -> Result<DeskSettings> {
    let v: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(SETTINGS_KEY)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    Ok(v.and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

fn rule_from_row(r: &sqlx::any::AnyRow) -> Result<EscalationRule> {
    Ok(EscalationRule {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        trigger: r.try_get("trigger_kind")?,
        minutes: r.try_get("minutes")?,
        action: r.try_get("action")?,
        target_user_id: r.try_get("target_user_id")?,
        target_team_id: r.try_get("target_team_id")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
    })
}

const RULE_COLS: &str =
    "id, name, trigger_kind, minutes, action, target_user_id, target_team_id, enabled";

impl EscalationRule {
    fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(ValidationError::new("name", "is required").into());
        }
        if !TRIGGERS.contains(&self.trigger.as_str()) {
            return Err(ValidationError::new(
                "trigger",
                format!("must be one of {}", TRIGGERS.join(", ")),
            )
            .into());
        }
        if !ACTIONS.contains(&self.action.as_str()) {
            return Err(ValidationError::new(
                "action",
                format!("must be one of {}", ACTIONS.join(", ")),
            )
            .into());
        }
        if !(0..=525_600).contains(&self.minutes) {
            return Err(ValidationError::new("minutes", "must be between 0 and 525600").into());
        }
        if self.action == "reassign"
            && self.target_user_id.is_none()
            && self.target_team_id.is_none()
        {
            return Err(
                ValidationError::new("target_user_id", "reassign needs a user or a team").into(),
            );
        }
        Ok(())
    }
}

/// Does the ticket's calendar have the desk open now? Reminders wait for opening hours unless
/// the ticket is critical.
async fn calendar_open(tx: &mut WriteTx, t: &Ticket, settings: &DeskSettings) -> Result<bool> {
    if t.priority == "critical" {
        return Ok(true);
    }
    let toml: Option<String> = match &t.contract_id {
        Some(c) => sqlx::query("SELECT calendar_toml FROM contracts WHERE id = $1")
            .bind(c)
            .fetch_optional(tx.conn())
            .await?
            .map(|r| r.try_get::<Option<String>, _>(0))
            .transpose()?
            .flatten(),
        None => settings.default_calendar.clone(),
    };
    // Validated on every write; a calendar that no longer parses counts as 24x365, as in the
    // clocks themselves.
    let cal = calendar_of(toml.as_deref()).unwrap_or_else(|_| Calendar::always());
    Ok(cal.is_open(instant(tx.now)))
}

/// Record `key` for the ticket; false when it was already recorded (by us or another process).
async fn fire_once(tx: &mut WriteTx, ticket_id: &str, key: &str) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO desk_firings (ticket_id, what, fired_at) VALUES ($1, $2, $3) ON CONFLICT (ticket_id, what) DO NOTHING",
    )
    .bind(ticket_id)
    .bind(key)
    .bind(tx.now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Tell the rule's users (and, after hours, whoever is on call) through the router.
async fn notify(tx: &mut WriteTx, users: &[String], t: &Ticket, body: &str) -> Result<usize> {
    emit(
        tx,
        Notice {
            event: Event::Escalated,
            ticket: Some(t),
            customer_id: &t.customer_id,
            text: body.to_string(),
            targets: Some(users.to_vec()),
        },
    )
    .await?;
    Ok(users.len())
}

async fn strings(tx: &mut WriteTx, sql: &str, arg: &str) -> Result<Vec<String>> {
    sqlx::query(sql)
        .bind(arg)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0).map_err(StoreError::from))
        .collect()
}

/// Carry out one rule's action on the ticket; returns a line for the timeline.
async fn act(tx: &mut WriteTx, rule: &EscalationRule, t: &mut Ticket, why: &str) -> Result<String> {
    let what = format!("{} {}: {}", t.number, t.title, why);
    let detail = match rule.action.as_str() {
        "notify_assignee" => {
            let users: Vec<String> = t.assignee_id.iter().cloned().collect();
            let n = notify(tx, &users, t, &what).await?;
            format!("notified the assignee ({n})")
        }
        "notify_team" => {
            let team = rule.target_team_id.clone().or_else(|| t.team_id.clone());
            let users = match team {
                Some(team) => {
                    strings(
                        tx,
                        "SELECT user_id FROM team_members WHERE team_id = $1 ORDER BY user_id",
                        &team,
                    )
                    .await?
                }
                None => vec![],
            };
            let n = notify(tx, &users, t, &what).await?;
            format!("notified the team ({n})")
        }
        "notify_ase" => {
            let users = strings(
                tx,
                "SELECT ase_id FROM customers WHERE id = $1 AND ase_id IS NOT NULL",
                &t.customer_id,
            )
            .await?;
            let n = notify(tx, &users, t, &what).await?;
            format!("notified the customer's ASE ({n})")
        }
        "raise_priority" => {
            let up = |l: &str| match l {
                "low" => "medium",
                "medium" => "high",
                _ => "critical",
            };
            // Urgency one step above the current priority lifts the priority one step.
            let from = t.urgency.clone();
            t.urgency = up(&t.priority).into();
            append(
                tx,
                t,
                &DeskEvent::FieldChanged {
                    field: "urgency".into(),
                    from: Some(from),
                    to: Some(t.urgency.clone()),
                },
            )
            .await?;
            let (impact, urgency): (Level, Level) = (
                t.impact.parse().map_err(|e: String| StoreError::Other(e))?,
                t.urgency
                    .parse()
                    .map_err(|e: String| StoreError::Other(e))?,
            );
            let p = PriorityMatrix::default().priority(impact, urgency);
            if priority_str(p) != t.priority {
                let old = parse_priority(&t.priority).unwrap_or(p);
                t.priority = priority_str(p).into();
                append(tx, t, &DeskEvent::PriorityChanged { from: old, to: p }).await?;
            }
            notify(tx, &[], t, &what).await?;
            format!("raised the priority to {}", t.priority)
        }
        "reassign" => {
            for (field, value) in [
                ("assignee_id", &rule.target_user_id),
                ("team_id", &rule.target_team_id),
            ] {
                if let Some(v) = value {
                    let from = if field == "assignee_id" {
                        t.assignee_id.replace(v.clone())
                    } else {
                        t.team_id.replace(v.clone())
                    };
                    append(
                        tx,
                        t,
                        &DeskEvent::FieldChanged {
                            field: field.into(),
                            from,
                            to: Some(v.clone()),
                        },
                    )
                    .await?;
                }
            }
            let mut users: Vec<String> = rule.target_user_id.iter().cloned().collect();
            if users.is_empty()
                && let Some(team) = &rule.target_team_id
            {
                users = strings(
                    tx,
                    "SELECT user_id FROM team_members WHERE team_id = $1 ORDER BY user_id",
                    team,
                )
                .await?;
            }
            notify(tx, &users, t, &what).await?;
            "reassigned".to_string()
        }
        other => {
            return Err(StoreError::Other(format!(
                "unknown escalation action {other}"
            )));
        }
    };
    append(
        tx,
        t,
        &DeskEvent::Escalated {
            rule: rule.name.clone(),
            action: rule.action.clone(),
            detail: detail.clone(),
        },
    )
    .await?;
    Ok(detail)
}

impl Store {
    pub async fn desk_settings(&self) -> Result<DeskSettings> {
        desk_settings_on(&mut *self.pool.acquire().await?).await
    }

    pub async fn set_desk_settings(&self, scope: &Scope, s: &DeskSettings) -> Result<()> {
        if let Some(c) = &s.default_calendar {
            Calendar::from_toml(c)
                .map_err(|e| ValidationError::new("default_calendar", e.to_string()))?;
        }
        if s.auto_close_days == 0 || s.auto_close_days > 365 {
            return Err(ValidationError::new("auto_close_days", "must be 1 to 365").into());
        }
        if s.reopen_days > 3650 {
            return Err(ValidationError::new("reopen_days", "must be at most 3650").into());
        }
        self.set_setting(scope, SETTINGS_KEY, &to_json(s)).await
    }

    pub async fn escalation_rules(&self, scope: &Scope) -> Result<Vec<EscalationRule>> {
        staff_only(scope)?;
        let rows = sqlx::query(&format!(
            "SELECT {RULE_COLS} FROM escalation_rules ORDER BY name, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rule_from_row).collect()
    }

    async fn escalation_rule(&self, id: &str) -> Result<EscalationRule> {
        let row = sqlx::query(&format!(
            "SELECT {RULE_COLS} FROM escalation_rules WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        rule_from_row(&row)
    }

    /// Create (`id` None) or change an escalation rule. Administrators only.
    pub async fn save_escalation_rule(
        &self,
        scope: &Scope,
        id: Option<&str>,
        i: EscalationRuleInput,
    ) -> Result<EscalationRule> {
        if !scope.is_admin() {
            return Err(StoreError::Forbidden(
                "only administrators change escalation rules".into(),
            ));
        }
        let before = match id {
            Some(id) => Some(self.escalation_rule(id).await?),
            None => None,
        };
        let base = before.clone().unwrap_or(EscalationRule {
            id: new_id(),
            name: String::new(),
            trigger: String::new(),
            minutes: 0,
            action: String::new(),
            target_user_id: None,
            target_team_id: None,
            enabled: true,
        });
        let opt = |v: Option<String>, old: Option<String>| match v {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(s.trim().to_string()),
            None => old,
        };
        let r = EscalationRule {
            name: i.name.map(|n| n.trim().to_string()).unwrap_or(base.name),
            trigger: i.trigger.unwrap_or(base.trigger),
            minutes: i.minutes.unwrap_or(base.minutes),
            action: i.action.unwrap_or(base.action),
            target_user_id: opt(i.target_user_id, base.target_user_id),
            target_team_id: opt(i.target_team_id, base.target_team_id),
            enabled: i.enabled.unwrap_or(base.enabled),
            id: base.id,
        };
        r.validate()?;
        let mut tx = self.write(scope).await?;
        let sql = if before.is_some() {
            "UPDATE escalation_rules SET name = $2, trigger_kind = $3, minutes = $4, action = $5, target_user_id = $6, target_team_id = $7, enabled = $8, updated_at = $9 WHERE id = $1"
        } else {
            "INSERT INTO escalation_rules (id, name, trigger_kind, minutes, action, target_user_id, target_team_id, enabled, updated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
        };
        sqlx::query(sql)
            .bind(&r.id)
            .bind(&r.name)
            .bind(&r.trigger)
            .bind(r.minutes)
            .bind(&r.action)
            .bind(&r.target_user_id)
            .bind(&r.target_team_id)
            .bind(i64::from(r.enabled))
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let json = |r: &EscalationRule| serde_json::to_value(r).unwrap_or_default();
        tx.audit(
            if before.is_some() {
                "escalation_rule.update"
            } else {
                "escalation_rule.create"
            },
            "escalation_rule",
            &r.id,
            None,
            before.as_ref().map(json).as_ref(),
            Some(&json(&r)),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// The signed-in user's notifications, newest first.
    pub async fn notifications(&self, scope: &Scope, limit: i64) -> Result<Vec<Notification>> {
        let Some(me) = scope.user_id() else {
            return Ok(vec![]);
        };
        let rows = sqlx::query("SELECT id, ticket_id, kind, body, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2")
            .bind(me)
            .bind(limit.clamp(1, 500))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Notification {
                    id: r.try_get(0)?,
                    ticket_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    body: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                    read_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    pub async fn unread_notifications(&self, scope: &Scope) -> Result<i64> {
        let Some(me) = scope.user_id() else {
            return Ok(0);
        };
        Ok(
            sqlx::query(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(me)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?,
        )
    }

    /// Mark the user's notifications read (all of them, or one).
    pub async fn mark_notifications_read(&self, scope: &Scope, id: Option<&str>) -> Result<()> {
        let Some(me) = scope.user_id() else {
            return Ok(());
        };
        let now = crate::util::now_ms();
        match id {
            Some(id) => sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL")
                .bind(now)
                .bind(me)
                .bind(id)
                .execute(&self.pool)
                .await?,
            None => sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(now)
                .bind(me)
                .execute(&self.pool)
                .await?,
        };
        Ok(())
    }

    /// Take or renew the scheduler lease for `holder` until `now + ttl`; false when another
    /// holder's lease is still valid.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        ttl_ms: i64,
    ) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leases.holder = excluded.holder OR leases.expires_at < $4",
        )
        .bind(name)
        .bind(holder)
        .bind(now + ttl_ms)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// One scheduler pass as of `now` (ms) by `holder`. Safe to run from several processes at
    /// once: each action is keyed, and the lease makes all but one skip the pass.
    pub async fn desk_tick(&self, holder: &str, now: i64) -> Result<TickReport> {
        let mut report = TickReport::default();
        if !self.take_lease(LEASE, holder, now, 60_000).await? {
            return Ok(report);
        }
        report.leader = true;
        let settings = self.desk_settings().await?;
        let rules: Vec<EscalationRule> = self
            .escalation_rules(&Scope::System)
            .await?
            .into_iter()
            .filter(|r| r.enabled)
            .collect();
        // SLA warnings and breaches due by now.
        let due: Vec<String> = sqlx::query("SELECT id FROM tickets WHERE sla_next IS NOT NULL AND sla_next <= $1 AND is_open = 1 ORDER BY sla_next LIMIT 500")
            .bind(now)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
        for id in due {
            // One ticket whose clocks cannot be computed (a damaged history) must not hold up
            // every other ticket's warnings: it is logged and counted, and the pass goes on.
            let (w, b, e) = report.tally(&id, self.fire_sla(&id, now, &rules, &settings).await);
            report.warnings += w;
            report.breaches += b;
            report.escalations += e;
        }
        // Rules on unassigned and critical tickets, once per (rule, ticket).
        for rule in rules
            .iter()
            .filter(|r| r.trigger == "unassigned" || r.trigger == "critical")
        {
            let key = format!("rule:{}", rule.id);
            let sql = if rule.trigger == "unassigned" {
                "SELECT id FROM tickets t WHERE is_open = 1 AND assignee_id IS NULL AND created_at <= $1 \
                 AND NOT EXISTS (SELECT 1 FROM desk_firings f WHERE f.ticket_id = t.id AND f.what = $2) LIMIT 200"
            } else {
                "SELECT id FROM tickets t WHERE is_open = 1 AND priority = 'critical' AND created_at <= $1 \
                 AND NOT EXISTS (SELECT 1 FROM desk_firings f WHERE f.ticket_id = t.id AND f.what = $2) LIMIT 200"
            };
            let cutoff = if rule.trigger == "unassigned" {
                now - rule.minutes * 60_000
            } else {
                now
            };
            let ids: Vec<String> = sqlx::query(sql)
                .bind(cutoff)
                .bind(&key)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
            for id in ids {
                let done = self.escalate(&id, now, rule, &key, &settings).await;
                report.escalations += report.tally(&id, done);
            }
        }
        // Contract renewal reminders to the customer's ASE and CSE, once per contract term.
        let today = instant(now).date_naive();
        for r in self
            .contracts_due_for_renewal(&Scope::System, today)
            .await?
        {
            let mut tx = self.write_at(&Scope::System, now).await?;
            let key = format!("renewal:{}:{}", r.contract_id, r.ends_on);
            let done = sqlx::query(
                "INSERT INTO desk_jobs_done (job, done_at) VALUES ($1, $2) ON CONFLICT (job) DO NOTHING",
            )
            .bind(&key)
            .bind(now)
            .execute(tx.conn())
            .await?;
            if done.rows_affected() != 1 {
                continue;
            }
            let row = sqlx::query("SELECT name FROM customers WHERE id = $1")
                .bind(&r.customer_id)
                .fetch_one(tx.conn())
                .await?;
            let customer: String = row.try_get(0)?;
            let body = format!(
                "{customer}: contract {} ends on {} ({} days) — renewal",
                r.name, r.ends_on, r.days_left
            );
            emit(
                &mut tx,
                Notice {
                    event: Event::RenewalReminder,
                    ticket: None,
                    customer_id: &r.customer_id,
                    text: body,
                    targets: None,
                },
            )
            .await?;
            tx.audit(
                "contract.renewal_reminder",
                "contract",
                &r.contract_id,
                Some(&r.customer_id),
                None,
                Some(&serde_json::json!({"ends_on": r.ends_on, "days_left": r.days_left})),
            )
            .await?;
            tx.commit().await?;
            report.reminders += 1;
        }
        // Resolved tickets close by themselves.
        let cutoff = now - i64::from(settings.auto_close_days) * 86_400_000;
        let ids: Vec<String> = sqlx::query(
            "SELECT id FROM tickets WHERE status = 'resolved' AND resolved_at <= $1 LIMIT 500",
        )
        .bind(cutoff)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
        for id in ids {
            let done = self.auto_close(&id, now, &settings).await;
            report.closed += report.tally(&id, done);
        }
        Ok(report)
    }

    /// Apply an escalation rule (unassigned, critical) to one ticket, once; 1 when it acted.
    async fn escalate(
        &self,
        id: &str,
        now: i64,
        rule: &EscalationRule,
        key: &str,
        settings: &DeskSettings,
    ) -> Result<usize> {
        let mut tx = self.write_at(&Scope::System, now).await?;
        let before = load(tx.conn(), &Scope::System, id).await?;
        if !calendar_open(&mut tx, &before, settings).await? || !fire_once(&mut tx, id, key).await?
        {
            return Ok(0);
        }
        let mut t = before.clone();
        let why = if rule.trigger == "critical" {
            "critical priority".to_string()
        } else {
            format!("unassigned for {} minutes", rule.minutes)
        };
        act(&mut tx, rule, &mut t, &why).await?;
        t.updated_at = tx.now;
        finish(&mut tx, &mut t, "ticket.escalate", &before).await?;
        tx.commit().await?;
        Ok(1)
    }

    /// Close one resolved ticket whose confirmation time is over; 1 when it closed it.
    async fn auto_close(&self, id: &str, now: i64, settings: &DeskSettings) -> Result<usize> {
        let mut tx = self.write_at(&Scope::System, now).await?;
        let before = load(tx.conn(), &Scope::System, id).await?;
        if before.status != "resolved" {
            return Ok(0);
        }
        let mut t = before.clone();
        t.set_status(Status::Closed);
        t.closed_at = Some(tx.now);
        t.updated_at = tx.now;
        append(
            &mut tx,
            &t,
            &DeskEvent::StatusChanged {
                from: "resolved".into(),
                to: "closed".into(),
                note: Some(format!(
                    "closed automatically {} days after resolution",
                    settings.auto_close_days
                )),
            },
        )
        .await?;
        finish(&mut tx, &mut t, "ticket.auto_close", &before).await?;
        tx.commit().await?;
        Ok(1)
    }

    /// Act on the ticket's SLA warnings and breaches due by `now`.
    async fn fire_sla(
        &self,
        id: &str,
        now: i64,
        rules: &[EscalationRule],
        settings: &DeskSettings,
    ) -> Result<(usize, usize, usize)> {
        let (mut w, mut b, mut e) = (0, 0, 0);
        let mut tx = self.write_at(&Scope::System, now).await?;
        let before = load(tx.conn(), &Scope::System, id).await?;
        let mut t = before.clone();
        t.sla = super::tickets::sla_at(tx.conn(), &t, now).await?;
        if !calendar_open(&mut tx, &t, settings).await? {
            // Outside the calendar's hours: look again in a while, not every pass.
            return Ok((0, 0, 0));
        }
        let mut acted = false;
        let actions = t.sla.actions();
        for a in &actions {
            if a.at.timestamp_millis() > now {
                continue;
            }
            // A warning whose clock has breached as well is only recorded, not announced.
            let breached_too = !a.breach
                && actions
                    .iter()
                    .any(|b| b.breach && b.clock == a.clock && b.at.timestamp_millis() <= now);
            if !fire_once(&mut tx, id, &a.key).await? || breached_too {
                continue;
            }
            acted = true;
            let clock = a.clock.to_string();
            let (event, trigger) = if a.breach {
                b += 1;
                (
                    DeskEvent::SlaBreached {
                        clock: clock.clone(),
                    },
                    "sla_breach",
                )
            } else {
                w += 1;
                (
                    DeskEvent::SlaWarning {
                        clock: clock.clone(),
                    },
                    "sla_warning",
                )
            };
            append(&mut tx, &t, &event).await?;
            let (ev, what) = if a.breach {
                (Event::SlaBreached, "SLA breached")
            } else {
                (Event::SlaWarning, "SLA warning")
            };
            emit(
                &mut tx,
                Notice {
                    event: ev,
                    ticket: Some(&t),
                    customer_id: &t.customer_id,
                    text: format!(
                        "{} {}: {} {what}",
                        t.number,
                        t.title,
                        clock.replace('_', " ")
                    ),
                    targets: None,
                },
            )
            .await?;
            let why = format!(
                "{} {}",
                clock.replace('_', " "),
                if a.breach {
                    "SLA breached"
                } else {
                    "SLA warning"
                }
            );
            for rule in rules.iter().filter(|r| r.trigger == trigger) {
                act(&mut tx, rule, &mut t, &why).await?;
                e += 1;
            }
        }
        if acted {
            t.updated_at = tx.now;
        }
        // Recomputes the clocks and the next instant to look at, with what was just recorded.
        finish(&mut tx, &mut t, "ticket.sla", &before).await?;
        tx.commit().await?;
        Ok((w, b, e))
    }
}
