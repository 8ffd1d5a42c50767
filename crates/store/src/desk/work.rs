//! Work records on a ticket: time entries, links between tickets, vendor escalations and
//! on-site dispatches. Each change is one write transaction: the record, an event on the
//! ticket's timeline (and its clocks recomputed), and an audit entry.
use super::tickets::{append, load, touch};
use super::{
    Dispatch, DispatchInput, DispatchPatch, LinkInput, Part, Ticket, TicketLink, TimeEntry,
    TimeEntryInput, VendorAnswer, VendorAnswerInput, VendorCase, VendorCaseInput, VendorCasePatch,
    staff_only,
};
use crate::scope::Filter;
use crate::util::{from_json, new_id, to_json};
use crate::{Result, Scope, Store, StoreError, WriteTx};
use onestop_domain::desk::DeskEvent;
use onestop_domain::model::{ValidationError, valid_name};
use sqlx::{AnyConnection, Row, any::AnyRow};

fn invalid(field: &str, msg: impl Into<String>) -> StoreError {
    ValidationError::new(field, msg).into()
}

fn opt(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn user_id_of(scope: &Scope) -> Option<String> {
    match scope {
        Scope::Staff { user_id, .. } | Scope::Customer { user_id, .. } => Some(user_id.clone()),
        Scope::System => None,
    }
}

async fn audit_record<T: serde::Serialize>(
    tx: &mut WriteTx,
    action: &str,
    entity: &str,
    id: &str,
    customer_id: &str,
    before: Option<&T>,
    after: &T,
) -> Result<()> {
    tx.audit_change(action, entity, id, Some(customer_id), before, Some(after))
        .await
}

/// A staff user's (id, username, role); `None` when there is no such enabled staff user.
async fn staff_user(conn: &mut AnyConnection, id: &str) -> Result<Option<(String, String)>> {
    let row = sqlx::query(
        "SELECT username, role FROM users WHERE id = $1 AND role <> 'customer' AND disabled = 0",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

// ---- time entries ----

const TIME_COLS: &str =
    "id, ticket_id, customer_id, user_id, username, minutes, worked_at, note, billable, created_at";

fn time_from_row(r: &AnyRow) -> Result<TimeEntry> {
    Ok(TimeEntry {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        customer_id: r.try_get("customer_id")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        minutes: r.try_get("minutes")?,
        worked_at: r.try_get("worked_at")?,
        note: r.try_get("note")?,
        billable: r.try_get::<i64, _>("billable")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

// ---- links ----

/// (from, to, kind) of a link given from `this` ticket's side.
fn normalise<'a>(
    relation: &str,
    this: &'a str,
    other: &'a str,
) -> Result<(&'a str, &'a str, &'static str)> {
    Ok(match relation {
        "problem" => (this, other, "problem"),
        "incident" => (other, this, "problem"),
        "duplicate_of" => (this, other, "duplicate_of"),
        "duplicated_by" => (other, this, "duplicate_of"),
        "parent" => (this, other, "child_of"),
        "child" => (other, this, "child_of"),
        _ => {
            return Err(invalid(
                "relation",
                "must be problem, incident, duplicate_of, duplicated_by, parent or child",
            ));
        }
    })
}

/// How a stored link reads from one of its ends.
fn relation_from(kind: &str, from_side: bool) -> &'static str {
    match (kind, from_side) {
        ("problem", true) => "problem",
        ("problem", false) => "incident",
        ("duplicate_of", true) => "duplicate_of",
        ("duplicate_of", false) => "duplicated_by",
        ("child_of", true) => "parent",
        _ => "child",
    }
}

// ---- vendor cases ----

const CASE_COLS: &str = "id, ticket_id, customer_id, vendor, case_number, status, raised_at, raised_by, note, updated_at";

fn case_from_row(r: &AnyRow) -> Result<VendorCase> {
    Ok(VendorCase {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        customer_id: r.try_get("customer_id")?,
        vendor: r.try_get("vendor")?,
        case_number: r.try_get("case_number")?,
        status: r.try_get("status")?,
        raised_at: r.try_get("raised_at")?,
        raised_by: r.try_get("raised_by")?,
        note: r.try_get("note")?,
        updated_at: r.try_get("updated_at")?,
        answers: vec![],
    })
}

async fn load_case(conn: &mut AnyConnection, t: &Ticket, id: &str) -> Result<VendorCase> {
    let row = sqlx::query(&format!(
        "SELECT {CASE_COLS} FROM vendor_cases WHERE id = $1 AND ticket_id = $2"
    ))
    .bind(id)
    .bind(&t.id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut c = case_from_row(&row)?;
    let rows = sqlx::query(
        "SELECT id, at, body, recorded_by FROM vendor_answers WHERE case_id = $1 ORDER BY at, id",
    )
    .bind(&c.id)
    .fetch_all(&mut *conn)
    .await?;
    c.answers = rows
        .iter()
        .map(|r| {
            Ok(VendorAnswer {
                id: r.try_get(0)?,
                at: r.try_get(1)?,
                body: r.try_get(2)?,
                recorded_by: r.try_get(3)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(c)
}

async fn save_case(tx: &mut WriteTx, c: &VendorCase, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO vendor_cases (ticket_id, customer_id, vendor, case_number, status, raised_at, raised_by, note, updated_at, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    } else {
        "UPDATE vendor_cases SET ticket_id = $1, customer_id = $2, vendor = $3, case_number = $4, status = $5, raised_at = $6, raised_by = $7, note = $8, updated_at = $9 WHERE id = $10"
    };
    sqlx::query(sql)
        .bind(&c.ticket_id)
        .bind(&c.customer_id)
        .bind(&c.vendor)
        .bind(&c.case_number)
        .bind(&c.status)
        .bind(c.raised_at)
        .bind(&c.raised_by)
        .bind(&c.note)
        .bind(c.updated_at)
        .bind(&c.id)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

// ---- dispatches ----

const DISPATCH_COLS: &str = "d.id, d.ticket_id, d.customer_id, d.engineer_id, u.username, d.status, d.planned_at, d.arrived_at, d.finished_at, d.work_done, d.parts_json, d.created_by, d.created_at, d.updated_at";

fn dispatch_from_row(r: &AnyRow) -> Result<Dispatch> {
    Ok(Dispatch {
        id: r.try_get(0)?,
        ticket_id: r.try_get(1)?,
        customer_id: r.try_get(2)?,
        engineer_id: r.try_get(3)?,
        engineer: r.try_get(4)?,
        status: r.try_get(5)?,
        planned_at: r.try_get(6)?,
        arrived_at: r.try_get(7)?,
        finished_at: r.try_get(8)?,
        work_done: r.try_get(9)?,
        parts: from_json(&r.try_get::<String, _>(10)?),
        created_by: r.try_get(11)?,
        created_at: r.try_get(12)?,
        updated_at: r.try_get(13)?,
    })
}

async fn load_dispatch(conn: &mut AnyConnection, t: &Ticket, id: &str) -> Result<Dispatch> {
    let row = sqlx::query(&format!(
        "SELECT {DISPATCH_COLS} FROM dispatches d JOIN users u ON u.id = d.engineer_id WHERE d.id = $1 AND d.ticket_id = $2"
    ))
    .bind(id)
    .bind(&t.id)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    dispatch_from_row(&row)
}

async fn save_dispatch(tx: &mut WriteTx, d: &Dispatch, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO dispatches (ticket_id, customer_id, engineer_id, status, planned_at, arrived_at, finished_at, work_done, parts_json, created_by, created_at, updated_at, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    } else {
        "UPDATE dispatches SET ticket_id = $1, customer_id = $2, engineer_id = $3, status = $4, planned_at = $5, arrived_at = $6, finished_at = $7, work_done = $8, parts_json = $9, created_by = $10, created_at = $11, updated_at = $12 WHERE id = $13"
    };
    sqlx::query(sql)
        .bind(&d.ticket_id)
        .bind(&d.customer_id)
        .bind(&d.engineer_id)
        .bind(&d.status)
        .bind(d.planned_at)
        .bind(d.arrived_at)
        .bind(d.finished_at)
        .bind(&d.work_done)
        .bind(to_json(&d.parts))
        .bind(&d.created_by)
        .bind(d.created_at)
        .bind(d.updated_at)
        .bind(&d.id)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// A field engineer: an enabled user with the `ce` role.
async fn engineer(conn: &mut AnyConnection, id: &str) -> Result<String> {
    match staff_user(conn, id).await? {
        Some((name, role)) if role == "ce" => Ok(name),
        _ => Err(invalid("engineer_id", "is not a field engineer (ce) user")),
    }
}

fn check_parts(parts: &[Part]) -> Result<Vec<Part>> {
    parts
        .iter()
        .map(|p| {
            if p.name.trim().is_empty() {
                return Err(invalid("parts", "every part needs a name"));
            }
            if !(1..=1000).contains(&p.quantity) {
                return Err(invalid("parts", "quantity must be between 1 and 1000"));
            }
            let mut p = p.clone();
            p.name = p.name.trim().into();
            p.part_number = opt(p.part_number);
            p.removed_serial = opt(p.removed_serial);
            p.installed_serial = opt(p.installed_serial);
            Ok(p)
        })
        .collect()
}

impl Store {
    // ---- time entries ----

    /// Log time on a ticket (staff only).
    pub async fn add_time_entry(
        &self,
        scope: &Scope,
        ticket_id: &str,
        input: TimeEntryInput,
    ) -> Result<TimeEntry> {
        staff_only(scope)?;
        if !(1..=1440).contains(&input.minutes) {
            return Err(invalid("minutes", "must be between 1 and 1440"));
        }
        let mut tx = self.write(scope).await?;
        let mut t = load(tx.conn(), scope, ticket_id).await?;
        let worked_at = input.worked_at.unwrap_or(tx.now);
        if worked_at <= 0 || worked_at > tx.now + 60_000 {
            return Err(invalid("worked_at", "must not be in the future"));
        }
        // An explicit user must be staff; the caller's own id may be one without a user row
        // (the system scope, tests), then only the name is kept.
        let (user_id, username) = match opt(input.user_id) {
            Some(id) => match staff_user(tx.conn(), &id).await? {
                Some((name, _)) => (Some(id), name),
                None => return Err(invalid("user_id", "is not a staff user")),
            },
            None => match user_id_of(scope) {
                Some(id) => match staff_user(tx.conn(), &id).await? {
                    Some((name, _)) => (Some(id), name),
                    None => (None, scope.actor()),
                },
                None => (None, scope.actor()),
            },
        };
        let e = TimeEntry {
            id: new_id(),
            ticket_id: t.id.clone(),
            customer_id: t.customer_id.clone(),
            user_id,
            username,
            minutes: input.minutes,
            worked_at,
            note: input.note.unwrap_or_default().trim().to_string(),
            billable: input.billable.unwrap_or(true),
            created_at: tx.now,
        };
        sqlx::query(&format!(
            "INSERT INTO ticket_time_entries ({TIME_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&e.id)
        .bind(&e.ticket_id)
        .bind(&e.customer_id)
        .bind(&e.user_id)
        .bind(&e.username)
        .bind(e.minutes)
        .bind(e.worked_at)
        .bind(&e.note)
        .bind(i64::from(e.billable))
        .bind(e.created_at)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
        append(
            &mut tx,
            &t,
            &DeskEvent::TimeLogged {
                entry: e.id.clone(),
                user: e.username.clone(),
                minutes: e.minutes,
                billable: e.billable,
            },
        )
        .await?;
        touch(&mut tx, &mut t).await?;
        audit_record(
            &mut tx,
            "ticket.time",
            "time_entry",
            &e.id,
            &e.customer_id,
            None,
            &e,
        )
        .await?;
        tx.commit().await?;
        Ok(e)
    }

    /// The ticket's time entries (staff only: effort is internal).
    pub async fn list_time_entries(
        &self,
        scope: &Scope,
        ticket_id: &str,
    ) -> Result<Vec<TimeEntry>> {
        let mut conn = self.pool.acquire().await?;
        let t = load(&mut conn, scope, ticket_id).await?;
        staff_only(scope)?;
        let rows = sqlx::query(&format!(
            "SELECT {TIME_COLS} FROM ticket_time_entries WHERE ticket_id = $1 ORDER BY worked_at, id"
        ))
        .bind(&t.id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(time_from_row).collect()
    }

    // ---- links ----

    /// Link the ticket to another (staff only). Both tickets' timelines get the event.
    pub async fn add_ticket_link(
        &self,
        scope: &Scope,
        ticket_id: &str,
        input: LinkInput,
    ) -> Result<TicketLink> {
        staff_only(scope)?;
        let mut tx = self.write(scope).await?;
        let mut t = load(tx.conn(), scope, ticket_id).await?;
        let other_key = input.ticket.trim();
        let mut f = Filter::scoped(scope, "customer_id");
        f.raw("(id = {} OR number = {})", other_key);
        let other_id: String = f
            .query(&format!("SELECT id FROM tickets{}", f.sql))
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| invalid("ticket", "no such ticket"))?
            .try_get(0)?;
        let mut o = load(tx.conn(), scope, &other_id).await?;
        if o.id == t.id {
            return Err(invalid("ticket", "a ticket cannot be linked to itself"));
        }
        let (t_id, o_id) = (t.id.clone(), o.id.clone());
        let (from, to, kind) = normalise(input.relation.trim(), &t_id, &o_id)?;
        if kind == "problem" {
            let (inc, prb) = if from == t.id { (&t, &o) } else { (&o, &t) };
            if prb.kind != "problem" || inc.kind == "problem" {
                return Err(invalid(
                    "relation",
                    "a problem link joins a problem ticket and a ticket that is not a problem",
                ));
            }
        }
        let reverse: i64 = sqlx::query(
            "SELECT COUNT(*) FROM ticket_links WHERE from_ticket = $1 AND to_ticket = $2 AND kind = $3",
        )
        .bind(to)
        .bind(from)
        .bind(kind)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        if reverse > 0 {
            return Err(invalid(
                "relation",
                "the tickets are already linked the other way round",
            ));
        }
        let (from_customer, to_customer) = if from == t.id {
            (&t.customer_id, &o.customer_id)
        } else {
            (&o.customer_id, &t.customer_id)
        };
        let id = new_id();
        sqlx::query("INSERT INTO ticket_links (id, from_ticket, from_customer, to_ticket, to_customer, kind, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&id)
            .bind(from)
            .bind(from_customer)
            .bind(to)
            .bind(to_customer)
            .bind(kind)
            .bind(scope.actor())
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(|e| match StoreError::from_write(e) {
                StoreError::Conflict(_) => StoreError::Conflict("the tickets are already linked so".into()),
                e => e,
            })?;
        let cross_customer = t.customer_id != o.customer_id;
        let from_is_t = from == t.id;
        for (a, b, a_is_from) in [(&t, &o, from_is_t), (&o, &t, !from_is_t)] {
            append(
                &mut tx,
                a,
                &DeskEvent::Linked {
                    link: id.clone(),
                    relation: relation_from(kind, a_is_from).into(),
                    other: b.id.clone(),
                    number: b.number.clone(),
                    cross_customer,
                },
            )
            .await?;
        }
        touch(&mut tx, &mut t).await?;
        touch(&mut tx, &mut o).await?;
        let link = TicketLink {
            id: id.clone(),
            relation: relation_from(kind, from_is_t).into(),
            other_id: o.id.clone(),
            other_number: o.number.clone(),
            other_title: o.title.clone(),
            other_status: o.status.clone(),
            created_by: scope.actor(),
            created_at: tx.now,
        };
        let record = serde_json::json!({"from": from, "to": to, "kind": kind});
        audit_record(
            &mut tx,
            "ticket.link",
            "ticket_link",
            &id,
            &t.customer_id,
            None,
            &record,
        )
        .await?;
        tx.commit().await?;
        Ok(link)
    }

    /// Both ends of the ticket's links; a customer's user sees links to its own tickets only.
    pub async fn list_ticket_links(
        &self,
        scope: &Scope,
        ticket_id: &str,
    ) -> Result<Vec<TicketLink>> {
        let mut conn = self.pool.acquire().await?;
        let t = load(&mut conn, scope, ticket_id).await?;
        let rows = sqlx::query(
            "SELECT l.id, l.from_ticket, l.kind, l.created_by, l.created_at, o.id, o.number, o.title, o.status, o.customer_id \
             FROM ticket_links l JOIN tickets o ON o.id = CASE WHEN l.from_ticket = $1 THEN l.to_ticket ELSE l.from_ticket END \
             WHERE l.from_ticket = $2 OR l.to_ticket = $3 ORDER BY l.created_at, l.id",
        )
        .bind(&t.id)
        .bind(&t.id)
        .bind(&t.id)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = vec![];
        for r in &rows {
            let other_customer: String = r.try_get(9)?;
            if !scope.sees(&other_customer) {
                continue;
            }
            let from: String = r.try_get(1)?;
            let kind: String = r.try_get(2)?;
            out.push(TicketLink {
                id: r.try_get(0)?,
                relation: relation_from(&kind, from == t.id).into(),
                created_by: r.try_get(3)?,
                created_at: r.try_get(4)?,
                other_id: r.try_get(5)?,
                other_number: r.try_get(6)?,
                other_title: r.try_get(7)?,
                other_status: r.try_get(8)?,
            });
        }
        Ok(out)
    }

    /// Remove a link (staff only); both timelines get the event.
    pub async fn remove_ticket_link(
        &self,
        scope: &Scope,
        ticket_id: &str,
        link_id: &str,
    ) -> Result<()> {
        staff_only(scope)?;
        let mut tx = self.write(scope).await?;
        let mut t = load(tx.conn(), scope, ticket_id).await?;
        let row = sqlx::query("SELECT from_ticket, to_ticket, kind FROM ticket_links WHERE id = $1 AND (from_ticket = $2 OR to_ticket = $3)")
            .bind(link_id)
            .bind(&t.id)
            .bind(&t.id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        let (from, to, kind): (String, String, String) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let other_id = if from == t.id { &to } else { &from };
        let mut o = load(tx.conn(), scope, other_id).await?;
        sqlx::query("DELETE FROM ticket_links WHERE id = $1")
            .bind(link_id)
            .execute(tx.conn())
            .await?;
        let cross_customer = t.customer_id != o.customer_id;
        for (a, b) in [(&t, &o), (&o, &t)] {
            append(
                &mut tx,
                a,
                &DeskEvent::Unlinked {
                    link: link_id.into(),
                    relation: relation_from(&kind, a.id == from).into(),
                    other: b.id.clone(),
                    number: b.number.clone(),
                    cross_customer,
                },
            )
            .await?;
        }
        touch(&mut tx, &mut t).await?;
        touch(&mut tx, &mut o).await?;
        let record = serde_json::json!({"from": from, "to": to, "kind": kind});
        let before = serde_json::to_value(&record).unwrap_or_default();
        tx.audit(
            "ticket.unlink",
            "ticket_link",
            link_id,
            Some(&t.customer_id),
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await
    }

    // ---- vendor cases ----

    /// Raise a case with a vendor (staff only): starts the ticket's vendor clock.
    pub async fn raise_vendor_case(
        &self,
        scope: &Scope,
        ticket_id: &str,
        input: VendorCaseInput,
    ) -> Result<VendorCase> {
        staff_only(scope)?;
        let vendor = valid_name("vendor", &input.vendor)?;
        let mut tx = self.write(scope).await?;
        let mut t = load(tx.conn(), scope, ticket_id).await?;
        let c = VendorCase {
            id: new_id(),
            ticket_id: t.id.clone(),
            customer_id: t.customer_id.clone(),
            vendor,
            case_number: opt(input.case_number),
            status: "open".into(),
            raised_at: tx.now,
            raised_by: scope.actor(),
            note: input.note.unwrap_or_default().trim().to_string(),
            updated_at: tx.now,
            answers: vec![],
        };
        save_case(&mut tx, &c, true).await?;
        append(
            &mut tx,
            &t,
            &DeskEvent::VendorRaised {
                case: c.id.clone(),
                vendor: c.vendor.clone(),
                case_number: c.case_number.clone(),
            },
        )
        .await?;
        touch(&mut tx, &mut t).await?;
        audit_record(
            &mut tx,
            "vendor_case.raise",
            "vendor_case",
            &c.id,
            &c.customer_id,
            None,
            &c,
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// The ticket's vendor cases with their answers (staff only).
    pub async fn list_vendor_cases(
        &self,
        scope: &Scope,
        ticket_id: &str,
    ) -> Result<Vec<VendorCase>> {
        let mut conn = self.pool.acquire().await?;
        let t = load(&mut conn, scope, ticket_id).await?;
        staff_only(scope)?;
        let ids: Vec<String> =
            sqlx::query("SELECT id FROM vendor_cases WHERE ticket_id = $1 ORDER BY raised_at, id")
                .bind(&t.id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, sqlx::Error>>()?;
        let mut out = vec![];
        for id in ids {
            out.push(load_case(&mut conn, &t, &id).await?);
        }
        Ok(out)
    }

    /// Record the vendor's answer: the case becomes `answered` and the vendor clock stops.
    pub async fn answer_vendor_case(
        &self,
        scope: &Scope,
        ticket_id: &str,
        case_id: &str,
        input: VendorAnswerInput,
    ) -> Result<VendorCase> {
        staff_only(scope)?;
        let body = input.body.trim().to_string();
        if body.is_empty() {
            return Err(invalid("body", "is required"));
        }
        let mut tx = self.write(scope).await?;
        let mut t = load(tx.conn(), scope, ticket_id).await?;
        let before = load_case(tx.conn(), &t, case_id).await?;
        if before.status == "closed" {
            return Err(invalid("status", "the case is closed; reopen it first"));
        }
        let mut c = before.clone();
        let answer = VendorAnswer {
            id: new_id(),
            at: tx.now,
            body: body.clone(),
            recorded_by: scope.actor(),
        };
        sqlx::query("INSERT INTO vendor_answers (id, case_id, customer_id, at, body, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&answer.id)
            .bind(&c.id)
            .bind(&c.customer_id)
            .bind(answer.at)
            .bind(&answer.body)
            .bind(&answer.recorded_by)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        c.answers.push(answer);
        c.status = "answered".into();
        c.updated_at = tx.now;
        save_case(&mut tx, &c, false).await?;
        append(
            &mut tx,
            &t,
            &DeskEvent::VendorAnswered {
                case: c.id.clone(),
                vendor: c.vendor.clone(),
                answer: body,
            },
        )
        .await?;
        touch(&mut tx, &mut t).await?;
        audit_record(
            &mut tx,
            "vendor_case.answer",
            "vendor_case",
            &c.id,
            &c.customer_id,
            Some(&before),
            &c,
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Change a vendor case's number or status. Reopening an answered or closed case raises
    /// it again (a fresh vendor clock).
    pub async fn update_vendor_case(
        &self,
        scope: &Scope,
        ticket_id: &str,
        case_id: &str,
        p: VendorCasePatch,
    ) -> Result<VendorCase> {
        staff_only(scope)?;
        let mut tx = self.write(scope).await?;
        let mut t = load(tx.conn(), scope, ticket_id).await?;
        let before = load_case(tx.conn(), &t, case_id).await?;
        let mut c = before.clone();
        if let Some(n) = p.case_number {
            c.case_number = opt(Some(n));
        }
        let mut reraised = false;
        if let Some(s) = opt(p.status) {
            match (c.status.as_str(), s.as_str()) {
                (a, b) if a == b => {}
                ("answered" | "closed", "open") => reraised = true,
                ("open" | "answered", "closed") => {}
                (_, "answered") => {
                    return Err(invalid(
                        "status",
                        "a case becomes answered by recording the vendor's answer",
                    ));
                }
                _ => return Err(invalid("status", "must be open or closed")),
            }
            c.status = s;
        }
        if c.status == before.status && c.case_number == before.case_number {
            return Ok(before);
        }
        c.updated_at = tx.now;
        save_case(&mut tx, &c, false).await?;
        let event = if reraised {
            DeskEvent::VendorRaised {
                case: c.id.clone(),
                vendor: c.vendor.clone(),
                case_number: c.case_number.clone(),
            }
        } else {
            DeskEvent::VendorCaseChanged {
                case: c.id.clone(),
                status: c.status.clone(),
                case_number: c.case_number.clone(),
            }
        };
        append(&mut tx, &t, &event).await?;
        touch(&mut tx, &mut t).await?;
        audit_record(
            &mut tx,
            "vendor_case.update",
            "vendor_case",
            &c.id,
            &c.customer_id,
            Some(&before),
            &c,
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    // ---- dispatches ----

    /// Plan a field visit by a `ce` engineer (staff only).
    pub async fn create_dispatch(
        &self,
        scope: &Scope,
        ticket_id: &str,
        input: DispatchInput,
    ) -> Result<Dispatch> {
        staff_only(scope)?;
        if input.planned_at <= 0 {
            return Err(invalid("planned_at", "is required (ms since the epoch)"));
        }
        let mut tx = self.write(scope).await?;
        let mut t = load(tx.conn(), scope, ticket_id).await?;
        let engineer_name = engineer(tx.conn(), input.engineer_id.trim()).await?;
        let d = Dispatch {
            id: new_id(),
            ticket_id: t.id.clone(),
            customer_id: t.customer_id.clone(),
            engineer_id: input.engineer_id.trim().into(),
            engineer: engineer_name,
            status: "planned".into(),
            planned_at: input.planned_at,
            arrived_at: None,
            finished_at: None,
            work_done: String::new(),
            parts: vec![],
            created_by: scope.actor(),
            created_at: tx.now,
            updated_at: tx.now,
        };
        save_dispatch(&mut tx, &d, true).await?;
        append(
            &mut tx,
            &t,
            &DeskEvent::DispatchPlanned {
                dispatch: d.id.clone(),
                engineer: d.engineer.clone(),
                planned_at: d.planned_at,
            },
        )
        .await?;
        touch(&mut tx, &mut t).await?;
        audit_record(
            &mut tx,
            "dispatch.create",
            "dispatch",
            &d.id,
            &d.customer_id,
            None,
            &d,
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// The ticket's field visits (customers see their own tickets' visits).
    pub async fn list_dispatches(&self, scope: &Scope, ticket_id: &str) -> Result<Vec<Dispatch>> {
        let mut conn = self.pool.acquire().await?;
        let t = load(&mut conn, scope, ticket_id).await?;
        let rows = sqlx::query(&format!(
            "SELECT {DISPATCH_COLS} FROM dispatches d JOIN users u ON u.id = d.engineer_id WHERE d.ticket_id = $1 ORDER BY d.planned_at, d.id"
        ))
        .bind(&t.id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(dispatch_from_row).collect()
    }

    /// Change a visit: status (`planned` → `on_site` → `done`, or `cancelled`), times, work
    /// done and parts replaced (staff only).
    pub async fn update_dispatch(
        &self,
        scope: &Scope,
        ticket_id: &str,
        dispatch_id: &str,
        p: DispatchPatch,
    ) -> Result<Dispatch> {
        staff_only(scope)?;
        let mut tx = self.write(scope).await?;
        let mut t = load(tx.conn(), scope, ticket_id).await?;
        let before = load_dispatch(tx.conn(), &t, dispatch_id).await?;
        if before.status == "cancelled" {
            return Err(invalid("status", "a cancelled visit cannot change"));
        }
        let mut d = before.clone();
        if let Some(e) = opt(p.engineer_id)
            && e != d.engineer_id
        {
            d.engineer = engineer(tx.conn(), &e).await?;
            d.engineer_id = e;
        }
        if let Some(v) = p.planned_at {
            if v <= 0 {
                return Err(invalid("planned_at", "must be a time (ms since the epoch)"));
            }
            d.planned_at = v;
        }
        if let Some(v) = p.arrived_at {
            d.arrived_at = Some(v);
        }
        if let Some(v) = p.finished_at {
            d.finished_at = Some(v);
        }
        if let Some(w) = p.work_done {
            d.work_done = w.trim().into();
        }
        if let Some(parts) = p.parts {
            d.parts = check_parts(&parts)?;
        }
        if let Some(s) = opt(p.status) {
            match (before.status.as_str(), s.as_str()) {
                (a, b) if a == b => {}
                ("planned", "on_site") => {
                    d.arrived_at.get_or_insert(tx.now);
                }
                ("planned" | "on_site", "done") => {
                    d.finished_at.get_or_insert(tx.now);
                }
                ("planned" | "on_site", "cancelled") => {}
                (from, to) => {
                    return Err(invalid(
                        "status",
                        format!(
                            "cannot go from {from} to {to} (planned → on_site → done, or cancelled)"
                        ),
                    ));
                }
            }
            d.status = s;
        }
        if let (Some(a), Some(f)) = (d.arrived_at, d.finished_at)
            && f < a
        {
            return Err(invalid("finished_at", "is before arrived_at"));
        }
        d.updated_at = tx.now;
        save_dispatch(&mut tx, &d, false).await?;
        let note = (d.work_done != before.work_done)
            .then(|| d.work_done.clone())
            .filter(|w| !w.is_empty());
        append(
            &mut tx,
            &t,
            &DeskEvent::DispatchChanged {
                dispatch: d.id.clone(),
                status: d.status.clone(),
                note,
            },
        )
        .await?;
        touch(&mut tx, &mut t).await?;
        audit_record(
            &mut tx,
            "dispatch.update",
            "dispatch",
            &d.id,
            &d.customer_id,
            Some(&before),
            &d,
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }
}
