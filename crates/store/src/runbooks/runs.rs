//! Runbook runs inside a ticket: starting a run pins one version (the agreed one unless
//! another is asked for); each step's start and end (result, notes) is stored and appended
//! to the ticket's timeline as a desk event, in the same audited transaction.
use super::{RunStep, RunbookRun, RunbookStep, StepInput, invalid, load as load_runbook, opt};
use crate::desk::staff_only;
use crate::desk::tickets::{append, load as load_ticket, touch};
use crate::scope::Filter;
use crate::{Result, Scope, Store, StoreError, WriteTx, new_id};
use onestop_domain::desk::DeskEvent;
use sqlx::{AnyConnection, Row};

const RUN_COLS: &str = "x.id, x.runbook_id, v.title, x.version, x.ticket_id, x.customer_id, x.status, x.started_by, x.started_at, x.finished_at, v.steps_json";
const RUN_FROM: &str = "runbook_runs x JOIN runbook_versions v ON v.runbook_id = x.runbook_id AND v.version = x.version";

async fn load_run(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<RunbookRun> {
    let mut f = Filter::scoped(scope, "x.customer_id");
    f.eq("x.id", id);
    let row = f
        .query(&format!("SELECT {RUN_COLS} FROM {RUN_FROM}{}", f.sql))
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let steps: Vec<RunbookStep> =
        serde_json::from_str(&row.try_get::<String, _>(10)?).unwrap_or_default();
    let mut run = RunbookRun {
        id: row.try_get(0)?,
        runbook_id: row.try_get(1)?,
        title: row.try_get(2)?,
        version: row.try_get(3)?,
        ticket_id: row.try_get(4)?,
        customer_id: row.try_get(5)?,
        status: row.try_get(6)?,
        started_by: row.try_get(7)?,
        started_at: row.try_get(8)?,
        finished_at: row.try_get(9)?,
        steps: steps
            .into_iter()
            .enumerate()
            .map(|(i, s)| RunStep {
                step_no: i as i64 + 1,
                text: s.text,
                expected: s.expected,
                command: s.command,
                started_at: None,
                ended_at: None,
                result: None,
                notes: String::new(),
                actor: None,
            })
            .collect(),
    };
    let rows = sqlx::query("SELECT step_no, started_at, ended_at, result, notes, actor FROM runbook_run_steps WHERE run_id = $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    for r in rows {
        let n: i64 = r.try_get(0)?;
        if let Some(s) = run.steps.get_mut((n - 1) as usize) {
            s.started_at = r.try_get(1)?;
            s.ended_at = r.try_get(2)?;
            s.result = r.try_get(3)?;
            s.notes = r.try_get(4)?;
            s.actor = r.try_get(5)?;
        }
    }
    Ok(run)
}

async fn audit_run(
    tx: &mut WriteTx,
    action: &str,
    before: Option<&RunbookRun>,
    after: &RunbookRun,
) -> Result<()> {
    let (id, customer) = (&after.id, Some(after.customer_id.as_str()));
    tx.audit_change(action, "runbook_run", id, customer, before, Some(after))
        .await
}

impl Store {
    /// Start running a runbook inside a ticket of the same customer (staff only). `version`
    /// defaults to the agreed version, else the newest.
    pub async fn start_runbook_run(
        &self,
        scope: &Scope,
        ticket_id: &str,
        runbook_id: &str,
        version: Option<i64>,
    ) -> Result<RunbookRun> {
        staff_only(scope)?;
        let mut tx = self.write(scope).await?;
        let mut t = load_ticket(tx.conn(), scope, ticket_id).await?;
        let rb = load_runbook(tx.conn(), scope, runbook_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => invalid("runbook_id", "no such runbook"),
                e => e,
            })?;
        if rb.customer_id != t.customer_id {
            return Err(invalid(
                "runbook_id",
                "belongs to another customer than the ticket",
            ));
        }
        let version = version.or(rb.agreed_version).unwrap_or(rb.current_version);
        if version < 1 || version > rb.current_version {
            return Err(invalid(
                "version",
                format!("must be 1 to {}", rb.current_version),
            ));
        }
        let id = new_id();
        sqlx::query("INSERT INTO runbook_runs (id, runbook_id, version, ticket_id, customer_id, status, started_by, started_at) VALUES ($1, $2, $3, $4, $5, 'running', $6, $7)")
            .bind(&id)
            .bind(&rb.id)
            .bind(version)
            .bind(&t.id)
            .bind(&t.customer_id)
            .bind(scope.actor())
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let run = load_run(tx.conn(), scope, &id).await?;
        append(
            &mut tx,
            &t,
            &DeskEvent::RunbookStarted {
                run: id.clone(),
                runbook: rb.id.clone(),
                title: run.title.clone(),
                version,
            },
        )
        .await?;
        touch(&mut tx, &mut t).await?;
        audit_run(&mut tx, "runbook_run.start", None, &run).await?;
        tx.commit().await?;
        Ok(run)
    }

    /// Start or end one step (1-based) of a running run (staff only). Ending a step that was
    /// not started starts it at the same instant; a step is ended once.
    pub async fn runbook_step(
        &self,
        scope: &Scope,
        run_id: &str,
        step_no: i64,
        input: StepInput,
    ) -> Result<RunbookRun> {
        staff_only(scope)?;
        let notes = opt(input.notes).unwrap_or_default();
        if notes.len() > 8000 {
            return Err(invalid("notes", "is at most 8000 bytes"));
        }
        let mut tx = self.write(scope).await?;
        let before = load_run(tx.conn(), scope, run_id).await?;
        if before.status != "running" {
            return Err(StoreError::Conflict(format!(
                "the run is {}",
                before.status
            )));
        }
        let Some(step) = before
            .steps
            .get((step_no.max(1) - 1) as usize)
            .filter(|_| step_no >= 1)
        else {
            return Err(invalid(
                "step",
                format!("must be 1 to {}", before.steps.len()),
            ));
        };
        let now = tx.now;
        let actor = scope.actor();
        let (event, started, ended, result) = match input.action.as_str() {
            "start" => {
                if step.started_at.is_some() {
                    return Err(StoreError::Conflict("the step was already started".into()));
                }
                (
                    DeskEvent::RunbookStep {
                        run: run_id.into(),
                        step: step_no,
                        phase: "started".into(),
                        result: None,
                        notes: opt(Some(notes.clone())),
                    },
                    Some(now),
                    None,
                    None,
                )
            }
            "end" => {
                if step.ended_at.is_some() {
                    return Err(StoreError::Conflict("the step was already ended".into()));
                }
                let result = match input.result.as_deref() {
                    Some(r @ ("ok" | "failed" | "skipped")) => r.to_string(),
                    _ => return Err(invalid("result", "must be ok, failed or skipped")),
                };
                let ev = DeskEvent::RunbookStep {
                    run: run_id.into(),
                    step: step_no,
                    phase: "ended".into(),
                    result: Some(result.clone()),
                    notes: opt(Some(notes.clone())),
                };
                (
                    ev,
                    Some(step.started_at.unwrap_or(now)),
                    Some(now),
                    Some(result),
                )
            }
            _ => return Err(invalid("action", "must be start or end")),
        };
        let merged_notes = match (step.notes.as_str(), notes.as_str()) {
            ("", n) => n.to_string(),
            (o, "") => o.to_string(),
            (o, n) => format!("{o}\n{n}"),
        };
        sqlx::query("DELETE FROM runbook_run_steps WHERE run_id = $1 AND step_no = $2")
            .bind(run_id)
            .bind(step_no)
            .execute(tx.conn())
            .await?;
        sqlx::query("INSERT INTO runbook_run_steps (run_id, step_no, started_at, ended_at, result, notes, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(run_id)
            .bind(step_no)
            .bind(started)
            .bind(ended)
            .bind(result)
            .bind(merged_notes)
            .bind(&actor)
            .execute(tx.conn())
            .await?;
        let mut t = load_ticket(tx.conn(), scope, &before.ticket_id).await?;
        append(&mut tx, &t, &event).await?;
        touch(&mut tx, &mut t).await?;
        let after = load_run(tx.conn(), scope, run_id).await?;
        audit_run(&mut tx, "runbook_run.step", Some(&before), &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// End a run as `done` or `abandoned` (staff only).
    pub async fn finish_runbook_run(
        &self,
        scope: &Scope,
        run_id: &str,
        status: &str,
    ) -> Result<RunbookRun> {
        staff_only(scope)?;
        if status != "done" && status != "abandoned" {
            return Err(invalid("status", "must be done or abandoned"));
        }
        let mut tx = self.write(scope).await?;
        let before = load_run(tx.conn(), scope, run_id).await?;
        if before.status != "running" {
            return Err(StoreError::Conflict(format!(
                "the run is {}",
                before.status
            )));
        }
        sqlx::query("UPDATE runbook_runs SET status = $1, finished_at = $2 WHERE id = $3")
            .bind(status)
            .bind(tx.now)
            .bind(run_id)
            .execute(tx.conn())
            .await?;
        let mut t = load_ticket(tx.conn(), scope, &before.ticket_id).await?;
        append(
            &mut tx,
            &t,
            &DeskEvent::RunbookFinished {
                run: run_id.into(),
                status: status.into(),
            },
        )
        .await?;
        touch(&mut tx, &mut t).await?;
        let after = load_run(tx.conn(), scope, run_id).await?;
        audit_run(&mut tx, "runbook_run.finish", Some(&before), &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One run the scope may see.
    pub async fn get_runbook_run(&self, scope: &Scope, run_id: &str) -> Result<RunbookRun> {
        let mut c = self.pool.acquire().await?;
        load_run(&mut c, scope, run_id).await
    }

    /// The runs of a ticket, oldest first.
    pub async fn ticket_runbook_runs(
        &self,
        scope: &Scope,
        ticket_id: &str,
    ) -> Result<Vec<RunbookRun>> {
        let mut c = self.pool.acquire().await?;
        load_ticket(&mut c, scope, ticket_id).await?;
        let ids: Vec<String> =
            sqlx::query("SELECT id FROM runbook_runs WHERE ticket_id = $1 ORDER BY started_at, id")
                .bind(ticket_id)
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::new();
        for id in ids {
            out.push(load_run(&mut c, scope, &id).await?);
        }
        Ok(out)
    }

    /// Runbooks that fit a ticket: those of its assets, and the runbook of the alert rule
    /// that opened it; then the customer's others. Each once, fitting ones first.
    pub async fn runbooks_for_ticket(
        &self,
        scope: &Scope,
        ticket_id: &str,
    ) -> Result<Vec<(super::Runbook, bool)>> {
        let t = {
            let mut c = self.pool.acquire().await?;
            load_ticket(&mut c, scope, ticket_id).await?
        };
        let fitting: Vec<String> = sqlx::query(
            "SELECT r.id FROM runbooks r JOIN ticket_assets ta ON ta.asset_id = r.asset_id WHERE ta.ticket_id = $1 \
             UNION SELECT ar.runbook_id FROM alerts a JOIN alert_rules ar ON ar.id = a.rule_id WHERE a.ticket_id = $1 AND ar.runbook_id IS NOT NULL",
        )
        .bind(ticket_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
        let mut all: Vec<(super::Runbook, bool)> = self
            .list_runbooks(scope, Some(&t.customer_id), None)
            .await?
            .into_iter()
            .map(|r| {
                let fits = fitting.contains(&r.id);
                (r, fits)
            })
            .collect();
        all.sort_by_key(|(_, fits)| !fits);
        Ok(all)
    }
}
