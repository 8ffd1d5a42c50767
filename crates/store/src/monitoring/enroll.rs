//! Enrolment: staff issue one-time tokens per customer (stored as SHA-256, with an expiry);
//! an agent trades one for a per-host credential (stored as SHA-256) and its host is
//! created, or re-linked, as a `server` asset in the customer's register.
use super::{AgentIdentity, EnrollInput, Enrolled, EnrollmentToken, Host};
use crate::registry::{ASSET_COLS, asset_from_row, insert_assets, staff_only};
use crate::{Asset, Result, Scope, Store, StoreError, auth, new_id};
use sqlx::Row;

/// Longest allowed token lifetime: 30 days.
pub const MAX_TOKEN_TTL_MS: i64 = 30 * 24 * 3_600_000;

impl Store {
    /// Issue a one-time enrolment token for `customer_id`, valid for `ttl_ms`. Returns the
    /// listing and the secret (shown once).
    pub async fn create_enrollment_token(
        &self,
        scope: &Scope,
        customer_id: &str,
        ttl_ms: i64,
    ) -> Result<(EnrollmentToken, String)> {
        staff_only(scope)?;
        self.ensure_customer(scope, customer_id).await?;
        if !(60_000..=MAX_TOKEN_TTL_MS).contains(&ttl_ms) {
            return Err(onestop_domain::model::ValidationError::new(
                "ttl_secs",
                "must be between 60 seconds and 30 days",
            )
            .into());
        }
        let secret = auth::new_secret("ose_");
        let id = new_id();
        let mut tx = self.write(scope).await?;
        let t = EnrollmentToken {
            id: id.clone(),
            customer_id: customer_id.into(),
            created_at: tx.now,
            expires_at: tx.now + ttl_ms,
            used_at: None,
            host_id: None,
        };
        sqlx::query(
            "INSERT INTO enrollment_tokens (id, customer_id, token_hash, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(customer_id)
        .bind(auth::token_hash(&secret))
        .bind(scope.actor())
        .bind(t.created_at)
        .bind(t.expires_at)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
        tx.audit(
            "enrollment_token.create",
            "enrollment_token",
            &id,
            Some(customer_id),
            None,
            Some(&serde_json::json!({"expires_at": t.expires_at})),
        )
        .await?;
        tx.commit().await?;
        Ok((t, secret))
    }

    /// Trade a token for a host credential. The token must be unused and unexpired; it is
    /// used up in the same transaction that creates or re-links the host.
    pub async fn enroll_host(&self, input: EnrollInput) -> Result<Enrolled> {
        let hostname = onestop_domain::model::valid_name("hostname", &input.hostname)?;
        let mut tx = self.write(&Scope::System).await?;
        let row = sqlx::query(
            "SELECT id, customer_id, expires_at, used_at FROM enrollment_tokens WHERE token_hash = $1",
        )
        .bind(auth::token_hash(input.token.trim()))
        .fetch_optional(tx.conn())
        .await?;
        let invalid =
            || StoreError::Forbidden("enrollment token is unknown, used or expired".into());
        let row = row.ok_or_else(invalid)?;
        let (token_id, customer_id): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let (expires, used): (i64, Option<i64>) = (row.try_get(2)?, row.try_get(3)?);
        if used.is_some() || expires < tx.now {
            return Err(invalid());
        }
        // The same installation enrolling again keeps its host; otherwise a server asset of
        // the same name in the register is linked.
        let mut existing: Option<String> = None;
        if !input.machine_id.is_empty() {
            existing = sqlx::query(
                "SELECT id FROM monitored_hosts WHERE customer_id = $1 AND machine_id = $2",
            )
            .bind(&customer_id)
            .bind(&input.machine_id)
            .fetch_optional(tx.conn())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        }
        if existing.is_none() {
            existing = sqlx::query(
                "SELECT id FROM assets WHERE customer_id = $1 AND kind = 'server' AND lower(name) = $2 \
                 AND id NOT IN (SELECT id FROM monitored_hosts) ORDER BY created_at LIMIT 1",
            )
            .bind(&customer_id)
            .bind(hostname.to_lowercase())
            .fetch_optional(tx.conn())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        }
        let relinked = existing.is_some();
        let host_id = match existing {
            Some(id) => {
                let row = sqlx::query(&format!("SELECT {ASSET_COLS} FROM assets WHERE id = $1"))
                    .bind(&id)
                    .fetch_one(tx.conn())
                    .await?;
                let before = asset_from_row(&row)?;
                let mut after = before.clone();
                after.os = non_empty(&input.os, &before.os);
                after.ip_addresses = non_empty(&input.ip_addresses, &before.ip_addresses);
                after.updated_at = tx.now;
                sqlx::query(
                    "UPDATE assets SET os = $1, ip_addresses = $2, updated_at = $3 WHERE id = $4",
                )
                .bind(&after.os)
                .bind(&after.ip_addresses)
                .bind(after.updated_at)
                .bind(&id)
                .execute(tx.conn())
                .await?;
                let (b, a) = (
                    serde_json::to_value(&before).unwrap_or_default(),
                    serde_json::to_value(&after).unwrap_or_default(),
                );
                tx.audit(
                    "asset.update",
                    "asset",
                    &id,
                    Some(&customer_id),
                    Some(&b),
                    Some(&a),
                )
                .await?;
                id
            }
            None => {
                let mut a = Asset::blank(&customer_id);
                a.name = hostname.clone();
                a.kind = "server".into();
                a.os = input.os.trim().to_string();
                a.ip_addresses = input.ip_addresses.trim().to_string();
                insert_assets(&mut tx, std::slice::from_mut(&mut a)).await?;
                a.id
            }
        };
        let credential = auth::new_secret("osa_");
        sqlx::query("DELETE FROM monitored_hosts WHERE id = $1")
            .bind(&host_id)
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO monitored_hosts (id, customer_id, machine_id, hostname, credential_hash, enrolled_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&host_id)
        .bind(&customer_id)
        .bind(&input.machine_id)
        .bind(&hostname)
        .bind(auth::token_hash(&credential))
        .bind(tx.now)
        .execute(tx.conn())
        .await
        .map_err(StoreError::from_write)?;
        let used = sqlx::query(
            "UPDATE enrollment_tokens SET used_at = $1, host_id = $2 WHERE id = $3 AND used_at IS NULL",
        )
        .bind(tx.now)
        .bind(&host_id)
        .bind(&token_id)
        .execute(tx.conn())
        .await?;
        if used.rows_affected() != 1 {
            return Err(invalid());
        }
        tx.audit(
            "host.enroll",
            "host",
            &host_id,
            Some(&customer_id),
            None,
            Some(&serde_json::json!({"hostname": hostname, "machine_id": input.machine_id, "token_id": token_id, "relinked": relinked})),
        )
        .await?;
        tx.commit().await?;
        Ok(Enrolled {
            host_id,
            credential,
            relinked,
        })
    }

    /// The host behind an agent credential, if it is valid.
    pub async fn agent_by_credential(&self, credential: &str) -> Result<Option<AgentIdentity>> {
        let row =
            sqlx::query("SELECT id, customer_id FROM monitored_hosts WHERE credential_hash = $1")
                .bind(auth::token_hash(credential.trim()))
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            Ok(AgentIdentity {
                host_id: r.try_get(0)?,
                customer_id: r.try_get(1)?,
            })
        })
        .transpose()
    }

    /// Monitored hosts the scope may see, with status (`down` when nothing arrived for
    /// `down_after_ms`).
    pub async fn list_hosts(&self, scope: &Scope, down_after_ms: i64) -> Result<Vec<Host>> {
        let mut f = crate::scope::Filter::scoped(scope, "h.customer_id");
        self.hosts_where(&mut f, down_after_ms).await
    }

    /// One monitored host.
    pub async fn get_host(&self, scope: &Scope, id: &str, down_after_ms: i64) -> Result<Host> {
        let mut f = crate::scope::Filter::scoped(scope, "h.customer_id");
        f.eq("h.id", id);
        self.hosts_where(&mut f, down_after_ms)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn hosts_where(
        &self,
        f: &mut crate::scope::Filter,
        down_after_ms: i64,
    ) -> Result<Vec<Host>> {
        let sql = format!(
            "SELECT h.id, h.customer_id, a.name, a.os, a.ip_addresses, h.machine_id, h.enrolled_at, h.last_seen_at, h.last_seq, \
             (SELECT COUNT(*) FROM alerts al WHERE al.host_id = h.id AND al.state = 'firing') AS firing, h.source \
             FROM monitored_hosts h JOIN assets a ON a.id = h.id{} ORDER BY a.name, h.id",
            f.sql
        );
        let now = crate::now_ms();
        let rows = f.query(&sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let last: Option<i64> = r.try_get(7)?;
                let status = match last {
                    None => "never",
                    Some(t) if now - t <= down_after_ms => "up",
                    Some(_) => "down",
                };
                Ok(Host {
                    id: r.try_get(0)?,
                    customer_id: r.try_get(1)?,
                    name: r.try_get(2)?,
                    os: r.try_get(3)?,
                    ip_addresses: r.try_get(4)?,
                    machine_id: r.try_get(5)?,
                    enrolled_at: r.try_get(6)?,
                    last_seen_at: last,
                    last_seq: r.try_get(8)?,
                    status: status.into(),
                    firing: r.try_get(9)?,
                    source: r.try_get(10)?,
                })
            })
            .collect()
    }
}

fn non_empty(new: &str, old: &str) -> String {
    let new = new.trim();
    if new.is_empty() {
        old.into()
    } else {
        new.into()
    }
}
