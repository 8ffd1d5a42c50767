//! Work orders: creation (from the plan, ad hoc, from a ticket), reads scoped to the customer,
//! changes of assignee, schedule and status, and the audited execution record.
use super::{
    TemplateItem, WorkOrder, WorkOrderInput, WorkOrderItem, WorkOrderPatch, WorkOrderQuery, invalid,
};
use crate::desk::staff_only;
use crate::registry::page_bounds;
use crate::scope::Filter;
use crate::util::{from_json, new_id, to_json};
use crate::{Page, Result, Scope, Store, StoreError, WriteTx};
use chrono::Datelike;
use sqlx::{Row, any::AnyRow};

pub(super) const COLS: &str = "id, number, customer_id, contract_id, activity_id, ticket_id, kind, title, description, template, assets_json, owner_role, assignee_id, scheduled_start, scheduled_end, status, notes, minutes_spent, patch_json, approved_by, approved_at, maintenance_id, signoff_name, signoff_user_id, signoff_recorded_by, signoff_at, done_at, created_by, created_at, updated_at";

pub(super) fn from_row(r: &AnyRow, now: i64) -> Result<WorkOrder> {
    let status: String = r.try_get("status")?;
    let end: i64 = r.try_get("scheduled_end")?;
    Ok(WorkOrder {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        customer_id: r.try_get("customer_id")?,
        contract_id: r.try_get("contract_id")?,
        activity_id: r.try_get("activity_id")?,
        ticket_id: r.try_get("ticket_id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        template: r.try_get("template")?,
        assets: from_json(&r.try_get::<String, _>("assets_json")?),
        owner_role: r.try_get("owner_role")?,
        assignee_id: r.try_get("assignee_id")?,
        scheduled_start: r.try_get("scheduled_start")?,
        scheduled_end: end,
        overdue: is_active(&status) && end < now,
        status,
        notes: r.try_get("notes")?,
        minutes_spent: r.try_get("minutes_spent")?,
        patch: r
            .try_get::<Option<String>, _>("patch_json")?
            .and_then(|p| serde_json::from_str(&p).ok()),
        approved_by: r.try_get("approved_by")?,
        approved_at: r.try_get("approved_at")?,
        maintenance_id: r.try_get("maintenance_id")?,
        signoff_name: r.try_get("signoff_name")?,
        signoff_user_id: r.try_get("signoff_user_id")?,
        signoff_recorded_by: r.try_get("signoff_recorded_by")?,
        signoff_at: r.try_get("signoff_at")?,
        done_at: r.try_get("done_at")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        items: vec![],
        attachments: vec![],
    })
}

pub(super) fn is_active(status: &str) -> bool {
    status == "open" || status == "in_progress"
}

fn item_from_row(r: &AnyRow) -> Result<WorkOrderItem> {
    Ok(WorkOrderItem {
        pos: r.try_get("pos")?,
        title: r.try_get("title")?,
        title_ja: r.try_get("title_ja")?,
        guidance: r.try_get("guidance")?,
        auto_check: r.try_get("auto_check")?,
        result: r.try_get("result")?,
        notes: r.try_get("notes")?,
        measured: r.try_get("measured")?,
        evidence: r
            .try_get::<Option<String>, _>("evidence_json")?
            .and_then(|e| serde_json::from_str(&e).ok()),
        ticket_id: r.try_get("ticket_id")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
    })
}

/// A work order to insert.
pub(super) struct NewWorkOrder {
    pub customer_id: String,
    pub contract_id: Option<String>,
    pub activity_id: Option<String>,
    pub ticket_id: Option<String>,
    pub kind: &'static str,
    pub title: String,
    pub description: String,
    pub template: Option<String>,
    pub assets: Vec<String>,
    pub owner_role: Option<String>,
    pub assignee_id: Option<String>,
    pub start: i64,
    pub end: i64,
    pub patch: Option<serde_json::Value>,
}

/// `WO-2026-000001`: numbered per year in `ticket_counters` under the prefix `WO`.
async fn next_number(tx: &mut WriteTx) -> Result<String> {
    let year = super::today(tx.now).year();
    let n = crate::desk::next_counter(tx, "WO", year).await?;
    Ok(format!("WO-{year}-{n:06}"))
}

/// Insert a work order with its checklist (the template's items, or one generic item) and
/// audit it. Returns its id.
pub(super) async fn insert(
    tx: &mut WriteTx,
    w: NewWorkOrder,
    items: &[TemplateItem],
) -> Result<String> {
    let id = new_id();
    let number = next_number(tx).await?;
    let actor = tx.scope().actor();
    sqlx::query("INSERT INTO work_orders (id, number, customer_id, contract_id, activity_id, ticket_id, kind, title, description, template, assets_json, owner_role, assignee_id, scheduled_start, scheduled_end, status, patch_json, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open', $16, $17, $18, $18)")
        .bind(&id)
        .bind(&number)
        .bind(&w.customer_id)
        .bind(&w.contract_id)
        .bind(&w.activity_id)
        .bind(&w.ticket_id)
        .bind(w.kind)
        .bind(&w.title)
        .bind(&w.description)
        .bind(&w.template)
        .bind(to_json(&w.assets))
        .bind(&w.owner_role)
        .bind(&w.assignee_id)
        .bind(w.start)
        .bind(w.end)
        .bind(w.patch.as_ref().map(to_json))
        .bind(&actor)
        .bind(tx.now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
    let generic = [TemplateItem {
        title: "Work carried out as described".into(),
        title_ja: "記載どおりに作業を実施".into(),
        guidance: String::new(),
        auto: None,
    }];
    let items = if items.is_empty() {
        &generic[..]
    } else {
        items
    };
    for (n, i) in items.iter().enumerate() {
        sqlx::query("INSERT INTO work_order_items (work_order_id, pos, title, title_ja, guidance, auto_check) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(n as i64 + 1)
            .bind(&i.title)
            .bind(&i.title_ja)
            .bind(&i.guidance)
            .bind(&i.auto)
            .execute(tx.conn())
            .await?;
    }
    tx.audit(
        "work_order.create",
        "work_order",
        &id,
        Some(&w.customer_id),
        None,
        Some(&serde_json::json!({"number": number, "kind": w.kind, "title": w.title, "activity_id": w.activity_id, "ticket_id": w.ticket_id, "assignee_id": w.assignee_id, "scheduled_start": w.start, "scheduled_end": w.end})),
    )
    .await?;
    Ok(id)
}

/// A staff user who may be assigned work.
pub(super) async fn check_assignee(conn: &mut sqlx::AnyConnection, user: &str) -> Result<()> {
    let row = sqlx::query("SELECT role, disabled FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| invalid("assignee_id", "is not a user"))?;
    let role: String = row.try_get(0)?;
    if role == "customer" || row.try_get::<i64, _>(1)? != 0 {
        return Err(invalid("assignee_id", "must be an active staff member"));
    }
    Ok(())
}

/// A due bound: ms, or a `YYYY-MM-DD` date (midnight UTC).
fn bound(field: &str, v: &str) -> Result<i64> {
    if let Ok(ms) = v.trim().parse::<i64>() {
        return Ok(ms);
    }
    let d = super::activities::parse_date(field, v)?;
    Ok(d.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_millis())
}

impl Store {
    /// An ad-hoc work order, or one from a ticket (staff).
    pub async fn create_work_order(&self, scope: &Scope, i: WorkOrderInput) -> Result<WorkOrder> {
        staff_only(scope)?;
        let ticket = match i.ticket_id.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => Some(self.get_ticket(scope, t).await?),
            None => None,
        };
        let customer_id = match (&ticket, i.customer_id.filter(|c| !c.is_empty())) {
            (Some(t), Some(c)) if t.customer_id != c => {
                return Err(invalid("customer_id", "differs from the ticket's customer"));
            }
            (Some(t), _) => t.customer_id.clone(),
            (None, Some(c)) => c,
            (None, None) => return Err(invalid("customer_id", "is required")),
        };
        self.ensure_customer(scope, &customer_id).await?;
        let contract_id = match i
            .contract_id
            .filter(|c| !c.is_empty())
            .or_else(|| ticket.as_ref().and_then(|t| t.contract_id.clone()))
        {
            Some(c) => {
                let c = self.get_contract(scope, &c).await?;
                if c.customer_id != customer_id {
                    return Err(invalid("contract_id", "belongs to another customer"));
                }
                Some(c.id)
            }
            None => None,
        };
        let title = match (
            i.title
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            &ticket,
        ) {
            (Some(t), _) => t,
            (None, Some(t)) => format!("{}: {}", t.number, t.title),
            (None, None) => return Err(invalid("title", "is required")),
        };
        if title.chars().count() > 300 {
            return Err(invalid("title", "must be at most 300 characters"));
        }
        let assets = i.assets.unwrap_or_else(|| {
            ticket
                .as_ref()
                .map(|t| t.assets.clone())
                .unwrap_or_default()
        });
        self.check_assets(scope, &customer_id, &assets).await?;
        let items = match i.template.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => Some(
                self.get_template(t)
                    .await
                    .map_err(|_| invalid("template", "is not a checklist template"))?,
            ),
            None => None,
        };
        let now = crate::now_ms();
        let start = i.scheduled_start.unwrap_or(now);
        let end = i.scheduled_end.unwrap_or(start + 2 * 3_600_000);
        if end <= start {
            return Err(invalid("scheduled_end", "must be after scheduled_start"));
        }
        let mut tx = self.write(scope).await?;
        if let Some(a) = i.assignee_id.as_deref().filter(|a| !a.is_empty()) {
            check_assignee(tx.conn(), a).await?;
        }
        let id = insert(
            &mut tx,
            NewWorkOrder {
                customer_id,
                contract_id,
                activity_id: None,
                ticket_id: ticket.map(|t| t.id),
                kind: "adhoc",
                title,
                description: i.description.unwrap_or_default().trim().into(),
                template: items.as_ref().map(|t| t.code.clone()),
                assets,
                owner_role: None,
                assignee_id: i.assignee_id.filter(|a| !a.is_empty()),
                start,
                end,
                patch: None,
            },
            items.as_ref().map(|t| &t.items[..]).unwrap_or(&[]),
        )
        .await?;
        tx.commit().await?;
        self.get_work_order(scope, &id).await
    }

    /// A work order with its checklist and attachments.
    pub async fn get_work_order(&self, scope: &Scope, id: &str) -> Result<WorkOrder> {
        let mut f = Filter::scoped(scope, "customer_id");
        f.eq("id", id);
        let row = f
            .query(&format!("SELECT {COLS} FROM work_orders{}", f.sql))
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut w = from_row(&row, crate::now_ms())?;
        w.items = sqlx::query("SELECT pos, title, title_ja, guidance, auto_check, result, notes, measured, evidence_json, ticket_id, recorded_by, recorded_at FROM work_order_items WHERE work_order_id = $1 ORDER BY pos")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(item_from_row)
            .collect::<Result<_>>()?;
        w.attachments = self.wo_attachments(id).await?;
        Ok(w)
    }

    /// Work orders the scope may see, soonest first.
    pub async fn list_work_orders(
        &self,
        scope: &Scope,
        q: &WorkOrderQuery,
    ) -> Result<Page<WorkOrder>> {
        let mut f = Filter::scoped(scope, "customer_id");
        if let Some(c) = q.customer.as_deref().filter(|c| !c.is_empty()) {
            f.eq("customer_id", c);
        }
        if let Some(c) = q.contract.as_deref().filter(|c| !c.is_empty()) {
            f.eq("contract_id", c);
        }
        match q.assignee.as_deref().filter(|a| !a.is_empty()) {
            Some("me") => {
                f.eq("assignee_id", scope.user_id().unwrap_or(""));
            }
            Some(a) => {
                f.eq("assignee_id", a);
            }
            None => {}
        }
        if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
            let mut wanted = vec![];
            for s in s.split(',').map(str::trim) {
                match s {
                    "active" => wanted.extend(["open", "in_progress"]),
                    "open" | "in_progress" | "done" | "cancelled" => wanted.push(s),
                    _ => {
                        return Err(invalid(
                            "status",
                            "must be open, in_progress, done, cancelled or active",
                        ));
                    }
                }
            }
            f.any_of("status", &wanted);
        }
        if let Some(v) = q.due_from.as_deref().filter(|v| !v.is_empty()) {
            f.raw(
                "scheduled_end >= CAST({} AS BIGINT)",
                &bound("due_from", v)?.to_string(),
            );
        }
        if let Some(v) = q.due_to.as_deref().filter(|v| !v.is_empty()) {
            f.raw(
                "scheduled_end < CAST({} AS BIGINT)",
                &bound("due_to", v)?.to_string(),
            );
        }
        let (page, per) = page_bounds(q.page, q.per_page);
        let now = crate::now_ms();
        f.page(
            &self.pool,
            "work_orders",
            COLS,
            "scheduled_start",
            (page, per),
            |r| from_row(r, now),
        )
        .await
    }

    /// Change a work order (staff). Moving it to `done` needs a result on every item and
    /// marks its plan activity done; `cancelled` skips the activity.
    pub async fn update_work_order(
        &self,
        scope: &Scope,
        id: &str,
        p: WorkOrderPatch,
    ) -> Result<WorkOrder> {
        staff_only(scope)?;
        let before = self.get_work_order(scope, id).await?;
        let mut w = before.clone();
        if let Some(t) = p.title {
            let t = t.trim().to_string();
            if t.is_empty() || t.chars().count() > 300 {
                return Err(invalid("title", "must be 1 to 300 characters"));
            }
            w.title = t;
        }
        if let Some(d) = p.description {
            w.description = d.trim().into();
        }
        if let Some(a) = p.assignee_id {
            w.assignee_id = Some(a.trim().to_string()).filter(|a| !a.is_empty());
        }
        if let Some(s) = p.scheduled_start {
            w.scheduled_start = s;
        }
        if let Some(e) = p.scheduled_end {
            w.scheduled_end = e;
        }
        if w.scheduled_end <= w.scheduled_start {
            return Err(invalid("scheduled_end", "must be after scheduled_start"));
        }
        if let Some(n) = p.notes {
            w.notes = n.trim().into();
        }
        if let Some(m) = p.add_minutes {
            if !(1..=10_080).contains(&m) {
                return Err(invalid("add_minutes", "must be 1 to 10080"));
            }
            w.minutes_spent += m;
        }
        if let Some(s) = p
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| *s != before.status)
        {
            if !["open", "in_progress", "done", "cancelled"].contains(&s) {
                return Err(invalid(
                    "status",
                    "must be open, in_progress, done or cancelled",
                ));
            }
            if !is_active(&before.status) {
                return Err(StoreError::Conflict(format!(
                    "the work order is {}",
                    before.status
                )));
            }
            if s == "done" {
                let missing: Vec<String> = w
                    .items
                    .iter()
                    .filter(|i| i.result.is_none())
                    .map(|i| i.pos.to_string())
                    .collect();
                if !missing.is_empty() {
                    return Err(invalid(
                        "status",
                        format!("items without a result: {}", missing.join(", ")),
                    ));
                }
            }
            w.status = s.into();
        }
        let mut tx = self.write(scope).await?;
        if let Some(a) = &w.assignee_id
            && Some(a) != before.assignee_id.as_ref()
        {
            check_assignee(tx.conn(), a).await?;
        }
        if w.status == "done" && before.status != "done" {
            w.done_at = Some(tx.now);
        }
        sqlx::query("UPDATE work_orders SET title = $1, description = $2, assignee_id = $3, scheduled_start = $4, scheduled_end = $5, status = $6, notes = $7, minutes_spent = $8, done_at = $9, updated_at = $10 WHERE id = $11")
            .bind(&w.title)
            .bind(&w.description)
            .bind(&w.assignee_id)
            .bind(w.scheduled_start)
            .bind(w.scheduled_end)
            .bind(&w.status)
            .bind(&w.notes)
            .bind(w.minutes_spent)
            .bind(w.done_at)
            .bind(tx.now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        if let Some(a) = &w.activity_id {
            if w.status == "done" && before.status != "done" {
                sqlx::query("UPDATE plan_activities SET status = 'done', done_on = $1, updated_at = $2 WHERE id = $3")
                    .bind(super::today(tx.now).to_string())
                    .bind(tx.now)
                    .bind(a)
                    .execute(tx.conn())
                    .await?;
            } else if w.status == "cancelled" && before.status != "cancelled" {
                let reason = if w.notes.is_empty() {
                    format!("work order {} cancelled", w.number)
                } else {
                    format!("work order {} cancelled: {}", w.number, w.notes)
                };
                sqlx::query("UPDATE plan_activities SET status = 'skipped', skip_reason = $1, updated_at = $2 WHERE id = $3")
                    .bind(reason)
                    .bind(tx.now)
                    .bind(a)
                    .execute(tx.conn())
                    .await?;
            }
        }
        audit_change(&mut tx, "work_order.update", &before, &w).await?;
        tx.commit().await?;
        if w.status == "in_progress" && before.status == "open" {
            // Executing a host's work order takes the agent's newest results.
            self.fill_from_agent(scope, id).await?;
        }
        self.get_work_order(scope, id).await
    }

    /// Record checklist results (staff). The order moves to `in_progress`.
    pub async fn record_results(
        &self,
        scope: &Scope,
        id: &str,
        input: super::ResultsInput,
    ) -> Result<WorkOrder> {
        staff_only(scope)?;
        let before = self.get_work_order(scope, id).await?;
        if !is_active(&before.status) {
            return Err(StoreError::Conflict(format!(
                "the work order is {}",
                before.status
            )));
        }
        if input.items.is_empty() && input.minutes.is_none() {
            return Err(invalid("items", "is empty"));
        }
        let mut checked = vec![];
        for i in &input.items {
            if !before.items.iter().any(|x| x.pos == i.pos) {
                return Err(invalid("items", format!("no item {}", i.pos)));
            }
            let r = match i.result.trim() {
                "ok" => "ok",
                "finding" => "finding",
                "n_a" | "n/a" | "na" => "n_a",
                _ => {
                    return Err(invalid(
                        "items",
                        format!("item {}: result must be ok, finding or n_a", i.pos),
                    ));
                }
            };
            checked.push((i, r));
        }
        let minutes = input.minutes.unwrap_or(0);
        if !(0..=10_080).contains(&minutes) {
            return Err(invalid("minutes", "must be 0 to 10080"));
        }
        let mut tx = self.write(scope).await?;
        let actor = scope.actor();
        for (i, r) in &checked {
            sqlx::query("UPDATE work_order_items SET result = $1, notes = COALESCE($2, notes), measured = COALESCE($3, measured), recorded_by = $4, recorded_at = $5 WHERE work_order_id = $6 AND pos = $7")
                .bind(*r)
                .bind(i.notes.as_deref().map(str::trim))
                .bind(i.measured.as_deref().map(str::trim))
                .bind(&actor)
                .bind(tx.now)
                .bind(id)
                .bind(i.pos)
                .execute(tx.conn())
                .await?;
        }
        sqlx::query("UPDATE work_orders SET status = 'in_progress', minutes_spent = minutes_spent + $1, updated_at = $2 WHERE id = $3")
            .bind(minutes)
            .bind(tx.now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let results: Vec<serde_json::Value> = checked
            .iter()
            .map(|(i, r)| serde_json::json!({"pos": i.pos, "result": r, "notes": i.notes, "measured": i.measured}))
            .collect();
        tx.audit(
            "work_order.results",
            "work_order",
            id,
            Some(&before.customer_id),
            None,
            Some(&serde_json::json!({"items": results, "minutes": minutes})),
        )
        .await?;
        tx.commit().await?;
        self.get_work_order(scope, id).await
    }
}

pub(super) async fn audit_change(
    tx: &mut WriteTx,
    action: &str,
    before: &WorkOrder,
    after: &WorkOrder,
) -> Result<()> {
    let strip = |w: &WorkOrder| {
        let mut w = w.clone();
        w.items.clear();
        w.attachments.clear();
        serde_json::to_value(w).unwrap_or_default()
    };
    tx.audit(
        action,
        "work_order",
        &after.id,
        Some(&after.customer_id),
        Some(&strip(before)),
        Some(&strip(after)),
    )
    .await
}
