//! Tickets: numbering, scoping, the lifecycle, comments, the timeline and SLA clocks.
use super::contracts::calendar_of;
use super::scheduler::{DeskSettings, desk_settings_on};
use super::{
    CommentInput, Ticket, TicketEventRecord, TicketInput, TicketPatch, TicketQuery,
    TransitionInput, staff_only,
};
use crate::registry::{Page, order_by, page_bounds};
use crate::scope::Filter;
use crate::util::{from_json, new_id, now_ms, to_json};
use crate::{Result, Scope, Store, StoreError, WriteTx};
use chrono::{DateTime, Datelike};
use onestop_domain::calendar::{Calendar, Instant};
use onestop_domain::desk::{
    Category, Channel, DeskEvent, Level, Lifecycle, PriorityMatrix, SlaSummary, SlaTable,
    TicketType, Visibility, compute_summary, parse_status, policy_for, priority_str, sla_history,
    status_parts, ticket_number,
};
use onestop_domain::model::{ValidationError, valid_name};
use onestop_domain::notify::Event;
use onestop_domain::sla::{PendingReason, Status};
use sqlx::{AnyConnection, Row, any::AnyRow};

pub(super) const TICKET_COLS: &str = "id, customer_id, number, type, channel, title, description, category, impact, urgency, priority, status, pending_reason, contact_id, assignee_id, team_id, contract_id, created_by, created_at, updated_at, resolved_at, closed_at, sla_json";

pub(super) fn ticket_from_row(r: &AnyRow) -> Result<Ticket> {
    Ok(Ticket {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        number: r.try_get("number")?,
        kind: r.try_get("type")?,
        channel: r.try_get("channel")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        category: r.try_get("category")?,
        impact: r.try_get("impact")?,
        urgency: r.try_get("urgency")?,
        priority: r.try_get("priority")?,
        status: r.try_get("status")?,
        pending_reason: r.try_get("pending_reason")?,
        contact_id: r.try_get("contact_id")?,
        assignee_id: r.try_get("assignee_id")?,
        team_id: r.try_get("team_id")?,
        contract_id: r.try_get("contract_id")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        resolved_at: r.try_get("resolved_at")?,
        closed_at: r.try_get("closed_at")?,
        sla: from_json(&r.try_get::<String, _>("sla_json")?),
        assets: vec![],
    })
}

pub(crate) fn instant(ms: i64) -> Instant {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn parse<T: std::str::FromStr<Err = String>>(field: &str, v: &str) -> Result<T> {
    v.trim()
        .parse()
        .map_err(|e: String| ValidationError::new(field, e).into())
}

fn opt(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl Ticket {
    pub(crate) fn status_value(&self) -> Status {
        parse_status(&self.status, self.pending_reason.as_deref()).unwrap_or(Status::New)
    }

    pub(crate) fn set_status(&mut self, s: Status) {
        let (status, reason) = status_parts(s);
        self.status = status.into();
        self.pending_reason = reason.map(str::to_string);
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// Load a ticket the scope may see, inside the write transaction.
pub(crate) async fn load(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<Ticket> {
    let mut f = Filter::scoped(scope, "customer_id");
    f.eq("id", id);
    let row = f
        .query(&format!("SELECT {TICKET_COLS} FROM tickets{}", f.sql))
        .fetch_optional(&mut *conn)
        .await?;
    ticket_from_row(&row.ok_or(StoreError::NotFound)?)
}

/// Append an event to the ticket's history (never earlier than the last one).
pub(crate) async fn append(tx: &mut WriteTx, t: &Ticket, e: &DeskEvent) -> Result<()> {
    let row = sqlx::query(
        "SELECT COALESCE(MAX(seq), 0), COALESCE(MAX(at), 0) FROM ticket_events WHERE ticket_id = $1",
    )
    .bind(&t.id)
    .fetch_one(tx.conn())
    .await?;
    let (seq, last): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
    let at = tx.now.max(last);
    insert_event(tx, t, seq + 1, at, e).await
}

/// Store event number `seq` of the ticket's history, at `at`, by the transaction's actor.
async fn insert_event(
    tx: &mut WriteTx,
    t: &Ticket,
    seq: i64,
    at: i64,
    e: &DeskEvent,
) -> Result<()> {
    let actor = tx.scope().actor();
    sqlx::query("INSERT INTO ticket_events (id, ticket_id, customer_id, seq, at, actor, kind, data_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(new_id())
        .bind(&t.id)
        .bind(&t.customer_id)
        .bind(seq)
        .bind(at)
        .bind(actor)
        .bind(e.kind())
        .bind(to_json(e))
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// The ticket's SLA clocks at `now_ms`: its history replayed under its contract's calendar and
/// budgets (or 24x365 and the provider default).
pub(super) async fn sla_at(
    conn: &mut AnyConnection,
    t: &Ticket,
    now_ms: i64,
) -> Result<SlaSummary> {
    let rows =
        sqlx::query("SELECT at, data_json FROM ticket_events WHERE ticket_id = $1 ORDER BY seq")
            .bind(&t.id)
            .fetch_all(&mut *conn)
            .await?;
    let mut events = Vec::with_capacity(rows.len());
    for r in &rows {
        let at: i64 = r.try_get(0)?;
        let data: String = r.try_get(1)?;
        let e: DeskEvent = serde_json::from_str(&data)
            .map_err(|e| StoreError::Other(format!("ticket event of {}: {e}", t.number)))?;
        events.push((instant(at), e));
    }
    sla_of(conn, t, &events, now_ms, None).await
}

/// The SLA clocks at `now_ms` of a ticket whose history is `events`; `settings` are the desk
/// settings when the caller has them (read here when needed otherwise).
async fn sla_of(
    conn: &mut AnyConnection,
    t: &Ticket,
    events: &[(Instant, DeskEvent)],
    now_ms: i64,
    settings: Option<DeskSettings>,
) -> Result<SlaSummary> {
    let mut table = SlaTable::default();
    let mut calendar = Calendar::always();
    if t.contract_id.is_none() {
        // No contract: the provider's default calendar and SLA.
        let d = match settings {
            Some(d) => d,
            None => desk_settings_on(&mut *conn).await?,
        };
        table = d.default_sla;
        calendar =
            calendar_of(d.default_calendar.as_deref()).unwrap_or_else(|_| Calendar::always());
    }
    if let Some(c) = &t.contract_id {
        let row = sqlx::query("SELECT calendar_toml, sla_json FROM contracts WHERE id = $1")
            .bind(c)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(r) = row {
            let toml: Option<String> = r.try_get(0)?;
            // Validated on every write; a calendar that no longer parses counts as 24x365.
            calendar = calendar_of(toml.as_deref()).unwrap_or_else(|_| Calendar::always());
            table = from_json(&r.try_get::<String, _>(1)?);
        }
    }
    let history = sla_history(events.iter().map(|(at, e)| (*at, e)));
    compute_summary(&history, &policy_for(&table, calendar), instant(now_ms))
        .map_err(|e| StoreError::Other(format!("SLA of {}: {e}", t.number)))
}

async fn save(tx: &mut WriteTx, t: &Ticket, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO tickets (customer_id, number, type, channel, title, description, category, impact, urgency, priority, status, pending_reason, contact_id, assignee_id, team_id, contract_id, created_by, created_at, updated_at, resolved_at, closed_at, sla_json, id, is_open, sla_due, sla_next, sla_state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)"
    } else {
        "UPDATE tickets SET customer_id = $1, number = $2, type = $3, channel = $4, title = $5, description = $6, category = $7, impact = $8, urgency = $9, priority = $10, status = $11, pending_reason = $12, contact_id = $13, assignee_id = $14, team_id = $15, contract_id = $16, created_by = $17, created_at = $18, updated_at = $19, resolved_at = $20, closed_at = $21, sla_json = $22, is_open = $24, sla_due = $25, sla_next = $26, sla_state = $27 WHERE id = $23"
    };
    sqlx::query(sql)
        .bind(&t.customer_id)
        .bind(&t.number)
        .bind(&t.kind)
        .bind(&t.channel)
        .bind(&t.title)
        .bind(&t.description)
        .bind(&t.category)
        .bind(&t.impact)
        .bind(&t.urgency)
        .bind(&t.priority)
        .bind(&t.status)
        .bind(&t.pending_reason)
        .bind(&t.contact_id)
        .bind(&t.assignee_id)
        .bind(&t.team_id)
        .bind(&t.contract_id)
        .bind(&t.created_by)
        .bind(t.created_at)
        .bind(t.updated_at)
        .bind(t.resolved_at)
        .bind(t.closed_at)
        .bind(to_json(&t.sla))
        .bind(&t.id)
        .bind(i64::from(!matches!(
            t.status.as_str(),
            "resolved" | "closed"
        )))
        .bind(t.sla.earliest_due().map(|d| d.timestamp_millis()))
        .bind(t.sla.next_action.map(|d| d.timestamp_millis()))
        .bind(t.sla.worst())
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// Tell the people (and webhooks) the notification router names about a ticket event.
async fn tell(tx: &mut WriteTx, t: &Ticket, event: Event, why: &str) -> Result<()> {
    crate::notify::emit(
        tx,
        crate::notify::Notice {
            event,
            ticket: Some(t),
            customer_id: &t.customer_id,
            text: format!("{} {}: {why}", t.number, t.title),
            targets: None,
        },
    )
    .await?;
    Ok(())
}

/// Recompute the clocks of a changed ticket as of the transaction, store it, and audit the
/// change from `before`. (A new ticket is written once by `create_ticket_in`.)
pub(crate) async fn finish(
    tx: &mut WriteTx,
    t: &mut Ticket,
    action: &str,
    before: &Ticket,
) -> Result<()> {
    let now = tx.now;
    t.sla = sla_at(tx.conn(), t, now).await?;
    // The scheduler looks again at the earliest warning or breach not yet acted on.
    let fired: Vec<String> = sqlx::query("SELECT what FROM desk_firings WHERE ticket_id = $1")
        .bind(&t.id)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    t.sla.next_action = next_action(&t.sla, &fired);
    save(tx, t, false).await?;
    let text_changed = before.title != t.title || before.description != t.description;
    if text_changed || action == "ticket.comment" {
        super::search::index_text(tx, t).await?;
    }
    tx.audit(
        action,
        "ticket",
        &t.id,
        Some(&t.customer_id),
        Some(&before.json()),
        Some(&t.json()),
    )
    .await
}

/// The earliest warning or breach of `sla` not yet acted on (`fired` holds those acted on).
fn next_action(sla: &SlaSummary, fired: &[String]) -> Option<DateTime<chrono::Utc>> {
    sla.actions()
        .into_iter()
        .filter(|a| !fired.contains(&a.key))
        .map(|a| a.at)
        .min()
}

/// Mark the ticket changed by a work record (whose own audit entry covers it): bump
/// `updated_at`, recompute the clocks as of the transaction, store.
pub(crate) async fn touch(tx: &mut WriteTx, t: &mut Ticket) -> Result<()> {
    t.updated_at = tx.now;
    let now = tx.now;
    t.sla = sla_at(tx.conn(), t, now).await?;
    save(tx, t, false).await
}

/// The next number of `kind` in the transaction's year.
/// A `COUNT(*)` on the write transaction's own connection: code holding a `WriteTx` must
/// not wait for a second pooled connection (on PostgreSQL, concurrent writers each holding
/// one and waiting for the audit lock would leave none, and the holder would wait forever).
async fn count_on(tx: &mut WriteTx, sql: &str, args: &[&str]) -> Result<i64> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = q.bind(*a);
    }
    Ok(q.fetch_one(tx.conn()).await?.try_get(0)?)
}

async fn next_number(tx: &mut WriteTx, kind: TicketType) -> Result<String> {
    let year = instant(tx.now).year();
    let n = next_counter(tx, kind.prefix(), year).await?;
    Ok(ticket_number(kind, year, n))
}

/// The next number under `prefix` in `year` (ticket types, work orders), taken in one
/// statement: the first of a year takes 1 and leaves 2; later ones take `next`.
pub(crate) async fn next_counter(tx: &mut WriteTx, prefix: &str, year: i32) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO ticket_counters (prefix, year, next) VALUES ($1, $2, 2) \
         ON CONFLICT (prefix, year) DO UPDATE SET next = ticket_counters.next + 1 \
         RETURNING next - 1",
    )
    .bind(prefix)
    .bind(i64::from(year))
    .fetch_one(tx.conn())
    .await?
    .try_get(0)?)
}

impl Store {
    /// Create a ticket inside `tx` (under its scope); the caller commits.
    pub(crate) async fn create_ticket_in(
        &self,
        tx: &mut WriteTx,
        input: TicketInput,
    ) -> Result<Ticket> {
        let scope = &tx.scope().clone();
        let customer_id = opt(input.customer_id)
            .or_else(|| scope.customer().map(str::to_string))
            .ok_or_else(|| ValidationError::new("customer_id", "is required"))?;
        if !scope.sees(&customer_id) {
            return Err(StoreError::NotFound);
        }
        // The customer, and the contract in force today that a ticket names none of.
        let today = instant(tx.now).date_naive().to_string();
        let default_contract: Option<String> = sqlx::query(
            "SELECT (SELECT id FROM contracts WHERE customer_id = c.id AND starts_on <= $2 \
             AND ends_on >= $2 ORDER BY starts_on DESC, id LIMIT 1) FROM customers c WHERE c.id = $1",
        )
        .bind(&customer_id)
        .bind(&today)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?
        .try_get(0)?;
        let kind: TicketType = parse("type", input.kind.as_deref().unwrap_or("incident"))?;
        let title = valid_name("title", input.title.as_deref().unwrap_or(""))?;
        let impact: Level = parse("impact", input.impact.as_deref().unwrap_or("medium"))?;
        let urgency: Level = parse("urgency", input.urgency.as_deref().unwrap_or("medium"))?;
        let channel: Channel = if scope.customer().is_some() {
            Channel::Portal
        } else {
            parse("channel", input.channel.as_deref().unwrap_or("api"))?
        };
        let category = match opt(input.category) {
            Some(c) => Some(parse::<Category>("category", &c)?.as_str().to_string()),
            None => None,
        };
        let contact_id = opt(input.contact_id);
        if let Some(c) = &contact_id
            && count_on(
                tx,
                "SELECT COUNT(*) FROM contacts WHERE id = $1 AND customer_id = $2",
                &[c.as_str(), customer_id.as_str()],
            )
            .await?
                == 0
        {
            return Err(
                ValidationError::new("contact_id", "is not a contact of this customer").into(),
            );
        }
        let assets = input.assets.unwrap_or_default();
        for a in &assets {
            if count_on(
                tx,
                "SELECT COUNT(*) FROM assets WHERE id = $1 AND customer_id = $2",
                &[a.as_str(), customer_id.as_str()],
            )
            .await?
                == 0
            {
                return Err(ValidationError::new(
                    "assets",
                    format!("`{a}` is not an asset of this customer"),
                )
                .into());
            }
        }
        let contract_id = match opt(input.contract_id) {
            Some(c) => {
                if count_on(
                    tx,
                    "SELECT COUNT(*) FROM contracts WHERE id = $1 AND customer_id = $2",
                    &[c.as_str(), customer_id.as_str()],
                )
                .await?
                    == 0
                {
                    return Err(ValidationError::new(
                        "contract_id",
                        "is not a contract of this customer",
                    )
                    .into());
                }
                Some(c)
            }
            None => default_contract,
        };
        let priority = PriorityMatrix::default().priority(impact, urgency);
        let mut t = Ticket {
            id: new_id(),
            customer_id,
            number: next_number(tx, kind).await?,
            kind: kind.as_str().into(),
            channel: channel.as_str().into(),
            title,
            description: input.description.unwrap_or_default(),
            category,
            impact: impact.as_str().into(),
            urgency: urgency.as_str().into(),
            priority: priority_str(priority).into(),
            status: "new".into(),
            pending_reason: None,
            contact_id,
            assignee_id: None,
            team_id: None,
            contract_id: contract_id.clone(),
            created_by: scope.actor(),
            created_at: tx.now,
            updated_at: tx.now,
            resolved_at: None,
            closed_at: None,
            sla: SlaSummary::default(),
            assets: assets.clone(),
        };
        // The first event and the clocks it starts are known: computed here, the ticket is
        // written once and nothing of it is read back.
        let opened = DeskEvent::Opened {
            priority,
            contract: contract_id,
            channel: t.channel.clone(),
        };
        let now = tx.now;
        let history = [(instant(now), opened)];
        let settings = match t.contract_id {
            None => Some(tx.desk_settings().await?),
            Some(_) => None,
        };
        t.sla = sla_of(tx.conn(), &t, &history, now, settings).await?;
        t.sla.next_action = next_action(&t.sla, &[]);
        save(tx, &t, true).await?;
        insert_event(tx, &t, 1, tx.now, &history[0].1).await?;
        for a in &assets {
            sqlx::query(
                "INSERT INTO ticket_assets (ticket_id, asset_id, customer_id) VALUES ($1, $2, $3)",
            )
            .bind(&t.id)
            .bind(a)
            .bind(&t.customer_id)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        }
        super::search::index_new(tx, &t).await?;
        tx.audit(
            "ticket.create",
            "ticket",
            &t.id,
            Some(&t.customer_id),
            None,
            Some(&t.json()),
        )
        .await?;
        let why = format!("new {} ({}, {})", t.kind, t.priority, t.channel);
        tell(tx, &t, Event::TicketCreated, &why).await?;
        Ok(t)
    }

    pub async fn list_tickets(&self, scope: &Scope, q: &TicketQuery) -> Result<Page<Ticket>> {
        self.list_tickets_at(scope, q, now_ms()).await
    }

    /// A queue or search page as of `now` (which decides "breaching soon").
    pub async fn list_tickets_at(
        &self,
        scope: &Scope,
        q: &TicketQuery,
        now: i64,
    ) -> Result<Page<Ticket>> {
        let mut f = Filter::scoped(scope, "customer_id");
        for (col, v) in [
            ("customer_id", &q.customer_id),
            ("status", &q.status),
            ("priority", &q.priority),
            ("assignee_id", &q.assignee_id),
            ("team_id", &q.team_id),
            ("category", &q.category),
            ("type", &q.kind),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                f.eq(col, v);
            }
        }
        let me = scope.user_id().unwrap_or("");
        let mut default_sort = "-updated_at";
        match q.queue.as_deref().unwrap_or("all") {
            "all" | "" => {}
            "open" => {
                f.cond("is_open = 1");
            }
            "mine" => {
                f.raw("is_open = 1 AND assignee_id = {}", me);
            }
            "team" => {
                f.raw(
                    "is_open = 1 AND team_id IN (SELECT team_id FROM team_members WHERE user_id = {})",
                    me,
                );
            }
            "unassigned" => {
                f.cond("is_open = 1 AND assignee_id IS NULL");
            }
            "breaching" => {
                let horizon = now + 8 * 3600 * 1000;
                f.cond(&format!(
                    "is_open = 1 AND sla_due IS NOT NULL AND sla_due <= {horizon}"
                ));
                default_sort = "sla_due";
            }
            other => {
                return Err(ValidationError::new(
                    "queue",
                    format!(
                        "unknown queue `{other}` (mine, team, unassigned, breaching, open, all)"
                    ),
                )
                .into());
            }
        }
        let (page, per) = page_bounds(q.page, q.per_page);
        let allowed = [
            "updated_at",
            "created_at",
            "sla_due",
            "priority",
            "status",
            "number",
        ];
        let order = order_by(
            Some(q.sort.as_deref().unwrap_or(default_sort)),
            &allowed,
            "updated_at",
        );
        // Priority sorts by rank, not by name.
        let order = order.replace(
            "priority",
            "CASE priority WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END",
        );
        if let Some(t) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            if onestop_domain::desk::looks_like_number(t) {
                f.eq("number", &t.to_uppercase());
            } else {
                return self
                    .search_tickets(scope, f, t, q.customer_id.as_deref(), (page, per))
                    .await;
            }
        }
        f.page(
            &self.pool,
            "tickets",
            TICKET_COLS,
            &order,
            (page, per),
            ticket_from_row,
        )
        .await
    }

    /// A ticket with its clocks computed now.
    pub async fn get_ticket(&self, scope: &Scope, id: &str) -> Result<Ticket> {
        self.ticket_at(scope, id, now_ms()).await
    }

    /// A ticket with its clocks as of `now_ms` (milliseconds since the epoch).
    pub async fn ticket_at(&self, scope: &Scope, id: &str, now_ms: i64) -> Result<Ticket> {
        let mut conn = self.pool.acquire().await?;
        let mut t = load(&mut conn, scope, id).await?;
        t.sla = sla_at(&mut conn, &t, now_ms).await?;
        let rows = sqlx::query(
            "SELECT asset_id FROM ticket_assets WHERE ticket_id = $1 ORDER BY asset_id",
        )
        .bind(&t.id)
        .fetch_all(&mut *conn)
        .await?;
        t.assets = rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(t)
    }

    pub async fn update_ticket(&self, scope: &Scope, id: &str, p: TicketPatch) -> Result<Ticket> {
        let mut tx = self.write(scope).await?;
        let before = load(tx.conn(), scope, id).await?;
        staff_only(scope)?;
        let mut t = before.clone();
        let mut changes: Vec<(&str, Option<String>, Option<String>)> = vec![];
        if let Some(v) = p.title {
            t.title = valid_name("title", &v)?;
        }
        if let Some(v) = p.description {
            t.description = v;
        }
        if let Some(v) = p.impact {
            t.impact = parse::<Level>("impact", &v)?.as_str().into();
        }
        if let Some(v) = p.urgency {
            t.urgency = parse::<Level>("urgency", &v)?.as_str().into();
        }
        if let Some(v) = p.category {
            t.category = match opt(Some(v)) {
                Some(c) => Some(parse::<Category>("category", &c)?.as_str().into()),
                None => None,
            };
        }
        if let Some(v) = p.assignee_id {
            t.assignee_id = opt(Some(v));
            if let Some(a) = &t.assignee_id {
                let n: i64 =
                    sqlx::query("SELECT COUNT(*) FROM users WHERE id = $1 AND role <> 'customer'")
                        .bind(a)
                        .fetch_one(tx.conn())
                        .await?
                        .try_get(0)?;
                if n == 0 {
                    return Err(ValidationError::new("assignee_id", "is not a staff user").into());
                }
            }
        }
        if let Some(v) = p.team_id {
            t.team_id = opt(Some(v));
            if let Some(team) = &t.team_id {
                let n: i64 = sqlx::query("SELECT COUNT(*) FROM teams WHERE id = $1")
                    .bind(team)
                    .fetch_one(tx.conn())
                    .await?
                    .try_get(0)?;
                if n == 0 {
                    return Err(ValidationError::new("team_id", "is not a team").into());
                }
            }
        }
        for (field, a, b) in [
            ("title", Some(&before.title), Some(&t.title)),
            (
                "description",
                Some(&before.description),
                Some(&t.description),
            ),
            ("impact", Some(&before.impact), Some(&t.impact)),
            ("urgency", Some(&before.urgency), Some(&t.urgency)),
            ("category", before.category.as_ref(), t.category.as_ref()),
            (
                "assignee_id",
                before.assignee_id.as_ref(),
                t.assignee_id.as_ref(),
            ),
            ("team_id", before.team_id.as_ref(), t.team_id.as_ref()),
        ] {
            if a != b {
                changes.push((field, a.cloned(), b.cloned()));
            }
        }
        if changes.is_empty() {
            return Ok(before);
        }
        t.updated_at = tx.now;
        let fields: Vec<&str> = changes.iter().map(|c| c.0).collect();
        let why = format!("updated: {}", fields.join(", "));
        for (field, from, to) in changes {
            append(
                &mut tx,
                &t,
                &DeskEvent::FieldChanged {
                    field: field.into(),
                    from,
                    to,
                },
            )
            .await?;
        }
        let impact: Level = parse("impact", &t.impact)?;
        let urgency: Level = parse("urgency", &t.urgency)?;
        let priority = PriorityMatrix::default().priority(impact, urgency);
        if priority_str(priority) != t.priority {
            let from = onestop_domain::desk::parse_priority(&t.priority).unwrap_or(priority);
            t.priority = priority_str(priority).into();
            append(
                &mut tx,
                &t,
                &DeskEvent::PriorityChanged { from, to: priority },
            )
            .await?;
        }
        // Giving a new ticket to someone assigns it.
        if t.assignee_id.is_some() && t.status_value() == Status::New {
            t.set_status(Status::Assigned);
            append(
                &mut tx,
                &t,
                &DeskEvent::StatusChanged {
                    from: Status::New.as_str().into(),
                    to: Status::Assigned.as_str().into(),
                    note: None,
                },
            )
            .await?;
        }
        finish(&mut tx, &mut t, "ticket.update", &before).await?;
        if t.assignee_id.is_some() && t.assignee_id != before.assignee_id {
            tell(&mut tx, &t, Event::TicketAssigned, "assigned").await?;
        } else {
            tell(&mut tx, &t, Event::TicketUpdated, &why).await?;
        }
        tx.commit().await?;
        Ok(t)
    }

    /// Move a ticket through its lifecycle; every transition is an event.
    pub async fn transition_ticket(
        &self,
        scope: &Scope,
        id: &str,
        input: TransitionInput,
    ) -> Result<Ticket> {
        let mut tx = self.write(scope).await?;
        let t = Self::transition_ticket_in(&mut tx, id, input).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// [`Store::transition_ticket`] inside `tx` (under its scope); the caller commits.
    // The body below was written for an owned `tx`; it reborrows the caller's.
    #[allow(clippy::needless_borrow)]
    pub(crate) async fn transition_ticket_in(
        tx: &mut WriteTx,
        id: &str,
        input: TransitionInput,
    ) -> Result<Ticket> {
        let scope = &tx.scope().clone();
        let mut tx = tx;
        let before = load(tx.conn(), scope, id).await?;
        staff_only(scope)?;
        let to = parse_status(input.to.trim(), input.reason.as_deref())?;
        let from = before.status_value();
        let reopen_days = desk_settings_on(tx.conn()).await?.reopen_days;
        Lifecycle { reopen_days }
            .check(from, to, before.closed_at.map(instant), instant(tx.now))
            .map_err(|e| ValidationError::new("to", e.to_string()))?;
        let mut t = before.clone();
        t.set_status(to);
        t.updated_at = tx.now;
        match to {
            Status::Resolved => t.resolved_at = Some(tx.now),
            Status::Closed => t.closed_at = Some(tx.now),
            _ if from.is_done() => {
                t.resolved_at = None;
                t.closed_at = None;
            }
            _ => {}
        }
        append(
            &mut tx,
            &t,
            &DeskEvent::StatusChanged {
                from: from.as_str().into(),
                to: to.as_str().into(),
                note: opt(input.note),
            },
        )
        .await?;
        finish(&mut tx, &mut t, "ticket.transition", &before).await?;
        if to == Status::Resolved {
            crate::mail::compose::queue_resolved(&mut tx, &t).await?;
            tell(&mut tx, &t, Event::TicketResolved, "resolved").await?;
        } else {
            let why = format!("status {} → {}", from.as_str(), to.as_str());
            tell(&mut tx, &t, Event::TicketUpdated, &why).await?;
        }
        Ok(t)
    }

    /// Add an internal note or a reply. The desk's first reply is the first response; a
    /// customer's reply ends waiting for the customer.
    pub async fn add_ticket_comment(
        &self,
        scope: &Scope,
        id: &str,
        input: CommentInput,
    ) -> Result<Ticket> {
        let body = input.body.trim().to_string();
        if body.is_empty() {
            return Err(ValidationError::new("body", "is required").into());
        }
        let by_customer = !scope.is_staff();
        let visibility: Visibility = match opt(input.visibility) {
            Some(v) => parse("visibility", &v)?,
            None if by_customer => Visibility::Public,
            None => Visibility::Internal,
        };
        let mut tx = self.write(scope).await?;
        let t = Self::add_ticket_comment_in(&mut tx, id, body, visibility).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Add a checked comment inside `tx` (under its scope); the caller commits.
    // The body below was written for an owned `tx`; it reborrows the caller's.
    #[allow(clippy::needless_borrow)]
    pub(crate) async fn add_ticket_comment_in(
        tx: &mut WriteTx,
        id: &str,
        body: String,
        visibility: Visibility,
    ) -> Result<Ticket> {
        let scope = &tx.scope().clone();
        let by_customer = !scope.is_staff();
        let mut tx = tx;
        let reply = body.clone();
        let before = load(tx.conn(), scope, id).await?;
        if by_customer && visibility == Visibility::Internal {
            return Err(StoreError::Forbidden(
                "customers' users can only post replies".into(),
            ));
        }
        let mut t = before.clone();
        t.updated_at = tx.now;
        append(
            &mut tx,
            &t,
            &DeskEvent::Comment {
                visibility,
                body,
                by_customer,
            },
        )
        .await?;
        if !by_customer && visibility == Visibility::Public {
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'first_response'",
            )
            .bind(&t.id)
            .fetch_one(tx.conn())
            .await?
            .try_get(0)?;
            if n == 0 {
                append(&mut tx, &t, &DeskEvent::FirstResponse).await?;
            }
        }
        let waiting = Status::Pending(PendingReason::WaitingCustomer);
        if by_customer && t.status_value() == waiting {
            t.set_status(Status::InProgress);
            append(
                &mut tx,
                &t,
                &DeskEvent::StatusChanged {
                    from: waiting.as_str().into(),
                    to: Status::InProgress.as_str().into(),
                    note: Some("the customer replied".into()),
                },
            )
            .await?;
        }
        finish(&mut tx, &mut t, "ticket.comment", &before).await?;
        if !by_customer && visibility == Visibility::Public {
            crate::mail::compose::queue_reply(&mut tx, &t, &reply).await?;
        }
        if by_customer {
            tell(&mut tx, &t, Event::CustomerReplied, "the customer replied").await?;
        } else {
            let why = match visibility {
                Visibility::Public => "reply to the customer",
                Visibility::Internal => "internal note",
            };
            tell(&mut tx, &t, Event::TicketCommented, why).await?;
        }
        Ok(t)
    }

    /// The ticket's timeline; customers' users do not see internal notes.
    pub async fn ticket_events(&self, scope: &Scope, id: &str) -> Result<Vec<TicketEventRecord>> {
        let mut conn = self.pool.acquire().await?;
        let t = load(&mut conn, scope, id).await?;
        let rows = sqlx::query("SELECT id, seq, at, actor, kind, data_json FROM ticket_events WHERE ticket_id = $1 ORDER BY seq")
            .bind(&t.id)
            .fetch_all(&mut *conn)
            .await?;
        let mut out = vec![];
        for r in &rows {
            let data: String = r.try_get(5)?;
            if scope.customer().is_some()
                && serde_json::from_str::<DeskEvent>(&data).is_ok_and(|e| !e.customer_visible())
            {
                continue;
            }
            out.push(TicketEventRecord {
                id: r.try_get(0)?,
                seq: r.try_get(1)?,
                at: r.try_get(2)?,
                actor: r.try_get(3)?,
                kind: r.try_get(4)?,
                data: serde_json::from_str(&data).unwrap_or_default(),
            });
        }
        Ok(out)
    }
}
