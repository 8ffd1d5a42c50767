//! One evaluation of a rule for a host, applied: the state machine (ok → pending → firing →
//! resolved; `silenced` in maintenance; `suppressed` while a parent's host-down alert fires),
//! flapping (too many state changes in the rule's window hold incident work until calm), and
//! the incident — all written in ONE transaction with the alert row and its audit entry.
use super::incident::{AlertHost, Firing, fire_in, note_suppressed, recover_in};
use super::{AlertRule, AlertTransition};
use crate::{Result, Scope, Store, new_id};
use sqlx::Row;

#[derive(Debug, Clone, Default)]
struct Current {
    id: String,
    state: String,
    pending_since: Option<i64>,
    ticket_id: Option<String>,
    firings: i64,
    flips: Vec<i64>,
    flapping: bool,
    suppressed_by: Option<String>,
}

fn shown(c: &Current) -> String {
    if c.flapping {
        "flapping".into()
    } else {
        c.state.clone()
    }
}

fn parse_flips(s: &str) -> Vec<i64> {
    s.split(',').filter_map(|x| x.parse().ok()).collect()
}

fn join_flips(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

impl Store {
    async fn current_alert(&self, rule_id: &str, host_id: &str) -> Result<Current> {
        let r = sqlx::query(
            "SELECT id, state, pending_since, ticket_id, firings, flips, flapping, suppressed_by FROM alerts \
             WHERE rule_id = $1 AND host_id = $2",
        )
        .bind(rule_id)
        .bind(host_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match r {
            None => Current {
                id: new_id(),
                state: "ok".into(),
                ..Default::default()
            },
            Some(r) => Current {
                id: r.try_get(0)?,
                state: r.try_get(1)?,
                pending_since: r.try_get(2)?,
                ticket_id: r.try_get(3)?,
                firings: r.try_get(4)?,
                flips: parse_flips(&r.try_get::<String, _>(5)?),
                flapping: r.try_get::<i64, _>(6)? != 0,
                suppressed_by: r.try_get(7)?,
            },
        })
    }

    /// The host-down alert of a parent (an asset this host runs on, depends on or connects
    /// through) that is down now, and the incident at the root of its chain.
    async fn suppressor(
        &self,
        host_id: &str,
        rule_id: &str,
    ) -> Result<Option<(String, Option<String>)>> {
        let row = sqlx::query(
            "SELECT al.id, al.ticket_id, al.suppressed_by FROM asset_relations r \
             JOIN alerts al ON al.host_id = r.to_asset JOIN alert_rules ru ON ru.id = al.rule_id \
             WHERE r.from_asset = $1 AND r.kind IN ('runs_on', 'depends_on', 'connected_to') \
             AND ru.spec LIKE '%\"kind\":\"absent\"%' AND al.state IN ('firing', 'silenced', 'suppressed') \
             AND NOT (al.host_id = $2 AND al.rule_id = $3) ORDER BY al.fired_at LIMIT 1",
        )
        .bind(host_id)
        .bind(host_id)
        .bind(rule_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let id: String = r.try_get(0)?;
        let (mut ticket, mut up): (Option<String>, Option<String>) = (r.try_get(1)?, r.try_get(2)?);
        // Follow a suppressed parent to the incident at the root (a few levels at most).
        for _ in 0..5 {
            let Some(p) = up.take() else { break };
            if let Some(r) =
                sqlx::query("SELECT ticket_id, suppressed_by FROM alerts WHERE id = $1")
                    .bind(&p)
                    .fetch_optional(&self.pool)
                    .await?
            {
                ticket = r.try_get(0)?;
                up = r.try_get(1)?;
            }
        }
        Ok(Some((id, ticket)))
    }

    /// Apply one evaluation of `rule` for a host at `now`; returns the state shown.
    pub async fn apply_alert(
        &self,
        rule: &AlertRule,
        host_id: &str,
        host_name: &str,
        customer_id: &str,
        what: AlertTransition,
        now: i64,
    ) -> Result<String> {
        let h = AlertHost {
            host_id: host_id.into(),
            host_name: host_name.into(),
            customer_id: customer_id.into(),
        };
        self.apply_alert_on(rule, &h, what, "", now).await
    }

    /// [`Store::apply_alert`] with the measured series (JSON: `metric` and `labels`, or the
    /// signal), which the incident's chart is drawn from.
    pub async fn apply_alert_on(
        &self,
        rule: &AlertRule,
        h: &AlertHost,
        what: AlertTransition,
        measured: &str,
        now: i64,
    ) -> Result<String> {
        let cur = self.current_alert(&rule.id, &h.host_id).await?;
        let (breached, value) = match &what {
            AlertTransition::Hold => return Ok(shown(&cur)),
            AlertTransition::Breached(v) => (true, v.clone()),
            AlertTransition::Clear(v) => (false, v.clone()),
        };
        let silenced = self.in_maintenance(&h.customer_id, &h.host_id, now).await?;
        let parent = match silenced || !breached {
            true => None,
            false => self.suppressor(&h.host_id, &rule.id).await?,
        };
        let state = cur.state.as_str();
        let (next, pending) = if breached {
            let since = match state {
                "pending" | "silenced" | "firing" | "suppressed" => {
                    cur.pending_since.unwrap_or(now)
                }
                _ => now,
            };
            let due = now - since >= rule.spec.for_secs * 1000;
            let next = match (state, due) {
                ("firing", _) => "firing",
                (_, false) => "pending",
                _ if silenced => "silenced",
                _ if parent.is_some() => "suppressed",
                _ => "firing",
            };
            (next, Some(since))
        } else {
            (
                if matches!(state, "firing" | "resolved") {
                    "resolved"
                } else {
                    "ok"
                },
                None,
            )
        };
        let fired = next == "firing" && state != "firing";
        let recovered = state == "firing" && next == "resolved";
        let window = rule.spec.flap_window_secs.unwrap_or(3600) * 1000;
        let limit = rule.spec.flap_limit.unwrap_or(6);
        let mut flips: Vec<i64> = cur
            .flips
            .iter()
            .copied()
            .filter(|t| *t > now - window)
            .collect();
        if fired || recovered {
            flips.push(now);
        }
        let n = flips.len() as i64;
        let flapping = if cur.flapping {
            n > limit / 2
        } else {
            n > limit
        };
        let released = cur.flapping && !flapping;
        let suppressed_by = (next == "suppressed")
            .then(|| parent.as_ref().map(|p| p.0.clone()))
            .flatten();
        if next == state
            && pending == cur.pending_since
            && flapping == cur.flapping
            && flips == cur.flips
            && suppressed_by == cur.suppressed_by
        {
            // Only the value changes: telemetry, not a transition.
            sqlx::query("UPDATE alerts SET value = $1, measured = $2 WHERE id = $3")
                .bind(&value)
                .bind(measured)
                .bind(&cur.id)
                .execute(&self.pool)
                .await?;
            return Ok(shown(&cur));
        }
        let mut tx = self.write(&Scope::System).await?;
        let mut ticket = cur.ticket_id.clone();
        let firing = Firing {
            alert_id: &cur.id,
            value: &value,
            measured,
        };
        if !flapping && (fired || (released && next == "firing")) {
            ticket =
                Some(fire_in(self, &mut tx, rule, h, &firing, cur.ticket_id.as_deref()).await?);
        }
        if !flapping
            && (recovered || (released && next != "firing"))
            && let Some(t) = &cur.ticket_id
        {
            recover_in(&mut tx, rule, t, &value).await?;
        }
        if next == "suppressed"
            && state != "suppressed"
            && let Some((_, Some(pt))) = &parent
        {
            note_suppressed(&mut tx, pt, rule, h, &value).await?;
        }
        let now_tx = tx.now;
        sqlx::query(
            "INSERT INTO alerts (id, rule_id, host_id, customer_id, state, value, pending_since, fired_at, resolved_at, updated_at, firings, ticket_id, flips, flapping, suppressed_by, measured) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (rule_id, host_id) DO UPDATE SET \
             state = excluded.state, value = excluded.value, pending_since = excluded.pending_since, \
             fired_at = COALESCE(excluded.fired_at, alerts.fired_at), resolved_at = excluded.resolved_at, \
             updated_at = excluded.updated_at, firings = excluded.firings, ticket_id = excluded.ticket_id, \
             flips = excluded.flips, flapping = excluded.flapping, suppressed_by = excluded.suppressed_by, measured = excluded.measured",
        )
        .bind(&cur.id)
        .bind(&rule.id)
        .bind(&h.host_id)
        .bind(&h.customer_id)
        .bind(next)
        .bind(&value)
        .bind(pending)
        .bind(fired.then_some(now_tx))
        .bind((next == "resolved").then_some(now_tx))
        .bind(now_tx)
        .bind(cur.firings + i64::from(fired))
        .bind(&ticket)
        .bind(join_flips(&flips))
        .bind(i64::from(flapping))
        .bind(&suppressed_by)
        .bind(measured)
        .execute(tx.conn())
        .await?;
        let shown_state = if flapping { "flapping" } else { next };
        tx.audit(
            &format!("alert.{shown_state}"),
            "alert",
            &cur.id,
            Some(&h.customer_id),
            Some(&serde_json::json!({"state": state, "flapping": cur.flapping})),
            Some(&serde_json::json!({"state": next, "flapping": flapping, "rule": rule.name, "host": h.host_name,
                "value": value, "ticket_id": ticket, "suppressed_by": suppressed_by})),
        )
        .await?;
        tx.commit().await?;
        Ok(shown_state.into())
    }
}
