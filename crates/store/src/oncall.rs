//! The on-call rota: rotations and overrides (administrators change them, staff read them),
//! and who is on call at an instant — the domain's [`onestop_domain::notify::schedule`] over
//! the stored rows.
use crate::desk::instant;
use crate::util::{from_json, new_id, to_json};
use crate::{Result, Scope, Store, StoreError, WriteTx};
use chrono::{Duration, NaiveDate, NaiveTime};
use onestop_domain::model::ValidationError;
use onestop_domain::notify::{Override, Period, Rotation, schedule};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct OncallRotation {
    pub id: String,
    pub name: String,
    /// User ids in turn order.
    pub members: Vec<String>,
    /// Local hand-over time, `HH:MM`.
    pub handover: String,
    /// `daily` or `weekly`.
    pub period: String,
    pub time_zone: String,
    /// `YYYY-MM-DD`: the first member's first shift starts at the hand-over that day.
    pub starts_on: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationInput {
    pub name: Option<String>,
    pub members: Option<Vec<String>>,
    pub handover: Option<String>,
    pub period: Option<String>,
    pub time_zone: Option<String>,
    pub starts_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct OncallOverride {
    pub id: String,
    pub rotation_id: String,
    /// Who is on call instead.
    pub user_id: String,
    /// Only while this member is scheduled (an absence); whoever is scheduled when absent.
    pub replaces_user_id: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub note: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideInput {
    pub user_id: String,
    pub replaces_user_id: Option<String>,
    /// Milliseconds since the epoch.
    pub starts_at: i64,
    pub ends_at: i64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct OncallShift {
    pub user_id: String,
    pub user_name: String,
    pub start: i64,
    pub end: i64,
    /// The scheduled member this shift stands in for (an override).
    pub instead_of: Option<String>,
}

/// A rotation with who is on call now and next, its schedule and its overrides.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OncallStatus {
    pub rotation: OncallRotation,
    pub now: Option<OncallShift>,
    pub next: Option<OncallShift>,
    pub schedule: Vec<OncallShift>,
    pub overrides: Vec<OncallOverride>,
}

const COLS: &str =
    "id, name, members, handover, period, time_zone, starts_on, created_at, updated_at";

fn rot_from_row(r: &sqlx::any::AnyRow) -> Result<OncallRotation> {
    Ok(OncallRotation {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        members: from_json(&r.try_get::<String, _>(2)?),
        handover: r.try_get(3)?,
        period: r.try_get(4)?,
        time_zone: r.try_get(5)?,
        starts_on: r.try_get(6)?,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
    })
}

impl OncallRotation {
    /// The domain rotation; errors name the field.
    fn domain(&self) -> Result<Rotation> {
        let bad = |f: &str, m: &str| StoreError::from(ValidationError::new(f, m));
        Ok(Rotation {
            members: self.members.clone(),
            handover: NaiveTime::parse_from_str(&self.handover, "%H:%M")
                .map_err(|_| bad("handover", "must be HH:MM"))?,
            period: Period::parse(&self.period)
                .ok_or_else(|| bad("period", "must be daily or weekly"))?,
            tz: self
                .time_zone
                .parse()
                .map_err(|_| bad("time_zone", "is not an IANA time zone"))?,
            starts_on: NaiveDate::parse_from_str(&self.starts_on, "%Y-%m-%d")
                .map_err(|_| bad("starts_on", "must be YYYY-MM-DD"))?,
        })
    }
}

async fn rotations_on(conn: &mut AnyConnection) -> Result<Vec<OncallRotation>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM oncall_rotations ORDER BY name"
    ))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(rot_from_row).collect()
}

async fn overrides_on(conn: &mut AnyConnection, rotation: &str) -> Result<Vec<OncallOverride>> {
    let rows = sqlx::query("SELECT id, rotation_id, user_id, replaces_user_id, starts_at, ends_at, note, created_at FROM oncall_overrides WHERE rotation_id = $1 ORDER BY created_at, id")
        .bind(rotation)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(OncallOverride {
                id: r.try_get(0)?,
                rotation_id: r.try_get(1)?,
                user_id: r.try_get(2)?,
                replaces_user_id: r.try_get(3)?,
                starts_at: r.try_get(4)?,
                ends_at: r.try_get(5)?,
                note: r.try_get(6)?,
                created_at: r.try_get(7)?,
            })
        })
        .collect()
}

fn domain_overrides(o: &[OncallOverride]) -> Vec<Override> {
    o.iter()
        .map(|o| Override {
            user: o.user_id.clone(),
            replaces: o.replaces_user_id.clone(),
            start: instant(o.starts_at),
            end: instant(o.ends_at),
        })
        .collect()
}

/// Everyone on call at the transaction's instant, over all rotations.
pub(crate) async fn on_call_now(tx: &mut WriteTx) -> Result<Vec<String>> {
    let now = instant(tx.now);
    let mut out: Vec<String> = vec![];
    for r in rotations_on(tx.conn()).await? {
        let Ok(rot) = r.domain() else { continue };
        let o = domain_overrides(&overrides_on(tx.conn(), &r.id).await?);
        if let (Some(s), _) = onestop_domain::notify::on_call_at(&rot, &o, now)
            && !out.contains(&s.user)
        {
            out.push(s.user);
        }
    }
    Ok(out)
}

fn admin(scope: &Scope) -> Result<()> {
    if scope.is_admin() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "only administrators change the on-call rota".into(),
        ))
    }
}

impl Store {
    async fn staff_user(&self, field: &str, id: &str) -> Result<()> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM users WHERE id = $1 AND role <> 'customer' AND disabled = 0",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        if n == 0 {
            return Err(
                ValidationError::new(field, format!("`{id}` is not an active staff user")).into(),
            );
        }
        Ok(())
    }

    /// Create (`id` None) or change a rotation.
    pub async fn save_rotation(
        &self,
        scope: &Scope,
        id: Option<&str>,
        i: RotationInput,
    ) -> Result<OncallRotation> {
        admin(scope)?;
        let before = match id {
            Some(id) => Some(
                rotations_on(&mut *self.pool.acquire().await?)
                    .await?
                    .into_iter()
                    .find(|r| r.id == id)
                    .ok_or(StoreError::NotFound)?,
            ),
            None => None,
        };
        let b = before.clone().unwrap_or(OncallRotation {
            id: new_id(),
            name: String::new(),
            members: vec![],
            handover: "09:00".into(),
            period: "weekly".into(),
            time_zone: "Asia/Tokyo".into(),
            starts_on: instant(crate::now_ms()).date_naive().to_string(),
            created_at: 0,
            updated_at: 0,
        });
        let r = OncallRotation {
            name: i.name.map(|s| s.trim().to_string()).unwrap_or(b.name),
            members: i.members.unwrap_or(b.members),
            handover: i
                .handover
                .map(|s| s.trim().to_string())
                .unwrap_or(b.handover),
            period: i.period.unwrap_or(b.period),
            time_zone: i
                .time_zone
                .map(|s| s.trim().to_string())
                .unwrap_or(b.time_zone),
            starts_on: i
                .starts_on
                .map(|s| s.trim().to_string())
                .unwrap_or(b.starts_on),
            ..b
        };
        onestop_domain::model::valid_name("name", &r.name)?;
        r.domain()?;
        if r.members.is_empty() {
            return Err(ValidationError::new("members", "name at least one member").into());
        }
        for m in &r.members {
            self.staff_user("members", m).await?;
        }
        let mut tx = self.write(scope).await?;
        let mut r = r;
        r.updated_at = tx.now;
        if before.is_none() {
            r.created_at = tx.now;
        }
        let sql = if before.is_some() {
            "UPDATE oncall_rotations SET name = $2, members = $3, handover = $4, period = $5, time_zone = $6, starts_on = $7, updated_at = $8 WHERE id = $1"
        } else {
            "INSERT INTO oncall_rotations (id, name, members, handover, period, time_zone, starts_on, updated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
        };
        sqlx::query(sql)
            .bind(&r.id)
            .bind(&r.name)
            .bind(to_json(&r.members))
            .bind(&r.handover)
            .bind(&r.period)
            .bind(&r.time_zone)
            .bind(&r.starts_on)
            .bind(tx.now)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let json = |r: &OncallRotation| serde_json::to_value(r).unwrap_or_default();
        let action = if before.is_some() {
            "oncall_rotation.update"
        } else {
            "oncall_rotation.create"
        };
        tx.audit(
            action,
            "oncall_rotation",
            &r.id,
            None,
            before.as_ref().map(json).as_ref(),
            Some(&json(&r)),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn add_override(
        &self,
        scope: &Scope,
        rotation: &str,
        i: OverrideInput,
    ) -> Result<OncallOverride> {
        admin(scope)?;
        if !rotations_on(&mut *self.pool.acquire().await?)
            .await?
            .iter()
            .any(|r| r.id == rotation)
        {
            return Err(StoreError::NotFound);
        }
        self.staff_user("user_id", &i.user_id).await?;
        let replaces = i.replaces_user_id.filter(|s| !s.trim().is_empty());
        if let Some(x) = &replaces {
            self.staff_user("replaces_user_id", x).await?;
        }
        if i.ends_at <= i.starts_at {
            return Err(ValidationError::new("ends_at", "must be after starts_at").into());
        }
        if i.ends_at - i.starts_at > 366 * 86_400_000 {
            return Err(ValidationError::new("ends_at", "an override lasts at most a year").into());
        }
        let mut tx = self.write(scope).await?;
        let o = OncallOverride {
            id: new_id(),
            rotation_id: rotation.into(),
            user_id: i.user_id,
            replaces_user_id: replaces,
            starts_at: i.starts_at,
            ends_at: i.ends_at,
            note: i.note.unwrap_or_default().trim().to_string(),
            created_at: tx.now,
        };
        sqlx::query("INSERT INTO oncall_overrides (id, rotation_id, user_id, replaces_user_id, starts_at, ends_at, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&o.id)
            .bind(&o.rotation_id)
            .bind(&o.user_id)
            .bind(&o.replaces_user_id)
            .bind(o.starts_at)
            .bind(o.ends_at)
            .bind(&o.note)
            .bind(o.created_at)
            .execute(tx.conn())
            .await
            .map_err(StoreError::from_write)?;
        let after = serde_json::to_value(&o).unwrap_or_default();
        tx.audit(
            "oncall_override.create",
            "oncall_override",
            &o.id,
            None,
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(o)
    }

    pub async fn delete_override(&self, scope: &Scope, rotation: &str, id: &str) -> Result<()> {
        admin(scope)?;
        let mut tx = self.write(scope).await?;
        let o = overrides_on(tx.conn(), rotation)
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM oncall_overrides WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        let before = serde_json::to_value(&o).unwrap_or_default();
        tx.audit(
            "oncall_override.delete",
            "oncall_override",
            id,
            None,
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await
    }

    /// Every rotation as of `at` (ms): now, next, the schedule of the coming `weeks`.
    pub async fn oncall(&self, scope: &Scope, at: i64, weeks: i64) -> Result<Vec<OncallStatus>> {
        crate::desk::staff_only(scope)?;
        let mut conn = self.pool.acquire().await?;
        let names: std::collections::HashMap<String, String> =
            sqlx::query("SELECT id, display_name FROM users WHERE role <> 'customer'")
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_>>()?;
        let shift = |s: onestop_domain::notify::Shift| OncallShift {
            user_name: names
                .get(&s.user)
                .cloned()
                .unwrap_or_else(|| s.user.clone()),
            user_id: s.user,
            start: s.start.timestamp_millis(),
            end: s.end.timestamp_millis(),
            instead_of: s.instead_of,
        };
        let mut out = vec![];
        for r in rotations_on(&mut conn).await? {
            let overrides = overrides_on(&mut conn, &r.id).await?;
            let (now, next, sched) = match r.domain() {
                Ok(rot) => {
                    let o = domain_overrides(&overrides);
                    let t = instant(at);
                    let (now, next) = onestop_domain::notify::on_call_at(&rot, &o, t);
                    let s = schedule(&rot, &o, t, t + Duration::weeks(weeks.clamp(1, 26)));
                    (now, next, s)
                }
                Err(_) => (None, None, vec![]),
            };
            out.push(OncallStatus {
                rotation: r,
                now: now.map(shift),
                next: next.map(shift),
                schedule: sched.into_iter().map(shift).collect(),
                overrides,
            });
        }
        Ok(out)
    }
}
